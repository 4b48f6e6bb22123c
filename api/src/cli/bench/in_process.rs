//! `motcua bench lifecycle --in-process`: the same flow as over HTTP (a scan uploaded, then receive, assign,
//! appraise, approve, sign, seal, return), by the same demo staff with the same bodies, but each request a call of
//! the engine's use case from one of `clients` threads. What remains is the engine's own cost: validation, the
//! domain's decision, documents, signatures, the store's transaction with its events, outbox and forms.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use motcua_api::flow;
use motcua_engine::domain::identity::{Caller, StaffIdentity};
use motcua_engine::service::dossiers::Received;
use motcua_engine::service::requests::{NewDossier, parse_action_body};
use motcua_engine::service::{Config, Services, SystemClock};

use super::lifecycle::{FLOW, Measured, Run};

/// Starts the engine on `database_url` (the demo loaded when it is empty), signs the flow's staff in and drives
/// `dossiers` dossiers through the flow, `clients` at a time.
pub fn run(database_url: &str, dossiers: usize, clients: usize) -> Result<Measured, String> {
    let config =
        Config { database_url: database_url.to_string(), pool_size: (clients as u32 + 4).max(8), ..Config::from_env() };
    let services = motcua_engine::wiring::start(config, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    services.administration().load_demo().map_err(|e| e.to_string())?;
    let services = Arc::new(services);
    let team = Arc::new(Team::sign_in(&services)?);
    println!(
        "bench lifecycle --in-process: {dossiers} dossiers x {} calls, {clients} threads, {database_url}",
        FLOW.len()
    );
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = super::timing::CpuTicks::now();
    let started = Instant::now();
    let threads: Vec<_> = (0..clients.max(1))
        .map(|_| {
            let (services, team, next) = (services.clone(), team.clone(), next.clone());
            std::thread::spawn(move || {
                let mut runs = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= dossiers {
                        return runs;
                    }
                    let mut run = Run { timings: Vec::with_capacity(FLOW.len()), failed: None };
                    if let Err(why) = one_dossier(&services, &team, n, &mut run.timings) {
                        run.failed = Some(why);
                    }
                    runs.push(run);
                }
            })
        })
        .collect();
    let mut runs = Vec::with_capacity(dossiers);
    for thread in threads {
        runs.extend(thread.join().map_err(|_| "a client thread panicked".to_string())?);
    }
    Ok(Measured { runs, elapsed: started.elapsed(), cpu_before, cpu_after: super::timing::CpuTicks::now() })
}

/// The flow's staff by role, signed in with their demo passwords.
struct Team(std::collections::BTreeMap<&'static str, StaffIdentity>);

impl Team {
    fn sign_in(services: &Services) -> Result<Team, String> {
        let mut team = std::collections::BTreeMap::new();
        for (role, username) in flow::STAFF {
            let staff = services
                .identity()
                .login(username, flow::PASSWORD, "127.0.0.1")
                .map_err(|e| format!("login {username}: {} (the database must hold the demo data)", e.code()))?;
            team.insert(role, staff);
        }
        Ok(Team(team))
    }

    fn member(&self, role: &str) -> &StaffIdentity {
        &self.0[role]
    }
}

/// One dossier through the flow, as far as it goes; the error names the call that failed and its code.
fn one_dossier(
    services: &Services,
    team: &Team,
    n: usize,
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(), String> {
    let clerk = team.member("clerk");
    let started = Instant::now();
    let upload = services
        .papers()
        .upload_bytes(&Caller::Staff(clerk.clone()), "don-de-nghi.pdf", flow::SCAN)
        .map_err(|e| format!("upload: {}", e.code()))?;
    timings.push(("upload", started.elapsed()));
    let input: NewDossier = serde_json::from_value(flow::reception(&upload.id)).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut dossier =
        match services.dossiers().receive(clerk, input, None).map_err(|e| format!("receive: {}", e.code()))? {
            Received::Created(dossier) => *dossier,
            Received::Replayed { .. } => return Err("receive: replayed without a key".into()),
        };
    timings.push(("receive", started.elapsed()));
    for step in flow::steps(&team.member("specialist").id, &format!("{n}/HKD")) {
        let (request, note) = parse_action_body(&step.body)?;
        let started = Instant::now();
        dossier = services
            .dossiers()
            .act(team.member(step.role), &dossier.id, dossier.version, request, note)
            .map_err(|e| format!("{}: {}", step.action, e.code()))?;
        timings.push((FLOW.iter().find(|f| **f == step.action).copied().unwrap_or("?"), started.elapsed()));
    }
    Ok(())
}
