//! Tesseract (with its Vietnamese model) as the paper reader, through its command line, and poppler's
//! `pdftotext` and `pdftoppm` for PDFs: a PDF that carries its text is taken at its word, a scanned one is
//! rendered at 300 dpi a page at a time and recognised. Each command runs with a time limit, on one thread.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::domain::reading::Word;
use crate::ports::reader::{PaperReader, ReadError, Recognised};

/// How the reader is set up (`MOTCUA_OCR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcrSetup {
    /// Read with `tesseract` if it is installed with the Vietnamese model (the default).
    Auto,
    Off,
    /// Read with this `tesseract` command.
    Command(PathBuf),
}

impl OcrSetup {
    pub fn parse(value: Option<&str>) -> OcrSetup {
        match value.map(str::trim) {
            None | Some("" | "auto") => OcrSetup::Auto,
            Some("off" | "none" | "0" | "false") => OcrSetup::Off,
            Some(path) => OcrSetup::Command(path.into()),
        }
    }

    pub fn to_env(&self) -> String {
        match self {
            OcrSetup::Auto => "auto".into(),
            OcrSetup::Off => "off".into(),
            OcrSetup::Command(path) => path.display().to_string(),
        }
    }
}

/// Pages of a scanned PDF read at most; the rest of a long PDF stays unread (its first pages say what it is).
const MAX_PAGES: u32 = 8;
/// Rendering resolution of a scanned PDF's pages.
const PDF_DPI: u32 = 300;
/// A PDF whose embedded text has fewer letters than this is a scan.
const MIN_EMBEDDED_LETTERS: usize = 40;
const TIME_LIMIT: Duration = Duration::from_secs(120);

pub struct Tesseract {
    command: PathBuf,
    languages: String,
}

impl Tesseract {
    /// The reader the setup names, checked to run and to have the Vietnamese model; `None` (logged) otherwise.
    pub fn from_setup(setup: &OcrSetup) -> Option<Tesseract> {
        let command = match setup {
            OcrSetup::Off => return None,
            OcrSetup::Auto => PathBuf::from("tesseract"),
            OcrSetup::Command(path) => path.clone(),
        };
        let langs = match Command::new(&command).arg("--list-langs").stderr(Stdio::null()).output() {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
            Ok(_) | Err(_) => {
                if *setup != OcrSetup::Auto {
                    tracing::error!(command = %command.display(), "the text recogniser does not run: papers are kept unread");
                }
                return None;
            }
        };
        if !langs.lines().any(|l| l.trim() == "vie") {
            tracing::error!("tesseract has no Vietnamese model (Debian: tesseract-ocr-vie): papers are kept unread");
            return None;
        }
        Some(Tesseract { command, languages: "vie".into() })
    }

    /// Reads a page with automatic layout analysis; a page where that finds (next to) nothing, as it does on a
    /// page laid a few degrees crooked, is read again as one block of text, which straightens it.
    fn recognise_image(&self, image: &Path) -> Result<(String, Vec<Word>), ReadError> {
        let read = |psm: &str| -> Result<(String, Vec<Word>), ReadError> {
            let out = run(Command::new(&self.command).arg(image).arg("stdout").args([
                "-l",
                &self.languages,
                "--psm",
                psm,
                "tsv",
            ]))?;
            Ok(parse_tsv(&String::from_utf8_lossy(&out)))
        };
        let laid_out = read("3")?;
        if laid_out.1.len() >= 3 {
            return Ok(laid_out);
        }
        let block = read("6")?;
        Ok(if block.1.len() > laid_out.1.len() { block } else { laid_out })
    }
}

impl PaperReader for Tesseract {
    fn reads(&self, media_type: &str) -> bool {
        matches!(media_type, "image/png" | "image/jpeg" | "image/tiff" | "image/webp" | "application/pdf")
    }

    fn read(&self, media_type: &str, bytes: &[u8]) -> Result<Recognised, ReadError> {
        if !self.reads(media_type) {
            return Err(ReadError::NotReadable(media_type.into()));
        }
        let dir = Scratch::new()?;
        if media_type == "application/pdf" {
            let pdf = dir.write("paper.pdf", bytes)?;
            let embedded = run(Command::new("pdftotext").args(["-enc", "UTF-8", "-layout"]).arg(&pdf).arg("-"))?;
            let embedded = String::from_utf8_lossy(&embedded).into_owned();
            if embedded.chars().filter(|c| c.is_alphabetic()).count() >= MIN_EMBEDDED_LETTERS {
                return Ok(Recognised { text: tidy(&embedded), pages: Vec::new() });
            }
            run(Command::new("pdftoppm")
                .args(["-r", &PDF_DPI.to_string(), "-gray", "-png", "-l", &MAX_PAGES.to_string()])
                .arg(&pdf)
                .arg(dir.path.join("page")))?;
            let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir.path)
                .map_err(|e| ReadError::Failed(e.to_string()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "png"))
                .collect();
            pages.sort();
            let mut recognised = Recognised::default();
            for page in pages {
                let (text, words) = self.recognise_image(&page)?;
                recognised.text.push_str(&text);
                recognised.pages.push(words);
            }
            return Ok(recognised);
        }
        let image = dir.write("paper.img", bytes)?;
        let (text, words) = self.recognise_image(&image)?;
        Ok(Recognised { text, pages: vec![words] })
    }
}

/// The text of a PDF's layout without its runs of spaces and blank lines.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !words.is_empty() {
            out.push_str(&words.join(" "));
            out.push('\n');
        }
    }
    out
}

/// Words (level 5 rows) of tesseract's TSV, and the text they make, a line per line.
fn parse_tsv(tsv: &str) -> (String, Vec<Word>) {
    let mut words = Vec::new();
    let mut text = String::new();
    let mut last_line = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let n = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        let line = n(2) * 1_000_000 + n(3) * 1_000 + n(4);
        if last_line.is_some_and(|l| l != line) {
            text.push('\n');
        } else if last_line.is_some() {
            text.push(' ');
        }
        last_line = Some(line);
        text.push_str(word);
        words.push(Word {
            text: word.to_string(),
            confidence: cols[10].trim().parse().unwrap_or(0.0),
            left: n(6),
            top: n(7),
            width: n(8),
            height: n(9),
            line,
        });
    }
    if !text.is_empty() {
        text.push('\n');
    }
    (text, words)
}

/// Runs a command to its end within the time limit, on one thread; its standard output.
fn run(command: &mut Command) -> Result<Vec<u8>, ReadError> {
    let name = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ReadError::Failed(format!("{name}: {e}")))?;
    // Read the output on a thread so that a full pipe cannot stall the child while we wait.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).map(|_| out)
    });
    let errors = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut err);
        err
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReadError::Failed(format!("{name}: no answer in {} s", TIME_LIMIT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(ReadError::Failed(format!("{name}: {e}"))),
        }
    };
    let out = reader.join().expect("reader thread").map_err(|e| ReadError::Failed(format!("{name}: {e}")))?;
    let err = errors.join().expect("stderr thread");
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        return Err(ReadError::Failed(format!("{name}: {status}: {}", err.trim())));
    }
    Ok(out)
}

/// A scratch folder of its own, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch, ReadError> {
        let path = std::env::temp_dir().join(format!("motcua-read-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&path).map_err(|e| ReadError::Failed(format!("{}: {e}", path.display())))?;
        Ok(Scratch { path })
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, ReadError> {
        let path = self.path.join(name);
        std::fs::write(&path, bytes).map_err(|e| ReadError::Failed(format!("{}: {e}", path.display())))?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_keep_their_boxes_and_lines() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            4\t1\t1\t1\t1\t0\t10\t10\t300\t30\t-1\t\n\
            5\t1\t1\t1\t1\t1\t10\t10\t100\t30\t95.5\tHọ\n\
            5\t1\t1\t1\t1\t2\t120\t10\t100\t30\t91\ttên\n\
            5\t1\t1\t1\t2\t1\t10\t50\t100\t30\t88\tNAM\n";
        let (text, words) = parse_tsv(tsv);
        assert_eq!(text, "Họ tên\nNAM\n");
        assert_eq!(words.len(), 3);
        assert_eq!(words[1].left, 120);
        assert_ne!(words[0].line, words[2].line);
        assert!((words[0].confidence - 95.5).abs() < 0.01);
    }
}
