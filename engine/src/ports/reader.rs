//! Text recognition (OCR) of scanned and uploaded papers: the words of each page with their boxes, or the plain
//! text of a paper that carries it (a PDF made on a computer). Slow (a second or more a page): only background
//! jobs call it.

use crate::domain::reading::Word;

/// What was recognised on one paper.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recognised {
    /// The text, lines in reading order.
    pub text: String,
    /// Per scanned page, its words (empty for a page whose text was embedded, not recognised).
    pub pages: Vec<Vec<Word>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A kind of file the reader does not read (a spreadsheet, say): nothing to retry.
    #[error("not a readable kind of file: {0}")]
    NotReadable(String),
    /// The recogniser failed (missing, crashed, timed out): worth another try.
    #[error("the text recogniser failed: {0}")]
    Failed(String),
}

pub trait PaperReader: Send + Sync {
    /// Whether files of this media type are read at all.
    fn reads(&self, media_type: &str) -> bool;
    fn read(&self, media_type: &str, bytes: &[u8]) -> Result<Recognised, ReadError>;
}
