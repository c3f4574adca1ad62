//! 党建工作定期汇报 — seed 004's 《党建工作定期汇报制度》: quarterly, half-yearly and year-end
//! reports passed up level by level (branch → 党委 → 组织部 → 常委会). A superior defines a
//! report (its period, deadline, required sections, whether attachments are required, and the
//! subtree it goes to); each organisation there submits; the one above reviews it (accept /
//! return with comments / accept late); a returned report is corrected and resubmitted. Every
//! transition is a pure function here, and every one is kept as history by the store.
//!
//! Records, not re-entry (DESIGN.md): a report's figures are computed from the records, each
//! with its source ([`FigureSet`]), and a submitted report keeps them as they were.

use chrono::NaiveDate;

use crate::life::obligation::ObligationKind;
use crate::member::{EventKind, Status as MemberStatus};
use crate::org::OrgKind;
use crate::period::{Period, PeriodKind};
use crate::text::{parse_name, parse_required_text, parse_text, NOTE_MAX};
use crate::time::{self, Date};
use crate::{code_enum, Invalid};

code_enum! {
    /// 报送状态 — where a submission stands.
    State {
        Draft = "draft" / "草稿",
        Submitted = "submitted" / "已报送",
        Returned = "returned" / "已退回",
        Accepted = "accepted" / "已通过",
        AcceptedLate = "accepted_late" / "逾期通过",
    }
}

code_enum! {
    /// 办理环节 — one transition of a submission, as its history keeps it.
    Step {
        Open = "open" / "起草",
        Submit = "submit" / "报送",
        Resubmit = "resubmit" / "重新报送",
        Accept = "accept" / "通过",
        Return = "return" / "退回",
        AcceptLate = "accept_late" / "逾期通过",
    }
}

code_enum! {
    /// 数据来源 — the records a figure is computed from.
    FigureSource {
        LifeRecords = "life_records" / "组织生活记录",
        Attendance = "attendance" / "会议出席记录",
        MemberCounts = "member_counts" / "党员统计",
        MemberHistory = "member_history" / "党员档案变动记录",
        BranchReports = "branch_reports" / "下级党组织汇报",
    }
}

/// 汇报名称.
pub const TITLE_MAX: usize = 60;
/// 汇报部分标题.
pub const SECTION_TITLE_MAX: usize = 40;
/// Sections a schedule may require: a report of more parts is a document to attach.
pub const SECTIONS_MAX: usize = 20;
/// One section's text: a few pages.
pub const SECTION_TEXT_MAX: usize = 5000;
/// 退回意见 and review remarks.
pub const COMMENT_MAX: usize = 1000;

/// Who reports upward under a schedule: the grassroots organisations that hold members and
/// their party work — 党委, 机关党委, 党总支, 党支部, 联合党支部. Seed 004: 基层党组织向党委、
/// 党委向组织部 report level by level. A 党组 holds no members and leads its unit's work (its
/// report is a leadership matter, not this one); a 党小组 reports through its branch; a
/// 临时党支部 lives for a training class or a mission and is not asked for periodic reports.
pub fn reports_upward(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::Committee | OrgKind::AgencyCommittee | OrgKind::GeneralBranch | OrgKind::Branch | OrgKind::JointBranch)
}

impl State {
    /// The submitting organisation may still write the text: a draft, or a report returned to it.
    pub fn editable(self) -> bool {
        matches!(self, State::Draft | State::Returned)
    }

    /// Reviewed and closed: nothing moves it any more.
    pub fn accepted(self) -> bool {
        matches!(self, State::Accepted | State::AcceptedLate)
    }

    /// Counts as submitted in the superior's list (submitted, under review or accepted).
    pub fn is_in(self) -> bool {
        matches!(self, State::Submitted | State::Accepted | State::AcceptedLate)
    }
}

/// Writing the text of a report in `state`: only a draft or a returned report.
pub fn check_editable(state: State) -> Result<(), Invalid> {
    if state.editable() {
        Ok(())
    } else {
        Err(Invalid::new("state", "not_editable", format!("汇报当前为“{}”，不能修改：只有草稿或被退回的汇报可以修改", state.label())))
    }
}

/// 报送: a draft is submitted, a returned report resubmitted. The step is what history records.
pub fn submit(state: State) -> Result<(Step, State), Invalid> {
    match state {
        State::Draft => Ok((Step::Submit, State::Submitted)),
        State::Returned => Ok((Step::Resubmit, State::Submitted)),
        s => Err(Invalid::new("state", "not_submittable", format!("汇报当前为“{}”，不能报送：只有草稿或被退回的汇报可以报送", s.label()))),
    }
}

/// 审核: the superior accepts, returns (with comments) or accepts late a submitted report.
/// `late` is whether it came in after the deadline ([`is_late`]): a late report is accepted as
/// 逾期通过, so that the list of who was late stays true, and an on-time one cannot be.
pub fn review(state: State, step: Step, late: bool, comments: &str) -> Result<State, Invalid> {
    if state != State::Submitted {
        return Err(Invalid::new("state", "not_reviewable", format!("汇报当前为“{}”，不能审核：只有已报送的汇报可以审核", state.label())));
    }
    match step {
        Step::Accept if late => Err(Invalid::new("decision", "late", "该汇报逾期报送，应选择“逾期通过”或“退回”")),
        Step::Accept => Ok(State::Accepted),
        Step::AcceptLate if !late => Err(Invalid::new("decision", "not_late", "该汇报按期报送，应选择“通过”或“退回”")),
        Step::AcceptLate => Ok(State::AcceptedLate),
        Step::Return if comments.trim().is_empty() => Err(Invalid::new("comments", "required", "退回须填写退回意见，说明需要更正的内容")),
        Step::Return => Ok(State::Returned),
        s => Err(Invalid::new("decision", "invalid_decision", format!("“{}”不是审核意见：应为通过、退回或逾期通过", s.label()))),
    }
}

/// Parses the reviewer's decision: `accept`, `return`, `accept_late` (or 通过/退回/逾期通过).
pub fn parse_decision(s: &str) -> Result<Step, Invalid> {
    match Step::parse(s) {
        Some(s @ (Step::Accept | Step::Return | Step::AcceptLate)) => Ok(s),
        _ => Err(Invalid::new("decision", "invalid_decision", "审核意见应为通过、退回或逾期通过")),
    }
}

/// Late when the day of submission in China is after the deadline: the deadline day itself,
/// to its last minute in China Standard Time, is in time (DESIGN.md "Time").
pub fn is_late(submitted_at: i64, deadline: NaiveDate) -> bool {
    late_days(submitted_at, deadline) > 0
}

/// Days after the deadline (0 when in time).
pub fn late_days(submitted_at: i64, deadline: NaiveDate) -> i64 {
    (time::cst_date(submitted_at) - deadline).num_days().max(0)
}

/// 汇报安排 as typed by the superior.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ScheduleInput {
    /// 汇报名称, e.g. 2026年第四季度党建工作汇报.
    pub title: String,
    /// 汇报期间: `2026Q4`, `2026H2` or `2026` (a quarter, a half-year or a year).
    pub period: String,
    /// 报送期限, `YYYY-MM-DD`.
    pub deadline: String,
    /// 必备部分 (titles), in order.
    pub sections: Vec<String>,
    /// 须附材料.
    pub attachments_required: bool,
    /// 报送范围: the organisation whose subtree reports (absent: the defining organisation's).
    pub scope_org_id: Option<i64>,
    /// 说明.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSchedule {
    pub title: String,
    pub period: Period,
    pub deadline: Date,
    pub sections: Vec<String>,
    pub attachments_required: bool,
    pub note: String,
}

impl ScheduleInput {
    /// Checks a schedule; every problem at once. Seed 004 reports quarterly, half-yearly and at
    /// year end, so the period is one of those. The deadline may fall inside the period (a
    /// quarterly report due before the quarter ends) but not before it begins.
    pub fn validate(&self) -> Result<ValidSchedule, Vec<Invalid>> {
        let mut errors = Vec::new();
        let title = parse_name("title", "汇报名称", &self.title, TITLE_MAX).map_err(|e| errors.push(e)).ok();
        let period = match Period::parse(&self.period) {
            Ok(p) if matches!(p.kind(), PeriodKind::Quarter | PeriodKind::Half | PeriodKind::Year) => Some(p),
            Ok(p) => {
                errors.push(Invalid::new("period", "invalid_period", format!("期间“{p}”不是季度、半年或年度：定期汇报按季度、半年、年终报送")));
                None
            }
            Err(e) => {
                errors.push(Invalid::new("period", e.code, e.message));
                None
            }
        };
        let deadline = match time::parse_date("deadline", "报送期限", &self.deadline) {
            Ok(d) if period.is_some_and(|p| d < p.first_day()) => {
                errors.push(Invalid::new("deadline", "before_period", format!("报送期限不能早于汇报期间的第一天（{}）", period.map(|p| time::format_date(p.first_day())).unwrap_or_default())));
                None
            }
            Ok(d) => Some(Date(d)),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut sections: Vec<String> = Vec::new();
        if self.sections.iter().all(|s| s.trim().is_empty()) {
            errors.push(Invalid::new("sections", "required", "请至少列出一个必备部分（如：工作开展情况、存在问题、下步打算）"));
        } else if self.sections.len() > SECTIONS_MAX {
            errors.push(Invalid::new("sections", "too_many", format!("必备部分最多{SECTIONS_MAX}个")));
        }
        for s in self.sections.iter().filter(|s| !s.trim().is_empty()) {
            match parse_name("sections", "必备部分标题", s, SECTION_TITLE_MAX) {
                Ok(t) if sections.contains(&t) => errors.push(Invalid::new("sections", "duplicate", format!("必备部分“{t}”重复"))),
                Ok(t) => sections.push(t),
                Err(e) => errors.push(e),
            }
        }
        let note = parse_text("note", "说明", &self.note, NOTE_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        match (title, period, deadline) {
            (Some(title), Some(period), Some(deadline)) if errors.is_empty() => {
                Ok(ValidSchedule { title, period, deadline, sections, attachments_required: self.attachments_required, note })
            }
            _ => Err(errors),
        }
    }
}

/// One section of a report: its title (one of the schedule's) and the organisation's own words.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Section {
    pub title: String,
    pub text: String,
}

/// Checks a report's sections against the schedule's titles: each title known and given once,
/// each text within its limit. Missing sections are allowed in a draft ([`check_complete`]
/// decides at submission); the result is in the schedule's order.
pub fn check_sections(input: &[Section], titles: &[String]) -> Result<Vec<Section>, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for s in input {
        if !titles.contains(&s.title) {
            errors.push(Invalid::new("sections", "unknown_section", format!("“{}”不是本次汇报的必备部分", s.title.chars().take(SECTION_TITLE_MAX).collect::<String>())));
        } else if seen.contains(&s.title.as_str()) {
            errors.push(Invalid::new("sections", "duplicate", format!("“{}”填写了两次", s.title)));
        }
        seen.push(&s.title);
    }
    let mut out = Vec::new();
    for t in titles {
        let text = input.iter().find(|s| &s.title == t).map(|s| s.text.as_str()).unwrap_or("");
        match parse_text("sections", t, text, SECTION_TEXT_MAX) {
            Ok(text) => out.push(Section { title: t.clone(), text }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Before submission: every required section written, and the attachments given when the
/// schedule requires them. Every gap named at once.
pub fn check_complete(sections: &[Section], titles: &[String], attachments: usize, attachments_required: bool) -> Result<(), Vec<Invalid>> {
    let mut errors: Vec<Invalid> = titles
        .iter()
        .filter(|t| sections.iter().find(|s| &s.title == *t).is_none_or(|s| s.text.trim().is_empty()))
        .map(|t| Invalid::new("sections", "section_missing", format!("请填写“{t}”部分后再报送")))
        .collect();
    if attachments_required && attachments == 0 {
        errors.push(Invalid::new("attachments", "attachments_required", "本次汇报须附材料，请上传后再报送"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// 退回意见 or a remark on acceptance.
pub fn parse_comments(s: &str, required: bool) -> Result<String, Invalid> {
    if required {
        parse_required_text("comments", "审核意见", s, COMMENT_MAX)
    } else {
        parse_text("comments", "审核意见", s, COMMENT_MAX)
    }
}

/// 数据 — one figure of a report, computed from the records, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// Stable code: `meetings.branch_general_meeting`, `attendance`, `members.full`, `changes.joined`, `branch_reports`.
    pub code: String,
    pub label: String,
    /// The figure itself: meetings held, members present, members, changes, reports accepted.
    pub value: i64,
    /// What it is measured against: meetings owed, attendance expected, reports expected.
    pub out_of: Option<i64>,
    /// What fell short: obligations overdue, reports late.
    pub short: Option<i64>,
    /// The figure as people read it: 应开 4 次，已开 3 次.
    pub text: String,
    pub source: FigureSource,
}

impl Figure {
    /// "来自组织生活记录".
    pub fn source_text(&self) -> String {
        format!("来自{}", self.source.label())
    }

    /// Meetings of a kind in the period (the obligations engine's figures): owed, held, and
    /// the obligations not met by their due date.
    pub fn meetings(kind: ObligationKind, owed: i64, held: i64, overdue: i64) -> Figure {
        let mut text = format!("应开{owed}次，已开{held}次");
        if overdue > 0 {
            text.push_str(&format!("，逾期未开{overdue}项"));
        }
        Figure { code: format!("meetings.{}", kind.code()), label: kind.label().to_string(), value: held, out_of: Some(owed), short: Some(overdue), text, source: FigureSource::LifeRecords }
    }

    /// Attendance over the period's meetings: present over those who should attend.
    pub fn attendance(present: i64, expected: i64) -> Figure {
        let rate = if expected > 0 {
            let p = (present * 1000 + expected / 2) / expected;
            format!("{}.{}%", p / 10, p % 10)
        } else {
            "—".to_string()
        };
        Figure {
            code: "attendance".into(),
            label: "组织生活出席率".into(),
            value: present,
            out_of: Some(expected),
            short: None,
            text: format!("应到{expected}人次，实到{present}人次，出席率{rate}"),
            source: FigureSource::Attendance,
        }
    }

    /// Members of a status at the time the figures were taken.
    pub fn members(status: MemberStatus, n: i64) -> Figure {
        Figure { code: format!("members.{}", status.code()), label: status.label().to_string(), value: n, out_of: None, short: None, text: format!("{n}人"), source: FigureSource::MemberCounts }
    }

    /// Changes of a kind recorded in members' history during the period.
    pub fn changes(kind: EventKind, n: i64) -> Figure {
        Figure { code: format!("changes.{}", kind.code()), label: kind.label().to_string(), value: n, out_of: None, short: None, text: format!("{n}人次"), source: FigureSource::MemberHistory }
    }

    /// The reports of the organisations below: expected, accepted, late.
    pub fn branch_reports(t: &BranchTally) -> Figure {
        Figure {
            code: "branch_reports".into(),
            label: "下级党组织汇报".into(),
            value: t.accepted,
            out_of: Some(t.expected),
            short: Some(t.late),
            text: format!("应报{}个，已通过{}个，待审核{}个，退回{}个，未报{}个，逾期{}个", t.expected, t.accepted, t.submitted, t.returned, t.missing, t.late),
            source: FigureSource::BranchReports,
        }
    }
}

/// Where the reports of the organisations below stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchTally {
    pub expected: i64,
    pub accepted: i64,
    /// Submitted, awaiting review.
    pub submitted: i64,
    pub returned: i64,
    /// No report in (none opened, or a draft).
    pub missing: i64,
    /// Submitted after the deadline (accepted late or not yet reviewed).
    pub late: i64,
}

impl BranchTally {
    /// From each expected organisation's state (None: nothing opened) and lateness.
    pub fn of(states: &[(Option<State>, bool)]) -> BranchTally {
        let mut t = BranchTally { expected: states.len() as i64, ..Default::default() };
        for (s, late) in states {
            match s {
                Some(State::Accepted | State::AcceptedLate) => t.accepted += 1,
                Some(State::Submitted) => t.submitted += 1,
                Some(State::Returned) => t.returned += 1,
                Some(State::Draft) | None => t.missing += 1,
            }
            if *late {
                t.late += 1;
            }
        }
        t
    }
}

impl BranchTally {
    /// From the count of submissions per (state, late) among `expected` organisations, as a
    /// grouped count reads them: whoever has no row, or a draft, has not reported.
    pub fn from_counts(expected: i64, counts: &[(State, bool, i64)]) -> BranchTally {
        let mut t = BranchTally { expected, ..Default::default() };
        for (s, late, n) in counts {
            match s {
                State::Accepted | State::AcceptedLate => t.accepted += n,
                State::Submitted => t.submitted += n,
                State::Returned => t.returned += n,
                State::Draft => {}
            }
            if *late {
                t.late += n;
            }
        }
        t.missing = (expected - t.accepted - t.submitted - t.returned).max(0);
        t
    }
}

/// An accepted report of an organisation below, as the superior's own report carries it: the
/// superior adds only its own words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchExcerpt {
    pub org_id: i64,
    pub org_name: String,
    pub state: State,
    pub sections: Vec<Section>,
}

/// 汇报数据 — a report's figures, computed from the records on `taken_on`, each with its source,
/// and the accepted reports of the organisations below. A draft's set is recomputed when it is
/// saved and at submission; a submitted report keeps the set it was submitted with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureSet {
    pub taken_on: Date,
    pub figures: Vec<Figure>,
    #[serde(default)]
    pub branches: Vec<BranchExcerpt>,
}

impl FigureSet {
    pub fn new(taken_on: NaiveDate) -> FigureSet {
        FigureSet { taken_on: Date(taken_on), figures: Vec::new(), branches: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn grassroots_organisations_report_and_groups_do_not() {
        assert!(reports_upward(OrgKind::Branch) && reports_upward(OrgKind::AgencyCommittee) && reports_upward(OrgKind::GeneralBranch));
        for k in [OrgKind::Group, OrgKind::LeadingGroup, OrgKind::TemporaryBranch, OrgKind::WorkingCommittee] {
            assert!(!reports_upward(k), "{k:?}");
        }
    }

    #[test]
    fn a_draft_is_submitted_and_a_returned_report_resubmitted() {
        assert_eq!(submit(State::Draft), Ok((Step::Submit, State::Submitted)));
        assert_eq!(submit(State::Returned), Ok((Step::Resubmit, State::Submitted)));
        for s in [State::Submitted, State::Accepted, State::AcceptedLate] {
            let e = submit(s).expect_err("not again");
            assert_eq!(e.code, "not_submittable");
            assert!(e.message.contains(s.label()), "{}", e.message);
        }
    }

    #[test]
    fn only_a_submitted_report_is_reviewed() {
        assert_eq!(review(State::Submitted, Step::Accept, false, ""), Ok(State::Accepted));
        assert_eq!(review(State::Submitted, Step::Return, false, "第二部分数据与记录不符"), Ok(State::Returned));
        assert_eq!(review(State::Submitted, Step::AcceptLate, true, ""), Ok(State::AcceptedLate));
        for s in [State::Draft, State::Returned, State::Accepted, State::AcceptedLate] {
            let e = review(s, Step::Accept, false, "").expect_err("not submitted");
            assert_eq!(e.code, "not_reviewable");
            assert!(e.message.contains(s.label()), "{}", e.message);
        }
    }

    #[test]
    fn a_return_needs_comments_and_lateness_decides_the_acceptance() {
        assert_eq!(review(State::Submitted, Step::Return, false, "  ").expect_err("no comments").field, "comments");
        assert_eq!(review(State::Submitted, Step::Accept, true, "").expect_err("late").code, "late");
        assert_eq!(review(State::Submitted, Step::AcceptLate, false, "").expect_err("in time").code, "not_late");
        assert_eq!(review(State::Submitted, Step::Submit, false, "").expect_err("no decision").code, "invalid_decision");
        assert_eq!(parse_decision("逾期通过"), Ok(Step::AcceptLate));
        assert!(parse_decision("resubmit").is_err());
    }

    #[test]
    fn only_drafts_and_returned_reports_are_edited() {
        assert!(check_editable(State::Draft).is_ok() && check_editable(State::Returned).is_ok());
        let e = check_editable(State::Submitted).expect_err("submitted");
        assert!(e.message.contains("已报送"));
    }

    #[test]
    fn lateness_is_counted_in_china_standard_time() {
        let deadline = day(2026, 10, 10);
        // 2026-10-10 15:59:59 UTC is 23:59:59 on the deadline day in China: in time.
        let last_second = 1_791_647_999;
        assert_eq!(time::cst_date(last_second), deadline);
        assert!(!is_late(last_second, deadline));
        // One second later it is the 11th in China, though still the 10th in UTC.
        assert!(is_late(last_second + 1, deadline));
        assert_eq!(late_days(last_second + 1 + 2 * 86_400, deadline), 3);
        assert_eq!(late_days(last_second - 5 * 86_400, deadline), 0);
    }

    fn schedule() -> ScheduleInput {
        ScheduleInput {
            title: "2026年第四季度党建工作汇报".into(),
            period: "2026Q4".into(),
            deadline: "2026-12-25".into(),
            sections: vec!["工作开展情况".into(), "存在问题".into(), "下步打算".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_schedule_is_quarterly_half_yearly_or_yearly_and_reports_every_problem() {
        let v = schedule().validate().expect("valid");
        assert_eq!((v.period.to_string(), v.sections.len()), ("2026Q4".to_string(), 3));
        let bad = ScheduleInput { title: String::new(), period: "2026-07".into(), deadline: "2026/12/25".into(), sections: vec!["存在问题".into(), "存在问题".into()], ..Default::default() };
        let fields: Vec<_> = bad.validate().expect_err("refused").iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(fields, [("title", "required"), ("period", "invalid_period"), ("deadline", "invalid_date"), ("sections", "duplicate")]);
        let early = ScheduleInput { deadline: "2026-09-30".into(), ..schedule() };
        assert_eq!(early.validate().expect_err("before")[0].code, "before_period");
        let none = ScheduleInput { sections: vec![" ".into()], ..schedule() };
        assert_eq!(none.validate().expect_err("no sections")[0].code, "required");
    }

    #[test]
    fn sections_follow_the_schedule_and_submission_names_every_gap() {
        let titles: Vec<String> = schedule().sections;
        let s = check_sections(&[Section { title: "存在问题".into(), text: " 学习不够深入 ".into() }], &titles).expect("ok");
        assert_eq!(s.iter().map(|x| x.text.as_str()).collect::<Vec<_>>(), ["", "学习不够深入", ""]);
        let e = check_sections(&[Section { title: "亮点".into(), text: "x".into() }], &titles).expect_err("unknown");
        assert_eq!(e[0].code, "unknown_section");
        let gaps = check_complete(&s, &titles, 0, true).expect_err("incomplete");
        let codes: Vec<_> = gaps.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["section_missing", "section_missing", "attachments_required"]);
        assert!(gaps[0].message.contains("工作开展情况"));
        let full: Vec<Section> = titles.iter().map(|t| Section { title: t.clone(), text: "有内容".into() }).collect();
        assert!(check_complete(&full, &titles, 0, false).is_ok());
    }

    #[test]
    fn figures_say_where_they_come_from() {
        let f = Figure::meetings(ObligationKind::BranchGeneralMeeting, 1, 1, 0);
        assert_eq!((f.text.as_str(), f.source_text().as_str()), ("应开1次，已开1次", "来自组织生活记录"));
        let f = Figure::meetings(ObligationKind::ThemeDay, 3, 2, 1);
        assert_eq!(f.text, "应开3次，已开2次，逾期未开1项");
        assert_eq!(Figure::attendance(923, 1000).text, "应到1000人次，实到923人次，出席率92.3%");
        assert!(Figure::attendance(0, 0).text.ends_with("出席率—"));
        assert_eq!(Figure::members(MemberStatus::Full, 31).source, FigureSource::MemberCounts);
        let f = Figure::changes(EventKind::Joined, 2);
        assert_eq!((f.code.as_str(), f.value, f.source), ("changes.joined", 2, FigureSource::MemberHistory));
        assert_eq!(FigureSet::new(day(2026, 12, 2)).taken_on, Date(day(2026, 12, 2)));
    }

    #[test]
    fn the_branches_are_tallied_from_their_states() {
        let t = BranchTally::of(&[(Some(State::Accepted), false), (Some(State::AcceptedLate), true), (Some(State::Returned), false), (Some(State::Draft), false), (None, false), (Some(State::Submitted), true)]);
        assert_eq!(t, BranchTally { expected: 6, accepted: 2, submitted: 1, returned: 1, missing: 2, late: 2 });
        assert_eq!(Figure::branch_reports(&t).text, "应报6个，已通过2个，待审核1个，退回1个，未报2个，逾期2个");
        let counted = BranchTally::from_counts(6, &[(State::Accepted, false, 1), (State::AcceptedLate, true, 1), (State::Returned, false, 1), (State::Draft, false, 1), (State::Submitted, true, 1)]);
        assert_eq!(counted, t);
    }
}
