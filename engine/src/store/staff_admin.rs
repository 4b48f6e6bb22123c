//! The administrators' view of staff accounts: every account with its roles per agency and their posts.

use diesel::prelude::*;

use super::schema::{staff, staff_roles};
use super::staff::StaffRow;
use super::{DbConnection, StoreResult};

/// A role held in an agency, with its post.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct HeldRole {
    pub staff_id: String,
    pub agency_id: String,
    pub role: String,
    pub division: Option<String>,
    pub deputy: bool,
}

/// Every account (by username) with the roles it holds.
pub fn all_with_roles(conn: &mut DbConnection) -> StoreResult<Vec<(StaffRow, Vec<HeldRole>)>> {
    let people: Vec<StaffRow> = staff::table.order(staff::username).select(StaffRow::as_select()).load(conn)?;
    let roles: Vec<HeldRole> = staff_roles::table
        .order((staff_roles::staff_id, staff_roles::agency_id, staff_roles::role))
        .select((
            staff_roles::staff_id,
            staff_roles::agency_id,
            staff_roles::role,
            staff_roles::division,
            staff_roles::deputy,
        ))
        .load(conn)?;
    Ok(people
        .into_iter()
        .map(|person| {
            let held = roles.iter().filter(|r| r.staff_id == person.id).cloned().collect();
            (person, held)
        })
        .collect())
}
