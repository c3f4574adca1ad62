//! The one migration tree for both backends. Each migration is a list of sea-query statements;
//! the only backend branches live in `helpers.rs`.

mod helpers;
mod m001_foundation;
mod m002_separation;
mod m003_jobs;
mod m004_member_native_place;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};

use helpers::Schema;

type Migration = (&'static str, fn(&Schema) -> Vec<String>);

const MIGRATIONS: &[Migration] = &[
    ("m001_foundation", m001_foundation::up),
    ("m002_separation", m002_separation::up),
    ("m003_jobs", m003_jobs::up),
    ("m004_member_native_place", m004_member_native_place::up),
];

/// Applies every migration not yet recorded in `schema_migrations`, each in its own transaction.
pub async fn run(db: &DatabaseConnection) -> Result<usize, DbErr> {
    run_until(db, None).await
}

/// The names of the migrations, in order.
pub fn names() -> Vec<&'static str> {
    MIGRATIONS.iter().map(|m| m.0).collect()
}

/// Like `run`, stopping after the migration named `last` (the migration test builds an earlier
/// release's schema this way, fills it, then runs the rest).
pub async fn run_until(db: &DatabaseConnection, last: Option<&str>) -> Result<usize, DbErr> {
    let schema = Schema::new(db.get_database_backend());
    db.execute_unprepared(&schema.migrations_table()).await?;
    let done: Vec<String> = db
        .query_all_raw(schema.stmt("SELECT name FROM schema_migrations"))
        .await?
        .into_iter()
        .map(|r| r.try_get::<String>("", "name"))
        .collect::<Result<_, _>>()?;
    let mut applied = 0;
    for (name, up) in MIGRATIONS {
        if done.iter().any(|d| d == name) {
            if last == Some(*name) {
                break;
            }
            continue;
        }
        let txn = db.begin().await?;
        for sql in up(&schema) {
            txn.execute_unprepared(&sql).await.map_err(|e| DbErr::Migration(format!("{name}: {e}\n{sql}")))?;
        }
        txn.execute_raw(schema.stmt_with(
            "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
            vec![(*name).into(), dangjian_domain::time::now_unix().into()],
        ))
        .await?;
        txn.commit().await?;
        tracing::info!(migration = name, "applied");
        applied += 1;
        if last == Some(*name) {
            break;
        }
    }
    Ok(applied)
}

/// Every table the application owns, in an order that satisfies foreign keys; backup and the
/// migration test walk it.
pub use m001_foundation::TABLES;

/// The column kinds of the table specs.
pub mod m001_foundation_spec {
    pub use super::m001_foundation::{Col, Kind, TableSpec};
}
