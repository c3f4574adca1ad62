//! 提醒: reminders written once through a quarter driven by a fake clock, and once under two
//! nodes on one database; email against a local SMTP listener and SMS against a local HTTP
//! stub, both started here; retries with back-off; the bell, the list and mark-read; the
//! delivery page of the organisation administrator.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Days, NaiveDate};
use dangjian::config::Config;
use dangjian_store::notice::{self, NoticeSettings, SmsSettings, SmtpSettings};
use dangjian_store::Store;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::helpers::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Noon of `d` in China, as Unix seconds.
fn noon(d: NaiveDate) -> i64 {
    d.and_hms_opt(4, 0, 0).expect("time").and_utc().timestamp()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

/// The demo writes the reminders of its own day; these tests drive their own calendar.
async fn clear(app: &TestApp) {
    app.exec("DELETE FROM notification_deliveries").await;
    app.exec("DELETE FROM notifications").await;
}

/// An account bound to the 书记 of `code`, with the secretary role there.
async fn secretary_of(app: &TestApp, code: &str, username: &str) -> Api {
    let org = app.org_id(code).await;
    let member = app.scalar(&format!("SELECT member_id FROM posts WHERE org_id = {org} AND post = 'secretary' AND ab_role = 'a' AND ended_on IS NULL")).await;
    let new = dangjian_store::account::NewAccount { username: username.into(), password: DEMO_PASSWORD.into(), member_id: Some(member), no_forced_change: true };
    let a = dangjian_store::account::create(&app.store, &Default::default(), &cli_ctx(), &new).await.expect("account");
    dangjian_store::account::grant(&app.store, &cli_ctx(), a.id, "secretary", org).await.expect("grant");
    app.demo_login(username).await
}

#[tokio::test]
async fn a_quarter_of_reminders_each_written_once() {
    let app = demo_app().await;
    clear(&app).await;
    let shuji1 = app.demo_login("shuji1").await;
    let shuji2 = secretary_of(&app, OTHER_BRANCH, "shuji2").await;
    let (own, other) = (app.org_id(OWN_BRANCH).await, app.org_id(OTHER_BRANCH).await);
    let a1 = app.account_id("shuji1").await;
    let in_window = |d: NaiveDate, due: NaiveDate| d <= due && (due - d).num_days() <= 7;
    // 2027Q2 holds no record yet: every obligation is open, and falls due on its last day.
    let mut d = day(2027, 4, 1);
    let (mut written, mut seen) = (0, 0i64);
    while d <= day(2027, 7, 10) {
        let s = notice::remind(&app.store, d).await.expect("remind");
        written += s.notifications;
        // Nothing falls due before its window opens, and no reminder is late.
        let created = texts3(&app, &format!("SELECT kind, period, due_by FROM notifications WHERE period LIKE '2027%' AND id > {seen}")).await;
        for (kind, period, due_by) in &created {
            let due: NaiveDate = due_by.parse().expect("due_by");
            match kind.as_str() {
                "due_soon" => assert!(in_window(d, due), "{d}: due_soon for {period} due {due}"),
                "overdue" => assert!(d > due && (d - due).num_days() <= 7, "{d}: overdue for {period} due {due}"),
                k => panic!("kind {k}"),
            }
        }
        seen = app.scalar("SELECT COALESCE(MAX(id), 0) FROM notifications").await;
        // The same day again writes nothing.
        assert_eq!(notice::remind(&app.store, d).await.expect("again").notifications, 0, "{d}");
        d = d.checked_add_days(Days::new(1)).expect("next day");
    }
    let of = |acc: i64, extra: &str| format!("SELECT COUNT(*) FROM notifications WHERE account_id = {acc} AND period LIKE '2027%' {extra}");
    // April's monthly obligations: reminded from 23 April, overdue on 1 May.
    let april_due = count(&app, &of(a1, "AND period = '2027-04' AND kind = 'due_soon'")).await;
    assert!(april_due >= 1, "the monthly 主题党日 at least: {april_due}");
    assert_eq!(count(&app, &of(a1, "AND period = '2027-04' AND kind = 'overdue'")).await, april_due, "each unmet one became overdue");
    assert_eq!(count(&app, &of(a1, "AND period = '2027Q2' AND kind = 'overdue'")).await, count(&app, &of(a1, "AND period = '2027Q2' AND kind = 'due_soon'")).await);
    assert!(count(&app, &of(a1, "AND period = '2027Q2'")).await >= 2, "the quarter's meetings");
    let total = count(&app, "SELECT COUNT(*) FROM notifications WHERE period LIKE '2027%'").await;
    assert_eq!(total as u64, written);
    // A second walk through the quarter writes nothing.
    let mut again = 0;
    let mut d = day(2027, 4, 1);
    while d <= day(2027, 7, 10) {
        again += notice::remind(&app.store, d).await.expect("remind").notifications;
        d = d.checked_add_days(Days::new(7)).expect("next week");
    }
    assert_eq!(again, 0);
    // Each secretary is reminded of their own branch only, and sees only their own.
    let a2 = app.account_id("shuji2").await;
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM notifications WHERE account_id = {a1} AND org_id <> {own}")).await, 0);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM notifications WHERE account_id = {a2} AND org_id <> {other}")).await, 0);
    assert!(count(&app, &of(a2, "")).await > 0);
    let mine = shuji1.get_ok("/notifications?per_page=200").await;
    assert!(mine["items"].as_array().expect("items").iter().all(|n| n["org_id"] == own));
    let theirs = shuji2.get_ok("/notifications?per_page=1").await;
    let their_id = theirs["items"][0]["id"].as_i64().expect("id");
    shuji1.post_json(&format!("/notifications/{their_id}/read"), &json!({})).await.assert_status(404);
    for who in ["dangyuan1", "zuzhi", "admin"] {
        assert_eq!(app.demo_login(who).await.get_ok("/notifications").await["total"], 0, "{who}");
    }
}

async fn texts3(app: &TestApp, sql: &str) -> Vec<(String, String, String)> {
    use dangjian_store::ConnectionTrait;
    let rows = app.store.db.query_all_raw(dangjian_store::dialect::stmt(app.store.backend(), sql, vec![])).await.expect("rows");
    rows.iter().map(|r| (r.try_get_by_index(0).expect("a"), r.try_get_by_index(1).expect("b"), r.try_get_by_index(2).expect("c"))).collect()
}

/// A local SMTP listener speaking just enough of the protocol; every message it accepts is
/// kept as (recipient, data).
struct Smtp {
    port: u16,
    messages: Arc<Mutex<Vec<(String, String)>>>,
}

async fn smtp_listener() -> Smtp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
    let port = listener.local_addr().expect("addr").port();
    let messages: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = messages.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 test ESMTP\r\n").await;
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            kept.lock().expect("lock").push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 test\r\n",
                        "RCPT" => {
                            rcpt = line.clone();
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    Smtp { port, messages }
}

/// What the gateway received: (number, text, secret header) per request it accepted.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

/// A local SMS gateway: answers 500 to the first `fail_first` requests, 200 after; keeps the
/// query and the secret header of each request.
struct Gateway {
    port: u16,
    hits: Arc<AtomicUsize>,
    seen: Seen,
}

async fn sms_gateway(fail_first: usize) -> Gateway {
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    let hits = Arc::new(AtomicUsize::new(0));
    let seen: Seen = Arc::default();
    async fn send(State((hits, seen, fail_first)): State<(Arc<AtomicUsize>, Seen, usize)>, headers: HeaderMap, Query(q): Query<std::collections::HashMap<String, String>>) -> StatusCode {
        let n = hits.fetch_add(1, Ordering::SeqCst);
        if n < fail_first {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        let secret = headers.get("x-gateway-secret").and_then(|v| v.to_str().ok()).map(str::to_string);
        seen.lock().expect("lock").push((q.get("to").cloned().unwrap_or_default(), q.get("msg").cloned().unwrap_or_default(), secret));
        StatusCode::OK
    }
    let router = axum::Router::new().route("/send", axum::routing::get(send)).with_state((hits.clone(), seen.clone(), fail_first));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind gateway");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, router).await.expect("gateway") });
    Gateway { port, hits, seen }
}

fn channels(smtp: Option<u16>, sms: Option<u16>) -> NoticeSettings {
    NoticeSettings {
        days_ahead: 7,
        smtp: smtp.map(|port| SmtpSettings { host: "127.0.0.1".into(), port, from: "党建平台 <dangjian@example.org>".into(), user: None, password: None }),
        sms: sms.map(|port| SmsSettings { url: format!("http://127.0.0.1:{port}/send?to={{phone}}&msg={{text}}"), method: "GET".into(), secret: Some("s3cret".into()), secret_header: "X-Gateway-Secret".into() }),
    }
}

/// Another node on `app`'s database with the same channels.
async fn node_with(app: &TestApp, settings: &NoticeSettings) -> Store {
    let mut cfg: Config = test_config(&app._guard.url);
    cfg.notice = settings.clone();
    dangjian::startup::open_store(&cfg).await.expect("second node")
}

/// The plain phone number of `username`'s member, as the gateway must receive it.
async fn phone_of(app: &TestApp, username: &str) -> String {
    let m = app.member_id_of(username).await;
    dangjian_store::member::reveal(&app.store, &cli_ctx(), m).await.expect("reveal").phone.expect("a phone")
}

#[tokio::test]
async fn two_nodes_write_and_send_each_reminder_once() {
    let (smtp, gw) = (smtp_listener().await, sms_gateway(0).await);
    let settings = channels(Some(smtp.port), Some(gw.port));
    let app = spawn_app_with(|c| c.notice = settings.clone()).await;
    app.demo().await;
    clear(&app).await;
    let shuji1 = app.demo_login("shuji1").await;
    shuji1.request("PUT", "/notifications/contact", Some(&json!({"email": "shuji1@example.org"}))).await.assert_status(200);
    let other = node_with(&app, &settings).await;
    let d = day(2027, 4, 28);
    let (a, b) = tokio::join!(notice::remind(&app.store, d), notice::remind(&other, d));
    let (a, b) = (a.expect("node a"), b.expect("node b"));
    let written = count(&app, "SELECT COUNT(*) FROM notifications").await;
    assert!(written >= 2, "{written}");
    assert_eq!((a.notifications + b.notifications) as i64, written, "each reminder written by one node");
    let deliveries = count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel <> 'in_app'").await;
    assert_eq!(deliveries, 2 * written, "one email and one SMS each");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel = 'in_app' AND status = 'sent'").await, written, "in the bell at once");
    let now = noon(d);
    let (a, b) = tokio::join!(notice::deliver(&app.store, now), notice::deliver(&other, now));
    let (a, b) = (a.expect("deliver a"), b.expect("deliver b"));
    assert_eq!((a.sent + b.sent) as i64, deliveries, "{a:?} {b:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel <> 'in_app' AND status = 'sent' AND attempts = 1").await, deliveries);
    let mails = smtp.messages.lock().expect("lock").clone();
    assert_eq!(mails.len() as i64, written, "each email once");
    assert!(mails.iter().all(|(rcpt, _)| rcpt.contains("shuji1@example.org")));
    let seen = gw.seen.lock().expect("lock").clone();
    assert_eq!(seen.len() as i64, written, "each SMS once");
    let phone = phone_of(&app, "shuji1").await;
    assert!(seen.iter().all(|(to, msg, secret)| to == &phone && msg.starts_with("【组织生活提醒】") && secret.as_deref() == Some("s3cret")), "{seen:?}");
    let mut texts: Vec<&String> = seen.iter().map(|s| &s.1).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len() as i64, written, "no text twice");
    // The email carries the same text (the body is transfer-encoded: its subject line is enough).
    assert!(mails[0].1.contains("Subject:"), "{}", mails[0].1);
    // Nothing is left to send, on either node, later on.
    assert_eq!(notice::deliver(&other, now + 86_400).await.expect("later").sent, 0);
    assert_eq!(notice::deliver(&app.store, now + 86_400).await.expect("later").sent, 0);
}

#[tokio::test]
async fn a_failed_sms_is_retried_with_back_off_and_the_administrator_sees_it() {
    let gw = sms_gateway(1).await;
    let settings = channels(None, Some(gw.port));
    let app = spawn_app_with(|c| c.notice = settings.clone()).await;
    app.demo().await;
    clear(&app).await;
    let d = day(2027, 4, 28);
    notice::remind(&app.store, d).await.expect("remind");
    let deliveries = count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel = 'sms'").await;
    assert!(deliveries >= 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel = 'email'").await, 0, "no SMTP configured");
    let now = noon(d);
    let first = notice::deliver(&app.store, now).await.expect("deliver");
    assert_eq!((first.failed, first.sent), (1, deliveries as u64 - 1));
    let failed = count(&app, &format!("SELECT COUNT(*) FROM notification_deliveries WHERE status = 'failed' AND attempts = 1 AND next_attempt_at = {} AND last_error LIKE '%500%'", now + 60)).await;
    assert_eq!(failed, 1, "retried a minute later");
    // Not before its time.
    assert_eq!(notice::deliver(&app.store, now + 59).await.expect("early").sent, 0);
    let retry = notice::deliver(&app.store, now + 60).await.expect("retry");
    assert_eq!(retry.sent, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel = 'sms' AND status = 'sent'").await, deliveries);
    assert_eq!(count(&app, "SELECT MAX(attempts) FROM notification_deliveries").await, 2);
    assert_eq!(gw.hits.load(Ordering::SeqCst) as i64, deliveries + 1);

    // The organisation administrator sees each delivery's state; others do not.
    let own = app.org_id(OWN_BRANCH).await;
    let view = app.demo_login("zuzhi").await.get_ok(&format!("/notifications/deliveries?org={own}")).await;
    let items = view["items"].as_array().expect("items");
    assert_eq!(items.len() as i64, deliveries);
    let sms = |n: &serde_json::Value| n["deliveries"].as_array().expect("deliveries").iter().find(|d| d["channel"] == "sms").cloned().expect("an SMS delivery");
    assert!(items.iter().all(|n| n["username"] == "shuji1" && sms(n)["status"] == "sent" && sms(n)["address"].as_str().is_some_and(|a| a.contains("****"))), "{view}");
    assert!(items.iter().any(|n| sms(n)["attempts"] == 2));
    let zuzhi = app.demo_login("zuzhi").await;
    let page = zuzhi.client.get(app.url(&format!("/notifications/deliveries?org={own}"))).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("已发送") && html.contains("尝试 2 次"), "{html}");
    app.demo_login("shuji1").await.get(&format!("/notifications/deliveries?org={own}")).await.assert_status(403);
    app.demo_login("zuzhi").await.get("/notifications/deliveries").await.assert_status(422);
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let app = spawn_app_with(|c| c.notice = channels(None, Some(closed))).await;
    app.demo().await;
    clear(&app).await;
    let d = day(2027, 4, 28);
    notice::remind(&app.store, d).await.expect("remind");
    let n = count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE channel = 'sms'").await;
    let mut now = noon(d);
    for attempt in 1..=dangjian_domain::notice::MAX_ATTEMPTS {
        let s = notice::deliver(&app.store, now).await.expect("deliver");
        assert_eq!(s.failed + s.gave_up, n as u64, "attempt {attempt}");
        now = count(&app, "SELECT MAX(next_attempt_at) FROM notification_deliveries").await;
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE status = 'gave_up'").await, n);
    assert_eq!(notice::deliver(&app.store, now + 86_400).await.expect("after").failed, 0, "no further attempt");
}

#[tokio::test]
async fn the_bell_counts_unread_reminders_on_every_page() {
    let app = demo_app().await;
    clear(&app).await;
    let shuji1 = app.demo_login("shuji1").await;
    let page = |path: &str| {
        let rb = shuji1.client.get(app.url(path));
        async move { Resp::from(rb.send().await.expect("page")).await }
    };
    assert!(!page("/").await.assert_status(200).text().contains("class=\"badge\""), "no badge without reminders");
    notice::remind(&app.store, day(2027, 4, 28)).await.expect("remind");
    let n = shuji1.get_ok("/notifications/unread").await["unread"].as_i64().expect("unread");
    assert!(n >= 2);
    for path in ["/", "/notifications", "/password"] {
        let html = page(path).await.assert_status(200).text();
        assert!(html.contains(&format!("title=\"未读提醒\">{n}</span>")), "{path}: {html}");
    }
    let list = shuji1.get_ok("/notifications?unread=true").await;
    assert_eq!((list["total"].as_i64(), list["unread"].as_i64()), (Some(n), Some(n)));
    let first = list["items"][0]["id"].as_i64().expect("id");
    assert!(list["items"][0]["body"].as_str().is_some_and(|b| b.starts_with("【组织生活提醒】")));
    // Mark one read on the page, with the form's token; without it nothing happens.
    let post = |path: String, token: Option<&str>| {
        let body = token.map(|t| form_body(&[("_csrf", t)])).unwrap_or_default();
        let rb = shuji1.client.post(app.url(&path)).header("content-type", "application/x-www-form-urlencoded").body(body);
        async move { Resp::from(rb.send().await.expect("post")).await }
    };
    assert_eq!(post(format!("/notifications/{first}/read"), None).await.status, 403);
    assert_eq!(shuji1.get_ok("/notifications/unread").await["unread"], n);
    post(format!("/notifications/{first}/read"), Some(&shuji1.csrf)).await.assert_status(303);
    assert_eq!(shuji1.get_ok("/notifications/unread").await["unread"], n - 1);
    assert!(page("/").await.text().contains(&format!("title=\"未读提醒\">{}</span>", n - 1)));
    // Through the API: all at once.
    let all = shuji1.post_json("/notifications/read-all", &json!({})).await.assert_status(200).json();
    assert_eq!((all["marked"].as_i64(), all["unread"].as_i64()), (Some(n - 1), Some(0)));
    assert!(!page("/").await.text().contains("class=\"badge\""));
    assert_eq!(shuji1.get_ok("/notifications?unread=true").await["total"], 0);
    assert_eq!(shuji1.get_ok("/notifications").await["total"], n);
    // The email form refuses what is not an address, beside the field.
    assert_eq!(shuji1.request("PUT", "/notifications/contact", Some(&json!({"email": "不是邮箱"}))).await.assert_status(422).code(), "invalid_email");
    // Past 99 the bell says 99+, and the count stops at the cap.
    let (account, org) = (app.account_id("shuji1").await, app.org_id(OWN_BRANCH).await);
    for i in 0..120 {
        app.exec(&format!("INSERT INTO notifications (tenant_id, account_id, org_id, kind, obligation_kind, period, due_by, title, body, created_at) VALUES (1, {account}, {org}, 'due_soon', 'theme_day', '{}', '2030-01-31', 't', 'b', 0)", 2100 + i)).await;
    }
    assert_eq!(shuji1.get_ok("/notifications/unread").await["unread"], notice::BELL_CAP);
    assert!(page("/").await.text().contains("title=\"未读提醒\">99+</span>"));
}

#[tokio::test]
async fn the_endpoints_are_in_the_openapi_document() {
    let (_app, api) = demo_api("shuji1").await;
    let doc = api.get_ok("/openapi.json").await;
    for path in ["/notifications", "/notifications/unread", "/notifications/{id}/read", "/notifications/read-all", "/notifications/contact", "/notifications/deliveries"] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test]
async fn a_mistake_in_the_channels_is_refused_at_startup_naming_the_key() {
    let db = TestDb::new().await;
    for (settings, key) in [
        (NoticeSettings { sms: Some(SmsSettings { url: "https://gw/send?to={phone}&msg={text}".into(), method: "GET".into(), secret: None, secret_header: "X".into() }), ..Default::default() }, "notice.sms.url"),
        (NoticeSettings { sms: Some(SmsSettings { url: "http://gw/send?to={phone}".into(), method: "GET".into(), secret: None, secret_header: "X".into() }), ..Default::default() }, "notice.sms.url"),
        (NoticeSettings { sms: Some(SmsSettings { url: "http://gw/?a={phone}&b={text}".into(), method: "PUT".into(), secret: None, secret_header: "X".into() }), ..Default::default() }, "notice.sms.method"),
        (NoticeSettings { smtp: Some(SmtpSettings { host: "127.0.0.1".into(), port: 25, from: "不是地址".into(), user: None, password: None }), ..Default::default() }, "notice.smtp.from"),
        (NoticeSettings { smtp: Some(SmtpSettings { host: "127.0.0.1".into(), port: 25, from: "a@example.org".into(), user: Some("u".into()), password: None }), ..Default::default() }, "notice.smtp.user"),
        (NoticeSettings { days_ahead: 0, ..Default::default() }, "notice.days_ahead"),
    ] {
        let mut cfg = test_config(&db.url);
        cfg.notice = settings;
        let e = dangjian::startup::open_store(&cfg).await.expect_err(key);
        assert!(e.contains(key), "{key}: {e}");
    }
}
