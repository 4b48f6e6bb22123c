//! Notifications to the applicant (DESIGN.md §10): what the applicant is told, and when.
//!
//! `persist` hands every change to [`Services::queue_notifications`], which looks at the change's events and
//! decides which of them the applicant must hear about:
//! - `received` → the receipt: dossier code, reception time, processing time, the due date in words, the
//!   tracking link;
//! - `supplement_requested` → every missing item with its reason, in one message (the request is made once);
//! - `reception_refused` → the refusal with every reason;
//! - `payment_requested` → the amount to pay;
//! - status 9 (result ready) → how to collect the result (counter, post or electronic, from the channel);
//! - status 8 (processing stopped) → the reasons, and that the reasoned answer follows;
//! - `extended` → the apology with the old and the new date (form 04's content);
//! - status 10 (returned) → the invitation to rate the service, with a link that needs no sign-in
//!   (`service::ratings`).
//!
//! Each notice is rendered once, in Vietnamese, and written to the outbox in the transaction of the change: one
//! row on [`topics::EMAIL`] when the applicant gave an e-mail address (subject, plain text and HTML), one on
//! [`topics::SMS`] when they gave a Vietnamese mobile number. Rendering at enqueue time (not at delivery) means
//! a retry sends exactly what the applicant would have got at first, whatever happened to the dossier since.
//! Keys are `{dossier id}:{event seq}:{channel}`, so a redelivery carries the same key (the SMS gateway's
//! `Idempotency-Key`, the mail's `Message-ID`) and receivers can drop it. Unconfigured channels are not a
//! reason to drop a notice: the rows wait, visible, until a worker with a mail relay or gateway runs.
//!
//! SMS text is written without diacritics, deliberately: a message with any Vietnamese accented letter must go
//! as UCS-2 (70 characters per segment instead of 160), which triples the cost, and the brand-name SMS
//! channels agencies use are commonly set up for unaccented (GSM 7-bit) text. Unaccented Vietnamese is what
//! applicants are used to receiving from public services and banks. Mail keeps the diacritics.
//!
//! The rows of a dossier on these topics are its notification log ([`Services::notifications`]).

use askama::Template;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Notifications;
use super::{ServiceError, ServiceResult, Services};
use crate::adapters::forms::vn_date_time;
use crate::domain::dossier::{Change, Channel, Dossier, Event, IdKind, Proposal, Status};
use crate::domain::identity::Caller;
use crate::domain::procedure::{OnSupplement, Procedure};
use crate::ports::notice::{EmailNotice, NoticeKind, SmsNotice};
use crate::ports::topics;
use crate::store::{DbConnection, from_db, outbox};
use crate::text::dong;

/// The longest SMS we send: two concatenated GSM 7-bit segments (2 × 153 characters).
pub const SMS_MAX_CHARS: usize = 306;

/// One line of a dossier's notification log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationEntry {
    pub id: i64,
    pub topic: String,
    /// `email` or `sms`.
    pub channel: &'static str,
    pub kind: Option<NoticeKind>,
    pub recipient: Option<String>,
    /// The e-mail's subject (none for SMS).
    pub subject: Option<String>,
    pub key: String,
    /// `pending`, `delivered` or `dead`.
    pub status: &'static str,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// When a pending message is tried next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed; staff only (it names the relay or gateway).
    pub last_error: Option<String>,
}

/// How a notice is laid out; rendered to plain text and to HTML from the same parts.
pub(super) enum Block {
    Para(String),
    /// A labelled fact ("Mã hồ sơ: …"); consecutive facts stay together.
    Fact(&'static str, String),
    List(Vec<String>),
    Link(&'static str, String),
}

pub(super) struct Notice {
    pub(super) subject: String,
    pub(super) blocks: Vec<Block>,
    /// With diacritics; stripped when sent.
    pub(super) sms: String,
    /// A shorter SMS for when `sms` would not fit.
    pub(super) sms_short: String,
}

/// Everything a notice is worded from.
struct Wording<'a> {
    services: &'a Services,
    procedure: &'a Procedure,
    dossier: &'a Dossier,
    agency_name: String,
    /// The rating link, made for the invitation to rate.
    rating_link: Option<String>,
}

impl Services {
    /// Decides the notifications `new_events` call for and writes them to the outbox (in the caller's
    /// transaction). `before` is the dossier before the change, `after` after it.
    pub(super) fn queue_notifications(
        &self,
        conn: &mut DbConnection,
        before: Option<&Dossier>,
        after: &Dossier,
        new_events: &[Event],
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let email = after.applicant.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let mobile = after.applicant.phone.as_deref().and_then(mobile_number);
        if email.is_none() && mobile.is_none() {
            return Ok(());
        }
        let first_seq = before.map_or(0, |b| b.version) + 1;
        let due_before = before.and_then(|b| b.due_at);
        let mut wording = None;
        for (seq, event) in (first_seq..).zip(new_events) {
            let Some(kind) = notice_kind(event) else { continue };
            let wording = match &mut wording {
                Some(w) => w,
                None => {
                    let agency_name = self.db.agencies().get(conn, &after.agency)?.map(|a| a.name).unwrap_or_default();
                    wording.insert(Wording {
                        services: self,
                        procedure,
                        dossier: after,
                        agency_name,
                        rating_link: None,
                    })
                }
            };
            if kind == NoticeKind::RatingInvitation && wording.rating_link.is_none() {
                wording.rating_link = Some(self.new_rating_link(conn, &after.id, now)?);
            }
            let notice = wording.notice(kind, event, due_before);
            if let Some(to) = email {
                let payload = EmailNotice {
                    kind,
                    to: to.to_string(),
                    to_name: after.applicant.name.clone(),
                    dossier_code: after.code.clone(),
                    subject: notice.subject.clone(),
                    text: wording.text(&notice),
                    html: wording.html(&notice),
                };
                let message = outbox::NewMessage {
                    dossier_id: Some(&after.id),
                    topic: topics::EMAIL,
                    key: format!("{}:{seq}:email", after.id),
                    payload: serde_json::to_string(&payload).expect("a notice serialises"),
                };
                outbox::enqueue(conn, message, now)?;
            }
            if let Some(to) = &mobile {
                let payload = SmsNotice { kind, to: to.clone(), text: sms_text(&notice) };
                let message = outbox::NewMessage {
                    dossier_id: Some(&after.id),
                    topic: topics::SMS,
                    key: format!("{}:{seq}:sms", after.id),
                    payload: serde_json::to_string(&payload).expect("a notice serialises"),
                };
                outbox::enqueue(conn, message, now)?;
            }
        }
        Ok(())
    }
}

impl Notifications<'_> {
    /// The notifications of a dossier, oldest first, with their delivery state: staff who can see the dossier
    /// and the applicant.
    pub fn log(&self, caller: &Caller, dossier_id: &str) -> ServiceResult<Vec<NotificationEntry>> {
        let rows = self.db.read(|conn| {
            self.dossier_in_reach(conn, caller, dossier_id, false)?;
            let filter =
                outbox::Filter { dossier_id: Some(dossier_id.to_string()), limit: 10_000, ..Default::default() };
            outbox::list(conn, &filter).map_err(ServiceError::from)
        })?;
        let staff = matches!(caller, Caller::Staff(_));
        let mut entries: Vec<NotificationEntry> = rows
            .into_iter()
            .filter_map(|row| {
                let channel = match row.topic.as_str() {
                    topics::EMAIL => "email",
                    topics::SMS => "sms",
                    _ => return None,
                };
                let (kind, recipient, subject) = if channel == "email" {
                    serde_json::from_str::<EmailNotice>(&row.payload)
                        .map_or((None, None, None), |n| (Some(n.kind), Some(n.to), Some(n.subject)))
                } else {
                    serde_json::from_str::<SmsNotice>(&row.payload)
                        .map_or((None, None, None), |n| (Some(n.kind), Some(n.to), None))
                };
                let status = match (row.delivered_at, row.dead) {
                    (Some(_), _) => "delivered",
                    (None, true) => "dead",
                    (None, false) => "pending",
                };
                Some(NotificationEntry {
                    id: row.id,
                    topic: row.topic,
                    channel,
                    kind,
                    recipient,
                    subject,
                    key: row.message_key,
                    status,
                    attempts: row.attempts,
                    created_at: from_db(row.created_at),
                    delivered_at: row.delivered_at.map(from_db),
                    next_attempt_at: (status == "pending").then(|| from_db(row.next_attempt_at)),
                    last_error: if staff { row.last_error } else { None },
                })
            })
            .collect();
        entries.sort_by_key(|e| e.id);
        Ok(entries)
    }
}

/// The notice an event calls for, if any.
fn notice_kind(event: &Event) -> Option<NoticeKind> {
    match (&event.change, event.status) {
        (Change::Received { .. }, _) => Some(NoticeKind::Receipt),
        (Change::SupplementRequested { .. }, _) => Some(NoticeKind::SupplementRequest),
        (Change::ReceptionRefused { .. }, _) => Some(NoticeKind::Refusal),
        (Change::PaymentRequested { .. }, _) => Some(NoticeKind::PaymentRequest),
        (Change::Extended { .. }, _) => Some(NoticeKind::Apology),
        (_, Some(Status::ResultReady)) => Some(NoticeKind::ResultReady),
        (_, Some(Status::Stopped)) => Some(NoticeKind::Stopped),
        (_, Some(Status::Returned)) => Some(NoticeKind::RatingInvitation),
        _ => None,
    }
}

impl Wording<'_> {
    fn local(&self, at: DateTime<Utc>) -> String {
        vn_date_time(at, self.services.calendar.timezone())
    }

    /// "16:30 25/11/2026", for SMS.
    fn short(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.services.calendar.timezone()).format("%H:%M %d/%m/%Y").to_string()
    }

    /// How the dossier is named to its applicant: its code, or before reception its procedure.
    fn label(&self) -> String {
        match &self.dossier.code {
            Some(code) => code.clone(),
            None => format!("\"{}\"", self.procedure.name),
        }
    }

    fn tracking(&self) -> Option<String> {
        self.dossier.code.as_deref().map(|code| self.services.tracking_url(code))
    }

    fn component_name(&self, id: &str) -> String {
        self.procedure.components.iter().find(|c| c.id == id).map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    fn notice(&self, kind: NoticeKind, event: &Event, due_before: Option<DateTime<Utc>>) -> Notice {
        let d = self.dossier;
        let label = self.label();
        let procedure = &self.procedure.name;
        let agency = &self.agency_name;
        let mut blocks = Vec::new();
        let link = self.tracking();
        let link_sms = link.as_deref().map(|l| format!(" Tra cứu: {l}")).unwrap_or_default();
        let (subject, sms, sms_short) = match kind {
            NoticeKind::Receipt => {
                let received = d.received_at.unwrap_or(event.at);
                let due = event.due_at.or(d.due_at);
                blocks.push(Block::Para(format!("{agency} đã tiếp nhận hồ sơ \"{procedure}\" của Ông/Bà.")));
                blocks.push(Block::Fact("Mã hồ sơ", label.clone()));
                blocks.push(Block::Fact("Thời điểm tiếp nhận", self.local(received)));
                blocks.push(Block::Fact(
                    "Thời hạn giải quyết",
                    super::forms::processing_time_words(&self.procedure.processing_time),
                ));
                if let Some(due) = due {
                    blocks.push(Block::Fact("Ngày hẹn trả kết quả", self.local(due)));
                }
                blocks.push(Block::Para(
                    "Ông/Bà dùng mã hồ sơ và số giấy tờ tùy thân để tra cứu tình trạng giải quyết hồ sơ.".into(),
                ));
                let due_sms = due.map(|due| format!(" Hẹn trả kết quả: {}.", self.short(due))).unwrap_or_default();
                (
                    format!("Hồ sơ {label} đã được tiếp nhận"),
                    format!("{agency} đã tiếp nhận hồ sơ {label}.{due_sms}{link_sms}"),
                    format!("Hồ sơ {label} đã được tiếp nhận.{due_sms}"),
                )
            }
            NoticeKind::SupplementRequest => {
                let Change::SupplementRequested { items } = &event.change else { unreachable!("by notice_kind") };
                let lines: Vec<String> = items
                    .iter()
                    .map(|item| match &item.component {
                        Some(id) => format!("{}: {}", self.component_name(id), item.reason),
                        None => item.reason.clone(),
                    })
                    .collect();
                blocks.push(Block::Para(format!(
                    "Hồ sơ \"{procedure}\" (mã {label}) của Ông/Bà cần được bổ sung, hoàn thiện. Đề nghị Ông/Bà \
                     bổ sung một lần đầy đủ các nội dung sau:"
                )));
                blocks.push(Block::List(lines.clone()));
                blocks.push(Block::Para(match self.procedure.on_supplement {
                    OnSupplement::Pause => "Thời gian chờ bổ sung không tính vào thời hạn giải quyết hồ sơ.".into(),
                    OnSupplement::Restart => {
                        "Thời hạn giải quyết được tính lại từ khi cơ quan nhận đủ hồ sơ bổ sung.".to_string()
                    }
                }));
                (
                    format!("Hồ sơ {label}: yêu cầu bổ sung, hoàn thiện hồ sơ"),
                    format!("Hồ sơ {label} cần bổ sung: {}.{link_sms}", lines.join("; ")),
                    format!(
                        "Hồ sơ {label} cần bổ sung {} nội dung, chi tiết đã gửi qua thư điện tử.{link_sms}",
                        lines.len()
                    ),
                )
            }
            NoticeKind::Refusal => {
                let Change::ReceptionRefused { reasons } = &event.change else { unreachable!("by notice_kind") };
                blocks.push(Block::Para(format!(
                    "{agency} không tiếp nhận hồ sơ \"{procedure}\" của Ông/Bà, vì các lý do sau:"
                )));
                blocks.push(Block::List(reasons.clone()));
                if !self.procedure.legal_basis.is_empty() {
                    blocks.push(Block::Fact("Căn cứ", self.procedure.legal_basis.join("; ")));
                }
                (
                    format!("Hồ sơ {label} không được tiếp nhận"),
                    format!("Hồ sơ {label} không được tiếp nhận. Lý do: {}.", reasons.join("; ")),
                    format!("Hồ sơ {label} không được tiếp nhận, lý do đã gửi qua thư điện tử."),
                )
            }
            NoticeKind::PaymentRequest => {
                let Change::PaymentRequested { amount_vnd, .. } = &event.change else { unreachable!("by notice_kind") };
                let amount = dong(*amount_vnd);
                blocks.push(Block::Para(format!(
                    "Để tiếp tục giải quyết hồ sơ \"{procedure}\" (mã {label}), đề nghị Ông/Bà thực hiện nghĩa vụ \
                     tài chính."
                )));
                blocks.push(Block::Fact("Số tiền phải nộp", amount.clone()));
                blocks.push(Block::Para(
                    "Thời gian chờ thực hiện nghĩa vụ tài chính không tính vào thời hạn giải quyết hồ sơ.".into(),
                ));
                (
                    format!("Hồ sơ {label}: đề nghị thực hiện nghĩa vụ tài chính"),
                    format!("Hồ sơ {label}: đề nghị nộp {amount} để tiếp tục giải quyết.{link_sms}"),
                    format!("Hồ sơ {label}: đề nghị nộp {amount}."),
                )
            }
            NoticeKind::ResultReady => {
                let how = match d.channel {
                    Channel::Online => "Kết quả điện tử được trả vào kho dữ liệu của Ông/Bà; Ông/Bà có thể tải về \
                                        khi đăng nhập Cổng dịch vụ công."
                        .to_string(),
                    Channel::Post => format!(
                        "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ: {}.",
                        d.applicant.address.as_deref().unwrap_or("đã đăng ký")
                    ),
                    Channel::Counter => format!(
                        "Mời Ông/Bà đến Bộ phận Một cửa của {agency} nhận kết quả trong giờ hành chính, mang theo \
                         giấy tiếp nhận hồ sơ và hẹn trả kết quả (mã {label}) và giấy tờ tùy thân."
                    ),
                };
                blocks.push(Block::Para(format!("Hồ sơ \"{procedure}\" (mã {label}) của Ông/Bà đã có kết quả.")));
                blocks.push(Block::Para(how));
                let sms_how = match d.channel {
                    Channel::Online => "Kết quả điện tử đã có trong kho dữ liệu của Ông/Bà.",
                    Channel::Post => "Kết quả được gửi qua bưu chính.",
                    Channel::Counter => "Mời Ông/Bà đến Bộ phận Một cửa nhận kết quả, mang theo giấy hẹn.",
                };
                (
                    format!("Hồ sơ {label} đã có kết quả"),
                    format!("Hồ sơ {label} đã có kết quả. {sms_how}"),
                    format!("Hồ sơ {label} đã có kết quả."),
                )
            }
            NoticeKind::Stopped => {
                let reasons = match (&event.change, &d.proposal) {
                    (Change::Stopped { reasons }, _) => reasons.clone(),
                    (_, Some(Proposal::Refusal { reasons })) => reasons.clone(),
                    _ => Vec::new(),
                };
                blocks.push(Block::Para(format!(
                    "{agency} dừng giải quyết hồ sơ \"{procedure}\" (mã {label}) của Ông/Bà."
                )));
                if !reasons.is_empty() {
                    blocks.push(Block::Para("Lý do:".into()));
                    blocks.push(Block::List(reasons.clone()));
                }
                blocks.push(Block::Para(
                    "Văn bản trả lời nêu rõ lý do được trả cho Ông/Bà theo hình thức nhận kết quả đã đăng ký.".into(),
                ));
                (
                    format!("Hồ sơ {label}: dừng giải quyết"),
                    format!("Hồ sơ {label} bị dừng giải quyết. Lý do: {}.", reasons.join("; ")),
                    format!("Hồ sơ {label} bị dừng giải quyết, lý do đã gửi qua thư điện tử."),
                )
            }
            NoticeKind::RatingInvitation => self.invitation(&label, procedure, agency, &mut blocks),
            NoticeKind::PetitionRejected | NoticeKind::PetitionInformationRequested | NoticeKind::PetitionAnswered => {
                unreachable!("by notice_kind: petitions are worded by service::petition_notices")
            }
            NoticeKind::Apology => {
                let Change::Extended { new_due, reason } = &event.change else { unreachable!("by notice_kind") };
                blocks.push(Block::Para(format!(
                    "{agency} xin lỗi Ông/Bà vì hồ sơ \"{procedure}\" (mã {label}) chưa được giải quyết đúng hẹn."
                )));
                blocks.push(Block::Fact("Lý do", reason.clone()));
                if let Some(due) = due_before {
                    blocks.push(Block::Fact("Ngày hẹn trả kết quả trước đây", self.local(due)));
                }
                blocks.push(Block::Fact("Ngày hẹn trả kết quả mới", self.local(*new_due)));
                blocks.push(Block::Para(format!("{agency} mong Ông/Bà thông cảm.")));
                (
                    format!("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {label}"),
                    format!("Xin lỗi Ông/Bà: hồ sơ {label} chậm trả kết quả. Hẹn lại: {}.", self.short(*new_due)),
                    format!("Hồ sơ {label} hẹn lại ngày trả kết quả: {}.", self.short(*new_due)),
                )
            }
        };
        if let Some(link) = link {
            blocks.push(Block::Link("Tra cứu hồ sơ", link));
        }
        Notice { subject, blocks, sms, sms_short }
    }

    /// The invitation to rate, with its link (made by the caller).
    fn invitation(
        &self,
        label: &str,
        procedure: &str,
        agency: &str,
        blocks: &mut Vec<Block>,
    ) -> (String, String, String) {
        let link = self.rating_link.clone().unwrap_or_default();
        blocks.push(Block::Para(format!(
            "Hồ sơ \"{procedure}\" (mã {label}) của Ông/Bà đã được trả kết quả. {agency} mong nhận được đánh giá \
             của Ông/Bà về việc tiếp nhận, kết quả giải quyết và thái độ của cán bộ, để phục vụ tốt hơn."
        )));
        blocks.push(Block::Link("Đánh giá mức độ hài lòng", link.clone()));
        blocks.push(Block::Para(format!("Đường dẫn có hiệu lực {} ngày.", super::ratings::LINK_DAYS)));
        (
            format!("Mời đánh giá việc giải quyết hồ sơ {label}"),
            format!("Hồ sơ {label} đã trả kết quả. Mời Ông/Bà đánh giá mức độ hài lòng: {link}"),
            format!("Mời đánh giá hồ sơ {label}: {link}"),
        )
    }

    fn salutation(&self) -> String {
        match self.dossier.applicant.id_kind {
            IdKind::TaxCode => format!("Kính gửi {},", self.dossier.applicant.name),
            IdKind::PersonalId | IdKind::Passport => format!("Kính gửi Ông/Bà {},", self.dossier.applicant.name),
        }
    }

    fn text(&self, notice: &Notice) -> String {
        mail_text(&self.salutation(), &self.agency_name, notice)
    }

    fn html(&self, notice: &Notice) -> String {
        mail_html(&self.salutation(), &self.agency_name, notice)
    }
}

const FOOTER: &str = "Thư này được gửi tự động từ Hệ thống thông tin giải quyết thủ tục hành chính; vui lòng không \
                      trả lời thư này.";

/// A notice's mail as plain text, signed by `agency`.
pub(super) fn mail_text(salutation: &str, agency: &str, notice: &Notice) -> String {
    // Consecutive facts stay together; every other block is a paragraph of its own.
    let tight = notice.blocks.iter().scan(false, |previous_fact, block| {
        let fact = matches!(block, Block::Fact(..));
        let tight = fact && *previous_fact;
        *previous_fact = fact;
        Some(tight)
    });
    let mail = NoticeText { salutation, blocks: tight.zip(&notice.blocks).collect(), agency, footer: FOOTER };
    mail.render().expect("the mail template renders")
}

/// A notice's mail as HTML, signed by `agency`.
pub(super) fn mail_html(salutation: &str, agency: &str, notice: &Notice) -> String {
    let mail = NoticeHtml { subject: &notice.subject, salutation, blocks: &notice.blocks, agency, footer: FOOTER };
    mail.render().expect("the mail template renders")
}

/// A notice as plain text (the first part of the mail).
#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct NoticeText<'a> {
    salutation: &'a str,
    /// Each block, and whether it follows a fact it belongs with (one line break instead of two).
    blocks: Vec<(bool, &'a Block)>,
    agency: &'a str,
    footer: &'a str,
}

/// A notice as HTML (the part mail clients show).
#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    subject: &'a str,
    salutation: &'a str,
    blocks: &'a [Block],
    agency: &'a str,
    footer: &'a str,
}

/// The SMS text: unaccented, and the short form when the full one would not fit.
pub(super) fn sms_text(notice: &Notice) -> String {
    let full = unaccented(&notice.sms);
    if full.chars().count() <= SMS_MAX_CHARS {
        return full;
    }
    let short = unaccented(&notice.sms_short);
    if short.chars().count() <= SMS_MAX_CHARS {
        return short;
    }
    // Only a very long dossier label could get here; the notice still goes, cut.
    let cut: String = short.chars().take(SMS_MAX_CHARS - 3).collect();
    format!("{cut}...")
}

/// A Vietnamese mobile number (`0[35789]xxxxxxxx` or `+84[35789]xxxxxxxx`) without its separators; `None` for
/// landlines and anything else, which cannot receive SMS.
pub fn mobile_number(phone: &str) -> Option<String> {
    let compact: String = phone.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let national = compact.strip_prefix("+84").or_else(|| compact.strip_prefix('0'))?;
    let mobile = national.len() == 9
        && national.chars().all(|c| c.is_ascii_digit())
        && matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
    mobile.then_some(compact)
}

/// Vietnamese letters with their diacritics, by the ASCII letter they reduce to.
const VIETNAMESE: &[(&str, char)] = &[
    ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
    ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'A'),
    ("èéẻẽẹêềếểễệ", 'e'),
    ("ÈÉẺẼẸÊỀẾỂỄỆ", 'E'),
    ("ìíỉĩị", 'i'),
    ("ÌÍỈĨỊ", 'I'),
    ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
    ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'O'),
    ("ùúủũụưừứửữự", 'u'),
    ("ÙÚỦŨỤƯỪỨỬỮỰ", 'U'),
    ("ỳýỷỹỵ", 'y'),
    ("ỲÝỶỸỴ", 'Y'),
    ("đ", 'd'),
    ("Đ", 'D'),
];

/// Vietnamese without diacritics, in printable ASCII (GSM 7-bit safe): precomposed letters map to their base
/// letter, combining marks (text typed in decomposed form) are dropped, typographic punctuation is simplified,
/// and anything else becomes `?`.
pub fn unaccented(text: &str) -> String {
    text.chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            ' '..='~' | '\n' => c,
            '\t' => ' ',
            '“' | '”' | '„' => '"',
            '‘' | '’' => '\'',
            '–' | '—' => '-',
            '…' => '.',
            c => VIETNAMESE.iter().find(|(letters, _)| letters.contains(c)).map_or('?', |(_, base)| *base),
        })
        .collect()
}

#[cfg(test)]
mod tests {

    /// Both parts of a mail, from the templates: paragraphs apart, facts together, a numbered list, the link,
    /// the signature; HTML escaped, plain text as it is.
    #[test]
    fn a_notice_renders_as_text_and_html() {
        let blocks = vec![
            Block::Para("Hồ sơ <b> đã nhận".into()),
            Block::Fact("Mã hồ sơ", "000.31.01.H26-261124-0001".into()),
            Block::Fact("Hạn", "16:30 25/11/2026".into()),
            Block::List(vec!["a".into(), "b".into()]),
            Block::Para("Cảm ơn".into()),
            Block::Link("Tra cứu hồ sơ", "http://x/?a=1&b=2".into()),
        ];
        let tight = [false, false, true, false, false, false];
        let text = NoticeText {
            salutation: "Kính gửi Ông/Bà Nguyễn Văn A,",
            blocks: tight.into_iter().zip(&blocks).collect(),
            agency: "UBND 'A' & B",
            footer: "F",
        };
        assert_eq!(
            text.render().unwrap(),
            "Kính gửi Ông/Bà Nguyễn Văn A,\n\nHồ sơ <b> đã nhận\n\nMã hồ sơ: 000.31.01.H26-261124-0001\nHạn: 16:30 \
             25/11/2026\n\n  1. a\n  2. b\n\nCảm ơn\n\nTra cứu hồ sơ: http://x/?a=1&b=2\n\nTrân trọng,\nUBND 'A' & \
             B\n\n-- \nF\n"
        );
        let html = NoticeHtml {
            subject: "S",
            salutation: "Kính gửi Ông/Bà Nguyễn Văn A,",
            blocks: &blocks,
            agency: "UBND 'A' & B",
            footer: "F",
        };
        assert_eq!(
            html.render().unwrap(),
            "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>S</title>\n</head>\n<body>\n\
             <p>Kính gửi Ông/Bà Nguyễn Văn A,</p>\n<p>Hồ sơ &#60;b&#62; đã nhận</p>\n<p>Mã hồ sơ: \
             <strong>000.31.01.H26-261124-0001</strong></p>\n<p>Hạn: <strong>16:30 25/11/2026</strong></p>\n<ol>\n\
             <li>a</li>\n<li>b</li>\n</ol>\n<p>Cảm ơn</p>\n<p>Tra cứu hồ sơ: <a href=\"http://x/?a=1&#38;b=2\">\
             http://x/?a=1&#38;b=2</a></p>\n<p>Trân trọng,<br>\nUBND &#39;A&#39; &#38; B</p>\n<hr>\n\
             <p><small>F</small></p>\n</body>\n</html>\n"
        );
    }

    use super::*;

    #[test]
    fn unaccented_vietnamese_is_plain_ascii() {
        assert_eq!(
            unaccented("Hồ sơ đã được tiếp nhận. Hẹn trả: Thứ Năm"),
            "Ho so da duoc tiep nhan. Hen tra: Thu Nam"
        );
        assert_eq!(unaccented("ĐƯỜNG Lê Lợi – “số 5”"), "DUONG Le Loi - \"so 5\"");
        // Decomposed input (base letter + combining marks) reduces the same way.
        assert_eq!(unaccented("Tie\u{302}\u{301}n"), "Tien");
        assert_eq!(unaccented("名"), "?");
    }

    #[test]
    fn mobile_numbers_are_recognised() {
        assert_eq!(mobile_number("0912 000 111").as_deref(), Some("0912000111"));
        assert_eq!(mobile_number("+84.912.000.111").as_deref(), Some("+84912000111"));
        assert_eq!(mobile_number("0386123456").as_deref(), Some("0386123456"));
        assert_eq!(mobile_number("02253123456"), None, "a landline");
        assert_eq!(mobile_number("0112345678"), None);
        assert_eq!(mobile_number("091200011"), None);
    }
}
