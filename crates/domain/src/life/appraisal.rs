//! 民主评议党员 — member appraisal (issue 10; DOMAIN.md "Organisational life"). A round runs
//! 个人自评 → 党员互评 → 民主测评, then the branch grades each member (教育管理条例 art. 18) and
//! publishes the grades. A member who falls short may be asked to correct within a set time of
//! at most a year, persuaded to leave (劝退), or removed (除名, a 支部大会 decision approved by the
//! superior: 党章 art. 9; 教育管理条例 art. 30–31). No regulation ties these steps to a grade by
//! itself: the software proposes, the branch decides and records what it decided.

use chrono::{Months, NaiveDate};

use crate::text::{parse_optional_name, parse_required_text, parse_text};
use crate::{code_enum, time, Invalid};

code_enum! {
    /// 评定等次 — the grade the branch gives (DOMAIN.md canonical codes).
    Grade {
        Excellent = "excellent" / "优秀",
        Qualified = "qualified" / "合格",
        BasicallyQualified = "basically_qualified" / "基本合格",
        Unqualified = "unqualified" / "不合格",
    }
}

code_enum! {
    /// 评议阶段 — the stages of a round, in the order they run.
    Stage {
        SelfAssessment = "self_assessment" / "个人自评",
        PeerReview = "peer_review" / "党员互评",
        Ballot = "ballot" / "民主测评",
        Grading = "grading" / "组织评定",
        Published = "published" / "结果公布",
    }
}

code_enum! {
    /// 后续处理 — what the branch decided for a member graded 基本合格 or 不合格.
    FollowUpKind {
        Correct = "correct" / "限期改正",
        Persuade = "persuade" / "劝退",
        Remove = "remove" / "除名",
    }
}

/// 自评、互评意见 and decisions: a page of text at most.
pub const TEXT_MAX: usize = 2000;
/// 评定说明 of one member's grade.
pub const NOTE_MAX: usize = 200;

impl Grade {
    /// Falls short: 基本合格 and 不合格 are the grades follow-ups are proposed for.
    pub fn falls_short(self) -> bool {
        matches!(self, Grade::BasicallyQualified | Grade::Unqualified)
    }
}

impl Stage {
    pub fn next(self) -> Option<Stage> {
        let i = Stage::ALL.iter().position(|s| *s == self)?;
        Stage::ALL.get(i + 1).copied()
    }

    /// Moving a round from `self` to `to`: only to the next stage; a skipped stage is named.
    pub fn check_advance(self, to: Stage) -> Result<(), Invalid> {
        if to <= self {
            return Err(Invalid::new("stage", "stage_done", format!("本次评议已进入“{}”阶段，不能回到“{}”", self.label(), to.label())));
        }
        let skipped: Vec<&str> = Stage::ALL.iter().filter(|s| **s > self && **s < to).map(|s| s.label()).collect();
        if !skipped.is_empty() {
            return Err(Invalid::new("stage", "stage_skipped", format!("不能跳过“{}”阶段：本次评议当前处于“{}”阶段", skipped.join("”“"), self.label())));
        }
        Ok(())
    }

    /// Writing what belongs to stage `what` while the round is at `self`: only in that stage.
    pub fn check_writing(self, what: Stage) -> Result<(), Invalid> {
        if self == what {
            return Ok(());
        }
        let field = match what {
            Stage::SelfAssessment => "self_assessment",
            Stage::PeerReview => "peer_review",
            Stage::Ballot => "tallies",
            Stage::Grading => "grades",
            Stage::Published => "follow_up",
        };
        if what < self {
            Err(Invalid::new(field, "stage_done", format!("“{}”阶段已结束，本次评议当前处于“{}”阶段", what.label(), self.label())))
        } else {
            Err(Invalid::new(field, "stage_not_reached", format!("尚未进入“{}”阶段：本次评议当前处于“{}”阶段，须依次完成", what.label(), self.label())))
        }
    }
}

/// 民主测评票数 — how the paper ballots graded one member. Only the counts are kept: the
/// software never learns who voted what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Votes {
    pub excellent: u32,
    pub qualified: u32,
    pub basically_qualified: u32,
    pub unqualified: u32,
}

impl Votes {
    pub fn total(&self) -> u64 {
        [self.excellent, self.qualified, self.basically_qualified, self.unqualified].iter().map(|n| u64::from(*n)).sum()
    }

    /// 建议等次: the grade with the most votes. A tie or no votes proposes nothing: the branch
    /// weighs it (the software proposes, people decide).
    pub fn proposal(&self) -> Option<Grade> {
        let counts = [(Grade::Excellent, self.excellent), (Grade::Qualified, self.qualified), (Grade::BasicallyQualified, self.basically_qualified), (Grade::Unqualified, self.unqualified)];
        let top = counts.iter().map(|c| c.1).max().unwrap_or(0);
        let mut best = counts.iter().filter(|c| c.1 == top && top > 0);
        match (best.next(), best.next()) {
            (Some(g), None) => Some(g.0),
            _ => None,
        }
    }
}

/// One member's counts as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TallyInput {
    pub member_id: i64,
    #[serde(flatten)]
    pub votes: Votes,
}

/// 民主测评 as recorded from the paper ballots: the meeting it was held at (a record of kind
/// 民主评议党员), the valid ballots collected and each member's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct BallotInput {
    pub meeting_id: i64,
    /// 收回有效票.
    pub ballots: u32,
    pub tallies: Vec<TallyInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBallot {
    pub meeting_id: i64,
    pub ballots: u32,
    pub tallies: Vec<(i64, Votes)>,
}

impl BallotInput {
    /// Checks the counts against the members appraised (`(id, name)`): no more ballots than
    /// members, no member with more votes than ballots, every member counted once. Every problem
    /// at once, each naming its member.
    pub fn validate(&self, appraised: &[(i64, String)]) -> Result<ValidBallot, Vec<Invalid>> {
        let mut errors = Vec::new();
        if self.meeting_id <= 0 {
            errors.push(Invalid::new("meeting_id", "required", "请选择召开民主测评的会议记录（会议类别含“民主评议党员”）"));
        }
        let n = appraised.len() as u32;
        if self.ballots == 0 {
            errors.push(Invalid::new("ballots", "required", "请填写收回的有效票数"));
        } else if self.ballots > n {
            errors.push(Invalid::new("ballots", "more_ballots_than_members", format!("收回有效票{}张，多于参加评议的党员{n}人", self.ballots)));
        }
        let name = |id: i64| appraised.iter().find(|a| a.0 == id).map(|a| a.1.clone());
        let mut tallies = Vec::new();
        for t in &self.tallies {
            let Some(who) = name(t.member_id) else {
                errors.push(Invalid::new("tallies", "not_appraised", format!("党员（编号{}）不在本次评议的名单中", t.member_id)));
                continue;
            };
            if tallies.iter().any(|(id, _)| *id == t.member_id) {
                errors.push(Invalid::new("tallies", "duplicate", format!("{who}的测评票数登记了两次")));
                continue;
            }
            if t.votes.total() > u64::from(self.ballots) {
                errors.push(Invalid::new("tallies", "more_votes_than_ballots", format!("{who}的测评票共{}票，多于收回的有效票{}张", t.votes.total(), self.ballots)));
                continue;
            }
            tallies.push((t.member_id, t.votes));
        }
        for (id, who) in appraised {
            if !self.tallies.iter().any(|t| t.member_id == *id) {
                errors.push(Invalid::new("tallies", "missing", format!("缺少{who}的测评票数")));
            }
        }
        if errors.is_empty() {
            Ok(ValidBallot { meeting_id: self.meeting_id, ballots: self.ballots, tallies })
        } else {
            Err(errors)
        }
    }
}

/// The branch's grade for one member as typed: a code or a label, and a note.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GradeInput {
    pub member_id: i64,
    /// `excellent`, `qualified`, `basically_qualified`, `unqualified` (or 优秀/合格/基本合格/不合格).
    pub grade: String,
    /// 评定说明, optional.
    pub note: String,
}

/// Checks grades (all or some of the members: the branch may grade in several sittings).
pub fn check_grades(input: &[GradeInput], appraised: &[(i64, String)]) -> Result<Vec<(i64, Grade, String)>, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut out: Vec<(i64, Grade, String)> = Vec::new();
    for g in input {
        let Some(who) = appraised.iter().find(|a| a.0 == g.member_id).map(|a| &a.1) else {
            errors.push(Invalid::new("grades", "not_appraised", format!("党员（编号{}）不在本次评议的名单中", g.member_id)));
            continue;
        };
        let Some(grade) = Grade::parse(&g.grade) else {
            errors.push(Invalid::new("grades", "invalid_grade", format!("{who}的评定等次应为优秀、合格、基本合格或不合格")));
            continue;
        };
        match parse_optional_name("grades", "评定说明", &g.note, NOTE_MAX) {
            Ok(note) if !out.iter().any(|o| o.0 == g.member_id) => out.push((g.member_id, grade, note)),
            Ok(_) => errors.push(Invalid::new("grades", "duplicate", format!("{who}的评定等次登记了两次"))),
            Err(e) => errors.push(Invalid::new("grades", e.code, format!("{who}：{}", e.message))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// 建议的后续处理 — what the software proposes for a grade, with its source. Proposals only:
/// the branch decides (DOMAIN.md).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub kind: FollowUpKind,
    pub text: &'static str,
}

pub fn proposals(grade: Grade) -> Vec<Proposal> {
    if !grade.falls_short() {
        return Vec::new();
    }
    vec![
        Proposal { kind: FollowUpKind::Correct, text: "限期改正：期限最长一年（教育管理条例第30条）" },
        Proposal { kind: FollowUpKind::Persuade, text: "劝退：经教育仍无转变的，劝其退党（教育管理条例第30条）" },
        Proposal { kind: FollowUpKind::Remove, text: "除名：须经支部大会讨论决定，并报上级党组织批准（党章第九条；教育管理条例第31条）" },
    ]
}

/// 处理决定 as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FollowUpInput {
    /// `correct`, `persuade` or `remove` (or 限期改正/劝退/除名).
    pub kind: String,
    /// 决定日期, `YYYY-MM-DD`.
    pub decided_on: String,
    /// 改正期限 of a 限期改正, `YYYY-MM-DD`: at most a year after the decision.
    pub deadline: String,
    /// 决定内容.
    pub decision: String,
    /// 上级党组织批准情况: required for 除名.
    pub approval: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFollowUp {
    pub kind: FollowUpKind,
    pub decided_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub decision: String,
    pub approval: String,
}

impl FollowUpInput {
    /// Checks a decision for a member graded `grade`, on `today`; every problem at once.
    pub fn validate(&self, grade: Grade, today: NaiveDate) -> Result<ValidFollowUp, Vec<Invalid>> {
        let mut errors = Vec::new();
        if !grade.falls_short() {
            errors.push(Invalid::new("kind", "not_short", format!("评定为{}的党员无需后续处理", grade.label())));
        }
        let kind = FollowUpKind::parse(&self.kind);
        if kind.is_none() {
            errors.push(Invalid::new("kind", "invalid_kind", "处理方式应为限期改正、劝退或除名"));
        }
        let decided_on = match time::parse_date("decided_on", "决定日期", &self.decided_on) {
            Ok(d) if d > today => {
                errors.push(Invalid::new("decided_on", "future", "决定日期不能晚于今天"));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut deadline = None;
        if kind == Some(FollowUpKind::Correct) {
            if self.deadline.trim().is_empty() {
                errors.push(Invalid::new("deadline", "required", "限期改正须填写改正期限"));
            } else {
                match time::parse_date("deadline", "改正期限", &self.deadline) {
                    Ok(d) => match decided_on {
                        Some(from) if d <= from => errors.push(Invalid::new("deadline", "before_decision", "改正期限应晚于决定日期")),
                        // 教育管理条例 art. 30: 限期改正 for at most a year.
                        Some(from) if from.checked_add_months(Months::new(12)).is_some_and(|limit| d > limit) => errors.push(Invalid::new(
                            "deadline",
                            "over_a_year",
                            format!("限期改正的期限最长一年（教育管理条例第30条）：决定于{}，期限最晚至{}", time::format_date(from), from.checked_add_months(Months::new(12)).map(time::format_date).unwrap_or_default()),
                        )),
                        _ => deadline = Some(d),
                    },
                    Err(e) => errors.push(e),
                }
            }
        }
        let decision = parse_required_text("decision", "决定内容", &self.decision, TEXT_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        let approval = parse_text("approval", "上级党组织批准情况", &self.approval, NOTE_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        // 党章 art. 9; 教育管理条例 art. 31: 除名 is a 支部大会 decision approved by the superior.
        if kind == Some(FollowUpKind::Remove) && self.approval.trim().is_empty() {
            errors.push(Invalid::new("approval", "approval_required", "除名须经支部大会讨论决定并报上级党组织批准（党章第九条；教育管理条例第31条），请填写上级党组织的批准情况"));
        }
        match (kind, decided_on) {
            (Some(kind), Some(decided_on)) if errors.is_empty() => Ok(ValidFollowUp { kind, decided_on, deadline, decision, approval }),
            _ => Err(errors),
        }
    }
}

/// 自评 or 互评意见: required text of a page at most.
pub fn parse_assessment(field: &'static str, label: &str, s: &str) -> Result<String, Invalid> {
    parse_required_text(field, label, s, TEXT_MAX)
}

/// A round's year: this year or an earlier one since the platform's records begin.
pub fn check_year(year: i32, today: NaiveDate) -> Result<i32, Invalid> {
    use chrono::Datelike;
    if !(2000..=today.year()).contains(&year) {
        return Err(Invalid::new("year", "invalid_year", format!("评议年度应在2000年至{}年之间", today.year())));
    }
    Ok(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn members() -> Vec<(i64, String)> {
        vec![(1, "张三".into()), (2, "李四".into()), (3, "王五".into())]
    }

    fn votes(e: u32, q: u32, b: u32, u: u32) -> Votes {
        Votes { excellent: e, qualified: q, basically_qualified: b, unqualified: u }
    }

    #[test]
    fn stages_run_in_order_and_a_skipped_one_is_named() {
        assert_eq!(Stage::SelfAssessment.next(), Some(Stage::PeerReview));
        assert_eq!(Stage::Published.next(), None);
        assert!(Stage::PeerReview.check_advance(Stage::Ballot).is_ok());
        let e = Stage::SelfAssessment.check_advance(Stage::Ballot).expect_err("skips 互评");
        assert_eq!(e.code, "stage_skipped");
        assert!(e.message.contains("党员互评"), "{}", e.message);
        assert_eq!(Stage::Ballot.check_advance(Stage::PeerReview).expect_err("back").code, "stage_done");
        assert_eq!(Stage::PeerReview.check_writing(Stage::Ballot).expect_err("early").code, "stage_not_reached");
        assert_eq!(Stage::Ballot.check_writing(Stage::SelfAssessment).expect_err("late").code, "stage_done");
    }

    #[test]
    fn the_proposal_is_the_grade_with_most_votes_and_a_tie_proposes_nothing() {
        assert_eq!(votes(2, 7, 1, 0).proposal(), Some(Grade::Qualified));
        assert_eq!(votes(0, 2, 6, 2).proposal(), Some(Grade::BasicallyQualified));
        assert_eq!(votes(4, 4, 0, 0).proposal(), None);
        assert_eq!(votes(0, 0, 0, 0).proposal(), None);
    }

    #[test]
    fn ballots_and_tallies_are_checked_against_the_members_all_at_once() {
        let ok = BallotInput { meeting_id: 5, ballots: 3, tallies: vec![TallyInput { member_id: 1, votes: votes(1, 2, 0, 0) }, TallyInput { member_id: 2, votes: votes(0, 3, 0, 0) }, TallyInput { member_id: 3, votes: votes(0, 1, 1, 0) }] };
        assert_eq!(ok.validate(&members()).expect("valid").tallies.len(), 3);
        let bad = BallotInput { meeting_id: 0, ballots: 4, tallies: vec![TallyInput { member_id: 1, votes: votes(3, 2, 0, 0) }, TallyInput { member_id: 9, votes: Votes::default() }] };
        let codes: Vec<_> = bad.validate(&members()).expect_err("refused").iter().map(|e| e.code).collect();
        assert_eq!(codes, ["required", "more_ballots_than_members", "more_votes_than_ballots", "not_appraised", "missing", "missing"]);
        // A member's votes may equal the ballots (李四 above), not exceed them.
        let mut over = ok.clone();
        over.tallies[1].votes.qualified = 4;
        assert_eq!(over.validate(&members()).expect_err("over")[0].code, "more_votes_than_ballots");
    }

    #[test]
    fn grades_take_codes_or_labels_and_name_the_member() {
        let g = check_grades(&[GradeInput { member_id: 1, grade: "优秀".into(), note: String::new() }, GradeInput { member_id: 2, grade: "basically_qualified".into(), note: "学习不够".into() }], &members()).expect("ok");
        assert_eq!(g[1].1, Grade::BasicallyQualified);
        let e = check_grades(&[GradeInput { member_id: 3, grade: "良好".into(), note: String::new() }], &members()).expect_err("no such grade");
        assert!(e[0].message.contains("王五"));
    }

    fn follow_up(kind: &str, decided: &str, deadline: &str) -> FollowUpInput {
        FollowUpInput { kind: kind.into(), decided_on: decided.into(), deadline: deadline.into(), decision: "支部委员会研究决定".into(), approval: String::new() }
    }

    #[test]
    fn a_correction_deadline_is_at_most_a_year_after_the_decision() {
        let today = day(2026, 12, 2);
        let f = follow_up("correct", "2026-01-15", "2027-01-15").validate(Grade::BasicallyQualified, today).expect("a year is allowed");
        assert_eq!(f.deadline, Some(day(2027, 1, 15)));
        let e = follow_up("correct", "2026-01-15", "2027-01-16").validate(Grade::BasicallyQualified, today).expect_err("a day more is not");
        assert_eq!(e[0].code, "over_a_year");
        assert!(e[0].message.contains("教育管理条例第30条") && e[0].message.contains("2027-01-15"), "{}", e[0].message);
        assert_eq!(follow_up("correct", "2026-01-15", "").validate(Grade::Unqualified, today).expect_err("needs one")[0].code, "required");
    }

    #[test]
    fn a_round_is_of_this_year_or_an_earlier_one_and_a_decision_is_not_in_the_future() {
        let today = day(2026, 12, 2);
        assert_eq!(check_year(2026, today), Ok(2026));
        assert_eq!(check_year(2027, today).expect_err("next year").code, "invalid_year");
        assert_eq!(check_year(1999, today).expect_err("too early").code, "invalid_year");
        let e = follow_up("persuade", "2026-12-03", "").validate(Grade::Unqualified, today).expect_err("tomorrow");
        assert_eq!(e[0].code, "future");
    }

    #[test]
    fn removal_needs_the_superiors_approval_and_a_passing_grade_needs_nothing() {
        let today = day(2026, 12, 2);
        let e = follow_up("remove", "2026-03-01", "").validate(Grade::Unqualified, today).expect_err("no approval");
        assert_eq!(e[0].code, "approval_required");
        assert!(e[0].message.contains("党章第九条"));
        let mut ok = follow_up("remove", "2026-03-01", "");
        ok.approval = "2026年3月10日经机关党委批准".into();
        assert_eq!(ok.validate(Grade::Unqualified, today).expect("approved").kind, FollowUpKind::Remove);
        assert_eq!(follow_up("correct", "2026-03-01", "2026-09-01").validate(Grade::Qualified, today).expect_err("not short")[0].code, "not_short");
        assert!(proposals(Grade::Qualified).is_empty());
        assert_eq!(proposals(Grade::BasicallyQualified).len(), 3);
    }
}
