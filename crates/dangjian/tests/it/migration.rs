//! Migrations on both backends: from empty to the latest, from the foundation release's schema
//! with data in it to the latest, and every foreign key backed by an index.

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

#[tokio::test]
async fn from_empty_to_latest_every_foreign_key_has_an_index() {
    let app = spawn_app().await;
    let c = &app.store.db;
    let applied = texts(c, "SELECT name FROM schema_migrations ORDER BY name", vec![]).await;
    assert_eq!(applied, migration::names(), "every migration applied, in order");
    let all = tables(c).await;
    for t in migration::TABLES {
        assert!(all.iter().any(|x| x == t.name), "table {} missing", t.name);
    }
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

/// The foundation release (m001 only) with its data, upgraded by this release.
#[tokio::test]
async fn the_foundation_schema_with_data_upgrades() {
    let tdb = TestDb::new().await;
    let raw = db::connect(&tdb.url, 2).await.expect("connect");
    migration::run_until(&raw, Some("m001_foundation")).await.expect("m001");
    let exec = |sql: &'static str| {
        let raw = raw.clone();
        async move { dialect::exec(&raw, sql, vec![]).await.expect(sql) }
    };
    exec("INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (1, 1, NULL, '/1/', 'working_committee', '旧工委', 'OLD', '', '', TRUE, 0, '', 0, 0)").await;
    exec("INSERT INTO members (id, tenant_id, org_id, org_path, name, gender, ethnicity, birth_date, id_enc, id_bidx, id_masked, education, work_unit, position, category, status, created_at, updated_at) \
          VALUES (1, 1, 1, '/1/', '老党员', 'male', '汉族', '1960-01-01', 'x', 'b1', '110105********0011', '', '', '', 'retired', 'full', 0, 0)").await;
    exec("INSERT INTO accounts (id, username, username_lc, member_id, password_hash, must_change, password_changed_at, locked, failed_count, created_at) VALUES (1, 'old', 'old', 1, 'h', FALSE, 0, FALSE, 0, 0)").await;
    let _ = raw.close().await;

    let app = spawn_app_on(tdb, |_| {}).await;
    assert_eq!(app.text("SELECT name FROM members WHERE id = 1").await, "老党员");
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
