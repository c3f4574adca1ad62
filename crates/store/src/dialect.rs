//! The only place in the store that speaks a backend's own SQL. Everything else is built with
//! sea-query through `crate::query`. The text-SQL helpers below (`stmt`, `exec`, `scalar_i64`)
//! are for the test binary, which reads and tampers with the database behind the store's back;
//! clippy.toml fences them off everywhere else, so nothing is written that way.

use sea_orm::sea_query::{Alias, Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, sql, values)
}

pub async fn exec<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    Ok(c.execute_raw(stmt(c.get_database_backend(), sql, values)).await?.rows_affected())
}

pub async fn scalar_i64<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> Result<i64, DbErr> {
    let row = c.query_one_raw(stmt(c.get_database_backend(), sql, values)).await?;
    Ok(match row {
        Some(r) => r.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0),
        None => 0,
    })
}

/// A filter on the members' `m.name` matching names that contain `q`, using the trigram index
/// of each backend when `q` has three characters or more, and an indexed prefix range below
/// that (two-character Chinese names are common and trigram indexes cannot serve them).
pub fn name_filter(backend: DbBackend, q: &str) -> SimpleExpr {
    use sea_orm::sea_query::ExprTrait;
    let name = Expr::col((Alias::new("m"), Alias::new("name")));
    if q.chars().count() >= 3 {
        match backend {
            DbBackend::Postgres => name.like(format!("%{}%", escape_like(q))),
            _ => Expr::cust_with_values("m.id IN (SELECT rowid FROM members_fts WHERE members_fts MATCH ?)", [format!("\"{}\"", q.replace('"', "\"\""))]),
        }
    } else {
        name.clone().gte(q).and(name.lt(format!("{q}\u{10FFFF}")))
    }
}

fn escape_like(q: &str) -> String {
    q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Refreshes the planner's statistics after a bulk load, so the next queries are planned on
/// the data as it now is. Bounded on SQLite (`analysis_limit`) so it stays quick at any size.
pub async fn analyze<C: ConnectionTrait>(c: &C) -> Result<(), DbErr> {
    match c.get_database_backend() {
        DbBackend::Postgres => {
            c.execute_unprepared("ANALYZE members, orgs, org_member_counts, org_subtree_counts").await?;
        }
        _ => {
            c.execute_unprepared("PRAGMA analysis_limit = 1000").await?;
            c.execute_unprepared("ANALYZE").await?;
        }
    }
    Ok(())
}

/// After a restore wrote explicit ids, PostgreSQL's identity sequences must move past them.
pub async fn reset_sequence<C: ConnectionTrait>(c: &C, table: &str) -> Result<(), DbErr> {
    if c.get_database_backend() == DbBackend::Postgres {
        c.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}

/// Rows per multi-row INSERT of `width` columns, within both backends' parameter limits.
pub fn rows_per_statement(_backend: DbBackend, width: usize) -> usize {
    (30_000 / width.max(1)).clamp(1, 1_000)
}
