//! Subcommands of the `motcua` binary.

pub mod deadline;
pub mod procedures;

use std::process::ExitCode;

/// Bad input: one line on standard error, exit code 2.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
