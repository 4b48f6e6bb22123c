//! Small text helpers shared by notifications, pages, the simulators' pages and the backup.

/// Text as search compares it: lower case, without Vietnamese accents or the bar of đ, spaces collapsed:
/// "KẾT HÔN  Đỗ" → "ket hon do". Users type names and procedures with or without accents, in any case.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        match c {
            'đ' | 'Đ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words of a text as search matches them: folded, and split at anything not a letter or digit, so that
/// "Đỗ Thị Ánh, 000.31.01.H26-261120-0001" gives do, thi, anh, 000, 31, 01, h26, 261120, 0001.
pub fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Vietnamese digit grouping: 1500000 → "1.500.000".
pub fn group_thousands(amount: u64) -> String {
    let digits = amount.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    grouped
}

/// An amount of đồng as letters write it: 1500000 → "1.500.000 đồng".
pub fn dong(amount: u64) -> String {
    format!("{} đồng", group_thousands(amount))
}

/// An amount of đồng as tables and pages write it: 100000 → "100.000 đ".
pub fn dong_short(amount: u64) -> String {
    format!("{} đ", group_thousands(amount))
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL without the password of its user part, and that password (percent-decoded): `postgres://u:p@h/db` →
/// (`postgres://u@h/db`, `p`). For passing credentials to a child process other than on its command line, and
/// for writing settings down without their secrets.
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return (url.to_string(), None) };
    let authority_end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let Some(at) = authority.rfind('@') else { return (url.to_string(), None) };
    let Some((user, password)) = authority[..at].split_once(':') else { return (url.to_string(), None) };
    let password = percent_encoding::percent_decode_str(password).decode_utf8_lossy().into_owned();
    let stripped = format!("{}{user}{}", &url[..scheme_end], &url[scheme_end + at..]);
    (stripped, Some(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_case_and_extra_spaces() {
        assert_eq!(fold("  KẾT HÔN\tĐỗ  Thị Ánh "), "ket hon do thi anh");
        assert_eq!(fold("ket hon"), fold("Kết hôn"));
        assert_eq!(fold("000.31.01.H26-261120-0001"), "000.31.01.h26-261120-0001");
        assert_eq!(fold("Ứng Ưu Ơn Ỹ"), "ung uu on y");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn words_split_at_punctuation() {
        assert_eq!(
            words("Đỗ Thị Ánh, 000.31.01.H26-261120-0001"),
            ["do", "thi", "anh", "000", "31", "01", "h26", "261120", "0001"]
        );
        assert!(words(" %_- ").is_empty());
    }

    #[test]
    fn amounts_of_dong_read_the_vietnamese_way() {
        assert_eq!(dong(0), "0 đồng");
        assert_eq!(dong(1_500_000), "1.500.000 đồng");
        assert_eq!(dong_short(25_000), "25.000 đ");
        assert_eq!(dong_short(u64::MAX), "18.446.744.073.709.551.615 đ");
    }

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(2000), "2.000");
        assert_eq!(group_thousands(100_000), "100.000");
        assert_eq!(group_thousands(1_234_567), "1.234.567");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape_html("<b>\"A&B\"</b> 'x'"), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;x&#39;");
    }

    #[test]
    fn passwords_leave_urls() {
        assert_eq!(
            split_password("postgres://motcua:s%40cret@db:5432/motcua?sslmode=require"),
            ("postgres://motcua@db:5432/motcua?sslmode=require".into(), Some("s@cret".into()))
        );
        assert_eq!(split_password("smtps://mail:pw@relay"), ("smtps://mail@relay".into(), Some("pw".into())));
        assert_eq!(split_password("postgres://motcua@db/motcua"), ("postgres://motcua@db/motcua".into(), None));
        assert_eq!(split_password("sqlite://./data/motcua.db"), ("sqlite://./data/motcua.db".into(), None));
        // An @ in the path is not a user part.
        assert_eq!(split_password("http://host/a:b@c"), ("http://host/a:b@c".into(), None));
    }
}
