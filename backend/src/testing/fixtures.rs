//! Fixture builders for tests in any crate.

use crate::accounts::{self, SignUp};
use crate::{CompanyName, Db, Email, Password, PersonName, TenantId, UserId};

/// The password every fixture user has.
pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-up tenant with its owner.
#[derive(Debug, Clone)]
pub struct Owner {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its owner.
    pub user_id: UserId,
    /// The owner's email: `owner@<label>.test`.
    pub email: Email,
    /// The owner's password ([`PASSWORD`]).
    pub password: String,
}

/// Sign up company `"<label> ApS"` with owner `owner@<label>.test`. `label` must be usable in a
/// domain name (letters, digits, `-`) and unique within the test.
pub async fn owner(db: &Db, label: &str) -> Owner {
    let email = Email::parse(&format!("owner@{label}.test")).expect("fixture email");
    let form = SignUp {
        company_name: CompanyName::parse(&format!("{label} ApS")).expect("fixture company"),
        name: PersonName::parse(&format!("Owner of {label}")).expect("fixture name"),
        email: email.clone(),
        password: Password::parse(PASSWORD).expect("fixture password"),
    };
    let signed_up = accounts::sign_up(db, form)
        .await
        .expect("sign up fixture tenant");
    Owner {
        tenant_id: signed_up.tenant_id,
        user_id: signed_up.user_id,
        email,
        password: PASSWORD.to_owned(),
    }
}
