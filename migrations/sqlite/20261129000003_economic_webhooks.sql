-- e-conomic connection (F3), Advanced Settings (F4), webhook credentials (F5, F7) and received
-- webhook events (F8, F9, F15). Timestamps are unix epoch milliseconds UTC.

create table economic_connections (
    tenant_id bigint primary key references tenants (id) on delete cascade,
    -- The agreement grant token, ChaCha20-Poly1305 encrypted with the server key
    -- (backend::keys); the tenant id is the associated data, so rows cannot be swapped.
    grant_token_ciphertext blob not null,
    grant_token_nonce blob not null,
    agreement_number bigint not null,
    company_name text not null,
    connected_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- No row = the default (hourly sync of products and customers, no webhooks).
create table sync_settings (
    tenant_id bigint primary key references tenants (id) on delete cascade,
    products_hourly boolean not null,
    customers_hourly boolean not null,
    products_webhook boolean not null,
    customers_webhook boolean not null,
    invoices_webhook boolean not null,
    created_at bigint not null,
    updated_at bigint not null,
    -- Hourly polling and live webhooks are mutually exclusive per entity (DESIGN F4).
    constraint sync_settings_products_exclusive check (not (products_hourly and products_webhook)),
    constraint sync_settings_customers_exclusive check (not (customers_hourly and customers_webhook))
);

-- One row per generation of a tenant's webhook URL credential for one kind. The credential
-- itself is derived (HMAC with the server key) and never stored. A generation is valid while
-- retired_at is null or still in the future (the grace period after a regeneration).
create table webhook_credentials (
    tenant_id bigint not null references tenants (id) on delete cascade,
    kind text not null check (kind in ('customer-updated', 'product-updated', 'invoice-booked')),
    generation bigint not null,
    created_at bigint not null,
    retired_at bigint,
    updated_at bigint not null,
    primary key (tenant_id, kind, generation)
);

create table webhook_events (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    kind text not null check (kind in ('customer-updated', 'product-updated', 'invoice-booked')),
    status text not null check (status in (
        'received', 'queued', 'processing', 'processed', 'ignored', 'rejected', 'failed', 'dead'
    )),
    -- economic::WebhookAction as JSON; null when the request could not be parsed.
    action text,
    old_number text,
    new_number text,
    invoice_number text,
    content_type text,
    -- The query string only: the credential is in the path and is never stored.
    raw_query text,
    raw_body blob not null,
    reason text,
    received_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

create index webhook_events_tenant_id on webhook_events (tenant_id, id desc);
