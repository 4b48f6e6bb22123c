//! The drill's clients: each drives dossiers through the default flow over HTTP until the load ends, and
//! records every action the server acknowledged (a 2xx answer). A request that got no answer (the server was
//! killed, the connection cut) or a 5xx is sent again: a reception with the same `Idempotency-Key`, an action
//! with the same `If-Match`. An action whose answer was lost may have been done all the same; the history then
//! tells, and it is counted apart, never as acknowledged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;
use tokio::time::Instant;

use crate::flow::{self, Member};

/// Between two tries of a request that got no answer.
const RETRY_PAUSE: Duration = Duration::from_millis(300);
/// Conflicts on one action that the history does not explain, before the dossier is given up.
const MAX_CONFLICTS: usize = 5;

pub fn http() -> Result<reqwest::Client, String> {
    // Long enough for a request that waits out a locked database.
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| e.to_string())
}

/// An action the server acknowledged.
#[derive(Debug, Clone)]
pub struct Ack {
    pub dossier: String,
    pub action: &'static str,
    /// The change the history must hold for it.
    pub change: &'static str,
    /// The version the action was sent against (0: reception).
    pub from_version: u64,
    /// The version and status the answer gave.
    pub version: u64,
    pub status: u64,
    /// As the history names who acted.
    pub actor: String,
}

/// A dossier received with an acknowledged answer: its code and the scan it was received with.
#[derive(Debug, Clone)]
pub struct Reception {
    pub dossier: String,
    pub code: Option<String>,
    pub scan_sha256: String,
}

/// What the clients did.
#[derive(Debug, Default)]
pub struct Load {
    pub acks: Vec<Ack>,
    pub receptions: Vec<Reception>,
    /// Dossiers that went through the whole flow.
    pub finished: usize,
    /// Actions done whose answer was lost (found in the history after a conflict).
    pub applied_unacknowledged: usize,
    /// Answers other than success, and requests without an answer, by action and problem code.
    pub refusals: BTreeMap<String, usize>,
    /// Dossiers given up before the end of the load, by why.
    pub abandoned: BTreeMap<String, usize>,
}

impl Load {
    fn merge(&mut self, other: Load) {
        self.acks.extend(other.acks);
        self.receptions.extend(other.receptions);
        self.finished += other.finished;
        self.applied_unacknowledged += other.applied_unacknowledged;
        for (why, n) in other.refusals {
            *self.refusals.entry(why).or_default() += n;
        }
        for (why, n) in other.abandoned {
            *self.abandoned.entry(why).or_default() += n;
        }
    }
}

/// One answer of the server.
enum Answer {
    Done(Value),
    Refused(u16, Value),
    /// No answer at all: connection refused or cut, timeout.
    Lost(String),
}

/// One request of the flow, sent as often as it takes.
struct Request<'a> {
    /// Its name in the refusals counted.
    action: &'a str,
    /// The key of `flow::STAFF` who sends it.
    role: &'static str,
    path: &'a str,
    body: &'a [u8],
    json: bool,
    headers: &'a [(&'static str, String)],
}

/// Why a dossier's drive stopped.
enum Stop {
    /// The load is over.
    Deadline,
    /// An answer the flow cannot go on from.
    GaveUp(String),
}

struct Session {
    http: reqwest::Client,
    base: String,
    team: RwLock<BTreeMap<&'static str, Member>>,
    deadline: Instant,
}

/// Runs `clients` clients until `deadline`; answers what they did.
pub async fn drive(
    http: &reqwest::Client,
    base: &str,
    team: BTreeMap<&'static str, Member>,
    clients: usize,
    deadline: Instant,
) -> Load {
    let session = Arc::new(Session { http: http.clone(), base: base.to_string(), team: RwLock::new(team), deadline });
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(1));
    let tasks: Vec<_> = (0..clients.max(1))
        .map(|_| {
            let (session, next) = (session.clone(), next.clone());
            tokio::spawn(async move {
                let mut load = Load::default();
                while Instant::now() < session.deadline {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    match session.one_dossier(n, &mut load).await {
                        Ok(()) => load.finished += 1,
                        Err(Stop::Deadline) => {}
                        Err(Stop::GaveUp(why)) => {
                            *load.abandoned.entry(why).or_default() += 1;
                            // Not in a tight loop when something refuses every dossier.
                            tokio::time::sleep(RETRY_PAUSE).await;
                        }
                    }
                }
                load
            })
        })
        .collect();
    let mut load = Load::default();
    for task in tasks {
        match task.await {
            Ok(part) => load.merge(part),
            Err(e) => *load.abandoned.entry(format!("client task failed: {e}")).or_default() += 1,
        }
    }
    load
}

/// The scan of dossier `n`: the sample PDF with a comment of its own just before its end marker, so that every
/// upload is a new blob (the same bytes would be stored once and never touch a read-only store again). Not after
/// the marker: a PDF with anything after its end is refused as a possible polyglot. Nothing the cross-reference
/// table points at moves.
fn scan(n: usize) -> Vec<u8> {
    let end = flow::SCAN.windows(5).rposition(|w| w == b"%%EOF").expect("the sample PDF has its end marker");
    let comment = format!("% motcua chaos {n} {}\n", uuid::Uuid::new_v4());
    [&flow::SCAN[..end], comment.as_bytes(), &flow::SCAN[end..]].concat()
}

impl Session {
    async fn member(&self, role: &str) -> Member {
        self.team.read().await[role].clone()
    }

    /// Signs `role` in again (an access token lives 15 minutes).
    async fn renew(&self, role: &'static str) {
        let username = flow::STAFF.iter().find(|(r, _)| *r == role).map(|(_, u)| *u).expect("a role of the flow");
        if let Ok(member) = flow::sign_in(&self.http, &self.base, username).await {
            self.team.write().await.insert(role, member);
        }
    }

    async fn send(&self, request: &Request<'_>) -> Answer {
        let token = self.member(request.role).await.token;
        let mut sent =
            self.http.post(format!("{}{}", self.base, request.path)).bearer_auth(token).body(request.body.to_vec());
        if request.json {
            sent = sent.header("Content-Type", "application/json");
        }
        for (name, value) in request.headers {
            sent = sent.header(*name, value);
        }
        match sent.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.json::<Value>().await {
                    Ok(body) if (200..300).contains(&status) => Answer::Done(body),
                    Ok(body) => Answer::Refused(status, body),
                    // A success whose body did not arrive whole is no acknowledgement.
                    Err(e) if (200..300).contains(&status) => Answer::Lost(format!("answer cut: {e}")),
                    Err(_) => Answer::Refused(status, Value::Null),
                }
            }
            Err(e) => Answer::Lost(e.to_string()),
        }
    }

    /// Sends until an answer says something final: success, or a refusal other than 5xx and 401. Stops
    /// when the load ends first.
    async fn until_final(&self, request: &Request<'_>, load: &mut Load) -> Result<Answer, Stop> {
        loop {
            if Instant::now() >= self.deadline {
                return Err(Stop::Deadline);
            }
            let answer = self.send(request).await;
            let label = match &answer {
                Answer::Done(_) => return Ok(answer),
                Answer::Refused(401, _) => {
                    self.renew(request.role).await;
                    continue;
                }
                Answer::Refused(status, body) if *status >= 500 || *status == 429 => {
                    format!("{}: {}", request.action, super::problem_code(*status, body))
                }
                Answer::Refused(..) => return Ok(answer),
                Answer::Lost(_) => format!("{}: no answer", request.action),
            };
            *load.refusals.entry(label).or_default() += 1;
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }

    /// Dossier `n` through the flow, recording what was acknowledged.
    async fn one_dossier(&self, n: usize, load: &mut Load) -> Result<(), Stop> {
        let scan = scan(n);
        let scan_sha256 = hex::encode(Sha256::digest(&scan));
        let path = "/api/v1/uploads?name=don-de-nghi.pdf";
        let request = Request { action: "upload", role: "clerk", path, body: &scan, json: false, headers: &[] };
        let upload = match self.until_final(&request, load).await? {
            Answer::Done(upload) => upload,
            refused => return Err(gave_up("upload", refused)),
        };
        let body =
            serde_json::to_vec(&flow::reception(upload["id"].as_str().unwrap_or_default())).expect("JSON serializes");
        // The same key and the same bytes each time: a reception done without its answer is answered again.
        let key = [("Idempotency-Key", uuid::Uuid::new_v4().to_string())];
        let clerk = self.member("clerk").await.full_name;
        let request = Request {
            action: "receive",
            role: "clerk",
            path: "/api/v1/dossiers",
            body: &body,
            json: true,
            headers: &key,
        };
        let dossier = match self.until_final(&request, load).await? {
            Answer::Done(dossier) => dossier,
            refused => return Err(gave_up("receive", refused)),
        };
        let id = dossier["id"].as_str().unwrap_or_default().to_string();
        let mut version = dossier["version"].as_u64().unwrap_or_default();
        let status = dossier["status"].as_u64().unwrap_or_default();
        load.acks.push(Ack {
            dossier: id.clone(),
            action: "receive",
            change: "received",
            from_version: 0,
            version,
            status,
            actor: clerk,
        });
        load.receptions.push(Reception {
            dossier: id.clone(),
            code: dossier["code"].as_str().map(str::to_string),
            scan_sha256,
        });
        if status != 2 {
            return Err(Stop::GaveUp(format!("receive: held at status {status}")));
        }
        let specialist = self.member("specialist").await.staff_id;
        let path = format!("/api/v1/dossiers/{id}/actions");
        for step in flow::steps(&specialist, &format!("{n}/HKD")) {
            let body = serde_json::to_vec(&step.body).expect("JSON serializes");
            let mut conflicts = 0;
            loop {
                let if_match = [("If-Match", version.to_string())];
                let actor = self.member(step.role).await.full_name;
                let request = Request {
                    action: step.action,
                    role: step.role,
                    path: &path,
                    body: &body,
                    json: true,
                    headers: &if_match,
                };
                match self.until_final(&request, load).await? {
                    Answer::Done(answer) => {
                        let from_version = version;
                        version = answer["version"].as_u64().unwrap_or_default();
                        let status = answer["status"].as_u64().unwrap_or_default();
                        load.acks.push(Ack {
                            dossier: id.clone(),
                            action: step.action,
                            change: step.change,
                            from_version,
                            version,
                            status,
                            actor,
                        });
                        break;
                    }
                    Answer::Refused(409, _) if conflicts < MAX_CONFLICTS => {
                        // Someone acted since `version`: this very action, sent before without an answer, or not.
                        conflicts += 1;
                        let events = self.history(&id, load).await?;
                        let done = events.iter().skip(version as usize).any(|e| e["kind"] == step.change);
                        version = events.len() as u64;
                        if done {
                            load.applied_unacknowledged += 1;
                            break;
                        }
                        *load
                            .refusals
                            .entry(format!("{}: 409 not explained by the history", step.action))
                            .or_default() += 1;
                    }
                    refused => return Err(gave_up(step.action, refused)),
                }
            }
        }
        Ok(())
    }

    /// The dossier's history events, asked until answered.
    async fn history(&self, id: &str, load: &mut Load) -> Result<Vec<Value>, Stop> {
        loop {
            if Instant::now() >= self.deadline {
                return Err(Stop::Deadline);
            }
            let token = self.member("clerk").await.token;
            let sent =
                self.http.get(format!("{}/api/v1/dossiers/{id}/history", self.base)).bearer_auth(token).send().await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    if let Ok(history) = r.json::<Value>().await {
                        return Ok(history["events"].as_array().cloned().unwrap_or_default());
                    }
                }
                Ok(r) if r.status().as_u16() == 401 => self.renew("clerk").await,
                _ => *load.refusals.entry("history: no answer".into()).or_default() += 1,
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }
}

fn gave_up(action: &str, answer: Answer) -> Stop {
    Stop::GaveUp(match answer {
        Answer::Refused(status, body) => format!("{action}: {}", super::problem_code(status, &body)),
        Answer::Lost(e) => format!("{action}: no answer ({e})"),
        Answer::Done(_) => format!("{action}: done"),
    })
}
