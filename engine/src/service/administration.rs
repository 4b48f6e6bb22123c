//! Administration (issue 7): agencies, staff accounts and their roles, procedure definitions published while
//! the server runs, and the working-time calendar in use. Administrators only; every change is audited with
//! the administrator who made it.

use crate::domain::policy::{Access, Target, staff_may};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, Weekday};

use super::Administration;
use super::{FieldError, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::calendar::Calendar;
use crate::domain::codes::AgencyId;
use crate::domain::procedure::{Problem, Procedure, Role, parse_procedure};
use crate::domain::throttle;
use crate::store::{DbConnection, agencies, audit, procedures, sign_in, staff, staff_admin};

pub const LEVELS: [&str; 3] = ["province", "department", "commune"];

/// An agency to add, as typed in the form (same rules as `motcua admin add-agency`).
#[derive(Debug, Clone, Default)]
pub struct NewAgency {
    pub id: String,
    pub level: String,
    pub kind: String,
    pub name: String,
    pub parent: Option<String>,
    /// The area served ("31", "31.01"); absent: none (bundles cannot route members to it).
    pub area: Option<String>,
}

/// A staff account as administrators see it.
#[derive(Debug, Clone)]
pub struct StaffAccount {
    pub username: String,
    pub full_name: String,
    /// The roles held, per agency, with their posts.
    pub roles: Vec<crate::store::staff_admin::HeldRole>,
    pub phone: Option<String>,
    pub failed_logins: i32,
    pub locked: bool,
}

/// The throttle's key of an account name, from any address.
fn account_key(username: &str) -> String {
    throttle::keys(username, "")[2].1.clone()
}

fn actor(caller: &StaffIdentity) -> String {
    format!("staff:{}", caller.id)
}

impl Services {
    /// The administration (agencies, staff, procedures, calendars, the outbox, jobs) is the administrators';
    /// anyone else is refused, and the refusal audited.
    pub(super) fn admin_only(&self, caller: &StaffIdentity, what: &str) -> ServiceResult<()> {
        if staff_may(caller, Access::Administer, Target::Anywhere) {
            return Ok(());
        }
        self.deny(caller, what, "admin.forbidden");
        Err(ServiceError::Forbidden("admin.forbidden"))
    }

    fn record_agency(&self, actor: &str, input: &NewAgency) -> ServiceResult<agencies::Agency> {
        let mut errors = Vec::new();
        let id = input.id.trim();
        if id.is_empty() {
            errors.push(FieldError::new("id", "field.required"));
        } else if let Err(e) = AgencyId::parse(id) {
            errors.push(FieldError::new("id", "ui.admin.bad_agency_id").with_detail(&e.to_string()));
        }
        if !LEVELS.contains(&input.level.as_str()) {
            errors.push(FieldError::new("level", "ui.admin.bad_level"));
        }
        if !self.registry.has_agency_kind(&input.kind) {
            errors.push(FieldError::new("kind", "field.wrong_agency_kind"));
        }
        let name = input.name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "field.required"));
        }
        let parent = input.parent.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let area = input.area.as_deref().map(str::trim).filter(|a| !a.is_empty());
        if area.is_some_and(|a| !agencies::is_area(a)) {
            errors.push(FieldError::new("area", "ui.admin.bad_area"));
        }
        let agency = agencies::Agency {
            id: id.to_string(),
            parent_id: parent.map(str::to_string),
            level: input.level.clone(),
            kind: input.kind.clone(),
            name: name.to_string(),
            area: area.map(str::to_string),
        };
        let now = self.now();
        self.db.write(|conn| {
            if let Some(parent) = parent
                && agencies::get(conn, parent)?.is_none()
            {
                errors.push(FieldError::new("parent", "field.unknown_agency"));
            }
            if errors.is_empty() && agencies::get(conn, &agency.id)?.is_some() {
                errors.push(FieldError::new("id", "ui.admin.agency_exists"));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(std::mem::take(&mut errors)));
            }
            agencies::insert_if_absent(conn, &agency)?;
            audit::record(conn, now, actor, "agency_add", &agency.id, "ok")?;
            Ok(agency.clone())
        })
    }

    fn admin_audit(&self, caller: &StaffIdentity, action: &str, subject: &str) -> ServiceResult<()> {
        let now = self.now();
        self.db
            .write(|conn| audit::record(conn, now, &actor(caller), action, subject, "ok").map_err(ServiceError::from))
    }

    fn validate_definition(&self, file: &str, source: &str) -> Result<Procedure, Vec<Problem>> {
        let procedure = parse_procedure(file, source, &self.registry)?;
        let newest = self.catalogue.versions(&procedure.code).iter().map(|p| p.version).max();
        match newest {
            Some(newest) if newest >= procedure.version => Err(vec![Problem {
                file: file.to_string(),
                position: None,
                path: "version".into(),
                rule: "version_not_newer",
                message: format!(
                    "version {} of {} is not newer than the published version {newest}",
                    procedure.version, procedure.code
                ),
            }]),
            _ => Ok(procedure),
        }
    }
}

impl Administration<'_> {
    pub fn admin_agencies(&self, caller: &StaffIdentity) -> ServiceResult<Vec<agencies::Agency>> {
        self.admin_only(caller, "agencies")?;
        self.agencies()
    }

    /// Adds an agency: an electronic id of the national shape, a level, an agency kind of the registry, a
    /// name, and a parent that exists. Every bad field is reported at once.
    pub fn add_agency(&self, caller: &StaffIdentity, input: &NewAgency) -> ServiceResult<agencies::Agency> {
        self.admin_only(caller, "agency add")?;
        self.record_agency(&actor(caller), input)
    }

    /// Adds an agency at the server's console (`motcua admin add-agency`), by the same rules.
    pub fn add_agency_at_console(&self, input: &NewAgency) -> ServiceResult<agencies::Agency> {
        self.record_agency("console", input)
    }

    pub fn staff_accounts(&self, caller: &StaffIdentity) -> ServiceResult<Vec<StaffAccount>> {
        self.admin_only(caller, "staff")?;
        let now = self.now();
        let (accounts, failures) = self.db.read(|conn| -> ServiceResult<_> {
            let failures = sign_in::recent_of_accounts(conn, now - throttle::FORGET_AFTER)?;
            Ok((staff_admin::all_with_roles(conn)?, failures))
        })?;
        Ok(accounts
            .into_iter()
            .map(|(row, roles)| {
                let own = account_key(&row.username);
                let from_addresses = format!("{own}|");
                let counted: Vec<_> = failures
                    .iter()
                    .filter_map(|(key, n, at)| {
                        let kind = if *key == own {
                            throttle::Key::Account
                        } else if key.starts_with(&from_addresses) {
                            throttle::Key::AccountFromAddress
                        } else {
                            return None;
                        };
                        Some((kind, *n, *at))
                    })
                    .collect();
                let recent = |(_, n, at): &&(throttle::Key, i32, chrono::DateTime<chrono::Utc>)| {
                    (now - *at < throttle::FORGET_AFTER).then_some(*n)
                };
                StaffAccount {
                    // Tries wait now, from some address or from all (never locked; see domain::throttle).
                    locked: throttle::retry_after(&counted, now).is_some(),
                    failed_logins: counted.iter().filter_map(|c| recent(&c)).max().unwrap_or(0),
                    username: row.username,
                    full_name: row.full_name,
                    phone: row.phone,
                    roles,
                }
            })
            .collect())
    }

    /// Creates an account with its first role (`create_user`'s rules); a taken username is refused here, as
    /// roles of existing accounts are added with [`Services::grant_role`].
    pub fn admin_create_user(
        &self,
        caller: &StaffIdentity,
        username: &str,
        full_name: &str,
        role: &str,
        agency: &str,
        password: &str,
    ) -> ServiceResult<StaffIdentity> {
        self.admin_only(caller, "staff create")?;
        let username = username.trim();
        let mut errors = Vec::new();
        let parsed = role.parse::<Role>().ok();
        if parsed.is_none() {
            errors.push(FieldError::new("role", "ui.admin.unknown_role"));
        }
        let (taken, agency_known) = self.db.read(|conn| {
            Ok::<_, ServiceError>((
                staff::by_username(conn, username)?.is_some(),
                agencies::get(conn, agency)?.is_some(),
            ))
        })?;
        if taken {
            errors.push(FieldError::new("username", "field.name_taken"));
        }
        if !agency_known {
            errors.push(FieldError::new("agency", "field.unknown_agency"));
        }
        let Some(role) = parsed.filter(|_| errors.is_empty()) else {
            // `create_user`'s own field checks too, so every error shows at once. Each call below is refused
            // before it touches the store (an empty username, an empty password), and only the errors of the
            // fields it was given are kept.
            let checks = [
                (self.identity().create_user(username, "", Role::Admin, "", ""), &["username"][..]),
                (self.identity().create_user("", full_name, Role::Admin, "", password), &["full_name", "password"][..]),
            ];
            for (outcome, fields) in checks {
                if let Err(ServiceError::Invalid(more)) = outcome {
                    let kept = more.into_iter().filter(|e| fields.contains(&e.field.as_str()));
                    errors.extend(kept.filter(|e| !(taken && e.field == "username")));
                }
            }
            return Err(ServiceError::Invalid(errors));
        };
        let created = self.identity().create_user(username, full_name, role, agency, password)?;
        self.admin_audit(caller, "staff_create", &format!("{username} {}@{agency}", role.as_str()))?;
        Ok(created)
    }

    /// Sets the post of a role an account holds: division, deputy, work phone (`Services::set_post`'s rules).
    pub fn admin_set_post(
        &self,
        caller: &StaffIdentity,
        username: &str,
        role: &str,
        post: super::accounts::StaffPost,
    ) -> ServiceResult<()> {
        self.admin_only(caller, "staff post")?;
        let Ok(role) = role.parse::<Role>() else {
            return Err(ServiceError::Invalid(vec![FieldError::new("role", "ui.admin.unknown_role")]));
        };
        let username = username.trim();
        match self.identity().set_post(username, &super::accounts::StaffPost { role, ..post }) {
            Err(ServiceError::NotFound(_)) => {
                Err(ServiceError::Invalid(vec![FieldError::new("username", "field.unknown_staff")]))
            }
            outcome => outcome,
        }?;
        self.admin_audit(caller, "staff_post", &format!("{username} {}", role.as_str()))
    }

    /// Gives an existing account one more role in an agency.
    pub fn grant_role(&self, caller: &StaffIdentity, username: &str, role: &str, agency: &str) -> ServiceResult<()> {
        self.admin_only(caller, "staff role")?;
        let mut errors = Vec::new();
        let parsed = role.parse::<Role>().ok();
        if parsed.is_none() {
            errors.push(FieldError::new("role", "ui.admin.unknown_role"));
        }
        let now = self.now();
        self.db.write(|conn| {
            let person = staff::by_username(conn, username.trim())?;
            if person.is_none() {
                errors.push(FieldError::new("username", "field.unknown_staff"));
            }
            if agencies::get(conn, agency)?.is_none() {
                errors.push(FieldError::new("agency", "field.unknown_agency"));
            }
            let (Some(person), Some(role), true) = (person, parsed, errors.is_empty()) else {
                return Err(ServiceError::Invalid(std::mem::take(&mut errors)));
            };
            staff::add_role(conn, &person.id, agency, role.as_str())?;
            let subject = format!("{} {}@{agency}", person.username, role.as_str());
            audit::record(conn, now, &actor(caller), "staff_role_add", &subject, "ok")?;
            Ok(())
        })
    }

    /// Sets a new password and unlocks the account.
    pub fn admin_reset_password(&self, caller: &StaffIdentity, username: &str, password: &str) -> ServiceResult<()> {
        self.admin_only(caller, "staff password")?;
        self.identity().reset_password(username.trim(), password).map_err(|e| match e {
            ServiceError::NotFound(_) => {
                ServiceError::Invalid(vec![FieldError::new("username", "field.unknown_staff")])
            }
            other => other,
        })?;
        self.admin_audit(caller, "staff_password_reset", username.trim())
    }

    /// Forgets the account's failed sign-ins from every address (its waits end), keeping the password.
    pub fn unlock_account(&self, caller: &StaffIdentity, username: &str) -> ServiceResult<()> {
        self.admin_only(caller, "staff unlock")?;
        let now = self.now();
        self.db.write(|conn| {
            let person = staff::by_username(conn, username.trim())?
                .ok_or_else(|| ServiceError::Invalid(vec![FieldError::new("username", "field.unknown_staff")]))?;
            sign_in::clear_account(conn, &account_key(&person.username))?;
            audit::record(conn, now, &actor(caller), "staff_unlock", &person.username, "ok")?;
            Ok(())
        })
    }

    /// Validates a definition as `motcua procedures check` does, and against the running catalogue: a new
    /// version must be higher than every published version of its code.
    pub fn check_definition(
        &self,
        caller: &StaffIdentity,
        file: &str,
        source: &str,
    ) -> ServiceResult<Result<Procedure, Vec<Problem>>> {
        self.admin_only(caller, "procedure check")?;
        Ok(self.validate_definition(file, source))
    }

    /// Publishes a valid definition as a new version: recorded in the store like the definitions loaded at
    /// start, then added to the running catalogue, so new dossiers use it; dossiers already submitted keep
    /// the version they are pinned to. Nothing is stored when there is any problem.
    pub fn publish_definition(
        &self,
        caller: &StaffIdentity,
        file: &str,
        source: &str,
    ) -> ServiceResult<Result<Arc<Procedure>, Vec<Problem>>> {
        self.admin_only(caller, "procedure publish")?;
        let procedure = match self.validate_definition(file, source) {
            Ok(p) => p,
            Err(problems) => return Ok(Err(problems)),
        };
        let now = self.now();
        let recorded = self.db.write(|conn: &mut DbConnection| {
            if let Err(e) = procedures::record(conn, &procedure.code, procedure.version, &procedure.name, source, now) {
                return Ok(Err(e.to_string()));
            }
            let subject = format!("{}@{}", procedure.code, procedure.version);
            audit::record(conn, now, &actor(caller), "procedure_publish", &subject, "ok")?;
            Ok::<_, ServiceError>(Ok(()))
        })?;
        let refused = |message: String| {
            Ok(Err(vec![Problem {
                file: file.to_string(),
                position: None,
                path: "version".into(),
                rule: "duplicate_version",
                message,
            }]))
        };
        if let Err(message) = recorded {
            return refused(message);
        }
        match self.catalogue.publish(procedure) {
            Ok(published) => Ok(Ok(published)),
            Err(e) => refused(e.to_string()),
        }
    }

    /// A dossier's id from its code (or the id itself), for filters that take either.
    pub fn dossier_id_of(&self, code_or_id: &str) -> ServiceResult<String> {
        let text = code_or_id.trim();
        let found = self.db.read(|conn| crate::store::dossiers::by_code(conn, text).map_err(ServiceError::from))?;
        Ok(found.map_or_else(|| text.to_string(), |d| d.id))
    }

    /// The calendar in use, for one year.
    pub fn calendar_year(&self, year: i32) -> CalendarYear {
        calendar_year(&self.calendar, year)
    }
}

/// What the calendar page shows for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarYear {
    pub year: i32,
    pub timezone: String,
    /// Weekdays that are working days unless a holiday says otherwise (Monday first).
    pub working_weekdays: Vec<Weekday>,
    /// Working sessions of a day, local time.
    pub sessions: Vec<(NaiveTime, NaiveTime)>,
    pub day_length: TimeDelta,
    /// Days off that would otherwise be working days.
    pub holidays: Vec<NaiveDate>,
    /// Make-up working days on days that are otherwise off.
    pub working_weekends: Vec<NaiveDate>,
    pub working_days: u32,
}

/// The calendar's year, read through its public rules (pure): a weekday works when most of its dates in the
/// year do; the dates that differ are holidays or make-up days.
pub fn calendar_year(calendar: &Calendar, year: i32) -> CalendarYear {
    let days: Vec<NaiveDate> = NaiveDate::from_ymd_opt(year, 1, 1)
        .map(|first| first.iter_days().take_while(|d| d.year() == year).collect())
        .unwrap_or_default();
    let mut counts = [(0u32, 0u32); 7];
    for d in &days {
        let slot = &mut counts[d.weekday().num_days_from_monday() as usize];
        slot.1 += 1;
        if calendar.is_working_day(*d) {
            slot.0 += 1;
        }
    }
    let usual = |d: &NaiveDate| {
        let (working, all) = counts[d.weekday().num_days_from_monday() as usize];
        working * 2 > all
    };
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    let working_weekdays: Vec<Weekday> = weekdays
        .into_iter()
        .filter(|w| counts[w.num_days_from_monday() as usize].0 * 2 > counts[w.num_days_from_monday() as usize].1)
        .collect();
    let holidays = days.iter().filter(|d| usual(d) && !calendar.is_working_day(**d)).copied().collect();
    let working_weekends = days.iter().filter(|d| !usual(d) && calendar.is_working_day(**d)).copied().collect();
    let working_days = days.iter().filter(|d| calendar.is_working_day(**d)).count() as u32;
    // The sessions of the first working day: the running intervals of that date.
    let sessions = days
        .iter()
        .find(|d| calendar.is_working_day(**d))
        .map(|d| {
            let tz = calendar.timezone();
            calendar
                .running_intervals(calendar.instant(*d, NaiveTime::MIN))
                .map(|(a, b)| (a.with_timezone(&tz), b.with_timezone(&tz)))
                .take_while(|(a, _)| a.date_naive() == *d)
                .map(|(a, b)| (a.time(), b.time()))
                .collect()
        })
        .unwrap_or_default();
    CalendarYear {
        year,
        timezone: calendar.timezone().name().to_string(),
        working_weekdays,
        sessions,
        day_length: calendar.day_length(),
        holidays,
        working_weekends,
        working_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_calendar_reads_back_per_year() {
        let text = r#"
timezone = "Asia/Ho_Chi_Minh"
working_days = ["mon", "tue", "wed", "thu", "fri"]
sessions = [["07:30", "11:30"], ["13:00", "17:00"]]
holidays = ["2027-01-01", "2027-02-04", "2027-02-05", "2028-01-03"]
working_weekends = ["2027-01-09"]
"#;
        let calendar = Calendar::from_toml(text).unwrap();
        let year = calendar_year(&calendar, 2027);
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(year.holidays, vec![date("2027-01-01"), date("2027-02-04"), date("2027-02-05")]);
        assert_eq!(year.working_weekends, vec![date("2027-01-09")]);
        assert_eq!(year.working_weekdays.len(), 5);
        let hm = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert_eq!(year.sessions, vec![(hm("07:30"), hm("11:30")), (hm("13:00"), hm("17:00"))]);
        assert_eq!(year.day_length, TimeDelta::hours(8));
        // 2027: 261 weekdays, 3 holidays off, 1 make-up day.
        assert_eq!(year.working_days, 261 - 3 + 1);
        assert_eq!(year.timezone, "Asia/Ho_Chi_Minh");
    }
}
