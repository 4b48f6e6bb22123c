//! Reads a folder of procedure definitions (`procedures/`): the registry and every `*.toml` beside it.
//! This is the file-system edge of the pure parser in `domain::procedure`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::procedure::{Catalogue, Problem, Procedure, Registry, parse_procedure};

pub const REGISTRY_FILE: &str = "registry.toml";

/// The outcome for one definition file.
#[derive(Debug)]
pub struct FileReport {
    pub file: String,
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

/// Loads every definition of `dir`, in file-name order. Invalid files are reported, not fatal; a
/// (code, version) defined twice is a problem of the later file. Bundles are checked, and added, once every
/// other procedure is in: their members must be defined.
pub fn load_dir(dir: &Path) -> Result<LoadedDefinitions, LoadError> {
    let registry_path = dir.join(REGISTRY_FILE);
    let registry = Registry::from_toml(&read(&registry_path)?)
        .map_err(|e| LoadError::Registry { path: registry_path.clone(), message: e.to_string() })?;
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.file_name().is_some_and(|n| n != REGISTRY_FILE))
        .collect();
    files.sort();
    let mut catalogue = Catalogue::default();
    let mut parsed = Vec::with_capacity(files.len());
    for path in files {
        let file = path.display().to_string();
        let outcome = parse_procedure(&file, &read(&path)?, &registry);
        parsed.push((file, outcome));
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
        for (i, (file, outcome)) in parsed.iter().enumerate() {
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
        .map(|((file, _), outcome)| FileReport { file, outcome: outcome.expect("every file had its turn") })
        .collect();
    Ok(LoadedDefinitions { registry, catalogue, reports })
}
