//! The Advanced Settings (F4): per entity, hourly polling or live webhooks, never both; and the
//! stand-alone "invoice booked" webhook. Absent settings mean Rackbeat's starting state: hourly
//! sync of products and customers, no webhooks.

use economic::Entity;
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// A tenant's sync settings, as shown and saved on the Advanced Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    /// "Sync products every hour".
    pub products_hourly: bool,
    /// "Sync customers every hour".
    pub customers_hourly: bool,
    /// "Activate webhooks – live transfer of products".
    pub products_webhook: bool,
    /// "Activate webhooks – live transfer of customers".
    pub customers_webhook: bool,
    /// "Import booked invoices via webhook".
    pub invoices_webhook: bool,
}

impl Default for SyncSettings {
    /// Rackbeat's starting state: hourly sync of products and customers, no webhooks.
    fn default() -> Self {
        SyncSettings {
            products_hourly: true,
            customers_hourly: true,
            products_webhook: false,
            customers_webhook: false,
            invoices_webhook: false,
        }
    }
}

impl SyncSettings {
    /// Every webhook on, hourly sync off: live sync of everything.
    pub const ALL_WEBHOOKS: SyncSettings = SyncSettings {
        products_hourly: false,
        customers_hourly: false,
        products_webhook: true,
        customers_webhook: true,
        invoices_webhook: true,
    };

    /// Refuse hourly sync and webhooks for the same entity ([`Error::SettingsConflict`],
    /// products checked first).
    pub fn validate(&self) -> Result<()> {
        if self.products_hourly && self.products_webhook {
            return Err(Error::SettingsConflict {
                entity: Entity::Products,
            });
        }
        if self.customers_hourly && self.customers_webhook {
            return Err(Error::SettingsConflict {
                entity: Entity::Customers,
            });
        }
        Ok(())
    }

    /// Whether webhooks of `entity` are to be processed (the box is ticked). A stored row always
    /// passed [`SyncSettings::validate`], so a ticked webhook box means hourly mode is off.
    pub fn is_enabled(&self, entity: Entity) -> bool {
        match entity {
            Entity::Products => self.products_webhook && !self.products_hourly,
            Entity::Customers => self.customers_webhook && !self.customers_hourly,
            Entity::Invoices => self.invoices_webhook,
        }
    }

    /// One line for the audit log, e.g. `products: webhook, customers: hourly, invoices: off`.
    pub fn summary(&self) -> String {
        let mode = |hourly: bool, webhook: bool| match (hourly, webhook) {
            (true, _) => "hourly",
            (false, true) => "webhook",
            (false, false) => "off",
        };
        format!(
            "products: {}, customers: {}, invoices: {}",
            mode(self.products_hourly, self.products_webhook),
            mode(self.customers_hourly, self.customers_webhook),
            mode(false, self.invoices_webhook)
        )
    }

    /// Why a webhook of `entity` is not processed, for the event history; `None` if it is.
    pub fn disabled_reason(&self, entity: Entity) -> Option<&'static str> {
        let (hourly, webhook) = match entity {
            Entity::Products => (self.products_hourly, self.products_webhook),
            Entity::Customers => (self.customers_hourly, self.customers_webhook),
            Entity::Invoices => (false, self.invoices_webhook),
        };
        match (hourly, webhook) {
            (_, false) => Some(REASON_NOT_ACTIVATED),
            (true, true) => Some(REASON_SYNCED_HOURLY),
            (false, true) => None,
        }
    }
}

/// The stored reason of an event ignored because its kind's webhook is not activated (the
/// event history translates it; the text itself is for logs and support).
pub const REASON_NOT_ACTIVATED: &str = "webhooks for this kind are not activated in the settings";
/// The stored reason of an event ignored because the tenant is not connected to e-conomic (it
/// disconnected, or never connected): there is nothing to re-fetch it from.
pub const REASON_NOT_CONNECTED: &str = "the company is not connected to e-conomic";
/// The stored reason of an event ignored because its entity is synced hourly.
pub const REASON_SYNCED_HOURLY: &str = "this entity is synced hourly, not by webhook";

type Row = (bool, bool, bool, bool, bool);

/// The tenant's settings, or [`SyncSettings::default`] if never saved.
pub async fn get(db: &Db, tenant_id: TenantId) -> Result<SyncSettings> {
    let row: Option<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select products_hourly, customers_hourly, products_webhook, customers_webhook, \
         invoices_webhook from sync_settings where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    Ok(row.map_or_else(SyncSettings::default, |r| SyncSettings {
        products_hourly: r.0,
        customers_hourly: r.1,
        products_webhook: r.2,
        customers_webhook: r.3,
        invoices_webhook: r.4,
    }))
}

/// Save the tenant's settings. Errors: [`Error::SettingsConflict`] (nothing is saved; the
/// table's CHECK constraints refuse the combination too).
pub async fn save(
    db: &Db,
    tenant_id: TenantId,
    settings: &SyncSettings,
    now: Timestamp,
) -> Result<()> {
    settings.validate()?;
    // One statement, so concurrent saves cannot interleave: the last one wins whole.
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into sync_settings (tenant_id, products_hourly, customers_hourly, \
         products_webhook, customers_webhook, invoices_webhook, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $7) \
         on conflict (tenant_id) do update set products_hourly = excluded.products_hourly, \
         customers_hourly = excluded.customers_hourly, \
         products_webhook = excluded.products_webhook, \
         customers_webhook = excluded.customers_webhook, \
         invoices_webhook = excluded.invoices_webhook, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(settings.products_hourly)
    .bind(settings.customers_hourly)
    .bind(settings.products_webhook)
    .bind(settings.customers_webhook)
    .bind(settings.invoices_webhook)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_hourly_without_webhooks() {
        let s = SyncSettings::default();
        assert!(s.validate().is_ok());
        assert!(Entity::ALL.iter().all(|k| !s.is_enabled(*k)));
    }

    #[test]
    fn hourly_and_webhook_for_one_entity_conflict() {
        let both = SyncSettings {
            customers_webhook: true,
            ..SyncSettings::default()
        };
        assert!(matches!(
            both.validate(),
            Err(Error::SettingsConflict {
                entity: Entity::Customers
            })
        ));
        let live = SyncSettings {
            products_hourly: false,
            products_webhook: true,
            invoices_webhook: true,
            ..SyncSettings::default()
        };
        assert!(live.validate().is_ok());
        assert!(live.is_enabled(Entity::Products));
        assert!(live.is_enabled(Entity::Invoices));
        assert!(!live.is_enabled(Entity::Customers));
        assert!(live.disabled_reason(Entity::Customers).is_some());
    }
}
