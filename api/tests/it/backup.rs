//! `motcua backup` and `motcua restore`, run as an operator would, against a server that goes on serving: the
//! restored place passes `audit verify` and `blobs verify` and holds every dossier, event and paper the
//! original held; a changed backup is refused before anything is written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use motcua_engine::documents::blobs::FsBlobStore;
use motcua_engine::domain::dossier::{Dossier, Event};
use motcua_engine::service::backup::Manifest;
use motcua_engine::service::{Config, Services, SystemClock};
use motcua_engine::store::{StoreError, dossiers, events, papers};

use crate::support::{
    Backend, HONG_BANG, Launch, TEST_PKI, TEST_PKI_PASSWORD, TestServer, fresh_database, new_dossier, repo_path,
};

/// A database, a data folder (blobs under `blobs/`) and a keys folder: what the configuration names.
struct Place {
    database_url: String,
    data_dir: PathBuf,
    pki_dir: Option<PathBuf>,
}

static SCRATCH: AtomicU32 = AtomicU32::new(0);

/// A folder name no other test of this process uses; nothing is created.
fn scratch(name: &str) -> PathBuf {
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join("motcua-tests").join(format!("backup-{}-{n}-{name}", std::process::id()))
}

impl Place {
    fn of(server: &TestServer) -> Place {
        let config = &server.services.config;
        Place {
            database_url: config.database_url.clone(),
            data_dir: config.data_dir.clone(),
            pki_dir: config.pki_dir.clone(),
        }
    }

    /// An empty place: a new database (an empty PostgreSQL database; no SQLite file at all) and folders that
    /// do not exist yet.
    fn empty(backend: Backend) -> Place {
        let root = scratch("target");
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", root.join("db").join("motcua.db").display()),
            Backend::Postgres => fresh_database(backend),
        };
        Place { database_url, data_dir: root.join("data"), pki_dir: Some(root.join("pki")) }
    }

    /// Removes an empty place's folders (made by `empty`) once a test is done with it.
    fn remove(self) {
        let _ = std::fs::remove_dir_all(self.data_dir.parent().expect("the place's own folder"));
    }

    fn config(&self) -> Config {
        Config {
            database_url: self.database_url.clone(),
            database_read_url: None,
            pool_size: 4,
            procedures_dir: Some(repo_path("procedures")),
            calendar_file: None,
            public_url: "http://127.0.0.1".into(),
            outbox_max_attempts: 10,
            outbox_lease_secs: 60,
            data_dir: self.data_dir.clone(),
            blob_url: None,
            max_file_bytes: 50 * 1024 * 1024,
            max_dossier_bytes: 200 * 1024 * 1024,
            place: "Hải Phòng".into(),
            pki_dir: self.pki_dir.clone(),
            pki_password: TEST_PKI_PASSWORD.into(),
            outside: Default::default(),
            metrics_token: None,
            trust_forwarded: false,
        }
    }

    /// Runs the binary on this place: (exit code, stdout, stderr).
    fn motcua(&self, args: &[&str]) -> (i32, String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
        command
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("MOTCUA_DATA_DIR", &self.data_dir)
            .env("MOTCUA_PROCEDURES", repo_path("procedures"))
            .env("MOTCUA_PKI_PASSWORD", TEST_PKI_PASSWORD)
            // A secret of the environment: named in the backup's settings, never written there.
            .env("MOTCUA_PORTAL_URL", "http://127.0.0.1:9")
            .env("MOTCUA_PORTAL_TOKEN", PORTAL_TOKEN)
            .env_remove("MOTCUA_BLOBS")
            .env_remove("MOTCUA_JWT_SECRET");
        match &self.pki_dir {
            Some(dir) => command.env("MOTCUA_PKI_DIR", dir),
            None => command.env_remove("MOTCUA_PKI_DIR"),
        };
        let out = tokio::task::block_in_place(|| command.output()).unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn motcua_ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.motcua(args);
        assert_eq!(code, 0, "motcua {args:?}:\n{out}{err}");
        out
    }

    /// The services over this place (migrations are already there: nothing is written but the procedures).
    fn services(&self) -> Services {
        tokio::task::block_in_place(|| motcua_engine::wiring::start(self.config(), Arc::new(SystemClock)))
            .expect("the restored place starts")
    }
}

const PORTAL_TOKEN: &str = "portal-token-that-must-not-be-backed-up";

/// Every dossier with its history and its papers, in id order.
fn everything(services: &Services) -> Vec<(Dossier, Vec<Event>, Vec<papers::Paper>)> {
    tokio::task::block_in_place(|| {
        services.db().read(|conn| -> Result<_, StoreError> {
            let mut all = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = dossiers::page_by_id(conn, after.as_deref(), 50)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id.clone());
                for dossier in page {
                    let history = events::history(conn, &dossier.id)?;
                    let papers = papers::of_dossier(conn, &dossier.id)?;
                    all.push((dossier, history, papers));
                }
            }
            Ok(all)
        })
    })
    .unwrap()
}

fn manifest(dir: &Path) -> Manifest {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The last line of a command's report (`… checked …`).
fn summary(out: &str) -> String {
    out.lines().last().unwrap_or_default().to_string()
}

/// Every file under `dir`: (path inside it, bytes, mode).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((name, std::fs::read(&path).unwrap(), mode));
            }
        }
    }
    files.sort();
    files
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn sqlite_file(place: &Place) -> PathBuf {
    PathBuf::from(place.database_url.trim_start_matches("sqlite://"))
}

on_both_backends!(backup_restores_an_identical_place, backup_while_writing_restores_a_consistent_place);

async fn backup_restores_an_identical_place(backend: Backend) {
    // The demo (dossiers in every status, papers, signed results, repository items) on a serving server.
    let server = TestServer::start_signing(backend).await;
    let source = Place::of(&server);
    let dir = scratch("backup");

    let original = everything(&server.services);
    let out = source.motcua_ok(&["backup", "--to", dir.to_str().unwrap()]);
    assert!(out.contains("backup written to"), "{out}");
    assert_eq!(everything(&server.services), original, "nothing moved while the server stood idle");
    let manifest = manifest(&dir);
    assert_eq!(manifest.database.kind, if backend == Backend::Sqlite { "sqlite" } else { "postgres" });
    assert_eq!(manifest.database.dossiers as usize, original.len());
    assert!(manifest.blobs.copied && manifest.blobs.count > 5, "{:?}", manifest.blobs);
    assert_eq!(manifest.keys.as_ref().map(|k| k.files), Some(tree(&TEST_PKI).len()));

    // The service account's alone; secrets named, never kept.
    assert_eq!(mode(&dir), 0o700);
    for (name, bytes, mode) in &tree(&dir) {
        assert_eq!(*mode, 0o600, "{name}");
        let leaked = bytes.windows(PORTAL_TOKEN.len()).any(|w| w == PORTAL_TOKEN.as_bytes());
        assert!(!leaked, "{name} holds the portal token");
    }
    let settings = std::fs::read_to_string(dir.join("settings.json")).unwrap();
    assert!(settings.contains("MOTCUA_PORTAL_TOKEN") && settings.contains("MOTCUA_PKI_PASSWORD"), "{settings}");

    let target = Place::empty(backend);
    let out = target.motcua_ok(&["restore", "--from", dir.to_str().unwrap()]);
    assert!(out.contains(&format!("{} dossier(s)", original.len())), "{out}");

    // audit verify and blobs verify find the same, clean, on the restored place.
    let audit = summary(&source.motcua_ok(&["audit", "verify"]));
    assert!(audit.ends_with(" 0 broken chain(s)"), "{audit}");
    assert_eq!(summary(&target.motcua_ok(&["audit", "verify"])), audit);
    let blobs = summary(&target.motcua_ok(&["blobs", "verify"]));
    assert!(blobs.starts_with(&format!("{} blob(s) checked", manifest.blobs.count)), "{blobs}");
    assert!(blobs.ends_with("0 corrupt, 0 missing, 0 unreadable"), "{blobs}");

    // Every dossier, event and paper; the keys byte for byte, the service account's alone.
    let restored = target.services();
    assert_eq!(everything(&restored), original);
    let keys_into = target.pki_dir.as_ref().unwrap();
    let keys = tree(keys_into);
    assert_eq!(
        keys.iter().map(|(name, bytes, _)| (name, bytes)).collect::<Vec<_>>(),
        tree(&TEST_PKI).iter().map(|(name, bytes, _)| (name, bytes)).collect::<Vec<_>>()
    );
    for (name, _, mode) in &keys {
        assert_eq!(*mode, 0o600, "{name}");
    }
    assert_eq!((mode(keys_into), mode(&target.data_dir)), (0o700, 0o700));
    if backend == Backend::Sqlite {
        let file = sqlite_file(&target);
        assert_eq!((mode(&file), mode(file.parent().unwrap())), (0o600, 0o700));
    }
    drop(restored);

    // Once restored the place is no longer empty: again only with --force, which replaces it.
    let (code, out, err) = target.motcua(&["restore", "--from", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("already holds") && err.trim_end().lines().count() == 1, "{err}");
    target.motcua_ok(&["restore", "--from", dir.to_str().unwrap(), "--force"]);
    assert_eq!(summary(&target.motcua_ok(&["audit", "verify"])), audit);
    assert_eq!(everything(&target.services()), original);

    server.stop().await;
    target.remove();
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn backup_while_writing_restores_a_consistent_place(backend: Backend) {
    let server = Arc::new(TestServer::launch(backend, Launch::default()).await);
    let source = Place::of(&server);
    let clerk = server.token("hongbang.tiepnhan").await;
    let before = everything(&server.services).len();

    // Dossiers keep being received (new papers, new forms, new events) while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (server, stop) = (server.clone(), stop.clone());
        tokio::spawn(async move {
            let mut received = 0;
            while !stop.load(Ordering::Relaxed) || received < 3 {
                let mut body = new_dossier("1.001612", HONG_BANG, "031085001234");
                body["applicant"]["name"] = format!("Người Nộp {received}").into();
                server.receive(&clerk, body).await;
                received += 1;
            }
            received
        })
    };
    while everything(&server.services).len() < before + 1 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let dir = scratch("backup");
    source.motcua_ok(&["backup", "--to", dir.to_str().unwrap()]);
    stop.store(true, Ordering::Relaxed);
    let received = writer.await.unwrap();
    let manifest = manifest(&dir);
    let after = everything(&server.services);
    assert_eq!(after.len(), before + received);
    assert!(manifest.database.dossiers as usize > before, "the backup began after the first new dossier");

    let target = Place::empty(backend);
    target.motcua_ok(&["restore", "--from", dir.to_str().unwrap()]);
    let audit = summary(&target.motcua_ok(&["audit", "verify"]));
    assert!(
        audit.starts_with(&format!("{} dossiers, {} events", manifest.database.dossiers, manifest.database.events))
    );
    assert!(audit.ends_with(" 0 broken chain(s)"), "{audit}");
    let blobs = summary(&target.motcua_ok(&["blobs", "verify"]));
    assert!(blobs.ends_with("0 corrupt, 0 missing, 0 unreadable"), "{blobs}");

    // The restored place is the original as it stood at one instant: each dossier it holds is the original's,
    // or the original's at an earlier step (its history a beginning of the original's).
    let restored = everything(&target.services());
    assert_eq!(restored.len() as i64, manifest.database.dossiers);
    for (dossier, history, _) in &restored {
        let (_, original_history, _) = after.iter().find(|(d, _, _)| d.id == dossier.id).expect("an original dossier");
        assert!(original_history.starts_with(history), "{}: the restored history is not the original's", dossier.id);
    }

    Arc::into_inner(server).expect("the writer is done").stop().await;
    target.remove();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A backup with one byte changed, one file missing or one file added is refused on one line (exit 2) before
/// anything is written: no database file, no blob folder, no keys folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_changed_backup_is_refused_and_nothing_is_written() {
    let server = TestServer::start_signing(Backend::Sqlite).await;
    let source = Place::of(&server);
    let dir = scratch("backup");
    source.motcua_ok(&["backup", "--to", dir.to_str().unwrap()]);
    server.stop().await;
    let manifest = manifest(&dir);
    let blob = dir.join(manifest.files.keys().find(|name| name.starts_with("blobs/")).unwrap());
    let database = dir.join(&manifest.database.file);

    let refused = |expected: &str| {
        let target = Place::empty(Backend::Sqlite);
        let (code, out, err) = target.motcua(&["restore", "--from", dir.to_str().unwrap()]);
        assert_eq!(code, 2, "{out}{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(!sqlite_file(&target).exists(), "a database was written");
        assert!(!target.data_dir.exists() && !target.pki_dir.unwrap().exists(), "folders were made");
    };

    // One bit of one blob.
    let original = std::fs::read(&blob).unwrap();
    let mut flipped = original.clone();
    flipped[original.len() / 2] ^= 0x01;
    std::fs::write(&blob, &flipped).unwrap();
    refused("does not match the manifest");
    std::fs::write(&blob, &original).unwrap();

    // The database gone, then a file slipped in.
    let moved = dir.with_extension("moved");
    std::fs::rename(&database, &moved).unwrap();
    refused("is missing");
    std::fs::rename(&moved, &database).unwrap();
    std::fs::write(dir.join("keys").join("extra.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    refused("is not in the manifest");
    std::fs::remove_file(dir.join("keys").join("extra.pem")).unwrap();

    // No manifest: incomplete.
    std::fs::rename(dir.join("manifest.json"), &moved).unwrap();
    refused("incomplete");
    std::fs::rename(&moved, dir.join("manifest.json")).unwrap();

    // Put back as it was, it restores.
    let target = Place::empty(Backend::Sqlite);
    target.motcua_ok(&["restore", "--from", dir.to_str().unwrap()]);
    target.remove();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A blob the database refers to that is damaged or gone fails the backup loudly (exit 1), and the backup
/// folder is not left behind; a folder that is not empty is refused (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_damaged_blob_store_fails_the_backup_and_leaves_no_folder() {
    let server = TestServer::start(Backend::Sqlite).await;
    let source = Place::of(&server);
    let referenced = tokio::task::block_in_place(|| {
        server.services.repository().referenced_blobs(chrono::DateTime::UNIX_EPOCH).unwrap()
    });
    let victim = referenced.into_iter().min().expect("the demo refers to blobs");
    let store = FsBlobStore::new(source.data_dir.join("blobs")).unwrap();
    let path = store.path_of(&victim);
    let original = std::fs::read(&path).unwrap();

    let failed = |expected: &str| {
        let dir = scratch("backup");
        let (code, out, err) = source.motcua(&["backup", "--to", dir.to_str().unwrap()]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(err.contains(&victim) && err.contains(expected), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!dir.exists(), "a failed backup leaves no folder");
    };
    let mut damaged = original.clone();
    damaged[original.len() / 2] ^= 0x01;
    std::fs::write(&path, &damaged).unwrap();
    failed("corrupt");
    std::fs::remove_file(&path).unwrap();
    failed("missing");
    std::fs::write(&path, &original).unwrap();

    let dir = scratch("backup");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "earlier").unwrap();
    let (code, _, err) = source.motcua(&["backup", "--to", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing was added");
    std::fs::remove_file(dir.join("notes.txt")).unwrap();
    source.motcua_ok(&["backup", "--to", dir.to_str().unwrap()]);
    server.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
