//! 计算规则 — the one registry of the rules a computed indicator (计算指标) may name: each counts
//! facts that people already recorded (DESIGN.md "Records, not re-entry") and turns them into a
//! share of the indicator's points. Later areas add their rules here (opinions resolved, pairing
//! matters done), so that every rule is documented and tested in one place.
//!
//! Never a rule here (DESIGN.md "No check-in culture"; DOMAIN.md "What is never built",
//! 国办函〔2026〕12号): study time, log-in or check-in counts, likes, votes on posts, reposts, or
//! anything else that measures time spent in an app rather than work done. A unit test below
//! fails when a rule whose code or label speaks of them is added.

use crate::code_enum;
use crate::life::obligation::ObligationKind;
use crate::Invalid;

use super::scheme::Points;

code_enum! {
    /// 计算规则 — what a computed indicator counts.
    RuleCode {
        /// 组织生活按期落实: the obligations (三会一课 and the rest, `life::obligation`) of one
        /// kind, or of every kind when none is named, owed by the organisation in the period, and
        /// how many of them were met by their due date. Points × met on time ÷ owed; an
        /// organisation that owed nothing of the kind has met everything.
        ObligationsOnTime = "obligations_on_time" / "组织生活按期落实",
        /// 党员参加组织生活率: over the organisation's meeting records of the period (of one kind,
        /// or of every kind), the attendance lines marked present (出席) ÷ all attendance lines
        /// (出席、请假、缺席: leave is no lapse, DOMAIN.md, but it is not attendance either).
        /// Points × that rate; no attendance line in the period scores nothing.
        AttendanceRate = "attendance_rate" / "党员参加组织生活率",
        /// 工作报告按时报送: of the reports the organisation had to submit in the period (党建
        /// 工作定期汇报制度, seed 004), those submitted by their deadline and accepted. Points ×
        /// on time ÷ due; none due scores full points.
        ReportsOnTime = "reports_on_time" / "工作报告按时报送",
        /// 函询整改完成: of the rectification items of inspection letters (函询/函告, seed 004)
        /// due in the period, those closed by their deadline. Points × closed ÷ due; none due
        /// scores full points.
        RectificationsClosed = "rectifications_closed" / "函询整改按期完成",
        /// 述职评议满意度 (seed 001: 党组(党委)书记抓基层党建述职评议考核): over the closed
        /// 述职评议 rounds of the organisation's secretary in the period, (满意 + 基本满意) ÷
        /// ballots cast. Points × that rate; no closed round, or none voted, scores nothing.
        ReviewSatisfaction = "review_satisfaction" / "述职评议满意率",
    }
}

impl RuleCode {
    /// Whether the rule takes a meeting kind as its parameter.
    pub fn takes_kind(self) -> bool {
        matches!(self, RuleCode::ObligationsOnTime | RuleCode::AttendanceRate)
    }

    /// Where the rule's facts come from, for the page that explains a score.
    pub fn source(self) -> &'static str {
        match self {
            RuleCode::ObligationsOnTime => "组织生活落实情况（按规则计算的应开、已开、按期）",
            RuleCode::AttendanceRate => "会议记录的出席情况",
            RuleCode::ReportsOnTime => "工作报告的报送记录",
            RuleCode::RectificationsClosed => "函询整改事项的销号记录",
            RuleCode::ReviewSatisfaction => "述职评议的计票结果（已结束的评议）",
        }
    }
}

/// A computed indicator's rule with its parameters, as validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSpec {
    pub rule: RuleCode,
    /// The meeting kind counted (`obligations_on_time`, `attendance_rate`); absent: every kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ObligationKind>,
}

impl RuleSpec {
    /// Parses a rule and its kind as typed; `label` names the indicator in messages.
    pub fn parse(label: &str, rule: &str, kind: &str) -> Result<RuleSpec, Invalid> {
        let Some(code) = RuleCode::parse(rule) else {
            let known = RuleCode::ALL.iter().map(|r| format!("{}（{}）", r.label(), r.code())).collect::<Vec<_>>().join("、");
            return Err(Invalid::new("indicators", "unknown_rule", format!("指标“{label}”的计算规则“{}”不在规则库中，可选：{known}", rule.trim().chars().take(40).collect::<String>())));
        };
        let kind = match kind.trim() {
            "" => None,
            k if code.takes_kind() => Some(ObligationKind::parse(k).ok_or_else(|| {
                Invalid::new("indicators", "unknown_kind", format!("指标“{label}”的会议类别“{}”无法识别", k.chars().take(40).collect::<String>()))
            })?),
            _ => return Err(Invalid::new("indicators", "kind_not_taken", format!("指标“{label}”的计算规则“{}”不按会议类别计算，请勿填写会议类别", code.label()))),
        };
        Ok(RuleSpec { rule: code, kind })
    }

    /// The rule as a person reads it: 组织生活按期落实（支部党员大会）.
    pub fn describe(&self) -> String {
        match self.kind {
            Some(k) => format!("{}（{}）", self.rule.label(), k.label()),
            None => self.rule.label().to_string(),
        }
    }
}

/// The points earned for `done` of `due`: points × done ÷ due, rounded half up to the
/// hundredth of a point. Nothing due earns `if_none_due` (full points for obligations, reports
/// and rectifications: nothing was missed; nothing for attendance: nobody attended).
pub fn share(points: Points, done: u64, due: u64, if_none_due: Points) -> Points {
    if due == 0 {
        return if_none_due;
    }
    let done = done.min(due) as i128;
    let p = i128::from(points.0);
    Points(((2 * p * done + due as i128) / (2 * due as i128)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_holds_no_check_in_rule() {
        // DESIGN.md "No check-in culture"; DOMAIN.md "What is never built": study time, log-ins,
        // check-ins, likes, votes on posts and reposts are never assessment criteria.
        let banned_codes = ["study", "hours", "minutes", "login", "log_in", "check_in", "checkin", "sign_in", "like", "vote", "repost", "forward", "online"];
        let banned_labels = ["学时", "时长", "学习时间", "登录", "签到", "打卡", "点赞", "投票", "转发", "在线", "积分"];
        for r in RuleCode::ALL {
            for b in banned_codes {
                assert!(!r.code().contains(b), "rule {} looks like a check-in rule ({b})", r.code());
            }
            for b in banned_labels {
                assert!(!r.label().contains(b), "rule {} looks like a check-in rule ({b})", r.label());
            }
        }
        // And the registry is exactly the rules documented above: adding one is a reviewed change.
        let codes: Vec<&str> = RuleCode::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes, ["obligations_on_time", "attendance_rate", "reports_on_time", "rectifications_closed", "review_satisfaction"]);
    }

    #[test]
    fn a_rule_is_parsed_with_its_kind_and_a_wrong_one_is_named() {
        let r = RuleSpec::parse("三会一课", "obligations_on_time", "支部党员大会").expect("rule");
        assert_eq!(r, RuleSpec { rule: RuleCode::ObligationsOnTime, kind: Some(ObligationKind::BranchGeneralMeeting) });
        assert_eq!(r.describe(), "组织生活按期落实（支部党员大会）");
        assert_eq!(RuleSpec::parse("x", "党员参加组织生活率", "").expect("by label").kind, None);
        let e = RuleSpec::parse("学习强国", "study_time", "").expect_err("no such rule");
        assert_eq!(e.code, "unknown_rule");
        assert!(e.message.contains("学习强国"), "{}", e.message);
        assert_eq!(RuleSpec::parse("报告", "reports_on_time", "theme_day").expect_err("no kind").code, "kind_not_taken");
        assert_eq!(RuleSpec::parse("会", "attendance_rate", "茶话会").expect_err("kind").code, "unknown_kind");
    }

    #[test]
    fn a_share_rounds_half_up_and_nothing_due_scores_as_told() {
        assert_eq!(share(Points(2000), 11, 12, Points(2000)), Points(1833));
        assert_eq!(share(Points(1000), 1, 8, Points::ZERO), Points(125));
        assert_eq!(share(Points(100), 1, 3, Points::ZERO), Points(33));
        assert_eq!(share(Points(100), 2, 3, Points::ZERO), Points(67));
        assert_eq!(share(Points(500), 0, 0, Points(500)), Points(500));
        assert_eq!(share(Points(500), 0, 0, Points::ZERO), Points::ZERO);
        assert_eq!(share(Points(500), 9, 4, Points::ZERO), Points(500), "more done than due is all done");
    }
}
