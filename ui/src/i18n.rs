//! The page language: `?lang=vi|en` chooses (and is remembered in a cookie), else the cookie, else the browser's
//! `Accept-Language`, else Vietnamese. Words come from the one message catalogue (`motcua_engine::messages`).

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use motcua_engine::messages::{Lang, text};

pub const COOKIE: &str = "lang";

/// The language of one request, and whether the request chose it (so the answer sets the cookie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UiLang {
    pub lang: Lang,
    pub chosen: bool,
}

impl UiLang {
    pub fn of(req: &HttpRequest) -> UiLang {
        let asked = req.query_string().split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(parse);
        if let Some(lang) = asked {
            return UiLang { lang, chosen: true };
        }
        let remembered = req.cookie(COOKIE).and_then(|c| parse(c.value()));
        let header = req.headers().get("Accept-Language").and_then(|v| v.to_str().ok());
        UiLang { lang: remembered.unwrap_or_else(|| Lang::from_header(header)), chosen: false }
    }

    pub fn code(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch.
    pub fn other(&self) -> (&'static str, &'static str) {
        match self.lang {
            Lang::Vi => ("en", "English"),
            Lang::En => ("vi", "Tiếng Việt"),
        }
    }

    /// The cookie that remembers a chosen language for a year.
    pub fn cookie(&self) -> Cookie<'static> {
        Cookie::build(COOKIE, self.code())
            .path("/")
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish()
    }

    /// A text of the catalogue in this language.
    pub fn t(&self, key: &str) -> &'static str {
        text(key, self.lang)
    }
}

fn parse(value: &str) -> Option<Lang> {
    match value {
        "vi" => Some(Lang::Vi),
        "en" => Some(Lang::En),
        _ => None,
    }
}
