//! `decide`: given a dossier, its procedure, an action and the context, either the events that happen or the
//! reason the action is refused. Pure: no IO, time comes from the context.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::action::{Action, Context, FeeCharge, Submission};
use super::event::{Change, Event, StepMove};
use super::model::{
    Digitisation, Dossier, IdKind, IdentityOutcome, Proposal, RegisteredPerson, Status, SupplementItem,
};
use super::rejection::Rejection;
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::codes::{PersonalId, TaxCode};
use crate::domain::deadline::{ClockChange, LegalClock, ProcessingTime, due_instant};
use crate::domain::free_text;
use crate::domain::policy::{self, Besides};
use crate::domain::procedure::{Online, Procedure, Role, Step, StepKind};

/// Decides on a new dossier handed in online, by the national portal, at the counter or by post.
/// The result is the `Submitted` event (status 1); counter and post receptions follow it with `Receive`.
pub fn decide_submission(
    procedure: &Procedure,
    submission: Submission,
    ctx: &Context,
) -> Result<Vec<Event>, Rejection> {
    if submission.procedure_code != procedure.code || submission.procedure_version != procedure.version {
        return Err(Rejection::ProcedureMismatch);
    }
    use super::model::Channel;
    policy::check_submitter(&ctx.actor, &submission)?;
    if submission.channel == Channel::Online && procedure.online == Online::None {
        return Err(Rejection::NotOnline);
    }
    check_applicant(&submission)?;
    check_members(procedure, &submission.members)?;
    not_blank(&submission.summary, "summary")?;
    if let Some(code) = &submission.code {
        not_blank(code, "code")?;
    }
    let mut seen = BTreeSet::new();
    for component in &submission.components {
        if procedure.component(&component.id).is_none() {
            return Err(Rejection::UnknownComponent(component.id.clone()));
        }
        if !seen.insert(component.id.as_str()) {
            return Err(Rejection::Duplicate(component.id.clone()));
        }
    }
    let mut event = Event::new(ctx.now, ctx.actor.clone(), Change::Submitted(Box::new(submission)));
    event.status = Some(Status::Submitted);
    event.note = ctx.note.clone();
    Ok(vec![event])
}

/// The procedures chosen of a bundle: each a member, once; every required member; at least two (one alone is
/// submitted as itself). A procedure that is no bundle has none.
fn check_members(procedure: &Procedure, chosen: &[String]) -> Result<(), Rejection> {
    let refuse = |why: String| Err(Rejection::BundleChoice(why));
    if !procedure.is_bundle() {
        return if chosen.is_empty() { Ok(()) } else { refuse(format!("{} is not a bundle", procedure.code)) };
    }
    let mut seen = BTreeSet::new();
    for code in chosen {
        if procedure.member(code).is_none() {
            return refuse(format!("{code} is not a procedure of this bundle"));
        }
        if !seen.insert(code.as_str()) {
            return refuse(format!("{code} is chosen twice"));
        }
    }
    if let Some(required) = procedure.members.iter().find(|m| m.required && !seen.contains(m.procedure.as_str())) {
        return refuse(format!("{} is always part of this bundle", required.procedure));
    }
    if seen.len() < 2 {
        return refuse("choose at least two procedures of the bundle".into());
    }
    Ok(())
}

fn check_applicant(submission: &Submission) -> Result<(), Rejection> {
    let applicant = &submission.applicant;
    not_blank(&applicant.name, "applicant.name")?;
    let invalid = |e: String| Rejection::InvalidApplicant(e);
    match applicant.id_kind {
        IdKind::PersonalId => PersonalId::parse(&applicant.id_number)
            .and_then(|id| id.check(applicant.birth_date, applicant.sex))
            .map_err(|e| invalid(e.to_string())),
        IdKind::TaxCode => TaxCode::parse(&applicant.id_number).map(|_| ()).map_err(|e| invalid(e.to_string())),
        IdKind::Passport => {
            let ok = (6..=20).contains(&applicant.id_number.len())
                && applicant.id_number.bytes().all(|b| b.is_ascii_alphanumeric());
            if ok { Ok(()) } else { Err(invalid("a passport number has 6 to 20 letters and digits".into())) }
        }
    }
}

/// Decides on an action over an existing dossier.
pub fn decide(
    dossier: &Dossier,
    procedure: &Procedure,
    action: Action,
    ctx: &Context,
) -> Result<Vec<Event>, Rejection> {
    if dossier.procedure_code != procedure.code || dossier.procedure_version != procedure.version {
        return Err(Rejection::ProcedureMismatch);
    }
    if let Some(expected) = ctx.expected_version
        && !dossier.is_current(expected)
    {
        return Err(Rejection::StaleVersion { expected, actual: dossier.version });
    }
    let name = action.name();
    if dossier.status.is_terminal() {
        return Err(Rejection::WrongStatus { action: name, status: dossier.status });
    }
    bounded_texts(&action)?;
    let d = Decision { dossier, procedure, ctx, action: name };
    let mut event = match action {
        Action::Receive { code, register_entry } => d.receive(code, register_entry)?,
        Action::RefuseReception { reasons } => d.refuse_reception(reasons)?,
        Action::RequestSupplement { items } => d.request_supplement(items)?,
        Action::Resubmit => d.resubmit()?,
        Action::AttachPaper { component, paper_id, digitisation } => {
            d.attach_paper(component, paper_id, digitisation)?
        }
        Action::AttachResult { paper_id, title } => d.attach_result(paper_id, title)?,
        Action::RequestPayment { amount_vnd, charge, reason } => d.request_payment(amount_vnd, charge, reason)?,
        Action::RecordPayment { amount_vnd, reference } => d.record_payment(amount_vnd, reference)?,
        Action::CheckIdentity { outcome, registered } => d.check_identity(outcome, registered)?,
        Action::Assign { assignee } => d.assign(assignee)?,
        Action::Reassign { assignee } => d.reassign(assignee)?,
        Action::Appraise { proposal, document } => d.appraise(proposal, document)?,
        Action::Approve => d.forward(StepKind::Approve, Change::Approved)?,
        Action::Sign { document } => d.forward(StepKind::Sign, Change::Signed { document })?,
        Action::Disagree { reason } => d.disagree(reason)?,
        Action::Seal { number, document } => {
            // Numbering and sealing are two acts of the records clerk (Decree 30/2020): two events, one decision.
            not_blank(&number, "number")?;
            let mut sealed = d.forward(StepKind::Seal, Change::Sealed { document })?;
            let mut numbered = d.event(Change::Numbered { number: number.trim().to_string() });
            numbered.note = ctx.note.clone();
            sealed.note = ctx.note.clone();
            return Ok(vec![numbered, sealed]);
        }
        Action::Stop { reasons } => d.stop(reasons)?,
        Action::Consult { agency, question } => d.consult(agency, question)?,
        Action::Answer { answer, favourable } => d.answer(answer, favourable)?,
        Action::Extend { new_due, reason } => d.extend(new_due, reason)?,
        Action::Withdraw { reason } => d.withdraw(reason)?,
        Action::Return { method } => d.return_result(method)?,
        Action::OpenMembers { members } => d.open_members(members)?,
        Action::MembersDone { all_refused } => d.members_done(all_refused)?,
    };
    event.note = ctx.note.clone();
    Ok(vec![event])
}

/// Every text an action carries within the bounds of `free_text`, before anything else is decided.
fn bounded_texts(action: &Action) -> Result<(), Rejection> {
    use free_text::{ITEMS_MAX, SHORT_MAX, TEXT_MAX};
    let text = |field: &'static str, text: &str, max: usize| {
        if free_text::within(text, max) { Ok(()) } else { Err(Rejection::TooLong { field, max }) }
    };
    let list = |field: &'static str, items: &[String]| {
        if items.len() > ITEMS_MAX {
            return Err(Rejection::TooMany { field, max: ITEMS_MAX });
        }
        items.iter().try_for_each(|item| text(field, item, TEXT_MAX))
    };
    match action {
        Action::RefuseReception { reasons } | Action::Stop { reasons } => list("reasons", reasons),
        Action::Appraise { proposal: Proposal::Refusal { reasons }, .. } => list("proposal.reasons", reasons),
        Action::Appraise { proposal: Proposal::Result { summary }, .. } => text("proposal.summary", summary, TEXT_MAX),
        Action::RequestSupplement { items } => {
            if items.len() > ITEMS_MAX {
                return Err(Rejection::TooMany { field: "items", max: ITEMS_MAX });
            }
            items.iter().try_for_each(|item| text("items.reason", &item.reason, TEXT_MAX))
        }
        Action::RequestPayment { reason: Some(reason), .. } => text("reason", reason, TEXT_MAX),
        Action::RecordPayment { reference, .. } => text("reference", reference, SHORT_MAX),
        Action::Seal { number, .. } => text("number", number, SHORT_MAX),
        Action::Consult { question, .. } => text("question", question, TEXT_MAX),
        Action::Answer { answer, .. } => text("answer", answer, TEXT_MAX),
        Action::Disagree { reason } | Action::Extend { reason, .. } | Action::Withdraw { reason } => {
            text("reason", reason, TEXT_MAX)
        }
        Action::AttachResult { title, .. } => text("title", title, TEXT_MAX),
        _ => Ok(()),
    }
}

fn not_blank(text: &str, what: &'static str) -> Result<(), Rejection> {
    if text.trim().is_empty() { Err(Rejection::Empty(what)) } else { Ok(()) }
}

/// The most one payment request may ask (one billion đồng): a typo of a few zeros is refused, not sent to the
/// payment platform.
pub const MAX_PAYMENT_VND: u64 = 1_000_000_000;

/// An extension may add the procedure's processing time again, in working days at least this (time to verify
/// or consult for a short procedure)...
pub const MIN_EXTENSION_DAYS: i32 = 30;
/// ...and at most this, whatever the procedure.
pub const MAX_EXTENSION_DAYS: i32 = 60;

fn reasons_given(reasons: &[String]) -> Result<(), Rejection> {
    if reasons.is_empty() || reasons.iter().any(|r| r.trim().is_empty()) {
        return Err(Rejection::Empty("reasons"));
    }
    let mut seen = BTreeSet::new();
    match reasons.iter().find(|r| !seen.insert(r.trim())) {
        Some(twice) => Err(Rejection::Duplicate(twice.clone())),
        None => Ok(()),
    }
}

struct Decision<'a> {
    dossier: &'a Dossier,
    procedure: &'a Procedure,
    ctx: &'a Context<'a>,
    action: &'static str,
}

impl Decision<'_> {
    fn event(&self, change: Change) -> Event {
        Event::new(self.ctx.now, self.ctx.actor.clone(), change)
    }

    fn wrong_status(&self) -> Rejection {
        Rejection::WrongStatus { action: self.action, status: self.dossier.status }
    }

    fn require_status(&self, allowed: &[Status]) -> Result<(), Rejection> {
        if allowed.contains(&self.dossier.status) { Ok(()) } else { Err(self.wrong_status()) }
    }

    /// The access policy's rule for who acts on this dossier.
    fn acting(&self, roles: &[Role], besides: Besides) -> Result<(), Rejection> {
        policy::check_acting(&self.ctx.actor, self.dossier, roles, besides)
    }

    fn staff(&self, roles: &[Role]) -> Result<(), Rejection> {
        self.acting(roles, Besides::Nobody)
    }

    fn current_step(&self) -> Result<&Step, Rejection> {
        self.dossier.step.as_deref().and_then(|id| self.procedure.step(id)).ok_or_else(|| self.wrong_status())
    }

    /// The dossier is in process (status 2 or 4) at a step of `kind`, and the actor holds that step's role
    /// (and is the assignee where the step is the assignee's own work).
    fn at_step(&self, kind: StepKind) -> Result<&Step, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        let step = self.current_step()?;
        if step.kind != kind {
            return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
        }
        self.staff(&[step.role])?;
        self.require_assignee_for(step)?;
        Ok(step)
    }

    fn require_assignee_for(&self, step: &Step) -> Result<(), Rejection> {
        let assignee_work = matches!(step.kind, StepKind::Appraise | StepKind::Consult);
        match &self.dossier.assignee {
            Some(assignee) if assignee_work && self.ctx.actor.staff_id() != Some(assignee.id.as_str()) => {
                Err(Rejection::NotAssignee)
            }
            _ => Ok(()),
        }
    }

    /// The clock after `change`, to compute due instants the event will record.
    fn clock_after(&self, change: Option<ClockChange>) -> LegalClock {
        let mut clock = self.dossier.clock.clone();
        if let Some(change) = change {
            clock.apply(change, self.ctx.now);
        }
        clock
    }

    /// Hands the dossier to `to`: step due from the clock; entering the return step completes processing
    /// (status 9, or 8 for a refusal) and stops the legal clock.
    fn hand_off(&self, event: &mut Event, to: &Step) {
        let clock = self.clock_after(event.clock);
        let due_at = clock.step_due(self.ctx.calendar, self.procedure.cumulative_share(&to.id));
        event.step = Some(StepMove { to: Some(to.id.clone()), due_at });
        if to.kind == StepKind::Return {
            let refusal = matches!(event.change, Change::Stopped { .. })
                || matches!(self.dossier.proposal, Some(Proposal::Refusal { .. }))
                || matches!(&event.change, Change::Appraised { proposal: Proposal::Refusal { .. }, .. });
            event.status = Some(if refusal { Status::Stopped } else { Status::ResultReady });
            event.clock = Some(ClockChange::Pause);
            event.timeliness = self.dossier.due_at.map(|due| self.ctx.calendar.classify(self.ctx.now, due));
        } else if self.dossier.status != Status::InProcess {
            event.status = Some(Status::InProcess);
        }
    }

    fn next_step(&self, from: &Step) -> &Step {
        self.procedure.next_step(&from.id).expect("validated flows end with a return step")
    }

    fn receive(&self, code: String, register_entry: Option<u32>) -> Result<Event, Rejection> {
        self.require_status(&[Status::Submitted])?;
        self.reception_clerk_or_bundle()?;
        if self.dossier.identity_discrepancy() {
            return Err(Rejection::IdentityMismatch);
        }
        let code = self.dossier.code.clone().unwrap_or(code);
        not_blank(&code, "code")?;
        let missing = self.dossier.missing_components(self.procedure);
        if !missing.is_empty() {
            return Err(Rejection::MissingComponent(missing));
        }
        let calendar = self.ctx.calendar;
        let due = due_instant(calendar, self.ctx.now, self.procedure.processing_time);
        let (budget, calendar_days) = match self.procedure.processing_time {
            ProcessingTime::SameDay { .. } => (calendar.running_between(calendar.clock_start(self.ctx.now), due), None),
            ProcessingTime::WorkingDays(days) => (calendar.day_length() * days as i32, None),
            ProcessingTime::WorkingHours(hours) => (chrono::TimeDelta::hours(hours.into()), None),
            ProcessingTime::CalendarDays(days) => {
                (calendar.running_between(calendar.clock_start(self.ctx.now), due), Some(days))
            }
        };
        let clock = ClockChange::Start { budget_secs: budget.num_seconds(), calendar_days };
        let first = &self.procedure.steps[0];
        let step_due_at = self.clock_after(Some(clock)).step_due(calendar, self.procedure.cumulative_share(&first.id));
        let mut event = self.event(Change::Received { code, step_due_at, register_entry });
        event.clock = Some(clock);
        event.due_at = Some(due);
        self.hand_off(&mut event, self.next_step(first));
        event.status = Some(Status::Received);
        Ok(event)
    }

    fn refuse_reception(&self, reasons: Vec<String>) -> Result<Event, Rejection> {
        self.require_status(&[Status::Submitted])?;
        self.staff(&[Role::ReceptionClerk])?;
        reasons_given(&reasons)?;
        let mut event = self.event(Change::ReceptionRefused { reasons });
        event.status = Some(Status::RefusedAtReception);
        Ok(event)
    }

    fn request_supplement(&self, items: Vec<SupplementItem>) -> Result<Event, Rejection> {
        match self.dossier.status {
            Status::Submitted => {
                self.staff(&[Role::ReceptionClerk])?;
                if self.dossier.supplements_before_reception > 0 {
                    return Err(Rejection::SupplementAlreadyRequested);
                }
            }
            Status::Received | Status::InProcess => {
                self.not_waiting_for_members()?;
                let step = self.current_step()?;
                self.staff(&[step.role])?;
                self.require_assignee_for(step)?;
                if self.dossier.supplements_after_reception > 0 {
                    return Err(Rejection::SupplementAlreadyRequested);
                }
            }
            _ => return Err(self.wrong_status()),
        }
        if items.is_empty() {
            return Err(Rejection::Empty("items"));
        }
        let mut seen = BTreeSet::new();
        for item in &items {
            not_blank(&item.reason, "items.reason")?;
            if let Some(component) = &item.component
                && self.procedure.component(component).is_none()
            {
                return Err(Rejection::UnknownComponent(component.clone()));
            }
            let key = item.component.clone().unwrap_or_else(|| item.reason.trim().to_string());
            if !seen.insert(key.clone()) {
                return Err(Rejection::Duplicate(key));
            }
        }
        let mut event = self.event(Change::SupplementRequested { items });
        event.status = Some(Status::SupplementRequested);
        if self.dossier.clock.is_running() {
            event.clock = Some(ClockChange::Pause);
        }
        Ok(event)
    }

    fn resubmit(&self) -> Result<Event, Rejection> {
        self.require_status(&[Status::SupplementRequested])?;
        self.owner_or_clerk()?;
        let pending = self.dossier.supplement.as_ref().ok_or_else(|| self.wrong_status())?;
        // Every component the request named needs its new paper first.
        let missing: Vec<String> = pending
            .items
            .iter()
            .filter_map(|item| item.component.clone())
            .filter(|c| !self.dossier.components.iter().any(|s| s.id == *c && s.provided))
            .collect();
        if !missing.is_empty() {
            return Err(Rejection::MissingComponent(missing));
        }
        let mut event = self.event(Change::Resubmitted);
        event.status = Some(pending.resume_to);
        if pending.resume_to == Status::InProcess {
            let restart = self.procedure.on_supplement == crate::domain::procedure::OnSupplement::Restart;
            event.clock = Some(if restart { ClockChange::Restart } else { ClockChange::Resume });
            self.recompute_dues(&mut event);
        }
        Ok(event)
    }

    /// A paper for a component: by the applicant before reception or while a supplement is awaited, by the
    /// reception clerk (digitisation) until processing completes.
    fn attach_paper(
        &self,
        component: String,
        paper_id: String,
        digitisation: Digitisation,
    ) -> Result<Event, Rejection> {
        let open = [Status::Submitted, Status::Received, Status::InProcess, Status::SupplementRequested];
        self.require_status(&open)?;
        if matches!(self.ctx.actor, Actor::Citizen { .. }) {
            self.require_status(&[Status::Submitted, Status::SupplementRequested])?;
        }
        self.owner_or_clerk()?;
        if self.procedure.component(&component).is_none() {
            return Err(Rejection::UnknownComponent(component));
        }
        not_blank(&paper_id, "paper_id")?;
        if digitisation == Digitisation::NotDigitised {
            return Err(Rejection::Empty("digitisation"));
        }
        Ok(self.event(Change::PaperAttached { component, paper_id, digitisation }))
    }

    /// A paper of the result: once the leader has it for signature, until it is returned.
    fn attach_result(&self, paper_id: String, title: String) -> Result<Event, Rejection> {
        match self.dossier.status {
            Status::ResultReady | Status::Stopped => {}
            Status::Received | Status::InProcess => {
                let step = self.current_step()?;
                if !matches!(step.kind, StepKind::Sign | StepKind::Seal) {
                    return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
                }
            }
            _ => return Err(self.wrong_status()),
        }
        self.staff(&[Role::RecordsClerk, Role::AgencyLeader])?;
        not_blank(&paper_id, "paper_id")?;
        not_blank(&title, "title")?;
        Ok(self.event(Change::ResultAttached { paper_id, title }))
    }

    /// A bundle's member is received and returned by the system, with the bundle at its one-stop desk; any other
    /// dossier by the reception clerk of its agency.
    fn reception_clerk_or_bundle(&self) -> Result<(), Rejection> {
        self.acting(&[Role::ReceptionClerk], Besides::SystemForMember)
    }

    /// A bundle waiting for its members: nothing but the system moves it on (and the leader may extend it).
    fn not_waiting_for_members(&self) -> Result<(), Rejection> {
        match self.current_step() {
            Ok(step) if step.kind == StepKind::Bundle => {
                Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind })
            }
            _ => Ok(()),
        }
    }

    fn system_at_bundle_step(&self) -> Result<&Step, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        self.acting(&[], Besides::SystemOnly)?;
        let step = self.current_step()?;
        if step.kind != StepKind::Bundle {
            return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
        }
        Ok(step)
    }

    fn open_members(&self, members: Vec<super::model::MemberDossier>) -> Result<Event, Rejection> {
        self.system_at_bundle_step()?;
        if !self.dossier.member_dossiers.is_empty() {
            return Err(Rejection::BundleChoice("the members are open already".into()));
        }
        let opened: BTreeSet<&str> = members.iter().map(|m| m.procedure.as_str()).collect();
        let chosen: BTreeSet<&str> = self.dossier.chosen_members.iter().map(String::as_str).collect();
        if opened != chosen || opened.len() != members.len() {
            return Err(Rejection::BundleChoice("open exactly the procedures chosen".into()));
        }
        // The bundle is due when its last member is: the clock is set to end there.
        let due = members.iter().filter_map(|m| m.due_at).max();
        let mut event = self.event(Change::MembersOpened { members });
        if let Some(due) = due {
            let budget = self.dossier.clock.budget_ending_at(self.ctx.calendar, self.ctx.now, due);
            event.clock = Some(ClockChange::SetBudget { budget_secs: budget.num_seconds() });
            event.due_at = Some(due);
            let step = self.current_step()?;
            event.step_due_at =
                self.clock_after(event.clock).step_due(self.ctx.calendar, self.procedure.cumulative_share(&step.id));
        }
        Ok(event)
    }

    fn members_done(&self, all_refused: bool) -> Result<Event, Rejection> {
        let step = self.system_at_bundle_step()?;
        if self.dossier.member_dossiers.is_empty() {
            return Err(Rejection::BundleChoice("the members are not open yet".into()));
        }
        let mut event = self.event(Change::MembersDone);
        self.hand_off(&mut event, self.next_step(step));
        if event.status == Some(Status::ResultReady) && all_refused {
            event.status = Some(Status::Stopped);
        }
        Ok(event)
    }

    fn owner_or_clerk(&self) -> Result<(), Rejection> {
        self.acting(&[Role::ReceptionClerk], Besides::Owner)
    }

    /// After the clock resumes: the new legal due and the current step's due.
    fn recompute_dues(&self, event: &mut Event) {
        let clock = self.clock_after(event.clock);
        event.due_at = clock.due(self.ctx.calendar);
        if let Some(step) = &self.dossier.step {
            event.step_due_at = clock.step_due(self.ctx.calendar, self.procedure.cumulative_share(step));
        }
    }

    fn request_payment(
        &self,
        amount_vnd: u64,
        charge: Option<FeeCharge>,
        reason: Option<String>,
    ) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        self.not_waiting_for_members()?;
        let step = self.current_step()?;
        self.staff(&[step.role, Role::ReceptionClerk])?;
        let (amount_vnd, fee) = match charge {
            None => (amount_vnd, None),
            Some(FeeCharge { fee, units }) => {
                let schedule = self.procedure.fees.iter().find(|f| f.name == fee).ok_or(Rejection::UnknownFee(fee))?;
                let units = match (&schedule.unit, units) {
                    (Some(_), None | Some(0)) => return Err(Rejection::Empty("charge.units")),
                    (_, units) => units.unwrap_or(1),
                };
                let due = schedule.charge(self.ctx.calendar.local_date(self.ctx.now), units);
                if amount_vnd != 0 && amount_vnd != due {
                    return Err(Rejection::AmountMismatch { requested: due, paid: amount_vnd });
                }
                (due, Some(schedule.name.clone()))
            }
        };
        if amount_vnd == 0 {
            return Err(Rejection::ZeroAmount);
        }
        if amount_vnd > MAX_PAYMENT_VND {
            return Err(Rejection::AmountTooLarge { max: MAX_PAYMENT_VND });
        }
        let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if fee.is_none() && reason.is_none() && !self.is_a_fee(amount_vnd) {
            return Err(Rejection::AmountNotAFee(amount_vnd));
        }
        let mut event = self.event(Change::PaymentRequested { amount_vnd, fee, reason });
        event.status = Some(Status::PaymentRequested);
        event.clock = Some(ClockChange::Pause);
        Ok(event)
    }

    /// An amount is one of the procedure's flat fees as of today, or all of them together.
    fn is_a_fee(&self, amount_vnd: u64) -> bool {
        let today = self.ctx.calendar.local_date(self.ctx.now);
        let flat: Vec<u64> =
            self.procedure.fees.iter().filter(|f| f.unit.is_none()).map(|f| f.charge(today, 1)).collect();
        flat.contains(&amount_vnd) || flat.iter().fold(0u64, |sum, a| sum.saturating_add(*a)) == amount_vnd
    }

    fn record_payment(&self, amount_vnd: u64, reference: String) -> Result<Event, Rejection> {
        self.require_status(&[Status::PaymentRequested])?;
        self.acting(&[Role::ReceptionClerk], Besides::System)?;
        not_blank(&reference, "reference")?;
        let requested = self.dossier.payment.as_ref().map_or(0, |p| p.amount_vnd);
        if amount_vnd != requested {
            return Err(Rejection::AmountMismatch { requested, paid: amount_vnd });
        }
        let mut event = self.event(Change::PaymentRecorded { amount_vnd, reference });
        event.clock = Some(ClockChange::Resume);
        event.status = Some(Status::InProcess);
        let step = self.current_step()?;
        if step.kind == StepKind::Pay {
            event.due_at = self.clock_after(event.clock).due(self.ctx.calendar);
            self.hand_off(&mut event, self.next_step(step));
        } else {
            self.recompute_dues(&mut event);
        }
        Ok(event)
    }

    /// The reception clerk records the population database's answer: before reception, and again later while
    /// the dossier is open (a re-run after the register was down or was updated). The applicant must be
    /// identified by a personal id, the only identifier the register knows.
    fn check_identity(
        &self,
        outcome: IdentityOutcome,
        registered: Option<RegisteredPerson>,
    ) -> Result<Event, Rejection> {
        self.require_status(&[Status::Submitted, Status::Received, Status::InProcess, Status::SupplementRequested])?;
        self.staff(&[Role::ReceptionClerk])?;
        if self.dossier.applicant.id_kind != IdKind::PersonalId {
            return Err(Rejection::InvalidApplicant("only a personal id can be checked".into()));
        }
        if let IdentityOutcome::Mismatch { fields } = &outcome
            && fields.is_empty()
        {
            return Err(Rejection::Empty("fields"));
        }
        Ok(self.event(Change::IdentityChecked { outcome, registered }))
    }

    fn assign(&self, assignee: StaffRef) -> Result<Event, Rejection> {
        let step = self.at_step(StepKind::Assign)?;
        not_blank(&assignee.id, "assignee.id")?;
        let mut event = self.event(Change::Assigned { assignee });
        self.hand_off(&mut event, self.next_step(step));
        Ok(event)
    }

    fn reassign(&self, assignee: StaffRef) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        self.staff(&[Role::DivisionHead, Role::AgencyLeader])?;
        not_blank(&assignee.id, "assignee.id")?;
        Ok(self.event(Change::Reassigned { assignee }))
    }

    fn appraise(&self, proposal: Proposal, document: Option<String>) -> Result<Event, Rejection> {
        let step = self.at_step(StepKind::Appraise)?;
        match &proposal {
            Proposal::Result { summary } => not_blank(summary, "summary")?,
            Proposal::Refusal { reasons } => reasons_given(reasons)?,
        }
        let mut event = self.event(Change::Appraised { proposal, document });
        self.hand_off(&mut event, self.next_step(step));
        Ok(event)
    }

    /// Approve, sign and seal: the step's work is done, the dossier goes on.
    fn forward(&self, kind: StepKind, change: Change) -> Result<Event, Rejection> {
        let step = self.at_step(kind)?;
        let mut event = self.event(change);
        self.hand_off(&mut event, self.next_step(step));
        Ok(event)
    }

    fn disagree(&self, reason: String) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        let step = self.current_step()?;
        let back_to = match (step.kind, &step.on_disagree) {
            (StepKind::Approve | StepKind::Sign, Some(target)) => target,
            _ => {
                return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
            }
        };
        self.staff(&[step.role])?;
        not_blank(&reason, "reason")?;
        let target = self.procedure.step(back_to).expect("validated on_disagree targets exist");
        let mut event = self.event(Change::Disagreed { back_to: back_to.clone(), reason });
        self.hand_off(&mut event, target);
        Ok(event)
    }

    fn stop(&self, reasons: Vec<String>) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        self.not_waiting_for_members()?;
        self.staff(&[Role::AgencyLeader])?;
        reasons_given(&reasons)?;
        let mut event = self.event(Change::Stopped { reasons });
        let return_step = self.procedure.steps.last().expect("validated flows have steps");
        self.hand_off(&mut event, return_step);
        Ok(event)
    }

    fn consult(&self, agency: String, question: String) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        let step = self.current_step()?;
        if step.kind != StepKind::Consult {
            return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
        }
        // The home agency sends: the assignee, or a specialist or division head when nobody is assigned.
        self.staff(&[Role::Specialist, Role::DivisionHead])?;
        self.require_assignee_for(step)?;
        if self.dossier.consultation.as_ref().is_some_and(|c| c.answer.is_none()) {
            return Err(Rejection::AwaitingAnswer);
        }
        let expected = step.agency_kind.clone().unwrap_or_default();
        if self.ctx.consulted_agency_kind.as_deref() != Some(expected.as_str()) || agency == self.dossier.agency {
            return Err(Rejection::WrongConsultedAgency { expected });
        }
        not_blank(&question, "question")?;
        Ok(self.event(Change::ConsultRequested { agency, question }))
    }

    fn answer(&self, answer: String, favourable: bool) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        let step = self.current_step()?;
        if step.kind != StepKind::Consult {
            return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
        }
        let consultation =
            self.dossier.consultation.as_ref().filter(|c| c.answer.is_none()).ok_or(Rejection::NotConsulted)?;
        // The consulted agency answers, not the dossier's own.
        policy::check_actor(&self.ctx.actor, &consultation.agency, &[step.role])?;
        not_blank(&answer, "answer")?;
        let mut event = self.event(Change::ConsultAnswered { answer, favourable });
        self.hand_off(&mut event, self.next_step(step));
        Ok(event)
    }

    fn extend(&self, new_due: DateTime<Utc>, reason: String) -> Result<Event, Rejection> {
        self.require_status(&[Status::Received, Status::InProcess])?;
        self.staff(&[Role::AgencyLeader])?;
        not_blank(&reason, "reason")?;
        if self.dossier.due_at.is_some_and(|due| new_due <= due) || new_due <= self.ctx.now {
            return Err(Rejection::ExtensionNotLater);
        }
        // At most the procedure's whole processing time again, within MIN/MAX_EXTENSION_DAYS, counted from the
        // current due instant: the new date must be one the agency can be held to.
        let calendar = self.ctx.calendar;
        let day = calendar.day_length();
        let again = self.dossier.clock.budget(calendar).clamp(day * MIN_EXTENSION_DAYS, day * MAX_EXTENSION_DAYS);
        let from = self.dossier.due_at.map_or(self.ctx.now, |due| due.max(self.ctx.now));
        let latest = calendar.add(from, again);
        if new_due > latest {
            return Err(Rejection::ExtensionTooLong { latest });
        }
        let budget = self.dossier.clock.budget_ending_at(self.ctx.calendar, self.ctx.now, new_due);
        let mut event = self.event(Change::Extended { new_due, reason });
        event.clock = Some(ClockChange::SetBudget { budget_secs: budget.num_seconds() });
        event.due_at = self.clock_after(event.clock).due(self.ctx.calendar);
        Ok(event)
    }

    fn withdraw(&self, reason: String) -> Result<Event, Rejection> {
        self.require_status(&[Status::Submitted, Status::SupplementRequested])?;
        self.owner_or_clerk()?;
        not_blank(&reason, "reason")?;
        let mut event = self.event(Change::Withdrawn { reason });
        event.status = Some(Status::Withdrawn);
        if self.dossier.clock.is_running() {
            event.clock = Some(ClockChange::Pause);
        }
        if self.dossier.step.is_some() {
            event.step = Some(StepMove { to: None, due_at: None });
        }
        Ok(event)
    }

    fn return_result(&self, method: crate::domain::procedure::ReturnMethod) -> Result<Event, Rejection> {
        self.require_status(&[Status::ResultReady, Status::Stopped])?;
        let step = self.current_step()?;
        if step.kind != StepKind::Return {
            return Err(Rejection::WrongStep { action: self.action, step: step.id.clone(), kind: step.kind });
        }
        self.acting(&[step.role], Besides::SystemForMember)?;
        if !self.procedure.return_methods.contains(&method) {
            return Err(Rejection::ReturnMethodNotOffered);
        }
        let mut event = self.event(Change::Returned { method });
        event.status = Some(Status::Returned);
        event.step = Some(StepMove { to: None, due_at: None });
        Ok(event)
    }
}
