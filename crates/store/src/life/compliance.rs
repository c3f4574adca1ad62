//! 落实情况 — each organisation's obligations in a period with their status, computed from the
//! counts kept on write (`life_counts`) and the tree snapshot: never from the meeting tables.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use dangjian_domain::life::obligation::{evaluate, Grace, COMMITTEE_FROM, NotOwedReason, Obligation, OrgFacts, RuleSet, Status};
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;

use super::counts::held_in;
use super::snapshot::{self, OrgCounts};
use super::rules::{self, Rules};
use crate::org::{self, Node, Tree};
use crate::{page_bounds, Ctx, Result, Store, StoreError};

/// The filters of a compliance report.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ComplianceQuery {
    /// The organisation whose subtree is reported; absent: the caller's first scope.
    pub org: Option<i64>,
    /// `2026`, `2026H1`, `2026Q3`, `2026-07` (default: this quarter).
    pub period: Option<String>,
    /// Only organisations with an obligation in this status: `overdue`, `due`, `done`, or
    /// `open` (overdue or due).
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// One organisation's obligations in the period.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgCompliance {
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: OrgKind,
    #[serde(skip)]
    pub org_path: String,
    #[schema(value_type = Vec<Object>)]
    pub obligations: Vec<Obligation>,
    /// Obligations owed (not `not_owed`).
    pub owed: u32,
    /// Owed and met by the due date.
    pub met_on_time: u32,
    /// Owed and met, on time or late.
    pub met: u32,
    pub overdue: u32,
    pub due: u32,
    /// Days late summed over the obligations met late.
    pub late_days: u32,
}

impl OrgCompliance {
    fn of(n: &Node, obligations: Vec<Obligation>) -> OrgCompliance {
        let mut c = OrgCompliance {
            org_id: n.id,
            org_name: n.name.clone(),
            org_kind: n.kind,
            org_path: n.path.clone(),
            obligations,
            owed: 0,
            met_on_time: 0,
            met: 0,
            overdue: 0,
            due: 0,
            late_days: 0,
        };
        c.recount();
        c
    }

    /// The tallies from the obligations (again after a report keeps only some of them).
    pub(super) fn recount(&mut self) {
        let (mut owed, mut met, mut on_time, mut overdue, mut due, mut late) = (0, 0, 0, 0, 0, 0);
        for o in &self.obligations {
            match o.status {
                Status::NotOwed => continue,
                Status::Done => {
                    met += 1;
                    match o.late_days {
                        Some(d) => late += d,
                        None => on_time += 1,
                    }
                }
                Status::Due => due += 1,
                Status::Overdue => overdue += 1,
            }
            owed += 1;
        }
        (self.owed, self.met, self.met_on_time, self.overdue, self.due, self.late_days) = (owed, met, on_time, overdue, due, late);
    }

    /// 按期完成率 in per mille; an organisation that owes nothing has met everything.
    pub fn on_time_permille(&self) -> u32 {
        (self.met_on_time * 1000 + self.owed / 2).checked_div(self.owed).unwrap_or(1000)
    }
    pub fn on_time_text(&self) -> String {
        let p = self.on_time_permille();
        format!("{}.{}%", p / 10, p % 10)
    }
    /// The obligations still to meet or missed, for lists.
    pub fn open(&self) -> impl Iterator<Item = &Obligation> {
        self.obligations.iter().filter(|o| matches!(o.status, Status::Due | Status::Overdue))
    }
    pub fn all_met(&self) -> bool {
        self.owed > 0 && self.met == self.owed
    }
}

/// Totals over every organisation of the subtree that owes something in the period.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub orgs: u64,
    /// Organisations that met every obligation of the period.
    pub orgs_all_met: u64,
    pub obligations: u64,
    pub done: u64,
    pub done_late: u64,
    pub due: u64,
    pub overdue: u64,
    /// Exempt for the period (created during it, dissolved), with the reason on each item.
    pub not_owed: u64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Compliance {
    pub org_id: i64,
    pub org_name: String,
    /// The period reported, e.g. `2026Q3`.
    pub period: String,
    pub items: Vec<OrgCompliance>,
    pub totals: Totals,
    /// Organisations matching the filter.
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

fn facts(n: &Node, full_members: i64) -> OrgFacts {
    OrgFacts {
        kind: n.kind,
        created_on: n.established_on.map(|d| d.0).unwrap_or_else(|| time::cst_date(n.created_at)),
        dissolved_on: n.dissolved_on.map(|d| d.0),
        has_committee: full_members >= COMMITTEE_FROM,
    }
}

/// The period asked, or this quarter.
pub fn parse_period(s: Option<&str>, today: NaiveDate) -> Result<Period> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let p = Period::parse(s)?;
            if p.kind() == PeriodKind::Week {
                // A week holds no rule's period; 周检查 asks for the days ahead instead.
                return Err(StoreError::invalid("period", "invalid_period", format!("期间“{p}”是一周：落实情况按月、季度、半年或年统计")));
            }
            Ok(p)
        }
        None => Ok(Period::containing(PeriodKind::Quarter, today).expect("every day is in a quarter")),
    }
}

/// The last evaluation of the whole tree on one period's counts (`snapshot`): a large
/// subtree's report is a slice of it. Kept while the tree, the rules and the day stay the same;
/// the organisations whose counts were marked since are evaluated again, alone.
#[derive(Debug)]
pub(crate) struct Evaluated {
    key: EvalKey,
    /// The counts' version evaluated.
    version: i64,
    /// One slot per organisation of the tree, in tree order; `None`: owes nothing.
    items: Vec<Option<Arc<OrgCompliance>>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct EvalKey {
    tree: i64,
    today: NaiveDate,
    /// The installation's rule rows (rows are added and removed, never edited).
    rules: Vec<i64>,
    grace: Grace,
}

/// Evaluations kept at once (one per period asked, as the counts are).
const EVALUATIONS_KEPT: usize = 4;

/// One organisation's obligations in the period, or `None` when it owes nothing.
fn evaluate_org(n: &Node, mine: &OrgCounts, set: &RuleSet, period: Period, today: NaiveDate, grace: Grace) -> Option<OrgCompliance> {
    let f = facts(n, mine.full_members);
    let mut obligations = Vec::new();
    for rule in set.rules() {
        if rule.applies_to(&f).is_err() {
            continue;
        }
        let g = rule.frequency.granularity();
        let held: Vec<_> = mine.rows.iter().filter(|(kind, p, _)| *kind == rule.kind && p.kind() == g).flat_map(|(_, p, days)| held_in(*p, days)).collect();
        obligations.extend(evaluate(rule, &f, period, today, grace, &held));
    }
    if obligations.is_empty() {
        return None;
    }
    obligations.sort_by_key(|o| (o.due_by, o.kind));
    Some(OrgCompliance::of(n, obligations))
}

/// The organisations of the subtree of `o` that owe something in the period, in tree order. One
/// organisation reads its own few rows; a larger subtree slices the evaluation of the whole tree
/// on the in-memory counts, brought up to date by the one-row version check.
async fn subtree_items(store: &Store, tree: &Tree, o: &Node, period: Period, today: NaiveDate, rules: &Rules) -> Result<Vec<Arc<OrgCompliance>>> {
    let grace = store.life_grace;
    let range = tree.subtree_range(&o.path);
    if range.len() == 1 {
        let mine = snapshot::counts_of(store, period, &[o.id]).await?.remove(&o.id).unwrap_or_default();
        return Ok(evaluate_org(o, &mine, &rules.for_path(&o.path), period, today, grace).map(Arc::new).into_iter().collect());
    }
    let counts = snapshot::period_counts(store, period).await?;
    let key = EvalKey { tree: tree.version(), today, rules: rules.views().iter().map(|v| v.id).collect(), grace };
    let empty = OrgCounts::default();
    let mut kept = store.life.evaluated.lock().await;
    let mut sets: HashMap<Vec<i64>, RuleSet> = HashMap::new();
    let mut eval = |n: &Node| {
        let set = sets.entry(rules.rows_for(&n.path)).or_insert_with(|| rules.for_path(&n.path));
        evaluate_org(n, counts.orgs.get(&n.id).unwrap_or(&empty), set, period, today, grace).map(Arc::new)
    };
    let again = match kept.get(&period) {
        Some(e) if e.key == key && counts.version <= e.version => Some(Vec::new()),
        Some(e) if e.key == key => counts.changed_since(e.version),
        _ => None,
    };
    match (again, kept.get_mut(&period)) {
        (Some(orgs), Some(e)) => {
            for id in orgs {
                if let (Some(i), Some(n)) = (tree.position(id), tree.get(id)) {
                    e.items[i] = eval(n);
                }
            }
            e.version = e.version.max(counts.version);
        }
        _ => {
            if kept.len() >= EVALUATIONS_KEPT {
                kept.retain(|p, _| *p == period);
            }
            let items = tree.nodes().iter().map(&mut eval).collect();
            kept.insert(period, Evaluated { key, version: counts.version, items });
        }
    }
    Ok(kept[&period].items[range].iter().flatten().cloned().collect())
}

pub(super) fn totals<'a>(items: impl IntoIterator<Item = &'a OrgCompliance>) -> Totals {
    let mut t = Totals::default();
    for c in items {
        if c.owed > 0 {
            t.orgs += 1;
        }
        if c.all_met() {
            t.orgs_all_met += 1;
        }
        t.obligations += u64::from(c.owed);
        t.done += u64::from(c.met);
        t.done_late += u64::from(c.met - c.met_on_time);
        t.due += u64::from(c.due);
        t.overdue += u64::from(c.overdue);
        t.not_owed += c.obligations.iter().filter(|o| o.status == Status::NotOwed && o.not_owed != Some(NotOwedReason::KindNotOwed)).count() as u64;
    }
    t
}

/// The organisation reported on: the one asked for, or the caller's first scope.
async fn subject(store: &Store, ctx: &Ctx, org_id: Option<i64>) -> Result<Node> {
    let id = match org_id {
        Some(id) => id,
        None => {
            let scopes = org::scope_paths(store, ctx, Action::LifeRead).await?;
            scopes.first().and_then(|p| dangjian_domain::org::path_ids(p).last().copied()).ok_or(StoreError::Forbidden)?
        }
    };
    let o = org::node(store, id).await?;
    store.authorize(ctx, Action::LifeRead, Target::org(&o.path), &format!("org:{}", o.id)).await?;
    Ok(o)
}

/// Loads the counts of this quarter and the last into memory (`snapshot`), so that the first
/// report of a large subtree after a start does not pay for it: `serve` calls it once, in the
/// background.
pub async fn warm(store: &Store) -> Result<()> {
    let this = Period::containing(PeriodKind::Quarter, time::today_cst()).expect("every day is in a quarter");
    for p in [Some(this), this.prev()].into_iter().flatten() {
        snapshot::period_counts(store, p).await?;
    }
    Ok(())
}

/// Every organisation of the subtree with its obligations in the period, in tree order.
pub async fn report(store: &Store, ctx: &Ctx, org_id: Option<i64>, period: Period) -> Result<(Node, Vec<OrgCompliance>)> {
    report_on(store, ctx, org_id, period, time::today_cst()).await
}

/// [`report`] as it stands on `today` (the reminders' job, driven by its own clock).
pub async fn report_on(store: &Store, ctx: &Ctx, org_id: Option<i64>, period: Period, today: NaiveDate) -> Result<(Node, Vec<OrgCompliance>)> {
    let (o, items) = shared_report(store, ctx, org_id, period, today).await?;
    Ok((o, items.iter().map(|c| (**c).clone()).collect()))
}

/// [`report_on`] without copying the organisations' items.
async fn shared_report(store: &Store, ctx: &Ctx, org_id: Option<i64>, period: Period, today: NaiveDate) -> Result<(Node, Vec<Arc<OrgCompliance>>)> {
    let o = subject(store, ctx, org_id).await?;
    let tree = store.tree().await?;
    let rules = rules::load(store).await?;
    let items = subtree_items(store, &tree, &o, period, today, &rules).await?;
    Ok((o, items))
}

/// 落实情况 of a subtree for a period: a page of organisations and the totals of all of them.
pub async fn compliance(store: &Store, ctx: &Ctx, q: &ComplianceQuery) -> Result<Compliance> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let period = parse_period(q.period.as_deref(), time::today_cst())?;
    let want: Option<&[Status]> = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some(&[Status::Due, Status::Overdue]),
        Some("overdue") => Some(&[Status::Overdue]),
        Some("due") => Some(&[Status::Due]),
        Some("done") => Some(&[Status::Done]),
        Some(s) => {
            return Err(StoreError::invalid("status", "invalid_status", format!("状态“{}”无法识别，应为 open、overdue、due 或 done", s.chars().take(20).collect::<String>())));
        }
    };
    let (o, items) = shared_report(store, ctx, q.org, period, time::today_cst()).await?;
    let t = totals(items.iter().map(|c| &**c));
    let matching: Vec<&OrgCompliance> = match want {
        None => items.iter().map(|c| &**c).collect(),
        Some(w) => items.iter().map(|c| &**c).filter(|c| c.obligations.iter().any(|o| w.contains(&o.status))).collect(),
    };
    let total = matching.len() as u64;
    let items = matching.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).cloned().collect();
    Ok(Compliance { org_id: o.id, org_name: o.name, period: period.to_string(), items, totals: t, total, page, per_page })
}
