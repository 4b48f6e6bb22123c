//! The closed lists a definition is checked against: fields, repository paper types and agency kinds
//! (`procedures/registry.toml`).

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// Field (lĩnh vực) code as the national portal knows it -> name, e.g. `HOTICH` -> "Hộ tịch".
    pub fields: BTreeMap<String, String>,
    /// Paper type code -> name, e.g. `GKS` -> "Giấy khai sinh".
    pub paper_types: BTreeMap<String, String>,
    /// Agency kind -> name, e.g. `commune_police` -> "Công an xã, phường".
    pub agency_kinds: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("registry: {0}")]
pub struct RegistryError(pub String);

impl Registry {
    pub fn from_toml(text: &str) -> Result<Registry, RegistryError> {
        toml::from_str(text).map_err(|e| RegistryError(e.to_string().trim().replace('\n', " ")))
    }

    pub fn has_paper_type(&self, code: &str) -> bool {
        self.paper_types.contains_key(code)
    }

    pub fn field_name(&self, code: &str) -> Option<&str> {
        self.fields.get(code).map(String::as_str)
    }

    pub fn has_agency_kind(&self, kind: &str) -> bool {
        self.agency_kinds.contains_key(kind)
    }
}
