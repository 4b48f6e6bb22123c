//! Greedy word wrap of mixed-face text to a width, measured by the caller (the font's glyph advances). Spaces break
//! lines, `\n` forces a break, a word wider than the line is cut between characters. Pure: tested on its own.

use super::fonts::Face;

/// A piece of one line set in one face, `x` points from the line's start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub face: Face,
    pub text: String,
    pub x: f32,
}

/// One wrapped line and its width.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Line {
    pub runs: Vec<Run>,
    pub width: f32,
}

#[cfg(test)]
impl Line {
    pub(crate) fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A token: text in one face with no space inside; `glued` when no space separates it from the previous token.
#[derive(Debug, Clone)]
struct Token {
    face: Face,
    text: String,
    glued: bool,
}

/// Wraps `spans` into lines no wider than `max_width`.
pub(crate) fn wrap(spans: &[(Face, &str)], max_width: f32, measure: &dyn Fn(Face, &str) -> f32) -> Vec<Line> {
    let mut lines = Vec::new();
    for paragraph in paragraphs(spans) {
        wrap_paragraph(&paragraph, max_width, measure, &mut lines);
    }
    lines
}

/// Splits the spans at `\n` into paragraphs of tokens.
fn paragraphs(spans: &[(Face, &str)]) -> Vec<Vec<Token>> {
    let mut paragraphs = vec![Vec::new()];
    let mut space_pending = false;
    for &(face, text) in spans {
        let mut word = String::new();
        let flush = |word: &mut String, paragraphs: &mut Vec<Vec<Token>>, space_pending: &mut bool| {
            if !word.is_empty() {
                let paragraph = paragraphs.last_mut().expect("at least one paragraph");
                let glued = !*space_pending && !paragraph.is_empty();
                paragraph.push(Token { face, text: std::mem::take(word), glued });
                *space_pending = false;
            }
        };
        for c in text.chars() {
            if c == '\n' {
                flush(&mut word, &mut paragraphs, &mut space_pending);
                paragraphs.push(Vec::new());
                space_pending = false;
            } else if c.is_whitespace() {
                flush(&mut word, &mut paragraphs, &mut space_pending);
                space_pending = true;
            } else {
                word.push(c);
            }
        }
        flush(&mut word, &mut paragraphs, &mut space_pending);
    }
    paragraphs
}

fn wrap_paragraph(tokens: &[Token], max_width: f32, measure: &dyn Fn(Face, &str) -> f32, out: &mut Vec<Line>) {
    // Words: a token that follows a space, with the tokens glued to it.
    let mut words: Vec<Vec<Token>> = Vec::new();
    for token in tokens {
        match words.last_mut() {
            Some(word) if token.glued => word.push(token.clone()),
            _ => words.push(vec![token.clone()]),
        }
    }
    let width_of = |word: &[Token]| word.iter().map(|t| measure(t.face, &t.text)).sum::<f32>();

    let mut line = Line::default();
    let mut empty_paragraph = true;
    for word in words {
        empty_paragraph = false;
        let space = measure(word[0].face, " ");
        let word_width = width_of(&word);
        if !line.runs.is_empty() && line.width + space + word_width > max_width {
            out.push(std::mem::take(&mut line));
        }
        if line.runs.is_empty() && word_width > max_width {
            for piece in cut(&word, max_width, measure) {
                if !line.runs.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                append(&mut line, &piece, false, measure);
            }
            continue;
        }
        let spaced = !line.runs.is_empty();
        append(&mut line, &word, spaced, measure);
    }
    if !line.runs.is_empty() || empty_paragraph {
        out.push(line);
    }
}

/// Cuts a word too wide for a line into pieces that fit (at least one character each).
fn cut(word: &[Token], max_width: f32, measure: &dyn Fn(Face, &str) -> f32) -> Vec<Vec<Token>> {
    let mut pieces: Vec<Vec<Token>> = vec![Vec::new()];
    let mut width = 0.0;
    for token in word {
        for c in token.text.chars() {
            let mut buf = [0u8; 4];
            let w = measure(token.face, c.encode_utf8(&mut buf));
            let piece = pieces.last_mut().expect("at least one piece");
            if width + w > max_width && !piece.is_empty() {
                pieces.push(Vec::new());
                width = 0.0;
            }
            let piece = pieces.last_mut().expect("at least one piece");
            match piece.last_mut() {
                Some(last) if last.face == token.face => last.text.push(c),
                _ => piece.push(Token { face: token.face, text: c.to_string(), glued: true }),
            }
            width += w;
        }
    }
    pieces
}

/// Appends a word to a line, merging runs of the same face (a separating space stays inside the text, so text
/// extraction sees a real space).
fn append(line: &mut Line, word: &[Token], spaced: bool, measure: &dyn Fn(Face, &str) -> f32) {
    for (i, token) in word.iter().enumerate() {
        let space = spaced && i == 0;
        let same_face = line.runs.last().is_some_and(|r| r.face == token.face);
        if space {
            // The space goes with the preceding run when faces match, else it starts the new run.
            if same_face {
                let run = line.runs.last_mut().expect("checked");
                run.text.push(' ');
                run.text.push_str(&token.text);
            } else {
                line.runs.push(Run { face: token.face, text: format!(" {}", token.text), x: line.width });
            }
            line.width += measure(token.face, " ") + measure(token.face, &token.text);
        } else {
            if same_face {
                line.runs.last_mut().expect("checked").text.push_str(&token.text);
            } else {
                line.runs.push(Run { face: token.face, text: token.text.clone(), x: line.width });
            }
            line.width += measure(token.face, &token.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is 1 point wide, bold ones 2.
    fn measure(face: Face, text: &str) -> f32 {
        let n = text.chars().count() as f32;
        if face == Face::Bold { 2.0 * n } else { n }
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(Line::text).collect()
    }

    #[test]
    fn breaks_at_spaces_within_the_width() {
        let lines = wrap(&[(Face::Regular, "Tờ khai đăng ký khai sinh theo mẫu")], 12.0, &measure);
        assert_eq!(texts(&lines), ["Tờ khai đăng", "ký khai sinh", "theo mẫu"]);
        assert!(lines.iter().all(|l| l.width <= 12.0));
    }

    #[test]
    fn mixed_faces_keep_their_positions() {
        let lines = wrap(&[(Face::Bold, "Mã:"), (Face::Regular, " 000.00.31")], 40.0, &measure);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].runs[0], Run { face: Face::Bold, text: "Mã:".into(), x: 0.0 });
        assert_eq!(lines[0].runs[1], Run { face: Face::Regular, text: " 000.00.31".into(), x: 6.0 });
        assert_eq!(lines[0].width, 16.0);
    }

    #[test]
    fn glued_spans_do_not_break_apart() {
        let lines = wrap(&[(Face::Regular, "ab "), (Face::Bold, "cd"), (Face::Regular, "ef")], 7.0, &measure);
        assert_eq!(texts(&lines), ["ab", "cdef"]);
    }

    #[test]
    fn too_long_words_are_cut_and_newlines_force_breaks() {
        let lines = wrap(&[(Face::Regular, "https://example.vn/x\nok")], 8.0, &measure);
        assert_eq!(texts(&lines), ["https://", "example.", "vn/x", "ok"]);
    }

    #[test]
    fn an_empty_paragraph_is_an_empty_line() {
        assert_eq!(texts(&wrap(&[(Face::Regular, "a\n\nb")], 8.0, &measure)), ["a", "", "b"]);
    }
}
