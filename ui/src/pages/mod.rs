//! One module per page.

pub mod home;
pub mod procedure;
pub mod track;

use crate::i18n::UiLang;

/// What the page shell (templates/base.html) shows around every page.
pub struct Shell {
    pub lang: UiLang,
    pub title: String,
    /// The current path with `?lang=` of the other language.
    pub switch_href: String,
}

impl Shell {
    pub fn new(lang: UiLang, path: &str, title: impl Into<String>) -> Shell {
        Shell { lang, title: title.into(), switch_href: format!("{path}?lang={}", lang.other().0) }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}
