//! Small text helpers shared by notifications, pages and the simulators' pages.

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
}
