//! Content-addressed blob storage.
//!
//! A blob is named by the lowercase hex SHA-256 of its bytes. Uploads go through a [`Stager`] into a temporary
//! file (size-limited, hashed as they arrive, sniffed by content when finished) and are then committed into a
//! [`BlobStore`]: [`FsBlobStore`] (default, `./data/blobs`) or [`ObjectBlobStore`] (S3-compatible, or in memory for
//! tests and demos). Readers returned by [`BlobStore::open`] rehash what they deliver and fail with
//! [`BlobError::Corrupt`] when the content does not match its name.

mod fs;
mod names;
mod object;
mod pdf_active;
mod sniff;
mod staging;

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use fs::FsBlobStore;
pub use names::sanitize_file_name;
pub use object::ObjectBlobStore;
pub use sniff::{HEAD_LEN, TAIL_LEN, sniff};
pub use staging::{Staged, Stager, UploadLimits, remove_stale_staging};

/// The kinds of file accepted as papers. Decided from the bytes, never from the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
    /// Scanner output.
    Tiff,
    Xml,
    Docx,
}

impl MediaType {
    pub const ALL: [MediaType; 6] =
        [MediaType::Pdf, MediaType::Jpeg, MediaType::Png, MediaType::Tiff, MediaType::Xml, MediaType::Docx];

    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Tiff => "image/tiff",
            MediaType::Xml => "application/xml",
            MediaType::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    /// The canonical file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.extensions()[0]
    }

    /// Every extension a file of this type may carry (lowercase, canonical first).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Pdf => &["pdf"],
            MediaType::Jpeg => &["jpg", "jpeg", "jpe"],
            MediaType::Png => &["png"],
            MediaType::Tiff => &["tif", "tiff"],
            MediaType::Xml => &["xml"],
            MediaType::Docx => &["docx"],
        }
    }

    pub fn from_mime(mime: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|t| t.mime().eq_ignore_ascii_case(mime.trim()))
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime())
    }
}

/// What a commit answers: the blob's name (its hash), its size and the sniffed type of the upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobRef {
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file is not an accepted document: {0}")]
    UnsupportedType(String),
    #[error("no blob {0}")]
    NotFound(String),
    #[error("blob {sha256} is corrupt: {reason}")]
    Corrupt { sha256: String, reason: String },
    #[error("blob storage: {0}")]
    Io(#[source] io::Error),
}

fn is_unavailable(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(e.kind(), StorageFull | QuotaExceeded | ReadOnlyFilesystem | PermissionDenied)
}

impl BlobError {
    /// Stable code, also the message catalogue's key.
    pub fn code(&self) -> &'static str {
        match self {
            BlobError::TooLarge { .. } => "blob.too_large",
            BlobError::UnsupportedType(_) => "blob.unsupported_type",
            BlobError::NotFound(_) => "blob.not_found",
            BlobError::Corrupt { .. } => "blob.corrupt",
            BlobError::Io(e) if is_unavailable(e) => "blob.unavailable",
            BlobError::Io(_) => "blob.io",
        }
    }

    /// The store cannot take writes now (full, read-only, not permitted): the operator's fault to fix, not the
    /// request's; callers answer 503 and try again later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, BlobError::Io(e) if is_unavailable(e))
    }

    /// Wraps this error in an `io::Error` (for `Read`/`Write` impls); `From<io::Error>` unwraps it again.
    pub(crate) fn into_io(self) -> io::Error {
        let kind = match self {
            BlobError::Io(e) => return e,
            BlobError::NotFound(_) => io::ErrorKind::NotFound,
            BlobError::Corrupt { .. } | BlobError::UnsupportedType(_) => io::ErrorKind::InvalidData,
            BlobError::TooLarge { .. } => io::ErrorKind::FileTooLarge,
        };
        io::Error::new(kind, self)
    }
}

impl From<io::Error> for BlobError {
    /// Unwraps a `BlobError` carried inside an `io::Error` (as readers from [`BlobStore::open`] and the `Write`
    /// impl of [`Stager`] produce), so `io::copy` failures keep their precise kind.
    fn from(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<BlobError>()) {
            let inner = e.into_inner().expect("checked above");
            return *inner.downcast::<BlobError>().expect("checked above");
        }
        BlobError::Io(e)
    }
}

/// Where blobs are kept. Synchronous: call it from blocking threads, never from async code.
pub trait BlobStore: Send + Sync {
    /// Moves a staged upload into the store. Content already present is stored once: the staged file is dropped
    /// and the existing blob answered.
    fn commit(&self, staged: Staged) -> Result<BlobRef, BlobError>;

    /// A reader over the blob's bytes that rehashes them: it fails with [`BlobError::Corrupt`] (wrapped in an
    /// `io::Error`; convert with `BlobError::from`) instead of delivering the end of a blob that does not match
    /// its name. [`BlobError::NotFound`] if there is no such blob.
    fn open(&self, sha256: &str) -> Result<Box<dyn Read + Send>, BlobError>;

    fn exists(&self, sha256: &str) -> Result<bool, BlobError>;

    /// Removes a blob; removing an absent blob is not an error.
    fn delete(&self, sha256: &str) -> Result<(), BlobError>;

    /// Every blob: (sha256, size, when it was stored or last committed again).
    fn list(&self) -> Result<Vec<(String, u64, SystemTime)>, BlobError>;

    /// Rehashes the whole blob.
    fn verify(&self, sha256: &str) -> Result<(), BlobError> {
        let mut reader = self.open(sha256)?;
        io::copy(&mut reader, &mut io::sink())?;
        Ok(())
    }

    /// Local directory where uploads for this store are staged (on the same filesystem for [`FsBlobStore`], so
    /// that a commit is a rename).
    fn staging_dir(&self) -> &Path;

    /// Human-readable location, for logs and the CLI.
    fn describe(&self) -> String;

    /// Starts an upload destined for this store.
    fn stager(&self, limits: UploadLimits, original_name: &str) -> Result<Stager, BlobError> {
        Stager::new(self.staging_dir(), limits, original_name)
    }
}

/// Builds the configured store. `None` (or empty): filesystem under `data_dir/blobs`; `file:///path`:
/// filesystem at that path; `s3://bucket/prefix`: S3-compatible object store, credentials and endpoint from the
/// standard `AWS_*` environment variables; `memory://`: in-memory object store (tests, demo). Object stores stage
/// uploads under `data_dir/tmp`.
pub fn blob_store_from_config(url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn BlobStore>, BlobError> {
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    let staging = data_dir.join("tmp");
    match url {
        None => Ok(Arc::new(FsBlobStore::new(data_dir.join("blobs"))?)),
        Some(u) if u.starts_with("file://") => {
            let path = &u["file://".len()..];
            if !path.starts_with('/') {
                return Err(config_error(format!("{u}: a file URL needs an absolute path (file:///var/lib/...)")));
            }
            Ok(Arc::new(FsBlobStore::new(PathBuf::from(path))?))
        }
        Some(u) if u.starts_with("s3://") => Ok(Arc::new(ObjectBlobStore::s3_from_env(u, staging)?)),
        Some(u) if u.starts_with("memory://") => Ok(Arc::new(ObjectBlobStore::in_memory(staging)?)),
        Some(u) => Err(config_error(format!("{u}: unknown blob store (expected file://, s3:// or memory://)"))),
    }
}

fn config_error(message: String) -> BlobError {
    BlobError::Io(io::Error::new(io::ErrorKind::InvalidInput, message))
}

/// Whether `s` can name a blob: 64 lowercase hex digits. Anything else is answered as not found, so that a name
/// never becomes a path outside the store.
pub fn is_valid_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn check_name(sha256: &str) -> Result<(), BlobError> {
    if is_valid_sha256(sha256) { Ok(()) } else { Err(BlobError::NotFound(sha256.to_string())) }
}

/// Deletes the blobs that nothing references and that were stored before `older_than` (the grace period protects
/// uploads whose referencing rows are not committed yet). Answers the deleted names.
pub fn collect_orphans(
    store: &dyn BlobStore,
    referenced: &HashSet<String>,
    older_than: SystemTime,
) -> Result<Vec<String>, BlobError> {
    let mut deleted = Vec::new();
    for (sha256, _, stored_at) in store.list()? {
        if referenced.contains(&sha256) || stored_at >= older_than {
            continue;
        }
        store.delete(&sha256)?;
        deleted.push(sha256);
    }
    deleted.sort();
    Ok(deleted)
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Blobs rehashed.
    pub checked: usize,
    /// Referenced but absent.
    pub missing: Vec<String>,
    /// Present but their content does not match their name.
    pub corrupt: Vec<String>,
    /// Present but could not be read: (sha256, reason).
    pub unreadable: Vec<(String, String)>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.corrupt.is_empty() && self.unreadable.is_empty()
    }
}

/// Rehashes every blob of the store and names the referenced ones that are absent. Pass an empty set to check the
/// store alone.
pub fn verify_all(store: &dyn BlobStore, referenced: &HashSet<String>) -> Result<VerifyReport, BlobError> {
    let mut report = VerifyReport::default();
    let mut present = HashSet::new();
    for (sha256, _, _) in store.list()? {
        match store.verify(&sha256) {
            Ok(()) => {}
            Err(BlobError::Corrupt { .. }) => report.corrupt.push(sha256.clone()),
            // Deleted meanwhile: counted below if it is referenced.
            Err(BlobError::NotFound(_)) => continue,
            Err(e) => report.unreadable.push((sha256.clone(), e.to_string())),
        }
        report.checked += 1;
        present.insert(sha256);
    }
    report.missing = referenced.iter().filter(|s| !present.contains(*s)).cloned().collect();
    report.missing.sort();
    report.corrupt.sort();
    Ok(report)
}

/// Rehashes what passes through; at the expected size (or at the end of the stream) it compares the digest and
/// withholds the last bytes behind a [`BlobError::Corrupt`] if they do not match.
pub(crate) struct VerifyingReader<R> {
    inner: R,
    hasher: Sha256,
    expected_sha256: String,
    expected_size: u64,
    seen: u64,
    state: ReadState,
}

#[derive(PartialEq, Eq)]
enum ReadState {
    Reading,
    Verified,
    Failed,
}

impl<R: Read> VerifyingReader<R> {
    pub(crate) fn new(inner: R, expected_sha256: &str, expected_size: u64) -> Self {
        VerifyingReader {
            inner,
            hasher: Sha256::new(),
            expected_sha256: expected_sha256.to_string(),
            expected_size,
            seen: 0,
            state: ReadState::Reading,
        }
    }

    fn corrupt(&mut self, reason: String) -> io::Error {
        self.state = ReadState::Failed;
        BlobError::Corrupt { sha256: self.expected_sha256.clone(), reason }.into_io()
    }

    fn check_digest(&mut self) -> io::Result<()> {
        let actual = hex::encode(std::mem::take(&mut self.hasher).finalize());
        if actual == self.expected_sha256 {
            self.state = ReadState::Verified;
            Ok(())
        } else {
            Err(self.corrupt(format!("content hashes to {actual}")))
        }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.state {
            ReadState::Failed => return Err(self.corrupt("already found corrupt".into())),
            ReadState::Verified => {
                // Past the expected size nothing more may come.
                let mut probe = [0u8; 1];
                return match self.inner.read(&mut probe)? {
                    0 => Ok(0),
                    _ => Err(self.corrupt(format!("longer than its recorded {} bytes", self.expected_size))),
                };
            }
            ReadState::Reading => {}
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if self.seen < self.expected_size {
                return Err(self.corrupt(format!("ends after {} of {} bytes", self.seen, self.expected_size)));
            }
            self.check_digest()?;
            return Ok(0);
        }
        self.seen += n as u64;
        if self.seen > self.expected_size {
            return Err(self.corrupt(format!("longer than its recorded {} bytes", self.expected_size)));
        }
        self.hasher.update(&buf[..n]);
        if self.seen == self.expected_size {
            self.check_digest()?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::BlobError;

    #[test]
    fn a_full_or_read_only_store_is_unavailable_not_broken() {
        use std::io::{Error, ErrorKind};
        for kind in [ErrorKind::StorageFull, ErrorKind::ReadOnlyFilesystem, ErrorKind::PermissionDenied] {
            let e = BlobError::Io(Error::from(kind));
            assert_eq!((e.code(), e.is_unavailable()), ("blob.unavailable", true), "{kind:?}");
        }
        assert_eq!(BlobError::Io(Error::from(ErrorKind::UnexpectedEof)).code(), "blob.io");
    }
}
