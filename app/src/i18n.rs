//! Danish and English texts. The texts live in `locales/*.ftl`; `build.rs` turns them into `Msg`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// A UI language. Danish is the users' language and the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    /// Danish.
    #[default]
    Da,
    /// English.
    En,
}

/// Name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

impl Lang {
    /// The ISO 639-1 code, as used in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language chosen in a `Cookie` header, if any.
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::from_code(value.trim()))
    }
}

#[cfg(feature = "ssr")]
impl Lang {
    /// The language of a user's mails, as stored.
    pub fn mail_language(self) -> backend::mail::Language {
        match self {
            Lang::Da => backend::mail::Language::Da,
            Lang::En => backend::mail::Language::En,
        }
    }

    /// The page language of a user's mail language.
    pub fn of_mail_language(language: backend::mail::Language) -> Lang {
        match language {
            backend::mail::Language::Da => Lang::Da,
            backend::mail::Language::En => Lang::En,
        }
    }
}

/// The language this request's cookie names, if the visitor ever chose one (the server side of
/// a server function; `None` without a choice, unlike [`detect_lang`]'s default).
#[cfg(feature = "ssr")]
pub fn chosen_lang() -> Option<Lang> {
    use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(Lang::from_cookie_header)
    })
}

/// The language of the page being rendered (provided by `App`).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The text of `msg` in the page's language.
pub fn t(msg: Msg) -> &'static str {
    msg.text(use_lang())
}

/// Finds the language for this render: the request cookie on the server, `<html lang>` in the browser.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|el| el.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_picks_the_lang_cookie() {
        assert_eq!(
            Lang::from_cookie_header("a=b; lang=en; c=d"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookie_header("lang=xx"), None);
        assert_eq!(Lang::from_cookie_header("language=en"), None);
    }

    #[test]
    fn every_message_has_a_text_in_both_languages() {
        for msg in [Msg::AppName, Msg::NavSettings, Msg::ErrorCsrf] {
            assert!(!msg.text(Lang::Da).is_empty());
            assert!(!msg.text(Lang::En).is_empty());
        }
        assert_ne!(
            Msg::NavSettings.text(Lang::Da),
            Msg::NavSettings.text(Lang::En)
        );
    }
}
