//! 安全审计: what is recorded, and the HMAC chain that detects an edited or removed row.

use dangjian_store::audit;
use serde_json::{json, Value};

use crate::helpers::*;

async fn some_writes(app: &TestApp) {
    let api = app.demo_login("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    api.patch_json(&format!("/orgs/{own}"), &json!({"note": "审计测试"})).await.assert_status(200);
    api.post_json("/members", &member_body(own, "审计甲", &id_number("110105", "19800101", 1), "")).await.assert_status(201);
}

#[tokio::test]
async fn the_chain_detects_an_edited_or_removed_row() {
    let app = demo_app().await;
    some_writes(&app).await;
    let report = audit::verify(&app.store).await.expect("verify");
    assert!(report.ok() && report.rows > 5, "{report:?}");
    let shenji = app.demo_login("shenji").await;
    let api_report = shenji.get_ok("/audit/verify").await;
    assert_eq!((api_report["first_bad_id"].clone(), api_report["tail_mismatch"].clone()), (Value::Null, json!(false)), "{api_report}");
    app.demo_login("zuzhi").await.get("/audit/verify").await.assert_status(403);

    // Someone with database access edits row 3.
    let original = app.text("SELECT outcome FROM audit_log WHERE id = 3").await;
    assert_eq!(app.exec("UPDATE audit_log SET outcome = 'x' WHERE id = 3").await, 1);
    let report = audit::verify(&app.store).await.expect("verify");
    assert_eq!(report.first_bad_id, Some(3), "{report:?}");
    assert!(!report.ok());
    assert_eq!(shenji.get_ok("/audit/verify").await["first_bad_id"], 3);
    // Put back exactly, the chain is whole again: the MAC covers the content, nothing else.
    app.exec(&format!("UPDATE audit_log SET outcome = '{original}' WHERE id = 3")).await;
    assert!(audit::verify(&app.store).await.expect("verify").ok());

    // A row removed in the middle breaks the link of its successor.
    let last = app.scalar("SELECT MAX(id) FROM audit_log").await;
    app.exec(&format!("DELETE FROM audit_log WHERE id = {}", last - 2)).await;
    assert_eq!(audit::verify(&app.store).await.expect("verify").first_bad_id, Some(last - 1));
}

#[tokio::test]
async fn removing_the_newest_row_is_detected() {
    let app = demo_app().await;
    some_writes(&app).await;
    let rows = audit::verify(&app.store).await.expect("verify").rows;
    app.exec("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)").await;
    let report = audit::verify(&app.store).await.expect("verify");
    assert_eq!((report.first_bad_id, report.tail_mismatch, report.rows), (None, true, rows - 1), "{report:?}");
    assert!(!report.ok());
}

fn find(log: &Value, pred: impl Fn(&Value) -> bool) -> Option<&Value> {
    log["items"].as_array().expect("items").iter().find(|r| pred(r))
}

#[tokio::test]
async fn logins_denials_writes_and_reveals_are_recorded() {
    let app = demo_app().await;
    let (own, other) = (app.org_id(OWN_BRANCH).await, app.org_id(OTHER_BRANCH).await);
    let zuzhi = app.account_id("zuzhi").await;
    app.try_login("zuzhi", "Wrong@2026").await.assert_status(401);
    app.try_login("nobody", "Wrong@2026").await.assert_status(401);
    let shuji = app.demo_login("shuji1").await;
    shuji.get(&format!("/orgs/{other}")).await.assert_status(404);
    shuji.patch_json(&format!("/orgs/{own}"), &json!({"note": "越权"})).await.assert_status(403);
    let m = app.member_ids(OWN_BRANCH).await[3];
    shuji.patch_json(&format!("/members/{m}"), &json!({"position": "宣传委员"})).await.assert_status(200);
    shuji.post_json(&format!("/members/{m}/reveal"), &json!({})).await.assert_status(200);
    let before = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    // A read that is allowed is not a write, and writes nothing.
    shuji.get(&format!("/orgs/{own}")).await.assert_status(200);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, before);

    let log = app.demo_login("shenji").await.get_ok("/audit?per_page=200").await;
    let failed = find(&log, |r| r["action"] == "login" && r["object"] == format!("account:{zuzhi}") && r["outcome"] == "bad_password");
    let failed = failed.unwrap_or_else(|| panic!("no failed login row: {log}"));
    assert_eq!(failed["ip"], "127.0.0.1");
    assert!(failed["at"].as_i64().expect("at") > 1_700_000_000);
    assert!(find(&log, |r| r["action"] == "login" && r["outcome"] == "unknown_user" && r["object"] == "user:nobody").is_some(), "{log}");
    assert!(find(&log, |r| r["action"] == "login" && r["outcome"] == "ok" && r["username"] == "shuji1").is_some());
    let hidden = find(&log, |r| r["action"] == "deny:OrgRead" && r["object"] == format!("org:{other}") && r["username"] == "shuji1");
    assert_eq!(hidden.map(|r| r["outcome"].clone()), Some(json!("denied")), "404 not audited: {log}");
    assert!(find(&log, |r| r["action"] == "deny:OrgWrite" && r["object"] == format!("org:{own}") && r["username"] == "shuji1").is_some(), "403 not audited");
    let update = find(&log, |r| r["action"] == "member.update" && r["object"] == format!("member:{m}")).expect("member.update row");
    assert_eq!(update["username"], "shuji1");
    let detail: Value = serde_json::from_str(update["detail"].as_str().expect("detail")).expect("detail is JSON");
    // Which personal fields changed, never their values: the log is the 审计管理员's, who reads
    // no personal data.
    assert_eq!(detail["changed"], json!(["position"]), "{detail}");
    assert!(!update["detail"].as_str().unwrap_or_default().contains("宣传委员"), "{detail}");
    assert_eq!(detail["after"]["status"], "full");
    assert!(find(&log, |r| r["action"] == "member.reveal" && r["object"] == format!("member:{m}")).is_some());
    assert!(!contains_full_id(&log.to_string()), "full ID number in the audit log");

    // Filters: by action prefix and by user.
    let denials = app.demo_login("shenji").await.get_ok("/audit?action=deny:").await;
    assert!(denials["items"].as_array().expect("items").iter().all(|r| r["action"].as_str().unwrap_or("").starts_with("deny:")));
    assert!(denials["total"].as_u64().expect("total") >= 2);
    let by_user = app.demo_login("shenji").await.get_ok("/audit?username=shuji1").await;
    assert!(by_user["items"].as_array().expect("items").iter().all(|r| r["username"] == "shuji1"));
}

/// SECURITY.md: the application cannot change or delete audit rows: the API only reads them.
#[tokio::test]
async fn the_api_only_reads_the_audit_log() {
    let app = spawn_app().await;
    let doc: Value = app.client().get(app.api_url("/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    let audit_paths: Vec<(&String, &Value)> = doc["paths"].as_object().expect("paths").iter().filter(|(p, _)| p.starts_with("/audit")).collect();
    assert!(!audit_paths.is_empty());
    for (path, ops) in audit_paths {
        let methods: Vec<&String> = ops.as_object().expect("operations").keys().filter(|k| !matches!(k.as_str(), "parameters" | "summary" | "description")).collect();
        assert_eq!(methods, ["get"], "{path} offers more than reading");
    }
    app.demo().await;
    let shenji = app.demo_login("shenji").await;
    let r = shenji.delete("/audit/1").await;
    assert!(matches!(r.status, 404 | 405), "DELETE /audit/1: {r:?}");
    for method in ["DELETE", "PATCH", "PUT"] {
        let r = shenji.request(method, "/audit", Some(&json!({}))).await;
        assert!(matches!(r.status, 404 | 405), "{method} /audit: {r:?}");
    }
    assert!(audit::verify(&app.store).await.expect("verify").ok());
}
