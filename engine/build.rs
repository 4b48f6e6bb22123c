//! Builds the default procedure definitions (`procedures/`) into the engine, so that `motcua` runs from any
//! directory; `MOTCUA_PROCEDURES` names a folder to use instead.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures");
    // A directory is scanned whole: a file added, changed or removed builds again.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the procedures folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("/// The definitions built in: (file name, text), in file-name order.\n");
    out.push_str("pub const BUILT_IN: &[(&str, &str)] = &[\n");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a file name in UTF-8");
        let full = path.canonicalize().expect("a readable file");
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", full.display().to_string()));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("built_in_procedures.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
