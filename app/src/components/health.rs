//! How sync health is shown, on the home page and the staff pages alike.

use leptos::prelude::*;

use crate::api::health::HealthState;
use crate::i18n::{Msg, t};

/// A state as a coloured pill: OK, delayed, broken.
pub fn pill(state: HealthState) -> impl IntoView {
    let msg = match state {
        HealthState::Ok => Msg::HealthPillOk,
        HealthState::Delayed => Msg::HealthPillDelayed,
        HealthState::Broken => Msg::HealthPillBroken,
    };
    view! { <span class=format!("pill health-{}", state.slug())>{t(msg)}</span> }
}
