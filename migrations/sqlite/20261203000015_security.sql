-- Issue 15 (security hardening).

-- Finding rejected webhooks fast: an identical rejected request within a day is not stored
-- again, and the settings page counts them per kind. Rejected events are rare: a partial index.
create index webhook_events_rejected on webhook_events (tenant_id, kind, received_at)
    where status = 'rejected';
