//! `motcua sim <kind>`: runs one simulator of an outside system until stopped (Ctrl-C).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use motcua_api::sim;

#[derive(Args)]
pub struct SimArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:0", global = true)]
    bind: String,
    #[command(subcommand)]
    kind: SimKind,
}

#[derive(Subcommand)]
enum SimKind {
    /// The national public service portal (DVCQG): status sync, dossier routing, procedure catalogue.
    Portal(sim::portal::Settings),
}

pub fn run(args: SimArgs) -> ExitCode {
    super::serve::init_logging();
    let listener = match std::net::TcpListener::bind(&args.bind) {
        Ok(l) => l,
        Err(e) => return super::failure(format!("cannot listen on {}: {e}", args.bind)),
    };
    let (name, started) = match args.kind {
        SimKind::Portal(settings) => ("portal", sim::spawn(listener, sim::portal::routes(settings))),
    };
    let running = match started {
        Ok(r) => r,
        Err(e) => return super::failure(e),
    };
    println!("{name} simulator listening on {} (faults: POST {}/_sim/faults)", running.url, running.url);
    wait_for_ctrl_c();
    running.stop_blocking();
    ExitCode::SUCCESS
}

fn wait_for_ctrl_c() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let _ = runtime.block_on(tokio::signal::ctrl_c());
}
