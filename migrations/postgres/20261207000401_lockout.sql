-- Lockout that cannot be abused (issue 24): browsers that logged in to an account before are
-- remembered (their `device` cookie; only its SHA-256 is kept) and pass the account-wide ceiling
-- that strangers' failures fill; the staff second factor counts its attempts since the last
-- success and locks hard at its own, much lower ceiling until `server unlock-staff`; a new staff
-- member enrols the factor only through a one-time link that `create-staff` prints.
--
-- No tenant's data: no row-level security (see README, "Tenant isolation by the database").

create table login_devices (
    id bigint generated always as identity primary key,
    -- The throttling key of the account, as in login_attempts.
    account text not null,
    token_hash bytea not null,
    created_at bigint not null,
    updated_at bigint not null
);

create unique index login_devices_account_token on login_devices (account, token_hash);
create index login_devices_updated_at on login_devices (updated_at);

alter table staff add column code_attempts integer not null default 0;
alter table staff add column code_locked_at bigint;
alter table staff add column enrolment_token_hash bytea;
alter table staff add column enrolment_expires_at bigint;
