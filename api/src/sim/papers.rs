//! Papers as a citizen hands them in: an id card and a birth certificate with Vietnamese text, rendered as PDF
//! (the engine's forms) and "scanned" to PNG under a condition: clean at 300 dpi, tilted, noisy, or at too low
//! a resolution. What each paper truly says is kept beside it, so that what the recogniser reads can be
//! measured field by field (`motcua bench ocr`) and the desk's browser test has real scans to upload.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use image::{GrayImage, Luma};
use motcua_engine::adapters::forms::{
    BirthCertificateSpecimen, IdCardSpecimen, PaperPerson, render_birth_certificate, render_id_card,
};
use motcua_engine::domain::codes::Sex;
use motcua_engine::domain::reading::{Found, PaperKind};
use rand::Rng;

const SURNAMES: [&str; 10] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"];
const MIDDLE: [&str; 8] = ["Thị", "Văn", "Minh", "Ngọc", "Đức", "Thu", "Quốc", "Hồng"];
const GIVEN: [&str; 12] =
    ["Hạnh", "Long", "Khôi", "Trang", "Anh", "Ánh", "Bảo", "Nhung", "Dũng", "Hương", "Tuấn", "Lệ"];
const STREETS: [&str; 6] = ["Lạch Tray", "Hoàng Văn Thụ", "Điện Biên Phủ", "Trần Phú", "Lê Lợi", "Cầu Đất"];
const WARDS: [&str; 4] = ["Hồng Bàng", "Lê Chân", "Ngô Quyền", "Gia Viên"];

/// How a paper was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// 300 dpi, straight.
    Clean,
    /// 300 dpi, laid 1.5° crooked: within what the recogniser straightens.
    SlightTilt,
    /// 300 dpi, 6° crooked: should be called skewed.
    Tilted,
    /// 300 dpi with speckles and grain (a worn copier).
    Noisy,
    /// 100 dpi: should be called too low a resolution.
    LowResolution,
}

impl Condition {
    pub const ALL: [Condition; 5] =
        [Condition::Clean, Condition::SlightTilt, Condition::Tilted, Condition::Noisy, Condition::LowResolution];

    pub fn name(self) -> &'static str {
        match self {
            Condition::Clean => "clean",
            Condition::SlightTilt => "tilt 1.5°",
            Condition::Tilted => "tilt 6°",
            Condition::Noisy => "noisy",
            Condition::LowResolution => "100 dpi",
        }
    }

    /// The problem a reader should report for it (message code), if any.
    pub fn expected_problem(self) -> Option<&'static str> {
        match self {
            Condition::Tilted => Some("reading.skewed"),
            Condition::LowResolution => Some("reading.low_resolution"),
            _ => None,
        }
    }
}

/// A generated paper: what it says and its scan.
pub struct Specimen {
    pub kind: PaperKind,
    pub truth: Found,
    pub pdf: Vec<u8>,
}

fn person(rng: &mut impl Rng, from_year: i32, to_year: i32, sex: Option<Sex>) -> (PaperPerson, Sex) {
    let born = date(rng, from_year, to_year);
    let sex = sex.unwrap_or(if rng.gen_bool(0.5) { Sex::Male } else { Sex::Female });
    let middle = if sex == Sex::Female { "Thị" } else { MIDDLE[rng.gen_range(1..MIDDLE.len())] };
    let name =
        format!("{} {} {}", SURNAMES[rng.gen_range(0..SURNAMES.len())], middle, GIVEN[rng.gen_range(0..GIVEN.len())]);
    // Province 031 (Hải Phòng), century-and-sex digit, two digits of the year, six random.
    let century_sex = match (chrono::Datelike::year(&born) >= 2000, sex) {
        (false, Sex::Male) => 0,
        (false, Sex::Female) => 1,
        (true, Sex::Male) => 2,
        (true, Sex::Female) => 3,
    };
    let id_number = format!("031{century_sex}{}{:06}", born.format("%y"), rng.gen_range(0..1_000_000));
    let address = format!(
        "Số {} {}, phường {}, thành phố Hải Phòng",
        rng.gen_range(1..200),
        STREETS[rng.gen_range(0..STREETS.len())],
        WARDS[rng.gen_range(0..WARDS.len())]
    );
    let label = if sex == Sex::Male { "Nam" } else { "Nữ" };
    (PaperPerson { name, id_number, birth_date: born, sex: label.into(), address }, sex)
}

fn date(rng: &mut impl Rng, from_year: i32, to_year: i32) -> NaiveDate {
    let year = rng.gen_range(from_year..=to_year);
    NaiveDate::from_ymd_opt(year, rng.gen_range(1..=12), rng.gen_range(1..=28)).expect("a valid day")
}

/// An id card of a random adult.
pub fn id_card(rng: &mut impl Rng) -> Specimen {
    let (holder, sex) = person(rng, 1960, 2004, None);
    card_of(holder, sex, date(rng, 2030, 2040))
}

/// The id card of a demo citizen (whom the simulated population database knows).
pub fn demo_id_card(citizen: &super::DemoCitizen) -> Specimen {
    let holder = PaperPerson {
        name: citizen.name.clone(),
        id_number: citizen.id_number.clone(),
        birth_date: citizen.birth_date,
        sex: if citizen.sex == Sex::Male { "Nam" } else { "Nữ" }.into(),
        address: citizen.address.clone().unwrap_or_else(|| "Hải Phòng".into()),
    };
    let expires = NaiveDate::from_ymd_opt(2040, 1, 1).expect("a valid day");
    card_of(holder, citizen.sex, expires)
}

fn card_of(holder: PaperPerson, sex: Sex, expires_on: NaiveDate) -> Specimen {
    let truth = Found {
        kind: PaperKind::IdCard,
        name: Some(holder.name.to_uppercase()),
        id_number: Some(holder.id_number.clone()),
        birth_date: Some(holder.birth_date),
        sex: Some(sex),
        address: Some(holder.address.clone()),
        ..Found::default()
    };
    let card = IdCardSpecimen { holder, origin: "Hải Phòng".into(), expires_on };
    Specimen { kind: PaperKind::IdCard, truth, pdf: render_id_card(&card).expect("the card renders") }
}

/// A birth certificate of a random child.
pub fn birth_certificate(rng: &mut impl Rng) -> Specimen {
    let (child, sex) = person(rng, 2015, 2025, None);
    let (mother, _) = person(rng, 1980, 1999, Some(Sex::Female));
    let (father, _) = person(rng, 1980, 1999, Some(Sex::Male));
    let number = format!("{}/{}", rng.gen_range(1..900), child.birth_date.format("%Y"));
    let truth = Found {
        kind: PaperKind::BirthCertificate,
        name: Some(child.name.to_uppercase()),
        id_number: Some(child.id_number.clone()),
        birth_date: Some(child.birth_date),
        sex: Some(sex),
        certificate_number: Some(number.clone()),
        mother_name: Some(mother.name.to_uppercase()),
        father_name: Some(father.name.to_uppercase()),
        ..Found::default()
    };
    let registered_on = child.birth_date + chrono::TimeDelta::days(rng.gen_range(3..50));
    let paper = BirthCertificateSpecimen {
        number,
        ethnicity: "Kinh".into(),
        birth_place: "Bệnh viện Phụ sản Hải Phòng".into(),
        mother_name: mother.name,
        father_name: father.name,
        agency_name: "Ủy ban nhân dân phường Hồng Bàng, thành phố Hải Phòng".into(),
        registered_on,
        child,
    };
    Specimen {
        kind: PaperKind::BirthCertificate,
        truth,
        pdf: render_birth_certificate(&paper).expect("the certificate renders"),
    }
}

/// "Scans" a paper: renders its PDF with poppler's `pdftoppm` at the condition's resolution, in grey, then
/// tilts it or adds noise; PNG bytes.
pub fn scan(pdf: &[u8], condition: Condition, rng: &mut impl Rng, scratch: &Path) -> Result<Vec<u8>, String> {
    let dpi = if condition == Condition::LowResolution { 100 } else { 300 };
    let source = scratch.join(format!("paper-{}.pdf", rng.r#gen::<u64>()));
    std::fs::write(&source, pdf).map_err(|e| e.to_string())?;
    let prefix = source.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(&source)
        .arg(&prefix)
        .status()
        .map_err(|e| format!("pdftoppm (Debian package poppler-utils): {e}"))?;
    let rendered = prefix.with_extension("png");
    let bytes = std::fs::read(&rendered).map_err(|e| format!("pdftoppm ({status}): {e}"))?;
    let _ = std::fs::remove_file(&source);
    let _ = std::fs::remove_file(&rendered);
    let mut page = image::load_from_memory(&bytes).map_err(|e| e.to_string())?.to_luma8();
    match condition {
        Condition::SlightTilt => page = rotate(&page, 1.5),
        Condition::Tilted => page = rotate(&page, 6.0),
        Condition::Noisy => add_noise(&mut page, rng),
        Condition::Clean | Condition::LowResolution => {}
    }
    let mut png = Vec::new();
    page.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(png)
}

/// The page turned `degrees` clockwise about its centre on a white canvas that holds it whole (bilinear).
fn rotate(page: &GrayImage, degrees: f32) -> GrayImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (w, h) = (page.width() as f32, page.height() as f32);
    let (out_w, out_h) = ((w * cos.abs() + h * sin.abs()).ceil(), (w * sin.abs() + h * cos.abs()).ceil());
    let mut out = GrayImage::from_pixel(out_w as u32, out_h as u32, Luma([255]));
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        // Where this output pixel comes from in the page (the inverse turn).
        let (dx, dy) = (x as f32 - out_w / 2.0, y as f32 - out_h / 2.0);
        let (sx, sy) = (dx * cos + dy * sin + w / 2.0, -dx * sin + dy * cos + h / 2.0);
        if sx < 0.0 || sy < 0.0 || sx >= w - 1.0 || sy >= h - 1.0 {
            continue;
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let at = |x: u32, y: u32| f32::from(page.get_pixel(x, y)[0]);
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
        let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
        *pixel = Luma([(top * (1.0 - fy) + bottom * fy).round() as u8]);
    }
    out
}

/// Grain on every pixel and dark speckles on 1 % of them.
fn add_noise(page: &mut GrayImage, rng: &mut impl Rng) {
    for pixel in page.pixels_mut() {
        let grain: i16 = rng.gen_range(-40..=40);
        let mut value = (i16::from(pixel[0]) + grain).clamp(0, 255) as u8;
        if rng.gen_bool(0.01) {
            value = rng.gen_range(0..90);
        }
        *pixel = Luma([value]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turned_page_keeps_its_ink_and_grows_to_hold_it() {
        let mut page = GrayImage::from_pixel(200, 100, Luma([255]));
        for x in 50..150 {
            page.put_pixel(x, 50, Luma([0]));
        }
        let turned = rotate(&page, 6.0);
        assert!(turned.width() > 200 && turned.height() > 100);
        let ink = turned.pixels().filter(|p| p[0] < 128).count();
        assert!((80..=140).contains(&ink), "{ink} dark pixels");
    }
}
