-- Staff second factor (issue 11): a TOTP secret (encrypted at rest with the server's key, like
-- grant tokens), the last accepted time step (a code is never accepted twice), one-time recovery
-- codes (only their SHA-256 is kept), and disabling an account without deleting its audit trail.

alter table staff add column totp_ciphertext blob;
alter table staff add column totp_nonce blob;
alter table staff add column totp_enabled_at bigint;
alter table staff add column totp_last_step bigint;
alter table staff add column disabled_at bigint;

create table staff_recovery_codes (
    id integer primary key autoincrement,
    staff_id bigint not null references staff (id) on delete cascade,
    code_hash blob not null,
    used_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create index staff_recovery_codes_staff_id on staff_recovery_codes (staff_id);
