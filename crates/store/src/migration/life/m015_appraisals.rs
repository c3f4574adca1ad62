//! 民主评议党员: appraisal rounds of a branch for a year, and one row per appraised member with
//! the self-assessment, the peer opinions, the ballot counts, the grade and the follow-up.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, unique, Schema, int, text};

pub fn up(s: &Schema) -> Vec<String> {
    let mut rounds = Table::create();
    rounds
        .table("appraisals")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(int("year"))
        .col(text("stage"))
        .col(ColumnDef::new("meeting_id").big_integer().null())
        .col(int("ballots"))
        .col(ColumnDef::new("published_on").text().null())
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("appraisals", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("appraisals", "meeting_id").to("meetings", "id"));
    let mut members = Table::create();
    members
        .table("appraisal_members")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("appraisal_id"))
        .col(int("member_id"))
        .col(text("status"))
        .col(text("self_assessment"))
        .col(text("peer_review"))
        .col(int("excellent"))
        .col(int("qualified"))
        .col(int("basically_qualified"))
        .col(int("unqualified"))
        .col(ColumnDef::new("grade").text().null())
        .col(text("grade_note"))
        .col(ColumnDef::new("follow_up").text().null())
        .col(ColumnDef::new("decided_on").text().null())
        .col(ColumnDef::new("deadline").text().null())
        .col(text("decision"))
        .col(text("approval"))
        .foreign_key(ForeignKey::create().from("appraisal_members", "appraisal_id").to("appraisals", "id"))
        .foreign_key(ForeignKey::create().from("appraisal_members", "member_id").to("members", "id"));
    let mut out = vec![s.table(&rounds), s.table(&members)];
    for i in [
        // One round per organisation and year; an organisation's rounds, newest first.
        unique("ux_appraisals_org_year", "appraisals", &["org_id", "year"]),
        // A meeting record is one round's 民主测评 at most (and the foreign key's index); rounds
        // without one (NULL) are not compared.
        unique("ux_appraisals_meeting", "appraisals", &["meeting_id"]),
        // One row per member per round, in the round's order.
        unique("ux_appraisal_members", "appraisal_members", &["appraisal_id", "member_id"]),
        // A member's grades over the years (the member page).
        idx("ix_appraisal_members_member", "appraisal_members", &["member_id", "appraisal_id"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
