//! The result of a dossier as an administrative document (Decree 30/2020/NĐ-CP), A4 portrait: a certificate
//! (giấy chứng nhận), a licence (giấy phép) or a letter refusing the dossier (văn bản trả lời).
//!
//! The leader signs the result before it has a number; the records clerk then numbers it and seals it. So "Số:"
//! is printed with nothing after it, always at the same place on page 1 ([`result_number_anchor`]), and
//! [`render_result_number`] renders the number alone at that place, for `signing::stamp_overlay` to draw onto the
//! signed PDF as an incremental update (the leader's signature stays valid).

use chrono::NaiveDate;

use super::FormError;
use super::blocks::{field, numbered, title};
use super::data::{FormHeader, ResultDocumentData, ResultTemplate};
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{Align, Doc, LEADING, MM, Margins, PageSize, baseline_offset};
use super::pdf::finish;
use super::vn_time::vn_date;

const PAGE: PageSize = PageSize { width: 210.0 * MM, height: 297.0 * MM };
/// Decree 30's margins: 30-35 mm left (binding), 15-20 mm right, 20-25 mm top and bottom.
const MARGINS: Margins = Margins { top: 20.0 * MM, right: 15.0 * MM, bottom: 20.0 * MM, left: 30.0 * MM };
/// The baseline right after "Số: ", in millimetres from the page's bottom-left corner. Below the tallest usual
/// header (five lines of agency names at `HEADER_SIZE`), and left of the centre of the agency column so that a
/// number like "15/GCN-UBND" ends up about centred under the agency.
const ANCHOR: (f32, f32) = (57.0, 252.0);
/// The header's size; a header too tall to end above the anchor is set smaller, down to `MIN_HEADER_SIZE`.
const HEADER_SIZE: f32 = 10.0;
const MIN_HEADER_SIZE: f32 = 7.0;
/// The header may start this far up (above the top margin) before it is set smaller.
const MIN_TOP: f32 = 12.0 * MM;
/// "Số:" and the stamped number: one size whatever the header's.
const NUMBER_SIZE: f32 = 10.0;
const SIZE: f32 = 11.0;
const RECIPIENTS_SIZE: f32 = 9.5;
/// The header's left column (the agency's), as `draw_header` lays it out.
const LEFT_SHARE: f32 = 0.44;
/// Room left for the signature (and the seal) between the signer's title and name.
const SIGNATURE_ROOM: f32 = 25.0 * MM;

/// Where the number goes: (x, y) in millimetres from the bottom-left of the A4 page, of the baseline right after
/// "Số: " on page 1 of [`render_result`].
pub fn result_number_anchor() -> (f32, f32) {
    ANCHOR
}

/// Renders a result document as a PDF, without its number.
pub fn render_result(data: &ResultDocumentData) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(PAGE, MARGINS)?;
    header(&mut doc, &data.header)?;
    if data.template == ResultTemplate::RefusalLetter {
        let subject = format!("V/v trả lời hồ sơ số {}", data.dossier_code);
        let width = doc.content_width() * LEFT_SHARE;
        let lines = doc.wrap(&[(Face::Regular, &subject)], NUMBER_SIZE * 0.9, width - 4.0);
        let x = doc.left();
        doc.draw_lines(&lines, x, width, NUMBER_SIZE * 0.9, Align::Center);
    }
    if data.title.trim().is_empty() {
        doc.space(SIZE);
    } else {
        title(&mut doc, &data.title.to_uppercase(), 13.0, &[]);
    }
    match data.template {
        ResultTemplate::Certificate => grant(&mut doc, data, "CHỨNG NHẬN:"),
        ResultTemplate::Licence => grant(&mut doc, data, "CHO PHÉP:"),
        ResultTemplate::RefusalLetter => refusal(&mut doc, data),
    }
    foot(&mut doc, data);
    doc.number_pages(9.0);
    let name = if data.title.trim().is_empty() { "Văn bản trả lời" } else { &data.title };
    finish(doc, name, "Kết quả giải quyết thủ tục hành chính", data.header.issued_on)
}

/// Renders `number` alone where [`render_result`] leaves room for it, on a page of the same size, in the font
/// and size of the "Số:" label: the overlay the records clerk stamps onto the signed result.
pub fn render_result_number(number: &str) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(PAGE, MARGINS)?;
    doc.text(ANCHOR.0 * MM, PAGE.height - ANCHOR.1 * MM, Face::Regular, NUMBER_SIZE, number);
    // The overlay's own dates never show (only its page is drawn); a fixed one keeps it deterministic.
    finish(doc, number, "Số văn bản", NaiveDate::default())
}

/// The header with "Số:" at the anchor and the place and date on the same baseline: the header is moved down
/// (or set smaller) so that its place-and-date line lands there, whatever the agency names' length.
fn header(doc: &mut Doc, header: &FormHeader) -> Result<(), FormError> {
    let baseline = PAGE.height - ANCHOR.1 * MM;
    // Where the place-and-date line's baseline falls below the header's top, measured on a copy whose place
    // and date surely fit one line (the line's top does not depend on them).
    let probe = FormHeader { place: String::new(), number: None, ..header.clone() };
    let mut size = HEADER_SIZE;
    let top = loop {
        let mut scratch = Doc::new(PAGE, MARGINS)?;
        draw_header(&mut scratch, &probe, None, size);
        let offset = scratch.y - size * LEADING - MARGINS.top + baseline_offset(size);
        let top = baseline - offset;
        if top >= MIN_TOP || size <= MIN_HEADER_SIZE {
            // Absurdly long names still keep a little margin; the place and date then sit lower than "Số:".
            break top.max(5.0 * MM);
        }
        size -= 0.5;
    };
    doc.y = top;
    draw_header(doc, header, None, size);
    let label = "Số: ";
    let x = ANCHOR.0 * MM - doc.width(Face::Regular, NUMBER_SIZE, label);
    doc.text(x, baseline, Face::Regular, NUMBER_SIZE, label.trim_end());
    doc.y = doc.y.max(baseline - baseline_offset(NUMBER_SIZE) + NUMBER_SIZE * LEADING);
    Ok(())
}

/// The "Căn cứ …;" lines.
fn grounds(doc: &mut Doc, data: &ResultDocumentData) {
    for basis in &data.legal_basis {
        let line = format!("Căn cứ {};", basis.trim().trim_end_matches([';', ',', '.']));
        doc.paragraph(&[(Face::Regular, &line)], SIZE, 0.0, Align::Left);
    }
}

/// A certificate or licence: the grounds, the dossier, `verb` ("CHỨNG NHẬN:"), the applicant and the content.
fn grant(doc: &mut Doc, data: &ResultDocumentData, verb: &str) {
    grounds(doc, data);
    let received = vn_date(data.received_at.with_timezone(&data.header.timezone).date_naive());
    let considering =
        format!("Xét hồ sơ số {} tiếp nhận {received} về việc {},", data.dossier_code, data.procedure_name);
    doc.paragraph(&[(Face::Regular, &considering)], SIZE, 0.0, Align::Left);
    doc.space(SIZE * 0.6);
    doc.paragraph(&[(Face::Bold, verb)], SIZE + 1.0, 0.0, Align::Center);
    doc.space(SIZE * 0.4);
    field(doc, "Họ và tên:", &data.applicant.name, Face::Bold, SIZE);
    if let Some(id) = &data.applicant.id_number {
        field(doc, "Số định danh cá nhân:", id, Face::Regular, SIZE);
    }
    if let Some(address) = &data.applicant.address {
        field(doc, "Địa chỉ:", address, Face::Regular, SIZE);
    }
    for paragraph in &data.content {
        doc.space(SIZE * 0.3);
        doc.paragraph(&[(Face::Regular, paragraph)], SIZE, 0.0, Align::Left);
    }
}

/// A letter: whom it is addressed to, that the dossier is not resolved and why, and the right to complain.
fn refusal(doc: &mut Doc, data: &ResultDocumentData) {
    let agency = &data.header.agency_name;
    doc.paragraph(&[(Face::Regular, "Kính gửi: "), (Face::Bold, &data.applicant.name)], SIZE, 0.0, Align::Center);
    doc.space(SIZE * 0.6);
    grounds(doc, data);
    let received = vn_date(data.received_at.with_timezone(&data.header.timezone).date_naive());
    let intro = format!(
        "{agency} nhận được hồ sơ số {} của ông/bà, tiếp nhận {received}, về việc {}. Sau khi xem xét, hồ sơ của \
         ông/bà không được giải quyết vì các lý do sau:",
        data.dossier_code, data.procedure_name
    );
    doc.paragraph(&[(Face::Regular, &intro)], SIZE, 0.0, Align::Left);
    for paragraph in &data.content {
        doc.paragraph(&[(Face::Regular, paragraph)], SIZE, 0.0, Align::Left);
    }
    for (i, reason) in data.reasons.iter().enumerate() {
        numbered(doc, &format!("{}.", i + 1), &[(Face::Regular, reason)], SIZE, 6.0);
    }
    doc.space(SIZE * 0.3);
    let complaint = "Trường hợp không đồng ý với nội dung trả lời này, ông/bà có quyền khiếu nại theo quy định của \
                     Luật Khiếu nại.";
    doc.paragraph(&[(Face::Regular, complaint)], SIZE, 0.0, Align::Left);
    let closing = format!("{agency} trả lời để ông/bà được biết./.");
    doc.paragraph(&[(Face::Regular, &closing)], SIZE, 0.0, Align::Left);
}

/// "Nơi nhận:" at the bottom left and the signature block at the bottom right, side by side on one page.
fn foot(doc: &mut Doc, data: &ResultDocumentData) {
    let half = doc.content_width() / 2.0;
    let (left, right) = (doc.left(), doc.left() + half);
    let role = doc.wrap(&[(Face::Bold, &data.signer_title)], SIZE, half - 4.0);
    let name = doc.wrap(&[(Face::Bold, &data.signer_name)], SIZE, half - 4.0);
    let items: Vec<String> = data.recipients.iter().map(|r| format!("- {r}")).collect();
    let recipients: Vec<_> =
        items.iter().flat_map(|item| doc.wrap(&[(Face::Regular, item)], RECIPIENTS_SIZE, half - 4.0)).collect();
    let signature_height = (role.len() + name.len()) as f32 * SIZE * LEADING + SIGNATURE_ROOM;
    let recipients_height = (recipients.len() + 1) as f32 * RECIPIENTS_SIZE * LEADING;
    doc.space(SIZE);
    doc.ensure(signature_height.max(recipients_height));
    let top = doc.y;
    doc.draw_lines(&role, right, half, SIZE, Align::Center);
    doc.space(SIGNATURE_ROOM);
    doc.draw_lines(&name, right, half, SIZE, Align::Center);
    let bottom = doc.y;
    doc.y = top;
    if !recipients.is_empty() {
        let heading = doc.wrap(&[(Face::Bold, "Nơi nhận:")], RECIPIENTS_SIZE, half);
        doc.draw_lines(&heading, left, half, RECIPIENTS_SIZE, Align::Left);
        doc.draw_lines(&recipients, left, half, RECIPIENTS_SIZE, Align::Left);
    }
    doc.y = doc.y.max(bottom);
}
