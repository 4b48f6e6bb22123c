//! The `motcua` command line.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the kernel backs memory with transparent huge pages ("always", as on many distributions), each span the
/// allocator takes back from the system faults in as one 2 MiB page, zeroed in full, and mimalloc returns spans to
/// the system soon after use. Rendering a result allocates a few large buffers, so under load a third of the
/// server's CPU went to zeroing huge pages (`perf`: `clear_page_erms` under `do_huge_pmd_anonymous_page`). With
/// them off for this process, those spans fault in 4 KiB at a time, and only the pages touched.
fn keep_huge_pages_out_of_the_heap() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag on this process's memory map.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(name = "motcua", version, about = "One-stop-shop administrative procedure engine (một cửa)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and background work) on DATABASE_URL (default: SQLite under ./data).
    Serve(cli::serve::ServeArgs),
    /// Run background work only: outbox dispatch, deadline sweeps, jobs. Any number may run on PostgreSQL.
    Worker,
    /// Apply pending database migrations.
    Migrate,
    /// Accounts and agencies.
    #[command(subcommand)]
    Admin(cli::admin::AdminCommand),
    /// Check the event log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(cli::bench::BenchCommand),
    /// Citizens' data repositories.
    #[command(subcommand)]
    Repository(cli::repository::RepositoryCommand),
    /// Back up the database, the blobs it refers to, the signing keys and the settings into a new folder,
    /// while the service serves.
    Backup(cli::backup::BackupArgs),
    /// Restore a backup into an empty database, the configured blob store and MOTCUA_PKI_DIR (checked first).
    Restore(cli::backup::RestoreArgs),
    /// Check or clean the blob store (MOTCUA_BLOBS, default MOTCUA_DATA_DIR/blobs).
    #[command(subcommand)]
    Blobs(cli::blobs::BlobsCommand),
    /// Print the legal due instant of something received at a given instant.
    Deadline(cli::deadline::DeadlineArgs),
    /// Work with procedure definitions.
    #[command(subcommand)]
    Procedures(cli::procedures::ProceduresCommand),
    /// Demo certificates for signing results.
    #[command(subcommand)]
    Pki(cli::pki::PkiCommand),
    /// The national public service portal: reconcile statuses, compare the procedure catalogue.
    #[command(subcommand)]
    Portal(cli::portal::PortalCommand),
    /// Run a simulator of an outside system (for tests and demos).
    Sim(cli::sim::SimArgs),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain; names the first broken event of each dossier.
    Verify,
    /// The security audit log (sign-ins, throttled tries, denials, administrators' acts) as JSON lines.
    Export {
        /// First day included (YYYY-MM-DD, UTC).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// First day not included.
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
    },
}

fn main() -> ExitCode {
    keep_huge_pages_out_of_the_heap();
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
        Command::Serve(args) => cli::serve::serve(args),
        Command::Worker => cli::serve::worker(),
        Command::Migrate => cli::serve::migrate(),
        Command::Admin(command) => cli::admin::run(command),
        Command::Audit(AuditCommand::Verify) => cli::audit::verify(),
        Command::Audit(AuditCommand::Export { since, until }) => cli::audit::export(since, until),
        Command::Bench(command) => cli::bench::run(command),
        Command::Backup(args) => cli::backup::backup(args),
        Command::Restore(args) => cli::backup::restore(args),
        Command::Blobs(command) => cli::blobs::run(command),
        Command::Repository(command) => cli::repository::run(command),
        Command::Deadline(args) => cli::deadline::run(args),
        Command::Procedures(command) => cli::procedures::run(command),
        Command::Pki(command) => cli::pki::run(command),
        Command::Sim(args) => cli::sim::run(args),
        Command::Portal(command) => cli::portal::run(command),
    }
}
