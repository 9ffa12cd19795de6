//! Demo mode: a ready-made company and user, so one command shows the whole product.

/// The demo user's email address.
pub const DEMO_EMAIL: &str = "demo@example.com";
/// The demo user's password (demo mode only; printed in the log and the README).
pub const DEMO_PASSWORD: &str = "demo-password";

/// Creates the demo company "Demo ApS" with its owner unless the demo user exists already.
pub async fn ensure_demo_company(db: &backend::Db) -> Result<(), backend::Error> {
    let input = backend::accounts::SignUp {
        company_name: backend::CompanyName::parse("Demo ApS")?,
        name: backend::PersonName::parse("Demo User")?,
        email: backend::Email::parse(DEMO_EMAIL)?,
        password: backend::Password::parse(DEMO_PASSWORD)?,
    };
    match backend::accounts::sign_up(db, input).await {
        Ok(_) => tracing::info!(
            email = DEMO_EMAIL,
            password = DEMO_PASSWORD,
            "demo company created"
        ),
        Err(backend::Error::EmailTaken) => {
            tracing::info!(
                email = DEMO_EMAIL,
                password = DEMO_PASSWORD,
                "demo company ready"
            );
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
