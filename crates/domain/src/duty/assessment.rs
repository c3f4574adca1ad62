//! 考核 — one run of a scheme over the organisations of a subtree for a period: its stages
//! (自评 → 评分 → 审核 → 公布), the scores assessors give with comments and evidence, the ranking
//! with ties, and objections (申诉) within a window after publishing, each decided with a reason
//! (seed 001 述职评议考核; seed 004 考核评价; issue 11).

use chrono::{Days, NaiveDate};

use crate::text::{parse_name, parse_required_text, parse_text};
use crate::{code_enum, time, Invalid};

use super::scheme::{Indicator, Method, Outcome, Points, Scheme};

code_enum! {
    /// 考核阶段 — the stages of an assessment, in the order they run.
    Stage {
        SelfAssessment = "self_assessment" / "单位自评",
        Scoring = "scoring" / "考核评分",
        Review = "review" / "审核",
        Published = "published" / "结果公布",
    }
}

code_enum! {
    /// 申诉状态 — where an objection stands.
    ObjectionStatus {
        Pending = "pending" / "待处理",
        Upheld = "upheld" / "申诉成立",
        Rejected = "rejected" / "申诉不成立",
    }
}

/// Comments, reasons and decisions: a page of text at most.
pub const TEXT_MAX: usize = 2000;
/// Evidence links of one score.
pub const MAX_EVIDENCE: usize = 10;
const EVIDENCE_LABEL_MAX: usize = 100;
const EVIDENCE_URL_MAX: usize = 500;

impl Stage {
    /// Moving from `self` to `to`: only to the next stage; a skipped stage is named.
    pub fn check_advance(self, to: Stage) -> Result<(), Invalid> {
        if to <= self {
            return Err(Invalid::new("stage", "stage_done", format!("本次考核已进入“{}”阶段，不能回到“{}”", self.label(), to.label())));
        }
        let skipped: Vec<&str> = Stage::ALL.iter().filter(|s| **s > self && **s < to).map(|s| s.label()).collect();
        if !skipped.is_empty() {
            return Err(Invalid::new("stage", "stage_skipped", format!("不能跳过“{}”阶段：本次考核当前处于“{}”阶段", skipped.join("”“"), self.label())));
        }
        Ok(())
    }

    /// Writing what belongs to stage `what` while the assessment is at `self`: only then.
    pub fn check_writing(self, what: Stage) -> Result<(), Invalid> {
        let field = match what {
            Stage::SelfAssessment => "self_scores",
            Stage::Scoring | Stage::Review => "scores",
            Stage::Published => "objections",
        };
        if self == what {
            Ok(())
        } else if what < self {
            Err(Invalid::new(field, "stage_done", format!("“{}”阶段已结束，本次考核当前处于“{}”阶段", what.label(), self.label())))
        } else {
            Err(Invalid::new(field, "stage_not_reached", format!("尚未进入“{}”阶段：本次考核当前处于“{}”阶段", what.label(), self.label())))
        }
    }
}

/// 佐证材料 — a link to what supports a score: a record of the system (`/meetings/12`, an
/// attachment) or a document on the intranet.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Evidence {
    pub label: String,
    /// A path of this system (`/meetings/12`) or an `http(s)://` address.
    pub url: String,
}

/// A score as typed, by an assessor (or, in the self-assessment, by the organisation itself).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ScoreInput {
    pub org_id: i64,
    /// The indicator's number in the scheme version, e.g. `2.3`.
    pub indicator: String,
    /// 得分, e.g. `8` or `7.5`.
    pub score: String,
    /// 评分说明 (扣分理由).
    pub comment: String,
    pub evidence: Vec<Evidence>,
}

/// A score that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidScore {
    pub org_id: i64,
    pub indicator: String,
    pub score: Points,
    pub comment: String,
    pub evidence: Vec<Evidence>,
}

fn check_evidence(who: &str, evidence: &[Evidence], errors: &mut Vec<Invalid>) -> Vec<Evidence> {
    if evidence.len() > MAX_EVIDENCE {
        errors.push(Invalid::new("evidence", "too_many", format!("{who}：佐证材料最多{MAX_EVIDENCE}项")));
    }
    let mut out = Vec::new();
    for e in evidence {
        let label = parse_name("evidence", &format!("{who}：佐证材料名称"), &e.label, EVIDENCE_LABEL_MAX);
        let url = e.url.trim();
        // Only links of this system or ordinary web addresses: never `javascript:` or `data:`,
        // which a page would otherwise render as a live link.
        let url_ok = (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("https://") || url.starts_with("http://");
        match label {
            Err(err) => errors.push(err),
            Ok(_) if !url_ok || url.chars().count() > EVIDENCE_URL_MAX || url.chars().any(char::is_whitespace) => {
                errors.push(Invalid::new("evidence", "invalid_url", format!("{who}：佐证材料的链接应为本系统的路径（如 /meetings/12）或 http(s) 地址，不超过{EVIDENCE_URL_MAX}个字符")));
            }
            Ok(label) => out.push(Evidence { label, url: url.to_string() }),
        }
    }
    out
}

/// Checks scores against the scheme and the organisations assessed (`(id, name)`): each names a
/// scored indicator (computed ones are the records', not an assessor's), a score from 0 to its
/// points, a comment where points are taken off, evidence as links. Every problem at once, each
/// naming its organisation and indicator.
pub fn check_scores(input: &[ScoreInput], scheme: &Scheme, targets: &[(i64, String)]) -> Result<Vec<ValidScore>, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut out: Vec<ValidScore> = Vec::new();
    for s in input {
        let Some(org) = targets.iter().find(|t| t.0 == s.org_id).map(|t| t.1.as_str()) else {
            errors.push(Invalid::new("org_id", "not_assessed", format!("组织（编号{}）不在本次考核的范围内", s.org_id)));
            continue;
        };
        let Some(ind) = scheme.find(s.indicator.trim()) else {
            errors.push(Invalid::new("indicator", "unknown_indicator", format!("{org}：方案中没有编号为“{}”的指标", s.indicator.trim().chars().take(20).collect::<String>())));
            continue;
        };
        let who = format!("{org}“{} {}”", ind.code, ind.name);
        match ind.method {
            Method::Group => {
                errors.push(Invalid::new("indicator", "not_a_leaf", format!("{who}是分类指标，其得分由下级指标合计")));
                continue;
            }
            Method::Computed => {
                errors.push(Invalid::new("indicator", "computed", format!("{who}是计算指标，得分由记录计算，不能直接评分")));
                continue;
            }
            Method::Scored => {}
        }
        let score = match check_score(&who, ind, &s.score) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let comment = parse_text("comment", &format!("{who}的评分说明"), &s.comment, TEXT_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        if score < ind.points && comment.is_empty() {
            errors.push(Invalid::new("comment", "reason_required", format!("{who}扣了分，请写明扣分理由")));
        }
        let evidence = check_evidence(&who, &s.evidence, &mut errors);
        if out.iter().any(|o| o.org_id == s.org_id && o.indicator == ind.code) {
            errors.push(Invalid::new("indicator", "duplicate", format!("{who}的得分登记了两次")));
            continue;
        }
        out.push(ValidScore { org_id: s.org_id, indicator: ind.code.clone(), score, comment, evidence });
    }
    if input.is_empty() {
        errors.push(Invalid::new("scores", "required", "请至少登记一项得分"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A score for an indicator: 0 to its points.
pub fn check_score(who: &str, ind: &Indicator, s: &str) -> Result<Points, Invalid> {
    let p = Points::parse("score", &format!("{who}的得分"), s)?;
    if p > ind.points {
        return Err(Invalid::new("score", "over_points", format!("{who}的得分{p}分超过该项分值{}分", ind.points)));
    }
    Ok(p)
}

/// Competition ranking (1, 2, 2, 4): each total's rank is one more than the number of totals
/// above it, so equal totals share a rank and the next rank is skipped. In input order.
pub fn competition_ranks(totals: &[Points]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|a, b| totals[*b].cmp(&totals[*a]));
    let mut ranks = vec![0; totals.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = match pos {
            0 => 1,
            _ if totals[order[pos - 1]] == totals[i] => ranks[order[pos - 1]],
            _ => pos as u32 + 1,
        };
    }
    ranks
}

/// How many results carry each outcome, in the order of `Outcome::ALL` (the counts of seed 004's
/// "提拔使用18人，诫勉谈话16人，人事调整3人", produced from the results, never typed).
pub fn outcome_counts<I: IntoIterator<Item = Option<Outcome>>>(outcomes: I) -> Vec<(Outcome, u32)> {
    let mut counts: Vec<(Outcome, u32)> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
    for o in outcomes.into_iter().flatten() {
        if let Some(c) = counts.iter_mut().find(|c| c.0 == o) {
            c.1 += 1;
        }
    }
    counts
}

/// The last day an objection may be filed: `days` after the day of publishing (published on
/// 1 December with 7 days: until 8 December, that day included).
pub fn objection_deadline(published_on: NaiveDate, days: u32) -> NaiveDate {
    published_on.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}

/// An objection on `today` against results published on `published_on`: within the window only.
pub fn check_objection_window(published_on: NaiveDate, days: u32, today: NaiveDate) -> Result<(), Invalid> {
    let last = objection_deadline(published_on, days);
    if today > last {
        return Err(Invalid::new("objections", "window_closed", format!("申诉期已于{}结束（结果于{}公布，申诉期{days}天）", time::format_date(last), time::format_date(published_on))));
    }
    Ok(())
}

/// 申诉 as typed: the indicator whose score is disputed and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ObjectionInput {
    pub org_id: i64,
    /// The indicator's number, e.g. `2.3`.
    pub indicator: String,
    /// 申诉理由.
    pub reason: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidObjection {
    pub org_id: i64,
    pub indicator: String,
    pub reason: String,
    pub evidence: Vec<Evidence>,
}

impl ObjectionInput {
    /// Checks an objection against the scheme: a leaf indicator, a reason; every problem at once.
    pub fn validate(&self, scheme: &Scheme) -> Result<ValidObjection, Vec<Invalid>> {
        let mut errors = Vec::new();
        let ind = scheme.find(self.indicator.trim()).filter(|i| i.method != Method::Group);
        if ind.is_none() {
            errors.push(Invalid::new("indicator", "unknown_indicator", format!("请选择申诉的指标：方案中没有可计分的编号为“{}”的指标", self.indicator.trim().chars().take(20).collect::<String>())));
        }
        let reason = parse_required_text("reason", "申诉理由", &self.reason, TEXT_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        let evidence = check_evidence("申诉", &self.evidence, &mut errors);
        match ind {
            Some(ind) if errors.is_empty() => Ok(ValidObjection { org_id: self.org_id, indicator: ind.code.clone(), reason, evidence }),
            _ => Err(errors),
        }
    }
}

/// 申诉处理 as typed: upheld with the new score of the indicator, or rejected; a reason always.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DecisionInput {
    /// `upheld` (申诉成立) or `rejected` (申诉不成立).
    pub decision: String,
    /// The indicator's new score, when upheld.
    pub score: String,
    /// 处理理由.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDecision {
    pub status: ObjectionStatus,
    /// The new score of an upheld objection.
    pub score: Option<Points>,
    pub reason: String,
}

impl DecisionInput {
    /// Checks a decision on an objection about `ind`, whose score now is `current`.
    pub fn validate(&self, ind: &Indicator, current: Points) -> Result<ValidDecision, Vec<Invalid>> {
        let mut errors = Vec::new();
        let status = match ObjectionStatus::parse(&self.decision) {
            Some(s @ (ObjectionStatus::Upheld | ObjectionStatus::Rejected)) => Some(s),
            _ => {
                errors.push(Invalid::new("decision", "invalid_decision", "处理结果应为申诉成立（upheld）或申诉不成立（rejected）"));
                None
            }
        };
        let who = format!("“{} {}”", ind.code, ind.name);
        let score = match status {
            Some(ObjectionStatus::Upheld) => match check_score(&who, ind, &self.score) {
                Ok(p) if p == current => {
                    errors.push(Invalid::new("score", "unchanged", format!("申诉成立应改定得分：{who}现为{current}分")));
                    None
                }
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            Some(_) if !self.score.trim().is_empty() => {
                errors.push(Invalid::new("score", "score_on_rejected", "申诉不成立时不改定得分"));
                None
            }
            _ => None,
        };
        let reason = parse_required_text("reason", "处理理由", &self.reason, TEXT_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        match status {
            Some(status) if errors.is_empty() => Ok(ValidDecision { status, score, reason }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
