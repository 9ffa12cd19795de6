-- Behave like the real e-conomic (issue 29).
--
-- Companies sharing one agreement: the agreement number (from `GET /self`) is already stored per
-- company; an index finds the companies of one agreement (shared webhooks, shared API budget).
-- `webhooks_api_allowed` is what the first look at the Webhooks API said when connecting
-- (null: not asked yet): it decides whether a webhook is created for the user by default.
create index economic_connections_agreement on economic_connections (agreement_number);
alter table economic_connections add column webhooks_api_allowed boolean;

-- The Webhooks API's event type names, read from `GET /EventTypes` once per agreement and day
-- (the names are e-conomic's, not ours to guess). Not tenant data: the same for every company
-- on the agreement. `body` is the JSON list as e-conomic sent it.
create table agreement_event_types (
    agreement_number bigint primary key,
    body text not null,
    fetched_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- managed_webhooks gains the outcomes of the real e-conomic's refusals, the per-webhook choice
-- (created for me / I create it myself), the event type name used, and whose URL e-conomic's
-- webhook points at (a company owns a webhook only when it points at that company's URL).
-- SQLite cannot change a check constraint in place: the table is rebuilt.
create table managed_webhooks_new (
    tenant_id bigint not null references tenants (id) on delete cascade,
    kind text not null check (kind in ('customers', 'products', 'invoices')),
    managed boolean not null,
    outcome text check (outcome in (
        'created', 'updated', 'reenabled', 'deleted', 'conflict', 'forbidden', 'refused',
        'unavailable', 'not_connected', 'already_exists', 'other_company', 'other_address',
        'https_required', 'type_not_offered'
    )),
    outcome_detail text,
    outcome_at bigint,
    object_version text,
    checked_at bigint,
    remote_present boolean,
    remote_url_sha256 text,
    remote_disabled boolean,
    remote_last_disabled_at bigint,
    check_problem text check (check_problem in ('forbidden', 'refused', 'unavailable', 'not_connected')),
    -- 'automatic' (the app creates it) or 'manual' (the user does, in e-conomic's screens);
    -- null: not chosen yet, the default follows `webhooks_api_allowed`.
    mode text check (mode in ('automatic', 'manual')),
    -- The event type name e-conomic's list gave for this kind (`CUSTOMER_UPDATED`, …).
    event_type text,
    -- The company whose webhook URL e-conomic's webhook of this type points at, when it is a URL
    -- of this server (null: none seen, or an address that is not ours).
    remote_owner_tenant_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, kind)
);
insert into managed_webhooks_new (
    tenant_id, kind, managed, outcome, outcome_detail, outcome_at, object_version, checked_at,
    remote_present, remote_url_sha256, remote_disabled, remote_last_disabled_at, check_problem,
    mode, event_type, remote_owner_tenant_id, created_at, updated_at
)
select tenant_id, kind, managed, outcome, outcome_detail, outcome_at, object_version, checked_at,
    remote_present, remote_url_sha256, remote_disabled, remote_last_disabled_at, check_problem,
    case when managed then 'automatic' end, null,
    case when remote_present then tenant_id end, created_at, updated_at
from managed_webhooks;
drop table managed_webhooks;
alter table managed_webhooks_new rename to managed_webhooks;
