//! The warning about rejected webhooks on the e-conomic settings pages (see
//! [`crate::api::rejected`]).

use leptos::prelude::*;

use crate::api::rejected::{RejectedView, rejected_webhooks};
use crate::components::runs::entity_msg;
use crate::i18n::{Msg, t};

/// One yellow banner per kind with rejected webhooks in the last days; nothing otherwise.
#[component]
pub fn RejectedWarning() -> impl IntoView {
    let rejected = Resource::new_blocking(|| (), |_| rejected_webhooks());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // A failed look-up only hides the warning: the page itself must still work.
                let kinds = rejected.await.unwrap_or_default();
                kinds.into_iter().map(|k| view! { <Warning rejected=k /> }).collect_view()
            })}
        </Transition>
    }
}

#[component]
fn Warning(rejected: RejectedView) -> impl IntoView {
    let slug = rejected.kind.as_str();
    view! {
        <p class="banner warn" role="alert" data-test=format!("rejected-warning-{slug}")>
            <strong>{t(entity_msg(rejected.kind))}</strong>": "
            {rejected.count}" "{t(Msg::RejectedWarningCount)}" "{rejected.last_at}". "
            {t(Msg::RejectedWarningWhy)}" "
            <a href="/events">{t(Msg::RejectedWarningLink)}</a>
        </p>
    }
}
