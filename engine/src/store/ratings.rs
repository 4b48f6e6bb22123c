//! Service ratings (table `ratings`): one per dossier, given by its applicant once the result was returned.

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
    }
}

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
}

pub fn insert(conn: &mut DbConnection, rating: &Rating) -> StoreResult<()> {
    diesel::insert_into(ratings::table).values(rating).execute(conn)?;
    Ok(())
}

pub fn of_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Option<Rating>> {
    Ok(ratings::table.find(dossier_id).select(Rating::as_select()).first(conn).optional()?)
}
