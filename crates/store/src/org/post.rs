//! 职务 — posts on an organisation, held by a member from a date to a date, with AB角.

use dangjian_domain::org::{AbRole, PostKind};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::json;

use super::get;
use crate::dialect::{all, exec, insert_id, one, scalar_i64};
use crate::{audit, Ctx, Result, Store, StoreError};

/// 职务 — a post held by a member, from a date to a date, as A or B holder.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct Post {
    pub id: i64,
    pub org_id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub post: String,
    pub ab_role: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub note: String,
}

impl Post {
    pub fn post_label(&self) -> &'static str {
        PostKind::parse(&self.post).map(PostKind::label).unwrap_or("")
    }
    pub fn ab_label(&self) -> &'static str {
        AbRole::parse(&self.ab_role).map(AbRole::label).unwrap_or("")
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PostInput {
    pub member_id: i64,
    pub post: String,
    pub ab_role: String,
    pub started_on: String,
    pub note: String,
}

/// Shown instead of a holder's name to those who may see the organisation but not its members:
/// the 系统管理员 and 安全管理员 need the tree to grant roles, never the people in it.
pub const NAME_HIDDEN: &str = "（无权查看姓名）";

pub async fn posts(store: &Store, ctx: &Ctx, o: &super::Org, include_ended: bool) -> Result<Vec<Post>> {
    super::readable(store, ctx, o).await?;
    let mut posts = posts_of(&store.db, o.id, include_ended).await?;
    if ctx.actor.decide(Action::MemberRead, Target::org(&o.path)) != dangjian_domain::policy::Decision::Allow {
        for p in &mut posts {
            p.member_name = NAME_HIDDEN.to_string();
        }
    }
    Ok(posts)
}

async fn posts_of<C: ConnectionTrait>(c: &C, org_id: i64, include_ended: bool) -> Result<Vec<Post>> {
    let filter = if include_ended { "" } else { " AND p.ended_on IS NULL" };
    Ok(all::<Post, _>(c, &format!(
        "SELECT p.id, p.org_id, p.member_id, m.name AS member_name, p.post, p.ab_role, p.started_on, p.ended_on, p.note \
         FROM posts p JOIN members m ON m.id = p.member_id WHERE p.org_id = $1{filter} ORDER BY p.ended_on IS NOT NULL, p.id"),
        vec![org_id.into()]).await?)
}

pub async fn add_post(store: &Store, ctx: &Ctx, org_id: i64, input: &PostInput) -> Result<Post> {
    let o = get(store, ctx, org_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let post = PostKind::parse(&input.post).ok_or_else(|| StoreError::invalid("post", "invalid_post", "职务无法识别"))?;
    let ab = if input.ab_role.trim().is_empty() { AbRole::A } else {
        AbRole::parse(&input.ab_role).ok_or_else(|| StoreError::invalid("ab_role", "invalid_ab_role", "AB角应为A角或B角"))?
    };
    let note = dangjian_domain::text::parse_text("note", "备注", &input.note, dangjian_domain::text::NOTE_MAX)?;
    let started = if input.started_on.trim().is_empty() { time::today_cst() } else { time::parse_date("started_on", "任职日期", &input.started_on)? };
    #[derive(FromQueryResult)]
    struct M { tenant_id: i64, name: String, status: String }
    let m = one::<M, _>(&store.db, "SELECT tenant_id, name, status FROM members WHERE id = $1", vec![input.member_id.into()]).await?
        .ok_or_else(|| StoreError::invalid("member_id", "no_member", "任职人员不存在"))?;
    if Some(m.tenant_id) != o.tenant_id {
        return Err(StoreError::invalid("member_id", "no_member", "任职人员不存在"));
    }
    if !dangjian_domain::member::Status::parse(&m.status).is_some_and(|s| s.is_member()) {
        return Err(StoreError::invalid("member_id", "not_member", format!("{}不是在册党员，不能任职", m.name)));
    }
    let txn = store.write().await?;
    let holders = scalar_i64(&txn, "SELECT COUNT(*) FROM posts WHERE org_id = $1 AND post = $2 AND ab_role = $3 AND ended_on IS NULL AND post <> 'committee_member'",
        vec![org_id.into(), post.code().into(), ab.code().into()]).await?;
    if holders > 0 {
        return Err(StoreError::conflict("post_taken", format!("{}的{}已有人在任，请先办理离任", post.label(), ab.label())));
    }
    let id = insert_id(&txn, "INSERT INTO posts (org_id, member_id, post, ab_role, started_on, note) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![org_id.into(), input.member_id.into(), post.code().into(), ab.code().into(), time::format_date(started).into(), note.into()]).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "post.create", &format!("post:{id}"), "ok",
        json!({"org_id": org_id, "member_id": input.member_id, "post": post.code(), "ab_role": ab.code()})).await?;
    txn.commit().await?;
    posts_of(&store.db, org_id, true).await?.into_iter().find(|p| p.id == id).ok_or(StoreError::NotFound)
}

pub async fn end_post(store: &Store, ctx: &Ctx, post_id: i64, ended_on: &str) -> Result<()> {
    #[derive(FromQueryResult)]
    struct P { org_id: i64, started_on: String }
    let p = one::<P, _>(&store.db, "SELECT org_id, started_on FROM posts WHERE id = $1 AND ended_on IS NULL", vec![post_id.into()]).await?.ok_or(StoreError::NotFound)?;
    let o = get(store, ctx, p.org_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("post:{post_id}")).await?;
    let ended = if ended_on.trim().is_empty() { time::today_cst() } else { time::parse_date("ended_on", "离任日期", ended_on)? };
    let ended = time::format_date(ended);
    if ended < p.started_on {
        return Err(StoreError::invalid("ended_on", "before_start", "离任日期早于任职日期"));
    }
    let txn = store.write().await?;
    exec(&txn, "UPDATE posts SET ended_on = $1 WHERE id = $2", vec![ended.clone().into(), post_id.into()]).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "post.end", &format!("post:{post_id}"), "ok", json!({"ended_on": ended})).await?;
    txn.commit().await?;
    Ok(())
}
