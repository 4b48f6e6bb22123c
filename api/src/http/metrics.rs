//! Prometheus metrics: requests by route and status with latency, actions by outcome, and gauges read from
//! the database at scrape time (dossiers by status, outbox, jobs).

use motcua_engine::service::operations::StoreFigures;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub actions: IntCounterVec,
    dossiers: IntGaugeVec,
    outbox: IntGaugeVec,
    jobs: IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("motcua".into()), None).expect("registry");
        let requests =
            IntCounterVec::new(Opts::new("http_requests_total", "HTTP requests"), &["method", "route", "status"])
                .expect("metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["method", "route"],
        )
        .expect("metric");
        let actions = IntCounterVec::new(Opts::new("dossier_actions_total", "Dossier actions"), &["action", "outcome"])
            .expect("metric");
        let dossiers = IntGaugeVec::new(Opts::new("dossiers", "Dossiers by status"), &["status"]).expect("metric");
        let outbox =
            IntGaugeVec::new(Opts::new("outbox_messages", "Outbox messages by state and topic"), &["state", "topic"])
                .expect("metric");
        let jobs = IntGaugeVec::new(Opts::new("jobs", "Jobs by state"), &["state"]).expect("metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(actions.clone()),
            Box::new(dossiers.clone()),
            Box::new(outbox.clone()),
            Box::new(jobs.clone()),
        ] {
            registry.register(collector).expect("unique metric names");
        }
        Metrics { registry, requests, latency, actions, dossiers, outbox, jobs }
    }

    pub fn observe_store(&self, figures: &StoreFigures) {
        for (topic, stats) in &figures.outbox {
            self.outbox.with_label_values(&["pending", topic]).set(stats.pending);
            self.outbox.with_label_values(&["delivered", topic]).set(stats.delivered);
            self.outbox.with_label_values(&["dead", topic]).set(stats.dead);
        }
        self.jobs.with_label_values(&["pending"]).set(figures.jobs_pending);
        self.jobs.with_label_values(&["dead"]).set(figures.jobs_dead);
        for (status, count) in &figures.by_status {
            self.dossiers.with_label_values(&[&status.to_string()]).set(*count);
        }
    }

    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer).expect("text encoding");
        String::from_utf8(buffer).expect("prometheus text is UTF-8")
    }
}
