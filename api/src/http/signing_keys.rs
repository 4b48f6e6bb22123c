//! The keys access tokens are signed with (HS256), kept out of the database: a stolen database or backup must
//! not let anyone mint tokens. Rotation with overlap: a key file lists keys one per line, the first signs, every
//! one verifies, and each token names its key (`kid`); to rotate, put the new key first, keep the old one until
//! the last tokens it signed have expired (15 minutes), then remove it.
//!
//! Where the keys come from: `MOTCUA_JWT_KEY_FILE`; else `MOTCUA_JWT_SECRET` (one key); else `jwt.keys` in the
//! data directory, created (mode 0600) with a random key by the first process. Processes on several hosts must
//! be given the same file or secret.

use std::path::{Path, PathBuf};

use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

/// The shortest key accepted, in bytes (HS256 wants at least its hash's length).
pub const MIN_KEY_BYTES: usize = 32;

struct Key {
    id: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

pub struct JwtKeys {
    keys: Vec<Key>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("{0}: no key, or a key shorter than {MIN_KEY_BYTES} bytes")]
    Weak(String),
}

impl JwtKeys {
    /// Keys from their secrets, the first signing.
    pub fn from_secrets<S: AsRef<[u8]>>(secrets: &[S]) -> Result<JwtKeys, KeyError> {
        if secrets.is_empty() || secrets.iter().any(|s| s.as_ref().len() < MIN_KEY_BYTES) {
            return Err(KeyError::Weak("the keys".into()));
        }
        let keys = secrets
            .iter()
            .map(|secret| {
                let secret = secret.as_ref();
                Key {
                    id: hex::encode(&Sha256::digest(secret)[..8]),
                    encoding: EncodingKey::from_secret(secret),
                    decoding: DecodingKey::from_secret(secret),
                }
            })
            .collect();
        Ok(JwtKeys { keys })
    }

    /// The keys as configured (see the module's comment).
    pub fn load(data_dir: &Path) -> Result<JwtKeys, KeyError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(file) = var("MOTCUA_JWT_KEY_FILE") {
            return JwtKeys::from_file(Path::new(&file));
        }
        if let Some(secret) = var("MOTCUA_JWT_SECRET") {
            return JwtKeys::from_secrets(&[secret]).map_err(|_| KeyError::Weak("MOTCUA_JWT_SECRET".into()));
        }
        let file = data_dir.join("jwt.keys");
        let io = |error| KeyError::Io { path: file.clone(), error };
        motcua_engine::files::create_private_dir_all(data_dir).map_err(io)?;
        match motcua_engine::files::create_private_file(&file) {
            Ok(mut created) => {
                use std::io::Write;
                let key = motcua_engine::random::token(48);
                created.write_all(format!("{key}\n").as_bytes()).and_then(|()| created.sync_all()).map_err(io)?;
            }
            // Another process of this host made it first (or an earlier start did): use it.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
        JwtKeys::from_file(&file)
    }

    fn from_file(path: &Path) -> Result<JwtKeys, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|error| KeyError::Io { path: path.into(), error })?;
        let secrets: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        JwtKeys::from_secrets(&secrets).map_err(|_| KeyError::Weak(path.display().to_string()))
    }

    /// The key that signs, and its id.
    pub fn signing(&self) -> (&str, &EncodingKey) {
        let key = &self.keys[0];
        (&key.id, &key.encoding)
    }

    /// The key a token names; without a name, every key in turn.
    pub fn verifying(&self, id: Option<&str>) -> impl Iterator<Item = &DecodingKey> {
        self.keys.iter().filter(move |k| id.is_none_or(|id| k.id == id)).map(|k| &k.decoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_key_signs_every_key_verifies_and_short_keys_are_refused() {
        let (old, new) = ("o".repeat(32), "n".repeat(40));
        let keys = JwtKeys::from_secrets(&[&new, &old]).unwrap();
        let (id, _) = keys.signing();
        assert_eq!(keys.verifying(Some(id)).count(), 1);
        assert_eq!(keys.verifying(None).count(), 2);
        assert_eq!(keys.verifying(Some("unknown")).count(), 0);
        assert!(JwtKeys::from_secrets(&["short"]).is_err());
        assert!(JwtKeys::from_secrets::<&str>(&[]).is_err());
    }

    #[test]
    fn the_default_file_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = JwtKeys::load(dir.path()).unwrap();
        let second = JwtKeys::load(dir.path()).unwrap();
        assert_eq!(first.signing().0, second.signing().0, "the same key on the next start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt.keys")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
