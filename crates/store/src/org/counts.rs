//! 党员数统计 — member counts per organisation (`org_member_counts`, its own members) and per
//! subtree (`org_subtree_counts`, itself and everything below), both kept inside the write that
//! changes them. Statistics, children and list totals then read a handful of rows, whatever the
//! size of the subtree: the root of a city is as cheap as a branch.

use std::collections::HashMap;

use dangjian_domain::life::obligation::COMMITTEE_FROM;
use dangjian_domain::member::Status as MemberStatus;
use dangjian_domain::org as rules;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, OnConflict, Query};
use sea_orm::ConnectionTrait;

use crate::dialect::rows_per_statement;
use crate::query::{self, col, record};
use crate::Result;

/// (organisation, status, category)
type Key = (i64, String, String);

record! {
    struct Direct from "org_member_counts" as "c" { org_id: i64, status: String, category: String, n: i64 }
}

record! {
    struct Subtree from "org_subtree_counts" as "c" { status: String, category: String, n: i64 }
}

record! {
    struct PathRow from "orgs" as "o" { id: i64, tenant_id: Option<i64>, path: String }
}

fn cols(names: &[&'static str]) -> Vec<Alias> {
    names.iter().map(|n| Alias::new(*n)).collect()
}

/// Rebuilds the direct counts of `org_ids` from the members table and carries the difference up
/// to every ancestor's subtree totals.
pub(crate) async fn recount<C: ConnectionTrait>(c: &C, org_ids: &[i64]) -> Result<()> {
    let mut ids: Vec<i64> = org_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut delta: HashMap<Key, i64> = HashMap::new();
    // Full members before and after, per organisation: whether it has a 支委会 may change.
    let mut full: HashMap<i64, (i64, i64)> = HashMap::new();
    let is_full = |status: &str| status == MemberStatus::Full.code();
    for chunk in ids.chunks(500) {
        let select = Direct::select().and_where(col("c", "org_id").is_in(chunk.iter().copied())).to_owned();
        for o in query::fetch::<Direct, _>(c, &select).await? {
            if is_full(&o.status) {
                full.entry(o.org_id).or_default().0 += o.n;
            }
            *delta.entry((o.org_id, o.status, o.category)).or_default() -= o.n;
        }
        let in_chunk = || Expr::col(Alias::new("org_id")).is_in(chunk.iter().copied());
        query::execute(c, &query::delete("org_member_counts").and_where(in_chunk()).to_owned()).await?;
        let counted = Query::select()
            .columns(cols(&["org_id", "status", "category"]))
            .expr(Expr::col(Asterisk).count())
            .from(Alias::new("members"))
            .and_where(in_chunk())
            .group_by_columns(cols(&["org_id", "status", "category"]))
            .to_owned();
        let mut fill = Query::insert();
        fill.into_table(Alias::new("org_member_counts")).columns(cols(&["org_id", "status", "category", "n"]));
        fill.select_from(counted).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        query::execute(c, &fill).await?;
        for o in query::fetch::<Direct, _>(c, &select).await? {
            if is_full(&o.status) {
                full.entry(o.org_id).or_default().1 += o.n;
            }
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
        let stmt = PathRow::select().and_where(col("o", "id").is_in(chunk.iter().copied())).to_owned();
        for r in query::fetch::<PathRow, _>(c, &stmt).await? {
            paths.insert(r.id, (r.path, r.tenant_id.unwrap_or(r.id)));
        }
    }
    let flipped: Vec<(i64, i64)> = full
        .iter()
        .filter(|(_, (before, after))| (*before >= COMMITTEE_FROM) != (*after >= COMMITTEE_FROM))
        .filter_map(|(org, _)| paths.get(org).map(|(_, tenant)| (*org, *tenant)))
        .collect();
    crate::life::snapshot::touch(c, &flipped).await?;
    let mut up: HashMap<Key, i64> = HashMap::new();
    for ((org, status, category), d) in delta {
        for ancestor in paths.get(&org).map(|(p, _)| rules::path_ids(p)).unwrap_or_default() {
            *up.entry((ancestor, status.clone(), category.clone())).or_default() += d;
        }
    }
    apply(c, up).await
}

/// A move takes the subtree's totals away from the old ancestors and gives them to the new ones
/// (those both share cancel out).
pub(crate) async fn move_subtree<C: ConnectionTrait>(c: &C, org_id: i64, old_path: &str, new_parent_path: &str) -> Result<()> {
    let totals = query::fetch::<Subtree, _>(c, &Subtree::select().and_where(col("c", "org_id").eq(org_id)).to_owned()).await?;
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

/// Adds the differences to the subtree totals: one multi-row upsert per chunk.
async fn apply<C: ConnectionTrait>(c: &C, up: HashMap<Key, i64>) -> Result<()> {
    let rows: Vec<(Key, i64)> = up.into_iter().filter(|(_, d)| *d != 0).collect();
    let add = col("org_subtree_counts", "n").add(col("excluded", "n"));
    for chunk in rows.chunks(rows_per_statement(c.get_database_backend(), 4)) {
        let mut stmt = Query::insert();
        stmt.into_table(Alias::new("org_subtree_counts")).columns(cols(&["org_id", "status", "category", "n"]));
        for ((org, status, category), d) in chunk {
            stmt.values_panic([(*org).into(), status.clone().into(), category.clone().into(), (*d).into()]);
        }
        stmt.on_conflict(OnConflict::columns(cols(&["org_id", "status", "category"])).value(Alias::new("n"), add.clone()).to_owned());
        query::execute(c, &stmt).await?;
    }
    Ok(())
}
