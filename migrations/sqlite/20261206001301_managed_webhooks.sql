-- Webhooks the app creates and looks after in e-conomic through its Webhooks API (issue 13),
-- with the last action's outcome and the last health check. One row per tenant and kind once
-- anything was tried; `managed` says whether the app believes e-conomic has the webhook.
-- The URL e-conomic holds carries a credential: only its SHA-256 is kept, to tell whether it is
-- still our current URL. Timestamps are unix epoch milliseconds UTC.
create table managed_webhooks (
    tenant_id bigint not null references tenants (id) on delete cascade,
    kind text not null check (kind in ('customers', 'products', 'invoices')),
    managed boolean not null,
    -- The last action's outcome; null when only a health check wrote the row.
    outcome text check (outcome in (
        'created', 'updated', 'reenabled', 'deleted', 'conflict', 'forbidden', 'refused',
        'unavailable', 'not_connected'
    )),
    -- e-conomic's words for a refusal, for support; never shown raw to the tenant.
    outcome_detail text,
    outcome_at bigint,
    -- e-conomic's objectVersion as last read (a PUT must name it).
    object_version text,
    -- The last look at e-conomic's list: null = never checked.
    checked_at bigint,
    remote_present boolean,
    remote_url_sha256 text,
    remote_disabled boolean,
    remote_last_disabled_at bigint,
    -- Why the last check could not look (forbidden, unavailable); null when it could.
    check_problem text check (check_problem in ('forbidden', 'refused', 'unavailable', 'not_connected')),
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, kind)
);
