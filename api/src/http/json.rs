//! JSON request bodies, read the one way for every handler: parsed, refused if any text holds a NUL character
//! (no database column can keep one, and no name or summary needs one), then typed.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// Like `web::Json<T>`, with the NUL check; errors are problems.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move { Ok(Json(typed(value.await?.into_inner())?)) })
    }
}

/// A body read as bytes (to hash it for idempotency, or to bound it differently), as `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    typed(serde_json::from_slice(body).map_err(malformed)?)
}

fn typed<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Problem> {
    if holds_nul(&value) {
        return Err(Problem::new(400, "request.malformed", "a text holds the NUL character (\\u0000)"));
    }
    serde_json::from_value(value).map_err(malformed)
}

fn malformed(e: serde_json::Error) -> Problem {
    Problem::new(400, "request.malformed", e.to_string())
}

fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(fields) => fields.iter().any(|(name, v)| name.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_anywhere_is_refused_and_the_rest_is_typed() {
        #[derive(serde::Deserialize, Debug)]
        struct Named {
            name: String,
        }
        assert_eq!(parse::<Named>(br#"{"name": "Nguy\u1ec5n"}"#).unwrap().name, "Nguyễn");
        for bad in [&br#"{"name": "a\u0000b"}"#[..], br#"{"name": "a", "x": ["\u0000"]}"#, br#"{"na\u0000me": "a"}"#] {
            assert_eq!(parse::<Named>(bad).unwrap_err().code, "request.malformed");
        }
        assert_eq!(parse::<Named>(br#"{"name": 1}"#).unwrap_err().status, 400);
    }
}
