//! Migrations on both backends: from empty to the latest, where the tables are exactly what the
//! areas declare (the declarations backup walks), every foreign key has an index and every large
//! table its tenant; and from each earlier release's schema, with data in it, to the latest.

use dangjian_store::{db, dialect, migration, ConnectionTrait, Db, DbBackend, Value};

use crate::helpers::*;

async fn texts(c: &Db, sql: &str, values: Vec<Value>) -> Vec<String> {
    let rows = c.query_all_raw(dialect::stmt(c.get_database_backend(), sql, values)).await.expect(sql);
    rows.iter().map(|r| r.try_get_by_index::<String>(0).expect("text")).collect()
}

async fn tables(c: &Db) -> Vec<String> {
    if c.get_database_backend() == DbBackend::Postgres {
        texts(c, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1", vec![]).await
    } else {
        // FTS5's shadow tables belong to the virtual table, not to us.
        texts(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'members_fts%' ORDER BY 1", vec![]).await
    }
}

/// (column of a foreign key, whether an index starts with it), per table.
async fn foreign_keys(c: &Db, table: &str) -> Vec<(String, bool)> {
    let (fks, leading) = if c.get_database_backend() == DbBackend::Postgres {
        (
            texts(c, "SELECT k.column_name::text FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
                      WHERE t.table_name = $1 AND t.constraint_type = 'FOREIGN KEY'", vec![table.into()]).await,
            texts(c, "SELECT a.attname::text FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] \
                      WHERE t.relname = $1", vec![table.into()]).await,
        )
    } else {
        (
            texts(c, "SELECT \"from\" FROM pragma_foreign_key_list($1)", vec![table.into()]).await,
            texts(c, "SELECT ii.name FROM pragma_index_list($1) il JOIN pragma_index_info(il.name) ii WHERE ii.seqno = 0", vec![table.into()]).await,
        )
    };
    fks.into_iter().map(|f| { let ok = leading.contains(&f); (f, ok) }).collect()
}

/// (column, nullable) of a table, from the backend's catalogue.
async fn columns(c: &Db, table: &str) -> Vec<(String, bool)> {
    let rows = if c.get_database_backend() == DbBackend::Postgres {
        texts(c, "SELECT column_name::text || ':' || is_nullable::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1", vec![table.into()]).await
    } else {
        texts(c, "SELECT name || ':' || CASE \"notnull\" WHEN 0 THEN 'YES' ELSE 'NO' END FROM pragma_table_info($1)", vec![table.into()]).await
    };
    let mut out: Vec<(String, bool)> = rows.iter().map(|r| { let (n, null) = r.rsplit_once(':').expect("name:nullable"); (n.to_string(), null == "YES") }).collect();
    out.sort();
    out
}

fn declared() -> Vec<&'static migration::TableSpec> {
    migration::TABLES.iter().copied().chain(migration::OPERATIONAL.iter()).collect()
}

#[tokio::test]
async fn from_empty_to_latest_the_tables_are_as_declared() {
    let app = spawn_app().await;
    let c = &app.store.db;
    let applied = texts(c, "SELECT name FROM schema_migrations ORDER BY name", vec![]).await;
    assert_eq!(applied, migration::names(), "every migration applied, in order");
    let all = tables(c).await;
    let mut expected: Vec<String> = declared().iter().map(|t| t.name.to_string()).chain(["schema_migrations".to_string()]).collect();
    expected.sort();
    assert_eq!(all, expected, "the database holds exactly the tables the areas declare");
    for t in declared() {
        let mut spec: Vec<(String, bool)> = t.cols.iter().map(|c| (c.name.to_string(), c.nullable)).collect();
        spec.sort();
        assert_eq!(columns(c, t.name).await, spec, "table {}: columns (name, nullable) differ from its declaration", t.name);
        if t.large {
            assert!(t.cols.iter().any(|c| c.name == "tenant_id"), "large table {} has no tenant_id", t.name);
        }
    }
    assert!(declared().iter().filter(|t| t.large).count() >= 4, "members, their events, organisations and posts are large");
    let mut missing = Vec::new();
    let mut checked = 0;
    for t in &all {
        for (col, indexed) in foreign_keys(c, t).await {
            checked += 1;
            if !indexed {
                missing.push(format!("{t}.{col}"));
            }
        }
    }
    assert!(checked >= 10, "only {checked} foreign keys found: the catalogue query is wrong");
    assert!(missing.is_empty(), "foreign keys without an index: {missing:?}");
    // Running again changes nothing.
    assert_eq!(migration::run(c).await.expect("rerun"), 0);
}

/// What the application writes carries its tenant: after the demo, no row of a large table
/// is left with the migrations' placeholder tenant 0.
#[tokio::test]
async fn every_row_of_a_large_table_carries_its_tenant() {
    let app = demo_app().await;
    for t in migration::TABLES.iter().filter(|t| t.large) {
        let rows = app.scalar(&format!("SELECT COUNT(*) FROM {}", t.name)).await;
        assert!(rows > 0, "the demo writes {}", t.name);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {} WHERE tenant_id = 0", t.name)).await, 0, "rows of {} without their tenant", t.name);
    }
    let root = app.scalar("SELECT id FROM orgs WHERE parent_id IS NULL").await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM member_events WHERE tenant_id <> {root}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM posts WHERE tenant_id <> {root}")).await, 0);
}

/// Rows every release's schema accepts: a top organisation that is its own tenant (NULL), a
/// branch, a member with a history and a post, an account.
const RELEASE_DATA: &[&str] = &[
    "INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (1, NULL, NULL, '/1/', 'working_committee', '旧工委', 'OLD', '', '', TRUE, 0, '', 0, 0)",
    "INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (2, 1, 1, '/1/2/', 'branch', '旧支部', 'OLD2', '', '', TRUE, 0, '', 0, 0)",
    "INSERT INTO members (id, tenant_id, org_id, org_path, name, gender, ethnicity, birth_date, id_enc, id_bidx, id_masked, education, work_unit, position, category, status, created_at, updated_at) \
     VALUES (1, 1, 2, '/1/2/', '老党员', 'male', '汉族', '1960-01-01', 'x', 'b1', '110105********0011', '', '', '', 'retired', 'full', 0, 0)",
    "INSERT INTO member_events (member_id, kind, on_date, org_id, note, at) VALUES (1, 'create', '2020-01-01', 2, '建立党员档案', 0)",
    "INSERT INTO posts (org_id, member_id, post, ab_role, started_on, note) VALUES (2, 1, 'secretary', 'a', '2020-01-01', '')",
    "INSERT INTO accounts (id, username, username_lc, member_id, password_hash, must_change, password_changed_at, locked, failed_count, created_at) VALUES (1, 'old', 'old', 1, 'h', FALSE, 0, FALSE, 0, 0)",
];

/// Each earlier release's schema, with its data, upgraded to the latest.
#[tokio::test]
async fn each_release_with_data_upgrades() {
    for release in migration::RELEASES {
        each_release_upgrades(release).await;
    }
}

async fn each_release_upgrades(release: &str) {
    let tdb = TestDb::new().await;
    let raw = db::connect(&tdb.url, 2).await.expect("connect");
    migration::run_until(&raw, Some(release)).await.expect(release);
    for sql in RELEASE_DATA {
        dialect::exec(&raw, sql, vec![]).await.expect(sql);
    }
    let _ = raw.close().await;

    let app = spawn_app_on(tdb, |_| {}).await;
    assert_eq!(app.text("SELECT name FROM members WHERE id = 1").await, "老党员", "{release}");
    // m004/m005: history and posts took their tenant from their member and organisation.
    assert_eq!(app.scalar("SELECT tenant_id FROM member_events WHERE member_id = 1").await, 1, "{release}");
    assert_eq!(app.scalar("SELECT tenant_id FROM posts WHERE member_id = 1").await, 1, "{release}");
    assert_eq!(app.text("SELECT username FROM accounts WHERE id = 1").await, "old");
    // m002: one account per person now holds, and the head was signed on opening.
    let second = dialect::exec(&app.store.db, "INSERT INTO accounts (username, username_lc, member_id, password_hash, must_change, password_changed_at, locked, failed_count, created_at) VALUES ('dup', 'dup', 1, 'h', FALSE, 0, FALSE, 0, 0)", vec![]).await;
    assert!(second.is_err(), "a second account for one person was accepted");
    assert_ne!(app.text("SELECT value FROM meta WHERE key = 'audit_head_sig'").await, "pending");
    assert!(dangjian_store::audit::verify(&app.store).await.expect("verify").ok());
    // m003: the scheduler's tables exist (the query panics otherwise), and the application
    // writes again.
    assert!(app.scalar("SELECT COUNT(*) FROM job_runs WHERE outcome = 'failed'").await == 0);
    app.try_login("old", "whatever").await.assert_status(401);
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log").await >= 1);
}

/// m002 refuses a database in which one person has two accounts, naming itself.
#[tokio::test]
async fn the_upgrade_stops_on_two_accounts_for_one_person() {
    let tdb = TestDb::new().await;
    let raw = db::connect(&tdb.url, 2).await.expect("connect");
    migration::run_until(&raw, Some("m001_foundation")).await.expect("m001");
    for sql in [
        "INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (1, 1, NULL, '/1/', 'working_committee', '旧工委', 'OLD', '', '', TRUE, 0, '', 0, 0)",
        "INSERT INTO members (id, tenant_id, org_id, org_path, name, gender, ethnicity, birth_date, id_enc, id_bidx, id_masked, education, work_unit, position, category, status, created_at, updated_at) \
         VALUES (1, 1, 1, '/1/', '老党员', 'male', '汉族', '1960-01-01', 'x', 'b1', 'm', '', '', '', 'retired', 'full', 0, 0)",
        "INSERT INTO accounts (username, username_lc, member_id, password_hash, must_change, password_changed_at, locked, failed_count, created_at) VALUES ('a', 'a', 1, 'h', FALSE, 0, FALSE, 0, 0)",
        "INSERT INTO accounts (username, username_lc, member_id, password_hash, must_change, password_changed_at, locked, failed_count, created_at) VALUES ('b', 'b', 1, 'h', FALSE, 0, FALSE, 0, 0)",
    ] {
        dialect::exec(&raw, sql, vec![]).await.expect(sql);
    }
    let e = migration::run(&raw).await.expect_err("m002 must stop");
    assert!(e.to_string().contains("m002_separation"), "{e}");
    // Nothing of m002 stayed: it ran in one transaction.
    assert_eq!(texts(&raw, "SELECT name FROM schema_migrations", vec![]).await, ["m001_foundation"]);
}
