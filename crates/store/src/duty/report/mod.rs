//! 党建工作定期汇报 — reports upward (seed 004's 《党建工作定期汇报制度》). A superior defines a
//! schedule (`report_schedules`); each organisation of its subtree that reports upward
//! ([`reports_upward`]) opens one submission (`report_submissions`, one per schedule and
//! organisation), writes its own words in the required sections, and submits; the organisation
//! directly above reviews it. Every transition is a row of `report_steps`, a submission with
//! the content submitted each time, so a returned report's first version is kept.
//!
//! Records, not re-entry (DESIGN.md): the figures are taken from the records — meetings owed,
//! held and missed by kind from the obligations engine (`life::compliance::report`), attendance
//! from the attendance lists, members by status from the counts kept on write
//! (`org_subtree_counts`), changes from members' history, and for a superior the state of its
//! branches' reports with the text of those accepted — each with its source. They are retaken
//! whenever a draft is saved and at submission, and a submitted report keeps them as they were.

use chrono::NaiveDate;
use dangjian_domain::duty::report::{
    reports_upward, BranchTally, FigureSet, ScheduleInput, Section, State, Step,
};
use dangjian_domain::org::{path_ids, OrgKind};
use dangjian_domain::period::Period;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, Order, Query};
use serde_json::json;

pub mod attachment;
mod figures;
pub mod on_time;
mod submission;

pub use submission::{get, open, review, save, submit};
pub(crate) use submission::{open_at, review_at, submit_at};

use crate::org::{self, Node, Tree};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    struct ScheduleRow from "report_schedules" as "s" {
        id: i64,
        org_id: i64,
        org_path: String,
        scope_org_id: i64,
        title: String,
        period: Period,
        deadline: Date,
        sections: String,
        attachments_required: bool,
        note: String,
        created_at: i64,
    }
}

/// 汇报安排 — a report a superior asks of the organisations of a subtree.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Schedule {
    pub id: i64,
    /// The organisation that defined it (and to which its subtree reports).
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    /// 报送范围: the organisation whose subtree reports.
    pub scope_org_id: i64,
    pub scope_name: String,
    #[serde(skip)]
    pub scope_path: String,
    pub title: String,
    /// 汇报期间, e.g. `2026Q4`.
    pub period: Period,
    /// 报送期限 (China Standard Time: the whole day is in time).
    pub deadline: Date,
    /// 必备部分.
    pub sections: Vec<String>,
    /// 须附材料.
    pub attachments_required: bool,
    pub note: String,
    pub created_at: i64,
}

record! {
    struct SubmissionRow from "report_submissions" as "r" {
        id: i64,
        tenant_id: i64,
        schedule_id: i64,
        org_id: i64,
        org_path: String,
        state: State,
        sections: String,
        figures: String,
        late: bool,
        submitted_at: Option<i64>,
        reviewed_at: Option<i64>,
        review_comments: String,
    }
}

record! {
    /// 办理记录 — one transition of a submission: who moved it from which state to which, when,
    /// with the reviewer's comments.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct HistoryStep from "report_steps" as "h" {
        pub id: i64,
        pub step: Step,
        pub from_state: Option<State>,
        pub to_state: State,
        pub comments: String,
        /// The account (0: the operator at the command line).
        pub by_account: i64,
        pub by_name: Option<String> = a.username,
        pub at: i64,
    }
}

impl HistoryStep {
    pub fn at_text(&self) -> String {
        time::format_unix_cst(self.at).get(..16).unwrap_or_default().to_string()
    }
    pub fn by_text(&self) -> String {
        self.by_name.clone().unwrap_or_else(|| "系统".into())
    }
}

/// 汇报 — one organisation's submission for a schedule, with its figures and history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    pub schedule_id: i64,
    pub schedule_title: String,
    pub period: Period,
    pub deadline: Date,
    pub attachments_required: bool,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    /// `draft` 草稿, `submitted` 已报送, `returned` 已退回, `accepted` 已通过, `accepted_late` 逾期通过.
    pub state: State,
    /// The organisation's own words, one per required section.
    pub sections: Vec<Section>,
    /// The figures with their sources: live while a draft, as submitted afterwards.
    pub figures: FigureSet,
    /// First submitted after the deadline.
    pub late: bool,
    /// Days after the deadline of the first submission (0 in time or not yet submitted).
    pub late_days: i64,
    pub submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    /// The last review's comments (退回意见).
    pub review_comments: String,
    pub history: Vec<HistoryStep>,
    /// 附件, frozen with the report once submitted.
    pub attachments: Vec<attachment::ReportFile>,
    /// The caller may write and submit it now.
    pub may_edit: bool,
    /// The caller may review it now (the organisation directly above, once submitted).
    pub may_review: bool,
}

impl Report {
    pub fn submitted_text(&self) -> String {
        self.submitted_at.map(|t| time::format_unix_cst(t).get(..16).unwrap_or_default().to_string()).unwrap_or_default()
    }
}

/// One organisation expected to report, with where its report stands.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StatusRow {
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: OrgKind,
    /// The organisation its report goes to.
    pub parent_name: String,
    pub submission_id: Option<i64>,
    /// None: not opened.
    pub state: Option<State>,
    pub late: bool,
    pub submitted_at: Option<i64>,
}

impl StatusRow {
    pub fn state_text(&self) -> &'static str {
        self.state.map(|s| if s == State::Draft { "未报送（草稿）" } else { s.label() }).unwrap_or("未报送")
    }
    pub fn submitted_text(&self) -> String {
        self.submitted_at.map(|t| time::format_unix_cst(t).get(..16).unwrap_or_default().to_string()).unwrap_or_default()
    }
}

/// Who has and has not submitted for a schedule: a list, not a question.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ScheduleStatus {
    pub schedule: Schedule,
    /// Over every organisation the caller may see, whatever the filter.
    pub tally: BranchTally,
    /// The filter applied: `missing`, `late`, `returned`, `submitted`, `accepted`, or empty.
    pub show: String,
    pub rows: Vec<StatusRow>,
}

/// A schedule an organisation still has to report for (the secretary's home page).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Due {
    pub schedule_id: i64,
    pub title: String,
    pub period: Period,
    pub deadline: Date,
    pub org_id: i64,
    pub org_name: String,
    pub submission_id: Option<i64>,
    pub state: Option<State>,
}

impl Due {
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.deadline.0 - today).num_days()
    }
    pub fn state_text(&self) -> &'static str {
        self.state.map(|s| s.label()).unwrap_or("未起草")
    }
}

/// An organisation's schedules: those it defined and those it reports for.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Schedules {
    pub org_id: i64,
    pub org_name: String,
    pub defined: Vec<Schedule>,
    pub reporting: Vec<Due>,
}

fn schedule_object(id: i64) -> String {
    format!("report_schedule:{id}")
}

fn object(id: i64) -> String {
    format!("report:{id}")
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("汇报数据无法读取：{e}"))))
}

fn schedule_of(r: ScheduleRow, tree: &Tree) -> Result<Schedule> {
    let name = |id: i64| tree.get(id).map(|n| n.name.clone()).unwrap_or_default();
    let scope_path = tree.get(r.scope_org_id).map(|n| n.path.clone()).unwrap_or_default();
    Ok(Schedule {
        id: r.id,
        org_id: r.org_id,
        org_name: name(r.org_id),
        org_path: r.org_path,
        scope_org_id: r.scope_org_id,
        scope_name: name(r.scope_org_id),
        scope_path,
        title: r.title,
        period: r.period,
        deadline: r.deadline,
        sections: from_json(&r.sections)?,
        attachments_required: r.attachments_required,
        note: r.note,
        created_at: r.created_at,
    })
}

async fn load_schedule(store: &Store, id: i64) -> Result<Schedule> {
    let row = query::fetch_one::<ScheduleRow, _>(&store.db, &ScheduleRow::select().and_where(col("s", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    schedule_of(row, &*store.tree().await?)
}

/// The organisations that report under a schedule: the active ones of its scope that report
/// upward, the defining organisation itself excepted, in tree order.
pub fn submitters<'t>(tree: &'t Tree, s: &Schedule) -> Vec<&'t Node> {
    tree.subtree(&s.scope_path).iter().filter(|n| n.active && n.id != s.org_id && reports_upward(n.kind)).collect()
}

fn allowed(ctx: &Ctx, action: Action, path: &str) -> bool {
    ctx.actor.decide(action, Target::org(path)) == Decision::Allow
}

/// A schedule is seen by whoever may read the organisation that defined it, and by those who
/// report under it (any scope of theirs inside its subtree); others are told it does not exist.
async fn visible_schedule(store: &Store, ctx: &Ctx, id: i64) -> Result<Schedule> {
    let s = load_schedule(store, id).await?;
    let reports_under = ctx.actor.scopes(Action::DutyRead).iter().any(|p| p.starts_with(s.scope_path.as_str()));
    if !(allowed(ctx, Action::DutyRead, &s.org_path) || reports_under) {
        store.authorize(ctx, Action::DutyRead, Target::org(&s.org_path), &schedule_object(id)).await?;
    }
    Ok(s)
}

/// 新建汇报安排: defined by a superior (DutyWrite on it) for a subtree of its own.
pub async fn create_schedule(store: &Store, ctx: &Ctx, org_id: i64, input: &ScheduleInput) -> Result<Schedule> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let valid = input.validate();
    let mut errors = valid.as_ref().err().cloned().unwrap_or_default();
    let tree = store.tree().await?;
    let scope = match input.scope_org_id {
        None => Some(o.clone()),
        Some(id) => match tree.get(id) {
            Some(n) if n.path.starts_with(&o.path) && n.active => Some(n.clone()),
            _ => {
                errors.push(dangjian_domain::Invalid::new("scope_org_id", "outside", format!("报送范围应为“{}”或其下级党组织", o.name)));
                None
            }
        },
    };
    if !o.active {
        errors.push(dangjian_domain::Invalid::new("org_id", "org_inactive", format!("“{}”已撤销，不能布置汇报", o.name)));
    }
    if let Some(sc) = &scope {
        let none = tree.subtree(&sc.path).iter().all(|n| !(n.active && n.id != o.id && reports_upward(n.kind)));
        if none {
            errors.push(dangjian_domain::Invalid::new("scope_org_id", "no_submitters", format!("“{}”范围内没有需要报送汇报的党组织（党委、机关党委、党总支、党支部）", sc.name)));
        }
    }
    let (v, scope) = match (valid, scope) {
        (Ok(v), Some(scope)) if errors.is_empty() => (v, scope),
        _ => return Err(StoreError::Invalid(errors)),
    };
    let txn = store.write().await?;
    let row = query::insert("report_schedules", vec![
        ("tenant_id", o.tenant_id.unwrap_or(o.id).into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("scope_org_id", scope.id.into()),
        ("title", v.title.clone().into()),
        ("period", v.period.into()),
        ("deadline", v.deadline.into()),
        ("sections", to_json(&v.sections)?.into()),
        ("attachments_required", v.attachments_required.into()),
        ("note", v.note.clone().into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", time::now_unix().into()),
    ]);
    let id = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "report_schedule.create", &schedule_object(id), "ok", json!({"org_id": o.id, "scope_org_id": scope.id, "title": v.title, "period": v.period, "deadline": v.deadline, "sections": v.sections, "attachments_required": v.attachments_required})).await?;
    txn.commit().await?;
    load_schedule(store, id).await
}

pub async fn schedule(store: &Store, ctx: &Ctx, id: i64) -> Result<Schedule> {
    visible_schedule(store, ctx, id).await
}

/// An organisation's schedules: those it defined, newest period first, and those it reports
/// for with where its report stands.
pub async fn schedules(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Schedules> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let tree = store.tree().await?;
    let stmt = ScheduleRow::select()
        .and_where(col("s", "org_id").eq(o.id))
        .order_by((Alias::new("s"), Alias::new("period")), Order::Desc)
        .order_by((Alias::new("s"), Alias::new("id")), Order::Desc)
        .limit(100)
        .to_owned();
    let defined = query::fetch::<ScheduleRow, _>(&store.db, &stmt).await?.into_iter().map(|r| schedule_of(r, &tree)).collect::<Result<Vec<_>>>()?;
    let reporting = due_for(store, &tree, &o, false).await?;
    Ok(Schedules { org_id: o.id, org_name: o.name, defined, reporting })
}

/// The schedules `o` reports for (the most recent first), with its submission if any; with
/// `open_only`, only those whose report is not in (none, a draft, or returned).
async fn due_for(store: &Store, tree: &Tree, o: &Node, open_only: bool) -> Result<Vec<Due>> {
    if !(o.active && reports_upward(o.kind)) {
        return Ok(Vec::new());
    }
    // Schedules whose scope is this organisation or one above it (one index range each).
    let stmt = ScheduleRow::select()
        .and_where(col("s", "scope_org_id").is_in(path_ids(&o.path)))
        .and_where(col("s", "org_id").ne(o.id))
        .order_by((Alias::new("s"), Alias::new("deadline")), Order::Desc)
        .limit(20)
        .to_owned();
    let rows: Vec<ScheduleRow> = query::fetch(&store.db, &stmt).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    record! {
        struct Mine from "report_submissions" as "r" { id: i64, schedule_id: i64, state: State }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mine: Vec<Mine> = query::fetch(&store.db, &Mine::select().and_where(col("r", "org_id").eq(o.id)).and_where(col("r", "schedule_id").is_in(ids)).to_owned()).await?;
    let mut out = Vec::new();
    for r in rows {
        let s = schedule_of(r, tree)?;
        let sub = mine.iter().find(|m| m.schedule_id == s.id);
        let state = sub.map(|m| m.state);
        if open_only && state.is_some_and(|s| s.is_in()) {
            continue;
        }
        out.push(Due { schedule_id: s.id, title: s.title, period: s.period, deadline: s.deadline, org_id: o.id, org_name: o.name.clone(), submission_id: sub.map(|m| m.id), state });
    }
    Ok(out)
}

/// 待报送的汇报 of an organisation: what its secretary's home page links to.
pub async fn due(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Vec<Due>> {
    let o = org::node(store, org_id).await?;
    if !allowed(ctx, Action::DutyWrite, &o.path) {
        return Ok(Vec::new());
    }
    let tree = store.tree().await?;
    due_for(store, &tree, &o, true).await
}

/// 报送情况 of a schedule: every organisation expected to report that the caller may see, with
/// its state; `show` narrows it to `missing` (nothing in), `late`, `returned`, `submitted`
/// (awaiting review) or `accepted`. The late and returned lists are one range of their index
/// each (`ix_report_submissions_late`, `ix_report_submissions_state`); the tally is one grouped
/// count over the caller's scopes; "missing" is the expected organisations less the rows in.
pub async fn status(store: &Store, ctx: &Ctx, schedule_id: i64, show: Option<&str>) -> Result<ScheduleStatus> {
    let s = visible_schedule(store, ctx, schedule_id).await?;
    let show = show.map(str::trim).unwrap_or("").to_string();
    let mut cond = Cond::all().add(col("r", "schedule_id").eq(s.id));
    match show.as_str() {
        "" | "missing" => {}
        "late" => cond = cond.add(col("r", "late").eq(true)),
        "returned" => cond = cond.add(col("r", "state").eq(State::Returned)),
        "submitted" => cond = cond.add(col("r", "state").eq(State::Submitted)),
        "accepted" => cond = cond.add(col("r", "state").is_in([State::Accepted, State::AcceptedLate])),
        _ => return Err(StoreError::invalid("show", "invalid_filter", "筛选应为 missing（未报送）、late（逾期）、returned（退回）、submitted（待审核）或 accepted（已通过）")),
    }
    // What the caller may see of the schedule's subtree: everything for the operator.
    let scopes: Vec<String> = if ctx.actor.system { vec![s.scope_path.clone()] } else { ctx.actor.scopes(Action::DutyRead).into_iter().map(String::from).collect() };
    let visible = || query::in_scopes(col("r", "org_path"), &scopes);
    let tree = store.tree().await?;
    record! {
        struct Row from "report_submissions" as "r" { id: i64, org_id: i64, state: State, late: bool, submitted_at: Option<i64> }
    }
    let rows: Vec<Row> = query::fetch(&store.db, &Row::select().cond_where(cond.add(visible())).to_owned()).await?;
    #[derive(sea_orm::FromQueryResult)]
    struct Counted {
        state: State,
        late: bool,
        n: i64,
    }
    let counted: Vec<Counted> = query::fetch(
        &store.db,
        &Query::select()
            .column((Alias::new("r"), Alias::new("state")))
            .column((Alias::new("r"), Alias::new("late")))
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from_as(Alias::new("report_submissions"), Alias::new("r"))
            .cond_where(Cond::all().add(col("r", "schedule_id").eq(s.id)).add(visible()))
            .group_by_col((Alias::new("r"), Alias::new("state")))
            .group_by_col((Alias::new("r"), Alias::new("late")))
            .to_owned(),
    )
    .await?;
    let expected: Vec<&Node> = submitters(&tree, &s).into_iter().filter(|n| scopes.iter().any(|p| n.path.starts_with(p.as_str()))).collect();
    let tally = BranchTally::from_counts(expected.len() as i64, &counted.iter().map(|c| (c.state, c.late, c.n)).collect::<Vec<_>>());
    let row_of = |id: i64| rows.iter().find(|r| r.org_id == id);
    let status_row = |n: &Node, r: Option<&Row>| StatusRow {
        org_id: n.id,
        org_name: n.name.clone(),
        org_kind: n.kind,
        parent_name: n.parent_id.and_then(|p| tree.get(p)).map(|p| p.name.clone()).unwrap_or_default(),
        submission_id: r.map(|r| r.id),
        state: r.map(|r| r.state),
        late: r.is_some_and(|r| r.late),
        submitted_at: r.and_then(|r| r.submitted_at),
    };
    let rows: Vec<StatusRow> = match show.as_str() {
        // Nothing in: no row, or a draft.
        "missing" => expected.iter().filter(|n| row_of(n.id).is_none_or(|r| r.state == State::Draft)).map(|n| status_row(n, row_of(n.id))).collect(),
        "" => expected.iter().map(|n| status_row(n, row_of(n.id))).collect(),
        // A filtered list: the rows the index found, in tree order.
        _ => expected.iter().filter_map(|n| row_of(n.id).map(|r| status_row(n, Some(r)))).collect(),
    };
    Ok(ScheduleStatus { schedule: s, tally, show, rows })
}
