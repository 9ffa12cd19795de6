-- Issue 15: owners can make members admins.
alter table memberships drop constraint memberships_role_check;
alter table memberships add constraint memberships_role_check
    check (role in ('owner', 'admin', 'member'));
