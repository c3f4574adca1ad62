//! 组织 — the organisation tree: kinds, what may sit under what, size thresholds, posts and terms.

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

impl OrgKind {
    /// Branch-like organisations hold members directly and owe 三会一课.
    pub fn is_branch(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch)
    }

    /// A 党组 leads its unit's party work but holds no members of its own (DOMAIN.md, Organisations).
    pub fn holds_members(self) -> bool {
        !matches!(self, OrgKind::LeadingGroup | OrgKind::WorkingCommittee)
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

    #[test]
    fn kinds_parse_from_code_and_label() {
        assert_eq!(OrgKind::parse("党总支"), Some(OrgKind::GeneralBranch));
        assert_eq!(OrgKind::parse("temporary_branch"), Some(OrgKind::TemporaryBranch));
        assert_eq!(OrgKind::parse("x"), None);
        assert_eq!(parse_code(" sz-01 ").unwrap(), "SZ-01");
        assert!(parse_code("市直").is_err());
    }
}
