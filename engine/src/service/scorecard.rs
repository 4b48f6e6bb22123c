//! The Decision 766 scorecard of an agency, with every agency under it, for a whole period (issue 16): the
//! dossier indicators counted over the indicator facts by index, those counted per procedure held against the
//! catalogue, scored by `domain::scorecard`; and, for each lost point, the dossiers behind it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::stats::Period;
use super::{FieldError, Reports, ServiceError, ServiceResult, StaffIdentity, cursor};
use crate::domain::policy::{self, Scope};
use crate::domain::scorecard::{self as card, Figure, Ratio, Scorecard, Source};
use crate::ports::topics;
use crate::store::agencies::{self, Agency};
use crate::store::facts::{self, Dimension, Lost, LostDossier, PeriodCounts, ProcedureCounts};
use crate::store::petitions::{self, PetitionCounts};
use crate::store::{audit, entered, staff};

/// A scorecard with what it was computed over.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyScorecard {
    /// The agency scored, with every agency under it; none for the whole system (administrators).
    pub agency: Option<Agency>,
    /// How many agencies the figures cover.
    pub agencies: usize,
    /// The period's first and last day, local dates, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// What was open is counted at this instant: the period's end, or now while it runs.
    pub evaluated_at: DateTime<Utc>,
    pub scorecard: Scorecard,
    /// For each indicator that lost points, the sets of dossiers behind them and how many each holds.
    pub lost: Vec<LostSet>,
}

/// One set of dossiers that cost an indicator points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostSet {
    pub indicator: &'static str,
    pub set: Lost,
    pub dossiers: u64,
}

/// A page of "not satisfied" ratings, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LowRatingPage {
    pub items: Vec<crate::store::ratings::LowRating>,
    /// The cursor of the next page; none on the last.
    pub next_cursor: Option<String>,
}

/// A page of the dossiers of a lost set, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostPage {
    pub items: Vec<LostDossier>,
    /// The cursor of the next page; none on the last.
    pub next_cursor: Option<String>,
}

/// One month of a trend: the scorecard's total and maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthScore {
    /// The month's first day.
    pub month: NaiveDate,
    /// In hundredths, as the scorecard's.
    pub points: u32,
    pub max: u32,
}

/// What a breakdown of the figures is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// Each agency counted (the one scored and every agency under it).
    Agency,
    Procedure,
    /// The procedures' fields (lĩnh vực), by the catalogue's field code.
    Field,
    /// The specialist each dossier is (or was last) assigned to; an empty key for those never assigned.
    Officer,
    /// `1` counter, `2` online, `3` post.
    Channel,
}

impl By {
    pub const ALL: [By; 5] = [By::Agency, By::Procedure, By::Field, By::Officer, By::Channel];

    /// Its name in the API and in addresses (the serde spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            By::Agency => "agency",
            By::Procedure => "procedure",
            By::Field => "field",
            By::Officer => "officer",
            By::Channel => "channel",
        }
    }
}

/// The scorecard's dossier figures for each value of a [`By`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub agency: Option<Agency>,
    pub by: By,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub evaluated_at: DateTime<Utc>,
    /// Most dossiers received first.
    pub rows: Vec<BreakdownRow>,
}

/// One value's figures: what it received, finished and held open, and each dossier indicator's ratio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakdownRow {
    /// The agency id, procedure code, field code, officer id or channel number.
    pub key: String,
    /// Its name where this system holds one (agencies, procedures, fields, officers).
    pub name: Option<String>,
    pub received: u64,
    pub finished: u64,
    /// Open at the evaluation instant.
    pub open: u64,
    pub figures: Vec<RowFigure>,
    /// The applicants' ratings given in the period: how many, their average in hundredths (100 to 500; none
    /// without ratings) and how many were "not satisfied".
    pub rated: u64,
    pub rating_average: Option<u64>,
    pub rated_low: u64,
}

/// An indicator's ratio for one row (for online payment, its part A: fees paid online).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowFigure {
    pub indicator: &'static str,
    pub numerator: u64,
    pub denominator: u64,
}

/// The ratios of the dossier indicators counted from one row's counts alone (those counted per procedure
/// against the catalogue are left out).
fn row_figures(c: &PeriodCounts) -> Vec<RowFigure> {
    let none = BTreeSet::new();
    card::INDICATORS
        .iter()
        .filter(|i| i.source == Source::Dossiers && i.code != "CITIZEN_DATA_CONNECTED_FORMALITY")
        .filter_map(|i| {
            let ratio = match figure(i.code, c, &[], &none, &PetitionCounts::default()) {
                Figure::Rate(r) => r,
                Figure::Payment { paid_online, .. } => paid_online,
                Figure::NotEntered => return None,
            };
            Some(RowFigure { indicator: i.code, numerator: ratio.numerator, denominator: ratio.denominator })
        })
        .collect()
}

/// Where a download of a lost set has got to. It goes agency by agency, each agency's dossiers in the set's
/// order: one agency's are one range of its (agency, instant) index, so every page is a seek. A page across many
/// agencies in one order would sort what is left of all their ranges, page after page.
#[derive(Debug, Clone)]
pub struct LostWalk {
    set: Lost,
    agencies: Vec<String>,
    /// The agency being read, as an index of `agencies`.
    current: usize,
    /// The ordering instant and id of the last dossier read of it.
    after: Option<(DateTime<Utc>, String)>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
}

/// Dossiers read per page of a [`LostWalk`].
const WALK_PAGE: i64 = 500;

/// What a scorecard or a list of lost points is asked for: an agency (none: the caller's own, or the whole
/// system for an administrator) and a whole period.
#[derive(Debug, Clone)]
pub struct ScoreQuery {
    pub agency: Option<String>,
    pub period: Period,
}

/// The agencies counted and the instants that bound the period.
struct Selection {
    agency: Option<Agency>,
    /// Every agency counted (all of them for the whole system).
    agencies: Vec<String>,
    kinds: BTreeSet<String>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
}

/// The ids of the agencies a reports scope covers: every one, or those given with every agency under them.
fn visible(scope: &Scope, all: &[Agency]) -> BTreeSet<String> {
    match scope {
        Scope::All => all.iter().map(|a| a.id.clone()).collect(),
        Scope::Only(mine) => mine.iter().flat_map(|m| under(all, m)).collect(),
    }
}

/// `root` and every agency under it, breadth first (each once, should the tree ever hold a cycle).
pub(super) fn under(all: &[Agency], root: &str) -> Vec<String> {
    let mut found = vec![root.to_string()];
    let mut at = 0;
    while at < found.len() {
        let parent = found[at].clone();
        for child in all.iter().filter(|a| a.parent_id.as_deref() == Some(&parent)) {
            if !found.contains(&child.id) {
                found.push(child.id.clone());
            }
        }
        at += 1;
    }
    found
}

/// The indicators each lost set counts against, and its size from the period's counts.
fn lost_sets(c: &PeriodCounts) -> [(&'static str, Lost, u64); 10] {
    [
        ("DOSSIER_SYNC", Lost::NotSyncedOnTime, c.sync_late),
        ("DOSSIER_ON_TIME", Lost::FinishedLate, c.finished.saturating_sub(c.finished_in_time)),
        ("DOSSIER_ON_TIME", Lost::OpenOverdue, c.open.saturating_sub(c.open_not_due)),
        ("FULLY_ONLINE_DOSSIER", Lost::NotFullyOnline, c.fully_online_eligible.saturating_sub(c.fully_online)),
        ("ONLINE_PAYMENT", Lost::PaidAtCounter, c.fee_due.saturating_sub(c.paid_online)),
        (
            "ORIGINAL_RESULT_AVAILABLE",
            Lost::PaperResultOnly,
            c.finished_paper_result.saturating_sub(c.finished_electronic_result),
        ),
        ("SO_HOA_GIAY_TO_GIAI_QUYET", Lost::NotDigitised, c.finished.saturating_sub(c.finished_digitised)),
        ("REUSED_DIGITIZED_DATA", Lost::NotReused, c.reuse_eligible.saturating_sub(c.reused_of_eligible)),
        ("CITIZEN_DATA_CONNECTED_DOSSIER", Lost::NoPopulationData, c.received.saturating_sub(c.population_data)),
        ("DOSSIER_RECEIVING_SATISFACTION", Lost::NotSatisfied, c.finished_in_time_not_satisfied),
    ]
}

/// The figures entered for `agencies` (summed) per month (YYYY-MM) of `from` to `to`, and per indicator.
fn entered_by_month(
    conn: &mut crate::store::DbConnection,
    agencies: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<String, BTreeMap<String, Ratio>>, crate::store::StoreError> {
    let (first, last) = (from.format("%Y-%m").to_string(), to.format("%Y-%m").to_string());
    let mut months: BTreeMap<String, BTreeMap<String, Ratio>> = BTreeMap::new();
    for (month, indicator, n, d) in entered::sums(conn, agencies, &first, &last)? {
        let u = |v: i64| u64::try_from(v).unwrap_or(0);
        months.entry(month).or_default().insert(indicator, Ratio::new(u(n), u(d)));
    }
    Ok(months)
}

/// A figure of an indicator held outside this system, as an administrator enters it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FigureInput {
    pub agency: String,
    /// YYYY-MM.
    pub month: String,
    /// An indicator whose figures are entered (`PUBLISH_ON_TIME`, `PUBLIC_UPDATE_ON_TIME`, `PUBLIC_CONTENT_FULL`,
    /// `ELECTRONIC_CERTIFIED_COPY`).
    pub indicator: String,
    pub numerator: u64,
    pub denominator: u64,
}

/// The most an entered figure may count: far above any agency's month, far below what the store holds.
const ENTERED_AT_MOST: u64 = 1_000_000_000;

/// The figure of each dossier indicator. `fee_procedures` are the catalogue's procedures with a fee that the
/// agencies counted handle.
fn figure(
    code: &str,
    c: &PeriodCounts,
    per_procedure: &[ProcedureCounts],
    fee_procedures: &BTreeSet<String>,
    petitions: &PetitionCounts,
) -> Figure {
    let rate = |n: u64, d: u64| Figure::Rate(Ratio::new(n, d));
    let procedures = |keep: &dyn Fn(&ProcedureCounts) -> bool| {
        per_procedure.iter().filter(|p| fee_procedures.contains(&p.procedure_code) && keep(p)).count() as u64
    };
    match code {
        "DOSSIER_SYNC" => rate(c.received.saturating_sub(c.sync_late), c.received),
        // Finished early or on time, and open not yet due, of everything finished in the period or open at its
        // end.
        "DOSSIER_ON_TIME" => rate(c.finished_in_time + c.open_not_due, c.finished + c.open),
        "FULLY_ONLINE_DOSSIER" => rate(c.fully_online, c.fully_online_eligible),
        "ONLINE_PAYMENT" => {
            let with_fee = fee_procedures.len() as u64;
            Figure::Payment {
                paid_online: Ratio::new(c.paid_online, c.fee_due),
                procedures_paid_online: Ratio::new(procedures(&|p| p.paid_online > 0), with_fee),
                procedures_used: Ratio::new(procedures(&|p| p.fee_due > 0), with_fee),
            }
        }
        "ORIGINAL_RESULT_AVAILABLE" => rate(c.finished_electronic_result, c.finished_paper_result),
        "SO_HOA_GIAY_TO_GIAI_QUYET" => rate(c.finished_digitised, c.finished),
        "REUSED_DIGITIZED_DATA" => rate(c.reused_of_eligible, c.reuse_eligible),
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE" => rate(c.reused, c.received),
        "CITIZEN_DATA_CONNECTED_DOSSIER" => rate(c.population_data, c.received),
        "CITIZEN_DATA_CONNECTED_FORMALITY" => rate(
            per_procedure.iter().filter(|p| p.population_data > 0).count() as u64,
            per_procedure.iter().filter(|p| p.received > 0).count() as u64,
        ),
        // 100 % less the late share and the share rated "not satisfied" (those late already counted).
        "DOSSIER_RECEIVING_SATISFACTION" => {
            rate(c.finished_in_time.saturating_sub(c.finished_in_time_not_satisfied), c.finished)
        }
        // Petitions filed in the period handled on time, or still within their time at its evaluation instant.
        "PETITION_PROCESSING_ON_TIME" => {
            rate(petitions.received_handled_in_time + petitions.received_open_in_time, petitions.received)
        }
        // Petitions handled in the period less those late, answered "not satisfied" or complained about again.
        "PETITION_HANDLING_SATISFACTION" => {
            rate(petitions.handled.saturating_sub(petitions.handled_lost), petitions.handled)
        }
        _ => Figure::NotEntered,
    }
}

impl Reports<'_> {
    /// The agencies `caller` may score, in id order: the choices of the scorecard page.
    pub fn scorecard_agencies(&self, caller: &StaffIdentity) -> ServiceResult<Vec<Agency>> {
        let scope = policy::reports_scope(caller).ok_or(ServiceError::Forbidden("dossier.forbidden_role"))?;
        let all = self.reports_db().read(|conn| agencies::all(conn).map_err(ServiceError::from))?;
        let visible = visible(&scope, &all);
        Ok(all.into_iter().filter(|a| visible.contains(&a.id)).collect())
    }

    /// The agencies `caller` may score: every one for an administrator, else those they read reports of with
    /// every agency under them.
    fn score_selection(&self, caller: &StaffIdentity, query: &ScoreQuery) -> ServiceResult<Selection> {
        let scope = policy::reports_scope(caller).ok_or_else(|| {
            self.deny(caller, "scorecard", "dossier.forbidden_role");
            ServiceError::Forbidden("dossier.forbidden_role")
        })?;
        let all = self.reports_db().read(|conn| agencies::all(conn).map_err(ServiceError::from))?;
        let visible = visible(&scope, &all);
        let asked = match (&query.agency, &scope) {
            (Some(id), _) => Some(id.clone()),
            (None, Scope::All) => None,
            (None, Scope::Only(mine)) => mine.first().cloned(),
        };
        let agency = match asked {
            Some(id) => match all.iter().find(|a| a.id == id) {
                Some(a) if visible.contains(&a.id) => Some(a.clone()),
                Some(_) => {
                    self.deny(caller, "scorecard", "dossier.wrong_agency");
                    return Err(ServiceError::Forbidden("dossier.wrong_agency"));
                }
                None => return Err(ServiceError::NotFound("agency.not_found")),
            },
            None => None,
        };
        // Always a list, every agency's for the whole system: the counts then read the (agency, instant) indexes
        // instead of the whole table.
        let agencies = match &agency {
            Some(a) => under(&all, &a.id),
            None => all.iter().map(|a| a.id.clone()).collect(),
        };
        let counted: BTreeSet<&String> = agencies.iter().collect();
        let kinds = all.iter().filter(|a| counted.contains(&a.id)).map(|a| a.kind.clone()).collect();
        let midnight = NaiveTime::MIN;
        let from = self.calendar.instant(query.period.from, midnight);
        let to = self.calendar.instant(query.period.to.succ_opt().unwrap_or(query.period.to), midnight);
        Ok(Selection { agency, agencies, kinds, from, to, at: to.min(self.now()) })
    }

    /// Enters (or corrects) an outside indicator's figure for an agency and month: administrators only, audited
    /// in the same transaction.
    pub fn enter_figure(&self, caller: &StaffIdentity, input: &FigureInput) -> ServiceResult<entered::EnteredFigure> {
        self.admin_only(caller, "enter figure")?;
        let mut errors = Vec::new();
        if Period::parse_month(&input.month).is_none_or(|_| input.month.trim() != input.month) {
            errors.push(FieldError::new("month", "field.invalid_date").with_detail("a month such as 2026-11"));
        }
        if !card::indicator(&input.indicator).is_some_and(|i| i.source == Source::Entered) {
            errors.push(FieldError::new("indicator", "field.invalid_choice").with_detail("an indicator held outside"));
        }
        if input.denominator > ENTERED_AT_MOST {
            errors.push(FieldError::new("denominator", "field.out_of_range").with_detail("at most 1,000,000,000"));
        }
        if input.numerator > input.denominator {
            errors.push(FieldError::new("numerator", "field.out_of_range").with_detail("at most the denominator"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let figure = entered::EnteredFigure {
            agency_id: input.agency.clone(),
            month: input.month.clone(),
            indicator: input.indicator.clone(),
            numerator: i64::try_from(input.numerator).unwrap_or(i64::MAX),
            denominator: i64::try_from(input.denominator).unwrap_or(i64::MAX),
            entered_by: caller.id.clone(),
            entered_at: crate::store::to_db(self.now()),
        };
        let now = self.now();
        self.db.write(|conn| {
            if agencies::get(conn, &figure.agency_id)?.is_none() {
                return Err(ServiceError::NotFound("agency.not_found"));
            }
            entered::upsert(conn, &figure)?;
            let subject = format!(
                "{} {} {} {}/{}",
                figure.agency_id, figure.month, figure.indicator, figure.numerator, figure.denominator
            );
            audit::record(conn, now, &format!("staff:{}", caller.id), "figure_enter", &subject, "ok")?;
            Ok(figure.clone())
        })
    }

    /// The catalogue's procedures with a fee handled by agencies of `kinds`.
    fn fee_procedures(&self, kinds: &BTreeSet<String>) -> BTreeSet<String> {
        self.catalogue
            .current_all()
            .iter()
            .filter(|p| kinds.contains(&p.agency_kind) && p.fees.iter().any(|f| f.amount_vnd > 0))
            .map(|p| p.code.clone())
            .collect()
    }

    /// The totals of the `months` months up to the one `last` falls in, oldest first, for `agency` as
    /// [`Reports::scorecard`] scores it: each equal to that month's scorecard, all counted in one grouped pass
    /// over the months' receptions and completions (and one over the backlog and the completions since).
    pub fn trend(
        &self,
        caller: &StaffIdentity,
        agency: Option<String>,
        last: NaiveDate,
        months: u32,
    ) -> ServiceResult<Vec<MonthScore>> {
        let last = last.with_day(1).unwrap_or(last);
        let first = last.checked_sub_months(Months::new(months.saturating_sub(1))).unwrap_or(last);
        let starts: Vec<NaiveDate> = (0..=months).filter_map(|i| first.checked_add_months(Months::new(i))).collect();
        let Some(end) = starts.last().and_then(|d| d.pred_opt()) else { return Ok(Vec::new()) };
        let s = self.score_selection(caller, &ScoreQuery { agency, period: Period { from: first, to: end } })?;
        let bounds: Vec<DateTime<Utc>> = starts.iter().map(|d| self.calendar.instant(*d, NaiveTime::MIN)).collect();
        let now = self.now();
        let open_at: Vec<DateTime<Utc>> = bounds[1..].iter().map(|b| (*b).min(now)).collect();
        let list = Some(s.agencies.as_slice());
        let (counts, per_procedure, entered, petition_counts) = self.reports_db().read(|conn| {
            let counts = facts::count_by_month(conn, list, &bounds, &open_at, topics::PORTAL_STATUS)?;
            let per_procedure = facts::by_procedure_by_month(conn, list, &bounds)?;
            let entered = entered_by_month(conn, &s.agencies, first, end)?;
            let petitions = (0..open_at.len())
                .map(|i| petitions::count(conn, &s.agencies, bounds[i], bounds[i + 1], open_at[i]))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, ServiceError>((counts, per_procedure, entered, petitions))
        })?;
        let fee_procedures = self.fee_procedures(&s.kinds);
        let none = BTreeMap::new();
        Ok(starts
            .iter()
            .zip(counts.iter().zip(&per_procedure).zip(&petition_counts))
            .map(|(month, ((c, p), pc))| {
                let entered = entered.get(&month.format("%Y-%m").to_string()).unwrap_or(&none);
                let card = card::scorecard(|code| {
                    entered.get(code).map_or_else(|| figure(code, c, p, &fee_procedures, pc), |r| Figure::Rate(*r))
                });
                MonthScore { month: *month, points: card.points, max: card.max }
            })
            .collect())
    }

    /// The scorecard of `query.agency` (with every agency under it) for `query.period`.
    pub fn scorecard(&self, caller: &StaffIdentity, query: &ScoreQuery) -> ServiceResult<AgencyScorecard> {
        let s = self.score_selection(caller, query)?;
        let list = Some(s.agencies.as_slice());
        let (counts, per_procedure, entered, petition_counts) = self.reports_db().read(|conn| {
            let counts = facts::count(conn, list, s.from, s.to, s.at, topics::PORTAL_STATUS)?;
            let per_procedure = facts::by_procedure(conn, list, s.from, s.to)?;
            let entered = entered_by_month(conn, &s.agencies, query.period.from, query.period.to)?;
            let petitions = petitions::count(conn, &s.agencies, s.from, s.to, s.at)?;
            Ok::<_, ServiceError>((counts, per_procedure, entered, petitions))
        })?;
        // The months' entered figures, summed.
        let mut entered_total: BTreeMap<String, Ratio> = BTreeMap::new();
        for (indicator, r) in entered.values().flatten() {
            let sum = entered_total.entry(indicator.clone()).or_insert(Ratio::new(0, 0));
            *sum = Ratio::new(sum.numerator + r.numerator, sum.denominator + r.denominator);
        }
        let fee_procedures = self.fee_procedures(&s.kinds);
        let scorecard = card::scorecard(|code| {
            entered_total.get(code).map_or_else(
                || figure(code, &counts, &per_procedure, &fee_procedures, &petition_counts),
                |r| Figure::Rate(*r),
            )
        });
        let lost = lost_sets(&counts)
            .into_iter()
            .filter(|(_, _, n)| *n > 0)
            .map(|(indicator, set, dossiers)| LostSet { indicator, set, dossiers })
            .collect();
        Ok(AgencyScorecard {
            agencies: s.agencies.len(),
            agency: s.agency,
            from: query.period.from,
            to: query.period.to,
            evaluated_at: s.at,
            scorecard,
            lost,
        })
    }

    /// The dossier figures of `query` for each agency, procedure, field, officer or channel (`by`).
    pub fn breakdown(&self, caller: &StaffIdentity, query: &ScoreQuery, by: By) -> ServiceResult<Breakdown> {
        let s = self.score_selection(caller, query)?;
        let list = Some(s.agencies.as_slice());
        let dimension = match by {
            By::Agency => Dimension::Agency,
            By::Procedure | By::Field => Dimension::Procedure,
            By::Officer => Dimension::Officer,
            By::Channel => Dimension::Channel,
        };
        let (counted, mut names) = self.reports_db().read(|conn| {
            let counted = facts::count_by(conn, dimension, list, s.from, s.to, s.at, topics::PORTAL_STATUS)?;
            let names: Vec<(String, String)> = match by {
                By::Agency => agencies::all(conn)?
                    .into_iter()
                    .filter(|a| s.agencies.contains(&a.id))
                    .map(|a| (a.id, a.name))
                    .collect(),
                By::Officer => {
                    let ids: Vec<&str> = counted.iter().map(|(k, _)| k.as_str()).filter(|k| !k.is_empty()).collect();
                    staff::names(conn, &ids)?
                }
                By::Procedure | By::Field | By::Channel => Vec::new(),
            };
            Ok::<_, ServiceError>((counted, names))
        })?;
        let counted = match by {
            By::Field => {
                let mut fields: std::collections::BTreeMap<String, PeriodCounts> = Default::default();
                for (code, counts) in counted {
                    let field = self.catalogue.current(&code).map(|p| (p.field_code.clone(), p.field.clone()));
                    let (key, name) = field.unwrap_or_else(|| (String::new(), String::new()));
                    *fields.entry(key.clone()).or_default() += &counts;
                    if !name.is_empty() {
                        names.push((key, name));
                    }
                }
                fields.into_iter().collect()
            }
            By::Procedure => {
                names.extend(
                    counted
                        .iter()
                        .filter_map(|(code, _)| self.catalogue.current(code).map(|p| (code.clone(), p.name.clone()))),
                );
                counted
            }
            _ => counted,
        };
        let names: std::collections::BTreeMap<String, String> = names.into_iter().collect();
        let mut rows: Vec<BreakdownRow> = counted
            .into_iter()
            .map(|(key, c)| BreakdownRow {
                name: names.get(&key).cloned(),
                received: c.received,
                finished: c.finished,
                open: c.open,
                figures: row_figures(&c),
                rated: c.rated,
                rating_average: (c.rated > 0).then(|| (c.rating_sum * 100 + c.rated / 2) / c.rated),
                rated_low: c.rated_low,
                key,
            })
            .collect();
        rows.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| a.key.cmp(&b.key)));
        Ok(Breakdown { agency: s.agency, by, from: query.period.from, to: query.period.to, evaluated_at: s.at, rows })
    }

    /// Starts a walk through every dossier of `set` for `query` (a download): the caller's rights are checked
    /// now, before anything is sent.
    pub fn lost_walk(&self, caller: &StaffIdentity, query: &ScoreQuery, set: Lost) -> ServiceResult<LostWalk> {
        let s = self.score_selection(caller, query)?;
        let mut agencies = s.agencies;
        agencies.sort();
        Ok(LostWalk { set, agencies, current: 0, after: None, from: s.from, to: s.to, at: s.at })
    }

    /// The next page of `walk`, agency by agency; none once every agency has been read.
    pub fn next_lost(&self, walk: &mut LostWalk) -> ServiceResult<Option<Vec<LostDossier>>> {
        while let Some(agency) = walk.agencies.get(walk.current) {
            let one = std::slice::from_ref(agency);
            let after = walk.after.as_ref().map(|(t, id)| (*t, id.as_str()));
            let items = self.reports_db().read(|conn| {
                facts::lost(
                    conn,
                    walk.set,
                    Some(one),
                    walk.from,
                    walk.to,
                    walk.at,
                    after,
                    WALK_PAGE,
                    topics::PORTAL_STATUS,
                )
                .map_err(ServiceError::from)
            })?;
            let last = items.last().and_then(|d| {
                let at = if walk.set.by_completion() { d.finished_at } else { d.received_at };
                at.map(|at| (at, d.dossier_id.clone()))
            });
            match last {
                Some(last) if items.len() as i64 == WALK_PAGE => walk.after = Some(last),
                _ => {
                    walk.current += 1;
                    walk.after = None;
                }
            }
            if !items.is_empty() {
                return Ok(Some(items));
            }
        }
        Ok(None)
    }

    /// A page of the "not satisfied" ratings given in `query`'s period to dossiers of its agencies, oldest first,
    /// after `after`; at most `limit` (1 to 200, default 50).
    pub fn low_ratings(
        &self,
        caller: &StaffIdentity,
        query: &ScoreQuery,
        after: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<LowRatingPage> {
        let after = match after.filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => match cursor::decode(text) {
                Some((Some(at), id)) => Some((crate::store::to_db(at), id)),
                _ => {
                    return Err(ServiceError::Invalid(vec![
                        FieldError::new("cursor", "field.required").with_detail("unreadable cursor"),
                    ]));
                }
            },
        };
        let limit = limit.unwrap_or(50).clamp(1, 200);
        let s = self.score_selection(caller, query)?;
        let (from, to) = (crate::store::to_db(s.from), crate::store::to_db(s.to));
        let items = self.reports_db().read(|conn| {
            let mut items =
                crate::store::ratings::low(conn, &s.agencies, card::NOT_SATISFIED_AT_MOST, from, to, after, limit)?;
            let ids: Vec<&str> = items.iter().filter_map(|r| r.handler_id.as_deref()).collect();
            let names: std::collections::BTreeMap<String, String> = staff::names(conn, &ids)?.into_iter().collect();
            for r in &mut items {
                r.handler_name = r.handler_id.as_ref().and_then(|id| names.get(id).cloned());
            }
            Ok::<_, ServiceError>(items)
        })?;
        let next_cursor = (items.len() as i64 == limit)
            .then(|| items.last())
            .flatten()
            .map(|last| cursor::encode(Some(crate::store::from_db(last.rated_at)), &last.dossier_id));
        Ok(LowRatingPage { items, next_cursor })
    }

    /// A page of the dossiers of `set` for `query`, after `cursor`; at most `limit` (1 to 200, default 50).
    pub fn lost_points(
        &self,
        caller: &StaffIdentity,
        query: &ScoreQuery,
        set: Lost,
        after: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<LostPage> {
        let after = match after.filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => match cursor::decode(text) {
                Some((Some(at), id)) => Some((at, id)),
                _ => {
                    return Err(ServiceError::Invalid(vec![
                        FieldError::new("cursor", "field.required").with_detail("unreadable cursor"),
                    ]));
                }
            },
        };
        let limit = limit.unwrap_or(50).clamp(1, 200);
        let s = self.score_selection(caller, query)?;
        let items = self.reports_db().read(|conn| {
            let after = after.as_ref().map(|(t, id)| (*t, id.as_str()));
            facts::lost(conn, set, Some(&s.agencies), s.from, s.to, s.at, after, limit, topics::PORTAL_STATUS)
                .map_err(ServiceError::from)
        })?;
        let next_cursor = (items.len() as i64 == limit).then(|| items.last()).flatten().and_then(|last| {
            let at = if set.by_completion() { last.finished_at } else { last.received_at };
            at.map(|at| cursor::encode(Some(at), &last.dossier_id))
        });
        Ok(LostPage { items, next_cursor })
    }
}
