//! The embedded DejaVu Sans faces (licence: fixtures/fonts/LICENSE-DejaVu.txt), parsed once, and text measuring
//! from their horizontal advances (printpdf writes text without kerning, so the sum of advances is the drawn width).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use printpdf::{FontId, ParsedFont};

use super::FormError;

static REGULAR_TTF: &[u8] = include_bytes!("../../../../fixtures/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../../../fixtures/fonts/DejaVuSans-Bold.ttf");

/// A face of the embedded font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The fixed resource id; printpdf also takes the subset tag (`XXXXXX+DejaVuSans`) from its first six
    /// characters, so it is six capitals and never random.
    pub(crate) fn id(self) -> FontId {
        match self {
            Face::Regular => FontId("MCDJVR".to_string()),
            Face::Bold => FontId("MCDJVB".to_string()),
        }
    }

    pub(crate) fn parsed(self) -> Result<&'static ParsedFont, FormError> {
        static REGULAR: OnceLock<Option<ParsedFont>> = OnceLock::new();
        static BOLD: OnceLock<Option<ParsedFont>> = OnceLock::new();
        let (cell, bytes, name) = match self {
            Face::Regular => (&REGULAR, REGULAR_TTF, "DejaVuSans.ttf"),
            Face::Bold => (&BOLD, BOLD_TTF, "DejaVuSans-Bold.ttf"),
        };
        cell.get_or_init(|| ParsedFont::from_bytes(bytes, 0, &mut Vec::new())).as_ref().ok_or(FormError::Font(name))
    }

    /// The face to embed in a document: cut down to the common blocks once per process when the document's text
    /// stays within them (`whole` false), else the whole face. printpdf subsets the embedded face for every
    /// document by reading all of its glyphs; DejaVu has about 6,000 (Armenian, Arabic, Braille, ...), and
    /// reading them was the largest cost of rendering a result.
    pub(crate) fn embedded(self, whole: bool) -> Result<&'static ParsedFont, FormError> {
        static REGULAR: OnceLock<Option<ParsedFont>> = OnceLock::new();
        static BOLD: OnceLock<Option<ParsedFont>> = OnceLock::new();
        if whole {
            return self.parsed();
        }
        let cell = match self {
            Face::Regular => &REGULAR,
            Face::Bold => &BOLD,
        };
        let full = self.parsed()?;
        cell.get_or_init(|| common_part(full)).as_ref().ok_or(FormError::Font("common blocks"))
    }
}

/// The characters papers are written in: Latin with the Vietnamese letters and combining marks, Greek and basic
/// Cyrillic (names, units), punctuation, currency (₫), letter-like symbols (№), and the few arrows, operators,
/// shapes, ballot boxes and check marks forms draw. Anything else embeds the whole face.
const COMMON_BLOCKS: [(u32, u32); 15] = [
    (0x20, 0x7e),
    (0xa0, 0x24f),
    (0x300, 0x36f),
    (0x370, 0x45f),
    (0x1ea0, 0x1ef9),
    (0x2010, 0x205e),
    (0x20a0, 0x20c0),
    (0x2100, 0x2122),
    (0x2190, 0x2195),
    (0x2212, 0x2212),
    (0x2248, 0x2265),
    (0x25a0, 0x25cf),
    (0x2610, 0x2612),
    (0x2713, 0x2718),
    (0xfffd, 0xfffd),
];

/// Whether `text` can be drawn with the common part of a face alone.
pub(crate) fn within_common_blocks(text: &str) -> bool {
    text.chars().all(|c| COMMON_BLOCKS.iter().any(|&(first, last)| (first..=last).contains(&u32::from(c))))
}

/// `full` subset to the glyphs of the common blocks, with its cmap kept for them.
fn common_part(full: &ParsedFont) -> Option<ParsedFont> {
    let glyphs: BTreeMap<u16, String> = COMMON_BLOCKS
        .iter()
        .flat_map(|&(first, last)| first..=last)
        .filter_map(|code| {
            let glyph = full.lookup_glyph_index(code).filter(|&g| g != 0)?;
            Some((glyph, char::from_u32(code)?.to_string()))
        })
        .collect();
    let part = printpdf::subset_font(full, &glyphs).ok()?;
    ParsedFont::from_bytes(&part.bytes, 0, &mut Vec::new())
}

/// Width in points of `text` set in `face` at `size` points.
pub(crate) struct Metrics {
    regular: &'static ParsedFont,
    bold: &'static ParsedFont,
}

impl Metrics {
    pub(crate) fn load() -> Result<Self, FormError> {
        Ok(Self { regular: Face::Regular.parsed()?, bold: Face::Bold.parsed()? })
    }

    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = match face {
            Face::Regular => self.regular,
            Face::Bold => self.bold,
        };
        let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
        let advance: u32 = text
            .chars()
            .map(|c| u32::from(font.get_horizontal_advance(font.lookup_glyph_index(c as u32).unwrap_or(0))))
            .sum();
        advance as f32 * size / units_per_em
    }

    /// The largest size not above `size` at which `text` fits in `width` (not below 60% of `size`).
    pub(crate) fn fit(&self, face: Face, size: f32, text: &str, width: f32) -> f32 {
        let natural = self.width(face, size, text);
        if natural <= width { size } else { (size * width / natural).max(size * 0.6) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_letters_have_glyphs_in_both_faces() {
        for face in [Face::Regular, Face::Bold] {
            let font = face.parsed().unwrap();
            for c in "ĐđƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
                .chars()
            {
                assert!(font.lookup_glyph_index(c as u32).is_some_and(|g| g != 0), "{face:?} lacks {c}");
            }
        }
    }

    #[test]
    fn the_common_part_draws_every_common_letter_as_wide_as_the_whole_face() {
        for face in [Face::Regular, Face::Bold] {
            let (whole, part) = (face.parsed().unwrap(), face.embedded(false).unwrap());
            let text = "Nguyễn Thị Hường, ĐƯỜNG LÊ LỢI — 1.500.000 ₫ № 12/QĐ-UBND “ý kiến” ☐ ☑ ✓ ≤ Ω Москва";
            assert!(within_common_blocks(text));
            for c in text.chars() {
                let (w, p) = (whole.lookup_glyph_index(c as u32), part.lookup_glyph_index(c as u32));
                assert!(p.is_some_and(|g| g != 0), "{face:?}: the common part lacks {c}");
                let advance = |font: &ParsedFont, g: Option<u16>| font.get_horizontal_advance(g.unwrap_or(0));
                assert_eq!(advance(whole, w), advance(part, p), "{face:?}: {c}");
            }
            assert!(part.source_bytes().unwrap().len() * 3 < whole.source_bytes().unwrap().len());
        }
        assert!(!within_common_blocks("Tbilisi თბილისი") && !within_common_blocks("Ӂ") && !within_common_blocks("⇒"));
    }

    #[test]
    fn bold_is_wider_and_width_scales_with_size() {
        let m = Metrics::load().unwrap();
        let text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
        assert!(m.width(Face::Bold, 10.0, text) > m.width(Face::Regular, 10.0, text));
        let w10 = m.width(Face::Regular, 10.0, text);
        assert!((m.width(Face::Regular, 20.0, text) - 2.0 * w10).abs() < 0.01);
        assert!(m.fit(Face::Bold, 10.0, text, 100.0) < 10.0);
    }
}
