-- Tenant isolation enforced by PostgreSQL itself (issue 15): row-level security on every table
-- with a tenant_id column. The app's tenant work runs as inventory_sync_app (not the tables'
-- owner, no BYPASSRLS), in transactions that `set local app.tenant_id`; work that spans tenants
-- runs as the login role, which is made a member of inventory_sync_cross_tenant. See
-- backend/src/db/scope.rs.
--
-- Roles belong to the whole cluster, so several databases (the tests make one each) may create
-- them at once: whoever is second ignores the duplicate.
do $$
begin
    create role inventory_sync_app nologin;
exception when duplicate_object or unique_violation then null;
end $$;
do $$
begin
    create role inventory_sync_cross_tenant nologin;
exception when duplicate_object or unique_violation then null;
end $$;
-- The login must be able to `set role inventory_sync_app`, and its own policy is the
-- cross-tenant one (granting twice is only a notice).
do $$
begin
    grant inventory_sync_app, inventory_sync_cross_tenant to current_user;
exception when unique_violation then null;
end $$;

grant usage on schema public to inventory_sync_app;
grant select, insert, update, delete on all tables in schema public to inventory_sync_app;
grant usage, select on all sequences in schema public to inventory_sync_app;
revoke all on _sqlx_migrations from inventory_sync_app;
-- Tables and sequences later migrations create get the same grants.
alter default privileges in schema public
    grant select, insert, update, delete on tables to inventory_sync_app;
alter default privileges in schema public grant usage, select on sequences to inventory_sync_app;

-- Later migrations call this for each new tenant table:
-- `select inventory_sync_isolate('new_table');`
create function inventory_sync_isolate(tbl regclass) returns void language plpgsql as $$
begin
    execute format('alter table %s enable row level security', tbl);
    execute format('alter table %s force row level security', tbl);
    execute format(
        'create policy tenant_isolation on %s to inventory_sync_app '
        'using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::bigint) '
        'with check (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::bigint)',
        tbl);
    execute format(
        'create policy cross_tenant on %s to inventory_sync_cross_tenant '
        'using (true) with check (true)', tbl);
end $$;

do $$
declare
    tbl regclass;
begin
    for tbl in
        select c.oid::regclass
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid
        where n.nspname = 'public' and c.relkind = 'r' and a.attname = 'tenant_id'
            and not a.attisdropped
        order by c.relname
    loop
        perform inventory_sync_isolate(tbl);
    end loop;
end $$;

-- The tenants table is keyed by the tenant itself.
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants to inventory_sync_app
    using (id = nullif(current_setting('app.tenant_id', true), '')::bigint)
    with check (id = nullif(current_setting('app.tenant_id', true), '')::bigint);
create policy cross_tenant on tenants to inventory_sync_cross_tenant using (true) with check (true);
