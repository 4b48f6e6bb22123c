//! Papers of dossiers: components (uploaded, scanned, reused) and results. Never overwritten: a newer paper
//! of a component is a new row, the dossier's events say which is current.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::papers;
use super::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = papers)]
pub struct Paper {
    pub id: String,
    pub dossier_id: String,
    pub component_id: Option<String>,
    /// component | result
    pub kind: String,
    /// upload | scan | repository | result
    pub source: String,
    pub blob_sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: String,
    pub title: String,
    pub repository_item_id: Option<String>,
    pub added_by: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub added_at: chrono::NaiveDateTime,
    pub keep: bool,
}

pub fn insert(conn: &mut DbConnection, paper: &Paper) -> StoreResult<()> {
    diesel::insert_into(papers::table).values(paper).execute(conn)?;
    Ok(())
}

/// Papers new to the store at once, 200 rows a statement (bulk loading: `motcua bench papers`).
pub fn insert_all(conn: &mut DbConnection, all: &[Paper]) -> StoreResult<()> {
    for chunk in all.chunks(200) {
        // The multi-backend connection has no batch insert: each backend does its own.
        match conn {
            DbConnection::Pg(c) => diesel::insert_into(papers::table).values(chunk).execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(papers::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// The last dossier (in id order) holding a paper of this title (`motcua bench papers` resumes after it).
pub fn last_dossier_with_title(conn: &mut DbConnection, title: &str) -> StoreResult<Option<String>> {
    Ok(papers::table.filter(papers::title.eq(title)).select(diesel::dsl::max(papers::dossier_id)).first(conn)?)
}

pub fn of_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Paper>> {
    Ok(papers::table
        .filter(papers::dossier_id.eq(dossier_id))
        .order((papers::added_at, papers::id))
        .select(Paper::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, dossier_id: &str, id: &str) -> StoreResult<Option<Paper>> {
    Ok(papers::table
        .filter(papers::id.eq(id).and(papers::dossier_id.eq(dossier_id)))
        .select(Paper::as_select())
        .first(conn)
        .optional()?)
}

/// Bytes held by a dossier's own papers (reused ones count against the repository, not the dossier).
pub fn dossier_bytes(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<i64> {
    let sizes: Vec<i64> = papers::table
        .filter(papers::dossier_id.eq(dossier_id).and(papers::source.eq_any(["upload", "scan"])))
        .select(papers::size_bytes)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

/// Every blob a paper refers to.
pub fn blobs(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    Ok(papers::table.select(papers::blob_sha256).distinct().load(conn)?)
}
