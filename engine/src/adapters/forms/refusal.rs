//! Form 03 (Mẫu số 03, Circular 01/2018/TT-VPCP): Phiếu từ chối tiếp nhận giải quyết hồ sơ, A5.

use super::FormError;
use super::blocks::{Signature, applicant_details, field, numbered, signatures, title};
use super::data::RefusalData;
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{A5_MARGINS, A5_PORTRAIT, Align, Doc};
use super::pdf::finish;

pub(crate) const TITLE: &str = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ";
const SIZE: f32 = 8.5;

/// Renders form 03 as a PDF.
pub fn render_refusal(data: &RefusalData) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(A5_PORTRAIT, A5_MARGINS)?;
    draw_header(&mut doc, &data.header, Some("TCHS"), 8.0);
    let code = data.dossier_code.as_ref().map(|c| format!("Mã hồ sơ: {c}"));
    let subtitles: Vec<&str> = code.iter().map(String::as_str).collect();
    title(&mut doc, TITLE, 11.0, &subtitles);

    field(&mut doc, "Bộ phận tiếp nhận và trả kết quả:", &data.header.agency_name, Face::Regular, SIZE);
    field(&mut doc, "Tiếp nhận hồ sơ của:", &data.applicant.name, Face::Bold, SIZE);
    applicant_details(&mut doc, &data.applicant, &data.procedure_name, SIZE);
    doc.space(3.0);
    let basis = match &data.legal_basis {
        Some(basis) => format!("Căn cứ quy định tại {basis}, "),
        None => String::new(),
    };
    let intro = format!(
        "{basis}{} từ chối tiếp nhận, giải quyết hồ sơ này vì lý do sau:",
        if basis.is_empty() {
            "Bộ phận tiếp nhận và trả kết quả"
        } else {
            "bộ phận tiếp nhận và trả kết quả"
        }
    );
    doc.paragraph(&[(Face::Regular, &intro)], SIZE, 0.0, Align::Left);
    for (i, reason) in data.reasons.iter().enumerate() {
        numbered(&mut doc, &format!("{}.", i + 1), &[(Face::Regular, reason)], SIZE, 6.0);
    }
    doc.space(3.0);
    doc.paragraph(&[(Face::Regular, "Xin thông báo cho ông/bà được biết và thực hiện./.")], SIZE, 0.0, Align::Left);
    signatures(
        &mut doc,
        None,
        Some(Signature {
            role: "NGƯỜI TIẾP NHẬN HỒ SƠ", instruction: "(Ký và ghi rõ họ tên)", name: &data.clerk_name
        }),
        SIZE,
    );
    finish(doc, TITLE, "Mẫu số 03 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}
