//! 落实情况快照的变更标记 — which organisations' counts changed since a version, so that the
//! in-memory counts of a period (`life::snapshot`) reload only those, whatever the tree's size.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Index, Table};

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut t = Table::create();
    t.table("life_dirty")
        .col(ColumnDef::new("org_id").big_integer().not_null())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("version").big_integer().not_null())
        .primary_key(Index::create().col("org_id"))
        .foreign_key(ForeignKey::create().from("life_dirty", "org_id").to("orgs", "id"));
    vec![
        s.table(&t),
        // The organisation key as an index of its own: on SQLite the primary key is the rowid,
        // which the foreign-key check does not count as one.
        s.index(&idx("ix_life_dirty_org", "life_dirty", &["org_id"])),
        // A snapshot catching up reads the organisations marked after its version: one range.
        s.index(&idx("ix_life_dirty_version", "life_dirty", &["version", "org_id"])),
    ]
}
