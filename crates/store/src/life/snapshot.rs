//! 落实情况快照 — the counts of one period for every organisation, held in memory, so that the
//! compliance of a large subtree (a city's whole tree: 25,000 organisations and a quarter of a
//! million count rows) is an evaluation in memory and not a read of every row per request
//! (issue 10: the whole tree under 200 ms).
//!
//! Every transaction that rewrites an organisation's counts, or changes whether it has a 支部
//! 委员会, marks the organisation in `life_dirty` with the next `life_version` (a `meta` row
//! moved by one atomic statement, so on PostgreSQL the marks commit in version order). A reader
//! reads the version first; when it moved, it reloads only the organisations marked after the
//! version its copy was loaded at. A bulk rebuild (the demo, `gen`, a migration) sets
//! `life_reset`, which drops every copy. Each request looks at the version, so a change is seen
//! at once on every node; the cost of that look is one indexed row.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use dangjian_domain::life::obligation::ObligationKind;
use dangjian_domain::member::Status as MemberStatus;
use dangjian_domain::period::Period;
use sea_orm::sea_query::{Alias, Cond, ExprTrait, OnConflict};
use sea_orm::ConnectionTrait;

use super::counts::{parse_days, GRANULARITIES};
use crate::query::{self, col, record};
use crate::{Result, Store};

const VERSION_KEY: &str = "life_version";
const RESET_KEY: &str = "life_reset";

/// Periods kept in memory at once (this quarter, its months' reports, last quarter, the year).
const KEEP: usize = 4;

/// Beyond this many organisations marked since a copy was loaded, it is loaded again whole.
const CATCH_UP_MAX: usize = 5_000;

/// What the obligations engine reads of one organisation for a period.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgCounts {
    /// (kind, period of the row, days the records were held), for the periods of every
    /// granularity that overlap the period asked.
    pub rows: Vec<(ObligationKind, Period, Vec<NaiveDate>)>,
    /// 正式党员 of the organisation itself (支部条例 art. 20: the 支委会 from 7).
    pub full_members: i64,
}

/// One period's counts for every organisation, as of `version`.
#[derive(Debug, Clone)]
pub(crate) struct PeriodCounts {
    period: Period,
    pub version: i64,
    pub orgs: HashMap<i64, OrgCounts>,
    /// The version this copy was loaded whole at.
    loaded_at: i64,
    /// The organisations each catch-up since then reloaded, with the version it reached (the
    /// latest [`CHANGES_KEPT`]), so that an evaluation of an earlier version redoes only them.
    changes: Vec<(i64, Vec<i64>)>,
}

/// Catch-ups remembered per copy; an evaluation older than these is done again whole.
const CHANGES_KEPT: usize = 256;

impl PeriodCounts {
    /// The organisations whose counts changed after `version`, or `None` when this copy cannot
    /// tell (it was loaded whole since, or the changes are no longer remembered).
    pub fn changed_since(&self, version: i64) -> Option<Vec<i64>> {
        if version < self.loaded_at {
            return None;
        }
        let mut out: Vec<i64> = self.changes.iter().filter(|(v, _)| *v > version).flat_map(|(_, orgs)| orgs.iter().copied()).collect();
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

/// The copies a `Store` and its clones share, most recently used last, and the last evaluation
/// of the whole tree on each (`life::compliance`).
#[derive(Debug, Default)]
pub(crate) struct Snapshots {
    periods: tokio::sync::Mutex<Vec<Arc<PeriodCounts>>>,
    pub evaluated: tokio::sync::Mutex<HashMap<Period, super::compliance::Evaluated>>,
}

record! {
    struct CountRow from "life_counts" as "c" { org_id: i64, kind: String, days: String }
}

record! {
    struct FullRow from "org_member_counts" as "n" { org_id: i64, n: i64 }
}

record! {
    struct MetaRow from "meta" as "meta" { key: String, value: String }
}

record! {
    struct DirtyRow from "life_dirty" as "d" { org_id: i64 }
}

/// The counts of `period` for every organisation, brought up to the database's version.
pub(crate) async fn period_counts(store: &Store, period: Period) -> Result<Arc<PeriodCounts>> {
    let (version, reset) = versions(&store.db).await?;
    let mut held = store.life.periods.lock().await;
    let mine = held.iter().position(|p| p.period == period).map(|i| held.remove(i));
    let fresh = match mine {
        Some(p) if p.version >= version => p,
        Some(mut p) if p.version >= reset => {
            let marked = marked_since(store, p.version).await?;
            if marked.len() > CATCH_UP_MAX {
                Arc::new(load(store, period, version, None).await?)
            } else {
                let reloaded = load(store, period, version, Some(&marked)).await?;
                let copy = Arc::make_mut(&mut p);
                for id in &marked {
                    copy.orgs.remove(id);
                }
                copy.orgs.extend(reloaded.orgs);
                copy.version = version;
                copy.changes.push((version, marked));
                if copy.changes.len() > CHANGES_KEPT {
                    let (forgotten, _) = copy.changes.remove(0);
                    copy.loaded_at = forgotten;
                }
                p
            }
        }
        _ => Arc::new(load(store, period, version, None).await?),
    };
    held.push(fresh.clone());
    if held.len() > KEEP {
        held.remove(0);
    }
    Ok(fresh)
}

/// The counts of a few organisations, read now (a branch's own page: no copy of the tree needed).
pub(crate) async fn counts_of(store: &Store, period: Period, orgs: &[i64]) -> Result<HashMap<i64, OrgCounts>> {
    Ok(load(store, period, 0, Some(orgs)).await?.orgs)
}

async fn versions<C: ConnectionTrait>(c: &C) -> Result<(i64, i64)> {
    let stmt = MetaRow::select().and_where(col("meta", "key").is_in([VERSION_KEY, RESET_KEY])).to_owned();
    let (mut version, mut reset) = (0, 0);
    for r in query::fetch::<MetaRow, _>(c, &stmt).await? {
        let v = r.value.parse().unwrap_or(0);
        if r.key == VERSION_KEY {
            version = v;
        } else {
            reset = v;
        }
    }
    Ok((version, reset))
}

async fn marked_since(store: &Store, version: i64) -> Result<Vec<i64>> {
    let stmt = DirtyRow::select().and_where(col("d", "version").gt(version)).to_owned();
    Ok(query::fetch::<DirtyRow, _>(&store.db, &stmt).await?.into_iter().map(|r| r.org_id).collect())
}

/// Reads the counts of `period` (every organisation, or only `only`) from `life_counts` and
/// `org_member_counts`: one index range per period of each granularity.
async fn load(store: &Store, period: Period, version: i64, only: Option<&[i64]>) -> Result<PeriodCounts> {
    let mut orgs: HashMap<i64, OrgCounts> = HashMap::new();
    let chunks: Vec<Option<&[i64]>> = match only {
        Some(ids) => ids.chunks(500).map(Some).collect(),
        None => vec![None],
    };
    for chunk in chunks {
        for g in GRANULARITIES {
            for p in period.overlapping(g) {
                let mut cond = Cond::all().add(col("c", "period").eq(p.to_string()));
                if let Some(ids) = chunk {
                    cond = cond.add(col("c", "org_id").is_in(ids.iter().copied()));
                }
                for r in query::fetch::<CountRow, _>(&store.db, &CountRow::select().cond_where(cond).to_owned()).await? {
                    // Kinds an installation no longer counts are skipped, never an error.
                    let Some(kind) = ObligationKind::parse(&r.kind) else { continue };
                    orgs.entry(r.org_id).or_default().rows.push((kind, p, parse_days(&r.days)));
                }
            }
        }
        let mut cond = Cond::all().add(col("n", "status").eq(MemberStatus::Full));
        if let Some(ids) = chunk {
            cond = cond.add(col("n", "org_id").is_in(ids.iter().copied()));
        }
        for r in query::fetch::<FullRow, _>(&store.db, &FullRow::select().cond_where(cond).to_owned()).await? {
            orgs.entry(r.org_id).or_default().full_members += r.n;
        }
    }
    Ok(PeriodCounts { period, version, orgs, loaded_at: version, changes: Vec::new() })
}

/// Moves `life_version` on by one and returns it, inside the caller's transaction (which then
/// holds that row until it commits: marks commit in version order).
async fn bump<C: ConnectionTrait>(c: &C) -> Result<i64> {
    let next = col("meta", "value").cast_as(Alias::new("BIGINT")).add(1).cast_as(Alias::new("TEXT"));
    let mut stmt = query::insert("meta", vec![("key", VERSION_KEY.into()), ("value", "1".into())]);
    stmt.on_conflict(OnConflict::column(Alias::new("key")).value(Alias::new("value"), next).to_owned());
    query::execute(c, &stmt).await?;
    Ok(versions(c).await?.0)
}

/// Marks these organisations' counts as changed, inside the transaction that changed them; the
/// last statement of that transaction, so the version row is held for as short as possible.
pub(crate) async fn touch<C: ConnectionTrait>(c: &C, orgs: &[(i64, i64)]) -> Result<()> {
    if orgs.is_empty() {
        return Ok(());
    }
    let version = bump(c).await?;
    let rows = orgs.iter().map(|(org, tenant)| vec![("org_id", (*org).into()), ("tenant_id", (*tenant).into()), ("version", version.into())]).collect();
    let on_conflict = OnConflict::column(Alias::new("org_id")).update_column(Alias::new("version")).to_owned();
    Ok(query::upsert_chunked(c, "life_dirty", rows, on_conflict).await?)
}

/// Drops every copy (after counts were rebuilt in bulk).
pub(crate) async fn reset<C: ConnectionTrait>(c: &C) -> Result<()> {
    let version = bump(c).await?;
    let mut stmt = query::insert("meta", vec![("key", RESET_KEY.into()), ("value", version.to_string().into())]);
    stmt.on_conflict(OnConflict::column(Alias::new("key")).update_column(Alias::new("value")).to_owned());
    Ok(query::execute(c, &stmt).await.map(|_| ())?)
}
