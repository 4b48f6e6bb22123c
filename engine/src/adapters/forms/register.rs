//! Form 06 (Mẫu số 06, Circular 01/2018/TT-VPCP): Sổ theo dõi hồ sơ, A4 landscape. One row per dossier; every
//! page repeats the agency, the title, the period and the column headings, and is numbered "Trang i/n".

use super::FormError;
use super::data::RegisterData;
use super::fonts::Face;
use super::layout::{A4_LANDSCAPE, Align, Doc, MM, Margins};
use super::pdf::finish;
use super::table::{Column, draw_table};
use super::vn_time::{short_date, short_date_time};

pub(crate) const TITLE: &str = "SỔ THEO DÕI HỒ SƠ";
const MARGINS: Margins = Margins { top: 10.0 * MM, right: 10.0 * MM, bottom: 12.0 * MM, left: 15.0 * MM };

/// Renders form 06 as a PDF.
pub fn render_register(data: &RegisterData) -> Result<Vec<u8>, FormError> {
    let tz = data.header.timezone;
    let mut doc = Doc::new(A4_LANDSCAPE, MARGINS)?;
    let agency = data.header.agency_name.to_uppercase();
    let period = data.period.map(|(from, to)| format!("Từ ngày {} đến ngày {}", short_date(from), short_date(to)));
    let mut heading = |doc: &mut Doc| {
        if let Some(parent) = &data.header.parent_agency_name {
            doc.paragraph(&[(Face::Regular, &parent.to_uppercase())], 8.0, 0.0, Align::Left);
        }
        doc.paragraph(&[(Face::Bold, &agency)], 8.0, 0.0, Align::Left);
        doc.space(2.0);
        doc.paragraph(&[(Face::Bold, TITLE)], 13.0, 0.0, Align::Center);
        if let Some(period) = &period {
            doc.paragraph(&[(Face::Regular, period)], 9.0, 0.0, Align::Center);
        }
        doc.space(4.0);
    };
    heading(&mut doc);

    let columns = [
        Column { title: "TT", share: 0.04, align: Align::Center },
        Column { title: "Mã hồ sơ", share: 0.15, align: Align::Left },
        Column { title: "Tên thủ tục hành chính", share: 0.18, align: Align::Left },
        Column { title: "Tên cá nhân, tổ chức", share: 0.14, align: Align::Left },
        Column { title: "Nhận hồ sơ", share: 0.09, align: Align::Center },
        Column { title: "Hẹn trả kết quả", share: 0.09, align: Align::Center },
        Column { title: "Trả kết quả", share: 0.09, align: Align::Center },
        Column { title: "Trạng thái", share: 0.12, align: Align::Left },
        Column {
            title: "Kết quả xử lý (trước hạn/ đúng hạn/ quá hạn)", share: 0.10, align: Align::Center
        },
    ];
    let rows: Vec<Vec<String>> = data
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.dossier_code.clone(),
                r.procedure_name.clone(),
                r.applicant_name.clone(),
                short_date_time(r.received_at, tz),
                short_date_time(r.due_at, tz),
                r.returned_at.map(|at| short_date_time(at, tz)).unwrap_or_default(),
                r.status.clone(),
                r.timeliness.map(|t| t.label().to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    draw_table(&mut doc, &columns, &rows, 7.5, &mut heading);
    doc.number_pages(7.5);
    finish(doc, TITLE, "Mẫu số 06 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}
