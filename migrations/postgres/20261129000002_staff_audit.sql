-- Staff accounts (F17), separate from tenant users, and the audit log (F18).

create table staff (
    id bigint generated always as identity primary key,
    email text not null constraint staff_email_key unique,
    name text not null,
    password_hash text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table audit_log (
    id bigint generated always as identity primary key,
    tenant_id bigint references tenants (id) on delete cascade,
    actor_user_id bigint references users (id) on delete set null,
    actor_staff_id bigint references staff (id) on delete set null,
    action text not null,
    detail text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create index audit_log_tenant_id on audit_log (tenant_id, created_at);
