//! Reception at the one-stop desk (counter or post): the clerk scans the papers handed in, and the dossier is
//! received with them. One use case, whatever page or client drives it.

use super::Reception;
use super::dossiers::Received;
use super::requests::{ComponentInput, NewDossier};
use super::{ServiceError, StaffIdentity};
use crate::domain::dossier::PaperForm;
use crate::domain::identity::Caller;

/// A paper scanned at the desk, as it was handed in.
#[derive(Debug, Clone)]
pub struct DeskScan {
    pub component: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub form: Option<PaperForm>,
    pub count: Option<u32>,
}

/// Why a reception at the desk did not happen, with what the clerk needs to show it against the right file.
#[derive(Debug)]
pub struct DeskRefusal {
    pub error: ServiceError,
    /// The components of the scans, in the order they were sent (a field error about `components[i]` is about
    /// the i-th of them).
    pub scanned: Vec<String>,
    /// The component whose scan could not be stored (too large, of a kind not taken).
    pub failed_scan: Option<String>,
}

impl Reception<'_> {
    /// Stores each scan as an upload of the clerk's, then receives the dossier with them (`input.components`
    /// gets one entry per scan, after those it already names). A scan that cannot be stored stops it before
    /// anything is received; unattached uploads are collected after their grace period.
    pub fn receive_at_desk(
        &self,
        clerk: &StaffIdentity,
        mut input: NewDossier,
        scans: Vec<DeskScan>,
    ) -> Result<Received, DeskRefusal> {
        let caller = Caller::Staff(clerk.clone());
        let mut scanned = Vec::new();
        for scan in scans {
            let upload = match self.papers().upload_bytes(&caller, &scan.file_name, &scan.bytes) {
                Ok(upload) => upload,
                Err(error) => return Err(DeskRefusal { error, scanned, failed_scan: Some(scan.component) }),
            };
            input.components.push(ComponentInput {
                id: scan.component.clone(),
                upload: Some(upload.id),
                repository_item: None,
                keep: true,
                form: scan.form,
                count: scan.count,
            });
            scanned.push(scan.component);
        }
        self.dossiers().receive(clerk, input, None).map_err(|error| DeskRefusal { error, scanned, failed_scan: None })
    }
}
