//! Several companies on one e-conomic agreement. e-conomic allows one webhook per event type
//! and agreement, and meters the agreement's calls as one; so each company sharing an agreement
//! is shown the others, and which company e-conomic sends each webhook type to. Reading other
//! companies' names and webhook owners is a cross-tenant look
//! ([`CrossTenant::SharedAgreement`]): only names, kinds and owners, never their URLs or data.

use economic::Entity;

use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// A company connected to the agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// The company.
    pub tenant_id: TenantId,
    /// Its name.
    pub name: String,
}

/// Where e-conomic sends one webhook type of the agreement, as the companies' last looks
/// through the Webhooks API saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiver {
    /// To this company's URL.
    Company(Company),
    /// To an address that is not one of this server's companies'.
    Elsewhere,
    /// No webhook of this type made by this app (one typed into e-conomic's screens cannot be
    /// seen), or not looked at yet.
    Unknown,
}

/// The agreement a company shares with others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedAgreement {
    /// e-conomic's agreement number.
    pub agreement_number: i64,
    /// Every company connected to it (the asking one too), by name.
    pub companies: Vec<Company>,
    /// Per webhook type (customers, products, invoices), who receives it.
    pub receivers: Vec<(Entity, Receiver)>,
}

/// The companies connected to `agreement_number`, by name.
pub async fn companies(db: &Db, agreement_number: i64) -> Result<Vec<Company>> {
    let rows: Vec<(TenantId, String)> = with_cross_tenant!(db, CrossTenant::SharedAgreement, pool => sqlx::query_as(
        "select c.tenant_id, t.name from economic_connections c \
         join tenants t on t.id = c.tenant_id where c.agreement_number = $1 \
         order by t.name, c.tenant_id",
    )
    .bind(agreement_number)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(tenant_id, name)| Company { tenant_id, name })
        .collect())
}

/// The tenant's agreement when another company is connected to it too; `None` when the tenant
/// is alone on it (or not connected).
pub async fn of_tenant(db: &Db, tenant_id: TenantId) -> Result<Option<SharedAgreement>> {
    let Some(connection) = crate::connection::get(db, tenant_id).await? else {
        return Ok(None);
    };
    let agreement_number = connection.agreement_number;
    let companies = companies(db, agreement_number).await?;
    if companies.len() < 2 {
        return Ok(None);
    }
    type Row = (String, Option<TenantId>, Option<bool>, Timestamp);
    // Every company's last look at each type; the newest one tells.
    let looks: Vec<Row> = with_cross_tenant!(db, CrossTenant::SharedAgreement, pool => sqlx::query_as(
        "select m.kind, m.remote_owner_tenant_id, m.remote_present, m.checked_at \
         from managed_webhooks m join economic_connections c on c.tenant_id = m.tenant_id \
         where c.agreement_number = $1 and m.checked_at is not null \
         order by m.checked_at desc",
    )
    .bind(agreement_number)
    .fetch_all(pool)
    .await)?;
    let receivers = Entity::ALL
        .into_iter()
        .map(|kind| {
            let newest = looks.iter().find(|(k, ..)| k == kind.as_str());
            let receiver = match newest {
                Some((_, Some(owner), Some(true), _)) => companies
                    .iter()
                    .find(|c| c.tenant_id == *owner)
                    .cloned()
                    .map_or(Receiver::Elsewhere, Receiver::Company),
                Some((_, None, Some(true), _)) => Receiver::Elsewhere,
                Some(_) | None => Receiver::Unknown,
            };
            (kind, receiver)
        })
        .collect();
    Ok(Some(SharedAgreement {
        agreement_number,
        companies,
        receivers,
    }))
}

/// For the staff dashboard: every agreement with more than one company connected, with its
/// companies (newest agreement number last).
pub async fn all_shared(db: &Db) -> Result<Vec<(i64, Vec<Company>)>> {
    let rows: Vec<(i64, TenantId, String)> = with_cross_tenant!(db, CrossTenant::Staff, pool => sqlx::query_as(
        "select c.agreement_number, c.tenant_id, t.name from economic_connections c \
         join tenants t on t.id = c.tenant_id where c.agreement_number in \
         (select agreement_number from economic_connections group by agreement_number \
          having count(*) > 1) \
         order by c.agreement_number, t.name, c.tenant_id",
    )
    .fetch_all(pool)
    .await)?;
    let mut shared: Vec<(i64, Vec<Company>)> = Vec::new();
    for (agreement_number, tenant_id, name) in rows {
        let company = Company { tenant_id, name };
        match shared.last_mut() {
            Some((number, companies)) if *number == agreement_number => companies.push(company),
            _ => shared.push((agreement_number, vec![company])),
        }
    }
    Ok(shared)
}
