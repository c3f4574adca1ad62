//! 账号 — accounts, their scoped roles, sessions.

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "accounts",
        cols: &[
            ID,
            c("username", Text),
            c("username_lc", Text),
            fk("member_id", "members", true),
            c("password_hash", Text),
            c("must_change", Bool),
            c("password_changed_at", Int),
            c("locked", Bool),
            n("locked_until", Int),
            c("failed_count", Int),
            n("failed_since", Int),
            c("created_at", Int),
            n("last_login_at", Int),
            n("totp_enc", Text),
            n("totp_pending_enc", Text),
            n("totp_last_step", Int),
        ],
        primary_key: &[], large: false,
    },
    TableSpec {
        name: "role_grants",
        cols: &[
            ID,
            fk("account_id", "accounts", false),
            c("role", Text),
            fk("org_id", "orgs", false),
            n("granted_by", Int),
            c("at", Int),
        ],
        primary_key: &[], large: false,
    },
    TableSpec {
        name: "sessions",
        cols: &[
            c("id", Text),
            fk("account_id", "accounts", false),
            c("csrf", Text),
            c("created_at", Int),
            c("last_seen_at", Int),
            c("ip", Text),
        ],
        primary_key: &["id"], large: false,
    },
];

pub mod m002_separation;
