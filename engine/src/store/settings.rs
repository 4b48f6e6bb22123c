//! Small persistent settings (e.g. the JWT signing key generated on first start).

use diesel::prelude::*;

use super::schema::settings;
use super::{DbConnection, StoreResult};

pub fn get(conn: &mut DbConnection, key: &str) -> StoreResult<Option<String>> {
    Ok(settings::table.find(key).select(settings::value).first(conn).optional()?)
}

/// Stores `value` unless the key exists; returns the stored value (first writer wins across processes).
pub fn get_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> StoreResult<String> {
    diesel::sql_query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind::<diesel::sql_types::Text, _>(key)
        .bind::<diesel::sql_types::Text, _>(value)
        .execute(conn)?;
    Ok(get(conn, key)?.unwrap_or_else(|| value.to_string()))
}
