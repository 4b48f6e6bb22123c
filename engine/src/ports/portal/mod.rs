//! The national public service portal (DVCQG) as the use cases see it: the status message it is sent (through
//! the outbox), its view of a dossier, and its procedure catalogue.

pub mod message;
pub mod petition;

use serde::{Deserialize, Serialize};

use super::Failure;

/// The portal's view of one dossier, as it answers `GET /dossiers/{MaHoSo}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalView {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    #[serde(rename = "TrangThaiHoSo")]
    pub status: u8,
    #[serde(rename = "NgayHenTra")]
    pub due: Option<String>,
    #[serde(rename = "NgayTra")]
    pub returned: Option<String>,
    /// The sequence of the last message applied.
    #[serde(rename = "Sequence")]
    pub sequence: u64,
}

/// One procedure of the national catalogue, as the portal publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NationalProcedure {
    #[serde(rename = "MaTTHC")]
    pub code: String,
    #[serde(rename = "TenTTHC")]
    pub name: String,
    #[serde(rename = "MaLinhVuc")]
    pub field_code: String,
    #[serde(rename = "TenLinhVuc")]
    pub field: String,
    /// Processing time, counted in `time_unit` (0 working days: within the day).
    #[serde(rename = "ThoiHanGiaiQuyet")]
    pub time: u32,
    #[serde(rename = "DonViThoiHan")]
    pub time_unit: TimeUnit,
    #[serde(rename = "MucDoDVC")]
    pub online_level: message::OnlineLevel,
    #[serde(rename = "PhiLePhi", default)]
    pub fees: Vec<NationalFee>,
    #[serde(rename = "ThanhPhanHoSo", default)]
    pub components: Vec<String>,
}

/// What a national processing time is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeUnit {
    /// Working days (ngày làm việc).
    #[serde(rename = "NgayLamViec")]
    WorkingDays,
    /// Days as the Civil Code counts them (ngày).
    #[serde(rename = "Ngay")]
    Days,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NationalFee {
    #[serde(rename = "TenPhiLePhi")]
    pub name: String,
    #[serde(rename = "MucPhi")]
    pub amount: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the portal is unavailable: {0}")]
    Unavailable(String),
    #[error("the portal answered something unexpected: {0}")]
    Unexpected(String),
}

/// The calls made to the portal while someone waits (reconciliation, the catalogue comparison); status
/// messages otherwise go through the outbox.
pub trait NationalPortal: Send + Sync {
    /// The portal's view of a dossier; `None` when the portal has never heard of it.
    fn view(&self, code: &str) -> Result<Option<PortalView>, PortalError>;
    fn catalogue(&self) -> Result<Vec<NationalProcedure>, PortalError>;
    /// Sends one status message (`message::SyncMessage` as JSON) with the dossier's version as its sequence.
    fn sync_status(&self, key: &str, sequence: u64, message: &str) -> Result<(), Failure>;
}

/// The sequence of a status message: the dossier version its key ends with (`{dossier}:{version}[:…]`).
pub fn sequence_of(key: &str) -> Option<u64> {
    key.split(':').nth(1)?.parse().ok()
}
