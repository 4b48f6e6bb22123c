//! `motcua serve`, `motcua worker` and `motcua migrate`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use motcua_api::http::server;
use motcua_engine::jobs::run_worker;
use motcua_engine::service::{Config, Services, SystemClock};
use motcua_engine::store::Db;
use motcua_engine::wiring::outbound;

use super::failure;

/// How often `serve` looks for procedure versions published by other processes.
const CATALOGUE_SYNC_SECS: u64 = 60;

#[derive(Args)]
pub struct ServeArgs {
    /// On an empty database, load the demo: agencies, staff for every role, dossiers in every status.
    #[arg(long)]
    demo: bool,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long)]
    http_workers: Option<usize>,
    /// Do not run background work (outbox, deadline sweeper) in this process; run `motcua worker` instead.
    #[arg(long)]
    no_worker: bool,
    /// With --demo: do not start the simulated national portal, e-identity, population database, payment
    /// platform, SMS gateway and mail relay (outside systems then come from MOTCUA_* settings only).
    #[arg(long)]
    no_simulators: bool,
}

pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let json = std::env::var("MOTCUA_LOG_FORMAT").is_ok_and(|f| f == "json");
    // Colour codes only for a terminal: a file, journald or a pipe gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn start(demo: bool, mut config: Config) -> Result<Arc<Services>, ExitCode> {
    if demo {
        motcua_engine::service::demo::configure_demo_keyring(&mut config, chrono::Utc::now())
            .map_err(|e| failure(format!("demo signing keys: {e}")))?;
    }
    motcua_engine::wiring::start(config, Arc::new(SystemClock))
        .map(Arc::new)
        .map_err(|e| failure(format!("cannot start: {e}")))
}

fn print_demo(summary: &motcua_engine::service::demo::DemoSummary) {
    println!(
        "Demo data loaded: {} dossiers. Staff accounts (password for all: {}):",
        summary.dossiers, summary.password
    );
    for (username, name, roles) in &summary.accounts {
        let roles: Vec<String> = roles.iter().map(|(agency, role)| format!("{role}@{agency}")).collect();
        println!("  {username:<24} {name:<22} {}", roles.join(", "));
    }
}

/// Points every outside system not configured otherwise at the demo's simulators.
fn use_simulators(config: &mut Config, world: &motcua_api::sim::demo::DemoWorld) {
    let (outside, sims) = (&mut config.outside, &world.outside);
    outside.portal = outside.portal.take().or_else(|| sims.portal.clone());
    outside.population = outside.population.take().or_else(|| sims.population.clone());
    outside.payment = outside.payment.take().or_else(|| sims.payment.clone());
    outside.sms = outside.sms.take().or_else(|| sims.sms.clone());
    outside.smtp_url = outside.smtp_url.take().or_else(|| sims.smtp_url.clone());
    outside.oidc = outside.oidc.take().or_else(|| sims.oidc.clone());
}

/// The base URL a browser on this machine reaches `listener` at: `localhost` for a wildcard or loopback address.
fn public_url_of(listener: &std::net::TcpListener) -> Option<String> {
    let address = listener.local_addr().ok()?;
    let host = match address.ip() {
        ip if ip.is_unspecified() || ip.is_loopback() => "localhost".to_string(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    };
    Some(format!("http://{host}:{}", address.port()))
}

pub fn serve(args: ServeArgs) -> ExitCode {
    init_logging();
    let mut config = Config::from_env();
    // Bound first: the links and sign-in redirects name the address actually served unless one is configured,
    // and the demo's simulators take other ports.
    let listener = match std::net::TcpListener::bind(&args.bind) {
        Ok(l) => l,
        Err(e) => return failure(format!("cannot listen on {}: {e}", args.bind)),
    };
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or(args.bind.clone());
    if std::env::var("MOTCUA_PUBLIC_URL").ok().filter(|v| !v.is_empty()).is_none() {
        config.public_url = public_url_of(&listener).unwrap_or(config.public_url);
    }
    let mut world = None;
    if args.demo && !args.no_simulators {
        match motcua_api::sim::demo::DemoWorld::start(&config.public_url) {
            Ok(w) => {
                use_simulators(&mut config, &w);
                world = Some(w);
            }
            Err(e) => return failure(format!("demo simulators: {e}")),
        }
    }
    let services = match start(args.demo, config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.demo {
        match services.administration().load_demo() {
            Ok(Some(summary)) => print_demo(&summary),
            Ok(None) => println!("Demo: the database already has data; nothing loaded."),
            Err(e) => return failure(format!("demo data: {e}")),
        }
    }
    if let Some(world) = &mut world {
        // The portal routes dossiers to us as a service account of its own, created afresh each start (only
        // its secret's hash is kept, so an earlier one cannot be reused).
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        let client_id = format!("portal-sim-{stamp}");
        let account = services.identity().create_service_account(
            &format!("Cổng DVC quốc gia (mô phỏng) {stamp}"),
            &[motcua_engine::domain::policy::PORTAL_SCOPE.to_string()],
            Some(&client_id),
        );
        let started = account.map_err(|e| e.to_string()).and_then(|account| {
            world.start_portal(&format!("http://{address}"), &client_id, &account.secret).map_err(|e| e.to_string())
        });
        if let Err(e) = started {
            return failure(format!("demo portal simulator: {e}"));
        }
        println!("Simulated outside systems (faults: POST <url>/_sim/faults):");
        for (name, url) in &world.urls {
            println!("  {name:<26} {url}");
        }
    }
    let state = match server::state(services.clone()) {
        Ok(s) => s,
        Err(e) => return failure(e),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let background = (!args.no_worker).then(|| {
        let (services, stop) = (services.clone(), stop.clone());
        std::thread::spawn(move || {
            let router = outbound(&services.config.outside);
            run_worker(services, router, format!("serve-{}", std::process::id()), stop)
        })
    });
    // Procedure versions and calendar changes an administrator makes through another process reach this one
    // within a minute.
    {
        let (services, stop) = (services.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_secs(CATALOGUE_SYNC_SECS));
                if let Err(e) = services.refresh_calendar(true) {
                    tracing::warn!(error = %e, "calendar refresh failed");
                }
                if let Err(e) = services.sync_catalogue() {
                    tracing::warn!(error = %e, "catalogue sync failed");
                }
            }
        });
    }
    println!("motcua listening on http://{address} (API at /api/v1, OpenAPI at /api/v1/openapi.json)");
    let workers = args.http_workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let outcome = actix_web::rt::System::new().block_on(server::serve(state, listener, workers));
    stop.store(true, Ordering::Relaxed);
    if let Some(handle) = background {
        let _ = handle.join();
    }
    if let Some(world) = world {
        world.stop();
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failure(e),
    }
}

pub fn worker() -> ExitCode {
    init_logging();
    let services = match start(false, Config::from_env()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let id = format!("worker-{}-{}", hostname(), std::process::id());
    let router = outbound(&services.config.outside);
    run_worker(services, router, id, Arc::new(AtomicBool::new(false)));
    ExitCode::SUCCESS
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "host".into())
}

pub fn migrate() -> ExitCode {
    let config = Config::from_env();
    let db = match Db::connect(&config.database_url, 1) {
        Ok(db) => db,
        Err(e) => return failure(e),
    };
    match db.migrate() {
        Ok(n) => {
            println!("{n} migration(s) applied");
            ExitCode::SUCCESS
        }
        Err(e) => failure(e),
    }
}
