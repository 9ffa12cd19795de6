-- E-mail (issue 25): the outbox that every mail goes through, password resets, sign-ups that
-- wait for their address to be confirmed, each user's language, and notification preferences.
-- Timestamps are unix epoch milliseconds UTC.

-- The language a user's e-mails are written in ('da' or 'en'; Danish by default).
alter table users add column language text not null default 'da' check (language in ('da', 'en'));
-- Sessions that began before this moment are no longer valid (a password reset ends them all).
alter table users add column sessions_valid_from bigint not null default 0;

-- Every mail, written in the transaction of what caused it, then sent by the mail sender.
create table outbox (
    id integer primary key autoincrement,
    -- The company the mail is about; null for mails that belong to no company (password reset,
    -- sign-up), which only the cross-tenant path writes.
    tenant_id bigint references tenants (id) on delete cascade,
    kind text not null,
    recipient text not null,
    subject text not null,
    body_text text not null,
    body_html text not null,
    -- pending: to be sent (again); sent; failed: given up (a permanent refusal, or too old).
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at bigint not null,
    -- A sender's claim: another sender takes the mail only after this moment.
    claimed_until bigint,
    last_error text,
    sent_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create index outbox_due on outbox (status, next_attempt_at);
create index outbox_tenant on outbox (tenant_id, created_at);

create table password_resets (
    id integer primary key autoincrement,
    user_id bigint not null references users (id) on delete cascade,
    -- SHA-256 of the token; the token itself is only ever in the mail.
    token_hash blob not null constraint password_resets_token_hash_key unique,
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create index password_resets_user on password_resets (user_id, created_at);

-- A sign-up waits here until its address is confirmed through the mailed link; only then are
-- the company and the user created.
create table sign_up_requests (
    id integer primary key autoincrement,
    email text not null,
    company_name text not null,
    name text not null,
    password_hash text not null,
    language text not null check (language in ('da', 'en')),
    token_hash blob not null constraint sign_up_requests_token_hash_key unique,
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create index sign_up_requests_email on sign_up_requests (email, created_at);

-- How a user wants each kind of notification of one company: by mail at once, in a daily
-- digest, or not at all. No row: at once.
create table notification_preferences (
    tenant_id bigint not null references tenants (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    kind text not null,
    delivery text not null check (delivery in ('immediately', 'daily_digest', 'never')),
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, user_id, kind)
);

-- Notifications waiting for a user's daily digest.
create table digest_items (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    kind text not null,
    line text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create index digest_items_user on digest_items (user_id, created_at);
