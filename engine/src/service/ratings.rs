//! Rating the service (DESIGN.md §11 "rate"): once a dossier's result was returned, its applicant rates how it
//! was handled, 1 to 5, answers the national portal's three questions (satisfied or not with the reception, the
//! result, the officer) and may comment, once: on their own page signed in, or without signing in through the
//! link sent with the result by e-mail and SMS (kept only as its SHA-256, valid [`LINK_DAYS`]). Every rating (and
//! every refused attempt) is audited.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Citizens, FieldError, ServiceError, ServiceResult, Services};
use crate::domain::dossier::{Dossier, Status};
use crate::domain::identity::{Caller, CitizenIdentity};
use crate::domain::policy::{self, Access, Target};
use crate::random;
use crate::store::ratings::{self, Rating};
use crate::store::{DbConnection, audit, dossiers, from_db, to_db};

/// The longest comment kept.
pub const MAX_COMMENT: usize = 2000;

/// How long the link sent with the result stays valid.
pub const LINK_DAYS: i64 = 30;

/// What an applicant says of the service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingInput {
    pub score: i32,
    /// Satisfied with the reception, with the result, with the officer: each must be answered.
    pub reception_satisfied: Option<bool>,
    pub result_satisfied: Option<bool>,
    pub officer_satisfied: Option<bool>,
    pub comment: Option<String>,
}

/// Checks a rating's fields: every problem at once, named like the form's fields.
pub fn check_rating(input: &RatingInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&input.score) {
        errors.push(FieldError::new("score", "rating.score_range"));
    }
    for (field, answer) in [
        ("reception_satisfied", input.reception_satisfied),
        ("result_satisfied", input.result_satisfied),
        ("officer_satisfied", input.officer_satisfied),
    ] {
        if answer.is_none() {
            errors.push(FieldError::new(field, "rating.answer_required"));
        }
    }
    if input.comment.as_deref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        errors.push(FieldError::new("comment", "field.too_long"));
    }
    errors
}

/// What the page of a rating link shows: the dossier by its code and procedure (no personal data: whoever holds
/// the link sees it), and the rating if given.
#[derive(Debug, Clone)]
pub struct LinkedDossier {
    pub code: Option<String>,
    pub procedure_name: String,
    pub agency_name: String,
    pub rating: Option<Rating>,
}

/// The SHA-256 a link's token is kept as.
fn link_hash(token: &str) -> String {
    random::token_digest(token)
}

impl Services {
    /// Makes the link the applicant of `dossier_id` rates through (in the caller's transaction) and gives its
    /// address: sent with the notice of the result's return.
    pub(super) fn new_rating_link(
        &self,
        conn: &mut DbConnection,
        dossier_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<String> {
        let token = random::token(32);
        let expires = now + TimeDelta::days(LINK_DAYS);
        ratings::create_link(conn, &link_hash(&token), dossier_id, to_db(now), to_db(expires))?;
        Ok(format!("{}/danh-gia/{token}", self.config.public_url.trim_end_matches('/')))
    }

    /// Records a rating of `dossier` by `applicant_id` in the caller's transaction: refused before the result's
    /// return and after a first rating.
    fn record_rating(
        &self,
        conn: &mut DbConnection,
        dossier: &Dossier,
        input: RatingInput,
        via: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Rating> {
        if dossier.status != Status::Returned {
            return Err(ServiceError::Conflict(
                "rating.not_returned",
                format!("the dossier's status is {}", dossier.status.code()),
            ));
        }
        if ratings::of_dossier(conn, &dossier.id)?.is_some() {
            return Err(ServiceError::Conflict("rating.already_rated", format!("dossier {}", dossier.id)));
        }
        let rating = Rating {
            dossier_id: dossier.id.clone(),
            applicant_id: dossier.applicant.id_number.clone(),
            agency_id: dossier.agency.clone(),
            procedure_code: dossier.procedure_code.clone(),
            score: input.score,
            comment: input.comment,
            rated_at: to_db(now),
            reception_satisfied: input.reception_satisfied,
            result_satisfied: input.result_satisfied,
            officer_satisfied: input.officer_satisfied,
            via: via.to_string(),
        };
        ratings::insert(conn, &rating)?;
        Ok(rating)
    }

    /// Runs a rating's transaction, auditing it as `who` either way; two ratings racing, the loser is told the
    /// dossier is rated.
    fn rate(
        &self,
        who: &str,
        id: &str,
        input: RatingInput,
        work: impl FnOnce(&mut DbConnection, RatingInput, DateTime<Utc>) -> ServiceResult<Rating>,
    ) -> ServiceResult<Rating> {
        let input =
            RatingInput { comment: input.comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()), ..input };
        let errors = check_rating(&input);
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let now = self.now();
        let score = input.score;
        let outcome: ServiceResult<Rating> = self.db.write(|conn| {
            let rating = work(conn, input, now)?;
            audit::record(conn, now, who, &format!("rate {id}"), &score.to_string(), "ok")?;
            Ok(rating)
        });
        match outcome {
            // Two ratings raced: the loser hit the primary key.
            Err(e) if e.is_unique_violation() => {
                self.audit(who, &format!("rate {id}"), "denied:rating.already_rated");
                Err(ServiceError::Conflict("rating.already_rated", format!("dossier {id}")))
            }
            Err(e) => {
                self.audit(who, &format!("rate {id}"), &format!("denied:{}", e.code()));
                Err(e)
            }
            ok => ok,
        }
    }
}

impl Citizens<'_> {
    /// Rates a dossier of the citizen's whose result was returned; a second rating is refused.
    pub fn rate_mine(&self, citizen: &CitizenIdentity, id: &str, input: RatingInput) -> ServiceResult<Rating> {
        let caller = Caller::Citizen(citizen.clone());
        self.rate(&caller.label(), id, input, |conn, input, now| {
            let dossier = dossiers::get(conn, id)?
                .filter(|d| policy::may(&caller, Access::SeeDossier, Target::Dossier(d)))
                .ok_or(ServiceError::NotFound("dossier.not_found"))?;
            self.record_rating(conn, &dossier, input, ratings::VIA_PAGE, now)
        })
    }

    /// The dossier a rating link rates; an unknown or expired link is not found (the two are not told apart).
    pub fn rating_link(&self, token: &str) -> ServiceResult<LinkedDossier> {
        let now = self.now();
        let (dossier, rating) = self.db.read(|conn| {
            let dossier = self.linked(conn, token, now)?;
            let rating = ratings::of_dossier(conn, &dossier.id)?;
            Ok::<_, ServiceError>((dossier, rating))
        })?;
        let procedure_name = self
            .catalogue
            .version(&dossier.procedure_code, dossier.procedure_version)
            .map_or_else(|| dossier.procedure_code.clone(), |p| p.name.clone());
        let agency_name = self
            .db
            .read(|conn| self.db.agencies().get(conn, &dossier.agency))?
            .map_or_else(|| dossier.agency.clone(), |a| a.name);
        Ok(LinkedDossier { code: dossier.code, procedure_name, agency_name, rating })
    }

    /// Rates the dossier of a link sent with its result, as its applicant; a second rating is refused.
    pub fn rate_by_link(&self, token: &str, input: RatingInput) -> ServiceResult<Rating> {
        // Audited under the link's first characters: enough to find it, not enough to use it.
        let who = format!("rating-link:{}", token.chars().take(6).collect::<String>());
        self.rate(&who, "by link", input, |conn, input, now| {
            let dossier = self.linked(conn, token, now)?;
            self.record_rating(conn, &dossier, input, ratings::VIA_LINK, now)
        })
    }

    /// The dossier of a link still valid at `now`.
    fn linked(&self, conn: &mut DbConnection, token: &str, now: DateTime<Utc>) -> ServiceResult<Dossier> {
        let not_found = ServiceError::NotFound("rating.link_not_found");
        let Some((id, expires)) = ratings::link(conn, &link_hash(token))? else { return Err(not_found) };
        if from_db(expires) <= now {
            return Err(not_found);
        }
        dossiers::get(conn, &id)?.ok_or(not_found)
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
    fn scores_run_from_one_to_five_and_each_question_is_answered() {
        let answered = |score: i32, comment: Option<&str>| RatingInput {
            score,
            reception_satisfied: Some(true),
            result_satisfied: Some(false),
            officer_satisfied: Some(true),
            comment: comment.map(str::to_string),
        };
        assert!(check_rating(&answered(1, None)).is_empty() && check_rating(&answered(5, Some("tốt"))).is_empty());
        assert_eq!(check_rating(&answered(0, None))[0].field, "score");
        assert_eq!(check_rating(&answered(6, None))[0].code, "rating.score_range");
        let long = "x".repeat(MAX_COMMENT + 1);
        assert_eq!(check_rating(&answered(3, Some(&long)))[0].field, "comment");
        let unanswered = RatingInput { score: 9, ..RatingInput::default() };
        let fields: Vec<String> = check_rating(&unanswered).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["score", "reception_satisfied", "result_satisfied", "officer_satisfied"]);
        assert!(check_rating(&unanswered).iter().skip(1).all(|e| e.code == "rating.answer_required"));
    }
}
