//! 党建工作责任 — an organisation's 第一责任人 and 具体责任人, read from its current posts (seed
//! 004's "123": never typed again), and its 责任清单 per year: tasks with an owner from its
//! roster, a deadline, and a status computed from the date.

use dangjian_domain::duty::responsibility::{self as rules, Holder, Responsible, TaskInput, TaskStatus};
use dangjian_domain::member::Status;
use dangjian_domain::org::{AbRole, PostKind};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, ExprTrait, JoinType, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::org::{self, Node};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    struct PostRow from "posts" as "p" {
        post: PostKind,
        ab_role: AbRole,
        member_id: i64,
        member_name: String = m.name,
    }
}

record! {
    /// 责任清单任务 — one task of an organisation's responsibility list.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct TaskRow from "responsibility_tasks" as "t" {
        pub id: i64,
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub year: i64,
        pub title: String,
        pub owner_member_id: i64,
        pub owner_name: String = m.name,
        pub deadline: Date,
        pub done_on: Option<Date>,
        pub note: String,
        pub updated_at: i64,
    }
}

/// A task with its status on the day it is read.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Task {
    #[serde(flatten)]
    pub row: TaskRow,
    /// `open` 进行中, `done` 已完成, `overdue` 已逾期: computed from the deadline.
    pub status: TaskStatus,
}

impl Task {
    pub fn is(&self, code: &str) -> bool {
        self.status.code() == code
    }
}

/// An organisation's responsible persons and its 责任清单 of a year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ResponsibilityView {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    /// 第一责任人 (书记) and 具体责任人 (副书记), from the current posts; a vacant one is absent.
    pub responsible: Vec<Responsible>,
    pub tasks: Vec<Task>,
}

impl ResponsibilityView {
    /// The person carrying `code` (`first`, `specific`), for the page.
    pub fn person(&self, code: &str) -> Option<&Responsible> {
        self.responsible.iter().find(|r| r.responsibility.code() == code)
    }
}

fn object(id: i64) -> String {
    format!("responsibility_task:{id}")
}

/// The 第一责任人 and 具体责任人 from the organisation's current 书记 and 副书记 posts.
pub async fn responsible_of<C: ConnectionTrait>(c: &C, org_id: i64) -> Result<Vec<Responsible>> {
    let stmt = PostRow::select()
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("p"), Alias::new("member_id"))))
        .and_where(col("p", "org_id").eq(org_id))
        .and_where(col("p", "ended_on").is_null())
        .and_where(col("p", "post").is_in([PostKind::Secretary, PostKind::DeputySecretary]))
        .order_by((Alias::new("p"), Alias::new("id")), Order::Asc)
        .to_owned();
    let posts: Vec<PostRow> = query::fetch(c, &stmt).await?;
    let holders: Vec<Holder> = posts.into_iter().map(|p| Holder { post: p.post, ab_role: p.ab_role, member_id: p.member_id, name: p.member_name }).collect();
    Ok(rules::responsible(&holders))
}

async fn readable(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Node> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    Ok(o)
}

/// The organisation's responsible persons and its tasks of `year`, by deadline.
pub async fn get(store: &Store, ctx: &Ctx, org_id: i64, year: i32) -> Result<ResponsibilityView> {
    let o = readable(store, ctx, org_id).await?;
    let responsible = responsible_of(&store.db, o.id).await?;
    let stmt = TaskRow::select()
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("t"), Alias::new("owner_member_id"))))
        .and_where(col("t", "org_id").eq(o.id))
        .and_where(col("t", "year").eq(i64::from(year)))
        .order_by((Alias::new("t"), Alias::new("deadline")), Order::Asc)
        .order_by((Alias::new("t"), Alias::new("id")), Order::Asc)
        .to_owned();
    let today = time::today_cst();
    let tasks = query::fetch::<TaskRow, _>(&store.db, &stmt).await?.into_iter().map(|row| with_status(row, today)).collect();
    Ok(ResponsibilityView { org_id: o.id, org_name: o.name, year, responsible, tasks })
}

fn with_status(row: TaskRow, today: chrono::NaiveDate) -> Task {
    let status = rules::task_status(row.deadline.0, row.done_on.map(|d| d.0), today);
    Task { row, status }
}

async fn task<C: ConnectionTrait>(c: &C, id: i64) -> Result<Task> {
    let stmt = TaskRow::select()
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("t"), Alias::new("owner_member_id"))))
        .and_where(col("t", "id").eq(id))
        .to_owned();
    let row = query::fetch_one::<TaskRow, _>(c, &stmt).await?.ok_or(StoreError::NotFound)?;
    Ok(with_status(row, time::today_cst()))
}

/// The owner is on the organisation's roster (its own members or those of its subtree).
async fn check_owner(store: &Store, o: &Node, member_id: i64) -> Result<()> {
    record! {
        struct Owner from "members" as "m" { name: String, status: Status, org_path: String }
    }
    let m = query::fetch_one::<Owner, _>(&store.db, &Owner::select().and_where(col("m", "id").eq(member_id)).to_owned()).await?;
    match m {
        Some(m) if m.org_path.starts_with(&o.path) && m.status.is_member() => Ok(()),
        Some(m) if m.org_path.starts_with(&o.path) => Err(StoreError::invalid("owner_member_id", "not_member", format!("{}不是在册党员，不能作为责任人", m.name))),
        _ => Err(StoreError::invalid("owner_member_id", "not_in_org", format!("责任人应为“{}”的党员", o.name))),
    }
}

/// 新增任务 to an organisation's 责任清单.
pub async fn add_task(store: &Store, ctx: &Ctx, org_id: i64, input: &TaskInput) -> Result<Task> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    check_owner(store, &o, v.owner_member_id).await?;
    let now = time::now_unix();
    let txn = store.write().await?;
    let row = query::insert("responsibility_tasks", vec![
        ("tenant_id", o.tenant_id.unwrap_or(o.id).into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("year", i64::from(v.year).into()),
        ("title", v.title.clone().into()),
        ("owner_member_id", v.owner_member_id.into()),
        ("deadline", v.deadline.into()),
        ("done_on", v.done_on.into()),
        ("note", v.note.clone().into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "responsibility.task.create", &object(id), "ok", json!({"org_id": o.id, "year": v.year, "title": v.title, "owner_member_id": v.owner_member_id, "deadline": v.deadline})).await?;
    let t = task(&txn, id).await?;
    txn.commit().await?;
    Ok(t)
}

/// 修改任务 (or mark it done with its day).
pub async fn update_task(store: &Store, ctx: &Ctx, id: i64, input: &TaskInput) -> Result<Task> {
    let before = task(&store.db, id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&before.row.org_path), &object(id)).await?;
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    let o = org::node(store, before.row.org_id).await?;
    check_owner(store, &o, v.owner_member_id).await?;
    let txn = store.write().await?;
    let upd = query::update("responsibility_tasks", vec![
        ("year", i64::from(v.year).into()),
        ("title", v.title.clone().into()),
        ("owner_member_id", v.owner_member_id.into()),
        ("deadline", v.deadline.into()),
        ("done_on", v.done_on.into()),
        ("note", v.note.clone().into()),
        ("updated_at", time::now_unix().into()),
    ])
    .and_where(col("responsibility_tasks", "id").eq(id))
    .to_owned();
    query::execute(&txn, &upd).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "responsibility.task.update", &object(id), "ok", json!({
        "before": {"title": before.row.title, "owner_member_id": before.row.owner_member_id, "deadline": before.row.deadline, "done_on": before.row.done_on},
        "after": {"title": v.title, "owner_member_id": v.owner_member_id, "deadline": v.deadline, "done_on": v.done_on},
    })).await?;
    let t = task(&txn, id).await?;
    txn.commit().await?;
    Ok(t)
}

/// 删除任务: the audit row keeps what it was.
pub async fn delete_task(store: &Store, ctx: &Ctx, id: i64) -> Result<()> {
    let before = task(&store.db, id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&before.row.org_path), &object(id)).await?;
    let txn = store.write().await?;
    query::execute(&txn, &query::delete("responsibility_tasks").and_where(col("responsibility_tasks", "id").eq(id)).to_owned()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "responsibility.task.delete", &object(id), "ok", json!({"org_id": before.row.org_id, "year": before.row.year, "title": before.row.title, "owner_member_id": before.row.owner_member_id, "deadline": before.row.deadline, "done_on": before.row.done_on})).await?;
    txn.commit().await?;
    Ok(())
}
