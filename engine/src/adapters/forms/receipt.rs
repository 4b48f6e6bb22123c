//! Form 01 (Mẫu số 01, Circular 01/2018/TT-VPCP): Giấy tiếp nhận hồ sơ và hẹn trả kết quả, A5.

use super::blocks::{Signature, applicant_details, field, numbered, signatures, title};
use super::data::ReceiptData;
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{A5_MARGINS, A5_PORTRAIT, Align, Doc, LEADING, MM};
use super::pdf::finish;
use super::table::{Column, draw_table};
use super::vn_time::vn_date_time;
use super::{FormError, qr};

pub(crate) const TITLE: &str = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ";
const SIZE: f32 = 8.5;
/// The circular's note on the receipt's two copies.
const COPIES: &str = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên; 01 liên giao cho cá nhân, tổ chức \
                      nộp hồ sơ; 01 liên chuyển kèm theo hồ sơ và lưu tại Bộ phận Tiếp nhận và Trả kết quả.";

/// Renders form 01 as a PDF.
pub fn render_receipt(data: &ReceiptData) -> Result<Vec<u8>, FormError> {
    let tz = data.header.timezone;
    let mut doc = Doc::new(A5_PORTRAIT, A5_MARGINS)?;
    draw_header(&mut doc, &data.header, Some("TNHS"), 8.0);
    let code = format!("Mã hồ sơ: {}", data.dossier_code);
    title(&mut doc, TITLE, 11.0, &[&code]);

    field(&mut doc, "Bộ phận tiếp nhận và trả kết quả:", &data.header.agency_name, Face::Regular, SIZE);
    field(&mut doc, "Tiếp nhận hồ sơ của:", &data.applicant.name, Face::Bold, SIZE);
    if let Some(id) = &data.applicant.id_number {
        field(&mut doc, "Số định danh cá nhân/Mã số thuế:", id, Face::Regular, SIZE);
    }
    applicant_details(&mut doc, &data.applicant, &data.procedure_name, SIZE);

    numbered(&mut doc, "1.", &[(Face::Regular, "Thành phần hồ sơ nộp gồm:")], SIZE, 0.0);
    let columns = [
        Column { title: "TT", share: 0.08, align: Align::Center },
        Column { title: "Tên giấy tờ", share: 0.56, align: Align::Left },
        Column { title: "Hình thức", share: 0.24, align: Align::Center },
        Column { title: "Số lượng", share: 0.12, align: Align::Center },
    ];
    let rows: Vec<Vec<String>> = data
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| vec![(i + 1).to_string(), c.name.clone(), c.form.label().to_string(), c.count.to_string()])
        .collect();
    draw_table(&mut doc, &columns, &rows, SIZE * 0.9, &mut |_| {});
    doc.space(3.0);

    let count = format!("Số lượng hồ sơ: {:02} (bộ)", data.dossier_count);
    numbered(&mut doc, "2.", &[(Face::Regular, &count)], SIZE, 0.0);
    let time = format!("Thời gian giải quyết hồ sơ theo quy định là: {}", data.processing_time);
    numbered(&mut doc, "3.", &[(Face::Regular, &time)], SIZE, 0.0);
    let received = vn_date_time(data.received_at, tz);
    numbered(&mut doc, "4.", &[(Face::Regular, "Thời gian nhận hồ sơ: "), (Face::Regular, &received)], SIZE, 0.0);
    let due = format!("vào lúc {}", vn_date_time(data.due_at, tz));
    numbered(
        &mut doc,
        "5.",
        &[(Face::Regular, "Thời gian trả kết quả giải quyết hồ sơ: "), (Face::Bold, &due)],
        SIZE,
        0.0,
    );
    let delivery = data.result_delivery.wording();
    numbered(&mut doc, "6.", &[(Face::Regular, "Đăng ký nhận kết quả tại: "), (Face::Regular, &delivery)], SIZE, 0.0);
    let (book, entry) = match &data.register {
        Some((book, entry)) => (book.clone(), entry.to_string()),
        None => ("……".to_string(), "……".to_string()),
    };
    let register = format!("Vào Sổ theo dõi hồ sơ, Quyển số: {book}, Số thứ tự: {entry}");
    doc.paragraph(&[(Face::Regular, &register)], SIZE, 0.0, Align::Left);

    signatures(
        &mut doc,
        Some(Signature {
            role: "NGƯỜI NỘP HỒ SƠ", instruction: "(Ký và ghi rõ họ tên)", name: &data.applicant.name
        }),
        Some(Signature {
            role: "NGƯỜI TIẾP NHẬN HỒ SƠ", instruction: "(Ký và ghi rõ họ tên)", name: &data.clerk_name
        }),
        SIZE,
    );
    doc.space(3.0);
    doc.paragraph(&[(Face::Bold, "Ghi chú: "), (Face::Regular, COPIES)], SIZE * 0.85, 0.0, Align::Left);
    tracking_block(&mut doc, &data.tracking_url)?;
    finish(doc, TITLE, "Mẫu số 01 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}

/// The QR code of the tracking URL with the URL printed under it on one line, and a caption beside it. The QR
/// code keeps its quiet zone: nothing is drawn within `QUIET` points of it.
fn tracking_block(doc: &mut Doc, url: &str) -> Result<(), FormError> {
    const QUIET: f32 = 9.0;
    let side = 24.0 * MM;
    let url_size = doc.metrics.fit(Face::Regular, 7.0, url, doc.content_width()).max(5.0);
    doc.ensure(QUIET * 2.0 + side + url_size * LEADING * 2.0);
    doc.space(QUIET);
    let top = doc.y;
    let drawn = qr::draw(doc, url, doc.left(), top, side)?;
    let caption_x = doc.left() + drawn + QUIET + 2.0 * MM;
    let caption_width = doc.right() - caption_x;
    let caption = "Quét mã QR hoặc truy cập địa chỉ dưới đây để tra cứu tình trạng giải quyết hồ sơ.";
    let lines = doc.wrap(&[(Face::Regular, caption)], SIZE * 0.9, caption_width);
    doc.y = top + (drawn - lines.len() as f32 * SIZE * 0.9 * LEADING) / 2.0;
    doc.draw_lines(&lines, caption_x, caption_width, SIZE * 0.9, Align::Left);
    doc.y = top + drawn + QUIET;
    let lines = doc.wrap(&[(Face::Regular, url)], url_size, doc.content_width());
    let (x, width) = (doc.left(), doc.content_width());
    doc.draw_lines(&lines, x, width, url_size, Align::Left);
    Ok(())
}
