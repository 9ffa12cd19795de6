//! Compatibility with the real e-conomic: the project's own fixtures, written from
//! e-conomic's published OpenAPI document and from the shapes real answers were recorded in
//! (see `tests/fixtures/README.md`), read with the project's types — and the problem bodies, the
//! REST error bodies and the rate-limit headers read by the client itself, from a canned server
//! that answers exactly the fixture.

use economic::types::webhooks_api::{
    ApiWebhook, ErrorCode, EventType, WebhookCursorResults, entity_of, event_type_for,
};
use economic::types::{Collection, Customer, ErrorBody, SelfInfo};
use economic::{Client, ClientConfig, ClientError, Entity, IdempotencyKey};
use time::macros::datetime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

fn webhook(name: &str) -> ApiWebhook {
    serde_json::from_str(&fixture(&format!("webhooks_api/{name}"))).expect(name)
}

#[test]
fn webhooks_with_or_without_an_offset_and_with_fractions() {
    let z = webhook("webhook_offset_z.json");
    let no_offset = webhook("webhook_no_offset.json");
    let fraction = webhook("webhook_fraction_no_offset.json");

    assert_eq!(z.last_updated, Some(datetime!(2026-11-30 22:15:04 UTC)));
    assert!(z.is_disabled);
    assert_eq!(z.custom_headers.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        no_offset.last_updated,
        Some(datetime!(2026-12-01 07:30:00 UTC))
    );
    assert_eq!(
        no_offset.last_disabled_date,
        Some(datetime!(2026-11-28 18:02:11.5 UTC))
    );
    assert!(!no_offset.is_disabled, "an omitted boolean is false");
    assert_eq!(
        fraction.last_updated,
        Some(datetime!(2026-12-01 07:30:00.8830412 UTC))
    );
    assert_eq!(fraction.last_disabled_date, None);
}

#[test]
fn every_nullable_field_may_be_null() {
    let nulls = webhook("webhook_nulls.json");
    assert_eq!(nulls.post_data, None);
    assert_eq!(nulls.custom_headers, None);
    assert_eq!(nulls.object_version, None);
    assert_eq!(nulls.last_updated, None);
    assert!(!nulls.is_disabled);

    let page: WebhookCursorResults =
        serde_json::from_str(&fixture("webhooks_api/cursor_page.json")).expect("page");
    let end: WebhookCursorResults =
        serde_json::from_str(&fixture("webhooks_api/cursor_end.json")).expect("end");
    let null: WebhookCursorResults =
        serde_json::from_str(&fixture("webhooks_api/cursor_null.json")).expect("null");
    let paged: Vec<ApiWebhook> =
        serde_json::from_str(&fixture("webhooks_api/paged.json")).expect("bare array");
    let count: u64 = serde_json::from_str(&fixture("webhooks_api/count.json")).expect("integer");

    assert_eq!(page.cursor.as_deref(), Some("PRODUCT_UPDATED"));
    assert_eq!((end.cursor, end.items.len()), (None, 1));
    assert_eq!((null.cursor, null.items.len()), (None, 0));
    assert_eq!(paged[0].entity(), Some(Entity::Invoices));
    assert_eq!(count, 2);
}

#[test]
fn written_as_e_conomic_writes_no_offset_and_no_false() {
    let mut hook = webhook("webhook_fraction_no_offset.json");
    hook.is_disabled = false;
    let written = serde_json::to_value(&hook).expect("encodes");
    assert_eq!(written["lastUpdated"], "2026-12-01T07:30:00.8830412");
    assert!(written.get("isDisabled").is_none(), "{written}");
    let again: ApiWebhook = serde_json::from_value(written).expect("reads back");
    assert_eq!(again, hook);
}

#[test]
fn event_types_are_matched_by_e_conomic_s_name_for_them() {
    let types: Vec<EventType> =
        serde_json::from_str(&fixture("webhooks_api/event_types.json")).expect("types");

    let name = |entity| event_type_for(&types, entity).map(|t| t.name.as_str());
    // By description ("Vare opdateret"), whatever the machine name; by name where the
    // description is null.
    assert_eq!(name(Entity::Products), Some("PRODUCT_CHANGED"));
    assert_eq!(name(Entity::Customers), Some("CUSTOMER_UPDATED"));
    assert_eq!(name(Entity::Invoices), Some("INVOICE_BOOKED"));
    assert_eq!(entity_of(&types, "PRODUCT_CHANGED"), Some(Entity::Products));
    assert_eq!(entity_of(&types, "DAYBOOK_BOOKED"), None);
    assert!(
        event_type_for(&types[..1], Entity::Invoices).is_none(),
        "not offered"
    );
    assert_eq!(types[1].merge_fields.len(), 0, "null merge fields: none");
    assert_eq!(types[0].merge_fields[1].description, "");
}

#[test]
fn rest_answers_in_the_recorded_shapes() {
    let me: SelfInfo = serde_json::from_str(&fixture("rest/self.json")).expect("self");
    let page: Collection<Customer> =
        serde_json::from_str(&fixture("rest/customers_page.json")).expect("page");
    let bad_filter: ErrorBody =
        serde_json::from_str(&fixture("rest/bad_filter_400.json")).expect("400");
    let conflict: ErrorBody =
        serde_json::from_str(&fixture("rest/version_conflict_409.json")).expect("409");

    assert_eq!(me.agreement_number, 7_654_321);
    assert_eq!(page.collection[0].name, "Lagerhuset ApS");
    assert!(page.pagination.next_page.is_some());
    assert_eq!(
        page.collection[0].last_updated,
        Some(datetime!(2026-11-02 09:41:07 UTC))
    );
    assert_eq!(bad_filter.http_status_code, 400);
    assert_eq!(
        bad_filter.allowed_filtering_fields.as_ref().map(Vec::len),
        Some(4)
    );
    assert!(bad_filter.errors.is_some_and(|e| e.is_array()));
    assert!(conflict.message.starts_with("Update conflict"));
}

/// A server that answers every request with `status`, `content_type`, `body` and `extra`
/// header lines, once per connection; its base URL.
async fn canned(status: &str, content_type: &str, body: String, extra: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buffer = [0u8; 8192];
                let _ = socket.read(&mut buffer).await;
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

fn client(base_url: &str) -> Client {
    let mut config = ClientConfig::new(base_url, "app");
    config.webhooks_api_url = Some(base_url.to_owned());
    Client::new(config).expect("client")
}

fn key() -> IdempotencyKey {
    IdempotencyKey::parse("k").expect("key")
}

async fn create_refused_with(status: &str, fixture_name: &str) -> ClientError {
    let body = fixture(&format!("webhooks_api/{fixture_name}"));
    let base = canned(status, "application/problem+json", body, "").await;
    let hook = ApiWebhook::rackbeat(Entity::Customers, "https://lager.example.dk/c");
    client(&base)
        .webhooks_api("grant")
        .create(&hook, &key())
        .await
        .expect_err("refused")
}

#[tokio::test]
async fn problem_bodies_become_errors_with_their_codes() {
    let exists = create_refused_with("400 Bad Request", "problem_already_exists.json").await;
    let scheme = create_refused_with("400 Bad Request", "problem_url_scheme.json").await;
    let invalid = create_refused_with("400 Bad Request", "problem_invalid_type.json").await;
    let missing = create_refused_with("404 Not Found", "problem_not_found.json").await;
    let forbidden = create_refused_with("403 Forbidden", "problem_forbidden.json").await;

    let code = |e: &ClientError| e.error_code().and_then(ErrorCode::parse);
    assert_eq!(code(&exists), Some(ErrorCode::AlreadyExistsForEventType));
    assert!(
        exists.to_string().contains("Only one Webhook"),
        "the error's own words: {exists}"
    );
    assert_eq!(
        code(&scheme),
        Some(ErrorCode::InvalidUrlScheme),
        "from errors[]"
    );
    assert_eq!(code(&invalid), Some(ErrorCode::InvalidType));
    assert!(matches!(missing, ClientError::NotFound(_)));
    assert_eq!(code(&missing), Some(ErrorCode::ResourceNotFound));
    assert!(matches!(
        forbidden,
        ClientError::Unauthorized { status: 403, .. }
    ));
}

#[tokio::test]
async fn rest_errors_and_the_bucket_headers_are_read() {
    let bad_filter = canned(
        "400 Bad Request",
        "application/json",
        fixture("rest/bad_filter_400.json"),
        "",
    )
    .await;
    let limited = canned(
        "200 OK",
        "application/json",
        fixture("rest/self.json"),
        "X-CallCost: 3\r\nX-RateLimiting: token-limit-10000-per-60-seconds: 9990/10000\r\n",
    )
    .await;

    let refused = client(&bad_filter)
        .agreement("grant")
        .customers_page(0, 20, None)
        .await
        .expect_err("refused");
    let paced = client(&limited);
    let me = paced.agreement("grant").self_info().await.expect("self");

    match refused {
        ClientError::Rejected { status: 400, body } => {
            assert_eq!(body.allowed_filtering_fields.map(|f| f.len()), Some(4));
        }
        other => panic!("expected a 400, got {other:?}"),
    }
    assert_eq!(me.company.name, "Lagerhuset ApS");
    let bucket = paced.bucket("grant").expect("reported");
    assert_eq!(bucket.status.limit, 10_000);
    assert_eq!(bucket.status.call_cost, Some(3));
    assert!(bucket.used_now >= 9_900, "{bucket:?}");
    assert_eq!(paced.bucket("another grant"), None);
}
