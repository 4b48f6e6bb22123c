//! `motcua bench`: throughput and latency of the whole flow (`lifecycle`), server time of the pages (`pages`),
//! and the fault drill (`chaos`).

use std::process::ExitCode;

use clap::Subcommand;

mod chaos;
mod lifecycle;
mod pages;
mod queries;
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
}

pub fn run(command: BenchCommand) -> ExitCode {
    match command {
        BenchCommand::Pages(args) => pages::run(args),
        BenchCommand::Lifecycle(args) => lifecycle::run(args),
        BenchCommand::Chaos(args) => chaos::run(args),
        BenchCommand::Seed(args) => seed::run(args),
        BenchCommand::Queries(args) => queries::run(args),
    }
}
