//! Builds a paginated collection response from typed records: filter, sort, page, render.

use super::errors::{error_body, error_response};
use crate::query::{ListQuery, Queryable};
use crate::state::Shared;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Parses `skippages`, `pagesize`, `filter`, `sort` from the query map.
pub(crate) fn parse_query(
    shared: &Shared,
    params: &HashMap<String, String>,
) -> Result<ListQuery, Response> {
    let get = |k: &str| params.get(k).map(String::as_str);
    ListQuery::parse(
        get("skippages"),
        get("pagesize"),
        get("filter"),
        get("sort"),
    )
    .map_err(|e| bad_request(shared, &e.message))
}

fn bad_request(shared: &Shared, message: &str) -> Response {
    error_response(
        shared,
        StatusCode::BAD_REQUEST,
        message,
        "Correct the query parameters.",
        None,
    )
}

/// e-conomic's 400 for a filter on a property it does not allow: the reasons as a list of
/// strings, and the properties that may be used (as live probes recorded it).
fn not_filterable<T: Queryable>(shared: &Shared, reason: &str) -> Response {
    let mut body = error_body(
        shared,
        StatusCode::BAD_REQUEST,
        "Could not parse query string filter.",
        "Filtering on collections can be done using the querystring parameter 'filter'.",
        Some(json!([reason])),
    );
    body.allowed_filtering_fields = Some(T::FIELDS.iter().map(|f| (*f).to_owned()).collect());
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Renders one page of `items` (given in default order) at `path`.
pub(crate) fn page<'a, T: Queryable + 'a>(
    shared: &Shared,
    path: &str,
    query: &ListQuery,
    items: impl ExactSizeIterator<Item = &'a T>,
    create: Option<&str>,
    render: impl Fn(&T) -> Value,
) -> Response {
    let total = items.len();
    let kept = match query.apply(items) {
        Ok(kept) => kept,
        Err(e) if e.not_filterable => return not_filterable::<T>(shared, &e.message),
        Err(e) => return bad_request(shared, &e.message),
    };
    let size = query.page_size;
    let results = kept.len();
    let last = results.div_ceil(size).max(1) - 1;
    let link = |skip: usize| {
        let mut url = format!("{}{path}?skippages={skip}&pagesize={size}", shared.base_url);
        if let Some(filter) = &query.raw_filter {
            url.push_str("&filter=");
            url.extend(utf8_percent_encode(filter, NON_ALPHANUMERIC));
        }
        url
    };
    let collection: Vec<Value> = kept
        .iter()
        .skip(query.skip_pages.saturating_mul(size))
        .take(size)
        .map(|item| render(item))
        .collect();
    let mut pagination = Map::new();
    pagination.insert(
        "maxPageSizeAllowed".into(),
        json!(crate::query::MAX_PAGE_SIZE),
    );
    pagination.insert("skipPages".into(), json!(query.skip_pages));
    pagination.insert("pageSize".into(), json!(size));
    pagination.insert("results".into(), json!(results));
    pagination.insert("resultsWithoutFilter".into(), json!(total));
    pagination.insert("firstPage".into(), json!(link(0)));
    if query.skip_pages > 0 {
        pagination.insert(
            "previousPage".into(),
            json!(link((query.skip_pages - 1).min(last))),
        );
    }
    if query.skip_pages < last {
        pagination.insert("nextPage".into(), json!(link(query.skip_pages + 1)));
    }
    pagination.insert("lastPage".into(), json!(link(last)));
    let this = link(query.skip_pages);
    let mut body = Map::new();
    body.insert("collection".into(), Value::Array(collection));
    body.insert("pagination".into(), Value::Object(pagination));
    if let Some(noun) = create {
        body.insert(
            "metaData".into(),
            json!({ "create": { "description": format!("Create a new {noun}"), "href": this, "httpMethod": "post" } }),
        );
    }
    body.insert("self".into(), json!(this));
    Json(Value::Object(body)).into_response()
}
