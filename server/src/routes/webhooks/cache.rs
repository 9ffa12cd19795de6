//! A short-lived cache of what every webhook request reads before its insert: the credential
//! generations, the settings and whether e-conomic is connected, of one (tenant, kind). Saves
//! three queries per request in a burst.
//!
//! Bounds: a token that does not match the cached generations is checked against the database
//! before it is refused, so a regenerated URL works at once; an entry is only cached after a
//! request verified, so forged requests cannot fill it; a settings change or an immediate
//! (zero-grace) retirement or a disconnect takes effect within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use backend::connection;
use backend::settings::{self, SyncSettings};
use backend::webhook_credentials::{self as credentials, Generation};
use backend::{Db, Keys, TenantId, Timestamp};
use economic::Entity;

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(1);

/// What a verified request of one (tenant, kind) needs to know.
#[derive(Clone, Copy)]
pub struct Verified {
    /// The tenant's sync settings.
    pub settings: SyncSettings,
    /// Whether the tenant is connected to e-conomic (events of a disconnected tenant are ignored).
    pub connected: bool,
}

#[derive(Clone)]
struct Entry {
    generations: Vec<Generation>,
    verified: Verified,
    fetched: Instant,
}

/// See the module documentation.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<(TenantId, Entity), Entry>>,
}

impl Cache {
    /// What the request needs if `token` is valid for its `kind` URL at `now`; `None` if not.
    pub async fn verify(
        &self,
        db: &Db,
        keys: &Keys,
        tenant_id: TenantId,
        kind: Entity,
        token: &str,
        now: Timestamp,
    ) -> backend::Result<Option<Verified>> {
        if let Some(entry) = self.fresh(tenant_id, kind)
            && credentials::matches_any(keys, tenant_id, kind, token, &entry.generations, now)
        {
            return Ok(Some(entry.verified));
        }
        let generations = credentials::generations(db, tenant_id, kind, now).await?;
        if !credentials::matches_any(keys, tenant_id, kind, token, &generations, now) {
            return Ok(None);
        }
        let verified = Verified {
            settings: settings::get(db, tenant_id).await?,
            connected: connection::get(db, tenant_id).await?.is_some(),
        };
        let entry = Entry {
            generations,
            verified,
            fetched: Instant::now(),
        };
        // A std mutex held for a map operation only, never across an await.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert((tenant_id, kind), entry);
        Ok(Some(verified))
    }

    fn fresh(&self, tenant_id: TenantId, kind: Entity) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&(tenant_id, kind))
            .filter(|e| e.fetched.elapsed() < TTL)
            .cloned()
    }
}
