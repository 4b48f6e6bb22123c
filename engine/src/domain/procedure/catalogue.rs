//! The versioned catalogue: several versions of one procedure code coexist; a dossier is pinned to the
//! version it was submitted under.
//!
//! A running server publishes new versions (administration, `Catalogue::publish`) while requests read the
//! catalogue: versions sit behind a lock, each in its own box that is never removed or replaced, so a
//! reference handed out stays valid for as long as the catalogue lives.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use super::model::{Level, Procedure};

type Versions = BTreeMap<String, BTreeMap<u32, Box<Arc<Procedure>>>>;

#[derive(Debug, Default)]
pub struct Catalogue {
    by_code: RwLock<Versions>,
}

impl Clone for Catalogue {
    fn clone(&self) -> Catalogue {
        let copy = self
            .read()
            .iter()
            .map(|(code, versions)| (code.clone(), versions.iter().map(|(v, p)| (*v, p.clone())).collect()))
            .collect();
        Catalogue { by_code: RwLock::new(copy) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("procedure {code} version {version} is defined twice")]
    DuplicateVersion { code: String, version: u32 },
}

impl Catalogue {
    fn read(&self) -> RwLockReadGuard<'_, Versions> {
        self.by_code.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A reference to a stored version that outlives the read lock.
    fn keep<'a>(&'a self, entry: &Arc<Procedure>) -> &'a Arc<Procedure> {
        // `entry` points into one of the boxes of the map.
        let stable: *const Arc<Procedure> = entry;
        // SAFETY: every version lives in its own box, which `publish` only ever adds: no method removes or
        // replaces an entry (a version already present is refused) and the `Arc` is never mutated in place.
        // Moving the box within the map does not move its heap allocation, which is freed only when the
        // catalogue itself is dropped, which cannot happen while `&'a self` is borrowed.
        unsafe { &*stable }
    }

    pub fn insert(&mut self, procedure: Procedure) -> Result<Arc<Procedure>, CatalogueError> {
        self.publish(procedure)
    }

    /// Adds a version while others read the catalogue: dossiers created from now on use it if it is the
    /// highest; dossiers pinned to an older version keep theirs.
    pub fn publish(&self, procedure: Procedure) -> Result<Arc<Procedure>, CatalogueError> {
        let mut by_code = self.by_code.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let versions = by_code.entry(procedure.code.clone()).or_default();
        if versions.contains_key(&procedure.version) {
            return Err(CatalogueError::DuplicateVersion { code: procedure.code, version: procedure.version });
        }
        let procedure = Arc::new(procedure);
        versions.insert(procedure.version, Box::new(procedure.clone()));
        Ok(procedure)
    }

    /// The highest version of a code.
    pub fn current(&self, code: &str) -> Option<&Arc<Procedure>> {
        self.read().get(code)?.values().next_back().map(|p| self.keep(p))
    }

    pub fn version(&self, code: &str, version: u32) -> Option<&Arc<Procedure>> {
        self.read().get(code)?.get(&version).map(|p| self.keep(p))
    }

    pub fn versions(&self, code: &str) -> impl Iterator<Item = &Arc<Procedure>> {
        let all: Vec<&Arc<Procedure>> =
            self.read().get(code).into_iter().flat_map(|v| v.values()).map(|p| self.keep(p)).collect();
        all.into_iter()
    }

    /// Current versions, ordered by code.
    pub fn current_all(&self) -> impl Iterator<Item = &Arc<Procedure>> {
        let all: Vec<&Arc<Procedure>> =
            self.read().values().filter_map(|v| v.values().next_back()).map(|p| self.keep(p)).collect();
        all.into_iter()
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure(version: u32) -> Procedure {
        let text = include_str!("../../../../procedures/1.001193-birth-registration.toml");
        let registry = super::super::Registry::from_toml(include_str!("../../../../procedures/registry.toml")).unwrap();
        let mut p = super::super::parse_procedure("birth.toml", text, &registry).unwrap();
        p.version = version;
        p
    }

    /// A version published while a reference to another is held: both stay readable, the newest is current.
    #[test]
    fn publishing_while_reading_keeps_every_version() {
        let catalogue = Catalogue::default();
        catalogue.publish(procedure(1)).unwrap();
        let held = catalogue.current("1.001193").unwrap();
        for v in 2..40 {
            catalogue.publish(procedure(v)).unwrap();
        }
        assert_eq!(held.version, 1, "the reference taken before is intact");
        assert_eq!(catalogue.current("1.001193").unwrap().version, 39);
        assert_eq!(catalogue.versions("1.001193").count(), 39);
        assert!(matches!(catalogue.publish(procedure(5)), Err(CatalogueError::DuplicateVersion { .. })));
        let copy = catalogue.clone();
        assert_eq!(copy.version("1.001193", 7).unwrap().version, 7);
    }
}
