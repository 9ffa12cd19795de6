//! `server create-staff`, `list-staff`, `disable-staff`, `staff-enrolment-link` and
//! `unlock-staff`. Staff accounts are made on the command line only, never through the web. The
//! password is read from a prompt without echo (the `rpassword` crate) or, when stdin is not a
//! terminal, from its first line — never from an argument, which would end up in shell history
//! and in `ps`.
//!
//! `create-staff` prints a one-time link for setting up the second factor (valid for an hour):
//! whoever knows the password cannot enrol an authenticator of their own without it.

use std::io::{BufRead, IsTerminal};

use clap::Args;

use crate::startup::Error;

/// Where the staff accounts are.
#[derive(Args, Debug)]
pub struct Database {
    /// Database URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/app.db?mode=rwc"
    )]
    database_url: String,
}

/// Where the link to the enrolment page points.
#[derive(Args, Debug)]
pub struct PublicUrl {
    /// The address people reach the server at (as for `serve`).
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    public_url: String,
}

/// `create-staff`.
#[derive(Args, Debug)]
pub struct CreateStaff {
    /// Login email of the new staff member.
    #[arg(long)]
    email: String,
    /// Display name (shown to tenants in their support-access log).
    #[arg(long)]
    name: String,
    #[command(flatten)]
    public_url: PublicUrl,
    #[command(flatten)]
    database: Database,
}

/// `disable-staff` and `unlock-staff`: one staff member, by email.
#[derive(Args, Debug)]
pub struct DisableStaff {
    /// Login email of the staff member.
    #[arg(long)]
    email: String,
    #[command(flatten)]
    database: Database,
}

/// `staff-enrolment-link`.
#[derive(Args, Debug)]
pub struct EnrolmentLink {
    /// Login email of the staff member (who has not set up the second factor yet).
    #[arg(long)]
    email: String,
    #[command(flatten)]
    public_url: PublicUrl,
    #[command(flatten)]
    database: Database,
}

async fn open(database: &Database) -> Result<backend::Db, Error> {
    let db = backend::Db::connect(&database.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

/// Creates a staff account and prints its one-time enrolment link: the second factor is set
/// up at the first log-in through it.
pub async fn create(args: CreateStaff) -> Result<(), Error> {
    let email = backend::Email::parse(&args.email).map_err(backend::Error::from)?;
    let name = backend::PersonName::parse(&args.name).map_err(backend::Error::from)?;
    let password = read_password()?;
    let password = backend::Password::parse(&password).map_err(backend::Error::from)?;
    let db = open(&args.database).await?;
    let id = backend::staff::create(&db, &email, &name, &password).await?;
    let now = backend::Timestamp::now();
    audit(&db, backend::audit::Action::StaffCreated, &email, now).await?;
    let token = backend::second_factor::issue_enrolment_link(&db, id, now).await?;
    println!("created staff member {} ({email})", id.get());
    print_link(&args.public_url, &token);
    Ok(())
}

/// Prints a new one-time enrolment link for a staff member who has not set up the second
/// factor (the one from `create-staff` expired, or was lost).
pub async fn enrolment_link(args: EnrolmentLink) -> Result<(), Error> {
    let email = backend::Email::parse(&args.email).map_err(backend::Error::from)?;
    let db = open(&args.database).await?;
    let staff = backend::staff::by_email(&db, &email).await?;
    let token =
        backend::second_factor::issue_enrolment_link(&db, staff.id, backend::Timestamp::now())
            .await?;
    print_link(&args.public_url, &token);
    Ok(())
}

fn print_link(public_url: &PublicUrl, token: &str) {
    let base = public_url.public_url.trim_end_matches('/');
    println!(
        "set up the second factor within {} minutes, once, at: {base}/staff/login?enrol={token}",
        backend::second_factor::ENROLMENT_LINK_MINUTES
    );
}

/// Lifts the lock of a staff member's second factor (after too many wrong codes) and forgets
/// the failures recorded against their password and codes.
pub async fn unlock(args: DisableStaff) -> Result<(), Error> {
    let email = backend::Email::parse(&args.email).map_err(backend::Error::from)?;
    let db = open(&args.database).await?;
    backend::staff::unlock(&db, &email).await?;
    let now = backend::Timestamp::now();
    audit(&db, backend::audit::Action::StaffUnlocked, &email, now).await?;
    println!("unlocked staff member {email}");
    Ok(())
}

/// Prints every staff account.
pub async fn list(database: Database) -> Result<(), Error> {
    let db = open(&database).await?;
    for staff in backend::staff::list(&db).await? {
        let factor = match (staff.second_factor, staff.second_factor_locked) {
            (_, true) => "2fa locked",
            (true, false) => "2fa on",
            (false, false) => "2fa not set up",
        };
        let state = match staff.disabled_at {
            Some(at) => format!("disabled {at}"),
            None => "active".to_owned(),
        };
        println!(
            "{}\t{}\t{}\t{factor}\t{state}",
            staff.id.get(),
            staff.email,
            staff.name
        );
    }
    Ok(())
}

/// Disables a staff account: no more log-ins, and its sessions end at their next request.
pub async fn disable(args: DisableStaff) -> Result<(), Error> {
    let email = backend::Email::parse(&args.email).map_err(backend::Error::from)?;
    let db = open(&args.database).await?;
    let now = backend::Timestamp::now();
    backend::staff::disable(&db, &email, now).await?;
    audit(&db, backend::audit::Action::StaffDisabled, &email, now).await?;
    println!("disabled staff member {email}");
    Ok(())
}

/// Records a staff-account command in the audit log (no tenant; done by the operator).
async fn audit(
    db: &backend::Db,
    action: backend::audit::Action,
    email: &backend::Email,
    now: backend::Timestamp,
) -> Result<(), Error> {
    let actor = backend::audit::Actor::System;
    backend::audit::record(db, None, actor, action, email.as_str(), now).await?;
    Ok(())
}

fn read_password() -> Result<String, Error> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            return Err(Error::Io(std::io::Error::other("the passwords differ")));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
