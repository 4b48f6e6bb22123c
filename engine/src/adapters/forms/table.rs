//! Ruled tables with wrapped cells. A row never splits across pages; when a row does not fit, a new page starts,
//! the caller's page heading is drawn again, then the column headings.

use super::fonts::Face;
use super::layout::{Align, Doc, LEADING};
use super::wrap::Line;

pub(crate) struct Column<'a> {
    pub title: &'a str,
    /// Share of the table's width; the shares of a table sum to 1.
    pub share: f32,
    pub align: Align,
}

const PAD: f32 = 2.5;
const RULE: f32 = 0.5;

/// Draws a table across the content width at the cursor. `page_heading` runs on every page the table continues on.
pub(crate) fn draw_table(
    doc: &mut Doc,
    columns: &[Column],
    rows: &[Vec<String>],
    size: f32,
    page_heading: &mut dyn FnMut(&mut Doc),
) {
    let mut edges = vec![doc.left()];
    for column in columns {
        let last = *edges.last().expect("one edge");
        edges.push(last + column.share * doc.content_width());
    }
    let heading_cells: Vec<Vec<Line>> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| doc.wrap(&[(Face::Bold, c.title)], size, edges[i + 1] - edges[i] - 2.0 * PAD))
        .collect();
    let heading_height = height(&heading_cells, size);

    let wrapped: Vec<Vec<Vec<Line>>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, cell)| doc.wrap(&[(Face::Regular, cell)], size, edges[i + 1] - edges[i] - 2.0 * PAD))
                .collect()
        })
        .collect();

    let first = wrapped.first().map_or(0.0, |cells| height(cells, size));
    if doc.ensure(heading_height + first) {
        page_heading(doc);
    }
    doc.hline(edges[0], *edges.last().expect("edges"), doc.y, RULE);
    draw_row(doc, &edges, &heading_cells, columns.iter().map(|_| Align::Center), size);

    for cells in &wrapped {
        let row_height = height(cells, size);
        if doc.y + row_height > doc.bottom() {
            doc.new_page();
            page_heading(doc);
            doc.hline(edges[0], *edges.last().expect("edges"), doc.y, RULE);
            draw_row(doc, &edges, &heading_cells, columns.iter().map(|_| Align::Center), size);
        }
        draw_row(doc, &edges, cells, columns.iter().map(|c| c.align), size);
    }
}

fn height(cells: &[Vec<Line>], size: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * size * LEADING + 2.0 * PAD
}

/// Draws one row below the rule at the cursor: the cells' text, the verticals and the rule under it.
fn draw_row(doc: &mut Doc, edges: &[f32], cells: &[Vec<Line>], aligns: impl Iterator<Item = Align>, size: f32) {
    let top = doc.y;
    let bottom = top + height(cells, size);
    for ((i, lines), align) in cells.iter().enumerate().zip(aligns) {
        doc.y = top + PAD;
        doc.draw_lines(lines, edges[i] + PAD, edges[i + 1] - edges[i] - 2.0 * PAD, size, align);
    }
    for &x in edges {
        doc.vline(x, top, bottom, RULE);
    }
    doc.hline(edges[0], *edges.last().expect("edges"), bottom, RULE);
    doc.y = bottom;
}
