//! A small page model over printpdf's operations: pages of one size, a top-down cursor, text placed by baseline,
//! wrapped paragraphs that continue on a new page, rules and filled rectangles. Coordinates here are points from
//! the page's top-left corner; conversion to PDF's bottom-left origin happens only when an operation is emitted.

use std::collections::BTreeSet;

use printpdf::{
    Line as PdfLine, LinePoint, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt, TextItem, TextMatrix,
    WindingOrder,
};

use super::FormError;
use super::fonts::{Face, Metrics};
use super::wrap::{Line, wrap};

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;

#[derive(Debug, Clone, Copy)]
pub(crate) struct PageSize {
    pub width: f32,
    pub height: f32,
}

pub(crate) const A5_PORTRAIT: PageSize = PageSize { width: 148.0 * MM, height: 210.0 * MM };
pub(crate) const A5_LANDSCAPE: PageSize = PageSize { width: 210.0 * MM, height: 148.0 * MM };
pub(crate) const A4_LANDSCAPE: PageSize = PageSize { width: 297.0 * MM, height: 210.0 * MM };

#[derive(Debug, Clone, Copy)]
pub(crate) struct Margins {
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

/// Margins of the A5 forms: 12 mm left (binding side), 9 mm elsewhere.
pub(crate) const A5_MARGINS: Margins = Margins { top: 9.0 * MM, right: 9.0 * MM, bottom: 9.0 * MM, left: 12.0 * MM };

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// Line height as a multiple of the font size.
pub(crate) const LEADING: f32 = 1.35;

pub(crate) struct Doc {
    pub metrics: Metrics,
    pub size: PageSize,
    pub margins: Margins,
    pages: Vec<Vec<Op>>,
    /// The cursor: points from the top of the current page.
    pub y: f32,
    used: BTreeSet<Face>,
    /// Faces with text beyond the common blocks, embedded whole.
    beyond_common: BTreeSet<Face>,
}

impl Doc {
    pub(crate) fn new(size: PageSize, margins: Margins) -> Result<Self, FormError> {
        Ok(Self {
            metrics: Metrics::load()?,
            size,
            margins,
            pages: vec![Vec::new()],
            y: margins.top,
            used: BTreeSet::new(),
            beyond_common: BTreeSet::new(),
        })
    }

    pub(crate) fn left(&self) -> f32 {
        self.margins.left
    }

    pub(crate) fn right(&self) -> f32 {
        self.size.width - self.margins.right
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.right() - self.left()
    }

    /// The lowest y content may reach on a page.
    pub(crate) fn bottom(&self) -> f32 {
        self.size.height - self.margins.bottom
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.margins.top;
    }

    /// Starts a new page unless `height` more points fit on this one; true when it did.
    pub(crate) fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > self.bottom() && self.y > self.margins.top {
            self.new_page();
            true
        } else {
            false
        }
    }

    pub(crate) fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// The faces drawn with, each with whether it must be embedded whole (see `Face::embedded`).
    pub(crate) fn faces_used(&self) -> impl Iterator<Item = (Face, bool)> + '_ {
        self.used.iter().map(|&face| (face, self.beyond_common.contains(&face)))
    }

    pub(crate) fn into_pages(self) -> Vec<Vec<Op>> {
        self.pages
    }

    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        self.metrics.width(face, size, text)
    }

    /// Prints "Trang i/n" centred in the bottom margin of every page, when there is more than one.
    pub(crate) fn number_pages(&mut self, size: f32) {
        let count = self.pages.len();
        if count < 2 {
            return;
        }
        let baseline = self.size.height - self.margins.bottom / 2.0 + size / 3.0;
        for page in 0..count {
            let text = format!("Trang {}/{count}", page + 1);
            let x = (self.size.width - self.width(Face::Regular, size, &text)) / 2.0;
            self.text_on(page, x, baseline, Face::Regular, size, &text);
        }
    }

    /// Wraps `spans` at `size` to `width`.
    pub(crate) fn wrap(&self, spans: &[(Face, &str)], size: f32, width: f32) -> Vec<Line> {
        wrap(spans, width, &|face, text| self.metrics.width(face, size, text))
    }

    /// Wraps like `wrap`, but with lines of even length: the narrowest width that needs no more lines (for
    /// centred headings, "ỦY BAN NHÂN DÂN / THÀNH PHỐ HẢI PHÒNG" rather than a lone last word).
    pub(crate) fn wrap_balanced(&self, spans: &[(Face, &str)], size: f32, width: f32) -> Vec<Line> {
        let lines = self.wrap(spans, size, width);
        if lines.len() < 2 {
            return lines;
        }
        let (mut low, mut high) = (width / lines.len() as f32, width);
        for _ in 0..16 {
            let mid = (low + high) / 2.0;
            if self.wrap(spans, size, mid).len() > lines.len() { low = mid } else { high = mid }
        }
        self.wrap(spans, size, high)
    }

    /// Draws `text` on the current page with its baseline `baseline` points from the top.
    pub(crate) fn text(&mut self, x: f32, baseline: f32, face: Face, size: f32, text: &str) {
        let page = self.pages.len() - 1;
        self.text_on(page, x, baseline, face, size, text);
    }

    /// Draws `text` on page `page` (0-based), e.g. a footer once the page count is known.
    pub(crate) fn text_on(&mut self, page: usize, x: f32, baseline: f32, face: Face, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        self.used.insert(face);
        if !super::fonts::within_common_blocks(text) {
            self.beyond_common.insert(face);
        }
        let y = self.size.height - baseline;
        self.pages[page].extend([
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::External(face.id()), size: Pt(size) },
            Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(round(x)), Pt(round(y))) },
            Op::ShowText { items: vec![TextItem::Text(text.to_string())] },
            Op::EndTextSection,
        ]);
    }

    /// Draws wrapped lines at the cursor within [x, x + width], advancing the cursor and continuing on a new page
    /// when the bottom is reached.
    pub(crate) fn draw_lines(&mut self, lines: &[Line], x: f32, width: f32, size: f32, align: Align) {
        let leading = size * LEADING;
        for line in lines {
            self.ensure(leading);
            let start = match align {
                Align::Left => x,
                Align::Center => x + (width - line.width) / 2.0,
            };
            let baseline = self.y + baseline_offset(size);
            for run in &line.runs {
                self.text(start + run.x, baseline, run.face, size, &run.text);
            }
            self.y += leading;
        }
    }

    /// A paragraph across the content width, indented by `indent`.
    pub(crate) fn paragraph(&mut self, spans: &[(Face, &str)], size: f32, indent: f32, align: Align) {
        let (x, width) = (self.left() + indent, self.content_width() - indent);
        let lines = self.wrap(spans, size, width);
        self.draw_lines(&lines, x, width, size, align);
    }

    /// A horizontal rule at `y` (from the top) on the current page.
    pub(crate) fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32) {
        self.line(x1, y, x2, y, thickness);
    }

    pub(crate) fn vline(&mut self, x: f32, y1: f32, y2: f32, thickness: f32) {
        self.line(x, y1, x, y2, thickness);
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let h = self.size.height;
        let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(round(x)), y: Pt(round(h - y)) }, bezier: false };
        let page = self.pages.last_mut().expect("a page");
        page.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        page.push(Op::DrawLine { line: PdfLine { points: vec![point(x1, y1), point(x2, y2)], is_closed: false } });
    }

    /// Fills rectangles (x, y from the top, width, height) in black, as one path.
    pub(crate) fn fill_rects(&mut self, rects: &[(f32, f32, f32, f32)]) {
        if rects.is_empty() {
            return;
        }
        let h = self.size.height;
        let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(round(x)), y: Pt(round(h - y)) }, bezier: false };
        let rings = rects
            .iter()
            .map(|&(x, y, w, rh)| PolygonRing {
                points: vec![point(x, y), point(x + w, y), point(x + w, y + rh), point(x, y + rh)],
            })
            .collect();
        let polygon = Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero };
        self.pages.last_mut().expect("a page").push(Op::DrawPolygon { polygon });
    }
}

/// Where the baseline sits below the top of a line box.
pub(crate) fn baseline_offset(size: f32) -> f32 {
    size * 1.05
}

/// Positions are written with two decimals, so the content streams stay short and byte-stable.
fn round(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}
