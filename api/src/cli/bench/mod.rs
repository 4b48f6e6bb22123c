//! `motcua bench`: throughput and latency of the whole flow (`lifecycle`), server time of the pages (`pages`),
//! and the fault drill (`chaos`).

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use motcua_api::http::auth::JwtKeys;
use motcua_api::http::server;
use motcua_engine::service::{Config, Services, SystemClock};

use super::failure;

mod chaos;
mod in_process;
mod lifecycle;
mod ocr;
mod outbox;
mod pages;
mod papers;
mod queries;
mod reports;
mod scale_out;
mod seed;
mod storage;
mod timing;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Whole default flow (receive, assign, appraise, approve, sign, seal, return) over HTTP.
    Lifecycle(lifecycle::LifecycleArgs),
    /// Server time of every main page, for each role, against `/healthz` in the same run.
    Pages(pages::PagesArgs),
    /// Fault drill: serve and worker killed and restarted, outside systems, blobs and database failing, under
    /// load; then every acknowledged action, code, chain, blob and outbox message checked.
    Chaos(chaos::ChaosArgs),
    /// Fills a database with copies of the demo's dossiers across years and communes, up to a total, and
    /// reports the room taken per dossier.
    Seed(seed::SeedArgs),
    /// The requests that must not grow with the table (queues, search, a citizen's dossiers, tracking, a
    /// dossier page, the work home), over random dossiers of the database, against a primary-key read.
    Queries(queries::QueriesArgs),
    /// The Decision 766 scorecard and its lists of lost points for the whole system, the province and a
    /// commune, over a month, a quarter and a year, and the leader's scorecard page, against a primary-key read.
    Reports(reports::ReportsArgs),
    /// Whether `motcua worker` processes scale: the same filled outbox and job queue drained by 1 worker and by
    /// 2, against outside systems that answer after a set latency; every portal message applied once, in order.
    Outbox(outbox::OutboxArgs),
    /// The scale-out profile: two `serve` behind HAProxy, two `worker`, PgBouncer, a PostgreSQL primary and a
    /// streaming replica that reports read; a `serve` killed in turn under load; then every check of the drill.
    ScaleOut(scale_out::ScaleOutArgs),
    /// The paper reader (Tesseract, Vietnamese): generated id cards and birth certificates scanned clean,
    /// tilted, noisy and at low resolution; each field read held against what the paper says.
    Ocr(ocr::OcrArgs),
    /// The staff's search of read papers: fills the database with read id cards up to a number, then times a
    /// commune clerk's searches (a word on every card, a later page, names, id numbers, a word on none).
    Papers(papers::PapersArgs),
}

pub fn run(command: BenchCommand) -> ExitCode {
    match command {
        BenchCommand::Pages(args) => pages::run(args),
        BenchCommand::Lifecycle(args) => lifecycle::run(args),
        BenchCommand::Chaos(args) => chaos::run(args),
        BenchCommand::Seed(args) => seed::run(args),
        BenchCommand::Queries(args) => queries::run(args),
        BenchCommand::Reports(args) => reports::run(args),
        BenchCommand::Outbox(args) => outbox::run(args),
        BenchCommand::ScaleOut(args) => scale_out::run(args),
        BenchCommand::Ocr(args) => ocr::run(args),
        BenchCommand::Papers(args) => papers::run(args),
    }
}

/// A new scratch folder's path for a run of `what`, stamped with the time and this process.
fn scratch_folder(what: &str) -> std::path::PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    std::env::temp_dir().join(format!("motcua-{what}-{stamp}-{}", std::process::id()))
}

/// Prints a drill's report and ends it: its scratch folder removed when it passed, kept (with `what` it holds)
/// when it did not.
fn conclude(report: &motcua_api::chaos::Report, scratch: &std::path::Path, holds: &str) -> ExitCode {
    println!("{report}");
    if report.passed() {
        let _ = std::fs::remove_dir_all(scratch);
        ExitCode::SUCCESS
    } else {
        println!("kept for investigation: {} ({holds})", scratch.display());
        ExitCode::FAILURE
    }
}

/// Runs an asynchronous benchmark to its exit code.
fn block_on(bench: impl Future<Output = Result<ExitCode, String>>) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(bench).unwrap_or_else(failure)
}

/// A server in this process on a loopback port, over `config`'s database (the demo loaded when it is empty).
struct InProcess {
    services: Arc<Services>,
    /// To mint the tokens of the people whose requests are measured.
    keys: Arc<JwtKeys>,
    base: String,
    server: actix_web::dev::ServerHandle,
}

impl InProcess {
    async fn start(config: Config, workers: usize) -> Result<InProcess, String> {
        let services = tokio::task::spawn_blocking(move || -> Result<Arc<Services>, String> {
            let services = motcua_engine::wiring::start(config, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
            services.administration().load_demo().map_err(|e| e.to_string())?;
            Ok(Arc::new(services))
        })
        .await
        .map_err(|e| e.to_string())??;
        let state = server::state(services.clone()).map_err(|e| e.to_string())?;
        let keys = state.keys.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let base = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        let handle = server::spawn(state, listener, workers);
        Ok(InProcess { services, keys, base, server: handle })
    }

    /// Stops serving and lets go of the database (a copy of it needs every session ended).
    async fn stop(self) {
        self.server.stop(true).await;
    }
}
