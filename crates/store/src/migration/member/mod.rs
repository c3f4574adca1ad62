//! 党员 — members, their history and their place in a 党小组.

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "members",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            n("member_no", Text),
            c("name", Path),
            c("gender", Text),
            c("ethnicity", Text),
            c("birth_date", Text),
            c("id_enc", Text),
            c("id_bidx", Text),
            c("id_masked", Text),
            n("phone_enc", Text),
            n("phone_bidx", Text),
            n("phone_masked", Text),
            c("education", Text),
            c("work_unit", Text),
            c("position", Text),
            c("category", Text),
            c("status", Text),
            n("joined_on", Text),
            n("full_on", Text),
            c("created_at", Int),
            c("updated_at", Int),
            c("native_place", Text),
            // 党小组成员: the 党小组 of the branch the member sits in, if any.
            fk("group_id", "orgs", true),
        ],
        primary_key: &[], large: true,
    },
    TableSpec {
        name: "member_events",
        cols: &[
            ID,
            fk("member_id", "members", false),
            c("kind", Text),
            c("on_date", Text),
            n("org_id", Int),
            c("note", Text),
            c("at", Int),
            c("tenant_id", Int),
        ],
        primary_key: &[], large: true,
    },
];

pub mod m004_event_tenant;
pub mod m006_native_place;
pub mod m010_group_membership;
