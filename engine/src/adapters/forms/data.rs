//! The plain data each form is filled from. The service maps dossiers, events and staff to these; nothing here
//! depends on the dossier model. Instants are UTC and printed in `FormHeader::timezone`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The top of every form: the issuing agency on the left (with its parent agency, cơ quan chủ quản), the national
/// motto on the right, and "{place}, ngày … tháng … năm …" under it.
#[derive(Debug, Clone, PartialEq)]
pub struct FormHeader {
    /// Tên cơ quan, e.g. "Ủy ban nhân dân phường Hồng Bàng" (printed in capitals).
    pub agency_name: String,
    /// Tên cơ quan chủ quản, e.g. "Ủy ban nhân dân thành phố Hải Phòng" (printed in capitals), if any.
    pub parent_agency_name: Option<String>,
    /// Địa danh, e.g. "Hải Phòng".
    pub place: String,
    /// The date printed on the form; also the PDF's creation date.
    pub issued_on: NaiveDate,
    /// The document number ("Số: 125/TNHS"); absent, a blank to fill in by hand is printed.
    pub number: Option<String>,
    /// The timezone instants are printed in (the calendar's, normally `chrono_tz::Asia::Ho_Chi_Minh`).
    pub timezone: Tz,
}

/// The person or organisation the form is addressed to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applicant {
    /// Full name (họ và tên) or organisation name.
    pub name: String,
    /// Personal id (số định danh cá nhân), passport number or tax code.
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Whether a received paper is an original or a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperForm {
    /// Bản chính.
    Original,
    /// Bản sao.
    Copy,
    /// Bản sao có chứng thực.
    CertifiedCopy,
    /// Bản điện tử (submitted online, digitised, or reused from the repository).
    Electronic,
}

impl PaperForm {
    /// The Vietnamese wording printed on the receipt.
    pub fn label(self) -> &'static str {
        match self {
            PaperForm::Original => "Bản chính",
            PaperForm::Copy => "Bản sao",
            PaperForm::CertifiedCopy => "Bản sao có chứng thực",
            PaperForm::Electronic => "Bản điện tử",
        }
    }
}

/// One component received with the dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedComponent {
    pub name: String,
    pub form: PaperForm,
    /// Number of copies (số lượng).
    pub count: u32,
}

/// How the result goes back to the applicant.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultDelivery {
    /// At the reception and result-return desk.
    AtCounter,
    /// By the public postal service to this address.
    ByPost(String),
    /// Electronically, on the public-service portal and to the applicant's repository.
    Online,
    /// Anything else, worded by the caller.
    Other(String),
}

impl ResultDelivery {
    /// The Vietnamese wording printed on the receipt.
    pub fn wording(&self) -> String {
        match self {
            ResultDelivery::AtCounter => "Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả".to_string(),
            ResultDelivery::ByPost(address) => format!("Qua dịch vụ bưu chính công ích, tại địa chỉ: {address}"),
            ResultDelivery::Online => "Trực tuyến trên Cổng Dịch vụ công (bản điện tử)".to_string(),
            ResultDelivery::Other(text) => text.clone(),
        }
    }
}

/// Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptData {
    pub header: FormHeader,
    /// Mã hồ sơ, e.g. "000.00.31.H26-261122-0042".
    pub dossier_code: String,
    pub applicant: Applicant,
    /// Nội dung yêu cầu giải quyết: the procedure's name, e.g. "Đăng ký khai sinh".
    pub procedure_name: String,
    pub components: Vec<ReceivedComponent>,
    /// Số lượng hồ sơ (bộ).
    pub dossier_count: u32,
    /// The legal processing time as worded, e.g. "03 ngày làm việc" or "trong ngày".
    pub processing_time: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub result_delivery: ResultDelivery,
    /// Where the dossier is entered in the register (form 06): the book ("Quyển số", the year) and the entry
    /// number ("Số thứ tự").
    pub register: Option<(String, u32)>,
    /// The reception clerk (người tiếp nhận hồ sơ).
    pub clerk_name: String,
    /// The public tracking URL, printed and encoded as a QR code.
    pub tracking_url: String,
}

/// One thing the applicant must add or fix.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingItem {
    /// The paper or content to supplement, e.g. "Giấy chứng sinh".
    pub name: String,
    /// Why, e.g. "Bản sao không rõ nét".
    pub reason: Option<String>,
}

/// Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ. Items named twice are listed once.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplementRequestData {
    pub header: FormHeader,
    pub dossier_code: String,
    pub applicant: Applicant,
    pub procedure_name: String,
    pub items: Vec<MissingItem>,
    /// Whom to contact for guidance, e.g. "Trần Văn Bình, Bộ phận Tiếp nhận và Trả kết quả, số điện thoại
    /// 0225 3821 123": the receiving officer and their phone.
    pub contact: Option<String>,
    /// The clerk who guides the applicant (người hướng dẫn).
    pub clerk_name: String,
}

/// Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusalData {
    pub header: FormHeader,
    /// A dossier submitted online already has a code; one refused at the counter may not.
    pub dossier_code: Option<String>,
    pub applicant: Applicant,
    pub procedure_name: String,
    /// The legal basis ("Căn cứ quy định tại …"), if stated.
    pub legal_basis: Option<String>,
    pub reasons: Vec<String>,
    pub clerk_name: String,
}

/// Form 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả.
#[derive(Debug, Clone, PartialEq)]
pub struct ApologyData {
    pub header: FormHeader,
    pub dossier_code: String,
    pub applicant: Applicant,
    pub procedure_name: String,
    pub received_at: DateTime<Utc>,
    /// The due instant printed on the receipt.
    pub original_due_at: DateTime<Utc>,
    /// Why the result is late.
    pub reason: String,
    /// The new due instant chosen by the leader.
    pub new_due_at: DateTime<Utc>,
    /// The signer's title in capitals as it should appear, e.g. "CHỦ TỊCH" or "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH".
    pub signer_title: String,
    pub signer_name: String,
}

/// Early, on time or late (DESIGN.md §7 rule 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    /// "Trước hạn", "Đúng hạn", "Quá hạn".
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
        }
    }
}

/// One hand-off of the dossier between people, units or agencies.
#[derive(Debug, Clone, PartialEq)]
pub struct HandOff {
    /// The unit that handed the dossier over, e.g. "Bộ phận Một cửa".
    pub giver_unit: String,
    /// The person who handed it over, signing in the giver's column.
    pub giver_name: String,
    /// The unit that received it, e.g. "Phòng Kinh tế".
    pub receiver_unit: String,
    /// The person who did the step, signing in the receiver's column (empty while nobody has).
    pub receiver_name: String,
    /// The step the receiver performs, e.g. "Thẩm định".
    pub step: String,
    pub handed_at: DateTime<Utc>,
    /// The step's own due instant.
    pub step_due_at: Option<DateTime<Utc>>,
    /// When the receiver finished the step (absent while in progress).
    pub done_at: Option<DateTime<Utc>>,
    pub result: Option<Timeliness>,
    pub note: Option<String>,
}

/// Form 05: Phiếu kiểm soát quá trình giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlSlipData {
    pub header: FormHeader,
    pub dossier_code: String,
    pub applicant_name: String,
    pub procedure_name: String,
    /// Cơ quan (bộ phận) giải quyết hồ sơ.
    pub handling_agency: String,
    /// Cơ quan phối hợp giải quyết hồ sơ (inter-agency), if any.
    pub coordinating_agencies: Vec<String>,
    pub hand_offs: Vec<HandOff>,
    /// The dossier's result against its legal due, once processing is complete: the same as the register's.
    pub result: Option<Timeliness>,
}

/// One line of the register, in the circular's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRow {
    /// The entry number in the year's register (số thứ tự), as printed on the receipt.
    pub entry: Option<u32>,
    pub dossier_code: String,
    pub procedure_name: String,
    /// Số lượng hồ sơ (bộ).
    pub dossier_count: u32,
    pub applicant_name: String,
    /// Địa chỉ, số điện thoại.
    pub applicant_address: Option<String>,
    pub applicant_phone: Option<String>,
    /// Cơ quan chủ trì giải quyết.
    pub handling_agency: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// When the one-stop desk passed the dossier to the handling agency.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the result came back from it (processing complete).
    pub result_back_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// The status as worded, e.g. "Đang xử lý" (DESIGN.md §5), printed in the notes.
    pub status: String,
    pub timeliness: Option<Timeliness>,
}

/// Form 06: Sổ theo dõi hồ sơ, over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterData {
    pub header: FormHeader,
    /// The period covered (from, to), printed under the title.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub rows: Vec<RegisterRow>,
}

/// The one-stop shop's monthly report of dossiers handled, A4 landscape.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReportData {
    /// The agency reporting (the root agency when the report covers every agency).
    pub header: FormHeader,
    /// The report covers every agency, not one with those under it.
    pub whole_system: bool,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// What is in progress was counted at this instant.
    pub evaluated_at: DateTime<Utc>,
    /// One line per field of procedures.
    pub lines: Vec<MonthlyReportLine>,
    pub total: [u64; 13],
}

/// A field's figures, in the report's column order: to handle, carried over, received online, received in person,
/// handled, early, on time, late, refused, withdrawn, in progress, within the due date, past it.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReportLine {
    /// The field's name; empty for procedures the catalogue no longer holds.
    pub name: String,
    pub figures: [u64; 13],
}

/// Which template a result uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultTemplate {
    /// Giấy chứng nhận: "CHỨNG NHẬN:" what the appraisal found.
    Certificate,
    /// Giấy phép: "CHO PHÉP:" what the applicant may do.
    Licence,
    /// Văn bản trả lời: the dossier is not resolved, with the reasons (Decree 61/2018/NĐ-CP).
    RefusalLetter,
}

/// The result of a dossier as an administrative document (Decree 30/2020/NĐ-CP), A4 portrait. The leader signs it
/// without a number; the records clerk then stamps the number (`render_result_number`) and seals it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultDocumentData {
    /// `number` is ignored: the line "Số:" is printed with room for the number stamped later.
    pub header: FormHeader,
    pub template: ResultTemplate,
    /// E.g. "Giấy chứng nhận đăng ký hộ kinh doanh" (printed in capitals); may be empty for a refusal letter,
    /// whose subject is its "V/v" line.
    pub title: String,
    /// Each printed as "Căn cứ {line};".
    pub legal_basis: Vec<String>,
    pub applicant: Applicant,
    pub dossier_code: String,
    pub procedure_name: String,
    pub received_at: DateTime<Utc>,
    /// Paragraphs: for a certificate or licence, what is certified or permitted.
    pub content: Vec<String>,
    /// Refusal letter: the reasons, numbered "1.", "2.", …; empty otherwise.
    pub reasons: Vec<String>,
    /// In capitals as it should appear, e.g. "CHỦ TỊCH" or "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH".
    pub signer_title: String,
    pub signer_name: String,
    /// "Nơi nhận:", each printed as "- {item}" with the caller's punctuation ("Như trên;", "Lưu: VT.").
    pub recipients: Vec<String>,
}
