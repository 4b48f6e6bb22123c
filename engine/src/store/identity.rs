//! Signing in from outside: service accounts (client credentials), OpenID Connect sign-ins in progress, and
//! the dossiers a signed-in citizen reads: their own.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{dossiers, service_accounts, sign_in_attempts};
use super::{DbConnection, StoreResult, to_db};
use crate::domain::dossier::Dossier;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccount {
    pub client_id: String,
    pub name: String,
    #[serde(skip)]
    pub secret_hash: String,
    /// Space-separated.
    pub scopes: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub created_at: NaiveDateTime,
    pub disabled: bool,
}

impl ServiceAccount {
    pub fn scope_list(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_string).collect()
    }
}

pub fn insert_account(conn: &mut DbConnection, account: &ServiceAccount) -> StoreResult<()> {
    diesel::insert_into(service_accounts::table).values(account).execute(conn)?;
    Ok(())
}

pub fn account(conn: &mut DbConnection, client_id: &str) -> StoreResult<Option<ServiceAccount>> {
    Ok(service_accounts::table.find(client_id).select(ServiceAccount::as_select()).first(conn).optional()?)
}

/// A service account by its name (names are unique: tokens carry the name).
pub fn account_named(conn: &mut DbConnection, name: &str) -> StoreResult<Option<ServiceAccount>> {
    Ok(service_accounts::table.filter(service_accounts::name.eq(name)).first(conn).optional()?)
}

pub fn accounts(conn: &mut DbConnection) -> StoreResult<Vec<ServiceAccount>> {
    Ok(service_accounts::table.order(service_accounts::client_id).select(ServiceAccount::as_select()).load(conn)?)
}

/// False when there is no such account.
pub fn set_disabled(conn: &mut DbConnection, client_id: &str, disabled: bool) -> StoreResult<bool> {
    let updated = diesel::update(service_accounts::table.find(client_id))
        .set(service_accounts::disabled.eq(disabled))
        .execute(conn)?;
    Ok(updated == 1)
}

/// An OpenID Connect sign-in between the redirect to the provider and its callback.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sign_in_attempts)]
pub struct SignInAttempt {
    pub state: String,
    pub code_verifier: String,
    pub nonce: String,
    pub return_to: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_attempt(conn: &mut DbConnection, attempt: &SignInAttempt) -> StoreResult<()> {
    diesel::insert_into(sign_in_attempts::table).values(attempt).execute(conn)?;
    Ok(())
}

/// Takes an attempt out: the first caller gets it, any later one (a replayed callback) gets `None`.
pub fn take_attempt(conn: &mut DbConnection, state: &str) -> StoreResult<Option<SignInAttempt>> {
    let found: Option<SignInAttempt> =
        sign_in_attempts::table.find(state).select(SignInAttempt::as_select()).first(conn).optional()?;
    if found.is_none() {
        return Ok(None);
    }
    let deleted = diesel::delete(sign_in_attempts::table.find(state)).execute(conn)?;
    Ok(found.filter(|_| deleted == 1))
}

/// Forgets sign-ins abandoned before `cutoff`.
pub fn delete_attempts_before(conn: &mut DbConnection, cutoff: DateTime<Utc>) -> StoreResult<usize> {
    Ok(diesel::delete(sign_in_attempts::table.filter(sign_in_attempts::created_at.lt(to_db(cutoff)))).execute(conn)?)
}

/// Keyset position in an applicant's list (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantCursor {
    pub submitted_at: NaiveDateTime,
    pub id: String,
}

/// The dossiers whose applicant holds `id_number`, newest first.
pub fn dossiers_of_applicant(
    conn: &mut DbConnection,
    id_number: &str,
    after: Option<&ApplicantCursor>,
    limit: i64,
) -> StoreResult<Vec<Dossier>> {
    let states: Vec<super::dossiers::StoredState> = applicant_query(id_number, after, limit).load(conn)?;
    states.iter().map(super::dossiers::decode).collect()
}

/// PostgreSQL's plan for a page of an applicant's dossiers, for the index checks.
pub fn explain_dossiers_of_applicant(
    conn: &mut DbConnection,
    id_number: &str,
    after: Option<&ApplicantCursor>,
) -> StoreResult<String> {
    super::plans::explain(conn, applicant_query(id_number, after, 20))
}

fn applicant_query(
    id_number: &str,
    after: Option<&ApplicantCursor>,
    limit: i64,
) -> diesel::dsl::Limit<
    diesel::dsl::Select<dossiers::BoxedQuery<'static, super::MultiBackend>, (dossiers::state, dossiers::packed)>,
> {
    let mut query = dossiers::table
        .filter(dossiers::applicant_id.eq(id_number.to_string()))
        .order((dossiers::submitted_at.desc(), dossiers::id.desc()))
        .into_boxed();
    if let Some(cursor) = after {
        // The leading `<=` lets the index on (applicant_id, submitted_at, id) seek to the cursor.
        query = query.filter(
            dossiers::submitted_at
                .le(cursor.submitted_at)
                .and(dossiers::submitted_at.lt(cursor.submitted_at).or(dossiers::id.lt(cursor.id.clone()))),
        );
    }
    query.select(super::dossiers::STATE).limit(limit)
}
