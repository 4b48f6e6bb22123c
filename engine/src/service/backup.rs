//! `motcua backup` and `motcua restore`: the database, the blobs it refers to, the signing keys and the
//! settings, together, taken while the service serves and put back into an empty place.
//!
//! A backup is a folder (0700, files 0600): the database snapshot, `blobs/ab/<sha256>`, `keys/…` (a copy of
//! MOTCUA_PKI_DIR), `settings.json` (the configuration without its secrets, which are only named) and
//! `manifest.json`, written last (a folder without it is incomplete), which records the SHA-256 of every other
//! file. A restore checks them all before it writes anything.
//!
//! Consistency while serving: the database snapshot is taken first, and the blobs are copied after it by the
//! list the snapshot itself holds. A blob is committed before any row refers to it and never rewritten (its name
//! is its hash), and garbage collection only takes blobs nothing has referred to for its grace period; so every
//! blob of the snapshot is still there. One that is not, or does not hash to its name, fails the backup loudly
//! rather than leaving a backup that would restore with holes.
//!
//! An S3 bucket is not copied: its versioning or replication is its backup. The manifest lists the blobs the
//! snapshot refers to, and a restore checks that the configured store holds each of them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Config;
use super::repository::referenced_blobs_in;
use crate::documents::blobs::{BlobError, BlobStore, UploadLimits, blob_store_from_config, is_valid_sha256};
use crate::files;
use crate::store::backup::{self as snapshots, PgTools};
use crate::store::{Backend, StoreError, dossiers, events};
use crate::text::split_password;

/// What `format` a manifest of this version says.
pub const FORMAT: &str = "motcua-backup/1";
pub const MANIFEST: &str = "manifest.json";
pub const SETTINGS: &str = "settings.json";
const BLOBS: &str = "blobs";
const KEYS: &str = "keys";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Nothing was written: the backup cannot be used (not one, incomplete, changed, for another database or a
    /// newer version), or the place refuses it (a backup folder that is not empty, a database holding dossiers).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("{0}")]
    Io(String),
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> BackupError + '_ {
    move |e| BackupError::Io(format!("{}: {e}", path.display()))
}

/// The backup's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub motcua_version: String,
    pub created_at: DateTime<Utc>,
    pub database: DatabasePart,
    pub blobs: BlobsPart,
    /// The signing keys and trust anchors (MOTCUA_PKI_DIR), when configured.
    pub keys: Option<KeysPart>,
    /// Every file of the backup but the manifest, by its `/`-separated path inside the backup: its SHA-256.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabasePart {
    /// `sqlite` or `postgres`: a backup restores into the same kind.
    pub kind: String,
    pub file: String,
    /// The last migration applied to the snapshot.
    pub schema_version: String,
    pub dossiers: i64,
    pub events: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobsPart {
    /// The store they were read from.
    pub store: String,
    /// Whether the blobs are in the backup (`blobs/`), or only named (an object store backs itself up).
    pub copied: bool,
    pub count: usize,
    /// Every blob the snapshot refers to, sorted.
    pub referenced: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysPart {
    pub from: String,
    pub files: usize,
}

/// The configuration as the service's environment gives it, without secrets: those are named, never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub values: BTreeMap<String, String>,
    pub secrets: Vec<String>,
}

/// The settings of `config`, by the environment variables that set them. `other_secrets` names secrets the
/// process holds outside the configuration (MOTCUA_JWT_SECRET, AWS_*).
pub fn settings(config: &Config, other_secrets: &[String]) -> Settings {
    let mut values = BTreeMap::new();
    let mut secrets: Vec<String> = other_secrets.to_vec();
    let mut put = |name: &str, value: String| {
        values.insert(name.to_string(), value);
    };
    // A URL is kept without the password of its user part.
    let mut url = |name: &str, url: &str, secrets: &mut Vec<String>| {
        let (bare, password) = split_password(url);
        if password.is_some() {
            secrets.push(format!("{name} (password)"));
        }
        put(name, bare);
    };
    let outside = &config.outside;
    url("DATABASE_URL", &config.database_url, &mut secrets);
    if let Some(smtp) = &outside.smtp_url {
        url("MOTCUA_SMTP_URL", smtp, &mut secrets);
    }
    let endpoints = [
        ("PORTAL", outside.portal.as_ref()),
        ("POPULATION", outside.population.as_ref()),
        ("PAYMENT", outside.payment.as_ref().map(|p| &p.endpoint)),
        ("SMS", outside.sms.as_ref()),
    ];
    for (system, endpoint) in endpoints {
        if let Some(endpoint) = endpoint {
            url(&format!("MOTCUA_{system}_URL"), &endpoint.url, &mut secrets);
            if !endpoint.token.is_empty() {
                secrets.push(format!("MOTCUA_{system}_TOKEN"));
            }
        }
    }
    let mut put = |name: &str, value: String| {
        values.insert(name.to_string(), value);
    };
    put("MOTCUA_POOL_SIZE", config.pool_size.to_string());
    if let Some(dir) = &config.procedures_dir {
        put("MOTCUA_PROCEDURES", dir.display().to_string());
    }
    if let Some(calendar) = &config.calendar_file {
        put("MOTCUA_CALENDAR", calendar.display().to_string());
    }
    put("MOTCUA_PUBLIC_URL", config.public_url.clone());
    put("MOTCUA_OUTBOX_MAX_ATTEMPTS", config.outbox_max_attempts.to_string());
    put("MOTCUA_OUTBOX_LEASE_SECS", config.outbox_lease_secs.to_string());
    put("MOTCUA_DATA_DIR", config.data_dir.display().to_string());
    if let Some(blobs) = &config.blob_url {
        put("MOTCUA_BLOBS", blobs.clone());
    }
    put("MOTCUA_MAX_FILE_MB", (config.max_file_bytes / (1024 * 1024)).to_string());
    put("MOTCUA_MAX_DOSSIER_MB", (config.max_dossier_bytes / (1024 * 1024)).to_string());
    put("MOTCUA_PLACE", config.place.clone());
    if let Some(pki) = &config.pki_dir {
        put("MOTCUA_PKI_DIR", pki.display().to_string());
    }
    if let Some(payment) = &outside.payment {
        put("MOTCUA_PAYMENT_MERCHANT", payment.merchant.clone());
    }
    put("MOTCUA_MAIL_FROM", outside.mail_from.clone());
    if let Some(oidc) = &outside.oidc {
        put("MOTCUA_OIDC_ISSUER", oidc.issuer.clone());
        put("MOTCUA_OIDC_CLIENT_ID", oidc.client_id.clone());
    }
    put("MOTCUA_HTTP_TIMEOUT_MS", outside.timeout.as_millis().to_string());
    let named = [
        ("MOTCUA_PKI_PASSWORD", !config.pki_password.is_empty()),
        ("MOTCUA_PAYMENT_SECRET", outside.payment.as_ref().is_some_and(|p| !p.secret.is_empty())),
        ("MOTCUA_OIDC_CLIENT_SECRET", outside.oidc.as_ref().is_some_and(|o| !o.client_secret.is_empty())),
    ];
    secrets.extend(named.into_iter().filter(|(_, set)| *set).map(|(name, _)| name.to_string()));
    secrets.sort();
    secrets.dedup();
    Settings { values, secrets }
}

pub struct BackupRequest<'a> {
    /// A new or empty folder.
    pub to: &'a Path,
    pub tools: &'a PgTools,
    /// Names of secrets the process holds outside the configuration.
    pub other_secrets: &'a [String],
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub manifest: Manifest,
    /// Of `manifest.json`: to write down elsewhere, so that the backup can be checked against it later.
    pub manifest_sha256: String,
}

/// Writes a backup of what `config` names into `request.to`. On failure the folder is left as it was found.
pub fn backup(config: &Config, request: &BackupRequest) -> Result<BackupSummary, BackupError> {
    let to = request.to;
    let created = prepare_folder(to)?;
    let written = write_backup(config, request);
    if written.is_err() {
        if created {
            let _ = fs::remove_dir_all(to);
        } else if let Ok(entries) = fs::read_dir(to) {
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
            }
        }
    }
    written
}

/// Creates the backup folder, or accepts an empty one; answers whether it was created.
fn prepare_folder(to: &Path) -> Result<bool, BackupError> {
    match fs::read_dir(to) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(BackupError::Refused(format!("{} is not empty: back up into a new folder", to.display())));
            }
            files::make_private(to).map_err(io_at(to))?;
            Ok(false)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            files::create_private_dir_all(to).map_err(io_at(to))?;
            Ok(true)
        }
        Err(e) => Err(io_at(to)(e)),
    }
}

/// What is read from the snapshot itself.
struct SnapshotFacts {
    schema_version: String,
    dossiers: i64,
    events: i64,
    referenced: BTreeSet<String>,
}

fn write_backup(config: &Config, request: &BackupRequest) -> Result<BackupSummary, BackupError> {
    let to = request.to;
    let backend = Backend::of_url(&config.database_url)?;
    let database_file = match backend {
        Backend::Sqlite => "database.sqlite3",
        Backend::Postgres => "database.pgdump",
    };
    let store = blob_store_from_config(config.blob_url.as_deref(), &config.data_dir)?;
    let snapshot_path = to.join(database_file);
    let facts = snapshots::snapshot(&config.database_url, &snapshot_path, request.tools, |conn| {
        Ok(SnapshotFacts {
            schema_version: snapshots::schema_version(conn)?,
            dossiers: dossiers::count(conn)?,
            events: events::count(conn)?,
            // Every upload counts, however old: the restored database refers to them all.
            referenced: referenced_blobs_in(conn, DateTime::UNIX_EPOCH)?.into_iter().collect(),
        })
    })?;
    let mut contents = BTreeMap::new();
    contents.insert(database_file.to_string(), files::sha256_of(&snapshot_path).map_err(io_at(&snapshot_path))?);

    let referenced: Vec<String> = facts.referenced.into_iter().collect();
    let copied = !is_object_store(config);
    if copied {
        for sha256 in &referenced {
            let relative = blob_path(sha256);
            copy_blob(store.as_ref(), sha256, &to.join(&relative))?;
            contents.insert(relative, sha256.clone());
        }
    } else {
        for sha256 in &referenced {
            if !store.exists(sha256)? {
                return Err(missing_blob(sha256, store.as_ref()));
            }
        }
    }

    let keys = match &config.pki_dir {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(BackupError::Io(format!("MOTCUA_PKI_DIR {} is not a folder", dir.display())));
            }
            let before = contents.len();
            copy_tree(dir, to, KEYS, &mut contents)?;
            Some(KeysPart { from: dir.display().to_string(), files: contents.len() - before })
        }
        None => None,
    };

    let settings = settings(config, request.other_secrets);
    let settings_path = to.join(SETTINGS);
    let text = serde_json::to_string_pretty(&settings).map_err(|e| BackupError::Io(e.to_string()))? + "\n";
    let (sha256, _) = files::copy_private(text.as_bytes(), &settings_path).map_err(io_at(&settings_path))?;
    contents.insert(SETTINGS.to_string(), sha256);

    let manifest = Manifest {
        format: FORMAT.to_string(),
        motcua_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: request.now,
        database: DatabasePart {
            kind: backend.name().to_string(),
            file: database_file.to_string(),
            schema_version: facts.schema_version,
            dossiers: facts.dossiers,
            events: facts.events,
        },
        blobs: BlobsPart { store: store.describe(), copied, count: referenced.len(), referenced },
        keys,
        files: contents,
    };
    // Last: a folder without its manifest is an incomplete backup, and is refused as one.
    let manifest_path = to.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| BackupError::Io(e.to_string()))? + "\n";
    let (manifest_sha256, _) = files::copy_private(text.as_bytes(), &manifest_path).map_err(io_at(&manifest_path))?;
    files::sync_dir(to).map_err(io_at(to))?;
    Ok(BackupSummary { manifest, manifest_sha256 })
}

/// An object store backs itself up (versioning, replication); the others are copied.
fn is_object_store(config: &Config) -> bool {
    config.blob_url.as_deref().is_some_and(|u| u.trim().starts_with("s3://"))
}

fn blob_path(sha256: &str) -> String {
    format!("{BLOBS}/{}/{sha256}", &sha256[..2])
}

fn missing_blob(sha256: &str, store: &dyn BlobStore) -> BackupError {
    BackupError::Io(format!(
        "blob {sha256}, which the database snapshot refers to, is missing from {}: the store is damaged, or it was \
         collected during the backup; run `motcua blobs verify`, then the backup again",
        store.describe()
    ))
}

/// Copies one blob out of the store; the store's reader rehashes it, so a damaged blob fails here.
fn copy_blob(store: &dyn BlobStore, sha256: &str, to: &Path) -> Result<(), BackupError> {
    let reader = match store.open(sha256) {
        Ok(reader) => reader,
        Err(BlobError::NotFound(_)) => return Err(missing_blob(sha256, store)),
        Err(e) => return Err(e.into()),
    };
    let folder = to.parent().expect("blobs/ab");
    files::create_private_dir_all(folder).map_err(io_at(folder))?;
    match files::copy_private(reader, to) {
        Ok((copied, _)) if copied == sha256 => Ok(()),
        Ok((copied, _)) => Err(BackupError::Io(format!("blob {sha256} was read as {copied}"))),
        Err(e) => match BlobError::from(e) {
            BlobError::Io(e) => Err(io_at(to)(e)),
            damaged => Err(damaged.into()),
        },
    }
}

/// Copies the files under `from` to `into/prefix/…`, recording each in `contents`.
fn copy_tree(
    from: &Path,
    into: &Path,
    prefix: &str,
    contents: &mut BTreeMap<String, String>,
) -> Result<(), BackupError> {
    let folder = into.join(prefix);
    files::create_private_dir_all(&folder).map_err(io_at(&folder))?;
    let mut entries: Vec<_> =
        fs::read_dir(from).map_err(io_at(from))?.collect::<Result<_, _>>().map_err(io_at(from))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| BackupError::Io(format!("{}: the name is not UTF-8", path.display())))?;
        let relative = format!("{prefix}/{name}");
        // Links are followed: what the keyring reads is what is kept.
        let meta = fs::metadata(&path).map_err(io_at(&path))?;
        if meta.is_dir() {
            copy_tree(&path, into, &relative, contents)?;
        } else if meta.is_file() {
            let target = into.join(&relative);
            let (sha256, _) = File::open(&path).and_then(|f| files::copy_private(f, &target)).map_err(io_at(&path))?;
            contents.insert(relative, sha256);
        }
    }
    Ok(())
}

/// Checks a backup folder against its manifest: every file present, none added, each with its recorded hash.
/// Reads, never writes.
pub fn verify(from: &Path) -> Result<Manifest, BackupError> {
    let refuse = |message: String| BackupError::Refused(format!("{}: {message}", from.display()));
    let manifest_path = from.join(MANIFEST);
    let text = match fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(refuse(format!("not a motcua backup, or an incomplete one (no {MANIFEST})")));
        }
        Err(e) => return Err(refuse(format!("{MANIFEST}: {e}"))),
    };
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| refuse(format!("{MANIFEST} is unreadable: {e}")))?;
    if manifest.format != FORMAT {
        return Err(refuse(format!("unknown backup format `{}` (this motcua reads {FORMAT})", manifest.format)));
    }
    if let Some(unsafe_name) = manifest.files.keys().find(|name| !is_plain_relative(name)) {
        return Err(refuse(format!("the manifest names `{unsafe_name}`, which is not a path inside the backup")));
    }
    if !manifest.files.contains_key(&manifest.database.file) {
        return Err(refuse(format!("the manifest lists no database file `{}`", manifest.database.file)));
    }
    if let Some(bad) = manifest.blobs.referenced.iter().find(|s| !is_valid_sha256(s)) {
        return Err(refuse(format!("the manifest names a blob `{bad}` that is not a SHA-256")));
    }
    let blob_files = manifest.files.keys().filter(|name| name.starts_with(&format!("{BLOBS}/"))).count();
    if manifest.blobs.copied {
        for sha256 in &manifest.blobs.referenced {
            if manifest.files.get(&blob_path(sha256)) != Some(sha256) {
                return Err(refuse(format!("blob {sha256} is not in the manifest's files")));
            }
        }
    }
    if blob_files != if manifest.blobs.copied { manifest.blobs.referenced.len() } else { 0 } {
        return Err(refuse("the manifest's blob files and its list of blobs differ".into()));
    }

    let mut found = BTreeSet::new();
    list_files(from, "", &mut found)?;
    found.remove(MANIFEST);
    if let Some(missing) = manifest.files.keys().find(|name| !found.contains(*name)) {
        return Err(refuse(format!("incomplete backup: {missing} is missing")));
    }
    if let Some(extra) = found.iter().find(|name| !manifest.files.contains_key(*name)) {
        return Err(refuse(format!("{extra} is not in the manifest: the backup was changed")));
    }
    for (name, sha256) in &manifest.files {
        let actual = files::sha256_of(&from.join(name)).map_err(|e| refuse(format!("{name}: {e}")))?;
        if &actual != sha256 {
            return Err(refuse(format!("{name} does not match the manifest: the backup was changed or damaged")));
        }
    }
    Ok(manifest)
}

/// `a/b/c`: relative, `/`-separated, no empty, `.` or `..` part (a manifest may not point outside its folder).
fn is_plain_relative(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['\\', '\0'])
        && name.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Every regular file under `dir`, by `/`-separated path; anything else is refused.
fn list_files(dir: &Path, prefix: &str, found: &mut BTreeSet<String>) -> Result<(), BackupError> {
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let kind = entry.file_type().map_err(io_at(&entry.path()))?;
        if kind.is_dir() {
            list_files(&entry.path(), &relative, found)?;
        } else if kind.is_file() {
            found.insert(relative);
        } else {
            return Err(BackupError::Refused(format!(
                "{}: {relative} is not a regular file: the backup was changed",
                dir.display()
            )));
        }
    }
    Ok(())
}

pub struct RestoreRequest<'a> {
    pub from: &'a Path,
    pub tools: &'a PgTools,
    /// Replace a database that holds dossiers, and keys that differ.
    pub force: bool,
}

#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub manifest: Manifest,
    /// The store the blobs went into (or were found in).
    pub blob_store: String,
    pub keys_into: Option<PathBuf>,
}

/// Restores a backup into the place `config` names: blobs, keys, then the database (last, so that a restore
/// that fails midway leaves the database as empty as it was, and can simply be run again). Everything is
/// checked before anything is written.
pub fn restore(config: &Config, request: &RestoreRequest) -> Result<RestoreSummary, BackupError> {
    let from = request.from;
    let manifest = verify(from)?;
    let refuse = BackupError::Refused;

    let backend = Backend::of_url(&config.database_url)?;
    if manifest.database.kind != backend.name() {
        return Err(refuse(format!(
            "the backup holds a {} database and DATABASE_URL names a {} one",
            manifest.database.kind,
            backend.name()
        )));
    }
    let latest = snapshots::latest_schema_version(backend)?;
    if manifest.database.schema_version > latest {
        return Err(refuse(format!(
            "the backup's schema ({}) is newer than this motcua's ({latest}): restore with motcua {}",
            manifest.database.schema_version, manifest.motcua_version
        )));
    }

    let key_files: Vec<(&String, &String)> =
        manifest.files.iter().filter(|(name, _)| name.starts_with(&format!("{KEYS}/"))).collect();
    let keys_into = match (&manifest.keys, &config.pki_dir) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(refuse("the backup holds signing keys: set MOTCUA_PKI_DIR to where they go".into()));
        }
        (Some(_), Some(dir)) => {
            if !request.force
                && let Some((name, _)) = key_files.iter().find(|(name, sha256)| {
                    let target = dir.join(&name[KEYS.len() + 1..]);
                    target.exists() && files::sha256_of(&target).ok().as_ref() != Some(*sha256)
                })
            {
                return Err(refuse(format!(
                    "{} already holds another {}: restore keys into an empty folder, or give --force",
                    dir.display(),
                    &name[KEYS.len() + 1..]
                )));
            }
            Some(dir.clone())
        }
    };

    let present = snapshots::dossiers_present(&config.database_url)?;
    if present > 0 && !request.force {
        return Err(refuse(format!(
            "the target database already holds {present} dossier(s): restore into an empty database, or give \
             --force to replace it"
        )));
    }

    // The folders the store would make with the default mode are made the service account's alone first.
    files::create_private_dir_all(&config.data_dir).map_err(io_at(&config.data_dir))?;
    let file_root = config.blob_url.as_deref().and_then(|u| u.trim().strip_prefix("file://"));
    if let Some(root) = file_root.filter(|root| root.starts_with('/')) {
        files::create_private_dir_all(Path::new(root)).map_err(io_at(Path::new(root)))?;
    }
    let store = blob_store_from_config(config.blob_url.as_deref(), &config.data_dir)?;
    if manifest.blobs.copied {
        for sha256 in &manifest.blobs.referenced {
            restore_blob(store.as_ref(), &from.join(blob_path(sha256)), sha256)?;
        }
    } else {
        for sha256 in &manifest.blobs.referenced {
            if !store.exists(sha256)? {
                return Err(BackupError::Io(format!(
                    "blob {sha256}, which the backup's database refers to, is not in {}: restore the object store \
                     (its versioning or replica) first",
                    store.describe()
                )));
            }
        }
    }

    if let Some(dir) = &keys_into {
        for (name, _) in &key_files {
            let target = dir.join(&name[KEYS.len() + 1..]);
            let folder = target.parent().expect("under the keys folder");
            files::create_private_dir_all(folder).map_err(io_at(folder))?;
            // A new file renamed into place: a key is never half written.
            let staged = folder.join(format!(".restoring-{}", uuid::Uuid::new_v4().simple()));
            let copied = File::open(from.join(name)).and_then(|f| files::copy_private(f, &staged));
            if let Err(e) = copied.and_then(|_| fs::rename(&staged, &target)) {
                let _ = fs::remove_file(&staged);
                return Err(io_at(&target)(e));
            }
            files::sync_dir(folder).map_err(io_at(folder))?;
        }
    }

    snapshots::restore(&config.database_url, &from.join(&manifest.database.file), request.tools)?;
    let restored = snapshots::dossiers_present(&config.database_url)?;
    if restored != manifest.database.dossiers {
        return Err(BackupError::Io(format!(
            "the restored database holds {restored} dossier(s), the backup {}",
            manifest.database.dossiers
        )));
    }
    Ok(RestoreSummary { manifest, blob_store: store.describe(), keys_into })
}

/// Puts one blob back through the store's own way in (staged beside it, hashed, committed), with no size
/// limit: it was accepted once.
fn restore_blob(store: &dyn BlobStore, path: &Path, sha256: &str) -> Result<(), BackupError> {
    let mut stager = store.stager(UploadLimits { max_file_bytes: u64::MAX }, sha256)?;
    let mut file = File::open(path).map_err(io_at(path))?;
    io::copy(&mut file, &mut stager).map_err(BlobError::from)?;
    let staged = stager.finish()?;
    if staged.sha256 != sha256 {
        return Err(BackupError::Io(format!("{}: changed since it was checked", path.display())));
    }
    store.commit(staged)?;
    Ok(())
}
