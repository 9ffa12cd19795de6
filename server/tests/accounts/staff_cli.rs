//! `server create-staff`, `list-staff`, `staff-enrolment-link`, `unlock-staff` and
//! `disable-staff` as an operator runs them: the password from stdin (never an argument), on
//! SQLite and PostgreSQL.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use backend::testing::{Backend, TestDb};
use backend::{Email, Timestamp};

fn server(args: &[&str], url: &str, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .args(["--database-url", url])
        .env("RUST_LOG", "warn")
        .env_remove("PUBLIC_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write the password");
    child.wait_with_output().expect("the command ends")
}

/// What ten wrong codes leave behind: the staff member's second factor locked.
async fn lock_second_factor(test_db: &TestDb) {
    use tower_sessions_sqlx_store::sqlx;
    let sql = "update staff set code_attempts = 10, code_locked_at = 1";
    let db = test_db.db();
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query(sql)
            .execute(pool)
            .await
            .expect("lock on SQLite");
    } else {
        let pool = db.pg_pool().expect("a PostgreSQL pool");
        sqlx::query(sql)
            .execute(pool)
            .await
            .expect("lock on PostgreSQL");
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn staff_commands(backend: Backend) {
    // Arrange
    let test_db = TestDb::new(backend).await;
    let url = test_db.url().to_owned();
    let create = [
        "create-staff",
        "--email",
        "sam@inventory.test",
        "--name",
        "Sam Support",
    ];

    // Act
    let weak = server(&create, &url, "short\n");
    let created = server(&create, &url, "staff password 1\n");
    let twice = server(&create, &url, "staff password 1\n");
    let listed = server(&["list-staff"], &url, "");
    let new_link = server(
        &["staff-enrolment-link", "--email", "sam@inventory.test"],
        &url,
        "",
    );
    lock_second_factor(&test_db).await;
    let locked = server(&["list-staff"], &url, "");
    let unlocked = server(&["unlock-staff", "--email", "sam@inventory.test"], &url, "");
    let listed_unlocked = server(&["list-staff"], &url, "");
    let disabled = server(
        &["disable-staff", "--email", "sam@inventory.test"],
        &url,
        "",
    );
    let listed_after = server(&["list-staff"], &url, "");

    // Assert
    assert!(!weak.status.success(), "a weak password is refused");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(stdout(&created).contains("created staff member"));
    let link = stdout(&created);
    assert!(
        link.contains("http://127.0.0.1:3000/staff/login?enrol="),
        "the one-time enrolment link: {link}"
    );
    assert!(new_link.status.success());
    assert!(stdout(&new_link).contains("/staff/login?enrol="));
    assert_ne!(
        link.split("enrol=").nth(1),
        stdout(&new_link).split("enrol=").nth(1),
        "a new link each time"
    );
    assert!(
        stdout(&locked).contains("\t2fa locked\t"),
        "{}",
        stdout(&locked)
    );
    assert!(
        unlocked.status.success(),
        "{}",
        String::from_utf8_lossy(&unlocked.stderr)
    );
    assert!(
        stdout(&listed_unlocked).contains("\t2fa not set up\t"),
        "{}",
        stdout(&listed_unlocked)
    );
    assert!(!twice.status.success(), "the email is taken");
    assert!(
        stdout(&listed).contains("sam@inventory.test\tSam Support\t2fa not set up\tactive"),
        "{}",
        stdout(&listed)
    );
    assert!(disabled.status.success());
    assert!(
        stdout(&listed_after).contains("disabled"),
        "{}",
        stdout(&listed_after)
    );
    let email = Email::parse("sam@inventory.test").expect("email");
    let log_in = backend::staff::log_in(
        test_db.db(),
        &email,
        "staff password 1",
        "192.0.2.1".parse().expect("ip"),
        Timestamp::now(),
    )
    .await;
    assert!(log_in.is_err(), "disabled: {log_in:?}");
    test_db.cleanup().await;
}

#[tokio::test]
async fn staff_commands_on_sqlite() {
    staff_commands(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_commands_on_postgres() {
    staff_commands(Backend::Postgres).await;
}
