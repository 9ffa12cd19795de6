//! The form layer: server-function arguments as the server decodes them (leptos' `PostUrl` and
//! `GetUrl` codecs: `serde_qs` with depth 5, non-strict) into the real argument types of every
//! server function that takes arguments, and the CSRF layer's reading of the same body
//! (`serde_urlencoded` pairs, first `csrf_token`).
//!
//! **Body mode** (first byte below 0x80): the rest is any body or query string. Nothing panics,
//! and whatever decodes is stable: the client's encoding of the decoded value decodes to the
//! same value.
//!
//! **Typed mode**: argument values are generated (any text, numbers, options, enum values),
//! encoded as the hydrated page does (`serde_qs::to_string`) and as a browser without JavaScript
//! does (an HTML form: `application/x-www-form-urlencoded` pairs, an unticked checkbox absent).
//! The server must decode exactly the values sent, and the CSRF layer must read exactly the token
//! sent: otherwise a password, a name or a token with some character would be changed on the way
//! or refused.
#![no_main]

use app::api::auth::{LogIn, LogOut, SignUp, SwitchCompany};
use app::api::data::{CustomersPage, InvoiceLines, InvoicesPage, ProductDetail, ProductsPage};
use app::api::economic::{ConnectEconomic, DisconnectEconomic, RegenerateWebhookUrl, SaveSettings};
use app::api::events::{RecentEvents, ReplayEvent, ReplayFailed};
use app::api::revoke::RevokeOldWebhookUrls;
use app::api::session::Role;
use app::api::sync::{RequestSync, SyncRequest, SyncRuns};
use app::api::team::{AcceptInvite, CreateInvite, JoinInvite, SetMemberRole};
use arbitrary::Unstructured;
use economic::Entity;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// The field the CSRF layer reads (`server::middleware::csrf::FIELD`).
const CSRF_FIELD: &str = "csrf_token";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode < 0x80 {
        // The CSRF layer reads any bytes; the server function only UTF-8 text.
        let _ = csrf_layer_token(rest);
        if let Ok(text) = std::str::from_utf8(rest) {
            decode_all(text);
        }
    } else {
        let _ = typed(&mut Unstructured::new(rest));
    }
});

/// How leptos' server-function codecs decode a body or query string.
fn server_decode<T: DeserializeOwned>(text: &str) -> Result<T, serde_qs::Error> {
    serde_qs::Config::new(5, false).deserialize_str(text)
}

/// The token as `server::middleware::csrf` finds it in a form body (a copy: that function is
/// private to the server crate).
fn csrf_layer_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value)
}

/// Whatever decodes, decodes the same again after the client's encoding.
fn stable<T: DeserializeOwned + Serialize + Debug>(text: &str) {
    let Ok(value) = server_decode::<T>(text) else {
        return;
    };
    let encoded = serde_qs::to_string(&value).expect("a decoded value encodes");
    let again = server_decode::<T>(&encoded);
    let again = again.unwrap_or_else(|e| panic!("{value:?} encoded as {encoded:?}: {e}"));
    assert_eq!(
        format!("{again:?}"),
        format!("{value:?}"),
        "via {encoded:?}"
    );
}

/// The value arrives unchanged from the hydrated page and from a plain HTML form.
fn sent<T: DeserializeOwned + Serialize + Debug>(value: &T) {
    let expected = format!("{value:?}");
    let json = serde_json::to_value(value).expect("arguments serialise");
    let token = json.get(CSRF_FIELD).and_then(|t| t.as_str());

    let from_page = serde_qs::to_string(value).expect("arguments encode");
    let form = serde_urlencoded::to_string(form_fields(&json)).expect("form fields encode");
    for body in [from_page, form] {
        let decoded = server_decode::<T>(&body);
        let decoded = decoded.unwrap_or_else(|e| panic!("{expected} sent as {body:?}: {e}"));
        assert_eq!(format!("{decoded:?}"), expected, "sent as {body:?}");
        if let Some(token) = token {
            let read = csrf_layer_token(body.as_bytes());
            assert_eq!(read.as_deref(), Some(token), "CSRF token of {body:?}");
        }
    }
}

/// The fields an HTML form posts for these arguments: one per input, none for a `None` (an
/// unticked checkbox or an empty optional).
fn form_fields(json: &serde_json::Value) -> Vec<(String, String)> {
    let object = json.as_object().expect("arguments are a struct");
    object
        .iter()
        .filter_map(|(name, value)| {
            let text = match value {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((name.clone(), text))
        })
        .collect()
}

/// A generated argument value.
trait Gen: Sized {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self>;
}

impl Gen for String {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        u.arbitrary()
    }
}

impl Gen for i64 {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        u.arbitrary()
    }
}

/// `Some("")` is never generated: serde_qs reads `field=` as `None`, and both are "unticked" to
/// the server functions (a checkbox posts `on`, or nothing).
impl Gen for Option<String> {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        let text: String = u.arbitrary()?;
        Ok((u.arbitrary::<bool>()? && !text.is_empty()).then_some(text))
    }
}

impl Gen for Option<i64> {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        Ok(if u.arbitrary()? {
            Some(u.arbitrary()?)
        } else {
            None
        })
    }
}

impl Gen for Entity {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        u.choose(&Entity::ALL).copied()
    }
}

impl Gen for SyncRequest {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        u.choose(&[SyncRequest::SyncNow, SyncRequest::CheckAll])
            .copied()
    }
}

impl Gen for Role {
    fn gen_from(u: &mut Unstructured) -> arbitrary::Result<Self> {
        u.choose(&[Role::Owner, Role::Admin, Role::Member])
            .copied()
    }
}

/// Every server function with arguments: its argument type and fields.
macro_rules! server_fns {
    ($($ty:ident { $($field:ident),* $(,)? }),* $(,)?) => {
        fn decode_all(text: &str) {
            $( stable::<$ty>(text); )*
        }

        fn typed(u: &mut Unstructured) -> arbitrary::Result<()> {
            let fns: &[fn(&mut Unstructured) -> arbitrary::Result<()>] = &[$(
                |u| {
                    let value = $ty { $($field: Gen::gen_from(u)?),* };
                    sent(&value);
                    Ok(())
                }
            ),*];
            u.choose(fns)?(u)
        }
    };
}

server_fns! {
    SignUp { csrf_token, company_name, name, email, password },
    LogIn { csrf_token, email, password },
    SwitchCompany { csrf_token, tenant_id },
    LogOut { csrf_token },
    ReplayEvent { csrf_token, id },
    ReplayFailed { csrf_token },
    RevokeOldWebhookUrls { csrf_token, kind },
    ConnectEconomic { csrf_token, grant_token },
    DisconnectEconomic { csrf_token },
    SaveSettings {
        csrf_token,
        products_hourly,
        customers_hourly,
        products_webhook,
        customers_webhook,
        invoices_webhook,
    },
    RegenerateWebhookUrl { csrf_token, kind },
    RequestSync { csrf_token, entity, request },
    SetMemberRole { csrf_token, user_id, role },
    CreateInvite { csrf_token, email },
    AcceptInvite { csrf_token, token, name, password },
    JoinInvite { csrf_token, token, password },
    CustomersPage { search, after },
    ProductsPage { search, after },
    ProductDetail { number },
    InvoicesPage { search, before },
    InvoiceLines { number },
    RecentEvents { before },
    SyncRuns { before },
}
