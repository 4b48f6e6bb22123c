//! Civil-status papers as PDF: the birth registration declaration (tờ khai đăng ký khai sinh, the form of
//! Circular 04/2020/TT-BTP) that an e-form filled in online stands for, and the papers a citizen hands in that
//! the text recogniser is measured on: an id card (căn cước) and a birth certificate (giấy khai sinh). The last
//! two carry a "MẪU" (specimen) mark: they are generated for tests and the OCR bench, never issued.

use chrono::NaiveDate;

use super::FormError;
use super::blocks::field;
use super::fonts::Face;
use super::header::{MOTTO, MOTTO_SUBTITLE};
use super::layout::{Align, Doc, MM, Margins, PageSize};
use super::pdf::finish;
use super::vn_time::vn_date;

const A4: PageSize = PageSize { width: 210.0 * MM, height: 297.0 * MM };
const A4_MARGINS: Margins = Margins { top: 20.0 * MM, right: 20.0 * MM, bottom: 20.0 * MM, left: 30.0 * MM };
/// The card printed at 1.5 times its size (85.6 × 54 mm), as a desk scanner's card setting enlarges it.
const CARD: PageSize = PageSize { width: 128.4 * MM, height: 81.0 * MM };
const CARD_MARGINS: Margins = Margins { top: 5.0 * MM, right: 6.0 * MM, bottom: 5.0 * MM, left: 6.0 * MM };

/// A person as a paper names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperPerson {
    pub name: String,
    pub id_number: String,
    pub birth_date: NaiveDate,
    /// "Nam" or "Nữ".
    pub sex: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCardSpecimen {
    pub holder: PaperPerson,
    pub origin: String,
    pub expires_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirthCertificateSpecimen {
    pub number: String,
    pub child: PaperPerson,
    pub ethnicity: String,
    pub birth_place: String,
    pub mother_name: String,
    pub father_name: String,
    pub agency_name: String,
    pub registered_on: NaiveDate,
}

/// The declaration as the e-form filled it: each line's label and value, in the form's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationData {
    /// "TỜ KHAI ĐĂNG KÝ KHAI SINH".
    pub title: String,
    /// "Kính gửi: Ủy ban nhân dân …".
    pub addressee: String,
    pub declarant_name: String,
    pub declarant_id: String,
    pub declarant_address: String,
    /// (label, value) lines of the e-form.
    pub lines: Vec<(String, String)>,
    pub dossier_code: String,
    pub place: String,
    pub declared_on: NaiveDate,
}

fn motto(doc: &mut Doc, size: f32) {
    doc.paragraph(&[(Face::Bold, MOTTO)], size, 0.0, Align::Center);
    doc.paragraph(&[(Face::Bold, MOTTO_SUBTITLE)], size, 0.0, Align::Center);
    doc.space(size * 0.5);
}

/// Renders an id card specimen (front side: the holder's fields).
pub fn render_id_card(card: &IdCardSpecimen) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(CARD, CARD_MARGINS)?;
    let size = 9.0;
    motto(&mut doc, size);
    doc.paragraph(&[(Face::Bold, "CĂN CƯỚC CÔNG DÂN")], 12.0, 0.0, Align::Center);
    doc.paragraph(&[(Face::Regular, "MẪU - SPECIMEN")], 7.0, 0.0, Align::Center);
    doc.space(4.0);
    let person = &card.holder;
    field(&mut doc, "Số / No.:", &person.id_number, Face::Bold, size + 1.0);
    field(&mut doc, "Họ và tên / Full name:", &person.name.to_uppercase(), Face::Bold, size);
    field(
        &mut doc,
        "Ngày sinh / Date of birth:",
        &person.birth_date.format("%d/%m/%Y").to_string(),
        Face::Regular,
        size,
    );
    field(&mut doc, "Giới tính / Sex:", &person.sex, Face::Regular, size);
    field(&mut doc, "Quốc tịch / Nationality:", "Việt Nam", Face::Regular, size);
    field(&mut doc, "Quê quán / Place of origin:", &card.origin, Face::Regular, size);
    field(&mut doc, "Nơi thường trú / Place of residence:", &person.address, Face::Regular, size);
    let expires = card.expires_on.format("%d/%m/%Y").to_string();
    field(&mut doc, "Có giá trị đến / Date of expiry:", &expires, Face::Regular, size * 0.9);
    finish(doc, "Căn cước công dân (mẫu)", "Giấy tờ mẫu", card.expires_on)
}

/// Renders a birth certificate specimen (giấy khai sinh, bản chính).
pub fn render_birth_certificate(paper: &BirthCertificateSpecimen) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(A4, A4_MARGINS)?;
    let size = 12.0;
    motto(&mut doc, size);
    field(&mut doc, "Số:", &paper.number, Face::Regular, size);
    doc.space(size);
    doc.paragraph(&[(Face::Bold, "GIẤY KHAI SINH")], 16.0, 0.0, Align::Center);
    doc.paragraph(&[(Face::Regular, "(MẪU - bản dùng thử)")], 9.0, 0.0, Align::Center);
    doc.space(size);
    let child = &paper.child;
    field(&mut doc, "Họ, chữ đệm, tên:", &child.name.to_uppercase(), Face::Bold, size);
    field(&mut doc, "Ngày, tháng, năm sinh:", &child.birth_date.format("%d/%m/%Y").to_string(), Face::Regular, size);
    field(&mut doc, "Giới tính:", &child.sex, Face::Regular, size);
    field(&mut doc, "Dân tộc:", &paper.ethnicity, Face::Regular, size);
    field(&mut doc, "Quốc tịch:", "Việt Nam", Face::Regular, size);
    field(&mut doc, "Nơi sinh:", &paper.birth_place, Face::Regular, size);
    field(&mut doc, "Số định danh cá nhân:", &child.id_number, Face::Regular, size);
    doc.space(size * 0.5);
    field(&mut doc, "Họ, chữ đệm, tên người mẹ:", &paper.mother_name.to_uppercase(), Face::Regular, size);
    field(&mut doc, "Họ, chữ đệm, tên người cha:", &paper.father_name.to_uppercase(), Face::Regular, size);
    field(&mut doc, "Nơi cư trú:", &child.address, Face::Regular, size);
    doc.space(size);
    field(&mut doc, "Nơi đăng ký khai sinh:", &paper.agency_name, Face::Regular, size);
    field(&mut doc, "Ngày, tháng, năm đăng ký:", &vn_date(paper.registered_on), Face::Regular, size);
    finish(doc, "Giấy khai sinh (mẫu)", "Giấy tờ mẫu", paper.registered_on)
}

/// Renders the declaration an e-form stands for: the national motto, the title, the addressee, the declarant,
/// the e-form's lines in order, the pledge and the declarant's signature block (signed electronically).
pub fn render_declaration(data: &DeclarationData) -> Result<Vec<u8>, FormError> {
    let mut doc = Doc::new(A4, A4_MARGINS)?;
    let size = 12.0;
    motto(&mut doc, size);
    doc.space(size * 0.5);
    doc.paragraph(&[(Face::Bold, &data.title.to_uppercase())], 14.0, 0.0, Align::Center);
    doc.paragraph(&[(Face::Regular, &format!("Mã hồ sơ: {}", data.dossier_code))], 9.5, 0.0, Align::Center);
    doc.space(size * 0.5);
    doc.paragraph(&[(Face::Regular, &data.addressee)], size, 0.0, Align::Center);
    doc.space(size * 0.5);
    field(&mut doc, "Họ, chữ đệm, tên người yêu cầu:", &data.declarant_name, Face::Bold, size);
    field(&mut doc, "Số định danh cá nhân:", &data.declarant_id, Face::Regular, size);
    field(&mut doc, "Nơi cư trú:", &data.declarant_address, Face::Regular, size);
    doc.paragraph(&[(Face::Regular, "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:")], size, 0.0, Align::Left);
    for (label, value) in &data.lines {
        field(&mut doc, &format!("{}:", label.trim_end_matches(':')), value, Face::Regular, size);
    }
    doc.space(size * 0.5);
    let pledge = "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận nhất trí \
                  của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách nhiệm trước pháp luật về \
                  nội dung cam đoan của mình.";
    doc.paragraph(&[(Face::Regular, pledge)], size, 0.0, Align::Left);
    doc.space(size);
    let half = doc.content_width() / 2.0;
    let x = doc.left() + half;
    let place = super::vn_time::vn_place_date(&data.place, data.declared_on);
    for (face, text) in [
        (Face::Regular, place.as_str()),
        (Face::Bold, "Người yêu cầu"),
        (Face::Regular, "(Đã nộp trực tuyến, xác thực bằng tài khoản định danh điện tử)"),
    ] {
        let lines = doc.wrap(&[(face, text)], size * 0.9, half - 4.0);
        doc.draw_lines(&lines, x, half, size * 0.9, Align::Center);
    }
    doc.space(size);
    let lines = doc.wrap(&[(Face::Bold, &data.declarant_name)], size, half - 4.0);
    doc.draw_lines(&lines, x, half, size, Align::Center);
    doc.number_pages(9.0);
    finish(doc, &data.title, "Tờ khai (biểu mẫu điện tử)", data.declared_on)
}
