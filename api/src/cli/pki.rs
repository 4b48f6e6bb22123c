//! `motcua pki demo [--dir DIR]`: a demo PKI for demos and tests (DESIGN.md §9): a CA, a leader's personal
//! certificate (RSA 2048) and an agency seal certificate (ECDSA P-256), as PEM and PKCS#12 files. Private keys go
//! to 0600 files only; nothing secret is printed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use motcua_engine::signing::{DEMO_PKCS12_PASSWORD, demo_pki};

use super::failure;

#[derive(Subcommand)]
pub enum PkiCommand {
    /// Create a demo CA with a leader's and an agency's signing certificates (default dir: MOTCUA_DATA_DIR/pki).
    Demo {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

pub fn run(command: PkiCommand) -> ExitCode {
    match command {
        PkiCommand::Demo { dir } => {
            let dir = dir.unwrap_or_else(|| {
                std::env::var_os("MOTCUA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from).join("pki")
            });
            match demo_pki(&dir, chrono::Utc::now()) {
                Ok(pki) => {
                    println!("CA: {}", pki.ca.certificate().tbs_certificate().subject());
                    println!("leader: {} ({})", pki.leader.subject(), pki.leader.algorithm());
                    println!("agency: {} ({})", pki.agency.subject(), pki.agency.algorithm());
                    for file in &pki.files {
                        println!("wrote {}", file.display());
                    }
                    println!("PKCS#12 password (demo only): {DEMO_PKCS12_PASSWORD}");
                    ExitCode::SUCCESS
                }
                Err(e) => failure(e),
            }
        }
    }
}
