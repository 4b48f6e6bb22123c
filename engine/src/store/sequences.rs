//! Gap-free sequences per agency: dossier codes per day (key `YYMMDD`), register entries per year
//! (`register-YYYY`) and paper numbers per form and year (`PBSHS-YYYY`, …). Allocated inside the transaction of
//! the change that needs them (the row stays locked until it commits, and a rollback rolls the number back).

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::{DbConnection, StoreResult};

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = Integer)]
    last: i32,
}

pub fn next(conn: &mut DbConnection, agency: &str, day: &str) -> StoreResult<u32> {
    let row: Last = diesel::sql_query(
        "INSERT INTO code_sequences (agency_id, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (agency_id, day) DO UPDATE SET last = code_sequences.last + 1 RETURNING last",
    )
    .bind::<Text, _>(agency)
    .bind::<Text, _>(day)
    .get_result(conn)?;
    Ok(row.last as u32)
}
