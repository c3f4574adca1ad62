//! Connecting: the backend is picked from the URL, in this one place.

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// `sqlite://path?mode=rwc` or a bare file path opens SQLite; `postgres://…` opens PostgreSQL.
pub fn normalise_url(url: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}?mode=rwc")
    }
}

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let url = normalise_url(url);
    let mut opts = ConnectOptions::new(url.clone());
    opts.max_connections(max_connections.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("postgres") {
        // sqlx caches prepared statements; PostgreSQL's generic plan for a name search inside a
        // scope range is 15 times slower than the custom one (docs/performance.md).
        opts.map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    }
    if url.starts_with("sqlite:") {
        // Set on every pooled connection, not once: WAL, foreign keys and a busy timeout are
        // per-connection in SQLite.
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
        });
    }
    Database::connect(opts).await
}
