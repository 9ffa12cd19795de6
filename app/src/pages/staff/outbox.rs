//! The outbox on the staff dashboard: mails waiting, failing and failed, how long the oldest has
//! waited and the last error — a stuck outbox is a problem staff must see.

use leptos::prelude::*;

use crate::api::mail::staff_outbox;
use crate::i18n::{Msg, t};

/// The outbox card.
#[component]
pub fn OutboxCard() -> impl IntoView {
    let outbox = Resource::new_blocking(|| (), |()| staff_outbox());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                outbox.await.ok().map(|o| {
                    let class = if o.stuck { "card attention" } else { "card" };
                    let oldest = o.oldest_pending_minutes.map(|m| format!("{m} min"));
                    view! {
                        <section class=class data-test="staff-outbox">
                            <h2>{t(Msg::StaffOutboxTitle)}</h2>
                            {o.stuck.then(|| view! {
                                <p class="banner warn" role="status" data-test="outbox-stuck">{t(Msg::StaffOutboxStuck)}</p>
                            })}
                            <dl class="facts">
                                <dt>{t(Msg::StaffOutboxPending)}</dt><dd data-test="outbox-pending">{o.pending}</dd>
                                <dt>{t(Msg::StaffOutboxFailing)}</dt><dd data-test="outbox-failing">{o.failing}</dd>
                                <dt>{t(Msg::StaffOutboxFailed)}</dt><dd data-test="outbox-failed">{o.failed_recently}</dd>
                                <dt>{t(Msg::StaffOutboxSent)}</dt><dd>{o.sent_last_day}</dd>
                                <dt>{t(Msg::StaffOutboxOldest)}</dt><dd>{oldest.unwrap_or_else(|| "–".to_owned())}</dd>
                            </dl>
                            {o.last_error.map(|e| view! { <p class="muted"><code>{e}</code></p> })}
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}
