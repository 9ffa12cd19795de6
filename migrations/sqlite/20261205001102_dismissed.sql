-- Dismissing a dead event (issue 14): someone decided it needs no replay. It stays dead, counts no
-- more as needing attention, and the retention job may delete it like any finished event.
alter table webhook_events add column dismissed_at bigint;
