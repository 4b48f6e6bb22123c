//! Use cases (DESIGN.md §2): load, let the domain decide, store state + events + outbox in one transaction.
//! The same functions serve the JSON API, the pages and the command line.

pub mod accounts;
pub mod administration;
pub mod background;
pub mod backup;
pub mod bundles;
pub mod calendars;
pub mod citizens;
pub mod cursor;
pub mod declarations;
pub mod demo;
pub mod dossiers;
pub mod downloads;
pub mod error;
mod facts;
pub mod forms;
pub mod monthly;
pub mod notify;
pub mod operations;
pub mod outbox;
pub mod papers;
pub mod payments;
mod petition_notices;
pub mod petition_summary;
pub mod petitions;
pub mod population;
pub mod portal;
pub mod posts;
pub mod publication;
pub mod ratings;
pub mod readings;
pub mod reception;
pub mod repository;
pub mod requests;
pub mod results;
pub mod scorecard;
pub mod service_accounts;
pub mod sign_in;
pub mod stats;
pub mod sync;
pub mod work;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use crate::config::{Config, DEFAULT_CALENDAR};
pub use crate::domain::identity::StaffIdentity;
pub use error::{FieldError, ServiceError, ServiceResult};

use crate::definitions::load_dir;
use crate::documents::blobs::{BlobStore, blob_store_from_config};
use crate::documents::signature::SignatureVerifier;
use crate::domain::procedure::{Catalogue, Registry, parse_procedure};
use crate::ports::Ports;
use crate::signing::{DirectoryKeyring, Keyring, Verifier};
use crate::store::{Db, DbConnection, StoreError, StoreResult, procedures};

/// Where time comes from: the system clock in production, a settable one in tests.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Everything the use cases need, shared by every request.
pub struct Services {
    /// The store, reached through its functions inside `read`/`write` (tests reach it with the
    /// `test-support` feature).
    pub(crate) db: Db,
    /// The replica reports read from (`DATABASE_READ_URL`); `None`: they read `db`.
    report_db: Option<Db>,
    pub catalogue: Arc<Catalogue>,
    pub registry: Arc<Registry>,
    /// The working-time calendar in use (versioned in the store; `calendars`).
    pub calendar: Arc<calendars::CurrentCalendar>,
    pub clock: Arc<dyn Clock>,
    pub blobs: Arc<dyn BlobStore>,
    /// Checks signatures of papers entering repositories; `None` until a verifier is configured.
    pub verifier: Option<Arc<dyn crate::documents::signature::SignatureVerifier>>,
    /// Signing keys of leaders and agency seals; `None`: results are signed on paper and scanned.
    pub keyring: Option<Arc<dyn crate::signing::Keyring>>,
    /// The outside systems, through the traits the use cases declare.
    pub(crate) ports: Ports,
    pub config: Config,
}

/// Declares the use cases: each a view of the shared context (`Deref` to [`Services`]: the store, catalogue,
/// calendar, clock, blobs, keys and ports), reached from `Services` by its accessor.
macro_rules! use_cases {
    ($($(#[$doc:meta])* $accessor:ident => $name:ident,)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy)]
            pub struct $name<'a>(&'a Services);

            impl std::ops::Deref for $name<'_> {
                type Target = Services;

                fn deref(&self) -> &Services {
                    self.0
                }
            }
        )*

        impl Services {
            $(
                $(#[$doc])*
                pub fn $accessor(&self) -> $name<'_> {
                    $name(self)
                }
            )*
        }
    };
}

use_cases! {
    /// Receiving and handing in dossiers, acting on them, reading them, their history and their tracking;
    /// inter-agency bundles; results.
    dossiers => Dossiers,
    /// A staff member's queues, the actions they may take, whom they may name.
    work => WorkQueues,
    /// The one-stop desk: reception with the papers scanned there, the population database.
    reception => Reception,
    /// A signed-in citizen's own dossiers and ratings.
    citizens => Citizens,
    /// Staff accounts and sign-in, citizens' sign-in with the national e-identity, service accounts.
    identity => Identity,
    /// Citizens' data repositories.
    repository => Repository,
    /// Uploads, papers of dossiers, the forms of Circular 01/2018.
    papers => Papers,
    /// Fees and the payment platform.
    payments => Payments,
    /// Petitions (phản ánh, kiến nghị): filing, handling under their clocks, following, published answers.
    petitions => Petitions,
    /// What the applicant was told.
    notifications => Notifications,
    /// Agencies, staff, procedures, calendars, the outbox, background jobs, the demo.
    administration => Administration,
    /// The national portal: dossiers it routes, reconciliation, the catalogue.
    portal => Portal,
    /// Dashboards and reports.
    reports => Reports,
    /// Readiness and the metrics' figures.
    operations => Operations,
    /// What text recognition read on papers, their checks against what was stated, and search in it.
    readings => Readings,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Definitions(String),
    #[error("calendar: {0}")]
    Calendar(String),
    #[error("signing keys and trust anchors: {0}")]
    Pki(String),
    #[error("blob store: {0}")]
    Blobs(#[from] crate::documents::blobs::BlobError),
    #[error("filling in the indicator facts of stored dossiers: {0}")]
    Facts(String),
}

impl Services {
    /// Connects, migrates, and loads the procedure catalogue and the calendar; the outside systems are those
    /// `ports` connects to (see `wiring::start`, which connects the configured ones).
    pub fn start(config: Config, clock: Arc<dyn Clock>, ports: Ports) -> Result<Services, StartError> {
        let db = Db::connect(&config.database_url, config.pool_size)?;
        db.migrate()?;
        // Reports are few and long: a small pool. A replica is never migrated; it follows the primary.
        let report_db = match &config.database_read_url {
            Some(url) => Some(Db::connect(url, (config.pool_size / 4).clamp(1, 4))?),
            None => None,
        };
        let calendar_text = match &config.calendar_file {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|e| StartError::Calendar(format!("{}: {e}", path.display())))?
            }
            None => DEFAULT_CALENDAR.to_string(),
        };
        let calendar = calendars::adopt(&db, &calendar_text, config.calendar_file.is_some(), clock.now())
            .map_err(StartError::Calendar)?;
        let (catalogue, registry) = load_catalogue(&db, config.procedures_dir.as_deref(), clock.now())?;
        let blobs = blob_store_from_config(config.blob_url.as_deref(), &config.data_dir)?;
        let (keyring, verifier) = match &config.pki_dir {
            Some(dir) => {
                let keyring = DirectoryKeyring::new(dir, config.pki_password.clone());
                let anchors = keyring.trust_anchors().map_err(|e| StartError::Pki(e.to_string()))?;
                let verifier: Arc<dyn SignatureVerifier> = Arc::new(Verifier::new(anchors));
                (Some(Arc::new(keyring) as Arc<dyn Keyring>), Some(verifier))
            }
            None => (None, None),
        };
        let services = Services {
            blobs,
            verifier,
            keyring,
            ports,
            db,
            report_db,
            catalogue: Arc::new(catalogue),
            registry: Arc::new(registry),
            calendar: Arc::new(calendar),
            clock,
            config,
        };
        // Silent otherwise: a large store takes a while (about 25 s per 100,000 dossiers on 2 cores).
        let filled = services.fill_missing_facts().map_err(|e| StartError::Facts(e.to_string()))?;
        if filled > 0 {
            tracing::info!(filled, "indicator facts filled in for dossiers stored without them");
        }
        Ok(services)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Where reports read: the replica when one is configured (its figures may trail the primary by the
    /// replication lag, seconds at most), else the primary.
    pub(crate) fn reports_db(&self) -> &Db {
        self.report_db.as_ref().unwrap_or(&self.db)
    }

    /// The store itself, for tests that look behind the use cases (tampering, counting rows).
    #[cfg(feature = "test-support")]
    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Loads `dir` and records every valid version in the database; versions stored earlier but no longer in
/// the folder stay available, so dossiers pinned to them keep working.
/// Loads the definitions of `dir`, or those built in, and records each version in the store.
fn load_catalogue(db: &Db, dir: Option<&Path>, now: DateTime<Utc>) -> Result<(Catalogue, Registry), StartError> {
    let loaded = match dir {
        Some(dir) => load_dir(dir).map_err(|e| StartError::Definitions(e.to_string()))?,
        None => crate::definitions::load_built_in(),
    };
    for report in &loaded.reports {
        if let Err(problems) = &report.outcome {
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            tracing::warn!(file = %report.file, "procedure definition skipped:\n{}", lines.join("\n"));
        }
    }
    let catalogue = loaded.catalogue;
    for report in &loaded.reports {
        if let Ok(procedure) = &report.outcome {
            let source = &report.source;
            db.write(|conn| {
                procedures::record(conn, &procedure.code, procedure.version, &procedure.name, source, now)
            })?;
        }
    }
    db.read(|conn| publish_stored(conn, &catalogue, &loaded.registry))?;
    Ok((catalogue, loaded.registry))
}

/// Adds the versions recorded in the store that the catalogue lacks (published by an administrator, perhaps
/// through another process); answers how many.
fn publish_stored(conn: &mut DbConnection, catalogue: &Catalogue, registry: &Registry) -> StoreResult<usize> {
    let mut added = 0;
    for stored in procedures::all(conn)? {
        if catalogue.version(&stored.code, stored.version as u32).is_none() {
            let file = format!("database:{}@{}", stored.code, stored.version);
            match parse_procedure(&file, &stored.source, registry) {
                Ok(procedure) => added += usize::from(catalogue.publish(procedure).is_ok()),
                Err(problems) => tracing::warn!(%file, "stored procedure no longer valid: {}", problems[0]),
            }
        }
    }
    Ok(added)
}

impl Services {
    /// Catches up with versions published since start, by this process or another one sharing the database
    /// (`motcua serve` calls it periodically; a dossier pinned to an unknown version calls it at once).
    pub fn sync_catalogue(&self) -> ServiceResult<usize> {
        Ok(self.db.read(|conn| publish_stored(conn, &self.catalogue, &self.registry))?)
    }
}
