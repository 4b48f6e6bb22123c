//! The `motcua` command line.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "motcua", version, about = "One-stop-shop administrative procedure engine (một cửa)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the legal due instant of something received at a given instant.
    Deadline(cli::deadline::DeadlineArgs),
    /// Work with procedure definitions.
    #[command(subcommand)]
    Procedures(cli::procedures::ProceduresCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line: the reason, without clap's usage block (scripts read the first line).
            let message = e.to_string();
            eprintln!("{}", message.lines().next().unwrap_or("invalid arguments"));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    match cli.command {
        Command::Deadline(args) => cli::deadline::run(args),
        Command::Procedures(command) => cli::procedures::run(command),
    }
}
