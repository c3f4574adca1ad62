//! 组织生活计数 — what each organisation's records add up to, per kind and period, kept up to
//! date on every write so that compliance never reads the meeting tables (issue 10: "keep per
//! organisation × kind × period counts up to date on write").
//!
//! A record counts on one day (`meeting_kinds.counts_on`): its own day in China, or for a 补开
//! the last day of the period it makes up. Each record is then listed in the four periods that
//! contain that day (month, quarter, half-year, year) as the day it was actually held, so that
//! a rule of any frequency finds its period's records in one row, and a late record stays late.
//! Rows are rebuilt whole for one organisation, kind and year from the index
//! `(org_id, kind, counts_on)`: a write never increments a stale count.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use dangjian_domain::life::obligation::Held;
use dangjian_domain::life::MeetingKind;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, LockType, Order, Query};
use sea_orm::{ConnectionTrait, Value};

use crate::org::Node;
use crate::query::{self, col, record};
use crate::Result;

/// The granularities rules count in (no rule counts weeks).
pub const GRANULARITIES: [PeriodKind; 4] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Half, PeriodKind::Year];

/// The row of `meeting_kinds` for one kind of a record.
pub(crate) fn kind_row(meeting_id: i64, tenant: i64, o: &Node, kind: MeetingKind, starts_at: i64, makes_up: Option<Period>) -> Vec<(&'static str, Value)> {
    vec![
        ("meeting_id", meeting_id.into()),
        ("tenant_id", tenant.into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("kind", kind.into()),
        ("starts_at", starts_at.into()),
        ("counts_on", Date(counts_on(starts_at, makes_up)).into()),
    ]
}

/// The day a record counts on: its own day, or the last day of the period it makes up.
pub fn counts_on(starts_at: i64, makes_up: Option<Period>) -> NaiveDate {
    makes_up.map(|p| p.last_day()).unwrap_or_else(|| time::cst_date(starts_at))
}

record! {
    struct Counted from "meeting_kinds" as "k" {
        tenant_id: i64,
        org_id: i64,
        org_path: String,
        kind: MeetingKind,
        starts_at: i64,
        counts_on: Date,
    }
}

/// The periods of the four granularities in one year.
fn periods_of(year: i32) -> Vec<Period> {
    GRANULARITIES.iter().flat_map(|k| Period::new(PeriodKind::Year, year, 1).map(|y| y.overlapping(*k)).unwrap_or_default()).collect()
}

/// Locks the organisation's row for the rest of the transaction (PostgreSQL; SQLite writes one
/// transaction at a time anyway), so that its counts are rebuilt by one writer at a time.
pub(super) async fn lock<C: ConnectionTrait>(c: &C, org_id: i64) -> Result<()> {
    let stmt = Query::select().column(Alias::new("id")).from(Alias::new("orgs")).and_where(Expr::col(Alias::new("id")).eq(org_id)).lock(LockType::Update).to_owned();
    query::scalar(c, &stmt).await?;
    Ok(())
}

/// Rebuilds the rows of these kinds of one organisation for the years of these days, inside the
/// caller's transaction (which has locked the organisation's row: two records written at once
/// for one organisation are counted one after the other).
pub(super) async fn refresh<C: ConnectionTrait>(c: &C, o: &Node, kinds: &[MeetingKind], days: &[NaiveDate]) -> Result<()> {
    let mut years: Vec<i32> = days.iter().map(|d| d.year()).collect();
    years.sort_unstable();
    years.dedup();
    for kind in kinds {
        for year in &years {
            let (first, last) = (NaiveDate::from_ymd_opt(*year, 1, 1), NaiveDate::from_ymd_opt(*year, 12, 31));
            let (Some(first), Some(last)) = (first, last) else { continue };
            let keys: Vec<String> = periods_of(*year).iter().map(Period::to_string).collect();
            let gone = query::delete("life_counts")
                .and_where(Expr::col("org_id").eq(o.id))
                .and_where(Expr::col("kind").eq(*kind))
                .and_where(Expr::col("period").is_in(keys))
                .to_owned();
            query::execute(c, &gone).await?;
            let cond = Cond::all()
                .add(col("k", "org_id").eq(o.id))
                .add(col("k", "kind").eq(*kind))
                .add(col("k", "counts_on").gte(Date(first)))
                .add(col("k", "counts_on").lte(Date(last)));
            write(c, cond).await?;
        }
    }
    super::snapshot::touch(c, &[(o.id, super::meeting::tenant_of(o))]).await
}

/// Rebuilds the rows of these organisations from their records (bulk loads: the demo, `gen`),
/// and drops every copy of the counts held in memory (`snapshot`).
pub(crate) async fn rebuild_orgs<C: ConnectionTrait>(c: &C, orgs: &[i64]) -> Result<()> {
    for chunk in orgs.chunks(500) {
        query::execute(c, &query::delete("life_counts").and_where(Expr::col(Alias::new("org_id")).is_in(chunk.to_vec())).to_owned()).await?;
        write(c, Cond::all().add(col("k", "org_id").is_in(chunk.to_vec()))).await?;
    }
    super::snapshot::reset(c).await
}

/// Rebuilds every row from the records: the migration that introduced the rows, which runs
/// before any node holds counts in memory, so no copy is dropped (`snapshot`).
pub async fn rebuild_all<C: ConnectionTrait>(c: &C) -> Result<()> {
    query::execute(c, &query::delete("life_counts").to_owned()).await?;
    write(c, Cond::all()).await
}

/// Writes the rows of the records matching `cond`, which must select whole
/// (organisation, kind, year) groups whose rows are gone.
async fn write<C: ConnectionTrait>(c: &C, cond: Cond) -> Result<()> {
    let stmt = Counted::select()
        .cond_where(cond)
        .order_by(("k", "org_id"), Order::Asc)
        .order_by(("k", "kind"), Order::Asc)
        .order_by(("k", "counts_on"), Order::Asc)
        .order_by(("k", "starts_at"), Order::Asc)
        .to_owned();
    let records: Vec<Counted> = query::fetch(c, &stmt).await?;
    // (organisation, kind, period) → (tenant, path, days held).
    type Bucket = (i64, String, Vec<NaiveDate>);
    let mut buckets: BTreeMap<(i64, MeetingKind, Period), Bucket> = BTreeMap::new();
    for r in records {
        let held = time::cst_date(r.starts_at);
        for g in GRANULARITIES {
            if let Some(p) = Period::containing(g, r.counts_on.0) {
                buckets.entry((r.org_id, r.kind, p)).or_insert_with(|| (r.tenant_id, r.org_path.clone(), Vec::new())).2.push(held);
            }
        }
    }
    let rows = buckets.into_iter().map(|((org_id, kind, period), (tenant, path, mut days))| {
        days.sort_unstable();
        vec![
            ("tenant_id", tenant.into()),
            ("org_id", org_id.into()),
            ("org_path", path.into()),
            ("kind", kind.into()),
            ("period", period.to_string().into()),
            ("held", (days.len() as i64).into()),
            ("days", days.iter().map(|d| time::format_date(*d)).collect::<Vec<_>>().join(",").into()),
        ]
    });
    Ok(query::insert_chunked(c, "life_counts", rows.collect()).await?)
}

/// A row's days as the records the obligations engine counts: a day after the period's end is
/// a late record (补开) that counts for this period.
pub fn held_in(period: Period, days: &[NaiveDate]) -> impl Iterator<Item = Held> + '_ {
    days.iter().map(move |&on| Held { on, makes_up: (on > period.last_day()).then_some(period) })
}

/// A row's `days` column: the days its records were held, `YYYY-MM-DD` separated by commas.
pub fn parse_days(days: &str) -> Vec<NaiveDate> {
    days.split(',').filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).collect()
}
