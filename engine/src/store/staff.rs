//! Staff accounts and their roles per agency.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{staff, staff_roles};
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub created_at: chrono::NaiveDateTime,
    /// The work phone, printed on papers the applicant may call about (form 02).
    pub phone: Option<String>,
    /// Moved on to end every access token issued before (signing out, a new password, a removed role).
    pub token_generation: i32,
}

/// (agency id, role name) pairs.
pub type Roles = Vec<(String, String)>;

pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    username: &str,
    full_name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(staff::table)
        .values((
            staff::id.eq(id),
            staff::username.eq(username),
            staff::full_name.eq(full_name),
            staff::password_hash.eq(password_hash),
            staff::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn add_role(conn: &mut DbConnection, staff_id: &str, agency_id: &str, role: &str) -> StoreResult<()> {
    let exists = staff_roles::table.find((staff_id, agency_id, role)).count().get_result::<i64>(conn)? > 0;
    if !exists {
        diesel::insert_into(staff_roles::table)
            .values((
                staff_roles::staff_id.eq(staff_id),
                staff_roles::agency_id.eq(agency_id),
                staff_roles::role.eq(role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn by_username(conn: &mut DbConnection, username: &str) -> StoreResult<Option<StaffRow>> {
    Ok(staff::table.filter(staff::username.eq(username)).select(StaffRow::as_select()).first(conn).optional()?)
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Option<StaffRow>> {
    Ok(staff::table.find(id).select(StaffRow::as_select()).first(conn).optional()?)
}

pub fn roles(conn: &mut DbConnection, staff_id: &str) -> StoreResult<Roles> {
    Ok(staff_roles::table
        .filter(staff_roles::staff_id.eq(staff_id))
        .order((staff_roles::agency_id, staff_roles::role))
        .select((staff_roles::agency_id, staff_roles::role))
        .load(conn)?)
}

/// A new password ends the tokens issued under the old one.
pub fn set_password(conn: &mut DbConnection, id: &str, password_hash: &str) -> StoreResult<()> {
    diesel::update(staff::table.find(id))
        .set((staff::password_hash.eq(password_hash), staff::token_generation.eq(staff::token_generation + 1)))
        .execute(conn)?;
    Ok(())
}

/// Ends every access token issued to the account so far.
pub fn next_token_generation(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::update(staff::table.find(id)).set(staff::token_generation.eq(staff::token_generation + 1)).execute(conn)?;
    Ok(())
}

/// The token generation of an account; `None` when there is no such account (any more).
pub fn token_generation(conn: &mut DbConnection, id: &str) -> StoreResult<Option<i32>> {
    Ok(staff::table.find(id).select(staff::token_generation).first(conn).optional()?)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(staff::table.count().get_result(conn)?)
}

/// (id, full name) of the given people that exist, in id order.
pub fn names(conn: &mut DbConnection, ids: &[&str]) -> StoreResult<Vec<(String, String)>> {
    Ok(staff::table.filter(staff::id.eq_any(ids)).order(staff::id).select((staff::id, staff::full_name)).load(conn)?)
}

/// The first staff member (by username) holding `role` in an agency, e.g. the leader a draft is made out for.
pub fn with_role(conn: &mut DbConnection, agency_id: &str, role: &str) -> StoreResult<Option<StaffRow>> {
    Ok(staff::table
        .inner_join(staff_roles::table.on(staff_roles::staff_id.eq(staff::id)))
        .filter(staff_roles::agency_id.eq(agency_id).and(staff_roles::role.eq(role)))
        .order(staff::username)
        .select(StaffRow::as_select())
        .first(conn)
        .optional()?)
}

/// Everyone holding `role` in an agency, by name: (id, full name).
pub fn holding(conn: &mut DbConnection, agency_id: &str, role: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(staff::table
        .inner_join(staff_roles::table.on(staff_roles::staff_id.eq(staff::id)))
        .filter(staff_roles::agency_id.eq(agency_id).and(staff_roles::role.eq(role)))
        .order(staff::full_name)
        .select((staff::id, staff::full_name))
        .load(conn)?)
}

/// Where a person holds a role: the division (phòng, bộ phận) of the agency, and whether as a deputy.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct PostRow {
    pub staff_id: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub agency_id: String,
    pub role: String,
    pub division: Option<String>,
    pub deputy: bool,
}

/// The posts of the given people, in every agency and role.
pub fn posts_of(conn: &mut DbConnection, staff_ids: &[&str]) -> StoreResult<Vec<PostRow>> {
    Ok(staff_roles::table
        .inner_join(staff::table.on(staff::id.eq(staff_roles::staff_id)))
        .filter(staff_roles::staff_id.eq_any(staff_ids))
        .select((
            staff_roles::staff_id,
            staff::full_name,
            staff::phone,
            staff_roles::agency_id,
            staff_roles::role,
            staff_roles::division,
            staff_roles::deputy,
        ))
        .load(conn)?)
}

/// Sets the division and deputy flag of a role a person holds; false when they do not hold it.
pub fn set_post(
    conn: &mut DbConnection,
    staff_id: &str,
    agency_id: &str,
    role: &str,
    division: Option<&str>,
    deputy: bool,
) -> StoreResult<bool> {
    let changed = diesel::update(staff_roles::table.find((staff_id, agency_id, role)))
        .set((staff_roles::division.eq(division), staff_roles::deputy.eq(deputy)))
        .execute(conn)?;
    Ok(changed == 1)
}

pub fn set_phone(conn: &mut DbConnection, staff_id: &str, phone: Option<&str>) -> StoreResult<()> {
    diesel::update(staff::table.find(staff_id)).set(staff::phone.eq(phone)).execute(conn)?;
    Ok(())
}
