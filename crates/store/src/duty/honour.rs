//! 评先表彰 — the honour list of a published assessment (one per assessment): the organisations
//! whose tier carries 推荐评先表彰 are proposed from the results; the 工委's officer (DutyAssess on
//! the assessment's organisation, seed 002 "评先表彰工作由工委负责") adds or removes nominees —
//! organisations or members — with a reason, approves or rejects each with a reason, and
//! publishes the list on a date. Publishing writes one `honours` row per approved nomination: the
//! organisation's and the member's history read those, by index, never the lists.

use std::collections::HashMap;

use dangjian_domain::duty::assessment::Stage;
use dangjian_domain::duty::honour::{check_removal, proposal_reason, HonourStage, HonourTitle, NominationInput, NominationStatus, Nominee, PublishInput, ReviewInput};
use dangjian_domain::duty::scheme::Outcome;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::assessment::{assessable, load, subject, Assessment, Standing};
use crate::query::{self, col, record};
use crate::{audit, org, Ctx, Result, Store, StoreError};

record! {
    /// 表彰名单 — the honour list drawn from an assessment.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct HonourList from "honour_lists" as "l" {
        pub id: i64,
        #[serde(skip)]
        pub tenant_id: i64,
        pub assessment_id: i64,
        /// The organisation that honours (the assessment's: the 工委).
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub name: String,
        pub stage: HonourStage,
        pub published_on: Option<Date>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

record! {
    /// 提名 — an organisation or a member proposed for a title.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Nomination from "honour_nominations" as "n" {
        pub id: i64,
        pub list_id: i64,
        pub title: HonourTitle,
        /// The organisation nominated, or the member's organisation.
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub member_id: Option<i64>,
        pub member_name: Option<String> = m.name,
        /// Proposed by the system from the results (its tier carries 推荐评先表彰).
        pub from_result: bool,
        pub reason: String,
        pub status: NominationStatus,
        /// 审核意见 or 撤销理由.
        pub decision_reason: String,
        pub created_at: i64,
        pub decided_at: Option<i64>,
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NominationView {
    #[serde(flatten)]
    pub nomination: Nomination,
    pub org_name: String,
}

impl NominationView {
    /// `市财政局第一党支部` or `张伟（市财政局第一党支部）`.
    pub fn nominee(&self) -> String {
        match &self.nomination.member_name {
            Some(m) => format!("{m}（{}）", self.org_name),
            None => self.org_name.clone(),
        }
    }
}

/// The honour list with its nominations, as the officer works on it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HonourListView {
    pub list: HonourList,
    pub assessment_name: String,
    pub nominations: Vec<NominationView>,
    /// The caller may nominate, review and publish.
    pub can_assess: bool,
    pub pending: usize,
    pub approved: usize,
}

record! {
    /// 表彰 — a published honour, part of the organisation's and the member's history.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Honour from "honours" as "h" {
        pub id: i64,
        pub list_id: i64,
        pub title: HonourTitle,
        pub org_id: i64,
        pub member_id: Option<i64>,
        pub member_name: Option<String> = m.name,
        /// The list's name (`2025年度评先表彰`).
        pub name: String,
        pub published_on: Date,
    }
}

fn object(list_id: i64) -> String {
    format!("honour_list:{list_id}")
}

fn nominations_select() -> sea_orm::sea_query::SelectStatement {
    Nomination::select().join_as(JoinType::LeftJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("n"), Alias::new("member_id")))).to_owned()
}

fn honours_select() -> sea_orm::sea_query::SelectStatement {
    Honour::select().join_as(JoinType::LeftJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("h"), Alias::new("member_id")))).to_owned()
}

async fn list_of<C: ConnectionTrait>(c: &C, assessment_id: i64) -> Result<Option<HonourList>> {
    Ok(query::fetch_one(c, &HonourList::select().and_where(col("l", "assessment_id").eq(assessment_id)).to_owned()).await?)
}

/// The honour list of an assessment, for whoever may read the whole assessment (the 工委's
/// officers); `None` while none has been drawn up.
pub async fn find(store: &Store, ctx: &Ctx, assessment_id: i64) -> Result<Option<HonourListView>> {
    let a = load(&store.db, assessment_id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&a.org_path), &subject(assessment_id)).await?;
    let Some(list) = list_of(&store.db, assessment_id).await? else {
        return Ok(None);
    };
    let stmt = nominations_select().and_where(col("n", "list_id").eq(list.id)).order_by((Alias::new("n"), Alias::new("id")), Order::Asc).to_owned();
    let rows: Vec<Nomination> = query::fetch(&store.db, &stmt).await?;
    let tree = store.tree().await?;
    let nominations: Vec<NominationView> = rows.into_iter().map(|n| NominationView { org_name: tree.get(n.org_id).map(|o| o.name.clone()).unwrap_or_default(), nomination: n }).collect();
    let count = |s: NominationStatus| nominations.iter().filter(|n| n.nomination.status == s).count();
    Ok(Some(HonourListView {
        pending: count(NominationStatus::Proposed),
        approved: count(NominationStatus::Approved),
        can_assess: ctx.actor.decide(Action::DutyAssess, Target::org(&a.org_path)) == Decision::Allow,
        assessment_name: a.name,
        nominations,
        list,
    }))
}

/// The list, which must exist and not yet be published, for a write.
async fn open_list<C: ConnectionTrait>(c: &C, a: &Assessment) -> Result<HonourList> {
    let list = list_of(c, a.id).await?.ok_or_else(|| StoreError::invalid("list", "no_list", "尚未生成表彰提名名单"))?;
    if list.stage == HonourStage::Published {
        return Err(StoreError::invalid("stage", "published", format!("表彰名单已于{}公布，不能再修改", list.published_on.map(|d| d.to_string()).unwrap_or_default())));
    }
    Ok(list)
}

fn nominee_key(n: Nominee) -> String {
    match n {
        Nominee::Org(id) => format!("org:{id}"),
        Nominee::Member(id) => format!("member:{id}"),
    }
}

/// 生成提名名单: from a published assessment, the organisations whose tier carries 推荐评先表彰,
/// each proposed as 先进基层党组织 with its tier as the reason.
pub async fn draw_up(store: &Store, ctx: &Ctx, assessment_id: i64) -> Result<HonourListView> {
    let (a, scheme) = assessable(store, ctx, assessment_id).await?;
    if a.stage != Stage::Published {
        return Err(StoreError::invalid("stage", "not_published", format!("“{}”的结果尚未公布：评先表彰从公布的考核结果中提名", a.name)));
    }
    let stmt = Standing::select().and_where(col("t", "assessment_id").eq(a.id)).and_where(col("t", "outcome").eq(Outcome::Commendation)).order_by((Alias::new("t"), Alias::new("org_path")), Order::Asc).to_owned();
    let proposed: Vec<Standing> = query::fetch(&store.db, &stmt).await?;
    let name = format!("{}评先表彰", a.name);
    let now = time::now_unix();
    let txn = store.write().await?;
    let row = query::insert("honour_lists", vec![
        ("tenant_id", a.tenant_id.into()),
        ("assessment_id", a.id.into()),
        ("org_id", a.org_id.into()),
        ("org_path", a.org_path.clone().into()),
        ("name", name.clone().into()),
        ("stage", HonourStage::Nominating.into()),
        ("published_on", Option::<Date>::None.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    let list_id = query::insert_id(&txn, row).await.map_err(|e| StoreError::from_db(e, &format!("“{}”的表彰提名名单已经生成", a.name)))?;
    let rows = proposed
        .iter()
        .map(|s| {
            let tier = s.tier.clone().unwrap_or_default();
            let reason = proposal_reason(&a.name, &tier, Outcome::Commendation.label());
            nomination_row(a.tenant_id, list_id, HonourTitle::AdvancedOrg, Nominee::Org(s.org_id), s.org_id, &s.org_path, true, &reason, ctx.actor.account_id, now)
        })
        .collect();
    query::insert_chunked(&txn, "honour_nominations", rows).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "honour.draw_up", &object(list_id), "ok", json!({"assessment_id": a.id, "proposed": proposed.len(), "tiers": scheme.tiers.iter().filter(|t| t.outcome == Some(Outcome::Commendation)).map(|t| t.name.clone()).collect::<Vec<_>>()})).await?;
    txn.commit().await?;
    find(store, ctx, assessment_id).await?.ok_or(StoreError::NotFound)
}

#[allow(clippy::too_many_arguments)]
fn nomination_row(tenant: i64, list_id: i64, title: HonourTitle, nominee: Nominee, org_id: i64, org_path: &str, from_result: bool, reason: &str, by: i64, at: i64) -> Vec<(&'static str, sea_orm::Value)> {
    vec![
        ("tenant_id", tenant.into()),
        ("list_id", list_id.into()),
        ("title", title.into()),
        ("nominee", nominee_key(nominee).into()),
        ("org_id", org_id.into()),
        ("org_path", org_path.to_string().into()),
        ("member_id", match nominee { Nominee::Member(m) => Some(m), Nominee::Org(_) => None }.into()),
        ("from_result", from_result.into()),
        ("reason", reason.to_string().into()),
        ("status", NominationStatus::Proposed.into()),
        ("decision_reason", String::new().into()),
        ("created_by", by.into()),
        ("created_at", at.into()),
        ("decided_by", Option::<i64>::None.into()),
        ("decided_at", Option::<i64>::None.into()),
    ]
}

/// 增加提名: an organisation of the assessed subtree (先进基层党组织) or a member of it (优秀共产党员,
/// 优秀党务工作者), with the reason. A nominee removed earlier is proposed again with the new
/// reason; one already on the list is named.
pub async fn nominate(store: &Store, ctx: &Ctx, assessment_id: i64, input: &NominationInput) -> Result<NominationView> {
    let (a, _) = assessable(store, ctx, assessment_id).await?;
    let list = open_list(&store.db, &a).await?;
    let mut errors = Vec::new();
    let v = input.validate();
    // The nominee is checked even when the title or reason is wrong: every problem at once.
    let nominee = match (&v, input.member_id.filter(|m| *m > 0), input.org_id.filter(|o| *o > 0)) {
        (Ok(v), ..) => Some(v.nominee),
        (Err(_), Some(m), _) => Some(Nominee::Member(m)),
        (Err(_), None, Some(o)) => Some(Nominee::Org(o)),
        _ => None,
    };
    let (who, org_id, org_path) = match nominee {
        Some(Nominee::Org(o)) => match org::node(store, o).await {
            Ok(n) => (n.name.clone(), n.id, n.path.clone()),
            Err(StoreError::NotFound) => (String::new(), 0, String::new()),
            Err(e) => return Err(e),
        },
        Some(Nominee::Member(m)) => match crate::member::get(store, ctx, m).await {
            Ok(mm) => (mm.name.clone(), mm.org_id, mm.org_path.clone()),
            Err(StoreError::NotFound | StoreError::Forbidden) => (String::new(), 0, String::new()),
            Err(e) => return Err(e),
        },
        None => (String::new(), 0, String::new()),
    };
    let field = if matches!(nominee, Some(Nominee::Member(_))) { "member_id" } else { "org_id" };
    if nominee.is_some() && (org_id == 0 || !org_path.starts_with(&a.org_path)) {
        let what = if field == "member_id" { "党员" } else { "党组织" };
        errors.push(dangjian_domain::Invalid::new(field, "outside", format!("所选{what}不在“{}”的考核范围内", a.name)));
    }
    if let Err(e) = &v {
        errors.splice(0..0, e.iter().cloned());
    }
    let v = match v {
        Ok(v) if errors.is_empty() => v,
        _ => return Err(StoreError::Invalid(errors)),
    };
    let key = nominee_key(v.nominee);
    let now = time::now_unix();
    let txn = store.write().await?;
    // Read again inside the write: a list published meanwhile takes no more nominations.
    open_list(&txn, &a).await?;
    let existing: Option<Nomination> = query::fetch_one(&txn, &nominations_select().and_where(col("n", "list_id").eq(list.id)).and_where(col("n", "title").eq(v.title)).and_where(col("n", "nominee").eq(key.clone())).to_owned()).await?;
    let id = match existing {
        Some(n) if n.status == NominationStatus::Removed => {
            let upd = query::update("honour_nominations", vec![
                ("status", NominationStatus::Proposed.into()),
                ("reason", v.reason.clone().into()),
                ("decision_reason", String::new().into()),
                ("from_result", false.into()),
                ("created_by", ctx.actor.account_id.into()),
                ("created_at", now.into()),
                ("decided_by", Option::<i64>::None.into()),
                ("decided_at", Option::<i64>::None.into()),
            ])
            .and_where(Expr::col(Alias::new("id")).eq(n.id))
            .to_owned();
            query::execute(&txn, &upd).await?;
            n.id
        }
        Some(n) => return Err(StoreError::invalid(field, "duplicate", format!("“{who}”已被提名为{}（{}）", v.title.label(), n.status.label()))),
        None => {
            let row = query::insert("honour_nominations", nomination_row(list.tenant_id, list.id, v.title, v.nominee, org_id, &org_path, false, &v.reason, ctx.actor.account_id, now));
            query::insert_id(&txn, row).await.map_err(|e| StoreError::from_db(e, &format!("“{who}”已被提名为{}", v.title.label())))?
        }
    };
    audit::record(&txn, store.crypto.as_ref(), ctx, "honour.nominate", &object(list.id), "ok", json!({"nomination_id": id, "title": v.title, "nominee": key, "reason": v.reason})).await?;
    txn.commit().await?;
    nomination(store, list.id, id).await
}

async fn nomination(store: &Store, list_id: i64, id: i64) -> Result<NominationView> {
    let n: Nomination = query::fetch_one(&store.db, &nominations_select().and_where(col("n", "list_id").eq(list_id)).and_where(col("n", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    let org_name = store.tree().await?.get(n.org_id).map(|o| o.name.clone()).unwrap_or_default();
    Ok(NominationView { nomination: n, org_name })
}

async fn decide(store: &Store, ctx: &Ctx, assessment_id: i64, nomination_id: i64, action: &str, check: impl Fn(NominationStatus) -> Result<(NominationStatus, String)>) -> Result<NominationView> {
    let (a, _) = assessable(store, ctx, assessment_id).await?;
    let list = open_list(&store.db, &a).await?;
    let n = nomination(store, list.id, nomination_id).await?;
    check(n.nomination.status)?;
    let txn = store.write().await?;
    open_list(&txn, &a).await?;
    // Read again inside the write: two officers deciding at once decide once.
    let current: Nomination = query::fetch_one(&txn, &nominations_select().and_where(col("n", "id").eq(nomination_id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    let (status, reason) = check(current.status)?;
    let upd = query::update("honour_nominations", vec![("status", status.into()), ("decision_reason", reason.clone().into()), ("decided_by", ctx.actor.account_id.into()), ("decided_at", time::now_unix().into())])
        .and_where(Expr::col(Alias::new("id")).eq(nomination_id))
        .to_owned();
    query::execute(&txn, &upd).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, action, &object(list.id), "ok", json!({"nomination_id": nomination_id, "nominee": n.nominee(), "status": status, "reason": reason})).await?;
    txn.commit().await?;
    nomination(store, list.id, nomination_id).await
}

/// 审核: approve or reject a proposed nomination, with the reason.
pub async fn review(store: &Store, ctx: &Ctx, assessment_id: i64, nomination_id: i64, input: &ReviewInput) -> Result<NominationView> {
    decide(store, ctx, assessment_id, nomination_id, "honour.review", |current| input.validate(current).map(|v| (v.status, v.reason)).map_err(StoreError::Invalid)).await
}

/// 撤销提名: take a nominee not yet reviewed off the list, with the reason (kept on the record).
pub async fn remove(store: &Store, ctx: &Ctx, assessment_id: i64, nomination_id: i64, reason: &str) -> Result<NominationView> {
    decide(store, ctx, assessment_id, nomination_id, "honour.remove", |current| check_removal(reason, current).map(|r| (NominationStatus::Removed, r)).map_err(StoreError::Invalid)).await
}

/// 公布: every nomination decided, the date given; each approved nomination becomes an honour of
/// the organisation's or the member's history.
pub async fn publish(store: &Store, ctx: &Ctx, assessment_id: i64, input: &PublishInput) -> Result<HonourListView> {
    let (a, _) = assessable(store, ctx, assessment_id).await?;
    open_list(&store.db, &a).await?;
    let txn = store.write().await?;
    let list = open_list(&txn, &a).await?;
    let all: Vec<Nomination> = query::fetch(&txn, &nominations_select().and_where(col("n", "list_id").eq(list.id)).to_owned()).await?;
    let pending = all.iter().filter(|n| n.status == NominationStatus::Proposed).count();
    let approved: Vec<&Nomination> = all.iter().filter(|n| n.status == NominationStatus::Approved).collect();
    let on = input.validate(time::today_cst(), a.published_on.map(|d| d.0), pending, approved.len()).map_err(StoreError::Invalid)?;
    let upd = query::update("honour_lists", vec![("stage", HonourStage::Published.into()), ("published_on", Date(on).into()), ("updated_at", time::now_unix().into())]).and_where(Expr::col(Alias::new("id")).eq(list.id)).to_owned();
    query::execute(&txn, &upd).await?;
    let rows = approved
        .iter()
        .map(|n| {
            vec![
                ("tenant_id", list.tenant_id.into()),
                ("list_id", list.id.into()),
                ("nomination_id", n.id.into()),
                ("title", n.title.into()),
                ("org_id", n.org_id.into()),
                ("org_path", n.org_path.clone().into()),
                ("member_id", n.member_id.into()),
                ("name", list.name.clone().into()),
                ("published_on", Date(on).into()),
            ]
        })
        .collect();
    query::insert_chunked(&txn, "honours", rows).await?;
    let mut by_title: HashMap<&str, usize> = HashMap::new();
    for n in &approved {
        *by_title.entry(n.title.code()).or_default() += 1;
    }
    audit::record(&txn, store.crypto.as_ref(), ctx, "honour.publish", &object(list.id), "ok", json!({"published_on": Date(on), "honours": approved.len(), "by_title": by_title})).await?;
    txn.commit().await?;
    find(store, ctx, assessment_id).await?.ok_or(StoreError::NotFound)
}

/// Honours shown on a history: a career's worth.
const HISTORY_MAX: u64 = 100;

/// 表彰: the honours of an organisation, newest first, for whoever may see the organisation; its
/// members' too for whoever may read its members (a name is personal data: the 三员 see the
/// organisation's own honours only).
pub async fn of_org(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Vec<Honour>> {
    let o = org::get(store, ctx, org_id).await?;
    let mut stmt = honours_select().and_where(col("h", "org_id").eq(org_id)).order_by((Alias::new("h"), Alias::new("published_on")), Order::Desc).limit(HISTORY_MAX).to_owned();
    if ctx.actor.decide(Action::MemberRead, Target::org(&o.path)) != Decision::Allow {
        stmt.and_where(col("h", "member_id").is_null());
    }
    Ok(query::fetch(&store.db, &stmt).await?)
}

/// 表彰: a member's honours, newest first, for whoever may read the member.
pub async fn of_member(store: &Store, ctx: &Ctx, member_id: i64) -> Result<Vec<Honour>> {
    crate::member::get(store, ctx, member_id).await?;
    let stmt = honours_select().and_where(col("h", "member_id").eq(member_id)).order_by((Alias::new("h"), Alias::new("published_on")), Order::Desc).limit(HISTORY_MAX).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}
