//! 评先表彰 — honours drawn from an assessment's results (issue 11: "nominations drawn from results,
//! review, publication; an honour becomes part of the organisation's or member's history").
//! Seed 002: "县直单位党组织的评先表彰工作由工委负责" — the 工委 that ran the assessment proposes,
//! reviews and publishes; seed 000: 考评结果直接与年终评先评优挂钩; seed 004: 考核结果作为评选先进
//! 基层党组织和优秀领导干部的重要依据. The organisations whose tier carries 推荐评先表彰 are proposed
//! by the system; the officer adds or removes nominees (organisations or members) with a reason,
//! approves or rejects each with a reason, and publishes the list on a date.

use chrono::NaiveDate;

use crate::text::parse_required_text;
use crate::time::parse_date;
use crate::{code_enum, time, Invalid};

code_enum! {
    /// 表彰称号 — what an honour is called (the usual 七一 honours of a 机关工委).
    HonourTitle {
        AdvancedOrg = "advanced_org" / "先进基层党组织",
        ExcellentMember = "excellent_member" / "优秀共产党员",
        ExcellentWorker = "excellent_worker" / "优秀党务工作者",
    }
}

impl HonourTitle {
    /// 优秀共产党员 and 优秀党务工作者 are a person's; 先进基层党组织 an organisation's.
    pub fn for_member(self) -> bool {
        !matches!(self, HonourTitle::AdvancedOrg)
    }
}

code_enum! {
    /// 提名状态 — where a nomination stands.
    NominationStatus {
        Proposed = "proposed" / "待审核",
        Approved = "approved" / "审核通过",
        Rejected = "rejected" / "审核未通过",
        /// 撤销提名: taken off the list before review, with a reason; kept for the record.
        Removed = "removed" / "已撤销提名",
    }
}

code_enum! {
    /// 表彰阶段.
    HonourStage {
        Nominating = "nominating" / "提名审核",
        Published = "published" / "已公布",
    }
}

/// Reasons and review comments: a paragraph.
pub const REASON_MAX: usize = 500;

/// Why the system proposed an organisation: its tier and the outcome the tier carries.
pub fn proposal_reason(assessment: &str, tier: &str, outcome_label: &str) -> String {
    format!("{assessment}等次为“{tier}”，按方案{outcome_label}")
}

/// 增加提名 as typed: an organisation (先进基层党组织) or a member (优秀共产党员, 优秀党务工作者),
/// with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NominationInput {
    /// `advanced_org`, `excellent_member` or `excellent_worker`.
    pub title: String,
    /// The organisation nominated (先进基层党组织).
    pub org_id: Option<i64>,
    /// The member nominated (优秀共产党员, 优秀党务工作者).
    pub member_id: Option<i64>,
    /// 推荐理由.
    pub reason: String,
}

/// Who is nominated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nominee {
    Org(i64),
    Member(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidNomination {
    pub title: HonourTitle,
    pub nominee: Nominee,
    pub reason: String,
}

impl NominationInput {
    /// A title, the nominee its title calls for (an organisation for 先进基层党组织, a member for
    /// the others), a reason; every problem at once.
    pub fn validate(&self) -> Result<ValidNomination, Vec<Invalid>> {
        let mut errors = Vec::new();
        let title = HonourTitle::parse(&self.title);
        if title.is_none() {
            errors.push(Invalid::new("title", "invalid_title", "请选择表彰称号：先进基层党组织、优秀共产党员或优秀党务工作者"));
        }
        let org = self.org_id.filter(|id| *id > 0);
        let member = self.member_id.filter(|id| *id > 0);
        let nominee = match (title.map(HonourTitle::for_member), org, member) {
            (Some(true), _, Some(m)) => Some(Nominee::Member(m)),
            (Some(true), _, None) => {
                errors.push(Invalid::new("member_id", "member_required", format!("“{}”表彰党员个人，请选择被提名的党员", title.map_or("", HonourTitle::label))));
                None
            }
            (Some(false), Some(o), None) => Some(Nominee::Org(o)),
            (Some(false), _, Some(_)) => {
                errors.push(Invalid::new("member_id", "org_title_for_member", "“先进基层党组织”表彰党组织，不能提名党员个人"));
                None
            }
            (Some(false), None, None) => {
                errors.push(Invalid::new("org_id", "org_required", "请选择被提名的党组织"));
                None
            }
            (None, ..) => None,
        };
        let reason = parse_required_text("reason", "推荐理由", &self.reason, REASON_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        match (title, nominee) {
            (Some(title), Some(nominee)) if errors.is_empty() => Ok(ValidNomination { title, nominee, reason }),
            _ => Err(errors),
        }
    }
}

/// 审核 as typed: approved or rejected, with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReviewInput {
    /// `approved` (审核通过) or `rejected` (审核未通过).
    pub decision: String,
    /// 审核意见.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReview {
    pub status: NominationStatus,
    pub reason: String,
}

impl ReviewInput {
    /// A decision on a nomination that is `current`: only a proposed one is reviewed (a decision
    /// stands; a removed nomination is off the list). Every problem at once.
    pub fn validate(&self, current: NominationStatus) -> Result<ValidReview, Vec<Invalid>> {
        let mut errors = Vec::new();
        let status = match NominationStatus::parse(&self.decision) {
            Some(s @ (NominationStatus::Approved | NominationStatus::Rejected)) => Some(s),
            _ => {
                errors.push(Invalid::new("decision", "invalid_decision", "审核结果应为审核通过（approved）或审核未通过（rejected）"));
                None
            }
        };
        if current != NominationStatus::Proposed {
            errors.push(Invalid::new("decision", "already_decided", format!("该提名已是“{}”，不能再审核", current.label())));
        }
        let reason = parse_required_text("reason", "审核意见", &self.reason, REASON_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        match status {
            Some(status) if errors.is_empty() => Ok(ValidReview { status, reason }),
            _ => Err(errors),
        }
    }
}

/// 撤销提名: the reason, for a nomination not yet reviewed.
pub fn check_removal(reason: &str, current: NominationStatus) -> Result<String, Vec<Invalid>> {
    let mut errors = Vec::new();
    if current != NominationStatus::Proposed {
        errors.push(Invalid::new("reason", "already_decided", format!("该提名已是“{}”，不能撤销", current.label())));
    }
    let reason = parse_required_text("reason", "撤销理由", reason, REASON_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
    if errors.is_empty() {
        Ok(reason)
    } else {
        Err(errors)
    }
}

/// 公布 as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PublishInput {
    /// 表彰决定的公布日期, `2026-07-01`.
    pub published_on: String,
}

impl PublishInput {
    /// A date not after `today` and not before the results it draws on were published
    /// (`results_on`); every nomination decided (`pending` left), at least one approved. Every
    /// problem at once.
    pub fn validate(&self, today: NaiveDate, results_on: Option<NaiveDate>, pending: usize, approved: usize) -> Result<NaiveDate, Vec<Invalid>> {
        let mut errors = Vec::new();
        let date = match parse_date("published_on", "公布日期", &self.published_on) {
            Ok(d) if d > today => {
                errors.push(Invalid::new("published_on", "in_future", format!("公布日期{}晚于今天", time::format_date(d))));
                None
            }
            Ok(d) if results_on.is_some_and(|r| d < r) => {
                errors.push(Invalid::new("published_on", "before_results", format!("公布日期{}早于考核结果公布日期{}", time::format_date(d), results_on.map(time::format_date).unwrap_or_default())));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if pending > 0 {
            errors.push(Invalid::new("nominations", "pending", format!("尚有{pending}项提名未审核，审核完毕后才能公布")));
        }
        if approved == 0 {
            errors.push(Invalid::new("nominations", "none_approved", "没有审核通过的提名，无可公布的表彰"));
        }
        match date {
            Some(d) if errors.is_empty() => Ok(d),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(e: &[Invalid]) -> Vec<&str> {
        e.iter().map(|i| i.code).collect()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_title_calls_for_its_kind_of_nominee() {
        let org = NominationInput { title: "advanced_org".into(), org_id: Some(5), member_id: None, reason: "全年组织生活按期开展".into() };
        assert_eq!(org.validate().unwrap().nominee, Nominee::Org(5));
        let member = NominationInput { title: "优秀共产党员".into(), org_id: Some(5), member_id: Some(9), reason: "带头攻坚".into() };
        let v = member.validate().unwrap();
        assert_eq!((v.title, v.nominee), (HonourTitle::ExcellentMember, Nominee::Member(9)));
        let wrong = NominationInput { title: "advanced_org".into(), org_id: Some(5), member_id: Some(9), reason: "x".into() };
        assert_eq!(codes(&wrong.validate().unwrap_err()), ["org_title_for_member"]);
        let none = NominationInput { title: "excellent_worker".into(), ..Default::default() };
        assert_eq!(codes(&none.validate().unwrap_err()), ["member_required", "required"]);
    }

    #[test]
    fn every_problem_of_a_nomination_at_once() {
        let bad = NominationInput { title: "劳动模范".into(), org_id: None, member_id: None, reason: " ".into() };
        let e = bad.validate().unwrap_err();
        assert_eq!(codes(&e), ["invalid_title", "required"]);
        assert!(e.iter().all(|i| !i.message.is_empty()));
    }

    #[test]
    fn a_review_decides_a_proposed_nomination_once_with_a_reason() {
        let ok = ReviewInput { decision: "approved".into(), reason: "符合条件".into() };
        assert_eq!(ok.validate(NominationStatus::Proposed).unwrap().status, NominationStatus::Approved);
        assert_eq!(codes(&ok.validate(NominationStatus::Rejected).unwrap_err()), ["already_decided"]);
        let bad = ReviewInput { decision: "maybe".into(), reason: String::new() };
        assert_eq!(codes(&bad.validate(NominationStatus::Approved).unwrap_err()), ["invalid_decision", "already_decided", "required"]);
        assert_eq!(codes(&check_removal("", NominationStatus::Approved).unwrap_err()), ["already_decided", "required"]);
        assert_eq!(check_removal("重复提名", NominationStatus::Proposed).unwrap(), "重复提名");
    }

    #[test]
    fn publishing_needs_a_date_in_range_and_every_nomination_decided() {
        let today = day("2026-07-01");
        let results = Some(day("2026-06-20"));
        let p = PublishInput { published_on: "2026-07-01".into() };
        assert_eq!(p.validate(today, results, 0, 3).unwrap(), today);
        let early = PublishInput { published_on: "2026-06-01".into() };
        assert_eq!(codes(&early.validate(today, results, 2, 0).unwrap_err()), ["before_results", "pending", "none_approved"]);
        let future = PublishInput { published_on: "2026-07-02".into() };
        assert_eq!(codes(&future.validate(today, results, 0, 1).unwrap_err()), ["in_future"]);
        assert_eq!(codes(&PublishInput::default().validate(today, results, 0, 1).unwrap_err()).len(), 1);
    }
}
