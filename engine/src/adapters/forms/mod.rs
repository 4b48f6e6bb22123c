//! Forms 01-06 of Circular 01/2018/TT-VPCP as PDF (DESIGN.md §3, §9).
//!
//! Pure functions from plain data (`data.rs`) to PDF bytes; they know nothing of the dossier model (the service maps
//! a dossier to these structs). Forms 01-05 are A5 (05 landscape, for its table), the register (06) is A4 landscape,
//! the result document (`result.rs`, Decree 30/2020/NĐ-CP) A4 portrait, the one-stop shop's monthly report
//! (`monthly.rs`) A4 landscape.
//! DejaVu Sans (regular and bold, `fixtures/fonts/`) is embedded as a subset with a ToUnicode map, so `pdftotext`
//! returns the Vietnamese exactly. The output is deterministic: the same input gives the same bytes (the document
//! dates come from `FormHeader::issued_on`, the `/ID` from a hash of the content).
//!
//! Text is expected in Unicode NFC (precomposed Vietnamese, what IMEs and the portal send).

mod apology;
mod blocks;
mod civil_papers;
mod control_slip;
mod data;
mod fonts;
mod header;
mod layout;
mod monthly;
mod pdf;
mod qr;
mod receipt;
mod refusal;
mod register;
mod result;
mod supplement;
mod table;
mod vn_time;
mod wrap;

pub use apology::render_apology;
pub use civil_papers::{
    BirthCertificateSpecimen, DeclarationData, IdCardSpecimen, PaperPerson, render_birth_certificate,
    render_declaration, render_id_card,
};
pub use control_slip::render_control_slip;
pub use data::{
    ApologyData, Applicant, ControlSlipData, FormHeader, HandOff, MissingItem, MonthlyReportData, MonthlyReportLine,
    PaperForm, ReceiptData, ReceivedComponent, RefusalData, RegisterData, RegisterRow, ResultDelivery,
    ResultDocumentData, ResultTemplate, SupplementRequestData, Timeliness,
};
pub use monthly::render_monthly_report;
pub use receipt::render_receipt;
pub use refusal::render_refusal;
pub use register::render_register;
pub use result::{render_result, render_result_number, result_number_anchor};
pub use supplement::{dedupe_missing_items, render_supplement_request};
pub use vn_time::{vn_date, vn_date_time, vn_place_date};

/// Why a form could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The embedded font did not parse (a broken build, never bad input).
    #[error("the embedded font {0} could not be parsed")]
    Font(&'static str),
    /// The tracking URL is too long for a QR code.
    #[error("the tracking URL cannot be encoded as a QR code: {0}")]
    Qr(String),
    /// The PDF writer failed.
    #[error("writing the PDF failed: {0}")]
    Write(String),
}
