//! 指标提纲 — a scheme's indicators and tiers as lines of text, the form in which a 工委 officer
//! writes and edits a scheme on the page (and pastes one from the document that announced it):
//!
//! ```text
//! 组织生活 | 50
//!   主题党日 | 30 | 组织生活按期落实 主题党日
//!   参会率 | 20 | 党员参加组织生活率
//! 工作实绩 | 50
//!   党建品牌 | 30 | 评分 | 有品牌、有载体、有成效
//! ```
//!
//! One indicator a line, indented by two spaces, a full-width space or a tab per level below the
//! first; fields separated by `|` or `｜`: name, points, how it is scored (empty or 评分 for an
//! assessor's score; a rule of the registry by name or code, then optionally a meeting kind, for
//! a computed one; nothing on a parent, whose points are its children's), and the 评分标准.
//! Tiers are one a line: `优秀 | 90 | 推荐评先表彰`. The lines become the same `IndicatorInput`s
//! and `TierInput`s the API takes, so the scheme's own checks (`SchemeInput::validate`) name
//! every remaining problem; what only the text can get wrong (a line indented two levels at
//! once, too many fields) is named here with its line number.

use crate::Invalid;

use super::scheme::{Indicator, IndicatorInput, Method, Tier, TierInput};

/// Words that mean "scored by an assessor" in the third field.
const SCORED: [&str; 3] = ["评分", "评分指标", "scored"];

fn fields(line: &str) -> Vec<String> {
    line.split(['|', '｜']).map(|f| f.trim().to_string()).collect()
}

/// The level of a line (0 for a first-level indicator) and its text without the indentation.
fn level_of(line: &str) -> (usize, &str) {
    let mut units = 0;
    let mut rest = line;
    loop {
        if let Some(r) = rest.strip_prefix('\t').or_else(|| rest.strip_prefix('　')) {
            units += 2;
            rest = r;
        } else if let Some(r) = rest.strip_prefix(' ') {
            units += 1;
            rest = r;
        } else {
            break;
        }
    }
    (units / 2, rest)
}

/// The indicators of an outline, or every problem of its shape at once (field `indicators`).
pub fn parse_indicators(text: &str) -> Result<Vec<IndicatorInput>, Vec<Invalid>> {
    let mut errors = Vec::new();
    // Each parsed line with its level; the tree is built from them afterwards.
    let mut lines: Vec<(usize, IndicatorInput)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let n = n + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let (level, rest) = level_of(raw.trim_end());
        let expected_max = lines.last().map_or(0, |(l, _)| l + 1);
        if level > expected_max {
            errors.push(Invalid::new("indicators", "outline_indent", format!("第{n}行缩进过深：下级指标每级缩进两个空格，且应紧跟在上级指标之后")));
            continue;
        }
        let f = fields(rest);
        if f.len() > 4 {
            errors.push(Invalid::new("indicators", "outline_fields", format!("第{n}行的栏目过多：应为“名称 | 分值 | 计分方式 | 评分标准”，评分标准中请勿使用“|”")));
            continue;
        }
        let get = |i: usize| f.get(i).cloned().unwrap_or_default();
        let how = get(2);
        let mut input = IndicatorInput { name: get(0), points: get(1), guide: get(3), ..IndicatorInput::default() };
        if how.is_empty() || SCORED.contains(&how.as_str()) {
            input.method = if how.is_empty() { String::new() } else { Method::Scored.code().into() };
        } else {
            let mut words = how.split_whitespace();
            input.method = Method::Computed.code().into();
            input.rule = words.next().unwrap_or_default().to_string();
            input.kind = words.collect::<Vec<_>>().join(" ");
        }
        lines.push((level, input));
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(Invalid::new("indicators", "required", "方案至少应有一项指标"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A line followed by a deeper one is a parent; a leaf with no way of scoring named is scored.
    let n = lines.len();
    for i in 0..n {
        let parent = i + 1 < n && lines[i + 1].0 > lines[i].0;
        if !parent && lines[i].1.method.is_empty() {
            lines[i].1.method = Method::Scored.code().into();
        }
    }
    Ok(build(&mut lines.into_iter().peekable(), 0))
}

fn build(lines: &mut std::iter::Peekable<std::vec::IntoIter<(usize, IndicatorInput)>>, level: usize) -> Vec<IndicatorInput> {
    let mut out: Vec<IndicatorInput> = Vec::new();
    while let Some((l, _)) = lines.peek() {
        match l.cmp(&level) {
            std::cmp::Ordering::Less => break,
            std::cmp::Ordering::Equal => {
                let (_, input) = lines.next().expect("peeked");
                out.push(input);
            }
            std::cmp::Ordering::Greater => {
                let children = build(lines, level + 1);
                if let Some(last) = out.last_mut() {
                    last.children = children;
                }
            }
        }
    }
    out
}

/// The outline of a scheme's indicators: what [`parse_indicators`] reads back to the same tree.
pub fn indicators_text(indicators: &[Indicator]) -> String {
    let mut out = String::new();
    for i in indicators {
        write_indicator(&mut out, i, 0);
    }
    out
}

fn write_indicator(out: &mut String, i: &Indicator, level: usize) {
    out.push_str(&"  ".repeat(level));
    out.push_str(&format!("{} | {}", i.name, i.points));
    let how = match (i.method, i.rule) {
        (Method::Computed, Some(r)) => match r.kind {
            Some(k) => format!("{} {}", r.rule.label(), k.label()),
            None => r.rule.label().to_string(),
        },
        (Method::Scored, _) => SCORED[0].to_string(),
        _ => String::new(),
    };
    if !how.is_empty() || !i.guide.is_empty() {
        out.push_str(&format!(" | {how}"));
    }
    if !i.guide.is_empty() {
        out.push_str(&format!(" | {}", i.guide.replace(['|', '｜', '\n'], " ")));
    }
    out.push('\n');
    for c in &i.children {
        write_indicator(out, c, level + 1);
    }
}

/// Tiers, one a line: `名称 | 最低分 | 结果运用`; an empty text keeps the default tiers.
pub fn parse_tiers(text: &str) -> Vec<TierInput> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f = fields(l);
            let get = |i: usize| f.get(i).cloned().unwrap_or_default();
            TierInput { name: get(0), min: get(1), outcome: get(2) }
        })
        .collect()
}

pub fn tiers_text(tiers: &[Tier]) -> String {
    tiers
        .iter()
        .map(|t| match t.outcome {
            Some(o) => format!("{} | {} | {}\n", t.name, t.min, o.label()),
            None => format!("{} | {}\n", t.name, t.min),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::scheme::SchemeInput;

    const OUTLINE: &str = "组织生活 | 50\n  主题党日 | 30 | 组织生活按期落实 主题党日\n  参会率 | 20 | attendance_rate\n工作实绩 | 50\n　党建品牌 | 30 | 评分 | 有品牌、有载体、有成效\n\t为民服务 | 20\n";

    fn scheme(indicators: Vec<IndicatorInput>, tiers: Vec<TierInput>) -> SchemeInput {
        SchemeInput { name: "年度考核".into(), scale: 100, period_kind: "year".into(), objection_days: None, tiers, indicators }
    }

    #[test]
    fn an_outline_becomes_the_tree_the_api_takes() {
        let ind = parse_indicators(OUTLINE).expect("parses");
        assert_eq!(ind.len(), 2);
        assert_eq!((ind[0].name.as_str(), ind[0].points.as_str(), ind[0].method.as_str()), ("组织生活", "50", ""));
        let theme = &ind[0].children[0];
        assert_eq!((theme.method.as_str(), theme.rule.as_str(), theme.kind.as_str()), ("computed", "组织生活按期落实", "主题党日"));
        assert_eq!(ind[0].children[1].rule, "attendance_rate");
        // A full-width space and a tab are a level each; a leaf with nothing named is scored.
        assert_eq!(ind[1].children.len(), 2);
        assert_eq!((ind[1].children[0].method.as_str(), ind[1].children[0].guide.as_str()), ("scored", "有品牌、有载体、有成效"));
        assert_eq!(ind[1].children[1].method, "scored");
        let valid = scheme(ind, Vec::new()).validate().expect("valid");
        assert_eq!(valid.leaves().len(), 4);
    }

    #[test]
    fn a_scheme_written_out_reads_back_the_same() {
        let tiers = parse_tiers("优秀 | 90 | 推荐评先表彰\n合格 | 60\n不合格 | 0 | 诫勉谈话\n");
        let valid = scheme(parse_indicators(OUTLINE).expect("parses"), tiers).validate().expect("valid");
        let again = scheme(parse_indicators(&indicators_text(&valid.indicators)).expect("reads back"), parse_tiers(&tiers_text(&valid.tiers))).validate().expect("valid again");
        assert_eq!(again, valid);
    }

    #[test]
    fn shape_errors_name_their_lines_all_at_once() {
        let e = parse_indicators("组织生活 | 50\n      太深 | 10\n工作 | 50 | 评分 | 标准 | 多余\n").expect_err("two errors");
        let msgs: Vec<&str> = e.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(e.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("第2行缩进过深"), "{msgs:?}");
        assert!(msgs[1].starts_with("第3行的栏目过多"), "{msgs:?}");
        assert_eq!(parse_indicators("  \n").expect_err("empty")[0].code, "required");
    }

    #[test]
    fn a_rule_unknown_to_the_registry_is_named_by_the_schemes_checks() {
        let e = scheme(parse_indicators("学习时长 | 100 | 学习积分\n").expect("shape is fine"), Vec::new()).validate().expect_err("unknown rule");
        assert!(e.iter().any(|i| i.code == "unknown_rule" && i.message.contains("学习积分")), "{e:?}");
    }
}
