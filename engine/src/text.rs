//! Small text helpers shared by notifications, pages, the simulators' pages and the backup.

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
