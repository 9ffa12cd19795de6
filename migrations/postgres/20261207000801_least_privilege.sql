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

-- `users` is nobody's tenant data (a user may belong to several companies, and log-in finds one
-- by e-mail before any company is known), so no row policy fits it. What a tenant's transaction
-- must never read is a password hash: inventory_sync_app may read every column but that one, and
-- log-in reads it through this function, one e-mail at a time. A column added to `users` later
-- must be granted to inventory_sync_app by its migration.
revoke select on users from inventory_sync_app;
grant select (id, email, name, created_at, updated_at, language, sessions_valid_from)
    on users to inventory_sync_app;

create function inventory_sync_login_user(wanted text)
returns table (id bigint, password_hash text)
language sql stable security definer set search_path = public, pg_temp
as $$ select u.id, u.password_hash from users u where u.email = wanted $$;
revoke all on function inventory_sync_login_user(text) from public;
grant execute on function inventory_sync_login_user(text) to inventory_sync_app;

-- Log-in attempts are read and written only before any company is known (the log-in and its
-- throttle, outside a tenant's transaction). A tenant's transaction sees and writes none.
alter table login_attempts enable row level security;
alter table login_attempts force row level security;
create policy outside_tenants on login_attempts to inventory_sync_app
    using (coalesce(current_setting('app.tenant_id', true), '') = '')
    with check (coalesce(current_setting('app.tenant_id', true), '') = '');
create policy cross_tenant on login_attempts to inventory_sync_cross_tenant
    using (true) with check (true);

-- Staff are no tenant's data either, and a tenant's page names the staff member who acted, so
-- the same as for `users`: every column but the password hash, which the staff log-in reads
-- through a function. (The second factor's secret is stored sealed with the server's key.)
revoke select on staff from inventory_sync_app;
grant select (id, email, name, created_at, updated_at, totp_ciphertext, totp_nonce,
              totp_enabled_at, totp_last_step, disabled_at, code_attempts, code_locked_at,
              enrolment_token_hash, enrolment_expires_at)
    on staff to inventory_sync_app;

create function inventory_sync_login_staff(wanted text)
returns table (id bigint, password_hash text)
language sql stable security definer set search_path = public, pg_temp
as $$ select s.id, s.password_hash from staff s where s.email = wanted and s.disabled_at is null $$;
revoke all on function inventory_sync_login_staff(text) from public;
grant execute on function inventory_sync_login_staff(text) to inventory_sync_app;

-- Staff recovery codes are used only at the staff log-in, before any tenant is known.
alter table staff_recovery_codes enable row level security;
alter table staff_recovery_codes force row level security;
create policy outside_tenants on staff_recovery_codes to inventory_sync_app
    using (coalesce(current_setting('app.tenant_id', true), '') = '')
    with check (coalesce(current_setting('app.tenant_id', true), '') = '');
create policy cross_tenant on staff_recovery_codes to inventory_sync_cross_tenant
    using (true) with check (true);
