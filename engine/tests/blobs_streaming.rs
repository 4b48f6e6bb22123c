//! A 200 MB upload goes through staging, the filesystem store and a verified read with bounded memory.
//! Alone in its test binary so that the process's peak resident set (VmHWM) measures this test only.

use std::io::Read;

use motcua_engine::documents::blobs::{BlobStore, FsBlobStore, MediaType, UploadLimits};
use sha2::{Digest, Sha256};

const MIB: u64 = 1024 * 1024;

/// Peak resident set size of this process, in bytes.
fn vm_hwm() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM line");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("VmHWM value");
    kib * 1024
}

/// Deterministic filler that does not compress: xorshift64.
fn fill(chunk: &mut [u8], state: &mut u64) {
    for word in chunk.chunks_mut(8) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
    }
}

#[test]
fn a_200_mb_upload_streams_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path().join("blobs")).unwrap();
    let body_bytes = 200 * MIB;
    let before = vm_hwm();

    let mut stager = store.stager(UploadLimits { max_file_bytes: 256 * MIB }, "ho-so-quet.pdf").unwrap();
    let mut expected = Sha256::new();
    let mut send = |stager: &mut motcua_engine::documents::blobs::Stager, bytes: &[u8]| {
        expected.update(bytes);
        stager.write(bytes).unwrap();
    };
    send(&mut stager, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    let mut chunk = vec![0u8; 64 * 1024];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut sent = 0;
    while sent < body_bytes {
        fill(&mut chunk, &mut state);
        send(&mut stager, &chunk);
        sent += chunk.len() as u64;
    }
    send(&mut stager, b"\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n");
    let expected = hex::encode(expected.finalize());

    let staged = stager.finish().unwrap();
    assert_eq!(staged.media_type, MediaType::Pdf);
    assert_eq!(staged.sha256, expected);
    let blob = store.commit(staged).unwrap();
    assert!(blob.size > body_bytes);

    // Read back in chunks through the verifying reader.
    let mut reader = store.open(&blob.sha256).unwrap();
    let mut read_back = Sha256::new();
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        read_back.update(&chunk[..n]);
        total += n as u64;
    }
    assert_eq!(total, blob.size);
    assert_eq!(hex::encode(read_back.finalize()), expected);
    store.verify(&blob.sha256).unwrap();

    let after = vm_hwm();
    let growth = after.saturating_sub(before);
    eprintln!(
        "peak resident set: {:.1} MiB before, {:.1} MiB after, growth {:.1} MiB for a {} MiB blob",
        before as f64 / MIB as f64,
        after as f64 / MIB as f64,
        growth as f64 / MIB as f64,
        blob.size / MIB
    );
    assert!(growth < 40 * MIB, "peak memory grew by {growth} bytes");
}
