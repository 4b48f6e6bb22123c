//! The recurring pieces of the forms' bodies: the title, "label: value" lines, numbered items and the signature
//! blocks at the foot.

use super::data::Applicant;
use super::fonts::Face;
use super::layout::{Align, Doc, LEADING};

/// The form's title: bold capitals, centred, then `subtitle` lines (e.g. "Mã hồ sơ: …") centred in bold.
pub(crate) fn title(doc: &mut Doc, title: &str, size: f32, subtitles: &[&str]) {
    doc.space(size * 0.8);
    let fitted = doc.metrics.fit(Face::Bold, size, title, doc.content_width());
    doc.paragraph(&[(Face::Bold, title)], fitted, 0.0, Align::Center);
    for subtitle in subtitles {
        doc.paragraph(&[(Face::Bold, subtitle)], size * 0.8, 0.0, Align::Center);
    }
    doc.space(size * 0.6);
}

/// "label value" with the value in `value_face`, wrapped across the content width.
pub(crate) fn field(doc: &mut Doc, label: &str, value: &str, value_face: Face, size: f32) {
    doc.paragraph(&[(Face::Regular, label), (Face::Regular, " "), (value_face, value)], size, 0.0, Align::Left);
}

/// A numbered item ("1.", "2.", …) with a hanging indent: continuation lines align with the text.
pub(crate) fn numbered(doc: &mut Doc, number: &str, spans: &[(Face, &str)], size: f32, indent: f32) {
    let label_width = doc.width(Face::Regular, size, "00. ").max(doc.width(Face::Regular, size, number) + 3.0);
    let x = doc.left() + indent + label_width;
    let width = doc.right() - x;
    let lines = doc.wrap(spans, size, width);
    doc.ensure(size * LEADING);
    let baseline = doc.y + super::layout::baseline_offset(size);
    doc.text(doc.left() + indent, baseline, Face::Regular, size, number);
    doc.draw_lines(&lines, x, width, size, Align::Left);
}

/// One signature block: the signer's role in bold (lines separated by `\n`), the instruction in brackets, room to
/// sign, and the name.
pub(crate) struct Signature<'a> {
    pub role: &'a str,
    pub instruction: &'a str,
    pub name: &'a str,
}

/// Signature blocks side by side at the foot (either may be absent), kept together on one page.
pub(crate) fn signatures(doc: &mut Doc, left: Option<Signature>, right: Option<Signature>, size: f32) {
    let room = 36.0;
    let roles = [&left, &right].iter().filter_map(|s| s.as_ref()).map(|s| s.role.lines().count()).max().unwrap_or(1);
    doc.ensure((roles as f32 + 2.0) * size * LEADING + room + 6.0);
    doc.space(size * 0.6);
    let top = doc.y;
    let half = doc.content_width() / 2.0;
    let mut bottom = top;
    for (signature, x) in [(left, doc.left()), (right, doc.left() + half)] {
        let Some(signature) = signature else { continue };
        doc.y = top;
        let role = doc.wrap(&[(Face::Bold, signature.role)], size, half - 4.0);
        doc.draw_lines(&role, x, half, size, Align::Center);
        let instruction = doc.wrap(&[(Face::Regular, signature.instruction)], size * 0.85, half - 4.0);
        doc.draw_lines(&instruction, x, half, size * 0.85, Align::Center);
        doc.space(room);
        let name = doc.wrap(&[(Face::Bold, signature.name)], size, half - 4.0);
        doc.draw_lines(&name, x, half, size, Align::Center);
        bottom = bottom.max(doc.y);
    }
    doc.y = bottom;
}

/// What forms 01-03 print under the applicant's name: the address, the phone and email, and the procedure asked for.
pub(crate) fn applicant_details(doc: &mut Doc, applicant: &Applicant, procedure_name: &str, size: f32) {
    if let Some(address) = &applicant.address {
        field(doc, "Địa chỉ:", address, Face::Regular, size);
    }
    let contact = contact_line(applicant.phone.as_deref(), applicant.email.as_deref());
    if !contact.is_empty() {
        doc.paragraph(&[(Face::Regular, &contact)], size, 0.0, Align::Left);
    }
    field(doc, "Nội dung yêu cầu giải quyết:", procedure_name, Face::Bold, size);
}

/// "Số điện thoại: …; Email: …" with whichever is known.
fn contact_line(phone: Option<&str>, email: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(phone) = phone {
        parts.push(format!("Số điện thoại: {phone}"));
    }
    if let Some(email) = email {
        parts.push(format!("Email: {email}"));
    }
    parts.join("; ")
}
