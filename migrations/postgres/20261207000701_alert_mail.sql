-- Alert e-mails (issue 25): each mail of an alert names its notification, so that the mail
-- sender records the delivery (sent, or failed) in the company's list of notifications.
alter table outbox add column notification_id bigint
    references health_notifications (id) on delete set null;
create index outbox_notification on outbox (notification_id) where notification_id is not null;
