//! The attendance lines of each organisation's live records per kind and period, kept on write
//! (`life::attendance_counts`), so that 出席率 reads one index range of the subtree.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Index, Table};

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut counts = Table::create();
    counts
        .table("attendance_counts")
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("org_id").big_integer().not_null())
        .col(s.path_column("org_path"))
        // A meeting kind's code, or `*` for every record once whatever its kinds.
        .col(ColumnDef::new("kind").text().not_null())
        .col(ColumnDef::new("period").text().not_null())
        .col(ColumnDef::new("meetings").big_integer().not_null())
        .col(ColumnDef::new("present").big_integer().not_null())
        .col(ColumnDef::new("leave").big_integer().not_null())
        .col(ColumnDef::new("absent").big_integer().not_null())
        .primary_key(Index::create().col("org_id").col("kind").col("period"))
        .foreign_key(ForeignKey::create().from("attendance_counts", "org_id").to("orgs", "id"));
    vec![
        s.table(&counts),
        // Every organisation of a subtree for one kind and period: one range over the path.
        s.index(&idx("ix_attendance_counts_kind_period_path", "attendance_counts", &["kind", "period", "org_path"])),
    ]
}
