//! The only place in the migration tree that knows which backend it speaks to.

use sea_orm::sea_query::{
    ColumnDef, Index, IndexCreateStatement, IndexDropStatement, PostgresQueryBuilder, SqliteQueryBuilder, TableAlterStatement, TableCreateStatement,
};
use sea_orm::{DbBackend, Statement, Value};

pub struct Schema {
    pub backend: DbBackend,
}

impl Schema {
    pub fn new(backend: DbBackend) -> Self {
        Schema { backend }
    }

    pub fn table(&self, t: &TableCreateStatement) -> String {
        match self.backend {
            DbBackend::Postgres => t.to_string(PostgresQueryBuilder),
            _ => t.to_string(SqliteQueryBuilder),
        }
    }

    pub fn index(&self, i: &IndexCreateStatement) -> String {
        match self.backend {
            DbBackend::Postgres => i.to_string(PostgresQueryBuilder),
            _ => i.to_string(SqliteQueryBuilder),
        }
    }

    pub fn alter(&self, t: &TableAlterStatement) -> String {
        match self.backend {
            DbBackend::Postgres => t.to_string(PostgresQueryBuilder),
            _ => t.to_string(SqliteQueryBuilder),
        }
    }

    pub fn drop_index(&self, i: &IndexDropStatement) -> String {
        match self.backend {
            DbBackend::Postgres => i.to_string(PostgresQueryBuilder),
            _ => i.to_string(SqliteQueryBuilder),
        }
    }

    pub fn migrations_table(&self) -> String {
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)".into()
    }

    /// `$1`-style placeholders are accepted by both SQLite and PostgreSQL.
    pub fn stmt(&self, sql: &str) -> Statement {
        Statement::from_string(self.backend, sql)
    }

    pub fn stmt_with(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    /// A 64-bit primary key assigned by the database.
    pub fn id(&self) -> ColumnDef {
        let mut c = ColumnDef::new("id");
        match self.backend {
            // SQLite's rowid alias must be spelled INTEGER PRIMARY KEY to be 64-bit and fast.
            DbBackend::Sqlite => c.integer().not_null().auto_increment().primary_key(),
            _ => c.big_integer().not_null().auto_increment().primary_key(),
        };
        c
    }

    /// A text column compared byte by byte, so that materialised paths order and range-scan the
    /// same on both backends (PostgreSQL's default collation would ignore the slashes).
    pub fn path_column(&self, name: &'static str) -> ColumnDef {
        let mut c = ColumnDef::new(name);
        c.text().not_null();
        if self.backend == DbBackend::Postgres {
            c.extra("COLLATE \"C\"");
        }
        c
    }

    /// Indexes for name search: trigram on PostgreSQL (pg_trgm), an FTS5 trigram table kept in
    /// step by triggers on SQLite. Chinese names are not split by spaces, so words won't do.
    pub fn name_search(&self) -> Vec<String> {
        match self.backend {
            DbBackend::Postgres => vec![
                "CREATE EXTENSION IF NOT EXISTS pg_trgm".into(),
                "CREATE INDEX ix_members_name_trgm ON members USING gin (name gin_trgm_ops)".into(),
            ],
            _ => vec![
                "CREATE VIRTUAL TABLE members_fts USING fts5(name, content='members', content_rowid='id', tokenize='trigram')".into(),
                "CREATE TRIGGER members_fts_ai AFTER INSERT ON members BEGIN INSERT INTO members_fts(rowid, name) VALUES (new.id, new.name); END".into(),
                "CREATE TRIGGER members_fts_ad AFTER DELETE ON members BEGIN INSERT INTO members_fts(members_fts, rowid, name) VALUES ('delete', old.id, old.name); END".into(),
                "CREATE TRIGGER members_fts_au AFTER UPDATE OF name ON members BEGIN INSERT INTO members_fts(members_fts, rowid, name) VALUES ('delete', old.id, old.name); INSERT INTO members_fts(rowid, name) VALUES (new.id, new.name); END".into(),
            ],
        }
    }
}

pub fn idx(name: &str, table: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(sea_orm::sea_query::Alias::new(table));
    for c in cols {
        i.col(sea_orm::sea_query::Alias::new(*c));
    }
    i
}

pub fn unique(name: &str, table: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = idx(name, table, cols);
    i.unique();
    i
}

/// A `BIGINT NOT NULL` column.
pub fn int(name: &'static str) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.big_integer().not_null();
    c
}

/// A `TEXT NOT NULL` column.
pub fn text(name: &'static str) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.text().not_null();
    c
}
