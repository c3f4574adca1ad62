//! 考核方案 — an assessment scheme: a tree of indicators (考核指标) with points adding up to a
//! declared total — 100 points (百分制) or 1000 (千分制, seed 004's community classification) —
//! whose leaves are scored by assessors with evidence (评分指标) or computed from the records by a
//! rule of the registry (计算指标, `rule.rs`); and the tiers (等次) a total falls in, each with
//! the outcome it carries (seed 004 激励约束: "提拔使用18人，诫勉谈话16人，人事调整3人"; seed 000
//! 目标绩效考核: results tied to the year-end honours and the use of cadres).

use crate::period::PeriodKind;
use crate::text::{parse_name, parse_text};
use crate::{code_enum, Invalid};

use super::rule::RuleSpec;

/// Points in hundredths (1833 = 18.33 points): leaves may carry half points (2.5) and a share of
/// points (20 × 11/12) is kept to the hundredth, without floating point in sums and ranks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    pub fn whole(n: i64) -> Points {
        Points(n * 100)
    }

    /// Parses points as typed: `20`, `2.5`, `18.33`; not negative, at most two decimals.
    pub fn parse(field: &'static str, label: &str, s: &str) -> Result<Points, Invalid> {
        let t = s.trim();
        let bad = || Invalid::new(field, "invalid_points", format!("{label}“{}”不是有效的分值：应为不小于0、最多两位小数的数，如 20 或 2.5", t.chars().take(20).collect::<String>()));
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || int.len() > 7 || frac.len() > 2 || !digits(int) || !digits(frac) || (t.contains('.') && frac.is_empty()) {
            return Err(bad());
        }
        let whole: i64 = int.parse().map_err(|_| bad())?;
        let hundredths: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        Ok(Points(whole * 100 + hundredths))
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        Points(iter.map(|p| p.0).sum())
    }
}

impl std::fmt::Display for Points {
    /// `20`, `2.5`, `18.33`: no trailing zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (sign, v) = if self.0 < 0 { ("-", -self.0) } else { ("", self.0) };
        match v % 100 {
            0 => write!(f, "{sign}{}", v / 100),
            h if h % 10 == 0 => write!(f, "{sign}{}.{}", v / 100, h / 10),
            h => write!(f, "{sign}{}.{h:02}", v / 100),
        }
    }
}

impl serde::Serialize for Points {
    /// A JSON number of points (18.33).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

impl<'de> serde::Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = <f64 as serde::Deserialize>::deserialize(d)?;
        Ok(Points((v * 100.0).round() as i64))
    }
}

code_enum! {
    /// 指标类型 — how an indicator gets its points.
    Method {
        /// 分类指标: points are the sum of its children's.
        Group = "group" / "分类指标",
        /// 评分指标: an assessor scores it, with comments and evidence.
        Scored = "scored" / "评分指标",
        /// 计算指标: computed from the records by a rule of the registry.
        Computed = "computed" / "计算指标",
    }
}

code_enum! {
    /// 结果运用 — what a tier carries (seed 004 激励约束; seed 000 results tied to 评先评优 and
    /// 干部使用). Proposals for people to decide, like every outcome here.
    Outcome {
        Commendation = "commendation" / "推荐评先表彰",
        Promotion = "promotion" / "推荐提拔使用",
        Admonishment = "admonishment" / "诫勉谈话",
        Adjustment = "adjustment" / "组织调整",
    }
}

/// The totals a scheme may declare: 百分制 and 千分制 (seed 004).
pub const SCALES: [i64; 2] = [100, 1000];
pub const NAME_MAX: usize = 60;
pub const GUIDE_MAX: usize = 500;
pub const MAX_INDICATORS: usize = 300;
pub const MAX_DEPTH: usize = 4;
pub const MAX_TIERS: usize = 8;
const TIER_NAME_MAX: usize = 20;
/// 申诉期 when a scheme names none: a week, the common length of a 公示期 (a local choice, no
/// central rule fixes it).
pub const DEFAULT_OBJECTION_DAYS: u32 = 7;
pub const MAX_OBJECTION_DAYS: u32 = 30;

/// One indicator as typed, with its children.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IndicatorInput {
    pub name: String,
    /// 分值, e.g. `20` or `2.5`.
    pub points: String,
    /// `group` (or empty, with children), `scored` or `computed`.
    pub method: String,
    /// The rule of a computed indicator (`rule.rs`), e.g. `obligations_on_time`.
    pub rule: String,
    /// The meeting kind a rule counts, e.g. `branch_general_meeting`; empty for every kind.
    pub kind: String,
    /// 评分标准: what earns the points, shown to assessors and to the assessed.
    pub guide: String,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<IndicatorInput>,
}

/// A tier as typed: its name, the least total it takes (in points of the scale), its outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TierInput {
    pub name: String,
    /// 最低分, e.g. `90` (of 100) or `900` (of 1000).
    pub min: String,
    /// `commendation`, `promotion`, `admonishment`, `adjustment`, or empty for none.
    pub outcome: String,
}

/// 考核方案 as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SchemeInput {
    pub name: String,
    /// 总分: 100 or 1000.
    pub scale: i64,
    /// 考核周期: `year`, `half`, `quarter` or `month`.
    pub period_kind: String,
    /// 申诉期 in days after publishing; absent: 7.
    pub objection_days: Option<u32>,
    /// 等次; empty: 优秀 ≥ 90 %, 良好 ≥ 80 %, 一般 ≥ 60 %, 较差 below.
    pub tiers: Vec<TierInput>,
    pub indicators: Vec<IndicatorInput>,
}

/// An indicator of a valid scheme. `code` numbers it in its tree (`2`, `2.3`, `2.3.1`): scores,
/// objections and explanations name it so within the version that holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub points: Points,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleSpec>,
    #[serde(default)]
    pub guide: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<Indicator>,
}

/// 等次: totals from `min` up, and the outcome the tier carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tier {
    pub name: String,
    pub min: Points,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// A scheme that passed every check: what a version stores.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scheme {
    pub name: String,
    pub scale: i64,
    pub period_kind: PeriodKind,
    pub objection_days: u32,
    /// Highest first; the last starts at 0.
    pub tiers: Vec<Tier>,
    pub indicators: Vec<Indicator>,
}

impl Indicator {
    /// This indicator and everything below it, depth first.
    pub fn walk(&self) -> Vec<&Indicator> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }
}

impl Scheme {
    /// Every indicator, depth first (parents before their children, in order).
    pub fn all(&self) -> Vec<&Indicator> {
        self.indicators.iter().flat_map(Indicator::walk).collect()
    }

    /// The leaves: what is scored or computed.
    pub fn leaves(&self) -> Vec<&Indicator> {
        self.all().into_iter().filter(|i| i.method != Method::Group).collect()
    }

    pub fn find(&self, code: &str) -> Option<&Indicator> {
        self.all().into_iter().find(|i| i.code == code)
    }

    pub fn total(&self) -> Points {
        Points::whole(self.scale)
    }

    /// The tier a total falls in (the first whose least total it reaches).
    pub fn tier_of(&self, total: Points) -> &Tier {
        tier_of(&self.tiers, total)
    }
}

/// The tier of `total` among `tiers` (highest first, the last from 0).
pub fn tier_of(tiers: &[Tier], total: Points) -> &Tier {
    tiers.iter().find(|t| total >= t.min).unwrap_or_else(|| tiers.last().expect("a valid scheme has tiers"))
}

/// The default tiers for a total of `scale`: 优秀 from 90 %, 良好 from 80 %, 一般 from 60 %,
/// 较差 below; 优秀 is recommended for commendation (seed 000: results tied to 年终评先评优), 较差
/// carries an admonishment talk (seed 004 激励约束: 诫勉谈话).
pub fn default_tiers(scale: i64) -> Vec<Tier> {
    let at = |percent: i64| Points(scale * percent);
    vec![
        Tier { name: "优秀".into(), min: at(90), outcome: Some(Outcome::Commendation) },
        Tier { name: "良好".into(), min: at(80), outcome: None },
        Tier { name: "一般".into(), min: at(60), outcome: None },
        Tier { name: "较差".into(), min: Points::ZERO, outcome: Some(Outcome::Admonishment) },
    ]
}

impl SchemeInput {
    /// Checks the whole scheme and reports every problem at once: the total is 100 or 1000, the
    /// top indicators add up to it, every parent's children add up to the parent (each mismatch
    /// named), every leaf is scored or computed by a rule of the registry, tiers descend to 0.
    pub fn validate(&self) -> Result<Scheme, Vec<Invalid>> {
        let mut errors = Vec::new();
        let name = parse_name("name", "方案名称", &self.name, NAME_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        if !SCALES.contains(&self.scale) {
            errors.push(Invalid::new("scale", "invalid_scale", "总分应为100分（百分制）或1000分（千分制）"));
        }
        let period_kind = match PeriodKind::parse(&self.period_kind) {
            Some(k) if k != PeriodKind::Week => Some(k),
            _ => {
                errors.push(Invalid::new("period_kind", "invalid_period_kind", "考核周期应为年、半年、季度或月"));
                None
            }
        };
        let objection_days = self.objection_days.unwrap_or(DEFAULT_OBJECTION_DAYS);
        if objection_days > MAX_OBJECTION_DAYS {
            errors.push(Invalid::new("objection_days", "too_long", format!("申诉期最长{MAX_OBJECTION_DAYS}天")));
        }
        let scale = if SCALES.contains(&self.scale) { self.scale } else { 100 };
        let tiers = if self.tiers.is_empty() { default_tiers(scale) } else { check_tiers(&self.tiers, scale, &mut errors) };
        let mut count = 0;
        let indicators = check_level(&self.indicators, "", 1, &mut count, &mut errors);
        if self.indicators.is_empty() {
            errors.push(Invalid::new("indicators", "required", "方案至少应有一项指标"));
        } else if count > MAX_INDICATORS {
            errors.push(Invalid::new("indicators", "too_many", format!("方案最多{MAX_INDICATORS}项指标，现有{count}项")));
        }
        if SCALES.contains(&self.scale) && !self.indicators.is_empty() {
            let sum: Points = self.indicators.iter().filter_map(|i| Points::parse("indicators", "", &i.points).ok()).sum();
            if sum != Points::whole(self.scale) && self.indicators.iter().all(|i| Points::parse("indicators", "", &i.points).is_ok()) {
                errors.push(Invalid::new("indicators", "points_mismatch", format!("一级指标分值合计{sum}分，应等于总分{}分", self.scale)));
            }
        }
        match period_kind {
            Some(period_kind) if errors.is_empty() => Ok(Scheme { name, scale: self.scale, period_kind, objection_days, tiers, indicators }),
            _ => Err(errors),
        }
    }
}

/// Checks the indicators of one level (numbered after `prefix`), their children, and that each
/// parent's children add up to it.
fn check_level(level: &[IndicatorInput], prefix: &str, depth: usize, count: &mut usize, errors: &mut Vec<Invalid>) -> Vec<Indicator> {
    let mut out = Vec::new();
    for (i, input) in level.iter().enumerate() {
        *count += 1;
        let code = if prefix.is_empty() { format!("{}", i + 1) } else { format!("{prefix}.{}", i + 1) };
        let name = match parse_name("indicators", &format!("第{code}项指标的名称"), &input.name, NAME_MAX) {
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                format!("第{code}项")
            }
        };
        let label = format!("{code} {name}");
        if level[..i].iter().any(|o| o.name.trim() == input.name.trim()) && !input.name.trim().is_empty() {
            errors.push(Invalid::new("indicators", "duplicate_name", format!("指标“{label}”与同级的另一项同名")));
        }
        let points = match Points::parse("indicators", &format!("指标“{label}”的分值"), &input.points) {
            Ok(p) if p == Points::ZERO => {
                errors.push(Invalid::new("indicators", "zero_points", format!("指标“{label}”的分值应大于0")));
                p
            }
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                Points::ZERO
            }
        };
        let guide = parse_text("indicators", &format!("指标“{label}”的评分标准"), &input.guide, GUIDE_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        if depth > MAX_DEPTH && !input.children.is_empty() {
            errors.push(Invalid::new("indicators", "too_deep", format!("指标“{label}”的下级超过{MAX_DEPTH}级")));
        }
        let children = check_level(&input.children, &code, depth + 1, count, errors);
        let method = match (input.method.trim(), input.children.is_empty()) {
            ("" | "group" | "分类指标", false) => Some(Method::Group),
            (m, false) => {
                errors.push(Invalid::new("indicators", "leaf_method_on_parent", format!("指标“{label}”有下级指标，分值由下级合计，不能设为“{}”", Method::parse(m).map_or(m, |m| m.label()))));
                None
            }
            (m, true) => match Method::parse(m) {
                Some(Method::Group) | None => {
                    errors.push(Invalid::new("indicators", "method_required", format!("指标“{label}”没有下级指标，应设为评分指标或计算指标")));
                    None
                }
                Some(m) => Some(m),
            },
        };
        let rule = match method {
            Some(Method::Computed) => RuleSpec::parse(&label, &input.rule, &input.kind).map_err(|e| errors.push(e)).ok(),
            Some(_) if !input.rule.trim().is_empty() => {
                errors.push(Invalid::new("indicators", "rule_on_scored", format!("指标“{label}”不是计算指标，不能指定计算规则")));
                None
            }
            _ => None,
        };
        if !input.children.is_empty() && children.len() == input.children.len() {
            let all_parsed = input.children.iter().all(|c| Points::parse("indicators", "", &c.points).is_ok());
            let sum: Points = children.iter().map(|c| c.points).sum();
            if all_parsed && sum != points && points != Points::ZERO {
                errors.push(Invalid::new("indicators", "points_mismatch", format!("指标“{label}”的下级分值合计{sum}分，与该项分值{points}分不符")));
            }
        }
        if let Some(method) = method {
            out.push(Indicator { code, name, points, method, rule, guide, children });
        }
    }
    out
}

fn check_tiers(input: &[TierInput], scale: i64, errors: &mut Vec<Invalid>) -> Vec<Tier> {
    let mut out: Vec<Tier> = Vec::new();
    if input.len() > MAX_TIERS {
        errors.push(Invalid::new("tiers", "too_many", format!("等次最多{MAX_TIERS}档")));
    }
    for (i, t) in input.iter().enumerate() {
        let n = i + 1;
        let name = match parse_name("tiers", &format!("第{n}档等次的名称"), &t.name, TIER_NAME_MAX) {
            Ok(name) => name,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if out.iter().any(|o| o.name == name) {
            errors.push(Invalid::new("tiers", "duplicate_name", format!("等次“{name}”重复")));
        }
        let min = match Points::parse("tiers", &format!("等次“{name}”的最低分"), &t.min) {
            Ok(m) if m > Points::whole(scale) => {
                errors.push(Invalid::new("tiers", "over_scale", format!("等次“{name}”的最低分{m}分超过总分{scale}分")));
                continue;
            }
            Ok(m) => m,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(prev) = out.last()
            && min >= prev.min
        {
            errors.push(Invalid::new("tiers", "not_descending", format!("等次应从高到低排列：“{name}”的最低分{min}分不低于上一档“{}”的{}分", prev.name, prev.min)));
        }
        let outcome = match t.outcome.trim() {
            "" => None,
            o => match Outcome::parse(o) {
                Some(o) => Some(o),
                None => {
                    errors.push(Invalid::new("tiers", "invalid_outcome", format!("等次“{name}”的结果运用应为推荐评先表彰、推荐提拔使用、诫勉谈话、组织调整或不填")));
                    None
                }
            },
        };
        out.push(Tier { name, min, outcome });
    }
    if out.last().is_some_and(|t| t.min != Points::ZERO) {
        errors.push(Invalid::new("tiers", "lowest_not_zero", "最低一档的最低分应为0分，使每个总分都有等次"));
    }
    out
}

#[cfg(feature = "sql")]
mod column {
    use sea_orm::sea_query::{Nullable, Value};
    use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable};

    use super::Points;

    /// Points are kept as BIGINT hundredths.
    impl TryGetable for Points {
        fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
            i64::try_get_by(res, index).map(Points)
        }
    }

    impl From<Points> for Value {
        fn from(p: Points) -> Value {
            Value::BigInt(Some(p.0))
        }
    }

    impl Nullable for Points {
        fn null() -> Value {
            Value::BigInt(None)
        }
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;

    impl utoipa::PartialSchema for super::Points {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new().schema_type(Type::Number).description(Some("分值，最多两位小数")).into()
        }
    }

    impl utoipa::ToSchema for super::Points {}
}

#[cfg(test)]
mod tests;
