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

use dangjian_domain::duty::review::Tally;
use dangjian_domain::duty::rule::{share, RuleCode, RuleSpec};
use dangjian_domain::duty::scheme::{Points, Scheme};
use dangjian_domain::life::obligation::{Obligation, ObligationKind, Status};
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::Period;
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, OnConflict};
use sea_orm::{ConnectionTrait, Value};

use super::inspection::{RectificationCount, RectificationLine};
use super::report::on_time::ReportLine;
use crate::query;
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
    /// 函询整改按期完成: each item counted and not closed by its deadline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rectifications: Vec<RectificationLine>,
    /// 述职评议: the closed rounds counted and their summed tally (`review_satisfaction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewBasis>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReviewBasis {
    /// Closed rounds of the organisation's secretary in the period.
    pub rounds: u64,
    pub tally: Tally,
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

impl Basis {
    /// A basis with nothing listed yet.
    fn of(rule: RuleCode, kind: Option<ObligationKind>, due: u64, done: u64) -> Basis {
        Basis { rule, kind, due, done, kinds: Vec::new(), missed: Vec::new(), attendance: None, reports: Vec::new(), review: None, rectifications: Vec::new() }
    }
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
    let mut rectifications: Option<HashMap<i64, RectificationCount>> = None;
    for (_, rule) in &leaves {
        match rule.rule {
            RuleCode::AttendanceRate if !attendance.contains_key(&rule.kind) => {
                attendance.insert(rule.kind, attendance_counts(store, root_path, period, rule.kind).await?);
            }
            RuleCode::ReportsOnTime if reports.is_none() => {
                let tree = store.tree().await?;
                let node = tree.get(root).ok_or(StoreError::NotFound)?;
                reports = Some(super::report::on_time::owed(store, &tree, node, period, time::today_cst()).await?);
            }
            RuleCode::RectificationsClosed if rectifications.is_none() => {
                rectifications = Some(super::inspection::rectification_counts(store, root_path, period, time::today_cst()).await?);
            }
            _ => {}
        }
    }
    let reviews = if leaves.iter().any(|(_, r)| r.rule == RuleCode::ReviewSatisfaction) { super::review::closed_tallies(store, root_path, period).await? } else { HashMap::new() };
    let none: Vec<Obligation> = Vec::new();
    let no_attendance = Attendance::default();
    let no_items = RectificationCount::default();
    for (org_id, _, _) in targets {
        for (ind, rule) in &leaves {
            let (score, basis) = match rule.rule {
                RuleCode::ObligationsOnTime => obligations_score(ind.points, rule, obligations.get(org_id).unwrap_or(&none)),
                RuleCode::RectificationsClosed => rectifications_score(ind.points, rule, rectifications.as_ref().and_then(|m| m.get(org_id)).unwrap_or(&no_items)),
                RuleCode::ReportsOnTime => reports_score(ind.points, rule, reports.as_ref().and_then(|r| r.get(org_id)).map_or(&[][..], Vec::as_slice)),
                RuleCode::ReviewSatisfaction => review_score(ind.points, rule, reviews.get(org_id).copied().unwrap_or_default()),
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
    let basis = Basis { kinds, missed, ..Basis::of(rule.rule, rule.kind, due, done) };
    (share(points, done, due, points), basis)
}

/// Points × reports submitted by their deadline and accepted ÷ reports owed; owing none scores
/// full points. The basis lists every report owed, so the page shows which did not count and why.
fn reports_score(points: Points, rule: &RuleSpec, owed: &[ReportLine]) -> (Points, Basis) {
    let due = owed.len() as u64;
    let done = owed.iter().filter(|r| r.on_time()).count() as u64;
    let basis = Basis { reports: owed.to_vec(), ..Basis::of(rule.rule, None, due, done) };
    (share(points, done, due, points), basis)
}

/// Points × items closed by their deadline ÷ items due (函询整改按期完成); none due scores full
/// points: nothing was left undone.
fn rectifications_score(points: Points, rule: &RuleSpec, c: &RectificationCount) -> (Points, Basis) {
    let basis = Basis { rectifications: c.missed.clone(), ..Basis::of(rule.rule, None, c.due, c.done) };
    (share(points, c.done, c.due, points), basis)
}

/// Points × present ÷ attendance lines; no line in the period scores nothing.
fn attendance_score(points: Points, rule: &RuleSpec, a: &Attendance) -> (Points, Basis) {
    let due = a.present + a.leave + a.absent;
    let basis = Basis { attendance: Some(a.clone()), ..Basis::of(rule.rule, rule.kind, due, a.present) };
    (share(points, a.present, due, Points::ZERO), basis)
}

/// Points × (满意 + 基本满意) ÷ ballots over the organisation's closed 述职评议 rounds of the
/// period; no closed round, or no ballot in one, scores nothing (the basis says which).
fn review_score(points: Points, rule: &RuleSpec, (rounds, tally): (u64, Tally)) -> (Points, Basis) {
    let done = tally.satisfied + tally.basically_satisfied;
    let basis = Basis { review: Some(ReviewBasis { rounds, tally }), ..Basis::of(rule.rule, None, tally.votes(), done) };
    (share(points, done, tally.votes(), Points::ZERO), basis)
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
