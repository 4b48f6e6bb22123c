//! Rating the service (DESIGN.md §11 "rate"): once a dossier's result was returned, its applicant rates how it
//! was handled, 1 to 5 with an optional comment, once. Every rating (and every refused attempt) is audited.

use super::{Citizens, FieldError, ServiceError, ServiceResult};
use crate::domain::dossier::Status;
use crate::domain::identity::{Caller, CitizenIdentity};
use crate::domain::policy::{self, Access, Target};
use crate::store::ratings::{self, Rating};
use crate::store::{audit, dossiers, to_db};

/// The longest comment kept.
pub const MAX_COMMENT: usize = 2000;

/// Checks a rating's fields: every problem at once, named like the form's fields.
pub fn check_rating(score: i32, comment: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&score) {
        errors.push(FieldError::new("score", "rating.score_range"));
    }
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        errors.push(FieldError::new("comment", "field.too_long"));
    }
    errors
}

impl Citizens<'_> {
    /// Rates a dossier of the citizen's whose result was returned; a second rating is refused.
    pub fn rate_mine(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        score: i32,
        comment: Option<String>,
    ) -> ServiceResult<Rating> {
        let comment = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        let who = Caller::Citizen(citizen.clone()).label();
        let errors = check_rating(score, comment.as_deref());
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let now = self.now();
        let outcome = self.db.write(|conn| {
            let dossier = dossiers::get(conn, id)?
                .filter(|d| policy::may(&Caller::Citizen(citizen.clone()), Access::SeeDossier, Target::Dossier(d)))
                .ok_or(ServiceError::NotFound("dossier.not_found"))?;
            if dossier.status != Status::Returned {
                return Err(ServiceError::Conflict(
                    "rating.not_returned",
                    format!("the dossier's status is {}", dossier.status.code()),
                ));
            }
            if ratings::of_dossier(conn, id)?.is_some() {
                return Err(ServiceError::Conflict("rating.already_rated", format!("dossier {id}")));
            }
            let rating = Rating {
                dossier_id: dossier.id.clone(),
                applicant_id: citizen.id_number.clone(),
                agency_id: dossier.agency.clone(),
                procedure_code: dossier.procedure_code.clone(),
                score,
                comment: comment.clone(),
                rated_at: to_db(now),
            };
            ratings::insert(conn, &rating)?;
            audit::record(conn, now, &who, &format!("rate {id}"), &score.to_string(), "ok")?;
            Ok(rating)
        });
        match outcome {
            // Two ratings raced: the loser hit the primary key.
            Err(e) if e.is_unique_violation() => {
                self.audit(&who, &format!("rate {id}"), "denied:rating.already_rated");
                Err(ServiceError::Conflict("rating.already_rated", format!("dossier {id}")))
            }
            Err(e) => {
                self.audit(&who, &format!("rate {id}"), &format!("denied:{}", e.code()));
                Err(e)
            }
            ok => ok,
        }
    }

    /// The citizen's rating of a dossier of theirs, if given.
    pub fn my_rating(&self, citizen: &CitizenIdentity, id: &str) -> ServiceResult<Option<Rating>> {
        self.db.read(|conn| {
            dossiers::get(conn, id)?
                .filter(|d| policy::may(&Caller::Citizen(citizen.clone()), Access::SeeDossier, Target::Dossier(d)))
                .ok_or(ServiceError::NotFound("dossier.not_found"))?;
            ratings::of_dossier(conn, id).map_err(ServiceError::from)
        })
    }

    /// The fees of a dossier of the citizen's and its payment orders, with the platform's pay URL while an
    /// order waits to be paid (what staff see with `payments_of`).
    pub fn my_payments(&self, citizen: &CitizenIdentity, id: &str) -> ServiceResult<super::payments::DossierPayments> {
        let dossier = self.db.read(|conn| {
            dossiers::get(conn, id)?
                .filter(|d| policy::may(&Caller::Citizen(citizen.clone()), Access::SeeDossier, Target::Dossier(d)))
                .ok_or(ServiceError::NotFound("dossier.not_found"))
        })?;
        self.payments_due(&dossier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_run_from_one_to_five() {
        assert!(check_rating(1, None).is_empty() && check_rating(5, Some("tốt")).is_empty());
        assert_eq!(check_rating(0, None)[0].field, "score");
        assert_eq!(check_rating(6, None)[0].code, "rating.score_range");
        let long = "x".repeat(MAX_COMMENT + 1);
        assert_eq!(check_rating(3, Some(&long))[0].field, "comment");
    }
}
