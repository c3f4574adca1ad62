//! The obligations engine's inputs: a record's 补开 period and the day it counts on, the counts
//! per organisation × kind × period kept on write, and an installation's own rule rows.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Index, Table};
use sea_orm::DbBackend;

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut makes_up = Table::alter();
    makes_up.table("meetings").add_column(ColumnDef::new("makes_up").text().null());
    let mut counts_on = Table::alter();
    counts_on.table("meeting_kinds").add_column(ColumnDef::new("counts_on").text().not_null().default(""));
    // Every record so far counts on its own day in China (none was a make-up).
    let backfill = match s.backend {
        DbBackend::Postgres => "UPDATE meeting_kinds SET counts_on = to_char(to_timestamp(starts_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "UPDATE meeting_kinds SET counts_on = date(starts_at + 28800, 'unixepoch')",
    };
    let mut counts = Table::create();
    counts
        .table("life_counts")
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("org_id").big_integer().not_null())
        .col(s.path_column("org_path"))
        .col(ColumnDef::new("kind").text().not_null())
        .col(ColumnDef::new("period").text().not_null())
        .col(ColumnDef::new("held").big_integer().not_null())
        .col(ColumnDef::new("days").text().not_null())
        .primary_key(Index::create().col("org_id").col("kind").col("period"))
        .foreign_key(ForeignKey::create().from("life_counts", "org_id").to("orgs", "id"));
    let mut rules = Table::create();
    rules
        .table("obligation_rules")
        .col(s.id())
        .col(ColumnDef::new("tenant_id").big_integer().not_null())
        .col(ColumnDef::new("kind").text().not_null())
        .col(ColumnDef::new("owed_by").text().not_null())
        .col(ColumnDef::new("needs_committee").boolean().not_null())
        .col(ColumnDef::new("frequency").text().not_null())
        .col(ColumnDef::new("count").big_integer().not_null())
        .col(ColumnDef::new("preferred_quarter").big_integer().null())
        .col(ColumnDef::new("citation").text().not_null())
        .col(ColumnDef::new("replaces_seeded").boolean().not_null())
        .col(ColumnDef::new("within_org_id").big_integer().null())
        .col(s.path_column("within_path"))
        .col(ColumnDef::new("created_by").big_integer().not_null())
        .col(ColumnDef::new("created_at").big_integer().not_null())
        .foreign_key(ForeignKey::create().from("obligation_rules", "within_org_id").to("orgs", "id"));
    let mut out = vec![s.alter(&makes_up), s.alter(&counts_on), backfill.to_string(), s.table(&counts), s.table(&rules)];
    for i in [
        // Records of kind K of organisation O counting in a period: what the counts are rebuilt from.
        idx("ix_meeting_kinds_counts_on", "meeting_kinds", &["org_id", "kind", "counts_on"]),
        // A subtree's counts in a period: a range over the path for each period asked.
        idx("ix_life_counts_period_path", "life_counts", &["period", "org_path"]),
        idx("ix_obligation_rules_within", "obligation_rules", &["within_org_id"]),
        idx("ix_obligation_rules_tenant", "obligation_rules", &["tenant_id", "kind"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
