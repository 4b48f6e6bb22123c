//! Who is calling: a staff member with roles per agency, a citizen or business signed in with the national
//! e-identity, or another system with scopes. What each may do is `policy`'s to say.

use serde::{Deserialize, Serialize};

use super::actor::Actor;
use super::procedure::Role;

/// A signed-in staff member with their roles per agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffIdentity {
    pub id: String,
    pub username: String,
    pub full_name: String,
    /// (agency electronic id, role).
    pub roles: Vec<(String, Role)>,
    /// The account's token generation when this identity was read: access tokens carry it, and one of an
    /// earlier generation (signed out since, new password) is refused.
    #[serde(default)]
    pub token_generation: i32,
}

impl StaffIdentity {
    /// Agencies where the staff member holds any role.
    pub fn agencies(&self) -> Vec<String> {
        let mut agencies: Vec<String> = self.roles.iter().map(|(a, _)| a.clone()).collect();
        agencies.sort();
        agencies.dedup();
        agencies
    }

    /// Holds `role` in `agency`: a fact about the person, not a permission (see `policy`).
    pub fn holds(&self, agency: &str, role: Role) -> bool {
        self.roles.iter().any(|(a, r)| a == agency && *r == role)
    }

    pub fn holds_anywhere(&self, role: Role) -> bool {
        self.roles.iter().any(|(_, r)| *r == role)
    }

    pub fn actor(&self, agency: &str, role: Role) -> Actor {
        Actor::Staff { id: self.id.clone(), name: self.full_name.clone(), role, agency: agency.to_string() }
    }
}

/// A citizen or business signed in with the national e-identity (personal id or tax code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CitizenIdentity {
    pub id_number: String,
    pub name: String,
    /// As the e-identity verified it, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<chrono::NaiveDate>,
}

/// An API client of another system (the national portal, another agency) with its scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceIdentity {
    pub name: String,
    pub scopes: Vec<String>,
}

impl ServiceIdentity {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Whoever calls a use case that several kinds of caller share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Staff(StaffIdentity),
    Citizen(CitizenIdentity),
    Service(ServiceIdentity),
}

impl Caller {
    /// How the caller is named in audit records and upload ownership.
    pub fn label(&self) -> String {
        match self {
            Caller::Staff(s) => format!("staff:{}", s.id),
            Caller::Citizen(c) => format!("citizen:{}", c.id_number),
            Caller::Service(s) => format!("service:{}", s.name),
        }
    }
}
