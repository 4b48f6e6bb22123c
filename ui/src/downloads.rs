//! Lists and reports downloaded as CSV or XLSX, by the API (`?format=csv|xlsx`) and the pages: the rows are written on a blocking thread,
//! page after page, and reach the client as they are written, so a download of a million dossiers holds a page
//! in memory, not the list. Whatever can be refused (the role, the agency, the filters) is checked on the first
//! page, before the response starts; a failure later cuts the download off rather than ending it as if whole.

use std::io::Write;

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use motcua_engine::adapters::sheets::{Cell, SheetFormat, SheetWriter};
use tokio::sync::mpsc::Sender;

/// Chunks in flight between the writing thread and the client.
const PIPE_DEPTH: usize = 8;
const CHUNK: usize = 64 * 1024;

type Chunk = Result<web::Bytes, std::io::Error>;

/// A writer that hands what it is given to the response in chunks, blocking while the client is slower.
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
        let chunk = web::Bytes::from(std::mem::take(&mut self.buffer));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// Emits one row of the table being downloaded.
pub type Emit<'a> = dyn FnMut(&[Cell]) -> anyhow::Result<()> + 'a;

/// A download named `stem` (ASCII, without extension) with `headers`, whose rows `fill` emits.
pub fn download<F>(format: SheetFormat, stem: &str, headers: Vec<String>, fill: F) -> HttpResponse
where
    F: FnOnce(&mut Emit<'_>) -> anyhow::Result<()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(PIPE_DEPTH);
    let name = format!("{stem}.{}", format.extension());
    let logged = name.clone();
    std::thread::spawn(move || {
        let failed = tx.clone();
        let written = (|| {
            let mut writer = SheetWriter::start(format, headers, Pipe { tx, buffer: Vec::with_capacity(CHUNK) })?;
            fill(&mut |row: &[Cell]| Ok(writer.row(row)?))?;
            writer.finish()?;
            anyhow::Ok(())
        })();
        if let Err(e) = written {
            tracing::error!(download = %logged, error = %e, "download cut off");
            let _ = failed.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .streaming(body)
}

/// A download of rows already at hand (a scorecard, a breakdown).
pub fn table(format: SheetFormat, stem: &str, table: motcua_engine::service::downloads::Table) -> HttpResponse {
    let rows = table.rows;
    download(format, stem, table.headers, move |emit| {
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
