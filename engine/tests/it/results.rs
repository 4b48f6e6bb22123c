//! The result document end to end (Decree 30/2020/NĐ-CP): rendered without a number, signed by the leader, the
//! number stamped by the records clerk as an incremental update, sealed by the agency. Checked with our
//! `Verifier`, poppler's `pdfsig`, `pdftotext`, `pdfinfo` and `openssl cms -verify` (poppler-utils, openssl).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use crate::common::{assert_contains, der_len, run};

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, TimeZone, Utc};
use motcua_engine::adapters::forms::{
    Applicant, FormHeader, ResultDocumentData, ResultTemplate, render_result, render_result_number,
    result_number_anchor,
};
use motcua_engine::documents::signature::{SignatureCheck, SignatureVerifier};
use motcua_engine::signing::{DemoPki, SignatureStatus, Signer, Verifier, demo_pki, stamp_overlay};

const CODE: &str = "000.00.31.H26-261124-0042";
const NUMBER: &str = "15/GCN-UBND";
const MM: f64 = 72.0 / 25.4;

fn header() -> FormHeader {
    FormHeader {
        agency_name: "Ủy ban nhân dân phường Hồng Bàng".into(),
        parent_agency_name: Some("Ủy ban nhân dân thành phố Hải Phòng".into()),
        place: "Hải Phòng".into(),
        issued_on: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        number: Some("ignored/UBND".into()),
        timezone: chrono_tz::Asia::Ho_Chi_Minh,
    }
}

fn certificate() -> ResultDocumentData {
    ResultDocumentData {
        header: header(),
        template: ResultTemplate::Certificate,
        title: "Giấy chứng nhận đăng ký hộ kinh doanh".into(),
        legal_basis: vec![
            "Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025".into(),
            "Nghị định số 168/2025/NĐ-CP ngày 30 tháng 6 năm 2025 của Chính phủ về đăng ký doanh nghiệp;".into(),
        ],
        applicant: Applicant {
            name: "Nguyễn Thị Hường".into(),
            id_number: Some("031190001234".into()),
            address: Some("Số 12 phố Điện Biên Phủ, phường Hồng Bàng, thành phố Hải Phòng".into()),
            ..Applicant::default()
        },
        dossier_code: CODE.into(),
        procedure_name: "Đăng ký thành lập hộ kinh doanh".into(),
        received_at: chrono_tz::Asia::Ho_Chi_Minh.with_ymd_and_hms(2026, 11, 24, 9, 30, 0).unwrap().with_timezone(&Utc),
        content: vec![
            "Đã đăng ký hộ kinh doanh với tên gọi Hộ kinh doanh Quán Phở Hường, mã số hộ kinh doanh 31A8012345.".into(),
            "Ngành, nghề kinh doanh: dịch vụ ăn uống (phở, bún, cơm bình dân); địa điểm kinh doanh: số 12 phố Điện \
             Biên Phủ, phường Hồng Bàng, thành phố Hải Phòng; vốn kinh doanh: 150.000.000 đồng."
                .into(),
        ],
        reasons: Vec::new(),
        signer_title: "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH".into(),
        signer_name: "Phạm Quốc Bảo".into(),
        recipients: vec!["Như trên;".into(), "Chi cục Thuế khu vực Hải Phòng;".into(), "Lưu: VT.".into()],
    }
}

fn refusal_letter() -> ResultDocumentData {
    ResultDocumentData {
        template: ResultTemplate::RefusalLetter,
        title: String::new(),
        legal_basis: Vec::new(),
        content: Vec::new(),
        reasons: vec![
            "Tên hộ kinh doanh trùng với tên hộ kinh doanh đã đăng ký trong phạm vi phường".into(),
            "Ngành, nghề đăng ký thuộc danh mục ngành, nghề cấm đầu tư kinh doanh".into(),
        ],
        signer_title: "CHỦ TỊCH".into(),
        recipients: vec!["Như trên;".into(), "Lưu: VT.".into()],
        ..certificate()
    }
}

struct Fixture {
    dir: PathBuf,
    pki: DemoPki,
    now: DateTime<Utc>,
    /// The certificate signed by the leader.
    signed: Vec<u8>,
    /// `signed` with the number stamped.
    stamped: Vec<u8>,
    /// `stamped` sealed by the agency.
    sealed: Vec<u8>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("results");
    let _ = std::fs::remove_dir_all(&dir);
    let now = Utc::now().trunc_subsecs(0);
    let pki = demo_pki(&dir.join("pki"), now).expect("demo PKI");
    let pdf = render_result(&certificate()).expect("render");
    let signed = pki.leader.sign_pdf(&pdf, "Ký ban hành", now).expect("leader signs");
    let stamped = stamp_overlay(&signed, &render_result_number(NUMBER).unwrap()).expect("stamp");
    let sealed = pki.agency.sign_pdf(&stamped, "Vào số, đóng dấu", now + Duration::minutes(5)).expect("seal");
    Fixture { dir, pki, now, signed, stamped, sealed }
});

fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The text of page 1, with runs of whitespace made single spaces.
fn text(path: &Path) -> String {
    let (ok, out) = run(Command::new("pdftotext").args(["-enc", "UTF-8", "-f", "1", "-l", "1"]).arg(path).arg("-"));
    assert!(ok, "{out}");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A word of page 1 and its box in points from the top-left corner, as `pdftotext -bbox` gives it.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x_min: f64,
    y_min: f64,
    y_max: f64,
}

fn words(path: &Path) -> Vec<Word> {
    let (ok, out) = run(Command::new("pdftotext").args(["-bbox", "-f", "1", "-l", "1"]).arg(path).arg("-"));
    assert!(ok, "{out}");
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    out.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| Word {
            text: l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()].to_string(),
            x_min: attr(l, "xMin"),
            y_min: attr(l, "yMin"),
            y_max: attr(l, "yMax"),
        })
        .collect()
}

fn word(words: &[Word], text: &str) -> Word {
    words.iter().find(|w| w.text == text).unwrap_or_else(|| panic!("no word {text:?} in {words:?}")).clone()
}

fn verifier(f: &Fixture) -> Verifier {
    Verifier::new(vec![f.pki.ca.certificate().clone()])
}

#[test]
fn the_certificate_is_a4_with_the_header_title_grounds_applicant_and_content() {
    let path = save(&FIXTURE.dir, "certificate.pdf", &render_result(&certificate()).unwrap());
    let (ok, info) = run(Command::new("pdfinfo").arg(&path));
    assert!(ok && info.contains("Pages:           1") && info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    let text = text(&path);
    assert_contains(
        &text,
        &[
            "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
            "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG BÀNG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Hải Phòng, ngày 27 tháng 11 năm 2026",
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;",
            "Căn cứ Nghị định số 168/2025/NĐ-CP ngày 30 tháng 6 năm 2025 của Chính phủ về đăng ký doanh nghiệp;",
            "Xét hồ sơ số 000.00.31.H26-261124-0042 tiếp nhận ngày 24 tháng 11 năm 2026 về việc Đăng ký thành lập hộ \
             kinh doanh,",
            "CHỨNG NHẬN:",
            "Họ và tên: Nguyễn Thị Hường",
            "Số định danh cá nhân: 031190001234",
            "Địa chỉ: Số 12 phố Điện Biên Phủ, phường Hồng Bàng, thành phố Hải Phòng",
            "mã số hộ kinh doanh 31A8012345.",
            "vốn kinh doanh: 150.000.000 đồng.",
            "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
            "Phạm Quốc Bảo",
            "Nơi nhận:",
            "- Như trên;",
            "- Chi cục Thuế khu vực Hải Phòng;",
            "- Lưu: VT.",
        ],
    );
    assert!(!text.contains("CHO PHÉP") && !text.contains("ignored"), "{text}");
    // "Số:" with nothing after it, no dots or placeholder.
    let words = words(&path);
    let label = word(&words, "Số:");
    let after: Vec<&Word> = words
        .iter()
        .filter(|w| (w.y_max - label.y_max).abs() < 1.0 && w.x_min > label.x_min && w.x_min < 80.0 * MM)
        .collect();
    assert!(after.is_empty(), "text after \"Số:\": {after:?}");

    let mut licence = certificate();
    licence.template = ResultTemplate::Licence;
    licence.title = "Giấy phép kinh doanh dịch vụ ăn uống".into();
    let path = save(&FIXTURE.dir, "licence.pdf", &render_result(&licence).unwrap());
    let text = self::text(&path);
    assert_contains(&text, &["GIẤY PHÉP KINH DOANH DỊCH VỤ ĂN UỐNG", "CHO PHÉP:", "Họ và tên: Nguyễn Thị Hường"]);
    assert!(!text.contains("CHỨNG NHẬN:"), "{text}");
}

#[test]
fn the_refusal_letter_names_the_dossier_its_reasons_and_the_right_to_complain() {
    let path = save(&FIXTURE.dir, "refusal.pdf", &render_result(&refusal_letter()).unwrap());
    let text = text(&path);
    assert_contains(
        &text,
        &[
            "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG BÀNG",
            "V/v trả lời hồ sơ số 000.00.31.H26-261124-0042",
            "Kính gửi: Nguyễn Thị Hường",
            "Ủy ban nhân dân phường Hồng Bàng nhận được hồ sơ số 000.00.31.H26-261124-0042 của ông/bà, tiếp nhận \
             ngày 24 tháng 11 năm 2026, về việc Đăng ký thành lập hộ kinh doanh.",
            "hồ sơ của ông/bà không được giải quyết vì các lý do sau:",
            "1. Tên hộ kinh doanh trùng với tên hộ kinh doanh đã đăng ký trong phạm vi phường",
            "2. Ngành, nghề đăng ký thuộc danh mục ngành, nghề cấm đầu tư kinh doanh",
            "có quyền khiếu nại theo quy định của Luật Khiếu nại.",
            "CHỦ TỊCH Phạm Quốc Bảo",
            "Nơi nhận:",
            "- Như trên;",
        ],
    );
    assert!(!text.contains("CHỨNG NHẬN") && !text.contains("Căn cứ") && !text.contains("3."), "{text}");
    let words = words(&path);
    assert!(words.iter().any(|w| w.text == "Số:"), "the letter has a number line too");
}

#[test]
fn the_same_input_renders_to_the_same_bytes() {
    for data in [certificate(), refusal_letter()] {
        assert!(render_result(&data).unwrap() == render_result(&data).unwrap(), "{:?}", data.template);
    }
    let mut other = certificate();
    other.applicant.name = "Nguyễn Thị Hương".into();
    assert_ne!(render_result(&certificate()).unwrap(), render_result(&other).unwrap());
    assert!(render_result_number(NUMBER).unwrap() == render_result_number(NUMBER).unwrap());
    assert_ne!(render_result_number(NUMBER).unwrap(), render_result_number("16/GCN-UBND").unwrap());
}

#[test]
fn the_number_line_stays_at_the_anchor_however_long_the_agency_names() {
    let (x, y) = result_number_anchor();
    let (x, y) = (f64::from(x) * MM, 841.89 - f64::from(y) * MM);
    let overlay = save(&FIXTURE.dir, "number.pdf", &render_result_number(NUMBER).unwrap());
    let number = word(&words(&overlay), NUMBER);
    assert!((number.x_min - x).abs() < 0.5, "the number starts at the anchor: {number:?}, x = {x}");
    assert!(number.y_min < y && y < number.y_max, "the number sits on the anchor's baseline: {number:?}, y = {y}");

    let mut long = certificate();
    long.header.parent_agency_name =
        Some("Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu (cũ), nay là thành phố Hồ Chí Minh".into());
    long.header.agency_name =
        "Ban Quản lý các khu chế xuất và công nghiệp thành phố Hồ Chí Minh, phân khu Phú Mỹ - Châu Đức".into();
    for (name, data) in [("short", certificate()), ("long", long)] {
        let path = save(&FIXTURE.dir, &format!("header-{name}.pdf"), &render_result(&data).unwrap());
        let words = words(&path);
        let label = word(&words, "Số:");
        // Same font and size as the number: same box height, same baseline, one space before it.
        assert!((label.y_min - number.y_min).abs() < 0.1 && (label.y_max - number.y_max).abs() < 0.1, "{label:?}");
        assert!(label.x_min < x - 10.0 && label.x_min > x - 25.0, "{name}: {label:?}");
        // The place and date share the line.
        let place = word(&words, "Phòng,");
        assert!((place.y_max - label.y_max).abs() < 0.5, "{name}: {place:?} vs {label:?}");
    }
}

#[test]
fn the_number_is_stamped_between_the_leaders_signature_and_the_agency_seal() {
    let f = &*FIXTURE;
    assert!(f.stamped.starts_with(&f.signed) && f.sealed.starts_with(&f.stamped), "incremental updates only");

    let v = verifier(f);
    let reports = v.verify_pdf(&f.sealed);
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports.iter().all(|r| r.status == SignatureStatus::Valid), "{reports:?}");
    assert_eq!(reports[0].signer.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(reports[1].signer.as_deref(), Some("UBND xã Demo"));
    assert_eq!(reports[0].signing_time, Some(f.now));
    // The leader's signature covers exactly the revision it signed, without the number.
    let range = reports[0].byte_range.unwrap();
    assert_eq!(range[2] + range[3], f.signed.len());
    assert_eq!(
        v.check("application/pdf", &mut &f.sealed[..]).unwrap(),
        SignatureCheck::Valid { signer: "Nguyễn Văn An; UBND xã Demo".into() }
    );
    // Stamped but not yet sealed, the number is an unsigned change.
    let SignatureCheck::Invalid { reason } = v.check("application/pdf", &mut &f.stamped[..]).unwrap() else {
        panic!("an unsealed number must not pass")
    };
    assert!(reason.contains("changed after the last signature"), "{reason}");

    let signed = save(&f.dir, "signed.pdf", &f.signed);
    let sealed = save(&f.dir, "sealed.pdf", &f.sealed);
    let before = text(&signed);
    assert!(before.contains("Số:") && !before.contains(NUMBER), "{before}");
    let after = text(&sealed);
    assert_contains(
        &after,
        &["Số: 15/GCN-UBND", "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "Họ và tên: Nguyễn Thị Hường", "Phạm Quốc Bảo"],
    );
    // The number lands right after "Số:", one space on.
    let words = words(&sealed);
    let (label, number) = (word(&words, "Số:"), word(&words, NUMBER));
    assert!((label.y_max - number.y_max).abs() < 0.1, "{label:?} {number:?}");
    let (x, _) = result_number_anchor();
    assert!((number.x_min - f64::from(x) * MM).abs() < 0.5, "{number:?}");

    // poppler: both signatures intact; the leader's does not cover the whole file (the number and the seal came
    // after it), the seal does.
    let (ok, out) = run(Command::new("pdfsig").arg("-nocert").arg(&sealed));
    assert!(ok, "{out}");
    assert_eq!(out.matches("Signature Validation: Signature is Valid.").count(), 2, "{out}");
    assert!(out.contains("Signer Certificate Common Name: Nguyễn Văn An"), "{out}");
    assert!(out.contains("Signer Certificate Common Name: UBND xã Demo"), "{out}");
    assert_eq!(out.matches("Not total document signed").count(), 1, "{out}");
    assert_eq!(out.matches("Total document signed").count(), 1, "{out}");

    // OpenSSL agrees on each signature over its byte range.
    let ca = f.dir.join("pki").join("ca.pem");
    for (i, report) in reports.iter().enumerate() {
        let r = report.byte_range.unwrap();
        let content =
            save(&f.dir, &format!("signed-{i}.bin"), &[&f.sealed[..r[1]], &f.sealed[r[2]..r[2] + r[3]]].concat());
        let der = hex::decode(&f.sealed[r[1] + 1..r[2] - 1]).unwrap();
        let cms = save(&f.dir, &format!("signature-{i}.der"), &der[..der_len(&der)]);
        let (ok, out) = run(Command::new("openssl")
            .args(["cms", "-verify", "-inform", "DER", "-binary", "-purpose", "any", "-out", "/dev/null", "-in"])
            .arg(&cms)
            .arg("-content")
            .arg(&content)
            .arg("-CAfile")
            .arg(&ca));
        assert!(ok && out.contains("Verification successful"), "signature {}: {out}", i + 1);
    }
}

#[test]
fn stamping_works_on_a_pdf_with_an_xref_stream() {
    let f = &*FIXTURE;
    let mut doc = lopdf::Document::load_mem(&render_result(&certificate()).unwrap()).unwrap();
    let mut modern = Vec::new();
    doc.save_modern(&mut modern).unwrap();
    let signed = f.pki.leader.sign_pdf(&modern, "Ký ban hành", f.now).unwrap();
    let stamped = stamp_overlay(&signed, &render_result_number(NUMBER).unwrap()).unwrap();
    let sealed = f.pki.agency.sign_pdf(&stamped, "Vào số, đóng dấu", f.now).unwrap();
    let reports = verifier(f).verify_pdf(&sealed);
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.status == SignatureStatus::Valid), "{reports:?}");
    let path = save(&f.dir, "modern-sealed.pdf", &sealed);
    assert!(text(&path).contains("Số: 15/GCN-UBND"));
    let (ok, out) = run(Command::new("pdfsig").arg("-nocert").arg(&path));
    assert!(ok && out.matches("Signature is Valid.").count() == 2, "{out}");
}
