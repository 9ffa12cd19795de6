//! Who hears about a company's problems, and how: its owners and admins ([`recipients`]), each
//! in their language and with their choice per [`NotificationKind`] — at once, in a daily digest
//! ([`super::digest`]), or never. [`notify`] applies those choices in the caller's transaction.

use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::db::{Db, Tx};
use crate::email::Email;
use crate::error::{Error, FromDb, Result};
use crate::health::alerts::NotificationId;
use crate::ids::{TenantId, UserId};
use crate::mail::{Language, Mail, MailId, MailKind, digest, outbox, templates};
use crate::timestamp::Timestamp;

/// A kind of notification a user chooses the delivery of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NotificationKind {
    /// A sync problem started.
    ProblemOpened,
    /// A sync problem ended.
    ProblemResolved,
}

impl NotificationKind {
    /// Every kind, in the order the settings list them.
    pub const ALL: [NotificationKind; 2] = [
        NotificationKind::ProblemOpened,
        NotificationKind::ProblemResolved,
    ];

    /// As stored in `notification_preferences.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::ProblemOpened => "problem_opened",
            NotificationKind::ProblemResolved => "problem_resolved",
        }
    }

    /// The outbox kind of its mail.
    pub fn mail_kind(self) -> MailKind {
        match self {
            NotificationKind::ProblemOpened => MailKind::ProblemOpened,
            NotificationKind::ProblemResolved => MailKind::ProblemResolved,
        }
    }

    fn from_db(text: &str) -> Option<NotificationKind> {
        NotificationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// How a user wants one kind of notification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Delivery {
    /// A mail at once (the default).
    #[default]
    Immediately,
    /// One line in the next daily digest.
    DailyDigest,
    /// Not at all.
    Never,
}

impl Delivery {
    /// As stored in `notification_preferences.delivery`.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediately => "immediately",
            Delivery::DailyDigest => "daily_digest",
            Delivery::Never => "never",
        }
    }

    /// Parses [`Delivery::as_str`]; `None` for anything else.
    pub fn from_code(text: &str) -> Option<Delivery> {
        [
            Delivery::Immediately,
            Delivery::DailyDigest,
            Delivery::Never,
        ]
        .into_iter()
        .find(|d| d.as_str() == text)
    }
}

/// An owner or admin of a company, as notifications reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// The user.
    pub user_id: UserId,
    /// Where mails go.
    pub email: Email,
    /// The name to greet.
    pub name: String,
    /// The language to write in.
    pub language: Language,
    /// Owner or admin.
    pub role: Role,
    /// How they want a problem that starts.
    pub problem_opened: Delivery,
    /// How they want a problem that ends.
    pub problem_resolved: Delivery,
}

impl Recipient {
    /// Their choice for `kind`.
    pub fn delivery(&self, kind: NotificationKind) -> Delivery {
        match kind {
            NotificationKind::ProblemOpened => self.problem_opened,
            NotificationKind::ProblemResolved => self.problem_resolved,
        }
    }
}

/// The company's owners and admins with their language and choices, owner first.
pub async fn recipients(db: &Db, tenant_id: TenantId) -> Result<Vec<Recipient>> {
    let mut tx = db.begin_read(tenant_id).await?;
    let found = recipients_in(&mut tx, tenant_id).await;
    drop(tx);
    found
}

type RecipientRow = (UserId, String, String, String, String);

/// [`recipients`] inside the caller's transaction (of that company).
pub async fn recipients_in(tx: &mut Tx, tenant_id: TenantId) -> Result<Vec<Recipient>> {
    let rows: Vec<RecipientRow> = with_tx!(tx, conn => sqlx::query_as(
        "select u.id, u.email, u.name, u.language, m.role from memberships m \
         join users u on u.id = m.user_id \
         where m.tenant_id = $1 and m.role in ('owner', 'admin') \
         order by case m.role when 'owner' then 0 else 1 end, m.created_at, u.id",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await)?;
    let choices: Vec<(UserId, String, String)> = with_tx!(tx, conn => sqlx::query_as(
        "select user_id, kind, delivery from notification_preferences where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await)?;
    let choice = |user: UserId, kind: NotificationKind| -> Result<Delivery> {
        match choices
            .iter()
            .find(|(u, k, _)| *u == user && k == kind.as_str())
        {
            Some((_, _, delivery)) => Delivery::from_code(delivery)
                .ok_or_else(|| Error::internal(format!("unknown delivery {delivery:?}"))),
            None => Ok(Delivery::default()),
        }
    };
    rows.into_iter()
        .map(|(user_id, email, name, language, role)| {
            Ok(Recipient {
                user_id,
                email: Email::from_db(email),
                name,
                language: Language::from_db(&language)?,
                role: Role::from_db(&role)?,
                problem_opened: choice(user_id, NotificationKind::ProblemOpened)?,
                problem_resolved: choice(user_id, NotificationKind::ProblemResolved)?,
            })
        })
        .collect()
}

/// A user's choice for every kind in one company (defaults included), in [`NotificationKind::ALL`]
/// order.
pub async fn preferences(
    db: &Db,
    tenant_id: TenantId,
    user_id: UserId,
) -> Result<Vec<(NotificationKind, Delivery)>> {
    let rows: Vec<(String, String)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select kind, delivery from notification_preferences where tenant_id = $1 and user_id = $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_all(conn)
    .await)?;
    let mut chosen: Vec<(NotificationKind, Delivery)> = NotificationKind::ALL
        .into_iter()
        .map(|kind| (kind, Delivery::default()))
        .collect();
    for (kind, delivery) in rows {
        let (Some(kind), Some(delivery)) = (
            NotificationKind::from_db(&kind),
            Delivery::from_code(&delivery),
        ) else {
            return Err(Error::internal(format!(
                "unknown notification preference {kind:?}/{delivery:?}"
            )));
        };
        if let Some(slot) = chosen.iter_mut().find(|(k, _)| *k == kind) {
            slot.1 = delivery;
        }
    }
    Ok(chosen)
}

/// Store a user's choice for `kind` in one company. Errors: `NotFound` unless the user belongs
/// to the company.
pub async fn set_preference(
    db: &Db,
    tenant_id: TenantId,
    user_id: UserId,
    kind: NotificationKind,
    delivery: Delivery,
    now: Timestamp,
) -> Result<()> {
    crate::accounts::membership(db, tenant_id, user_id).await?;
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into notification_preferences (tenant_id, user_id, kind, delivery, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $5) \
         on conflict (tenant_id, user_id, kind) do update set delivery = excluded.delivery, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(kind.as_str())
    .bind(delivery.as_str())
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// One notification as one recipient gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The mail, for those who want it at once.
    pub message: templates::Message,
    /// Its line in a daily digest (naming the company), for those who want a digest.
    pub digest_line: String,
}

/// What [`notify`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notified {
    /// The mails enqueued (one per recipient who wants them at once).
    pub mailed: Vec<MailId>,
    /// Recipients who get it in their next digest.
    pub digested: usize,
    /// Recipients who chose not to hear about this kind.
    pub skipped: usize,
}

/// Tell the company's owners and admins about one `kind` of event, each as they chose:
/// `render` writes the notification for one recipient (in their language). Runs in `tx`, the
/// company's transaction that records the event, so the mails exist exactly when it does; each
/// mail names `about`, the alert notification whose delivery it records.
pub async fn notify(
    tx: &mut Tx,
    tenant_id: TenantId,
    kind: NotificationKind,
    about: Option<NotificationId>,
    render: impl Fn(&Recipient) -> Notification,
    now: Timestamp,
) -> Result<Notified> {
    let mut notified = Notified::default();
    for recipient in recipients_in(tx, tenant_id).await? {
        match recipient.delivery(kind) {
            Delivery::Immediately => {
                let notification = render(&recipient);
                let mail = Mail {
                    notification: about,
                    ..Mail::new(
                        recipient.email.clone(),
                        kind.mail_kind(),
                        Some(tenant_id),
                        notification.message,
                    )
                };
                notified.mailed.push(outbox::enqueue(tx, &mail, now).await?);
            }
            Delivery::DailyDigest => {
                let notification = render(&recipient);
                digest::add(
                    tx,
                    tenant_id,
                    recipient.user_id,
                    kind,
                    &notification.digest_line,
                    now,
                )
                .await?;
                notified.digested += 1;
            }
            Delivery::Never => notified.skipped += 1,
        }
    }
    Ok(notified)
}
