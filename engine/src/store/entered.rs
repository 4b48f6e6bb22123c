//! Figures of the indicators held outside this system (table `entered_figures`), per agency and month, as an
//! administrator entered them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{DbConnection, StoreResult};

diesel::table! {
    entered_figures (agency_id, month, indicator) {
        agency_id -> Text,
        month -> Text,
        indicator -> Text,
        numerator -> BigInt,
        denominator -> BigInt,
        entered_by -> Text,
        entered_at -> Timestamp,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = entered_figures)]
pub struct EnteredFigure {
    pub agency_id: String,
    /// YYYY-MM.
    pub month: String,
    pub indicator: String,
    pub numerator: i64,
    pub denominator: i64,
    pub entered_by: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub entered_at: NaiveDateTime,
}

/// Stores `figure`, replacing what was entered for its agency, month and indicator.
pub fn upsert(conn: &mut DbConnection, figure: &EnteredFigure) -> StoreResult<()> {
    diesel::delete(
        entered_figures::table
            .filter(entered_figures::agency_id.eq(&figure.agency_id))
            .filter(entered_figures::month.eq(&figure.month))
            .filter(entered_figures::indicator.eq(&figure.indicator)),
    )
    .execute(conn)?;
    diesel::insert_into(entered_figures::table).values(figure).execute(conn)?;
    Ok(())
}

/// Per month (of `first` to `last`, YYYY-MM, both included) and indicator, the sums entered for `agencies`.
pub fn sums(
    conn: &mut DbConnection,
    agencies: &[String],
    first: &str,
    last: &str,
) -> StoreResult<Vec<(String, String, i64, i64)>> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    // PostgreSQL sums BIGINT as NUMERIC: cast back.
    let total = |column: &str| sql::<BigInt>(&format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"));
    macro_rules! on {
        ($c:expr) => {
            entered_figures::table
                .filter(entered_figures::agency_id.eq_any(agencies))
                .filter(entered_figures::month.ge(first).and(entered_figures::month.le(last)))
                .group_by((entered_figures::month, entered_figures::indicator))
                .select((entered_figures::month, entered_figures::indicator, total("numerator"), total("denominator")))
                .load::<(String, String, i64, i64)>($c)?
        };
    }
    let rows = match conn {
        DbConnection::Pg(c) => on!(c),
        DbConnection::Sqlite(c) => on!(c),
    };
    Ok(rows)
}
