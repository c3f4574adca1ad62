//! 党员数统计 — member counts per organisation (`org_member_counts`, its own members) and per
//! subtree (`org_subtree_counts`, itself and everything below), both kept inside the write that
//! changes them. Statistics, children and list totals then read a handful of rows, whatever the
//! size of the subtree: the root of a city is as cheap as a branch.

use std::collections::HashMap;

use dangjian_domain::org as rules;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::dialect::{all, exec, rows_per_statement};
use crate::Result;

/// (organisation, status, category)
type Key = (i64, String, String);

#[derive(FromQueryResult)]
struct Count {
    org_id: i64,
    status: String,
    category: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct PathRow {
    id: i64,
    path: String,
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// Rebuilds the direct counts of `org_ids` from the members table and carries the difference up
/// to every ancestor's subtree totals.
pub(crate) async fn recount<C: ConnectionTrait>(c: &C, org_ids: &[i64]) -> Result<()> {
    let mut ids: Vec<i64> = org_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut delta: HashMap<Key, i64> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = id_list(chunk);
        let select = format!("SELECT org_id, status, category, n FROM org_member_counts WHERE org_id IN ({list})");
        for o in all::<Count, _>(c, &select, vec![]).await? {
            *delta.entry((o.org_id, o.status, o.category)).or_default() -= o.n;
        }
        exec(c, &format!("DELETE FROM org_member_counts WHERE org_id IN ({list})"), vec![]).await?;
        exec(c, &format!(
            "INSERT INTO org_member_counts (org_id, status, category, n) SELECT org_id, status, category, COUNT(*) FROM members WHERE org_id IN ({list}) GROUP BY org_id, status, category"
        ), vec![]).await?;
        for o in all::<Count, _>(c, &select, vec![]).await? {
            *delta.entry((o.org_id, o.status, o.category)).or_default() += o.n;
        }
    }
    delta.retain(|_, d| *d != 0);
    if delta.is_empty() {
        return Ok(());
    }
    let mut changed: Vec<i64> = delta.keys().map(|k| k.0).collect();
    changed.sort_unstable();
    changed.dedup();
    let mut paths = HashMap::with_capacity(changed.len());
    for chunk in changed.chunks(500) {
        for r in all::<PathRow, _>(c, &format!("SELECT id, path FROM orgs WHERE id IN ({})", id_list(chunk)), vec![]).await? {
            paths.insert(r.id, r.path);
        }
    }
    let mut up: HashMap<Key, i64> = HashMap::new();
    for ((org, status, category), d) in delta {
        for ancestor in paths.get(&org).map(|p| rules::path_ids(p)).unwrap_or_default() {
            *up.entry((ancestor, status.clone(), category.clone())).or_default() += d;
        }
    }
    apply(c, up).await
}

/// A move takes the subtree's totals away from the old ancestors and gives them to the new ones
/// (those both share cancel out).
pub(crate) async fn move_subtree<C: ConnectionTrait>(c: &C, org_id: i64, old_path: &str, new_parent_path: &str) -> Result<()> {
    let totals = all::<Count, _>(c, "SELECT org_id, status, category, n FROM org_subtree_counts WHERE org_id = $1", vec![org_id.into()]).await?;
    let old_ancestors: Vec<i64> = rules::path_ids(old_path).into_iter().filter(|a| *a != org_id).collect();
    let mut up: HashMap<Key, i64> = HashMap::new();
    for t in &totals {
        for a in &old_ancestors {
            *up.entry((*a, t.status.clone(), t.category.clone())).or_default() -= t.n;
        }
        for a in rules::path_ids(new_parent_path) {
            *up.entry((a, t.status.clone(), t.category.clone())).or_default() += t.n;
        }
    }
    apply(c, up).await
}

async fn apply<C: ConnectionTrait>(c: &C, up: HashMap<Key, i64>) -> Result<()> {
    let rows: Vec<(Key, i64)> = up.into_iter().filter(|(_, d)| *d != 0).collect();
    for chunk in rows.chunks(rows_per_statement(c.get_database_backend(), 4)) {
        let mut sql = String::from("INSERT INTO org_subtree_counts (org_id, status, category, n) VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, ((org, status, category), d)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            crate::dialect::push_row_placeholders(&mut sql, c.get_database_backend(), i * 4 + 1, 4);
            values.extend([(*org).into(), status.clone().into(), category.clone().into(), (*d).into()]);
        }
        sql.push_str(" ON CONFLICT (org_id, status, category) DO UPDATE SET n = org_subtree_counts.n + excluded.n");
        exec(c, &sql, values).await?;
    }
    Ok(())
}
