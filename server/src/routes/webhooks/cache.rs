//! A short-lived cache of what every webhook request reads before its insert: the credential
//! generations and the settings of one (tenant, kind). Saves two queries per request in a burst.
//!
//! Bounds: a token that does not match the cached generations is checked against the database
//! before it is refused, so a regenerated URL works at once; an entry is only cached after a
//! request verified, so forged requests cannot fill it; a settings change or an immediate
//! (zero-grace) retirement takes effect within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use backend::settings::{self, SyncSettings};
use backend::webhook_credentials::{self as credentials, Generation};
use backend::{Db, Keys, TenantId, Timestamp};
use economic::Entity;

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(1);

#[derive(Clone)]
struct Entry {
    generations: Vec<Generation>,
    settings: SyncSettings,
    fetched: Instant,
}

/// See the module documentation.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<(TenantId, Entity), Entry>>,
}

impl Cache {
    /// The tenant's settings if `token` is valid for its `kind` URL at `now`; `None` if not.
    pub async fn verify(
        &self,
        db: &Db,
        keys: &Keys,
        tenant_id: TenantId,
        kind: Entity,
        token: &str,
        now: Timestamp,
    ) -> backend::Result<Option<SyncSettings>> {
        if let Some(entry) = self.fresh(tenant_id, kind)
            && credentials::matches_any(keys, tenant_id, kind, token, &entry.generations, now)
        {
            return Ok(Some(entry.settings));
        }
        let generations = credentials::generations(db, tenant_id, kind, now).await?;
        if !credentials::matches_any(keys, tenant_id, kind, token, &generations, now) {
            return Ok(None);
        }
        let settings = settings::get(db, tenant_id).await?;
        let entry = Entry {
            generations,
            settings,
            fetched: Instant::now(),
        };
        // A std mutex held for a map operation only, never across an await.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert((tenant_id, kind), entry);
        Ok(Some(settings))
    }

    fn fresh(&self, tenant_id: TenantId, kind: Entity) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&(tenant_id, kind))
            .filter(|e| e.fetched.elapsed() < TTL)
            .cloned()
    }
}
