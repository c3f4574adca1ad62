//! 组织树快照 — the organisation tree in memory (DESIGN.md "The organisation tree is the spine"):
//! scope checks on an organisation id, breadcrumbs, children, pickers and the tree page read it
//! instead of the database.
//!
//! Every change to the tree (create, edit, move, dissolve, a temporary branch closing, a bulk
//! load) bumps the `meta` row `tree_version` in its own transaction. The node that wrote reloads
//! its snapshot right after the commit; every other node reads the one-row version at most once
//! a second and reloads only when it moved. The version is read before the tree, so a snapshot
//! is never newer than the version it carries: a change that lands in between is loaded again at
//! the next check, never missed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use dangjian_domain::org::{self as rules, OrgKind};
use dangjian_domain::time::Date;
use sea_orm::sea_query::{Alias, ExprTrait, OnConflict};
use sea_orm::ConnectionTrait;

use crate::query::{self, col, record};
use crate::{Result, Store};

/// How stale another node's change may be before this node looks for it.
const CHECK_EVERY: Duration = Duration::from_secs(1);

const VERSION_KEY: &str = "tree_version";

record! {
    /// An organisation as the snapshot holds it: what scope checks, breadcrumbs and pickers need.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
    pub struct Node from "orgs" as "o" {
        pub id: i64,
        pub tenant_id: Option<i64>,
        pub parent_id: Option<i64>,
        pub path: String,
        pub kind: OrgKind,
        pub name: String,
        pub code: String,
        pub active: bool,
        pub sort: i64,
        pub established_on: Option<Date>,
        pub dissolved_on: Option<Date>,
        pub created_at: i64,
    }
}

impl Node {
    /// The organisations a member may be placed in, for pickers.
    pub fn holds_members(&self) -> bool {
        self.active && self.kind.holds_members() && !rules::path_ids(&self.path).is_empty()
    }
}

/// The whole tree at one version.
#[derive(Debug, Default)]
pub struct Tree {
    version: i64,
    /// In path order, so a subtree is one contiguous run.
    nodes: Vec<Node>,
    index: HashMap<i64, usize>,
    /// Children of each organisation in sibling order (sort, then id), dissolved ones included.
    children: HashMap<i64, Vec<usize>>,
    /// Top organisations in id order.
    roots: Vec<usize>,
}

impl Tree {
    fn build(version: i64, mut nodes: Vec<Node>) -> Tree {
        nodes.sort_by(|a, b| a.path.cmp(&b.path));
        let index: HashMap<i64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut roots = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            match n.parent_id {
                Some(p) => children.entry(p).or_default().push(i),
                None => roots.push(i),
            }
        }
        for list in children.values_mut() {
            list.sort_by_key(|&i| (nodes[i].sort, nodes[i].id));
        }
        roots.sort_by_key(|&i| nodes[i].id);
        Tree { version, nodes, index, children, roots }
    }

    /// The `tree_version` this snapshot was loaded at.
    pub fn version(&self) -> i64 {
        self.version
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn get(&self, id: i64) -> Option<&Node> {
        self.index.get(&id).map(|&i| &self.nodes[i])
    }

    pub fn roots(&self) -> impl Iterator<Item = &Node> {
        self.roots.iter().map(|&i| &self.nodes[i])
    }

    /// Children in sibling order, dissolved ones included.
    pub fn children(&self, id: i64) -> impl Iterator<Item = &Node> {
        self.children.get(&id).into_iter().flatten().map(|&i| &self.nodes[i])
    }

    /// The organisation at `path` and everything below it, in tree order.
    pub fn subtree(&self, path: &str) -> &[Node] {
        &self.nodes[self.subtree_range(path)]
    }

    /// Where [`Tree::subtree`] lies in [`Tree::nodes`].
    pub fn subtree_range(&self, path: &str) -> std::ops::Range<usize> {
        let hi = rules::subtree_upper_bound(path);
        let from = self.nodes.partition_point(|n| n.path.as_str() < path);
        let to = self.nodes.partition_point(|n| n.path.as_str() < hi.as_str());
        from..to.max(from)
    }

    /// Every organisation, in tree (path) order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Where an organisation is in [`Tree::nodes`].
    pub fn position(&self, id: i64) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// From the top organisation down to the parent of `id`.
    pub fn ancestors(&self, id: i64) -> Vec<&Node> {
        let Some(n) = self.get(id) else { return Vec::new() };
        rules::path_ids(&n.path).into_iter().filter(|a| *a != id).filter_map(|a| self.get(a)).collect()
    }
}

/// The snapshot a `Store` and its clones share.
#[derive(Debug)]
pub(crate) struct Snapshot {
    current: RwLock<Arc<Tree>>,
    checked: Mutex<Instant>,
    /// One reload at a time, so an older load never replaces a newer one.
    reloading: tokio::sync::Mutex<()>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot { current: RwLock::new(Arc::new(Tree::default())), checked: Mutex::new(Instant::now()), reloading: tokio::sync::Mutex::new(()) }
    }
}

impl Snapshot {
    fn current(&self) -> Arc<Tree> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// True for the one caller that should look at the version now.
    fn due(&self) -> bool {
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        if checked.elapsed() < CHECK_EVERY {
            return false;
        }
        *checked = Instant::now();
        true
    }

    fn force_check(&self) {
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        *checked = Instant::now().checked_sub(CHECK_EVERY).unwrap_or(*checked);
    }
}

record! {
    struct MetaValue from "meta" as "meta" { value: String }
}

/// The tree's version in the database; 0 before the first change.
pub(crate) async fn version<C: ConnectionTrait>(c: &C) -> Result<i64> {
    let stmt = MetaValue::select().and_where(col("meta", "key").eq(VERSION_KEY)).to_owned();
    Ok(query::fetch_one::<MetaValue, _>(c, &stmt).await?.and_then(|m| m.value.parse().ok()).unwrap_or(0))
}

/// Marks the tree as changed, inside the transaction that changes it. One atomic statement, so
/// two nodes changing the tree at once both move the version.
pub(crate) async fn changed<C: ConnectionTrait>(c: &C) -> Result<()> {
    let next = col("meta", "value").cast_as(Alias::new("BIGINT")).add(1).cast_as(Alias::new("TEXT"));
    let mut stmt = query::insert("meta", vec![("key", VERSION_KEY.into()), ("value", "1".into())]);
    stmt.on_conflict(OnConflict::column(Alias::new("key")).value(Alias::new("value"), next).to_owned());
    query::execute(c, &stmt).await?;
    Ok(())
}

impl Store {
    /// The organisation tree, checked against the database's version at most once a second.
    pub async fn tree(&self) -> Result<Arc<Tree>> {
        if self.tree.due() {
            self.refresh_tree().await?;
        }
        Ok(self.tree.current())
    }

    /// Looks at the version now and reloads the snapshot if another node moved it; true if it
    /// reloaded.
    pub async fn refresh_tree(&self) -> Result<bool> {
        if version(&self.db).await? == self.tree.current().version {
            return Ok(false);
        }
        self.reload_tree().await?;
        Ok(true)
    }

    /// Loads the whole tree again, whatever the version says.
    pub async fn reload_tree(&self) -> Result<()> {
        let _one = self.tree.reloading.lock().await;
        let v = version(&self.db).await?;
        let nodes = query::fetch::<Node, _>(&self.db, &Node::select()).await?;
        *self.tree.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(Tree::build(v, nodes));
        Ok(())
    }

    /// After a commit that changed the tree: the writing node sees its change at once. The write
    /// stands even if the reload fails; the next read then looks again.
    pub async fn tree_committed(&self) {
        if let Err(e) = self.reload_tree().await {
            tracing::warn!(error = %e, "organisation tree not reloaded after a change");
            self.tree.force_check();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, parent: Option<i64>, path: &str, sort: i64) -> Node {
        Node { id, tenant_id: Some(1), parent_id: parent, path: path.into(), kind: OrgKind::Branch, name: format!("组织{id}"), code: format!("C{id}"), active: true, sort, established_on: None, dissolved_on: None, created_at: 0 }
    }

    #[test]
    fn subtrees_children_and_ancestors_come_from_the_paths() {
        let t = Tree::build(3, vec![
            node(25, Some(1), "/1/25/", 0),
            node(2, Some(1), "/1/2/", 5),
            node(1, None, "/1/", 0),
            node(7, Some(2), "/1/2/7/", 0),
            node(3, Some(1), "/1/3/", 5),
        ]);
        let ids = |ns: &[Node]| ns.iter().map(|n| n.id).collect::<Vec<_>>();
        assert_eq!(ids(t.subtree("/1/2/")), [2, 7], "/1/25/ is not below /1/2/");
        assert_eq!(ids(t.subtree("/1/")).len(), 5);
        assert!(t.subtree("/9/").is_empty());
        assert_eq!(t.children(1).map(|n| n.id).collect::<Vec<_>>(), [25, 2, 3], "by sort, then id");
        assert_eq!(t.ancestors(7).iter().map(|n| n.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!((t.roots().count(), t.version(), t.get(7).map(|n| n.parent_id)), (1, 3, Some(Some(2))));
    }
}
