//! The header every administrative document carries (Decree 30/2020/NĐ-CP layout, as in the appendix forms of
//! Circular 01/2018/TT-VPCP): the parent agency and the agency on the left, the national motto on the right, the
//! document number under the agency and "{place}, ngày … tháng … năm …" under the motto.

use super::data::FormHeader;
use super::fonts::Face;
use super::layout::{Align, Doc};
use super::vn_time::vn_place_date;

pub(crate) const MOTTO: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub(crate) const MOTTO_SUBTITLE: &str = "Độc lập - Tự do - Hạnh phúc";

/// Draws the header at the cursor. `number_suffix` (e.g. "TNHS") prints "Số: ……/TNHS" when the header has no
/// number; `None` prints no number line at all.
pub(crate) fn draw_header(doc: &mut Doc, header: &FormHeader, number_suffix: Option<&str>, size: f32) {
    let top = doc.y;
    let left_width = doc.content_width() * 0.44;
    let (left_x, right_x) = (doc.left(), doc.left() + left_width);
    let right_width = doc.content_width() - left_width;

    // Left: the parent agency, the agency in bold, a short rule.
    if let Some(parent) = &header.parent_agency_name {
        let upper = parent.to_uppercase();
        let lines = doc.wrap_balanced(&[(Face::Regular, &upper)], size, left_width - 4.0);
        doc.draw_lines(&lines, left_x, left_width, size, Align::Center);
    }
    let agency = header.agency_name.to_uppercase();
    let lines = doc.wrap_balanced(&[(Face::Bold, &agency)], size, left_width - 4.0);
    doc.draw_lines(&lines, left_x, left_width, size, Align::Center);
    let rule = left_width / 3.0;
    doc.hline(left_x + (left_width - rule) / 2.0, left_x + (left_width + rule) / 2.0, doc.y + 1.0, 0.5);
    let left_bottom = doc.y;

    // Right: the motto, fitted to the column, and its rule.
    doc.y = top;
    let motto_size = doc.metrics.fit(Face::Bold, size, MOTTO, right_width);
    let lines = doc.wrap(&[(Face::Bold, MOTTO)], motto_size, f32::MAX);
    doc.draw_lines(&lines, right_x, right_width, motto_size, Align::Center);
    let lines = doc.wrap(&[(Face::Bold, MOTTO_SUBTITLE)], motto_size, f32::MAX);
    doc.draw_lines(&lines, right_x, right_width, motto_size, Align::Center);
    let subtitle = doc.width(Face::Bold, motto_size, MOTTO_SUBTITLE);
    doc.hline(right_x + (right_width - subtitle) / 2.0, right_x + (right_width + subtitle) / 2.0, doc.y + 1.0, 0.5);
    let right_bottom = doc.y;

    // Under both: the number and the place and date, on one baseline.
    doc.y = left_bottom.max(right_bottom) + 5.0;
    let line_top = doc.y;
    if let Some(suffix) = number_suffix {
        let number = match &header.number {
            Some(number) => format!("Số: {number}"),
            None => format!("Số: ……/{suffix}"),
        };
        let lines = doc.wrap(&[(Face::Regular, &number)], size, left_width);
        doc.draw_lines(&lines, left_x, left_width, size, Align::Center);
    }
    let after_number = doc.y;
    doc.y = line_top;
    let place_date = vn_place_date(&header.place, header.issued_on);
    let lines = doc.wrap(&[(Face::Regular, &place_date)], size, right_width);
    doc.draw_lines(&lines, right_x, right_width, size, Align::Center);
    doc.y = doc.y.max(after_number);
}
