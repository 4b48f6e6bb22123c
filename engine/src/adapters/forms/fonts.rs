//! The embedded DejaVu Sans faces (licence: fixtures/fonts/LICENSE-DejaVu.txt), parsed once, and text measuring
//! from their horizontal advances (printpdf writes text without kerning, so the sum of advances is the drawn width).

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
    fn bold_is_wider_and_width_scales_with_size() {
        let m = Metrics::load().unwrap();
        let text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
        assert!(m.width(Face::Bold, 10.0, text) > m.width(Face::Regular, 10.0, text));
        let w10 = m.width(Face::Regular, 10.0, text);
        assert!((m.width(Face::Regular, 20.0, text) - 2.0 * w10).abs() < 0.01);
        assert!(m.fit(Face::Bold, 10.0, text, 100.0) < 10.0);
    }
}
