//! Reads procedure definitions: a folder of them (`procedures/`: the registry and every `*.toml` beside it), or
//! the same files built into the binary ([`load_built_in`], the default). This is the file-system edge of the
//! pure parser in `domain::procedure`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::procedure::{Catalogue, Problem, Procedure, Registry, parse_procedure};

pub const REGISTRY_FILE: &str = "registry.toml";

mod built_in {
    include!(concat!(env!("OUT_DIR"), "/built_in_procedures.rs"));
}

/// How built-in files are named in reports: `built-in:1.001193-birth-registration.toml`.
pub const BUILT_IN_PREFIX: &str = "built-in:";

/// The outcome for one definition file, with its text (kept in the store beside each version).
#[derive(Debug)]
pub struct FileReport {
    pub file: String,
    pub source: String,
    pub outcome: Result<Arc<Procedure>, Vec<Problem>>,
}

#[derive(Debug)]
pub struct LoadedDefinitions {
    pub registry: Registry,
    pub catalogue: Catalogue,
    pub reports: Vec<FileReport>,
}

impl LoadedDefinitions {
    pub fn invalid_count(&self) -> usize {
        self.reports.iter().filter(|r| r.outcome.is_err()).count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    Registry { path: PathBuf, message: String },
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })
}

/// The registry built in.
pub fn built_in_registry() -> Registry {
    let (_, text) = built_in::BUILT_IN.iter().find(|(name, _)| *name == REGISTRY_FILE).expect("a built-in registry");
    Registry::from_toml(text).expect("the built-in registry is valid (checked by the tests)")
}

/// Loads the definitions built into the binary (`procedures/` as it was built), as [`load_dir`] loads a folder.
pub fn load_built_in() -> LoadedDefinitions {
    let files = built_in::BUILT_IN
        .iter()
        .filter(|(name, _)| *name != REGISTRY_FILE)
        .map(|(name, text)| (format!("{BUILT_IN_PREFIX}{name}"), text.to_string()))
        .collect();
    load(built_in_registry(), files)
}

/// Loads every definition of `dir`, in file-name order. Invalid files are reported, not fatal; a
/// (code, version) defined twice is a problem of the later file. Bundles are checked, and added, once every
/// other procedure is in: their members must be defined.
pub fn load_dir(dir: &Path) -> Result<LoadedDefinitions, LoadError> {
    let registry_path = dir.join(REGISTRY_FILE);
    let registry = Registry::from_toml(&read(&registry_path)?)
        .map_err(|e| LoadError::Registry { path: registry_path.clone(), message: e.to_string() })?;
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.file_name().is_some_and(|n| n != REGISTRY_FILE))
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push((path.display().to_string(), read(&path)?));
    }
    Ok(load(registry, files))
}

/// Parses `files` (name, text) against `registry` into a catalogue: see [`load_dir`].
fn load(registry: Registry, files: Vec<(String, String)>) -> LoadedDefinitions {
    let mut catalogue = Catalogue::default();
    let mut parsed = Vec::with_capacity(files.len());
    for (file, text) in files {
        let outcome = parse_procedure(&file, &text, &registry);
        parsed.push((file, text, outcome));
    }
    let problem = |file: &str, path: &str, rule: &'static str, message: String| Problem {
        file: file.to_string(),
        position: None,
        path: path.into(),
        rule,
        message,
    };
    let mut outcomes: Vec<Option<Result<Arc<Procedure>, Vec<Problem>>>> = vec![None; parsed.len()];
    for bundles in [false, true] {
        for (i, (file, _, outcome)) in parsed.iter().enumerate() {
            let outcome = match outcome {
                Ok(p) if p.is_bundle() != bundles => continue,
                Ok(procedure) => {
                    let problems = catalogue.bundle_problems(procedure);
                    if problems.is_empty() {
                        catalogue
                            .insert(procedure.clone())
                            .map_err(|e| vec![problem(file, "version", "duplicate_version", e.to_string())])
                    } else {
                        Err(problems.into_iter().map(|m| problem(file, "member", "bundle_member", m)).collect())
                    }
                }
                Err(problems) if !bundles => Err(problems.clone()),
                Err(_) => continue,
            };
            outcomes[i] = Some(outcome);
        }
    }
    let reports = parsed
        .into_iter()
        .zip(outcomes)
        .map(|((file, source, _), outcome)| FileReport {
            file,
            source,
            outcome: outcome.expect("every file had its turn"),
        })
        .collect();
    LoadedDefinitions { registry, catalogue, reports }
}

/// Checks one definition, as an administrator would publish it: against the built-in registry, its bundle members
/// against the built-in catalogue, and refused when the built-in definitions hold its (code, version) already.
pub fn check_file(file: &str, text: &str) -> FileReport {
    let built_in = load_built_in();
    let problem = |path: &str, rule: &'static str, message: String| Problem {
        file: file.to_string(),
        position: None,
        path: path.into(),
        rule,
        message,
    };
    let outcome = parse_procedure(file, text, &built_in.registry).and_then(|procedure| {
        if built_in.catalogue.version(&procedure.code, procedure.version).is_some() {
            let message =
                format!("{} v{} is built in already: give it a new version", procedure.code, procedure.version);
            return Err(vec![problem("version", "duplicate_version", message)]);
        }
        let members = built_in.catalogue.bundle_problems(&procedure);
        if members.is_empty() {
            Ok(Arc::new(procedure))
        } else {
            Err(members.into_iter().map(|m| problem("member", "bundle_member", m)).collect())
        }
    });
    FileReport { file: file.to_string(), source: text.to_string(), outcome }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_definitions_are_the_procedures_folder_and_all_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures");
        let from_dir = load_dir(&dir).unwrap();
        let built_in = load_built_in();
        assert_eq!(built_in.reports.len(), from_dir.reports.len());
        assert_eq!(built_in.invalid_count(), 0);
        for (a, b) in built_in.reports.iter().zip(&from_dir.reports) {
            assert_eq!(a.source, b.source, "{}", a.file);
            assert!(a.file.starts_with(BUILT_IN_PREFIX));
        }
    }

    #[test]
    fn one_file_is_checked_against_the_built_in_registry_and_catalogue() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures");
        let birth = std::fs::read_to_string(dir.join("1.001193-birth-registration.toml")).unwrap();
        let refused = check_file("same.toml", &birth).outcome.unwrap_err();
        assert_eq!(refused[0].rule, "duplicate_version", "{refused:?}");
        let version = birth.lines().find(|l| l.starts_with("version")).unwrap();
        let next = birth.replacen(version, "version = 99", 1);
        let checked = check_file("next.toml", &next).outcome.unwrap();
        assert_eq!((checked.code.as_str(), checked.version), ("1.001193", 99));
        let broken = next.replacen("name = \"Đăng ký khai sinh\"", "name = 7", 1);
        assert!(check_file("broken.toml", &broken).outcome.is_err());
    }
}
