//! Published procedure versions, kept so that a dossier's pinned version can always be read again.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::procedures;
use super::{DbConnection, StoreError, StoreResult, to_db};

pub struct StoredProcedure {
    pub code: String,
    pub version: i32,
    pub source: String,
}

/// Records a loaded definition. A version already stored with other content is an error: a published
/// version never changes (publish a new version instead).
pub fn record(
    conn: &mut DbConnection,
    code: &str,
    version: u32,
    name: &str,
    source: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let hash = hex::encode(Sha256::digest(source.as_bytes()));
    let stored: Option<String> =
        procedures::table.find((code, version as i32)).select(procedures::source_hash).first(conn).optional()?;
    match stored {
        Some(existing) if existing == hash => Ok(()),
        Some(_) => Err(StoreError::Setup(format!(
            "procedure {code} version {version} was published with other content; give the changed definition a new version"
        ))),
        None => {
            diesel::insert_into(procedures::table)
                .values((
                    procedures::code.eq(code),
                    procedures::version.eq(version as i32),
                    procedures::name.eq(name),
                    procedures::source.eq(source),
                    procedures::source_hash.eq(hash),
                    procedures::loaded_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            Ok(())
        }
    }
}

pub fn all(conn: &mut DbConnection) -> StoreResult<Vec<StoredProcedure>> {
    let rows: Vec<(String, i32, String)> = procedures::table
        .order((procedures::code, procedures::version))
        .select((procedures::code, procedures::version, procedures::source))
        .load(conn)?;
    Ok(rows.into_iter().map(|(code, version, source)| StoredProcedure { code, version, source }).collect())
}
