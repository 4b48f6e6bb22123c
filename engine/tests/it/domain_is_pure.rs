//! The domain (engine/src/domain) does no IO and never reads the clock (DESIGN.md §2): checked on its source.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_domain_imports_no_io_and_reads_no_clock() {
    let forbidden = [
        "diesel",
        "actix",
        "tokio",
        "reqwest",
        "std::fs",
        "std::net",
        "std::time::SystemTime",
        "SystemTime::now",
        "Utc::now",
        "Local::now",
        "Instant::now",
        "std::env",
        "std::process",
    ];
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain"), &mut files);
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            assert!(!text.contains(word), "{} uses `{word}`", file.display());
        }
    }
}
