//! 考核结果 — an assessment's results as the caller may see them (by kind and rank, with tiers
//! and outcomes), and one organisation's scores indicator by indicator with how each computed one
//! was computed: the secretary's "why I lost points".

use std::collections::HashMap;

use dangjian_domain::duty::assessment::Evidence;
use dangjian_domain::duty::rule::RuleSpec;
use dangjian_domain::duty::scheme::{Method, Outcome, Points};
use dangjian_domain::org::OrgKind;
use dangjian_domain::policy::{Action, Decision, Target};
use sea_orm::sea_query::{Alias, Cond, ExprTrait, Order};

use super::assessment::{load, sees_totals, sight, subject, view, AssessmentView, ScoreRow, Sight, Standing};
use super::compute::Basis;
use super::rank::Summary;
use super::objection::{objection_views, ObjectionView};
use crate::org;
use crate::query::{self, col};
use crate::{page_bounds, Ctx, Result, Store, StoreError};

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
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(OrgKind::parse(k).ok_or_else(|| StoreError::invalid("kind", "invalid_kind", format!("组织类别“{}”无法识别", k.chars().take(20).collect::<String>())))?),
        None => None,
    };
    if let Some(k) = kind {
        cond = cond.add(col("t", "org_kind").eq(k));
    }
    let peers = Summary::parse(&a.summary);
    // Whoever sees every organisation has the total from the counts kept at the last ranking.
    let total = match (&s, &kind) {
        (Sight::Full, None) => peers.targets,
        (Sight::Full, Some(k)) => peers.of_kind(*k),
        _ => u64::try_from(query::scalar(&store.db, &query::count_of("assessment_targets", "t", cond.clone())).await?).unwrap_or(0),
    };
    let mut stmt = Standing::select().cond_where(cond).to_owned();
    for c in ["org_kind", "rank", "org_path"] {
        stmt.order_by((Alias::new("t"), Alias::new(c)), Order::Asc);
    }
    query::paginate(&mut stmt, page, per_page);
    let rows: Vec<Standing> = query::fetch(&store.db, &stmt).await?;
    let shown = sees_totals(ctx, &a);
    let tree = store.tree().await?;
    let items = rows
        .into_iter()
        .map(|r| ResultRow {
            org_name: tree.get(r.org_id).map(|n| n.name.clone()).unwrap_or_default(),
            of: peers.of_kind(r.org_kind),
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

pub(super) fn links(json: &str) -> Vec<Evidence> {
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
    let peers = Summary::parse(&assessment.assessment.summary);
    let result = ResultRow {
        org_name: tree.get(org_id).map(|n| n.name.clone()).unwrap_or_default(),
        of: peers.of_kind(st.org_kind),
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

