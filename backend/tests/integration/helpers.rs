//! Shared helpers: fixtures from `backend::testing` plus raw inspection of the database.

use std::net::IpAddr;

use backend::accounts::SignUp;
use backend::{CompanyName, Db, Email, Password, PersonName, Timestamp};

#[allow(unused_imports)]
pub use backend::testing::{Owner, PASSWORD, owner};

/// A client address.
pub fn ip(s: &str) -> IpAddr {
    s.parse().expect("test IP address")
}

/// A fixed clock for tests that move time: 2026-11-29 12:00 UTC.
pub fn t0() -> Timestamp {
    Timestamp::from_millis(1_795_953_600_000)
}

/// A parsed email.
pub fn email(s: &str) -> Email {
    Email::parse(s).expect("test email")
}

/// A valid sign-up form.
pub fn sign_up_form(company: &str, email_address: &str) -> SignUp {
    SignUp {
        company_name: CompanyName::parse(company).expect("company"),
        name: PersonName::parse("Anna Hansen").expect("name"),
        email: email(email_address),
        password: Password::parse(PASSWORD).expect("password"),
    }
}

/// Rows in `table` (a literal from the test).
pub async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("select count(*) from {table}");
    scalar(db, &sql, None).await
}

/// The stored password hash of the user with `email` (on PostgreSQL through the one function
/// that may read it: the app's login cannot select the column).
pub async fn password_hash(db: &Db, email_address: &str) -> String {
    let sql = match db.sqlite_pool() {
        Some(_) => "select password_hash from users where email = $1",
        None => "select password_hash from inventory_sync_login_user($1)",
    };
    scalar(db, sql, Some(email_address)).await
}

async fn scalar<T>(db: &Db, sql: &str, arg: Option<&str>) -> T
where
    T: Send + Unpin,
    for<'r> T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    for<'r> T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    if let Some(pool) = db.sqlite_pool() {
        let mut query = sqlx::query_scalar(sql);
        if let Some(arg) = arg {
            query = query.bind(arg.to_owned());
        }
        query.fetch_one(pool).await.expect("query SQLite")
    } else {
        let pool = db.pg_pool().expect("a PostgreSQL pool");
        let mut query = sqlx::query_scalar(sql);
        if let Some(arg) = arg {
            query = query.bind(arg.to_owned());
        }
        query.fetch_one(pool).await.expect("query PostgreSQL")
    }
}

/// Run one statement (a literal from the test) with integer parameters `$1…`.
pub async fn execute(db: &Db, sql: &str, args: &[i64]) {
    if let Some(pool) = db.sqlite_pool() {
        let mut query = sqlx::query(sql);
        for a in args {
            query = query.bind(*a);
        }
        query.execute(pool).await.expect("execute on SQLite");
    } else {
        let pool = db.pg_pool().expect("a PostgreSQL pool");
        let mut query = sqlx::query(sql);
        for a in args {
            query = query.bind(*a);
        }
        query.execute(pool).await.expect("execute on PostgreSQL");
    }
}

/// What the staff dashboard reads with (the health model's context).
pub fn staff_view<'a>(db: &'a Db, keys: &'a backend::Keys) -> backend::health::sweep::Context<'a> {
    backend::health::sweep::Context {
        db,
        urls: backend::health::signals::UrlBase {
            keys,
            public_url: "http://127.0.0.1:3000",
        },
        config: backend::health::Config::default(),
        mail_text: alert_mail,
    }
}

/// Alert e-mails for the tests (the app writes the real ones from its translations): the
/// subject names the company, the event and the reason.
pub fn alert_mail(m: &backend::health::alert_mail::AlertMail<'_>) -> backend::mail::Notification {
    let line = format!(
        "{}: {} {}",
        m.company,
        m.notice.as_str(),
        m.episode.reason.name()
    );
    backend::mail::Notification {
        message: backend::mail::templates::Letter::new(m.recipient.language, line.clone())
            .greeting(&m.recipient.name)
            .action("Open", format!("{}/", m.public_url))
            .render(),
        digest_line: line,
    }
}
