//! Form 04 (Mẫu số 04, Circular 01/2018/TT-VPCP): Phiếu xin lỗi và hẹn lại ngày trả kết quả, A5.

use super::FormError;
use super::blocks::{Signature, field, signatures, title};
use super::data::ApologyData;
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{A5_MARGINS, A5_PORTRAIT, Align, Doc};
use super::pdf::finish;
use super::vn_time::{vn_date, vn_date_time};

pub(crate) const TITLE: &str = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ";
const SIZE: f32 = 8.5;

/// Renders form 04 as a PDF.
pub fn render_apology(data: &ApologyData) -> Result<Vec<u8>, FormError> {
    let tz = data.header.timezone;
    let agency = &data.header.agency_name;
    let name = &data.applicant.name;
    let mut doc = Doc::new(A5_PORTRAIT, A5_MARGINS)?;
    draw_header(&mut doc, &data.header, Some("PXL"), 8.0);
    title(&mut doc, TITLE, 11.0, &[]);

    let to = format!("Kính gửi: {name}");
    doc.paragraph(&[(Face::Bold, &to)], SIZE, 0.0, Align::Center);
    doc.space(4.0);
    let received = vn_date(data.received_at.with_timezone(&tz).date_naive());
    let received =
        format!("{}, {agency} tiếp nhận giải quyết hồ sơ của ông/bà {name}.", received.replacen("ngày", "Ngày", 1));
    doc.paragraph(&[(Face::Regular, &received)], SIZE, 0.0, Align::Left);
    field(&mut doc, "Mã hồ sơ:", &data.dossier_code, Face::Bold, SIZE);
    field(&mut doc, "Nội dung yêu cầu giải quyết:", &data.procedure_name, Face::Regular, SIZE);
    let original = vn_date_time(data.original_due_at, tz);
    field(&mut doc, "Thời hẹn trả kết quả giải quyết hồ sơ:", &original, Face::Regular, SIZE);
    let late = format!(
        "Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của ông/bà đúng thời hạn ghi trên Giấy tiếp \
         nhận hồ sơ và hẹn trả kết quả, lý do: {}",
        data.reason.trim_end_matches('.')
    );
    doc.space(2.0);
    doc.paragraph(&[(Face::Regular, &late), (Face::Regular, ".")], SIZE, 0.0, Align::Left);
    doc.space(2.0);
    let apology = format!(
        "Sự chậm trễ này đã gây phiền hà cho ông/bà, {agency} xin lỗi ông/bà và sẽ trả kết quả giải quyết hồ sơ \
         cho ông/bà vào lúc"
    );
    let new_due = vn_date_time(data.new_due_at, tz);
    doc.paragraph(
        &[(Face::Regular, &apology), (Face::Regular, " "), (Face::Bold, &new_due), (Face::Regular, ".")],
        SIZE,
        0.0,
        Align::Left,
    );
    doc.space(2.0);
    doc.paragraph(&[(Face::Regular, "Xin trân trọng cảm ơn./.")], SIZE, 0.0, Align::Left);
    signatures(
        &mut doc,
        None,
        Some(Signature {
            role: &data.signer_title,
            instruction: "(Ký, ghi rõ họ tên và đóng dấu)",
            name: &data.signer_name,
        }),
        SIZE,
    );
    finish(doc, TITLE, "Mẫu số 04 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}
