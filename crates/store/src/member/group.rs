//! 党小组成员 — a branch's members placed in its 党小组 (支部条例 art. 13). The relation stays
//! with the branch (`members.org_id`); `members.group_id` names the one group of that branch the
//! member sits in, so "at most one group" holds by construction, and the branch's and its
//! ancestors' counts are untouched by a placement. A group's own list and count are one range of
//! `ix_members_group`, bounded by the group's size.

use std::collections::HashMap;

use dangjian_domain::org::{OrgKind, PostKind};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;

use super::{load, on_roster, target, with_org, Member, MemberRow};
use crate::org::{self, Node};
use crate::query::{self, col};
use crate::{audit, page_bounds, Ctx, Page, Result, Store, StoreError};

/// The 党小组 a member may be placed in: it must be a group, active, and of the member's branch.
async fn group_for(store: &Store, m: &Member, group_id: i64) -> Result<Node> {
    let g = org::node(store, group_id).await.map_err(|_| StoreError::invalid("group_id", "no_group", "所选党小组不存在"))?;
    if g.kind != OrgKind::Group {
        return Err(StoreError::invalid("group_id", "not_group", format!("“{}”是{}，不是党小组：党员只能编入党小组", g.name, g.kind.label())));
    }
    if g.parent_id != Some(m.org_id) {
        return Err(StoreError::invalid("group_id", "other_branch", format!("所选党小组不属于“{}”：党员只能编入其组织关系所在党支部的党小组", m.org_name)));
    }
    if !g.active {
        return Err(StoreError::invalid("group_id", "group_dissolved", format!("“{}”已撤销，不能再编入党员", g.name)));
    }
    Ok(g)
}

/// Whether the member holds the 党小组长 post of `group_id` now.
async fn leads<C: ConnectionTrait>(c: &C, member_id: i64, group_id: i64) -> Result<bool> {
    let held = Cond::all()
        .add(col("p", "org_id").eq(group_id))
        .add(col("p", "member_id").eq(member_id))
        .add(col("p", "post").eq(PostKind::GroupLeader))
        .add(col("p", "ended_on").is_null());
    Ok(query::scalar(c, &query::count_of("posts", "p", held)).await? > 0)
}

/// 编入 / 调整 / 移出党小组 — places the member in `group_id` of their branch, moves them from
/// another group of it, or (`None`) takes them out of their group. Whoever may write the branch's
/// members may do it; the change and its audit row are one transaction.
pub async fn place(store: &Store, ctx: &Ctx, member_id: i64, group_id: Option<i64>) -> Result<Member> {
    let m = load(&store.db, member_id).await?;
    let object = format!("member:{member_id}");
    store.authorize(ctx, Action::MemberRead, target(ctx, &m), &object).await?;
    store.authorize(ctx, Action::MemberWrite, target(ctx, &m), &object).await?;
    let group = match group_id {
        Some(gid) => Some(group_for(store, &m, gid).await?),
        None => None,
    };
    if group.is_some() && !m.status.is_member() {
        return Err(StoreError::invalid("member_id", "not_member", format!("{}的状态是{}，不是在册党员，不能编入党小组", m.name, m.status.label())));
    }
    if m.group_id == group_id {
        return Ok(m);
    }
    let txn = store.write().await?;
    if let Some(current) = m.group_id
        && leads(&txn, m.id, current).await?
    {
        let name = store.tree().await?.get(current).map(|g| g.name.clone()).unwrap_or_default();
        return Err(StoreError::conflict("group_leader", format!("{}是“{name}”的党小组长：请先在该党小组办理离任，再调出", m.name)));
    }
    // The member as read above: a transfer or status change since then is not overwritten.
    let mut stmt = query::update("members", vec![("group_id", group_id.into()), ("updated_at", time::now_unix().into())])
        .and_where(col("members", "id").eq(m.id))
        .and_where(col("members", "org_id").eq(m.org_id))
        .to_owned();
    if group_id.is_some() {
        stmt.and_where(col("members", "status").is_in(on_roster()));
    }
    if query::execute(&txn, &stmt).await? != 1 {
        return Err(StoreError::conflict("stale_member", format!("{}的组织关系或状态刚被修改，请刷新后重试", m.name)));
    }
    let action = match (m.group_id, group_id) {
        (None, Some(_)) => "member.group.place",
        (Some(_), Some(_)) => "member.group.move",
        _ => "member.group.remove",
    };
    audit::record(&txn, store.crypto.as_ref(), ctx, action, &object, "ok", json!({"org_id": m.org_id, "before": m.group_id, "after": group_id})).await?;
    let after = load(&txn, m.id).await?;
    txn.commit().await?;
    Ok(after)
}

/// The 党小组 itself, for its lists: a group the caller may read the members of.
async fn readable_group(store: &Store, ctx: &Ctx, group_id: i64) -> Result<Node> {
    let g = org::node(store, group_id).await?;
    store.authorize(ctx, Action::MemberRead, Target::org(&g.path), &format!("org:{group_id}")).await?;
    if g.kind != OrgKind::Group {
        return Err(StoreError::invalid("org_id", "not_group", format!("“{}”是{}，不是党小组", g.name, g.kind.label())));
    }
    Ok(g)
}

fn in_group(group_id: i64) -> Cond {
    Cond::all().add(col("m", "group_id").eq(group_id)).add(col("m", "status").is_in(on_roster()))
}

/// A group's members (正式党员 and 预备党员 placed in it), by name, a page at a time.
pub async fn group_members(store: &Store, ctx: &Ctx, group_id: i64, page: Option<u64>, per_page: Option<u64>) -> Result<Page<MemberRow>> {
    let (page, per_page) = page_bounds(page, per_page)?;
    readable_group(store, ctx, group_id).await?;
    let total = query::scalar(&store.db, &query::count_of("members", "m", in_group(group_id))).await?;
    let mut stmt = with_org(MemberRow::select());
    stmt.cond_where(in_group(group_id)).order_by((Alias::new("m"), Alias::new("name")), Order::Asc).order_by((Alias::new("m"), Alias::new("id")), Order::Asc);
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch(&store.db, &stmt).await?;
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0), page, per_page })
}

/// How many of the branch's roster a picker offers at most.
const PLACEABLE_MAX: u64 = 500;

/// The branch's 正式党员 and 预备党员 not in this group, by name, those in no group first: whom
/// the group can take in (one from another group moves, since a member sits in one group only).
pub async fn placeable(store: &Store, ctx: &Ctx, group_id: i64) -> Result<Vec<MemberRow>> {
    let g = readable_group(store, ctx, group_id).await?;
    let Some(branch) = g.parent_id else { return Ok(Vec::new()) };
    let mut stmt = with_org(MemberRow::select());
    stmt.and_where(col("m", "org_id").eq(branch))
        .and_where(col("m", "status").is_in(on_roster()))
        .and_where(col("m", "group_id").is_null().or(col("m", "group_id").ne(group_id)))
        .order_by_expr(col("m", "group_id").is_not_null(), Order::Asc)
        .order_by((Alias::new("m"), Alias::new("name")), Order::Asc)
        .order_by((Alias::new("m"), Alias::new("id")), Order::Asc)
        .limit(PLACEABLE_MAX);
    Ok(query::fetch(&store.db, &stmt).await?)
}

/// 党小组成员数 — members on the roster placed in each of `group_ids`: one grouped range of
/// `ix_members_group`. Not a maintained counter: it goes up no hierarchy (the branch counts the
/// same members through their relation) and a group is a few dozen people at most.
pub(crate) async fn group_sizes<C: ConnectionTrait>(c: &C, group_ids: &[i64]) -> Result<HashMap<i64, i64>> {
    if group_ids.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(FromQueryResult)]
    struct Size {
        group_id: i64,
        n: i64,
    }
    let stmt = Query::select()
        .column((Alias::new("m"), Alias::new("group_id")))
        .expr_as(Expr::col((Alias::new("m"), Alias::new("id"))).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
        .from_as(Alias::new("members"), Alias::new("m"))
        .and_where(col("m", "group_id").is_in(group_ids.iter().copied()))
        .and_where(col("m", "status").is_in(on_roster()))
        .group_by_col((Alias::new("m"), Alias::new("group_id")))
        .to_owned();
    Ok(query::fetch::<Size, _>(c, &stmt).await?.into_iter().map(|s| (s.group_id, s.n)).collect())
}

/// The ids of the members on the roster placed in a group, for its meetings' attendance.
pub(crate) async fn placed_in<C: ConnectionTrait>(c: &C, group_id: i64) -> Result<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let stmt = Query::select().column((Alias::new("m"), Alias::new("id"))).from_as(Alias::new("members"), Alias::new("m")).cond_where(in_group(group_id)).to_owned();
    Ok(query::fetch::<Id, _>(c, &stmt).await?.into_iter().map(|r| r.id).collect())
}

/// Takes everyone out of a group that stops being one of its branch's (moved, dissolved, or no
/// longer of the 党小组 kind), inside the caller's transaction. Their relation is unchanged.
pub(crate) async fn release_group<C: ConnectionTrait>(c: &C, group_id: i64) -> Result<u64> {
    let stmt = query::update("members", vec![("group_id", Value::BigInt(None))]).and_where(col("members", "group_id").eq(group_id)).to_owned();
    Ok(query::execute(c, &stmt).await?)
}
