//! Forms 01-05 of a dossier as papers (DESIGN.md §9). Each is produced for the event that calls for it: a job is
//! queued in that event's transaction, and a download before the job ran renders it on the spot. Rendering is
//! deterministic and the paper's id is derived from (dossier, form, event), so both ways give the same paper.

use crate::domain::policy::{Access, Target, staff_may};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::background::{JobKind, schedule};
use super::posts::Posts;
use super::{FieldError, Papers, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::adapters::forms::{
    self, ApologyData, ControlSlipData, FormHeader, HandOff, MissingItem, PaperForm, ReceiptData, ReceivedComponent,
    RefusalData, RegisterData, RegisterRow, ResultDelivery, SupplementRequestData,
};
use crate::domain::actor::Actor;
use crate::domain::calendar::Timeliness;
use crate::domain::deadline::ProcessingTime;
use crate::domain::dossier::{Change, Channel, Dossier, Event, control_slip, fold};
use crate::domain::identity::Caller;
use crate::domain::procedure::{Copies, Procedure, StepKind};
use crate::domain::title;
use crate::store::papers::{self, Paper};
use crate::store::{DbConnection, events, to_db};

/// Forms 01-05 of Circular 01/2018/TT-VPCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    Receipt,
    SupplementRequest,
    Refusal,
    Apology,
    ControlSlip,
}

impl FormKind {
    pub const ALL: [FormKind; 5] =
        [FormKind::Receipt, FormKind::SupplementRequest, FormKind::Refusal, FormKind::Apology, FormKind::ControlSlip];

    /// The form's number in the circular ("01" … "05"), also its name in URLs.
    pub fn code(self) -> &'static str {
        match self {
            FormKind::Receipt => "01",
            FormKind::SupplementRequest => "02",
            FormKind::Refusal => "03",
            FormKind::Apology => "04",
            FormKind::ControlSlip => "05",
        }
    }

    pub fn from_code(code: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The number suffix of a form numbered from the agency's yearly sequence of it when its event is stored
    /// ("Số: 12/PBSHS"). The receipt's number is the register entry; the control slip has none.
    pub fn number_suffix(self) -> Option<&'static str> {
        match self {
            FormKind::SupplementRequest => Some("PBSHS"),
            FormKind::Refusal => Some("TCHS"),
            FormKind::Apology => Some("PXL"),
            FormKind::Receipt | FormKind::ControlSlip => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            FormKind::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            FormKind::SupplementRequest => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            FormKind::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            FormKind::Apology => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            FormKind::ControlSlip => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        }
    }

    /// The form an event calls for. The control slip is kept when processing ends; before that it is rendered
    /// on demand as of the latest event.
    pub fn of_change(change: &Change) -> Option<FormKind> {
        match change {
            Change::Received { .. } => Some(FormKind::Receipt),
            Change::SupplementRequested { .. } => Some(FormKind::SupplementRequest),
            Change::ReceptionRefused { .. } => Some(FormKind::Refusal),
            Change::Extended { .. } => Some(FormKind::Apology),
            Change::Returned { .. } | Change::Withdrawn { .. } => Some(FormKind::ControlSlip),
            _ => None,
        }
    }

    /// Whether an event can be the one this form is rendered for.
    fn rendered_for(self, change: &Change) -> bool {
        self == FormKind::ControlSlip || FormKind::of_change(change) == Some(self)
    }
}

/// Renders and stores a form an event calls for, after the event's transaction (rendering a PDF takes longer
/// than a transaction should hold its locks).
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenderForm {
    pub dossier_id: String,
    pub form: FormKind,
    /// The event's sequence number (1-based; the dossier's version right after it).
    pub seq: u64,
}

impl JobKind for RenderForm {
    const NAME: &'static str = "render_form";

    fn run(self, services: &Services) -> ServiceResult<()> {
        services.papers().ensure_form(&self.dossier_id, self.form, self.seq).map(drop)
    }
}

/// A paper the system makes for a dossier (a form, the e-form's declaration), before it is stored.
pub(super) struct Generated<'a> {
    /// Derived from what it is made for, so that making it twice stores it once.
    pub id: String,
    pub dossier_id: &'a str,
    /// The form's code, or the component the paper stands for.
    pub component_id: &'a str,
    pub file_name: String,
    pub title: String,
    pub at: DateTime<Utc>,
    pub keep: bool,
}

/// The paper id of a form: the same for every rendering of the same form for the same event.
fn form_paper_id(dossier_id: &str, form: FormKind, seq: u64) -> String {
    format!("form-{dossier_id}-{}-{seq}", form.code())
}

/// Queues the forms the new events call for; `first_seq` is the sequence number of `new_events[0]`.
pub(super) fn queue_forms(
    conn: &mut DbConnection,
    dossier_id: &str,
    first_seq: u64,
    new_events: &[Event],
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    for (seq, event) in (first_seq..).zip(new_events) {
        if let Some(form) = FormKind::of_change(&event.change) {
            let job = RenderForm { dossier_id: dossier_id.to_string(), form, seq };
            let key = form_paper_id(dossier_id, form, seq);
            schedule(conn, &job, Some(&key), now)?;
        }
    }
    Ok(())
}

impl Services {
    /// The top of a paper an agency issues at `at`: its name and its parent's, the place, the local date.
    pub(super) fn paper_header(
        &self,
        conn: &mut DbConnection,
        agency_id: &str,
        at: DateTime<Utc>,
    ) -> ServiceResult<FormHeader> {
        let directory = self.db.agencies();
        let agency = directory.get(conn, agency_id)?.ok_or(ServiceError::NotFound("agency.not_found"))?;
        let parent = match &agency.parent_id {
            Some(id) => directory.get(conn, id)?,
            None => None,
        };
        Ok(FormHeader {
            agency_name: agency.name,
            parent_agency_name: parent.map(|p| p.name),
            place: self.config.place.clone(),
            issued_on: self.calendar.local_date(at),
            number: None,
            timezone: self.calendar.timezone(),
        })
    }
}

impl Papers<'_> {
    /// The stored paper of `form` for event `seq` of a dossier, rendered and stored first if need be.
    pub fn ensure_form(&self, dossier_id: &str, form: FormKind, seq: u64) -> ServiceResult<Paper> {
        let id = form_paper_id(dossier_id, form, seq);
        if let Some(paper) = self.db.read(|conn| papers::get(conn, dossier_id, &id).map_err(ServiceError::from))? {
            return Ok(paper);
        }
        let (pdf, at) = self.render_form(dossier_id, form, seq)?;
        let generated = Generated {
            id,
            dossier_id,
            component_id: form.code(),
            file_name: format!("mau-{}-{}.pdf", form.code(), seq),
            title: form.title().to_string(),
            at,
            keep: false,
        };
        self.store_generated(generated, &pdf)
    }

    /// Stores a PDF the system made for a dossier as one of its papers (`kind` form). A job and a download may
    /// race to store the same one: the first insert wins, the other answers the stored row.
    pub(super) fn store_generated(&self, generated: Generated<'_>, pdf: &[u8]) -> ServiceResult<Paper> {
        let mut stager = self.stager(&generated.file_name)?;
        stager.write(pdf)?;
        let blob = self.blobs.commit(stager.finish()?)?;
        let paper = Paper {
            id: generated.id.clone(),
            dossier_id: generated.dossier_id.to_string(),
            component_id: Some(generated.component_id.to_string()),
            kind: "form".into(),
            source: "generated".into(),
            blob_sha256: blob.sha256,
            size_bytes: blob.size as i64,
            media_type: blob.media_type.mime().to_string(),
            file_name: generated.file_name,
            title: generated.title,
            repository_item_id: None,
            added_by: "system:forms".into(),
            added_at: to_db(generated.at),
            keep: generated.keep,
        };
        self.db.write(|conn| match papers::get(conn, generated.dossier_id, &generated.id)? {
            Some(stored) => Ok(stored),
            None => papers::insert(conn, &paper).map(|()| paper).map_err(ServiceError::from),
        })
    }

    /// The latest event a form can be rendered for (the control slip: the latest event of all).
    pub fn latest_form_seq(&self, dossier_id: &str, form: FormKind) -> ServiceResult<Option<u64>> {
        let history = self.db.read(|conn| events::history(conn, dossier_id).map_err(ServiceError::from))?;
        Ok(history.iter().rposition(|e| form.rendered_for(&e.change)).map(|i| i as u64 + 1))
    }

    /// Renders `form` as the dossier stood right after event `seq`; also returns that event's instant.
    pub fn render_form(&self, dossier_id: &str, form: FormKind, seq: u64) -> ServiceResult<(Vec<u8>, DateTime<Utc>)> {
        let history = self.db.read(|conn| events::history(conn, dossier_id).map_err(ServiceError::from))?;
        let upto = usize::try_from(seq).ok().filter(|n| (1..=history.len()).contains(n));
        let events = &history[..upto.ok_or(ServiceError::NotFound("form.not_found"))?];
        let event = events.last().expect("seq ≥ 1");
        if !form.rendered_for(&event.change) {
            return Err(ServiceError::NotFound("form.not_found"));
        }
        let dossier = fold(events).expect("a non-empty history folds");
        let procedure = &*self.procedure_of(&dossier)?;
        let (mut header, posts) = self.db.read(|conn| {
            let header = self.paper_header(conn, &dossier.agency, event.at)?;
            let consulted: Vec<&str> = dossier.consulted_agencies.iter().map(String::as_str).collect();
            Ok::<_, ServiceError>((header, Posts::load(conn, self.db.agencies(), events, &consulted)?))
        })?;
        header.number = match form {
            FormKind::Receipt => dossier.register_entry.map(|n| format!("{n}/TNHS")),
            _ => event.paper_number.clone(),
        };
        let sheet = Sheet { services: self, procedure, dossier: &dossier, event, header, posts };
        let rendered = match form {
            FormKind::Receipt => forms::render_receipt(&sheet.receipt()),
            FormKind::SupplementRequest => forms::render_supplement_request(&sheet.supplement_request()),
            FormKind::Refusal => forms::render_refusal(&sheet.refusal()),
            FormKind::Apology => {
                let before = fold(&events[..events.len() - 1]).expect("an extension follows reception");
                forms::render_apology(&sheet.apology(&before))
            }
            FormKind::ControlSlip => forms::render_control_slip(&sheet.control_slip(events)),
        };
        let pdf = rendered.map_err(|e| ServiceError::Internal(format!("form {}: {e}", form.code())))?;
        Ok((pdf, event.at))
    }

    /// The caller's download of a form of a dossier, for its latest event (rendered now if the job has not run).
    pub fn form(
        &self,
        caller: &Caller,
        dossier_id: &str,
        code: &str,
    ) -> ServiceResult<(Paper, Box<dyn std::io::Read + Send>)> {
        let form = FormKind::from_code(code).ok_or(ServiceError::NotFound("form.not_found"))?;
        self.db.read(|conn| self.dossier_in_reach(conn, caller, dossier_id, false))?;
        let seq = self.latest_form_seq(dossier_id, form)?.ok_or(ServiceError::NotFound("form.not_found"))?;
        let paper = self.ensure_form(dossier_id, form, seq)?;
        let reader = self.blobs.open(&paper.blob_sha256)?;
        Ok((paper, reader))
    }

    /// The register (form 06) of the dossiers an agency received from `from` to `to` (local dates, inclusive).
    pub fn register(
        &self,
        caller: &StaffIdentity,
        agency_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ServiceResult<Vec<u8>> {
        let data = self.register_data(caller, agency_id, from, to)?;
        forms::render_register(&data).map_err(|e| ServiceError::Internal(format!("form 06: {e}")))
    }

    /// The rows of the register (form 06), for the PDF or a spreadsheet.
    pub fn register_data(
        &self,
        caller: &StaffIdentity,
        agency_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ServiceResult<RegisterData> {
        if !staff_may(caller, Access::ListAgency, Target::Agency(agency_id)) {
            self.deny(caller, &format!("register {agency_id}"), "dossier.not_found");
            return Err(ServiceError::NotFound("agency.not_found"));
        }
        let tz = self.calendar.timezone();
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(tz).earliest()).map(|t| t.with_timezone(&Utc))
        };
        let (Some(from_at), Some(to_at)) = (start(from), to.succ_opt().and_then(start)) else {
            return Err(ServiceError::Invalid(vec![FieldError::new("to", "field.invalid")]));
        };
        let (header, dossiers) = self.reports_db().read(|conn| {
            let header = self.paper_header(conn, agency_id, self.now())?;
            let dossiers = crate::store::dossiers::received_between(conn, agency_id, from_at, to_at)?;
            Ok::<_, ServiceError>((header, dossiers))
        })?;
        let rows = dossiers
            .iter()
            .map(|d| RegisterRow {
                entry: d.register_entry,
                dossier_code: d.code.clone().unwrap_or_default(),
                procedure_name: self
                    .catalogue
                    .version(&d.procedure_code, d.procedure_version)
                    .map_or_else(|| d.procedure_code.clone(), |p| p.name.clone()),
                dossier_count: 1,
                applicant_name: d.applicant.name.clone(),
                applicant_address: d.applicant.address.clone(),
                applicant_phone: d.applicant.phone.clone(),
                handling_agency: header.agency_name.clone(),
                received_at: d.received_at.unwrap_or(d.submitted_at),
                due_at: d.due_at.unwrap_or(d.submitted_at),
                // Reception hands the dossier to the agency's flow at once.
                sent_at: d.received_at,
                result_back_at: d.completed_at,
                returned_at: d.returned_at,
                status: d.status.name_vi().to_string(),
                timeliness: d.timeliness.map(Into::into),
            })
            .collect();
        Ok(RegisterData { header, period: Some((from, to)), rows })
    }
}

/// What one form is filled from.
struct Sheet<'a> {
    services: &'a Services,
    procedure: &'a Procedure,
    dossier: &'a Dossier,
    event: &'a Event,
    header: FormHeader,
    posts: Posts,
}

impl Sheet<'_> {
    fn applicant(&self) -> forms::Applicant {
        paper_applicant(self.dossier)
    }

    fn code(&self) -> String {
        self.dossier.code.clone().unwrap_or_default()
    }

    fn component_name(&self, id: &str) -> String {
        self.procedure.components.iter().find(|c| c.id == id).map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    fn receipt(&self) -> ReceiptData {
        let electronic = self.dossier.channel == Channel::Online;
        let by_form = crate::domain::procedure::replaced_by_form(self.procedure, &self.dossier.form_data);
        let mut components: Vec<ReceivedComponent> = self
            .dossier
            .components
            .iter()
            .filter(|c| c.provided)
            .map(|c| {
                let spec = self.procedure.components.iter().find(|s| s.id == c.id);
                // As the clerk recorded it; otherwise what the procedure asks for, electronic when filed online or
                // reused from a repository.
                let form = match (c.handed_in_as, spec.and_then(|s| s.copies)) {
                    (Some(given), _) => given.into(),
                    _ if electronic || c.digitisation.is_reuse() => PaperForm::Electronic,
                    (None, Some(Copies::CertifiedCopy)) => PaperForm::CertifiedCopy,
                    (None, Some(Copies::CopyWithOriginal)) => PaperForm::Copy,
                    (None, Some(Copies::Electronic)) => PaperForm::Electronic,
                    (None, _) => PaperForm::Original,
                };
                ReceivedComponent { name: self.component_name(&c.id), form, count: c.count.unwrap_or(1) }
            })
            .collect();
        // Filled in online, the e-form is the declaration: listed first, as the PDF stored with the dossier.
        if let Some(declaration) = by_form {
            let name = format!("{} (biểu mẫu điện tử, bản PDF lưu cùng hồ sơ)", self.component_name(declaration));
            components.insert(0, ReceivedComponent { name, form: PaperForm::Electronic, count: 1 });
        }
        let code = self.code();
        ReceiptData {
            header: self.header.clone(),
            tracking_url: self.services.tracking_url(&code),
            dossier_code: code,
            applicant: self.applicant(),
            procedure_name: self.procedure.name.clone(),
            components,
            dossier_count: 1,
            processing_time: processing_time_words(&self.procedure.processing_time),
            received_at: self.dossier.received_at.unwrap_or(self.event.at),
            due_at: self.dossier.due_at.unwrap_or(self.event.at),
            result_delivery: match self.dossier.channel {
                Channel::Online => ResultDelivery::Online,
                Channel::Post => ResultDelivery::ByPost(self.dossier.applicant.address.clone().unwrap_or_default()),
                Channel::Counter => ResultDelivery::AtCounter,
            },
            register: self.dossier.register_entry.map(|entry| {
                let year = self.services.calendar.local_date(self.dossier.received_at.unwrap_or(self.event.at));
                (year.format("%Y").to_string(), entry)
            }),
            clerk_name: self.event.actor.name().to_string(),
        }
    }

    fn supplement_request(&self) -> SupplementRequestData {
        let Change::SupplementRequested { items } = &self.event.change else { unreachable!("checked by the caller") };
        let items = items
            .iter()
            .map(|item| match &item.component {
                Some(id) => MissingItem { name: self.component_name(id), reason: Some(item.reason.clone()) },
                None => MissingItem { name: item.reason.clone(), reason: None },
            })
            .collect();
        SupplementRequestData {
            header: self.header.clone(),
            dossier_code: self.code(),
            applicant: self.applicant(),
            procedure_name: self.procedure.name.clone(),
            items,
            contact: Some(self.contact(&self.event.actor)),
            clerk_name: self.event.actor.name().to_string(),
        }
    }

    fn refusal(&self) -> RefusalData {
        let Change::ReceptionRefused { reasons } = &self.event.change else { unreachable!("checked by the caller") };
        RefusalData {
            header: self.header.clone(),
            dossier_code: self.dossier.code.clone(),
            applicant: self.applicant(),
            procedure_name: self.procedure.name.clone(),
            legal_basis: (!self.procedure.legal_basis.is_empty()).then(|| self.procedure.legal_basis.join("; ")),
            reasons: reasons.clone(),
            clerk_name: self.event.actor.name().to_string(),
        }
    }

    fn apology(&self, before: &Dossier) -> ApologyData {
        let Change::Extended { new_due, reason } = &self.event.change else { unreachable!("checked by the caller") };
        let received_at = self.dossier.received_at.unwrap_or(self.dossier.submitted_at);
        ApologyData {
            header: self.header.clone(),
            dossier_code: self.code(),
            applicant: self.applicant(),
            procedure_name: self.procedure.name.clone(),
            received_at,
            original_due_at: before.due_at.unwrap_or(*new_due),
            reason: reason.clone(),
            new_due_at: *new_due,
            signer_title: title::signature_block(self.posts.is_deputy(&self.event.actor), &self.procedure.agency_kind),
            signer_name: self.event.actor.name().to_string(),
        }
    }

    /// The officer the applicant may call: name, unit and work phone, e.g. "Trần Văn Bình, Bộ phận Một cửa, số
    /// điện thoại 0225 3821 123".
    fn contact(&self, actor: &Actor) -> String {
        let who = format!("{} ({}), {}", actor.name(), self.posts.title(actor), self.posts.division(actor));
        match self.posts.phone(actor) {
            Some(phone) => format!("{who}, số điện thoại {phone}"),
            None => who,
        }
    }

    fn control_slip(&self, events: &[Event]) -> ControlSlipData {
        let hand_offs = control_slip(self.procedure, events, &self.services.calendar)
            .into_iter()
            .map(|row| HandOff {
                giver_unit: self.posts.division(&row.handed_over_by),
                giver_name: row.handed_over_by.name().to_string(),
                receiver_unit: row.done_by.as_ref().map(|a| self.posts.division(a)).unwrap_or_default(),
                receiver_name: row.done_by.as_ref().map(|a| a.name().to_string()).unwrap_or_default(),
                step: step_words(row.kind).to_string(),
                handed_at: row.started_at,
                step_due_at: row.due_at,
                done_at: row.done_at,
                result: row.timeliness.map(Into::into),
                note: match row.outcome {
                    Some("disagreed") => Some("Không đồng ý, chuyển lại".into()),
                    Some("withdrawn") => Some("Công dân rút hồ sơ".into()),
                    Some("stopped") => Some("Dừng xử lý".into()),
                    _ => None,
                },
            })
            .collect();
        ControlSlipData {
            header: self.header.clone(),
            dossier_code: self.code(),
            applicant_name: self.dossier.applicant.name.clone(),
            procedure_name: self.procedure.name.clone(),
            handling_agency: self.header.agency_name.clone(),
            coordinating_agencies: self
                .dossier
                .consulted_agencies
                .iter()
                .map(|id| self.posts.agency_name(id).unwrap_or(id).to_string())
                .collect(),
            hand_offs,
            result: self.dossier.timeliness.map(Into::into),
        }
    }
}

/// The applicant as papers name them.
pub(super) fn paper_applicant(dossier: &Dossier) -> forms::Applicant {
    let a = &dossier.applicant;
    forms::Applicant {
        name: a.name.clone(),
        id_number: Some(a.id_number.clone()),
        address: a.address.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
    }
}

/// "03 ngày làm việc", "08 giờ làm việc", "Trong ngày", "10 ngày" (calendar days).
pub(super) fn processing_time_words(time: &ProcessingTime) -> String {
    match time {
        ProcessingTime::WorkingDays(n) => format!("{n:02} ngày làm việc"),
        ProcessingTime::WorkingHours(n) => format!("{n:02} giờ làm việc"),
        ProcessingTime::SameDay { .. } => "Trong ngày".into(),
        ProcessingTime::CalendarDays(n) => format!("{n:02} ngày"),
    }
}

fn step_words(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Receive => "Tiếp nhận hồ sơ",
        StepKind::Assign => "Phân công xử lý",
        StepKind::Appraise => "Thẩm định",
        StepKind::Approve => "Xem xét, trình ký",
        StepKind::Sign => "Ký duyệt",
        StepKind::Seal => "Vào số, đóng dấu",
        StepKind::Consult => "Lấy ý kiến phối hợp",
        StepKind::Pay => "Thu phí, lệ phí",
        StepKind::Bundle => "Chờ kết quả liên thông",
        StepKind::Return => "Trả kết quả",
    }
}

impl From<Timeliness> for forms::Timeliness {
    fn from(t: Timeliness) -> Self {
        match t {
            Timeliness::Early => forms::Timeliness::Early,
            Timeliness::OnTime => forms::Timeliness::OnTime,
            Timeliness::Late => forms::Timeliness::Late,
        }
    }
}

impl From<crate::domain::dossier::PaperForm> for PaperForm {
    fn from(form: crate::domain::dossier::PaperForm) -> Self {
        use crate::domain::dossier::PaperForm as Given;
        match form {
            Given::Original => PaperForm::Original,
            Given::Copy => PaperForm::Copy,
            Given::CertifiedCopy => PaperForm::CertifiedCopy,
            Given::Electronic => PaperForm::Electronic,
        }
    }
}

/// Shared by the use cases.
impl Services {
    /// The public tracking page of a dossier code, printed and encoded as a QR code on the receipt.
    pub fn tracking_url(&self, code: &str) -> String {
        format!("{}/tra-cuu?ma={code}", self.config.public_url.trim_end_matches('/'))
    }
}
