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

use dangjian_domain::duty::assessment::{self as rules, objection_deadline, Evidence, ScoreInput, Stage};
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

use super::compute;
use super::rank::{self, Changed, Summary};
use crate::org::{self, Node};
use crate::query::{self, col, in_scopes, record};
use crate::{audit, Ctx, Result, Store, StoreError};

pub use super::objection::{decide, object, objections, Objection, ObjectionView};
pub use super::result::{detail, results, Detail, Line, ResultRow, Results, ResultsQuery};

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
        /// The counts of the results as last ranked (`rank::Summary`, JSON).
        #[serde(skip)]
        pub summary: String,
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

pub(super) fn assessments() -> SelectStatement {
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

record! {
    pub(super) struct ScoreRow from "assessment_scores" as "s" {
        pub(super) indicator: String,
        pub(super) self_score: Option<Points>,
        pub(super) self_comment: String,
        pub(super) self_evidence: String,
        pub(super) score: Option<Points>,
        pub(super) comment: String,
        pub(super) evidence: String,
        pub(super) basis: String,
    }
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

pub(super) fn subject(id: i64) -> String {
    format!("assessment:{id}")
}

pub(super) async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Assessment> {
    query::fetch_one(c, &assessments().and_where(col("a", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

/// How much of an assessment the caller sees.
pub(super) enum Sight {
    /// Every organisation: the caller may read the assessment's organisation.
    Full,
    /// The organisations under these paths.
    Own(Vec<String>),
}

impl Sight {
    pub(super) fn cond(&self) -> Cond {
        match self {
            Sight::Full => Cond::all(),
            Sight::Own(scopes) => in_scopes(col("t", "org_path"), scopes),
        }
    }
}

pub(super) async fn sight(store: &Store, ctx: &Ctx, a: &Assessment) -> Result<Sight> {
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

pub(super) fn can_assess(ctx: &Ctx, a: &Assessment) -> bool {
    ctx.actor.decide(Action::DutyAssess, Target::org(&a.org_path)) == Decision::Allow
}

/// Totals, ranks and tiers are seen by the assessors at once, by everyone else once published.
pub(super) fn sees_totals(ctx: &Ctx, a: &Assessment) -> bool {
    a.stage == Stage::Published || can_assess(ctx, a)
}

pub(super) async fn view(store: &Store, ctx: &Ctx, a: Assessment, full: bool) -> Result<AssessmentView> {
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let org_name = store.tree().await?.get(a.org_id).map(|o| o.name.clone()).unwrap_or_default();
    let summary = Summary::parse(&a.summary);
    let targets = summary.targets;
    let (mut tier_counts, mut outcome_counts) = (Vec::new(), Vec::new());
    if full && sees_totals(ctx, &a) {
        tier_counts = scheme.tiers.iter().map(|t| TierCount { tier: t.name.clone(), count: summary.by_tier.iter().find(|c| c.0 == t.name).map_or(0, |c| c.1) }).collect();
        outcome_counts = summary.by_outcome.iter().map(|(outcome, count)| OutcomeCount { outcome: *outcome, count: u32::try_from(*count).unwrap_or(u32::MAX) }).collect();
    }
    let objections_until = a.published_on.map(|d| Date(objection_deadline(d.0, scheme.objection_days)));
    Ok(AssessmentView { org_name, full, can_assess: can_assess(ctx, &a), targets, objections_until, tier_counts, outcome_counts, scheme, assessment: a })
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
    rank::rerank(&txn, tenant, id, &scheme, Changed::All).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.start", &subject(id), "ok", json!({"scheme_id": input.scheme_id, "version_id": scheme_view.version_id, "org_id": o.id, "period": period, "targets": targets.len(), "computed": computed.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

async fn targets_named(store: &Store, id: i64) -> Result<Vec<(i64, String, OrgKind)>> {
    let rows: Vec<Standing> = query::fetch(&store.db, &Standing::select().and_where(col("t", "assessment_id").eq(id)).order_by((Alias::new("t"), Alias::new("org_path")), Order::Asc).to_owned()).await?;
    let tree = store.tree().await?;
    Ok(rows.into_iter().map(|r| (r.org_id, tree.get(r.org_id).map(|n| n.name.clone()).unwrap_or_default(), r.org_kind)).collect())
}

pub(super) fn evidence_text(e: &[Evidence]) -> String {
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

pub(super) async fn touch<C: ConnectionTrait>(c: &C, id: i64, mut pairs: Vec<(&'static str, Value)>) -> Result<()> {
    pairs.push(("updated_at", time::now_unix().into()));
    query::execute(c, &query::update("assessments", pairs).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned()).await?;
    Ok(())
}

/// The assessment, if the caller may assess it (score, move stages, decide objections).
pub(super) async fn assessable(store: &Store, ctx: &Ctx, id: i64) -> Result<(Assessment, Scheme)> {
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
    let mut orgs: Vec<i64> = scores.iter().map(|s| s.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    rank::rerank(&txn, a.tenant_id, id, &scheme, Changed::Orgs(&orgs)).await?;
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
    rank::rerank(&txn, a.tenant_id, id, &scheme, Changed::All).await?;
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.compute", &subject(id), "ok", json!({"computed": computed.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

#[derive(Debug, FromQueryResult)]
struct Scored {
    org_id: i64,
    n: i64,
}

/// The scored indicators not yet scored, named by organisation and code: organisations are
/// found short by one count of their scores, and only theirs are read.
async fn unscored<C: ConnectionTrait>(c: &C, store: &Store, id: i64, scheme: &Scheme) -> Result<(usize, Vec<String>)> {
    let codes: Vec<String> = scheme.leaves().into_iter().filter(|i| i.method == Method::Scored).map(|i| i.code.clone()).collect();
    if codes.is_empty() {
        return Ok((0, Vec::new()));
    }
    let done = Cond::all().add(col("s", "assessment_id").eq(id)).add(col("s", "score").is_not_null()).add(col("s", "indicator").is_in(codes.clone()));
    let stmt = Query::select()
        .column((Alias::new("s"), Alias::new("org_id")))
        .expr_as(Expr::col(sea_orm::sea_query::Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
        .from_as(Alias::new("assessment_scores"), Alias::new("s"))
        .cond_where(done)
        .group_by_col((Alias::new("s"), Alias::new("org_id")))
        .to_owned();
    let scored: HashMap<i64, usize> = query::fetch::<Scored, _>(c, &stmt).await?.into_iter().map(|s| (s.org_id, usize::try_from(s.n).unwrap_or(0))).collect();
    let short: Vec<(i64, String, OrgKind)> = targets_named(store, id).await?.into_iter().filter(|t| scored.get(&t.0).copied().unwrap_or(0) < codes.len()).collect();
    let count = short.iter().map(|t| codes.len() - scored.get(&t.0).copied().unwrap_or(0)).sum();
    let mut missing = Vec::new();
    for (org, name, _) in short {
        let stmt = ScoreRow::select().and_where(col("s", "assessment_id").eq(id)).and_where(col("s", "org_id").eq(org)).and_where(col("s", "score").is_not_null()).to_owned();
        let have: HashSet<String> = query::fetch::<ScoreRow, _>(c, &stmt).await?.into_iter().map(|s| s.indicator).collect();
        missing.extend(codes.iter().filter(|code| !have.contains(*code)).map(|code| format!("{name}“{code}”")));
        if missing.len() > 5 {
            break;
        }
    }
    Ok((count, missing))
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
        let (count, missing) = unscored(&txn, store, id, &scheme).await?;
        if count > 0 {
            let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
            return Err(StoreError::invalid("stage", "not_scored", format!("尚有{count}项评分指标未评分，不能公布：{}{}", shown.join("、"), if count > 5 { "等" } else { "" })));
        }
        pairs.push(("published_on", Date(time::today_cst()).into()));
        rank::rerank(&txn, a.tenant_id, id, &scheme, Changed::All).await?;
    }
    touch(&txn, id, pairs).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.stage", &subject(id), "ok", json!({"from": a.stage, "to": to})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}
