//! The database layer itself: connect, migrate, ping, settings.

use backend::{Db, db_test};

db_test!(ping_answers, |db| async move {
    db.ping().await.expect("ping");
});

db_test!(migrate_is_idempotent, |db| async move {
    db.migrate().await.expect("second migrate");
});

db_test!(backend_name_and_raw_pool_agree, |db| async move {
    match db.backend_name() {
        "sqlite" => assert!(db.sqlite_pool().is_some() && db.pg_pool().is_none()),
        "postgres" => assert!(db.pg_pool().is_some() && db.sqlite_pool().is_none()),
        other => panic!("unexpected backend {other}"),
    }
});

#[test]
fn unsupported_url_is_refused() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let err = runtime
        .block_on(Db::connect("mysql://localhost/x"))
        .expect_err("mysql refused");
    assert!(err.is_internal(), "{err:?}");
}

db_test!(sqlite_runs_in_wal_mode_with_foreign_keys, |db| async move {
    let Some(pool) = db.sqlite_pool() else { return };
    let mode: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("pragma foreign_keys")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(fk, 1);
});
