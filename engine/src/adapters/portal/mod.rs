//! The national public service portal (DVCQG): status sync and repository pushes go out through the outbox;
//! reconciliation reads the portal's view of a dossier; the procedure catalogue is fetched for comparison.
//!
//! Wire protocol (the simulator `motcua sim portal` holds the other end):
//! - `POST {url}/dossiers/sync`, body = the status message (`ports::portal::message`), headers `Idempotency-Key` (the
//!   portal drops a key it has seen) and `X-Sequence` (the dossier's version: the portal refuses a message older
//!   than the last it applied);
//! - `POST {url}/petitions/sync`, body = a petition's status message (`ports::portal::petition`), headers as for
//!   dossiers, `X-Sequence` being the petition's version;
//! - `POST {url}/repository/items`, body = a repository item's metadata, header `Idempotency-Key`;
//! - `GET {url}/dossiers/{MaHoSo}`: the portal's view, 404 when it has none;
//! - `GET {url}/procedures`: the national procedure catalogue.
//!
//! Every call carries `Authorization: Bearer {token}`.

use std::time::Duration;

use reqwest::blocking::Client;

use super::http::{client, outcome};
use super::outside::Endpoint;
use crate::ports::portal::{NationalPortal, NationalProcedure, PortalError, PortalView, sequence_of};
use crate::ports::{Delivery, Failure, Receipt, Sink, topics};

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

    pub fn push_repository_item(&self, key: &str, item: &str) -> Result<(), Failure> {
        self.post("repository/items", key, None, item)
    }
}

impl NationalPortal for PortalClient {
    fn view(&self, code: &str) -> Result<Option<PortalView>, PortalError> {
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

    fn catalogue(&self) -> Result<Vec<NationalProcedure>, PortalError> {
        let sent = self.http.get(self.endpoint.join("procedures")).bearer_auth(&self.endpoint.token).send();
        outcome(sent)
            .map_err(|f| PortalError::Unavailable(f.reason().to_string()))?
            .json()
            .map_err(|e| PortalError::Unexpected(e.to_string()))
    }

    fn sync_status(&self, key: &str, sequence: u64, message: &str) -> Result<(), Failure> {
        self.post("dossiers/sync", key, Some(sequence), message)
    }
}

/// Delivers the portal's outbox topics.
pub struct PortalSink(PortalClient);

impl PortalSink {
    pub fn new(endpoint: &Endpoint, timeout: Duration) -> PortalSink {
        PortalSink(PortalClient::new(endpoint, timeout))
    }
}

impl Sink for PortalSink {
    fn deliver(&self, delivery: &Delivery<'_>) -> Result<Receipt, Failure> {
        let sequence = || {
            sequence_of(delivery.key).ok_or_else(|| Failure::Rejected(format!("no sequence in key {}", delivery.key)))
        };
        if delivery.topic == topics::PORTAL_STATUS {
            self.0.sync_status(delivery.key, sequence()?, delivery.payload)?;
        } else if delivery.topic == topics::PORTAL_PETITION {
            self.0.post("petitions/sync", delivery.key, Some(sequence()?), delivery.payload)?;
        } else {
            self.0.push_repository_item(delivery.key, delivery.payload)?;
        }
        Ok(Receipt::Delivered)
    }
}
