//! Reception at the one-stop desk (counter or post): the clerk scans the papers handed in, and the dossier is
//! received with them. One use case, whatever page or client drives it.

use super::Reception;
use super::dossiers::Received;
use super::requests::{ComponentInput, NewDossier};
use super::{ServiceError, StaffIdentity};
use crate::domain::dossier::PaperForm;
use crate::domain::identity::Caller;
use crate::store::uploads::Upload;

/// A paper scanned at the desk, as it was handed in: its scan is already held as an upload of the clerk's
/// ([`Reception::hold_scan`]), read in the background while she goes on, and kept if the form is refused.
#[derive(Debug, Clone)]
pub struct DeskScan {
    pub component: String,
    pub upload: String,
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
}

impl Reception<'_> {
    /// Holds a scan as an upload of the clerk's (its reading is queued with it). Held scans not received are
    /// collected after their grace period.
    pub fn hold_scan(&self, clerk: &StaffIdentity, file_name: &str, bytes: &[u8]) -> Result<Upload, ServiceError> {
        self.papers().upload_bytes(&Caller::Staff(clerk.clone()), file_name, bytes)
    }

    /// Receives the dossier with the held scans (`input.components` gets one entry per scan, after those it
    /// already names).
    pub fn receive_at_desk(
        &self,
        clerk: &StaffIdentity,
        mut input: NewDossier,
        scans: Vec<DeskScan>,
    ) -> Result<Received, DeskRefusal> {
        let mut scanned = Vec::new();
        for scan in scans {
            input.components.push(ComponentInput {
                id: scan.component.clone(),
                upload: Some(scan.upload),
                repository_item: None,
                keep: true,
                form: scan.form,
                count: scan.count,
            });
            scanned.push(scan.component);
        }
        self.dossiers().receive(clerk, input, None).map_err(|error| DeskRefusal { error, scanned })
    }
}
