-- One name per entity (customers, products, invoices) in storage too, as in URLs and settings.
alter table webhook_credentials drop constraint webhook_credentials_kind_check;
alter table webhook_events drop constraint webhook_events_kind_check;

update webhook_credentials set kind = case kind
    when 'customer-updated' then 'customers'
    when 'product-updated' then 'products'
    when 'invoice-booked' then 'invoices' end;
update webhook_events set kind = case kind
    when 'customer-updated' then 'customers'
    when 'product-updated' then 'products'
    when 'invoice-booked' then 'invoices' end;

alter table webhook_credentials add constraint webhook_credentials_kind_check
    check (kind in ('customers', 'products', 'invoices'));
alter table webhook_events add constraint webhook_events_kind_check
    check (kind in ('customers', 'products', 'invoices'));
