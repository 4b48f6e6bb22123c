//! `motcua procedures check [DIR]`: validates a folder of definitions, one line per file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use motcua_engine::definitions::load_dir;

use super::usage_error;

#[derive(Subcommand)]
pub enum ProceduresCommand {
    /// Validate every definition in DIR (default: procedures/); prints one line per file, then each problem.
    Check {
        #[arg(default_value = "procedures")]
        dir: PathBuf,
    },
}

pub fn run(command: ProceduresCommand) -> ExitCode {
    let ProceduresCommand::Check { dir } = command;
    let loaded = match load_dir(&dir) {
        Ok(loaded) => loaded,
        Err(e) => return usage_error(e),
    };
    for report in &loaded.reports {
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
    let invalid = loaded.invalid_count();
    println!(
        "{} valid, {} invalid, {} procedures in the catalogue",
        loaded.reports.len() - invalid,
        invalid,
        loaded.catalogue.len()
    );
    if invalid == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
