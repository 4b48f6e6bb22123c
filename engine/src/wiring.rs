//! The engine's composition root: connects the configured outside systems (adapters) to the ports the use
//! cases and jobs declare. The only module that names both the adapters and the service.

use std::sync::Arc;

use crate::adapters::mail::MailSink;
use crate::adapters::oidc::OidcClient;
use crate::adapters::outside::Outside;
use crate::adapters::payment::{PaymentClient, PaymentSink};
use crate::adapters::population::HttpPopulationRegistry;
use crate::adapters::portal::{PortalClient, PortalSink};
use crate::adapters::reader::Tesseract;
use crate::adapters::sms::SmsSink;
use crate::config::Config;
use crate::jobs::Router;
use crate::ports::{Ports, Sink, topics};
use crate::service::{Clock, Services, StartError};

/// Starts the use cases with every outside system the configuration names.
pub fn start(config: Config, clock: Arc<dyn Clock>) -> Result<Services, StartError> {
    let ports = connect(&config.outside);
    Services::start(config, clock, ports)
}

/// The clients of the outside systems called while someone waits.
pub fn connect(outside: &Outside) -> Ports {
    let timeout = outside.timeout;
    Ports {
        portal: outside.portal.as_ref().map(|e| Arc::new(PortalClient::new(e, timeout)) as _),
        population: outside.population.as_ref().map(|e| Arc::new(HttpPopulationRegistry::new(e, timeout)) as _),
        identity: outside.oidc.clone().map(|p| Arc::new(OidcClient::new(p, timeout)) as _),
        payment: outside.payment.as_ref().map(|p| Arc::new(PaymentClient::new(p, timeout)) as _),
        reader: Tesseract::from_setup(&outside.ocr).map(|t| Arc::new(t) as _),
    }
}

/// The sinks of every outside system the configuration names, by outbox topic.
pub fn outbound(outside: &Outside) -> Router {
    let timeout = outside.timeout;
    let mut router = Router::new();
    if let Some(portal) = &outside.portal {
        let portal: Arc<dyn Sink> = Arc::new(PortalSink::new(portal, timeout));
        router = router
            .route(topics::PORTAL_STATUS, portal.clone())
            .route(topics::PORTAL_PETITION, portal.clone())
            .route(topics::REPOSITORY_SYNC, portal);
    }
    if let Some(url) = &outside.smtp_url {
        // A relay URL or sender that cannot work is logged, not fatal: the mail waits in the outbox.
        match MailSink::new(url, &outside.mail_from, timeout) {
            Ok(mail) => router = router.route(topics::EMAIL, Arc::new(mail)),
            Err(e) => tracing::error!(error = %e, "mail notifications are not sent"),
        }
    }
    if let Some(sms) = &outside.sms {
        router = router.route(topics::SMS, Arc::new(SmsSink::new(sms, timeout)));
    }
    if let Some(payment) = &outside.payment {
        let sink: Arc<dyn Sink> = Arc::new(PaymentSink::new(payment, timeout));
        router = router.route(topics::PAYMENT_ORDER, sink.clone()).route(topics::PAYMENT_REFUND, sink);
    }
    router
}
