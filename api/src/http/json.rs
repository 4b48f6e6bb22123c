//! JSON request bodies, read the one way for every handler: parsed, every text (names of fields too) brought to
//! the one form `domain::free_text` allows (NFC; refused if it holds a control or bidirectional formatting
//! character, NUL included: no database column keeps NUL, and no name needs any of them), then typed.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use std::borrow::Cow;

use motcua_engine::domain::free_text::{self, TextFault};

use super::problem::Problem;

/// Like `web::Json<T>`, with the text check; errors are problems.
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

fn typed<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, Problem> {
    canonical_texts(&mut value).map_err(|fault| Problem::new(400, "request.forbidden_character", fault.to_string()))?;
    serde_json::from_value(value).map_err(malformed)
}

fn malformed(e: serde_json::Error) -> Problem {
    Problem::new(400, "request.malformed", e.to_string())
}

fn canonical_texts(value: &mut serde_json::Value) -> Result<(), TextFault> {
    match value {
        serde_json::Value::String(text) => {
            if let Cow::Owned(normalised) = free_text::canonical(text)? {
                *text = normalised;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().try_for_each(canonical_texts)?,
        serde_json::Value::Object(fields) => {
            for name in fields.keys() {
                free_text::canonical(name)?;
            }
            fields.values_mut().try_for_each(canonical_texts)?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_anywhere_are_refused_and_the_rest_is_typed() {
        #[derive(serde::Deserialize, Debug)]
        struct Named {
            name: String,
        }
        assert_eq!(parse::<Named>(br#"{"name": "Nguy\u1ec5n"}"#).unwrap().name, "Nguyễn");
        assert_eq!(parse::<Named>(br#"{"name": "Nguye\u0302\u0303n"}"#).unwrap().name, "Nguyễn", "NFC");
        for bad in [
            &br#"{"name": "a\u0000b"}"#[..],
            br#"{"name": "a", "x": ["\u0000"]}"#,
            br#"{"na\u0000me": "a"}"#,
            br#"{"name": "a\u202eb"}"#,
            br#"{"name": "a", "x": {"y": "\u0007"}}"#,
        ] {
            assert_eq!(parse::<Named>(bad).unwrap_err().code, "request.forbidden_character");
        }
        assert_eq!(parse::<Named>(br#"{"name": 1}"#).unwrap_err().status, 400);
    }
}
