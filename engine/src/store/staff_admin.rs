//! The administrators' view of staff accounts: every account with its roles per agency.

use diesel::prelude::*;

use super::schema::{staff, staff_roles};
use super::staff::{Roles, StaffRow};
use super::{DbConnection, StoreResult};

/// Every account (by username) with its (agency, role) pairs.
pub fn all_with_roles(conn: &mut DbConnection) -> StoreResult<Vec<(StaffRow, Roles)>> {
    let people: Vec<StaffRow> = staff::table.order(staff::username).select(StaffRow::as_select()).load(conn)?;
    let roles: Vec<(String, String, String)> = staff_roles::table
        .order((staff_roles::staff_id, staff_roles::agency_id, staff_roles::role))
        .select((staff_roles::staff_id, staff_roles::agency_id, staff_roles::role))
        .load(conn)?;
    Ok(people
        .into_iter()
        .map(|person| {
            let held = roles.iter().filter(|(id, _, _)| *id == person.id).map(|(_, a, r)| (a.clone(), r.clone()));
            let held = held.collect();
            (person, held)
        })
        .collect())
}
