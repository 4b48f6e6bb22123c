//! Forms 01-06 (engine::adapters::forms) checked from the outside, with poppler-utils (`pdftotext`, `pdfinfo`,
//! `pdftoppm`): the Vietnamese text extracts exactly, pages have the legal sizes, the receipt's QR code decodes to
//! the tracking URL, text stays inside the page, output is deterministic and small.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::assert_contains;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use motcua_engine::adapters::forms::{
    ApologyData, Applicant, ControlSlipData, FormHeader, HandOff, MissingItem, PaperForm, ReceiptData,
    ReceivedComponent, RefusalData, RegisterData, RegisterRow, ResultDelivery, SupplementRequestData, Timeliness,
    render_apology, render_control_slip, render_receipt, render_refusal, render_register, render_supplement_request,
};

const CODE: &str = "000.00.31.H26-261124-0042";
const URL: &str = "https://dichvucong.haiphong.gov.vn/tra-cuu-ho-so?ma=000.00.31.H26-261124-0042";

/// An instant given in Vietnam time (UTC+7).
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Ho_Chi_Minh.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

fn header() -> FormHeader {
    FormHeader {
        agency_name: "Ủy ban nhân dân phường Hồng Bàng".into(),
        parent_agency_name: Some("Ủy ban nhân dân thành phố Hải Phòng".into()),
        place: "Hải Phòng".into(),
        issued_on: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        number: None,
        timezone: chrono_tz::Asia::Ho_Chi_Minh,
    }
}

fn applicant() -> Applicant {
    Applicant {
        name: "Nguyễn Thị Hường".into(),
        id_number: Some("031190001234".into()),
        address: Some("Số 12 phố Điện Biên Phủ, phường Hồng Bàng, thành phố Hải Phòng".into()),
        phone: Some("0912 345 678".into()),
        email: Some("huong.nguyen@example.vn".into()),
    }
}

fn receipt() -> ReceiptData {
    ReceiptData {
        header: FormHeader { number: Some("1342/TNHS".into()), ..header() },
        dossier_code: CODE.into(),
        applicant: applicant(),
        procedure_name: "Đăng ký khai sinh".into(),
        components: vec![
            ReceivedComponent { name: "Tờ khai đăng ký khai sinh".into(), form: PaperForm::Original, count: 1 },
            ReceivedComponent { name: "Giấy chứng sinh".into(), form: PaperForm::Copy, count: 2 },
            ReceivedComponent {
                name: "Giấy chứng nhận kết hôn của cha, mẹ trẻ em".into(),
                form: PaperForm::CertifiedCopy,
                count: 1,
            },
        ],
        dossier_count: 1,
        processing_time: "03 ngày làm việc".into(),
        received_at: vn(2026, 11, 24, 9, 30),
        due_at: vn(2026, 11, 26, 16, 30),
        result_delivery: ResultDelivery::AtCounter,
        register: Some(("2026".into(), 1342)),
        clerk_name: "Trần Văn Nam".into(),
        tracking_url: URL.into(),
    }
}

fn supplement() -> SupplementRequestData {
    let item = |name: &str, reason: &str| MissingItem { name: name.into(), reason: Some(reason.into()) };
    SupplementRequestData {
        header: FormHeader { number: Some("17/PBSHS".into()), ..header() },
        dossier_code: CODE.into(),
        applicant: applicant(),
        procedure_name: "Đăng ký khai sinh".into(),
        items: vec![
            item("Giấy chứng sinh", "Bản sao không rõ nét"),
            item("Tờ khai đăng ký khai sinh", "Thiếu chữ ký của người đi đăng ký"),
            item("Giấy chứng sinh", "Thiếu dấu của cơ sở y tế"),
        ],
        contact: Some(
            "Trần Văn Nam (Công chức tiếp nhận và trả kết quả), Bộ phận Một cửa, số điện thoại 0225 3821 123".into(),
        ),
        clerk_name: "Trần Văn Nam".into(),
    }
}

fn refusal() -> RefusalData {
    RefusalData {
        header: header(),
        dossier_code: Some(CODE.into()),
        applicant: applicant(),
        procedure_name: "Đăng ký khai sinh".into(),
        legal_basis: Some("khoản 1 Điều 16 Luật Hộ tịch".into()),
        reasons: vec![
            "Việc khai sinh không thuộc thẩm quyền của Ủy ban nhân dân phường Hồng Bàng".into(),
            "Trẻ em đã được đăng ký khai sinh tại nơi khác".into(),
        ],
        clerk_name: "Trần Văn Nam".into(),
    }
}

fn apology() -> ApologyData {
    ApologyData {
        header: FormHeader { issued_on: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), ..header() },
        dossier_code: CODE.into(),
        applicant: applicant(),
        procedure_name: "Đăng ký khai sinh".into(),
        received_at: vn(2026, 11, 24, 9, 30),
        original_due_at: vn(2026, 11, 26, 16, 30),
        reason: "Cần xác minh thông tin về nơi cư trú của người mẹ".into(),
        new_due_at: vn(2026, 12, 1, 10, 0),
        signer_title: "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH".into(),
        signer_name: "Phạm Quốc Bảo".into(),
    }
}

fn hand_off(giver: &str, receiver: &str, step: &str, at: DateTime<Utc>, result: Timeliness) -> HandOff {
    let unit = |name: &str| if name.contains("Nam") { "Bộ phận Một cửa" } else { "Phòng Tư pháp" };
    HandOff {
        giver_unit: unit(giver).into(),
        giver_name: giver.into(),
        receiver_unit: unit(receiver).into(),
        receiver_name: receiver.into(),
        step: step.into(),
        handed_at: at,
        step_due_at: Some(at + Duration::hours(4)),
        done_at: Some(at + Duration::hours(2)),
        result: Some(result),
        note: None,
    }
}

fn control_slip() -> ControlSlipData {
    ControlSlipData {
        header: header(),
        dossier_code: CODE.into(),
        applicant_name: "Nguyễn Thị Hường".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        handling_agency: "Ủy ban nhân dân phường Hồng Bàng".into(),
        coordinating_agencies: vec!["Công an phường Hồng Bàng".into()],
        hand_offs: vec![
            hand_off("Trần Văn Nam", "Lê Minh Đức", "Phân công", vn(2026, 11, 24, 9, 45), Timeliness::Early),
            hand_off("Lê Minh Đức", "Võ Thị Thu Hà", "Thẩm định", vn(2026, 11, 24, 13, 30), Timeliness::OnTime),
            HandOff {
                note: Some("Chờ xác minh nơi cư trú".into()),
                ..hand_off("Võ Thị Thu Hà", "Phạm Quốc Bảo", "Ký duyệt", vn(2026, 11, 25, 8, 0), Timeliness::Late)
            },
            hand_off("Phạm Quốc Bảo", "Đỗ Thị Lan", "Vào số, đóng dấu", vn(2026, 11, 26, 9, 0), Timeliness::OnTime),
        ],
        result: Some(Timeliness::OnTime),
    }
}

fn register(n: usize) -> RegisterData {
    let procedures = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"];
    let rows = (0..n)
        .map(|i| {
            let received = vn(2026, 11, 2, 8, 0) + Duration::minutes(37 * i as i64);
            RegisterRow {
                entry: Some(1000 + i as u32),
                dossier_code: format!("000.00.31.H26-2611{:02}-{:04}", 2 + i / 20, i + 1),
                procedure_name: procedures[i % 3].into(),
                dossier_count: 1,
                applicant_name: format!("Nguyễn Văn Hùng {}", i + 1),
                applicant_address: Some(format!("Số {} phố Lạch Tray, Hải Phòng", i + 1)),
                applicant_phone: Some("0912345678".into()),
                handling_agency: "Ủy ban nhân dân phường Hồng Bàng".into(),
                received_at: received,
                due_at: received + Duration::days(3),
                sent_at: Some(received),
                result_back_at: (i % 4 != 0).then(|| received + Duration::days(1)),
                returned_at: (i % 4 != 0).then(|| received + Duration::days(2)),
                status: if i % 4 == 0 { "Đang xử lý".into() } else { "Đã trả kết quả".into() },
                timeliness: (i % 4 != 0).then_some(if i % 3 == 0 { Timeliness::Late } else { Timeliness::Early }),
            }
        })
        .collect();
    RegisterData {
        header: header(),
        period: Some((NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())),
        rows,
    }
}

/// Runs a poppler tool; missing, the test fails with what to install (the checks are the point of these tests).
fn run(tool: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}): install poppler-utils"));
    assert!(output.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

fn save(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("forms");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The text of the document (or of one page), with runs of whitespace (line wraps included) made single spaces.
fn text(path: &Path, page: Option<usize>) -> String {
    let page = page.map(|p| p.to_string());
    let mut args = vec!["-enc", "UTF-8"];
    if let Some(page) = &page {
        args.extend(["-f", page, "-l", page]);
    }
    let path = path.to_str().unwrap();
    args.extend([path, "-"]);
    String::from_utf8(run("pdftotext", &args)).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (pages, page width, page height) from pdfinfo.
fn info(path: &Path) -> (usize, f64, f64) {
    let out = String::from_utf8(run("pdfinfo", &[path.to_str().unwrap()])).unwrap();
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {out}"))
            .trim()
            .to_string()
    };
    let pages = field("Pages:").parse().unwrap();
    let size = field("Page size:");
    let mut numbers = size.split_whitespace().filter_map(|w| w.parse::<f64>().ok());
    (pages, numbers.next().unwrap(), numbers.next().unwrap())
}

const A5: (f64, f64) = (419.53, 595.28);

fn assert_size(path: &Path, (width, height): (f64, f64)) {
    let (_, w, h) = info(path);
    assert!((w - width).abs() < 0.1 && (h - height).abs() < 0.1, "{} is {w} x {h} pt", path.display());
}

#[test]
fn the_receipt_carries_the_header_applicant_procedure_and_dates_in_vietnamese() {
    let path = save("01-receipt.pdf", &render_receipt(&receipt()).unwrap());
    let text = text(&path, None);
    assert_contains(
        &text,
        &[
            "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
            "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG BÀNG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Hải Phòng, ngày 24 tháng 11 năm 2026",
            "Số: 1342/TNHS",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Mã hồ sơ: 000.00.31.H26-261124-0042",
            "Tiếp nhận hồ sơ của: Nguyễn Thị Hường",
            "031190001234",
            "Số 12 phố Điện Biên Phủ, phường Hồng Bàng, thành phố Hải Phòng",
            "Số điện thoại: 0912 345 678",
            "Email: huong.nguyen@example.vn",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng nhận kết hôn của cha, mẹ trẻ em",
            "Bản sao có chứng thực",
            "Bản chính",
            "Bản sao 2",
            "Số lượng hồ sơ: 01 (bộ)",
            "Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc",
            "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 24 tháng 11 năm 2026",
            "Thời gian trả kết quả giải quyết hồ sơ: vào lúc 16 giờ 30 phút, ngày 26 tháng 11 năm 2026",
            "Đăng ký nhận kết quả tại: Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả",
            "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1342",
            "Ghi chú: Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên; 01 liên giao cho cá nhân, tổ \
             chức nộp hồ sơ; 01 liên chuyển kèm theo hồ sơ và lưu tại Bộ phận Tiếp nhận và Trả kết quả.",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Trần Văn Nam",
            URL,
        ],
    );
    assert_eq!(info(&path).0, 1);
    assert_size(&path, A5);
}

#[test]
fn the_receipts_qr_code_decodes_to_the_tracking_url() {
    let path = save("01-receipt-qr.pdf", &render_receipt(&receipt()).unwrap());
    let prefix = path.with_extension("");
    run(
        "pdftoppm",
        &["-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", path.to_str().unwrap(), prefix.to_str().unwrap()],
    );
    let png = prefix.with_extension("png");
    let image = image::open(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the receipt");
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, URL);
}

#[test]
fn the_supplement_request_lists_a_duplicated_item_once_with_every_reason() {
    let path = save("02-supplement.pdf", &render_supplement_request(&supplement()).unwrap());
    let text = text(&path, None);
    assert_contains(
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số: 17/PBSHS",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Mã hồ sơ: 000.00.31.H26-261124-0042",
            "Hồ sơ của: Nguyễn Thị Hường",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
            "1. Giấy chứng sinh Lý do: Bản sao không rõ nét; Thiếu dấu của cơ sở y tế",
            "2. Tờ khai đăng ký khai sinh Lý do: Thiếu chữ ký của người đi đăng ký",
            "liên hệ với Trần Văn Nam (Công chức tiếp nhận và trả kết quả), Bộ phận Một cửa, số điện thoại 0225 3821 \
             123 để được hướng dẫn",
            "NGƯỜI HƯỚNG DẪN",
        ],
    );
    assert_eq!(text.matches("Giấy chứng sinh").count(), 1, "{text}");
    assert!(!text.contains("3."), "only two items: {text}");
    assert_size(&path, A5);
}

#[test]
fn the_refusal_states_its_legal_basis_and_reasons() {
    let path = save("03-refusal.pdf", &render_refusal(&refusal()).unwrap());
    let text = text(&path, None);
    assert_contains(
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Số: ……/TCHS",
            "Tiếp nhận hồ sơ của: Nguyễn Thị Hường",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Căn cứ quy định tại khoản 1 Điều 16 Luật Hộ tịch, bộ phận tiếp nhận và trả kết quả từ chối tiếp nhận, \
             giải quyết hồ sơ này vì lý do sau:",
            "1. Việc khai sinh không thuộc thẩm quyền của Ủy ban nhân dân phường Hồng Bàng",
            "2. Trẻ em đã được đăng ký khai sinh tại nơi khác",
            "Xin thông báo cho ông/bà được biết và thực hiện./.",
        ],
    );
    assert_size(&path, A5);
}

#[test]
fn the_apology_states_the_original_date_the_reason_and_the_new_date() {
    let path = save("04-apology.pdf", &render_apology(&apology()).unwrap());
    let text = text(&path, None);
    assert_contains(
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Hải Phòng, ngày 26 tháng 11 năm 2026",
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "Kính gửi: Nguyễn Thị Hường",
            "Ngày 24 tháng 11 năm 2026, Ủy ban nhân dân phường Hồng Bàng tiếp nhận giải quyết hồ sơ",
            "Mã hồ sơ: 000.00.31.H26-261124-0042",
            "Thời hẹn trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 26 tháng 11 năm 2026",
            "lý do: Cần xác minh thông tin về nơi cư trú của người mẹ.",
            "sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào lúc 10 giờ 00 phút, ngày 01 tháng 12 năm 2026.",
            "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
            "Phạm Quốc Bảo",
        ],
    );
    assert_size(&path, A5);
}

#[test]
fn the_control_slip_has_a_row_for_every_hand_off() {
    let path = save("05-control-slip.pdf", &render_control_slip(&control_slip()).unwrap());
    let text = text(&path, None);
    assert_contains(
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Mã hồ sơ: 000.00.31.H26-261124-0042",
            "Kèm theo hồ sơ của: Nguyễn Thị Hường",
            "Cơ quan phối hợp giải quyết hồ sơ: Công an phường Hồng Bàng",
            "Kết quả giải quyết hồ sơ: Đúng hạn",
            "Bên giao",
            "Hạn xử lý",
            "Người giao (ký, ghi rõ họ tên)",
            "Người nhận (ký, ghi rõ họ tên)",
            "Chờ xác minh nơi cư trú",
        ],
    );
    // Each row, in order: giving unit, receiving unit with the step, handed at, due, done, result, the giver's
    // and the receiver's names under room to sign.
    for (i, (giver, receiver, step, handed, due, done, result)) in [
        (
            "Trần Văn Nam",
            "Lê Minh Đức",
            "Phân công",
            "09:45 24/11/2026",
            "13:45 24/11/2026",
            "11:45 24/11/2026",
            "Trước hạn",
        ),
        (
            "Lê Minh Đức",
            "Võ Thị Thu Hà",
            "Thẩm định",
            "13:30 24/11/2026",
            "17:30 24/11/2026",
            "15:30 24/11/2026",
            "Đúng hạn",
        ),
        (
            "Võ Thị Thu Hà",
            "Phạm Quốc Bảo",
            "Ký duyệt",
            "08:00 25/11/2026",
            "12:00 25/11/2026",
            "10:00 25/11/2026",
            "Quá hạn",
        ),
        (
            "Phạm Quốc Bảo",
            "Đỗ Thị Lan",
            "Vào số, đóng dấu",
            "09:00 26/11/2026",
            "13:00 26/11/2026",
            "11:00 26/11/2026",
            "Đúng hạn",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let unit = |name: &str| if name.contains("Nam") { "Bộ phận Một cửa" } else { "Phòng Tư pháp" };
        let (from, to) = (unit(giver), unit(receiver));
        // The signature columns are read after the rest of the table.
        let row = format!("{} {from} {to} ({step}) {handed} {due} {done}", i + 1);
        assert!(text.contains(&row), "missing row {row:?} in:\n{text}");
        assert!(text.matches(result).count() >= 1 && text.contains(&format!("{giver} {receiver}")), "{text}");
    }
    assert_size(&path, (A5.1, A5.0));
}

#[test]
fn the_register_of_sixty_dossiers_spans_pages_each_repeating_the_header() {
    let path = save("06-register.pdf", &render_register(&register(60)).unwrap());
    let (pages, width, height) = info(&path);
    assert!((width - 841.89).abs() < 0.1 && (height - 595.28).abs() < 0.1, "A4 landscape, got {width} x {height}");
    assert!(pages >= 3, "60 dossiers on {pages} page(s)");
    for page in 1..=pages {
        let text = text(&path, Some(page));
        assert_contains(
            &text,
            &[
                "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG BÀNG",
                "SỔ THEO DÕI HỒ SƠ",
                "Từ ngày 01/11/2026 đến ngày 30/11/2026",
                "Số lượng hồ sơ (bộ)",
                "Địa chỉ, số điện thoại",
                "Cơ quan chủ trì",
                "Chuyển hồ sơ đến cơ quan giải quyết",
                "Nhận kết quả từ cơ quan giải quyết",
                "Trả kết quả cho cá nhân, tổ chức",
                "Ký nhận",
                "Ghi chú",
                &format!("Trang {page}/{pages}"),
            ],
        );
    }
    let all = text(&path, None);
    for i in 1..=60 {
        let code = format!("-{i:04}");
        assert_eq!(all.matches(&code).count(), 1, "dossier {i} once");
        assert!(all.contains(&format!("Nguyễn Văn Hùng {i} ")), "applicant {i}");
        assert!(all.contains(&format!("{} 000.00.31.H26", 999 + i)), "entry {} numbers dossier {i}", 999 + i);
        assert!(all.contains(&format!("Số {i} phố Lạch Tray, Hải Phòng; 0912345678")), "address and phone {i}");
    }
    assert_contains(
        &all,
        &["Chứng thực bản sao từ", "Quá hạn; Đã trả kết quả", "Trước hạn; Đã trả kết quả", "Đang xử lý"],
    );
}

#[test]
fn text_stays_inside_the_page_however_long_the_values() {
    let mut data = receipt();
    data.applicant.address = Some(
        "Phòng 1203, tòa nhà Trung tâm Thương mại và Văn phòng cho thuê số 275 đường Lạch Tray, phường Đằng Giang, \
         quận Ngô Quyền, thành phố Hải Phòng, Việt Nam (gần ngã tư Lạch Tray - Văn Cao)"
            .into(),
    );
    data.procedure_name = "Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 \
                           tuổi theo quy trình liên thông thủ tục hành chính"
        .into();
    data.components[0].name = "Tờ khai đăng ký khai sinh theo mẫu ban hành kèm theo Thông tư số 04/2024/TT-BTP, có \
                               đầy đủ chữ ký của người đi đăng ký và xác nhận của cơ quan có thẩm quyền"
        .into();
    let path = save("01-receipt-long.pdf", &render_receipt(&data).unwrap());
    let bbox = String::from_utf8(run("pdftotext", &["-bbox", path.to_str().unwrap(), "-"])).unwrap();
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    let words: Vec<&str> = bbox.lines().filter(|l| l.trim_start().starts_with("<word")).collect();
    assert!(words.len() > 100);
    for word in words {
        assert!(attr(word, "xMin") >= 0.0 && attr(word, "xMax") <= A5.0 - 20.0, "outside the right margin: {word}");
        assert!(attr(word, "yMax") <= A5.1 - 20.0, "below the bottom margin: {word}");
    }
    assert_contains(
        &text(&path, None),
        &["(gần ngã tư Lạch Tray - Văn Cao)", "theo quy trình liên thông thủ tục hành chính"],
    );
}

#[test]
fn the_same_input_renders_to_the_same_bytes() {
    let render: [fn() -> Vec<u8>; 6] = [
        || render_receipt(&receipt()).unwrap(),
        || render_supplement_request(&supplement()).unwrap(),
        || render_refusal(&refusal()).unwrap(),
        || render_apology(&apology()).unwrap(),
        || render_control_slip(&control_slip()).unwrap(),
        || render_register(&register(60)).unwrap(),
    ];
    for (i, render) in render.iter().enumerate() {
        assert!(render() == render(), "form 0{} differs between two renders", i + 1);
    }
    let mut other = receipt();
    other.dossier_code = "000.00.31.H26-261124-0043".into();
    assert_ne!(render_receipt(&receipt()).unwrap(), render_receipt(&other).unwrap());
}

#[test]
fn one_page_forms_are_small_because_the_font_is_subset() {
    for (name, bytes) in [
        ("01", render_receipt(&receipt()).unwrap()),
        ("02", render_supplement_request(&supplement()).unwrap()),
        ("03", render_refusal(&refusal()).unwrap()),
        ("04", render_apology(&apology()).unwrap()),
        ("05", render_control_slip(&control_slip()).unwrap()),
    ] {
        let path = save(&format!("{name}-size.pdf"), &bytes);
        assert_eq!(info(&path).0, 1, "form {name} is one page");
        assert!(bytes.len() < 60_000, "form {name} is {} bytes", bytes.len());
    }
}
