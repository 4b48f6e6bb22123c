//! Downloads of lists and reports as spreadsheets (issue 16): CSV for any program, XLSX for Excel. Rows are
//! written as they come, so a list of a million dossiers never sits in memory: CSV goes straight to the writer,
//! XLSX rows spill to a temporary file (the crate's constant-memory mode) and the workbook is zipped onto the
//! writer at the end. [`stream`] writes a table on a thread of its own and hands its bytes on as they are
//! written, for the API and the pages to send.

use std::io::Write;

use bytes::Bytes;
use futures::stream::BoxStream;
use tokio::sync::mpsc::Sender;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use serde::Deserialize;

/// The two download formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl SheetFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            SheetFormat::Csv => "text/csv; charset=utf-8",
            SheetFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Csv => "csv",
            SheetFormat::Xlsx => "xlsx",
        }
    }
}

/// One value. Local dates and times: the caller converts instants to the calendar's zone.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Count(u64),
    /// Hundredths, shown with two decimals (points).
    Hundredths(u64),
    /// A share of 1, shown as a percentage.
    Share(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Count(n)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map_or(Cell::Empty, Into::into)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("writing the download: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Excel's last row: a longer list continues on a new sheet with the same headings.
const XLSX_ROWS: u32 = 1_048_576;

/// Writes one table, row by row, in either format.
pub struct SheetWriter<W: Write + Send> {
    out: W,
    headers: Vec<String>,
    xlsx: Option<Xlsx>,
}

struct Xlsx {
    workbook: Workbook,
    sheet: usize,
    row: u32,
    bold: CellFormat,
    hundredths: CellFormat,
    share: CellFormat,
    date: CellFormat,
    date_time: CellFormat,
}

impl<W: Write + Send> SheetWriter<W> {
    /// Starts the table with its headings (Vietnamese, as the reader's spreadsheet shows them).
    pub fn start(format: SheetFormat, headers: Vec<String>, mut out: W) -> Result<Self, SheetError> {
        let xlsx = match format {
            SheetFormat::Csv => {
                // The byte order mark tells Excel the file is UTF-8: without it Vietnamese text is garbled.
                out.write_all("\u{feff}".as_bytes())?;
                write_csv_line(&mut out, headers.iter().map(|h| csv_text(h)))?;
                None
            }
            SheetFormat::Xlsx => {
                let mut x = Xlsx {
                    workbook: Workbook::new(),
                    sheet: 0,
                    row: 0,
                    bold: CellFormat::new().set_bold(),
                    hundredths: CellFormat::new().set_num_format("0.00"),
                    share: CellFormat::new().set_num_format("0.0%"),
                    date: CellFormat::new().set_num_format("dd/mm/yyyy"),
                    date_time: CellFormat::new().set_num_format("dd/mm/yyyy hh:mm"),
                };
                x.new_sheet(&headers)?;
                Some(x)
            }
        };
        Ok(SheetWriter { out, headers, xlsx })
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), SheetError> {
        match &mut self.xlsx {
            None => write_csv_line(&mut self.out, cells.iter().map(csv_cell)),
            Some(x) => {
                if x.row == XLSX_ROWS {
                    x.new_sheet(&self.headers)?;
                }
                x.row(cells)
            }
        }
    }

    /// Ends the table and returns the writer.
    pub fn finish(mut self) -> Result<W, SheetError> {
        if let Some(mut x) = self.xlsx.take() {
            x.workbook.save_to_writer(&mut self.out)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl Xlsx {
    fn new_sheet(&mut self, headers: &[String]) -> Result<(), SheetError> {
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        for (col, header) in (0u16..).zip(headers) {
            sheet.write_string_with_format(0, col, header, &self.bold)?;
            sheet.set_column_width(col, (header.chars().count() as f64 + 2.0).clamp(10.0, 40.0))?;
        }
        sheet.set_freeze_panes(1, 0)?;
        self.sheet = self.workbook.worksheets().len() - 1;
        self.row = 1;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), SheetError> {
        let (row, formats) = (self.row, (&self.hundredths, &self.share, &self.date, &self.date_time));
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    sheet.write_string(row, col, text)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Hundredths(n) => {
                    sheet.write_number_with_format(row, col, *n as f64 / 100.0, formats.0)?;
                }
                Cell::Share(share) => {
                    sheet.write_number_with_format(row, col, *share, formats.1)?;
                }
                Cell::Date(date) => {
                    sheet.write_datetime_with_format(row, col, date, formats.2)?;
                }
                Cell::DateTime(at) => {
                    sheet.write_datetime_with_format(row, col, at, formats.3)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }
}

fn write_csv_line(out: &mut impl Write, cells: impl Iterator<Item = String>) -> Result<(), SheetError> {
    let line: Vec<String> = cells.collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")?;
    Ok(())
}

/// A cell as CSV spells it for a Vietnamese reader: dates day first, decimals with a comma.
fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => csv_text(text),
        Cell::Count(n) => n.to_string(),
        Cell::Hundredths(n) => format!("\"{},{:02}\"", n / 100, n % 100),
        Cell::Share(share) => format!("\"{}\"", format!("{:.1}%", share * 100.0).replace('.', ",")),
        Cell::Date(date) => date.format("%d/%m/%Y").to_string(),
        Cell::DateTime(at) => at.format("%d/%m/%Y %H:%M").to_string(),
    }
}

/// Quoted where RFC 4180 asks; text a spreadsheet would run as a formula (a name typed as `=HYPERLINK(…)`)
/// is led by an apostrophe so it stays text.
fn csv_text(text: &str) -> String {
    let guarded = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

/// Headings and rows of a table small enough to hold (a scorecard, a breakdown, a register).
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// What a table's rows are emitted through.
pub type Emit<'a> = dyn FnMut(&[Cell]) -> Result<(), SheetError> + 'a;

/// Why a download stopped short: reading its rows (a page of a list) or writing them.
pub type FillError = Box<dyn std::error::Error + Send + Sync>;

/// A table on its way to a client.
pub struct Download {
    /// ASCII, with the format's extension.
    pub file_name: String,
    pub content_type: &'static str,
    /// The bytes as they are written; an error item where the writing failed, so the download is cut off
    /// rather than ended as if whole.
    pub body: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

/// Chunks in flight between the writing thread and the client: the writer blocks while the client is slower.
const PIPE_DEPTH: usize = 8;
const CHUNK: usize = 64 * 1024;

type Chunk = Result<Bytes, std::io::Error>;

/// A writer that hands what it is given on in chunks.
struct Pipe {
    tx: Sender<Chunk>,
    buffer: Vec<u8>,
}

impl Write for Pipe {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// The table named `stem` (see [`stem`]) with `headers`, whose rows `fill` emits on a thread of its own.
pub fn stream<F>(format: SheetFormat, stem: &str, headers: Vec<String>, fill: F) -> Download
where
    F: FnOnce(&mut Emit<'_>) -> Result<(), FillError> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(PIPE_DEPTH);
    let file_name = format!("{stem}.{}", format.extension());
    let logged = file_name.clone();
    std::thread::spawn(move || {
        let failed = tx.clone();
        let written = (|| -> Result<(), FillError> {
            let mut writer = SheetWriter::start(format, headers, Pipe { tx, buffer: Vec::with_capacity(CHUNK) })?;
            fill(&mut |row: &[Cell]| writer.row(row))?;
            writer.finish()?;
            Ok(())
        })();
        if let Err(e) = written {
            tracing::error!(download = %logged, error = %e, "download cut off");
            let _ = failed.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    Download { file_name, content_type: format.content_type(), body: Box::pin(body) }
}

/// [`stream`] of rows at hand.
pub fn stream_table(format: SheetFormat, stem: &str, table: Table) -> Download {
    let rows = table.rows;
    stream(format, stem, table.headers, move |emit| {
        for row in &rows {
            emit(row)?;
        }
        Ok(())
    })
}

/// A file name's stem from free text (an agency id, a period): ASCII letters, digits and dashes only.
pub fn stem(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(40).collect::<String>())
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(rows: &[Vec<Cell>]) -> String {
        let mut w = SheetWriter::start(SheetFormat::Csv, vec!["Mã hồ sơ".into(), "Điểm".into()], Vec::new()).unwrap();
        for r in rows {
            w.row(r).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn csv_is_utf8_with_a_byte_order_mark_quoted_and_day_first() {
        let date = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        let text = csv(&[
            vec!["Nguyễn \"Văn\", A".into(), Cell::Hundredths(5323)],
            vec![Cell::Date(date), Cell::Share(0.5)],
            vec!["=1+1".into(), Cell::Count(u64::MAX)],
        ]);
        assert_eq!(
            text,
            "\u{feff}Mã hồ sơ,Điểm\r\n\"Nguyễn \"\"Văn\"\", A\",\"53,23\"\r\n31/12/9999,\"50,0%\"\r\n'=1+1,18446744073709551615\r\n"
        );
    }

    #[test]
    fn xlsx_is_a_zip_holding_a_worksheet() {
        let mut w = SheetWriter::start(SheetFormat::Xlsx, vec!["Mã".into()], Vec::new()).unwrap();
        w.row(&["Hồ sơ".into()]).unwrap();
        let bytes = w.finish().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(zip.by_name("xl/worksheets/sheet1.xml").is_ok());
    }
}
