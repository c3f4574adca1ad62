//! 组织生活: meeting records with their kinds, attendance and kept versions (issue 10, first slice).

use sea_orm::sea_query::{ColumnDef, ForeignKey, Index, Table};

use crate::migration::helpers::{idx, unique, Schema, int, text};

pub fn up(s: &Schema) -> Vec<String> {
    let mut meetings = Table::create();
    meetings
        .table("meetings")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(int("starts_at"))
        .col(text("place"))
        .col(text("host"))
        .col(text("recorder"))
        .col(text("lecturer"))
        .col(text("lecture_title"))
        .col(text("topic"))
        .col(text("agenda"))
        .col(text("minutes"))
        .col(text("decisions"))
        .col(text("guests"))
        .col(int("version"))
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_by"))
        .col(int("updated_at"))
        .col(ColumnDef::new("deleted_at").big_integer().null())
        .col(ColumnDef::new("delete_reason").text().null())
        .foreign_key(ForeignKey::create().from("meetings", "org_id").to("orgs", "id"));
    let mut kinds = Table::create();
    kinds
        .table("meeting_kinds")
        .col(int("meeting_id"))
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("kind"))
        .col(int("starts_at"))
        .primary_key(Index::create().col("meeting_id").col("kind"))
        .foreign_key(ForeignKey::create().from("meeting_kinds", "meeting_id").to("meetings", "id"));
    let mut attendance = Table::create();
    attendance
        .table("meeting_attendance")
        .col(s.id())
        .col(int("meeting_id"))
        .col(int("tenant_id"))
        .col(int("member_id"))
        .col(text("status"))
        .col(text("reason"))
        .foreign_key(ForeignKey::create().from("meeting_attendance", "meeting_id").to("meetings", "id"))
        .foreign_key(ForeignKey::create().from("meeting_attendance", "member_id").to("members", "id"));
    let mut versions = Table::create();
    versions
        .table("meeting_versions")
        .col(s.id())
        .col(int("meeting_id"))
        .col(int("tenant_id"))
        .col(int("version"))
        .col(int("author_id"))
        .col(int("at"))
        .col(text("record"))
        .foreign_key(ForeignKey::create().from("meeting_versions", "meeting_id").to("meetings", "id"));
    let mut out = vec![s.table(&meetings), s.table(&kinds), s.table(&attendance), s.table(&versions)];
    for i in [
        // An organisation's meetings, newest first (the organisation page, subtree = false).
        idx("ix_meetings_org_starts", "meetings", &["org_id", "starts_at", "id"]),
        // A subtree's meetings: a range scan over the path.
        idx("ix_meetings_path_starts", "meetings", &["org_path", "starts_at", "id"]),
        // Meetings of kind K of organisation O in a period (the obligations engine, kind filters).
        idx("ix_meeting_kinds_org_kind", "meeting_kinds", &["org_id", "kind", "starts_at", "meeting_id"]),
        // Meetings of kind K in a subtree.
        idx("ix_meeting_kinds_kind_path", "meeting_kinds", &["kind", "org_path", "starts_at"]),
        unique("ux_meeting_attendance", "meeting_attendance", &["meeting_id", "member_id"]),
        // A member's attendance, newest meetings first via the join (the member page).
        idx("ix_meeting_attendance_member", "meeting_attendance", &["member_id", "meeting_id"]),
        idx("ix_meeting_versions_meeting", "meeting_versions", &["meeting_id", "version"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
