//! E-mail: the outbox, password reset, sign-up by confirmation link, invitation
//! mails, and who hears about a company's problems.

use backend::accounts::{self, Role, password_reset};
use backend::mail::outbox::{self, OutboxMail};
use backend::mail::{
    Delivery, Language, Mail, MailKind, Notification, NotificationKind, digest, notifications,
    templates,
};
use backend::{CrossTenant, Error, Password, Timestamp, db_test, invites};
use time::Duration;

use crate::helpers::*;

const PUBLIC_URL: &str = "https://sync.example.com";

/// Claim every due mail at `now` (as the sender does) and note them sent.
async fn take_mails(db: &backend::Db, now: Timestamp) -> Vec<OutboxMail> {
    let mails = outbox::claim_due(db, now, 100).await.expect("claim");
    for mail in &mails {
        outbox::mark_sent(db, mail, now).await.expect("mark sent");
    }
    mails
}

/// The link in a mail's text that starts with `prefix`.
fn link(mail: &OutboxMail, prefix: &str) -> String {
    mail.text
        .split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} link in {:?}", mail.text))
        .to_owned()
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().expect("token").to_owned()
}

db_test!(
    an_enqueued_mail_is_claimed_once_and_its_secret_is_wiped_when_sent,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let mut tx = db.begin(acme.tenant_id).await.expect("begin");
        let message =
            templates::invitation(Language::Da, "Anna", "Acme ApS", "https://x/invite/t", 7);
        let mail = Mail::new(
            email("bo@acme.test"),
            MailKind::Invitation,
            Some(acme.tenant_id),
            message,
        );
        outbox::enqueue(&mut tx, &mail, t0())
            .await
            .expect("enqueue");
        // Rolled back: no mail.
        drop(tx);
        assert!(
            outbox::claim_due(&db, t0(), 10)
                .await
                .expect("claim")
                .is_empty()
        );

        let mut tx = db.begin(acme.tenant_id).await.expect("begin");
        outbox::enqueue(&mut tx, &mail, t0())
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");

        let claimed = outbox::claim_due(&db, t0(), 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].attempts, 1);
        assert_eq!(claimed[0].to.as_str(), "bo@acme.test");
        // Claimed: another sender finds nothing until the claim runs out.
        assert!(
            outbox::claim_due(&db, t0(), 10)
                .await
                .expect("claim")
                .is_empty()
        );
        let after_claim = t0() + outbox::CLAIM_FOR + Duration::seconds(1);
        let again = outbox::claim_due(&db, after_claim, 10)
            .await
            .expect("claim");
        assert_eq!(again.len(), 1, "a dead sender's claim runs out");
        assert_eq!(again[0].attempts, 2);

        outbox::mark_sent(&db, &again[0], after_claim)
            .await
            .expect("sent");
        let listed = outbox::for_tenant(&db, acme.tenant_id, 10)
            .await
            .expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].status, "sent");
        assert!(
            outbox::claim_due(&db, after_claim + Duration::hours(1), 10)
                .await
                .expect("claim")
                .is_empty()
        );
        let body: i64 = {
            let sql = "select count(*) from outbox where body_text = '' and body_html = ''";
            scalar_i64(&db, sql).await
        };
        assert_eq!(body, 1, "the invitation's link is gone once sent");
    }
);

async fn scalar_i64(db: &backend::Db, sql: &str) -> i64 {
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await
            .expect("sqlite")
    } else {
        let pool = db.pg_pool().expect("pg");
        sqlx::query_scalar(sql).fetch_one(pool).await.expect("pg")
    }
}

db_test!(
    failing_mails_are_retried_then_given_up_and_staff_see_it,
    |db| async move {
        let mut tx = db
            .begin_cross_tenant(CrossTenant::Mail)
            .await
            .expect("begin");
        let message =
            templates::sign_up_existing(Language::En, "Anna", "https://x/login", "https://x/reset");
        let mail = Mail::new(
            email("anna@example.com"),
            MailKind::SignUpExisting,
            None,
            message,
        );
        outbox::enqueue(&mut tx, &mail, t0())
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        let healthy = outbox::health(&db, t0()).await.expect("health");
        assert_eq!((healthy.pending, healthy.failing), (1, 0));
        assert!(!healthy.is_stuck(t0()));

        let claimed = outbox::claim_due(&db, t0(), 10).await.expect("claim");
        let later = t0() + Duration::minutes(1);
        outbox::retry_later(&db, claimed[0].id, "connection refused", later, t0())
            .await
            .expect("retry");
        assert!(
            outbox::claim_due(&db, t0(), 10)
                .await
                .expect("claim")
                .is_empty(),
            "not before its time"
        );
        let failing = outbox::health(&db, t0()).await.expect("health");
        assert_eq!((failing.pending, failing.failing), (1, 1));
        assert_eq!(failing.last_error.as_deref(), Some("connection refused"));
        assert!(failing.is_stuck(t0()));

        let claimed = outbox::claim_due(&db, later, 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        outbox::give_up(&db, &claimed[0], "550 no such user", later)
            .await
            .expect("give up");
        let failed = outbox::health(&db, later).await.expect("health");
        assert_eq!((failed.pending, failed.failed_recently), (0, 1));
        assert!(failed.is_stuck(later));
        assert!(
            outbox::claim_due(&db, later + Duration::days(1), 10)
                .await
                .expect("claim")
                .is_empty()
        );

        // A mail nobody sends (no SMTP server) is stuck after a while.
        let mut tx = db
            .begin_cross_tenant(CrossTenant::Mail)
            .await
            .expect("begin");
        outbox::enqueue(&mut tx, &mail, later)
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        let waiting = outbox::health(&db, later + Duration::days(8))
            .await
            .expect("health");
        assert_eq!(waiting.failed_recently, 0);
        assert!(waiting.is_stuck(later + Duration::days(8)));
        assert!(
            waiting
                .oldest_pending_secs(later + Duration::days(8))
                .expect("age")
                >= 8 * 86_400
        );
    }
);

db_test!(
    password_reset_answers_alike_and_the_link_works_once,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let now = Timestamp::now();

        password_reset::request_password_reset(&db, &email("nobody@acme.test"), PUBLIC_URL, now)
            .await
            .expect("unknown address: the same answer");
        assert!(
            take_mails(&db, now).await.is_empty(),
            "no mail for an unknown address"
        );

        password_reset::request_password_reset(&db, &acme.email, PUBLIC_URL, now)
            .await
            .expect("request");
        let mails = take_mails(&db, now).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].kind, MailKind::PasswordReset);
        assert_eq!(mails[0].to, acme.email);
        assert!(
            mails[0].text.starts_with("Hej Owner of acme,"),
            "Danish by default"
        );
        let token = token_of(&link(&mails[0], &format!("{PUBLIC_URL}/reset-password/")));

        let before = password_hash(&db, acme.email.as_str()).await;
        for forged in ["", "forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
            assert!(matches!(
                password_reset::check_reset_link(&db, forged, now).await,
                Err(Error::ResetLinkInvalid)
            ));
        }
        let expired = now + password_reset::VALID_FOR + Duration::seconds(1);
        let new = || Password::parse("a brand new password").expect("password");
        assert!(matches!(
            password_reset::reset_password(&db, &token, new(), expired).await,
            Err(Error::ResetLinkInvalid)
        ));
        assert_eq!(
            password_hash(&db, acme.email.as_str()).await,
            before,
            "nothing changed"
        );

        let session_began = now - Duration::minutes(5);
        accounts::session_membership(&db, acme.tenant_id, acme.user_id, session_began)
            .await
            .expect("a session from before the reset is fine until the reset");
        let reset_at = now + Duration::minutes(1);
        let user = password_reset::reset_password(&db, &token, new(), reset_at)
            .await
            .expect("reset");
        assert_eq!(user, acme.user_id);
        assert!(
            matches!(
                password_reset::reset_password(&db, &token, new(), reset_at).await,
                Err(Error::ResetLinkInvalid)
            ),
            "used once"
        );
        assert!(
            matches!(
                accounts::session_membership(&db, acme.tenant_id, acme.user_id, session_began)
                    .await,
                Err(Error::NotFound)
            ),
            "every earlier session ends"
        );
        accounts::session_membership(&db, acme.tenant_id, acme.user_id, reset_at)
            .await
            .expect("a session begun after the reset");
        accounts::log_in(
            &db,
            &acme.email,
            "a brand new password",
            ip("192.0.2.1"),
            reset_at,
        )
        .await
        .expect("the new password works");
        assert!(matches!(
            accounts::log_in(&db, &acme.email, PASSWORD, ip("192.0.2.1"), reset_at).await,
            Err(Error::InvalidCredentials)
        ));
    }
);

db_test!(reset_mails_to_one_address_are_limited, |db| async move {
    let acme = owner(&db, "acme").await;
    let now = Timestamp::now();
    for _ in 0..5 {
        password_reset::request_password_reset(&db, &acme.email, PUBLIC_URL, now)
            .await
            .expect("same answer every time");
    }
    assert_eq!(
        take_mails(&db, now).await.len() as i64,
        password_reset::MAILS_PER_HOUR
    );
});

db_test!(
    sign_up_confirms_by_mail_and_a_taken_address_gets_a_mail_instead,
    |db| async move {
        let existing = owner(&db, "acme").await;
        let now = Timestamp::now();

        accounts::request_sign_up(
            &db,
            sign_up_form("New ApS", "new@example.com"),
            Language::En,
            PUBLIC_URL,
            now,
        )
        .await
        .expect("new address");
        accounts::request_sign_up(
            &db,
            sign_up_form("Other ApS", existing.email.as_str()),
            Language::En,
            PUBLIC_URL,
            now,
        )
        .await
        .expect("taken address: the same answer");
        assert_eq!(
            count(&db, "tenants").await,
            1,
            "nothing created before the link is used"
        );

        let mails = take_mails(&db, now).await;
        assert_eq!(mails.len(), 2);
        let confirm = mails
            .iter()
            .find(|m| m.kind == MailKind::SignUpConfirm)
            .expect("confirm mail");
        assert_eq!(confirm.to.as_str(), "new@example.com");
        assert!(confirm.text.contains("New ApS"));
        let existing_mail = mails
            .iter()
            .find(|m| m.kind == MailKind::SignUpExisting)
            .expect("mail to the owner");
        assert_eq!(existing_mail.to, existing.email);
        assert!(
            existing_mail
                .text
                .contains(&format!("{PUBLIC_URL}/forgot-password"))
        );

        let token = token_of(&link(confirm, &format!("{PUBLIC_URL}/signup/confirm/")));
        assert_eq!(
            accounts::sign_up_request_company(&db, &token, now)
                .await
                .expect("usable"),
            "New ApS"
        );
        let signed_up = accounts::confirm_sign_up(&db, &token, now)
            .await
            .expect("confirm");
        let membership = accounts::membership(&db, signed_up.tenant_id, signed_up.user_id)
            .await
            .expect("owner");
        assert_eq!(membership.role, Role::Owner);
        assert_eq!(membership.company_name, "New ApS");
        assert_eq!(
            accounts::language(&db, signed_up.user_id)
                .await
                .expect("language"),
            Language::En
        );
        accounts::log_in(
            &db,
            &email("new@example.com"),
            PASSWORD,
            ip("192.0.2.1"),
            now,
        )
        .await
        .expect("logs in with the password of the form");
        assert!(matches!(
            accounts::confirm_sign_up(&db, &token, now).await,
            Err(Error::SignUpLinkInvalid)
        ));
        assert!(matches!(
            accounts::confirm_sign_up(&db, "forged", now).await,
            Err(Error::SignUpLinkInvalid)
        ));
        assert_eq!(count(&db, "tenants").await, 2);
    }
);

db_test!(
    an_invitation_is_mailed_naming_the_company_and_the_inviter,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let now = Timestamp::now();
        let token = invites::send(
            &db,
            acme.tenant_id,
            acme.user_id,
            email("bo@acme.test"),
            PUBLIC_URL,
            now,
        )
        .await
        .expect("send");
        let mails = take_mails(&db, now).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].kind, MailKind::Invitation);
        assert_eq!(
            mails[0].subject,
            "Owner of acme inviterer dig til acme ApS i Inventory Sync"
        );
        assert_eq!(
            link(&mails[0], PUBLIC_URL),
            format!("{PUBLIC_URL}/invite/{}", token.as_str())
        );
        let info = invites::describe(&db, token.as_str(), now)
            .await
            .expect("describe");
        assert_eq!(
            (info.company.as_str(), info.invited_by.as_str()),
            ("acme ApS", "Owner of acme")
        );
        assert_eq!(info.email.as_str(), "bo@acme.test");
        assert!(matches!(
            invites::describe(&db, "forged", now).await,
            Err(Error::InviteInvalid)
        ));
        // The company's list of mails shows it, and no other company's does.
        let other = owner(&db, "other").await;
        assert_eq!(
            outbox::for_tenant(&db, acme.tenant_id, 10)
                .await
                .expect("list")
                .len(),
            1
        );
        assert!(
            outbox::for_tenant(&db, other.tenant_id, 10)
                .await
                .expect("list")
                .is_empty()
        );
    }
);

db_test!(
    owners_and_admins_are_notified_as_they_chose,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let now = Timestamp::now();
        let admin = invite_member(&db, &acme, "admin@acme.test").await;
        accounts::set_role(&db, acme.tenant_id, acme.user_id, admin, Role::Admin, now)
            .await
            .expect("admin");
        invite_member(&db, &acme, "member@acme.test").await;
        accounts::set_language(&db, admin, Language::En, now)
            .await
            .expect("language");

        let people = notifications::recipients(&db, acme.tenant_id)
            .await
            .expect("recipients");
        let summary: Vec<_> = people
            .iter()
            .map(|r| (r.email.as_str(), r.role, r.language))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("owner@acme.test", Role::Owner, Language::Da),
                ("admin@acme.test", Role::Admin, Language::En),
            ],
            "members hear nothing; owner first"
        );
        assert!(
            people
                .iter()
                .all(|r| r.delivery(NotificationKind::ProblemOpened) == Delivery::Immediately)
        );

        notifications::set_preference(
            &db,
            acme.tenant_id,
            admin,
            NotificationKind::ProblemOpened,
            Delivery::DailyDigest,
            now,
        )
        .await
        .expect("digest");
        notifications::set_preference(
            &db,
            acme.tenant_id,
            acme.user_id,
            NotificationKind::ProblemResolved,
            Delivery::Never,
            now,
        )
        .await
        .expect("never");
        assert_eq!(
            notifications::preferences(&db, acme.tenant_id, admin)
                .await
                .expect("prefs"),
            vec![
                (NotificationKind::ProblemOpened, Delivery::DailyDigest),
                (NotificationKind::ProblemResolved, Delivery::Immediately),
            ]
        );

        let render = |r: &notifications::Recipient| Notification {
            message: templates::Letter::new(r.language, format!("Problem for {}", r.name))
                .paragraph("The webhook is off.")
                .render(),
            digest_line: "The webhook is off.".to_owned(),
        };
        let mut tx = db.begin(acme.tenant_id).await.expect("begin");
        let opened = notifications::notify(
            &mut tx,
            acme.tenant_id,
            NotificationKind::ProblemOpened,
            None,
            render,
            now,
        )
        .await
        .expect("notify");
        let resolved = notifications::notify(
            &mut tx,
            acme.tenant_id,
            NotificationKind::ProblemResolved,
            None,
            render,
            now,
        )
        .await
        .expect("notify");
        tx.commit().await.expect("commit");
        assert_eq!(
            (opened.mailed.len(), opened.digested, opened.skipped),
            (1, 1, 0)
        );
        assert_eq!(
            (resolved.mailed.len(), resolved.digested, resolved.skipped),
            (1, 0, 1)
        );
        let mails = take_mails(&db, now).await;
        let to: Vec<_> = mails.iter().map(|m| (m.to.as_str(), m.kind)).collect();
        assert_eq!(
            to,
            vec![
                ("owner@acme.test", MailKind::ProblemOpened),
                ("admin@acme.test", MailKind::ProblemResolved),
            ]
        );

        // The digest goes out once, after the next digest time.
        let tomorrow = digest::cutoff(now) + Duration::days(1) + Duration::minutes(1);
        assert_eq!(
            digest::send_due(&db, "https://x/settings", now)
                .await
                .expect("digest"),
            0
        );
        assert_eq!(
            digest::send_due(&db, "https://x/settings", tomorrow)
                .await
                .expect("digest"),
            1
        );
        assert_eq!(
            digest::send_due(&db, "https://x/settings", tomorrow)
                .await
                .expect("digest"),
            0
        );
        let digests = take_mails(&db, tomorrow).await;
        assert_eq!(digests.len(), 1);
        assert_eq!(digests[0].kind, MailKind::Digest);
        assert_eq!(digests[0].to.as_str(), "admin@acme.test");
        assert!(
            digests[0].text.contains("• acme ApS: The webhook is off."),
            "{}",
            digests[0].text
        );
    }
);

/// A member with `address` who joined through an invite; returns the user.
async fn invite_member(db: &backend::Db, acme: &Owner, address: &str) -> backend::UserId {
    let now = Timestamp::now();
    let token = invites::create(db, acme.tenant_id, acme.user_id, email(address), now)
        .await
        .expect("invite");
    let name = backend::PersonName::parse("Bo Jensen").expect("name");
    let password = Password::parse("another good password").expect("password");
    invites::accept(db, token.as_str(), name, password, now)
        .await
        .expect("accept")
        .user_id
}
