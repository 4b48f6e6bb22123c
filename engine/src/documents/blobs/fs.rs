//! Blobs as files: `root/ab/cd/<sha256>`, written by renaming a synced temporary file from `root/tmp/` and syncing
//! the directory, so that a blob is either absent or whole.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{BlobError, BlobRef, BlobStore, Staged, VerifyingReader, check_name, is_valid_sha256};

#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
    tmp: PathBuf,
}

impl FsBlobStore {
    pub const DEFAULT_ROOT: &'static str = "./data/blobs";

    /// Opens (creating if needed) a store rooted at `root`, with its staging folder `root/tmp`.
    pub fn new(root: impl Into<PathBuf>) -> Result<FsBlobStore, BlobError> {
        let root = root.into();
        let tmp = root.join("tmp");
        crate::files::create_private_dir_all(&tmp)?;
        Ok(FsBlobStore { root, tmp })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob named `sha256` lives (whether or not it exists). The name must be valid.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[0..2]).join(&sha256[2..4]).join(sha256)
    }

    /// Brings `staged` into `root/tmp` when it was staged on another filesystem (rename would fail).
    fn copy_into_tmp(&self, staged: &Staged) -> io::Result<PathBuf> {
        let target = self.tmp.join(format!("upload-{}.part", uuid::Uuid::new_v4().simple()));
        let result = (|| {
            let mut from = File::open(&staged.path)?;
            let mut to = File::create(&target)?;
            io::copy(&mut from, &mut to)?;
            to.sync_all()
        })();
        match result {
            Ok(()) => Ok(target),
            Err(e) => {
                let _ = fs::remove_file(&target);
                Err(e)
            }
        }
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Restarts the grace period of an existing blob that was just committed again: garbage collection must not take
/// it before the new reference is stored.
fn touch(path: &Path) -> io::Result<()> {
    File::options().write(true).open(path)?.set_modified(SystemTime::now())
}

impl BlobStore for FsBlobStore {
    fn commit(&self, staged: Staged) -> Result<BlobRef, BlobError> {
        let blob = BlobRef { sha256: staged.sha256.clone(), size: staged.size, media_type: staged.media_type };
        let target = self.path_of(&blob.sha256);
        // Present already: keep it, unless its size shows it damaged, in which case the new copy replaces it.
        if fs::metadata(&target).is_ok_and(|m| m.len() == blob.size) {
            touch(&target)?;
            return Ok(blob);
        }
        let dir = target.parent().expect("blob paths have a parent");
        let created_parents = !dir.exists();
        crate::files::create_private_dir_all(dir)?;
        match fs::rename(&staged.path, &target) {
            Ok(()) => staged.persisted(),
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
                let copy = self.copy_into_tmp(&staged)?;
                if let Err(e) = fs::rename(&copy, &target) {
                    let _ = fs::remove_file(&copy);
                    return Err(e.into());
                }
            }
            Err(e) => return Err(e.into()),
        }
        // The rename is durable once the directory holding the new entry is synced (and, when the two-level
        // folders were just made, the folders above it).
        sync_dir(dir)?;
        if created_parents {
            sync_dir(dir.parent().expect("ab/cd"))?;
            sync_dir(&self.root)?;
        }
        Ok(blob)
    }

    fn open(&self, sha256: &str) -> Result<Box<dyn Read + Send>, BlobError> {
        check_name(sha256)?;
        let file = match File::open(self.path_of(sha256)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(BlobError::NotFound(sha256.to_string())),
            Err(e) => return Err(e.into()),
        };
        let size = file.metadata()?.len();
        Ok(Box::new(VerifyingReader::new(io::BufReader::with_capacity(64 * 1024, file), sha256, size)))
    }

    fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        Ok(is_valid_sha256(sha256) && self.path_of(sha256).is_file())
    }

    fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        check_name(sha256)?;
        let path = self.path_of(sha256);
        match fs::remove_file(&path) {
            Ok(()) => Ok(sync_dir(path.parent().expect("ab/cd"))?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn list(&self) -> Result<Vec<(String, u64, SystemTime)>, BlobError> {
        let mut blobs = Vec::new();
        for first in hex_dirs(&self.root)? {
            for second in hex_dirs(&first)? {
                for entry in fs::read_dir(&second)? {
                    let entry = entry?;
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
                    if !is_valid_sha256(&name) || !first.ends_with(&name[0..2]) || !second.ends_with(&name[2..4]) {
                        continue;
                    }
                    let meta = entry.metadata()?;
                    if meta.is_file() {
                        blobs.push((name, meta.len(), meta.modified()?));
                    }
                }
            }
        }
        blobs.sort();
        Ok(blobs)
    }

    fn staging_dir(&self) -> &Path {
        &self.tmp
    }

    fn describe(&self) -> String {
        format!("filesystem {}", self.root.display())
    }
}

/// The two-hex-digit subfolders of `dir` (skipping `tmp` and anything else).
fn hex_dirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let is_hex_pair = name.to_str().is_some_and(|n| n.len() == 2 && is_valid_sha256(&n.repeat(32)));
        if is_hex_pair && entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        }
    }
    Ok(dirs)
}
