//! 备份与恢复 (SECURITY.md "Data"): a backup restored into a clean instance holds every table
//! exactly; restoring over data is refused; the dump holds no plaintext personal numbers; a file
//! cut short, edited or extended is refused and writes nothing; backups and the database file
//! are readable by their owner only.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use dangjian_store::migration::TABLES;
use dangjian_store::{audit, backup, StoreError};
use serde_json::json;

use crate::helpers::*;

const ID: &str = "110105198503151230";
const PHONE: &str = "13912345678";

/// Demo data and a few writes of different kinds, so every table has rows.
async fn populated() -> TestApp {
    let (app, api) = demo_api("zuzhi").await;
    let (own, a02) = (app.org_id(OWN_BRANCH).await, app.org_id("SZJGGW-A02").await);
    let id = id_number("110105", "19850315", 123);
    assert_eq!(id, ID);
    api.post_json("/members", &member_body(own, "备份测试", ID, PHONE)).await.assert_status(201);
    let g1 = app.org_id("SZJGGW-A01-G1").await;
    let r = api.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": a02, "reason": "备份测试"})).await;
    r.assert_status(200);
    let m = app.member_ids(OWN_BRANCH).await[2];
    api.patch_json(&format!("/members/{m}"), &json!({"org_id": app.org_id(OTHER_BRANCH).await})).await.assert_status(200);
    app.try_login("zuzhi", "Wrong@2026").await.assert_status(401);
    app
}

async fn dump(app: &TestApp) -> (Vec<u8>, Vec<(String, u64)>) {
    let mut out = Vec::new();
    let counts = backup::backup(&app.store, &mut out).await.expect("backup");
    (out, counts)
}

/// The dump's lines per table, for a failure message that names the table.
fn by_table(dump: &[u8]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(dump).lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).expect("dump line is JSON");
        if v.get("file").is_some() {
            out.entry("attachment files".to_string()).or_default().push(line.to_string());
        } else if v.get("trailer").is_none() {
            out.entry(v["t"].as_str().expect("table").to_string()).or_default().push(line.to_string());
        }
    }
    out
}

#[tokio::test]
async fn a_restored_backup_holds_every_table_exactly() {
    let source = populated().await;
    let (first, counts) = dump(&source).await;
    let names: Vec<&str> = counts.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, TABLES.iter().map(|t| t.name).collect::<Vec<_>>(), "every table is dumped, in foreign-key order");
    let last = String::from_utf8_lossy(&first).lines().last().map(str::to_string).unwrap_or_default();
    let trailer: serde_json::Value = serde_json::from_str(&last).expect("trailer is JSON");
    for (t, n) in &counts {
        assert_eq!(trailer["trailer"]["rows"][t], *n, "the trailer counts table {t}");
    }
    assert_eq!(trailer["trailer"]["mac"].as_str().map(str::len), Some(64), "{last}");
    for t in ["orgs", "org_moves", "org_terms", "members", "member_events", "posts", "org_member_counts", "accounts", "role_grants", "sessions", "audit_log", "audit_head"] {
        let n = counts.iter().find(|c| c.0 == t).map(|c| c.1).unwrap_or(0);
        assert!(n > 0, "table {t} is empty, so the comparison would prove nothing for it");
    }
    // At rest the numbers are encrypted: the dump holds neither the ID nor the phone number.
    let text = String::from_utf8_lossy(&first);
    // (Ciphertexts are hex, so "no 18 digits in a row" would not be a meaningful check here:
    // look for known numbers instead, ours and a few revealed demo members'.)
    let zuzhi = source.demo_login("zuzhi").await;
    let mut known = vec![ID.to_string(), PHONE.to_string()];
    for m in source.member_ids(OTHER_BRANCH).await.into_iter().take(5) {
        let r = zuzhi.post_json(&format!("/members/{m}/reveal"), &json!({})).await.assert_status(200).json();
        known.push(r["id_number"].as_str().expect("id").to_string());
        known.extend(r["phone"].as_str().map(str::to_string));
    }
    for k in &known {
        assert!(!text.contains(k.as_str()), "plaintext personal number {k} in the backup");
    }

    let target = spawn_app().await;
    let restored = backup::restore(&target.store, &mut &first[..]).await.expect("restore");
    assert_eq!(restored, counts);
    let (second, _) = dump(&target).await;
    let (a, b) = (by_table(&first), by_table(&second));
    for t in TABLES.iter() {
        let (x, y) = (a.get(t.name).cloned().unwrap_or_default(), b.get(t.name).cloned().unwrap_or_default());
        let first_diff = x.iter().zip(&y).position(|(p, q)| p != q);
        assert!(x == y, "table {} differs after restore ({} vs {} rows), first difference at row {first_diff:?}", t.name, x.len(), y.len());
    }
    assert!(first == second, "dumps differ byte for byte");

    // The restored instance works: its chain verifies, people log in, and new rows get new ids.
    assert!(audit::verify(&target.store).await.expect("verify").ok());
    let api = target.demo_login("zuzhi").await;
    let own = target.org_id(OWN_BRANCH).await;
    api.post_json("/members", &member_body(own, "恢复后新建", &id_number("110105", "19900101", 7), "")).await.assert_status(201);
    api.post_json("/orgs", &json!({"parent_id": own, "kind": "group", "name": "恢复后小组", "code": "AFTER-RESTORE"})).await.assert_status(201);
    assert_eq!(api.search(&json!({"q": ID})).await["items"][0]["name"], "备份测试");
    assert!(audit::verify(&target.store).await.expect("verify").ok());
}

#[tokio::test]
async fn restore_refuses_a_database_that_holds_data() {
    let app = populated().await;
    let (bytes, _) = dump(&app).await;
    let members = app.scalar("SELECT COUNT(*) FROM members").await;
    match backup::restore(&app.store, &mut &bytes[..]).await {
        Err(StoreError::Conflict { code, .. }) => assert_eq!(code, "not_empty"),
        other => panic!("restore over data: {other:?}"),
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM members").await, members);
    // Not a backup at all.
    let empty = spawn_app().await;
    assert!(backup::restore(&empty.store, &mut &b"{\"format\":\"something-else\"}\n"[..]).await.is_err());
    assert_eq!(empty.scalar("SELECT COUNT(*) FROM orgs").await, 0);
}

/// With PostgreSQL available, a backup taken on SQLite restores there identically (and the
/// other way round is the same code). Skipped, saying so, on SQLite-only runs.
#[tokio::test]
async fn a_backup_moves_between_backends() {
    if std::env::var("DANGJIAN_TEST_PG").map(|v| v.trim().is_empty()).unwrap_or(true) {
        eprintln!("a_backup_moves_between_backends: DANGJIAN_TEST_PG not set, skipped");
        return;
    }
    let sqlite = spawn_app_on(TestDb::sqlite(), |_| {}).await;
    sqlite.demo().await;
    let (first, _) = dump(&sqlite).await;
    let pg = spawn_app().await;
    assert!(pg._guard.is_postgres());
    backup::restore(&pg.store, &mut &first[..]).await.expect("restore into PostgreSQL");
    let (second, _) = dump(&pg).await;
    let (a, b) = (by_table(&first), by_table(&second));
    for t in TABLES.iter() {
        assert!(a.get(t.name) == b.get(t.name), "table {} differs between SQLite and PostgreSQL", t.name);
    }
    assert!(audit::verify(&pg.store).await.expect("verify").ok());
    pg.demo_login("zuzhi").await.get("/orgs").await.assert_status(200);
}

/// A backup restores only under the key it was made with.
#[tokio::test]
async fn restore_under_another_key_is_refused() {
    let app = populated().await;
    let (bytes, _) = dump(&app).await;
    let other = spawn_app_with(|c| c.data_key = Some("ef".repeat(32))).await;
    match backup::restore(&other.store, &mut &bytes[..]).await {
        Err(StoreError::Conflict { code, .. }) => assert_eq!(code, dangjian_store::KEY_MISMATCH_CODE),
        r => panic!("restore under another key: {r:?}"),
    }
    assert_eq!(other.scalar("SELECT COUNT(*) FROM members").await, 0);
}

/// Rows per table, as the binary's own store sees them.
async fn table_rows(db: &TestDb) -> Vec<(&'static str, i64)> {
    let store = open(db).await;
    let mut out = Vec::new();
    for t in TABLES.iter() {
        out.push((t.name, dangjian_store::dialect::scalar_i64(&store.db, &format!("SELECT COUNT(*) FROM {}", t.name), vec![]).await.expect("count")));
    }
    out
}

/// The file's lines, each with its newline.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

/// The assessor's file (cut after the members table) and the other ways a backup gets damaged:
/// each is refused by `restore` with a reason, exits non-zero and leaves the database as
/// `migrate` made it. The good file then restores into that same database and its audit chain
/// verifies.
#[tokio::test]
async fn a_damaged_backup_is_refused_and_writes_nothing() {
    let source = TestDb::new().await;
    ok(run(&source, &["demo"]));
    ok(run(&source, &["user", "create", "tester", "--role", "org_admin", "--password", "Aa1!aaaaaa"]));
    let good_file = source.scratch_dir().join("good.jsonl");
    ok(run(&source, &["backup", good_file.to_str().expect("path")]));
    let good = std::fs::read(&good_file).expect("backup");
    let all = lines(&good);
    let table_of = |l: &[u8]| serde_json::from_slice::<serde_json::Value>(l).expect("JSON line")["t"].as_str().map(str::to_string);
    let last_member = all.iter().rposition(|l| table_of(l).as_deref() == Some("members")).expect("members in the backup");
    assert!(all[last_member + 1..].iter().any(|l| table_of(l).as_deref() == Some("accounts")), "accounts follow the members in the backup");

    let cut_after_members = all[..=last_member].concat();
    let mut one_byte = good.clone();
    let at = (good.len() / 2..good.len()).find(|&i| good[i].is_ascii_digit()).expect("a digit");
    one_byte[at] = if good[at] == b'9' { b'8' } else { good[at] + 1 };
    let mut line_removed = all.clone();
    line_removed.remove(all.len() / 2);
    let without_trailer = all[..all.len() - 1].concat();
    let extra_after_trailer = [good.clone(), all[1].clone()].concat();
    let cut_mid_line = good[..good.len() / 2].to_vec();
    let mut counts_edited: serde_json::Value = serde_json::from_slice(all.last().expect("trailer")).expect("trailer");
    let members = counts_edited["trailer"]["rows"]["members"].as_u64().expect("members count");
    counts_edited["trailer"]["rows"]["members"] = (members + 1).into();
    let counts_edited = [without_trailer.clone(), format!("{counts_edited}\n").into_bytes()].concat();
    let version_1 = String::from_utf8(without_trailer.clone()).expect("utf-8").replacen(r#""version":3"#, r#""version":1"#, 1).into_bytes();
    assert_ne!(version_1, without_trailer, "the header names version 3");

    let cases: [(&str, Vec<u8>, &str); 8] = [
        ("cut after the members table", cut_after_members, "缺少结尾校验信息（文件可能被截断）"),
        ("one byte changed", one_byte, "备份文件校验失败：内容被修改或密钥不符"),
        ("a line removed in the middle", line_removed.concat(), "备份文件校验失败：内容被修改或密钥不符"),
        ("trailer removed", without_trailer, "缺少结尾校验信息（文件可能被截断）"),
        ("a line after the trailer", extra_after_trailer, "结尾校验信息之后还有内容"),
        ("cut in the middle of a line", cut_mid_line, "缺少结尾校验信息（文件可能被截断）"),
        ("row counts edited in the trailer", counts_edited, "结尾记录的行数与内容不符（数据表 members 应有"),
        ("version 1 without a trailer", version_1, "旧格式（第 1 版）"),
    ];
    let target = TestDb::new().await;
    ok(run(&target, &["migrate"]));
    let fresh = table_rows(&target).await;
    for (t, n) in &fresh {
        // What `migrate` itself writes: the data key check and the head's signature in `meta`,
        // the audit chain's genesis.
        let seeded = match *t {
            "meta" => 2,
            "audit_head" => 1,
            _ => 0,
        };
        assert_eq!(*n, seeded, "table {t} after migrate");
    }
    for (name, bytes, reason) in cases {
        let file = target.scratch_dir().join("damaged.jsonl");
        std::fs::write(&file, &bytes).expect("write");
        let err = fails(run(&target, &["restore", file.to_str().expect("path")]));
        assert!(err.contains(reason) && err.contains("数据库未作改动"), "{name}: {err}");
        assert_eq!(table_rows(&target).await, fresh, "{name}: the refused restore wrote rows");
    }

    let out = ok(run(&target, &["restore", good_file.to_str().expect("path")]));
    assert!(out.contains("已恢复"), "{out}");
    assert_eq!(table_rows(&target).await, table_rows(&source).await);
    let verified = ok(run(&target, &["audit", "verify"]));
    assert!(verified.contains("审计日志完整"), "{verified}");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// Whatever the umask, the database (with its -wal and -shm files), the data directory the
/// binary creates and every backup file are the owner's alone, as the key file is.
#[cfg(unix)]
#[tokio::test]
async fn backup_and_database_files_are_readable_by_their_owner_only() {
    let scratch = TestDb::sqlite();
    let dir = scratch.scratch_dir().join("data");
    let db_file = dir.join("dangjian.db");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dangjian"));
    cmd.arg("--database").arg(&db_file).arg("migrate");
    isolate(&mut cmd, &scratch.scratch_dir());
    ok(cmd.output().expect("run dangjian"));
    assert_eq!(mode(&dir), 0o700, "data directory");
    assert_eq!(mode(&db_file), 0o600, "database file");

    let store = dangjian::startup::open_store(&test_config(db_file.to_str().expect("path"))).await.expect("open store");
    dangjian_store::dialect::exec(&store.db, "INSERT INTO meta (key, value) VALUES ('mode_test', 'x')", vec![]).await.expect("write");
    for suffix in ["-wal", "-shm"] {
        let f = dir.join(format!("dangjian.db{suffix}"));
        assert!(f.exists(), "{} exists while the database is open", f.display());
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    drop(store);

    let new_backup = scratch.scratch_dir().join("new.jsonl");
    let old_backup = scratch.scratch_dir().join("old.jsonl");
    std::fs::write(&old_backup, "an older file of the same name\n").expect("write");
    std::fs::set_permissions(&old_backup, std::os::unix::fs::PermissionsExt::from_mode(0o644)).expect("chmod");
    for f in [&new_backup, &old_backup] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dangjian"));
        cmd.arg("--database").arg(&db_file).arg("backup").arg(f);
        isolate(&mut cmd, &scratch.scratch_dir());
        ok(cmd.output().expect("run dangjian"));
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
}
