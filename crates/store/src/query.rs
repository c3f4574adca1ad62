//! Composed queries: the parts every list of every area is built from, written once — the
//! caller's scope as subtree ranges, sort keys from an allow-list, pagination, and the count of
//! the same filter. Statements are sea-query builders: SeaORM's own, already in the tree; it
//! numbers the placeholders itself, writes `$n` for PostgreSQL and `?` for SQLite (which the
//! driver binds without the per-name lookup measured in docs/performance.md), and keeps the
//! values apart from the text, so no area assembles SQL with `format!`.

use sea_orm::sea_query::{
    Alias, Asterisk, Cond, DeleteStatement, Expr, ExprTrait, InsertStatement, OnConflict, Order, Query, SelectStatement, UpdateStatement,
};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, StatementBuilder, Value};

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

/// Declares a store row once: the struct (with `FromQueryResult`) and `select()`, the
/// `SELECT` of exactly its fields `FROM table AS alias`. A field read from a joined table names
/// its source, `pub org_name: String = o.name`; the join itself is the caller's. A field holding
/// a nested record of the same table (`#[sea_orm(nested)]`) says `= nested`: its columns are its
/// type's (`Columns`), so a wider record can hold a narrower one instead of repeating its fields.
///
/// ```ignore
/// record! {
///     #[derive(Debug, Clone, serde::Serialize)]
///     pub struct Term from "org_terms" as "t" { pub id: i64, pub org_id: i64, pub ends_on: Date }
/// }
/// let stmt = Term::select().and_where(col("t", "org_id").eq(org_id)).to_owned();
/// ```
macro_rules! record {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident from $table:literal as $alias:literal {
            $( $(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty $(= $jt:ident $(. $jc:ident)?)? ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(sea_orm::FromQueryResult)]
        $vis struct $name { $( $(#[$fm])* $fvis $field: $ty ),* }

        impl $name {
            /// `SELECT` of this record's fields `FROM` its table (joins are the caller's).
            #[allow(dead_code)]
            pub fn select() -> sea_orm::sea_query::SelectStatement {
                let mut s = sea_orm::sea_query::Query::select();
                s.from_as(sea_orm::sea_query::Alias::new($table), sea_orm::sea_query::Alias::new($alias));
                <$name as $crate::query::Columns>::add_columns(&mut s, $alias);
                s
            }
        }

        impl $crate::query::Columns for $name {
            fn add_columns(s: &mut sea_orm::sea_query::SelectStatement, _alias: &'static str) {
                $( $crate::query::record!(@col s, $alias, $field, $ty $(, $jt $(. $jc)?)?); )*
            }
        }
    };
    (@col $s:ident, $alias:literal, $field:ident, $ty:ty) => {
        $s.column((sea_orm::sea_query::Alias::new($alias), sea_orm::sea_query::Alias::new(stringify!($field))));
    };
    (@col $s:ident, $alias:literal, $field:ident, $ty:ty, nested) => {
        <$ty as $crate::query::Columns>::add_columns($s, $alias);
    };
    (@col $s:ident, $alias:literal, $field:ident, $ty:ty, $jt:ident . $jc:ident) => {
        $s.expr_as($crate::query::col(stringify!($jt), stringify!($jc)), sea_orm::sea_query::Alias::new(stringify!($field)));
    };
}
pub(crate) use record;

/// The columns a record reads, for the `SELECT` of a record that nests it.
pub trait Columns {
    fn add_columns(s: &mut SelectStatement, alias: &'static str);
}

/// Plain-text records declared by the domain with a column per field.
macro_rules! columns_of {
    ($($t:ty),*) => {$(
        impl Columns for $t {
            fn add_columns(s: &mut SelectStatement, alias: &'static str) {
                for c in Self::COLUMNS {
                    s.column((Alias::new(alias), Alias::new(*c)));
                }
            }
        }
    )*};
}
columns_of!(dangjian_domain::member::Details, dangjian_domain::life::MeetingNotes);

/// `INSERT INTO table (…) VALUES (…)` from column–value pairs, so each column is written once,
/// next to its value.
pub fn insert(table: &'static str, pairs: Vec<(&'static str, Value)>) -> InsertStatement {
    let (cols, vals): (Vec<_>, Vec<_>) = pairs.into_iter().map(|(c, v)| (Alias::new(c), Expr::val(v))).unzip();
    Query::insert().into_table(Alias::new(table)).columns(cols).values_panic(vals).to_owned()
}

/// Writes rows of column–value pairs with multi-row INSERTs within the backends' parameter
/// limits: attendance of 40 people is one statement.
pub async fn insert_chunked<C: ConnectionTrait>(c: &C, table: &'static str, rows: Vec<Vec<(&'static str, Value)>>) -> Result<(), DbErr> {
    write_chunked(c, table, rows, None).await
}

/// [`insert_chunked`] with `ON CONFLICT …`: a row whose key exists updates it as `on_conflict`
/// says (an upsert of many rows in a few statements).
pub async fn upsert_chunked<C: ConnectionTrait>(c: &C, table: &'static str, rows: Vec<Vec<(&'static str, Value)>>, on_conflict: OnConflict) -> Result<(), DbErr> {
    write_chunked(c, table, rows, Some(on_conflict)).await
}

async fn write_chunked<C: ConnectionTrait>(c: &C, table: &'static str, rows: Vec<Vec<(&'static str, Value)>>, on_conflict: Option<OnConflict>) -> Result<(), DbErr> {
    let Some(width) = rows.first().map(Vec::len) else { return Ok(()) };
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(crate::dialect::rows_per_statement(c.get_database_backend(), width)).collect();
        if let Some(mut stmt) = insert_rows(table, chunk) {
            if let Some(o) = &on_conflict {
                stmt.on_conflict(o.clone());
            }
            execute(c, &stmt).await?;
        }
    }
    Ok(())
}

/// A multi-row `INSERT` from rows of column–value pairs, the columns taken from the first row
/// (every row must name the same columns in the same order); `None` for no rows. Callers chunk
/// the rows with `dialect::rows_per_statement`.
pub fn insert_rows<I: IntoIterator<Item = Vec<(&'static str, Value)>>>(table: &'static str, rows: I) -> Option<InsertStatement> {
    let mut rows = rows.into_iter();
    let first = rows.next()?;
    let mut stmt = Query::insert();
    stmt.into_table(Alias::new(table)).columns(first.iter().map(|(c, _)| Alias::new(*c)));
    stmt.values_panic(first.into_iter().map(|(_, v)| Expr::val(v)));
    for row in rows {
        stmt.values_panic(row.into_iter().map(|(_, v)| Expr::val(v)));
    }
    Some(stmt)
}

/// `UPDATE table SET …` from column–value pairs; the caller adds the `WHERE`.
pub fn update(table: &'static str, pairs: Vec<(&'static str, Value)>) -> UpdateStatement {
    Query::update().table(Alias::new(table)).values(pairs.into_iter().map(|(c, v)| (Alias::new(c), Expr::val(v)))).to_owned()
}

/// `DELETE FROM table`; the caller adds the `WHERE`.
pub fn delete(table: &'static str) -> DeleteStatement {
    Query::delete().from_table(Alias::new(table)).to_owned()
}

/// Runs an INSERT, UPDATE or DELETE; returns the rows it touched.
pub async fn execute<C: ConnectionTrait, S: StatementBuilder>(c: &C, stmt: &S) -> Result<u64, DbErr> {
    Ok(c.execute(stmt).await?.rows_affected())
}

/// Runs an INSERT of one row and returns its new `id`.
pub async fn insert_id<C: ConnectionTrait>(c: &C, mut stmt: InsertStatement) -> Result<i64, DbErr> {
    stmt.returning_col(Alias::new("id"));
    let row = c.query_one(&stmt).await?;
    row.ok_or(DbErr::RecordNotInserted)?.try_get_by_index::<i64>(0)
}

pub async fn fetch_one<T: FromQueryResult, C: ConnectionTrait>(c: &C, stmt: &SelectStatement) -> Result<Option<T>, DbErr> {
    T::find_by_statement(c.get_database_backend().build(stmt)).one(c).await
}

pub async fn fetch<T: FromQueryResult, C: ConnectionTrait>(c: &C, stmt: &SelectStatement) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(c.get_database_backend().build(stmt)).all(c).await
}

pub async fn scalar<C: ConnectionTrait>(c: &C, stmt: &SelectStatement) -> Result<i64, DbErr> {
    let row = c.query_one(stmt).await?;
    Ok(match row {
        Some(r) => r.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0),
        None => 0,
    })
}
