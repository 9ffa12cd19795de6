-- Sync health (issue 25): problems as episodes, the notifications sent about them, the alert
-- webhook per company, and the facts the health sweep keeps per tenant and entity so that it
-- never rereads every event or run. Timestamps are unix epoch milliseconds UTC.

-- What the sweep has learnt per tenant and entity, incrementally (see backend/src/health/facts.rs).
create table health_entities (
    tenant_id bigint not null references tenants (id) on delete cascade,
    entity text not null check (entity in ('customers', 'products', 'invoices')),
    -- The newest webhook of this entity received (any status: e-conomic is calling us).
    last_webhook_at bigint,
    -- The newest successful run: when it ended, and the end of the window it read (the data
    -- matched e-conomic up to then).
    last_run_ok_at bigint,
    fresh_until bigint,
    -- The newest run that gave up, and what it was.
    last_run_failed_at bigint,
    last_run_failed_kind text,
    -- The newest finished reconciliation, and how many of its repairs no webhook had reported.
    last_reconcile_at bigint,
    last_reconcile_unreported bigint,
    -- The last look whether e-conomic's newest change of the entity reached us: when, and the
    -- record we lack (with its lastUpdated), if we lack it.
    probe_at bigint,
    probe_missed text,
    probe_missed_updated_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, entity)
);

-- One row: how far the sweep has read events (by id) and runs (by finished_at), and who sweeps.
create table health_sweep (
    id bigint primary key check (id = 1),
    event_mark bigint not null,
    event_mark_prev bigint not null,
    run_mark bigint not null,
    leased_until bigint not null,
    swept_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
insert into health_sweep (id, event_mark, event_mark_prev, run_mark, leased_until, created_at, updated_at)
    values (1, 0, 0, 0, 0, 0, 0);

-- A problem from when it opened until it resolved by itself. At most one open episode per
-- tenant and slot (a slot is what the problem is about: the connection, one entity's webhook,
-- the events, ...); while it lasts its reason and state may change, it stays one episode.
create table health_episodes (
    id bigint generated always as identity primary key,
    tenant_id bigint not null references tenants (id) on delete cascade,
    slot text not null,
    reason text not null,
    state text not null check (state in ('delayed', 'broken')),
    -- The typed reason with its figures, as JSON.
    detail text not null,
    -- The one action that fixes it (backend::health::Fix::code).
    fix text not null,
    -- Since when the condition holds, as far as the evidence says (at most opened_at).
    since bigint not null,
    opened_at bigint not null,
    resolved_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create unique index health_episodes_open on health_episodes (tenant_id, slot)
    where resolved_at is null;
create index health_episodes_tenant on health_episodes (tenant_id, id);
create index health_episodes_unresolved on health_episodes (opened_at) where resolved_at is null;

-- One row per episode, event (opened, resolved) and channel: what was sent, or why not.
create table health_notifications (
    id bigint generated always as identity primary key,
    tenant_id bigint not null references tenants (id) on delete cascade,
    episode_id bigint not null references health_episodes (id) on delete cascade,
    event text not null check (event in ('opened', 'resolved')),
    channel text not null check (channel in ('webhook', 'email')),
    status text not null check (status in ('pending', 'sent', 'failed', 'skipped')),
    attempts bigint not null default 0,
    next_attempt_at bigint not null,
    last_error text,
    response_status bigint,
    sent_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint health_notifications_once unique (episode_id, event, channel)
);
create index health_notifications_due on health_notifications (next_attempt_at)
    where status = 'pending';
create index health_notifications_tenant on health_notifications (tenant_id, id);

-- The company's alert webhook: where to POST, and the HMAC secret (encrypted like the grant
-- token, the tenant id bound as associated data).
create table alert_webhooks (
    tenant_id bigint primary key references tenants (id) on delete cascade,
    url text not null,
    secret_ciphertext bytea not null,
    secret_nonce bytea not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- The sweep's reads across tenants: dead events needing someone (rare, so a small index), and
-- runs by when they ended (read incrementally).
create index webhook_events_dead on webhook_events (tenant_id, kind)
    where status = 'dead' and dismissed_at is null;
create index sync_runs_finished on sync_runs (finished_at) where finished_at is not null;

-- Row-level security on the new tenant tables (see 20261206001501_row_level_security).
select inventory_sync_isolate('health_entities');
select inventory_sync_isolate('health_episodes');
select inventory_sync_isolate('health_notifications');
select inventory_sync_isolate('alert_webhooks');
