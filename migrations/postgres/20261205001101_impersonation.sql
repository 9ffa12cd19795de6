-- Staff impersonation (issue 11, F18): each impersonation with its reason, time limit, elevation
-- and end; every request made in it; and the tenant's own choice whether support may look in
-- ('allowed'), may only look ('read_only': no elevation to write access) or not at all.

alter table tenants add column support_access text not null default 'allowed'
    check (support_access in ('allowed', 'read_only', 'forbidden'));

create table impersonations (
    id bigint generated always as identity primary key,
    tenant_id bigint not null references tenants (id) on delete cascade,
    staff_id bigint not null references staff (id),
    reason text not null,
    ticket text,
    started_at bigint not null,
    expires_at bigint not null,
    elevated_at bigint,
    elevation_reason text,
    ended_at bigint,
    end_reason text check (end_reason in ('stopped', 'expired', 'revoked')),
    created_at bigint not null,
    updated_at bigint not null
);

create index impersonations_tenant_started on impersonations (tenant_id, started_at);

create table impersonation_requests (
    id bigint generated always as identity primary key,
    impersonation_id bigint not null references impersonations (id) on delete cascade,
    tenant_id bigint not null references tenants (id) on delete cascade,
    method text not null,
    path text not null,
    status integer not null,
    created_at bigint not null,
    updated_at bigint not null
);

create index impersonation_requests_session on impersonation_requests (tenant_id, impersonation_id, id);
