//! Changes to the tree: create, edit, 隶属关系变更 (with its history), dissolve, and temporary
//! branches closing. Each bumps the tree's version in its transaction and reloads the snapshot
//! after the commit.

use dangjian_domain::crypto::random_token;
use dangjian_domain::member::Status;
use dangjian_domain::org::{self as rules, OrgInput, OrgKind, OrgPatch, ValidOrg, Warning};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use dangjian_domain::text;
use sea_orm::sea_query::{Alias, BinOper, Cond, Expr, ExprTrait, Func, JoinType, Order};
use sea_orm::{ConnectionTrait, Value};
use serde_json::json;

use super::{get, load, readable, tree, Org};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

fn validated(input: &OrgInput) -> Result<ValidOrg> {
    input.validate(time::today_cst()).map_err(StoreError::Invalid)
}

fn duplicate_code(code: &str) -> impl Fn(sea_orm::DbErr) -> StoreError + '_ {
    move |e| StoreError::from_db(e, &format!("组织编码 {code} 已被使用"))
}

pub async fn create(store: &Store, ctx: &Ctx, input: &OrgInput) -> Result<(Org, Vec<Warning>)> {
    let parent = match input.parent_id {
        Some(pid) => Some(load(&store.db, pid).await.map_err(|_| StoreError::invalid("parent_id", "no_parent", "上级组织不存在"))?),
        None => None,
    };
    match &parent {
        Some(p) => store.authorize(ctx, Action::OrgWrite, Target::org(&p.path), &format!("org:{}", p.id)).await?,
        // A new top organisation is a new tenant: only the operator creates one.
        None if !ctx.actor.system => return Err(StoreError::invalid("parent_id", "required", "请选择上级组织")),
        None => {}
    }
    let v = validated(input)?;
    let mut warnings = Vec::new();
    if let Some(p) = &parent {
        if !p.active {
            return Err(StoreError::invalid("parent_id", "parent_dissolved", "上级组织已撤销，不能在其下新建组织"));
        }
        warnings.extend(rules::nesting_warning(p.kind, v.kind));
    }
    let now = time::now_unix();
    let txn = store.write().await?;
    // The path holds the new id, known only after the insert: a unique placeholder until then.
    let mut pairs: Vec<(&'static str, Value)> = vec![
        ("tenant_id", parent.as_ref().and_then(|p| p.tenant_id).into()),
        ("parent_id", parent.as_ref().map(|p| p.id).into()),
        ("path", format!("#{}", random_token(8)).into()),
        ("active", true.into()),
        ("created_at", now.into()),
    ];
    pairs.extend(fields(&v, now));
    let row = query::insert("orgs", pairs);
    let id = query::insert_id(&txn, row).await.map_err(duplicate_code(&v.code))?;
    let (path, tenant) = match &parent {
        Some(p) => (rules::child_path(&p.path, id), p.tenant_id.unwrap_or(id)),
        None => (rules::root_path(id), id),
    };
    let placed = query::update("orgs", vec![("path", path.into()), ("tenant_id", tenant.into())]).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned();
    query::execute(&txn, &placed).await?;
    tree::changed(&txn).await?;
    let created = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "org.create", &format!("org:{id}"), "ok", json!({"after": created})).await?;
    txn.commit().await?;
    store.tree_committed().await;
    Ok((created, warnings))
}

/// The columns an organisation's own fields are written to, by creation and by an edit alike.
fn fields(v: &ValidOrg, now: i64) -> Vec<(&'static str, Value)> {
    vec![
        ("kind", v.kind.into()),
        ("name", v.name.clone().into()),
        ("code", v.code.clone().into()),
        ("unit_name", v.unit_name.clone().into()),
        ("unit_category", v.unit_category.into()),
        ("established_on", v.established_on.into()),
        ("ends_on", v.ends_on.into()),
        ("note", v.note.clone().into()),
        ("sort", v.sort.into()),
        ("updated_at", now.into()),
    ]
}

pub async fn update(store: &Store, ctx: &Ctx, id: i64, patch: &OrgPatch) -> Result<(Org, Vec<Warning>)> {
    let before = get(store, ctx, id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&before.path), &format!("org:{id}")).await?;
    if !before.active {
        return Err(StoreError::conflict("dissolved", "该组织已撤销，不能修改"));
    }
    let v = validated(&patch.apply(before.as_input()))?;
    let mut warnings = Vec::new();
    if let Some(pid) = before.parent_id {
        warnings.extend(rules::nesting_warning(load(&store.db, pid).await?.kind, v.kind));
    }
    // Kind, name, code and order are in the snapshot; the other fields are not.
    let moves_tree = (v.kind, v.name.as_str(), v.code.as_str(), v.sort) != (before.kind, before.name.as_str(), before.code.as_str(), before.sort);
    let txn = store.write().await?;
    let stmt = query::update("orgs", fields(&v, time::now_unix())).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned();
    query::execute(&txn, &stmt).await.map_err(duplicate_code(&v.code))?;
    if before.kind == OrgKind::Group && v.kind != OrgKind::Group {
        crate::member::release_group(&txn, id).await?;
    }
    if moves_tree {
        tree::changed(&txn).await?;
    }
    let after = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "org.update", &format!("org:{id}"), "ok", json!({"before": before, "after": after})).await?;
    txn.commit().await?;
    if moves_tree {
        store.tree_committed().await;
    }
    Ok((after, warnings))
}

/// `new_prefix || substr(column, keep)`: a path below the moved organisation, rewritten under
/// its new place (PostgreSQL wants the position as an integer, whatever the parameter's type).
fn rehome(column: &'static str, new_prefix: &str, keep: i64) -> Expr {
    let rest = Func::cust(Alias::new("substr")).arg(Expr::col(Alias::new(column))).arg(Expr::val(keep).cast_as(Alias::new("INTEGER")));
    Expr::val(new_prefix.to_string()).binary(BinOper::Custom("||"), rest)
}

/// 隶属关系变更 — moves an organisation (and its whole subtree) under a new parent, keeping the
/// history and the reason. Moving under itself or a descendant is refused and changes nothing.
pub async fn move_to(store: &Store, ctx: &Ctx, id: i64, new_parent_id: i64, reason: &str, moved_on: &str) -> Result<Org> {
    let o = get(store, ctx, id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{id}")).await?;
    let np = load(&store.db, new_parent_id).await.map_err(|_| StoreError::invalid("parent_id", "no_parent", "目标上级组织不存在"))?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&np.path), &format!("org:{new_parent_id}")).await?;
    let reason = rules::check_move(o.placed(), np.placed(), reason)?;
    let moved_on = if moved_on.trim().is_empty() { time::today_cst() } else { time::parse_date("moved_on", "变更日期", moved_on)? };
    let new_path = rules::child_path(&np.path, o.id);
    let keep = (o.path.len() + 1) as i64;
    let txn = store.write().await?;
    let paths = query::update("orgs", vec![("updated_at", time::now_unix().into())])
        .value(Alias::new("path"), rehome("path", &new_path, keep))
        .cond_where(query::in_subtree(Expr::col(Alias::new("path")), &o.path))
        .to_owned();
    query::execute(&txn, &paths).await?;
    query::execute(&txn, &query::update("orgs", vec![("parent_id", np.id.into())]).and_where(Expr::col(Alias::new("id")).eq(o.id)).to_owned()).await?;
    let members = query::update("members", vec![])
        .value(Alias::new("org_path"), rehome("org_path", &new_path, keep))
        .cond_where(query::in_subtree(Expr::col(Alias::new("org_path")), &o.path))
        .to_owned();
    query::execute(&txn, &members).await?;
    // Meeting records and their attendance counts follow their organisation, so subtree lists
    // and 出席率 keep finding them.
    for table in ["meetings", "meeting_kinds", "attendance_counts"] {
        let meetings = query::update(table, vec![])
            .value(Alias::new("org_path"), rehome("org_path", &new_path, keep))
            .cond_where(query::in_subtree(Expr::col(Alias::new("org_path")), &o.path))
            .to_owned();
        query::execute(&txn, &meetings).await?;
    }
    super::counts::move_subtree(&txn, o.id, &o.path, &np.path).await?;
    // A 党小组 moved away from its branch takes none of the branch's members along.
    if o.kind == OrgKind::Group {
        crate::member::release_group(&txn, o.id).await?;
    }
    let history = query::insert("org_moves", vec![
        ("org_id", o.id.into()),
        ("from_parent_id", o.parent_id.into()),
        ("to_parent_id", np.id.into()),
        ("from_path", o.path.clone().into()),
        ("to_path", new_path.clone().into()),
        ("reason", reason.clone().into()),
        ("moved_on", Date(moved_on).into()),
        ("account_id", (ctx.actor.account_id != 0).then_some(ctx.actor.account_id).into()),
        ("at", time::now_unix().into()),
    ]);
    query::insert_id(&txn, history).await?;
    tree::changed(&txn).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "org.move", &format!("org:{id}"), "ok",
        json!({"before": {"parent_id": o.parent_id, "path": o.path}, "after": {"parent_id": np.id, "path": new_path}, "reason": reason})).await?;
    let after = load(&txn, id).await?;
    txn.commit().await?;
    store.tree_committed().await;
    Ok(after)
}

/// Dissolves an organisation that no longer holds members or active sub-organisations.
pub async fn dissolve(store: &Store, ctx: &Ctx, id: i64, reason: &str) -> Result<Org> {
    let o = get(store, ctx, id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{id}")).await?;
    if !o.active {
        return Err(StoreError::conflict("dissolved", "该组织已撤销"));
    }
    if o.parent_id.is_none() {
        return Err(StoreError::conflict("root", "不能撤销最上级组织"));
    }
    let reason = text::parse_text("reason", "撤销原因", reason, text::NOTE_MAX)?;
    let txn = store.write().await?;
    dissolve_in(&txn, store, ctx, &o, &reason).await?;
    let after = load(&txn, id).await?;
    txn.commit().await?;
    store.tree_committed().await;
    Ok(after)
}

/// Checks and dissolves inside the caller's transaction, from the database's state at that moment
/// (not the snapshot's).
async fn dissolve_in<C: ConnectionTrait>(txn: &C, store: &Store, ctx: &Ctx, o: &Org, reason: &str) -> Result<()> {
    let active_children = Cond::all().add(col("g", "parent_id").eq(o.id)).add(col("g", "active").eq(true));
    let children = query::scalar(txn, &query::count_of("orgs", "g", active_children)).await?;
    if children > 0 {
        return Err(StoreError::conflict("has_children", format!("“{}”下还有{children}个组织，请先撤销或转移", o.name)));
    }
    let left: Vec<Status> = Status::ALL.iter().copied().filter(|s| !rules::keeps_org(*s)).collect();
    let held = sea_orm::sea_query::Query::select()
        .expr(col("c", "n").sum().cast_as(Alias::new("BIGINT")))
        .from_as(Alias::new("org_member_counts"), Alias::new("c"))
        .and_where(col("c", "org_id").eq(o.id))
        .and_where(col("c", "status").is_not_in(left))
        .to_owned();
    let members = query::scalar(txn, &held).await?;
    if members > 0 {
        return Err(StoreError::conflict("has_members", format!("“{}”还有{members}名党员，请先转接组织关系", o.name)));
    }
    let stmt = query::update("orgs", vec![("active", false.into()), ("dissolved_on", Date(time::today_cst()).into()), ("updated_at", time::now_unix().into())])
        .and_where(Expr::col(Alias::new("id")).eq(o.id))
        .to_owned();
    query::execute(txn, &stmt).await?;
    // A dissolved 党小组's members stay in their branch, in no group.
    if o.kind == OrgKind::Group {
        crate::member::release_group(txn, o.id).await?;
    }
    tree::changed(txn).await?;
    audit::record(txn, store.crypto.as_ref(), ctx, "org.dissolve", &format!("org:{}", o.id), "ok", json!({"reason": reason})).await?;
    Ok(())
}

/// Temporary branches close themselves when their end date has passed (the scheduler calls this).
pub async fn close_expired_temporary(store: &Store) -> Result<usize> {
    let due = Org::select()
        .and_where(col("o", "kind").eq(OrgKind::TemporaryBranch))
        .and_where(col("o", "active").eq(true))
        .and_where(col("o", "ends_on").lt(Date(time::today_cst())))
        .to_owned();
    let ctx = Ctx::cli("scheduler");
    let mut closed = 0;
    for o in query::fetch::<Org, _>(&store.db, &due).await? {
        let txn = store.write().await?;
        match dissolve_in(&txn, store, &ctx, &o, "临时党支部任务结束，到期自动撤销").await {
            Ok(()) => {
                txn.commit().await?;
                closed += 1;
            }
            Err(e) => tracing::warn!(org = o.id, error = %e, "temporary branch not closed"),
        }
    }
    if closed > 0 {
        store.tree_committed().await;
    }
    Ok(closed)
}

record! {
    /// 隶属关系变更记录 — a move in the history.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct OrgMove from "org_moves" as "m" {
        pub id: i64,
        pub org_id: i64,
        pub from_parent_id: Option<i64>,
        pub from_parent_name: Option<String> = f.name,
        pub to_parent_id: i64,
        pub to_parent_name: Option<String> = t.name,
        pub reason: String,
        pub moved_on: Date,
    }
}

pub async fn moves(store: &Store, ctx: &Ctx, o: &Org) -> Result<Vec<OrgMove>> {
    readable(store, ctx, o).await?;
    let join = |alias: &'static str, on: &'static str| (Alias::new(alias), col(alias, "id").equals((Alias::new("m"), Alias::new(on))));
    let (f, f_on) = join("f", "from_parent_id");
    let (t, t_on) = join("t", "to_parent_id");
    let stmt = OrgMove::select()
        .join_as(JoinType::LeftJoin, Alias::new("orgs"), f, f_on)
        .join_as(JoinType::LeftJoin, Alias::new("orgs"), t, t_on)
        .and_where(col("m", "org_id").eq(o.id))
        .order_by((Alias::new("m"), Alias::new("id")), Order::Desc)
        .to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}
