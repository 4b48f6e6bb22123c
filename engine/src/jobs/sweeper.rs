//! The deadline sweeper (rule 8): finds running dossiers near or past their due instant and raises each
//! alert once. Two sweepers racing on one dossier are harmless: the loser's version check fails.

use crate::service::{ServiceError, ServiceResult, Services};
use crate::store::dossiers;

pub fn sweep(services: &Services, limit: i64) -> ServiceResult<usize> {
    let now = services.now();
    // Less than one working day of clock left <=> due before the instant one working day from now.
    let horizon = services.calendar.add(now, services.calendar.day_length());
    let ids =
        services.db.read(|conn| dossiers::needing_alerts(conn, now, horizon, limit).map_err(ServiceError::from))?;
    let mut raised = 0;
    for id in ids {
        match services.dossiers().raise_deadline_alert(&id) {
            Ok(true) => raised += 1,
            Ok(false) => {}
            Err(ServiceError::Rejected(r)) if r.code() == "dossier.stale_version" => {}
            Err(e) => return Err(e),
        }
    }
    Ok(raised)
}
