//! 民主评议党员 — appraisal rounds. A round of a branch for a year lives in `appraisals`, with
//! the stage it has reached and the 民主测评 meeting record it links (the record is what the
//! yearly obligation counts, so the round never counts it twice); each appraised member, taken
//! from the roster when the round is created, has a row in `appraisal_members` holding their
//! self-assessment, the peer opinions, the ballot counts (never who voted what), the grade and
//! the follow-up the branch decided. Published grades and decisions go into the member's history.

use dangjian_domain::life::appraisal::{self, BallotInput, FollowUpInput, FollowUpKind, Grade, GradeInput, Proposal, Stage, Votes};
use dangjian_domain::life::meeting::cst_day_start;
use dangjian_domain::life::MeetingKind;
use dangjian_domain::member::{EventKind, Status};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::{self, Date};
use dangjian_domain::Invalid;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order};
use sea_orm::{ConnectionTrait, Value};
use serde_json::json;

use super::meeting::{eligible, tenant_of};
use crate::member::event_row;
use crate::org;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    /// 评议 — a round of 民主评议党员 of a branch for a year.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Round from "appraisals" as "r" {
        pub id: i64,
        #[serde(skip)]
        pub tenant_id: i64,
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub year: i64,
        /// The stage reached: `self_assessment`, `peer_review`, `ballot`, `grading`, `published`.
        pub stage: Stage,
        /// The meeting record (kind 民主评议党员) the 民主测评 was held at.
        pub meeting_id: Option<i64>,
        /// 收回有效票 of the 民主测评 (0 until recorded).
        pub ballots: i64,
        pub published_on: Option<Date>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

impl Round {
    /// Each stage with whether it is done, current or to come, for the stage bar.
    pub fn steps(&self) -> Vec<(&'static str, &'static str)> {
        Stage::ALL
            .iter()
            .map(|s| {
                let state = if *s < self.stage || self.stage == Stage::Published {
                    "done"
                } else if *s == self.stage {
                    "current"
                } else {
                    "todo"
                };
                (s.label(), state)
            })
            .collect()
    }
    pub fn is(&self, code: &str) -> bool {
        self.stage.code() == code
    }
}

record! {
    struct EntryRow from "appraisal_members" as "a" {
        member_id: i64,
        member_name: String = m.name,
        status: Status,
        self_assessment: String,
        peer_review: String,
        excellent: i64,
        qualified: i64,
        basically_qualified: i64,
        unqualified: i64,
        grade: Option<Grade>,
        grade_note: String,
        follow_up: Option<FollowUpKind>,
        decided_on: Option<Date>,
        deadline: Option<Date>,
        decision: String,
        approval: String,
    }
}

/// 评议对象 — one appraised member in a round. What the caller may not see is absent: a member
/// sees their own line only, without the peer opinions or the counts, and their grade once
/// published.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub member_id: i64,
    pub member_name: String,
    /// 正式党员 or 预备党员 when the round was created.
    pub status: Status,
    /// 个人自评.
    pub self_assessment: String,
    /// 党员互评意见.
    pub peer_review: Option<String>,
    /// 民主测评 counts.
    pub votes: Option<Votes>,
    /// 建议等次: the grade with the most votes (none on a tie); the branch's grade is what counts.
    pub proposed: Option<Grade>,
    /// 评定等次 by the branch.
    pub grade: Option<Grade>,
    pub grade_note: String,
    /// 建议的后续处理 for 基本合格 and 不合格: proposals, never applied by themselves.
    pub proposals: Vec<Proposal>,
    pub follow_up: Option<FollowUpKind>,
    pub decided_on: Option<Date>,
    pub deadline: Option<Date>,
    pub decision: String,
    pub approval: String,
}

impl Entry {
    pub fn votes_or_zero(&self) -> Votes {
        self.votes.unwrap_or_default()
    }
    pub fn grade_code(&self) -> &'static str {
        self.grade.or(self.proposed).map(|g| g.code()).unwrap_or("")
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl EntryRow {
    fn entry(self, full: bool, published: bool) -> Entry {
        let votes = Votes { excellent: count(self.excellent), qualified: count(self.qualified), basically_qualified: count(self.basically_qualified), unqualified: count(self.unqualified) };
        let grade = if full || published { self.grade } else { None };
        Entry {
            member_id: self.member_id,
            member_name: self.member_name,
            status: self.status,
            self_assessment: self.self_assessment,
            peer_review: full.then_some(self.peer_review),
            votes: full.then_some(votes),
            proposed: if full { votes.proposal() } else { None },
            proposals: grade.map(appraisal::proposals).unwrap_or_default(),
            grade,
            grade_note: if grade.is_some() { self.grade_note } else { String::new() },
            follow_up: self.follow_up.filter(|_| full || published),
            decided_on: self.decided_on.filter(|_| full || published),
            deadline: self.deadline.filter(|_| full || published),
            decision: if full || published { self.decision } else { String::new() },
            approval: if full || published { self.approval } else { String::new() },
        }
    }
}

/// A round with its organisation and the members the caller may see.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RoundView {
    #[serde(flatten)]
    pub round: Round,
    pub org_name: String,
    pub members: Vec<Entry>,
    /// The caller sees every member (the secretary, the organisation's administrator), not
    /// only their own line.
    pub full: bool,
}

/// 新建评议 as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundInput {
    pub org_id: i64,
    pub year: i32,
}

fn object(id: i64) -> String {
    format!("appraisal:{id}")
}

async fn round<C: ConnectionTrait>(c: &C, id: i64) -> Result<Round> {
    query::fetch_one(c, &Round::select().and_where(col("r", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

/// The round, if the caller may do `action` on its organisation.
async fn authorized(store: &Store, ctx: &Ctx, id: i64, action: Action) -> Result<Round> {
    let r = round(&store.db, id).await?;
    store.authorize(ctx, action, Target::org(&r.org_path), &object(id)).await?;
    Ok(r)
}

async fn entries<C: ConnectionTrait>(c: &C, id: i64, only: Option<i64>) -> Result<Vec<EntryRow>> {
    let mut stmt = EntryRow::select()
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("a"), Alias::new("member_id"))))
        .and_where(col("a", "appraisal_id").eq(id))
        .order_by((Alias::new("m"), Alias::new("name")), Order::Asc)
        .order_by((Alias::new("a"), Alias::new("member_id")), Order::Asc)
        .to_owned();
    if let Some(m) = only {
        stmt.and_where(col("a", "member_id").eq(m));
    }
    Ok(query::fetch(c, &stmt).await?)
}

/// (id, name) of each appraised member, for the domain's checks.
async fn appraised<C: ConnectionTrait>(c: &C, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(entries(c, id, None).await?.into_iter().map(|e| (e.member_id, e.member_name)).collect())
}

/// Who sees every line: those who may read the organisation's members.
fn sees_all(ctx: &Ctx, r: &Round) -> bool {
    ctx.actor.decide(Action::MemberRead, Target::org(&r.org_path)) == Decision::Allow
}

async fn view(store: &Store, ctx: &Ctx, r: Round) -> Result<RoundView> {
    let full = sees_all(ctx, &r);
    let only = if full { None } else { Some(ctx.actor.member_id.unwrap_or(0)) };
    let published = r.stage == Stage::Published;
    let members = entries(&store.db, r.id, only).await?.into_iter().map(|e| e.entry(full, published)).collect();
    let org_name = store.tree().await?.get(r.org_id).map(|o| o.name.clone()).unwrap_or_default();
    Ok(RoundView { round: r, org_name, members, full })
}

/// The round, as the caller may see it.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<RoundView> {
    let r = authorized(store, ctx, id, Action::LifeRead).await?;
    view(store, ctx, r).await
}

/// An organisation's rounds, newest first.
pub async fn list(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Vec<Round>> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::LifeRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let stmt = Round::select().and_where(col("r", "org_id").eq(org_id)).order_by((Alias::new("r"), Alias::new("year")), Order::Desc).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}

/// 新建评议: the round of a branch for a year, listing its 正式党员 and 预备党员 as they are now.
pub async fn create(store: &Store, ctx: &Ctx, input: &RoundInput) -> Result<RoundView> {
    let o = org::node(store, input.org_id).await?;
    store.authorize(ctx, Action::LifeWrite, Target::org(&o.path), &format!("org:{}", o.id)).await?;
    let mut errors: Vec<Invalid> = Vec::new();
    // 支部条例 art. 18: 民主评议党员 is the branch's.
    if !MeetingKind::MemberAppraisal.held_by(o.kind) {
        errors.push(Invalid::new("org_id", "not_a_branch", format!("民主评议党员由党支部组织，{}“{}”不组织评议", o.kind.label(), o.name)));
    }
    if !o.active {
        errors.push(Invalid::new("org_id", "org_inactive", format!("“{}”已撤销，不能再组织评议", o.name)));
    }
    if let Err(e) = appraisal::check_year(input.year, time::today_cst()) {
        errors.push(e);
    }
    let roster = eligible(&store.db, &o).await?.1;
    if roster.is_empty() && errors.is_empty() {
        errors.push(Invalid::new("org_id", "no_members", format!("“{}”的党员名册中没有正式党员或预备党员", o.name)));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let tenant = tenant_of(&o);
    let now = time::now_unix();
    let txn = store.write().await?;
    let row = query::insert("appraisals", vec![
        ("tenant_id", tenant.into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("year", i64::from(input.year).into()),
        ("stage", Stage::SelfAssessment.into()),
        ("meeting_id", Option::<i64>::None.into()),
        ("ballots", 0i64.into()),
        ("published_on", Option::<Date>::None.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row).await.map_err(|e| StoreError::from_db(e, &format!("“{}”{}年度的民主评议已经建立", o.name, input.year)))?;
    let rows = roster.iter().map(|m| member_row(tenant, id, m.id, m.status)).collect();
    query::insert_chunked(&txn, "appraisal_members", rows).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.create", &object(id), "ok", json!({"org_id": o.id, "year": input.year, "members": roster.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// A new round's line for one member: nothing written yet.
pub(crate) fn member_row(tenant: i64, appraisal_id: i64, member_id: i64, status: Status) -> Vec<(&'static str, Value)> {
    vec![
        ("tenant_id", tenant.into()),
        ("appraisal_id", appraisal_id.into()),
        ("member_id", member_id.into()),
        ("status", status.into()),
        ("self_assessment", String::new().into()),
        ("peer_review", String::new().into()),
        ("excellent", 0i64.into()),
        ("qualified", 0i64.into()),
        ("basically_qualified", 0i64.into()),
        ("unqualified", 0i64.into()),
        ("grade", Option::<Grade>::None.into()),
        ("grade_note", String::new().into()),
        ("follow_up", Option::<FollowUpKind>::None.into()),
        ("decided_on", Option::<Date>::None.into()),
        ("deadline", Option::<Date>::None.into()),
        ("decision", String::new().into()),
        ("approval", String::new().into()),
    ]
}

/// Opens the write and reads the round again inside it: the stage checked is the one written
/// against, whoever else is writing.
async fn begin(store: &Store, id: i64, what: Stage) -> Result<(sea_orm::DatabaseTransaction, Round)> {
    let txn = store.write().await?;
    let r = round(&txn, id).await?;
    r.stage.check_writing(what)?;
    Ok((txn, r))
}

async fn update_member<C: ConnectionTrait>(c: &C, id: i64, member_id: i64, pairs: Vec<(&'static str, Value)>) -> Result<()> {
    let upd = query::update("appraisal_members", pairs).and_where(Expr::col(Alias::new("appraisal_id")).eq(id)).and_where(Expr::col(Alias::new("member_id")).eq(member_id)).to_owned();
    if query::execute(c, &upd).await? != 1 {
        return Err(StoreError::invalid("member_id", "not_appraised", "该党员不在本次评议的名单中"));
    }
    Ok(())
}

async fn touch<C: ConnectionTrait>(c: &C, id: i64, mut pairs: Vec<(&'static str, Value)>) -> Result<()> {
    pairs.push(("updated_at", time::now_unix().into()));
    query::execute(c, &query::update("appraisals", pairs).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned()).await?;
    Ok(())
}

/// 个人自评: written by the member themself (their own line only) or recorded by whoever runs
/// the round, during the 个人自评 stage.
pub async fn self_assess(store: &Store, ctx: &Ctx, id: i64, member_id: i64, text: &str) -> Result<RoundView> {
    let own = ctx.actor.member_id == Some(member_id);
    authorized(store, ctx, id, if own { Action::LifeRead } else { Action::LifeWrite }).await?;
    let text = appraisal::parse_assessment("self_assessment", "个人自评", text)?;
    let (txn, r) = begin(store, id, Stage::SelfAssessment).await?;
    update_member(&txn, id, member_id, vec![("self_assessment", text.clone().into())]).await?;
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.self", &object(id), "ok", json!({"member_id": member_id, "chars": text.chars().count()})).await?;
    txn.commit().await?;
    view(store, ctx, r).await
}

/// 党员互评: the opinions the members gave of one member, as the secretary noted them.
pub async fn peer_review(store: &Store, ctx: &Ctx, id: i64, member_id: i64, text: &str) -> Result<RoundView> {
    authorized(store, ctx, id, Action::LifeWrite).await?;
    let text = appraisal::parse_assessment("peer_review", "互评意见", text)?;
    let (txn, r) = begin(store, id, Stage::PeerReview).await?;
    update_member(&txn, id, member_id, vec![("peer_review", text.clone().into())]).await?;
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.peer", &object(id), "ok", json!({"member_id": member_id, "chars": text.chars().count()})).await?;
    txn.commit().await?;
    view(store, ctx, r).await
}

/// The first day a round's 民主测评 may be held: the start of its year (a year is appraised at
/// its end or early in the next).
pub fn held_from(r: &Round) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(i32::try_from(r.year).ok()?, 1, 1)
}

/// The meeting a 民主测评 was held at: a live record of the round's organisation that counts as
/// 民主评议党员, held in the round's year or later, and not already another round's (a record
/// is one 民主测评).
async fn check_meeting<C: ConnectionTrait>(c: &C, r: &Round, meeting_id: i64) -> Result<()> {
    // `meeting_kinds` holds live records only: a deleted record is not offered.
    let from = held_from(r).map(cst_day_start).unwrap_or(0);
    let held = query::count_of(
        "meeting_kinds",
        "k",
        Cond::all()
            .add(col("k", "meeting_id").eq(meeting_id))
            .add(col("k", "org_id").eq(r.org_id))
            .add(col("k", "kind").eq(MeetingKind::MemberAppraisal))
            .add(col("k", "starts_at").gte(from)),
    );
    if query::scalar(c, &held).await? == 0 {
        return Err(StoreError::invalid("meeting_id", "not_an_appraisal_meeting", format!("所选会议记录不是本支部{}年以来会议类别为“民主评议党员”的记录：请先登记民主评议党员会议", r.year)));
    }
    let other = Round::select().and_where(col("r", "meeting_id").eq(meeting_id)).and_where(col("r", "id").ne(r.id)).to_owned();
    if let Some(o) = query::fetch_one::<Round, _>(c, &other).await? {
        return Err(StoreError::invalid("meeting_id", "meeting_taken", format!("所选会议记录已是{}年度民主评议的民主测评会议", o.year)));
    }
    Ok(())
}

/// 民主测评: the counts of the paper ballots, per member, and the meeting it was held at.
/// Recorded again whole while the stage lasts.
pub async fn record_ballot(store: &Store, ctx: &Ctx, id: i64, input: &BallotInput) -> Result<RoundView> {
    authorized(store, ctx, id, Action::LifeWrite).await?;
    let v = input.validate(&appraised(&store.db, id).await?).map_err(StoreError::Invalid)?;
    let (txn, r) = begin(store, id, Stage::Ballot).await?;
    check_meeting(&txn, &r, v.meeting_id).await?;
    for (member_id, votes) in &v.tallies {
        let pairs = vec![
            ("excellent", i64::from(votes.excellent).into()),
            ("qualified", i64::from(votes.qualified).into()),
            ("basically_qualified", i64::from(votes.basically_qualified).into()),
            ("unqualified", i64::from(votes.unqualified).into()),
        ];
        update_member(&txn, id, *member_id, pairs).await?;
    }
    touch(&txn, id, vec![("meeting_id", v.meeting_id.into()), ("ballots", i64::from(v.ballots).into())])
        .await
        .map_err(|e| match e {
            StoreError::Db(e) => StoreError::from_db(e, "所选会议记录已是另一次民主评议的民主测评会议"),
            e => e,
        })?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.ballot", &object(id), "ok", json!({"meeting_id": v.meeting_id, "ballots": v.ballots})).await?;
    txn.commit().await?;
    view(store, ctx, round(&store.db, id).await?).await
}

/// 组织评定: the branch's grades, for some or all members; the proposed grade is only shown.
pub async fn grade(store: &Store, ctx: &Ctx, id: i64, grades: &[GradeInput]) -> Result<RoundView> {
    authorized(store, ctx, id, Action::LifeWrite).await?;
    let g = appraisal::check_grades(grades, &appraised(&store.db, id).await?).map_err(StoreError::Invalid)?;
    let (txn, r) = begin(store, id, Stage::Grading).await?;
    for (member_id, grade, note) in &g {
        update_member(&txn, id, *member_id, vec![("grade", (*grade).into()), ("grade_note", note.clone().into())]).await?;
    }
    touch(&txn, id, Vec::new()).await?;
    let detail: Vec<_> = g.iter().map(|(m, grade, _)| json!({"member_id": m, "grade": grade})).collect();
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.grade", &object(id), "ok", json!({"grades": detail})).await?;
    txn.commit().await?;
    view(store, ctx, r).await
}

/// Moves the round to its next stage. Entering 组织评定 needs the 民主测评 recorded; publishing
/// needs every member graded, and writes each grade into the member's history.
pub async fn advance(store: &Store, ctx: &Ctx, id: i64, to: &str) -> Result<RoundView> {
    authorized(store, ctx, id, Action::LifeWrite).await?;
    let to = Stage::parse(to).ok_or_else(|| StoreError::invalid("stage", "invalid_stage", "评议阶段应为个人自评、党员互评、民主测评、组织评定或结果公布"))?;
    let txn = store.write().await?;
    let r = round(&txn, id).await?;
    r.stage.check_advance(to)?;
    let rows = entries(&txn, id, None).await?;
    let mut pairs = vec![("stage", to.into())];
    match to {
        Stage::Grading if r.meeting_id.is_none() => {
            return Err(StoreError::invalid("stage", "no_ballot", "尚未登记民主测评结果，不能进入组织评定"));
        }
        Stage::Published => {
            let missing: Vec<&str> = rows.iter().filter(|e| e.grade.is_none()).map(|e| e.member_name.as_str()).collect();
            if !missing.is_empty() {
                return Err(StoreError::invalid("stage", "not_graded", format!("以下党员尚未评定等次，不能公布：{}", missing.join("、"))));
            }
            let today = time::today_cst();
            pairs.push(("published_on", Date(today).into()));
            let org_name = store.tree().await?.get(r.org_id).map(|o| o.name.clone()).unwrap_or_default();
            let now = time::now_unix();
            let events = rows
                .iter()
                .filter_map(|e| e.grade.map(|g| (e, g)))
                .map(|(e, g)| event_row(r.tenant_id, e.member_id, EventKind::Appraisal, Date(today), Some(r.org_id), &format!("{}年度民主评议党员（{org_name}）：评定为{}", r.year, g.label()), now))
                .collect();
            query::insert_chunked(&txn, "member_events", events).await?;
        }
        _ => {}
    }
    touch(&txn, id, pairs).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.stage", &object(id), "ok", json!({"from": r.stage, "to": to})).await?;
    txn.commit().await?;
    view(store, ctx, round(&store.db, id).await?).await
}

/// 后续处理: what the branch decided for a member graded 基本合格 or 不合格, after publishing;
/// recorded in the member's history. It changes no status: a 除名 is carried out as a status
/// change on the member record once approved.
pub async fn follow_up(store: &Store, ctx: &Ctx, id: i64, member_id: i64, input: &FollowUpInput) -> Result<RoundView> {
    authorized(store, ctx, id, Action::LifeWrite).await?;
    let (txn, r) = begin(store, id, Stage::Published).await?;
    let e = entries(&txn, id, Some(member_id)).await?.pop().ok_or_else(|| StoreError::invalid("member_id", "not_appraised", "该党员不在本次评议的名单中"))?;
    let grade = e.grade.ok_or_else(|| StoreError::invalid("kind", "not_graded", "该党员尚未评定等次"))?;
    let v = input.validate(grade, time::today_cst()).map_err(StoreError::Invalid)?;
    update_member(&txn, id, member_id, vec![
        ("follow_up", v.kind.into()),
        ("decided_on", Date(v.decided_on).into()),
        ("deadline", v.deadline.map(Date).into()),
        ("decision", v.decision.clone().into()),
        ("approval", v.approval.clone().into()),
    ])
    .await?;
    let until = v.deadline.map(|d| format!("，期限至{}", time::format_date(d))).unwrap_or_default();
    let note = format!("{}年度民主评议党员后续处理：{}{until}。{}", r.year, v.kind.label(), v.decision);
    let ev = event_row(r.tenant_id, member_id, EventKind::Appraisal, Date(v.decided_on), Some(r.org_id), &note, time::now_unix());
    query::execute(&txn, &query::insert("member_events", ev)).await?;
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "appraisal.follow_up", &object(id), "ok", json!({"member_id": member_id, "kind": v.kind, "deadline": v.deadline.map(Date)})).await?;
    txn.commit().await?;
    view(store, ctx, r).await
}

record! {
    /// 历年评议结果 — a member's published grade of one year.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct MemberGrade from "appraisal_members" as "a" {
        pub appraisal_id: i64,
        pub year: i64 = r.year,
        pub org_id: i64 = r.org_id,
        pub grade: Option<Grade>,
        pub follow_up: Option<FollowUpKind>,
        pub deadline: Option<Date>,
    }
}

/// A member's published grades, newest first, for whoever may read the member.
pub async fn of_member(store: &Store, ctx: &Ctx, member_id: i64) -> Result<Vec<MemberGrade>> {
    crate::member::get(store, ctx, member_id).await?;
    let stmt = MemberGrade::select()
        .join_as(JoinType::InnerJoin, Alias::new("appraisals"), Alias::new("r"), col("r", "id").equals((Alias::new("a"), Alias::new("appraisal_id"))))
        .and_where(col("a", "member_id").eq(member_id))
        .and_where(col("r", "stage").eq(Stage::Published))
        .order_by((Alias::new("r"), Alias::new("year")), Order::Desc)
        .to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}
