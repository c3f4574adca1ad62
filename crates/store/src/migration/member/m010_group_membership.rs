//! 党小组成员 — a member's place in one 党小组 of their branch: a nullable `members.group_id`
//! (at most one group by construction; the relation, `org_id`, stays with the branch), with the
//! index a group's list and count read in name order.
//!
//! Before this migration a member could be filed directly in a 党小组. Such members move to the
//! group's parent (their branch) and are placed in the group, so that every member's relation is
//! with a branch; their counts move with them (the branch's subtree totals already held them).

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::{idx, Schema};

/// The 党小组 that have a parent, as a subquery.
const GROUPS: &str = "SELECT g.id FROM orgs g WHERE g.kind = 'group' AND g.parent_id IS NOT NULL";

pub fn up(s: &Schema) -> Vec<String> {
    let mut add = Table::alter();
    add.table("members").add_column(ColumnDef::new("group_id").big_integer().null().extra("REFERENCES orgs (id)"));
    vec![
        s.alter(&add),
        s.index(&idx("ix_members_group", "members", &["group_id", "name", "id"])),
        // Only those on the roster sit in a group; members who left keep their history only.
        format!("UPDATE members SET group_id = org_id WHERE org_id IN ({GROUPS}) AND status IN ('full', 'probationary')"),
        // Both SET expressions read the row as it was, so the path is the old group's parent's.
        format!(
            "UPDATE members SET org_path = (SELECT p.path FROM orgs g JOIN orgs p ON p.id = g.parent_id WHERE g.id = members.org_id), \
             org_id = (SELECT g.parent_id FROM orgs g WHERE g.id = members.org_id) WHERE org_id IN ({GROUPS})"
        ),
        // The group's own counts leave its subtree totals and join its parent's own counts.
        format!(
            "UPDATE org_subtree_counts SET n = n - (SELECT c.n FROM org_member_counts c WHERE c.org_id = org_subtree_counts.org_id \
             AND c.status = org_subtree_counts.status AND c.category = org_subtree_counts.category) \
             WHERE org_id IN ({GROUPS}) AND EXISTS (SELECT 1 FROM org_member_counts c WHERE c.org_id = org_subtree_counts.org_id \
             AND c.status = org_subtree_counts.status AND c.category = org_subtree_counts.category)"
        ),
        format!(
            "INSERT INTO org_member_counts (org_id, status, category, n) SELECT g.parent_id, c.status, c.category, c.n \
             FROM org_member_counts c JOIN orgs g ON g.id = c.org_id WHERE c.org_id IN ({GROUPS}) \
             ON CONFLICT (org_id, status, category) DO UPDATE SET n = org_member_counts.n + excluded.n"
        ),
        format!("DELETE FROM org_member_counts WHERE org_id IN ({GROUPS})"),
        format!("DELETE FROM org_subtree_counts WHERE org_id IN ({GROUPS}) AND n = 0"),
    ]
}
