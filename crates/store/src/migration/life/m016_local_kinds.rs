//! 自定义会议类别 — the kinds of organisational life an installation adds, and the records that
//! count as them (live records only, like `meeting_kinds`).

use sea_orm::sea_query::{ColumnDef, ForeignKey, Index, Table};

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut defs = Table::create();
    defs.table("meeting_kind_defs")
        .col(s.id())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("code").text().not_null())
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("held_by").text().not_null())
        .col(ColumnDef::new("created_by").big_integer().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .col(ColumnDef::new("retired_at").big_integer().null())
        .foreign_key(ForeignKey::create().from("meeting_kind_defs", "tenant_id").to("orgs", "id"));
    let mut kinds = Table::create();
    kinds
        .table("meeting_local_kinds")
        .col(ColumnDef::new("meeting_id").big_integer().not_null())
        .col(ColumnDef::new("kind_id").big_integer().not_null())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("org_id").big_integer().not_null())
        .col(s.path_column("org_path"))
        .col(ColumnDef::new("starts_at").big_integer().not_null())
        .primary_key(Index::create().col("meeting_id").col("kind_id"))
        .foreign_key(ForeignKey::create().from("meeting_local_kinds", "meeting_id").to("meetings", "id"))
        .foreign_key(ForeignKey::create().from("meeting_local_kinds", "kind_id").to("meeting_kind_defs", "id"));
    let mut out = vec![s.table(&defs), s.table(&kinds)];
    for i in [
        // One code and one name per installation: the uniqueness checks are these indexes.
        idx("ux_meeting_kind_defs_code", "meeting_kind_defs", &["tenant_id", "code"]).unique().to_owned(),
        idx("ux_meeting_kind_defs_name", "meeting_kind_defs", &["tenant_id", "name"]).unique().to_owned(),
        // A record's added kinds (the foreign key's index).
        idx("ix_meeting_local_kinds_meeting", "meeting_local_kinds", &["meeting_id", "kind_id"]),
        // The list filtered by an added kind (one organisation, or a subtree, newest first), and an
        // organisation's year by added kind.
        idx("ix_meeting_local_kinds_org", "meeting_local_kinds", &["org_id", "kind_id", "starts_at"]),
        idx("ix_meeting_local_kinds_path", "meeting_local_kinds", &["kind_id", "org_path", "starts_at"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
