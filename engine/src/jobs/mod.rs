//! Background work (DESIGN.md §8): the outbox dispatcher, the deadline sweeper, and the job queue that
//! schedules them. `motcua worker` runs this loop; on SQLite the server runs it in-process.

pub mod dispatcher;
pub mod queue;
pub mod sweeper;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use dispatcher::{Failure, Router, Sink};

use crate::service::Services;

/// The sinks of every outside system this process is configured for (DESIGN.md §10).
pub fn outbound(services: &Services) -> Router {
    let outside = &services.config.outside;
    let mut router = Router::new();
    if let Some(portal) = &outside.portal {
        let portal: Arc<dyn Sink> = Arc::new(crate::adapters::portal::PortalSink::new(portal, outside.timeout));
        router = router
            .route(crate::service::sync::TOPIC, portal.clone())
            .route(crate::service::repository::SYNC_TOPIC, portal);
    }
    if let Some(url) = &outside.smtp_url {
        // A relay URL or sender that cannot work is logged, not fatal: the mail waits in the outbox.
        match crate::adapters::mail::MailSink::new(url, &outside.mail_from, outside.timeout) {
            Ok(mail) => router = router.route(crate::service::notify::EMAIL_TOPIC, Arc::new(mail)),
            Err(e) => tracing::error!(error = %e, "mail notifications are not sent"),
        }
    }
    if let Some(sms) = &outside.sms {
        let sms = crate::adapters::sms::SmsSink::new(sms, outside.timeout);
        router = router.route(crate::service::notify::SMS_TOPIC, Arc::new(sms));
    }
    if let Some(payment) = &outside.payment {
        let sink = crate::adapters::payment::PaymentSink::new(
            payment,
            outside.timeout,
            services.db.clone(),
            services.clock.clone(),
        );
        let sink: Arc<dyn Sink> = Arc::new(sink);
        router = router
            .route(crate::adapters::payment::ORDER_TOPIC, sink.clone())
            .route(crate::adapters::payment::REFUND_TOPIC, sink);
    }
    router
}

/// Runs until `stop` is set: claims due jobs, dispatches the outbox, and sleeps briefly when idle.
pub fn run_worker(services: Arc<Services>, router: Router, worker_id: String, stop: Arc<AtomicBool>) {
    tracing::info!(worker = %worker_id, "worker started");
    while !stop.load(Ordering::Relaxed) {
        let mut busy = false;
        match queue::run_due_jobs(&services, &worker_id, 10) {
            Ok(n) => busy |= n > 0,
            Err(e) => tracing::error!(error = %e, "job queue"),
        }
        match dispatcher::dispatch(&services, &router, 50) {
            Ok(report) => busy |= report.claimed > 0,
            Err(e) => tracing::error!(error = %e, "outbox dispatcher"),
        }
        if !busy {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    tracing::info!(worker = %worker_id, "worker stopped");
}
