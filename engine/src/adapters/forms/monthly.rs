//! The one-stop shop's monthly report of dossiers handled (báo cáo tình hình, kết quả giải quyết thủ tục hành
//! chính), A4 landscape: the document header, the title and the month, then one row per field of procedures and
//! the total under the columns of the periodic report: to handle (carried over, received online, in person),
//! handled (early, on time, late, refused among them), withdrawn, in progress (within, past the due date). The
//! columns are numbered (1)…(15) as report forms number them, and the note under the table says how they add up.

use super::FormError;
use super::blocks::{Signature, signatures, title};
use super::data::MonthlyReportData;
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{A4_LANDSCAPE, Align, Doc, MM, Margins};
use super::pdf::finish;
use super::table::{Column, draw_table};
use super::vn_time::{short_date, short_date_time};

pub(crate) const TITLE: &str = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";
const MARGINS: Margins = Margins { top: 12.0 * MM, right: 12.0 * MM, bottom: 12.0 * MM, left: 20.0 * MM };

/// The figures' columns, in the order of `MonthlyReportLine::figures`.
const FIGURES: [&str; 13] = [
    "Tổng số hồ sơ phải giải quyết",
    "Từ kỳ trước chuyển sang",
    "Mới tiếp nhận trực tuyến",
    "Mới tiếp nhận trực tiếp, bưu chính",
    "Đã giải quyết: tổng số",
    "Giải quyết trước hạn",
    "Giải quyết đúng hạn",
    "Giải quyết quá hạn",
    "Trong đó từ chối giải quyết",
    "Rút hồ sơ",
    "Đang giải quyết: tổng số",
    "Đang giải quyết trong hạn",
    "Đang giải quyết quá hạn",
];

/// Renders the monthly report as a PDF.
pub fn render_monthly_report(data: &MonthlyReportData) -> Result<Vec<u8>, FormError> {
    let tz = data.header.timezone;
    let mut doc = Doc::new(A4_LANDSCAPE, MARGINS)?;
    draw_header(&mut doc, &data.header, Some("BC"), 9.5);
    let period = format!("Từ ngày {} đến ngày {}", short_date(data.from), short_date(data.to));
    let counted = format!("Số liệu tính đến {}", short_date_time(data.evaluated_at, tz));
    let scope = if data.whole_system {
        "Toàn bộ các cơ quan trên hệ thống"
    } else {
        "Gồm các cơ quan trực thuộc"
    };
    title(&mut doc, TITLE, 13.0, &[&period]);
    doc.paragraph(&[(Face::Regular, &format!("{scope}. {counted}."))], 8.5, 0.0, Align::Center);
    doc.space(3.0);

    let mut columns = vec![
        Column { title: "STT", share: 0.035, align: Align::Center },
        Column { title: "Lĩnh vực giải quyết", share: 0.185, align: Align::Left },
    ];
    columns.extend(FIGURES.iter().map(|title| Column { title, share: 0.78 / 13.0, align: Align::Center }));
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(data.lines.len() + 2);
    // The columns' numbers, as the report form prints them under the headings.
    rows.push((1..=15).map(|n| format!("({n})")).collect());
    for (i, line) in data.lines.iter().enumerate() {
        let name = if line.name.is_empty() { "Khác".to_string() } else { line.name.clone() };
        let mut row = vec![(i + 1).to_string(), name];
        row.extend(line.figures.iter().map(|n| grouped(*n)));
        rows.push(row);
    }
    let mut total = vec![String::new(), "Tổng cộng".to_string()];
    total.extend(data.total.iter().map(|n| grouped(*n)));
    rows.push(total);
    draw_table(&mut doc, &columns, &rows, 7.5, &mut |doc: &mut Doc| doc.space(2.0));

    doc.space(4.0);
    doc.paragraph(&[(Face::Regular, NOTE)], 7.5, 0.0, Align::Left);
    signatures(
        &mut doc,
        Some(Signature { role: "NGƯỜI LẬP BIỂU", instruction: "(Ký, ghi rõ họ tên)", name: "" }),
        Some(Signature { role: "THỦ TRƯỞNG CƠ QUAN", instruction: "(Ký tên, đóng dấu)", name: "" }),
        9.5,
    );
    doc.number_pages(7.5);
    finish(doc, TITLE, "Báo cáo định kỳ của Bộ phận Một cửa", data.header.issued_on)
}

const NOTE: &str = "Ghi chú: (3) = (4) + (5) + (6) = (7) + (12) + (13); (7) = (8) + (9) + (10); (13) = (14) + (15). \
                    Hồ sơ đã giải \
                    quyết gồm hồ sơ có kết quả và hồ sơ từ chối giải quyết có nêu lý do; hồ sơ rút là hồ sơ đã tiếp \
                    nhận được người nộp rút trong kỳ.";

/// A count with dots between thousands, as Vietnamese reports print them.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn thousands_are_grouped_with_dots() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1.000");
        assert_eq!(grouped(1_234_567), "1.234.567");
        assert_eq!(grouped(u64::MAX), "18.446.744.073.709.551.615");
    }
}
