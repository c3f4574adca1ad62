//! 提醒 — reminders written once per recipient, organisation, obligation and period; their
//! deliveries by email and SMS with attempts and back-off; the email address each account
//! chose for them.

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

pub mod m012_notifications;

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "notifications",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("account_id", "accounts", false),
            fk("org_id", "orgs", false),
            c("kind", Text),
            c("obligation_kind", Text),
            c("period", Text),
            c("due_by", Text),
            c("title", Text),
            c("body", Text),
            c("created_at", Int),
            n("read_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "notification_deliveries",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("notification_id", "notifications", false),
            c("channel", Text),
            c("address", Text),
            c("address_enc", Text),
            c("status", Text),
            c("attempts", Int),
            c("next_attempt_at", Int),
            n("claim_token", Text),
            n("last_error", Text),
            n("sent_at", Int),
            c("created_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "notification_contacts",
        cols: &[ID, fk("account_id", "accounts", false), c("email", Text), c("updated_at", Int)],
        primary_key: &[],
        large: false,
    },
];
