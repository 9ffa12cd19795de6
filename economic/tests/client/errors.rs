//! Every error class, produced by the simulator's knobs or real conditions.

use crate::helpers::{APP, GRANT, client_for, cn, customer, pn, spawn};
use economic::ClientError;
use economic_sim::Knobs;
use std::time::Duration;

#[tokio::test]
async fn not_found() {
    let (_sim, client) = spawn(|_| {}).await;
    let api = client.agreement(GRANT);
    let customer = api.customer(cn(999)).await.unwrap_err();
    let product = api.product(&pn("nope")).await.unwrap_err();
    let ClientError::NotFound(body) = customer else {
        panic!("{customer:?}")
    };
    assert_eq!(body.message, "Resource not found.");
    assert_eq!(body.http_status_code, 404);
    assert!(matches!(product, ClientError::NotFound(_)));
    assert!(!product.is_retryable());
}

#[tokio::test]
async fn unauthorized_for_bad_tokens() {
    let (sim, client) = spawn(|_| {}).await;
    let bad_grant = client.agreement("wrong").self_info().await.unwrap_err();
    let bad_app = client_for(&sim.base_url(), "wrong")
        .agreement(GRANT)
        .self_info()
        .await
        .unwrap_err();
    for e in [bad_grant, bad_app] {
        assert!(
            matches!(e, ClientError::Unauthorized { status: 401, .. }),
            "{e:?}"
        );
        assert!(!e.is_retryable());
    }
    assert!(
        client_for(&sim.base_url(), APP)
            .agreement(GRANT)
            .self_info()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let (sim, client) = spawn(|c| {
        c.knobs = Knobs {
            rate_limited_rate: 1.0,
            retry_after_secs: 9,
            ..Knobs::default()
        }
    })
    .await;
    let e = client.agreement(GRANT).self_info().await.unwrap_err();
    assert!(
        matches!(e, ClientError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(9)),
        "{e:?}"
    );
    assert!(e.is_retryable());

    sim.set_knobs(Knobs {
        rate_limit_per_second: Some(2),
        ..Knobs::default()
    });
    let api = client.agreement(GRANT);
    let results = [
        api.self_info().await.is_ok(),
        api.self_info().await.is_ok(),
        api.self_info().await.is_ok(),
    ];
    assert_eq!(results, [true, true, false]);
}

#[tokio::test]
async fn server_error_is_retryable() {
    let (_sim, client) = spawn(|c| c.knobs.error_rate = 1.0).await;
    let e = client.agreement(GRANT).customer(cn(1)).await.unwrap_err();
    assert!(
        matches!(
            e,
            ClientError::Server {
                status: 500,
                body: Some(_)
            }
        ),
        "{e:?}"
    );
    assert!(e.is_retryable());
}

#[tokio::test]
async fn timeout_is_retryable() {
    let (_sim, client) = spawn(|c| {
        c.knobs.timeout_rate = 1.0;
        c.knobs.timeout_hang_ms = 5_000;
    })
    .await;
    let e = client.agreement(GRANT).self_info().await.unwrap_err();
    assert!(matches!(e, ClientError::Timeout), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn connect_error_is_retryable() {
    let (sim, _) = spawn(|_| {}).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = closed.local_addr().expect("addr");
    drop(closed);
    let e = client_for(&format!("http://{addr}"), APP)
        .agreement(GRANT)
        .self_info()
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Connect(_)), "{e:?}");
    assert!(e.is_retryable());
    drop(sim);
}

#[tokio::test]
async fn validation_error_is_not_retryable() {
    let (_sim, client) = spawn(|_| {}).await;
    let mut invalid = customer(700, "Uden momszone");
    invalid.vat_zone = None;
    let e = client
        .agreement(GRANT)
        .create_customer(&invalid)
        .await
        .unwrap_err();
    let ClientError::Rejected { status, ref body } = e else {
        panic!("{e:?}")
    };
    assert_eq!(status, 400);
    assert_eq!(body.message, "Validation error.");
    assert!(
        body.errors
            .as_ref()
            .is_some_and(|e| e.get("vatZone").is_some())
    );
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn decode_error() {
    let (sim, _) = spawn(|_| {}).await;
    // The fragment is dropped from the request, so `/self` lands on the control API's JSON,
    // which is not a `SelfInfo`.
    let client = client_for(&format!("{}/_sim/api/state#", sim.base_url()), APP);
    let e = client.agreement(GRANT).self_info().await.unwrap_err();
    assert!(matches!(e, ClientError::Decode(_)), "{e:?}");
}
