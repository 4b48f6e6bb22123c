//! Service ratings (table `ratings`): one per dossier, given by its applicant once the result was returned, on
//! their page or through the link sent with the result (table `rating_links`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{DbConnection, StoreResult};

diesel::table! {
    ratings (dossier_id) {
        dossier_id -> Text,
        applicant_id -> Text,
        agency_id -> Text,
        procedure_code -> Text,
        score -> Integer,
        comment -> Nullable<Text>,
        rated_at -> Timestamp,
        reception_satisfied -> Nullable<Bool>,
        result_satisfied -> Nullable<Bool>,
        officer_satisfied -> Nullable<Bool>,
        via -> Text,
    }
}

diesel::table! {
    rating_links (token_hash) {
        token_hash -> Text,
        dossier_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

use super::facts::dossier_facts;
use super::schema::dossiers;

diesel::allow_tables_to_appear_in_same_query!(ratings, dossiers);
diesel::allow_tables_to_appear_in_same_query!(ratings, dossier_facts);

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = ratings)]
pub struct Rating {
    pub dossier_id: String,
    pub applicant_id: String,
    pub agency_id: String,
    pub procedure_code: String,
    pub score: i32,
    pub comment: Option<String>,
    #[serde(serialize_with = "super::serialize_utc")]
    pub rated_at: NaiveDateTime,
    /// The portal's questions: satisfied with the reception, with the result, with the officer (`None`: not
    /// asked, a rating given before they were).
    pub reception_satisfied: Option<bool>,
    pub result_satisfied: Option<bool>,
    pub officer_satisfied: Option<bool>,
    /// [`VIA_PAGE`] or [`VIA_LINK`].
    pub via: String,
}

/// Given on the applicant's own page, signed in.
pub const VIA_PAGE: &str = "page";
/// Given through the link sent with the result.
pub const VIA_LINK: &str = "link";

pub fn insert(conn: &mut DbConnection, rating: &Rating) -> StoreResult<()> {
    diesel::insert_into(ratings::table).values(rating).execute(conn)?;
    Ok(())
}

/// Writes many ratings at once (a bulk load).
pub fn insert_all(conn: &mut DbConnection, all: &[Rating]) -> StoreResult<()> {
    for chunk in all.chunks(500) {
        // The multi-backend connection has no batch insert: each backend does its own.
        match conn {
            DbConnection::Pg(c) => diesel::insert_into(ratings::table).values(chunk).execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(ratings::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

pub fn of_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Option<Rating>> {
    Ok(ratings::table.find(dossier_id).select(Rating::as_select()).first(conn).optional()?)
}

/// One "not satisfied" rating, with what the reader acts on: the dossier, its agency, procedure and officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LowRating {
    pub dossier_id: String,
    pub code: Option<String>,
    pub agency_id: String,
    pub procedure_code: String,
    /// The specialist the dossier was last assigned to, and their name (filled in by the caller).
    pub handler_id: Option<String>,
    pub handler_name: Option<String>,
    pub score: i32,
    pub reception_satisfied: Option<bool>,
    pub result_satisfied: Option<bool>,
    pub officer_satisfied: Option<bool>,
    pub comment: Option<String>,
    #[serde(serialize_with = "super::serialize_utc")]
    pub rated_at: NaiveDateTime,
}

/// Up to `limit` "not satisfied" ratings (a score of `at_most` or less, or any question answered "not
/// satisfied": `domain::scorecard::not_satisfied`) given in `[from, to)` to dossiers of `agencies`, oldest first,
/// after `after` (the instant and dossier id of the last one seen).
pub fn low(
    conn: &mut DbConnection,
    agencies: &[String],
    at_most: i32,
    from: NaiveDateTime,
    to: NaiveDateTime,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<LowRating>> {
    macro_rules! on {
        ($c:expr) => {{
            let mut query = ratings::table
                .inner_join(dossiers::table.on(dossiers::id.eq(ratings::dossier_id)))
                .left_join(dossier_facts::table.on(dossier_facts::dossier_id.eq(ratings::dossier_id)))
                .filter(ratings::agency_id.eq_any(agencies.to_vec()))
                .filter(
                    ratings::score
                        .le(at_most)
                        .or(ratings::reception_satisfied.eq(false))
                        .or(ratings::result_satisfied.eq(false))
                        .or(ratings::officer_satisfied.eq(false)),
                )
                .filter(ratings::rated_at.ge(from).and(ratings::rated_at.lt(to)))
                .into_boxed();
            if let Some((at, id)) = &after {
                query = query.filter(
                    ratings::rated_at.gt(*at).or(ratings::rated_at.eq(*at).and(ratings::dossier_id.gt(id.clone()))),
                );
            }
            query
                .order((ratings::rated_at, ratings::dossier_id))
                .limit(limit)
                .select((
                    ratings::dossier_id,
                    dossiers::code,
                    ratings::agency_id,
                    ratings::procedure_code,
                    dossier_facts::handler_id.nullable(),
                    ratings::score,
                    (ratings::reception_satisfied, ratings::result_satisfied, ratings::officer_satisfied),
                    ratings::comment,
                    ratings::rated_at,
                ))
                .load::<LowRow>($c)?
        }};
    }
    let rows = match conn {
        DbConnection::Pg(c) => on!(c),
        DbConnection::Sqlite(c) => on!(c),
    };
    Ok(rows
        .into_iter()
        .map(|r| LowRating {
            dossier_id: r.0,
            code: r.1,
            agency_id: r.2,
            procedure_code: r.3,
            handler_id: r.4,
            handler_name: None,
            score: r.5,
            reception_satisfied: r.6.0,
            result_satisfied: r.6.1,
            officer_satisfied: r.6.2,
            comment: r.7,
            rated_at: r.8,
        })
        .collect())
}

type LowRow = (
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    i32,
    (Option<bool>, Option<bool>, Option<bool>),
    Option<String>,
    NaiveDateTime,
);

/// Keeps the link to rate `dossier_id` by, as the SHA-256 of its token (hex), until `expires_at`; replaces the
/// dossier's earlier link, if any.
pub fn create_link(
    conn: &mut DbConnection,
    token_hash: &str,
    dossier_id: &str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::delete(rating_links::table.filter(rating_links::dossier_id.eq(dossier_id))).execute(conn)?;
    diesel::insert_into(rating_links::table)
        .values((
            rating_links::token_hash.eq(token_hash),
            rating_links::dossier_id.eq(dossier_id),
            rating_links::created_at.eq(created_at),
            rating_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The dossier a link's token (by its SHA-256, hex) rates, and until when.
pub fn link(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<(String, NaiveDateTime)>> {
    Ok(rating_links::table
        .find(token_hash)
        .select((rating_links::dossier_id, rating_links::expires_at))
        .first(conn)
        .optional()?)
}
