//! The rooms of DESIGN.md §2 and their arrows, checked on the source: the domain does no IO and never reads the
//! clock; the service speaks to the database only through the store and to outside systems only through the
//! ports; adapters, the store and the ports name nothing above them; nothing but the composition root names
//! the pages. Comment lines are not read (they may name anything).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file: its lines that are not comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Fails naming every file under `dir` (relative to the workspace) whose code holds a forbidden word, unless
/// the file is one of `allowed` (relative paths) for that word.
fn room(dir: &str, forbidden: &[&str], allowed: &[(&str, &str)]) {
    let mut files = Vec::new();
    rust_files(&root().join(dir), &mut files);
    assert!(!files.is_empty(), "{dir} has no sources");
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(root()).unwrap().display().to_string();
        let text = code(&file);
        for word in forbidden {
            let excused = allowed.iter().any(|(path, w)| relative.starts_with(path) && w == word);
            if text.contains(word) && !excused {
                found.push(format!("{relative} names `{word}`"));
            }
        }
    }
    assert!(found.is_empty(), "arrows running the wrong way:\n{}", found.join("\n"));
}

const IO: [&str; 13] = [
    "diesel",
    "actix",
    "tokio",
    "reqwest",
    "lettre",
    "std::fs",
    "std::net",
    "std::time::SystemTime",
    "SystemTime::now",
    "Utc::now",
    "Local::now",
    "Instant::now",
    "std::env",
];

#[test]
fn the_domain_imports_no_io_and_reads_no_clock() {
    let mut forbidden = IO.to_vec();
    forbidden.extend([
        "std::process",
        "crate::service",
        "crate::store",
        "crate::adapters",
        "crate::jobs",
        "crate::ports",
        "crate::wiring",
        "crate::documents",
        "crate::config",
    ]);
    room("engine/src/domain", &forbidden, &[]);
}

#[test]
fn the_service_reaches_the_database_through_the_store_and_outside_systems_through_ports() {
    // Every adapter but the PDF forms, which are rendered in process (an adapter of no outside system).
    let outside =
        ["http", "mail", "oidc", "outside", "payment", "population", "portal", "sms"].map(|a| format!("adapters::{a}"));
    let mut forbidden = vec!["diesel", "actix", "reqwest", "lettre", "crate::jobs", "crate::wiring"];
    forbidden.extend(outside.iter().map(String::as_str));
    room("engine/src/service", &forbidden, &[]);
}

#[test]
fn the_store_names_nothing_above_it() {
    room(
        "engine/src/store",
        &["crate::service", "crate::adapters", "crate::jobs", "crate::ports", "crate::wiring", "actix", "reqwest"],
        &[],
    );
}

#[test]
fn adapters_know_the_ports_and_the_domain_only() {
    room(
        "engine/src/adapters",
        &["crate::service", "crate::store", "crate::jobs", "crate::wiring", "crate::config", "diesel", "actix"],
        &[],
    );
}

#[test]
fn the_ports_are_declarations() {
    let mut forbidden = IO.to_vec();
    forbidden.extend(["crate::service", "crate::store", "crate::adapters", "crate::jobs", "crate::wiring"]);
    room("engine/src/ports", &forbidden, &[]);
}

#[test]
fn jobs_know_outside_systems_only_through_the_ports() {
    room("engine/src/jobs", &["crate::adapters", "crate::wiring", "reqwest", "lettre"], &[]);
}

#[test]
fn only_the_composition_root_names_the_pages_and_no_edge_opens_the_database() {
    room("api/src/http", &["motcua_ui"], &[("api/src/http/server.rs", "motcua_ui")]);
    room("api/src", &["diesel"], &[]);
    for edge in ["api/src/http", "ui/src"] {
        room(edge, &["diesel", "store::Db", "DbConnection", ".conn()"], &[]);
    }
}
