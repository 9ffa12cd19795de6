//! `server create-staff`, `list-staff` and `disable-staff` as an operator runs them: the
//! password from stdin (never an argument), on SQLite and PostgreSQL.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use backend::testing::{Backend, TestDb};
use backend::{Email, Timestamp};

fn server(args: &[&str], url: &str, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .args(["--database-url", url])
        .env("RUST_LOG", "warn")
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
