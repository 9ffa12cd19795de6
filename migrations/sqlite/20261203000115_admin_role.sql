-- Issue 15: owners can make members admins. SQLite cannot change a check constraint in place,
-- so the table is rebuilt (nothing references it by foreign key).
create table memberships_new (
    tenant_id bigint not null references tenants (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    role text not null check (role in ('owner', 'admin', 'member')),
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, user_id)
);
insert into memberships_new (tenant_id, user_id, role, created_at, updated_at)
    select tenant_id, user_id, role, created_at, updated_at from memberships;
drop table memberships;
alter table memberships_new rename to memberships;
create index memberships_user_id on memberships (user_id);
