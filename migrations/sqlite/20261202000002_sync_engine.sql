-- The sync engine (F10, F11, F13): the stored webhook events are the inbox; workers lease one
-- (tenant, entity) queue at a time, re-fetch the records from e-conomic and apply them to the
-- tenant's own tables below. Timestamps are unix epoch milliseconds UTC.

-- The queue state of each event. record_key groups the events of one record (the number to
-- re-fetch); attempts counts claims (a worker that dies mid-job still used one);
-- next_attempt_at is when a failed event may run again (0: at once); lease_token is the claim
-- that holds a 'processing' event (fencing); outcome is what applying it did (JSON).
alter table webhook_events add column record_key text;
alter table webhook_events add column attempts bigint not null default 0;
alter table webhook_events add column next_attempt_at bigint not null default 0;
alter table webhook_events add column lease_token bigint;
alter table webhook_events add column last_error text;
alter table webhook_events add column outcome text;
alter table webhook_events add column coalesced_into bigint;
alter table webhook_events add column processed_at bigint;
update webhook_events set record_key = coalesce(invoice_number, new_number, old_number);

-- Claiming probes this per (tenant, entity): only events that still wait are in it.
create index webhook_events_waiting on webhook_events (tenant_id, kind, next_attempt_at, id)
    where status in ('received', 'queued', 'processing', 'failed');

-- One row per (tenant, entity) queue. Whoever holds an unexpired lease is the only worker
-- applying that queue, so the events of one record apply in order and never on two workers.
-- token grows with every claim: a worker whose lease expired (and was taken over) can no
-- longer complete anything, because every write checks its token.
create table sync_leases (
    tenant_id bigint not null references tenants (id) on delete cascade,
    entity text not null check (entity in ('customers', 'products', 'invoices')),
    token bigint not null,
    owner text not null,
    expires_at bigint not null,
    last_claimed_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, entity)
);

-- Every application attempt of an event: when, how long, how it ended, the API calls made by
-- the batch it ran in.
create table event_attempts (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    event_id bigint not null references webhook_events (id) on delete cascade,
    attempt bigint not null,
    worker text not null,
    started_at bigint not null,
    finished_at bigint not null,
    outcome text not null check (outcome in ('processed', 'failed', 'dead', 'paused')),
    error text,
    api_calls bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index event_attempts_event on event_attempts (tenant_id, event_id);

-- e-conomic refused the grant token (401/403): the tenant's work waits instead of burning
-- attempts, until the tenant reconnects.
alter table economic_connections add column paused_at bigint;
alter table economic_connections add column pause_reason text;

-- The tenant's records, as last fetched from e-conomic. economic_updated_at is e-conomic's
-- lastUpdated; synced_at is when the fetch that produced this row started (an event received
-- before it is already reflected); deleted_at marks a soft delete. raw is the JSON as fetched.
create table customers (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    customer_number bigint not null,
    name text not null,
    email text,
    address text,
    zip text,
    city text,
    country text,
    currency text not null,
    customer_group bigint,
    barred boolean not null,
    economic_updated_at bigint,
    synced_at bigint not null,
    deleted_at bigint,
    raw text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint customers_number_key unique (tenant_id, customer_number)
);

-- stock is in thousandths of a unit (e-conomic quantities are decimals); it changes only
-- together with a row of stock_movements.
create table products (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    product_number text not null,
    name text not null,
    description text,
    unit text,
    product_group bigint,
    sales_price double precision,
    cost_price double precision,
    barred boolean not null,
    stock bigint not null default 0,
    economic_updated_at bigint,
    synced_at bigint not null,
    deleted_at bigint,
    raw text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint products_number_key unique (tenant_id, product_number)
);

-- Booked invoices are immutable in e-conomic: stored once.
create table booked_invoices (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    invoice_number bigint not null,
    invoice_date text not null,
    customer_number bigint not null,
    customer_name text,
    currency text not null,
    net_amount double precision,
    gross_amount double precision,
    synced_at bigint not null,
    raw text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint booked_invoices_number_key unique (tenant_id, invoice_number)
);

-- product_id is null for a line without a product, or (unmatched) with a product e-conomic
-- does not have; quantity in thousandths.
create table invoice_lines (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    invoice_id bigint not null references booked_invoices (id) on delete cascade,
    line_number bigint not null,
    product_number text,
    product_id bigint references products (id),
    description text,
    quantity bigint not null,
    unit_net_price double precision,
    total_net_amount double precision,
    created_at bigint not null,
    updated_at bigint not null,
    constraint invoice_lines_line_key unique (invoice_id, line_number)
);

-- The stock ledger: the only way stock changes. The unique source key makes every invoice
-- line move stock exactly once, whatever duplicates arrive.
create table stock_movements (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    product_id bigint not null references products (id),
    quantity bigint not null,
    invoice_number bigint not null,
    line_number bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint stock_movements_source_key unique (tenant_id, invoice_number, line_number)
);
create index stock_movements_product on stock_movements (tenant_id, product_id);
