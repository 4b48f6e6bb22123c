//! `motcua bench …`: benchmarks (filled in below).

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum BenchCommand {}

pub fn run(command: BenchCommand) -> ExitCode {
    match command {}
}
