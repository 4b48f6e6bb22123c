//! A staff member's work: the queues of their roles with counts, each queue's dossiers by due instant, the
//! actions they may take on a dossier now, and the people and agencies an action can name.
//!
//! Step ids differ between procedures (a `review` step is of kind `approve`, consult steps have their own
//! names), so queues are defined by step kind and role through the catalogue, never by step id.

use chrono::{DateTime, Utc};

use super::{ServiceError, ServiceResult, Services, StaffIdentity, WorkQueues};
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::dossier::available::available_actions;
use crate::domain::dossier::{Dossier, Status};
use crate::domain::policy::{Access, Target, staff_may};
use crate::domain::procedure::{Role, StepKind};
use crate::store::dossiers::{self, Cursor, QueueFilter};
use crate::store::{StoreError, agencies, staff};

/// The queues of the work home, in the order of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Submitted (status 1): online dossiers and those held at reception, to receive or refuse.
    Receive,
    Assign,
    /// The caller's own dossiers to appraise.
    Appraise,
    /// Steps of kind `approve`.
    Review,
    Sign,
    Seal,
    /// Consultations to send (the assignee) or to answer (the consulted agency).
    Consult,
    /// A result (or a refusal letter) ready to hand back.
    Return,
    /// Less than one working day of running clock left (rule 8).
    NearlyDue,
    Overdue,
}

impl Queue {
    pub const ALL: [Queue; 10] = [
        Queue::Receive,
        Queue::Assign,
        Queue::Appraise,
        Queue::Review,
        Queue::Sign,
        Queue::Seal,
        Queue::Consult,
        Queue::Return,
        Queue::NearlyDue,
        Queue::Overdue,
    ];

    /// The queue's name in URLs and message codes.
    pub fn slug(self) -> &'static str {
        match self {
            Queue::Receive => "receive",
            Queue::Assign => "assign",
            Queue::Appraise => "appraise",
            Queue::Review => "review",
            Queue::Sign => "sign",
            Queue::Seal => "seal",
            Queue::Consult => "consult",
            Queue::Return => "return",
            Queue::NearlyDue => "nearly_due",
            Queue::Overdue => "overdue",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.slug() == slug)
    }

    /// The step kind a queue gathers, for the queues of one step.
    fn step_kind(self) -> Option<StepKind> {
        Some(match self {
            Queue::Assign => StepKind::Assign,
            Queue::Appraise => StepKind::Appraise,
            Queue::Review => StepKind::Approve,
            Queue::Sign => StepKind::Sign,
            Queue::Seal => StepKind::Seal,
            Queue::Consult => StepKind::Consult,
            Queue::Return => StepKind::Return,
            _ => return None,
        })
    }

    fn statuses(self) -> &'static [Status] {
        match self {
            Queue::Receive => &[Status::Submitted],
            Queue::Return => &[Status::ResultReady, Status::Stopped],
            _ => &[Status::Received, Status::InProcess],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCount {
    pub queue: Queue,
    pub count: i64,
}

/// What decides which queue a dossier is in (the columns the queues index).
struct Row<'a> {
    agency: &'a str,
    status: i32,
    procedure: &'a str,
    version: i32,
    step: Option<&'a str>,
    assignee: Option<&'a str>,
    consulted: Option<&'a str>,
}

/// The most dossiers a queue list shows (the earliest due first); a search narrows it.
pub const QUEUE_LIST_MAX: usize = 200;
/// Rows read per round: the store pre-selects by agency, status and step, and the rest (role, assignee) is
/// decided here, so a list reads on (by keyset) until it is full or the rows run out.
const BATCH: i64 = 400;

impl Services {
    /// Whether the dossier described by `row` is in `queue` for the caller.
    fn in_queue(&self, caller: &StaffIdentity, queue: Queue, row: &Row) -> bool {
        let status = Status::from_code(row.status as u8);
        if !status.is_some_and(|s| queue.statuses().contains(&s)) {
            return false;
        }
        let handles = |agency: &str, role: Role| staff_may(caller, Access::Handle(role), Target::Agency(agency));
        if queue == Queue::Receive {
            return staff_may(caller, Access::Receive, Target::Agency(row.agency));
        }
        let Some(kind) = queue.step_kind() else {
            return Role::ALL.iter().any(|r| handles(row.agency, *r));
        };
        let step = self
            .catalogue
            .version(row.procedure, row.version as u32)
            .and_then(|p| row.step.and_then(|id| p.step(id)).cloned());
        let Some(step) = step.filter(|s| s.kind == kind) else { return false };
        let mine = row.assignee.is_none_or(|a| a == caller.id);
        match kind {
            StepKind::Appraise => handles(row.agency, step.role) && mine,
            StepKind::Consult => {
                let consulted = row.consulted.is_some_and(|c| handles(c, step.role));
                consulted || (row.consulted.is_none() && handles(row.agency, step.role) && mine)
            }
            _ => handles(row.agency, step.role),
        }
    }

    /// The instant before which a running dossier is nearly due (less than a working day left).
    fn nearly_due_horizon(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.calendar.add(now, self.calendar.day_length())
    }
}

impl WorkQueues<'_> {
    /// The queues the caller's roles give them (whatever their counts).
    pub fn my_queues(&self, caller: &StaffIdentity) -> Vec<Queue> {
        let holds = |role: Role| staff_may(caller, Access::Handle(role), Target::Anywhere);
        let works = Role::ALL.iter().any(|r| holds(*r));
        Queue::ALL
            .into_iter()
            .filter(|queue| match queue {
                Queue::Receive => staff_may(caller, Access::Receive, Target::Anywhere),
                Queue::NearlyDue | Queue::Overdue => works,
                other => {
                    let kind = other.step_kind().expect("a step queue");
                    self.catalogue
                        .current_all()
                        .iter()
                        .flat_map(|p| p.steps.iter())
                        .any(|s| s.kind == kind && holds(s.role))
                }
            })
            .collect()
    }

    /// The caller's queues with the number of dossiers in each.
    pub fn work_counts(&self, caller: &StaffIdentity) -> ServiceResult<Vec<QueueCount>> {
        let queues = self.my_queues(caller);
        let scope = caller.agencies();
        let now = self.now();
        let horizon = self.nearly_due_horizon(now);
        let working = [Status::Submitted, Status::Received, Status::InProcess, Status::ResultReady, Status::Stopped];
        let (groups, overdue, nearly) = self.db.read(|conn| -> Result<_, StoreError> {
            Ok((
                dossiers::queue_groups(conn, &scope, &working)?,
                dossiers::count_running_due(conn, &scope, None, now)?,
                dossiers::count_running_due(conn, &scope, Some(now), horizon)?,
            ))
        })?;
        Ok(queues
            .into_iter()
            .map(|queue| {
                let count = match queue {
                    Queue::Overdue => overdue,
                    Queue::NearlyDue => nearly,
                    _ => groups
                        .iter()
                        .filter(|g| {
                            let row = Row {
                                agency: &g.agency,
                                status: g.status,
                                procedure: &g.procedure,
                                version: g.version,
                                step: g.step.as_deref(),
                                assignee: g.assignee.as_deref(),
                                consulted: g.consulted.as_deref(),
                            };
                            self.in_queue(caller, queue, &row)
                        })
                        .map(|g| g.count)
                        .sum(),
                };
                QueueCount { queue, count }
            })
            .collect())
    }

    /// The dossiers of one of the caller's queues, by due instant (none last), optionally narrowed by a text
    /// (code, applicant name or id, summary); at most [`QUEUE_LIST_MAX`].
    pub fn work_queue(&self, caller: &StaffIdentity, queue: Queue, text: Option<&str>) -> ServiceResult<Vec<Dossier>> {
        if !self.my_queues(caller).contains(&queue) {
            return Err(ServiceError::Forbidden("request.forbidden"));
        }
        let scope = caller.agencies();
        let now = self.now();
        let horizon = self.nearly_due_horizon(now);
        let step_ids: Option<Vec<String>> = queue.step_kind().map(|kind| {
            let mut ids: Vec<String> = self
                .catalogue
                .current_all()
                .iter()
                .flat_map(|p| p.steps.iter())
                .filter(|s| s.kind == kind)
                .map(|s| s.id.clone())
                .collect();
            ids.sort();
            ids.dedup();
            ids
        });
        let (due_from, due_before) = match queue {
            Queue::Overdue => (None, Some(now)),
            Queue::NearlyDue => (Some(now), Some(horizon)),
            _ => (None, None),
        };
        let mut filter = QueueFilter {
            agencies: scope,
            statuses: queue.statuses().to_vec(),
            steps: step_ids,
            due_from,
            due_before,
            text: text.map(str::to_string),
            limit: BATCH,
            ..QueueFilter::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self.db.read(|conn| dossiers::list(conn, &filter).map_err(ServiceError::from))?;
            let Some(last) = page.last() else { break };
            filter.after = Some(Cursor { due_at: last.due_at, id: last.id.clone() });
            let full = page.len() as i64 == BATCH;
            for d in page {
                let row = Row {
                    agency: &d.agency,
                    status: i32::from(d.status.code()),
                    procedure: &d.procedure_code,
                    version: d.procedure_version as i32,
                    step: d.step.as_deref(),
                    assignee: d.assignee.as_ref().map(|a| a.id.as_str()),
                    consulted: d.consultation.as_ref().filter(|c| c.answer.is_none()).map(|c| c.agency.as_str()),
                };
                if self.in_queue(caller, queue, &row) {
                    out.push(d);
                }
                if out.len() >= QUEUE_LIST_MAX {
                    return Ok(out);
                }
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }

    /// The names of the actions the caller may take on the dossier now, in any of their roles (what the
    /// dossier page offers; `act` decides again when one is taken).
    pub fn offered_actions(&self, caller: &StaffIdentity, dossier: &Dossier) -> ServiceResult<Vec<&'static str>> {
        let procedure = &*self.procedure_of(dossier)?;
        let consulted = dossier.consultation.as_ref().map(|c| c.agency.as_str());
        let actors: Vec<Actor> = caller
            .roles
            .iter()
            .filter(|(agency, _)| *agency == dossier.agency || Some(agency.as_str()) == consulted)
            .map(|(agency, role)| caller.actor(agency, *role))
            .collect();
        let mut offered = available_actions(dossier, procedure, &actors, self.now(), &self.calendar);
        // Checking again needs the population database; without one the check is not on offer.
        if self.ports.population.is_none() {
            offered.retain(|a| *a != "check_identity");
        }
        Ok(offered)
    }

    /// Staff of the dossier's agency who can be assigned its appraisal (its specialists), as `assign` and
    /// `reassign` accept them.
    pub fn assignees(&self, caller: &StaffIdentity, dossier: &Dossier) -> ServiceResult<Vec<StaffRef>> {
        if !staff_may(caller, Access::SeeDossier, Target::Dossier(dossier)) {
            return Err(ServiceError::NotFound("dossier.not_found"));
        }
        let agency = dossier.agency.clone();
        let people = self
            .db
            .read(|conn| staff::holding(conn, &agency, Role::Specialist.as_str()).map_err(ServiceError::from))?;
        Ok(people.into_iter().map(|(id, name)| StaffRef { id, name }).collect())
    }

    /// Agencies a dossier at a consult step may be sent to: those of the kind the step names.
    pub fn consultable_agencies(&self, dossier: &Dossier) -> ServiceResult<Vec<agencies::Agency>> {
        let procedure = &*self.procedure_of(dossier)?;
        let kind = dossier.step.as_deref().and_then(|s| procedure.step(s)).and_then(|s| s.agency_kind.clone());
        let Some(kind) = kind else { return Ok(Vec::new()) };
        Ok(self.agencies()?.into_iter().filter(|a| a.kind == kind && a.id != dossier.agency).collect())
    }
}
