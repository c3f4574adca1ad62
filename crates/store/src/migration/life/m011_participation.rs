//! 参加组织生活 — each member's last organisational life (attended, or excused with a reason),
//! kept on write so the 3/5/6-month warnings of a branch are one key lookup per member.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Index, Table};

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut t = Table::create();
    t.table("member_participation")
        .col(ColumnDef::new("member_id").big_integer().not_null())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("last_at").big_integer().not_null())
        .primary_key(Index::create().col("member_id"))
        .foreign_key(ForeignKey::create().from("member_participation", "member_id").to("members", "id"));
    // The branch's warnings read each member's date from this index alone (on SQLite the key is
    // the rowid, which the foreign-key check does not count as an index).
    vec![s.table(&t), s.index(&idx("ix_member_participation_member", "member_participation", &["member_id", "last_at"]))]
}
