-- Row-level security exists on PostgreSQL only (issue 15; see the PostgreSQL migration of the
-- same version). SQLite relies on every query's tenant filter; this file keeps the two folders'
-- versions in step.
select 1;
