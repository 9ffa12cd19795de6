-- Least privilege (issue 24): the owner role runs the migrations; the app may log in as a role
-- that is no superuser, has no BYPASSRLS, owns nothing and creates nothing, and is a member of
-- inventory_sync_app and inventory_sync_cross_tenant only. That login's start-up then merely
-- checks that the migrations ran, and uses the session table the owner made here.

-- The session store's table (tower-sessions-sqlx-store's own definition), made by the owner so
-- that the login needs no right to create schemas. The store's own `migrate` is skipped once it
-- exists.
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session
(
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
grant usage on schema tower_sessions to inventory_sync_cross_tenant;
grant select, insert, update, delete on tower_sessions.session to inventory_sync_cross_tenant;

-- Start-up reads which migrations ran (and changes nothing there).
grant select on _sqlx_migrations to inventory_sync_cross_tenant;

