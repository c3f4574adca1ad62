//! 权限 — the one policy that decides every request from (account, roles with their
//! organisation scopes, action, the object's organisation). SECURITY.md "Access".

use crate::code_enum;

code_enum! {
    /// 角色 — a role, granted on an organisation scope (the subtree below it).
    Role {
        SystemAdmin = "system_admin" / "系统管理员",
        SecurityAdmin = "security_admin" / "安全管理员",
        AuditAdmin = "audit_admin" / "审计管理员",
        OrgAdmin = "org_admin" / "组织管理员",
        Secretary = "secretary" / "书记",
        Member = "member" / "党员",
    }
}

impl Role {
    /// 三员 — the three separated administrators; no account holds two of them.
    pub fn is_separated_admin(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }
}

/// A role with the path of the organisation it was granted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub org_id: i64,
    pub org_path: String,
}

/// Who is asking: the account, its person's organisation, and its grants.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: i64,
    pub username: String,
    pub member_id: Option<i64>,
    pub grants: Vec<Grant>,
    /// The operator at the command line (`dangjian user …`, `demo`, `gen`): not an account,
    /// and allowed everything, because whoever holds the server's shell holds its data.
    pub system: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See an organisation, its posts and statistics.
    OrgRead,
    /// Create, edit, move or dissolve organisations and their posts.
    OrgWrite,
    /// See members' rosters (masked personal data).
    MemberRead,
    /// Create and edit members.
    MemberWrite,
    /// Show a full ID or phone number (audited).
    MemberReveal,
    /// Bulk import of a roster.
    MemberImport,
    /// Bulk export of a roster with personal data.
    MemberExport,
    /// Create, lock and unlock accounts.
    AccountManage,
    /// Grant and revoke roles.
    RoleManage,
    /// Read and verify the audit log.
    AuditRead,
    /// See the scheduled jobs, their runs and failures.
    JobRead,
    /// 组织生活: see an organisation's meeting records (a member: their own organisation's,
    /// with their own attendance only).
    LifeRead,
    /// Record, correct and delete meeting records.
    LifeWrite,
    /// 提醒: see how the reminders of an organisation's secretaries were delivered.
    NoticeDeliveryRead,
    /// 责任与考核: see an organisation's responsible persons, 责任清单 and reports upward.
    DutyRead,
    /// 定期汇报与责任清单: on one's own organisation, write and submit its report and keep its
    /// 责任清单; on a superior, define its report schedules and review the reports of the
    /// organisations directly below it (seed 004: reports go up level by level).
    DutyWrite,
    /// 考核: define schemes, run assessments, score, publish and decide objections.
    DutyAssess,
    /// 述职评议: cast one anonymous vote in a round of an organisation in scope (the store adds
    /// who exactly votes: its members and the officers above it, never the secretary reviewed).
    DutyVote,
}

impl Action {
    /// The action that lets one see what this action changes: whoever may read meeting records
    /// but not write them is told 403 for a write, not 404 (the record is no secret to them).
    fn reading(self) -> Action {
        match self {
            Action::LifeWrite => Action::LifeRead,
            Action::DutyWrite => Action::DutyRead,
            Action::DutyAssess => Action::DutyRead,
            a => a,
        }
    }
}

/// What is being acted on: the organisation path it belongs to, and for a member record whether
/// it is the actor's own.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub org_path: Option<&'a str>,
    pub own_member: bool,
}

impl<'a> Target<'a> {
    pub fn org(path: &'a str) -> Self {
        Target { org_path: Some(path), own_member: false }
    }
    pub fn member(path: &'a str, own: bool) -> Self {
        Target { org_path: Some(path), own_member: own }
    }
    pub fn system() -> Self {
        Target { org_path: None, own_member: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The object is outside every scope of the actor: answer 404, as if it did not exist.
    Hidden,
    /// The object is visible but the action is not allowed: answer 403.
    Forbidden,
}

fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        // 三员分立: none of them reads members' personal data by default (SECURITY.md).
        Role::SystemAdmin => matches!(action, AccountManage | OrgRead | JobRead),
        Role::SecurityAdmin => matches!(action, RoleManage | OrgRead),
        Role::AuditAdmin => matches!(action, AuditRead),
        // 组织部/工委 staff define report schedules, review what their subtree submits, and run
        // the assessments.
        Role::OrgAdmin => matches!(action, OrgRead | OrgWrite | MemberRead | MemberWrite | MemberReveal | MemberImport | MemberExport | LifeRead | LifeWrite | NoticeDeliveryRead | DutyRead | DutyWrite | DutyAssess | DutyVote),
        // A secretary records the organisational life of the organisations in their scope, and,
        // as 第一责任人 (seed 004 "123"), reports its party work, keeps its 责任清单 and sees how
        // it was assessed, but scores no one: assessing is the superior's 党务工作者's.
        Role::Secretary => matches!(action, OrgRead | MemberRead | MemberWrite | MemberReveal | MemberExport | LifeRead | LifeWrite | DutyRead | DutyWrite | DutyVote),
        // A member sees the meetings of their own organisation (the 党员 role is granted on it);
        // the store narrows the attendance shown to their own. They vote in the 述职评议 of its
        // secretary (seed 001).
        Role::Member => matches!(action, LifeRead | DutyVote),
    }
}

fn in_scope(grant: &Grant, target: &Target<'_>) -> bool {
    match target.org_path {
        Some(p) => p.starts_with(grant.org_path.as_str()),
        None => true,
    }
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The organisation scopes in which the actor may do `action`, for filtering lists.
    pub fn scopes(&self, action: Action) -> Vec<&str> {
        let mut paths: Vec<&str> =
            self.grants.iter().filter(|g| role_allows(g.role, action)).map(|g| g.org_path.as_str()).collect();
        paths.sort_unstable();
        // A scope inside another adds nothing.
        let mut out: Vec<&str> = Vec::new();
        for p in paths {
            if !out.iter().any(|q| p.starts_with(q)) {
                out.push(p);
            }
        }
        out
    }

    pub fn system(label: &str) -> Actor {
        Actor { account_id: 0, username: label.to_string(), member_id: None, grants: Vec::new(), system: true }
    }

    pub fn decide(&self, action: Action, target: Target<'_>) -> Decision {
        if self.system {
            return Decision::Allow;
        }
        if self.grants.iter().any(|g| role_allows(g.role, action) && in_scope(g, &target)) {
            return Decision::Allow;
        }
        // 党员 (self): a member reads their own record, by the 党员 role the 安全管理员 granted,
        // not by the account's binding alone: otherwise the 系统管理员, who creates accounts and
        // binds them, could read anyone's record through an account of their own making.
        let own = target.own_member && self.has_role(Role::Member);
        if own && action == Action::MemberRead {
            return Decision::Allow;
        }
        // A system function is no secret: refusing it says nothing about any object.
        if target.org_path.is_none() {
            return Decision::Forbidden;
        }
        let sees_it = own
            || self.grants.iter().any(|g| {
                in_scope(g, &target)
                    && (role_allows(g.role, Action::OrgRead) || role_allows(g.role, Action::MemberRead) || role_allows(g.role, action.reading()))
            });
        if sees_it { Decision::Forbidden } else { Decision::Hidden }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(Role, &str)]) -> Actor {
        Actor {
            account_id: 1,
            username: "t".into(),
            member_id: Some(9),
            grants: grants.iter().map(|(r, p)| Grant { role: *r, org_id: 0, org_path: p.to_string() }).collect(),
            system: false,
        }
    }

    #[test]
    fn secretary_sees_own_branch_only() {
        let a = actor(&[(Role::Secretary, "/1/2/3/")]);
        assert_eq!(a.decide(Action::MemberRead, Target::org("/1/2/3/")), Decision::Allow);
        assert_eq!(a.decide(Action::MemberRead, Target::org("/1/2/3/7/")), Decision::Allow);
        assert_eq!(a.decide(Action::MemberRead, Target::org("/1/2/4/")), Decision::Hidden);
        assert_eq!(a.decide(Action::OrgWrite, Target::org("/1/2/3/")), Decision::Forbidden);
        assert_eq!(a.decide(Action::OrgWrite, Target::org("/1/2/30/")), Decision::Hidden);
    }

    #[test]
    fn separated_admins_do_not_read_personal_data() {
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            let a = actor(&[(r, "/1/")]);
            assert_ne!(a.decide(Action::MemberRead, Target::org("/1/2/")), Decision::Allow, "{r:?}");
        }
        assert_eq!(actor(&[(Role::AuditAdmin, "/1/")]).decide(Action::AuditRead, Target::system()), Decision::Allow);
        assert_eq!(actor(&[(Role::SystemAdmin, "/1/")]).decide(Action::AuditRead, Target::system()), Decision::Forbidden);
    }

    #[test]
    fn member_reads_self_only() {
        let a = actor(&[(Role::Member, "/1/2/3/")]);
        assert_eq!(a.decide(Action::MemberRead, Target::member("/1/2/3/", true)), Decision::Allow);
        assert_eq!(a.decide(Action::MemberRead, Target::member("/1/2/3/", false)), Decision::Hidden);
        assert_eq!(a.decide(Action::MemberWrite, Target::member("/1/2/3/", true)), Decision::Forbidden);
    }

    #[test]
    fn a_binding_without_the_member_role_reads_nothing() {
        // An account the 系统管理员 made and bound to somebody, with no role granted.
        let a = actor(&[]);
        assert_eq!(a.decide(Action::MemberRead, Target::member("/1/2/3/", true)), Decision::Hidden);
        let admin = actor(&[(Role::SystemAdmin, "/1/")]);
        assert_ne!(admin.decide(Action::MemberRead, Target::member("/1/2/3/", true)), Decision::Allow);
    }

    #[test]
    fn secretary_records_life_in_scope_only() {
        let a = actor(&[(Role::Secretary, "/1/2/3/")]);
        for act in [Action::LifeRead, Action::LifeWrite] {
            assert_eq!(a.decide(act, Target::org("/1/2/3/")), Decision::Allow);
            assert_eq!(a.decide(act, Target::org("/1/2/3/8/")), Decision::Allow, "a 党小组 of the branch");
            assert_eq!(a.decide(act, Target::org("/1/2/4/")), Decision::Hidden);
        }
    }

    #[test]
    fn org_admin_records_life_everywhere_in_scope() {
        let a = actor(&[(Role::OrgAdmin, "/1/")]);
        assert_eq!(a.decide(Action::LifeWrite, Target::org("/1/2/3/")), Decision::Allow);
        assert_eq!(a.decide(Action::LifeRead, Target::org("/1/9/")), Decision::Allow);
        assert_eq!(a.decide(Action::LifeWrite, Target::org("/5/")), Decision::Hidden);
    }

    #[test]
    fn member_reads_own_organisations_life_and_cannot_write() {
        let a = actor(&[(Role::Member, "/1/2/3/")]);
        assert_eq!(a.decide(Action::LifeRead, Target::org("/1/2/3/")), Decision::Allow);
        assert_eq!(a.decide(Action::LifeWrite, Target::org("/1/2/3/")), Decision::Forbidden);
        assert_eq!(a.decide(Action::LifeRead, Target::org("/1/2/4/")), Decision::Hidden);
        assert_eq!(a.decide(Action::LifeWrite, Target::org("/1/2/4/")), Decision::Hidden);
        // The member role still reads no one else's record.
        assert_eq!(a.decide(Action::MemberRead, Target::member("/1/2/3/", false)), Decision::Hidden);
    }

    #[test]
    fn separated_admins_see_no_life() {
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            let a = actor(&[(r, "/1/")]);
            for act in [Action::LifeRead, Action::LifeWrite] {
                assert_ne!(a.decide(act, Target::org("/1/2/")), Decision::Allow, "{r:?} {act:?}");
                assert!(a.scopes(act).is_empty(), "{r:?} {act:?}");
            }
        }
    }

    #[test]
    fn only_org_admins_see_deliveries_in_scope() {
        let admin = actor(&[(Role::OrgAdmin, "/1/2/")]);
        assert_eq!(admin.decide(Action::NoticeDeliveryRead, Target::org("/1/2/3/")), Decision::Allow);
        assert_eq!(admin.decide(Action::NoticeDeliveryRead, Target::org("/1/5/")), Decision::Hidden);
        // A secretary reads their own reminders, not how the others' were sent.
        assert_eq!(actor(&[(Role::Secretary, "/1/2/3/")]).decide(Action::NoticeDeliveryRead, Target::org("/1/2/3/")), Decision::Forbidden);
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin, Role::Member] {
            assert_ne!(actor(&[(r, "/1/")]).decide(Action::NoticeDeliveryRead, Target::org("/1/2/")), Decision::Allow, "{r:?}");
        }
    }

    #[test]
    fn a_secretary_reports_for_their_own_organisation_only() {
        let a = actor(&[(Role::Secretary, "/1/2/3/")]);
        for act in [Action::DutyRead, Action::DutyWrite] {
            assert_eq!(a.decide(act, Target::org("/1/2/3/")), Decision::Allow, "{act:?}");
            // Another branch's report is no business of theirs: 404.
            assert_eq!(a.decide(act, Target::org("/1/2/4/")), Decision::Hidden, "{act:?}");
        }
        // Reviewing is a write on the superior, outside the secretary's scope: their own
        // organisation's report cannot be accepted by themselves.
        assert_ne!(a.decide(Action::DutyWrite, Target::org("/1/2/")), Decision::Allow);
    }

    #[test]
    fn a_superiors_admin_defines_schedules_and_reviews_the_subtree() {
        let a = actor(&[(Role::OrgAdmin, "/1/")]);
        assert_eq!(a.decide(Action::DutyWrite, Target::org("/1/")), Decision::Allow);
        assert_eq!(a.decide(Action::DutyRead, Target::org("/1/2/3/")), Decision::Allow);
        assert_eq!(a.decide(Action::DutyWrite, Target::org("/5/")), Decision::Hidden);
    }

    #[test]
    fn members_and_separated_admins_see_no_reports() {
        // A 党员 reads nothing of the reports upward; the 三员 read no party work at all.
        let m = actor(&[(Role::Member, "/1/2/3/")]);
        assert_ne!(m.decide(Action::DutyRead, Target::org("/1/2/3/")), Decision::Allow);
        assert_eq!(m.decide(Action::DutyWrite, Target::org("/1/2/3/")), Decision::Hidden);
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            let a = actor(&[(r, "/1/")]);
            for act in [Action::DutyRead, Action::DutyWrite] {
                assert_ne!(a.decide(act, Target::org("/1/2/")), Decision::Allow, "{r:?} {act:?}");
                assert!(a.scopes(act).is_empty(), "{r:?} {act:?}");
            }
        }
    }

    #[test]
    fn org_admins_assess_and_secretaries_read_their_own_results() {
        let admin = actor(&[(Role::OrgAdmin, "/1/")]);
        for act in [Action::DutyRead, Action::DutyAssess] {
            assert_eq!(admin.decide(act, Target::org("/1/2/3/")), Decision::Allow);
            assert_eq!(admin.decide(act, Target::org("/5/")), Decision::Hidden);
        }
        let secretary = actor(&[(Role::Secretary, "/1/2/3/")]);
        assert_eq!(secretary.decide(Action::DutyRead, Target::org("/1/2/3/")), Decision::Allow);
        // Scoring their own branch is refused in the open: the results are no secret to them.
        assert_eq!(secretary.decide(Action::DutyAssess, Target::org("/1/2/3/")), Decision::Forbidden);
        // Another branch's results do not exist for them.
        assert_eq!(secretary.decide(Action::DutyRead, Target::org("/1/2/4/")), Decision::Hidden);
        assert_eq!(secretary.decide(Action::DutyAssess, Target::org("/1/2/4/")), Decision::Hidden);
    }

    #[test]
    fn members_and_separated_admins_see_no_assessment() {
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin, Role::Member] {
            let a = actor(&[(r, "/1/")]);
            for act in [Action::DutyRead, Action::DutyAssess] {
                assert_ne!(a.decide(act, Target::org("/1/2/")), Decision::Allow, "{r:?} {act:?}");
                assert!(a.scopes(act).is_empty(), "{r:?} {act:?}");
            }
        }
    }

    #[test]
    fn members_secretaries_and_officers_vote_in_scope_only() {
        // 述职评议 (seed 001): the branch's members and the officers above vote; the store
        // refuses the reviewed secretary and anyone who is neither.
        for (r, path) in [(Role::Member, "/1/2/3/"), (Role::Secretary, "/1/2/"), (Role::OrgAdmin, "/1/")] {
            let a = actor(&[(r, path)]);
            assert_eq!(a.decide(Action::DutyVote, Target::org("/1/2/3/")), Decision::Allow, "{r:?}");
            assert_eq!(a.decide(Action::DutyVote, Target::org("/5/6/")), Decision::Hidden, "{r:?}");
        }
        assert_eq!(actor(&[(Role::Member, "/1/2/3/")]).decide(Action::DutyVote, Target::org("/1/2/4/")), Decision::Hidden);
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert_ne!(actor(&[(r, "/1/")]).decide(Action::DutyVote, Target::org("/1/2/")), Decision::Allow, "{r:?}");
        }
    }

    #[test]
    fn nested_scopes_collapse() {
        let a = actor(&[(Role::OrgAdmin, "/1/2/"), (Role::Secretary, "/1/2/3/"), (Role::Secretary, "/1/5/")]);
        assert_eq!(a.scopes(Action::MemberRead), vec!["/1/2/", "/1/5/"]);
    }
}
