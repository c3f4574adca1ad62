//! 排名 — totals, ranks, tiers and outcomes of an assessment's organisations, and the counts the
//! pages show above the ranking (organisations by kind, by tier, by outcome), kept on the
//! assessment's row on every ranking so that no page counts over the results.
//!
//! Cheap at city scale (issue 11: 25,000 organisations, 30 indicators): a write that changed some
//! organisations' scores sums those organisations' scores only (by the scores' key), the ranking
//! reads each organisation's stored total once, and only the rows whose total, rank, tier or
//! outcome moved are written back.

use std::collections::{HashMap, HashSet};

use dangjian_domain::duty::assessment::competition_ranks;
use dangjian_domain::duty::scheme::{Outcome, Points, Scheme};
use dangjian_domain::org::OrgKind;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::assessment::Standing;
use crate::query::{self, col};
use crate::Result;

/// Whose scores changed since the last ranking.
#[derive(Debug, Clone, Copy)]
pub(super) enum Changed<'a> {
    /// Every organisation's (a start, a recomputation): one grouped sum over the assessment.
    All,
    /// These organisations' only.
    Orgs(&'a [i64]),
}

/// 考核统计 — the counts of an assessment's results, as last ranked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub targets: u64,
    /// Organisations by kind: the "of N" beside each rank.
    pub by_kind: Vec<(OrgKind, u64)>,
    /// By tier name, in the scheme's order.
    pub by_tier: Vec<(String, u64)>,
    pub by_outcome: Vec<(Outcome, u64)>,
}

impl Summary {
    /// The summary kept on the row; an unreadable one (a damaged row) reads as empty.
    pub(super) fn parse(text: &str) -> Summary {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn of_kind(&self, kind: OrgKind) -> u64 {
        self.by_kind.iter().find(|k| k.0 == kind).map_or(0, |k| k.1)
    }
}

#[derive(Debug, FromQueryResult)]
struct Total {
    org_id: i64,
    total: Option<i64>,
}

/// Sums the scores of `orgs` (every organisation when `None`): scored and computed; a
/// self-assessment counts for nothing.
async fn sums<C: ConnectionTrait>(c: &C, assessment_id: i64, orgs: Option<&[i64]>) -> Result<HashMap<i64, Points>> {
    let base = Query::select()
        .column((Alias::new("s"), Alias::new("org_id")))
        .expr_as(col("s", "score").sum().cast_as(Alias::new("BIGINT")), Alias::new("total"))
        .from_as(Alias::new("assessment_scores"), Alias::new("s"))
        .and_where(col("s", "assessment_id").eq(assessment_id))
        .group_by_col((Alias::new("s"), Alias::new("org_id")))
        .to_owned();
    let mut out = HashMap::new();
    let chunks: Vec<Option<&[i64]>> = match orgs {
        None => vec![None],
        Some(ids) => ids.chunks(500).map(Some).collect(),
    };
    for chunk in chunks {
        let mut stmt = base.clone();
        if let Some(ids) = chunk {
            stmt.and_where(col("s", "org_id").is_in(ids.iter().copied()));
        }
        out.extend(query::fetch::<Total, _>(c, &stmt).await?.into_iter().map(|t| (t.org_id, Points(t.total.unwrap_or(0)))));
    }
    Ok(out)
}

/// Ranks within each kind of organisation (competition ranking: ties share a rank), gives each its
/// tier and the tier's outcome, and keeps the summary on the assessment; inside the caller's
/// transaction.
pub(super) async fn rerank<C: ConnectionTrait>(c: &C, tenant: i64, assessment_id: i64, scheme: &Scheme, changed: Changed<'_>) -> Result<()> {
    let fresh = match changed {
        Changed::All => sums(c, assessment_id, None).await?,
        Changed::Orgs(ids) => sums(c, assessment_id, Some(ids)).await?,
    };
    let recounted: Option<HashSet<i64>> = match changed {
        Changed::All => None,
        Changed::Orgs(ids) => Some(ids.iter().copied().collect()),
    };
    let targets: Vec<Standing> = query::fetch(c, &Standing::select().and_where(col("t", "assessment_id").eq(assessment_id)).to_owned()).await?;
    let totals: Vec<Points> = targets
        .iter()
        .map(|t| match &recounted {
            Some(set) if !set.contains(&t.org_id) => t.total,
            _ => fresh.get(&t.org_id).copied().unwrap_or_default(),
        })
        .collect();
    let mut by_kind: HashMap<OrgKind, Vec<usize>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        by_kind.entry(t.org_kind).or_default().push(i);
    }
    let mut ranks = vec![0u32; targets.len()];
    for members in by_kind.values() {
        let of_kind: Vec<Points> = members.iter().map(|&i| totals[i]).collect();
        for (&i, r) in members.iter().zip(competition_ranks(&of_kind)) {
            ranks[i] = r;
        }
    }
    let mut summary = Summary { targets: targets.len() as u64, by_tier: scheme.tiers.iter().map(|t| (t.name.clone(), 0)).collect(), by_outcome: Outcome::ALL.iter().map(|o| (*o, 0)).collect(), ..Summary::default() };
    let mut kinds: Vec<(OrgKind, u64)> = by_kind.iter().map(|(k, v)| (*k, v.len() as u64)).collect();
    kinds.sort();
    summary.by_kind = kinds;
    let mut rows = Vec::new();
    for ((t, total), rank) in targets.iter().zip(totals).zip(ranks) {
        let tier = scheme.tier_of(total);
        if let Some(n) = summary.by_tier.iter_mut().find(|x| x.0 == tier.name) {
            n.1 += 1;
        }
        if let Some(n) = summary.by_outcome.iter_mut().find(|x| Some(x.0) == tier.outcome) {
            n.1 += 1;
        }
        let rank = i64::from(rank);
        if t.total == total && t.rank == Some(rank) && t.tier.as_deref() == Some(tier.name.as_str()) && t.outcome == tier.outcome {
            continue;
        }
        rows.push(vec![
            ("tenant_id", tenant.into()),
            ("assessment_id", assessment_id.into()),
            ("org_id", t.org_id.into()),
            ("org_path", t.org_path.clone().into()),
            ("org_kind", t.org_kind.into()),
            ("total", total.into()),
            ("rank", rank.into()),
            ("tier", tier.name.clone().into()),
            ("outcome", tier.outcome.into()),
        ]);
    }
    let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id")])
        .update_columns([Alias::new("total"), Alias::new("rank"), Alias::new("tier"), Alias::new("outcome")])
        .to_owned();
    query::upsert_chunked(c, "assessment_targets", rows, on_conflict).await?;
    let text = serde_json::to_string(&summary).expect("a summary serialises");
    query::execute(c, &query::update("assessments", vec![("summary", text.into())]).and_where(Expr::col(Alias::new("id")).eq(assessment_id)).to_owned()).await?;
    Ok(())
}

/// The summaries of the assessments that existed before they were kept (migration m024): each
/// ranked once more, as it stands.
pub async fn summarise_all<C: ConnectionTrait>(c: &C) -> Result<()> {
    #[derive(Debug, FromQueryResult)]
    struct Row {
        id: i64,
        tenant_id: i64,
        scheme_version_id: i64,
    }
    let stmt = Query::select().columns([Alias::new("id"), Alias::new("tenant_id"), Alias::new("scheme_version_id")]).from(Alias::new("assessments")).to_owned();
    for a in query::fetch::<Row, _>(c, &stmt).await? {
        let scheme = super::version_tree(c, a.scheme_version_id).await?;
        rerank(c, a.tenant_id, a.id, &scheme, Changed::All).await?;
    }
    Ok(())
}
