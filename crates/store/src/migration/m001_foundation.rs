//! The foundation: organisation tree, members, accounts, sessions, audit log.
//!
//! The table specs below are also what backup/restore walk. When a later migration changes a
//! table, the current-schema list moves to its own module and this one stays frozen.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use super::helpers::{idx, unique, Schema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Id,
    Int,
    Text,
    /// Text ordered byte by byte, whatever the server's collation: materialised paths, and
    /// names searched by prefix range.
    Path,
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    /// Referenced table, for a foreign key to its `id`.
    pub references: Option<&'static str>,
}

pub struct TableSpec {
    pub name: &'static str,
    pub cols: &'static [Col],
    /// Tables without an `id` column name their key columns here.
    pub primary_key: &'static [&'static str],
}

const fn c(name: &'static str, kind: Kind) -> Col {
    Col { name, kind, nullable: false, references: None }
}
const fn n(name: &'static str, kind: Kind) -> Col {
    Col { name, kind, nullable: true, references: None }
}
const fn fk(name: &'static str, table: &'static str, nullable: bool) -> Col {
    Col { name, kind: Kind::Int, nullable, references: Some(table) }
}
const ID: Col = c("id", Kind::Id);

use Kind::*;

pub const TABLES: &[TableSpec] = &[
    TableSpec { name: "meta", cols: &[c("key", Text), c("value", Text)], primary_key: &["key"] },
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
        primary_key: &[],
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
        primary_key: &[],
    },
    TableSpec {
        name: "org_terms",
        cols: &[ID, fk("org_id", "orgs", false), c("started_on", Text), c("ends_on", Text), c("note", Text)],
        primary_key: &[],
    },
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
            c("native_place", Text),
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
        ],
        primary_key: &[],
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
        ],
        primary_key: &[],
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
        ],
        primary_key: &[],
    },
    TableSpec {
        name: "org_member_counts",
        cols: &[fk("org_id", "orgs", false), c("status", Text), c("category", Text), c("n", Int)],
        primary_key: &["org_id", "status", "category"],
    },
    TableSpec {
        name: "org_subtree_counts",
        cols: &[fk("org_id", "orgs", false), c("status", Text), c("category", Text), c("n", Int)],
        primary_key: &["org_id", "status", "category"],
    },
    TableSpec {
        name: "accounts",
        cols: &[
            ID,
            c("username", Text),
            c("username_lc", Text),
            fk("member_id", "members", true),
            c("password_hash", Text),
            c("must_change", Bool),
            c("password_changed_at", Int),
            c("locked", Bool),
            n("locked_until", Int),
            c("failed_count", Int),
            n("failed_since", Int),
            c("created_at", Int),
            n("last_login_at", Int),
            n("totp_enc", Text),
            n("totp_pending_enc", Text),
            n("totp_last_step", Int),
        ],
        primary_key: &[],
    },
    TableSpec {
        name: "role_grants",
        cols: &[
            ID,
            fk("account_id", "accounts", false),
            c("role", Text),
            fk("org_id", "orgs", false),
            n("granted_by", Int),
            c("at", Int),
        ],
        primary_key: &[],
    },
    TableSpec {
        name: "sessions",
        cols: &[
            c("id", Text),
            fk("account_id", "accounts", false),
            c("csrf", Text),
            c("created_at", Int),
            c("last_seen_at", Int),
            c("ip", Text),
        ],
        primary_key: &["id"],
    },
    TableSpec {
        name: "audit_log",
        cols: &[
            ID,
            c("at", Int),
            n("account_id", Int),
            c("username", Text),
            c("ip", Text),
            c("action", Text),
            c("object", Text),
            c("outcome", Text),
            c("detail", Text),
            c("mac", Text),
        ],
        primary_key: &[],
    },
    TableSpec { name: "audit_head", cols: &[c("id", Int), c("last_id", Int), c("mac", Text)], primary_key: &["id"] },
];

fn column(s: &Schema, col: &Col) -> ColumnDef {
    if col.kind == Id {
        return s.id();
    }
    let mut d = match col.kind {
        Path => s.path_column(col.name),
        _ => ColumnDef::new(col.name),
    };
    match col.kind {
        Int => d.big_integer(),
        Text | Path => d.text(),
        Bool => d.boolean(),
        Id => unreachable!(),
    };
    if col.nullable { d.null() } else { d.not_null() };
    d
}

/// Columns of `TABLES` that later migrations add, which this one must not create.
const ADDED_LATER: &[(&str, &str)] = &[("members", "native_place")];

pub fn up(s: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for t in TABLES {
        let mut stmt = Table::create();
        stmt.table(t.name);
        for col in t.cols.iter().filter(|c| !ADDED_LATER.contains(&(t.name, c.name))) {
            stmt.col(column(s, col));
            if let Some(target) = col.references {
                stmt.foreign_key(ForeignKey::create().from(t.name, col.name).to(target, "id"));
            }
        }
        if !t.primary_key.is_empty() {
            let mut pk = sea_orm::sea_query::Index::create();
            for k in t.primary_key {
                pk.col(*k);
            }
            stmt.primary_key(&mut pk);
        }
        out.push(s.table(&stmt));
    }
    // Every uniqueness check is an index; every foreign key has one; every list has one in its order.
    for i in [
        unique("ux_orgs_path", "orgs", &["path"]),
        unique("ux_orgs_code", "orgs", &["code"]),
        idx("ix_orgs_parent", "orgs", &["parent_id", "sort", "id"]),
        idx("ix_orgs_tenant", "orgs", &["tenant_id"]),
        idx("ix_orgs_path_kind", "orgs", &["path", "kind", "active", "id"]),
        idx("ix_org_moves_org", "org_moves", &["org_id"]),
        idx("ix_org_terms_org", "org_terms", &["org_id"]),
        unique("ux_members_id_bidx", "members", &["id_bidx"]),
        unique("ux_members_no", "members", &["member_no"]),
        idx("ix_members_org_name", "members", &["org_id", "name", "id"]),
        idx("ix_members_path_name", "members", &["org_path", "name", "id"]),
        idx("ix_members_tenant_name", "members", &["tenant_id", "name", "id"]),
        idx("ix_members_name", "members", &["name", "org_path"]),
        idx("ix_members_phone", "members", &["phone_bidx"]),
        idx("ix_member_events_member", "member_events", &["member_id"]),
        idx("ix_posts_org", "posts", &["org_id"]),
        idx("ix_posts_member", "posts", &["member_id"]),
        unique("ux_accounts_username", "accounts", &["username_lc"]),
        idx("ix_accounts_member", "accounts", &["member_id"]),
        unique("ux_role_grants", "role_grants", &["account_id", "role", "org_id"]),
        idx("ix_role_grants_org", "role_grants", &["org_id"]),
        idx("ix_sessions_account", "sessions", &["account_id"]),
        idx("ix_audit_at", "audit_log", &["at"]),
    ] {
        out.push(s.index(&i));
    }
    out.extend(s.name_search());
    out.push("INSERT INTO audit_head (id, last_id, mac) VALUES (1, 0, '')".into());
    out
}
