//! The member list: one organisation or a subtree or the caller's scopes, filtered, searched,
//! sorted and paged, with the total from the maintained counts when no filter needs the rows.

use dangjian_domain::idcard;
use dangjian_domain::member::{Category, Status};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Func, Query};

use super::{with_org, MemberRow};
use crate::org;
use crate::query::{self, SortKey};
use crate::{dialect, page_bounds, Ctx, Page, Result, Store, StoreError};

/// Filters of the member list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MemberQuery {
    /// Organisation id; absent means every organisation in the caller's scope.
    pub org: Option<i64>,
    /// With `org`: include the organisations below it (default true).
    pub subtree: Option<bool>,
    /// Name (part of it), member number, ID number or phone number.
    pub q: Option<String>,
    /// Status code, or `all`; default: 正式党员 and 预备党员.
    pub status: Option<String>,
    pub category: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// `org` (default), `name`, `joined_on`, `birth_date`; `-` before it sorts descending.
    pub sort: Option<String>,
}

/// Sort keys of the member list across a subtree; `org` (the tree's order) is the default.
const SORT_KEYS: &[SortKey] = &[
    SortKey { name: "org", columns: &[("m", "org_path"), ("m", "name"), ("m", "id")] },
    SortKey { name: "name", columns: &[("m", "name"), ("m", "id")] },
    SortKey { name: "joined_on", columns: &[("m", "joined_on"), ("m", "id")] },
    SortKey { name: "birth_date", columns: &[("m", "birth_date"), ("m", "id")] },
];

/// One organisation's own members: its order is the name order (the index on org and name
/// serves it), whatever the key says.
const SORT_KEYS_ONE_ORG: &[SortKey] = &[
    SortKey { name: "org", columns: &[("m", "name"), ("m", "id")] },
    SortKey { name: "name", columns: &[("m", "name"), ("m", "id")] },
    SortKey { name: "joined_on", columns: &[("m", "joined_on"), ("m", "id")] },
    SortKey { name: "birth_date", columns: &[("m", "birth_date"), ("m", "id")] },
];

/// Statuses on the roster (正式党员 and 预备党员), the list's default.
pub(crate) fn on_roster() -> Vec<&'static str> {
    Status::ALL.iter().filter(|s| s.is_member()).map(|s| s.code()).collect()
}

pub async fn list(store: &Store, ctx: &Ctx, q: &MemberQuery) -> Result<Page<MemberRow>> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let mut cond = Cond::all();
    let subtree = q.subtree.unwrap_or(true);
    // Which organisations: one (with or without its subtree) or every scope of the caller.
    let mut count_paths: Vec<String> = Vec::new();
    let mut direct_org: Option<i64> = None;
    match q.org {
        Some(oid) => {
            let o = org::node(store, oid).await?;
            store.authorize(ctx, Action::MemberRead, Target::org(&o.path), &format!("org:{oid}")).await?;
            if subtree {
                cond = cond.add(query::in_subtree(query::col("m", "org_path"), &o.path));
                count_paths.push(o.path);
            } else {
                cond = cond.add(query::col("m", "org_id").eq(oid));
                direct_org = Some(oid);
            }
        }
        None => {
            let scopes = org::scope_paths(store, ctx, Action::MemberRead).await?;
            if scopes.is_empty() {
                // 党员 (self): the list holds only their own record.
                let Some(mid) = ctx.actor.member_id else { return Err(StoreError::Forbidden) };
                cond = cond.add(query::col("m", "id").eq(mid));
            } else {
                cond = cond.add(query::in_scopes(query::col("m", "org_path"), &scopes));
                count_paths = scopes;
            }
        }
    }
    let mut filtered = false;
    match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some("all") => {}
        Some(s) => {
            let st = Status::parse(s).ok_or_else(|| StoreError::invalid("status", "invalid_status", "党员状态无法识别"))?;
            cond = cond.add(query::col("m", "status").eq(st.code()));
            filtered = true;
        }
        None => cond = cond.add(query::col("m", "status").is_in(on_roster())),
    }
    if let Some(c) = q.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let cat = Category::parse(c).ok_or_else(|| StoreError::invalid("category", "invalid_category", "人员类别无法识别"))?;
        cond = cond.add(query::col("m", "category").eq(cat.code()));
        filtered = true;
    }
    let searching = q.q.as_deref().is_some_and(|s| !s.trim().is_empty());
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        filtered = true;
        cond = cond.add(search_condition(store, text));
    }
    let total = if !filtered && (direct_org.is_some() || !count_paths.is_empty()) && q.status.is_none() {
        // The maintained counts answer without touching the members table.
        count_from_counters(store, direct_org, &count_paths).await?
    } else {
        query::scalar(&store.db, &query::count_of("members", "m", cond.clone())).await?
    };
    let mut stmt = with_org(MemberRow::select());
    stmt.cond_where(cond);
    // A name search reads best, and plans best, in name order: the name index serves both the
    // filter and the order instead of walking the whole scope in tree order.
    let requested = q.sort.as_deref().filter(|s| !s.trim().is_empty()).or(searching.then_some("name"));
    query::order_by(&mut stmt, if direct_org.is_some() { SORT_KEYS_ONE_ORG } else { SORT_KEYS }, requested);
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch::<MemberRow, _>(&store.db, &stmt).await?;
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0), page, per_page })
}

async fn count_from_counters(store: &Store, direct_org: Option<i64>, paths: &[String]) -> Result<i64> {
    // One organisation's own members, or a subtree's from the totals kept for its root.
    let (table, ids): (&'static str, Vec<i64>) = match direct_org {
        Some(oid) => ("org_member_counts", vec![oid]),
        None => ("org_subtree_counts", paths.iter().filter_map(|p| dangjian_domain::org::path_ids(p).last().copied()).collect()),
    };
    let mut total = 0;
    for id in ids {
        // PostgreSQL sums a BIGINT into a NUMERIC: cast back, so both backends answer an integer.
        let sum = Func::cast_as(Func::coalesce([Expr::col("n").sum(), Expr::val(0)]), "BIGINT");
        let stmt = Query::select().expr(sum).from(table).and_where(Expr::col("org_id").eq(id)).and_where(Expr::col("status").is_in(on_roster())).to_owned();
        total += query::scalar(&store.db, &stmt).await?;
    }
    Ok(total)
}

/// What a search box string means: an ID number, a phone number, a member number, or a name.
fn search_condition(store: &Store, text: &str) -> Expr {
    let today = time::today_cst();
    if let Ok(id) = idcard::IdNumber::parse(text, today) {
        return query::col("m", "id_bidx").eq(store.crypto.blind_index("id_number", id.as_str()));
    }
    if text.chars().all(|c| c.is_ascii_digit() || c == '+' || c == '-' || c == ' ')
        && let Ok(p) = idcard::Phone::parse(text)
    {
        return query::col("m", "phone_bidx").eq(store.crypto.blind_index("phone", p.as_str()));
    }
    if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return query::col("m", "member_no").eq(text);
    }
    dialect::name_filter(store.backend(), text)
}

