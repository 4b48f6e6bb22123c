//! What must hold after the drill, each read from the system itself: every acknowledged action in its dossier's
//! history, in order, done by whom it was acknowledged to and leaving the status it was acknowledged with; the
//! scan of each reception among its dossier's papers; dossier codes (per agency and day) and register entries
//! (per agency and year) without gaps or repeats; the outbox drained, each portal message applied exactly once
//! and in order; `motcua audit verify` and `motcua blobs verify` clean.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::client::{Ack, Load};
use super::report::Report;
use crate::flow::{self, Member};

/// At most this many lines per kind of violation (the rest are counted).
const MAX_LISTED: usize = 20;

pub struct Context {
    pub http: reqwest::Client,
    pub base: String,
    pub team: BTreeMap<&'static str, Member>,
    pub portal_url: String,
    pub binary: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Context {
    /// GET as `role`, tried again a few times while the server recovers.
    async fn get(&self, role: &str, path: &str) -> Result<Value, String> {
        let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.base) };
        let mut last = String::new();
        for _ in 0..10 {
            match self.http.get(&url).bearer_auth(&self.team[role].token).send().await {
                Ok(r) if r.status().is_success() => return r.json().await.map_err(|e| format!("{path}: {e}")),
                Ok(r) => last = format!("{path}: {}", r.status()),
                Err(e) => last = format!("{path}: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(last)
    }

    /// Every item of a paged list (`items`, `next_cursor`).
    async fn all(&self, role: &str, path: &str) -> Result<Vec<Value>, String> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = match &cursor {
                None => self.get(role, path).await?,
                Some(c) => self.get(role, &format!("{path}&cursor={}", urlencode(c))).await?,
            };
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            cursor = match &page["next_cursor"] {
                Value::String(c) => Some(c.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            if cursor.is_none() {
                return Ok(items);
            }
        }
    }
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Waits until no outbox message is pending (delivered or dead); the error says what still waits.
pub async fn drain(context: &Context, within: Duration) -> Result<(), String> {
    let until = tokio::time::Instant::now() + within;
    loop {
        let pending: BTreeMap<String, i64> = match context.get("admin", "/api/v1/admin/outbox?limit=1").await {
            Ok(page) => page["topics"]
                .as_object()
                .map(|topics| {
                    topics.iter().map(|(t, s)| (t.clone(), s["pending"].as_i64().unwrap_or_default())).collect()
                })
                .unwrap_or_default(),
            Err(e) => BTreeMap::from([(format!("(outbox unreadable: {e})"), 1)]),
        };
        let waiting: Vec<String> = pending.iter().filter(|(_, n)| **n > 0).map(|(t, n)| format!("{t} {n}")).collect();
        if waiting.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= until {
            return Err(format!("outbox not drained within {} s: {} pending", within.as_secs(), waiting.join(", ")));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Runs every check; figures and violations go to `report`.
pub async fn verify(context: &Context, load: &Load, report: &mut Report) {
    let mut violations = Violations::default();
    histories(context, load, report, &mut violations).await;
    scans(context, load, &mut violations).await;
    codes(context, load, report, &mut violations).await;
    outbox(context, report, &mut violations).await;
    report.audit = verify_command(context, "audit", &mut violations).await;
    report.blobs = verify_command(context, "blobs", &mut violations).await;
    report.violations.extend(violations.lines());
}

/// Violations by kind, a bounded number listed of each.
#[derive(Default)]
struct Violations(BTreeMap<&'static str, Vec<String>>);

impl Violations {
    fn add(&mut self, kind: &'static str, line: String) {
        self.0.entry(kind).or_default().push(line);
    }

    fn lines(self) -> Vec<String> {
        let mut lines = Vec::new();
        for (kind, found) in self.0 {
            let more = found.len().saturating_sub(MAX_LISTED);
            lines.extend(found.into_iter().take(MAX_LISTED).map(|line| format!("{kind}: {line}")));
            if more > 0 {
                lines.push(format!("{kind}: {more} more"));
            }
        }
        lines
    }
}

/// The status a dossier had right after its first `version` events.
fn status_at(events: &[Value], version: usize) -> Option<u64> {
    events[..version.min(events.len())].iter().rev().find_map(|e| e["status"].as_u64())
}

/// Why `ack` is not in `events` as acknowledged, if it is not.
fn ack_missing(ack: &Ack, events: &[Value]) -> Option<String> {
    let what = format!("dossier {} `{}` acknowledged at version {}", ack.dossier, ack.action, ack.version);
    let (from, to) = (ack.from_version as usize, ack.version as usize);
    if to > events.len() || from >= to {
        return Some(format!("{what}: the history has {} events", events.len()));
    }
    let Some(event) = events[from..to].iter().rev().find(|e| e["kind"] == ack.change) else {
        return Some(format!("{what}: no `{}` among events {}..={to}", ack.change, from + 1));
    };
    if event["actor"].as_str() != Some(ack.actor.as_str()) {
        return Some(format!("{what}: recorded as done by {}, not {}", event["actor"], ack.actor));
    }
    match status_at(events, to) {
        Some(status) if status == ack.status => None,
        other => Some(format!("{what} with status {}: the history says {other:?}", ack.status)),
    }
}

async fn histories(context: &Context, load: &Load, report: &mut Report, violations: &mut Violations) {
    let mut by_dossier: BTreeMap<&str, Vec<&Ack>> = BTreeMap::new();
    for ack in &load.acks {
        by_dossier.entry(ack.dossier.as_str()).or_default().push(ack);
    }
    report.dossiers = by_dossier.len();
    report.acknowledged = load.acks.len();
    for (id, acks) in by_dossier {
        let history = match context.get("clerk", &format!("/api/v1/dossiers/{id}/history")).await {
            Ok(history) => history,
            Err(e) => {
                violations.add("history unreadable", format!("dossier {id}: {e}"));
                continue;
            }
        };
        let events = history["events"].as_array().cloned().unwrap_or_default();
        report.events_read += events.len();
        if events.iter().enumerate().any(|(i, e)| e["seq"].as_u64() != Some(i as u64 + 1)) {
            violations.add("history out of sequence", format!("dossier {id}"));
        }
        match context.get("clerk", &format!("/api/v1/dossiers/{id}")).await {
            Ok(dossier) if dossier["version"].as_u64() == Some(events.len() as u64) => {}
            Ok(dossier) => violations.add(
                "history incomplete",
                format!("dossier {id} at version {} has {} events", dossier["version"], events.len()),
            ),
            Err(e) => violations.add("dossier unreadable", format!("{id}: {e}")),
        }
        for pair in acks.windows(2) {
            if pair[1].from_version < pair[0].version {
                violations.add(
                    "acknowledged out of order",
                    format!(
                        "dossier {id}: `{}` at {} after `{}` at {}",
                        pair[1].action, pair[1].from_version, pair[0].action, pair[0].version
                    ),
                );
            }
        }
        for ack in acks {
            if let Some(why) = ack_missing(ack, &events) {
                violations.add("acknowledged action missing", why);
            }
        }
    }
}

/// Each acknowledged reception holds the scan it was received with.
async fn scans(context: &Context, load: &Load, violations: &mut Violations) {
    for reception in &load.receptions {
        let path = format!("/api/v1/dossiers/{}/papers", reception.dossier);
        match context.get("clerk", &path).await {
            Ok(papers) => {
                let held = papers.as_array().is_some_and(|papers| {
                    papers.iter().any(|p| p["blob_sha256"].as_str() == Some(reception.scan_sha256.as_str()))
                });
                if !held {
                    violations.add(
                        "scan missing",
                        format!("dossier {} has no paper {}", reception.dossier, reception.scan_sha256),
                    );
                }
            }
            Err(e) => violations.add("papers unreadable", format!("dossier {}: {e}", reception.dossier)),
        }
    }
}

/// Numbers that are not exactly 1..=n once each: the repeated and the missing.
fn gaps_and_repeats(numbers: &[u64]) -> Option<String> {
    let mut seen = BTreeSet::new();
    let repeated: Vec<u64> = numbers.iter().copied().filter(|n| !seen.insert(*n)).collect();
    let max = seen.last().copied().unwrap_or(0);
    let missing: Vec<u64> = (1..=max).filter(|n| !seen.contains(n)).collect();
    (!repeated.is_empty() || !missing.is_empty()).then(|| format!("repeated {repeated:?}, missing {missing:?}"))
}

async fn codes(context: &Context, load: &Load, report: &mut Report, violations: &mut Violations) {
    let path = format!("/api/v1/dossiers?agency={}&limit=200", flow::AGENCY);
    let dossiers = match context.all("clerk", &path).await {
        Ok(dossiers) => dossiers,
        Err(e) => {
            violations.add("dossiers unreadable", e);
            return;
        }
    };
    // Codes are numbered per agency and reception day, register entries per agency and year.
    let mut by_day: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut by_year: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut code_of: BTreeMap<&str, &str> = BTreeMap::new();
    for dossier in &dossiers {
        if let Some(code) = dossier["code"].as_str() {
            code_of.insert(dossier["id"].as_str().unwrap_or_default(), code);
            match code.rsplit_once('-').and_then(|(day, n)| Some((day, n.parse::<u64>().ok()?))) {
                Some((day, n)) => by_day.entry(day.to_string()).or_default().push(n),
                None => violations.add("malformed code", code.to_string()),
            }
        }
        if let (Some(entry), Some(received)) = (dossier["register_entry"].as_u64(), dossier["received_at"].as_str()) {
            let year = chrono::DateTime::parse_from_rfc3339(received)
                .map(|t| t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%Y").to_string())
                .unwrap_or_default();
            by_year
                .entry(format!("{} {year}", dossier["agency"].as_str().unwrap_or_default()))
                .or_default()
                .push(entry);
        }
    }
    for (day, numbers) in &by_day {
        report.codes_checked += numbers.len();
        if let Some(why) = gaps_and_repeats(numbers) {
            violations.add("dossier codes with gaps", format!("{day}: {why}"));
        }
    }
    for (year, numbers) in &by_year {
        report.register_entries_checked += numbers.len();
        if let Some(why) = gaps_and_repeats(numbers) {
            violations.add("register entries with gaps", format!("{year}: {why}"));
        }
    }
    for reception in &load.receptions {
        let now = code_of.get(reception.dossier.as_str()).copied();
        if reception.code.is_some() && now != reception.code.as_deref() {
            violations.add(
                "code changed",
                format!("dossier {} received as {:?}, now {now:?}", reception.dossier, reception.code),
            );
        }
    }
}

/// Each dossier's portal messages, as motcua sent them and as the portal applied them, must be the same keys in
/// the same order; every other message delivered; nothing pending or dead.
async fn outbox(context: &Context, report: &mut Report, violations: &mut Violations) {
    let messages = match context.all("admin", "/api/v1/admin/outbox?limit=200").await {
        Ok(messages) => messages,
        Err(e) => {
            violations.add("outbox unreadable", e);
            return;
        }
    };
    let portal = match context.get("admin", &format!("{}/_sim/state", context.portal_url)).await {
        Ok(state) => state,
        Err(e) => {
            violations.add("portal simulator unreadable", e);
            return;
        }
    };
    let mut sent: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    let mut pushed: Vec<(i64, String)> = Vec::new();
    for message in &messages {
        let (id, key, topic) = (
            message["id"].as_i64().unwrap_or_default(),
            message["message_key"].as_str().unwrap_or_default().to_string(),
            message["topic"].as_str().unwrap_or_default(),
        );
        if message["dead"] == true {
            violations.add("outbox message dead", format!("{topic} {key}: {}", message["last_error"]));
            continue;
        }
        if message["delivered_at"].is_null() {
            violations.add("outbox message not delivered", format!("{topic} {key}"));
            continue;
        }
        *report.delivered.entry(topic.to_string()).or_default() += 1;
        match topic {
            "portal.status_sync" => {
                let payload: Value =
                    serde_json::from_str(message["payload"].as_str().unwrap_or_default()).unwrap_or_default();
                let code = payload["MaHoSo"].as_str().unwrap_or_default().to_string();
                sent.entry(code).or_default().push((id, key));
            }
            "repository.sync" => pushed.push((id, key)),
            _ => {}
        }
    }
    let mut applied: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for view in portal["dossiers"].as_array().into_iter().flatten() {
        let keys = view["applied_keys"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string);
        applied.insert(view["MaHoSo"].as_str().unwrap_or_default().to_string(), keys.collect());
    }
    report.portal_messages = sent.values().map(Vec::len).sum();
    for line in portal_mismatches(&sent, &applied) {
        violations.add("portal messages not applied once in order", line);
    }
    pushed.sort();
    let pushed: Vec<String> = pushed.into_iter().map(|(_, key)| key).collect();
    let taken: Vec<String> = portal["repository_keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    report.repository_pushes = pushed.len();
    if pushed.iter().collect::<BTreeSet<_>>() != taken.iter().collect::<BTreeSet<_>>() || pushed.len() != taken.len() {
        violations.add("repository pushes not taken once", format!("sent {pushed:?}, taken {taken:?}"));
    }
    for refusal in portal["refusals"].as_array().into_iter().flatten() {
        violations.add("portal refused a message", refusal.to_string());
    }
    report.duplicates = portal["duplicates"].as_u64().unwrap_or_default();
}

/// Each dossier code whose messages, as sent (outbox id, key) and as the portal applied them (keys in order), are
/// not the same keys in the same order.
fn portal_mismatches(
    sent: &BTreeMap<String, Vec<(i64, String)>>,
    applied: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let codes: BTreeSet<&String> = sent.keys().chain(applied.keys()).collect();
    let mut mismatches = Vec::new();
    for code in codes {
        let mut ours = sent.get(code).cloned().unwrap_or_default();
        ours.sort();
        let ours: Vec<String> = ours.into_iter().map(|(_, key)| key).collect();
        let theirs = applied.get(code).cloned().unwrap_or_default();
        if ours != theirs {
            mismatches.push(format!("{code}: sent {ours:?}, applied {theirs:?}"));
        }
    }
    mismatches
}

/// `motcua audit verify` or `motcua blobs verify` on the drill's database and store: its last line.
async fn verify_command(context: &Context, what: &'static str, violations: &mut Violations) -> String {
    let output = tokio::process::Command::new(&context.binary)
        .args([what, "verify"])
        .envs(context.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .await;
    match output {
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout).to_string();
            if !output.status.success() {
                let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
                violations.add(
                    if what == "audit" { "audit verify failed" } else { "blobs verify failed" },
                    format!("{} {}", lines.join("; "), String::from_utf8_lossy(&output.stderr).trim()),
                );
            }
            text.lines().last().unwrap_or_default().to_string()
        }
        Err(e) => {
            violations.add("verify not run", format!("{what}: {e}"));
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ack(action: &'static str, change: &'static str, from_version: u64, version: u64, status: u64) -> Ack {
        Ack { dossier: "d".into(), action, change, from_version, version, status, actor: "Clerk".into() }
    }

    fn history() -> Vec<Value> {
        let event =
            |seq, kind, status: Option<u64>| json!({"seq": seq, "kind": kind, "actor": "Clerk", "status": status});
        vec![
            event(1, "submitted", Some(1)),
            event(2, "identity_checked", None),
            event(3, "received", Some(2)),
            event(4, "assigned", Some(4)),
            event(5, "appraised", None),
        ]
    }

    #[test]
    fn an_acknowledged_action_is_found_at_its_versions_with_its_status_and_actor() {
        let events = history();
        assert_eq!(ack_missing(&ack("receive", "received", 0, 3, 2), &events), None);
        assert_eq!(ack_missing(&ack("appraise", "appraised", 4, 5, 4), &events), None, "the status carried over");
        let missing = [
            ack("approve", "approved", 5, 6, 4),
            ack("assign", "assigned", 0, 3, 2),
            ack("assign", "assigned", 3, 4, 2),
            Ack { actor: "Someone else".into(), ..ack("assign", "assigned", 3, 4, 4) },
        ];
        for ack in missing {
            assert!(ack_missing(&ack, &events).is_some(), "{ack:?}");
        }
    }

    #[test]
    fn numbers_must_be_one_to_n_once_each() {
        assert_eq!(gaps_and_repeats(&[3, 1, 2]), None);
        assert_eq!(gaps_and_repeats(&[1, 3]).as_deref(), Some("repeated [], missing [2]"));
        assert_eq!(gaps_and_repeats(&[1, 2, 2]).as_deref(), Some("repeated [2], missing []"));
        assert_eq!(gaps_and_repeats(&[2]).as_deref(), Some("repeated [], missing [1]"));
    }

    #[test]
    fn portal_messages_must_be_applied_once_each_in_the_order_sent() {
        let sent = BTreeMap::from([("A".to_string(), vec![(7, "a:3".to_string()), (2, "a:1".to_string())])]);
        let applied = |keys: &[&str]| BTreeMap::from([("A".to_string(), keys.iter().map(|k| k.to_string()).collect())]);
        assert!(portal_mismatches(&sent, &applied(&["a:1", "a:3"])).is_empty());
        for wrong in [&["a:3", "a:1"][..], &["a:1"], &["a:1", "a:3", "a:3"], &[]] {
            assert_eq!(portal_mismatches(&sent, &applied(wrong)).len(), 1, "{wrong:?}");
        }
        let elsewhere = BTreeMap::from([("B".to_string(), vec!["b:1".to_string()])]);
        assert_eq!(portal_mismatches(&BTreeMap::new(), &elsewhere).len(), 1, "applied but never sent");
    }
}
