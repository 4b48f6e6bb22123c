//! Notifications by e-mail (DESIGN.md §10): a [`Sink`] for the `notify.email` outbox topic that sends each
//! message through an SMTP relay with lettre's blocking transport.
//!
//! - The relay is `MOTCUA_SMTP_URL`: `smtp://host:port` (plain, for a relay on the same host or network),
//!   `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465` (TLS from the first
//!   byte). A path names the host in EHLO (`smtp://relay:25/motcua.example.gov.vn`).
//! - One connection per message (no pool): the dispatcher sends a handful at a time, and a fresh connection
//!   means a relay that went away costs one failed attempt, not a stale pooled socket.
//! - The message is multipart/alternative: the plain text first, the HTML second (clients show the last part
//!   they can render). lettre picks quoted-printable or base64 for the Vietnamese text, and RFC 2047 for the
//!   subject and names.
//! - `Message-ID` is derived from the outbox key (`<{dossier}.{seq}.email@{sender's domain}>`): if the
//!   relay's answer to DATA is lost and the message is sent again, the copy carries the same id, which is
//!   how mail systems recognise a duplicate.
//! - Outcomes: a 4xx reply, a timeout or a broken connection is transient (retried with backoff); a 5xx reply
//!   (unknown mailbox, refused sender) or an address lettre cannot parse means this message cannot go, so it is
//!   parked dead at once, with the reply as its last error.

use std::time::Duration;

use lettre::Transport;
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::transport::smtp::SmtpTransport;

use crate::ports::notice::EmailNotice;
use crate::ports::{Delivery, Failure, Receipt, Sink};

pub struct MailSink {
    transport: SmtpTransport,
    from: Mailbox,
}

impl MailSink {
    /// A sink for the relay at `url`, sending as `from` (`Name <address>`); an error names what is wrong with
    /// either.
    pub fn new(url: &str, from: &str, timeout: Duration) -> Result<MailSink, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("the sender `{from}`: {e}"))?;
        let transport =
            SmtpTransport::from_url(url).map_err(|e| format!("the SMTP URL: {e}"))?.timeout(Some(timeout)).build();
        Ok(MailSink { transport, from })
    }

    /// The e-mail of an outbox message, ready to send.
    pub fn compose(&self, key: &str, notice: &EmailNotice) -> Result<Message, Failure> {
        let address = notice.to.parse().map_err(|e| Failure::Rejected(format!("the address `{}`: {e}", notice.to)))?;
        let to = Mailbox::new(Some(notice.to_name.clone()), address);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(notice.subject.clone())
            .message_id(Some(message_id(key, self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(notice.text.clone(), notice.html.clone()))
            .map_err(|e| Failure::Rejected(format!("the message cannot be built: {e}")))
    }
}

/// `<{key, with ':' as '.'}@{domain}>`: the outbox key is `{dossier}:{seq}:email`, and ':' is not allowed in a
/// message id.
pub fn message_id(key: &str, domain: &str) -> String {
    let left: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') { c } else { '.' }).collect();
    format!("<{left}@{domain}>")
}

impl Sink for MailSink {
    fn deliver(&self, delivery: &Delivery<'_>) -> Result<Receipt, Failure> {
        let notice: EmailNotice = serde_json::from_str(delivery.payload)
            .map_err(|e| Failure::Rejected(format!("not an e-mail notification: {e}")))?;
        let email = self.compose(delivery.key, &notice)?;
        match self.transport.send(&email) {
            Ok(_) => Ok(Receipt::Delivered),
            Err(e) if e.is_permanent() => Err(Failure::Rejected(format!("SMTP {e}"))),
            Err(e) if timed_out(&e) => Err(Failure::Transient("SMTP timed out".into())),
            Err(e) => Err(Failure::Transient(format!("SMTP {e}"))),
        }
    }
}

/// lettre's `is_timeout` looks for `TimedOut` only; a socket read timeout on Unix surfaces as `WouldBlock`.
fn timed_out(error: &lettre::transport::smtp::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock);
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_come_from_keys() {
        assert_eq!(
            message_id("0192f0e4-7b1c-7d2e-9f00-1a2b3c4d5e6f:2:email", "hongbang.gov.vn"),
            "<0192f0e4-7b1c-7d2e-9f00-1a2b3c4d5e6f.2.email@hongbang.gov.vn>"
        );
    }

    #[test]
    fn the_default_sender_and_urls_are_accepted() {
        let timeout = Duration::from_secs(1);
        let default_from = crate::adapters::outside::Outside::default().mail_from;
        assert!(MailSink::new("smtp://127.0.0.1:2525", &default_from, timeout).is_ok());
        assert!(MailSink::new("smtps://user:secret@mail.example.vn", &default_from, timeout).is_ok());
        assert!(MailSink::new("smtp://mail.example.vn:587?tls=required", &default_from, timeout).is_ok());
        assert!(MailSink::new("http://mail.example.vn", &default_from, timeout).is_err());
        assert!(MailSink::new("smtp://127.0.0.1:2525", "not an address", timeout).is_err());
    }

    #[test]
    fn a_message_is_plain_text_and_html_with_its_id() {
        let sink =
            MailSink::new("smtp://127.0.0.1:2525", "Một cửa <motcua@hongbang.gov.vn>", Duration::from_secs(1)).unwrap();
        let notice = EmailNotice {
            kind: crate::ports::notice::NoticeKind::Receipt,
            to: "thu@example.vn".into(),
            to_name: "Nguyễn Văn Thử".into(),
            dossier_code: Some("000.31.01.H26-261124-0001".into()),
            subject: "Hồ sơ 000.31.01.H26-261124-0001 đã được tiếp nhận".into(),
            text: "Kính gửi Ông/Bà".into(),
            html: "<p>Kính gửi Ông/Bà</p>".into(),
        };
        let raw = String::from_utf8(sink.compose("d1:2:email", &notice).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <d1.2.email@hongbang.gov.vn>"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain") && raw.contains("text/html"), "{raw}");
        let bad = EmailNotice { to: "không phải địa chỉ".into(), ..notice };
        assert!(matches!(sink.compose("d1:3:email", &bad), Err(Failure::Rejected(_))));
    }
}
