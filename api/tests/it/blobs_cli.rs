//! `motcua blobs verify` on a filesystem store: clean, then with a corrupted blob.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use motcua_engine::documents::blobs::{BlobStore, FsBlobStore, UploadLimits};

fn verify(data_dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["blobs", "verify"])
        .env("MOTCUA_DATA_DIR", data_dir)
        .env("DATABASE_URL", format!("sqlite://{}/motcua.db", data_dir.display()))
        .env("MOTCUA_PROCEDURES", concat!(env!("CARGO_MANIFEST_DIR"), "/../procedures"))
        .env_remove("MOTCUA_BLOBS")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn blobs_verify_finds_a_corrupted_blob() {
    let data_dir = std::env::temp_dir().join(format!("motcua-cli-blobs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let store = FsBlobStore::new(data_dir.join("blobs")).unwrap();
    let commit = |bytes: &[u8]| {
        let mut stager = store.stager(UploadLimits::default(), "giay-to.pdf").unwrap();
        stager.write(bytes).unwrap();
        store.commit(stager.finish().unwrap()).unwrap()
    };
    commit(b"%PDF-1.4\n% one\n%%EOF\n");
    let victim = commit(b"%PDF-1.4\n% two\n%%EOF\n");

    let (code, out) = verify(&data_dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 blob(s) checked") && out.contains("0 corrupt"), "{out}");

    let mut file = std::fs::OpenOptions::new().read(true).write(true).open(store.path_of(&victim.sha256)).unwrap();
    let mut byte = [0u8];
    file.seek(SeekFrom::Start(12)).unwrap();
    file.read_exact(&mut byte).unwrap();
    file.seek(SeekFrom::Start(12)).unwrap();
    file.write_all(&[byte[0] ^ 0x20]).unwrap();
    drop(file);

    let (code, out) = verify(&data_dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("CORRUPT {}", victim.sha256)), "{out}");
    assert!(out.contains("2 blob(s) checked") && out.contains("1 corrupt"), "{out}");
    std::fs::remove_dir_all(&data_dir).unwrap();
}
