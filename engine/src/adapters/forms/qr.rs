//! The QR code of the public tracking URL (Circular 01/2018/TT-VPCP Art. 19 asks for it on the receipt), drawn as
//! vector rectangles: one per horizontal run of dark modules, all in one filled path.

use qrcode::{Color, EcLevel, QrCode};

use super::FormError;
use super::layout::Doc;

/// The QR module matrix of `data` (row-major, true = dark) and its side in modules.
pub(crate) fn matrix(data: &str) -> Result<(Vec<bool>, usize), FormError> {
    let code =
        QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| FormError::Qr(e.to_string()))?;
    let width = code.width();
    Ok((code.into_colors().into_iter().map(|c| c == Color::Dark).collect(), width))
}

/// Draws the QR code of `data` with its top-left corner at (x, y) (from the page top), at most `side` points wide,
/// and returns the side drawn. Modules are a whole number of 1/20 pt so that adjacent runs meet exactly. The quiet
/// zone (4 modules) is left to the caller's surrounding white space.
pub(crate) fn draw(doc: &mut Doc, data: &str, x: f32, y: f32, side: f32) -> Result<f32, FormError> {
    let (modules, width) = matrix(data)?;
    let module = (side / width as f32 * 20.0).floor().max(1.0) / 20.0;
    let mut rects = Vec::new();
    for row in 0..width {
        let mut col = 0;
        while col < width {
            if modules[row * width + col] {
                let start = col;
                while col < width && modules[row * width + col] {
                    col += 1;
                }
                rects.push((x + start as f32 * module, y + row as f32 * module, (col - start) as f32 * module, module));
            } else {
                col += 1;
            }
        }
    }
    doc.fill_rects(&rects);
    Ok(module * width as f32)
}
