//! 考核 — assessments. An assessment runs one scheme version over the organisations of a subtree
//! for a period (`assessments`); each assessed organisation has one result row (`assessment_targets`:
//! total, rank within its kind, tier, outcome) and a row per indicator it was scored or computed on
//! (`assessment_scores`: its self-assessment, the assessor's score with comment and evidence, and
//! for a computed indicator how it was computed). Objections (申诉) after publishing live in
//! `assessment_objections`; an upheld one changes the score and re-ranks.
//!
//! Who sees what: whoever may read the assessment's organisation (the 工委's administrator) sees
//! everything; a secretary sees the organisations of their scope only — computed scores and their
//! self-assessment at once, the assessors' scores, totals, ranks and tiers once published; another
//! branch's results do not exist for them (404).

use std::collections::{HashMap, HashSet};

use dangjian_domain::duty::assessment::{self as rules, check_objection_window, objection_deadline, DecisionInput, Evidence, ObjectionInput, ObjectionStatus, ScoreInput, Stage};
use dangjian_domain::duty::rule::RuleSpec;
use dangjian_domain::duty::scheme::{Method, Outcome, Points, Scheme};
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::Period;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::text::parse_optional_name;
use dangjian_domain::time::{self, Date};
use dangjian_domain::Invalid;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;

use super::compute::{self, Basis};
use crate::org::{self, Node};
use crate::query::{self, col, in_scopes, record};
use crate::{audit, page_bounds, Ctx, Result, Store, StoreError};

record! {
    /// 考核 — one run of a scheme version over a subtree for a period.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Assessment from "assessments" as "a" {
        pub id: i64,
        #[serde(skip)]
        pub tenant_id: i64,
        /// The scheme version it runs, kept however the scheme is edited later.
        pub scheme_version_id: i64,
        pub scheme_id: i64 = v.scheme_id,
        pub version: i64 = v.version,
        /// The organisation whose subtree is assessed.
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub name: String,
        pub period: Period,
        pub stage: Stage,
        pub published_on: Option<Date>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

impl Assessment {
    /// Each stage with whether it is done, current or to come, for the stage bar.
    pub fn steps(&self) -> Vec<(&'static str, &'static str)> {
        Stage::ALL
            .iter()
            .map(|s| {
                let state = if *s < self.stage || self.stage == Stage::Published { "done" } else if *s == self.stage { "current" } else { "todo" };
                (s.label(), state)
            })
            .collect()
    }
}

fn assessments() -> SelectStatement {
    Assessment::select()
        .join_as(JoinType::InnerJoin, Alias::new("assessment_scheme_versions"), Alias::new("v"), col("v", "id").equals((Alias::new("a"), Alias::new("scheme_version_id"))))
        .to_owned()
}

record! {
    /// 考核结果 — an organisation's total, rank among the assessed organisations of its kind, tier
    /// and the outcome the tier carries.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Standing from "assessment_targets" as "t" {
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub org_kind: OrgKind,
        pub total: Points,
        pub rank: Option<i64>,
        pub tier: Option<String>,
        pub outcome: Option<Outcome>,
    }
}

/// A result as listed: the standing with the organisation's name; totals, ranks and tiers are
/// absent for whom they are not yet published.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub total: Option<Points>,
    pub rank: Option<i64>,
    /// How many organisations of its kind were ranked (名次 of 总数).
    pub of: u64,
    pub tier: Option<String>,
    pub outcome: Option<Outcome>,
}

record! {
    struct ScoreRow from "assessment_scores" as "s" {
        org_id: i64,
        indicator: String,
        self_score: Option<Points>,
        self_comment: String,
        self_evidence: String,
        score: Option<Points>,
        comment: String,
        evidence: String,
        basis: String,
    }
}

record! {
    /// 申诉 — an objection to one indicator's score, and its decision.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Objection from "assessment_objections" as "o" {
        pub id: i64,
        pub assessment_id: i64,
        pub org_id: i64,
        pub indicator: String,
        pub reason: String,
        #[serde(skip)]
        pub evidence: String,
        pub status: ObjectionStatus,
        pub filed_at: i64,
        /// The score when the objection was filed.
        pub old_score: Option<Points>,
        /// The score an upheld objection set.
        pub new_score: Option<Points>,
        pub decision_reason: String,
        pub decided_at: Option<i64>,
    }
}

/// An objection with its evidence links.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ObjectionView {
    #[serde(flatten)]
    pub objection: Objection,
    pub org_name: String,
    pub indicator_name: String,
    #[serde(rename = "evidence")]
    pub links: Vec<Evidence>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub count: u32,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TierCount {
    pub tier: String,
    pub count: u64,
}

/// An assessment with its scheme version and, for whom it is visible, the counts of its results.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    #[serde(flatten)]
    pub assessment: Assessment,
    pub org_name: String,
    pub scheme: Scheme,
    /// The caller sees every assessed organisation (not only those of their scope).
    pub full: bool,
    /// The caller may score, move the stages and decide objections.
    pub can_assess: bool,
    /// Organisations assessed.
    pub targets: u64,
    /// The last day objections are accepted, once published.
    pub objections_until: Option<Date>,
    /// Results per tier and per outcome (seed 004's "提拔使用18人，诫勉谈话16人"), once the caller
    /// may see totals.
    pub tier_counts: Vec<TierCount>,
    pub outcome_counts: Vec<OutcomeCount>,
}

/// 开始考核 as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StartInput {
    pub scheme_id: i64,
    /// The organisation whose subtree is assessed.
    pub org_id: i64,
    /// The period, of the scheme's length: `2025`, `2025H2`, `2025Q4`, `2025-12`.
    pub period: String,
    /// 考核名称; empty: the period and the scheme's name.
    pub name: String,
    /// The kinds of organisation assessed; empty: 党支部 and 联合党支部.
    pub kinds: Vec<String>,
}

fn subject(id: i64) -> String {
    format!("assessment:{id}")
}

async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Assessment> {
    query::fetch_one(c, &assessments().and_where(col("a", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

/// How much of an assessment the caller sees.
enum Sight {
    /// Every organisation: the caller may read the assessment's organisation.
    Full,
    /// The organisations under these paths.
    Own(Vec<String>),
}

impl Sight {
    fn cond(&self) -> Cond {
        match self {
            Sight::Full => Cond::all(),
            Sight::Own(scopes) => in_scopes(col("t", "org_path"), scopes),
        }
    }
}

async fn sight(store: &Store, ctx: &Ctx, a: &Assessment) -> Result<Sight> {
    if ctx.actor.decide(Action::DutyRead, Target::org(&a.org_path)) == Decision::Allow {
        return Ok(Sight::Full);
    }
    let scopes = org::scope_paths(store, ctx, Action::DutyRead).await?;
    let mine = if scopes.is_empty() {
        0
    } else {
        let cond = Cond::all().add(col("t", "assessment_id").eq(a.id)).add(in_scopes(col("t", "org_path"), &scopes));
        query::scalar(&store.db, &query::count_of("assessment_targets", "t", cond)).await?
    };
    if mine == 0 {
        // Audits the refusal, and answers as if the assessment did not exist.
        store.authorize(ctx, Action::DutyRead, Target::org(&a.org_path), &subject(a.id)).await?;
    }
    Ok(Sight::Own(scopes))
}

fn can_assess(ctx: &Ctx, a: &Assessment) -> bool {
    ctx.actor.decide(Action::DutyAssess, Target::org(&a.org_path)) == Decision::Allow
}

/// Totals, ranks and tiers are seen by the assessors at once, by everyone else once published.
fn sees_totals(ctx: &Ctx, a: &Assessment) -> bool {
    a.stage == Stage::Published || can_assess(ctx, a)
}

#[derive(Debug, FromQueryResult)]
struct KeyCount {
    key: Option<String>,
    n: i64,
}

async fn counts_by(store: &Store, id: i64, column: &'static str) -> Result<Vec<(Option<String>, u64)>> {
    let stmt = Query::select()
        .expr_as(col("t", column), Alias::new("key"))
        .expr_as(Expr::col(sea_orm::sea_query::Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
        .from_as(Alias::new("assessment_targets"), Alias::new("t"))
        .and_where(col("t", "assessment_id").eq(id))
        .group_by_col((Alias::new("t"), Alias::new(column)))
        .to_owned();
    Ok(query::fetch::<KeyCount, _>(&store.db, &stmt).await?.into_iter().map(|r| (r.key, u64::try_from(r.n).unwrap_or(0))).collect())
}

async fn view(store: &Store, ctx: &Ctx, a: Assessment, full: bool) -> Result<AssessmentView> {
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let org_name = store.tree().await?.get(a.org_id).map(|o| o.name.clone()).unwrap_or_default();
    let targets = query::scalar(&store.db, &query::count_of("assessment_targets", "t", Cond::all().add(col("t", "assessment_id").eq(a.id)))).await?;
    let (mut tier_counts, mut outcome_counts) = (Vec::new(), Vec::new());
    if full && sees_totals(ctx, &a) {
        let tiers = counts_by(store, a.id, "tier").await?;
        tier_counts = scheme.tiers.iter().map(|t| TierCount { tier: t.name.clone(), count: tiers.iter().find(|c| c.0.as_deref() == Some(t.name.as_str())).map_or(0, |c| c.1) }).collect();
        let outcomes = counts_by(store, a.id, "outcome").await?;
        let listed = outcomes.iter().flat_map(|(k, n)| k.as_deref().and_then(Outcome::parse).map(|o| std::iter::repeat_n(Some(o), *n as usize))).flatten();
        outcome_counts = rules::outcome_counts(listed).into_iter().map(|(outcome, count)| OutcomeCount { outcome, count }).collect();
    }
    let objections_until = a.published_on.map(|d| Date(objection_deadline(d.0, scheme.objection_days)));
    Ok(AssessmentView { org_name, full, can_assess: can_assess(ctx, &a), targets: u64::try_from(targets).unwrap_or(0), objections_until, tier_counts, outcome_counts, scheme, assessment: a })
}

/// The assessment, as the caller may see it.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<AssessmentView> {
    let a = load(&store.db, id).await?;
    let full = matches!(sight(store, ctx, &a).await?, Sight::Full);
    view(store, ctx, a, full).await
}

/// The assessments the caller may see — run in their scope, or assessing an organisation of it —
/// newest first.
pub async fn list(store: &Store, ctx: &Ctx) -> Result<Vec<Assessment>> {
    let scopes = org::scope_paths(store, ctx, Action::DutyRead).await?;
    if scopes.is_empty() {
        return Err(StoreError::Forbidden);
    }
    let mine = Query::select()
        .column((Alias::new("t"), Alias::new("assessment_id")))
        .from_as(Alias::new("assessment_targets"), Alias::new("t"))
        .cond_where(in_scopes(col("t", "org_path"), &scopes))
        .to_owned();
    let cond = Cond::any().add(in_scopes(col("a", "org_path"), &scopes)).add(col("a", "id").in_subquery(mine));
    let stmt = assessments().cond_where(cond).order_by((Alias::new("a"), Alias::new("id")), Order::Desc).limit(crate::MAX_PER_PAGE).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}

/// The base of a new score row: nothing scored yet.
pub(super) fn score_row(tenant: i64, assessment_id: i64, org_id: i64, indicator: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("tenant_id", tenant.into()),
        ("assessment_id", assessment_id.into()),
        ("org_id", org_id.into()),
        ("indicator", indicator.to_string().into()),
        ("self_score", Option::<Points>::None.into()),
        ("self_comment", String::new().into()),
        ("self_evidence", "[]".to_string().into()),
        ("score", Option::<Points>::None.into()),
        ("comment", String::new().into()),
        ("evidence", "[]".to_string().into()),
        ("basis", String::new().into()),
        ("scored_by", Option::<i64>::None.into()),
        ("scored_at", Option::<i64>::None.into()),
    ]
}

/// The organisations of the subtree below `root` that an assessment of `kinds` assesses: active
/// ones of those kinds, in tree order.
fn targets_of(nodes: &[Node], root: &Node, kinds: &[OrgKind]) -> Vec<(i64, String, OrgKind)> {
    nodes.iter().filter(|n| n.id != root.id && n.active && kinds.contains(&n.kind)).map(|n| (n.id, n.path.clone(), n.kind)).collect()
}

/// 开始考核: the organisations of the subtree are listed, the computed indicators computed from
/// the records of the period, and the results ranked; the assessment starts at 单位自评.
pub async fn start(store: &Store, ctx: &Ctx, input: &StartInput) -> Result<AssessmentView> {
    let o = org::node(store, input.org_id).await?;
    store.authorize(ctx, Action::DutyAssess, Target::org(&o.path), &format!("org:{}", o.id)).await?;
    let scheme_view = super::get_scheme(store, ctx, input.scheme_id).await?;
    let scheme = scheme_view.scheme;
    let mut errors: Vec<Invalid> = Vec::new();
    if !o.path.starts_with(&scheme_view.row.org_path) {
        errors.push(Invalid::new("scheme_id", "scheme_elsewhere", format!("方案“{}”不是“{}”或其上级组织制定的方案", scheme.name, o.name)));
    }
    let period = match Period::parse(&input.period) {
        Ok(p) if p.kind() == scheme.period_kind => Some(p),
        Ok(p) => {
            errors.push(Invalid::new("period", "period_kind", format!("方案“{}”按{}考核，期间“{p}”不是{}", scheme.name, scheme.period_kind.label(), scheme.period_kind.label())));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut kinds = Vec::new();
    for k in &input.kinds {
        match OrgKind::parse(k) {
            Some(kind) => kinds.push(kind),
            None => errors.push(Invalid::new("kinds", "invalid_kind", format!("组织类别“{}”无法识别", k.trim().chars().take(20).collect::<String>()))),
        }
    }
    if input.kinds.is_empty() {
        kinds = vec![OrgKind::Branch, OrgKind::JointBranch];
    }
    let name = parse_optional_name("name", "考核名称", &input.name, dangjian_domain::duty::scheme::NAME_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
    let tree = store.tree().await?;
    let targets = targets_of(tree.subtree(&o.path), &o, &kinds);
    if targets.is_empty() && errors.is_empty() {
        errors.push(Invalid::new("org_id", "no_targets", format!("“{}”下没有可考核的{}", o.name, kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、"))));
    }
    let Some(period) = period.filter(|_| errors.is_empty()) else {
        return Err(StoreError::Invalid(errors));
    };
    let name = if name.is_empty() { format!("{period}{}", scheme.name) } else { name };
    let computed = compute::compute(store, ctx, o.id, &o.path, period, &scheme, &targets).await?;
    let tenant = o.tenant_id.unwrap_or(o.id);
    let now = time::now_unix();
    let txn = store.write().await?;
    let row = query::insert("assessments", vec![
        ("tenant_id", tenant.into()),
        ("scheme_version_id", scheme_view.version_id.into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("name", name.clone().into()),
        ("period", period.into()),
        ("stage", Stage::SelfAssessment.into()),
        ("published_on", Option::<Date>::None.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row).await?;
    let rows = targets
        .iter()
        .map(|(org_id, path, kind)| {
            vec![
                ("tenant_id", tenant.into()),
                ("assessment_id", id.into()),
                ("org_id", (*org_id).into()),
                ("org_path", path.clone().into()),
                ("org_kind", (*kind).into()),
                ("total", Points::ZERO.into()),
                ("rank", Option::<i64>::None.into()),
                ("tier", Option::<String>::None.into()),
                ("outcome", Option::<Outcome>::None.into()),
            ]
        })
        .collect();
    query::insert_chunked(&txn, "assessment_targets", rows).await?;
    compute::write_computed(&txn, tenant, id, &computed).await?;
    compute::rerank(&txn, tenant, id, &scheme).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.start", &subject(id), "ok", json!({"scheme_id": input.scheme_id, "version_id": scheme_view.version_id, "org_id": o.id, "period": period, "targets": targets.len(), "computed": computed.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

async fn targets_named(store: &Store, id: i64) -> Result<Vec<(i64, String, OrgKind)>> {
    let rows: Vec<Standing> = query::fetch(&store.db, &Standing::select().and_where(col("t", "assessment_id").eq(id)).order_by((Alias::new("t"), Alias::new("org_path")), Order::Asc).to_owned()).await?;
    let tree = store.tree().await?;
    Ok(rows.into_iter().map(|r| (r.org_id, tree.get(r.org_id).map(|n| n.name.clone()).unwrap_or_default(), r.org_kind)).collect())
}

fn evidence_text(e: &[Evidence]) -> String {
    serde_json::to_string(e).expect("evidence serialises")
}

pub(super) fn with(mut row: Vec<(&'static str, Value)>, pairs: Vec<(&'static str, Value)>) -> Vec<(&'static str, Value)> {
    for (c, v) in pairs {
        match row.iter_mut().find(|(k, _)| *k == c) {
            Some(slot) => slot.1 = v,
            None => row.push((c, v)),
        }
    }
    row
}

/// 单位自评: an organisation's own scores of the scored indicators, with evidence, during the
/// self-assessment; by whoever may read the organisation's results (its secretary, or the
/// assessor recording them). They are shown beside the assessors' scores and count for nothing.
pub async fn self_assess(store: &Store, ctx: &Ctx, id: i64, input: &[ScoreInput]) -> Result<AssessmentView> {
    let a = load(&store.db, id).await?;
    sight(store, ctx, &a).await?;
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let targets = targets_named(store, id).await?;
    let tree = store.tree().await?;
    for s in input {
        // Each organisation's own: another branch's line does not exist for the caller.
        let path = tree.get(s.org_id).map(|n| n.path.clone()).unwrap_or_default();
        if targets.iter().any(|t| t.0 == s.org_id) {
            store.authorize(ctx, Action::DutyRead, Target::org(&path), &subject(id)).await?;
        }
    }
    let named: Vec<(i64, String)> = targets.iter().map(|t| (t.0, t.1.clone())).collect();
    let scores = rules::check_scores(input, &scheme, &named).map_err(StoreError::Invalid)?;
    let txn = store.write().await?;
    load(&txn, id).await?.stage.check_writing(Stage::SelfAssessment)?;
    let rows = scores
        .iter()
        .map(|s| with(score_row(a.tenant_id, id, s.org_id, &s.indicator), vec![("self_score", s.score.into()), ("self_comment", s.comment.clone().into()), ("self_evidence", evidence_text(&s.evidence).into())]))
        .collect();
    let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id"), Alias::new("indicator")])
        .update_columns([Alias::new("self_score"), Alias::new("self_comment"), Alias::new("self_evidence")])
        .to_owned();
    query::upsert_chunked(&txn, "assessment_scores", rows, on_conflict).await?;
    touch(&txn, id, Vec::new()).await?;
    let detail: Vec<_> = scores.iter().map(|s| json!({"org_id": s.org_id, "indicator": s.indicator, "score": s.score})).collect();
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.self_score", &subject(id), "ok", json!({"scores": detail})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

async fn touch<C: ConnectionTrait>(c: &C, id: i64, mut pairs: Vec<(&'static str, Value)>) -> Result<()> {
    pairs.push(("updated_at", time::now_unix().into()));
    query::execute(c, &query::update("assessments", pairs).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned()).await?;
    Ok(())
}

/// The assessment, if the caller may assess it (score, move stages, decide objections).
async fn assessable(store: &Store, ctx: &Ctx, id: i64) -> Result<(Assessment, Scheme)> {
    let a = load(&store.db, id).await?;
    if !can_assess(ctx, &a) {
        // A secretary whose branch is assessed sees the assessment: they are refused in the open
        // (403); whoever cannot see it at all is told it does not exist (404).
        sight(store, ctx, &a).await?;
        let denied = format!("deny:{:?}", Action::DutyAssess);
        audit::refusal::record(store, ctx, &denied, &subject(id), "denied", &denied, serde_json::Value::Null).await?;
        return Err(StoreError::Forbidden);
    }
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    Ok((a, scheme))
}

/// 考核评分: the assessors' scores of scored indicators, with comments (required where points
/// are taken off) and evidence, during the scoring; the results are ranked again.
pub async fn score(store: &Store, ctx: &Ctx, id: i64, input: &[ScoreInput]) -> Result<AssessmentView> {
    let (a, scheme) = assessable(store, ctx, id).await?;
    let named: Vec<(i64, String)> = targets_named(store, id).await?.into_iter().map(|t| (t.0, t.1)).collect();
    let scores = rules::check_scores(input, &scheme, &named).map_err(StoreError::Invalid)?;
    let now = time::now_unix();
    let txn = store.write().await?;
    load(&txn, id).await?.stage.check_writing(Stage::Scoring)?;
    let rows = scores
        .iter()
        .map(|s| {
            with(score_row(a.tenant_id, id, s.org_id, &s.indicator), vec![
                ("score", s.score.into()),
                ("comment", s.comment.clone().into()),
                ("evidence", evidence_text(&s.evidence).into()),
                ("scored_by", ctx.actor.account_id.into()),
                ("scored_at", now.into()),
            ])
        })
        .collect();
    let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id"), Alias::new("indicator")])
        .update_columns([Alias::new("score"), Alias::new("comment"), Alias::new("evidence"), Alias::new("scored_by"), Alias::new("scored_at")])
        .to_owned();
    query::upsert_chunked(&txn, "assessment_scores", rows, on_conflict).await?;
    compute::rerank(&txn, a.tenant_id, id, &scheme).await?;
    touch(&txn, id, Vec::new()).await?;
    let detail: Vec<_> = scores.iter().map(|s| json!({"org_id": s.org_id, "indicator": s.indicator, "score": s.score})).collect();
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.score", &subject(id), "ok", json!({"scores": detail})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// Computes the computed indicators again from the records as they are now (a record entered
/// late, a correction), before publishing; the results are ranked again.
pub async fn recompute(store: &Store, ctx: &Ctx, id: i64) -> Result<AssessmentView> {
    let (a, scheme) = assessable(store, ctx, id).await?;
    if a.stage == Stage::Published {
        return Err(StoreError::invalid("stage", "stage_done", "考核结果已公布，不再重新计算；对得分有异议的，通过申诉处理"));
    }
    let o = org::node(store, a.org_id).await?;
    let targets: Vec<(i64, String, OrgKind)> = query::fetch::<Standing, _>(&store.db, &Standing::select().and_where(col("t", "assessment_id").eq(id)).to_owned()).await?.into_iter().map(|s| (s.org_id, s.org_path, s.org_kind)).collect();
    let computed = compute::compute(store, ctx, o.id, &o.path, a.period, &scheme, &targets).await?;
    let txn = store.write().await?;
    if load(&txn, id).await?.stage == Stage::Published {
        return Err(StoreError::invalid("stage", "stage_done", "考核结果已公布，不再重新计算"));
    }
    compute::write_computed(&txn, a.tenant_id, id, &computed).await?;
    compute::rerank(&txn, a.tenant_id, id, &scheme).await?;
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.compute", &subject(id), "ok", json!({"computed": computed.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// Moves the assessment to its next stage. Entering 审核 computes the computed indicators again;
/// publishing needs every scored indicator of every organisation scored, and opens the window for
/// objections.
pub async fn advance(store: &Store, ctx: &Ctx, id: i64, to: &str) -> Result<AssessmentView> {
    let (a, scheme) = assessable(store, ctx, id).await?;
    let to = Stage::parse(to).ok_or_else(|| StoreError::invalid("stage", "invalid_stage", "考核阶段应为单位自评、考核评分、审核或结果公布"))?;
    a.stage.check_advance(to)?;
    if to == Stage::Review {
        recompute(store, ctx, id).await?;
    }
    let txn = store.write().await?;
    let a = load(&txn, id).await?;
    a.stage.check_advance(to)?;
    let mut pairs = vec![("stage", to.into())];
    if to == Stage::Published {
        let scored: Vec<&str> = scheme.leaves().into_iter().filter(|i| i.method == Method::Scored).map(|i| i.code.as_str()).collect();
        let done = Cond::all().add(col("s", "assessment_id").eq(id)).add(col("s", "score").is_not_null());
        let have: HashSet<(i64, String)> = query::fetch::<ScoreRow, _>(&txn, &ScoreRow::select().cond_where(done).to_owned()).await?.into_iter().map(|s| (s.org_id, s.indicator)).collect();
        let named = targets_named(store, id).await?;
        let mut missing: Vec<String> = Vec::new();
        for (org, name, _) in &named {
            for code in &scored {
                if !have.contains(&(*org, (*code).to_string())) {
                    missing.push(format!("{name}“{code}”"));
                }
            }
        }
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
            return Err(StoreError::invalid("stage", "not_scored", format!("尚有{}项评分指标未评分，不能公布：{}{}", missing.len(), shown.join("、"), if missing.len() > 5 { "等" } else { "" })));
        }
        pairs.push(("published_on", Date(time::today_cst()).into()));
        compute::rerank(&txn, a.tenant_id, id, &scheme).await?;
    }
    touch(&txn, id, pairs).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.stage", &subject(id), "ok", json!({"from": a.stage, "to": to})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// The filters of a results list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ResultsQuery {
    /// Only organisations of this kind (`branch`, …).
    pub kind: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Results {
    pub assessment: AssessmentView,
    pub items: Vec<ResultRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// 考核结果: the assessed organisations the caller may see, by kind and rank.
pub async fn results(store: &Store, ctx: &Ctx, id: i64, q: &ResultsQuery) -> Result<Results> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let a = load(&store.db, id).await?;
    let s = sight(store, ctx, &a).await?;
    let mut cond = Cond::all().add(col("t", "assessment_id").eq(id)).add(s.cond());
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        let kind = OrgKind::parse(k).ok_or_else(|| StoreError::invalid("kind", "invalid_kind", format!("组织类别“{}”无法识别", k.chars().take(20).collect::<String>())))?;
        cond = cond.add(col("t", "org_kind").eq(kind));
    }
    let total = u64::try_from(query::scalar(&store.db, &query::count_of("assessment_targets", "t", cond.clone())).await?).unwrap_or(0);
    let mut stmt = Standing::select().cond_where(cond).to_owned();
    for c in ["org_kind", "rank", "org_path"] {
        stmt.order_by((Alias::new("t"), Alias::new(c)), Order::Asc);
    }
    query::paginate(&mut stmt, page, per_page);
    let rows: Vec<Standing> = query::fetch(&store.db, &stmt).await?;
    let peers: HashMap<Option<String>, u64> = counts_by(store, id, "org_kind").await?.into_iter().collect();
    let shown = sees_totals(ctx, &a);
    let tree = store.tree().await?;
    let items = rows
        .into_iter()
        .map(|r| ResultRow {
            org_name: tree.get(r.org_id).map(|n| n.name.clone()).unwrap_or_default(),
            of: peers.get(&Some(r.org_kind.code().to_string())).copied().unwrap_or(0),
            org_id: r.org_id,
            org_kind: r.org_kind,
            total: shown.then_some(r.total),
            rank: r.rank.filter(|_| shown),
            tier: r.tier.filter(|_| shown),
            outcome: r.outcome.filter(|_| shown),
        })
        .collect();
    let full = matches!(s, Sight::Full);
    Ok(Results { assessment: view(store, ctx, a, full).await?, items, total, page, per_page })
}

/// One line of an organisation's scores: an indicator of the tree with what it earned.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Line {
    pub code: String,
    pub name: String,
    /// 1 for a top indicator, 2 below it, …
    pub depth: usize,
    pub method: Method,
    pub rule: Option<RuleSpec>,
    pub guide: String,
    pub points: Points,
    /// Earned: the assessor's score, the computed score, or for a group the sum of its leaves.
    pub score: Option<Points>,
    /// 失分: points − score.
    pub lost: Option<Points>,
    pub comment: String,
    pub evidence: Vec<Evidence>,
    pub self_score: Option<Points>,
    pub self_comment: String,
    pub self_evidence: Vec<Evidence>,
    /// How a computed score was computed.
    pub basis: Option<Basis>,
}

/// 得分明细 — one organisation's scores, indicator by indicator, with how each computed one was
/// computed and its objections: the secretary's "why I lost points".
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub assessment: AssessmentView,
    pub result: ResultRow,
    pub lines: Vec<Line>,
    pub objections: Vec<ObjectionView>,
}

fn links(json: &str) -> Vec<Evidence> {
    serde_json::from_str(json).unwrap_or_default()
}

/// An organisation's scores in an assessment, for whoever may read its results.
pub async fn detail(store: &Store, ctx: &Ctx, id: i64, org_id: i64) -> Result<Detail> {
    let a = load(&store.db, id).await?;
    let stmt = Standing::select().and_where(col("t", "assessment_id").eq(id)).and_where(col("t", "org_id").eq(org_id)).to_owned();
    let Some(st) = query::fetch_one::<Standing, _>(&store.db, &stmt).await? else {
        // Not assessed here: said the same way as not visible, after the refusal is audited.
        let o = org::node(store, org_id).await?;
        store.authorize(ctx, Action::DutyRead, Target::org(&o.path), &subject(id)).await?;
        return Err(StoreError::NotFound);
    };
    store.authorize(ctx, Action::DutyRead, Target::org(&st.org_path), &subject(id)).await?;
    let full = ctx.actor.decide(Action::DutyRead, Target::org(&a.org_path)) == Decision::Allow;
    let shown = sees_totals(ctx, &a);
    let stmt = ScoreRow::select().and_where(col("s", "assessment_id").eq(id)).and_where(col("s", "org_id").eq(org_id)).to_owned();
    let scores: HashMap<String, ScoreRow> = query::fetch::<ScoreRow, _>(&store.db, &stmt).await?.into_iter().map(|s| (s.indicator.clone(), s)).collect();
    let assessment = view(store, ctx, a, full).await?;
    let scheme = &assessment.scheme;
    let earned = |code: &str| -> Option<Points> {
        let i = scheme.find(code)?;
        match i.method {
            Method::Scored if !shown => None,
            Method::Group => {
                let leaves: Vec<Option<Points>> = i.walk().into_iter().filter(|l| l.method != Method::Group).map(|l| scores.get(&l.code).and_then(|s| s.score).filter(|_| shown || l.method == Method::Computed)).collect();
                leaves.iter().all(Option::is_some).then(|| leaves.into_iter().flatten().sum())
            }
            _ => scores.get(code).and_then(|s| s.score),
        }
    };
    let lines = scheme
        .all()
        .into_iter()
        .map(|i| {
            let s = scores.get(&i.code);
            let score = earned(&i.code);
            let assessor_visible = shown || i.method == Method::Computed;
            Line {
                code: i.code.clone(),
                name: i.name.clone(),
                depth: i.code.matches('.').count() + 1,
                method: i.method,
                rule: i.rule,
                guide: i.guide.clone(),
                points: i.points,
                lost: score.map(|p| Points(i.points.0 - p.0)),
                score,
                comment: s.filter(|_| assessor_visible).map(|s| s.comment.clone()).unwrap_or_default(),
                evidence: s.filter(|_| assessor_visible).map(|s| links(&s.evidence)).unwrap_or_default(),
                self_score: s.and_then(|s| s.self_score),
                self_comment: s.map(|s| s.self_comment.clone()).unwrap_or_default(),
                self_evidence: s.map(|s| links(&s.self_evidence)).unwrap_or_default(),
                basis: s.filter(|s| !s.basis.is_empty()).and_then(|s| serde_json::from_str(&s.basis).ok()),
            }
        })
        .collect();
    let tree = store.tree().await?;
    let peers: HashMap<Option<String>, u64> = counts_by(store, id, "org_kind").await?.into_iter().collect();
    let result = ResultRow {
        org_name: tree.get(org_id).map(|n| n.name.clone()).unwrap_or_default(),
        of: peers.get(&Some(st.org_kind.code().to_string())).copied().unwrap_or(0),
        org_id,
        org_kind: st.org_kind,
        total: shown.then_some(st.total),
        rank: st.rank.filter(|_| shown),
        tier: st.tier.filter(|_| shown),
        outcome: st.outcome.filter(|_| shown),
    };
    let objections = objection_views(store, scheme, Cond::all().add(col("o", "assessment_id").eq(id)).add(col("o", "org_id").eq(org_id))).await?;
    Ok(Detail { assessment, result, lines, objections })
}

async fn objection_views(store: &Store, scheme: &Scheme, cond: Cond) -> Result<Vec<ObjectionView>> {
    let stmt = Objection::select().cond_where(cond).order_by((Alias::new("o"), Alias::new("id")), Order::Asc).to_owned();
    let tree = store.tree().await?;
    Ok(query::fetch::<Objection, _>(&store.db, &stmt)
        .await?
        .into_iter()
        .map(|o| ObjectionView {
            org_name: tree.get(o.org_id).map(|n| n.name.clone()).unwrap_or_default(),
            indicator_name: scheme.find(&o.indicator).map(|i| i.name.clone()).unwrap_or_default(),
            links: links(&o.evidence),
            objection: o,
        })
        .collect())
}

/// The objections of an assessment the caller may see (the assessors: all; a secretary: their
/// organisations').
pub async fn objections(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<ObjectionView>> {
    let a = load(&store.db, id).await?;
    let s = sight(store, ctx, &a).await?;
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let mut cond = Cond::all().add(col("o", "assessment_id").eq(id));
    if let Sight::Own(scopes) = &s {
        let tree = store.tree().await?;
        let ids: Vec<i64> = scopes.iter().flat_map(|p| tree.subtree(p).iter().map(|n| n.id)).collect();
        cond = cond.add(col("o", "org_id").is_in(ids));
    }
    objection_views(store, &scheme, cond).await
}

async fn current_score<C: ConnectionTrait>(c: &C, id: i64, org_id: i64, indicator: &str) -> Result<Option<Points>> {
    let stmt = ScoreRow::select().and_where(col("s", "assessment_id").eq(id)).and_where(col("s", "org_id").eq(org_id)).and_where(col("s", "indicator").eq(indicator)).to_owned();
    Ok(query::fetch_one::<ScoreRow, _>(c, &stmt).await?.and_then(|s| s.score))
}

/// 申诉: an assessed organisation disputes one indicator's score, within the window after
/// publishing, by whoever may read its results (its secretary).
pub async fn object(store: &Store, ctx: &Ctx, id: i64, input: &ObjectionInput) -> Result<ObjectionView> {
    let a = load(&store.db, id).await?;
    let stmt = Standing::select().and_where(col("t", "assessment_id").eq(id)).and_where(col("t", "org_id").eq(input.org_id)).to_owned();
    let Some(st) = query::fetch_one::<Standing, _>(&store.db, &stmt).await? else {
        sight(store, ctx, &a).await?;
        return Err(StoreError::invalid("org_id", "not_assessed", format!("组织（编号{}）不在本次考核的范围内", input.org_id)));
    };
    store.authorize(ctx, Action::DutyRead, Target::org(&st.org_path), &subject(id)).await?;
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let v = input.validate(&scheme).map_err(StoreError::Invalid)?;
    let txn = store.write().await?;
    let a = load(&txn, id).await?;
    a.stage.check_writing(Stage::Published)?;
    let published = a.published_on.map(|d| d.0).unwrap_or_else(time::today_cst);
    check_objection_window(published, scheme.objection_days, time::today_cst())?;
    let pending = Cond::all().add(col("o", "assessment_id").eq(id)).add(col("o", "org_id").eq(v.org_id)).add(col("o", "indicator").eq(v.indicator.clone())).add(col("o", "status").eq(ObjectionStatus::Pending));
    if query::scalar(&txn, &query::count_of("assessment_objections", "o", pending)).await? > 0 {
        return Err(StoreError::conflict("objection_pending", "该指标已有待处理的申诉，请等待处理结果"));
    }
    let old = current_score(&txn, id, v.org_id, &v.indicator).await?;
    let row = query::insert("assessment_objections", vec![
        ("tenant_id", a.tenant_id.into()),
        ("assessment_id", id.into()),
        ("org_id", v.org_id.into()),
        ("indicator", v.indicator.clone().into()),
        ("reason", v.reason.clone().into()),
        ("evidence", evidence_text(&v.evidence).into()),
        ("status", ObjectionStatus::Pending.into()),
        ("filed_by", ctx.actor.account_id.into()),
        ("filed_at", time::now_unix().into()),
        ("old_score", old.into()),
        ("new_score", Option::<Points>::None.into()),
        ("decision_reason", String::new().into()),
        ("decided_by", Option::<i64>::None.into()),
        ("decided_at", Option::<i64>::None.into()),
    ]);
    let oid = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.objection", &subject(id), "ok", json!({"objection_id": oid, "org_id": v.org_id, "indicator": v.indicator})).await?;
    txn.commit().await?;
    one_objection(store, &scheme, oid).await
}

async fn one_objection(store: &Store, scheme: &Scheme, oid: i64) -> Result<ObjectionView> {
    objection_views(store, scheme, Cond::all().add(col("o", "id").eq(oid))).await?.pop().ok_or(StoreError::NotFound)
}

/// 申诉处理: upheld with the indicator's new score (the results are ranked again), or rejected;
/// with a reason either way.
pub async fn decide(store: &Store, ctx: &Ctx, id: i64, objection_id: i64, input: &DecisionInput) -> Result<ObjectionView> {
    let (a, scheme) = assessable(store, ctx, id).await?;
    let txn = store.write().await?;
    let o = query::fetch_one::<Objection, _>(&txn, &Objection::select().and_where(col("o", "id").eq(objection_id)).and_where(col("o", "assessment_id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    if o.status != ObjectionStatus::Pending {
        return Err(StoreError::conflict("already_decided", format!("该申诉已处理：{}", o.status.label())));
    }
    let ind = scheme.find(&o.indicator).ok_or(StoreError::NotFound)?;
    let current = current_score(&txn, id, o.org_id, &o.indicator).await?.unwrap_or_default();
    let d = input.validate(ind, current).map_err(StoreError::Invalid)?;
    let now = time::now_unix();
    let upd = query::update("assessment_objections", vec![
        ("status", d.status.into()),
        ("new_score", d.score.into()),
        ("decision_reason", d.reason.clone().into()),
        ("decided_by", ctx.actor.account_id.into()),
        ("decided_at", now.into()),
    ])
    .and_where(Expr::col(Alias::new("id")).eq(objection_id))
    .to_owned();
    query::execute(&txn, &upd).await?;
    if let Some(new) = d.score {
        let row = with(score_row(a.tenant_id, id, o.org_id, &o.indicator), vec![("score", new.into()), ("basis", String::new().into()), ("scored_by", ctx.actor.account_id.into()), ("scored_at", now.into())]);
        let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id"), Alias::new("indicator")]).update_columns([Alias::new("score"), Alias::new("scored_by"), Alias::new("scored_at")]).to_owned();
        query::upsert_chunked(&txn, "assessment_scores", vec![row], on_conflict).await?;
        compute::rerank(&txn, a.tenant_id, id, &scheme).await?;
    }
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.objection.decide", &subject(id), "ok", json!({"objection_id": objection_id, "decision": d.status, "old_score": current, "new_score": d.score})).await?;
    txn.commit().await?;
    one_objection(store, &scheme, objection_id).await
}
