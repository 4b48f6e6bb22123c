//! `motcua bench`: throughput and latency of the whole flow (`lifecycle`) and server time of the pages (`pages`).

use std::process::ExitCode;

use clap::Subcommand;

mod lifecycle;
mod pages;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Whole default flow (receive, assign, appraise, approve, sign, seal, return) over HTTP.
    Lifecycle(lifecycle::LifecycleArgs),
    /// Server time of every main page, for each role, against `/healthz` in the same run.
    Pages(pages::PagesArgs),
}

pub fn run(command: BenchCommand) -> ExitCode {
    match command {
        BenchCommand::Pages(args) => pages::run(args),
        BenchCommand::Lifecycle(args) => lifecycle::run(args),
    }
}
