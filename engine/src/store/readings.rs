//! What text recognition read on stored files (one row per file hash) and the disagreements found between the
//! papers and what was stated (`paper_checks`). Staff search the read text agency by agency ([`search`]): the
//! newest papers first, then a word index (PostgreSQL: each paper's words behind its agency, migration 23;
//! SQLite: the readings' FTS5 table, migration 21).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::schema::{dossiers, paper_checks, paper_readings, papers};
use super::{Backend, DbConnection, MultiBackend, StoreResult, to_db};

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

/// Readings of files not read before, at once, 200 rows a statement (bulk loading: `motcua bench papers`).
pub fn insert_all(conn: &mut DbConnection, all: &[Reading]) -> StoreResult<()> {
    for chunk in all.chunks(200) {
        match conn {
            DbConnection::Pg(c) => diesel::insert_into(paper_readings::table).values(chunk).execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(paper_readings::table).values(chunk).execute(c)?,
        };
    }
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

/// How many files have been read.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(paper_readings::table.count().get_result(conn)?)
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
///
/// Each agency in turn, in two steps chosen here rather than by the planner (whose guess for a word it has no
/// statistics on, an id number, is the same as for a common one):
/// 1. its newest [`WINDOW`] papers after the cursor, their text matched word by word: a word on many papers
///    fills the page from them, whatever the agency's size;
/// 2. else its matches through the word index, newest first: on PostgreSQL each word behind its agency
///    (`papers_search`, migration 23), so a rare word reads that agency's few matches only; on SQLite the FTS5
///    table of the readings.
pub fn search(
    conn: &mut DbConnection,
    words: &[String],
    agencies: &[String],
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Hit>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut keys = Vec::new();
    for agency in agencies {
        keys.extend(search_agency(conn, words, agency, after.as_ref(), limit)?);
    }
    keys.sort_by(|a, b| b.cmp(a));
    keys.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<&String> = keys.iter().map(|(_, id)| id).collect();
    let mut hits: Vec<Hit> = papers::table
        .inner_join(paper_readings::table.on(paper_readings::blob_sha256.eq(papers::blob_sha256)))
        .inner_join(dossiers::table.on(dossiers::id.eq(papers::dossier_id)))
        .filter(papers::id.eq_any(ids))
        .select((
            papers::id,
            papers::dossier_id,
            papers::title,
            papers::added_at,
            dossiers::code,
            dossiers::applicant_name,
            paper_readings::body,
        ))
        .load(conn)?;
    hits.sort_by(|a, b| (b.added_at, &b.paper_id).cmp(&(a.added_at, &a.paper_id)));
    Ok(hits)
}

/// How many of an agency's newest papers the first step of [`search`] reads: a word on one paper in twenty
/// fills a page of twenty from them.
pub const WINDOW: i64 = 400;

/// The keys (added_at, id) of one agency's page of [`search`].
fn search_agency(
    conn: &mut DbConnection,
    words: &[String],
    agency: &str,
    after: Option<&(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<(NaiveDateTime, String)>> {
    let window: Vec<String> = newest_of_agency(agency, after).load(conn)?;
    let found: Vec<(NaiveDateTime, String)> = window_matches(words, &window, limit).load(conn)?;
    // A page, or all the agency had left: done. Else the word index.
    if found.len() as i64 == limit || (window.len() as i64) < WINDOW {
        return Ok(found);
    }
    Ok(indexed_matches(conn.backend(), words, agency, after, limit).load(conn)?)
}

/// The agency's newest [`WINDOW`] papers after the cursor.
fn newest_of_agency<'a>(
    agency: &'a str,
    after: Option<&(NaiveDateTime, String)>,
) -> diesel::dsl::IntoBoxed<'a, diesel::dsl::Select<papers::table, papers::id>, MultiBackend> {
    let query = papers::table
        .select(papers::id)
        .into_boxed()
        .filter(papers::agency_id.eq(agency))
        .order((papers::added_at.desc(), papers::id.desc()))
        .limit(WINDOW);
    match after {
        Some((at, id)) => query.filter(papers::added_at.le(*at)).filter(after_key(at, id)),
        None => query,
    }
}

/// Papers with their readings.
type ReadPapers = diesel::dsl::InnerJoinOn<
    papers::table,
    paper_readings::table,
    diesel::dsl::Eq<paper_readings::blob_sha256, papers::blob_sha256>,
>;
type WindowMatches<'a> =
    diesel::dsl::IntoBoxed<'a, diesel::dsl::Select<ReadPapers, (papers::added_at, papers::id)>, MultiBackend>;

/// The first step's second statement: of those papers, the ones whose text holds every word (matched on the
/// server, a whole word each: a paper's text may run to pages), newest first.
fn window_matches<'a>(words: &[String], window: &'a [String], limit: i64) -> WindowMatches<'a> {
    let mut query = papers::table
        .inner_join(paper_readings::table.on(paper_readings::blob_sha256.eq(papers::blob_sha256)))
        .select((papers::added_at, papers::id))
        .into_boxed()
        .filter(papers::id.eq_any(window))
        .order((papers::added_at.desc(), papers::id.desc()))
        .limit(limit);
    for word in words {
        let pattern = format!("% {} %", super::like_literal(word));
        query = query.filter(
            sql::<Bool>("(' ' || paper_readings.search_text || ' ') LIKE ")
                .bind::<Text, _>(pattern)
                .sql(" ESCAPE '\\'"),
        );
    }
    query
}

/// The second step's statement: the agency's papers whose text holds every word, through the word index.
fn indexed_matches<'a>(
    backend: Backend,
    words: &[String],
    agency: &'a str,
    after: Option<&(NaiveDateTime, String)>,
    limit: i64,
) -> diesel::dsl::IntoBoxed<'a, diesel::dsl::Select<papers::table, (papers::added_at, papers::id)>, MultiBackend> {
    let query = papers::table.select((papers::added_at, papers::id)).into_boxed();
    let query = match backend {
        Backend::Postgres => {
            // tsquery's own syntax (to_tsquery's parser would split `000.31.01.h26:huong`), each lexeme quoted;
            // agency ids and words (letters and digits) hold no quote or backslash.
            let lexemes = words.iter().map(|w| format!("'{agency}:{w}'")).collect::<Vec<_>>().join(" & ");
            query.filter(sql::<Bool>(PAPER_WORDS).sql(" @@ CAST(").bind::<Text, _>(lexemes).sql(" AS tsquery)"))
        }
        Backend::Sqlite => {
            let query_text = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ");
            query.filter(papers::agency_id.eq(agency)).filter(
                sql::<Bool>(
                    "papers.blob_sha256 IN (SELECT blob_sha256 FROM paper_readings WHERE rowid IN \
                     (SELECT rowid FROM paper_readings_fts WHERE paper_readings_fts MATCH ",
                )
                .bind::<Text, _>(query_text)
                .sql("))"),
            )
        }
    };
    let query = query.order((papers::added_at.desc(), papers::id.desc())).limit(limit);
    match after {
        Some((at, id)) => query.filter(papers::added_at.le(*at)).filter(after_key(at, id)),
        None => query,
    }
}

/// Papers after the cursor (added_at, id) in newest-first order. With it, `added_at <= at` alone bounds the
/// index range; this breaks the tie within an instant.
type AfterKey = diesel::dsl::Or<
    diesel::dsl::Lt<papers::added_at, NaiveDateTime>,
    diesel::dsl::And<diesel::dsl::Eq<papers::added_at, NaiveDateTime>, diesel::dsl::Lt<papers::id, String>>,
>;

fn after_key(at: &NaiveDateTime, id: &str) -> AfterKey {
    papers::added_at.lt(*at).or(papers::added_at.eq(*at).and(papers::id.lt(id.to_string())))
}

/// A paper's words as its index holds them on PostgreSQL, each behind its agency (`000.31.01.H26:huong`): one
/// agency's posting list of a word holds that agency's papers only. The SQL must be the index's own
/// (migration 23) for PostgreSQL to use it.
const PAPER_WORDS: &str = "array_to_tsvector(string_to_array(papers.agency_id || ':' || \
     replace(papers.search_text, ' ', ' ' || papers.agency_id || ':'), ' '))";

/// PostgreSQL's plans for one agency's two steps of [`search`] (the newest papers, the word index), for the
/// index checks and `motcua bench papers`.
pub fn explain_search(
    conn: &mut DbConnection,
    words: &[String],
    agency: &str,
    after: Option<(NaiveDateTime, String)>,
) -> StoreResult<(String, String)> {
    let newest = super::plans::explain(conn, newest_of_agency(agency, after.as_ref()))?;
    let indexed = super::plans::explain(conn, indexed_matches(conn.backend(), words, agency, after.as_ref(), 20))?;
    Ok((newest, indexed))
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

/// Records the clerk's decision on one finding of the dossier still waiting (`check`), or on every one; how many.
pub fn decide_waiting(
    conn: &mut DbConnection,
    dossier_id: &str,
    check: Option<&str>,
    decision: &str,
    by: &str,
    at: DateTime<Utc>,
) -> StoreResult<usize> {
    let waiting = paper_checks::dossier_id.eq(dossier_id).and(paper_checks::decision.is_null());
    let decided =
        (paper_checks::decision.eq(decision), paper_checks::decided_by.eq(by), paper_checks::decided_at.eq(to_db(at)));
    Ok(match check {
        Some(id) => diesel::update(paper_checks::table.filter(waiting.and(paper_checks::id.eq(id))))
            .set(decided)
            .execute(conn)?,
        None => diesel::update(paper_checks::table.filter(waiting)).set(decided).execute(conn)?,
    })
}
