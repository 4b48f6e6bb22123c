//! Reading papers (đọc giấy tờ): what the text recognised on a scanned or uploaded paper says, whether the scan
//! was good enough to read, and where it disagrees with what a person stated. Pure: the recognition itself is a
//! port (`ports::reader`); this module gets its words and text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::Sex;

/// What kind of paper the text is, told by its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaperKind {
    /// Thẻ căn cước / căn cước công dân.
    IdCard,
    /// Giấy khai sinh.
    BirthCertificate,
    /// Giấy chứng sinh (the hospital's notice of a birth).
    BirthNotice,
    #[default]
    Other,
}

/// The fields found on one paper. On an id card they are its holder's; on a birth certificate or notice, the
/// child's (the parents' names aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Found {
    pub kind: PaperKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The paper's own number ("Số: 123/2020" of a birth certificate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mother_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub father_name: Option<String>,
}

/// One recognised word with its box in the page's pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    /// 0-100, as the recogniser rates it.
    pub confidence: f32,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// Words of one line share this number (unique within the page).
    pub line: u32,
}

/// Why a scan is too poor to rely on: the clerk rescans at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The letters are too few pixels high: scanned at too low a resolution (or from too far).
    LowResolution { letter_height_px: u32 },
    /// The lines slope: the paper lay crooked on the scanner.
    Skewed { degrees: f32 },
    /// The recogniser is unsure of most words: blurred, noisy, dark or upside down.
    Unreadable { confidence: u32 },
    /// No text at all: a blank page, a photograph, or a scan turned sideways.
    NoText,
}

impl Problem {
    /// The message code of the catalogue that explains it.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::LowResolution { .. } => "reading.low_resolution",
            Problem::Skewed { .. } => "reading.skewed",
            Problem::Unreadable { .. } => "reading.unreadable",
            Problem::NoText => "reading.no_text",
        }
    }
}

/// Letters (a word box's height) below this many pixels read badly: about 200 dpi for 10-point print.
pub const MIN_LETTER_HEIGHT_PX: u32 = 20;
/// Lines sloping more than this are called skewed (the recogniser copes with less).
pub const MAX_SKEW_DEGREES: f32 = 2.0;
/// A page whose words' median confidence is under this is called unreadable.
pub const MIN_CONFIDENCE: f32 = 60.0;

/// The problems of one page, judged from its recognised words.
pub fn assess(words: &[Word]) -> Vec<Problem> {
    let words: Vec<&Word> = words.iter().filter(|w| w.text.chars().any(char::is_alphanumeric)).collect();
    if words.len() < 3 {
        return vec![Problem::NoText];
    }
    let mut problems = Vec::new();
    // Words of two letters or more: a lone "." or "," has no letter height.
    let mut heights: Vec<u32> = words.iter().filter(|w| w.text.chars().count() > 1).map(|w| w.height).collect();
    if let Some(height) = median(&mut heights)
        && height < MIN_LETTER_HEIGHT_PX
    {
        problems.push(Problem::LowResolution { letter_height_px: height });
    }
    if let Some(degrees) = skew_degrees(&words)
        && degrees.abs() > MAX_SKEW_DEGREES
    {
        problems.push(Problem::Skewed { degrees: (degrees * 10.0).round() / 10.0 });
    }
    let mut confidences: Vec<u32> = words.iter().map(|w| w.confidence.max(0.0) as u32).collect();
    if let Some(confidence) = median(&mut confidences)
        && (confidence as f32) < MIN_CONFIDENCE
    {
        problems.push(Problem::Unreadable { confidence });
    }
    problems
}

fn median(values: &mut [u32]) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}

/// The median slope of the lines of three words or more, in degrees (positive: descending to the right), from
/// the bottoms of their first and last words. `None` when no line is long enough to tell.
fn skew_degrees(words: &[&Word]) -> Option<f32> {
    let mut lines: std::collections::BTreeMap<u32, Vec<&Word>> = std::collections::BTreeMap::new();
    for word in words {
        lines.entry(word.line).or_default().push(word);
    }
    let mut slopes: Vec<f32> = lines
        .values()
        .filter(|line| line.len() >= 3)
        .filter_map(|line| {
            let first = line.iter().min_by_key(|w| w.left)?;
            let last = line.iter().max_by_key(|w| w.left + w.width)?;
            let run = (last.left + last.width / 2) as f32 - (first.left + first.width / 2) as f32;
            if run < 50.0 {
                return None;
            }
            let rise = (last.top + last.height) as f32 - (first.top + first.height) as f32;
            Some((rise / run).atan().to_degrees())
        })
        .collect();
    if slopes.is_empty() {
        return None;
    }
    slopes.sort_by(f32::total_cmp);
    Some(slopes[slopes.len() / 2])
}

/// A label and what it fills, in the order they are tried on a line (longer, more specific labels first).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    MotherName,
    FatherName,
    IdNumber,
    BirthDate,
    Sex,
    Address,
    CertificateNumber,
}

/// Labels as folded text (`text::fold`): lower case, no accents.
const LABELS: &[(&str, Field)] = &[
    ("ho, chu dem, ten nguoi me", Field::MotherName),
    ("ho, chu dem, ten nguoi cha", Field::FatherName),
    ("ho va ten me", Field::MotherName),
    ("ho ten me", Field::MotherName),
    ("ho va ten cha", Field::FatherName),
    ("ho ten cha", Field::FatherName),
    ("ho, chu dem, ten", Field::Name),
    ("ho va ten", Field::Name),
    ("full name", Field::Name),
    ("so dinh danh ca nhan", Field::IdNumber),
    ("so can cuoc", Field::IdNumber),
    ("personal identification number", Field::IdNumber),
    ("ngay, thang, nam sinh", Field::BirthDate),
    ("ngay sinh", Field::BirthDate),
    ("date of birth", Field::BirthDate),
    ("gioi tinh", Field::Sex),
    ("noi thuong tru", Field::Address),
    ("noi cu tru", Field::Address),
    ("place of residence", Field::Address),
    ("dia chi", Field::Address),
    ("so/no", Field::IdNumber),
    ("so / no", Field::IdNumber),
    ("so /no", Field::IdNumber),
    ("so:", Field::CertificateNumber),
];

/// Whether a line starts a field of its own: a known label, or any "label:" near its start.
fn has_label(line: &str) -> bool {
    label_in(&fold_mapped(line).0).is_some() || line.chars().take(40).any(|c| c == ':')
}

/// Labels whose value, when missing on their own line, is on the next (the id card's two-line layout).
fn value_may_follow(field: Field) -> bool {
    matches!(field, Field::Name | Field::Address | Field::BirthDate | Field::IdNumber)
}

/// The fields written on a paper, found in its recognised text by their labels.
pub fn find_fields(text: &str) -> Found {
    // A scan's lines often start with specks read as "_", "-" or ":".
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches(|c: char| !c.is_alphanumeric()).trim_end())
        .filter(|l| !l.is_empty())
        .collect();
    let folded_all = crate::text::fold(text);
    let kind = if folded_all.contains("giay khai sinh") {
        PaperKind::BirthCertificate
    } else if folded_all.contains("giay chung sinh") {
        PaperKind::BirthNotice
    } else if folded_all.contains("can cuoc") {
        PaperKind::IdCard
    } else {
        PaperKind::Other
    };
    let mut found = Found { kind, ..Found::default() };
    for (i, line) in lines.iter().enumerate() {
        let (folded, map) = fold_mapped(line);
        let Some((field, end)) = label_in(&folded) else { continue };
        let raw = original_after(line, &map, end);
        let mut value = clean_value(&raw);
        if value.is_empty() && value_may_follow(field) {
            value = lines
                .get(i + 1)
                .filter(|next| label_in(&fold_mapped(next).0).is_none())
                .map_or(String::new(), |next| clean_value(next));
        }
        if field == Field::Address {
            // An address wraps: it goes on over the next lines that are no "label: value" of their own.
            let mut next = i + 1;
            let mut comma = raw.trim_end().ends_with(',');
            while let Some(more) = lines.get(next).filter(|l| !has_label(l)) {
                let joint = if comma { ", " } else { " " };
                value = format!("{value}{joint}{}", clean_value(more));
                comma = more.trim_end().ends_with(',');
                next += 1;
            }
        }
        if value.is_empty() {
            continue;
        }
        fill(&mut found, field, &value);
    }
    if found.id_number.is_none() && kind == PaperKind::IdCard {
        // The card's number often stands alone, its label lost to the card's pattern.
        found.id_number = lines.iter().find_map(|l| twelve_digits(l));
    }
    found
}

fn fill(found: &mut Found, field: Field, value: &str) {
    match field {
        Field::Name if found.name.is_none() => found.name = name_of(value),
        Field::MotherName if found.mother_name.is_none() => found.mother_name = name_of(value),
        Field::FatherName if found.father_name.is_none() => found.father_name = name_of(value),
        Field::IdNumber if found.id_number.is_none() => found.id_number = twelve_digits(value),
        Field::BirthDate if found.birth_date.is_none() => found.birth_date = date_in(value),
        Field::Sex if found.sex.is_none() => {
            found.sex = match crate::text::fold(value).split_whitespace().next() {
                Some("nam" | "male") => Some(Sex::Male),
                Some("nu" | "female") => Some(Sex::Female),
                _ => None,
            }
        }
        Field::Address if found.address.is_none() => found.address = Some(value.trim_end_matches('.').to_string()),
        Field::CertificateNumber if found.certificate_number.is_none() => {
            found.certificate_number = value
                .split_whitespace()
                .next()
                .filter(|n| n.chars().any(|c| c.is_ascii_digit()))
                .map(|n| n.trim_end_matches(['.', ',']).to_string())
        }
        _ => {}
    }
}

/// The first label on a folded line, and where its value starts (after the label and a ':' or '/').
fn label_in(folded: &str) -> Option<(Field, usize)> {
    let (start, label, field) = LABELS
        .iter()
        .filter_map(|(label, field)| folded.find(label).map(|at| (at, *label, *field)))
        // The earliest on the line; of two at one place, the longer (the list's more specific one).
        .min_by_key(|(at, label, _)| (*at, std::cmp::Reverse(label.len())))?;
    // "Số:" only at the start of a line: elsewhere it is part of a sentence.
    if field == Field::CertificateNumber && start > 0 {
        return None;
    }
    let mut end = start + label.len();
    // An English label after a slash ("Họ và tên / Full name:") belongs to the same label.
    let rest = &folded[end..];
    if let Some(colon) = rest.find(':')
        && rest[..colon].len() <= 32
        // "/ Sex" may be read "7 Sex": a digit or two of misread slash, never a number.
        && rest[..colon].chars().filter(char::is_ascii_digit).count() <= 2
    {
        end += colon + 1;
    }
    Some((field, end))
}

/// A line folded char by char (so that byte offsets can be mapped back), and for each folded byte the offset of
/// the original char it came from.
fn fold_mapped(line: &str) -> (String, Vec<usize>) {
    let mut folded = String::new();
    let mut map = Vec::new();
    for (at, c) in line.char_indices() {
        let f = crate::text::fold(&c.to_string());
        let f = if f.is_empty() { " ".to_string() } else { f };
        for _ in 0..f.len() {
            map.push(at);
        }
        folded.push_str(&f);
    }
    map.push(line.len());
    (folded, map)
}

fn original_after(line: &str, map: &[usize], folded_end: usize) -> String {
    let at = map.get(folded_end).copied().unwrap_or(line.len());
    line[at..].to_string()
}

/// A value without the colons, dots and spaces around it; a further label on the same line ends it.
fn clean_value(value: &str) -> String {
    let value = value.trim_start_matches([':', ' ', '.', '/', '|']).trim();
    let (folded, map) = fold_mapped(value);
    // Stop at the next label ("Giới tính: Nam   Quốc tịch: Việt Nam").
    let stop = ["quoc tich", "nationality", "dan toc", "ghi bang chu", "sex:", "gioi tinh"]
        .iter()
        .filter_map(|l| folded.find(l))
        .min()
        .map_or(value.len(), |at| map[at]);
    value[..stop].trim().trim_end_matches([',', ';', '/', '|']).trim().to_string()
}

fn name_of(value: &str) -> Option<String> {
    let name: String = value.chars().filter(|c| c.is_alphabetic() || *c == ' ').collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (name.split(' ').count() >= 2).then_some(name)
}

/// The first run of exactly twelve digits (spaces and dots between groups allowed, as printed or misread).
fn twelve_digits(text: &str) -> Option<String> {
    let mut run = String::new();
    let flush = |run: &mut String| -> Option<String> {
        let done = (run.len() == 12).then(|| run.clone());
        run.clear();
        done
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else if (c == ' ' || c == '.') && !run.is_empty() {
            continue;
        } else if let Some(found) = flush(&mut run) {
            return Some(found);
        }
    }
    flush(&mut run)
}

/// The first date written dd/mm/yyyy (or with '-' or '.').
fn date_in(text: &str) -> Option<NaiveDate> {
    let digits_and_marks: Vec<char> = text.chars().collect();
    for start in 0..digits_and_marks.len() {
        let rest: String = digits_and_marks[start..].iter().take(10).collect();
        let parts: Vec<&str> = rest.split(['/', '-', '.']).collect();
        if parts.len() >= 3
            && parts[0].len() <= 2
            && parts[1].len() <= 2
            && parts[2].len() >= 4
            && let (Ok(d), Ok(m), Ok(y)) = (parts[0].parse(), parts[1].parse(), parts[2][..4].parse())
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return Some(date);
        }
    }
    None
}

/// What a person stated about themselves, to hold against a paper.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stated {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub address: Option<String>,
}

/// A field where the statement and the paper disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mismatch {
    /// name | id_number | birth_date | sex | address
    pub field: String,
    pub stated: String,
    pub found: String,
}

/// The fields where `stated` and `found` disagree; fields either leaves out are not compared. Names and
/// addresses compare without accents, case or spacing (a scan loses accents more often than a clerk types a
/// wrong one); an address agrees when either contains the other (a card prints fewer parts).
pub fn compare(stated: &Stated, found: &Found) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut check = |field: &str, stated: Option<String>, found: Option<String>, same: &dyn Fn(&str, &str) -> bool| {
        if let (Some(stated), Some(found)) = (stated, found)
            && !stated.trim().is_empty()
            && !same(&stated, &found)
        {
            out.push(Mismatch { field: field.into(), stated, found });
        }
    };
    let folded_equal = |a: &str, b: &str| loose(a) == loose(b);
    let digits_equal = |a: &str, b: &str| digits(a) == digits(b);
    let contains = |a: &str, b: &str| {
        let (a, b) = (loose(a), loose(b));
        a.contains(&b) || b.contains(&a)
    };
    check("name", stated.name.clone(), found.name.clone(), &folded_equal);
    check("id_number", stated.id_number.clone(), found.id_number.clone(), &digits_equal);
    check("birth_date", stated.birth_date.map(day), found.birth_date.map(day), &|a, b| a == b);
    check("sex", stated.sex.map(sex_word), found.sex.map(sex_word), &|a, b| a == b);
    check("address", stated.address.clone(), found.address.clone(), &contains);
    out
}

fn loose(text: &str) -> String {
    crate::text::words(text).join(" ")
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A date as the desk shows it.
pub fn day(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn sex_word(sex: Sex) -> String {
    match sex {
        Sex::Male => "Nam".into(),
        Sex::Female => "Nữ".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCĂN CƯỚC CÔNG DÂN\nSố / No.: 031090001234\n\
        Họ và tên / Full name:\nNGUYỄN THỊ HẠNH\nNgày sinh / Date of birth: 14/02/1990\n\
        Giới tính / Sex: Nữ   Quốc tịch / Nationality: Việt Nam\nQuê quán / Place of origin: Hải Phòng\n\
        Nơi thường trú / Place of residence: Số 5 Hoàng Văn Thụ, phường Hồng\nBàng, Hải Phòng\n\
        Có giá trị đến / Date of expiry: 14/02/2035\n";

    #[test]
    fn an_id_cards_fields_are_found_by_their_labels() {
        let found = find_fields(CARD);
        assert_eq!(found.kind, PaperKind::IdCard);
        assert_eq!(found.name.as_deref(), Some("NGUYỄN THỊ HẠNH"));
        assert_eq!(found.id_number.as_deref(), Some("031090001234"));
        assert_eq!(found.birth_date, NaiveDate::from_ymd_opt(1990, 2, 14));
        assert_eq!(found.sex, Some(Sex::Female));
        assert_eq!(found.address.as_deref(), Some("Số 5 Hoàng Văn Thụ, phường Hồng Bàng, Hải Phòng"));
    }

    #[test]
    fn a_birth_certificate_gives_the_child_its_number_and_parents() {
        let text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: 125/2024\nGIẤY KHAI SINH\n\
            Họ, chữ đệm, tên: TRẦN MINH KHÔI\nNgày, tháng, năm sinh: 03/05/2024 ghi bằng chữ: ngày ba tháng năm\n\
            Giới tính: Nam Dân tộc: Kinh Quốc tịch: Việt Nam\nSố định danh cá nhân: 031224005678\n\
            Họ, chữ đệm, tên người mẹ: NGUYỄN THỊ HẠNH\nHọ, chữ đệm, tên người cha: TRẦN VĂN LONG\n";
        let found = find_fields(text);
        assert_eq!(found.kind, PaperKind::BirthCertificate);
        assert_eq!(found.name.as_deref(), Some("TRẦN MINH KHÔI"));
        assert_eq!(found.birth_date, NaiveDate::from_ymd_opt(2024, 5, 3));
        assert_eq!(found.sex, Some(Sex::Male));
        assert_eq!(found.id_number.as_deref(), Some("031224005678"));
        assert_eq!(found.certificate_number.as_deref(), Some("125/2024"));
        assert_eq!(found.mother_name.as_deref(), Some("NGUYỄN THỊ HẠNH"));
        assert_eq!(found.father_name.as_deref(), Some("TRẦN VĂN LONG"));
    }

    #[test]
    fn a_typed_id_number_that_differs_from_the_card_is_a_mismatch_and_accents_are_not() {
        let found = find_fields(CARD);
        let stated = Stated {
            name: Some("Nguyen Thi Hanh".into()),
            id_number: Some("031090001243".into()),
            birth_date: NaiveDate::from_ymd_opt(1990, 2, 14),
            sex: Some(Sex::Female),
            address: Some("phường Hồng Bàng, Hải Phòng".into()),
        };
        let mismatches = compare(&stated, &found);
        assert_eq!(mismatches.len(), 1, "{mismatches:?}");
        assert_eq!(mismatches[0].field, "id_number");
        assert_eq!(mismatches[0].found, "031090001234");
    }

    fn word(text: &str, left: u32, top: u32, height: u32, line: u32, confidence: f32) -> Word {
        Word { text: text.into(), confidence, left, top, width: 120, height, line }
    }

    #[test]
    fn small_letters_sloping_lines_and_unsure_words_are_named() {
        let good: Vec<Word> = (0..5).map(|i| word("chữ", i * 150, 100, 30, 1, 91.0)).collect();
        assert!(assess(&good).is_empty());
        let small: Vec<Word> = (0..5).map(|i| word("chữ", i * 150, 100, 11, 1, 91.0)).collect();
        assert_eq!(assess(&small), vec![Problem::LowResolution { letter_height_px: 11 }]);
        // 600 px to the right, 63 px down: 6 degrees.
        let sloped: Vec<Word> = (0..5).map(|i| word("chữ", i * 150, 100 + i * 16, 30, 1, 91.0)).collect();
        assert!(matches!(assess(&sloped)[..], [Problem::Skewed { degrees }] if (degrees - 6.1).abs() < 0.2));
        let unsure: Vec<Word> = (0..5).map(|i| word("chữ", i * 150, 100, 30, 1, 31.0)).collect();
        assert_eq!(assess(&unsure), vec![Problem::Unreadable { confidence: 31 }]);
        assert_eq!(assess(&[]), vec![Problem::NoText]);
    }
}
