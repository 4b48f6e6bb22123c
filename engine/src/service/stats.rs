//! The leaders' dashboard (issue 7): per agency and period, what was received, what is in progress, what was
//! done early, on time or late against the legal due instant, how much came online, how much of what was
//! received is digitised and how much was reused from repositories.
//!
//! The store reads the dossiers received in the period; the counting is pure ([`tally`]) and unit-tested.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, NaiveTime};

use super::{Reports, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::calendar::{Calendar, Timeliness};
use crate::domain::dossier::{Channel, Digitisation, Dossier, Status};
use crate::domain::policy::{self, Scope};
use crate::domain::procedure::Online;
use crate::store::{agencies, statistics};

/// A period of local dates, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The month of `today`, first to last day.
    pub fn month_of(today: NaiveDate) -> Period {
        let from = today.with_day(1).expect("every month has a first day");
        let to = from.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(today);
        Period { from, to }
    }

    /// A whole calendar period as the portal scores them: `2026-11` (a month), `2026-Q3` (a quarter), `2026` (a
    /// year), years 2000 to 9999; `None` for anything else.
    /// The first day of the month `text` names (`2026-11`, nothing else).
    pub fn parse_month(text: &str) -> Option<NaiveDate> {
        let text = text.trim();
        Period::parse(text).filter(|p| p.from.format("%Y-%m").to_string() == text).map(|p| p.from)
    }

    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let (year, rest) = text.split_once('-').map_or((text, None), |(y, r)| (y, Some(r)));
        let year: i32 = year.parse().ok().filter(|y| (2000..=9999).contains(y) && text.len() >= 4)?;
        let (first_month, months) = match rest {
            None => (1, 12),
            Some(q) if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                let quarter: u32 = q[1..].parse().ok().filter(|n| (1..=4).contains(n))?;
                (3 * quarter - 2, 3)
            }
            Some(m) if m.len() == 2 => (m.parse().ok().filter(|n| (1..=12).contains(n))?, 1),
            Some(_) => return None,
        };
        let from = NaiveDate::from_ymd_opt(year, first_month, 1)?;
        let to = from.checked_add_months(Months::new(months))?.pred_opt()?;
        Some(Period { from, to })
    }
}

/// One part of a whole, e.g. dossiers received online out of all received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub part: u64,
    pub whole: u64,
}

impl Share {
    /// The share in thousandths, rounded half up; `None` for an empty whole.
    pub fn per_thousand(self) -> Option<u64> {
        (self.whole > 0).then(|| (self.part * 1000 + self.whole / 2) / self.whole)
    }
}

/// The counts of one agency (or of all together) over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Dossiers received in the period (reception instant inside it).
    pub received: u64,
    /// Received and not finished: received, in process, waiting for a supplement or a payment.
    pub in_progress: u64,
    /// Finished (result ready, returned, or stopped with a reasoned refusal), by rule 7 against the legal due
    /// instant (before any extension).
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    /// Received through the online channel.
    pub online: u64,
    /// Received, of procedures offered fully online (toàn trình), and of those, received online: the Decision
    /// 766 online-service indicator's denominator and numerator.
    pub fully_online_eligible: u64,
    pub fully_online: u64,
    /// Components provided with the received dossiers.
    pub components: u64,
    /// Of those, digitised (scanned, or reused as electronic papers).
    pub digitised: u64,
    /// Of those, reused from a repository (an owner's paper or an earlier dossier's result).
    pub reused: u64,
}

impl Figures {
    pub fn done(&self) -> u64 {
        self.early + self.on_time + self.late
    }

    pub fn online_share(&self) -> Share {
        Share { part: self.online, whole: self.received }
    }

    /// Received online, of what was received for procedures offered fully online.
    pub fn fully_online_share(&self) -> Share {
        Share { part: self.fully_online, whole: self.fully_online_eligible }
    }

    pub fn digitisation(&self) -> Share {
        Share { part: self.digitised, whole: self.components }
    }

    pub fn reuse(&self) -> Share {
        Share { part: self.reused, whole: self.components }
    }

    /// Finished early or on time, of everything finished.
    pub fn in_time_share(&self) -> Share {
        Share { part: self.early + self.on_time, whole: self.done() }
    }

    fn count(&mut self, d: &Dossier, online: Option<Online>, calendar: &Calendar) {
        self.received += 1;
        if d.channel == Channel::Online {
            self.online += 1;
        }
        if online == Some(Online::Full) {
            self.fully_online_eligible += 1;
            if d.channel == Channel::Online {
                self.fully_online += 1;
            }
        }
        for c in d.components.iter().filter(|c| c.provided) {
            self.components += 1;
            if c.digitisation != Digitisation::NotDigitised {
                self.digitised += 1;
            }
            if matches!(c.digitisation, Digitisation::ReusedFromRepository | Digitisation::ReusedFromResult) {
                self.reused += 1;
            }
        }
        match (d.completed_at, d.original_due_at.or(d.due_at)) {
            (Some(done), Some(due)) => match calendar.classify(done, due) {
                Timeliness::Early => self.early += 1,
                Timeliness::OnTime => self.on_time += 1,
                Timeliness::Late => self.late += 1,
            },
            // A procedure without a time limit is never late.
            (Some(_), None) => self.on_time += 1,
            (None, _) => {
                if matches!(
                    d.status,
                    Status::Received | Status::InProcess | Status::SupplementRequested | Status::PaymentRequested
                ) {
                    self.in_progress += 1;
                }
            }
        }
    }

    fn add(&mut self, other: &Figures) {
        self.received += other.received;
        self.in_progress += other.in_progress;
        self.early += other.early;
        self.on_time += other.on_time;
        self.late += other.late;
        self.online += other.online;
        self.fully_online_eligible += other.fully_online_eligible;
        self.fully_online += other.fully_online;
        self.components += other.components;
        self.digitised += other.digitised;
        self.reused += other.reused;
    }
}

/// Counts dossiers per agency (pure): the dossiers are those received in the period; `online_of` answers how
/// far each one's procedure is offered online.
pub fn tally<'a>(
    dossiers: impl IntoIterator<Item = &'a Dossier>,
    online_of: impl Fn(&Dossier) -> Option<Online>,
    calendar: &Calendar,
) -> BTreeMap<String, Figures> {
    let mut by_agency: BTreeMap<String, Figures> = BTreeMap::new();
    for d in dossiers {
        by_agency.entry(d.agency.clone()).or_default().count(d, online_of(d), calendar);
    }
    by_agency
}

/// One agency's line of the dashboard.
#[derive(Debug, Clone)]
pub struct AgencyFigures {
    pub agency: String,
    pub name: String,
    pub figures: Figures,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub period: Period,
    /// The agency asked for, if one was.
    pub agency: Option<String>,
    /// Every agency the caller may look at (id, name): the choices of the filter.
    pub scope: Vec<(String, String)>,
    /// One line per agency of the selection, agencies without dossiers included.
    pub lines: Vec<AgencyFigures>,
    pub total: Figures,
}

impl Services {
    /// The agencies whose figures `caller` may see: all for administrators, their own for agency leaders and
    /// division heads; nobody else sees the dashboard.
    fn dashboard_scope(&self, caller: &StaffIdentity) -> ServiceResult<Option<Vec<String>>> {
        match policy::reports_scope(caller) {
            Some(Scope::All) => Ok(None),
            Some(Scope::Only(mine)) => Ok(Some(mine)),
            None => {
                self.deny(caller, "dashboard", "dossier.forbidden_role");
                Err(ServiceError::Forbidden("dossier.forbidden_role"))
            }
        }
    }
}

impl Reports<'_> {
    /// The dashboard for a period (default: this month in the calendar's timezone), of one agency or of every
    /// agency in the caller's scope.
    pub fn dashboard(
        &self,
        caller: &StaffIdentity,
        period: Option<Period>,
        agency: Option<&str>,
    ) -> ServiceResult<Dashboard> {
        let scope = self.dashboard_scope(caller)?;
        let period = period.unwrap_or_else(|| Period::month_of(self.calendar.local_date(self.now())));
        if period.to < period.from {
            return Err(ServiceError::Invalid(vec![super::FieldError::new("den", "ui.admin.period_reversed")]));
        }
        let known = self.reports_db().read(|conn| agencies::all(conn).map_err(ServiceError::from))?;
        let visible: Vec<(String, String)> = known
            .into_iter()
            .filter(|a| scope.as_ref().is_none_or(|s| s.contains(&a.id)))
            .map(|a| (a.id, a.name))
            .collect();
        let selection: Vec<String> = match agency {
            Some(id) if visible.iter().any(|(a, _)| a == id) => vec![id.to_string()],
            Some(_) => {
                self.deny(caller, "dashboard", "dossier.wrong_agency");
                return Err(ServiceError::Forbidden("dossier.wrong_agency"));
            }
            None => visible.iter().map(|(a, _)| a.clone()).collect(),
        };
        let midnight = NaiveTime::MIN;
        let from = self.calendar.instant(period.from, midnight);
        let to = self.calendar.instant(period.to.succ_opt().unwrap_or(period.to), midnight);
        let dossiers = self
            .reports_db()
            .read(|conn| statistics::received_between(conn, Some(&selection), from, to).map_err(ServiceError::from))?;
        let online_of = |d: &Dossier| self.catalogue.version(&d.procedure_code, d.procedure_version).map(|p| p.online);
        let mut counted = tally(&dossiers, online_of, &self.calendar);
        let mut total = Figures::default();
        let lines: Vec<AgencyFigures> = visible
            .iter()
            .filter(|(id, _)| selection.contains(id))
            .map(|(id, name)| {
                let figures = counted.remove(id).unwrap_or_default();
                total.add(&figures);
                AgencyFigures { agency: id.clone(), name: name.clone(), figures }
            })
            .collect();
        Ok(Dashboard { period, agency: agency.map(str::to_string), scope: visible, lines, total })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::domain::dossier::ComponentState;

    fn calendar() -> Calendar {
        Calendar::from_toml(crate::service::DEFAULT_CALENDAR).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn component(digitisation: Digitisation, provided: bool) -> ComponentState {
        ComponentState { id: "c".into(), provided, digitisation, paper: None, handed_in_as: None, count: None }
    }

    fn dossier(agency: &str, status: Status) -> Dossier {
        Dossier {
            id: "d".into(),
            code: None,
            procedure_code: "1.001193".into(),
            procedure_version: 1,
            agency: agency.into(),
            channel: Channel::Counter,
            applicant: crate::domain::dossier::Applicant {
                name: "Nguyễn Văn A".into(),
                id_kind: crate::domain::dossier::IdKind::PersonalId,
                id_number: "031085001234".into(),
                birth_date: None,
                sex: None,
                address: None,
                phone: None,
                email: None,
            },
            summary: String::new(),
            form_data: Default::default(),
            portal_id: None,
            signed_in_with_vneid: false,
            status,
            step: None,
            step_started_at: None,
            step_due_at: None,
            assignee: None,
            components: vec![],
            submitted_at: at("2026-11-24T08:00:00+07:00"),
            received_at: Some(at("2026-11-24T08:00:00+07:00")),
            clock: Default::default(),
            due_at: Some(at("2026-11-26T17:00:00+07:00")),
            original_due_at: None,
            proposal: None,
            supplement: None,
            supplements_before_reception: 0,
            supplements_after_reception: 0,
            payment: None,
            identity_check: None,
            consultation: None,
            consulted_agencies: vec![],
            signed: false,
            result_papers: vec![],
            result_number: None,
            result_document: None,
            completed_at: None,
            timeliness: None,
            returned_at: None,
            withdrawn_at: None,
            nearly_due_raised: false,
            overdue_raised: false,
            trailing_alerts: 0,
            register_entry: None,
            chosen_members: vec![],
            member_dossiers: vec![],
            bundle: None,
            version: 1,
        }
    }

    #[test]
    fn counts_every_bucket_against_the_legal_due_instant() {
        let cal = calendar();
        let mut early = dossier("A", Status::ResultReady);
        early.completed_at = Some(at("2026-11-25T09:00:00+07:00"));
        let mut on_time = dossier("A", Status::Returned);
        on_time.completed_at = Some(at("2026-11-26T16:59:00+07:00"));
        let mut late = dossier("A", Status::Stopped);
        late.completed_at = Some(at("2026-11-26T17:01:00+07:00"));
        // Extended to the 30th, but late against the legal (original) due instant.
        let mut extended = dossier("B", Status::ResultReady);
        extended.original_due_at = Some(at("2026-11-26T17:00:00+07:00"));
        extended.due_at = Some(at("2026-11-30T17:00:00+07:00"));
        extended.completed_at = Some(at("2026-11-27T08:00:00+07:00"));
        let mut online = dossier("B", Status::SupplementRequested);
        online.channel = Channel::Online;
        online.components = vec![
            component(Digitisation::Digitised, true),
            component(Digitisation::ReusedFromRepository, true),
            component(Digitisation::ReusedFromResult, true),
            component(Digitisation::NotDigitised, true),
            component(Digitisation::Digitised, false),
        ];
        let withdrawn = dossier("B", Status::Withdrawn);
        let all = [early, on_time, late, extended, online, withdrawn];
        // Agency B's procedure is offered fully online, agency A's partly.
        let online_of = |d: &Dossier| Some(if d.agency == "B" { Online::Full } else { Online::Partial });
        let by_agency = tally(&all, online_of, &cal);
        let a = &by_agency["A"];
        assert_eq!((a.received, a.in_progress, a.early, a.on_time, a.late), (3, 0, 1, 1, 1));
        assert_eq!((a.fully_online_eligible, a.fully_online), (0, 0));
        let b = &by_agency["B"];
        assert_eq!((b.received, b.in_progress, b.early, b.on_time, b.late, b.online), (3, 1, 0, 0, 1, 1));
        assert_eq!((b.fully_online_eligible, b.fully_online), (3, 1));
        assert_eq!((b.components, b.digitised, b.reused), (4, 3, 2), "components not provided do not count");
        assert_eq!(b.online_share().per_thousand(), Some(333));
        assert_eq!(b.digitisation().per_thousand(), Some(750));
        assert_eq!(b.reuse().per_thousand(), Some(500));
        assert_eq!(a.in_time_share().per_thousand(), Some(667), "rounded half up");
    }

    #[test]
    fn empty_wholes_have_no_share_and_months_end_on_their_last_day() {
        assert_eq!(Share::default().per_thousand(), None);
        assert_eq!(Share { part: 1, whole: 8 }.per_thousand(), Some(125));
        let feb = Period::month_of(NaiveDate::from_ymd_opt(2028, 2, 10).unwrap());
        assert_eq!((feb.from.to_string(), feb.to.to_string()), ("2028-02-01".into(), "2028-02-29".into()));
        let dec = Period::month_of(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(dec.to.to_string(), "2026-12-31");
    }

    #[test]
    fn periods_are_whole_months_quarters_and_years() {
        let parsed = |t: &str| Period::parse(t).map(|p| format!("{} {}", p.from, p.to));
        assert_eq!(parsed("2026-11").as_deref(), Some("2026-11-01 2026-11-30"));
        assert_eq!(parsed("2028-02").as_deref(), Some("2028-02-01 2028-02-29"));
        assert_eq!(parsed("2026-Q3").as_deref(), Some("2026-07-01 2026-09-30"));
        assert_eq!(parsed("2026-q4").as_deref(), Some("2026-10-01 2026-12-31"));
        assert_eq!(parsed(" 2026 ").as_deref(), Some("2026-01-01 2026-12-31"));
        assert_eq!(parsed("9999-12").as_deref(), Some("9999-12-01 9999-12-31"));
        for bad in ["", "26", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-1", "1999", "10000", "2026-11-01", "x"]
        {
            assert_eq!(parsed(bad), None, "{bad}");
        }
    }
}
