//! Calls to outside systems over HTTP (blocking: the dispatcher and the service layer run on worker threads).
//! One place decides what a failed call means for the outbox: worth retrying, or refused for good.

use std::time::Duration;

use reqwest::blocking::{Client, Response};

use crate::ports::Failure;

pub fn client(timeout: Duration) -> Client {
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client builds with static settings")
}

/// A sent request's outcome as the outbox sees it: 2xx delivered; 408, 429 and 5xx, timeouts and refused
/// connections retried; any other 4xx means the counterpart refused this message, and sending it again
/// cannot help.
pub fn outcome(sent: reqwest::Result<Response>) -> Result<Response, Failure> {
    let response = sent.map_err(|e| Failure::Transient(describe(&e)))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: String = response.text().unwrap_or_default().chars().take(500).collect();
    let reason = format!("HTTP {}: {}", status.as_u16(), body.trim());
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(Failure::Transient(reason))
    } else {
        Err(Failure::Rejected(reason))
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else {
        e.to_string()
    }
}
