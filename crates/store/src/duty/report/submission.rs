//! One organisation's report for a schedule: opening it, writing its sections, submitting and
//! the review above it, each transition kept as a step with the content submitted.

use dangjian_domain::duty::report::{self as rules, FigureSet, Section, State, Step};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, ExprTrait, JoinType, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::figures::take_figures;
use super::{allowed, from_json, load_schedule, object, submitters, to_json, visible_schedule, HistoryStep, Report, SubmissionRow};
use crate::org::{self, Tree};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

pub(super) async fn submission<C: ConnectionTrait>(c: &C, id: i64) -> Result<SubmissionRow> {
    query::fetch_one(c, &SubmissionRow::select().and_where(col("r", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

async fn history<C: ConnectionTrait>(c: &C, id: i64) -> Result<Vec<HistoryStep>> {
    let stmt = HistoryStep::select()
        .join_as(JoinType::LeftJoin, Alias::new("accounts"), Alias::new("a"), col("a", "id").equals((Alias::new("h"), Alias::new("by_account"))))
        .and_where(col("h", "submission_id").eq(id))
        .order_by((Alias::new("h"), Alias::new("id")), Order::Asc)
        .to_owned();
    Ok(query::fetch(c, &stmt).await?)
}

/// The path of the organisation a submission goes to: its parent.
fn reviewer_path(tree: &Tree, org_id: i64) -> Option<String> {
    tree.get(org_id).and_then(|n| n.parent_id).and_then(|p| tree.get(p)).map(|p| p.path.clone())
}

async fn view(store: &Store, ctx: &Ctx, r: SubmissionRow) -> Result<Report> {
    let s = load_schedule(store, r.schedule_id).await?;
    let tree = store.tree().await?;
    let o = tree.get(r.org_id).cloned().ok_or(StoreError::NotFound)?;
    let figures: FigureSet = if r.state.editable() { take_figures(store, ctx, &s, &o, &tree).await? } else { from_json(&r.figures)? };
    let may_review = r.state == State::Submitted && reviewer_path(&tree, o.id).is_some_and(|p| allowed(ctx, Action::DutyWrite, &p));
    Ok(Report {
        id: r.id,
        schedule_id: s.id,
        schedule_title: s.title.clone(),
        period: s.period,
        deadline: s.deadline,
        attachments_required: s.attachments_required,
        org_id: o.id,
        org_name: o.name.clone(),
        org_path: o.path.clone(),
        state: r.state,
        sections: from_json(&r.sections)?,
        figures,
        late: r.late,
        late_days: if r.late { r.submitted_at.map(|t| rules::late_days(t, s.deadline.0)).unwrap_or(0) } else { 0 },
        submitted_at: r.submitted_at,
        reviewed_at: r.reviewed_at,
        review_comments: r.review_comments,
        history: history(&store.db, r.id).await?,
        attachments: super::attachment::of(&store.db, r.id).await?,
        may_edit: r.state.editable() && allowed(ctx, Action::DutyWrite, &o.path),
        may_review,
    })
}

/// The report, if the caller may read its organisation's reports.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Report> {
    let r = submission(&store.db, id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&r.org_path), &object(id)).await?;
    view(store, ctx, r).await
}

/// 起草: opens the organisation's report for a schedule, its figures taken from the records
/// (or returns the one already opened: there is one per schedule and organisation).
pub async fn open(store: &Store, ctx: &Ctx, schedule_id: i64, org_id: i64) -> Result<Report> {
    open_at(store, ctx, schedule_id, org_id, time::now_unix()).await
}

/// [`open`] at a given instant (the demo's history).
pub(crate) async fn open_at(store: &Store, ctx: &Ctx, schedule_id: i64, org_id: i64, now: i64) -> Result<Report> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let s = visible_schedule(store, ctx, schedule_id).await?;
    let tree = store.tree().await?;
    if !submitters(&tree, &s).iter().any(|n| n.id == o.id) {
        return Err(StoreError::invalid("org_id", "not_expected", format!("“{}”不在“{}”的报送范围内", o.name, s.title)));
    }
    record! {
        struct Existing from "report_submissions" as "r" { id: i64 }
    }
    let existing = Existing::select().and_where(col("r", "schedule_id").eq(s.id)).and_where(col("r", "org_id").eq(o.id)).to_owned();
    if let Some(e) = query::fetch_one::<Existing, _>(&store.db, &existing).await? {
        return get(store, ctx, e.id).await;
    }
    let figures = take_figures(store, ctx, &s, &o, &tree).await?;
    let sections: Vec<Section> = s.sections.iter().map(|t| Section { title: t.clone(), text: String::new() }).collect();
    let tenant = o.tenant_id.unwrap_or(o.id);
    let txn = store.write().await?;
    let row = query::insert("report_submissions", vec![
        ("tenant_id", tenant.into()),
        ("schedule_id", s.id.into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("state", State::Draft.into()),
        ("sections", to_json(&sections)?.into()),
        ("figures", to_json(&figures)?.into()),
        ("late", false.into()),
        ("submitted_at", Option::<i64>::None.into()),
        ("reviewed_at", Option::<i64>::None.into()),
        ("review_comments", String::new().into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row).await.map_err(|e| StoreError::from_db(e, &format!("“{}”的“{}”已经起草", o.name, s.title)))?;
    step_row(&txn, tenant, id, Step::Open, None, State::Draft, "", None, ctx, now).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "report.open", &object(id), "ok", json!({"schedule_id": s.id, "org_id": o.id})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

#[allow(clippy::too_many_arguments)]
async fn step_row<C: ConnectionTrait>(c: &C, tenant: i64, id: i64, step: Step, from: Option<State>, to: State, comments: &str, content: Option<String>, ctx: &Ctx, at: i64) -> Result<()> {
    let row = query::insert("report_steps", vec![
        ("tenant_id", tenant.into()),
        ("submission_id", id.into()),
        ("step", step.into()),
        ("from_state", from.into()),
        ("to_state", to.into()),
        ("comments", comments.to_string().into()),
        ("content", content.into()),
        ("by_account", ctx.actor.account_id.into()),
        ("at", at.into()),
    ]);
    query::execute(c, &row).await?;
    Ok(())
}

/// The submission, if the caller may write its organisation's report.
pub(super) async fn writable(store: &Store, ctx: &Ctx, id: i64) -> Result<SubmissionRow> {
    let r = submission(&store.db, id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&r.org_path), &object(id)).await?;
    Ok(r)
}

/// 保存: the organisation's own words, section by section; the figures are taken again.
pub async fn save(store: &Store, ctx: &Ctx, id: i64, sections: &[Section]) -> Result<Report> {
    let r = writable(store, ctx, id).await?;
    let s = load_schedule(store, r.schedule_id).await?;
    let sections = rules::check_sections(sections, &s.sections).map_err(StoreError::Invalid)?;
    let tree = store.tree().await?;
    let o = tree.get(r.org_id).cloned().ok_or(StoreError::NotFound)?;
    let figures = take_figures(store, ctx, &s, &o, &tree).await?;
    let txn = store.write().await?;
    // Read again inside the write: the state checked is the one written against.
    rules::check_editable(submission(&txn, id).await?.state)?;
    let upd = query::update("report_submissions", vec![("sections", to_json(&sections)?.into()), ("figures", to_json(&figures)?.into()), ("updated_at", time::now_unix().into())])
        .and_where(col("report_submissions", "id").eq(id))
        .to_owned();
    query::execute(&txn, &upd).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "report.save", &object(id), "ok", json!({"chars": sections.iter().map(|s| s.text.chars().count()).sum::<usize>()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// 报送 (or 重新报送 a returned report): every required section written, the figures taken
/// once more and frozen. Lateness is that of the first submission: a report that came in time
/// and was returned for correction is not late for having been corrected.
pub async fn submit(store: &Store, ctx: &Ctx, id: i64) -> Result<Report> {
    submit_at(store, ctx, id, time::now_unix()).await
}

/// [`submit`] at a given instant (the demo's history).
pub(crate) async fn submit_at(store: &Store, ctx: &Ctx, id: i64, now: i64) -> Result<Report> {
    let r = writable(store, ctx, id).await?;
    let s = load_schedule(store, r.schedule_id).await?;
    let tree = store.tree().await?;
    let o = tree.get(r.org_id).cloned().ok_or(StoreError::NotFound)?;
    let figures = take_figures(store, ctx, &s, &o, &tree).await?;
    let txn = store.write().await?;
    let r = submission(&txn, id).await?;
    let (step, to) = rules::submit(r.state)?;
    let sections: Vec<Section> = from_json(&r.sections)?;
    let files = super::attachment::of(&txn, id).await?.len();
    rules::check_complete(&sections, &s.sections, files, s.attachments_required).map_err(StoreError::Invalid)?;
    let late = if r.submitted_at.is_none() { rules::is_late(now, s.deadline.0) } else { r.late };
    let frozen = to_json(&figures)?;
    let upd = query::update("report_submissions", vec![
        ("state", to.into()),
        ("figures", frozen.clone().into()),
        ("late", late.into()),
        ("submitted_at", Some(now).into()),
        ("updated_at", now.into()),
    ])
    .and_where(col("report_submissions", "id").eq(id))
    .to_owned();
    query::execute(&txn, &upd).await?;
    let content = to_json(&json!({"sections": sections, "figures": figures}))?;
    step_row(&txn, r.tenant_id, id, step, Some(r.state), to, "", Some(content), ctx, now).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, &format!("report.{}", step.code()), &object(id), "ok", json!({"late": late, "figures": figures.figures.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// 审核: the organisation directly above accepts, returns with comments, or accepts late.
/// Whoever may read the report but not review it is refused (403); others are told it does not
/// exist.
pub async fn review(store: &Store, ctx: &Ctx, id: i64, decision: &str, comments: &str) -> Result<Report> {
    review_at(store, ctx, id, decision, comments, time::now_unix()).await
}

pub(crate) async fn review_at(store: &Store, ctx: &Ctx, id: i64, decision: &str, comments: &str, now: i64) -> Result<Report> {
    let r = submission(&store.db, id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&r.org_path), &object(id)).await?;
    let tree = store.tree().await?;
    let above = reviewer_path(&tree, r.org_id).ok_or(StoreError::Forbidden)?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&above), &object(id)).await.map_err(|e| match e {
        StoreError::NotFound => StoreError::Forbidden,
        e => e,
    })?;
    let step = rules::parse_decision(decision)?;
    let comments = rules::parse_comments(comments, step == Step::Return)?;
    let txn = store.write().await?;
    let r = submission(&txn, id).await?;
    let to = rules::review(r.state, step, r.late, &comments)?;
    let upd = query::update("report_submissions", vec![("state", to.into()), ("reviewed_at", Some(now).into()), ("review_comments", comments.clone().into()), ("updated_at", now.into())])
        .and_where(col("report_submissions", "id").eq(id))
        .to_owned();
    query::execute(&txn, &upd).await?;
    step_row(&txn, r.tenant_id, id, step, Some(r.state), to, &comments, None, ctx, now).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, &format!("report.{}", step.code()), &object(id), "ok", json!({"from": r.state, "to": to, "comments": comments})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}
