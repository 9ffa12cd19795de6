//! Following the history live: a counter that ticks whenever the server says the company's
//! events changed, for resources to refetch on.
//!
//! The server pushes a message on `GET /events/live` (server-sent events) when a new event
//! arrives or one changes status, and `ready` after its first look (the page refetches then
//! too, for what changed since it was rendered); the browser's `EventSource` reconnects by
//! itself after a drop. Without JavaScript nothing ticks and the page is as rendered (reload for news).

use leptos::prelude::*;

/// A tick that grows with every change while `active` (e.g. "on the newest page") holds.
pub fn follow(active: Signal<bool>) -> RwSignal<u64> {
    let tick = RwSignal::new(0u64);
    // Effects run in the browser only.
    Effect::new(move || {
        if active.get() {
            #[cfg(feature = "hydrate")]
            listen(tick);
        }
    });
    tick
}

#[cfg(feature = "hydrate")]
fn listen(tick: RwSignal<u64>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let Ok(source) = web_sys::EventSource::new("/events/live") else {
        return;
    };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
        tick.update(|n| *n += 1);
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The server says `ready` once it has taken its first look (and again after a reconnect):
    // what changed between this page's render and that look is not announced, so refetch once.
    let _ = source.add_event_listener_with_callback("ready", on_message.as_ref().unchecked_ref());
    // The closure lives as long as the source; both go when the page (or filter) does.
    let source = send_wrapper::SendWrapper::new((source, on_message));
    on_cleanup(move || source.0.close());
}
