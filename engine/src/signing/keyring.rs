//! Where the signing keys are: a leader's personal certificate and each agency's seal (DESIGN.md §9), and the
//! trust anchors incoming signatures are checked against.
//!
//! The built-in keyring is a directory: `staff/<username>.p12` for leaders, `agencies/<agency id>.p12` for seals
//! (PKCS#12, one password for the directory), `trust/*.pem` for the trust anchors. A remote signing service
//! implements [`Keyring`] and hands out its own [`Signer`]s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use x509_cert::Certificate;

use super::error::SignError;
use super::signer::{BuiltInSigner, Signer};

/// Finds the signer for a leader's personal signature or an agency's seal; `None` when none is on file.
pub trait Keyring: Send + Sync {
    fn leader(&self, username: &str) -> Result<Option<Arc<dyn Signer>>, SignError>;
    fn seal(&self, agency_id: &str) -> Result<Option<Arc<dyn Signer>>, SignError>;
}

/// The keyring in a directory of PKCS#12 files.
pub struct DirectoryKeyring {
    dir: PathBuf,
    password: String,
}

impl DirectoryKeyring {
    pub fn new(dir: impl Into<PathBuf>, password: impl Into<String>) -> Self {
        DirectoryKeyring { dir: dir.into(), password: password.into() }
    }

    pub fn staff_file(dir: &Path, username: &str) -> PathBuf {
        dir.join("staff").join(format!("{}.p12", file_stem(username)))
    }

    pub fn agency_file(dir: &Path, agency_id: &str) -> PathBuf {
        dir.join("agencies").join(format!("{}.p12", file_stem(agency_id)))
    }

    pub fn trust_dir(dir: &Path) -> PathBuf {
        dir.join("trust")
    }

    fn load(&self, path: PathBuf) -> Result<Option<Arc<dyn Signer>>, SignError> {
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(Arc::new(BuiltInSigner::from_pkcs12(&bytes, &self.password)?))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every certificate in `trust/*.pem`, in file-name order.
    pub fn trust_anchors(&self) -> Result<Vec<Certificate>, SignError> {
        let dir = Self::trust_dir(&self.dir);
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        files.retain(|p| p.extension().is_some_and(|x| x == "pem"));
        files.sort();
        let mut anchors = Vec::new();
        for file in files {
            anchors.extend(super::certificates_from_pem(&std::fs::read_to_string(&file)?)?);
        }
        Ok(anchors)
    }
}

impl Keyring for DirectoryKeyring {
    fn leader(&self, username: &str) -> Result<Option<Arc<dyn Signer>>, SignError> {
        self.load(Self::staff_file(&self.dir, username))
    }

    fn seal(&self, agency_id: &str) -> Result<Option<Arc<dyn Signer>>, SignError> {
        self.load(Self::agency_file(&self.dir, agency_id))
    }
}

/// Usernames and agency ids as file names: anything but letters, digits, '.', '-' and '_' becomes '_'.
fn file_stem(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}
