//! Subcommands of the `motcua` binary.

pub mod admin;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod blobs;
pub mod deadline;
pub mod pki;
pub mod portal;
pub mod procedures;
pub mod repository;
pub mod serve;
pub mod sim;

use std::process::ExitCode;

/// Bad input: one line on standard error, exit code 2.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// A failure while running: one line on standard error, exit code 1.
pub fn failure(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
