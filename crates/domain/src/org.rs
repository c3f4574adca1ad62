//! 组织 — the organisation tree: kinds, what may sit under what, size thresholds, posts and terms.

use chrono::NaiveDate;

use crate::member::Status;
use crate::text::{parse_name, parse_optional_name, parse_text, NOTE_MAX};
use crate::time::{self, Date};
use crate::{code_enum, Invalid};

code_enum! {
    /// 组织类别 — organisation kind (DOMAIN.md canonical codes).
    OrgKind {
        WorkingCommittee = "working_committee" / "党工委",
        Committee = "committee" / "党委",
        LeadingGroup = "leading_group" / "党组",
        AgencyCommittee = "agency_committee" / "机关党委",
        GeneralBranch = "general_branch" / "党总支",
        Branch = "branch" / "党支部",
        JointBranch = "joint_branch" / "联合党支部",
        TemporaryBranch = "temporary_branch" / "临时党支部",
        Group = "group" / "党小组",
    }
}

code_enum! {
    /// 单位类别 — category of the unit an organisation sits in.
    UnitCategory {
        /// Not given: stored and written as the empty code, as before categories were typed.
        Unspecified = "" / "未填",
        Agency = "agency" / "机关",
        Institution = "institution" / "事业单位",
        Enterprise = "enterprise" / "企业",
        Village = "village" / "村",
        Community = "community" / "社区",
        NewOrganisation = "new_organisation" / "两新组织",
    }
}

code_enum! {
    /// 职务 — a post held on an organisation.
    PostKind {
        Secretary = "secretary" / "书记",
        DeputySecretary = "deputy_secretary" / "副书记",
        OrganisationMember = "organisation_member" / "组织委员",
        PropagandaMember = "propaganda_member" / "宣传委员",
        DisciplineMember = "discipline_member" / "纪检委员",
        UnitedFrontMember = "united_front_member" / "统战委员",
        CommitteeMember = "committee_member" / "委员",
        GroupLeader = "group_leader" / "党小组长",
        Liaison = "liaison" / "联络员",
    }
}

code_enum! {
    /// AB角 — the B holder acts when the A holder is absent.
    AbRole {
        A = "a" / "A角",
        B = "b" / "B角",
    }
}

impl UnitCategory {
    pub fn is_specified(self) -> bool {
        self != UnitCategory::Unspecified
    }
}

impl PostKind {
    /// Posts that make a 支部委员会 (支部条例 art. 20): the 委员 with a portfolio and plain 委员.
    pub fn is_committee(self) -> bool {
        matches!(self, PostKind::OrganisationMember | PostKind::PropagandaMember | PostKind::DisciplineMember | PostKind::CommitteeMember)
    }

    /// One A and one B holder at a time, except plain 委员, of whom a committee has several.
    pub fn is_single(self) -> bool {
        self != PostKind::CommitteeMember
    }
}

/// Members who left (转出, 去世, 开除, 除名, 退党) stay attached to their last organisation as
/// history; everyone else still belongs to it, so it cannot be dissolved under them.
pub fn keeps_org(status: Status) -> bool {
    !matches!(status, Status::TransferredOut | Status::Deceased | Status::Expelled | Status::Removed | Status::Withdrawn)
}

impl OrgKind {
    /// Branch-like organisations hold members directly and owe 三会一课.
    pub fn is_branch(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch)
    }

    /// A 党组 leads its unit's party work but holds no members of its own (DOMAIN.md, Organisations);
    /// a 党小组's members keep their relation with its branch and are placed in the group
    /// (支部条例 art. 13: the branch divides into groups).
    pub fn holds_members(self) -> bool {
        !matches!(self, OrgKind::LeadingGroup | OrgKind::WorkingCommittee | OrgKind::Group)
    }

    /// Why an organisation of this kind refuses members, following its label in a message.
    pub fn holds_no_members_reason(self) -> &'static str {
        match self {
            OrgKind::Group => "不接收组织关系：党员的组织关系在其所在党支部，请在党支部建档后编入党小组",
            _ => "不直接管理党员，请选择其下的党组织",
        }
    }

    /// Default term of the committee in years. 机关条例 art. 5–7: a 基层委员会 serves 5 years,
    /// a 总支 or 支部 3 years; 党章 art. 31 allows 3 to 5 years.
    pub fn term_years(self) -> Option<u32> {
        match self {
            OrgKind::Committee | OrgKind::AgencyCommittee | OrgKind::WorkingCommittee => Some(5),
            OrgKind::GeneralBranch | OrgKind::Branch | OrgKind::JointBranch => Some(3),
            OrgKind::LeadingGroup | OrgKind::TemporaryBranch | OrgKind::Group => None,
        }
    }
}

/// The default nesting table of DOMAIN.md ("Nesting follows organisational subordination").
/// Anything else produces a warning, not a refusal: an installation may widen it.
pub fn nesting_allowed(parent: OrgKind, child: OrgKind) -> bool {
    use OrgKind::*;
    match parent {
        WorkingCommittee | Committee => matches!(
            child,
            Committee | AgencyCommittee | LeadingGroup | GeneralBranch | Branch | JointBranch | TemporaryBranch
        ),
        LeadingGroup => matches!(child, LeadingGroup | AgencyCommittee),
        AgencyCommittee => matches!(child, GeneralBranch | Branch | JointBranch | TemporaryBranch),
        GeneralBranch => matches!(child, Branch | TemporaryBranch),
        Branch | JointBranch | TemporaryBranch => matches!(child, Group),
        Group => false,
    }
}

/// A rule the organisation breaks that people should look at; never a refusal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

pub fn nesting_warning(parent: OrgKind, child: OrgKind) -> Option<Warning> {
    (!nesting_allowed(parent, child)).then(|| Warning {
        code: "unusual_nesting",
        message: format!("{}下一般不设{}（按隶属关系的默认规则）", parent.label(), child.label()),
    })
}

/// Size warnings for an organisation holding `full_members` 正式党员 and `members` in all.
/// 支部条例 art. 4: a branch generally has no more than 50 members; 3 or more full members
/// set up a branch (机关条例 art. 7). 机关条例 art. 5–6: 50–100 members set up a 党总支,
/// 100 or more a 机关党委. 支部条例 art. 20: 7 or more full members set up a 支部委员会.
pub fn size_warnings(kind: OrgKind, members: u64, full_members: u64, has_committee: bool) -> Vec<Warning> {
    let mut out = Vec::new();
    if kind.is_branch() && kind != OrgKind::TemporaryBranch {
        if members > 50 {
            out.push(Warning {
                code: "branch_too_large",
                message: format!("党支部党员一般不超过50人，现有{members}人，可考虑设立党总支或分设支部（支部条例第4条）"),
            });
        }
        if full_members < 3 && kind == OrgKind::Branch {
            out.push(Warning {
                code: "branch_too_small",
                message: format!("正式党员不足3人（现有{full_members}人），一般应与邻近单位成立联合党支部（机关条例第7条）"),
            });
        }
        if full_members >= 7 && !has_committee {
            out.push(Warning {
                code: "committee_required",
                message: format!("正式党员{full_members}人，达到7人应设立支部委员会（支部条例第20条）"),
            });
        }
    }
    if kind == OrgKind::GeneralBranch && members >= 100 {
        out.push(Warning {
            code: "general_branch_too_large",
            message: format!("党员{members}人，100人以上的一般设立机关党委（机关条例第5—6条）"),
        });
    }
    out
}

/// Organisation code (组织编码): letters, digits and dashes, 2–32 characters, unique in the installation.
pub fn parse_code(s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    if s.len() < 2 || s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Invalid::new("code", "invalid_code", "组织编码应为2—32位字母、数字或短横线"));
    }
    Ok(s.to_ascii_uppercase())
}

/// An organisation as a form, an API body, the command line or the demo loader gives it: all
/// text, nothing trusted, so that every problem comes back at once as field errors. Codes and
/// labels are both accepted for `kind` and `unit_category`. `parent_id` is the store's to check
/// (it must exist and be writable).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OrgInput {
    pub parent_id: Option<i64>,
    /// An organisation kind (`branch`, `general_branch`, …, or its Chinese label).
    pub kind: String,
    pub name: String,
    /// 2–32 letters, digits or dashes; stored upper-case, unique.
    pub code: String,
    pub unit_name: String,
    /// A unit category (`agency`, …), or empty.
    pub unit_category: String,
    /// `YYYY-MM-DD`, or empty.
    pub established_on: String,
    /// `YYYY-MM-DD`; required for a temporary branch.
    pub ends_on: String,
    pub note: String,
    pub sort: Option<i64>,
}

/// A partial change of an organisation; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OrgPatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub code: Option<String>,
    pub unit_name: Option<String>,
    pub unit_category: Option<String>,
    pub established_on: Option<String>,
    pub ends_on: Option<String>,
    pub note: Option<String>,
    pub sort: Option<i64>,
}

/// The fields of an organisation that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrg {
    pub kind: OrgKind,
    pub name: String,
    pub code: String,
    pub unit_name: String,
    pub unit_category: UnitCategory,
    pub established_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub note: String,
    pub sort: i64,
}

/// The value of a check, or `None` with its error kept for the report of all problems.
fn keep<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn optional_date(field: &'static str, label: &str, s: &str) -> Result<Option<Date>, Invalid> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    time::parse_date(field, label, s).map(|d| Some(Date(d)))
}

impl OrgInput {
    /// Checks every field and reports all problems at once. A temporary branch needs an end
    /// date, not in the past: it is dissolved when its mission ends (支部条例 ch. 2, seed 003).
    pub fn validate(&self, today: NaiveDate) -> Result<ValidOrg, Vec<Invalid>> {
        let mut errors = Vec::new();
        let kind = keep(&mut errors, OrgKind::parse(&self.kind).ok_or_else(|| Invalid::new("kind", "invalid_kind", format!("组织类别“{}”无法识别", self.kind.trim()))));
        let name = keep(&mut errors, parse_name("name", "组织名称", &self.name, 60));
        let unit_name = keep(&mut errors, parse_optional_name("unit_name", "所在单位名称", &self.unit_name, 60));
        let note = keep(&mut errors, parse_text("note", "备注", &self.note, NOTE_MAX));
        let code = keep(&mut errors, parse_code(&self.code));
        let unit_category = keep(&mut errors, UnitCategory::parse(&self.unit_category)
            .ok_or_else(|| Invalid::new("unit_category", "invalid_unit_category", "单位类别应为机关、事业单位、企业、村、社区或两新组织")));
        let established_on = keep(&mut errors, optional_date("established_on", "成立日期", &self.established_on));
        let ends_on = keep(&mut errors, optional_date("ends_on", "撤销日期", &self.ends_on));
        if kind == Some(OrgKind::TemporaryBranch) {
            match ends_on {
                Some(None) => errors.push(Invalid::new("ends_on", "required", "临时党支部须填写结束日期，到期自动撤销")),
                Some(Some(d)) if *d < today => errors.push(Invalid::new("ends_on", "in_past", "临时党支部的结束日期不能早于今天")),
                _ => {}
            }
        }
        match (kind, name, code, unit_name, unit_category, established_on, ends_on, note) {
            (Some(kind), Some(name), Some(code), Some(unit_name), Some(unit_category), Some(established_on), Some(ends_on), Some(note)) if errors.is_empty() => {
                Ok(ValidOrg { kind, name, code, unit_name, unit_category, established_on, ends_on, note, sort: self.sort.unwrap_or(0) })
            }
            _ => Err(errors),
        }
    }
}

impl OrgPatch {
    /// The organisation as it would be after the change: `current` with the given fields replaced.
    pub fn apply(&self, current: OrgInput) -> OrgInput {
        let pick = |new: &Option<String>, old: String| new.clone().unwrap_or(old);
        OrgInput {
            parent_id: current.parent_id,
            kind: pick(&self.kind, current.kind),
            name: pick(&self.name, current.name),
            code: pick(&self.code, current.code),
            unit_name: pick(&self.unit_name, current.unit_name),
            unit_category: pick(&self.unit_category, current.unit_category),
            established_on: pick(&self.established_on, current.established_on),
            ends_on: pick(&self.ends_on, current.ends_on),
            note: pick(&self.note, current.note),
            sort: self.sort.or(current.sort),
        }
    }
}

/// A post to fill, as given: the member is the store's to check (exists, same 工委, on the roster).
/// `post` and `ab_role` take codes or labels; `ab_role` defaults to A, `started_on` to today.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PostInput {
    pub member_id: i64,
    pub post: String,
    pub ab_role: String,
    pub started_on: String,
    pub note: String,
}

/// A post that passed every check; the A role and today are the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPost {
    pub member_id: i64,
    pub post: PostKind,
    pub ab_role: AbRole,
    pub started_on: Date,
    pub note: String,
}

impl PostInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidPost, Vec<Invalid>> {
        let mut errors = Vec::new();
        let post = keep(&mut errors, PostKind::parse(&self.post).ok_or_else(|| Invalid::new("post", "invalid_post", "职务无法识别")));
        let ab_role = if self.ab_role.trim().is_empty() {
            Some(AbRole::A)
        } else {
            keep(&mut errors, AbRole::parse(&self.ab_role).ok_or_else(|| Invalid::new("ab_role", "invalid_ab_role", "AB角应为A角或B角")))
        };
        let note = keep(&mut errors, parse_text("note", "备注", &self.note, NOTE_MAX));
        let started_on = keep(&mut errors, optional_date("started_on", "任职日期", &self.started_on).map(|d| d.unwrap_or(Date(today))));
        match (post, ab_role, note, started_on) {
            (Some(post), Some(ab_role), Some(note), Some(started_on)) => Ok(ValidPost { member_id: self.member_id, post, ab_role, started_on, note }),
            _ => Err(errors),
        }
    }
}

/// 离任 — the end date of a post (today if not given), not before its start.
pub fn check_post_end(started_on: Date, ended_on: &str, today: NaiveDate) -> Result<Date, Invalid> {
    let ended = optional_date("ended_on", "离任日期", ended_on)?.unwrap_or(Date(today));
    if ended < started_on {
        return Err(Invalid::new("ended_on", "before_start", "离任日期早于任职日期"));
    }
    Ok(ended)
}

/// 换届 — the dates of a new term. The end defaults to the kind's term (机关条例 art. 5–7) and
/// must come after the start.
pub fn check_term(kind: OrgKind, started_on: &str, ends_on: &str) -> Result<(Date, Date), Invalid> {
    let start = time::parse_date("started_on", "换届日期", started_on)?;
    let end = if ends_on.trim().is_empty() {
        let years = kind.term_years().ok_or_else(|| Invalid::new("ends_on", "required", "请填写届满日期"))?;
        chrono::Datelike::with_year(&start, chrono::Datelike::year(&start) + years as i32).unwrap_or(start)
    } else {
        time::parse_date("ends_on", "届满日期", ends_on)?
    };
    if end <= start {
        return Err(Invalid::new("ends_on", "before_start", "届满日期应晚于换届日期"));
    }
    Ok((Date(start), Date(end)))
}

/// What the move rules need to know of an organisation.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub tenant_id: Option<i64>,
    pub path: &'a str,
    pub name: &'a str,
    pub active: bool,
}

/// 隶属关系变更 — checks moving `org` (with its subtree) under `new_parent` and returns the
/// cleaned reason. Refused: no reason (a change of subordination is decided and recorded, 机关条例
/// art. 4 and DOMAIN.md "Organisation tree"), a move under itself or a descendant (the tree would
/// become a cycle), a move to the parent it already has, across 工委 (tenants are separate
/// installations), and a dissolved organisation on either side.
pub fn check_move(org: Placed<'_>, new_parent: Placed<'_>, reason: &str) -> Result<String, Invalid> {
    let reason = crate::text::parse_required_text("reason", "隶属关系变更的原因", reason, crate::text::NOTE_MAX)?;
    if is_within(new_parent.path, org.path) {
        return Err(Invalid::new("parent_id", "move_into_descendant", format!("不能把“{}”移动到其自身或其下级组织“{}”之下", org.name, new_parent.name)));
    }
    if org.parent_id == Some(new_parent.id) {
        return Err(Invalid::new("parent_id", "same_parent", "目标上级组织与当前上级组织相同"));
    }
    if new_parent.tenant_id != org.tenant_id {
        return Err(Invalid::new("parent_id", "other_tenant", "不能跨工委移动组织"));
    }
    if !new_parent.active || !org.active {
        return Err(Invalid::new("parent_id", "dissolved", "已撤销的组织不能参与隶属关系变更"));
    }
    Ok(reason)
}

/// Materialised path of an organisation: `/1/5/23/` lists the ids from the root down.
/// A subtree is the half-open text range [path, upper_bound(path)), an index range scan on
/// both backends (PostgreSQL stores the column with the "C" collation so bytes order it).
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

pub fn root_path(id: i64) -> String {
    format!("/{id}/")
}

/// '/' is 0x2F and '0' is 0x30: every path below `path` sorts before `path` with its last
/// '/' replaced by '0', and nothing else does.
pub fn subtree_upper_bound(path: &str) -> String {
    debug_assert!(path.ends_with('/'));
    let mut s = path[..path.len() - 1].to_string();
    s.push('0');
    s
}

pub fn is_within(path: &str, ancestor_path: &str) -> bool {
    path.starts_with(ancestor_path)
}

pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_holds_descendants_only() {
        let root = "/1/5/";
        let hi = subtree_upper_bound(root);
        for inside in ["/1/5/", "/1/5/6/", "/1/5/999/12/"] {
            assert!(inside >= root && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/50/", "/1/6/", "/1/", "/1/4/9/", "/1/59/"] {
            assert!(!(outside >= root && outside < hi.as_str()), "{outside}");
        }
    }

    #[test]
    fn a_group_holds_no_relations_its_branch_does() {
        // 支部条例 art. 13: a branch divides into 党小组; the relation stays with the branch.
        assert!(!OrgKind::Group.holds_members() && !OrgKind::LeadingGroup.holds_members());
        assert!(OrgKind::Branch.holds_members() && OrgKind::JointBranch.holds_members());
    }

    #[test]
    fn nesting_table_matches_domain() {
        assert!(nesting_allowed(OrgKind::AgencyCommittee, OrgKind::Branch));
        assert!(nesting_allowed(OrgKind::LeadingGroup, OrgKind::LeadingGroup));
        assert!(!nesting_allowed(OrgKind::Group, OrgKind::Group));
        assert!(!nesting_allowed(OrgKind::GeneralBranch, OrgKind::GeneralBranch));
        assert!(nesting_warning(OrgKind::Branch, OrgKind::Branch).is_some());
    }

    #[test]
    fn size_thresholds_cite_the_rules() {
        let w = size_warnings(OrgKind::Branch, 51, 40, true);
        assert_eq!(w[0].code, "branch_too_large");
        assert!(size_warnings(OrgKind::Branch, 50, 40, true).is_empty());
        assert_eq!(size_warnings(OrgKind::Branch, 8, 7, false)[0].code, "committee_required");
        assert_eq!(size_warnings(OrgKind::Branch, 2, 2, false)[0].code, "branch_too_small");
        assert_eq!(size_warnings(OrgKind::GeneralBranch, 100, 90, true)[0].code, "general_branch_too_large");
    }

    fn placed<'a>(id: i64, parent: Option<i64>, path: &'a str) -> Placed<'a> {
        Placed { id, parent_id: parent, tenant_id: Some(1), path, name: "组织", active: true }
    }

    #[test]
    fn moves_keep_the_tree_a_tree_within_one_tenant() {
        let branch = placed(5, Some(2), "/1/2/5/");
        assert_eq!(check_move(branch, placed(3, Some(1), "/1/3/"), " 机构调整 ").unwrap(), "机构调整");
        assert_eq!(check_move(branch, placed(3, Some(1), "/1/3/"), "  ").unwrap_err().code, "required");
        assert_eq!(check_move(branch, placed(7, Some(5), "/1/2/5/7/"), "r").unwrap_err().code, "move_into_descendant");
        assert_eq!(check_move(branch, branch, "r").unwrap_err().code, "move_into_descendant");
        assert_eq!(check_move(branch, placed(2, Some(1), "/1/2/"), "r").unwrap_err().code, "same_parent");
        let elsewhere = Placed { tenant_id: Some(9), ..placed(9, None, "/9/") };
        assert_eq!(check_move(branch, elsewhere, "r").unwrap_err().code, "other_tenant");
        let dissolved = Placed { active: false, ..placed(3, Some(1), "/1/3/") };
        assert_eq!(check_move(branch, dissolved, "r").unwrap_err().code, "dissolved");
        // "/1/25/" is not below "/1/2/": the path compare is by whole segments.
        assert!(check_move(placed(2, Some(1), "/1/2/"), placed(25, Some(1), "/1/25/"), "r").is_ok());
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn input(kind: &str, name: &str, code: &str) -> OrgInput {
        OrgInput { kind: kind.into(), name: name.into(), code: code.into(), ..Default::default() }
    }

    #[test]
    fn a_valid_organisation_comes_out_typed() {
        let mut i = input("党支部", " 第一党支部 ", "sz-01");
        i.unit_category = "机关".into();
        i.established_on = "2016-07-01".into();
        let v = i.validate(today()).unwrap();
        assert_eq!((v.kind, v.name.as_str(), v.code.as_str()), (OrgKind::Branch, "第一党支部", "SZ-01"));
        assert_eq!(v.unit_category, UnitCategory::Agency);
        assert_eq!(v.established_on.map(|d| d.to_string()).as_deref(), Some("2016-07-01"));
        assert_eq!((v.ends_on, v.sort), (None, 0));
        assert_eq!(input("branch", "支部", "AB").validate(today()).unwrap().unit_category, UnitCategory::Unspecified);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut i = input("cell", "", "x");
        i.unit_category = "工厂".into();
        i.established_on = "2016-13-01".into();
        i.note = "a\u{202E}b".into();
        let fields: Vec<_> = i.validate(today()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "name", "note", "code", "unit_category", "established_on"]);
    }

    #[test]
    fn a_temporary_branch_needs_an_end_date_not_in_the_past() {
        let mut i = input("temporary_branch", "培训班临时党支部", "TEMP-1");
        assert_eq!(i.validate(today()).unwrap_err()[0].code, "required");
        i.ends_on = "2026-05-31".into();
        assert_eq!(i.validate(today()).unwrap_err()[0].code, "in_past");
        i.ends_on = "2026-06-01".into();
        assert!(i.validate(today()).is_ok(), "ending today is allowed");
    }

    #[test]
    fn a_patch_replaces_only_what_it_names() {
        let current = OrgInput { parent_id: Some(3), sort: Some(4), note: "旧".into(), ..input("branch", "旧名", "OLD") };
        let after = OrgPatch { name: Some("新名".into()), sort: None, ..Default::default() }.apply(current);
        assert_eq!((after.parent_id, after.name.as_str(), after.code.as_str(), after.note.as_str(), after.sort), (Some(3), "新名", "OLD", "旧", Some(4)));
    }

    #[test]
    fn posts_default_to_the_a_role_from_today() {
        let p = PostInput { member_id: 7, post: "书记".into(), ..Default::default() }.validate(today()).unwrap();
        assert_eq!((p.post, p.ab_role, p.started_on), (PostKind::Secretary, AbRole::A, Date(today())));
        let bad = PostInput { post: "dean".into(), ab_role: "C".into(), started_on: "昨天".into(), ..Default::default() };
        let fields: Vec<_> = bad.validate(today()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["post", "ab_role", "started_on"]);
        assert!(PostKind::Secretary.is_single() && !PostKind::CommitteeMember.is_single());
        assert!(PostKind::DisciplineMember.is_committee() && !PostKind::Liaison.is_committee());
    }

    #[test]
    fn a_post_ends_on_or_after_its_start() {
        let start = Date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(check_post_end(start, "2025-01-01", today()).unwrap_err().code, "before_start");
        assert_eq!(check_post_end(start, "", today()).unwrap(), Date(today()));
        assert_eq!(check_post_end(start, "2025-03-01", today()).unwrap(), start);
    }

    #[test]
    fn terms_default_to_the_kind_s_length() {
        // 机关条例 art. 5–7: a 基层委员会 serves 5 years, a 支部 3.
        let (s, e) = check_term(OrgKind::AgencyCommittee, "2024-03-01", "").unwrap();
        assert_eq!((s.to_string(), e.to_string()), ("2024-03-01".to_string(), "2029-03-01".to_string()));
        assert_eq!(check_term(OrgKind::Branch, "2024-03-01", "").unwrap().1.to_string(), "2027-03-01");
        assert_eq!(check_term(OrgKind::TemporaryBranch, "2024-03-01", "").unwrap_err().code, "required");
        assert_eq!(check_term(OrgKind::Branch, "2024-03-01", "2024-03-01").unwrap_err().code, "before_start");
    }

    #[test]
    fn kinds_parse_from_code_and_label() {
        assert_eq!(OrgKind::parse("党总支"), Some(OrgKind::GeneralBranch));
        assert_eq!(OrgKind::parse("temporary_branch"), Some(OrgKind::TemporaryBranch));
        assert_eq!(OrgKind::parse("x"), None);
        assert_eq!(parse_code(" sz-01 ").unwrap(), "SZ-01");
        assert!(parse_code("市直").is_err());
    }
}
