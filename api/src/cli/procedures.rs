//! `motcua procedures check [PATH]`: validates the built-in definitions, a folder of them, or one file against
//! the built-in registry and catalogue; one line per file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use motcua_engine::definitions::{FileReport, check_file, load_built_in, load_dir};

use super::usage_error;

#[derive(Subcommand)]
pub enum ProceduresCommand {
    /// Validate the definitions built in (no PATH), every definition in a folder, or one file against the built-in
    /// registry and catalogue (a new version of a procedure, a new bundle); prints one line per file, then each
    /// problem.
    Check { path: Option<PathBuf> },
}

pub fn run(command: ProceduresCommand) -> ExitCode {
    let ProceduresCommand::Check { path } = command;
    let loaded = match &path {
        None => load_built_in(),
        Some(dir) if dir.is_dir() => match load_dir(dir) {
            Ok(loaded) => loaded,
            Err(e) => return usage_error(e),
        },
        Some(file) => {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => return usage_error(format!("cannot read {}: {e}", file.display())),
            };
            let report = check_file(&file.display().to_string(), &text);
            print(&report);
            return if report.outcome.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    for report in &loaded.reports {
        print(report);
    }
    let invalid = loaded.invalid_count();
    println!(
        "{} valid, {} invalid, {} procedures in the catalogue",
        loaded.reports.len() - invalid,
        invalid,
        loaded.catalogue.len()
    );
    if invalid == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// One file's line, then each of its problems.
fn print(report: &FileReport) {
    match &report.outcome {
        Ok(p) => println!("ok       {}  {} v{}  {}", report.file, p.code, p.version, p.name),
        Err(problems) => {
            println!(
                "invalid  {}  ({} problem{})",
                report.file,
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            for problem in problems {
                println!("    {problem}");
            }
        }
    }
}
