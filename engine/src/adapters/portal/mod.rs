//! The national public service portal (DVCQG): status sync and repository pushes go out through the outbox;
//! reconciliation reads the portal's view of a dossier; the procedure catalogue is fetched for comparison.
//!
//! Wire protocol (the simulator `motcua sim portal` holds the other end):
//! - `POST {url}/dossiers/sync`, body = the status message (`service::sync`), headers `Idempotency-Key` (the
//!   portal drops a key it has seen) and `X-Sequence` (the dossier's version: the portal refuses a message older
//!   than the last it applied);
//! - `POST {url}/repository/items`, body = a repository item's metadata, header `Idempotency-Key`;
//! - `GET {url}/dossiers/{MaHoSo}`: the portal's view, 404 when it has none;
//! - `GET {url}/procedures`: the national procedure catalogue.
//!
//! Every call carries `Authorization: Bearer {token}`.

pub mod message;

use std::time::Duration;

use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};

use super::Failure;
use super::http::{client, outcome};
use super::outside::Endpoint;
use crate::jobs::dispatcher::Sink;
use crate::store::outbox::Message;

/// The portal's view of one dossier, as it answers `GET /dossiers/{MaHoSo}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub enum TimeUnit {
    /// Working days (ngày làm việc).
    #[serde(rename = "NgayLamViec")]
    WorkingDays,
    /// Days as the Civil Code counts them (ngày).
    #[serde(rename = "Ngay")]
    Days,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

pub struct PortalClient {
    endpoint: Endpoint,
    http: Client,
}

impl PortalClient {
    pub fn new(endpoint: &Endpoint, timeout: Duration) -> PortalClient {
        PortalClient { endpoint: endpoint.clone(), http: client(timeout) }
    }

    fn post(&self, path: &str, key: &str, sequence: Option<u64>, body: &str) -> Result<(), Failure> {
        let mut request = self
            .http
            .post(self.endpoint.join(path))
            .bearer_auth(&self.endpoint.token)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body.to_string());
        if let Some(sequence) = sequence {
            request = request.header("X-Sequence", sequence.to_string());
        }
        outcome(request.send()).map(drop)
    }

    /// Sends one status message of a dossier, with its version as the sequence.
    pub fn sync_status(&self, key: &str, sequence: u64, message: &str) -> Result<(), Failure> {
        self.post("dossiers/sync", key, Some(sequence), message)
    }

    pub fn push_repository_item(&self, key: &str, item: &str) -> Result<(), Failure> {
        self.post("repository/items", key, None, item)
    }

    /// The portal's view of a dossier; `None` when the portal has never heard of it.
    pub fn view(&self, code: &str) -> Result<Option<PortalView>, PortalError> {
        let sent =
            self.http.get(self.endpoint.join(&format!("dossiers/{code}"))).bearer_auth(&self.endpoint.token).send();
        match sent {
            Ok(r) if r.status().as_u16() == 404 => Ok(None),
            other => outcome(other)
                .map_err(|f| PortalError::Unavailable(f.reason().to_string()))?
                .json()
                .map(Some)
                .map_err(|e| PortalError::Unexpected(e.to_string())),
        }
    }

    pub fn catalogue(&self) -> Result<Vec<NationalProcedure>, PortalError> {
        let sent = self.http.get(self.endpoint.join("procedures")).bearer_auth(&self.endpoint.token).send();
        outcome(sent)
            .map_err(|f| PortalError::Unavailable(f.reason().to_string()))?
            .json()
            .map_err(|e| PortalError::Unexpected(e.to_string()))
    }
}

/// The sequence of a status message: the dossier version its key ends with (`{dossier}:{version}[:…]`).
pub fn sequence_of(key: &str) -> Option<u64> {
    key.split(':').nth(1)?.parse().ok()
}

/// Delivers the portal's outbox topics.
pub struct PortalSink(PortalClient);

impl PortalSink {
    pub fn new(endpoint: &Endpoint, timeout: Duration) -> PortalSink {
        PortalSink(PortalClient::new(endpoint, timeout))
    }
}

impl Sink for PortalSink {
    fn deliver(&self, message: &Message) -> Result<(), Failure> {
        if message.topic == crate::service::sync::TOPIC {
            let sequence = sequence_of(&message.message_key)
                .ok_or_else(|| Failure::Rejected(format!("no sequence in key {}", message.message_key)))?;
            self.0.sync_status(&message.message_key, sequence, &message.payload)
        } else {
            self.0.push_repository_item(&message.message_key, &message.payload)
        }
    }
}
