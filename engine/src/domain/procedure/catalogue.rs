//! The versioned catalogue: several versions of one procedure code coexist; a dossier is pinned to the
//! version it was submitted under.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::model::{Level, Procedure};

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    by_code: BTreeMap<String, BTreeMap<u32, Arc<Procedure>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("procedure {code} version {version} is defined twice")]
    DuplicateVersion { code: String, version: u32 },
}

impl Catalogue {
    pub fn insert(&mut self, procedure: Procedure) -> Result<Arc<Procedure>, CatalogueError> {
        let versions = self.by_code.entry(procedure.code.clone()).or_default();
        if versions.contains_key(&procedure.version) {
            return Err(CatalogueError::DuplicateVersion { code: procedure.code, version: procedure.version });
        }
        let procedure = Arc::new(procedure);
        versions.insert(procedure.version, procedure.clone());
        Ok(procedure)
    }

    /// The highest version of a code.
    pub fn current(&self, code: &str) -> Option<&Arc<Procedure>> {
        self.by_code.get(code)?.values().next_back()
    }

    pub fn version(&self, code: &str, version: u32) -> Option<&Arc<Procedure>> {
        self.by_code.get(code)?.get(&version)
    }

    pub fn versions(&self, code: &str) -> impl Iterator<Item = &Arc<Procedure>> {
        self.by_code.get(code).into_iter().flat_map(|v| v.values())
    }

    /// Current versions, ordered by code.
    pub fn current_all(&self) -> impl Iterator<Item = &Arc<Procedure>> {
        self.by_code.values().filter_map(|v| v.values().next_back())
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Current versions matching a free text (in code, name or field, case-insensitive), a field and a level.
    pub fn search(&self, text: Option<&str>, field: Option<&str>, level: Option<Level>) -> Vec<&Arc<Procedure>> {
        let needle = text.map(str::to_lowercase);
        self.current_all()
            .filter(|p| {
                needle.as_ref().is_none_or(|n| {
                    p.code.contains(n.as_str())
                        || p.name.to_lowercase().contains(n.as_str())
                        || p.field.to_lowercase().contains(n.as_str())
                })
            })
            .filter(|p| field.is_none_or(|f| p.field.to_lowercase() == f.to_lowercase()))
            .filter(|p| level.is_none_or(|l| p.level == l))
            .collect()
    }
}
