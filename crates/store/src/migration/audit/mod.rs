//! 审计 — the chained audit log and its head.

use super::spec::{c, n, Kind::*, TableSpec, ID};

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "audit_log",
        cols: &[
            ID,
            c("at", Int),
            n("account_id", Int),
            c("username", Text),
            c("ip", Text),
            c("action", Text),
            c("object", Text),
            c("outcome", Text),
            c("detail", Text),
            c("mac", Text),
        ],
        primary_key: &[], large: false,
    },
    TableSpec { name: "audit_head", cols: &[c("id", Int), c("last_id", Int), c("mac", Text)], primary_key: &["id"], large: false },
];
