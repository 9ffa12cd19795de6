//! The Advanced Settings: per entity, hourly polling or live webhooks, never both (one
//! [`Mode`] per entity, parsed from the form's boxes at the boundary); and the stand-alone
//! "invoice booked" webhook. Absent settings mean Rackbeat's starting state: hourly
//! sync of products and customers, no webhooks.

use economic::Entity;
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

pub use vocabulary::Mode;

/// A tenant's sync settings, as saved on the Advanced Settings page: per entity one [`Mode`],
/// so that hourly sync and webhooks for one entity cannot both be on; booked invoices only
/// come by webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    /// How products are kept up to date.
    pub products: Mode,
    /// How customers are kept up to date.
    pub customers: Mode,
    /// "Import booked invoices via webhook".
    pub invoices_webhook: bool,
}

impl Default for SyncSettings {
    /// Rackbeat's starting state: hourly sync of products and customers, no webhooks.
    fn default() -> Self {
        SyncSettings {
            products: Mode::Hourly,
            customers: Mode::Hourly,
            invoices_webhook: false,
        }
    }
}

/// The Advanced Settings form's five boxes, as ticked: what [`SyncSettings::from_boxes`] parses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Boxes {
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

impl SyncSettings {
    /// Every webhook on, hourly sync off: live sync of everything.
    pub const ALL_WEBHOOKS: SyncSettings = SyncSettings {
        products: Mode::Webhook,
        customers: Mode::Webhook,
        invoices_webhook: true,
    };

    /// Parse the form's boxes. Errors: [`Error::SettingsConflict`] when hourly sync and webhooks
    /// are both ticked for one entity (products checked first).
    pub fn from_boxes(boxes: Boxes) -> Result<SyncSettings> {
        let mode = |hourly, webhook, entity| {
            Mode::from_boxes(hourly, webhook).ok_or(Error::SettingsConflict { entity })
        };
        Ok(SyncSettings {
            products: mode(
                boxes.products_hourly,
                boxes.products_webhook,
                Entity::Products,
            )?,
            customers: mode(
                boxes.customers_hourly,
                boxes.customers_webhook,
                Entity::Customers,
            )?,
            invoices_webhook: boxes.invoices_webhook,
        })
    }

    /// How `entity` is kept up to date.
    pub fn mode(&self, entity: Entity) -> Mode {
        match entity {
            Entity::Products => self.products,
            Entity::Customers => self.customers,
            Entity::Invoices if self.invoices_webhook => Mode::Webhook,
            Entity::Invoices => Mode::Off,
        }
    }

    /// Whether webhooks of `entity` are to be processed.
    pub fn is_enabled(&self, entity: Entity) -> bool {
        self.mode(entity) == Mode::Webhook
    }

    /// One line for the audit log, e.g. `products: webhook, customers: hourly, invoices: off`.
    pub fn summary(&self) -> String {
        format!(
            "products: {}, customers: {}, invoices: {}",
            self.products.as_str(),
            self.customers.as_str(),
            self.mode(Entity::Invoices).as_str()
        )
    }

    /// Why a webhook of `entity` is not processed, for the event history; `None` if it is.
    pub fn disabled_reason(&self, entity: Entity) -> Option<&'static str> {
        match self.mode(entity) {
            Mode::Webhook => None,
            Mode::Hourly | Mode::Off => Some(REASON_NOT_ACTIVATED),
        }
    }

    /// The settings of the stored columns; both boxes of one entity cannot be stored (the
    /// table's CHECK constraints refuse them), so that is an internal error.
    pub(crate) fn from_columns(boxes: Boxes) -> Result<SyncSettings> {
        SyncSettings::from_boxes(boxes).map_err(|_| {
            Error::internal("stored sync settings have hourly and webhook for one entity")
        })
    }
}

/// The stored reason of an event ignored because its kind's webhook is not activated (the
/// event history translates it; the text itself is for logs and support).
pub const REASON_NOT_ACTIVATED: &str = "webhooks for this kind are not activated in the settings";
/// The stored reason of an event ignored because the tenant is not connected to e-conomic (it
/// disconnected, or never connected): there is nothing to re-fetch it from.
pub const REASON_NOT_CONNECTED: &str = "the company is not connected to e-conomic";
/// The stored reason of events ignored, before [`SyncSettings`] could no longer hold it, because
/// their entity was synced hourly and had its webhook box ticked too; the history still
/// translates it.
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
    row.map_or_else(
        || Ok(SyncSettings::default()),
        |r| {
            SyncSettings::from_columns(Boxes {
                products_hourly: r.0,
                customers_hourly: r.1,
                products_webhook: r.2,
                customers_webhook: r.3,
                invoices_webhook: r.4,
            })
        },
    )
}

/// Save the tenant's settings (each entity's mode as the table's two columns).
pub async fn save(
    db: &Db,
    tenant_id: TenantId,
    settings: &SyncSettings,
    now: Timestamp,
) -> Result<()> {
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
    .bind(settings.products.hourly())
    .bind(settings.customers.hourly())
    .bind(settings.products.webhook())
    .bind(settings.customers.webhook())
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
        assert!(Entity::ALL.iter().all(|k| !s.is_enabled(*k)));
    }

    #[test]
    fn hourly_and_webhook_for_one_entity_conflict() {
        let both = Boxes {
            products_hourly: true,
            customers_hourly: true,
            customers_webhook: true,
            ..Boxes::default()
        };
        assert!(matches!(
            SyncSettings::from_boxes(both),
            Err(Error::SettingsConflict {
                entity: Entity::Customers
            })
        ));
        let live = SyncSettings::from_boxes(Boxes {
            customers_hourly: true,
            products_webhook: true,
            invoices_webhook: true,
            ..Boxes::default()
        })
        .expect("no conflict");
        assert!(live.is_enabled(Entity::Products));
        assert!(live.is_enabled(Entity::Invoices));
        assert!(!live.is_enabled(Entity::Customers));
        assert!(live.disabled_reason(Entity::Customers).is_some());
    }
}
