//! Each dossier's facts for the Decision 766 indicators (`domain::facts`): written with every change, in its
//! transaction, and filled in at start for dossiers stored without them (before migration 13, or by
//! `motcua bench seed`).

use super::{ServiceError, ServiceResult, Services};
use crate::domain::dossier::{Dossier, Event};
use crate::domain::facts;
use crate::domain::procedure::Procedure;
use crate::store::{DbConnection, dossiers, events, facts as stored, outbox};

impl Services {
    /// The facts of `after`, a change of `before` (None for a new dossier) by `new_events`. Most actions change
    /// none of them (an approval, a signature): then nothing is written.
    pub(super) fn record_facts(
        &self,
        conn: &mut DbConnection,
        before: Option<&Dossier>,
        after: &Dossier,
        new_events: &[Event],
        procedure: &Procedure,
    ) -> ServiceResult<()> {
        let Some(before) = before else {
            let paid_online = after.payment.is_some() && facts::paid_online(new_events);
            stored::insert(conn, &facts::facts_of(after, procedure, paid_online))?;
            return Ok(());
        };
        // Who recorded a payment is in its event only: after that, it is carried in the stored facts.
        let paid_before = before.payment.is_some() && stored::paid_online(conn, &after.id)?;
        let paid_after = after.payment.is_some() && (paid_before || facts::paid_online(new_events));
        let now = facts::facts_of(after, procedure, paid_after);
        if now != facts::facts_of(before, procedure, paid_before) {
            stored::upsert(conn, &now)?;
        }
        Ok(())
    }

    /// Fills in the facts of every dossier without them, and derives again those written before the facts knew
    /// a refusal (migration 15), 500 per transaction; answers how many. One index probe each when there is none.
    pub fn fill_missing_facts(&self) -> ServiceResult<usize> {
        Ok(self.fill_facts(stored::missing)? + self.fill_facts(stored::underived)?)
    }

    /// Writes the facts of each dossier `batch` finds, page after page by id, keeping what the outbox dispatcher
    /// marked.
    fn fill_facts(&self, batch: Batch) -> ServiceResult<usize> {
        let (mut after, mut filled) = (String::new(), 0);
        loop {
            let done = self.db.write(|conn| {
                let rows = batch(conn, &after, 500)?;
                for (id, state) in &rows {
                    let dossier = dossiers::decode(state)?;
                    let procedure = self.procedure_of(&dossier)?;
                    let paid_online = dossier.payment.is_some() && facts::paid_online(&events::history(conn, id)?);
                    stored::upsert(conn, &facts::facts_of(&dossier, &procedure, paid_online))?;
                    let within = crate::domain::scorecard::sync_within();
                    if outbox::delivered_late(conn, id, crate::ports::topics::PORTAL_STATUS, within)? {
                        stored::mark_sync_late(conn, id)?;
                    }
                }
                Ok::<_, ServiceError>(rows.last().map(|(id, _)| (id.clone(), rows.len())))
            })?;
            match done {
                Some((last, count)) => (after, filled) = (last, filled + count),
                None => return Ok(filled),
            }
        }
    }
}

/// A page of dossiers whose facts are to be written, after an id.
type Batch = fn(&mut DbConnection, &str, i64) -> crate::store::StoreResult<Vec<(String, dossiers::StoredState)>>;
