//! Server side of the home page: the backend's health model in the page's types, the fixes,
//! and the alert texts the alert webhook and the e-mails send (from the same translations as
//! the page).

use backend::economic::Entity;
use backend::health::alert_mail::AlertMail;
use backend::health::alerts::{Delivery, Notice};
use backend::health::episodes::Episode;
use backend::health::signals::{self, Signals, UrlBase};
use backend::health::sweep::{self, Context};
use backend::health::{self as model, Fix, Reason, State, episodes};
use backend::mail::Notification;
use backend::mail::templates::Letter;
use backend::sync::{self, RunKind};
use backend::{Timestamp, audit};

use super::{
    EntityHealthView, EpisodeView, FixAction, HISTORY, HealthState, HomeView, Onboarding,
    ProblemReason, ProblemView, WebhookStep, fix_msg, reason_text,
};
use crate::api::managed_webhooks::ssr::target;
use crate::error::AppError;
use crate::i18n::{Lang, Msg};
use crate::ssr::entrance::{Change, Read, Tenant, Writable};
use crate::ssr::format;
use crate::ssr::state::AppState;

/// The sweep's context for this server.
pub(crate) fn context(state: &AppState) -> Context<'_> {
    Context {
        db: &state.db,
        urls: UrlBase {
            keys: &state.keys,
            public_url: &state.public_url,
        },
        config: state.health,
        mail_text: alert_mail,
    }
}

/// The home page's data for the caller's company at `now`.
pub(super) async fn home(ctx: &Tenant<Read>, now: Timestamp) -> Result<HomeView, AppError> {
    let state = &ctx.state;
    let c = context(state);
    let limit = state.daily_call_limit;
    let signals = signals::load_one(c.db, c.urls, ctx.tenant_id, limit, now).await?;
    let health = model::assess(&signals, &c.config, now);
    let history = episodes::history(&state.db, ctx.tenant_id, HISTORY).await?;
    let onboarding = onboarding(&signals);
    Ok(HomeView {
        connected: health.connected,
        state: state_view(health.state),
        entities: health
            .entities
            .iter()
            .map(|e| EntityHealthView {
                entity: e.entity,
                mode: e.mode,
                state: state_view(e.state),
                fresh_secs: e.fresh_until.map(|at| at.secs_until(now)),
            })
            .collect(),
        problems: health
            .problems
            .iter()
            .map(|p| ProblemView {
                reason: reason_view(&p.reason),
                state: state_view(p.state),
                since: format::timestamp(p.since),
                fix: fix_view(p.fix),
                fix_code: p.fix.code(),
            })
            .collect(),
        history: history.into_iter().map(episode_view).collect(),
        onboarding: Some(onboarding).filter(|o| !o.done()),
        // Support staff without write access see the fixes but cannot press them.
        can_fix: ctx.manager().is_ok() && ctx.support.is_none_or(|s| s.elevated),
    })
}

/// An episode as the history lists it.
pub(crate) fn episode_view(e: episodes::Episode) -> EpisodeView {
    EpisodeView {
        id: e.id.get(),
        reason: reason_view(&e.reason),
        state: state_view(e.state),
        opened_at: format::timestamp(e.opened_at),
        resolved_at: e.resolved_at.map(format::timestamp),
    }
}

fn onboarding(s: &Signals) -> Onboarding {
    let webhooks: Vec<WebhookStep> = Entity::ALL
        .into_iter()
        .filter(|e| s.settings.is_enabled(*e))
        .map(|entity| {
            let e = s.entity(entity);
            WebhookStep {
                entity,
                created: e.webhook.is_some_and(|w| w.managed),
                received: e.facts.last_webhook_at.is_some(),
            }
        })
        .collect();
    let first_event = s
        .entities
        .iter()
        .filter_map(|e| e.facts.last_webhook_at)
        .min()
        .map(format::timestamp);
    Onboarding {
        connected: s.connection.is_some(),
        chosen: s.settings_saved_at.is_some(),
        webhooks,
        first_event,
    }
}

/// The page's mirror of a state.
pub(crate) fn state_view(state: State) -> HealthState {
    match state {
        State::Ok => HealthState::Ok,
        State::Delayed => HealthState::Delayed,
        State::Broken => HealthState::Broken,
    }
}

/// The page's mirror of a reason.
pub(crate) fn reason_view(reason: &Reason) -> ProblemReason {
    match reason {
        Reason::TokenRefused => ProblemReason::TokenRefused,
        Reason::WebhookDisabled { entity } => ProblemReason::WebhookDisabled(*entity),
        Reason::WebhookMissing { entity } => ProblemReason::WebhookMissing(*entity),
        Reason::WebhookMisdirected { entity } => ProblemReason::WebhookMisdirected(*entity),
        Reason::WebhookUnreported { entity, changes } => ProblemReason::WebhookUnreported {
            entity: *entity,
            changes: *changes,
        },
        Reason::WebhookQuiet { entity, record } => ProblemReason::WebhookQuiet {
            entity: *entity,
            record: record.clone(),
        },
        Reason::EventsFailing { failed, dead } => ProblemReason::EventsFailing {
            failed: *failed,
            dead: *dead,
        },
        Reason::Backlog { waiting } => ProblemReason::Backlog { waiting: *waiting },
        Reason::BudgetExhausted { used, limit } => ProblemReason::BudgetExhausted {
            used: *used,
            limit: *limit,
        },
        Reason::SyncFailing { entity } => ProblemReason::SyncFailing(*entity),
    }
}

fn fix_view(fix: Fix) -> FixAction {
    match fix {
        Fix::Reconnect => FixAction::Reconnect,
        Fix::ReenableWebhook(e) => FixAction::ReenableWebhook(e),
        Fix::RecreateWebhook(e) => FixAction::RecreateWebhook(e),
        Fix::CheckWebhooks => FixAction::CheckWebhooks,
        Fix::OpenWebhookSettings(e) => FixAction::OpenWebhookSettings(e),
        Fix::CheckAllRecords(e) => FixAction::CheckAllRecords(e),
        Fix::SyncNow(e) => FixAction::SyncNow(e),
        Fix::ReplayFailed => FixAction::ReplayFailed,
        Fix::WatchQueue => FixAction::WatchQueue,
        Fix::WaitForBudget => FixAction::WaitForBudget,
    }
}

/// Do `fix` for the caller's company (recorded in its activity log), then assess its health at
/// once: a fix that worked resolves its problem now, not at the next sweep.
pub(super) async fn fix(
    ctx: &Tenant<Change>,
    write: &Writable,
    fix: Fix,
    now: Timestamp,
) -> Result<(), AppError> {
    let (state, tenant) = (&ctx.state, ctx.tenant_id);
    let request = |entity, kind| sync::request(&state.db, tenant, entity, kind, now);
    match fix {
        Fix::ReenableWebhook(entity) | Fix::RecreateWebhook(entity) => {
            let target = target(state, write);
            let outcome = backend::managed_webhooks::ensure(target, tenant, entity, now).await?;
            crate::api::managed_webhooks::ssr::audit(ctx, write, entity, outcome).await;
        }
        Fix::CheckWebhooks => {
            let priority = backend::sync::budget::Priority::Scheduled;
            let (db, keys, client) = (&state.db, &state.keys, &state.economic);
            backend::managed_webhooks::check(db, keys, client, tenant, priority, now).await?;
        }
        Fix::CheckAllRecords(entity) => {
            request(entity, RunKind::Reconcile).await?;
            state.signal.notify();
        }
        Fix::SyncNow(entity) => {
            request(entity, RunKind::Manual).await?;
            state.signal.notify();
        }
        Fix::ReplayFailed => {
            let n = backend::queue::replay_failed(&state.db, tenant, now).await?;
            state.signal.notify();
            let detail = format!("{n} failed events");
            ctx.audit(write, audit::Action::EventsReplayed, &detail)
                .await;
        }
        // Links, not actions: nothing to do here.
        Fix::Reconnect | Fix::OpenWebhookSettings(_) | Fix::WatchQueue | Fix::WaitForBudget => {}
    }
    sweep::refresh(context(state), tenant, now).await?;
    Ok(())
}

/// The alert's text in `lang` (Slack and Teams show it): the company, what happened, since
/// when, the fix, and a link to the home page.
pub fn alert_text(d: &Delivery, lang: Lang, public_url: &str) -> String {
    alert_line(d.notice, &d.company, &d.episode, lang, public_url)
}

fn alert_line(notice: Notice, company: &str, e: &Episode, lang: Lang, public_url: &str) -> String {
    let what = reason_text(&reason_view(&e.reason), lang);
    let link = format!("{}/", public_url.trim_end_matches('/'));
    match notice {
        Notice::Opened => {
            let mark = match e.state {
                State::Broken => "🔴",
                State::Delayed | State::Ok => "🟠",
            };
            format!(
                "{mark} {company}: {what} ({} {}). {}: {}. {link}",
                Msg::HealthSince.text(lang),
                format::timestamp(e.since),
                Msg::AlertFix.text(lang),
                fix_msg(fix_view(e.fix)).text(lang),
            )
        }
        Notice::Resolved => format!(
            "✅ {company}: {}: {what} {link}",
            Msg::AlertResolved.text(lang)
        ),
    }
}

/// An alert e-mail for one owner or admin, in their language: what happened and since when, the
/// fix, a button to the home page, and where to choose which mails they get.
pub fn alert_mail(m: &AlertMail<'_>) -> Notification {
    let language = m.recipient.language;
    let lang = Lang::of_mail_language(language);
    let e = m.episode;
    let base = m.public_url.trim_end_matches('/');
    let what = reason_text(&reason_view(&e.reason), lang);
    let (subject, intro) = match m.notice {
        Notice::Opened => (Msg::AlertMailOpened, Msg::AlertMailOpenedIntro),
        Notice::Resolved => (Msg::AlertResolved, Msg::AlertMailResolvedIntro),
    };
    let subject = format!("{}: {} – {what}", m.company, subject.text(lang));
    let since = format!(
        "{what} ({} {})",
        Msg::HealthSince.text(lang),
        format::timestamp(e.since)
    );
    let letter = Letter::new(language, subject)
        .greeting(&m.recipient.name)
        .paragraph(format!("{} {}.", intro.text(lang), m.company))
        .paragraph(since);
    let letter = match m.notice {
        Notice::Opened => letter.paragraph(format!(
            "{}: {}.",
            Msg::AlertFix.text(lang),
            fix_msg(fix_view(e.fix)).text(lang)
        )),
        Notice::Resolved => letter,
    };
    let message = letter
        .action(Msg::AlertMailOpen.text(lang), format!("{base}/"))
        .note(format!(
            "{} {base}/settings/notifications",
            Msg::AlertMailWhy.text(lang)
        ))
        .render();
    Notification {
        message,
        digest_line: alert_line(m.notice, m.company, e, lang, base),
    }
}
