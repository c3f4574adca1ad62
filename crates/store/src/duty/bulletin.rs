//! 考核通报 — the bulletin of a published assessment, for the whole assessment or one 党委's
//! subtree: per organisation its rank, total, tier and outcome, its strong and weak points
//! (`domain::duty::bulletin::strong_and_weak`) and what changed since the last period (the
//! previous published assessment of the same scheme over the same subtree); a header with the
//! counts per tier and per outcome, produced from the rows (seed 004 "提拔使用18人，诫勉谈话16人").
//!
//! Cheap at city scale (issue 11: a 党委's bulletin under 50 ms with 25,000 organisations
//! assessed): the subtree's results by `ix_assessment_targets_path`, its scores in one statement
//! joined to those results, the previous period's results of the subtree by the same index —
//! four statements whatever the size, none per organisation, none over the whole assessment.

use std::collections::HashMap;

use dangjian_domain::duty::assessment::{self as rules, Stage};
use dangjian_domain::duty::bulletin::{change, strong_and_weak, Before, Change, Earned, TierMove, POINTS_SHOWN};
use dangjian_domain::duty::scheme::{Outcome, Points};
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::Period;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Cond, ExprTrait, JoinType, Order};

use super::assessment::{assessments, load, subject, Assessment, OutcomeCount, Standing, TierCount};
use crate::org;
use crate::query::{self, col, in_subtree, record};
use crate::roster::format::{display_width, sheet_name};
use crate::{Ctx, Result, Store, StoreError};

record! {
    struct LeafScore from "assessment_scores" as "s" {
        org_id: i64,
        indicator: String,
        score: Option<Points>,
    }
}

/// One organisation's line of the bulletin.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BulletinRow {
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub total: Points,
    /// 名次 among the assessed organisations of its kind (the whole assessment's).
    pub rank: Option<i64>,
    pub tier: Option<String>,
    pub outcome: Option<Outcome>,
    /// 优势指标: the leaf indicators with the highest share of their points earned.
    pub strong: Vec<Earned>,
    /// 薄弱指标: the leaf indicators with the lowest share, where points were lost.
    pub weak: Vec<Earned>,
    /// 与上期相比.
    pub change: Change,
}

impl BulletinRow {
    pub fn strong_text(&self) -> String {
        self.strong.iter().map(Earned::text).collect::<Vec<_>>().join("；")
    }

    pub fn weak_text(&self) -> String {
        if self.weak.is_empty() {
            "无失分".into()
        } else {
            self.weak.iter().map(Earned::text).collect::<Vec<_>>().join("；")
        }
    }

    pub fn tier_change_text(&self) -> String {
        self.change.tier_text(self.tier.as_deref())
    }
}

/// The assessment the changes are measured against.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Previous {
    pub id: i64,
    pub name: String,
    pub period: Period,
}

/// 考核通报.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub assessment_id: i64,
    pub name: String,
    pub period: Period,
    pub published_on: Option<Date>,
    pub scale: i64,
    /// The organisation whose subtree the bulletin covers (the assessment's, or one 党委).
    pub org_id: i64,
    pub org_name: String,
    /// The assessment's own organisation: the bulletin covers all of it.
    pub whole: bool,
    /// The organisation whose subtree the assessment covers.
    pub assessment_org_id: i64,
    pub previous: Option<Previous>,
    pub tier_counts: Vec<TierCount>,
    pub outcome_counts: Vec<OutcomeCount>,
    /// By kind, then rank.
    pub rows: Vec<BulletinRow>,
    /// The day it was drawn up (China Standard Time).
    pub as_of: Date,
}

impl Bulletin {
    /// `优秀 12 个、良好 30 个……`: every tier, zero included.
    pub fn tiers_text(&self) -> String {
        self.tier_counts.iter().map(|t| format!("{} {} 个", t.tier, t.count)).collect::<Vec<_>>().join("，")
    }

    /// `推荐评先表彰 12 个，诫勉谈话 3 个`: the outcomes that occur; empty when none does.
    pub fn outcomes_text(&self) -> String {
        self.outcome_counts.iter().filter(|o| o.count > 0).map(|o| format!("{} {} 个", o.outcome.label(), o.count)).collect::<Vec<_>>().join("，")
    }

    pub fn title(&self) -> String {
        format!("{}{}考核情况通报", if self.whole { String::new() } else { self.org_name.clone() }, self.name)
    }

    pub fn summary(&self) -> String {
        let mut s = format!("参加考核的组织 {} 个。按等次：{}。", self.rows.len(), self.tiers_text());
        let outcomes = self.outcomes_text();
        if !outcomes.is_empty() {
            s.push_str(&format!("按结果运用：{outcomes}。"));
        }
        match &self.previous {
            Some(p) => s.push_str(&format!("与上期（{}）相比：等次上升 {} 个，等次下降 {} 个。", p.period, self.moved(TierMove::Up), self.moved(TierMove::Down))),
            None => s.push_str("本方案此前没有已公布的考核，均为首次考核。"),
        }
        s
    }

    fn moved(&self, m: TierMove) -> usize {
        self.rows.iter().filter(|r| r.change.tier_move == m).count()
    }
}

/// The last published assessment of the same scheme over the same organisation, of an earlier
/// period (`ix_assessments_org`: organisation, period).
async fn previous_of(store: &Store, a: &Assessment) -> Result<Option<Assessment>> {
    let stmt = assessments()
        .and_where(col("a", "org_id").eq(a.org_id))
        .and_where(col("v", "scheme_id").eq(a.scheme_id))
        .and_where(col("a", "stage").eq(Stage::Published))
        .and_where(col("a", "period").lt(a.period))
        .order_by((Alias::new("a"), Alias::new("period")), Order::Desc)
        .limit(1)
        .to_owned();
    Ok(query::fetch_one(&store.db, &stmt).await?)
}

async fn standings(store: &Store, id: i64, path: &str) -> Result<Vec<Standing>> {
    let cond = Cond::all().add(col("t", "assessment_id").eq(id)).add(in_subtree(col("t", "org_path"), path));
    Ok(query::fetch(&store.db, &Standing::select().cond_where(cond).to_owned()).await?)
}

/// 考核通报 of a published assessment: of its whole subtree, or of the organisation `org_id`
/// within it (a 党委), for whoever may read that organisation's results.
pub async fn bulletin(store: &Store, ctx: &Ctx, id: i64, org_id: Option<i64>) -> Result<Bulletin> {
    let a = load(&store.db, id).await?;
    let root = org::node(store, org_id.unwrap_or(a.org_id)).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&root.path), &subject(id)).await?;
    if !root.path.starts_with(&a.org_path) {
        return Err(StoreError::NotFound);
    }
    if a.stage != Stage::Published {
        return Err(StoreError::invalid("stage", "not_published", format!("“{}”的结果尚未公布，公布后才能生成通报", a.name)));
    }
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let mut rows = standings(store, id, &root.path).await?;
    let join = Cond::all().add(col("t", "assessment_id").equals((Alias::new("s"), Alias::new("assessment_id")))).add(col("t", "org_id").equals((Alias::new("s"), Alias::new("org_id"))));
    let stmt = LeafScore::select()
        .join_as(JoinType::InnerJoin, Alias::new("assessment_targets"), Alias::new("t"), join)
        .and_where(col("t", "assessment_id").eq(id))
        .cond_where(in_subtree(col("t", "org_path"), &root.path))
        .to_owned();
    let mut scores: HashMap<i64, HashMap<String, Points>> = HashMap::new();
    for s in query::fetch::<LeafScore, _>(&store.db, &stmt).await? {
        if let Some(p) = s.score {
            scores.entry(s.org_id).or_default().insert(s.indicator, p);
        }
    }
    let previous = previous_of(store, &a).await?;
    let before: HashMap<i64, Before> = match &previous {
        Some(p) => standings(store, p.id, &root.path).await?.into_iter().map(|s| (s.org_id, Before { total: s.total, rank: s.rank, tier: s.tier })).collect(),
        None => HashMap::new(),
    };
    rows.sort_by(|x, y| (x.org_kind, x.rank.unwrap_or(i64::MAX), &x.org_path).cmp(&(y.org_kind, y.rank.unwrap_or(i64::MAX), &y.org_path)));
    let leaves = scheme.leaves();
    let tree = store.tree().await?;
    let rows: Vec<BulletinRow> = rows
        .into_iter()
        .map(|s| {
            let mine = scores.get(&s.org_id);
            let earned: Vec<Earned> = leaves
                .iter()
                .filter_map(|l| mine.and_then(|m| m.get(&l.code)).map(|p| Earned { code: l.code.clone(), name: l.name.clone(), points: l.points, score: *p }))
                .collect();
            let (strong, weak) = strong_and_weak(&earned, POINTS_SHOWN);
            BulletinRow {
                org_name: tree.get(s.org_id).map(|n| n.name.clone()).unwrap_or_default(),
                change: change(before.get(&s.org_id), s.total, s.tier.as_deref(), &scheme.tiers),
                org_id: s.org_id,
                org_kind: s.org_kind,
                total: s.total,
                rank: s.rank,
                tier: s.tier,
                outcome: s.outcome,
                strong,
                weak,
            }
        })
        .collect();
    let tier_counts = scheme.tiers.iter().map(|t| TierCount { tier: t.name.clone(), count: rows.iter().filter(|r| r.tier.as_deref() == Some(t.name.as_str())).count() as u64 }).collect();
    let outcome_counts = rules::outcome_counts(rows.iter().map(|r| r.outcome)).into_iter().map(|(outcome, count)| OutcomeCount { outcome, count }).collect();
    Ok(Bulletin {
        assessment_id: a.id,
        name: a.name,
        period: a.period,
        published_on: a.published_on,
        scale: scheme.scale,
        whole: root.id == a.org_id,
        assessment_org_id: a.org_id,
        org_id: root.id,
        org_name: root.name,
        previous: previous.map(|p| Previous { id: p.id, name: p.name, period: p.period }),
        tier_counts,
        outcome_counts,
        rows,
        as_of: Date(time::today_cst()),
    })
}

/// The columns of the bulletin's sheet.
const COLUMNS: [&str; 13] = ["序号", "组织", "类别", "总分", "名次", "等次", "结果运用", "优势指标", "薄弱指标", "上期总分", "上期名次", "分差", "等次变化"];

/// The bulletin as a workbook: the title and the counts above a row per organisation; totals,
/// ranks and differences as numbers (a figure can be summed or sorted in the sheet).
pub fn bulletin_xlsx(b: &Bulletin) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| StoreError::Db(sea_orm::DbErr::Custom(format!("考核通报表格生成失败：{e}")));
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(sheet_name(&format!("{}考核通报", b.period))).map_err(fail)?;
    let header = Format::new().set_bold().set_background_color(Color::RGB(0xD9E1F2)).set_border(FormatBorder::Thin);
    let points = Format::new().set_num_format("0.##");
    sheet.write_string_with_format(0, 0, b.title(), &Format::new().set_bold()).map_err(fail)?;
    let published = b.published_on.map(|d| format!("结果公布日期：{d}；")).unwrap_or_default();
    sheet.write_string(1, 0, format!("{published}通报日期：{}", b.as_of)).map_err(fail)?;
    sheet.write_string(2, 0, b.summary()).map_err(fail)?;
    const HEAD: u32 = 4;
    let mut widths = COLUMNS.map(display_width);
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(HEAD, c as u16, *h, &header).map_err(fail)?;
    }
    let num = |p: Points| p.0 as f64 / 100.0;
    for (i, r) in b.rows.iter().enumerate() {
        let row = HEAD + 1 + i as u32;
        sheet.write_number(row, 0, (i + 1) as f64).map_err(fail)?;
        let texts = [
            (1, r.org_name.clone()),
            (2, r.org_kind.label().to_string()),
            (5, r.tier.clone().unwrap_or_default()),
            (6, r.outcome.map(|o| o.label().to_string()).unwrap_or_default()),
            (7, r.strong_text()),
            (8, r.weak_text()),
            (12, r.tier_change_text()),
        ];
        for (c, t) in texts {
            widths[c] = widths[c].max(display_width(&t));
            sheet.write_string(row, c as u16, t).map_err(fail)?;
        }
        sheet.write_number_with_format(row, 3, num(r.total), &points).map_err(fail)?;
        if let Some(k) = r.rank {
            sheet.write_number(row, 4, k as f64).map_err(fail)?;
        }
        if let Some(t) = r.change.total_before {
            sheet.write_number_with_format(row, 9, num(t), &points).map_err(fail)?;
        }
        if let Some(k) = r.change.rank_before {
            sheet.write_number(row, 10, k as f64).map_err(fail)?;
        }
        if let Some(d) = r.change.delta {
            sheet.write_number_with_format(row, 11, num(d), &points).map_err(fail)?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, ((*w).clamp(6, 50) + 2) as f64).map_err(fail)?;
    }
    sheet.set_freeze_panes(HEAD + 1, 0).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}
