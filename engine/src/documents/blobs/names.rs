//! File names given by uploaders, made safe to keep and to offer again on download.

use unicode_normalization::UnicodeNormalization;

use super::MediaType;
use crate::domain::free_text::is_bidi_control;

/// Longest name kept, in characters, extension included.
pub const MAX_NAME_CHARS: usize = 150;

/// Cleans an uploader's file name: keeps only the last path component (`/` and `\` both separate), removes
/// control characters and characters that are not allowed in file names on common systems, leading dots and
/// trailing dots/spaces, collapses whitespace, and limits the result to [`MAX_NAME_CHARS`] characters keeping the
/// extension. The extension must fit the sniffed type: otherwise the type's extension is appended
/// (`bao-cao.exe` holding a PDF becomes `bao-cao.exe.pdf`). An empty result becomes `tep-tin.<ext>`.
pub fn sanitize_file_name(original: &str, media_type: MediaType) -> String {
    let last = original.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned = String::with_capacity(last.len());
    let mut pending_space = false;
    // Composed (NFC) so the name reads and sorts as typed; bidirectional formatting characters dropped, or
    // "hoa-don\u{202E}fdp.exe" would show as "hoa-donexe.pdf".
    for c in last.nfc() {
        if c.is_whitespace() {
            pending_space = true;
        } else if c.is_control()
            || is_bidi_control(c)
            || matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|' | '\u{feff}')
        {
            continue;
        } else {
            if pending_space && !cleaned.is_empty() {
                cleaned.push(' ');
            }
            pending_space = false;
            cleaned.push(c);
        }
    }
    let trimmed = cleaned.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);

    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && media_type.extensions().contains(&ext.to_lowercase().as_str()) => {
            (stem.trim_end_matches(['.', ' ']).to_string(), ext.to_string())
        }
        _ => (trimmed.to_string(), media_type.extension().to_string()),
    };
    let stem = if stem.is_empty() { "tep-tin".to_string() } else { stem };
    let room = MAX_NAME_CHARS - ext.chars().count() - 1;
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{ext}", stem.trim_end_matches(['.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_stripped() {
        assert_eq!(sanitize_file_name("../../etc/passwd.pdf", MediaType::Pdf), "passwd.pdf");
        assert_eq!(sanitize_file_name("..\\..\\Windows\\win.ini.pdf", MediaType::Pdf), "win.ini.pdf");
        assert_eq!(sanitize_file_name("C:\\Users\\an\\Giấy khai sinh.PDF", MediaType::Pdf), "Giấy khai sinh.PDF");
    }

    #[test]
    fn control_characters_dots_and_whitespace() {
        assert_eq!(sanitize_file_name("  .hidden\u{0}\n  scan   01 .jpg", MediaType::Jpeg), "hidden scan 01.jpg");
        assert_eq!(sanitize_file_name("a\"b<c>d|e?.xml", MediaType::Xml), "abcde.xml");
        assert_eq!(sanitize_file_name("scan.JPEG", MediaType::Jpeg), "scan.JPEG");
    }

    #[test]
    fn bidirectional_tricks_are_dropped_and_names_composed() {
        assert_eq!(sanitize_file_name("hoa-don\u{202E}fdp.exe.pdf", MediaType::Pdf), "hoa-donfdp.exe.pdf");
        assert_eq!(sanitize_file_name("gia\u{2067}y.pdf", MediaType::Pdf), "giay.pdf");
        assert_eq!(sanitize_file_name("Nguye\u{302}\u{303}n.pdf", MediaType::Pdf), "Nguyễn.pdf");
    }

    #[test]
    fn empty_names_get_a_default() {
        assert_eq!(sanitize_file_name("", MediaType::Pdf), "tep-tin.pdf");
        assert_eq!(sanitize_file_name("../..", MediaType::Png), "tep-tin.png");
        assert_eq!(sanitize_file_name("dir/", MediaType::Docx), "tep-tin.docx");
        assert_eq!(sanitize_file_name(".pdf", MediaType::Pdf), "pdf.pdf");
    }

    #[test]
    fn extension_must_fit_the_content() {
        assert_eq!(sanitize_file_name("bao-cao.exe", MediaType::Pdf), "bao-cao.exe.pdf");
        assert_eq!(sanitize_file_name("anh", MediaType::Tiff), "anh.tif");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.docx", "đ".repeat(400));
        let name = sanitize_file_name(&long, MediaType::Docx);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with(".docx"));
    }
}
