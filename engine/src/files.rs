//! Files only the service account may read (backups, restored databases and keys): folders 0700, files 0600,
//! made so from the start rather than narrowed afterwards, and synced so that what was written survives a crash.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Creates `dir` and its missing parents with mode 0700 (folders that exist keep theirs).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates a new file with mode 0600; fails if it exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Narrows an existing file or folder to its owner (0600 for files, 0700 for folders).
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if fs::metadata(path)?.is_dir() { 0o700 } else { 0o600 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Copies `from` into a new private file at `to` (its folder must exist), synced; answers the SHA-256 (lowercase
/// hex) and size of what was written.
pub fn copy_private(mut from: impl Read, to: &Path) -> io::Result<(String, u64)> {
    let mut file = create_private_file(to)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        file.write_all(&buf[..n])?;
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    file.sync_all()?;
    Ok((hex::encode(hasher.finalize()), size))
}

/// The SHA-256 (lowercase hex) of a file's content.
pub fn sha256_of(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Makes the entries of a folder durable (after files were created or renamed in it).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_and_folders_are_the_owners_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        super::create_private_dir_all(&dir).unwrap();
        let (sha256, size) = super::copy_private(&b"abc"[..], &dir.join("f")).unwrap();
        assert_eq!((sha256.as_str(), size), ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3));
        assert_eq!(super::sha256_of(&dir.join("f")).unwrap(), sha256);
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&root.path().join("a")), mode(&dir), mode(&dir.join("f"))), (0o700, 0o700, 0o600));
        assert!(super::copy_private(&b"x"[..], &dir.join("f")).is_err(), "an existing file is never overwritten");
    }
}
