//! The process's settings, from the environment: the database, the procedure and calendar files, storage,
//! signing keys, and the outside systems (`adapters::outside`).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// A streaming replica of `database_url` that reports read from (PostgreSQL), so that a leader's month of
    /// figures never competes with the counter for the primary; `None`: reports read the primary.
    pub database_read_url: Option<String>,
    pub pool_size: u32,
    /// The folder of procedure definitions (`MOTCUA_PROCEDURES`); `None`: those built into the binary
    /// (`procedures/` as built).
    pub procedures_dir: Option<PathBuf>,
    /// `None`: the calendar built in (fixtures/calendar.toml as built).
    pub calendar_file: Option<PathBuf>,
    /// Public base URL, for tracking links.
    pub public_url: String,
    pub outbox_max_attempts: i32,
    /// How long a worker holds the outbox messages it claimed: a message claimed by a worker that died is
    /// delivered again once this has passed (the receiver deduplicates it by its idempotency key).
    pub outbox_lease_secs: i64,
    /// Where uploads are staged and, by default, blobs kept (`./data`).
    pub data_dir: PathBuf,
    /// Blob store URL: `file:///path`, `s3://bucket/prefix`, `memory://`; `None`: `data_dir/blobs`.
    pub blob_url: Option<String>,
    pub max_file_bytes: u64,
    pub max_dossier_bytes: u64,
    /// The place name printed on forms and results ("Hải Phòng, ngày …").
    pub place: String,
    /// Signing keys and trust anchors (see `signing::DirectoryKeyring`); `None`: results are signed on paper.
    pub pki_dir: Option<PathBuf>,
    /// The password of the PKCS#12 files in `pki_dir`.
    pub pki_password: String,
    /// The national portal, population database, payment platform, identity provider, mail and SMS.
    pub outside: crate::adapters::outside::Outside,
    /// The bearer token Prometheus sends for `/metrics` from another host; `None`: loopback only.
    pub metrics_token: Option<String>,
    /// Behind a load balancer that sets `Forwarded` / `X-Forwarded-For`: the client's address (as sign-in
    /// throttling counts it) is the first one there rather than the peer's.
    pub trust_forwarded: bool,
}

impl Config {
    /// The client's address a request came from, given the peer's and the forwarded one.
    pub fn client_address<'a>(&self, peer: Option<&'a str>, forwarded: Option<&'a str>) -> &'a str {
        (if self.trust_forwarded { forwarded.or(peer) } else { peer }).unwrap_or("unknown")
    }
}

impl Config {
    pub fn from_env() -> Config {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| crate::store::DEFAULT_DATABASE_URL.to_string()),
            database_read_url: var("DATABASE_READ_URL"),
            pool_size: var("MOTCUA_POOL_SIZE").and_then(|v| v.parse().ok()).unwrap_or(16),
            procedures_dir: var("MOTCUA_PROCEDURES").map(PathBuf::from),
            calendar_file: var("MOTCUA_CALENDAR").map(PathBuf::from),
            public_url: var("MOTCUA_PUBLIC_URL").unwrap_or_else(|| "http://localhost:8080".into()),
            outbox_max_attempts: var("MOTCUA_OUTBOX_MAX_ATTEMPTS").and_then(|v| v.parse().ok()).unwrap_or(10),
            outbox_lease_secs: var("MOTCUA_OUTBOX_LEASE_SECS").and_then(|v| v.parse().ok()).unwrap_or(60).max(1),
            data_dir: var("MOTCUA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from),
            blob_url: var("MOTCUA_BLOBS"),
            max_file_bytes: var("MOTCUA_MAX_FILE_MB").and_then(|v| v.parse::<u64>().ok()).unwrap_or(50) * 1024 * 1024,
            max_dossier_bytes: var("MOTCUA_MAX_DOSSIER_MB").and_then(|v| v.parse::<u64>().ok()).unwrap_or(500)
                * 1024
                * 1024,
            place: var("MOTCUA_PLACE").unwrap_or_else(|| "Hải Phòng".into()),
            pki_dir: var("MOTCUA_PKI_DIR").map(PathBuf::from),
            pki_password: var("MOTCUA_PKI_PASSWORD").unwrap_or_default(),
            outside: crate::adapters::outside::Outside::from_env(),
            metrics_token: var("MOTCUA_METRICS_TOKEN"),
            trust_forwarded: var("MOTCUA_TRUST_FORWARDED").is_some_and(|v| v == "1"),
        }
    }
}

/// The calendar shipped in fixtures/, used unless a file is configured.
pub const DEFAULT_CALENDAR: &str = include_str!("../../fixtures/calendar.toml");
