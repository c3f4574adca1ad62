//! The security review: a person is bound to at most one account (SECURITY.md "Access"), and the
//! audit head gets a keyed signature ("Audit"), left pending here for the store to sign with the
//! key, which migrations never see. The unique index replaces the plain one on
//! `accounts.member_id`; it fails on a database where one person already has two accounts, which
//! the operator must resolve first (docs/operations.md).

use sea_orm::sea_query::Index;

use crate::migration::helpers::{unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut drop = Index::drop();
    drop.name("ix_accounts_member").table(sea_orm::sea_query::Alias::new("accounts"));
    vec![
        s.drop_index(&drop),
        s.index(&unique("ux_accounts_member", "accounts", &["member_id"])),
        "INSERT INTO meta (key, value) VALUES ('audit_head_sig', 'pending')".into(),
    ]
}
