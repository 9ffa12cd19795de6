//! The health task: every minute (by default) one process sweeps every tenant's
//! health ([`backend::health::sweep`]), then does the work the sweep found due — probes of
//! quiet webhook entities, webhook checks that evidence asks for at once — and assesses the
//! tenants they touched again, so that a problem they reveal opens in the same round.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use backend::health::alert_mail::MailText;
use backend::health::alerts::Delivery;
use backend::health::episodes::Changes;
use backend::health::probe::{self, Found};
use backend::health::signals::{self, UrlBase};
use backend::health::sweep::{self, Context, Swept};
use backend::sync::budget::Priority;
use backend::{TenantId, Timestamp};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::environment::Environment;
use crate::managed_webhooks;
use crate::periodic::periodic;

/// The text of an alert (Slack and Teams show it), in the company's language; `app` renders it
/// from its translations.
pub type Render = Arc<dyn Fn(&Delivery) -> String + Send + Sync>;

/// Most probes per sweep (the rest are due again at the next one).
const PROBES_PER_SWEEP: usize = 500;
/// Probes and checks in flight at once.
const CONCURRENCY: usize = 8;

/// What the health tasks need besides the workers' environment.
#[derive(Clone)]
pub struct Watch {
    /// The workers' environment (database, keys, e-conomic client, configuration).
    pub env: Environment,
    /// Our public base URL: webhook URLs derive from it, alerts link to it.
    pub public_url: String,
    /// Renders an alert's text.
    pub render: Render,
    /// Writes the alert e-mails, in each recipient's language.
    pub mail_text: MailText,
    /// Sends the alert webhooks (its own timeouts; no redirects followed).
    pub http: reqwest::Client,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Watch {
    /// The health tasks of `env`, with alert webhooks sent by a client of their own and alert
    /// e-mails written by `mail_text`.
    pub fn new(
        env: Environment,
        public_url: String,
        render: Render,
        mail_text: MailText,
    ) -> Result<Watch, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(env.config.health.alert_timeout)
            .connect_timeout(env.config.health.alert_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("inventory-sync-alerts")
            .build()?;
        Ok(Watch {
            env,
            public_url,
            render,
            mail_text,
            http,
        })
    }

    /// The sweep's view of the world.
    pub fn context(&self) -> Context<'_> {
        Context {
            db: &self.env.db,
            urls: UrlBase {
                keys: &self.env.keys,
                public_url: &self.public_url,
            },
            config: self.env.config.health.model,
            mail_text: self.mail_text,
        }
    }

    /// Assess one tenant now and open or resolve its episodes.
    pub async fn refresh(&self, tenant: TenantId, now: Timestamp) -> backend::Result<Changes> {
        sweep::refresh(self.context(), tenant, now).await
    }
}

/// Sweep when it is this process's turn, until `stop`.
pub async fn run(watch: Watch, stop: CancellationToken) {
    let every = watch.env.config.health.sweep_every;
    periodic("health", every, stop, || async {
        let now = Timestamp::now();
        // Held a little less than the interval, so that the next turn is free in time.
        let hold = time::Duration::try_from(every.mul_f64(0.9)).unwrap_or(time::Duration::ZERO);
        match backend::health::sweep::take_turn(&watch.env.db, now, hold).await {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => {
                tracing::error!(error = ?e, "health sweep could not take its turn");
                return;
            }
        }
        match sweep_now(&watch, now).await {
            Ok(swept) if swept.opened + swept.resolved > 0 => tracing::info!(
                opened = swept.opened,
                resolved = swept.resolved,
                "sync health changed"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "health sweep failed"),
        }
    })
    .await;
}

/// One sweep at `now`, with its probes and checks. Tests call it with their own clock.
pub async fn sweep_now(watch: &Watch, now: Timestamp) -> backend::Result<Swept> {
    let env = &watch.env;
    let swept = sweep::sweep(watch.context(), now).await?;
    let limit = env.config.sync.daily_call_limit;
    let probes: Vec<(TenantId, Found)> =
        futures::stream::iter(swept.probes.iter().take(PROBES_PER_SWEEP).copied())
            .map(|(tenant, entity)| async move {
                let found = probe::run(
                    &env.db,
                    &env.keys,
                    &env.economic,
                    tenant,
                    entity,
                    limit,
                    now,
                )
                .await;
                (tenant, found)
            })
            .buffer_unordered(CONCURRENCY)
            .filter_map(|(tenant, found)| async move {
                match found {
                    Ok(found) => Some((tenant, found)),
                    Err(e) => {
                        tracing::error!(error = ?e, %tenant, "health probe failed");
                        None
                    }
                }
            })
            .collect()
            .await;
    let mut touched: BTreeSet<TenantId> = swept.checks.iter().copied().collect();
    // A probe that looked changed what is known: a change found unreported opens a problem,
    // one found in our data clears it; assess those tenants again now, not at the next sweep.
    for (tenant, found) in probes {
        match found {
            Found::Missed(..) | Found::TokenRefused | Found::UpToDate => {
                touched.insert(tenant);
            }
            Found::Skipped => {}
        }
    }
    for tenant in touched {
        if let Err(e) = look_again(watch, tenant, now).await {
            tracing::error!(error = ?e, %tenant, "assessing health failed");
        }
    }
    Ok(swept)
}

/// Evidence touched the tenant: check its managed webhooks at once if the evidence asks for
/// it, then assess it again.
async fn look_again(watch: &Watch, tenant: TenantId, now: Timestamp) -> backend::Result<()> {
    let ctx = watch.context();
    let limit = ctx.config.daily_call_limit;
    let signals = signals::load_one(ctx.db, ctx.urls, tenant, limit, now).await?;
    if sweep::needs_check(&signals) {
        managed_webhooks::check_now(&watch.env, tenant, Priority::Background, now).await?;
    }
    watch.refresh(tenant, now).await?;
    Ok(())
}

/// How long the alert task sleeps between looks for due alerts.
pub(crate) const ALERT_POLL: Duration = Duration::from_secs(5);
