//! Who acts on a dossier: staff with one role in one agency, the applicant, or the system itself.

use serde::{Deserialize, Serialize};

use super::procedure::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Actor {
    /// A staff member acting in one role for one agency (agency = its electronic id).
    Staff { id: String, name: String, role: Role, agency: String },
    /// The applicant (owner) identified by personal id, tax code or passport number.
    Citizen { id: String, name: String },
    /// An automated actor: the deadline sweeper, the payment platform callback, the national portal.
    System { name: String },
}

/// A staff member named as a recipient (an assignee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffRef {
    pub id: String,
    pub name: String,
}

impl Actor {
    pub fn name(&self) -> &str {
        match self {
            Actor::Staff { name, .. } | Actor::Citizen { name, .. } | Actor::System { name } => name,
        }
    }

    pub fn staff_role(&self) -> Option<(Role, &str)> {
        match self {
            Actor::Staff { role, agency, .. } => Some((*role, agency)),
            _ => None,
        }
    }

    pub fn staff_id(&self) -> Option<&str> {
        match self {
            Actor::Staff { id, .. } => Some(id),
            _ => None,
        }
    }
}
