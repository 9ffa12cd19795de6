//! e-conomic's Webhooks API (`apis.e-conomic.com/webhooksapi/v1.0.0/`), served under
//! [`BASE_PATH`]: CRUD on webhooks keyed by event type, `objectVersion` checks, problem+json
//! errors with e-conomic's error codes, `Idempotency-Key` replay, the fault knobs and the token
//! bucket. A webhook created here is stored as a [`crate::WebhookConfig`] beside the ones "typed
//! into the UI", so it fires exactly like them (same merge fields, same `isDisabled` after
//! failures); only the app that created it sees it; and there is one per event type and
//! agreement, whoever made it (`WebhookAlreadyExistsForEventType`).

// Helpers return `Result<T, Response>` so handlers can return the finished problem response.
#![allow(clippy::result_large_err)]

mod handlers;
mod model;
mod problem;

use crate::admission::Refusal;
use crate::state::{AgreementSlot, Shared};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use problem::problem;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Where the simulator serves the Webhooks API (the real one is
/// `https://apis.e-conomic.com/webhooksapi/v1.0.0`).
pub const BASE_PATH: &str = "/webhooksapi/v1.0.0";

/// The calling app (its secret token), as the handlers see it after authentication.
#[derive(Clone)]
pub(crate) struct App(pub String);

/// The Webhooks API routes, behind their own authentication.
pub(crate) fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let api = Router::new()
        .route("/EventTypes", get(handlers::event_types))
        .route(
            "/webhooks",
            get(handlers::list)
                .post(handlers::create)
                .put(handlers::update),
        )
        .route("/webhooks/paged", get(handlers::paged))
        .route("/webhooks/count", get(handlers::count))
        .route(
            "/webhooks/{event_type}",
            get(handlers::get_one).delete(handlers::delete),
        )
        .layer(middleware::from_fn_with_state(shared, authenticate));
    Router::new().nest(BASE_PATH, api)
}

/// Middleware: the app secret token must be one the simulator knows (the configured one or a
/// [`crate::SimHandle::register_app`]ed one) and the grant token an agreement's; then the fault
/// knobs and the token bucket as on the REST API ([`crate::admission`]), in problem+json; the
/// knob `webhooks_api_forbidden` then refuses with 403, as e-conomic does when the app lacks the
/// agreement's SuperUser role. Every answer carries the bucket's headers.
async fn authenticate(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let (app, grant) = crate::rest::auth::tokens(request.headers());
    let path = request.uri().path().to_owned();
    let known_app = app.as_deref().is_some_and(|app| {
        app == shared.app_secret_token
            || shared
                .other_apps
                .read()
                .is_ok_and(|apps| apps.contains(app))
    });
    let slot: Option<Arc<AgreementSlot>> = grant.as_deref().and_then(|g| shared.slot(g));
    let (Some(app), Some(slot)) = (app.filter(|_| known_app), slot) else {
        return problem(
            &shared,
            StatusCode::UNAUTHORIZED,
            "Unauthorized access.",
            "The X-AppSecretToken or X-AgreementGrantToken is missing or invalid.",
            &path,
        );
    };
    slot.calls.fetch_add(1, Ordering::Relaxed);
    let cost = crate::admission::cost(request.method(), &path, None);
    let (bucket, admitted) = crate::admission::admit(&shared, &slot, cost).await;
    let response = match admitted {
        Ok(()) if shared.knobs().webhooks_api_forbidden => problem(
            &shared,
            StatusCode::FORBIDDEN,
            "Access forbidden.",
            "The app does not have the SuperUser role on this agreement, which the Webhooks API requires.",
            &path,
        ),
        Ok(()) => {
            request.extensions_mut().insert(slot);
            request.extensions_mut().insert(App(app));
            next.run(request).await
        }
        Err(Refusal::TooMany(seconds)) => {
            let mut response = problem(
                &shared,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests.",
                "You have made too many calls towards our API. You are over your quota. Need to wait a bit. Check info in the response headers.",
                &path,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        Err(Refusal::TimedOut) => problem(
            &shared,
            StatusCode::GATEWAY_TIMEOUT,
            "Gateway timeout.",
            "Try again later.",
            &path,
        ),
        Err(Refusal::Failed) => problem(
            &shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error.",
            "Something went wrong but the error has been logged.",
            &path,
        ),
    };
    crate::admission::with_bucket(response, bucket)
}
