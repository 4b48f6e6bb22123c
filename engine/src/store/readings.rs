//! What text recognition read on stored files (one row per file hash) and the disagreements found between the
//! papers and what was stated (`paper_checks`). Staff search the read text through a full-text index:
//! PostgreSQL's GIN over `to_tsvector('simple', …)`, SQLite's FTS5 table kept by triggers (migration 21).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::schema::{dossiers, paper_checks, paper_readings, papers};
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = paper_readings)]
pub struct Reading {
    pub blob_sha256: String,
    pub read_at: NaiveDateTime,
    pub paper_kind: String,
    /// `domain::reading::Found` as JSON.
    pub found: String,
    /// `Vec<domain::reading::Problem>` as JSON.
    pub problems: String,
    pub pages: i32,
    pub body: String,
    pub search_text: String,
}

/// Stores a reading, replacing an earlier one of the same file (read again by a newer recogniser).
pub fn put(conn: &mut DbConnection, reading: &Reading) -> StoreResult<()> {
    // Delete and insert (in the caller's transaction): the common dialect has no upsert.
    diesel::delete(paper_readings::table.find(&reading.blob_sha256)).execute(conn)?;
    diesel::insert_into(paper_readings::table).values(reading).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, blob: &str) -> StoreResult<Option<Reading>> {
    Ok(paper_readings::table.find(blob).select(Reading::as_select()).first(conn).optional()?)
}

/// The readings of these files (those read so far).
pub fn of_blobs(conn: &mut DbConnection, blobs: &[String]) -> StoreResult<Vec<Reading>> {
    Ok(paper_readings::table
        .filter(paper_readings::blob_sha256.eq_any(blobs))
        .select(Reading::as_select())
        .load(conn)?)
}

/// A paper whose read text matched a search.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    pub paper_id: String,
    pub dossier_id: String,
    pub paper_title: String,
    #[serde(serialize_with = "super::serialize_utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub added_at: NaiveDateTime,
    pub dossier_code: Option<String>,
    pub applicant_name: String,
    pub body: String,
}

/// Papers of dossiers of `agencies` whose read text holds every one of `words` (folded), newest first, after
/// the cursor (added_at, paper id) of the previous page.
pub fn search(
    conn: &mut DbConnection,
    words: &[String],
    agencies: &[String],
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Hit>> {
    if words.is_empty() || agencies.is_empty() {
        return Ok(Vec::new());
    }
    macro_rules! on {
        ($c:expr, $db:ty, $matches:expr) => {{
            let mut query = paper_readings::table
                .inner_join(papers::table.on(papers::blob_sha256.eq(paper_readings::blob_sha256)))
                .inner_join(dossiers::table.on(dossiers::id.eq(papers::dossier_id)))
                .filter($matches)
                .filter(dossiers::agency_id.eq_any(agencies))
                .into_boxed::<$db>();
            if let Some((at, id)) = after {
                query = query.filter(papers::added_at.lt(at).or(papers::added_at.eq(at).and(papers::id.lt(id))));
            }
            query
                .order((papers::added_at.desc(), papers::id.desc()))
                .limit(limit)
                .select((
                    papers::id,
                    papers::dossier_id,
                    papers::title,
                    papers::added_at,
                    dossiers::code,
                    dossiers::applicant_name,
                    paper_readings::body,
                ))
                .load::<Hit>($c)?
        }};
    }
    Ok(match conn {
        DbConnection::Pg(c) => {
            // Words ANDed; each as a quoted lexeme so that the query's own syntax cannot be injected.
            let query = words.iter().map(|w| format!("'{}'", w.replace('\'', ""))).collect::<Vec<_>>().join(" & ");
            on!(
                c,
                diesel::pg::Pg,
                diesel::dsl::sql::<Bool>("to_tsvector('simple', paper_readings.search_text) @@ to_tsquery('simple', ")
                    .bind::<Text, _>(query)
                    .sql(")")
            )
        }
        DbConnection::Sqlite(c) => {
            let query = words.iter().map(|w| format!("\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" ");
            on!(
                c,
                diesel::sqlite::Sqlite,
                diesel::dsl::sql::<Bool>(
                    "paper_readings.rowid IN (SELECT rowid FROM paper_readings_fts WHERE paper_readings_fts MATCH "
                )
                .bind::<Text, _>(query)
                .sql(")")
            )
        }
    })
}

/// A disagreement between a paper and what was stated, and the clerk's decision on it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = paper_checks)]
pub struct Check {
    pub id: String,
    pub dossier_id: String,
    pub paper_id: Option<String>,
    /// name | id_number | birth_date | sex | address
    pub field: String,
    /// typed (at the desk) | declared (online) | e_form
    pub against: String,
    pub stated: String,
    pub found: String,
    #[serde(serialize_with = "super::serialize_utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub found_at: NaiveDateTime,
    /// `null`: waiting for the clerk; kept | corrected
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "super::serialize_utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub decided_at: Option<NaiveDateTime>,
}

pub fn add_checks(conn: &mut DbConnection, checks: &[Check]) -> StoreResult<()> {
    for check in checks {
        diesel::insert_into(paper_checks::table).values(check).execute(conn)?;
    }
    Ok(())
}

pub fn checks_of(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Check>> {
    Ok(paper_checks::table
        .filter(paper_checks::dossier_id.eq(dossier_id))
        .order((paper_checks::found_at, paper_checks::id))
        .select(Check::as_select())
        .load(conn)?)
}

/// Forgets the undecided findings of a dossier (a new arrival check replaces them).
pub fn drop_waiting(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(
        paper_checks::table.filter(paper_checks::dossier_id.eq(dossier_id).and(paper_checks::decision.is_null())),
    )
    .execute(conn)?)
}

/// Records the clerk's decision on every finding of the dossier still waiting; how many.
pub fn decide_waiting(
    conn: &mut DbConnection,
    dossier_id: &str,
    decision: &str,
    by: &str,
    at: DateTime<Utc>,
) -> StoreResult<usize> {
    Ok(diesel::update(
        paper_checks::table.filter(paper_checks::dossier_id.eq(dossier_id).and(paper_checks::decision.is_null())),
    )
    .set((paper_checks::decision.eq(decision), paper_checks::decided_by.eq(by), paper_checks::decided_at.eq(to_db(at))))
    .execute(conn)?)
}
