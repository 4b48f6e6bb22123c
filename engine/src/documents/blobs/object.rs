//! Blobs in an object store (S3-compatible, or in memory): key `prefix/ab/cd/<sha256>`.
//!
//! The store owns a small current-thread tokio runtime and blocks on the `object_store` futures, so it can be used
//! from the blocking threads every `BlobStore` is called from. Uploads of large files go in parts read from the
//! staged file; downloads are streamed and rehashed.

use std::fs::File;
use std::future::Future;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::{BoxStream, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::{BlobError, BlobRef, BlobStore, Staged, VerifyingReader, check_name, is_valid_sha256};

/// Files up to this size go in one `put`; larger ones in parts.
const SINGLE_PUT_MAX: u64 = 8 * 1024 * 1024;
/// Size of an uploaded part (S3 wants at least 5 MiB) ...
const PART_SIZE: usize = 8 * 1024 * 1024;
/// ... and how many may be in flight: memory held by an upload is about (1 + this) parts.
const PARTS_IN_FLIGHT: usize = 2;
/// Reads from the staged file.
const READ_CHUNK: usize = 1024 * 1024;
/// A blob committed again after this long is uploaded again, which restarts its grace period against garbage
/// collection (object stores have no "touch").
const REFRESH_AFTER: Duration = Duration::from_secs(3600);

pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    staging: PathBuf,
    runtime: Arc<BlockingRuntime>,
    description: String,
}

/// A current-thread runtime that may be dropped anywhere (even inside async code, where dropping a runtime
/// normally panics).
struct BlockingRuntime(Option<tokio::runtime::Runtime>);

impl BlockingRuntime {
    fn new() -> io::Result<BlockingRuntime> {
        Ok(BlockingRuntime(Some(tokio::runtime::Builder::new_current_thread().enable_all().build()?)))
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.0.as_ref().expect("runtime present until dropped").block_on(future)
    }
}

impl Drop for BlockingRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

fn store_error(e: object_store::Error) -> BlobError {
    BlobError::Io(io::Error::other(e))
}

impl ObjectBlobStore {
    /// Wraps any object store; blobs go under `prefix` (may be empty); uploads are staged in `staging_dir`.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        prefix: &str,
        staging_dir: impl Into<PathBuf>,
    ) -> Result<ObjectBlobStore, BlobError> {
        let prefix = ObjectPath::from(prefix.trim_matches('/'));
        let staging = staging_dir.into();
        std::fs::create_dir_all(&staging)?;
        let description = format!("object store {store} /{prefix}");
        Ok(ObjectBlobStore { store, prefix, staging, runtime: Arc::new(BlockingRuntime::new()?), description })
    }

    /// An in-memory store (tests, demo): everything is lost when it is dropped.
    pub fn in_memory(staging_dir: impl Into<PathBuf>) -> Result<ObjectBlobStore, BlobError> {
        ObjectBlobStore::new(Arc::new(object_store::memory::InMemory::new()), "", staging_dir)
    }

    /// `s3://bucket/prefix`, with region, credentials and endpoint from the standard `AWS_*` environment variables
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, ...).
    pub fn s3_from_env(url: &str, staging_dir: impl Into<PathBuf>) -> Result<ObjectBlobStore, BlobError> {
        let rest = url.strip_prefix("s3://").unwrap_or(url);
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(BlobError::Io(io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: no bucket"))));
        }
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_url(format!("s3://{bucket}"))
            .build()
            .map_err(store_error)?;
        ObjectBlobStore::new(Arc::new(s3), prefix, staging_dir)
    }

    fn key(&self, sha256: &str) -> ObjectPath {
        self.prefix.clone().join(&sha256[0..2]).join(&sha256[2..4]).join(sha256)
    }

    async fn upload(&self, key: &ObjectPath, staged: &Staged) -> Result<(), BlobError> {
        let mut file = File::open(&staged.path)?;
        if staged.size <= SINGLE_PUT_MAX {
            let mut bytes = Vec::with_capacity(staged.size as usize);
            file.read_to_end(&mut bytes)?;
            self.store.put(key, PutPayload::from(bytes)).await.map_err(store_error)?;
            return Ok(());
        }
        let upload = self.store.put_multipart(key).await.map_err(store_error)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(e.into());
                }
            };
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = writer.abort().await;
                return Err(store_error(e));
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(store_error)?;
        Ok(())
    }
}

impl BlobStore for ObjectBlobStore {
    fn commit(&self, staged: Staged) -> Result<BlobRef, BlobError> {
        let blob = BlobRef { sha256: staged.sha256.clone(), size: staged.size, media_type: staged.media_type };
        let key = self.key(&blob.sha256);
        self.runtime.block_on(async {
            match self.store.head(&key).await {
                Ok(meta) => {
                    let age = SystemTime::now().duration_since(meta.last_modified.into()).unwrap_or_default();
                    // Same size: the same content. Another size: a damaged copy, replaced by the upload below.
                    if meta.size == blob.size && age < REFRESH_AFTER {
                        return Ok(());
                    }
                }
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(store_error(e)),
            }
            self.upload(&key, &staged).await
        })?;
        // `staged` is dropped here: its temporary file goes.
        Ok(blob)
    }

    fn open(&self, sha256: &str) -> Result<Box<dyn Read + Send>, BlobError> {
        check_name(sha256)?;
        let result = match self.runtime.block_on(self.store.get(&self.key(sha256))) {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(sha256.to_string())),
            Err(e) => return Err(store_error(e)),
        };
        let size = result.meta.size;
        let reader = StreamReader { runtime: self.runtime.clone(), stream: result.into_stream(), chunk: Bytes::new() };
        Ok(Box::new(VerifyingReader::new(reader, sha256, size)))
    }

    fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        if !is_valid_sha256(sha256) {
            return Ok(false);
        }
        match self.runtime.block_on(self.store.head(&self.key(sha256))) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        check_name(sha256)?;
        match self.runtime.block_on(self.store.delete(&self.key(sha256))) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    fn list(&self) -> Result<Vec<(String, u64, SystemTime)>, BlobError> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let objects: Vec<_> = self.runtime.block_on(self.store.list(prefix).try_collect()).map_err(store_error)?;
        let mut blobs: Vec<_> = objects
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_string();
                (is_valid_sha256(&name) && meta.location == self.key(&name))
                    .then(|| (name, meta.size, meta.last_modified.into()))
            })
            .collect();
        blobs.sort();
        Ok(blobs)
    }

    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// A blocking `Read` over the byte stream of a `get`.
struct StreamReader {
    runtime: Arc<BlockingRuntime>,
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}
