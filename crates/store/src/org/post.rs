//! 职务 — posts on an organisation, held by a member from a date to a date, with AB角.

use dangjian_domain::member::Status;
use dangjian_domain::org::{self as rules, AbRole, PostInput, PostKind};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Cond, ExprTrait, JoinType, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::get;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    /// 职务 — a post held by a member, from a date to a date, as A or B holder.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Post from "posts" as "p" {
        pub id: i64,
        pub org_id: i64,
        pub member_id: i64,
        pub member_name: String = m.name,
        pub post: PostKind,
        pub ab_role: AbRole,
        pub started_on: Date,
        pub ended_on: Option<Date>,
        pub note: String,
    }
}

/// Shown instead of a holder's name to those who may see the organisation but not its members:
/// the 系统管理员 and 安全管理员 need the tree to grant roles, never the people in it.
pub const NAME_HIDDEN: &str = "（无权查看姓名）";

pub async fn posts(store: &Store, ctx: &Ctx, o: &super::Org, include_ended: bool) -> Result<Vec<Post>> {
    super::readable(store, ctx, o).await?;
    let mut cond = Cond::all().add(col("p", "org_id").eq(o.id));
    if !include_ended {
        cond = cond.add(col("p", "ended_on").is_null());
    }
    let mut posts = posts_where(&store.db, cond).await?;
    if ctx.actor.decide(Action::MemberRead, Target::org(&o.path)) != Decision::Allow {
        for p in &mut posts {
            p.member_name = NAME_HIDDEN.to_string();
        }
    }
    Ok(posts)
}

/// The posts a member holds and held, each with its organisation's name, current ones first.
/// The caller has decided the member may be seen.
pub async fn posts_of_member(store: &Store, member_id: i64) -> Result<Vec<(String, Post)>> {
    let posts = posts_where(&store.db, Cond::all().add(col("p", "member_id").eq(member_id))).await?;
    let tree = store.tree().await?;
    Ok(posts.into_iter().map(|p| (tree.get(p.org_id).map(|o| o.name.clone()).unwrap_or_default(), p)).collect())
}

/// Current posts first, each group in the order they were filled.
async fn posts_where<C: ConnectionTrait>(c: &C, cond: Cond) -> Result<Vec<Post>> {
    let stmt = Post::select()
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("p"), Alias::new("member_id"))))
        .cond_where(cond)
        .order_by_expr(col("p", "ended_on").is_not_null(), Order::Asc)
        .order_by((Alias::new("p"), Alias::new("id")), Order::Asc)
        .to_owned();
    Ok(query::fetch(c, &stmt).await?)
}

pub async fn add_post(store: &Store, ctx: &Ctx, org_id: i64, input: &PostInput) -> Result<Post> {
    let o = get(store, ctx, org_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    record! {
        struct Holder from "members" as "m" { tenant_id: i64, name: String, status: Status, group_id: Option<i64> }
    }
    let m = query::fetch_one::<Holder, _>(&store.db, &Holder::select().and_where(col("m", "id").eq(v.member_id)).to_owned())
        .await?
        .filter(|m| m.tenant_id == o.tenant_id.unwrap_or(o.id))
        .ok_or_else(|| StoreError::invalid("member_id", "no_member", "任职人员不存在"))?;
    if !m.status.is_member() {
        return Err(StoreError::invalid("member_id", "not_member", format!("{}不是在册党员，不能任职", m.name)));
    }
    // The 组长 is one of the group's members (支部条例 art. 13: appointed by the branch or
    // recommended by the group's members).
    if o.kind == rules::OrgKind::Group && m.group_id != Some(o.id) {
        return Err(StoreError::invalid("member_id", "not_in_group", format!("{}不是“{}”的成员：请先将其编入本党小组，再任职", m.name, o.name)));
    }
    let txn = store.write().await?;
    if v.post.is_single() {
        let held = Cond::all()
            .add(col("p", "org_id").eq(org_id))
            .add(col("p", "post").eq(v.post))
            .add(col("p", "ab_role").eq(v.ab_role))
            .add(col("p", "ended_on").is_null());
        if query::scalar(&txn, &query::count_of("posts", "p", held)).await? > 0 {
            return Err(StoreError::conflict("post_taken", format!("{}的{}已有人在任，请先办理离任", v.post.label(), v.ab_role.label())));
        }
    }
    let row = query::insert("posts", vec![
        ("tenant_id", m.tenant_id.into()),
        ("org_id", org_id.into()),
        ("member_id", v.member_id.into()),
        ("post", v.post.into()),
        ("ab_role", v.ab_role.into()),
        ("started_on", v.started_on.into()),
        ("note", v.note.clone().into()),
    ]);
    let id = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "post.create", &format!("post:{id}"), "ok",
        json!({"org_id": org_id, "member_id": v.member_id, "post": v.post, "ab_role": v.ab_role})).await?;
    txn.commit().await?;
    Ok(Post { id, org_id, member_id: v.member_id, member_name: m.name, post: v.post, ab_role: v.ab_role, started_on: v.started_on, ended_on: None, note: v.note })
}

pub async fn end_post(store: &Store, ctx: &Ctx, post_id: i64, ended_on: &str) -> Result<()> {
    record! {
        struct Held from "posts" as "p" { org_id: i64, started_on: Date }
    }
    let current = Held::select().and_where(col("p", "id").eq(post_id)).and_where(col("p", "ended_on").is_null()).to_owned();
    let p = query::fetch_one::<Held, _>(&store.db, &current).await?.ok_or(StoreError::NotFound)?;
    let o = get(store, ctx, p.org_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("post:{post_id}")).await?;
    let ended = rules::check_post_end(p.started_on, ended_on, time::today_cst())?;
    let txn = store.write().await?;
    query::execute(&txn, &query::update("posts", vec![("ended_on", ended.into())]).and_where(col("posts", "id").eq(post_id)).to_owned()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "post.end", &format!("post:{post_id}"), "ok", json!({"ended_on": ended})).await?;
    txn.commit().await?;
    Ok(())
}
