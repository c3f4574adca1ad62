//! The security section: each finding of the 等保 level-3 review (issue 8) as a case through the
//! real entry points. Decompression bombs are in `roster`, incomplete restores in `backup`.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

async fn log_rows(app: &TestApp, action_prefix: &str) -> Vec<Value> {
    let shenji = app.demo_login("shenji").await;
    let log = shenji.get_ok(&format!("/audit?per_page=200&action={}", urlencode(action_prefix))).await;
    log["items"].as_array().expect("items").clone()
}

// --- 2. truncating the audit log -----------------------------------------------------------


#[tokio::test]
async fn a_truncated_log_with_a_copied_head_fails_verification() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    for note in ["一", "二", "三"] {
        zuzhi.patch_json(&format!("/orgs/{own}"), &json!({"note": note})).await.assert_status(200);
    }
    // Signed in before the tampering: a login is a write, and writes stop on a forged head.
    let shenji = app.demo_login("shenji").await;
    assert_eq!(shenji.get_ok("/audit/verify").await["head_forged"], false);
    // What the assessor did: delete the last rows and copy the new last row's MAC into the head.
    let last = app.scalar("SELECT MAX(id) FROM audit_log").await;
    app.exec(&format!("DELETE FROM audit_log WHERE id > {}", last - 2)).await;
    let mac = app.text(&format!("SELECT mac FROM audit_log WHERE id = {}", last - 2)).await;
    app.exec(&format!("UPDATE audit_head SET last_id = {}, mac = '{mac}' WHERE id = 1", last - 2)).await;
    let report = shenji.get_ok("/audit/verify").await;
    assert_eq!((report["first_bad_id"].clone(), report["tail_mismatch"].clone(), report["head_forged"].clone()), (Value::Null, json!(false), json!(true)), "{report}");
    let err = fails(run(&app._guard, &["audit", "verify"]));
    assert!(err.contains("链头"), "{err}");
    // The next write would sign the forgery: it is refused, and nothing is written.
    let r = zuzhi.patch_json(&format!("/orgs/{own}"), &json!({"note": "四"})).await;
    assert_eq!((r.status, r.code()), (409, "audit_head_forged".to_string()), "{r:?}");
    assert_ne!(zuzhi.get_ok(&format!("/orgs/{own}")).await["note"], "四");
    // The operator looks, then reseals; writes resume and the reseal is on record.
    ok(run(&app._guard, &["audit", "reseal"]));
    zuzhi.patch_json(&format!("/orgs/{own}"), &json!({"note": "四"})).await.assert_status(200);
    assert!(log_rows(&app, "audit.reseal").await.iter().any(|r| r["username"] == "cli"));
}

#[tokio::test]
async fn a_replayed_older_head_is_caught_by_the_checkpoint() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shenji = app.demo_login("shenji").await;
    let own = app.org_id(OWN_BRANCH).await;
    // A genuine head as it was at some moment: row, MAC and the keyed signature.
    let old_last = app.scalar("SELECT last_id FROM audit_head WHERE id = 1").await;
    let old_mac = app.text("SELECT mac FROM audit_head WHERE id = 1").await;
    let old_sig = app.text("SELECT value FROM meta WHERE key = 'audit_head_sig'").await;
    for note in ["甲", "乙"] {
        zuzhi.patch_json(&format!("/orgs/{own}"), &json!({"note": note})).await.assert_status(200);
    }
    let out = ok(run(&app._guard, &["audit", "checkpoint"]));
    assert!(out.contains("已写检查点"), "{out}");
    let report = shenji.get_ok("/audit/verify").await;
    assert_eq!((report["checkpoint"]["missing"].clone(), report["checkpoint"]["forged"].clone()), (json!(false), json!(false)), "{report}");
    assert!(ok(run(&app._guard, &["audit", "verify"])).contains("检查点"));

    // Remove everything after the old head and put the old head back: chain and head agree.
    app.exec(&format!("DELETE FROM audit_log WHERE id > {old_last}")).await;
    app.exec(&format!("UPDATE audit_head SET last_id = {old_last}, mac = '{old_mac}' WHERE id = 1")).await;
    app.exec(&format!("UPDATE meta SET value = '{old_sig}' WHERE key = 'audit_head_sig'")).await;
    let report = shenji.get_ok("/audit/verify").await;
    assert_eq!((report["first_bad_id"].clone(), report["tail_mismatch"].clone(), report["head_forged"].clone()), (Value::Null, json!(false), json!(false)), "{report}");
    assert_eq!(report["checkpoint"]["missing"], true, "{report}");
    let err = fails(run(&app._guard, &["audit", "verify"]));
    assert!(err.contains("末尾的记录被删除"), "{err}");
    // The next checkpoint refuses to bless the truncation, and the old one stays as evidence.
    let file = scratch_for(&app._guard.url).join("data").join("audit-checkpoint.json");
    let before = std::fs::read_to_string(&file).expect("checkpoint file");
    fails(run(&app._guard, &["audit", "checkpoint"]));
    assert_eq!(std::fs::read_to_string(&file).expect("checkpoint file"), before);
    // An edited checkpoint file is noticed as such.
    std::fs::write(&file, before.replace("\"last_id\":", "\"last_id\":1")).expect("edit");
    assert_eq!(shenji.get_ok("/audit/verify").await["checkpoint"]["forged"], true);
}

#[tokio::test]
async fn serve_writes_checkpoints_on_its_own() {
    let app = spawn_app_with(|c| c.audit_checkpoint_secs = 1).await;
    app.demo().await;
    app.demo_login("zuzhi").await;
    let file = scratch_for(&app._guard.url).join("data").join("audit-checkpoint.json");
    let mut seen = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(text) = std::fs::read_to_string(&file) {
            let cp: Value = serde_json::from_str(&text).expect("checkpoint JSON");
            if cp["last_id"].as_i64() == Some(app.scalar("SELECT last_id FROM audit_head WHERE id = 1").await) {
                seen = Some(cp);
                break;
            }
        }
    }
    let cp = seen.expect("no checkpoint at the head within 5 s");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o600);
    }
    assert!(cp["sig"].as_str().is_some_and(|s| s.len() == 64), "{cp}");
}

// --- 3. 三员 separation ---------------------------------------------------------------------

#[tokio::test]
async fn a_person_has_one_account_and_a_binding_alone_reads_nothing() {
    let (app, admin) = demo_api("admin").await;
    let bound = app.member_id_of("dangyuan1").await;
    let second = admin.post_json("/accounts", &json!({"username": "dy1-copy", "password": "Strong#Pass2026", "member_id": bound})).await.assert_status(409);
    assert_eq!(second.code(), "person_bound");
    // An unbound person: the 系统管理员 can bind a new account, but the account reads nothing
    // until the 安全管理员 grants it the 党员 role.
    let free = *app.member_ids(OWN_BRANCH).await.iter().rev().find(|m| **m != bound).expect("member");
    admin.post_json("/accounts", &json!({"username": "made-by-admin", "password": "Strong#Pass2026", "member_id": free})).await.assert_status(201);
    let made = app.login("made-by-admin", "Strong#Pass2026").await;
    made.post_json("/me/password", &json!({"old_password": "Strong#Pass2026", "new_password": "Other#Pass2027"})).await.assert_status(204);
    let made = app.login("made-by-admin", "Other#Pass2027").await;
    made.get(&format!("/members/{free}")).await.assert_status(404);
    // The owner reads their own record by the role.
    let dy = app.demo_login("dangyuan1").await;
    dy.get(&format!("/members/{bound}")).await.assert_status(200);
}

#[tokio::test]
async fn no_separated_admin_takes_over_another_or_holds_a_business_role() {
    let (app, admin) = demo_api("admin").await;
    let anquan = app.demo_login("anquan").await;
    let (shenji, admin_id, zuzhi) = (app.account_id("shenji").await, app.account_id("admin").await, app.account_id("zuzhi").await);
    let root = app.org_id(ROOT).await;
    let own = app.org_id(OWN_BRANCH).await;

    let r = admin.post_json(&format!("/accounts/{shenji}/password"), &json!({"password": "Taken#Over2026"})).await.assert_status(409);
    assert_eq!(r.code(), "separated_admin_credentials");
    app.try_login("shenji", "Taken#Over2026").await.assert_status(401);
    app.demo_login("shenji").await;
    assert_eq!(admin.post_json(&format!("/accounts/{shenji}/lock"), &json!({})).await.assert_status(409).code(), "separated_admin_credentials");
    // Ordinary accounts are still the 系统管理员's to reset.
    admin.post_json(&format!("/accounts/{zuzhi}/password"), &json!({"password": "Reset#Pass2026"})).await.assert_status(204);

    for (account, role, org) in [(admin_id, "org_admin", root), (shenji, "secretary", own), (zuzhi, "audit_admin", root)] {
        let r = anquan.post_json(&format!("/accounts/{account}/roles"), &json!({"role": role, "org_id": org})).await.assert_status(409);
        assert_eq!(r.code(), "separation_of_duties", "{role}: {r:?}");
    }
    // With the grant refused, the 系统管理员 still reveals nothing.
    let m = app.member_ids(OWN_BRANCH).await[0];
    assert!(matches!(admin.post_json(&format!("/members/{m}/reveal"), &json!({})).await.status, 403 | 404));
    // The operator at the command line is the way to reset a 三员.
    ok(run(&app._guard, &["user", "passwd", "shenji", "--password", "Operator#Set2026"]));
    app.try_login("shenji", "Operator#Set2026").await.assert_status(200);
}

#[tokio::test]
async fn separated_admins_see_no_member_names() {
    let app = demo_app().await;
    let own = app.org_id(OWN_BRANCH).await;
    let name_of_dy1 = app.text(&format!("SELECT name FROM members WHERE id = {}", app.member_id_of("dangyuan1").await)).await;
    let holders: Vec<String> = {
        let zuzhi = app.demo_login("zuzhi").await;
        zuzhi.get_ok(&format!("/orgs/{own}/posts")).await.as_array().expect("posts").iter().map(|p| p["member_name"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert!(!holders.is_empty() && holders.iter().all(|n| n != "（无权查看姓名）"), "{holders:?}");
    for who in ["admin", "anquan"] {
        let api = app.demo_login(who).await;
        let accounts = api.get("/accounts?per_page=200").await.assert_status(200).text();
        assert!(!accounts.contains(&name_of_dy1), "{who} sees a member's name in accounts");
        let page = api.client.get(app.url("/accounts")).send().await.expect("page").text().await.expect("html");
        assert!(!page.contains(&name_of_dy1), "{who} sees a member's name on the accounts page");
        let posts = api.get_ok(&format!("/orgs/{own}/posts")).await;
        for (p, holder) in posts.as_array().expect("posts").iter().zip(&holders) {
            assert_eq!(p["member_name"], "（无权查看姓名）", "{who}: {p}");
            let org_page = api.client.get(app.url(&format!("/orgs/{own}"))).send().await.expect("page").text().await.expect("html");
            assert!(!org_page.contains(holder.as_str()), "{who} sees {holder} on the organisation page");
        }
    }
    // One's own account still shows one's own name.
    assert_eq!(app.demo_login("dangyuan1").await.get_ok("/me").await["person"]["name"], name_of_dy1.as_str());
}

// --- 5. refusals are audited, without flooding ---------------------------------------------

#[tokio::test]
async fn refused_writes_csrf_and_forced_change_are_audited() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let admin = app.demo_login("admin").await;
    let anquan = app.demo_login("anquan").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = id_number("110105", "19800101", 11);
    zuzhi.post_json("/members", &member_body(own, "重复甲", &id, "")).await.assert_status(201);
    zuzhi.post_json("/members", &member_body(own, "重复乙", &id, "")).await.assert_status(409);
    admin.post_json("/accounts", &json!({"username": "weakling", "password": "123"})).await.assert_status(422);
    let me = app.account_id("anquan").await;
    anquan.post_json(&format!("/accounts/{me}/roles"), &json!({"role": "org_admin", "org_id": own})).await.assert_status(409);
    let shenji = app.account_id("shenji").await;
    anquan.post_json(&format!("/accounts/{shenji}/roles"), &json!({"role": "system_admin", "org_id": app.org_id(ROOT).await})).await.assert_status(409);
    // A cookie write without the CSRF token.
    let r = Resp::from(zuzhi.client.patch(zuzhi.url(&format!("/orgs/{own}"))).json(&json!({"note": "x"})).send().await.expect("patch")).await;
    assert_eq!((r.status, r.code()), (403, "csrf".to_string()));
    // The forced password change holds a new account at the door.
    admin.post_json("/accounts", &json!({"username": "newcomer", "password": "Strong#Pass2026"})).await.assert_status(201);
    let newcomer = app.login("newcomer", "Strong#Pass2026").await;
    newcomer.get(&format!("/orgs/{own}")).await.assert_status(403);

    let rows = log_rows(&app, "refused:").await;
    let has = |user: &str, outcome: &str| rows.iter().any(|r| r["username"] == user && r["outcome"] == outcome);
    for (user, outcome) in [("zuzhi", "duplicate"), ("admin", "weak_password"), ("anquan", "self_grant"), ("anquan", "separation_of_duties"), ("zuzhi", "csrf"), ("newcomer", "password_change_required")] {
        assert!(has(user, outcome), "no refusal row {user}/{outcome}: {rows:#?}");
    }
    assert!(!contains_full_id(&Value::Array(rows).to_string()));
}

#[tokio::test]
async fn a_flood_of_refusals_writes_one_row_per_window_with_the_count() {
    let app = spawn_app_with(|c| {
        c.audit_refusal_window_secs = 1;
        c.audit_checkpoint_secs = 1;
    })
    .await;
    app.demo().await;
    let zuzhi = app.demo_login("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let before = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    let n = 60;
    for _ in 0..n {
        let r = Resp::from(zuzhi.client.patch(zuzhi.url(&format!("/orgs/{own}"))).json(&json!({"note": "x"})).send().await.expect("patch")).await;
        assert_eq!(r.status, 403);
    }
    // Windows of one second: a few rows at most, never one per refusal.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let written = app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE id > {before} AND username = 'zuzhi'")).await;
    assert!((2..=12).contains(&written), "{written} rows for {n} refusals");
    let firsts = app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE id > {before} AND outcome = 'csrf'")).await;
    let repeats: i64 = {
        let rows = log_rows(&app, "refusal.repeated").await;
        rows.iter().map(|r| serde_json::from_str::<Value>(r["detail"].as_str().unwrap_or("{}")).expect("detail")["repeats"].as_i64().unwrap_or(0)).sum()
    };
    assert_eq!(firsts + repeats, n, "every refusal is either written or counted");
}

// --- 6. personal data in URLs ---------------------------------------------------------------

#[tokio::test]
async fn id_and_phone_searches_go_by_post_only() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = id_number("320102", "19790611", 371);
    let m = zuzhi.post_json("/members", &member_body(own, "检索甲", &id, "13912345670")).await.assert_status(201).json()["id"].as_i64().expect("id");
    for q in [id.as_str(), "13912345670"] {
        let r = zuzhi.get(&format!("/members?q={}", urlencode(q))).await.assert_status(400);
        assert_eq!(r.code(), "personal_number_in_url");
        let page = Resp::from(zuzhi.client.get(app.url(&format!("/members?q={}", urlencode(q)))).send().await.expect("page")).await;
        assert_eq!(page.status, 400, "{page:?}");
        assert!(page.text().contains("查询表单"));
        assert_eq!(zuzhi.search(&json!({"q": q})).await["items"][0]["id"], m);
        // The page's form posts, and answers without putting the number in any link.
        let r = Resp::from(
            zuzhi.client.post(app.url("/members/search")).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("_csrf", &zuzhi.csrf), ("q", q)])).send().await.expect("post"),
        )
        .await
        .assert_status(200);
        assert!(r.text().contains("检索甲") && !r.text().contains(&format!("q={}", urlencode(q))));
    }
    let list = Resp::from(zuzhi.client.get(app.url("/members")).send().await.expect("page")).await.assert_status(200).text();
    assert!(list.contains(r#"method="post" action="/members/search""#), "the search form must post");
    // Names still page as links.
    let r = Resp::from(
        zuzhi.client.post(app.url("/members/search")).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("_csrf", &zuzhi.csrf), ("q", "检索甲")])).send().await.expect("post"),
    )
    .await
    .assert_status(303);
    assert!(r.header("location").is_some_and(|l| l.starts_with("/members?")));
}

// --- 7. input hygiene -----------------------------------------------------------------------

#[tokio::test]
async fn invisible_names_overrides_and_oversized_text_are_refused() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let before = zuzhi.members_of(own).await;
    for (i, name) in ["\u{200B}\u{200B}\u{200B}", "\u{3164}\u{3164}", "张\u{202E}三"].iter().enumerate() {
        let r = zuzhi.post_json("/members", &member_body(own, name, &id_number("110105", "19800101", 21 + i as u16), "")).await.assert_status(422);
        assert!(r.json()["errors"].as_array().expect("errors").iter().any(|e| e["field"] == "name"), "{name:?}: {r:?}");
    }
    assert_eq!(zuzhi.members_of(own).await, before);
    // NFC: the decomposed form is stored composed.
    let r = zuzhi.post_json("/members", &member_body(own, "  Jose\u{301} 王 ", &id_number("110105", "19800101", 31), "")).await.assert_status(201);
    assert_eq!(r.json()["name"], "Jos\u{e9} 王");
    let huge = "长".repeat(1 << 20);
    let r = zuzhi.patch_json(&format!("/orgs/{own}"), &json!({"note": huge})).await.assert_status(422);
    assert_eq!(r.json()["errors"][0]["code"], "too_long");
    let r = zuzhi.patch_json(&format!("/orgs/{own}"), &json!({"name": "第一\u{202E}支部"})).await.assert_status(422);
    assert_eq!(r.json()["errors"][0]["code"], "invalid_chars");
    // The page form shows the same refusal beside the field, on the form itself.
    let own_s = own.to_string();
    let id = id_number("110105", "19800101", 41);
    let body = form_body(&[("_csrf", &zuzhi.csrf), ("org_id", &own_s), ("name", "\u{200B}\u{200B}"), ("id_number", &id), ("status", "full"), ("joined_on", "2005-07-01")]);
    let page = Resp::from(zuzhi.client.post(app.url("/members/new")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.expect("post")).await;
    assert_eq!(page.status, 422, "{page:?}");
    assert!(page.text().contains("姓名") && page.text().contains(r#"name="id_number""#), "the form with its message: {page:?}");
}

#[tokio::test]
async fn bad_pages_and_framework_rejections_answer_like_every_other_error() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    for path in ["/members?page=0", "/members?page=abc", "/members?page=-1", "/orgs?page=99999999999", "/members/abc", "/nowhere"] {
        let r = zuzhi.get(path).await;
        assert!(matches!(r.status, 400 | 404), "{path}: {r:?}");
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"), "{path}: {r:?}");
        assert!(!r.code().is_empty(), "{path}: {r:?}");
    }
    assert_eq!(zuzhi.get("/members?page=0").await.code(), "bad_page");
    let r = Resp::from(zuzhi.client.post(zuzhi.url("/members")).bearer_auth(&zuzhi.token).header("content-type", "application/json").body("{not json").send().await.expect("post")).await;
    assert!(matches!(r.status, 400 | 422), "{r:?}");
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    let r = Resp::from(zuzhi.client.post(zuzhi.url("/members")).bearer_auth(&zuzhi.token).body("{}").send().await.expect("post")).await;
    assert_eq!((r.status, r.header("content-type").as_deref()), (415, Some("application/problem+json")), "{r:?}");
    // Pages: a bad page number is a 400 error page, not page 1.
    let page = Resp::from(zuzhi.client.get(app.url("/members?page=0")).send().await.expect("page")).await;
    assert_eq!(page.status, 400);
    assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    let page = Resp::from(zuzhi.client.get(app.url("/audit?page=x")).send().await.expect("page")).await;
    assert!(matches!(page.status, 400 | 403), "{page:?}");
}

#[tokio::test]
async fn a_locked_out_account_shows_as_locked() {
    let app = demo_app().await;
    for _ in 0..5 {
        app.try_login("shuji1", "Wrong@2026").await.assert_status(401);
    }
    let admin = app.demo_login("admin").await;
    let id = app.account_id("shuji1").await;
    let view = admin.get_ok(&format!("/accounts/{id}")).await;
    assert_eq!((view["locked"].clone(), view["locked_out"].clone()), (json!(false), json!(true)), "{view}");
    let page = admin.client.get(app.url("/accounts")).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("暂时锁定"), "the accounts page shows the lockout");
    admin.post_json(&format!("/accounts/{id}/unlock"), &json!({})).await.assert_status(204);
    app.demo_login("shuji1").await;
}

// --- 8. login CSRF and cross-origin writes --------------------------------------------------

#[tokio::test]
async fn writes_from_another_origin_are_refused_login_included() {
    let app = demo_app().await;
    let c = app.client();
    let host = app.addr.to_string();
    let login = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut rb = c.post(app.url("/login")).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("username", "zuzhi"), ("password", DEMO_PASSWORD)]));
        if let Some(o) = origin {
            rb = rb.header("origin", o);
        }
        if let Some(s) = fetch_site {
            rb = rb.header("sec-fetch-site", s);
        }
        async move { Resp::from(rb.send().await.expect("login")).await }
    };
    for (origin, site) in [(Some("http://evil.example"), None), (Some("null"), None), (None, Some("cross-site")), (Some(&*format!("http://{host}.evil.example")), None)] {
        let r = login(origin, site).await;
        assert_eq!(r.status, 403, "{origin:?} {site:?}: {r:?}");
        assert!(r.header("set-cookie").is_none(), "a session was started from another origin");
    }
    let r = login(Some(&format!("http://{host}")), Some("same-origin")).await;
    assert_eq!(r.status, 303, "{r:?}");
    // Behind a proxy that rewrote Host, the original host comes as X-Forwarded-Host.
    let r = Resp::from(
        c.post(app.url("/login")).header("content-type", "application/x-www-form-urlencoded").header("origin", "https://dj.example.gov.cn").header("x-forwarded-host", "dj.example.gov.cn")
            .body(form_body(&[("username", "zuzhi"), ("password", DEMO_PASSWORD)])).send().await.expect("login"),
    )
    .await;
    assert_eq!(r.status, 303, "{r:?}");
    // Every other form too, even with a valid session and token.
    let zuzhi = app.demo_login("zuzhi").await;
    let r = Resp::from(
        zuzhi.client.post(app.url("/logout")).header("origin", "http://evil.example").header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("_csrf", &zuzhi.csrf)])).send().await.expect("post"),
    )
    .await;
    assert_eq!((r.status, r.header("location")), (403, None));
    zuzhi.get("/me").await.assert_status(200);
    assert!(log_rows(&app, "refused:POST /login").await.iter().any(|r| r["outcome"] == "cross_origin"));
}

// --- 9. HSTS --------------------------------------------------------------------------------

#[tokio::test]
async fn hsts_is_sent_when_served_over_tls() {
    let plain = spawn_app().await;
    let r = Resp::from(plain.client().get(plain.url("/login")).send().await.expect("get")).await;
    assert!(r.header("strict-transport-security").is_none());
    let tls = spawn_app_with(|c| c.secure_cookies = true).await;
    let r = Resp::from(tls.client().get(tls.url("/login")).send().await.expect("get")).await;
    assert_eq!(r.header("strict-transport-security").as_deref(), Some("max-age=31536000"));
}
