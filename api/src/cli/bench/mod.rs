//! `motcua bench`: throughput and latency of the whole flow (`lifecycle`), server time of the pages (`pages`),
//! and the fault drill (`chaos`).

use std::process::ExitCode;

use clap::Subcommand;

mod chaos;
mod lifecycle;
mod pages;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Whole default flow (receive, assign, appraise, approve, sign, seal, return) over HTTP.
    Lifecycle(lifecycle::LifecycleArgs),
    /// Server time of every main page, for each role, against `/healthz` in the same run.
    Pages(pages::PagesArgs),
    /// Fault drill: serve and worker killed and restarted, outside systems, blobs and database failing, under
    /// load; then every acknowledged action, code, chain, blob and outbox message checked.
    Chaos(chaos::ChaosArgs),
}

pub fn run(command: BenchCommand) -> ExitCode {
    match command {
        BenchCommand::Pages(args) => pages::run(args),
        BenchCommand::Lifecycle(args) => lifecycle::run(args),
        BenchCommand::Chaos(args) => chaos::run(args),
    }
}
