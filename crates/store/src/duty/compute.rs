//! 计算指标 — the scores of computed indicators, from the records, each kept with how it was
//! computed (the counts it used and the obligations that were missed or late), so that a
//! secretary sees exactly why points were lost; and the ranking of an assessment's results.
//!
//! Cheap at city scale (issue 11: 25,000 organisations, 10 computed indicators of 30, a year of
//! records, ranked in under 2 s): obligations come from the obligations engine's in-memory
//! counts of the period (`life::compliance::report`, one evaluation of the subtree, never the
//! meeting tables), attendance from the counts kept on write (one index range of the subtree per
//! rule), and the ranking sums the stored scores in one grouped statement and writes
//! the results back in multi-row upserts.

use std::collections::HashMap;

use dangjian_domain::duty::assessment::competition_ranks;
use dangjian_domain::duty::rule::{share, RuleCode, RuleSpec};
use dangjian_domain::duty::scheme::{Points, Scheme};
use dangjian_domain::life::obligation::{Obligation, ObligationKind, Status};
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::Period;
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use super::report::on_time::ReportLine;
use crate::query::{self, col, record};
use crate::{Ctx, Result, Store, StoreError};

/// 计算依据 — how a computed score was computed: what was counted (`due`), what of it counted
/// for the points (`done`), and the records behind them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Basis {
    pub rule: RuleCode,
    #[serde(default)]
    pub kind: Option<ObligationKind>,
    /// Obligations owed and due by now, or attendance lines.
    pub due: u64,
    /// Of them: met by their due date, or present.
    pub done: u64,
    /// Per meeting kind: owed, on time, late, missed, not yet due.
    #[serde(default)]
    pub kinds: Vec<KindLine>,
    /// Each obligation not met on time: late (with the days) or missed.
    #[serde(default)]
    pub missed: Vec<MissLine>,
    #[serde(default)]
    pub attendance: Option<Attendance>,
    /// The reports owed (`reports_on_time`), each with where it stands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<ReportLine>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct KindLine {
    pub kind: ObligationKind,
    /// 应开: owed and due by now (met, late or missed).
    pub owed: u32,
    /// 按期开展.
    pub on_time: u32,
    /// 逾期补开.
    pub late: u32,
    /// 未开展 by the due date, still missing.
    pub missed: u32,
    /// 尚未到期: owed, not met, its due date still to come — not counted yet.
    pub pending: u32,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MissLine {
    pub kind: ObligationKind,
    pub period: Period,
    pub required: u32,
    pub held: u32,
    pub due_by: Date,
    /// Met this many days after `due_by`; absent: not met.
    #[serde(default)]
    pub late_days: Option<u32>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Attendance {
    /// Meeting records of the period counted.
    pub meetings: u64,
    pub present: u64,
    pub leave: u64,
    pub absent: u64,
}

/// A computed score of one organisation for one indicator.
pub(super) struct Computed {
    pub org_id: i64,
    pub indicator: String,
    pub score: Points,
    pub basis: Basis,
}

/// The organisations assessed: id, path, kind.
pub(super) type Targets<'a> = &'a [(i64, String, OrgKind)];

/// Every computed indicator of `scheme` for every target, from the records of `period` in the
/// subtree of `root` (the assessment's organisation).
pub(super) async fn compute(store: &Store, ctx: &Ctx, root: i64, root_path: &str, period: Period, scheme: &Scheme, targets: Targets<'_>) -> Result<Vec<Computed>> {
    let leaves: Vec<_> = scheme.leaves().into_iter().filter_map(|i| i.rule.map(|r| (i, r))).collect();
    let mut out = Vec::new();
    if leaves.is_empty() {
        return Ok(out);
    }
    let obligations: HashMap<i64, Vec<Obligation>> = if leaves.iter().any(|(_, r)| r.rule == RuleCode::ObligationsOnTime) {
        let (_, items) = crate::life::compliance::report(store, ctx, Some(root), period).await?;
        items.into_iter().map(|c| (c.org_id, c.obligations)).collect()
    } else {
        HashMap::new()
    };
    let mut attendance: HashMap<Option<ObligationKind>, HashMap<i64, Attendance>> = HashMap::new();
    let mut reports: Option<HashMap<i64, Vec<ReportLine>>> = None;
    for (ind, rule) in &leaves {
        match rule.rule {
            RuleCode::AttendanceRate if !attendance.contains_key(&rule.kind) => {
                attendance.insert(rule.kind, attendance_counts(store, root_path, period, rule.kind).await?);
            }
            RuleCode::ReportsOnTime if reports.is_none() => {
                let tree = store.tree().await?;
                let node = tree.get(root).ok_or(StoreError::NotFound)?;
                reports = Some(super::report::on_time::owed(store, &tree, node, period, time::today_cst()).await?);
            }
            // issue 11: inspection letters are built beside this (m019); the rule is computed
            // once their table exists.
            RuleCode::RectificationsClosed => {
                return Err(StoreError::invalid("scheme", "rule_not_available", format!("指标“{} {}”的计算规则“{}”的数据来源（{}）尚未启用，暂不能开始使用该方案的考核", ind.code, ind.name, rule.rule.label(), rule.rule.source())));
            }
            _ => {}
        }
    }
    let none: Vec<Obligation> = Vec::new();
    let no_attendance = Attendance::default();
    for (org_id, _, _) in targets {
        for (ind, rule) in &leaves {
            let (score, basis) = match rule.rule {
                RuleCode::ObligationsOnTime => obligations_score(ind.points, rule, obligations.get(org_id).unwrap_or(&none)),
                RuleCode::ReportsOnTime => reports_score(ind.points, rule, reports.as_ref().and_then(|r| r.get(org_id)).map_or(&[][..], Vec::as_slice)),
                _ => {
                    let a = attendance.get(&rule.kind).and_then(|m| m.get(org_id)).unwrap_or(&no_attendance);
                    attendance_score(ind.points, rule, a)
                }
            };
            out.push(Computed { org_id: *org_id, indicator: ind.code.clone(), score, basis });
        }
    }
    Ok(out)
}

/// Points × obligations met on time ÷ obligations owed and due by now (DOMAIN.md
/// "Organisational life"). One whose due date has not come and is not met yet is not counted: it
/// can still be met on time. Owing nothing of the kind scores full points.
fn obligations_score(points: Points, rule: &RuleSpec, obligations: &[Obligation]) -> (Points, Basis) {
    let mut kinds: Vec<KindLine> = Vec::new();
    let mut missed = Vec::new();
    for o in obligations.iter().filter(|o| o.status != Status::NotOwed && rule.kind.is_none_or(|k| k == o.kind)) {
        let at = match kinds.iter().position(|k| k.kind == o.kind) {
            Some(i) => i,
            None => {
                kinds.push(KindLine { kind: o.kind, owed: 0, on_time: 0, late: 0, missed: 0, pending: 0 });
                kinds.len() - 1
            }
        };
        let line = &mut kinds[at];
        match (o.status, o.late_days) {
            (Status::Done, None) => {
                line.owed += 1;
                line.on_time += 1;
                continue;
            }
            (Status::Done, Some(_)) => line.late += 1,
            (Status::Overdue, _) => line.missed += 1,
            _ => {
                line.pending += 1;
                continue;
            }
        }
        line.owed += 1;
        missed.push(MissLine { kind: o.kind, period: o.period, required: o.required, held: o.held, due_by: o.due_by, late_days: o.late_days });
    }
    let due: u64 = kinds.iter().map(|k| u64::from(k.owed)).sum();
    let done: u64 = kinds.iter().map(|k| u64::from(k.on_time)).sum();
    let basis = Basis { rule: rule.rule, kind: rule.kind, due, done, kinds, missed, attendance: None, reports: Vec::new() };
    (share(points, done, due, points), basis)
}

/// Points × reports submitted by their deadline and accepted ÷ reports owed; owing none scores
/// full points. The basis lists every report owed, so the page shows which did not count and why.
fn reports_score(points: Points, rule: &RuleSpec, owed: &[ReportLine]) -> (Points, Basis) {
    let due = owed.len() as u64;
    let done = owed.iter().filter(|r| r.on_time()).count() as u64;
    let basis = Basis { rule: rule.rule, kind: None, due, done, kinds: Vec::new(), missed: Vec::new(), attendance: None, reports: owed.to_vec() };
    (share(points, done, due, points), basis)
}

/// Points × present ÷ attendance lines; no line in the period scores nothing.
fn attendance_score(points: Points, rule: &RuleSpec, a: &Attendance) -> (Points, Basis) {
    let due = a.present + a.leave + a.absent;
    let basis = Basis { rule: rule.rule, kind: rule.kind, due, done: a.present, kinds: Vec::new(), missed: Vec::new(), attendance: Some(a.clone()), reports: Vec::new() };
    (share(points, a.present, due, Points::ZERO), basis)
}

/// The attendance lines of the live records of each organisation of the subtree in the period
/// (of one kind, or every record once), and the records counted: the counts kept on write
/// (`life::attendance_counts`), one index range of the subtree.
async fn attendance_counts(store: &Store, root_path: &str, period: Period, kind: Option<ObligationKind>) -> Result<HashMap<i64, Attendance>> {
    let kind = kind.map_or(crate::life::attendance_counts::EVERY_KIND, |k| k.code());
    let rows = crate::life::attendance_counts::by_org(&store.db, root_path, kind, &[period]).await?;
    Ok(rows.into_iter().map(|(org, t)| (org, Attendance { meetings: t.meetings, present: t.present, leave: t.leave, absent: t.absent })).collect())
}

/// Writes computed scores (each with its basis), inside the caller's transaction.
pub(super) async fn write_computed<C: ConnectionTrait>(c: &C, tenant: i64, assessment_id: i64, computed: &[Computed]) -> Result<()> {
    let now = time::now_unix();
    let rows = computed
        .iter()
        .map(|x| {
            let row = super::assessment::score_row(tenant, assessment_id, x.org_id, &x.indicator);
            super::assessment::with(row, vec![("score", Value::from(x.score)), ("basis", serde_json::to_string(&x.basis).expect("a basis serialises").into()), ("scored_at", now.into())])
        })
        .collect();
    let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id"), Alias::new("indicator")])
        .update_columns([Alias::new("score"), Alias::new("basis"), Alias::new("scored_at")])
        .to_owned();
    Ok(query::upsert_chunked(c, "assessment_scores", rows, on_conflict).await?)
}

record! {
    struct RankRow from "assessment_targets" as "t" {
        org_id: i64,
        org_path: String,
        org_kind: OrgKind,
    }
}

#[derive(Debug, FromQueryResult)]
struct Total {
    org_id: i64,
    total: Option<i64>,
}

/// 排名: sums each organisation's scores (scored and computed; self-assessments do not count),
/// ranks within each kind of organisation (competition ranking: ties share a rank), and gives each
/// its tier and the tier's outcome; inside the caller's transaction.
pub(super) async fn rerank<C: ConnectionTrait>(c: &C, tenant: i64, assessment_id: i64, scheme: &Scheme) -> Result<()> {
    let sums = Query::select()
        .column((Alias::new("s"), Alias::new("org_id")))
        .expr_as(col("s", "score").sum().cast_as(Alias::new("BIGINT")), Alias::new("total"))
        .from_as(Alias::new("assessment_scores"), Alias::new("s"))
        .and_where(col("s", "assessment_id").eq(assessment_id))
        .group_by_col((Alias::new("s"), Alias::new("org_id")))
        .to_owned();
    let totals: HashMap<i64, Points> = query::fetch::<Total, _>(c, &sums).await?.into_iter().map(|t| (t.org_id, Points(t.total.unwrap_or(0)))).collect();
    let targets: Vec<RankRow> = query::fetch(c, &RankRow::select().and_where(col("t", "assessment_id").eq(assessment_id)).to_owned()).await?;
    let mut by_kind: HashMap<OrgKind, Vec<usize>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        by_kind.entry(t.org_kind).or_default().push(i);
    }
    let mut ranks = vec![0u32; targets.len()];
    for members in by_kind.values() {
        let of_kind: Vec<Points> = members.iter().map(|&i| totals.get(&targets[i].org_id).copied().unwrap_or_default()).collect();
        for (&i, r) in members.iter().zip(competition_ranks(&of_kind)) {
            ranks[i] = r;
        }
    }
    let rows = targets
        .iter()
        .zip(ranks)
        .map(|(t, rank)| {
            let total = totals.get(&t.org_id).copied().unwrap_or_default();
            let tier = scheme.tier_of(total);
            vec![
                ("tenant_id", tenant.into()),
                ("assessment_id", assessment_id.into()),
                ("org_id", t.org_id.into()),
                ("org_path", t.org_path.clone().into()),
                ("org_kind", t.org_kind.into()),
                ("total", total.into()),
                ("rank", i64::from(rank).into()),
                ("tier", tier.name.clone().into()),
                ("outcome", tier.outcome.into()),
            ]
        })
        .collect();
    let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id")])
        .update_columns([Alias::new("total"), Alias::new("rank"), Alias::new("tier"), Alias::new("outcome")])
        .to_owned();
    Ok(query::upsert_chunked(c, "assessment_targets", rows, on_conflict).await?)
}
