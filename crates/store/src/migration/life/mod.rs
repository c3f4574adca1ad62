//! 组织生活 — meeting records, the kinds each counts as, attendance, the versions a
//! correction keeps, and the files attached to them.

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

pub mod m007_meetings;
pub mod m008_life_counts;
pub mod m011_participation;
pub mod m013_motions;
pub mod m014_life_dirty;
pub mod m016_local_kinds;
pub mod m009_attachments;

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "meetings",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("starts_at", Int),
            c("place", Text),
            c("host", Text),
            c("recorder", Text),
            c("lecturer", Text),
            c("lecture_title", Text),
            c("topic", Text),
            c("agenda", Text),
            c("minutes", Text),
            c("decisions", Text),
            c("guests", Text),
            c("version", Int),
            c("created_by", Int),
            c("created_at", Int),
            c("updated_by", Int),
            c("updated_at", Int),
            n("deleted_at", Int),
            n("delete_reason", Text),
            n("makes_up", Text),
            c("motions", Text),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "meeting_kinds",
        cols: &[fk("meeting_id", "meetings", false), c("tenant_id", Int), c("org_id", Int), c("org_path", Path), c("kind", Text), c("starts_at", Int), c("counts_on", Text)],
        primary_key: &["meeting_id", "kind"],
        large: true,
    },
    TableSpec {
        name: "meeting_attendance",
        cols: &[ID, fk("meeting_id", "meetings", false), c("tenant_id", Int), fk("member_id", "members", false), c("status", Text), c("reason", Text)],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "meeting_versions",
        cols: &[ID, fk("meeting_id", "meetings", false), c("tenant_id", Int), c("version", Int), c("author_id", Int), c("at", Int), c("record", Text)],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "life_counts",
        cols: &[c("tenant_id", Int), fk("org_id", "orgs", false), c("org_path", Path), c("kind", Text), c("period", Text), c("held", Int), c("days", Text)],
        primary_key: &["org_id", "kind", "period"],
        large: true,
    },
    TableSpec {
        name: "obligation_rules",
        cols: &[
            ID,
            c("tenant_id", Int),
            c("kind", Text),
            c("owed_by", Text),
            c("needs_committee", Bool),
            c("frequency", Text),
            c("count", Int),
            n("preferred_quarter", Int),
            c("citation", Text),
            c("replaces_seeded", Bool),
            fk("within_org_id", "orgs", true),
            c("within_path", Path),
            c("created_by", Int),
            c("created_at", Int),
        ],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "life_dirty",
        cols: &[fk("org_id", "orgs", false), c("tenant_id", Int), c("version", Int)],
        primary_key: &["org_id"],
        large: false,
    },
    TableSpec {
        name: "meeting_kind_defs",
        cols: &[
            ID,
            fk("tenant_id", "orgs", false),
            c("code", Text),
            c("name", Text),
            c("held_by", Text),
            c("created_by", Int),
            c("created_at", Int),
            n("retired_at", Int),
        ],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "meeting_local_kinds",
        cols: &[
            fk("meeting_id", "meetings", false),
            fk("kind_id", "meeting_kind_defs", false),
            c("tenant_id", Int),
            c("org_id", Int),
            c("org_path", Path),
            c("starts_at", Int),
        ],
        primary_key: &["meeting_id", "kind_id"],
        large: true,
    },
    TableSpec {
        name: "member_participation",
        cols: &[fk("member_id", "members", false), c("tenant_id", Int), c("last_at", Int)],
        primary_key: &["member_id"],
        large: true,
    },
    TableSpec {
        name: "meeting_attachments",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("meeting_id", "meetings", false),
            c("sm3", Text),
            c("file_name", Text),
            c("media_type", Text),
            c("size", Int),
            c("uploaded_by", Int),
            c("uploaded_at", Int),
            n("deleted_at", Int),
            n("delete_reason", Text),
        ],
        primary_key: &[],
        large: true,
    },
];
