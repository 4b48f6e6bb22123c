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
    /// The national e-identity (VNeID) as an OpenID Connect provider: code flow with PKCE, demo citizens.
    Idp(sim::idp::Settings),
    /// An SMS gateway: takes unaccented texts to Vietnamese mobile numbers, deduplicated by Idempotency-Key.
    Sms(sim::sms::Settings),
    /// A mail relay: SMTP on --smtp-bind, what it received on --bind (GET /messages).
    Mail(sim::mail::Settings),
    /// The national population database: verifies name, personal id, birth date and sex; demo citizens.
    Population(sim::population::Settings),
    /// The payment platform: payment orders, a pay page, signed callbacks to motcua, refunds.
    Payment(sim::payment::Settings),
    /// Papers a citizen hands in, scanned: writes the demo's first citizen's id card and a birth certificate (PNG, 300 dpi, with what
    /// each truly says as JSON) and the same id card laid crooked, to --out; no server.
    Papers(PapersArgs),
}

#[derive(Args)]
struct PapersArgs {
    /// Folder to write the scans to (created if missing).
    #[arg(long)]
    out: std::path::PathBuf,
    /// Seed of the generated people.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn write_papers(args: &PapersArgs) -> Result<(), String> {
    use rand::SeedableRng;
    use sim::papers::{Condition, birth_certificate, demo_id_card, scan};
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    // The demo's first citizen, whom the simulated population database knows.
    let citizen = sim::demo_citizens().into_iter().next().ok_or("the demo has no citizen")?;
    let card = demo_id_card(&citizen);
    let certificate = birth_certificate(&mut rng);
    let papers = [
        ("id-card", &card, Condition::Clean),
        ("id-card-crooked", &card, Condition::Tilted),
        ("birth-certificate", &certificate, Condition::Clean),
    ];
    for (name, paper, condition) in papers {
        let png = scan(&paper.pdf, condition, &mut rng, &args.out)?;
        std::fs::write(args.out.join(format!("{name}.png")), png).map_err(|e| e.to_string())?;
        let truth = serde_json::to_string_pretty(&paper.truth).expect("found serialises");
        std::fs::write(args.out.join(format!("{name}.json")), truth).map_err(|e| e.to_string())?;
    }
    println!("{}", args.out.display());
    Ok(())
}

pub fn run(args: SimArgs) -> ExitCode {
    if let SimKind::Papers(papers) = &args.kind {
        return match write_papers(papers) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => super::failure(e),
        };
    }
    super::serve::init_logging();
    let listener = match std::net::TcpListener::bind(&args.bind) {
        Ok(l) => l,
        Err(e) => return super::failure(format!("cannot listen on {}: {e}", args.bind)),
    };
    let (name, started) = match args.kind {
        SimKind::Portal(settings) => ("portal", sim::spawn(listener, sim::portal::routes(settings))),
        SimKind::Idp(settings) => ("idp", sim::spawn(listener, sim::idp::routes(settings))),
        SimKind::Sms(settings) => ("sms", sim::spawn(listener, sim::sms::routes(settings))),
        SimKind::Mail(settings) => return run_mail(listener, settings),
        SimKind::Population(settings) => ("population", sim::spawn(listener, sim::population::routes(settings))),
        SimKind::Payment(settings) => ("payment", sim::spawn(listener, sim::payment::routes(settings))),
        SimKind::Papers(_) => unreachable!("written above, without a server"),
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

/// The mail simulator listens twice: SMTP for motcua, HTTP for people and tests.
fn run_mail(listener: std::net::TcpListener, settings: sim::mail::Settings) -> ExitCode {
    let smtp = match std::net::TcpListener::bind(&settings.smtp_bind) {
        Ok(l) => l,
        Err(e) => return super::failure(format!("cannot listen on {}: {e}", settings.smtp_bind)),
    };
    let running = match sim::mail::spawn(smtp, listener, settings) {
        Ok(r) => r,
        Err(e) => return super::failure(e),
    };
    println!(
        "mail simulator: SMTP on {} (MOTCUA_SMTP_URL={}), received mail on {}/messages (faults: POST {}/_sim/faults)",
        running.smtp_addr, running.smtp_url, running.http.url, running.http.url
    );
    wait_for_ctrl_c();
    running.stop_blocking();
    ExitCode::SUCCESS
}

fn wait_for_ctrl_c() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let _ = runtime.block_on(tokio::signal::ctrl_c());
}
