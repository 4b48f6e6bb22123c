//! Helpers the engine's PDF tests share: running the outside checkers (poppler, openssl) and reading DER.

use std::process::Command;

/// Runs a checker; answers whether it succeeded and what it printed (stdout then stderr).
pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?} ({e}): install poppler-utils and openssl"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

pub fn assert_contains(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
}

/// The length of the DER value starting at `bytes[0]`, header included.
pub fn der_len(bytes: &[u8]) -> usize {
    let first = bytes[1] as usize;
    if first < 0x80 {
        return 2 + first;
    }
    let n = first & 0x7f;
    2 + n + bytes[2..2 + n].iter().fold(0usize, |acc, &b| acc << 8 | b as usize)
}
