//! 组织 — the organisation tree: create, edit, move with history, dissolve; posts and terms;
//! subtree statistics. Subtrees are range scans over the materialised path; the tree itself
//! (who is under whom) is read from the in-memory snapshot of `tree`.

use std::collections::BTreeMap;

use dangjian_domain::member::Status;
use dangjian_domain::org::{self as rules, OrgKind, UnitCategory, Warning};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::Date;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::query::{self, col, record, SortKey};
use crate::{Ctx, Result, Store, StoreError};

mod change;
mod counts;
mod post;
mod term;
pub mod tree;

pub(crate) use counts::recount;

pub use change::{close_expired_temporary, create, dissolve, move_to, moves, update, OrgMove};
pub use dangjian_domain::org::{OrgInput, OrgPatch, PostInput};
pub use post::{add_post, end_post, posts, posts_of_member, Post, NAME_HIDDEN};
pub use term::{add_term, terms, Term};
pub use tree::{Node, Tree};

record! {
    /// An organisation as stored.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Org from "orgs" as "o" {
        /// What the tree snapshot holds of it; `Org` derefs to it.
        #[sea_orm(nested)]
        #[serde(flatten)]
        pub node: Node = nested,
        pub unit_name: String,
        pub unit_category: UnitCategory,
        pub ends_on: Option<Date>,
        pub note: String,
        pub updated_at: i64,
    }
}

impl std::ops::Deref for Org {
    type Target = Node;
    fn deref(&self) -> &Node {
        &self.node
    }
}

impl Org {
    fn placed(&self) -> rules::Placed<'_> {
        rules::Placed { id: self.id, parent_id: self.parent_id, tenant_id: self.tenant_id, path: &self.path, name: &self.name, active: self.active }
    }

    /// The organisation as an input, for a patch to change.
    fn as_input(&self) -> OrgInput {
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        OrgInput {
            parent_id: self.parent_id,
            kind: self.kind.code().into(),
            name: self.name.clone(),
            code: self.code.clone(),
            unit_name: self.unit_name.clone(),
            unit_category: self.unit_category.code().into(),
            established_on: date(self.established_on),
            ends_on: date(self.ends_on),
            note: self.note.clone(),
            sort: Some(self.sort),
        }
    }
}

/// What the sections of an organisation's page need to know of it: a stored `Org` or a
/// snapshot `Node` will do.
pub trait OrgRef {
    fn org_id(&self) -> i64;
    fn org_path(&self) -> &str;
}

impl OrgRef for Org {
    fn org_id(&self) -> i64 {
        self.id
    }
    fn org_path(&self) -> &str {
        &self.path
    }
}

impl OrgRef for Node {
    fn org_id(&self) -> i64 {
        self.id
    }
    fn org_path(&self) -> &str {
        &self.path
    }
}

pub(crate) async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Org> {
    query::fetch_one(c, &Org::select().and_where(col("o", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn load_by_code<C: ConnectionTrait>(c: &C, code: &str) -> Result<Option<Org>> {
    Ok(query::fetch_one(c, &Org::select().and_where(col("o", "code").eq(code)).to_owned()).await?)
}

/// The organisation, if the caller may see it.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Org> {
    let o = load(&store.db, id).await?;
    store.authorize(ctx, Action::OrgRead, Target::org(&o.path), &format!("org:{id}")).await?;
    Ok(o)
}

/// The organisation as the snapshot knows it (for scope checks on an id); NotFound if absent.
/// An id the snapshot lacks may have been created on another node within the last second: one
/// look at the version settles it.
pub async fn node(store: &Store, id: i64) -> Result<Node> {
    if let Some(n) = store.tree().await?.get(id) {
        return Ok(n.clone());
    }
    store.refresh_tree().await?;
    store.tree().await?.get(id).cloned().ok_or(StoreError::NotFound)
}

pub async fn find_by_code(store: &Store, code: &str) -> Result<Option<Org>> {
    load_by_code(&store.db, code).await
}

/// Range bounds of the subtree under `path`.
pub fn range(path: &str) -> (Value, Value) {
    (path.to_string().into(), rules::subtree_upper_bound(path).into())
}

/// The statuses counted as members (正式党员 and 预备党员), for counter sums.
fn member_statuses() -> Vec<Status> {
    Status::ALL.iter().copied().filter(|s| s.is_member()).collect()
}

/// `SUM(c.n)` as a BIGINT (PostgreSQL sums BIGINT as NUMERIC).
fn sum_n() -> Expr {
    col("c", "n").sum().cast_as(Alias::new("BIGINT"))
}

/// The sections of an organisation's page take the organisation as `get` returned it, so a page
/// loads it once; each still asks the policy (no query when allowed).
async fn readable(store: &Store, ctx: &Ctx, o: &impl OrgRef) -> Result<()> {
    store.authorize(ctx, Action::OrgRead, Target::org(o.org_path()), &format!("org:{}", o.org_id())).await
}

/// The subtrees the caller may act on: the top organisations for the operator, else the
/// policy's scopes.
pub async fn scope_paths(store: &Store, ctx: &Ctx, action: Action) -> Result<Vec<String>> {
    if ctx.actor.system {
        return Ok(store.tree().await?.roots().map(|n| n.path.clone()).collect());
    }
    Ok(ctx.actor.scopes(action).into_iter().map(String::from).collect())
}

/// The top organisations the caller can see, one per scope, from the snapshot.
pub async fn root_nodes(store: &Store, ctx: &Ctx) -> Result<Vec<Node>> {
    let tree = store.tree().await?;
    if ctx.actor.system {
        return Ok(tree.roots().cloned().collect());
    }
    Ok(ctx.actor.scopes(Action::OrgRead).into_iter().filter_map(|p| rules::path_ids(p).last().and_then(|id| tree.get(*id)).cloned()).collect())
}

/// The top organisations the caller can see, as stored.
pub async fn roots(store: &Store, ctx: &Ctx) -> Result<Vec<Org>> {
    let ids: Vec<i64> = root_nodes(store, ctx).await?.into_iter().map(|n| n.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<Org> = query::fetch(&store.db, &Org::select().and_where(col("o", "id").is_in(ids.clone())).to_owned()).await?;
    Ok(ids.iter().filter_map(|id| found.iter().find(|o| o.id == *id).cloned()).collect())
}

/// Every active organisation in the caller's scopes, in tree order, for pickers. Bounded per scope.
pub async fn options(store: &Store, ctx: &Ctx, action: Action, limit: u64) -> Result<Vec<Node>> {
    let tree = store.tree().await?;
    let mut out = Vec::new();
    for p in scope_paths(store, ctx, action).await? {
        out.extend(tree.subtree(&p).iter().filter(|n| n.active).take(limit as usize).cloned());
    }
    Ok(out)
}

/// Ancestors from the root down to the parent, for breadcrumbs; those outside the caller's
/// scope are left out.
pub async fn ancestors(store: &Store, ctx: &Ctx, o: &impl OrgRef) -> Result<Vec<Node>> {
    let tree = store.tree().await?;
    Ok(tree.ancestors(o.org_id()).into_iter().filter(|a| ctx.actor.decide(Action::OrgRead, Target::org(&a.path)) == Decision::Allow).cloned().collect())
}

/// A child organisation with the members of its whole subtree.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgSummary {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub name: String,
    pub code: String,
    pub active: bool,
    /// 正式党员 and 预备党员 of its whole subtree; for a 党小组, those placed in it (党小组成员),
    /// whom their branch counts too.
    pub members: i64,
    pub children: i64,
}

impl OrgSummary {
    /// A 党小组, whose `members` are those placed in it.
    pub fn is_group(&self) -> bool {
        self.kind == OrgKind::Group
    }
}

pub async fn children(store: &Store, ctx: &Ctx, o: &impl OrgRef) -> Result<Vec<OrgSummary>> {
    readable(store, ctx, o).await?;
    let tree = store.tree().await?;
    let kids: Vec<&Node> = tree.children(o.org_id()).filter(|n| n.active).collect();
    if kids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column((Alias::new("c"), Alias::new("org_id")))
        .expr_as(sum_n(), Alias::new("n"))
        .from_as(Alias::new("org_subtree_counts"), Alias::new("c"))
        .and_where(col("c", "org_id").is_in(kids.iter().map(|n| n.id)))
        .and_where(col("c", "status").is_in(member_statuses()))
        .group_by_col((Alias::new("c"), Alias::new("org_id")))
        .to_owned();
    #[derive(FromQueryResult)]
    struct Total {
        org_id: i64,
        n: i64,
    }
    let totals: Vec<Total> = query::fetch(&store.db, &stmt).await?;
    let groups: Vec<i64> = kids.iter().filter(|n| n.kind == OrgKind::Group).map(|n| n.id).collect();
    let placed = crate::member::group_sizes(&store.db, &groups).await?;
    Ok(kids
        .into_iter()
        .map(|n| OrgSummary {
            id: n.id,
            parent_id: n.parent_id,
            kind: n.kind,
            name: n.name.clone(),
            code: n.code.clone(),
            active: n.active,
            members: match placed.get(&n.id) {
                Some(placed) => *placed,
                None => totals.iter().find(|t| t.org_id == n.id).map_or(0, |t| t.n),
            },
            children: tree.children(n.id).filter(|c| c.active).count() as i64,
        })
        .collect())
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

pub async fn stats(store: &Store, ctx: &Ctx, o: &impl OrgRef) -> Result<OrgStats> {
    readable(store, ctx, o).await?;
    stats_of(store, o).await
}

pub(crate) async fn stats_of(store: &Store, o: &impl OrgRef) -> Result<OrgStats> {
    record! {
        struct Count from "org_subtree_counts" as "c" { status: String, category: String, n: i64 }
    }
    // The subtree totals are kept on every write: one organisation's rows, whatever its size.
    let rows: Vec<Count> = query::fetch(&store.db, &Count::select().and_where(col("c", "org_id").eq(o.org_id())).to_owned()).await?;
    let mut s = OrgStats { org_id: o.org_id(), members: 0, by_status: BTreeMap::new(), by_category: BTreeMap::new(), orgs_by_kind: BTreeMap::new() };
    for r in rows {
        *s.by_status.entry(r.status.clone()).or_default() += r.n;
        if Status::parse(&r.status).is_some_and(|st| st.is_member()) {
            s.members += r.n;
            *s.by_category.entry(r.category).or_default() += r.n;
        }
    }
    for n in store.tree().await?.subtree(o.org_path()).iter().filter(|n| n.active) {
        *s.orgs_by_kind.entry(n.kind.code().to_string()).or_default() += 1;
    }
    Ok(s)
}

/// Warnings about an organisation's size and committee (never refusals).
pub async fn warnings(store: &Store, o: &Org, stats: &OrgStats) -> Result<Vec<Warning>> {
    #[derive(FromQueryResult)]
    struct Direct {
        status: String,
        n: i64,
    }
    let stmt = Query::select()
        .column((Alias::new("c"), Alias::new("status")))
        .expr_as(sum_n(), Alias::new("n"))
        .from_as(Alias::new("org_member_counts"), Alias::new("c"))
        .and_where(col("c", "org_id").eq(o.id))
        .group_by_col((Alias::new("c"), Alias::new("status")))
        .to_owned();
    let (mut direct, mut full) = (0, 0);
    for r in query::fetch::<Direct, _>(&store.db, &stmt).await? {
        let status = Status::parse(&r.status);
        if status.is_some_and(|s| s.is_member()) {
            direct += r.n;
        }
        if status == Some(Status::Full) {
            full += r.n;
        }
    }
    let committee_posts: Vec<_> = rules::PostKind::ALL.iter().copied().filter(|p| p.is_committee()).collect();
    let committee = query::scalar(&store.db, &query::count_of("posts", "p", Cond::all()
        .add(col("p", "org_id").eq(o.id))
        .add(col("p", "ended_on").is_null())
        .add(col("p", "post").is_in(committee_posts)))).await?;
    let members = if o.kind == OrgKind::GeneralBranch { stats.members } else { direct };
    let mut out = rules::size_warnings(o.kind, u64::try_from(members).unwrap_or(0), u64::try_from(full).unwrap_or(0), committee > 0);
    let parent = match o.parent_id {
        Some(pid) => store.tree().await?.get(pid).map(|p| p.kind),
        None => None,
    };
    out.extend(parent.and_then(|pk| rules::nesting_warning(pk, o.kind)));
    Ok(out)
}

/// Active organisations: the children of `parent`, or every one in the caller's scopes in tree
/// order.
pub async fn list(store: &Store, ctx: &Ctx, parent: Option<i64>, page: Option<u64>, per_page: Option<u64>) -> Result<crate::Page<Org>> {
    let (page, per_page) = crate::page_bounds(page, per_page)?;
    let active = col("o", "active").eq(true);
    let (cond, order) = match parent {
        Some(pid) => {
            get(store, ctx, pid).await?;
            (Cond::all().add(col("o", "parent_id").eq(pid)).add(active), &SORT_SIBLINGS)
        }
        None => {
            let scopes = scope_paths(store, ctx, Action::OrgRead).await?;
            if scopes.is_empty() {
                return Ok(crate::Page { items: vec![], total: 0, page, per_page });
            }
            (Cond::all().add(query::in_scopes(col("o", "path"), &scopes)).add(active), &SORT_TREE)
        }
    };
    let total = query::scalar(&store.db, &query::count_of("orgs", "o", cond.clone())).await?;
    let mut stmt = Org::select();
    stmt.cond_where(cond);
    query::order_by(&mut stmt, order, None);
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch::<Org, _>(&store.db, &stmt).await?;
    Ok(crate::Page { items, total: u64::try_from(total).unwrap_or(0), page, per_page })
}

const SORT_SIBLINGS: [SortKey; 1] = [SortKey { name: "sort", columns: &[("o", "sort"), ("o", "id")] }];
const SORT_TREE: [SortKey; 1] = [SortKey { name: "path", columns: &[("o", "path")] }];
