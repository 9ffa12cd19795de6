//! The Webhooks API's handlers. Every write runs under the agreement's write lock, with the
//! `Idempotency-Key` check inside the same lock: two copies of one request can never both act.

use super::App;
use super::model::{own_index, own_webhooks, stored, validate};
use super::problem::{coded, invalid, problem};
use crate::state::{AgreementSlot, Shared};
use crate::store::AgreementData;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use economic::Entity;
use economic::types::webhooks_api::{
    ApiWebhook, ErrorCode, EventType, MergeField, WebhookCreatedResult, WebhookCursorResults,
};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Items per cursor page (the documented `x-cursor-page-size`).
const CURSOR_PAGE: usize = 1000;

/// `GET /EventTypes`: the types the agreement offers (knobs may rename or hide some), each
/// described by its name in e-conomic's English screens.
pub(crate) async fn event_types(State(shared): State<Arc<Shared>>) -> Json<Vec<EventType>> {
    let knobs = shared.knobs();
    let types = Entity::ALL
        .into_iter()
        .filter(|entity| !knobs.event_types_not_offered.contains(entity))
        .map(|entity| EventType {
            name: knobs.event_type_name(entity),
            description: entity.english_type_name().to_owned(),
            merge_fields: entity
                .merge_fields()
                .iter()
                .map(|field| MergeField {
                    field_name: (*field).to_owned(),
                    description: String::new(),
                })
                .collect(),
        })
        .collect();
    Json(types)
}

/// `?cursor=`.
#[derive(Deserialize)]
pub(crate) struct CursorQuery {
    cursor: Option<String>,
}

/// `GET /webhooks`: the caller app's webhooks, 1000 a page; the cursor is the index of the next
/// page's first item.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
    Query(query): Query<CursorQuery>,
) -> Response {
    let start = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => match cursor.parse::<usize>() {
            Ok(start) => start,
            Err(_) => return invalid(&shared, "cursor", "Invalid cursor.", "/webhooks"),
        },
    };
    let all = own_webhooks(&shared.knobs(), &slot, &app);
    let items: Vec<ApiWebhook> = all.iter().skip(start).take(CURSOR_PAGE).cloned().collect();
    let next = start + items.len();
    let cursor = (next < all.len()).then(|| next.to_string());
    Json(WebhookCursorResults { cursor, items }).into_response()
}

/// `?skipPages=&pageSize=`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PagedQuery {
    #[serde(alias = "skippages")]
    skip_pages: Option<usize>,
    #[serde(alias = "pagesize")]
    page_size: Option<usize>,
}

/// `GET /webhooks/paged`: classic paging (`skipPages` 0–100, `pageSize` 1–100, default 20).
pub(crate) async fn paged(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
    Query(query): Query<PagedQuery>,
) -> Response {
    let skip = query.skip_pages.unwrap_or(0);
    let size = query.page_size.unwrap_or(20);
    if skip > 100 {
        return invalid(
            &shared,
            "skipPages",
            "Must be between 0 and 100.",
            "/webhooks/paged",
        );
    }
    if !(1..=100).contains(&size) {
        return invalid(
            &shared,
            "pageSize",
            "Must be between 1 and 100.",
            "/webhooks/paged",
        );
    }
    let page: Vec<ApiWebhook> = own_webhooks(&shared.knobs(), &slot, &app)
        .into_iter()
        .skip(skip * size)
        .take(size)
        .collect();
    Json(page).into_response()
}

/// `GET /webhooks/count`: a bare integer.
pub(crate) async fn count(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
) -> Json<usize> {
    Json(own_webhooks(&shared.knobs(), &slot, &app).len())
}

/// `GET /webhooks/{eventType}`.
pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
    Path(event_type): Path<String>,
) -> Response {
    match own_webhooks(&shared.knobs(), &slot, &app)
        .into_iter()
        .find(|w| w.event_type == event_type)
    {
        Some(hook) => Json(hook).into_response(),
        None => not_found(&shared, &event_type),
    }
}

/// `POST /webhooks`: 201 `{eventType}`; 400 `WebhookAlreadyExistsForEventType` when the
/// agreement already has a webhook of that event type, whoever made it — this app, another app,
/// or a person in e-conomic's screens (the documented "only one Webhook for the specified
/// EventTypeId is allowed per agreement"; the API lists only the caller's own).
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
    headers: HeaderMap,
    body: Result<Json<ApiWebhook>, JsonRejection>,
) -> Response {
    let now = shared.now();
    write(&shared, &slot, &app, &headers, |data| {
        let Json(hook) = body.map_err(|e| invalid(&shared, "body", &e.body_text(), "/webhooks"))?;
        let kind = validate(&shared, &hook)?;
        // [inference: the status is not documented; the error code is. A 400, as for every
        // other validation error of this API.]
        if data.webhooks.iter().any(|w| w.kind == kind) {
            return Err(coded(
                &shared,
                StatusCode::BAD_REQUEST,
                ErrorCode::AlreadyExistsForEventType,
                "Only one Webhook for the specified EventTypeId is allowed per agreement.",
                "/webhooks",
            ));
        }
        data.webhooks.push(stored(hook, kind, &app.0, 1, now));
        let created = WebhookCreatedResult {
            event_type: kind.event_type().to_owned(),
        };
        Ok((StatusCode::CREATED, json(&created)))
    })
    .await
}

/// `PUT /webhooks`: replaces the caller's webhook of the body's event type; 409 when
/// `objectVersion` is not the current one, 404 when there is none.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
    headers: HeaderMap,
    body: Result<Json<ApiWebhook>, JsonRejection>,
) -> Response {
    let now = shared.now();
    write(&shared, &slot, &app, &headers, |data| {
        let Json(hook) = body.map_err(|e| invalid(&shared, "body", &e.body_text(), "/webhooks"))?;
        let kind = validate(&shared, &hook)?;
        let Some(sent) = hook.object_version.clone() else {
            return Err(invalid(&shared, "objectVersion", "objectVersion is required.", "/webhooks"));
        };
        let Some(index) = own_index(data, &app, kind) else {
            return Err(not_found(&shared, &hook.event_type));
        };
        let current = data.webhooks[index].api.as_ref().map_or(0, |a| a.object_version);
        if sent != current.to_string() {
            return Err(coded(
                &shared,
                StatusCode::CONFLICT,
                ErrorCode::UpdateConflict,
                "The webhook was changed since it was read: objectVersion is not the current version.",
                "/webhooks",
            ));
        }
        let old = data.webhooks[index].clone();
        let mut next = stored(hook, kind, &app.0, current + 1, now);
        next.last_disabled_date = old.last_disabled_date;
        if old.is_disabled && !next.is_disabled {
            // Re-enabled: the failure count starts again.
            data.webhook_failures.remove(&(kind, old.url.clone()));
        }
        data.webhooks[index] = next;
        Ok((StatusCode::NO_CONTENT, String::new()))
    })
    .await
}

/// `DELETE /webhooks/{eventType}`: 204, or 404 when the caller has none of that type.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Extension(app): Extension<App>,
    headers: HeaderMap,
    Path(event_type): Path<String>,
) -> Response {
    write(&shared, &slot, &app, &headers, |data| {
        let index = shared
            .knobs()
            .entity_of_event_type(&event_type)
            .and_then(|kind| own_index(data, &app, kind))
            .ok_or_else(|| not_found(&shared, &event_type))?;
        let removed = data.webhooks.remove(index);
        data.webhook_failures.remove(&(removed.kind, removed.url));
        Ok((StatusCode::NO_CONTENT, String::new()))
    })
    .await
}

/// Runs a write under the agreement's lock, answering a repeated `Idempotency-Key` with the
/// first answer (stored whatever its status, as a retry of a refused request is refused alike).
/// The `webhooks_api_answer_delay_ms` knob then holds a first answer back.
async fn write(
    shared: &Shared,
    slot: &AgreementSlot,
    app: &App,
    headers: &HeaderMap,
    act: impl FnOnce(&mut AgreementData) -> Result<(StatusCode, String), Response>,
) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty())
        .map(|k| (app.0.clone(), k.to_owned()));
    let answer = {
        let Ok(mut data) = slot.data.write() else {
            return problem(
                shared,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error.",
                "Lock poisoned.",
                "",
            );
        };
        let replay = key
            .as_ref()
            .and_then(|k| data.webhook_api_replays.get(k).cloned());
        match replay {
            Some(stored) => Err(stored),
            None => {
                let answer = act(&mut data);
                if let Some(key) = key {
                    let (status, body) = match &answer {
                        Ok((status, body)) => (status.as_u16(), body.clone()),
                        Err(response) => (response.status().as_u16(), String::new()),
                    };
                    data.webhook_api_replays.insert(key, (status, body));
                }
                Ok(answer)
            }
        }
    };
    // Only a first answer stalls: the replay of a stored answer comes at once, as a client
    // retrying after its timeout would hope.
    let delay = shared.knobs().webhooks_api_answer_delay_ms;
    if delay > 0 && answer.is_ok() {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match answer {
        Ok(Ok((status, body))) => finished(status, body),
        Ok(Err(response)) => response,
        Err((status, body)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            if status.is_success() {
                finished(status, body)
            } else {
                problem(
                    shared,
                    status,
                    "Repeated request.",
                    "The first request with this Idempotency-Key was refused.",
                    "",
                )
            }
        }
    }
}

fn finished(status: StatusCode, body: String) -> Response {
    let mut response = (status, body.clone()).into_response();
    if !body.is_empty() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn not_found(shared: &Shared, event_type: &str) -> Response {
    coded(
        shared,
        StatusCode::NOT_FOUND,
        ErrorCode::ResourceNotFound,
        "The resource you have been looking for does not exist.",
        &format!("/webhooks/{event_type}"),
    )
}
