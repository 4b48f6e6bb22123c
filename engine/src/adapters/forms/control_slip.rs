//! Form 05 (Mẫu số 05, Circular 01/2018/TT-VPCP): Phiếu kiểm soát quá trình giải quyết hồ sơ, A5 landscape (the
//! hand-off table needs the width). Every hand-off is a row: the giving and receiving units and the step, when,
//! the step's due time, when it was done, whether early, on time or late, and the giver's and receiver's
//! signatures; above the table, the dossier's own result against its legal due (the register's).

use super::FormError;
use super::blocks::{field, title};
use super::data::ControlSlipData;
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{A5_LANDSCAPE, A5_MARGINS, Align, Doc};
use super::pdf::finish;
use super::table::{Column, draw_table};
use super::vn_time::short_date_time;

pub(crate) const TITLE: &str = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ";
const SIZE: f32 = 8.0;

/// Renders form 05 as a PDF.
pub fn render_control_slip(data: &ControlSlipData) -> Result<Vec<u8>, FormError> {
    let tz = data.header.timezone;
    let mut doc = Doc::new(A5_LANDSCAPE, A5_MARGINS)?;
    draw_header(&mut doc, &data.header, None, 8.0);
    let code = format!("Mã hồ sơ: {}", data.dossier_code);
    title(&mut doc, TITLE, 11.0, &[&code]);

    field(&mut doc, "Kèm theo hồ sơ của:", &data.applicant_name, Face::Bold, SIZE);
    field(&mut doc, "Nội dung yêu cầu giải quyết:", &data.procedure_name, Face::Regular, SIZE);
    field(&mut doc, "Cơ quan (bộ phận) giải quyết hồ sơ:", &data.handling_agency, Face::Regular, SIZE);
    if !data.coordinating_agencies.is_empty() {
        field(
            &mut doc,
            "Cơ quan phối hợp giải quyết hồ sơ:",
            &data.coordinating_agencies.join("; "),
            Face::Regular,
            SIZE,
        );
    }
    doc.space(4.0);

    let result = data.result.map_or("Đang giải quyết", |r| r.label());
    field(&mut doc, "Kết quả giải quyết hồ sơ:", result, Face::Bold, SIZE);
    doc.space(3.0);

    let columns = [
        Column { title: "TT", share: 0.035, align: Align::Center },
        Column { title: "Bên giao", share: 0.105, align: Align::Left },
        Column { title: "Bên nhận (bước xử lý)", share: 0.13, align: Align::Left },
        Column { title: "Thời gian giao, nhận", share: 0.09, align: Align::Center },
        Column { title: "Hạn xử lý", share: 0.09, align: Align::Center },
        Column { title: "Thời gian hoàn thành", share: 0.09, align: Align::Center },
        Column { title: "Kết quả (trước hạn/ đúng hạn/ quá hạn)", share: 0.09, align: Align::Center },
        Column { title: "Người giao (ký, ghi rõ họ tên)", share: 0.12, align: Align::Center },
        Column { title: "Người nhận (ký, ghi rõ họ tên)", share: 0.12, align: Align::Center },
        Column { title: "Ghi chú", share: 0.13, align: Align::Left },
    ];
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| at.map(|at| short_date_time(at, tz)).unwrap_or_default();
    // Room to sign above each name.
    let signed = |name: &str| if name.is_empty() { String::new() } else { format!("\n\n{name}") };
    let rows: Vec<Vec<String>> = data
        .hand_offs
        .iter()
        .enumerate()
        .map(|(i, h)| {
            vec![
                (i + 1).to_string(),
                h.giver_unit.clone(),
                format!("{}\n({})", h.receiver_unit, h.step),
                short_date_time(h.handed_at, tz),
                when(h.step_due_at),
                when(h.done_at),
                h.result.map(|r| r.label().to_string()).unwrap_or_default(),
                signed(&h.giver_name),
                signed(&h.receiver_name),
                h.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let continued = format!("{TITLE} (tiếp theo) - Mã hồ sơ: {}", data.dossier_code);
    draw_table(&mut doc, &columns, &rows, 6.5, &mut |doc| {
        doc.paragraph(&[(Face::Bold, &continued)], SIZE, 0.0, Align::Center);
        doc.space(3.0);
    });
    doc.number_pages(7.0);
    finish(doc, TITLE, "Mẫu số 05 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}
