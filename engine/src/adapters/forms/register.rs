//! Form 06 (Mẫu số 06, Circular 01/2018/TT-VPCP): Sổ theo dõi hồ sơ, A4 landscape, in the circular's columns. One
//! row per dossier, numbered by its entry in the year's register; every page repeats the agency, the title, the
//! period and the column headings, and is numbered "Trang i/n". The notes give the status and the result.

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
        Column { title: "TT", share: 0.035, align: Align::Center },
        Column { title: "Mã hồ sơ", share: 0.105, align: Align::Left },
        Column { title: "Tên thủ tục hành chính", share: 0.12, align: Align::Left },
        Column { title: "Số lượng hồ sơ (bộ)", share: 0.04, align: Align::Center },
        Column { title: "Tên cá nhân, tổ chức", share: 0.08, align: Align::Left },
        Column { title: "Địa chỉ, số điện thoại", share: 0.09, align: Align::Left },
        Column { title: "Cơ quan chủ trì giải quyết", share: 0.08, align: Align::Left },
        Column { title: "Nhận hồ sơ", share: 0.06, align: Align::Center },
        Column { title: "Hẹn trả kết quả", share: 0.06, align: Align::Center },
        Column { title: "Chuyển hồ sơ đến cơ quan giải quyết", share: 0.06, align: Align::Center },
        Column { title: "Nhận kết quả từ cơ quan giải quyết", share: 0.06, align: Align::Center },
        Column { title: "Trả kết quả cho cá nhân, tổ chức", share: 0.06, align: Align::Center },
        Column { title: "Ký nhận", share: 0.05, align: Align::Center },
        Column { title: "Ghi chú", share: 0.10, align: Align::Left },
    ];
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| at.map(|at| short_date_time(at, tz)).unwrap_or_default();
    let rows: Vec<Vec<String>> = data
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let contact = [r.applicant_address.as_deref(), r.applicant_phone.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ");
            // The result first, so it opens the row's first line.
            let note = match r.timeliness {
                Some(t) => format!("{}; {}", t.label(), r.status),
                None => r.status.clone(),
            };
            vec![
                r.entry.map_or_else(|| (i + 1).to_string(), |n| n.to_string()),
                r.dossier_code.clone(),
                r.procedure_name.clone(),
                r.dossier_count.to_string(),
                r.applicant_name.clone(),
                contact,
                r.handling_agency.clone(),
                short_date_time(r.received_at, tz),
                short_date_time(r.due_at, tz),
                when(r.sent_at),
                when(r.result_back_at),
                when(r.returned_at),
                String::new(),
                note,
            ]
        })
        .collect();
    draw_table(&mut doc, &columns, &rows, 6.5, &mut heading);
    doc.number_pages(7.5);
    finish(doc, TITLE, "Mẫu số 06 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}
