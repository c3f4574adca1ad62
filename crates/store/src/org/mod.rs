//! 组织 — the organisation tree: create, edit, move with history, dissolve; posts and terms;
//! subtree statistics. Subtrees are range scans over the materialised path.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use dangjian_domain::org::{self, OrgKind, UnitCategory, Warning};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::{crypto::random_token, text, time, Invalid};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;

use crate::dialect::{all, exec, insert_id, one, scalar_i64};
use crate::query::{self, SortKey};
use crate::{audit, Ctx, Result, Store, StoreError};
use sea_orm::sea_query::{Alias, Cond, Expr, Query};

mod counts;
mod post;
mod term;

pub(crate) use counts::recount;

pub use post::{add_post, end_post, posts, Post, PostInput};
pub use term::{add_term, terms, Term};

const ORG_COLUMNS: &str = "id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, established_on, ends_on, dissolved_on, active, sort, note, created_at, updated_at";

/// An organisation as stored; `kind` and `unit_category` carry the canonical codes.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub path: String,
    pub kind: String,
    pub name: String,
    pub code: String,
    pub unit_name: String,
    pub unit_category: String,
    pub established_on: Option<String>,
    pub ends_on: Option<String>,
    pub dissolved_on: Option<String>,
    pub active: bool,
    pub sort: i64,
    pub note: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Org {
    pub fn kind_label(&self) -> &'static str {
        OrgKind::parse(&self.kind).map(OrgKind::label).unwrap_or("未知")
    }
    pub fn unit_category_label(&self) -> &'static str {
        UnitCategory::parse(&self.unit_category).map(UnitCategory::label).unwrap_or("")
    }
    pub fn kind_enum(&self) -> Option<OrgKind> {
        OrgKind::parse(&self.kind)
    }
}

/// Fields of a new organisation, as a form or an API body sends them.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrgInput {
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub code: String,
    pub unit_name: String,
    pub unit_category: String,
    pub established_on: String,
    pub ends_on: String,
    pub note: String,
    pub sort: Option<i64>,
}

/// A partial change; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrgPatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub code: Option<String>,
    pub unit_name: Option<String>,
    pub unit_category: Option<String>,
    pub established_on: Option<String>,
    pub ends_on: Option<String>,
    pub note: Option<String>,
    pub sort: Option<i64>,
}

struct Checked {
    kind: OrgKind,
    name: String,
    code: String,
    unit_name: String,
    unit_category: String,
    established_on: Option<String>,
    ends_on: Option<String>,
    note: String,
}

fn opt_date(field: &'static str, label: &str, s: &str) -> std::result::Result<Option<String>, Invalid> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        time::parse_date(field, label, s).map(|d| Some(time::format_date(d)))
    }
}

fn check(input: &OrgInput, today: NaiveDate) -> Result<Checked> {
    let mut errs = Vec::new();
    let kind = OrgKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(Invalid::new("kind", "invalid_kind", format!("组织类别“{}”无法识别", input.kind.trim())));
    }
    let name = text::parse_name("name", "组织名称", &input.name, 60).map_err(|e| errs.push(e)).ok();
    let unit_name = text::parse_optional_name("unit_name", "所在单位名称", &input.unit_name, 60).map_err(|e| errs.push(e)).ok();
    let note = text::parse_text("note", "备注", &input.note, text::NOTE_MAX).map_err(|e| errs.push(e)).ok();
    let code = org::parse_code(&input.code).map_err(|e| errs.push(e)).ok();
    let unit_category = if input.unit_category.trim().is_empty() {
        Some(String::new())
    } else {
        match UnitCategory::parse(&input.unit_category) {
            Some(c) => Some(c.code().to_string()),
            None => {
                errs.push(Invalid::new("unit_category", "invalid_unit_category", "单位类别应为机关、事业单位、企业、村、社区或两新组织"));
                None
            }
        }
    };
    let established_on = opt_date("established_on", "成立日期", &input.established_on).map_err(|e| errs.push(e)).ok();
    let ends_on = opt_date("ends_on", "撤销日期", &input.ends_on).map_err(|e| errs.push(e)).ok();
    if kind == Some(OrgKind::TemporaryBranch) {
        match &ends_on {
            Some(None) => errs.push(Invalid::new("ends_on", "required", "临时党支部须填写结束日期，到期自动撤销")),
            Some(Some(d)) if d.as_str() < time::format_date(today).as_str() => {
                errs.push(Invalid::new("ends_on", "in_past", "临时党支部的结束日期不能早于今天"))
            }
            _ => {}
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(Checked {
        kind: kind.expect("checked"),
        name: name.expect("checked"),
        code: code.expect("checked"),
        unit_name: unit_name.expect("checked"),
        unit_category: unit_category.expect("checked"),
        established_on: established_on.expect("checked"),
        ends_on: ends_on.expect("checked"),
        note: note.expect("checked"),
    })
}

impl Org {
    fn placed(&self) -> org::Placed<'_> {
        org::Placed { id: self.id, parent_id: self.parent_id, tenant_id: self.tenant_id, path: &self.path, name: &self.name, active: self.active }
    }
}

pub(crate) async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Org> {
    one::<Org, _>(c, &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1"), vec![id.into()]).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn load_by_code<C: ConnectionTrait>(c: &C, code: &str) -> Result<Option<Org>> {
    Ok(one::<Org, _>(c, &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE code = $1"), vec![code.to_string().into()]).await?)
}

/// The organisation, if the caller may see it.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Org> {
    let o = load(&store.db, id).await?;
    store.authorize(ctx, Action::OrgRead, Target::org(&o.path), &format!("org:{id}")).await?;
    Ok(o)
}

/// Range bounds of the subtree under `path`.
pub fn range(path: &str) -> (Value, Value) {
    (path.to_string().into(), org::subtree_upper_bound(path).into())
}

pub async fn create(store: &Store, ctx: &Ctx, input: &OrgInput) -> Result<(Org, Vec<Warning>)> {
    let today = time::today_cst();
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
    let c = check(input, today)?;
    let mut warnings = Vec::new();
    if let Some(p) = &parent {
        if !p.active {
            return Err(StoreError::invalid("parent_id", "parent_dissolved", "上级组织已撤销，不能在其下新建组织"));
        }
        if let Some(w) = p.kind_enum().and_then(|pk| org::nesting_warning(pk, c.kind)) {
            warnings.push(w);
        }
    }
    let now = time::now_unix();
    let txn = store.write().await?;
    let placeholder = format!("#{}", random_token(8));
    let id = insert_id(
        &txn,
        "INSERT INTO orgs (tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, established_on, ends_on, active, sort, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        vec![
            parent.as_ref().and_then(|p| p.tenant_id).into(),
            parent.as_ref().map(|p| p.id).into(),
            placeholder.into(),
            c.kind.code().into(),
            c.name.clone().into(),
            c.code.clone().into(),
            c.unit_name.clone().into(),
            c.unit_category.clone().into(),
            c.established_on.clone().into(),
            c.ends_on.clone().into(),
            true.into(),
            input.sort.unwrap_or(0).into(),
            c.note.clone().into(),
            now.into(),
            now.into(),
        ],
    )
    .await
    .map_err(|e| StoreError::from_db(e, &format!("组织编码 {} 已被使用", c.code)))?;
    let path = match &parent {
        Some(p) => org::child_path(&p.path, id),
        None => org::root_path(id),
    };
    exec(&txn, "UPDATE orgs SET path = $1, tenant_id = COALESCE(tenant_id, $2) WHERE id = $2", vec![path.into(), id.into()]).await?;
    let created = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "org.create", &format!("org:{id}"), "ok", json!({"after": created})).await?;
    txn.commit().await?;
    Ok((created, warnings))
}

pub async fn update(store: &Store, ctx: &Ctx, id: i64, patch: &OrgPatch) -> Result<(Org, Vec<Warning>)> {
    let before = get(store, ctx, id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&before.path), &format!("org:{id}")).await?;
    if !before.active {
        return Err(StoreError::conflict("dissolved", "该组织已撤销，不能修改"));
    }
    let merged = OrgInput {
        parent_id: before.parent_id,
        kind: patch.kind.clone().unwrap_or_else(|| before.kind.clone()),
        name: patch.name.clone().unwrap_or_else(|| before.name.clone()),
        code: patch.code.clone().unwrap_or_else(|| before.code.clone()),
        unit_name: patch.unit_name.clone().unwrap_or_else(|| before.unit_name.clone()),
        unit_category: patch.unit_category.clone().unwrap_or_else(|| before.unit_category.clone()),
        established_on: patch.established_on.clone().unwrap_or_else(|| before.established_on.clone().unwrap_or_default()),
        ends_on: patch.ends_on.clone().unwrap_or_else(|| before.ends_on.clone().unwrap_or_default()),
        note: patch.note.clone().unwrap_or_else(|| before.note.clone()),
        sort: Some(patch.sort.unwrap_or(before.sort)),
    };
    let c = check(&merged, time::today_cst())?;
    let mut warnings = Vec::new();
    if let Some(pid) = before.parent_id {
        let p = load(&store.db, pid).await?;
        if let Some(w) = p.kind_enum().and_then(|pk| org::nesting_warning(pk, c.kind)) {
            warnings.push(w);
        }
    }
    let txn = store.write().await?;
    exec(
        &txn,
        "UPDATE orgs SET kind = $1, name = $2, code = $3, unit_name = $4, unit_category = $5, established_on = $6, ends_on = $7, note = $8, sort = $9, updated_at = $10 WHERE id = $11",
        vec![
            c.kind.code().into(),
            c.name.into(),
            c.code.clone().into(),
            c.unit_name.into(),
            c.unit_category.into(),
            c.established_on.into(),
            c.ends_on.into(),
            c.note.into(),
            merged.sort.unwrap_or(0).into(),
            time::now_unix().into(),
            id.into(),
        ],
    )
    .await
    .map_err(|e| StoreError::from_db(e, &format!("组织编码 {} 已被使用", c.code)))?;
    let after = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "org.update", &format!("org:{id}"), "ok", json!({"before": before, "after": after})).await?;
    txn.commit().await?;
    Ok((after, warnings))
}

/// 隶属关系变更 — moves an organisation (and its whole subtree) under a new parent, keeping the
/// history and the reason. Moving under itself or a descendant is refused and changes nothing.
pub async fn move_to(store: &Store, ctx: &Ctx, id: i64, new_parent_id: i64, reason: &str, moved_on: &str) -> Result<Org> {
    let o = get(store, ctx, id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{id}")).await?;
    let np = load(&store.db, new_parent_id).await.map_err(|_| StoreError::invalid("parent_id", "no_parent", "目标上级组织不存在"))?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&np.path), &format!("org:{new_parent_id}")).await?;
    let reason = org::check_move(o.placed(), np.placed(), reason)?;
    let moved_on = if moved_on.trim().is_empty() {
        time::format_date(time::today_cst())
    } else {
        time::format_date(time::parse_date("moved_on", "变更日期", moved_on)?)
    };
    let new_path = org::child_path(&np.path, o.id);
    let (lo, hi) = range(&o.path);
    let keep = (o.path.len() + 1) as i64;
    let txn = store.write().await?;
    exec(&txn, "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), updated_at = $3 WHERE path >= $4 AND path < $5",
        vec![new_path.clone().into(), keep.into(), time::now_unix().into(), lo.clone(), hi.clone()]).await?;
    exec(&txn, "UPDATE orgs SET parent_id = $1 WHERE id = $2", vec![np.id.into(), o.id.into()]).await?;
    exec(&txn, "UPDATE members SET org_path = $1 || substr(org_path, CAST($2 AS INTEGER)) WHERE org_path >= $3 AND org_path < $4",
        vec![new_path.clone().into(), keep.into(), lo, hi]).await?;
    counts::move_subtree(&txn, o.id, &o.path, &np.path).await?;
    insert_id(&txn, "INSERT INTO org_moves (org_id, from_parent_id, to_parent_id, from_path, to_path, reason, moved_on, account_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![o.id.into(), o.parent_id.into(), np.id.into(), o.path.clone().into(), new_path.clone().into(), reason.clone().into(), moved_on.into(),
             (ctx.actor.account_id != 0).then_some(ctx.actor.account_id).into(), time::now_unix().into()]).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "org.move", &format!("org:{id}"), "ok",
        json!({"before": {"parent_id": o.parent_id, "path": o.path}, "after": {"parent_id": np.id, "path": new_path}, "reason": reason})).await?;
    let after = load(&txn, id).await?;
    txn.commit().await?;
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
    Ok(after)
}

async fn dissolve_in<C: ConnectionTrait>(txn: &C, store: &Store, ctx: &Ctx, o: &Org, reason: &str) -> Result<()> {
    let children = scalar_i64(txn, "SELECT COUNT(*) FROM orgs WHERE parent_id = $1 AND active = $2", vec![o.id.into(), true.into()]).await?;
    if children > 0 {
        return Err(StoreError::conflict("has_children", format!("“{}”下还有{children}个组织，请先撤销或转移", o.name)));
    }
    // Departed members stay attached to their last organisation as history; they do not block.
    let members = scalar_i64(txn, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_member_counts WHERE org_id = $1 \
        AND status NOT IN ('transferred_out', 'deceased', 'expelled', 'removed', 'withdrawn')", vec![o.id.into()]).await?;
    if members > 0 {
        return Err(StoreError::conflict("has_members", format!("“{}”还有{members}名党员，请先转接组织关系", o.name)));
    }
    exec(txn, "UPDATE orgs SET active = $1, dissolved_on = $2, updated_at = $3 WHERE id = $4",
        vec![false.into(), time::format_date(time::today_cst()).into(), time::now_unix().into(), o.id.into()]).await?;
    audit::record(txn, store.crypto.as_ref(), ctx, "org.dissolve", &format!("org:{}", o.id), "ok", json!({"reason": reason})).await?;
    Ok(())
}

/// Temporary branches close themselves when their end date has passed (the scheduler calls this).
pub async fn close_expired_temporary(store: &Store) -> Result<usize> {
    let today = time::format_date(time::today_cst());
    let due = all::<Org, _>(&store.db, &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE kind = $1 AND active = $2 AND ends_on < $3"),
        vec![OrgKind::TemporaryBranch.code().into(), true.into(), today.into()]).await?;
    let ctx = Ctx::cli("scheduler");
    let mut closed = 0;
    for o in due {
        let txn = store.write().await?;
        match dissolve_in(&txn, store, &ctx, &o, "临时党支部任务结束，到期自动撤销").await {
            Ok(()) => {
                txn.commit().await?;
                closed += 1;
            }
            Err(e) => tracing::warn!(org = o.id, error = %e, "temporary branch not closed"),
        }
    }
    Ok(closed)
}

/// A child organisation with the members of its whole subtree.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct OrgSummary {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub code: String,
    pub active: bool,
    pub members: i64,
    pub children: i64,
}

impl OrgSummary {
    pub fn kind_label(&self) -> &'static str {
        OrgKind::parse(&self.kind).map(OrgKind::label).unwrap_or("未知")
    }
}

/// The sections of an organisation's page take the organisation as `get` returned it, so a page
/// loads it once; each still asks the policy (no query when allowed).
async fn readable(store: &Store, ctx: &Ctx, o: &Org) -> Result<()> {
    store.authorize(ctx, Action::OrgRead, Target::org(&o.path), &format!("org:{}", o.id)).await
}

pub async fn children(store: &Store, ctx: &Ctx, o: &Org) -> Result<Vec<OrgSummary>> {
    readable(store, ctx, o).await?;
    children_of(store, o).await
}

async fn children_of(store: &Store, o: &Org) -> Result<Vec<OrgSummary>> {
    Ok(all::<OrgSummary, _>(&store.db,
        "SELECT ch.id, ch.parent_id, ch.kind, ch.name, ch.code, ch.active, \
           (SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM org_subtree_counts c WHERE c.org_id = ch.id AND c.status IN ('full', 'probationary')) AS members, \
           (SELECT CAST(COUNT(*) AS BIGINT) FROM orgs g WHERE g.parent_id = ch.id AND g.active = $2) AS children \
         FROM orgs ch WHERE ch.parent_id = $1 AND ch.active = $2 ORDER BY ch.sort, ch.id",
        vec![o.id.into(), true.into()]).await?)
}

/// The top organisations the caller can see: one per scope.
pub async fn roots(store: &Store, ctx: &Ctx) -> Result<Vec<Org>> {
    if ctx.actor.system {
        return Ok(all::<Org, _>(&store.db, &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE parent_id IS NULL ORDER BY id"), vec![]).await?);
    }
    let mut out = Vec::new();
    for path in ctx.actor.scopes(Action::OrgRead) {
        if let Some(id) = org::path_ids(path).last() {
            out.push(load(&store.db, *id).await?);
        }
    }
    Ok(out)
}

/// Every active organisation in the caller's scopes, in tree order, for pickers. Bounded.
pub async fn options(store: &Store, ctx: &Ctx, action: Action, limit: u64) -> Result<Vec<Org>> {
    let mut out = Vec::new();
    let scopes: Vec<String> = if ctx.actor.system {
        roots(store, ctx).await?.into_iter().map(|o| o.path).collect()
    } else {
        ctx.actor.scopes(action).into_iter().map(String::from).collect()
    };
    for p in scopes {
        let (lo, hi) = range(&p);
        out.extend(all::<Org, _>(&store.db, &format!("SELECT {ORG_COLUMNS} FROM orgs WHERE path >= $1 AND path < $2 AND active = $3 ORDER BY path LIMIT $4"),
            vec![lo, hi, true.into(), (limit as i64).into()]).await?);
    }
    Ok(out)
}

/// Ancestors from the root down to the parent, for breadcrumbs; those outside the caller's
/// scope are left out.
pub async fn ancestors(store: &Store, ctx: &Ctx, o: &Org) -> Result<Vec<Org>> {
    let mut out = Vec::new();
    for id in org::path_ids(&o.path) {
        if id == o.id {
            break;
        }
        let a = load(&store.db, id).await?;
        if ctx.actor.decide(Action::OrgRead, Target::org(&a.path)) == dangjian_domain::policy::Decision::Allow {
            out.push(a);
        }
    }
    Ok(out)
}

/// 统计 — members of a subtree by status and category, and organisations by kind.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgStats {
    pub org_id: i64,
    /// 正式党员 + 预备党员 in the whole subtree.
    pub members: i64,
    pub by_status: BTreeMap<String, i64>,
    pub by_category: BTreeMap<String, i64>,
    pub orgs_by_kind: BTreeMap<String, i64>,
}

#[derive(FromQueryResult)]
struct CountRow {
    status: String,
    category: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct KindRow {
    kind: String,
    n: i64,
}

pub async fn stats(store: &Store, ctx: &Ctx, o: &Org) -> Result<OrgStats> {
    readable(store, ctx, o).await?;
    stats_of(store, o).await
}

pub(crate) async fn stats_of(store: &Store, o: &Org) -> Result<OrgStats> {
    let (lo, hi) = range(&o.path);
    // The subtree totals are kept on every write: one organisation's rows, whatever its size.
    let rows = all::<CountRow, _>(&store.db, "SELECT status, category, n FROM org_subtree_counts WHERE org_id = $1", vec![o.id.into()]).await?;
    let kinds = all::<KindRow, _>(&store.db,
        "SELECT kind, COUNT(*) AS n FROM orgs WHERE path >= $1 AND path < $2 AND active = $3 GROUP BY kind",
        vec![lo, hi, true.into()]).await?;
    let mut s = OrgStats { org_id: o.id, members: 0, by_status: BTreeMap::new(), by_category: BTreeMap::new(), orgs_by_kind: BTreeMap::new() };
    for r in rows {
        *s.by_status.entry(r.status.clone()).or_default() += r.n;
        let counted = dangjian_domain::member::Status::parse(&r.status).is_some_and(|st| st.is_member());
        if counted {
            s.members += r.n;
            *s.by_category.entry(r.category).or_default() += r.n;
        }
    }
    for k in kinds {
        s.orgs_by_kind.insert(k.kind, k.n);
    }
    Ok(s)
}

/// 隶属关系变更记录 — history of moves.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct OrgMove {
    pub id: i64,
    pub org_id: i64,
    pub from_parent_id: Option<i64>,
    pub from_parent_name: Option<String>,
    pub to_parent_id: i64,
    pub to_parent_name: Option<String>,
    pub reason: String,
    pub moved_on: String,
}

pub async fn moves(store: &Store, ctx: &Ctx, o: &Org) -> Result<Vec<OrgMove>> {
    readable(store, ctx, o).await?;
    let id = o.id;
    Ok(all::<OrgMove, _>(&store.db,
        "SELECT m.id, m.org_id, m.from_parent_id, f.name AS from_parent_name, m.to_parent_id, t.name AS to_parent_name, m.reason, m.moved_on \
         FROM org_moves m LEFT JOIN orgs f ON f.id = m.from_parent_id LEFT JOIN orgs t ON t.id = m.to_parent_id WHERE m.org_id = $1 ORDER BY m.id DESC",
        vec![id.into()]).await?)
}

/// Warnings about an organisation's size and committee (never refusals).
pub async fn warnings(store: &Store, o: &Org, stats: &OrgStats) -> Result<Vec<Warning>> {
    let Some(kind) = o.kind_enum() else { return Ok(Vec::new()) };
    let direct = scalar_i64(&store.db, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_member_counts WHERE org_id = $1 AND status IN ('full', 'probationary')", vec![o.id.into()]).await?;
    let full = scalar_i64(&store.db, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_member_counts WHERE org_id = $1 AND status = 'full'", vec![o.id.into()]).await?;
    let committee = scalar_i64(&store.db, "SELECT COUNT(*) FROM posts WHERE org_id = $1 AND ended_on IS NULL AND post IN ('organisation_member', 'propaganda_member', 'discipline_member', 'committee_member')", vec![o.id.into()]).await?;
    let members = if kind == OrgKind::GeneralBranch { stats.members } else { direct };
    let mut out = org::size_warnings(kind, members.max(0) as u64, full.max(0) as u64, committee > 0);
    if let Some(pid) = o.parent_id {
        if let Some(w) = load(&store.db, pid).await?.kind_enum().and_then(|pk| org::nesting_warning(pk, kind)) {
            out.push(w);
        }
    }
    Ok(out)
}

/// Organisations the caller can see, in tree order: the children of `parent`, or every active
/// organisation of the caller's scopes.
/// Active organisations: the children of `parent`, or every one in the caller's scopes in tree
/// order.
pub async fn list(store: &Store, ctx: &Ctx, parent: Option<i64>, page: Option<u64>, per_page: Option<u64>) -> Result<crate::Page<Org>> {
    use sea_orm::sea_query::ExprTrait;
    let (page, per_page) = crate::page_bounds(page, per_page)?;
    let active = query::col("orgs", "active").eq(true);
    let (cond, order) = match parent {
        Some(pid) => {
            get(store, ctx, pid).await?;
            (Cond::all().add(query::col("orgs", "parent_id").eq(pid)).add(active), &SORT_SIBLINGS)
        }
        None => {
            let scopes: Vec<String> = if ctx.actor.system {
                roots(store, ctx).await?.into_iter().map(|o| o.path).collect()
            } else {
                ctx.actor.scopes(Action::OrgRead).into_iter().map(String::from).collect()
            };
            if scopes.is_empty() {
                return Ok(crate::Page { items: vec![], total: 0, page, per_page });
            }
            (Cond::all().add(query::in_scopes(query::col("orgs", "path"), &scopes)).add(active), &SORT_TREE)
        }
    };
    let total = query::scalar(&store.db, &query::count_of("orgs", "orgs", cond.clone())).await?;
    let mut stmt = Query::select();
    stmt.expr(Expr::cust(ORG_COLUMNS)).from(Alias::new("orgs")).cond_where(cond);
    query::order_by(&mut stmt, order, None);
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch::<Org, _>(&store.db, &stmt).await?;
    Ok(crate::Page { items, total: u64::try_from(total).unwrap_or(0), page, per_page })
}

const SORT_SIBLINGS: [SortKey; 1] = [SortKey { name: "sort", columns: &[("orgs", "sort"), ("orgs", "id")] }];
const SORT_TREE: [SortKey; 1] = [SortKey { name: "path", columns: &[("orgs", "path")] }];

pub async fn find_by_code(store: &Store, code: &str) -> Result<Option<Org>> {
    load_by_code(&store.db, code).await
}
