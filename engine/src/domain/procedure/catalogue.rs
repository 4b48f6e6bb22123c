//! The versioned catalogue: several versions of one procedure code coexist; a dossier is pinned to the
//! version it was submitted under.
//!
//! A running server publishes new versions (administration, `Catalogue::publish`) while requests read the
//! catalogue, so the versions sit behind a lock and readers get their own `Arc` of a version: one they hold
//! stays valid whatever is published meanwhile.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use super::model::{Level, Procedure};

type Versions = BTreeMap<String, BTreeMap<u32, Arc<Procedure>>>;

#[derive(Debug, Default)]
pub struct Catalogue {
    by_code: RwLock<Versions>,
}

impl Clone for Catalogue {
    fn clone(&self) -> Catalogue {
        Catalogue { by_code: RwLock::new(self.read().clone()) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("procedure {code} version {version} is defined twice")]
    DuplicateVersion { code: String, version: u32 },
}

impl Catalogue {
    fn read(&self) -> RwLockReadGuard<'_, Versions> {
        // A panic while publishing leaves the map as it was (the insert is the last step): keep serving it.
        self.by_code.read().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        versions.insert(procedure.version, procedure.clone());
        Ok(procedure)
    }

    /// What a bundle asks of the catalogue that it does not hold: each member defined, each paper the bundle maps
    /// to a member being a component of it, and each paper the member requires (and keeps) mapped from the bundle.
    pub fn bundle_problems(&self, bundle: &Procedure) -> Vec<String> {
        let mut problems = Vec::new();
        for member in &bundle.members {
            let Some(procedure) = self.current(&member.procedure) else {
                problems.push(format!("member {} is not defined in this catalogue", member.procedure));
                continue;
            };
            if procedure.is_bundle() {
                problems.push(format!("member {} is itself a bundle", member.procedure));
            }
            for theirs in member.components.keys().filter(|id| procedure.component(id).is_none()) {
                problems.push(format!("member {} has no component `{theirs}`", member.procedure));
            }
            let needed = procedure.components.iter().filter(|c| c.required && !c.in_person_only);
            for c in needed.filter(|c| !member.components.contains_key(&c.id)) {
                problems.push(format!(
                    "member {} requires `{}`: map it to a paper of the bundle under components",
                    member.procedure, c.id
                ));
            }
        }
        problems
    }

    /// The highest version of a code.
    pub fn current(&self, code: &str) -> Option<Arc<Procedure>> {
        self.read().get(code)?.values().next_back().cloned()
    }

    pub fn version(&self, code: &str, version: u32) -> Option<Arc<Procedure>> {
        self.read().get(code)?.get(&version).cloned()
    }

    /// Every version of a code, oldest first.
    pub fn versions(&self, code: &str) -> Vec<Arc<Procedure>> {
        self.read().get(code).map(|v| v.values().cloned().collect()).unwrap_or_default()
    }

    /// Current versions, ordered by code.
    pub fn current_all(&self) -> Vec<Arc<Procedure>> {
        self.read().values().filter_map(|v| v.values().next_back().cloned()).collect()
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Current versions matching a free text (in code, name or field; case and accents aside, so "ket hon"
    /// finds "Đăng ký kết hôn"), a field and a level.
    pub fn search(&self, text: Option<&str>, field: Option<&str>, level: Option<Level>) -> Vec<Arc<Procedure>> {
        let needle = text.map(crate::text::fold).filter(|n| !n.is_empty());
        self.current_all()
            .into_iter()
            .filter(|p| {
                needle.as_ref().is_none_or(|n| {
                    p.code.contains(n.as_str())
                        || crate::text::fold(&p.name).contains(n.as_str())
                        || crate::text::fold(&p.field).contains(n.as_str())
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

    /// Users type with or without accents, in any case.
    #[test]
    fn search_ignores_accents_and_case() {
        let catalogue = Catalogue::default();
        catalogue.publish(procedure(1)).unwrap();
        for text in ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký  khai sinh", "1.001193"] {
            assert_eq!(catalogue.search(Some(text), None, None).len(), 1, "{text}");
        }
        assert!(catalogue.search(Some("ket hon"), None, None).is_empty());
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
        assert_eq!(catalogue.versions("1.001193").len(), 39);
        assert!(matches!(catalogue.publish(procedure(5)), Err(CatalogueError::DuplicateVersion { .. })));
        let copy = catalogue.clone();
        assert_eq!(copy.version("1.001193", 7).unwrap().version, 7);
    }
}
