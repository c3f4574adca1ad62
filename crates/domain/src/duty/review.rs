//! 述职评议 — seed 001's 党组(党委)书记抓基层党建述职评议考核: an organisation's secretary, its
//! 第一责任人 (taken from its posts, `responsibility`), reports on the party work of a period;
//! its members and the officers of the organisation above vote 满意 / 基本满意 / 不满意; the
//! tally and the satisfaction rate feed the secretary's assessment (rule `review_satisfaction`).
//!
//! Anonymity by design (issue 11: "the database never links a vote to its voter, yet nobody votes
//! twice"): a vote is never a row. The store keeps who has voted in a round (round, account: a
//! unique key, so a second vote is refused by the database itself) and three counters per round
//! raised in the same transaction; nothing orders or ties the one to the other. The tally is
//! shown only once voting has closed: a tally watched while votes come in would tell, by its
//! change, what the last voter chose.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::life::meeting::cst_day_start;
use crate::period::{Period, PeriodKind};
use crate::text::parse_required_text;
use crate::{code_enum, Invalid};

code_enum! {
    /// 评议意见 — the three choices of a 述职评议 ballot.
    Choice {
        Satisfied = "satisfied" / "满意",
        BasicallySatisfied = "basically_satisfied" / "基本满意",
        Dissatisfied = "dissatisfied" / "不满意",
    }
}

code_enum! {
    /// 评议状态 — from the voting window and the clock, never typed.
    RoundStatus {
        Upcoming = "upcoming" / "未开始",
        Open = "open" / "投票中",
        Closed = "closed" / "已结束",
    }
}

/// 述职报告: a report of a few pages.
pub const REPORT_MAX: usize = 20_000;
/// The longest voting window: a round left open for months is a round nobody closes.
pub const WINDOW_MAX_DAYS: i64 = 90;

impl Choice {
    /// A ballot's choice as sent: its code or its label.
    pub fn read(s: &str) -> Result<Choice, Invalid> {
        Choice::parse(s).ok_or_else(|| Invalid::new("choice", "invalid_choice", "评议意见应为“满意”“基本满意”或“不满意”之一"))
    }

    /// The counter column of the round that a vote of this choice raises.
    pub fn column(self) -> &'static str {
        self.code()
    }
}

/// Where a round stands at `now` (unix seconds): voting runs from `opens_at` up to, not
/// including, `closes_at`.
pub fn status(opens_at: i64, closes_at: i64, now: i64) -> RoundStatus {
    if now >= closes_at {
        RoundStatus::Closed
    } else if now < opens_at {
        RoundStatus::Upcoming
    } else {
        RoundStatus::Open
    }
}

/// 计票结果 — the three counters of a round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub dissatisfied: u64,
}

impl Tally {
    pub fn votes(&self) -> u64 {
        self.satisfied + self.basically_satisfied + self.dissatisfied
    }

    /// 满意度 (satisfaction rate): (满意 + 基本满意) ÷ votes, in tenths of a percent rounded
    /// half up; none without votes. 基本满意 counts as satisfied, as the 述职评议考核 tables of
    /// 机关工委 count it (seed 001).
    pub fn satisfaction_permille(&self) -> Option<u64> {
        permille(self.satisfied + self.basically_satisfied, self.votes())
    }

    /// 满意率: the share of 满意 alone.
    pub fn satisfied_permille(&self) -> Option<u64> {
        permille(self.satisfied, self.votes())
    }

    pub fn add(&mut self, other: &Tally) {
        self.satisfied += other.satisfied;
        self.basically_satisfied += other.basically_satisfied;
        self.dissatisfied += other.dissatisfied;
    }

    /// "满意 5 票、基本满意 2 票、不满意 1 票，满意度 87.5%".
    pub fn describe(&self) -> String {
        let rate = self.satisfaction_permille().map(percent_text).unwrap_or_else(|| "无".into());
        format!("满意 {} 票、基本满意 {} 票、不满意 {} 票，满意度 {rate}", self.satisfied, self.basically_satisfied, self.dissatisfied)
    }
}

fn permille(part: u64, whole: u64) -> Option<u64> {
    (whole > 0).then(|| (2000 * part.min(whole) + whole) / (2 * whole))
}

/// 87.5% from 875 per mille.
pub fn percent_text(permille: u64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

/// A round as typed: all text, as a form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RoundInput {
    /// 述职期间: a year (`2026`), a half (`2026H2`) or a quarter (`2026Q4`), already begun.
    pub period: String,
    /// 述职报告.
    pub report: String,
    /// 投票开始: `2026-12-01T09:00` (China Standard Time), RFC 3339, or a day (its start);
    /// empty: now.
    pub opens_at: String,
    /// 投票截止: as above; a day means the end of that day.
    pub closes_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRound {
    pub period: Period,
    pub report: String,
    pub opens_at: i64,
    pub closes_at: i64,
}

/// Reads a moment as a form (`datetime-local`), the API (RFC 3339) or a person (a day) writes
/// it; a day is its first second, or with `end_of_day` the first second of the next day.
pub fn parse_moment(field: &'static str, label: &str, s: &str, end_of_day: bool) -> Result<i64, Invalid> {
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.timestamp());
    }
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(d.and_utc().timestamp() - 8 * 3600);
        }
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) if end_of_day => Ok(d.succ_opt().map(cst_day_start).unwrap_or(i64::MAX)),
        Ok(d) => Ok(cst_day_start(d)),
        Err(_) => Err(Invalid::new(field, "invalid_datetime", format!("{label}“{}”无法识别，应为日期或时间，如 2026-12-01 或 2026-12-01T09:00", t.chars().take(40).collect::<String>()))),
    }
}

impl RoundInput {
    /// Checks a round at `now` (unix seconds); every problem at once. The period has begun (one
    /// reports on work done); voting closes after it opens, in the future, within
    /// [`WINDOW_MAX_DAYS`].
    pub fn validate(&self, now: i64) -> Result<ValidRound, Vec<Invalid>> {
        let mut errors = Vec::new();
        let today = crate::time::cst_date(now);
        let period = match Period::parse(&self.period) {
            Ok(p) if matches!(p.kind(), PeriodKind::Month | PeriodKind::Week) => {
                errors.push(Invalid::new("period", "invalid_period", format!("述职期间“{p}”过短：述职按年度、半年或季度进行，如 2026、2026H2、2026Q4")));
                None
            }
            Ok(p) if p.first_day() > today => {
                errors.push(Invalid::new("period", "future_period", format!("述职期间“{p}”尚未开始：述职报告的是已开展的工作")));
                None
            }
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(Invalid::new("period", e.code, format!("述职期间{}", e.message)));
                None
            }
        };
        let report = parse_required_text("report", "述职报告", &self.report, REPORT_MAX).map_err(|e| errors.push(e)).ok();
        let opens_at = if self.opens_at.trim().is_empty() { Ok(now) } else { parse_moment("opens_at", "投票开始时间", &self.opens_at, false) };
        let opens_at = opens_at.map_err(|e| errors.push(e)).ok();
        let closes_at = match parse_moment("closes_at", "投票截止时间", &self.closes_at, true) {
            Err(_) if self.closes_at.trim().is_empty() => {
                errors.push(Invalid::new("closes_at", "required", "请填写投票截止时间"));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
            Ok(c) if c <= now => {
                errors.push(Invalid::new("closes_at", "past", "投票截止时间应晚于现在"));
                None
            }
            Ok(c) => Some(c),
        };
        if let (Some(o), Some(c)) = (opens_at, closes_at) {
            if c <= o {
                errors.push(Invalid::new("closes_at", "before_open", "投票截止时间应晚于开始时间"));
            } else if c - o > WINDOW_MAX_DAYS * 86_400 {
                errors.push(Invalid::new("closes_at", "too_long", format!("投票时间不能超过{WINDOW_MAX_DAYS}天")));
            }
        }
        match (period, report, opens_at, closes_at) {
            (Some(period), Some(report), Some(opens_at), Some(closes_at)) if errors.is_empty() => Ok(ValidRound { period, report, opens_at, closes_at }),
            _ => Err(errors),
        }
    }
}

/// Why an account may vote in a round (it must be one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoterBasis {
    /// A party member of the organisation (or of an organisation below it).
    Member,
    /// An officer of an organisation above it (who reads the party work of its subtree).
    Superior,
}

/// Who votes (seed 001: 述职评议 by the members and the superior 党组织): the reviewed secretary
/// never votes on themself, whatever else they are; otherwise a member of the organisation or
/// an officer above it; anyone else is refused with the reason.
pub fn voter_basis(reviewed_member: i64, voter_member: Option<i64>, member_of_org: bool, superior: bool) -> Result<VoterBasis, Invalid> {
    if voter_member == Some(reviewed_member) {
        return Err(Invalid::new("round", "own_review", "您是本轮述职评议的述职人，不参加对本人的评议"));
    }
    match (member_of_org, superior) {
        (true, _) => Ok(VoterBasis::Member),
        (false, true) => Ok(VoterBasis::Superior),
        _ => Err(Invalid::new("round", "not_eligible", "参加评议的是本组织的党员和上级党组织的负责同志，您不在其中")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        parse_moment("t", "t", s, false).expect("moment")
    }

    #[test]
    fn voting_runs_from_the_opening_up_to_the_close() {
        let (o, c) = (at("2026-12-01T09:00"), at("2026-12-08T09:00"));
        assert_eq!(status(o, c, o - 1), RoundStatus::Upcoming);
        assert_eq!(status(o, c, o), RoundStatus::Open);
        assert_eq!(status(o, c, c - 1), RoundStatus::Open);
        assert_eq!(status(o, c, c), RoundStatus::Closed);
    }

    #[test]
    fn the_rates_count_basically_satisfied_as_satisfied() {
        let t = Tally { satisfied: 5, basically_satisfied: 2, dissatisfied: 1 };
        assert_eq!(t.votes(), 8);
        assert_eq!(t.satisfaction_permille(), Some(875));
        assert_eq!(t.satisfied_permille(), Some(625));
        assert_eq!(t.describe(), "满意 5 票、基本满意 2 票、不满意 1 票，满意度 87.5%");
        // Rounded half up to the tenth of a percent: 2 of 3 is 66.7%.
        assert_eq!(Tally { satisfied: 2, basically_satisfied: 0, dissatisfied: 1 }.satisfaction_permille(), Some(667));
        assert_eq!(Tally::default().satisfaction_permille(), None);
        assert_eq!(percent_text(1000), "100.0%");
    }

    #[test]
    fn a_moment_is_read_in_china_standard_time() {
        assert_eq!(at("2026-12-01T09:00"), at("2026-12-01T09:00:00+08:00"));
        assert_eq!(at("2026-12-01"), cst_day_start(NaiveDate::from_ymd_opt(2026, 12, 1).expect("day")));
        assert_eq!(parse_moment("t", "t", "2026-12-01", true).expect("end"), at("2026-12-02"));
        assert_eq!(parse_moment("closes_at", "投票截止时间", "下周", true).expect_err("bad").code, "invalid_datetime");
    }

    #[test]
    fn a_round_reports_every_problem_at_once() {
        let now = at("2026-12-02T10:00");
        let ok = RoundInput { period: "2026".into(), report: "一年来履行第一责任人职责情况……".into(), opens_at: String::new(), closes_at: "2026-12-09".into() };
        let v = ok.validate(now).expect("valid");
        assert_eq!((v.period.to_string().as_str(), v.opens_at, v.closes_at), ("2026", now, at("2026-12-10")));
        let bad = RoundInput { period: "2027".into(), report: " ".into(), opens_at: "2026-12-05".into(), closes_at: "2026-12-04".into() };
        let codes: Vec<_> = bad.validate(now).expect_err("refused").iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(codes, [("period", "future_period"), ("report", "required"), ("closes_at", "before_open")]);
        let month = RoundInput { period: "2026-11".into(), closes_at: "2026-12-01".into(), ..ok.clone() };
        let codes: Vec<_> = month.validate(now).expect_err("refused").iter().map(|e| e.code).collect();
        assert_eq!(codes, ["invalid_period", "past"]);
        let long = RoundInput { closes_at: "2027-06-01".into(), ..ok };
        assert_eq!(long.validate(now).expect_err("too long")[0].code, "too_long");
    }

    #[test]
    fn a_choice_is_one_of_three() {
        assert_eq!(Choice::read("基本满意"), Ok(Choice::BasicallySatisfied));
        assert_eq!(Choice::read("dissatisfied"), Ok(Choice::Dissatisfied));
        assert_eq!(Choice::read("弃权").expect_err("no abstention").code, "invalid_choice");
    }

    #[test]
    fn the_reviewed_secretary_never_votes_and_others_must_belong() {
        assert_eq!(voter_basis(7, Some(7), true, true).expect_err("self").code, "own_review");
        assert_eq!(voter_basis(7, Some(8), true, false), Ok(VoterBasis::Member));
        assert_eq!(voter_basis(7, None, false, true), Ok(VoterBasis::Superior));
        assert_eq!(voter_basis(7, Some(9), false, false).expect_err("outsider").code, "not_eligible");
    }
}
