//! Uploaded files waiting to be attached, each owned by its uploader.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::uploads;
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = uploads)]
pub struct Upload {
    pub id: String,
    pub blob_sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: String,
    #[serde(skip)]
    pub uploaded_by: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, upload: &Upload) -> StoreResult<()> {
    diesel::insert_into(uploads::table).values(upload).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Upload>> {
    Ok(uploads::table.find(id).select(Upload::as_select()).first(conn).optional()?)
}

/// Hashes of uploads newer than `since` (still in their grace period, kept by garbage collection).
pub fn recent_blobs(conn: &mut DbConnection, since: DateTime<Utc>) -> StoreResult<Vec<String>> {
    Ok(uploads::table.filter(uploads::created_at.ge(to_db(since))).select(uploads::blob_sha256).load(conn)?)
}

/// Forgets uploads older than `before` (the blob itself stays while something refers to it).
pub fn delete_older_than(conn: &mut DbConnection, before: DateTime<Utc>) -> StoreResult<usize> {
    Ok(diesel::delete(uploads::table.filter(uploads::created_at.lt(to_db(before)))).execute(conn)?)
}
