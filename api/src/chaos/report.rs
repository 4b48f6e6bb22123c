//! What a drill did and found: the faults injected, the load, every check with its figures, and each violation.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::client::Load;
use super::faults::Injected;

#[derive(Debug, Default)]
pub struct Report {
    /// What ran: the chaos drill, the scale-out profile.
    pub drill: &'static str,
    pub backend: &'static str,
    pub seed: u64,
    pub elapsed: Duration,
    /// Faults injected, by kind.
    pub faults: BTreeMap<&'static str, usize>,
    /// Faults that could not be injected, and other remarks.
    pub notes: Vec<String>,
    /// Acknowledged actions checked against their dossier's history (receptions included).
    pub acknowledged: usize,
    /// Dossiers with an acknowledged reception.
    pub dossiers: usize,
    /// Of them, through the whole flow.
    pub finished: usize,
    pub applied_unacknowledged: usize,
    /// Answers other than success while faults struck, by action and problem code.
    pub refusals: BTreeMap<String, usize>,
    /// Dossiers given up before the load ended, by why.
    pub abandoned: BTreeMap<String, usize>,
    pub events_read: usize,
    pub codes_checked: usize,
    pub register_entries_checked: usize,
    /// Portal status messages sent and applied exactly once, in order.
    pub portal_messages: usize,
    pub repository_pushes: usize,
    /// Deliveries the portal received again and deduplicated by key.
    pub duplicates: u64,
    /// Outbox messages delivered, by topic.
    pub delivered: BTreeMap<String, usize>,
    /// The last lines of `motcua audit verify` and `motcua blobs verify`.
    pub audit: String,
    pub blobs: String,
    pub violations: Vec<String>,
}

impl Report {
    pub fn new(backend: &'static str, seed: u64) -> Report {
        Report { drill: "chaos drill", backend, seed, ..Report::default() }
    }

    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn faults_injected(&self) -> usize {
        self.faults.values().sum()
    }

    pub(super) fn record_faults(&mut self, injected: Injected) {
        self.faults = injected.counts;
        self.notes.extend(injected.notes);
    }

    pub(crate) fn record_load(&mut self, load: Load) {
        self.finished = load.finished;
        self.applied_unacknowledged = load.applied_unacknowledged;
        self.refusals = load.refusals;
        self.abandoned = load.abandoned;
    }
}

fn counts(f: &mut fmt::Formatter<'_>, title: &str, counts: &BTreeMap<impl fmt::Display, usize>) -> fmt::Result {
    if counts.is_empty() {
        return Ok(());
    }
    writeln!(f, "{title}")?;
    for (what, n) in counts {
        writeln!(f, "  {n:>6}  {what}")?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} on {} (seed {}), {:.1} s", self.drill, self.backend, self.seed, self.elapsed.as_secs_f64())?;
        counts(f, &format!("faults injected: {}", self.faults_injected()), &self.faults)?;
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        writeln!(
            f,
            "load: {} dossiers received, {} through the whole flow; {} actions acknowledged, {} done without an answer",
            self.dossiers, self.finished, self.acknowledged, self.applied_unacknowledged
        )?;
        counts(f, "answers other than success (sent again):", &self.refusals)?;
        counts(f, "dossiers given up:", &self.abandoned)?;
        writeln!(f, "checked:")?;
        writeln!(
            f,
            "  {} acknowledged actions found in the histories of {} dossiers, in order ({} events read)",
            self.acknowledged, self.dossiers, self.events_read
        )?;
        writeln!(
            f,
            "  {} dossier codes and {} register entries of the agency, without gaps or repeats",
            self.codes_checked, self.register_entries_checked
        )?;
        writeln!(
            f,
            "  {} portal status messages and {} repository pushes applied once each, in order ({} repeated deliveries \
             deduplicated by key)",
            self.portal_messages, self.repository_pushes, self.duplicates
        )?;
        let delivered: Vec<String> = self.delivered.iter().map(|(topic, n)| format!("{topic} {n}")).collect();
        writeln!(f, "  outbox delivered: {}", delivered.join(", "))?;
        writeln!(f, "  audit verify: {}", self.audit)?;
        writeln!(f, "  blobs verify: {}", self.blobs)?;
        if self.passed() {
            write!(f, "PASS")
        } else {
            writeln!(f, "FAIL: {} violation(s)", self.violations.len())?;
            for violation in &self.violations {
                writeln!(f, "  - {violation}")?;
            }
            Ok(())
        }
    }
}
