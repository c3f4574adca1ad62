//! 提醒: the notifications outbox. A reminder is written once: the unique index over
//! (account, organisation, obligation, period, kind) makes a second writer's insert a no-op,
//! whichever node or day it comes from. Each delivery is claimed by one conditional UPDATE on
//! its status and `next_attempt_at`, which the worker's index serves.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut notifications = Table::create();
    notifications
        .table("notifications")
        .col(s.id())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("account_id").big_integer().not_null())
        .col(ColumnDef::new("org_id").big_integer().not_null())
        .col(ColumnDef::new("kind").text().not_null())
        .col(ColumnDef::new("obligation_kind").text().not_null())
        .col(ColumnDef::new("period").text().not_null())
        .col(ColumnDef::new("due_by").text().not_null())
        .col(ColumnDef::new("title").text().not_null())
        .col(ColumnDef::new("body").text().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("read_at").big_integer().null())
        .foreign_key(ForeignKey::create().from("notifications", "account_id").to("accounts", "id"))
        .foreign_key(ForeignKey::create().from("notifications", "org_id").to("orgs", "id"));
    let mut deliveries = Table::create();
    deliveries
        .table("notification_deliveries")
        .col(s.id())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("notification_id").big_integer().not_null())
        .col(ColumnDef::new("channel").text().not_null())
        .col(ColumnDef::new("address").text().not_null())
        .col(ColumnDef::new("address_enc").text().not_null())
        .col(ColumnDef::new("status").text().not_null())
        .col(ColumnDef::new("attempts").big_integer().not_null())
        .col(ColumnDef::new("next_attempt_at").big_integer().not_null())
        .col(ColumnDef::new("claim_token").text().null())
        .col(ColumnDef::new("last_error").text().null())
        .col(ColumnDef::new("sent_at").big_integer().null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .foreign_key(ForeignKey::create().from("notification_deliveries", "notification_id").to("notifications", "id"));
    let mut contacts = Table::create();
    contacts
        .table("notification_contacts")
        .col(s.id())
        .col(ColumnDef::new("account_id").big_integer().not_null())
        .col(ColumnDef::new("email").text().not_null())
        .col(ColumnDef::new("updated_at").big_integer().not_null())
        .foreign_key(ForeignKey::create().from("notification_contacts", "account_id").to("accounts", "id"));
    let mut out = vec![s.table(&notifications), s.table(&deliveries), s.table(&contacts)];
    for i in [
        // Written once: the reminder's identity.
        unique("ux_notifications_once", "notifications", &["account_id", "org_id", "obligation_kind", "period", "kind"]),
        // The bell: one range of unread rows of one account.
        idx("ix_notifications_unread", "notifications", &["account_id", "read_at"]),
        // An account's list, newest first.
        idx("ix_notifications_account", "notifications", &["account_id", "id"]),
        // An organisation's reminders, for its administrator's delivery page.
        idx("ix_notifications_org", "notifications", &["org_id", "id"]),
        // One delivery per channel of a reminder.
        unique("ux_notification_deliveries_channel", "notification_deliveries", &["notification_id", "channel"]),
        // The worker: what is due, per status, in the order it fell due.
        idx("ix_notification_deliveries_due", "notification_deliveries", &["status", "next_attempt_at"]),
        unique("ux_notification_contacts_account", "notification_contacts", &["account_id"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
