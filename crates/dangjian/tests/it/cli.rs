//! The `dangjian` binary: migrate, demo (idempotent), users, audit verify, backup/restore,
//! export, gen, and bilingual help on every subcommand.

use std::process::Command;

use crate::helpers::*;

/// "…：61 个组织，1534 名党员 …" → (61, 1534)
fn demo_counts(out: &str) -> (u64, u64) {
    let line = out.lines().next().unwrap_or_default();
    let nums: Vec<u64> = line.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
    assert!(nums.len() >= 2, "no counts in {line}");
    (nums[0], nums[1])
}

#[tokio::test]
async fn migrate_demo_users_and_audit_from_the_command_line() {
    let db = TestDb::new().await;
    assert!(ok(run(&db, &["migrate"])).contains("migrations applied"));
    let first = ok(run(&db, &["demo"]));
    assert!(first.contains("已载入"), "{first}");
    let again = ok(run(&db, &["demo"]));
    assert!(again.contains("已存在"), "{again}");
    assert_eq!(demo_counts(&first), demo_counts(&again), "a second demo must not add anything");
    assert!(demo_counts(&first).1 > 1000);

    let out = ok(run(&db, &["user", "create", "tester", "--role", "org_admin", "--org", "SZJGGW", "--password", "Aa1!aaaaaa"]));
    assert!(out.contains("tester") && !out.contains("Aa1!aaaaaa"), "the given password is not echoed: {out}");
    let err = fails(run(&db, &["user", "create", "TESTER", "--password", "Aa1!aaaaaa"]));
    assert!(err.contains("已存在"), "{err}");
    let err = fails(run(&db, &["user", "create", "weakling", "--password", "short"]));
    assert!(err.contains("密码"), "{err}");
    {
        let store = open(&db).await;
        let a = dangjian_store::account::find_by_username(&store, "tester").await.expect("lookup").expect("tester exists");
        assert!(a.must_change && !a.locked);
        let grants = dangjian_store::dialect::scalar_i64(&store.db, &format!("SELECT COUNT(*) FROM role_grants g JOIN orgs o ON o.id = g.org_id WHERE g.account_id = {} AND g.role = 'org_admin' AND o.code = 'SZJGGW'", a.id), vec![]).await.expect("grants");
        assert_eq!(grants, 1);
    }
    ok(run(&db, &["user", "lock", "tester"]));
    {
        let store = open(&db).await;
        assert!(dangjian_store::account::find_by_username(&store, "tester").await.expect("lookup").expect("tester").locked);
    }
    fails(run(&db, &["user", "lock", "nobody"]));
    let generated = ok(run(&db, &["user", "passwd", "shuji1"]));
    assert!(generated.contains("新密码"), "a generated password is shown once: {generated}");

    let verified = ok(run(&db, &["audit", "verify"]));
    assert!(verified.contains("审计日志完整"), "{verified}");
    {
        let store = open(&db).await;
        dangjian_store::dialect::exec(&store.db, "UPDATE audit_log SET outcome = 'x' WHERE id = 2", vec![]).await.expect("tamper");
    }
    let err = fails(run(&db, &["audit", "verify"]));
    assert!(err.contains("第 2 条"), "{err}");
}

#[tokio::test]
async fn backup_restore_and_export_from_the_command_line() {
    let db = TestDb::new().await;
    ok(run(&db, &["demo"]));
    let dir = db.scratch_dir();
    let file = dir.join("backup.jsonl");
    let out = ok(run(&db, &["backup", file.to_str().expect("path")]));
    assert!(out.contains("已备份"), "{out}");
    let fresh = TestDb::new().await;
    let out = ok(run(&fresh, &["restore", file.to_str().expect("path")]));
    assert!(out.contains("已恢复"), "{out}");
    let copy = fresh.scratch_dir().join("again.jsonl");
    ok(run(&fresh, &["backup", copy.to_str().expect("path")]));
    assert!(std::fs::read(&file).expect("backup") == std::fs::read(&copy).expect("copy"), "restored data differs from the backup");
    let err = fails(run(&db, &["restore", file.to_str().expect("path")]));
    assert!(err.contains("空的数据库"), "{err}");

    let csv = dir.join("roster.csv");
    ok(run(&db, &["export", "--org", "SZJGGW-A01-B1", csv.to_str().expect("path")]));
    let bytes = std::fs::read(&csv).expect("export");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(!contains_full_id(&text) && text.contains("********"), "the command line exports masked numbers");
    fails(run(&db, &["export", "--org", "NO-SUCH", csv.to_str().expect("path")]));
}

#[tokio::test]
async fn gen_builds_the_requested_scale() {
    let db = TestDb::new().await;
    let out = ok(run(&db, &["gen", "--members", "2000", "--orgs", "100"]));
    assert!(out.contains("2000 名党员") && out.contains("100 个组织"), "{out}");
    let store = open(&db).await;
    assert_eq!(dangjian_store::dialect::scalar_i64(&store.db, "SELECT COUNT(*) FROM members", vec![]).await.expect("count"), 2000);
    assert_eq!(dangjian_store::dialect::scalar_i64(&store.db, "SELECT COUNT(*) FROM orgs", vec![]).await.expect("count"), 100);
    // The maintained counters agree with the rows they count.
    assert_eq!(dangjian_store::dialect::scalar_i64(&store.db, "SELECT CAST(SUM(n) AS BIGINT) FROM org_member_counts", vec![]).await.expect("sum"), 2000);
    assert!(dangjian_store::audit::verify(&store).await.expect("verify").ok());
}

#[tokio::test]
async fn gen_with_years_writes_meetings_and_keeps_their_counts() {
    let db = TestDb::new().await;
    let out = ok(run(&db, &["gen", "--members", "1500", "--orgs", "60", "--years", "1"]));
    assert!(out.contains("次会议") && out.contains("条出席记录"), "{out}");
    let store = open(&db).await;
    let q = |sql: &'static str| dangjian_store::dialect::scalar_i64(&store.db, sql, vec![]);
    let meetings = q("SELECT COUNT(*) FROM meetings").await.expect("meetings");
    // 56 branches of about 27 members: committee and theme day monthly, more each quarter.
    assert!(meetings > 56 * 24, "{meetings} meetings");
    assert!(q("SELECT COUNT(*) FROM meeting_attendance").await.expect("attendance") > meetings * 20);
    // The counts kept on write agree with the records they count, per year.
    let kinds = q("SELECT COUNT(*) FROM meeting_kinds").await.expect("kinds");
    let counted = q("SELECT CAST(SUM(held) AS BIGINT) FROM life_counts WHERE period NOT LIKE '%-%' AND period NOT LIKE '%Q%' AND period NOT LIKE '%H%'").await.expect("sum");
    assert_eq!(counted, kinds, "every record counted once in its year");
    assert!(q("SELECT COUNT(*) FROM member_participation").await.expect("participation") > 1000);
}

#[test]
fn every_subcommand_has_bilingual_help() {
    let commands: &[&[&str]] = &[
        &[],
        &["serve"],
        &["migrate"],
        &["demo"],
        &["gen"],
        &["backup"],
        &["restore"],
        &["import"],
        &["export"],
        &["user"],
        &["user", "create"],
        &["user", "passwd"],
        &["user", "lock"],
        &["audit"],
        &["audit", "verify"],
    ];
    let dir = std::env::temp_dir();
    let mut failures = Vec::new();
    for args in commands {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dangjian"));
        cmd.args(*args).arg("--help");
        isolate(&mut cmd, &dir);
        let o = cmd.output().expect("run dangjian");
        let text = stdout(&o);
        let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        if !o.status.success() || !chinese || !text.contains("Usage") {
            failures.push(format!("dangjian {} --help: exit {:?}, Chinese: {chinese}\n{text}", args.join(" "), o.status.code()));
        }
    }
    // The user commands list each other.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dangjian"));
    cmd.args(["user", "--help"]);
    isolate(&mut cmd, &dir);
    let text = stdout(&cmd.output().expect("run"));
    for sub in ["create", "passwd", "lock"] {
        if !text.contains(sub) {
            failures.push(format!("user --help does not list {sub}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A refused command writes nothing: a bad role or scope leaves no account behind, and demo data
/// is not poured into a database that already holds an installation.
#[tokio::test]
async fn refused_commands_leave_nothing_half_written() {
    let db = TestDb::new().await;
    ok(run(&db, &["demo"]));
    let err = fails(run(&db, &["user", "create", "zhang", "--role", "nosuchrole", "--password", "Aa1!aaaaaa"]));
    assert!(err.contains("角色"), "{err}");
    let err = fails(run(&db, &["user", "create", "zhang", "--role", "org_admin", "--org", "NOPE", "--password", "Aa1!aaaaaa"]));
    assert!(err.contains("NOPE"), "{err}");
    ok(run(&db, &["user", "create", "zhang", "--role", "org_admin", "--password", "Aa1!aaaaaa"]));

    let fresh = TestDb::new().await;
    ok(run(&fresh, &["user", "create", "first", "--password", "Aa1!aaaaaa"]));
    let err = fails(run(&fresh, &["demo"]));
    assert!(err.contains("空数据库"), "{err}");
    let store = open(&fresh).await;
    let orgs = dangjian_store::org::roots(&store, &cli_ctx()).await.expect("roots");
    assert!(orgs.is_empty(), "the refused demo wrote organisations: {orgs:?}");
}

/// The database remembers which data key it was created with; another key is refused at once
/// (a swapped or regenerated key file would otherwise make every encrypted field unreadable).
#[tokio::test]
async fn another_data_key_is_refused() {
    let db = TestDb::new().await;
    ok(run(&db, &["migrate"]));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dangjian"));
    cmd.arg("--database").arg(&db.url).arg("migrate");
    isolate(&mut cmd, &db.scratch_dir());
    cmd.env("DANGJIAN_DATA_KEY", "ef".repeat(32));
    let err = fails(cmd.output().expect("run dangjian"));
    assert!(err.contains("数据密钥与数据库不匹配"), "{err}");
}
