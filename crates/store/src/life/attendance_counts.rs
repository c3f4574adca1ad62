//! 出席计数 — the attendance lines of each organisation's live records per kind and period, kept
//! up to date on every write, so that the computed rule 出席率 and a report's 出席率 read one
//! index range of the subtree instead of grouping the year's attendance lines (issue 11: 25,000
//! organisations, 13.7 M lines a year).
//!
//! A record counts on its own day in China (`starts_at`, never the 补开 day: attendance is
//! about the meeting held) and is listed in the four periods containing that day, as
//! `life_counts` does, so a rule of any length reads one row per organisation. Each record
//! counts under every kind it is recorded as, and once under [`EVERY_KIND`]. Only records with
//! at least one attendance line are counted (`meetings`), as the rule always did. Rows are
//! rebuilt whole for one organisation and year from the indexes `(org_id, starts_at)` and
//! `(org_id, kind, starts_at)`: a write never increments a stale count.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use dangjian_domain::life::meeting::cst_day_start;
use dangjian_domain::life::AttendanceStatus;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::counts::GRANULARITIES;
use crate::org::Node;
use crate::query::{self, col, in_subtree};
use crate::Result;

/// The `kind` of the rows that count every record once, whatever its kinds.
pub const EVERY_KIND: &str = "*";

/// What the attendance lines of some records add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records with at least one attendance line.
    pub meetings: u64,
    pub present: u64,
    pub leave: u64,
    pub absent: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.meetings += o.meetings;
        self.present += o.present;
        self.leave += o.leave;
        self.absent += o.absent;
    }
}

/// A record's attendance, by status.
#[derive(Debug, FromQueryResult)]
struct Lines {
    id: i64,
    tenant_id: i64,
    org_id: i64,
    org_path: String,
    starts_at: i64,
    status: AttendanceStatus,
    n: i64,
}

/// A kind a live record counts as.
#[derive(Debug, FromQueryResult)]
struct KindOf {
    meeting_id: i64,
    kind: String,
}

/// Rebuilds the organisation's rows for the years of these days, inside the caller's
/// transaction (which holds the organisation's lock, `counts::lock`).
pub(super) async fn refresh<C: ConnectionTrait>(c: &C, o: &Node, days: &[NaiveDate]) -> Result<()> {
    let mut years: Vec<i32> = days.iter().map(|d| d.year()).collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        let (Some(first), Some(next)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year + 1, 1, 1)) else { continue };
        let (from, until) = (cst_day_start(first), cst_day_start(next));
        let keys: Vec<String> = Period::new(PeriodKind::Year, year, 1)
            .map(|y| GRANULARITIES.iter().flat_map(|k| y.overlapping(*k)).map(|p| p.to_string()).collect())
            .unwrap_or_default();
        query::execute(c, &query::delete("attendance_counts").and_where(Expr::col("org_id").eq(o.id)).and_where(Expr::col("period").is_in(keys)).to_owned()).await?;
        let meetings = Cond::all().add(col("g", "org_id").eq(o.id)).add(col("g", "starts_at").gte(from)).add(col("g", "starts_at").lt(until));
        let kinds = Cond::all().add(col("k", "org_id").eq(o.id)).add(col("k", "starts_at").gte(from)).add(col("k", "starts_at").lt(until));
        write(c, meetings, kinds).await?;
    }
    Ok(())
}

/// Rebuilds every row of these organisations from their records (bulk loads: the demo, `gen`).
pub(crate) async fn rebuild_orgs<C: ConnectionTrait>(c: &C, orgs: &[i64]) -> Result<()> {
    for chunk in orgs.chunks(200) {
        query::execute(c, &query::delete("attendance_counts").and_where(Expr::col("org_id").is_in(chunk.to_vec())).to_owned()).await?;
        write(c, Cond::all().add(col("g", "org_id").is_in(chunk.to_vec())), Cond::all().add(col("k", "org_id").is_in(chunk.to_vec()))).await?;
    }
    Ok(())
}

/// Rebuilds every row from the records: the migration that introduced the rows. Organisation
/// by organisation in chunks, so memory holds one chunk's records at a time.
pub async fn rebuild_all<C: ConnectionTrait>(c: &C) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let orgs: Vec<Id> = query::fetch(c, &Query::select().column(Alias::new("id")).from(Alias::new("orgs")).to_owned()).await?;
    query::execute(c, &query::delete("attendance_counts").to_owned()).await?;
    for chunk in orgs.chunks(200) {
        let ids: Vec<i64> = chunk.iter().map(|o| o.id).collect();
        write(c, Cond::all().add(col("g", "org_id").is_in(ids.clone())), Cond::all().add(col("k", "org_id").is_in(ids))).await?;
    }
    Ok(())
}

/// Writes the rows of the records matching `meetings` (on `meetings g`) and their kinds
/// matching `kinds` (on `meeting_kinds k`), which must select whole (organisation, year)
/// groups whose rows are gone.
async fn write<C: ConnectionTrait>(c: &C, meetings: Cond, kinds: Cond) -> Result<()> {
    let stmt = Query::select()
        .expr_as(col("g", "id"), Alias::new("id"))
        .expr_as(col("g", "tenant_id"), Alias::new("tenant_id"))
        .expr_as(col("g", "org_id"), Alias::new("org_id"))
        .expr_as(col("g", "org_path"), Alias::new("org_path"))
        .expr_as(col("g", "starts_at"), Alias::new("starts_at"))
        .expr_as(col("a", "status"), Alias::new("status"))
        .expr_as(Expr::col(Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
        .from_as(Alias::new("meetings"), Alias::new("g"))
        .join_as(JoinType::InnerJoin, Alias::new("meeting_attendance"), Alias::new("a"), col("a", "meeting_id").equals((Alias::new("g"), Alias::new("id"))))
        .cond_where(meetings.add(col("g", "deleted_at").is_null()))
        .group_by_columns([(Alias::new("g"), Alias::new("id")), (Alias::new("g"), Alias::new("tenant_id")), (Alias::new("g"), Alias::new("org_id")), (Alias::new("g"), Alias::new("org_path")), (Alias::new("g"), Alias::new("starts_at")), (Alias::new("a"), Alias::new("status"))])
        .to_owned();
    let lines: Vec<Lines> = query::fetch(c, &stmt).await?;
    let stmt = Query::select()
        .expr_as(col("k", "meeting_id"), Alias::new("meeting_id"))
        .expr_as(col("k", "kind"), Alias::new("kind"))
        .from_as(Alias::new("meeting_kinds"), Alias::new("k"))
        .cond_where(kinds)
        .to_owned();
    let mut kinds_of: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for k in query::fetch::<KindOf, _>(c, &stmt).await? {
        kinds_of.entry(k.meeting_id).or_default().push(k.kind);
    }
    // Each record's tally (its lines by status), then added to its kinds' periods.
    let mut records: BTreeMap<i64, (i64, i64, String, i64, Tally)> = BTreeMap::new();
    for l in lines {
        let r = records.entry(l.id).or_insert_with(|| (l.tenant_id, l.org_id, l.org_path.clone(), l.starts_at, Tally { meetings: 1, ..Tally::default() }));
        let n = u64::try_from(l.n).unwrap_or(0);
        match l.status {
            AttendanceStatus::Present => r.4.present += n,
            AttendanceStatus::Leave => r.4.leave += n,
            AttendanceStatus::Absent => r.4.absent += n,
        }
    }
    type Bucket = (i64, String, Tally);
    let mut buckets: BTreeMap<(i64, String, Period), Bucket> = BTreeMap::new();
    for (id, (tenant, org_id, path, starts_at, tally)) in &records {
        let day = time::cst_date(*starts_at);
        let kinds = std::iter::once(EVERY_KIND).chain(kinds_of.get(id).into_iter().flatten().map(String::as_str));
        for kind in kinds {
            for p in GRANULARITIES.iter().filter_map(|g| Period::containing(*g, day)) {
                buckets.entry((*org_id, kind.to_string(), p)).or_insert_with(|| (*tenant, path.clone(), Tally::default())).2.add(tally);
            }
        }
    }
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let rows = buckets
        .into_iter()
        .map(|((org_id, kind, period), (tenant, path, t))| {
            vec![
                ("tenant_id", tenant.into()),
                ("org_id", org_id.into()),
                ("org_path", path.into()),
                ("kind", kind.into()),
                ("period", period.to_string().into()),
                ("meetings", as_i64(t.meetings).into()),
                ("present", as_i64(t.present).into()),
                ("leave", as_i64(t.leave).into()),
                ("absent", as_i64(t.absent).into()),
            ]
        })
        .collect();
    Ok(query::insert_chunked(c, "attendance_counts", rows).await?)
}

/// The rows that make up `period`: the period's own row (a month, quarter, half-year or year),
/// or for a week, which no row holds, nothing (no scheme or schedule is counted in weeks).
fn keys(periods: &[Period]) -> Vec<String> {
    periods.iter().filter(|p| GRANULARITIES.contains(&p.kind())).map(Period::to_string).collect()
}

/// Each organisation's tally in the subtree of `root_path` over `periods` (which must not
/// overlap), for one meeting kind or [`EVERY_KIND`]: one range of the index
/// `(kind, period, org_path)` per period.
pub(crate) async fn by_org<C: ConnectionTrait>(c: &C, root_path: &str, kind: &str, periods: &[Period]) -> Result<BTreeMap<i64, Tally>> {
    #[derive(FromQueryResult)]
    struct Row {
        org_id: i64,
        meetings: i64,
        present: i64,
        leave: i64,
        absent: i64,
    }
    let stmt = Query::select()
        .columns([Alias::new("org_id"), Alias::new("meetings"), Alias::new("present"), Alias::new("leave"), Alias::new("absent")])
        .from_as(Alias::new("attendance_counts"), Alias::new("c"))
        .cond_where(in_subtree(col("c", "org_path"), root_path).add(col("c", "kind").eq(kind)).add(col("c", "period").is_in(keys(periods))))
        .to_owned();
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    for r in query::fetch::<Row, _>(c, &stmt).await? {
        out.entry(r.org_id).or_default().add(&Tally { meetings: n(r.meetings), present: n(r.present), leave: n(r.leave), absent: n(r.absent) });
    }
    Ok(out)
}

/// The subtree's lines of every kind over `periods` (which must not overlap): present and all.
pub(crate) async fn subtree<C: ConnectionTrait>(c: &C, root_path: &str, periods: &[Period]) -> Result<(i64, i64)> {
    #[derive(FromQueryResult)]
    struct Sum {
        present: Option<i64>,
        lines: Option<i64>,
    }
    let stmt = Query::select()
        .expr_as(col("c", "present").sum().cast_as(Alias::new("BIGINT")), Alias::new("present"))
        .expr_as(col("c", "present").add(col("c", "leave")).add(col("c", "absent")).sum().cast_as(Alias::new("BIGINT")), Alias::new("lines"))
        .from_as(Alias::new("attendance_counts"), Alias::new("c"))
        .cond_where(in_subtree(col("c", "org_path"), root_path).add(col("c", "kind").eq(EVERY_KIND)).add(col("c", "period").is_in(keys(periods))))
        .to_owned();
    let sum = query::fetch_one::<Sum, _>(c, &stmt).await?;
    Ok(sum.map_or((0, 0), |s| (s.present.unwrap_or(0), s.lines.unwrap_or(0))))
}
