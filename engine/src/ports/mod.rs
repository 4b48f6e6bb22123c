//! What the use cases and the background jobs need from outside systems (DESIGN.md §10), declared here and
//! implemented by `adapters`: the national portal, the population database, the payment platform, the
//! identity provider, mail and SMS. Traits and the types they exchange; nothing here does IO.
//!
//! The arrows: `service` and `jobs` → `ports` ← `adapters`. The service never names an adapter and an adapter
//! never names the service; `wiring` (the engine's composition root) connects the two.

pub mod delivery;
pub mod identity;
pub mod notice;
pub mod payment;
pub mod population;
pub mod portal;
pub mod reader;

use std::sync::Arc;

pub use delivery::{Delivery, Failure, Receipt, Sink, topics};

/// The outside systems this process is connected to; `None`: not configured (the use cases say so plainly
/// instead of failing).
#[derive(Clone, Default)]
pub struct Ports {
    pub portal: Option<Arc<dyn portal::NationalPortal>>,
    pub population: Option<Arc<dyn population::PopulationRegistry>>,
    pub identity: Option<Arc<dyn identity::IdentityProvider>>,
    pub payment: Option<Arc<dyn payment::PaymentPlatform>>,
    /// Text recognition of papers (Tesseract); `None`: papers are kept unread.
    pub reader: Option<Arc<dyn reader::PaperReader>>,
}
