//! 组织 — the tree, its moves and terms, posts, and the member counts maintained on write.

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "orgs",
        cols: &[
            ID,
            n("tenant_id", Int),
            fk("parent_id", "orgs", true),
            c("path", Path),
            c("kind", Text),
            c("name", Text),
            c("code", Text),
            c("unit_name", Text),
            c("unit_category", Text),
            n("established_on", Text),
            n("ends_on", Text),
            n("dissolved_on", Text),
            c("active", Bool),
            c("sort", Int),
            c("note", Text),
            c("created_at", Int),
            c("updated_at", Int),
        ],
        primary_key: &[], large: true,
    },
    TableSpec {
        name: "org_moves",
        cols: &[
            ID,
            fk("org_id", "orgs", false),
            n("from_parent_id", Int),
            c("to_parent_id", Int),
            c("from_path", Text),
            c("to_path", Text),
            c("reason", Text),
            c("moved_on", Text),
            n("account_id", Int),
            c("at", Int),
        ],
        primary_key: &[], large: false,
    },
    TableSpec {
        name: "org_terms",
        cols: &[ID, fk("org_id", "orgs", false), c("started_on", Text), c("ends_on", Text), c("note", Text)],
        primary_key: &[], large: false,
    },
    TableSpec {
        name: "posts",
        cols: &[
            ID,
            fk("org_id", "orgs", false),
            fk("member_id", "members", false),
            c("post", Text),
            c("ab_role", Text),
            c("started_on", Text),
            n("ended_on", Text),
            c("note", Text),
            c("tenant_id", Int),
        ],
        primary_key: &[], large: true,
    },
    TableSpec {
        name: "org_member_counts",
        cols: &[fk("org_id", "orgs", false), c("status", Text), c("category", Text), c("n", Int)],
        primary_key: &["org_id", "status", "category"], large: false,
    },
    TableSpec {
        name: "org_subtree_counts",
        cols: &[fk("org_id", "orgs", false), c("status", Text), c("category", Text), c("n", Int)],
        primary_key: &["org_id", "status", "category"], large: false,
    },
];

pub mod m005_post_tenant;
