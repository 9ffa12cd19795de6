-- The event history (F15): the page lists a tenant's events newest first by (received_at, id)
-- with keyset pagination, filtered by status, kind, time range and record-number prefix. Each
-- filter that narrows the list has an index whose order is the page's order, so a page reads
-- only the rows it shows, at any depth. Timestamps are unix epoch milliseconds UTC.

-- The unfiltered history, time ranges, and the retention job's scan for old events. It
-- replaces the (tenant_id, id) index of the first history page.
create index webhook_events_history on webhook_events (tenant_id, received_at, id);
drop index webhook_events_tenant_id;
-- One status (the list filtered by it, and the count of each status for the filter).
create index webhook_events_history_status on webhook_events (tenant_id, status, received_at, id);
-- One kind.
create index webhook_events_history_kind on webhook_events (tenant_id, kind, received_at, id);
-- A record number or its prefix (record_key is the number the event is about; SQLite compares
-- text bytewise, so a prefix is a range of this index).
create index webhook_events_history_record on webhook_events (tenant_id, record_key, received_at, id);

-- The events folded into one (shown on its page); most events are never folded.
create index webhook_events_coalesced on webhook_events (tenant_id, coalesced_into)
    where coalesced_into is not null;

-- Deleting an event deletes its attempts (foreign key): without an index led by event_id each
-- deleted event would scan every attempt.
create index event_attempts_event_id on event_attempts (event_id);

-- How long a tenant keeps its events (no row: 90 days). Failed and dead events are kept until
-- replayed.
create table event_retention (
    tenant_id bigint primary key references tenants (id) on delete cascade,
    days bigint not null check (days in (30, 90, 365)),
    created_at bigint not null,
    updated_at bigint not null
);
