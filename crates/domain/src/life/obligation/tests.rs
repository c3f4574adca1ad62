use chrono::{DateTime, NaiveDate};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

fn rule(kind: ObligationKind) -> Rule {
    RuleSet::seeded().rules().iter().find(|r| r.kind == kind).unwrap().clone()
}

fn org(kind: OrgKind) -> OrgFacts {
    OrgFacts { kind, created_on: d(2020, 1, 1), dissolved_on: None, has_committee: true }
}

fn on(days: &[NaiveDate]) -> Vec<Held> {
    days.iter().copied().map(Held::on).collect()
}

fn make_up(day: NaiveDate, period: &str) -> Held {
    Held { on: day, makes_up: Some(p(period)) }
}

/// The single obligation of `rule` in `period` (which has the rule's granularity).
fn one(rule: &Rule, org: &OrgFacts, period: &str, today: NaiveDate, held: &[NaiveDate]) -> Obligation {
    one_held(rule, org, period, today, &on(held))
}

fn one_held(rule: &Rule, org: &OrgFacts, period: &str, today: NaiveDate, held: &[Held]) -> Obligation {
    let mut all = evaluate(rule, org, p(period), today, Grace::NextFullPeriod, held);
    assert_eq!(all.len(), 1);
    all.pop().unwrap()
}

fn status(rule: &Rule, org: &OrgFacts, period: &str, today: NaiveDate, held: &[NaiveDate]) -> Status {
    one(rule, org, period, today, held).status
}

/// A meeting's start instant as the record gives it, as the CST calendar day rules count.
fn cst_day(rfc3339: &str) -> NaiveDate {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&crate::time::cst()).date_naive()
}

#[test]
fn the_seeded_table_is_domain_md() {
    let rules = RuleSet::seeded();
    let codes: Vec<_> = rules.rules().iter().map(|r| r.kind.code()).collect();
    assert_eq!(
        codes,
        [
            "branch_general_meeting",
            "branch_committee_meeting",
            "group_meeting",
            "party_lecture",
            "theme_day",
            "org_life_meeting",
            "member_appraisal",
            "heart_to_heart_talk",
            "democratic_life_meeting",
            "central_group_study"
        ]
    );
    for r in rules.rules() {
        r.validate().unwrap();
        let expect_local = matches!(r.kind, ObligationKind::PartyLecture | ObligationKind::CentralGroupStudy);
        assert_eq!(r.source.scope == SourceScope::Local, expect_local, "{:?}", r.kind);
    }
    // A 党组 owes no 三会一课, only the 民主生活会 and the 中心组学习 (DOMAIN.md nesting note).
    let owed: Vec<_> = rules.owed_by(&org(OrgKind::LeadingGroup)).map(|r| r.kind).collect();
    assert_eq!(owed, [ObligationKind::DemocraticLifeMeeting, ObligationKind::CentralGroupStudy]);
}

/// 支部党员大会, generally once a quarter: 支部条例 art. 11 (quoted). The last day of a quarter,
/// and a meeting on either side of CST midnight.
#[test]
fn branch_general_meeting_quarterly() {
    let (r, b) = (rule(ObligationKind::BranchGeneralMeeting), org(OrgKind::Branch));
    assert_eq!(status(&r, &b, "2026Q3", d(2026, 9, 30), &[]), Status::Due);
    assert_eq!(status(&r, &b, "2026Q3", d(2026, 10, 1), &[]), Status::Overdue);
    let on_time = cst_day("2026-09-30T15:59:59Z");
    let o = one(&r, &b, "2026Q3", d(2026, 10, 1), &[on_time]);
    assert_eq!((o.status, o.held, o.required, o.due_by, o.late_days), (Status::Done, 1, 1, Date(d(2026, 9, 30)), None));
    // One second later it is 1 October in Beijing: the meeting belongs to the fourth quarter …
    let late = cst_day("2026-09-30T16:00:00Z");
    assert_eq!(status(&r, &b, "2026Q3", d(2026, 10, 1), &[late]), Status::Overdue);
    assert_eq!(status(&r, &b, "2026Q4", d(2026, 10, 1), &[late]), Status::Done);
    // … unless it is recorded as making up the third, which it then meets one day late.
    let o = one_held(&r, &b, "2026Q3", d(2026, 10, 1), &[make_up(late, "2026Q3")]);
    assert_eq!((o.status, o.late_days), (Status::Done, Some(1)));
    assert_eq!(one_held(&r, &b, "2026Q4", d(2026, 10, 1), &[make_up(late, "2026Q3")]).status, Status::Due);
    // A meeting of the previous quarter does not count.
    assert_eq!(status(&r, &b, "2026Q3", d(2026, 10, 1), &[d(2026, 6, 30)]), Status::Overdue);
    // Joint and temporary branches owe it too; a 党总支 by default does not.
    assert_eq!(status(&r, &org(OrgKind::JointBranch), "2026Q3", d(2026, 10, 1), &[]), Status::Overdue);
    let o = one(&r, &org(OrgKind::GeneralBranch), "2026Q3", d(2026, 10, 1), &[]);
    assert_eq!((o.status, o.not_owed), (Status::NotOwed, Some(NotOwedReason::KindNotOwed)));
}

/// 支部委员会会议, generally once a month where a committee exists: 支部条例 art. 12 (quoted).
/// February of a leap year.
#[test]
fn branch_committee_meeting_monthly_with_a_committee() {
    let (r, b) = (rule(ObligationKind::BranchCommitteeMeeting), org(OrgKind::Branch));
    assert_eq!(status(&r, &b, "2024-02", d(2024, 2, 29), &[]), Status::Due);
    assert_eq!(status(&r, &b, "2024-02", d(2024, 3, 1), &[]), Status::Overdue);
    assert_eq!(status(&r, &b, "2024-02", d(2024, 3, 1), &[d(2024, 2, 29)]), Status::Done);
    let small = OrgFacts { has_committee: false, ..b };
    assert_eq!(one(&r, &small, "2024-02", d(2024, 3, 1), &[]).not_owed, Some(NotOwedReason::NoCommittee));
}

/// 党小组会, generally once a month: 支部条例 art. 13 (quoted). The month of a year's end.
#[test]
fn group_meeting_monthly() {
    let (r, g) = (rule(ObligationKind::GroupMeeting), org(OrgKind::Group));
    assert_eq!(status(&r, &g, "2026-12", d(2026, 12, 31), &[]), Status::Due);
    assert_eq!(status(&r, &g, "2026-12", cst_day("2026-12-31T16:00:00Z"), &[]), Status::Overdue);
    assert_eq!(status(&r, &g, "2026-12", d(2027, 1, 1), &[cst_day("2026-12-31T15:59:59Z")]), Status::Done);
    assert_eq!(one(&r, &org(OrgKind::Branch), "2026-12", d(2027, 1, 1), &[]).not_owed, Some(NotOwedReason::KindNotOwed));
}

/// 党课, once a quarter: a local rule with no central source (seed 000). The first quarter
/// of a leap year ends on 31 March after 91 days.
#[test]
fn party_lecture_quarterly_local_rule() {
    let (r, b) = (rule(ObligationKind::PartyLecture), org(OrgKind::Branch));
    assert_eq!(r.source.scope, SourceScope::Local);
    assert_eq!(status(&r, &b, "2024Q1", d(2024, 3, 31), &[]), Status::Due);
    assert_eq!(status(&r, &b, "2024Q1", d(2024, 4, 1), &[]), Status::Overdue);
    assert_eq!(status(&r, &b, "2024Q1", d(2024, 4, 1), &[d(2024, 2, 29)]), Status::Done);
}

/// 主题党日, one fixed day each month: 支部条例 art. 16 (quoted, numbering inferred). Asked
/// about the ISO week 2026-W53, which runs from 28 December 2026 to 3 January 2027, the rule
/// answers for both months the week touches.
#[test]
fn theme_day_monthly_across_a_week_straddling_two_years() {
    let (r, b) = (rule(ObligationKind::ThemeDay), org(OrgKind::Branch));
    let held = [d(2026, 12, 15)];
    let week = evaluate(&r, &b, p("2026-W53"), d(2027, 1, 2), Grace::NextFullPeriod, &on(&held));
    let got: Vec<_> = week.iter().map(|o| (o.period.to_string(), o.status)).collect();
    assert_eq!(got, [("2026-12".to_string(), Status::Done), ("2027-01".to_string(), Status::Due)]);
    assert_eq!(status(&r, &b, "2027-01", d(2027, 1, 31), &held), Status::Due);
    assert_eq!(status(&r, &b, "2027-01", d(2027, 2, 1), &held), Status::Overdue);
}

/// 组织生活会, at least once a year, generally in the fourth quarter: 支部条例 art. 17 (quoted).
#[test]
fn org_life_meeting_yearly_generally_in_q4() {
    let (r, b) = (rule(ObligationKind::OrgLifeMeeting), org(OrgKind::Branch));
    let o = one(&r, &b, "2026", d(2026, 12, 31), &[]);
    assert_eq!((o.status, o.due_by, o.preferred_from), (Status::Due, Date(d(2026, 12, 31)), Some(Date(d(2026, 10, 1)))));
    assert_eq!(status(&r, &b, "2026", cst_day("2026-12-31T16:00:00Z"), &[]), Status::Overdue);
    // "Generally" in the fourth quarter: one held in March still counts.
    assert_eq!(status(&r, &b, "2026", d(2027, 1, 1), &[d(2026, 3, 20)]), Status::Done);
    // Asked about a quarter, a yearly rule answers for its year.
    let q = evaluate(&r, &b, p("2026Q3"), d(2026, 8, 1), Grace::NextFullPeriod, &[]);
    assert_eq!(q.iter().map(|o| o.period).collect::<Vec<_>>(), [p("2026")]);
}

/// 民主评议党员, generally once a year, may be combined with the 组织生活会: 支部条例 art. 18
/// (quoted, numbering inferred); 教育管理条例 art. 18 (full text). A leap year's last day.
#[test]
fn member_appraisal_yearly() {
    let (r, b) = (rule(ObligationKind::MemberAppraisal), org(OrgKind::Branch));
    assert_eq!(status(&r, &b, "2024", d(2024, 12, 31), &[]), Status::Due);
    assert_eq!(status(&r, &b, "2024", d(2025, 1, 1), &[]), Status::Overdue);
    assert_eq!(status(&r, &b, "2024", d(2025, 1, 1), &[d(2024, 12, 31)]), Status::Done);
}

/// 谈心谈话, generally at least once a year: 支部条例 art. 19 (quoted).
#[test]
fn heart_to_heart_talk_yearly() {
    let (r, b) = (rule(ObligationKind::HeartToHeartTalk), org(OrgKind::TemporaryBranch));
    assert_eq!(status(&r, &b, "2024", d(2024, 2, 29), &[]), Status::Due);
    assert_eq!(status(&r, &b, "2024", d(2025, 1, 1), &[]), Status::Overdue);
    assert_eq!(status(&r, &b, "2024", d(2024, 2, 29), &[d(2024, 2, 29)]), Status::Done);
}

/// 民主生活会 of leadership teams, once a year, generally in the fourth quarter: 民主生活会若干规定
/// (2016, quoted). Seed 000's office holds one every half year: a stricter local rule.
#[test]
fn democratic_life_meeting_yearly_and_seed_000_half_yearly() {
    let r = rule(ObligationKind::DemocraticLifeMeeting);
    let (lg, ac) = (org(OrgKind::LeadingGroup), org(OrgKind::AgencyCommittee));
    let held = [d(2026, 12, 20)];
    assert_eq!(status(&r, &lg, "2026", d(2026, 12, 31), &[]), Status::Due);
    assert_eq!(status(&r, &ac, "2026", d(2027, 1, 1), &[]), Status::Overdue);
    assert_eq!(status(&r, &lg, "2026", d(2027, 1, 1), &held), Status::Done);
    assert_eq!(one(&r, &org(OrgKind::Branch), "2026", d(2027, 1, 1), &[]).status, Status::NotOwed);

    let mut rules = RuleSet::seeded();
    let half = Rule {
        frequency: Frequency::HalfYearly,
        preferred_quarter: None,
        source: Source { scope: SourceScope::Local, citation: "种子000：每半年召开1次民主生活会".into() },
        ..r.clone()
    };
    rules.replace(half).unwrap();
    let stricter = rules.rules().iter().find(|x| x.kind == ObligationKind::DemocraticLifeMeeting).unwrap();
    let year = evaluate(stricter, &lg, p("2026"), d(2027, 1, 1), Grace::NextFullPeriod, &on(&held));
    let got: Vec<_> = year.iter().map(|o| (o.period.to_string(), o.status)).collect();
    assert_eq!(got, [("2026H1".to_string(), Status::Overdue), ("2026H2".to_string(), Status::Done)]);
}

/// 中心组学习, per the annual plan, commonly monthly: a local rule.
#[test]
fn central_group_study_monthly_local_rule() {
    let (r, c) = (rule(ObligationKind::CentralGroupStudy), org(OrgKind::Committee));
    assert_eq!(r.source.scope, SourceScope::Local);
    assert_eq!(status(&r, &c, "2026-09", d(2026, 9, 30), &[]), Status::Due);
    assert_eq!(status(&r, &c, "2026-09", d(2026, 10, 1), &[]), Status::Overdue);
    assert_eq!(status(&r, &c, "2026-09", d(2026, 10, 1), &[d(2026, 9, 1)]), Status::Done);
    assert_eq!(one(&r, &org(OrgKind::Branch), "2026-09", d(2026, 10, 1), &[]).status, Status::NotOwed);
}

#[test]
fn one_record_counts_for_two_kinds() {
    // A 支部党员大会 with a 党课 (DOMAIN.md): the same date is given for both kinds.
    let b = org(OrgKind::Branch);
    let meeting = [cst_day("2026-07-01T15:00:00+08:00")];
    for kind in [ObligationKind::BranchGeneralMeeting, ObligationKind::PartyLecture] {
        assert_eq!(status(&rule(kind), &b, "2026Q3", d(2026, 10, 1), &meeting), Status::Done, "{kind:?}");
    }
    // 民主评议党员 combined with the 组织生活会.
    let meeting = [d(2026, 12, 10)];
    for kind in [ObligationKind::OrgLifeMeeting, ObligationKind::MemberAppraisal] {
        assert_eq!(status(&rule(kind), &b, "2026", d(2027, 1, 1), &meeting), Status::Done, "{kind:?}");
    }
}

#[test]
fn an_organisation_created_mid_period() {
    let r = rule(ObligationKind::BranchGeneralMeeting);
    let new = OrgFacts { created_on: d(2026, 8, 15), ..org(OrgKind::Branch) };
    let eval = |period: &str, grace, held: &[NaiveDate]| evaluate(&r, &new, p(period), d(2027, 1, 1), grace, &on(held)).pop().unwrap();
    // Default: owes from the next full period.
    let o = eval("2026Q3", Grace::NextFullPeriod, &[]);
    assert_eq!((o.status, o.not_owed), (Status::NotOwed, Some(NotOwedReason::CreatedMidPeriod)));
    assert_eq!(eval("2026Q4", Grace::NextFullPeriod, &[]).status, Status::Overdue);
    assert_eq!(eval("2026Q2", Grace::NextFullPeriod, &[]).not_owed, Some(NotOwedReason::NotYetCreated));
    // Pro rata: 47 of the quarter's 92 days round to one meeting …
    let o = eval("2026Q3", Grace::ProRata, &[]);
    assert_eq!((o.status, o.required), (Status::Overdue, 1));
    // … and a meeting before the organisation existed does not count.
    assert_eq!(eval("2026Q3", Grace::ProRata, &[d(2026, 8, 1)]).status, Status::Overdue);
    assert_eq!(eval("2026Q3", Grace::ProRata, &[d(2026, 8, 15)]).status, Status::Done);
    // Created on 1 September: 30 of 92 days round to none.
    let late = OrgFacts { created_on: d(2026, 9, 1), ..new };
    let o = evaluate(&r, &late, p("2026Q3"), d(2027, 1, 1), Grace::ProRata, &[]).pop().unwrap();
    assert_eq!(o.not_owed, Some(NotOwedReason::CreatedMidPeriod));
    // Created on the first day of the period: the whole period is owed, under either setting.
    let first = OrgFacts { created_on: d(2026, 7, 1), ..new };
    let o = evaluate(&r, &first, p("2026Q3"), d(2027, 1, 1), Grace::NextFullPeriod, &[]).pop().unwrap();
    assert_eq!((o.status, o.required), (Status::Overdue, 1));
}

#[test]
fn a_dissolved_organisation() {
    let r = rule(ObligationKind::ThemeDay);
    // A seed 003 temporary branch for a 7-day training class, closed when the class ends.
    let class = OrgFacts { kind: OrgKind::TemporaryBranch, created_on: d(2026, 1, 1), dissolved_on: Some(d(2026, 3, 10)), has_committee: false };
    let months = evaluate(&r, &class, p("2026Q1"), d(2026, 12, 1), Grace::NextFullPeriod, &on(&[d(2026, 1, 5)]));
    let got: Vec<_> = months.iter().map(|o| (o.status, o.not_owed)).collect();
    assert_eq!(
        got,
        [
            (Status::Done, None),
            (Status::Overdue, None),
            // Dissolved before the month's last day: owes nothing for March, nor after.
            (Status::NotOwed, Some(NotOwedReason::Dissolved)),
        ]
    );
    assert_eq!(status(&r, &class, "2026-07", d(2026, 12, 1), &[]), Status::NotOwed);
    // Dissolved on the last day, it lived through the month and owes it.
    let to_end = OrgFacts { dissolved_on: Some(d(2026, 3, 31)), ..class };
    assert_eq!(status(&r, &to_end, "2026-03", d(2026, 4, 1), &[]), Status::Overdue);
}

#[test]
fn records_after_today_and_counts_above_one() {
    let r = Rule { count: 2, ..rule(ObligationKind::PartyLecture) };
    let b = org(OrgKind::Branch);
    // A planned meeting (dated after today) is not held yet.
    let o = one(&r, &b, "2026Q3", d(2026, 9, 1), &[d(2026, 7, 10), d(2026, 9, 20)]);
    assert_eq!((o.status, o.held, o.required), (Status::Due, 1, 2));
    // The second lecture came as a make-up on 12 October: done, 12 days late. A 补开 naming
    // a month counts for the quarter that month ends in.
    let o = one_held(&r, &b, "2026Q3", d(2026, 11, 1), &[make_up(d(2026, 10, 12), "2026-08"), Held::on(d(2026, 7, 10))]);
    assert_eq!((o.status, o.held, o.late_days), (Status::Done, 2, Some(12)));
    // A "make-up" dated before the period it names ended is an ordinary record of its date.
    let early = [make_up(d(2026, 9, 10), "2026Q3"), Held::on(d(2026, 7, 10))];
    assert_eq!(one_held(&r, &b, "2026Q3", d(2026, 11, 1), &early).late_days, None);
    // An unvalidated rule asking for nothing is met, and nothing overflows.
    let zero = Rule { count: 0, ..r.clone() };
    assert_eq!(one(&zero, &b, "2026Q3", d(2026, 11, 1), &[]).status, Status::Done);
    let huge = Rule { count: u32::MAX, ..r.clone() };
    let new = OrgFacts { created_on: d(2026, 8, 15), ..b };
    let o = evaluate(&huge, &new, p("2026Q3"), d(2026, 11, 1), Grace::ProRata, &[]).pop().unwrap();
    assert_eq!(o.status, Status::Overdue);
    let monthly = Rule { frequency: Frequency::Monthly, ..huge };
    assert!(monthly.at_least_as_strict_as(&rule(ObligationKind::PartyLecture)));
}

#[test]
fn a_stricter_local_rule_changes_the_status() {
    // An installation makes 党课 monthly: a lecture in July met the quarter, not August.
    let b = org(OrgKind::Branch);
    let held = [d(2026, 7, 8)];
    let mut rules = RuleSet::seeded();
    assert_eq!(status(&rule(ObligationKind::PartyLecture), &b, "2026Q3", d(2026, 10, 1), &held), Status::Done);
    let monthly = Rule { frequency: Frequency::Monthly, ..rule(ObligationKind::PartyLecture) };
    rules.replace(monthly).unwrap();
    let r = rules.rules().iter().find(|r| r.kind == ObligationKind::PartyLecture).unwrap();
    let got: Vec<_> = evaluate(r, &b, p("2026Q3"), d(2026, 10, 1), Grace::NextFullPeriod, &on(&held)).iter().map(|o| o.status).collect();
    assert_eq!(got, [Status::Done, Status::Overdue, Status::Overdue]);
}

#[test]
fn a_central_rule_can_only_be_made_stricter() {
    let mut rules = RuleSet::seeded();
    let general = rule(ObligationKind::BranchGeneralMeeting);
    // Yearly instead of quarterly is looser than 支部条例 art. 11: refused, naming the source.
    let e = rules.replace(Rule { frequency: Frequency::Yearly, ..general.clone() }).unwrap_err();
    assert_eq!(e.code, "looser_than_central");
    assert!(e.message.contains("支部条例 第11条") && e.message.contains("每年1次"), "{}", e.message);
    // Fewer kinds of organisation is looser too.
    let e = rules.replace(Rule { owed_by: vec![OrgKind::Branch], ..general.clone() }).unwrap_err();
    assert_eq!(e.code, "looser_than_central");
    // Three a quarter does not imply one every month (all three could fall in one month).
    let committee = rule(ObligationKind::BranchCommitteeMeeting);
    assert!(rules.replace(Rule { frequency: Frequency::Quarterly, count: 3, ..committee.clone() }).is_err());
    // Monthly, twice a quarter, or also for 党总支: stricter, accepted.
    rules.replace(Rule { frequency: Frequency::Monthly, ..general.clone() }).unwrap();
    rules.replace(Rule { count: 2, ..general.clone() }).unwrap();
    let mut wider = general.clone();
    wider.owed_by.push(OrgKind::GeneralBranch);
    rules.replace(wider).unwrap();
    assert!(rules.owed_by(&org(OrgKind::GeneralBranch)).any(|r| r.kind == ObligationKind::BranchGeneralMeeting));
    // Going back to the seeded default is always possible.
    rules.replace(general).unwrap();
    assert_eq!(rules, RuleSet::seeded());
    // A local seeded rule (党课) is the installation's own: it may be relaxed.
    rules.replace(Rule { frequency: Frequency::HalfYearly, ..rule(ObligationKind::PartyLecture) }).unwrap();
}

#[test]
fn rule_rows_are_validated() {
    let mut rules = RuleSet::seeded();
    let base = rule(ObligationKind::PartyLecture);
    let code = |r: Rule| rules.clone().replace(r).unwrap_err().code;
    assert_eq!(code(Rule { count: 0, ..base.clone() }), "invalid_count");
    assert_eq!(code(Rule { count: MAX_COUNT + 1, ..base.clone() }), "invalid_count");
    assert_eq!(code(Rule { owed_by: vec![], ..base.clone() }), "required");
    assert_eq!(code(Rule { source: Source { scope: SourceScope::Local, citation: "  ".into() }, ..base.clone() }), "required");
    assert_eq!(code(Rule { source: Source { scope: SourceScope::Local, citation: "规".repeat(201).into() }, ..base.clone() }), "too_long");
    assert_eq!(code(Rule { preferred_quarter: Some(4), ..base.clone() }), "not_yearly");
    assert_eq!(code(Rule { frequency: Frequency::Yearly, preferred_quarter: Some(5), ..base.clone() }), "invalid_quarter");
    let e = rules.add(Rule { count: 0, ..base.clone() }).unwrap_err();
    assert!(e.message.contains("党课") && e.message.contains("1–31"), "{}", e.message);
    // An added rule adds obligations: a 党总支 also holds a quarterly 大会 under a local rule.
    let total = Rule {
        owed_by: vec![OrgKind::GeneralBranch],
        source: Source { scope: SourceScope::Local, citation: "某市机关工委 2026 年组织生活规定".into() },
        ..rule(ObligationKind::BranchGeneralMeeting)
    };
    rules.add(total).unwrap();
    assert_eq!(rules.rules().len(), 11);
    let owed: Vec<_> = rules.owed_by(&org(OrgKind::GeneralBranch)).map(|r| r.kind).collect();
    assert_eq!(owed, [ObligationKind::BranchGeneralMeeting]);
}

proptest::proptest! {
    /// Every seeded branch rule: a record on any day meets the period of that day, and only it.
    #[test]
    fn a_record_meets_exactly_the_period_of_its_day(n in 0u64..3_650, pick in 0usize..10) {
        let day = d(2024, 1, 1) + chrono::Days::new(n);
        let rules = RuleSet::seeded();
        let b = org(OrgKind::Branch);
        let owed: Vec<_> = rules.owed_by(&b).collect();
        let r = owed[pick % owed.len()];
        let period = Period::containing(r.frequency.granularity(), day).unwrap();
        let after = period.next().unwrap().last_day();
        let o = evaluate(r, &b, period, after, Grace::NextFullPeriod, &[Held::on(day)]);
        proptest::prop_assert_eq!(o[0].status, Status::Done);
        proptest::prop_assert_eq!(o[0].due_by, Date(period.last_day()));
        let o = evaluate(r, &b, period.next().unwrap(), after, Grace::NextFullPeriod, &[Held::on(day)]);
        proptest::prop_assert_eq!(o[0].status, Status::Due);
        let o = evaluate(r, &b, period.prev().unwrap(), after, Grace::NextFullPeriod, &[Held::on(day)]);
        proptest::prop_assert_eq!(o[0].status, Status::Overdue);
    }
}
