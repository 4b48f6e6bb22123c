//! A mail relay, simulated (`motcua sim mail`): a real SMTP server on its own port, the counterpart of
//! `motcua_engine::adapters::mail`, with an HTTP side that shows what arrived (`GET /messages`, `DELETE
//! /messages`) and takes the fault plan (`/_sim/faults`).
//!
//! Written here rather than taken from a crate: the embeddable servers on crates.io run their own thread pools
//! with blocking IO and give no hook to refuse a connection or lose an answer, which is what the simulator is
//! for. This one is a small tokio task per connection.
//!
//! SMTP (RFC 5321), strictly:
//! - commands end with CRLF and are at most 512 octets; text lines at most 1000; a bare LF in the data is
//!   refused (as Postfix does, against SMTP smuggling);
//! - order: EHLO/HELO, then MAIL FROM, then one or more RCPT TO, then DATA; anything out of order is 503;
//!   EHLO again or RSET start over; NOOP, RSET, QUIT work at any time; VRFY answers 252; STARTTLS and AUTH
//!   are not offered (502); unknown commands 500;
//! - paths are `<local@domain>` with a dot-atom local part (quoted local parts and source routes are refused:
//!   553 and 501), the sender may be `<>`; MAIL takes `BODY=7BIT|8BITMIME` and `SIZE=n`, nothing else (555);
//!   at most 100 recipients; messages above the size limit are refused (552);
//! - DATA ends at `<CRLF>.<CRLF>`; leading dots are unstuffed; the message is kept and answered
//!   `250 2.0.0 Ok: queued as N`.
//!
//! Faults are decided once per connection (lettre opens one per message): `error` and `down` greet with
//! `421 4.3.2` and hang up (the client retries later); `timeout` holds the greeting for the given time;
//! `answer_twice` keeps the message but hangs up instead of answering the DATA, so the client believes it
//! failed and sends it again (both copies are kept, as a real relay would; they carry the same Message-ID).

pub mod mime;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::faults::Decision;
use super::{Faults, Running};

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address the SMTP side listens on (the HTTP side is `--bind`).
    #[arg(long, default_value = "127.0.0.1:2525")]
    pub smtp_bind: String,
    /// The name the server greets with.
    #[arg(long, default_value = "mail.sim.invalid")]
    pub hostname: String,
    /// The largest message taken, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub max_size: usize,
}

/// One mail as the relay took it, and as its reader would see it.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub id: usize,
    /// The EHLO/HELO name of the client.
    pub helo: String,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub received_at: DateTime<Utc>,
    pub size: usize,
    pub message_id: Option<String>,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub content_type: Option<String>,
    pub parts: Vec<mime::Part>,
    /// Why the content could not be read, if it could not (the mail is kept anyway).
    pub parse_error: Option<String>,
    pub raw: String,
}

type Mailbox = Arc<Mutex<Vec<Received>>>;

/// The mail simulator, running: SMTP on a thread of its own, HTTP on another.
pub struct MailSim {
    /// `smtp://127.0.0.1:port`, as `MOTCUA_SMTP_URL` takes it.
    pub smtp_url: String,
    pub smtp_addr: SocketAddr,
    /// The HTTP side: `GET {url}/messages`, `/_sim/faults`.
    pub http: Running,
    pub faults: Faults,
    mailbox: Mailbox,
    shutdown: tokio::sync::watch::Sender<bool>,
    thread: std::thread::JoinHandle<()>,
}

impl MailSim {
    /// The mails received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        self.mailbox.lock().expect("mailbox lock").clone()
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.http.stop().await;
        let _ = tokio::task::spawn_blocking(move || self.thread.join()).await;
    }

    /// Stops from outside any async runtime (command line).
    pub fn stop_blocking(self) {
        let _ = self.shutdown.send(true);
        self.http.stop_blocking();
        let _ = self.thread.join();
    }
}

/// Starts the SMTP side on `smtp` and the HTTP side on `http`.
pub fn spawn(smtp: std::net::TcpListener, http: std::net::TcpListener, settings: Settings) -> std::io::Result<MailSim> {
    let smtp_addr = smtp.local_addr()?;
    smtp.set_nonblocking(true)?;
    let faults = Faults::default();
    let mailbox: Mailbox = Arc::default();
    let view = mailbox.clone();
    let http = super::spawn_with(http, faults.clone(), false, move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(view.clone()))
            .route("/messages", web::get().to(list))
            .route("/messages", web::delete().to(clear));
    })?;
    let (shutdown, mut stopped) = tokio::sync::watch::channel(false);
    let server = Server { settings: Arc::new(settings), faults: faults.clone(), mailbox: mailbox.clone() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::from_std(smtp) {
                Ok(l) => l,
                Err(e) => return tracing::error!(error = %e, "mail simulator cannot listen"),
            };
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            tokio::spawn(server.clone().session(stream));
                        }
                        Err(e) => tracing::warn!(error = %e, "mail simulator accept"),
                    },
                }
            }
        })
    });
    Ok(MailSim { smtp_url: format!("smtp://{smtp_addr}"), smtp_addr, http, faults, mailbox, shutdown, thread })
}

async fn list(mailbox: web::Data<Mailbox>) -> HttpResponse {
    let messages = mailbox.lock().expect("mailbox lock").clone();
    HttpResponse::Ok().json(serde_json::json!({ "messages": messages }))
}

async fn clear(mailbox: web::Data<Mailbox>) -> HttpResponse {
    mailbox.lock().expect("mailbox lock").clear();
    HttpResponse::NoContent().finish()
}

const COMMAND_LIMIT: usize = 512;
const TEXT_LINE_LIMIT: usize = 1000;
const MAX_RECIPIENTS: usize = 100;
/// Bad commands tolerated before hanging up.
const MAX_ERRORS: u32 = 10;

#[derive(Clone)]
struct Server {
    settings: Arc<Settings>,
    faults: Faults,
    mailbox: Mailbox,
}

/// Where a session stands.
#[derive(Default)]
struct Session {
    helo: Option<String>,
    extended: bool,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

impl Session {
    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }
}

/// One line read from the client.
enum Line {
    Text(Vec<u8>),
    TooLong,
    Closed,
}

async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>, limit: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let n = (&mut *reader).take(limit as u64).read_until(b'\n', &mut line).await?;
    if n == 0 {
        return Ok(Line::Closed);
    }
    if !line.ends_with(b"\n") {
        return Ok(if n >= limit { Line::TooLong } else { Line::Closed });
    }
    Ok(Line::Text(line))
}

impl Server {
    async fn session(self, stream: TcpStream) {
        if let Err(e) = self.converse(stream).await {
            tracing::debug!(error = %e, "mail simulator session ended");
        }
    }

    async fn converse(&self, stream: TcpStream) -> std::io::Result<()> {
        let host = self.settings.hostname.clone();
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let mut lose_answer = false;
        match self.faults.decide() {
            Decision::Refuse => {
                write
                    .write_all(format!("421 4.3.2 {host} Service not available, try again later\r\n").as_bytes())
                    .await?;
                return Ok(());
            }
            Decision::Delay(delay) => tokio::time::sleep(delay).await,
            Decision::HandleAndLoseAnswer => lose_answer = true,
            Decision::Handle => {}
        }
        write.write_all(format!("220 {host} ESMTP motcua mail simulator\r\n").as_bytes()).await?;
        let mut session = Session::default();
        let mut errors = 0;
        loop {
            let line = match read_line(&mut reader, COMMAND_LIMIT).await? {
                Line::Closed => return Ok(()),
                Line::TooLong => {
                    write.write_all(b"500 5.5.2 Line too long\r\n").await?;
                    return Ok(());
                }
                Line::Text(line) => line,
            };
            let reply = match line.strip_suffix(b"\r\n").map(std::str::from_utf8) {
                None => "500 5.5.2 Commands end with CRLF".to_string(),
                Some(Err(_)) => "500 5.5.2 Commands are ASCII".to_string(),
                Some(Ok(command)) => {
                    let (verb, arg) = command.split_once(' ').unwrap_or((command, ""));
                    match verb.to_ascii_uppercase().as_str() {
                        "QUIT" => {
                            write.write_all(b"221 2.0.0 Bye\r\n").await?;
                            return Ok(());
                        }
                        "DATA" if arg.is_empty() && !session.rcpt_to.is_empty() => {
                            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                            let Some(reply) = self.data(&mut reader, &mut session).await? else { return Ok(()) };
                            if lose_answer && reply.starts_with("250") {
                                // The message is kept; the answer never reaches the client.
                                return Ok(());
                            }
                            reply
                        }
                        verb => self.command(&mut session, verb, arg),
                    }
                }
            };
            if reply.starts_with('5') {
                errors += 1;
            }
            if errors > MAX_ERRORS {
                write.write_all(b"421 4.7.0 Too many errors, closing\r\n").await?;
                return Ok(());
            }
            write.write_all(reply.as_bytes()).await?;
            write.write_all(b"\r\n").await?;
        }
    }

    /// The reply to a command other than QUIT and an acceptable DATA.
    fn command(&self, session: &mut Session, verb: &str, arg: &str) -> String {
        let host = &self.settings.hostname;
        match verb {
            "EHLO" | "HELO" => {
                if !valid_helo(arg) {
                    return format!("501 5.5.4 Syntax: {verb} hostname");
                }
                session.reset();
                session.helo = Some(arg.to_string());
                session.extended = verb == "EHLO";
                if verb == "HELO" {
                    return format!("250 {host}");
                }
                format!(
                    "250-{host} greets {arg}\r\n250-8BITMIME\r\n250-SIZE {}\r\n250 ENHANCEDSTATUSCODES",
                    self.settings.max_size
                )
            }
            "MAIL" => {
                if session.helo.is_none() {
                    return "503 5.5.1 Send HELO/EHLO first".into();
                }
                if session.mail_from.is_some() {
                    return "503 5.5.1 Nested MAIL command".into();
                }
                let Some(rest) = strip_keyword(arg, "FROM:") else {
                    return "501 5.5.4 Syntax: MAIL FROM:<address>".into();
                };
                let (path, params) = match split_path(rest) {
                    Ok(split) => split,
                    Err(reply) => return reply,
                };
                if !path.is_empty() && !valid_address(path) {
                    return "553 5.1.7 Bad sender address syntax".into();
                }
                for param in params.split(' ').filter(|p| !p.is_empty()) {
                    let (key, value) = param.split_once('=').unwrap_or((param, ""));
                    match key.to_ascii_uppercase().as_str() {
                        "BODY"
                            if session.extended
                                && matches!(value.to_ascii_uppercase().as_str(), "7BIT" | "8BITMIME") => {}
                        "SIZE"
                            if session.extended && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            if value.parse::<usize>().map_or(true, |size| size > self.settings.max_size) {
                                return "552 5.3.4 Message size exceeds fixed limit".into();
                            }
                        }
                        _ => return format!("555 5.5.4 Unsupported parameter {param}"),
                    }
                }
                session.mail_from = Some(path.to_string());
                "250 2.1.0 Ok".into()
            }
            "RCPT" => {
                if session.mail_from.is_none() {
                    return "503 5.5.1 Need MAIL before RCPT".into();
                }
                let Some(rest) = strip_keyword(arg, "TO:") else { return "501 5.5.4 Syntax: RCPT TO:<address>".into() };
                let (path, params) = match split_path(rest) {
                    Ok(split) => split,
                    Err(reply) => return reply,
                };
                if !params.trim().is_empty() {
                    return format!("555 5.5.4 Unsupported parameter {}", params.trim());
                }
                if !valid_address(path) {
                    return "553 5.1.3 Bad recipient address syntax".into();
                }
                if session.rcpt_to.len() >= MAX_RECIPIENTS {
                    return "452 4.5.3 Too many recipients".into();
                }
                session.rcpt_to.push(path.to_string());
                "250 2.1.5 Ok".into()
            }
            "DATA" if !arg.is_empty() => "501 5.5.4 Syntax: DATA".into(),
            "DATA" if session.mail_from.is_none() => "503 5.5.1 Need MAIL command".into(),
            "DATA" => "503 5.5.1 Need RCPT command".into(),
            "RSET" if !arg.is_empty() => "501 5.5.4 Syntax: RSET".into(),
            "RSET" => {
                session.reset();
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "VRFY" => "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery".into(),
            "STARTTLS" | "AUTH" | "EXPN" | "HELP" | "TURN" | "ETRN" | "BDAT" => {
                "502 5.5.1 Command not implemented".into()
            }
            _ => "500 5.5.2 Command unrecognized".into(),
        }
    }

    /// Reads the message after `354`; answers the reply, or `None` if the client went away.
    async fn data<R: AsyncRead + Unpin>(
        &self,
        reader: &mut BufReader<R>,
        session: &mut Session,
    ) -> std::io::Result<Option<String>> {
        let mut message = Vec::new();
        let (mut bare_lf, mut too_long, mut too_big) = (false, false, false);
        loop {
            let line = match read_line(reader, TEXT_LINE_LIMIT).await? {
                Line::Closed => return Ok(None),
                Line::TooLong => {
                    too_long = true;
                    // Skip the rest of the over-long line.
                    let mut rest = Vec::new();
                    if reader.read_until(b'\n', &mut rest).await? == 0 {
                        return Ok(None);
                    }
                    continue;
                }
                Line::Text(line) => line,
            };
            if line == b".\r\n" {
                break;
            }
            bare_lf |= !line.ends_with(b"\r\n");
            let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
            if message.len() + unstuffed.len() > self.settings.max_size {
                too_big = true;
            } else {
                message.extend_from_slice(unstuffed);
            }
        }
        let mail_from = session.mail_from.take().unwrap_or_default();
        let rcpt_to = std::mem::take(&mut session.rcpt_to);
        if bare_lf {
            return Ok(Some("550 5.5.2 Bare <LF> received; lines end with <CR><LF>".into()));
        }
        if too_long {
            return Ok(Some("500 5.5.2 Line too long (over 1000 octets)".into()));
        }
        if too_big {
            return Ok(Some("552 5.3.4 Message size exceeds fixed limit".into()));
        }
        let id = self.store(session.helo.clone().unwrap_or_default(), mail_from, rcpt_to, message);
        Ok(Some(format!("250 2.0.0 Ok: queued as {id}")))
    }

    fn store(&self, helo: String, mail_from: String, rcpt_to: Vec<String>, message: Vec<u8>) -> usize {
        let parsed = mime::parse(&message);
        let header = |name: &str| parsed.as_ref().ok().and_then(|p| p.header(name)).map(str::to_string);
        let mut mailbox = self.mailbox.lock().expect("mailbox lock");
        let id = mailbox.len() + 1;
        mailbox.push(Received {
            id,
            helo,
            mail_from,
            rcpt_to,
            received_at: Utc::now(),
            size: message.len(),
            message_id: header("Message-ID"),
            subject: header("Subject"),
            from: header("From"),
            to: header("To"),
            content_type: parsed.as_ref().ok().map(|p| p.content_type.clone()),
            parts: parsed.as_ref().map(|p| p.parts.clone()).unwrap_or_default(),
            parse_error: parsed.as_ref().err().cloned(),
            raw: String::from_utf8_lossy(&message).into_owned(),
        });
        id
    }
}

/// `FROM:` / `TO:` at the start of an argument, case-insensitive.
fn strip_keyword<'a>(arg: &'a str, keyword: &str) -> Option<&'a str> {
    let head = arg.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword).then(|| &arg[keyword.len()..])
}

/// `<path> params` → (path without brackets, params).
fn split_path(rest: &str) -> Result<(&str, &str), String> {
    let Some(inner) = rest.strip_prefix('<') else { return Err("501 5.5.4 Syntax: the address goes in <>".into()) };
    let Some(end) = inner.find('>') else { return Err("501 5.5.4 Syntax: missing >".into()) };
    let (path, params) = (&inner[..end], &inner[end + 1..]);
    if path.starts_with('@') {
        return Err("501 5.5.4 Source routes are not accepted".into());
    }
    if !params.is_empty() && !params.starts_with(' ') {
        return Err("501 5.5.4 Syntax: a space goes between the address and its parameters".into());
    }
    Ok((path, params))
}

/// `local@domain` with a dot-atom local part of at most 64 octets and a domain (or address literal).
pub fn valid_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    address.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
        && (valid_domain(domain) || valid_literal(domain))
}

/// Labels of letters, digits and inner hyphens, at most 63 octets each, 253 in all.
fn valid_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
fn valid_literal(literal: &str) -> bool {
    let Some(inner) = literal.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else { return false };
    match inner.strip_prefix("IPv6:") {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => inner.parse::<std::net::Ipv4Addr>().is_ok(),
    }
}

fn valid_helo(arg: &str) -> bool {
    valid_domain(arg) || valid_literal(arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_strictly() {
        for good in ["thu@example.vn", "a.b+c@mail.example.vn", "x@[127.0.0.1]", "motcua@localhost"] {
            assert!(valid_address(good), "{good}");
        }
        for bad in
            ["", "thu", "@example.vn", "thu@", "a..b@example.vn", "\"a b\"@example.vn", "thu@-x.vn", "thu@ex_ample.vn"]
        {
            assert!(!valid_address(bad), "{bad}");
        }
        assert!(valid_helo("[127.0.0.1]") && valid_helo("client.example.vn") && !valid_helo(""));
        assert_eq!(split_path("<a@b.vn> BODY=8BITMIME"), Ok(("a@b.vn", " BODY=8BITMIME")));
        assert!(
            split_path("a@b.vn").is_err() && split_path("<@r:a@b.vn>").is_err() && split_path("<a@b.vn>X").is_err()
        );
    }
}
