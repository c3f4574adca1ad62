//! The authorisation matrix (SECURITY.md "Access"): role × endpoint × own/other organisation,
//! one table, every failing row printed together.
//!
//! "Own" is branch SZJGGW-A01-B1 (shuji1's and dangyuan1's branch), or for member endpoints
//! dangyuan1's own record; "peer" is another member of that branch; "other" is SZJGGW-A02-B1.

use dangjian_domain::time::today_cst;
use dangjian_store::org::{self, OrgInput};
use serde_json::{json, Value};

use crate::helpers::*;

const USERS: [&str; 6] = ["admin", "anquan", "shenji", "zuzhi", "shuji1", "dangyuan1"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Obj {
    Own,
    Peer,
    Other,
    /// Not about an organisation: accounts, the audit log.
    Sys,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ep {
    GetOrg,
    OrgStats,
    PatchOrg,
    CreateOrg,
    MoveOrg,
    ListMembers,
    GetMember,
    PatchMember,
    Reveal,
    Export,
    ListAccounts,
    CreateAccount,
    GrantRole,
    Audit,
    SearchMembers,
    ResetAdminPassword,
    Jobs,
    PlaceInGroup,
    GroupMembers,
    ListMeetings,
    Compliance,
    AddRule,
    MeetingKinds,
    AddMeetingKind,
    UploadAttachment,
    ListAttachments,
    GetAttachment,
    DeleteAttachment,
    Notifications,
    ReadAllNotifications,
    ReadNotification,
    NoticeDeliveries,
    ListAppraisals,
    GetAppraisal,
    CreateAppraisal,
    SelfAssessment,
    MemberAppraisals,
    ListReportSchedules,
    ScheduleStatus,
    OpenReport,
    GetReport,
    Responsibility,
    AddTask,
    ListAssessments,
    GetAssessment,
    AssessmentResults,
    OrgScores,
    CreateScheme,
    ScoreAssessment,
    FileObjection,
    DecideObjection,
    Bulletin,
    OrgHonours,
    ListReviews,
    GetReview,
    OpenReview,
    CastVote,
    ListInspections,
    IssueInspection,
    GetInspection,
    CloseRectification,
    ConfirmRectification,
}

impl Ep {
    fn template(self) -> &'static str {
        match self {
            Ep::GetOrg => "GET /orgs/{id}",
            Ep::OrgStats => "GET /orgs/{id}/stats",
            Ep::PatchOrg => "PATCH /orgs/{id}",
            Ep::CreateOrg => "POST /orgs (parent {id})",
            Ep::MoveOrg => "POST /orgs/{id}/move",
            Ep::ListMembers => "GET /members?org={id}",
            Ep::GetMember => "GET /members/{id}",
            Ep::PatchMember => "PATCH /members/{id}",
            Ep::Reveal => "POST /members/{id}/reveal",
            Ep::Export => "GET /members/export?org={id}",
            Ep::ListAccounts => "GET /accounts",
            Ep::CreateAccount => "POST /accounts",
            Ep::GrantRole => "POST /accounts/{id}/roles (org {id})",
            Ep::Audit => "GET /audit",
            Ep::SearchMembers => "POST /members/search (org {id})",
            Ep::ResetAdminPassword => "POST /accounts/{审计管理员}/password",
            Ep::Jobs => "GET /jobs",
            Ep::PlaceInGroup => "PUT /members/{id}/group (a group of their branch)",
            Ep::GroupMembers => "GET /orgs/{党小组}/group-members",
            Ep::ListMeetings => "GET /meetings?org={id}",
            Ep::Compliance => "GET /compliance?org={id}",
            Ep::AddRule => "POST /obligation-rules (within {id})",
            Ep::MeetingKinds => "GET /meeting-kinds?org={id}",
            Ep::AddMeetingKind => "POST /meeting-kinds (org {id}: for its installation)",
            Ep::UploadAttachment => "POST /meetings/{id}/attachments",
            Ep::ListAttachments => "GET /meetings/{id}/attachments",
            Ep::GetAttachment => "GET /attachments/{id}",
            Ep::DeleteAttachment => "DELETE /attachments/{id}",
            Ep::Notifications => "GET /notifications",
            Ep::ReadAllNotifications => "POST /notifications/read-all",
            Ep::ReadNotification => "POST /notifications/{shuji1 的提醒}/read",
            Ep::NoticeDeliveries => "GET /notifications/deliveries?org={id}",
            Ep::ListAppraisals => "GET /appraisals?org={id}",
            Ep::GetAppraisal => "GET /appraisals/{id}",
            Ep::CreateAppraisal => "POST /appraisals (org {id})",
            Ep::SelfAssessment => "PUT /appraisals/{id}/members/{id}/self-assessment",
            Ep::MemberAppraisals => "GET /members/{id}/appraisals",
            Ep::ListReportSchedules => "GET /report-schedules?org={id}",
            Ep::ScheduleStatus => "GET /report-schedules/{工委的汇报安排}/status",
            Ep::OpenReport => "POST /reports (schedule, org {id})",
            Ep::GetReport => "GET /reports/{id}",
            Ep::Responsibility => "GET /responsibility?org={id}",
            Ep::AddTask => "POST /responsibility/tasks (org {id})",
            Ep::ListAssessments => "GET /assessments",
            Ep::GetAssessment => "GET /assessments/{演示考核}",
            Ep::AssessmentResults => "GET /assessments/{演示考核}/results",
            Ep::OrgScores => "GET /assessments/{演示考核}/scores/{id}",
            Ep::CreateScheme => "POST /assessment-schemes (org {id})",
            Ep::ScoreAssessment => "PUT /assessments/{演示考核}/scores (org {id})",
            Ep::FileObjection => "POST /assessments/{演示考核}/objections (org {id})",
            Ep::DecideObjection => "PUT /assessments/{演示考核}/objections/{id}/decision",
            Ep::Bulletin => "GET /assessments/{演示考核}/bulletin?org_id={id}",
            Ep::OrgHonours => "GET /orgs/{id}/honours",
            Ep::ListReviews => "GET /reviews",
            Ep::GetReview => "GET /reviews/{id}",
            Ep::OpenReview => "POST /reviews (org {id})",
            Ep::CastVote => "POST /reviews/{id}/votes",
            Ep::ListInspections => "GET /inspections?org={id}",
            Ep::IssueInspection => "POST /inspections (工委 → org {id})",
            Ep::GetInspection => "GET /inspections/{id}",
            Ep::CloseRectification => "POST /rectification-items/{id}/close",
            Ep::ConfirmRectification => "POST /rectification-items/{id}/confirm",
        }
    }
}

use Ep::*;
use Obj::*;

/// Expected status per user, in the order of `USERS`:
/// admin, anquan, shenji, zuzhi, shuji1, dangyuan1.
///
/// From crates/domain/src/policy.rs: outside every scope → 404; visible but not allowed → 403;
/// 三员 never read members' personal data; only 审计管理员 reads the audit log; a 党员 reads
/// their own record and nothing else.
const MATRIX: &[(Ep, Obj, [u16; 6])] = &[
    (GetOrg, Own, [200, 200, 404, 200, 200, 404]),
    (GetOrg, Other, [200, 200, 404, 200, 404, 404]),
    (OrgStats, Own, [200, 200, 404, 200, 200, 404]),
    (OrgStats, Other, [200, 200, 404, 200, 404, 404]),
    (PatchOrg, Own, [403, 403, 404, 200, 403, 404]),
    (PatchOrg, Other, [403, 403, 404, 200, 404, 404]),
    (CreateOrg, Own, [403, 403, 404, 201, 403, 404]),
    (CreateOrg, Other, [403, 403, 404, 201, 404, 404]),
    (MoveOrg, Own, [403, 403, 404, 200, 403, 404]),
    (MoveOrg, Other, [403, 403, 404, 200, 404, 404]),
    (ListMembers, Own, [403, 403, 404, 200, 200, 404]),
    (ListMembers, Other, [403, 403, 404, 200, 404, 404]),
    (GetMember, Own, [403, 403, 404, 200, 200, 200]),
    (GetMember, Peer, [403, 403, 404, 200, 200, 404]),
    (GetMember, Other, [403, 403, 404, 200, 404, 404]),
    (PatchMember, Own, [403, 403, 404, 200, 200, 403]),
    (PatchMember, Peer, [403, 403, 404, 200, 200, 404]),
    (PatchMember, Other, [403, 403, 404, 200, 404, 404]),
    (Reveal, Own, [403, 403, 404, 200, 200, 403]),
    (Reveal, Peer, [403, 403, 404, 200, 200, 404]),
    (Reveal, Other, [403, 403, 404, 200, 404, 404]),
    (Export, Own, [403, 403, 404, 200, 200, 404]),
    (Export, Other, [403, 403, 404, 200, 404, 404]),
    (ListAccounts, Sys, [200, 200, 403, 403, 403, 403]),
    (CreateAccount, Sys, [201, 403, 403, 403, 403, 403]),
    (GrantRole, Own, [403, 201, 404, 403, 403, 404]),
    (GrantRole, Other, [403, 201, 404, 403, 404, 404]),
    (Audit, Sys, [403, 403, 200, 403, 403, 403]),
    (SearchMembers, Own, [403, 403, 404, 200, 200, 404]),
    (SearchMembers, Other, [403, 403, 404, 200, 404, 404]),
    // No 三员 takes over another: their credentials change at the command line only.
    (ResetAdminPassword, Sys, [409, 403, 403, 403, 403, 403]),
    (Jobs, Sys, [200, 403, 403, 403, 403, 403]),
    // 党小组成员: placing is writing the branch's members; the list is reading them.
    (PlaceInGroup, Own, [403, 403, 404, 200, 200, 403]),
    (PlaceInGroup, Peer, [403, 403, 404, 200, 200, 404]),
    (PlaceInGroup, Other, [403, 403, 404, 200, 404, 404]),
    (GroupMembers, Own, [403, 403, 404, 200, 200, 404]),
    (GroupMembers, Other, [403, 403, 404, 200, 404, 404]),
    // 组织生活: the 三员 see no meeting records; a 党员 sees their own organisation's.
    (ListMeetings, Own, [403, 403, 404, 200, 200, 200]),
    (ListMeetings, Other, [403, 403, 404, 200, 404, 404]),
    (Compliance, Own, [403, 403, 404, 200, 200, 200]),
    (Compliance, Other, [403, 403, 404, 200, 404, 404]),
    // A local rule is a change to the organisations it binds.
    (AddRule, Own, [403, 403, 404, 201, 403, 404]),
    (AddRule, Other, [403, 403, 404, 201, 404, 404]),
    // 自定义会议类别: read with the organisation's life; added by who may change the top
    // organisation, whichever organisation of the installation is named.
    (MeetingKinds, Own, [403, 403, 404, 200, 200, 200]),
    (MeetingKinds, Other, [403, 403, 404, 200, 404, 404]),
    (AddMeetingKind, Own, [403, 403, 404, 201, 404, 404]),
    (AddMeetingKind, Other, [403, 403, 404, 201, 404, 404]),
    // 附件 follow their meeting: read with it, written by who records it.
    (UploadAttachment, Own, [403, 403, 404, 201, 201, 403]),
    (UploadAttachment, Other, [403, 403, 404, 201, 404, 404]),
    (ListAttachments, Own, [403, 403, 404, 200, 200, 200]),
    (ListAttachments, Other, [403, 403, 404, 200, 404, 404]),
    (GetAttachment, Own, [403, 403, 404, 200, 200, 200]),
    (GetAttachment, Other, [403, 403, 404, 200, 404, 404]),
    (DeleteAttachment, Own, [403, 403, 404, 204, 204, 403]),
    (DeleteAttachment, Other, [403, 403, 404, 204, 404, 404]),
    // 提醒: everyone reads their own; nobody another's; deliveries are the administrator's.
    (Notifications, Sys, [200, 200, 200, 200, 200, 200]),
    (ReadAllNotifications, Sys, [200, 200, 200, 200, 200, 200]),
    (ReadNotification, Own, [404, 404, 404, 404, 200, 404]),
    (NoticeDeliveries, Own, [403, 403, 404, 200, 403, 404]),
    (NoticeDeliveries, Other, [403, 403, 404, 200, 404, 404]),
    // 民主评议党员 follows organisational life: run by who records it, seen by the branch's
    // members (their own line); a member writes their own self-assessment only.
    (ListAppraisals, Own, [403, 403, 404, 200, 200, 200]),
    (ListAppraisals, Other, [403, 403, 404, 200, 404, 404]),
    (GetAppraisal, Own, [403, 403, 404, 200, 200, 200]),
    (GetAppraisal, Other, [403, 403, 404, 200, 404, 404]),
    (CreateAppraisal, Own, [403, 403, 404, 201, 201, 403]),
    (CreateAppraisal, Other, [403, 403, 404, 201, 404, 404]),
    (SelfAssessment, Own, [403, 403, 404, 200, 200, 200]),
    (SelfAssessment, Peer, [403, 403, 404, 200, 200, 403]),
    (SelfAssessment, Other, [403, 403, 404, 200, 404, 404]),
    (MemberAppraisals, Own, [403, 403, 404, 200, 200, 200]),
    (MemberAppraisals, Peer, [403, 403, 404, 200, 200, 404]),
    (MemberAppraisals, Other, [403, 403, 404, 200, 404, 404]),
    // 定期汇报与责任清单: the secretary writes their own organisation's, the 工委's
    // administrator reads and reviews the subtree; the 三员 and a 党员 see none of it.
    (ListReportSchedules, Own, [403, 403, 404, 200, 200, 404]),
    (ListReportSchedules, Other, [403, 403, 404, 200, 404, 404]),
    (ScheduleStatus, Sys, [403, 403, 404, 200, 200, 404]),
    (OpenReport, Own, [403, 403, 404, 200, 200, 404]),
    (OpenReport, Other, [403, 403, 404, 200, 404, 404]),
    (GetReport, Own, [403, 403, 404, 200, 200, 404]),
    (GetReport, Other, [403, 403, 404, 200, 404, 404]),
    (Responsibility, Own, [403, 403, 404, 200, 200, 404]),
    (Responsibility, Other, [403, 403, 404, 200, 404, 404]),
    (AddTask, Own, [403, 403, 404, 201, 201, 404]),
    (AddTask, Other, [403, 403, 404, 201, 404, 404]),
    // 考核评价: the 工委's administrator runs it; a secretary sees their own branch's results
    // (another branch's do not exist for them) and objects to them, scores nobody; the 党员 and
    // the 三员 see none of it. Scoring the published demo assessment is refused by its stage (422).
    (ListAssessments, Sys, [403, 403, 403, 200, 200, 403]),
    (GetAssessment, Sys, [403, 403, 404, 200, 200, 404]),
    (AssessmentResults, Sys, [403, 403, 404, 200, 200, 404]),
    (OrgScores, Own, [403, 403, 404, 200, 200, 404]),
    (OrgScores, Other, [403, 403, 404, 200, 404, 404]),
    (CreateScheme, Own, [403, 403, 404, 201, 403, 404]),
    (CreateScheme, Other, [403, 403, 404, 201, 404, 404]),
    (ScoreAssessment, Own, [403, 403, 404, 422, 403, 404]),
    (FileObjection, Own, [403, 403, 404, 201, 201, 404]),
    (FileObjection, Other, [403, 403, 404, 201, 404, 404]),
    (DecideObjection, Own, [403, 403, 404, 200, 403, 404]),
    // 考核通报 of a subtree: whoever reads its results; 表彰 of an organisation: whoever sees it.
    (Bulletin, Own, [403, 403, 404, 200, 200, 404]),
    (Bulletin, Other, [403, 403, 404, 200, 404, 404]),
    (OrgHonours, Own, [200, 200, 404, 200, 200, 404]),
    (OrgHonours, Other, [200, 200, 404, 200, 404, 404]),
    // 述职评议: opened by the secretary or the officer above; seen and voted in by the branch's
    // members and the officer above; the secretary reviewed does not vote on themself (422).
    (ListReviews, Sys, [403, 403, 403, 200, 200, 200]),
    (GetReview, Own, [403, 403, 404, 200, 200, 200]),
    (GetReview, Other, [403, 403, 404, 200, 404, 404]),
    (OpenReview, Own, [403, 403, 404, 201, 201, 404]),
    (OpenReview, Other, [403, 403, 404, 201, 404, 404]),
    (CastVote, Own, [403, 403, 404, 200, 422, 200]),
    (CastVote, Other, [403, 403, 404, 200, 404, 404]),
    // 函询（告）: the 工委's administrator issues letters and confirms closes; the inspected
    // branch's secretary reads its letter and closes its items, confirms none; another branch's
    // letters do not exist for them; the 党员 and the 三员 see none of it.
    (ListInspections, Own, [403, 403, 404, 200, 200, 404]),
    (ListInspections, Other, [403, 403, 404, 200, 404, 404]),
    (IssueInspection, Own, [403, 403, 404, 201, 404, 404]),
    (IssueInspection, Other, [403, 403, 404, 201, 404, 404]),
    (GetInspection, Own, [403, 403, 404, 200, 200, 404]),
    (GetInspection, Other, [403, 403, 404, 200, 404, 404]),
    (CloseRectification, Own, [403, 403, 404, 200, 200, 404]),
    (CloseRectification, Other, [403, 403, 404, 200, 404, 404]),
    (ConfirmRectification, Own, [403, 403, 404, 200, 403, 404]),
    (ConfirmRectification, Other, [403, 403, 404, 200, 404, 404]),
];


struct Fixture {
    own_org: i64,
    other_org: i64,
    own_member: i64,
    peer_member: i64,
    other_member: i64,
    /// Organisations the move rows move, and where to.
    own_mover: (i64, i64),
    other_mover: (i64, i64),
    grant_target: i64,
    audit_admin: i64,
    /// A 党小组 of the own and of the other branch, for the placement rows.
    own_group: i64,
    other_group: i64,
    /// A meeting of each branch, and attachments of it: one per user, so that each user's
    /// removal meets a live one.
    own_meeting: i64,
    other_meeting: i64,
    own_files: Vec<i64>,
    other_files: Vec<i64>,
    /// A reminder of shuji1's.
    notification: i64,
    /// A round at 个人自评 of each branch: the demo's of this year, and one made for the other.
    own_round: i64,
    other_round: i64,
    /// The demo's report schedule, and a report of each branch under it.
    schedule: i64,
    own_report: i64,
    other_report: i64,
    /// The demo's published assessment, and a pending objection of the own branch to it.
    assessment: i64,
    objection: i64,
    /// The demo's open 述职评议 of the own branch, and one opened for the other.
    own_review: i64,
    other_review: i64,
    /// A letter of the 工委 to each branch: one open item per user (the close rows), then one
    /// closed item per user (the confirm rows).
    root: i64,
    own_letter: i64,
    other_letter: i64,
    own_items: Vec<i64>,
    other_items: Vec<i64>,
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR authz";

/// A meeting of `org` with one attachment per user, recorded at the command line.
async fn meeting_with_files(app: &TestApp, org: i64) -> (i64, Vec<i64>) {
    use dangjian_store::life::{self, AttachmentInput, MeetingInput};
    let input: MeetingInput = serde_json::from_value(json!({"org_id": org, "kinds": ["theme_day"], "starts_at": "2026-06-10T09:30:00+08:00", "topic": "授权矩阵"})).expect("input");
    let m = life::create(&app.store, &cli_ctx(), &input).await.expect("meeting").id;
    let mut files = Vec::new();
    for _ in USERS {
        let up = AttachmentInput { file_name: "矩阵.png", declared_type: "image/png", bytes: PNG };
        files.push(life::attachment::add(&app.store, &cli_ctx(), m, &up).await.expect("attachment").id);
    }
    (m, files)
}

async fn group(app: &TestApp, parent: i64, code: &str) -> i64 {
    let input = OrgInput { parent_id: Some(parent), kind: "group".into(), name: format!("授权测试党小组{code}"), code: code.into(), ..Default::default() };
    org::create(&app.store, &cli_ctx(), &input).await.expect("group").0.id
}

async fn fixture(app: &TestApp) -> Fixture {
    app.demo().await;
    let own_org = app.org_id(OWN_BRANCH).await;
    let other_org = app.org_id(OTHER_BRANCH).await;
    let own_member = app.member_id_of("dangyuan1").await;
    let peer_member = *app.member_ids(OWN_BRANCH).await.iter().find(|&&m| m != own_member).expect("a peer");
    let other_member = app.member_ids(OTHER_BRANCH).await[0];
    let own_mover = (app.org_id("SZJGGW-A01-B1-G2").await, app.org_id("SZJGGW-A01-B1-G1").await);
    let other_mover = (group(app, other_org, "AUTHZ-X").await, group(app, other_org, "AUTHZ-Y").await);
    let new = dangjian_store::account::NewAccount { username: "granttarget".into(), password: "Grant#2026x".into(), member_id: None, no_forced_change: true };
    let grant_target = dangjian_store::account::create(&app.store, &Default::default(), &cli_ctx(), &new).await.expect("account").id;
    let audit_admin = app.account_id("shenji").await;
    let own_group = app.org_id("SZJGGW-A01-B1-G1").await;
    let other_group = group(app, other_org, "AUTHZ-Z").await;
    let (own_meeting, own_files) = meeting_with_files(app, own_org).await;
    let (other_meeting, other_files) = meeting_with_files(app, other_org).await;
    let shuji1 = app.account_id("shuji1").await;
    app.exec(&format!("INSERT INTO notifications (tenant_id, account_id, org_id, kind, obligation_kind, period, due_by, title, body, created_at) VALUES (1, {shuji1}, {own_org}, 'due_soon', 'theme_day', '2099-01', '2099-01-31', '即将到期', '授权测试', 0)")).await;
    let notification = app.scalar(&format!("SELECT MAX(id) FROM notifications WHERE account_id = {shuji1}")).await;
    let own_round = app.scalar(&format!("SELECT id FROM appraisals WHERE org_id = {own_org} AND stage = 'self_assessment'")).await;
    let input = dangjian_store::life::appraisal::RoundInput { org_id: other_org, year: 2024 };
    let other_round = dangjian_store::life::appraisal::create(&app.store, &cli_ctx(), &input).await.expect("round").round.id;
    let schedule = app.scalar("SELECT MIN(id) FROM report_schedules").await;
    let own_report = dangjian_store::duty::report::open(&app.store, &cli_ctx(), schedule, own_org).await.expect("report").id;
    let other_report = app.scalar(&format!("SELECT id FROM report_submissions WHERE org_id = {other_org}")).await;
    let assessment = app.scalar("SELECT MIN(id) FROM assessments").await;
    let objection_input = dangjian_domain::duty::assessment::ObjectionInput { org_id: own_org, indicator: "1.3".into(), reason: "授权矩阵测试".into(), evidence: Vec::new() };
    let objection = dangjian_store::duty::assessment::object(&app.store, &cli_ctx(), assessment, &objection_input).await.expect("objection").objection.id;
    let own_review = app.scalar(&format!("SELECT MAX(id) FROM review_rounds WHERE org_id = {own_org}")).await;
    let closes = (today_cst() + chrono::Days::new(7)).format("%Y-%m-%d").to_string();
    let input = dangjian_domain::duty::review::RoundInput { period: today_cst().format("%Y").to_string(), report: "授权矩阵述职".into(), opens_at: String::new(), closes_at: closes };
    let other_review = dangjian_store::duty::review::open(&app.store, &cli_ctx(), other_org, &input).await.expect("review").id;
    let (own_letter, own_items) = letter_with_items(app, own_org).await;
    let (other_letter, other_items) = letter_with_items(app, other_org).await;
    Fixture {
        own_org,
        other_org,
        own_member,
        peer_member,
        other_member,
        own_mover,
        other_mover,
        grant_target,
        audit_admin,
        own_group,
        other_group,
        own_meeting,
        other_meeting,
        own_files,
        other_files,
        notification,
        own_round,
        other_round,
        schedule,
        own_report,
        other_report,
        assessment,
        objection,
        own_review,
        other_review,
        root: app.org_id("SZJGGW").await,
        own_letter,
        other_letter,
        own_items,
        other_items,
    }
}

/// A letter of the 工委 to `org` with two items per user: the first half open, the second closed.
async fn letter_with_items(app: &TestApp, org: i64) -> (i64, Vec<i64>) {
    use dangjian_domain::duty::inspection::{CloseInput, InspectionInput, ItemInput};
    use dangjian_store::duty::inspection;
    let today = dangjian_domain::time::format_date(today_cst());
    let items = (0..2 * USERS.len()).map(|i| ItemInput { task: format!("授权矩阵整改{i}"), owner: "支部书记".into(), deadline: today.clone(), ..Default::default() }).collect();
    let input = InspectionInput { inspectors: "甲、乙".into(), inspected_on: today.clone(), subject: "检查".into(), findings: "问题".into(), result: "结论".into(), addressee: "某党组".into(), prefix: "工委函".into(), issued_on: today, items };
    let root = app.org_id("SZJGGW").await;
    let letter = inspection::issue(&app.store, &cli_ctx(), root, org, &input).await.expect("letter");
    let ids: Vec<i64> = letter.items.iter().map(|i| i.row.id).collect();
    for id in &ids[USERS.len()..] {
        inspection::close(&app.store, &cli_ctx(), *id, &CloseInput { evidence: "已整改".into(), ..Default::default() }).await.expect("closed");
    }
    (letter.row.id, ids)
}

/// The request of one row for user number `user`; `n` makes created names unique. An upload's
/// body is sent as multipart by `run_rows`.
fn request(ep: Ep, obj: Obj, fx: &Fixture, n: usize, user: usize) -> (&'static str, String, Option<Value>) {
    let org = if obj == Other { fx.other_org } else { fx.own_org };
    let (meeting, files) = if obj == Other { (fx.other_meeting, &fx.other_files) } else { (fx.own_meeting, &fx.own_files) };
    let round = if obj == Other { fx.other_round } else { fx.own_round };
    let member = match obj {
        Own => fx.own_member,
        Peer => fx.peer_member,
        _ => fx.other_member,
    };
    match ep {
        GetOrg => ("GET", format!("/orgs/{org}"), None),
        OrgStats => ("GET", format!("/orgs/{org}/stats"), None),
        PatchOrg => ("PATCH", format!("/orgs/{org}"), Some(json!({"note": format!("授权测试{n}")}))),
        CreateOrg => ("POST", "/orgs".into(), Some(json!({"parent_id": org, "kind": "group", "name": format!("矩阵党小组{n}"), "code": format!("MATRIX-{n}")}))),
        MoveOrg => {
            let (what, to) = if obj == Other { fx.other_mover } else { fx.own_mover };
            ("POST", format!("/orgs/{what}/move"), Some(json!({"parent_id": to, "reason": "授权矩阵测试"})))
        }
        ListMembers => ("GET", format!("/members?org={org}"), None),
        GetMember => ("GET", format!("/members/{member}"), None),
        PatchMember => ("PATCH", format!("/members/{member}"), Some(json!({"work_unit": format!("授权测试单位{n}")}))),
        Reveal => ("POST", format!("/members/{member}/reveal"), None),
        Export => ("GET", format!("/members/export?org={org}&format=csv"), None),
        ListAccounts => ("GET", "/accounts".into(), None),
        CreateAccount => ("POST", "/accounts".into(), Some(json!({"username": format!("matrix{n}"), "password": "Matrix#2026x"}))),
        GrantRole => ("POST", format!("/accounts/{}/roles", fx.grant_target), Some(json!({"role": "secretary", "org_id": org}))),
        Audit => ("GET", "/audit".into(), None),
        SearchMembers => ("POST", "/members/search".into(), Some(json!({"org": org}))),
        ResetAdminPassword => ("POST", format!("/accounts/{}/password", fx.audit_admin), Some(json!({"password": format!("Taken#Over{n}x")}))),
        Jobs => ("GET", "/jobs".into(), None),
        PlaceInGroup => {
            let g = if obj == Other { fx.other_group } else { fx.own_group };
            ("PUT", format!("/members/{member}/group"), Some(json!({"group_id": g})))
        }
        GroupMembers => ("GET", format!("/orgs/{}/group-members", if obj == Other { fx.other_group } else { fx.own_group }), None),
        ListMeetings => ("GET", format!("/meetings?org={org}"), None),
        Compliance => ("GET", format!("/compliance?org={org}"), None),
        AddRule => (
            "POST",
            "/obligation-rules".into(),
            Some(json!({"kind": "party_lecture", "owed_by": ["branch"], "frequency": "monthly", "count": 1, "citation": format!("授权矩阵测试{n}"), "within_org_id": org})),
        ),
        MeetingKinds => ("GET", format!("/meeting-kinds?org={org}"), None),
        AddMeetingKind => ("POST", "/meeting-kinds".into(), Some(json!({"org_id": org, "code": format!("matrix_kind_{n}"), "name": format!("矩阵类别{n}"), "held_by": ["branch"]}))),
        UploadAttachment => ("POST", format!("/meetings/{meeting}/attachments"), None),
        ListAttachments => ("GET", format!("/meetings/{meeting}/attachments"), None),
        GetAttachment => ("GET", format!("/attachments/{}", files[0]), None),
        DeleteAttachment => ("DELETE", format!("/attachments/{}", files[user]), None),
        Notifications => ("GET", "/notifications".into(), None),
        ReadAllNotifications => ("POST", "/notifications/read-all".into(), None),
        ReadNotification => ("POST", format!("/notifications/{}/read", fx.notification), None),
        NoticeDeliveries => ("GET", format!("/notifications/deliveries?org={org}"), None),
        ListAppraisals => ("GET", format!("/appraisals?org={org}"), None),
        GetAppraisal => ("GET", format!("/appraisals/{round}"), None),
        // A year per user, so that each allowed creation is a new round.
        CreateAppraisal => ("POST", "/appraisals".into(), Some(json!({"org_id": org, "year": 2010 + user}))),
        SelfAssessment => ("PUT", format!("/appraisals/{round}/members/{member}/self-assessment"), Some(json!({"text": format!("授权矩阵测试自评{n}")}))),
        MemberAppraisals => ("GET", format!("/members/{member}/appraisals"), None),
        ListReportSchedules => ("GET", format!("/report-schedules?org={org}"), None),
        ScheduleStatus => ("GET", format!("/report-schedules/{}/status", fx.schedule), None),
        OpenReport => ("POST", "/reports".into(), Some(json!({"schedule_id": fx.schedule, "org_id": org}))),
        GetReport => ("GET", format!("/reports/{}", if obj == Other { fx.other_report } else { fx.own_report }), None),
        Responsibility => ("GET", format!("/responsibility?org={org}"), None),
        AddTask => {
            let owner = if obj == Other { fx.other_member } else { fx.own_member };
            ("POST", "/responsibility/tasks".into(), Some(json!({"org_id": org, "year": today_cst().format("%Y").to_string(), "title": format!("授权矩阵任务{n}"), "owner_member_id": owner, "deadline": format!("{}-12-31", today_cst().format("%Y"))})))
        }
        ListAssessments => ("GET", "/assessments".into(), None),
        GetAssessment => ("GET", format!("/assessments/{}", fx.assessment), None),
        AssessmentResults => ("GET", format!("/assessments/{}/results", fx.assessment), None),
        OrgScores => ("GET", format!("/assessments/{}/scores/{org}", fx.assessment), None),
        CreateScheme => (
            "POST",
            "/assessment-schemes".into(),
            Some(json!({"org_id": org, "name": format!("矩阵方案{n}"), "scale": 100, "period_kind": "year", "indicators": [{"name": "综合", "points": "100", "method": "scored"}]})),
        ),
        ScoreAssessment => ("PUT", format!("/assessments/{}/scores", fx.assessment), Some(json!({"scores": [{"org_id": org, "indicator": "2.1", "score": "15"}]}))),
        // One indicator per user, so that each allowed objection is the only pending one of its kind.
        FileObjection => {
            let indicator = ["1.1", "1.2", "1.4", "2.1", "2.3", "1.1"][user];
            ("POST", format!("/assessments/{}/objections", fx.assessment), Some(json!({"org_id": org, "indicator": indicator, "reason": format!("授权矩阵测试{n}")})))
        }
        DecideObjection => ("PUT", format!("/assessments/{}/objections/{}/decision", fx.assessment, fx.objection), Some(json!({"decision": "rejected", "reason": "授权矩阵测试"}))),
        Bulletin => ("GET", format!("/assessments/{}/bulletin?org_id={org}", fx.assessment), None),
        OrgHonours => ("GET", format!("/orgs/{org}/honours"), None),
        ListReviews => ("GET", "/reviews".into(), None),
        GetReview => ("GET", format!("/reviews/{}", if obj == Other { fx.other_review } else { fx.own_review }), None),
        // A year per user, so that each allowed opening is a new round.
        OpenReview => ("POST", "/reviews".into(), Some(json!({"org_id": org, "period": format!("{}", 2010 + user), "report": format!("授权矩阵述职{n}"), "closes_at": (today_cst() + chrono::Days::new(7)).format("%Y-%m-%d").to_string()}))),
        CastVote => ("POST", format!("/reviews/{}/votes", if obj == Other { fx.other_review } else { fx.own_review }), Some(json!({"choice": "satisfied"}))),
        ListInspections => ("GET", format!("/inspections?org={org}"), None),
        IssueInspection => {
            let today = dangjian_domain::time::format_date(today_cst());
            let body = json!({"issuer_org_id": fx.root, "org_id": org, "inspectors": "甲", "inspected_on": today, "subject": "检查", "findings": "问题", "result": "结论", "addressee": "某党组", "prefix": "工委函", "items": [{"task": format!("授权矩阵{n}"), "owner": "书记", "deadline": today}]});
            ("POST", "/inspections".into(), Some(body))
        }
        GetInspection => ("GET", format!("/inspections/{}", if obj == Other { fx.other_letter } else { fx.own_letter }), None),
        CloseRectification => {
            let items = if obj == Other { &fx.other_items } else { &fx.own_items };
            ("POST", format!("/rectification-items/{}/close", items[user]), Some(json!({"evidence": "授权矩阵销号"})))
        }
        ConfirmRectification => {
            let items = if obj == Other { &fx.other_items } else { &fx.own_items };
            ("POST", format!("/rectification-items/{}/confirm", items[USERS.len() + user]), Some(json!({"note": "授权矩阵确认"})))
        }
    }
}

/// Runs the rows and returns one line per row whose answer differs from `accept`.
async fn run_rows(app: &TestApp, fx: &Fixture, accept: impl Fn(&str, Ep, u16, u16) -> bool) -> (usize, Vec<String>) {
    let mut apis = Vec::new();
    for u in USERS {
        apis.push(app.demo_login(u).await);
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut n = 0;
    for (ep, obj, expected) in MATRIX {
        for (i, user) in USERS.iter().enumerate() {
            n += 1;
            let (method, path, body) = request(*ep, *obj, fx, n, i);
            let r = if *ep == UploadAttachment {
                let part = reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("矩阵.png");
                apis[i].send(apis[i].client.post(apis[i].url(&path)).multipart(reqwest::multipart::Form::new().part("file", part))).await
            } else {
                apis[i].request(method, &path, body.as_ref()).await
            };
            checked += 1;
            if !accept(user, *ep, expected[i], r.status) {
                let detail: String = r.text().chars().take(160).collect();
                failures.push(format!("{user:<10} {:<40} [{obj:?}] {method} {path}: expected {}, got {} {detail}", ep.template(), expected[i], r.status));
            }
        }
    }
    (checked, failures)
}

#[tokio::test]
async fn authorisation_matrix() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let (checked, failures) = run_rows(&app, &fx, |_, _, expected, got| got == expected).await;
    assert_eq!(checked, MATRIX.len() * USERS.len());
    assert!(failures.is_empty(), "{} of {checked} authorisation rows failed:\n{}", failures.len(), failures.join("\n"));
}

/// 三员 and the 党员 never receive anyone else's personal data through the member list either.
#[tokio::test]
async fn separated_admins_list_no_members() {
    let app = demo_app().await;
    for user in ["admin", "anquan", "shenji"] {
        let api = app.demo_login(user).await;
        let r = api.get("/members").await;
        assert!(matches!(r.status, 403 | 404), "{user}: {r:?}");
    }
    // Without an organisation, a 党员's list holds only their own record.
    let me = app.member_id_of("dangyuan1").await;
    let j = app.demo_login("dangyuan1").await.get_ok("/members").await;
    let ids: Vec<i64> = j["items"].as_array().expect("items").iter().map(|m| m["id"].as_i64().expect("id")).collect();
    assert_eq!(ids, vec![me]);
    assert_eq!(j["total"], 1);
}

/// The pages answer like the API (SECURITY.md: one table "for pages and API alike"). Skips,
/// saying so, while the pages are not built yet; each row is checked once its page exists (the
/// probe user may see the page, so a 404 for them means the route is not there yet).
#[tokio::test]
async fn pages_follow_the_same_policy() {
    let app = spawn_app().await;
    let probe = app.client().get(app.url("/login")).send().await.expect("GET /login");
    if probe.status().as_u16() == 404 {
        eprintln!("pages_follow_the_same_policy: no /login page yet, skipped");
        return;
    }
    let fx = fixture(&app).await;
    let mut clients = std::collections::HashMap::new();
    for user in ["admin", "shenji", "zuzhi", "shuji1", "dangyuan1"] {
        let c = app.client();
        let r = c.post(app.api_url("/login")).json(&json!({"username": user, "password": DEMO_PASSWORD})).send().await.expect("login");
        assert_eq!(r.status().as_u16(), 200, "{user} login");
        clients.insert(user, c);
    }
    let (own, other) = (fx.own_org, fx.other_org);
    let (me, peer, stranger) = (fx.own_member, fx.peer_member, fx.other_member);
    // (path, probe user, [(user, expected status)])
    type PageRow<'a> = (String, &'a str, Vec<(&'a str, u16)>);
    let rows: Vec<PageRow> = vec![
        ("/".into(), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200)]),
        (format!("/orgs/{own}"), "zuzhi", vec![("shuji1", 200), ("shenji", 404), ("dangyuan1", 404)]),
        (format!("/orgs/{other}"), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404), ("admin", 200)]),
        (format!("/orgs/{own}/edit"), "zuzhi", vec![("shuji1", 403), ("admin", 403)]),
        (format!("/orgs/{other}/edit"), "zuzhi", vec![("shuji1", 404)]),
        (format!("/members/{me}"), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200), ("admin", 403), ("shenji", 404)]),
        (format!("/members/{peer}"), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404)]),
        (format!("/members/{stranger}"), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/members?org={own}"), "zuzhi", vec![("shuji1", 200), ("admin", 403)]),
        (format!("/members?org={other}"), "zuzhi", vec![("shuji1", 404)]),
        ("/audit".into(), "shenji", vec![("admin", 403), ("zuzhi", 403), ("shuji1", 403)]),
        ("/accounts".into(), "admin", vec![("zuzhi", 403), ("shuji1", 403)]),
        (format!("/orgs/{}", fx.own_group), "zuzhi", vec![("shuji1", 200), ("admin", 200), ("shenji", 404), ("dangyuan1", 404)]),
        (format!("/orgs/{}", fx.other_group), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/compliance?org={own}"), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200), ("admin", 403), ("shenji", 404)]),
        (format!("/compliance?org={other}&view=month"), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/compliance?org={own}&view=quarter"), "zuzhi", vec![("shuji1", 200), ("admin", 403)]),
        (format!("/compliance/bulletin.xlsx?org={other}"), "zuzhi", vec![("shuji1", 404), ("shenji", 404)]),
        (format!("/appraisals?org={own}"), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200), ("admin", 403), ("shenji", 404)]),
        (format!("/appraisals?org={other}"), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/appraisals/{}", fx.own_round), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200), ("admin", 403), ("shenji", 404)]),
        (format!("/appraisals/{}", fx.other_round), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/reports?org={own}"), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404), ("admin", 403), ("shenji", 404)]),
        (format!("/reports?org={other}"), "zuzhi", vec![("shuji1", 404)]),
        (format!("/reports/{}", fx.own_report), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404), ("admin", 403)]),
        (format!("/reports/{}", fx.other_report), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/report-schedules/{}", fx.schedule), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404), ("admin", 403)]),
        (format!("/responsibility?org={own}"), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404)]),
        (format!("/responsibility?org={other}"), "zuzhi", vec![("shuji1", 404)]),
        (format!("/assessments/{}", fx.assessment), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404), ("admin", 403), ("shenji", 404)]),
        (format!("/assessments/{}/orgs/{own}", fx.assessment), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 404), ("admin", 403)]),
        (format!("/assessments/{}/orgs/{other}", fx.assessment), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/reviews/{}", fx.own_review), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200), ("admin", 403), ("shenji", 404)]),
        (format!("/reviews/{}", fx.other_review), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        (format!("/reviews?org={other}"), "zuzhi", vec![("shuji1", 404), ("dangyuan1", 404)]),
        ("/reviews".into(), "zuzhi", vec![("shuji1", 200), ("dangyuan1", 200), ("admin", 403)]),
    ];
    let status = |user: &str, path: &str| {
        let rb = clients[user].get(app.url(path));
        async move { rb.send().await.expect("page").status().as_u16() }
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, probe_user, expect) in &rows {
        let probe = status(probe_user, path).await;
        if probe == 404 {
            eprintln!("pages_follow_the_same_policy: no page at {path} yet, skipped");
            continue;
        }
        if probe != 200 {
            failures.push(format!("{probe_user:<10} GET {path}: expected 200, got {probe}"));
        }
        for (user, e) in expect {
            let got = status(user, path).await;
            checked += 1;
            if got != *e {
                failures.push(format!("{user:<10} GET {path}: expected {e}, got {got}"));
            }
        }
    }
    // Without a session a page sends the visitor to the login page.
    let anon = app.client().get(app.url(&format!("/orgs/{own}"))).send().await.expect("anonymous page");
    if anon.status().as_u16() != 404 {
        checked += 1;
        let to = anon.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        if !anon.status().is_redirection() || !to.starts_with("/login") {
            failures.push(format!("anonymous GET /orgs/{own}: expected a redirect to /login, got {} {to}", anon.status()));
        }
    }
    eprintln!("pages_follow_the_same_policy: {checked} page rows checked");
    assert!(failures.is_empty(), "page rows failed:\n{}", failures.join("\n"));
}

/// 三员分立: no account holds two of the three; nobody grants themselves a role.
#[tokio::test]
async fn separated_admin_roles_do_not_combine() {
    let (app, anquan) = demo_api("anquan").await;
    let root = app.org_id(ROOT).await;
    let shenji = app.account_id("shenji").await;
    for role in ["system_admin", "security_admin"] {
        let r = anquan.post_json(&format!("/accounts/{shenji}/roles"), &json!({"role": role, "org_id": root})).await.assert_status(409);
        assert_eq!(r.code(), "separation_of_duties");
    }
    let me = app.account_id("anquan").await;
    assert_eq!(anquan.post_json(&format!("/accounts/{me}/roles"), &json!({"role": "org_admin", "org_id": root})).await.assert_status(409).code(), "self_grant");
    // A role that is not one of the three may be added; the same one twice may not.
    anquan.post_json(&format!("/accounts/{shenji}/roles"), &json!({"role": "audit_admin", "org_id": root})).await.assert_status(409);
    let dangyuan = app.account_id("dangyuan1").await;
    let g = anquan.post_json(&format!("/accounts/{dangyuan}/roles"), &json!({"role": "secretary", "org_id": app.org_id(OWN_BRANCH).await})).await.assert_status(201).json();
    // The new grant takes effect on the next request: the 党员 now reads their branch's roster.
    let d = app.demo_login("dangyuan1").await;
    d.get(&format!("/members/{}", app.member_ids(OWN_BRANCH).await[0])).await.assert_status(200);
    anquan.delete(&format!("/roles/{}", g["id"].as_i64().expect("id"))).await.assert_status(204);
    d.get(&format!("/members/{}", app.member_ids(OWN_BRANCH).await[0])).await.assert_status(404);
}
