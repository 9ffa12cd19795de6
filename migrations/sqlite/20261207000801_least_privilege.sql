-- PostgreSQL only (least-privilege roles and the session table made by the owner); SQLite has
-- no roles, and its session store makes its own table. Kept so both folders share versions.
select 1;
