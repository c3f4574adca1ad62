//! 组织生活义务 — which organisation owes which meeting how often (三会一课 and the rest,
//! DOMAIN.md "Organisational life"), and the status of one obligation in one period, computed
//! from the dates of the records held. Only facts count: meetings held, never logins, points or
//! time online (DESIGN.md, "No check-in culture").

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::org::OrgKind;
use crate::period::{Frequency, Period, PeriodKind};
use crate::time::Date;
use crate::{code_enum, Invalid};

code_enum! {
    /// 组织生活类别 — what an obligation asks for. The codes are the meeting kinds' canonical
    /// codes (DOMAIN.md), so a meeting record's kind code names the obligations it counts for.
    ObligationKind {
        BranchGeneralMeeting = "branch_general_meeting" / "支部党员大会",
        BranchCommitteeMeeting = "branch_committee_meeting" / "支部委员会会议",
        GroupMeeting = "group_meeting" / "党小组会",
        PartyLecture = "party_lecture" / "党课",
        ThemeDay = "theme_day" / "主题党日",
        OrgLifeMeeting = "org_life_meeting" / "组织生活会",
        MemberAppraisal = "member_appraisal" / "民主评议党员",
        HeartToHeartTalk = "heart_to_heart_talk" / "谈心谈话",
        DemocraticLifeMeeting = "democratic_life_meeting" / "民主生活会",
        CentralGroupStudy = "central_group_study" / "中心组学习",
    }
}

code_enum! {
    /// 依据层级 — whether a rule's source is a central regulation or a local/unit rule.
    SourceScope {
        Central = "central" / "中央党内法规",
        Local = "local" / "地方或单位规定",
    }
}

code_enum! {
    /// 新建组织的起算方式 — what an organisation created during a period owes for it
    /// (DOMAIN.md: an installation setting, default from the next full period).
    Grace {
        NextFullPeriod = "next_full_period" / "自下一个完整期间起",
        ProRata = "pro_rata" / "按存续天数折算",
    }
}

code_enum! {
    /// 完成状态 — the status of one obligation in one period.
    Status {
        Done = "done" / "已完成",
        Due = "due" / "待完成",
        Overdue = "overdue" / "已逾期",
        NotOwed = "not_owed" / "无需开展",
    }
}

code_enum! {
    /// 无需开展的原因 — why an organisation owes nothing for a period.
    NotOwedReason {
        KindNotOwed = "kind_not_owed" / "该类组织无此要求",
        NoCommittee = "no_committee" / "未设支部委员会",
        NotYetCreated = "not_yet_created" / "期间结束后才成立",
        CreatedMidPeriod = "created_mid_period" / "期间中途成立，自下一个完整期间起计",
        Dissolved = "dissolved" / "期间结束前已撤销",
    }
}

/// 依据 — where a rule comes from, cited as DOMAIN.md gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    pub scope: SourceScope,
    pub citation: Cow<'static, str>,
}

/// 组织生活规则 — one rule row: who owes how many of a kind per period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub kind: ObligationKind,
    pub owed_by: Vec<OrgKind>,
    /// Owed only by an organisation that has set up a 支部委员会 (a fact of the organisation).
    pub needs_committee: bool,
    pub frequency: Frequency,
    /// Records required in each period.
    pub count: u32,
    /// Quarter of the year (1–4) in which a yearly meeting is generally held. A preference,
    /// not a condition: a meeting held earlier in the year still counts.
    pub preferred_quarter: Option<u32>,
    pub source: Source,
}

/// The most records a rule may ask for in one period: one a day of a month is already absurd.
pub const MAX_COUNT: u32 = 31;
const CITATION_MAX: usize = 200;

/// Branch-like organisations: 支部, 联合支部 and 临时支部 hold members and their life (支部条例).
const BRANCHES: &[OrgKind] = &[OrgKind::Branch, OrgKind::JointBranch, OrgKind::TemporaryBranch];

fn central(citation: &'static str) -> Source {
    Source { scope: SourceScope::Central, citation: Cow::Borrowed(citation) }
}

fn local(citation: &'static str) -> Source {
    Source { scope: SourceScope::Local, citation: Cow::Borrowed(citation) }
}

fn row(kind: ObligationKind, owed_by: &[OrgKind], frequency: Frequency, source: Source) -> Rule {
    Rule { kind, owed_by: owed_by.to_vec(), needs_committee: false, frequency, count: 1, preferred_quarter: None, source }
}

/// The default rules, one per kind: DOMAIN.md's table "Organisational life".
pub fn seeded_rules() -> Vec<Rule> {
    use Frequency::*;
    use ObligationKind::*;
    vec![
        // 支部党员大会 generally once a quarter. 支部条例 art. 11 (quoted).
        row(BranchGeneralMeeting, BRANCHES, Quarterly, central("支部条例 第11条（引文）")),
        // 支部委员会会议 generally once a month, where a committee exists. 支部条例 art. 12 (quoted).
        Rule { needs_committee: true, ..row(BranchCommitteeMeeting, BRANCHES, Monthly, central("支部条例 第12条（引文）")) },
        // 党小组会 generally once a month. 支部条例 art. 13 (quoted).
        row(GroupMeeting, &[OrgKind::Group], Monthly, central("支部条例 第13条（引文）")),
        // 党课 once a quarter: a local rule, no central source (checked 2026-12). Seed 000
        // ("每季度上1次党课") and many unit rules; 支部条例 only says members attend regularly
        // and the secretary gives at least one lecture a year.
        row(PartyLecture, BRANCHES, Quarterly, local("地方规定（种子000：每季度上1次党课）；无中央依据")),
        // 主题党日 one fixed day each month. 支部条例 art. 16 (quoted, numbering inferred).
        row(ThemeDay, BRANCHES, Monthly, central("支部条例 第16条（引文，条号推定）")),
        // 组织生活会 at least once a year, generally in the fourth quarter. 支部条例 art. 17 (quoted).
        Rule { preferred_quarter: Some(4), ..row(OrgLifeMeeting, BRANCHES, Yearly, central("支部条例 第17条（引文）")) },
        // 民主评议党员 generally once a year, may be combined with the 组织生活会.
        // 支部条例 art. 18 (quoted, numbering inferred); 教育管理条例 art. 18 (full text).
        row(MemberAppraisal, BRANCHES, Yearly, central("支部条例 第18条（引文，条号推定）；教育管理条例 第18条（全文）")),
        // 谈心谈话 generally at least once a year. 支部条例 art. 19 (quoted). Counted per
        // branch: who talked with whom is in the record, coverage of every member is not a rule row.
        row(HeartToHeartTalk, BRANCHES, Yearly, central("支部条例 第19条（引文）")),
        // 民主生活会 of leadership teams (党组, 机关党委 班子) once a year, generally in the fourth
        // quarter. 民主生活会若干规定 (2016, quoted).
        Rule {
            preferred_quarter: Some(4),
            ..row(DemocraticLifeMeeting, &[OrgKind::LeadingGroup, OrgKind::AgencyCommittee], Yearly, central("县以上党和国家机关党员领导干部民主生活会若干规定（2016，引文）"))
        },
        // 中心组学习 of the 党委(党组) theory study centre group: per the annual plan, commonly
        // monthly. A local rule.
        row(
            CentralGroupStudy,
            &[OrgKind::Committee, OrgKind::WorkingCommittee, OrgKind::LeadingGroup],
            Monthly,
            local("地方规定：按年度学习计划，通常每月1次"),
        ),
    ]
}

impl Rule {
    /// Checks a rule row an installation writes.
    pub fn validate(&self) -> Result<(), Invalid> {
        let name = self.kind.label();
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(Invalid::new("count", "invalid_count", format!("「{name}」每期次数应在 1–{MAX_COUNT} 之间，现为 {}", self.count)));
        }
        if self.owed_by.is_empty() {
            return Err(Invalid::new("owed_by", "required", format!("「{name}」应至少适用于一类组织")));
        }
        let citation = self.source.citation.trim();
        if citation.is_empty() {
            return Err(Invalid::new("source", "required", format!("「{name}」应注明依据（文件名称和条款）")));
        }
        if citation.chars().count() > CITATION_MAX {
            return Err(Invalid::new("source", "too_long", format!("「{name}」的依据不超过 {CITATION_MAX} 个字")));
        }
        match self.preferred_quarter {
            Some(q) if self.frequency != Frequency::Yearly => Err(Invalid::new(
                "preferred_quarter",
                "not_yearly",
                format!("「{name}」{}开展，不能指定第{q}季度为一般开展时间（仅每年一次的规则可指定）", self.frequency.label()),
            )),
            Some(q) if !(1..=4).contains(&q) => {
                Err(Invalid::new("preferred_quarter", "invalid_quarter", format!("「{name}」的一般开展季度应为 1–4，现为 {q}")))
            }
            _ => Ok(()),
        }
    }

    /// Whether meeting this rule always meets `other` too: the same kind, at least the same
    /// organisations, and in each of `other`'s periods at least as many records. Periods nest
    /// (months in quarters in halves in years), so a finer rule implies a coarser one when its
    /// count times the periods it has inside one of `other`'s is not smaller.
    pub fn at_least_as_strict_as(&self, other: &Rule) -> bool {
        let (mine, theirs) = (self.frequency.per_year(), other.frequency.per_year());
        self.kind == other.kind
            && mine >= theirs
            && self.count.saturating_mul(mine / theirs) >= other.count
            && other.owed_by.iter().all(|k| self.owed_by.contains(k))
            && (other.needs_committee || !self.needs_committee)
    }

    /// Whether this organisation owes the rule at all, whatever the period.
    pub fn applies_to(&self, org: &OrgFacts) -> Result<(), NotOwedReason> {
        if !self.owed_by.contains(&org.kind) {
            Err(NotOwedReason::KindNotOwed)
        } else if self.needs_committee && !org.has_committee {
            Err(NotOwedReason::NoCommittee)
        } else {
            Ok(())
        }
    }

    fn describe(&self) -> String {
        format!("{}{}次", self.frequency.label(), self.count)
    }
}

/// 规则集 — the seeded rules with an installation's changes: a seeded rule replaced (a central
/// one only by a stricter one, DOMAIN.md "Every rule is a default that an installation may make
/// stricter") and local rules added on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// DOMAIN.md's rules, unchanged.
    pub fn seeded() -> RuleSet {
        RuleSet { rules: seeded_rules() }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Replaces the seeded rule of the same kind. A seeded rule with a central source may only
    /// be made stricter; one with a local source (党课, 中心组学习) may be set freely, since it
    /// is the installation's own rule. Always compared with the seeded default, so an
    /// installation can go back on an earlier change.
    pub fn replace(&mut self, rule: Rule) -> Result<(), Invalid> {
        rule.validate()?;
        let default = seeded_rules().into_iter().find(|r| r.kind == rule.kind).expect("every kind has a seeded rule");
        if default.source.scope == SourceScope::Central && !rule.at_least_as_strict_as(&default) {
            return Err(Invalid::new(
                "rule",
                "looser_than_central",
                format!(
                    "「{}」的默认规则出自中央规定（{}），只能从严：{}（{}{}）不能放宽为 {}（{}{}）",
                    rule.kind.label(),
                    default.source.citation,
                    default.describe(),
                    owed_by_text(&default.owed_by),
                    if default.needs_committee { "，设支委会的" } else { "" },
                    rule.describe(),
                    owed_by_text(&rule.owed_by),
                    if rule.needs_committee { "，设支委会的" } else { "" },
                ),
            ));
        }
        let at = self.rules.iter().position(|r| r.kind == rule.kind).expect("seeded rules come first, one per kind");
        self.rules[at] = rule;
        Ok(())
    }

    /// Adds a rule on top of the others (e.g. a 党总支 that must also hold a quarterly 大会).
    /// An added rule only ever adds obligations, so it needs no strictness check.
    pub fn add(&mut self, rule: Rule) -> Result<(), Invalid> {
        rule.validate()?;
        self.rules.push(rule);
        Ok(())
    }

    /// The rules this organisation owes.
    pub fn owed_by<'a>(&'a self, org: &'a OrgFacts) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| r.applies_to(org).is_ok())
    }
}

fn owed_by_text(kinds: &[OrgKind]) -> String {
    kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
}

/// 支部条例 art. 20 (quoted): a branch of 7 or more full members sets up a 支部委员会 — the fact
/// that decides whether the monthly 支委会 is owed.
pub const COMMITTEE_FROM: i64 = 7;

/// The facts about an organisation that decide what it owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgFacts {
    pub kind: OrgKind,
    pub created_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
    /// Has set up a 支部委员会 (支部条例 art. 20: 7 or more full members).
    pub has_committee: bool,
}

impl Default for Grace {
    /// DOMAIN.md "Organisational life": default from the next full period.
    fn default() -> Self {
        Grace::NextFullPeriod
    }
}

/// A record counting for an obligation: its date (CST) and, for a make-up meeting (补开),
/// the earlier period it stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub on: NaiveDate,
    pub makes_up: Option<Period>,
}

impl Held {
    pub fn on(on: NaiveDate) -> Held {
        Held { on, makes_up: None }
    }

    /// A make-up stands for the rule's period in which the made-up period ends (a 补开 for
    /// August counts for the third quarter), and no longer for the period of its own date. One
    /// naming a period that had not ended by its date is no make-up and counts by its date.
    fn counts_for(self, period: Period) -> bool {
        match self.makes_up {
            Some(m) if m.last_day() < self.on => period.contains(m.last_day()),
            _ => period.contains(self.on),
        }
    }
}

/// One obligation of one organisation in one period of the rule's granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Obligation {
    pub kind: ObligationKind,
    pub period: Period,
    pub required: u32,
    pub held: u32,
    pub status: Status,
    pub not_owed: Option<NotOwedReason>,
    /// The last day of the period (CST).
    pub due_by: Date,
    /// First day of the quarter in which the meeting is generally held, for reminders.
    pub preferred_from: Option<Date>,
    /// Days after `due_by` of the record that completed the count, when that came late.
    pub late_days: Option<u32>,
}

/// Evaluates a rule for an organisation over the periods of the rule's granularity that
/// overlap `asked` (one period when `asked` has that granularity; the three months of a
/// quarter for a monthly rule; the year for a yearly rule asked about a quarter).
///
/// `held` lists the organisation's records counting for this kind (one meeting may count for
/// several kinds: the caller lists it under each). A record counts for the period of its date,
/// or, when it makes up an earlier period (补开), for the rule's period in which that one ends,
/// as a late record that sets `late_days`. Records before the organisation's creation and
/// records dated after `today` (planned, not yet held) do not count.
///
/// Decisions where DOMAIN.md is silent: an organisation dissolved before a period's last day
/// owes nothing for that period (it did not live through it); pro rata rounds
/// `count × days existed / days of the period` half up, and a result of 0 means not owed.
pub fn evaluate(rule: &Rule, org: &OrgFacts, asked: Period, today: NaiveDate, grace: Grace, held: &[Held]) -> Vec<Obligation> {
    asked
        .overlapping(rule.frequency.granularity())
        .into_iter()
        .map(|period| evaluate_period(rule, org, period, today, grace, held))
        .collect()
}

fn evaluate_period(rule: &Rule, org: &OrgFacts, period: Period, today: NaiveDate, grace: Grace, held: &[Held]) -> Obligation {
    let (first, last) = (period.first_day(), period.last_day());
    let preferred_from = match (rule.preferred_quarter, period.kind()) {
        (Some(q), PeriodKind::Year) => Period::new(PeriodKind::Quarter, period.year(), q).ok().map(|q| Date(q.first_day())),
        _ => None,
    };
    let base = Obligation {
        kind: rule.kind,
        period,
        required: 0,
        held: 0,
        status: Status::NotOwed,
        not_owed: None,
        due_by: Date(last),
        preferred_from,
        late_days: None,
    };
    let not_owed = |reason| Obligation { not_owed: Some(reason), ..base };
    if let Err(reason) = rule.applies_to(org) {
        return not_owed(reason);
    }
    if org.created_on > last {
        return not_owed(NotOwedReason::NotYetCreated);
    }
    if org.dissolved_on.is_some_and(|d| d < last) {
        return not_owed(NotOwedReason::Dissolved);
    }
    let (start, required) = if org.created_on <= first {
        (first, rule.count)
    } else {
        match grace {
            Grace::NextFullPeriod => return not_owed(NotOwedReason::CreatedMidPeriod),
            Grace::ProRata => {
                // In u64: a rule's fields are public, so an unvalidated count must not overflow.
                let existed = (last - org.created_on).num_days() as u64 + 1;
                let days = u64::from(period.days());
                let required = ((2 * u64::from(rule.count) * existed + days) / (2 * days)) as u32;
                if required == 0 {
                    return not_owed(NotOwedReason::CreatedMidPeriod);
                }
                (org.created_on, required)
            }
        }
    };
    let mut counted: Vec<NaiveDate> = held
        .iter()
        .filter(|h| h.counts_for(period) && start <= h.on && h.on <= today)
        .map(|h| h.on)
        .collect();
    counted.sort_unstable();
    let count = counted.len() as u32;
    let status = if count >= required {
        Status::Done
    } else if today <= last {
        Status::Due
    } else {
        Status::Overdue
    };
    // The record that completed the count decides how late the period was met.
    let completing = match status {
        Status::Done => required.checked_sub(1).and_then(|i| counted.get(i as usize)),
        _ => None,
    };
    let late_days = completing.filter(|c| **c > last).map(|c| (*c - last).num_days() as u32);
    Obligation { required, held: count, status, late_days, ..base }
}

#[cfg(test)]
mod tests;
