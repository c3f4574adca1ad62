//! Composed queries: the parts every list of every area is built from, written once — the
//! caller's scope as subtree ranges, sort keys from an allow-list, pagination, and the count of
//! the same filter. Statements are sea-query builders: SeaORM's own, already in the tree; it
//! numbers the placeholders itself, writes `$n` for PostgreSQL and `?` for SQLite (which the
//! driver binds without the per-name lookup measured in docs/performance.md), and keeps the
//! values apart from the text, so no area assembles SQL with `format!`.

use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::org::range;

/// `table.column`, for conditions on joined tables.
pub fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// Rows whose materialised path lies in the subtree below `path` (an index range scan).
pub fn in_subtree(path_col: Expr, path: &str) -> Cond {
    let (lo, hi) = range(path);
    Cond::all().add(path_col.clone().gte(lo)).add(path_col.lt(hi))
}

/// Rows in any of the subtrees the policy allows the caller (`Actor::scopes`).
pub fn in_scopes<S: AsRef<str>>(path_col: Expr, paths: &[S]) -> Cond {
    paths.iter().fold(Cond::any(), |c, p| c.add(in_subtree(path_col.clone(), p.as_ref())))
}

/// A sort key a list accepts: its name in the API and the columns it orders by (the last one
/// unique, so pages never overlap).
pub struct SortKey {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
}

/// Orders by `requested` (`name` or `-name` for descending) if the allow-list has it, else by
/// the first key.
pub fn order_by(stmt: &mut SelectStatement, keys: &[SortKey], requested: Option<&str>) {
    let (name, desc) = match requested.map(str::trim) {
        Some(s) if s.starts_with('-') => (&s[1..], true),
        Some(s) => (s, false),
        None => ("", false),
    };
    let key = keys.iter().find(|k| k.name == name).unwrap_or(&keys[0]);
    let order = if desc { Order::Desc } else { Order::Asc };
    for (t, c) in key.columns {
        stmt.order_by((Alias::new(*t), Alias::new(*c)), order.clone());
    }
}

/// LIMIT and OFFSET of page `page` (from 1) of `per_page` rows, as `page_bounds` checked them.
pub fn paginate(stmt: &mut SelectStatement, page: u64, per_page: u64) {
    stmt.limit(per_page).offset((page - 1) * per_page);
}

/// `SELECT COUNT(*) FROM table AS alias WHERE cond`: the count of a list's filter, without the
/// list's joins, order or page.
pub fn count_of(table: &'static str, alias: &'static str, cond: Cond) -> SelectStatement {
    Query::select().expr(Expr::col(Asterisk).count()).from_as(Alias::new(table), Alias::new(alias)).cond_where(cond).to_owned()
}

pub async fn fetch<T: FromQueryResult, C: ConnectionTrait>(c: &C, stmt: &SelectStatement) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(c.get_database_backend().build(stmt)).all(c).await
}

pub async fn scalar<C: ConnectionTrait>(c: &C, stmt: &SelectStatement) -> Result<i64, DbErr> {
    let row = c.query_one_raw(c.get_database_backend().build(stmt)).await?;
    Ok(match row {
        Some(r) => r.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0),
        None => 0,
    })
}
