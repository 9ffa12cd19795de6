//! Connecting to e-conomic: verified with `GET /self` against the simulator, stored encrypted,
//! refused or reported unavailable without saving anything.

use backend::{Error, Keys, Timestamp, connection, db_test};
use economic::{Client, ClientConfig};
use economic_sim::{SimConfig, Simulator};

use crate::helpers::*;

async fn simulator() -> (economic_sim::SimHandle, Client) {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), "demo")).expect("client");
    (sim, client)
}

db_test!(connect_stores_the_token_encrypted, |db| async move {
    let (sim, client) = simulator().await;
    let keys = Keys::generate();
    let acme = owner(&db, "acme").await;

    let connected = connection::connect(&db, &keys, &client, acme.tenant_id, " demo ", t0())
        .await
        .expect("connect");

    assert_eq!(connected.agreement_number, 9_000_001);
    assert_eq!(connected.company_name, "Demo ApS");
    assert_eq!(
        connection::get(&db, acme.tenant_id).await.expect("get"),
        Some(connected)
    );
    let token = connection::grant_token(&db, &keys, acme.tenant_id)
        .await
        .expect("token");
    assert_eq!(token.as_ref().map(|t| t.expose()), Some("demo"));
    let stored: Vec<u8> = raw_ciphertext(&db).await;
    assert!(!stored.windows(4).any(|w| w == b"demo"), "stored in clear");
    // Another key (a changed APP_SECRET_KEY) cannot read it.
    assert!(
        connection::grant_token(&db, &Keys::generate(), acme.tenant_id)
            .await
            .is_err()
    );

    connection::disconnect(&db, acme.tenant_id)
        .await
        .expect("disconnect");
    assert_eq!(
        connection::get(&db, acme.tenant_id).await.expect("get"),
        None
    );
    assert!(
        connection::grant_token(&db, &keys, acme.tenant_id)
            .await
            .expect("t")
            .is_none()
    );
    sim.shutdown();
});

db_test!(
    a_token_the_simulator_does_not_know_is_rejected,
    |db| async move {
        let (sim, client) = simulator().await;
        let keys = Keys::generate();
        let acme = owner(&db, "acme").await;

        let result = connection::connect(&db, &keys, &client, acme.tenant_id, "nope", t0()).await;

        assert!(matches!(result, Err(Error::EconomicRejected)), "{result:?}");
        assert_eq!(
            connection::get(&db, acme.tenant_id).await.expect("get"),
            None
        );
        sim.shutdown();
    }
);

db_test!(an_unreachable_economic_is_unavailable, |db| async move {
    let (sim, client) = simulator().await;
    sim.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let keys = Keys::generate();
    let acme = owner(&db, "acme").await;

    let result = connection::connect(
        &db,
        &keys,
        &client,
        acme.tenant_id,
        "demo",
        Timestamp::now(),
    )
    .await;

    assert!(
        matches!(
            result,
            Err(Error::EconomicUnavailable(economic::ClientError::Connect(
                _
            )))
        ),
        "{result:?}"
    );
    assert_eq!(
        connection::get(&db, acme.tenant_id).await.expect("get"),
        None
    );
});

async fn raw_ciphertext(db: &backend::Db) -> Vec<u8> {
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query_scalar("select grant_token_ciphertext from economic_connections")
            .fetch_one(pool)
            .await
            .expect("select")
    } else {
        let pool = db.pg_pool().expect("a pool");
        sqlx::query_scalar("select grant_token_ciphertext from economic_connections")
            .fetch_one(pool)
            .await
            .expect("select")
    }
}
