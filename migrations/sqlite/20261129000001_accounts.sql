-- Accounts and tenancy (F1, F2): tenants, users, memberships, invites, login throttling.
-- Timestamps are unix epoch milliseconds UTC.

create table tenants (
    id integer primary key autoincrement,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table users (
    id integer primary key autoincrement,
    -- Stored lowercased (backend::Email), so uniqueness is case-insensitive.
    email text not null constraint users_email_key unique,
    name text not null,
    password_hash text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table memberships (
    tenant_id bigint not null references tenants (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    role text not null check (role in ('owner', 'member')),
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, user_id)
);

create index memberships_user_id on memberships (user_id);

create table invites (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    email text not null,
    -- SHA-256 of the token; the token itself is only ever in the link.
    token_hash blob not null constraint invites_token_hash_key unique,
    invited_by bigint not null references users (id) on delete cascade,
    expires_at bigint not null,
    used_at bigint,
    used_by bigint references users (id) on delete set null,
    created_at bigint not null,
    updated_at bigint not null
);

create index invites_tenant_id on invites (tenant_id, created_at);

create table login_attempts (
    id integer primary key autoincrement,
    -- The throttling key of the account (lowercased email, prefixed for staff): unknown accounts
    -- are throttled too, so this is not a foreign key.
    account text not null,
    ip text not null,
    attempted_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

create index login_attempts_account on login_attempts (account, attempted_at);
create index login_attempts_ip on login_attempts (ip, attempted_at);
create index login_attempts_attempted_at on login_attempts (attempted_at);
