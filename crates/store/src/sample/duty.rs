//! The demo's 考核评价: the 工委's 百分制 scheme for its branches (组织生活 computed from the
//! records, 工作实绩 scored by assessors), and last year's (its second half) run through every stage —
//! the demo secretary's branch's self-assessment, the assessors' scores with reasons where points
//! were taken off, the computed indicators from last year's meeting records, publication, and one
//! objection upheld with a new score — so the ranking, the tiers, the outcomes and a secretary's
//! "why I lost points" show something on first start; a second half-year of the same scheme, so
//! the 考核通报 shows what changed since the last period; and the 评先表彰 of the latest one,
//! proposed from its results, reviewed and published. Run through the store's own functions, as
//! the 工委's officer would, so what the demo shows is what the code computes.

use chrono::Datelike;
use dangjian_domain::duty::assessment::{DecisionInput, ObjectionInput, ScoreInput, Evidence};
use dangjian_domain::duty::honour::{NominationInput, PublishInput, ReviewInput};
use dangjian_domain::duty::scheme::{IndicatorInput, SchemeInput};
use dangjian_domain::time;

use super::names::Rng;
use crate::duty::assessment::{self, ResultsQuery, StartInput};
use crate::duty::honour;
use crate::org::Org;
use crate::{Ctx, Result, Store};

fn leaf(name: &str, points: &str, guide: &str) -> IndicatorInput {
    IndicatorInput { name: name.into(), points: points.into(), method: "scored".into(), guide: guide.into(), ..Default::default() }
}

fn computed(name: &str, points: &str, rule: &str, kind: &str) -> IndicatorInput {
    IndicatorInput { name: name.into(), points: points.into(), method: "computed".into(), rule: rule.into(), kind: kind.into(), ..Default::default() }
}

/// The demo scheme: 100 points, a half-year, the default tiers (优秀 ≥ 90, 良好 ≥ 80, 一般 ≥ 60).
/// A half-year because the demo's records begin 18 months back: the second half of last year is
/// the last period they cover whole.
fn demo_scheme() -> SchemeInput {
    SchemeInput {
        name: "党支部党建工作半年考核".into(),
        scale: 100,
        period_kind: "half".into(),
        objection_days: Some(7),
        tiers: Vec::new(),
        indicators: vec![
            IndicatorInput {
                name: "组织生活".into(),
                points: "60".into(),
                children: vec![
                    computed("支部党员大会按期召开", "15", "obligations_on_time", "branch_general_meeting"),
                    computed("主题党日按月开展", "15", "obligations_on_time", "theme_day"),
                    computed("党课按季开展", "10", "obligations_on_time", "party_lecture"),
                    computed("党员参加组织生活率", "20", "attendance_rate", ""),
                ],
                ..Default::default()
            },
            IndicatorInput {
                name: "工作实绩".into(),
                points: "40".into(),
                children: vec![
                    leaf("党建与业务融合", "15", "党建工作与中心工作同谋划、同部署、同推进、同考核（种子000），有具体事例"),
                    leaf("为民服务", "15", "结对共建、志愿服务有台账、有成效"),
                    leaf("支部书记述职评议", "10", "书记述职评议（种子001）满意度"),
                ],
                ..Default::default()
            },
        ],
    }
}

/// Reasons an assessor gives for points taken off, per scored indicator.
const REASONS: [&str; 3] = ["融合事例不够具体，未见成效材料", "为民服务台账不完整，部分活动无记录", "述职评议满意度偏低"];

/// Starts an assessment of `period`, scores it as an officer would — most branches lose a little
/// on one or two indicators, a few lose more, the demo branch 6 points on 为民服务 — and moves it
/// through every stage to publication, the demo branch's self-assessment (`own_self`) included.
#[allow(clippy::too_many_arguments)]
async fn run(store: &Store, ctx: &Ctx, rng: &mut Rng, scheme_id: i64, root: &Org, period: String, name: String, own_branch: i64, own_self: &[ScoreInput]) -> Result<i64> {
    let start = StartInput { scheme_id, org_id: root.id, period, name, kinds: Vec::new() };
    let id = assessment::start(store, ctx, &start).await?.assessment.id;
    let targets: Vec<i64> = assessment::results(store, ctx, id, &ResultsQuery { per_page: Some(crate::MAX_PER_PAGE), ..Default::default() }).await?.items.into_iter().map(|r| r.org_id).collect();
    if !own_self.is_empty() {
        assessment::self_assess(store, ctx, id, own_self).await?;
    }
    assessment::advance(store, ctx, id, "scoring").await?;
    let mut scores = Vec::new();
    for (n, org_id) in targets.iter().enumerate() {
        for (k, (code, points)) in [("2.1", 15u64), ("2.2", 15), ("2.3", 10)].iter().enumerate() {
            let off = if *org_id == own_branch {
                if *code == "2.2" { 6 } else { 0 }
            } else if n % 7 == 3 {
                3 + rng.below(5)
            } else if rng.chance(40) {
                1 + rng.below(3)
            } else {
                0
            };
            let off = off.min(*points);
            let comment = if off > 0 { REASONS[k].to_string() } else { String::new() };
            scores.push(ScoreInput { org_id: *org_id, indicator: (*code).into(), score: (points - off).to_string(), comment, evidence: Vec::new() });
        }
    }
    assessment::score(store, ctx, id, &scores).await?;
    assessment::advance(store, ctx, id, "review").await?;
    assessment::advance(store, ctx, id, "published").await?;
    Ok(id)
}

pub(super) async fn demo(store: &Store, root: &Org, own_branch: i64, secretary: Option<i64>) -> Result<()> {
    let ctx = Ctx::cli("demo");
    let mut rng = Rng::new(11);
    let scheme = crate::duty::create_scheme(store, &ctx, root.id, &demo_scheme()).await?;
    let today = time::today_cst();
    let year = today.year() - 1;

    // 单位自评 of the demo secretary's branch, with a record as evidence.
    let own_self = vec![
        ScoreInput { org_id: own_branch, indicator: "2.1".into(), score: "15".into(), comment: String::new(), evidence: vec![Evidence { label: "会议记录".into(), url: "/meetings".into() }] },
        ScoreInput { org_id: own_branch, indicator: "2.2".into(), score: "14".into(), comment: "全年开展结对共建6次".into(), evidence: Vec::new() },
        ScoreInput { org_id: own_branch, indicator: "2.3".into(), score: "10".into(), comment: String::new(), evidence: Vec::new() },
    ];
    let id = run(store, &ctx, &mut rng, scheme.row.id, root, format!("{year}H2"), format!("{year}年下半年党支部党建工作考核"), own_branch, &own_self).await?;

    // 申诉: the demo branch shows the missing records; the objection is upheld and re-ranks.
    let objection = ObjectionInput {
        org_id: own_branch,
        indicator: "2.2".into(),
        reason: "全年为民服务活动均有记录，考核时台账未随附，现补充提交".into(),
        evidence: vec![Evidence { label: "为民服务台账".into(), url: "/meetings".into() }],
    };
    let o = assessment::object(store, &ctx, id, &objection).await?;
    let decision = DecisionInput { decision: "upheld".into(), score: "14".into(), reason: "经核实补充台账，活动记录齐全，改定为14分".into() };
    assessment::decide(store, &ctx, id, o.objection.id, &decision).await?;

    // 考核通报 shows what changed since the last period: a second half-year of the same scheme,
    // the one the records cover whole — this year's first half once it has ended, else last
    // year's first (the records begin 18 months back) — so one of the two has a previous period.
    let (period, name) = if today.month() >= 7 { (format!("{}H1", today.year()), format!("{}年上半年党支部党建工作考核", today.year())) } else { (format!("{year}H1"), format!("{year}年上半年党支部党建工作考核")) };
    let other = run(store, &ctx, &mut rng, scheme.row.id, root, period, name, own_branch, &[]).await?;
    let latest = if today.month() >= 7 { other } else { id };
    honours(store, &ctx, latest, secretary).await
}

/// 评先表彰 of the latest assessment: the branches rated 优秀 proposed by the system, the demo
/// secretary added as 优秀党务工作者, each reviewed, the list published today.
async fn honours(store: &Store, ctx: &Ctx, id: i64, secretary: Option<i64>) -> Result<()> {
    let list = honour::draw_up(store, ctx, id).await?;
    if let Some(m) = secretary {
        let n = NominationInput { title: "excellent_worker".into(), org_id: None, member_id: Some(m), reason: "履行第一责任人职责，支部组织生活按期开展，申诉材料翔实".into() };
        honour::nominate(store, ctx, id, &n).await?;
    }
    let proposed: Vec<i64> = honour::find(store, ctx, id).await?.map(|l| l.nominations.iter().map(|n| n.nomination.id).collect()).unwrap_or_default();
    for (k, nid) in proposed.iter().enumerate() {
        // One of the system's proposals is turned down, to show a review is a decision.
        let review = if k == 1 && list.nominations.len() > 2 {
            ReviewInput { decision: "rejected".into(), reason: "年内有组织生活逾期补开，本年度暂不表彰".into() }
        } else {
            ReviewInput { decision: "approved".into(), reason: "经工委会议研究，同意表彰".into() }
        };
        honour::review(store, ctx, id, *nid, &review).await?;
    }
    honour::publish(store, ctx, id, &PublishInput { published_on: time::format_date(time::today_cst()) }).await?;
    Ok(())
}
