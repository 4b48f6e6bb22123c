//! Streaming uploads into a temporary file: size limit, incremental hash, and, at the end, sniffing and name
//! cleaning. Nothing is ever buffered whole in memory.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::{BlobError, HEAD_LEN, MediaType, TAIL_LEN, sanitize_file_name, sniff};

/// Per-file limits of an upload. (Per-dossier totals are the caller's business: it knows the dossier.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
}

impl UploadLimits {
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits { max_file_bytes: Self::DEFAULT_MAX_FILE_BYTES }
    }
}

/// A temporary file removed when dropped, unless `persisted`.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    persisted: bool,
}

impl TempFile {
    fn create(dir: &Path) -> io::Result<(TempFile, File)> {
        fs::create_dir_all(dir)?;
        let path = dir.join(format!("upload-{}.part", uuid::Uuid::new_v4().simple()));
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        Ok((TempFile { path, persisted: false }, file))
    }

    fn remove(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
            self.persisted = true;
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// An upload in progress. Feed it with [`Stager::write`] (or as an `io::Write`), then [`Stager::finish`].
/// Dropping it removes the temporary file.
#[derive(Debug)]
pub struct Stager {
    file: Option<BufWriter<File>>,
    temp: TempFile,
    hasher: Sha256,
    size: u64,
    limits: UploadLimits,
    original_name: String,
}

impl Stager {
    /// Creates the temporary file in `tmp_dir` (created if needed). Use the store's
    /// [`staging_dir`](super::BlobStore::staging_dir) so that the commit is a rename.
    pub fn new(tmp_dir: impl AsRef<Path>, limits: UploadLimits, original_name: &str) -> Result<Stager, BlobError> {
        let (temp, file) = TempFile::create(tmp_dir.as_ref())?;
        Ok(Stager {
            file: Some(BufWriter::with_capacity(256 * 1024, file)),
            temp,
            hasher: Sha256::new(),
            size: 0,
            limits,
            original_name: original_name.to_string(),
        })
    }

    /// Appends a chunk. Past the limit the temporary file is removed at once and every later call fails too.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        let Some(file) = self.file.as_mut() else {
            return Err(self.aborted());
        };
        let new_size = self.size + chunk.len() as u64;
        if new_size > self.limits.max_file_bytes {
            self.abort();
            self.size = new_size;
            return Err(self.aborted());
        }
        if let Err(e) = file.write_all(chunk) {
            self.abort();
            return Err(e.into());
        }
        self.hasher.update(chunk);
        self.size = new_size;
        Ok(())
    }

    fn abort(&mut self) {
        self.file = None;
        self.temp.remove();
    }

    /// Why an aborted upload cannot go on.
    fn aborted(&self) -> BlobError {
        if self.size > self.limits.max_file_bytes {
            BlobError::TooLarge { limit: self.limits.max_file_bytes }
        } else {
            BlobError::Io(io::Error::other("the upload was aborted by an earlier error"))
        }
    }

    /// Bytes received so far (past the limit: including the chunk that passed it).
    pub fn written(&self) -> u64 {
        self.size
    }

    /// Flushes and syncs the file, decides its type from its bytes and validates it, and cleans the name.
    pub fn finish(mut self) -> Result<Staged, BlobError> {
        let Some(writer) = self.file.take() else {
            return Err(self.aborted());
        };
        let mut file = writer.into_inner().map_err(|e| BlobError::Io(e.into_error()))?;
        file.sync_all()?;

        let size = self.size;
        let head = read_at(&mut file, 0, HEAD_LEN.min(size as usize))?;
        let tail_len = TAIL_LEN.min(size as usize);
        let tail = read_at(&mut file, size - tail_len as u64, tail_len)?;
        let media_type = sniff(&head, &tail, size, &mut file).map_err(BlobError::UnsupportedType)?;
        drop(file);

        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let file_name = sanitize_file_name(&self.original_name, media_type);
        Ok(Staged { path: self.temp.path.clone(), sha256, size, media_type, file_name, temp: self.temp })
    }
}

fn read_at(file: &mut File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut buf)?;
    Ok(buf)
}

impl Write for Stager {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Stager::write(self, buf).map_err(BlobError::into_io)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A finished, validated upload waiting in its temporary file for [`BlobStore::commit`](super::BlobStore::commit).
/// Dropping it removes the file.
#[derive(Debug)]
pub struct Staged {
    pub path: PathBuf,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
    /// The uploader's name, sanitised ([`sanitize_file_name`]).
    pub file_name: String,
    temp: TempFile,
}

impl Staged {
    /// The store took the file over (renamed it away): nothing to remove any more.
    pub(crate) fn persisted(mut self) {
        self.temp.persisted = true;
    }
}

/// Removes temporary upload files left in `dir` by a crash, older than `older_than`. Answers how many.
pub fn remove_stale_staging(dir: &Path, older_than: SystemTime) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let is_upload = name.to_str().is_some_and(|n| n.starts_with("upload-") && n.ends_with(".part"));
        if is_upload && entry.metadata()?.modified()? < older_than {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}
