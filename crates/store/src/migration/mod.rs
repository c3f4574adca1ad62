//! The one migration tree for both backends. Each area owns its migrations and declares its
//! tables as they are today (`<area>/mod.rs`); this module only orders and runs them. A
//! migration is a list of statements, sea-query built; the backend branches live in
//! `helpers.rs`. The runner is ours rather than `sea-orm-migration`'s: it is this one function,
//! runs each migration in one transaction on both backends, can stop after a named migration
//! (the migration test builds each earlier release's schema that way), and needs no second
//! binary or per-migration async trait (docs/decisions.md).

mod account;
mod audit;
mod duty;
mod helpers;
mod job;
mod life;
mod m001_foundation;
mod member;
mod meta;
mod notice;
mod org;
pub mod spec;

use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};

use helpers::Schema;
pub use spec::{Col, Kind, TableSpec};

type Migration = (&'static str, fn(&Schema) -> Vec<String>);

/// Every migration in the order it runs; the name is what `schema_migrations` records, so a
/// released name never changes.
const MIGRATIONS: &[Migration] = &[
    ("m001_foundation", m001_foundation::up),
    ("m002_separation", account::m002_separation::up),
    ("m003_jobs", job::m003_jobs::up),
    ("m004_event_tenant", member::m004_event_tenant::up),
    ("m005_post_tenant", org::m005_post_tenant::up),
    ("m006_member_native_place", member::m006_native_place::up),
    ("m007_meetings", life::m007_meetings::up),
    ("m008_life_counts", life::m008_life_counts::up),
    ("m009_attachments", life::m009_attachments::up),
    ("m010_group_membership", member::m010_group_membership::up),
    ("m011_participation", life::m011_participation::up),
    ("m012_notifications", notice::m012_notifications::up),
    ("m013_motions", life::m013_motions::up),
    ("m014_life_dirty", life::m014_life_dirty::up),
    ("m015_appraisals", life::m015_appraisals::up),
    ("m016_local_kinds", life::m016_local_kinds::up),
    ("m017_reports", duty::m017_reports::up),
    ("m018_assessments", duty::m018_assessments::up),
    ("m019_inspections", duty::m019_inspections::up),
    ("m020_reviews", duty::m020_reviews::up),
    ("m021_honours", duty::m021_honours::up),
    ("m022_report_attachments", duty::m022_report_attachments::up),
    ("m023_attendance_counts", life::m023_attendance_counts::up),
    ("m024_assessment_summary", duty::m024_assessment_summary::up),
];

/// The releases so far, each named by its last migration: the migration test upgrades each
/// one's schema, with data in it, to the latest.
pub const RELEASES: &[&str] = &["m001_foundation", "m003_jobs"];

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
        // Roll-ups computed from the records by the store's own code, as on every write.
        let rebuilt = match *name {
            "m008_life_counts" => crate::life::counts::rebuild_all(&txn).await,
            "m011_participation" => crate::life::participation::rebuild_all(&txn).await,
            "m023_attendance_counts" => crate::life::attendance_counts::rebuild_all(&txn).await,
            "m024_assessment_summary" => crate::duty::rank::summarise_all(&txn).await,
            _ => Ok(()),
        };
        rebuilt.map_err(|e| DbErr::Migration(format!("{name}: {e}")))?;
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

/// Every table of the application's data, today, in an order that satisfies foreign keys:
/// what backup and restore walk.
pub static TABLES: LazyLock<Vec<&'static TableSpec>> =
    LazyLock::new(|| spec::in_key_order(&[meta::TABLES, org::TABLES, member::TABLES, account::TABLES, life::TABLES, duty::REPORT_TABLES, duty::ASSESSMENT_TABLES, duty::INSPECTION_TABLES, duty::REVIEW_TABLES, duty::HONOUR_TABLES, notice::TABLES, audit::TABLES]));

/// Tables of operational state (the scheduler's), which backups leave out.
pub const OPERATIONAL: &[TableSpec] = job::TABLES;
