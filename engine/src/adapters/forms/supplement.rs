//! Form 02 (Mẫu số 02, Circular 01/2018/TT-VPCP): Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, A5. The applicant is
//! asked once for everything (Decree 61/2018/NĐ-CP), so every missing item appears exactly once.

use super::FormError;
use super::blocks::{Signature, applicant_details, field, numbered, signatures, title};
use super::data::{MissingItem, SupplementRequestData};
use super::fonts::Face;
use super::header::draw_header;
use super::layout::{A5_MARGINS, A5_PORTRAIT, Align, Doc};
use super::pdf::finish;

pub(crate) const TITLE: &str = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ";
const SIZE: f32 = 8.5;

/// The items with duplicates removed, first occurrence first. Two items are the same when their names match
/// ignoring case and spacing; their distinct reasons are joined with "; ".
pub fn dedupe_missing_items(items: &[MissingItem]) -> Vec<MissingItem> {
    let key = |name: &str| name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let mut out: Vec<(String, MissingItem)> = Vec::new();
    for item in items {
        let k = key(&item.name);
        if k.is_empty() {
            continue;
        }
        let reason = item.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        match out.iter_mut().find(|(existing, _)| *existing == k) {
            Some((_, kept)) => {
                if let Some(reason) = reason {
                    match &mut kept.reason {
                        Some(reasons) if reasons.split("; ").any(|r| r.to_lowercase() == reason.to_lowercase()) => {}
                        Some(reasons) => {
                            reasons.push_str("; ");
                            reasons.push_str(reason);
                        }
                        None => kept.reason = Some(reason.to_string()),
                    }
                }
            }
            None => {
                out.push((k, MissingItem { name: item.name.trim().to_string(), reason: reason.map(str::to_string) }))
            }
        }
    }
    out.into_iter().map(|(_, item)| item).collect()
}

/// Renders form 02 as a PDF.
pub fn render_supplement_request(data: &SupplementRequestData) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(A5_PORTRAIT, A5_MARGINS)?;
    draw_header(&mut doc, &data.header, Some("PBSHS"), 8.0);
    let code = format!("Mã hồ sơ: {}", data.dossier_code);
    title(&mut doc, TITLE, 11.0, &[&code]);

    field(&mut doc, "Hồ sơ của:", &data.applicant.name, Face::Bold, SIZE);
    applicant_details(&mut doc, &data.applicant, &data.procedure_name, SIZE);
    doc.space(3.0);
    doc.paragraph(&[(Face::Regular, "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:")], SIZE, 0.0, Align::Left);
    for (i, item) in dedupe_missing_items(&data.items).iter().enumerate() {
        let number = format!("{}.", i + 1);
        match &item.reason {
            Some(reason) => numbered(
                &mut doc,
                &number,
                &[(Face::Bold, &item.name), (Face::Regular, "\nLý do: "), (Face::Regular, reason)],
                SIZE,
                6.0,
            ),
            None => numbered(&mut doc, &number, &[(Face::Bold, &item.name)], SIZE, 6.0),
        }
    }
    doc.space(3.0);
    let contact = data.contact.as_deref().unwrap_or("Bộ phận tiếp nhận và trả kết quả");
    let guidance =
        format!("Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ với {contact} để được hướng dẫn./.");
    doc.paragraph(&[(Face::Regular, &guidance)], SIZE, 0.0, Align::Left);
    signatures(
        &mut doc,
        None,
        Some(Signature {
            role: "NGƯỜI HƯỚNG DẪN", instruction: "(Ký và ghi rõ họ tên)", name: &data.clerk_name
        }),
        SIZE,
    );
    finish(doc, TITLE, "Mẫu số 02 - Thông tư 01/2018/TT-VPCP", data.header.issued_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, reason: Option<&str>) -> MissingItem {
        MissingItem { name: name.into(), reason: reason.map(Into::into) }
    }

    #[test]
    fn duplicates_are_listed_once_with_their_reasons_merged() {
        let items = [
            item("Giấy chứng sinh", Some("Thiếu bản chính")),
            item("Tờ khai đăng ký khai sinh", None),
            item("  giấy  chứng sinh ", Some("Bản sao không rõ nét")),
            item("Giấy chứng sinh", Some("Thiếu bản chính")),
            item("Tờ khai đăng ký khai sinh", Some("Thiếu chữ ký")),
            item("  ", Some("ignored")),
        ];
        assert_eq!(
            dedupe_missing_items(&items),
            [
                item("Giấy chứng sinh", Some("Thiếu bản chính; Bản sao không rõ nét")),
                item("Tờ khai đăng ký khai sinh", Some("Thiếu chữ ký")),
            ]
        );
    }
}
