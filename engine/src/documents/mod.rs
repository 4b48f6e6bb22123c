//! Papers: where their bytes live and how they get there (DESIGN.md §9).
//!
//! - [`blobs`]: the content-addressed (SHA-256) blob store. An upload is streamed into a [`blobs::Stager`] (size
//!   limit, incremental hash, content sniffing, sanitised name), then committed into a [`blobs::BlobStore`]
//!   (filesystem by default, an S3-compatible object store by configuration). Identical content is stored once;
//!   every read checks the hash.
//!
//! The store is synchronous: call it from blocking threads (`web::block`, `spawn_blocking`, the CLI), never from
//! async code.

pub mod blobs;
pub mod signature;
