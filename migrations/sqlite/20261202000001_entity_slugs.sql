-- One name per entity (customers, products, invoices) in storage too, as in URLs and settings.
-- SQLite cannot alter a CHECK constraint: both tables are rebuilt with the new one.

create table webhook_credentials_new (
    tenant_id bigint not null references tenants (id) on delete cascade,
    kind text not null check (kind in ('customers', 'products', 'invoices')),
    generation bigint not null,
    created_at bigint not null,
    retired_at bigint,
    updated_at bigint not null,
    primary key (tenant_id, kind, generation)
);
insert into webhook_credentials_new
select tenant_id,
       case kind when 'customer-updated' then 'customers'
                 when 'product-updated' then 'products'
                 when 'invoice-booked' then 'invoices' end,
       generation, created_at, retired_at, updated_at
from webhook_credentials;
drop table webhook_credentials;
alter table webhook_credentials_new rename to webhook_credentials;

create table webhook_events_new (
    id integer primary key autoincrement,
    tenant_id bigint not null references tenants (id) on delete cascade,
    kind text not null check (kind in ('customers', 'products', 'invoices')),
    status text not null check (status in (
        'received', 'queued', 'processing', 'processed', 'ignored', 'rejected', 'failed', 'dead'
    )),
    action text,
    old_number text,
    new_number text,
    invoice_number text,
    content_type text,
    raw_query text,
    raw_body blob not null,
    reason text,
    received_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);
insert into webhook_events_new
select id, tenant_id,
       case kind when 'customer-updated' then 'customers'
                 when 'product-updated' then 'products'
                 when 'invoice-booked' then 'invoices' end,
       status, action, old_number, new_number, invoice_number, content_type, raw_query,
       raw_body, reason, received_at, created_at, updated_at
from webhook_events;
drop table webhook_events;
alter table webhook_events_new rename to webhook_events;
create index webhook_events_tenant_id on webhook_events (tenant_id, id desc);
