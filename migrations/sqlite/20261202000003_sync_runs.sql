-- Sync runs (F12, F14): the first import, the hourly sync, the reconciliation and "Sync now"
-- read e-conomic's lists page by page and apply them through the same upserts as webhooks,
-- under the same (tenant, entity) lease. Timestamps are unix epoch milliseconds UTC.

-- One row per run. slot makes a scheduled run unique across processes: the hourly run of
-- tenant T, entity E in hour H is the row (T, E, 'hourly', H), inserted by whichever process
-- gets there first. pages_done is the resume point: a page's records and the page count commit
-- together. window_from/window_to is the lastUpdated window of an incremental run, fixed when
-- the run is created so that a resumed run reads the same window.
create table sync_runs (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    entity text not null check (entity in ('customers', 'products', 'invoices')),
    kind text not null check (kind in ('import', 'hourly', 'reconcile', 'manual')),
    slot bigint not null,
    status text not null check (status in ('queued', 'running', 'done', 'failed')),
    lease_token bigint,
    attempts bigint not null default 0,
    next_attempt_at bigint not null,
    waiting text,
    window_from bigint,
    window_to bigint,
    pages_done bigint not null default 0,
    records_done bigint not null default 0,
    records_total bigint,
    created bigint not null default 0,
    updated bigint not null default 0,
    deleted bigint not null default 0,
    unreported bigint not null default 0,
    api_calls bigint not null default 0,
    error text,
    started_at bigint,
    finished_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint sync_runs_slot_key unique (tenant_id, entity, kind, slot)
);
-- At most one run per tenant and entity waits or runs: a second "Sync now" is refused, and a
-- scheduled slot is created once the run before it has finished.
create unique index sync_runs_active on sync_runs (tenant_id, entity)
    where status in ('queued', 'running');
create index sync_runs_due on sync_runs (next_attempt_at) where status in ('queued', 'running');
create index sync_runs_tenant on sync_runs (tenant_id, id);

-- Per tenant and entity: the lastUpdated watermark of the incremental sync (saved in the
-- transaction that stores the last page, never before), and when the first import finished.
create table sync_state (
    tenant_id bigint not null references tenants (id) on delete cascade,
    entity text not null check (entity in ('customers', 'products', 'invoices')),
    watermark bigint,
    imported_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, entity)
);

-- e-conomic calls per tenant in ten-minute buckets (bucket = the bucket's start); the last 24
-- hours of buckets are the rolling budget of the fair-use limit (50,000 calls a day).
create table api_usage (
    tenant_id bigint not null references tenants (id) on delete cascade,
    bucket bigint not null,
    calls bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, bucket)
);
