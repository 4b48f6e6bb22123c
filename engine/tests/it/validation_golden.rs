//! Golden tests of the definition checker's messages: every problem of a file, each with its place.
//! Regenerate an expectation with `UPDATE_GOLDEN=1 cargo test -p motcua-engine --test validation_golden`.

use std::path::Path;

use motcua_engine::definitions::load_dir;
use motcua_engine::domain::procedure::{Registry, parse_procedure};

fn check_golden(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let registry = Registry::from_toml(&std::fs::read_to_string(dir.join("registry.toml")).unwrap()).unwrap();
    let text = std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap();
    let problems = parse_procedure(&format!("{name}.toml"), &text, &registry).expect_err("the file is broken");
    let report: String = problems.iter().map(|p| format!("{p}\n")).collect();
    let expected_path = dir.join(format!("{name}.expected"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected_path, &report).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(report, expected, "report of {name}.toml differs from {name}.expected");
}

#[test]
fn every_flow_rule_is_reported_at_its_line() {
    check_golden("broken-flow");
}

#[test]
fn unreadable_steps_and_values_are_reported_together() {
    check_golden("broken-steps");
}

#[test]
fn syntax_errors_name_the_line() {
    check_golden("syntax-error");
}

#[test]
fn the_shipped_catalogue_is_valid_and_large_enough() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures");
    let loaded = load_dir(&dir).unwrap();
    for report in &loaded.reports {
        if let Err(problems) = &report.outcome {
            panic!(
                "{} is invalid:\n{}",
                report.file,
                problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
            );
        }
    }
    assert!(loaded.catalogue.len() >= 10, "only {} procedures", loaded.catalogue.len());
    let levels: std::collections::BTreeSet<_> = loaded.catalogue.current_all().iter().map(|p| p.level).collect();
    assert!(levels.len() >= 2, "commune and province-level procedures");
    assert!(
        loaded.catalogue.current_all().iter().any(|p| p.steps.iter().any(|s| s.agency_kind.is_some())),
        "inter-agency bundles"
    );
}

#[test]
fn versions_coexist_and_the_catalogue_answers_current_and_n() {
    let dir = tempdir();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures");
    std::fs::copy(source.join("registry.toml"), dir.join("registry.toml")).unwrap();
    let birth = std::fs::read_to_string(source.join("1.001193-birth-registration.toml")).unwrap();
    std::fs::write(dir.join("a.toml"), &birth).unwrap();
    let next = birth.replacen("version = 2", "version = 3", 1).replacen(
        "name = \"Đăng ký khai sinh\"",
        "name = \"Đăng ký khai sinh (v3)\"",
        1,
    );
    std::fs::write(dir.join("b.toml"), next).unwrap();
    std::fs::write(dir.join("c.toml"), &birth).unwrap();
    let loaded = load_dir(&dir).unwrap();
    assert_eq!(loaded.catalogue.current("1.001193").unwrap().version, 3);
    assert_eq!(loaded.catalogue.version("1.001193", 2).unwrap().name, "Đăng ký khai sinh");
    assert_eq!(loaded.catalogue.versions("1.001193").len(), 2);
    let duplicate = loaded.reports.iter().find(|r| r.file.ends_with("c.toml")).unwrap();
    let problems = duplicate.outcome.as_ref().unwrap_err();
    assert_eq!(problems[0].rule, "duplicate_version");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-catalogue-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
