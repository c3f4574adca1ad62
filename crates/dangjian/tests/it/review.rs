//! 述职评议: one vote per voter, refused a second time by the database's key; the secretary
//! reviewed does not vote; the tally only after the close; anonymity — no table, API answer, page
//! or audit export links a voter to what they chose; the satisfaction rate scores the assessment.

use chrono::Datelike;
use dangjian_store::{dialect, ConnectionTrait, DbBackend};
use serde_json::{json, Value};

use crate::helpers::*;

/// The demo's open round of the own branch (this year's).
async fn open_round(app: &TestApp) -> i64 {
    let own = app.org_id(OWN_BRANCH).await;
    app.scalar(&format!("SELECT MAX(id) FROM review_rounds WHERE org_id = {own}")).await
}

fn next_week() -> String {
    (dangjian_domain::time::today_cst() + chrono::Days::new(7)).format("%Y-%m-%d").to_string()
}

async fn vote(api: &Api, round: i64, choice: &str) -> Resp {
    api.post_json(&format!("/reviews/{round}/votes"), &json!({"choice": choice})).await
}

#[tokio::test]
async fn a_member_votes_once_the_secretary_not_at_all_and_the_tally_comes_after_the_close() {
    let (app, member) = demo_api("dangyuan1").await;
    let shuji = app.demo_login("shuji1").await;
    let zuzhi = app.demo_login("zuzhi").await;
    let round = open_round(&app).await;

    // The round waits on the member's home page and in their ballots.
    let ballots = member.get_ok("/reviews/ballots").await;
    assert_eq!(ballots.as_array().expect("list").iter().map(|b| b["id"].as_i64().expect("id")).collect::<Vec<_>>(), vec![round]);
    let home = member.send(member.client.get(app.url("/"))).await.assert_status(200).text();
    assert!(home.contains("待您评议的述职") && home.contains(&format!("/reviews/{round}")), "{home}");

    let r = vote(&member, round, "不满意").await.assert_status(200).json();
    assert_eq!((r["voted"].as_bool(), r["may_vote"].as_bool()), (Some(true), Some(false)));
    assert!(r["tally"].is_null(), "no tally while voting runs: {r}");
    assert_eq!(r["votes"], 3, "two demo members had voted");
    // Twice: refused, whatever the choice, and nothing is counted.
    let again = vote(&member, round, "satisfied").await.assert_status(409);
    assert_eq!(again.code(), "already_voted");
    assert!(again.json()["detail"].as_str().unwrap_or_default().contains("每人只能投一票"), "{again:?}");
    assert!(member.get_ok("/reviews/ballots").await.as_array().expect("list").is_empty(), "voted: off the list");
    // The secretary reviewed does not vote on themself; nobody may send a fourth choice.
    let own = vote(&shuji, round, "satisfied").await.assert_status(422);
    assert_eq!(own.json()["errors"][0]["code"], "own_review");
    assert_eq!(vote(&zuzhi, round, "弃权").await.assert_status(422).json()["errors"][0]["field"], "choice");
    vote(&zuzhi, round, "basically_satisfied").await.assert_status(200);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM review_voters WHERE round_id = {round}")).await, 4);

    // A second vote forced past the application is refused by the database's key.
    let dangyuan1 = app.account_id("dangyuan1").await;
    let sql = format!("INSERT INTO review_voters (tenant_id, round_id, account_id) VALUES (1, {round}, {dangyuan1})");
    assert!(dialect::exec(&app.store.db, &sql, vec![]).await.is_err(), "the key refuses a second row");

    // The secretary closes voting; the tally and the rates from then on, and no more votes.
    let r = shuji.post_json(&format!("/reviews/{round}/close"), &json!({})).await.assert_status(200).json();
    assert_eq!(r["status"], "closed");
    assert_eq!(r["tally"], json!({"satisfied": 1, "basically_satisfied": 2, "dissatisfied": 1}));
    assert_eq!((r["satisfaction_permille"].as_i64(), r["satisfied_permille"].as_i64()), (Some(750), Some(250)));
    let late = vote(&app.demo_login("dangyuan2").await, round, "satisfied").await.assert_status(422);
    assert_eq!(late.json()["errors"][0]["code"], "closed");
    let page = shuji.send(shuji.client.get(app.url(&format!("/reviews/{round}")))).await.assert_status(200).text();
    assert!(page.contains("计票结果") && page.contains("75.0%"), "{page}");
}

#[tokio::test]
async fn a_round_is_opened_for_the_secretary_from_the_posts_and_bad_input_is_named() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let year = dangjian_domain::time::today_cst().year();
    let bad = shuji.post_json("/reviews", &json!({"org_id": own, "period": format!("{}", year + 1), "report": " ", "closes_at": "昨天"})).await.assert_status(422);
    let body = bad.json();
    let fields: Vec<&str> = body["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().unwrap_or_default()).collect();
    assert_eq!(fields, ["period", "report", "closes_at"], "{bad:?}");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM review_rounds WHERE org_id = {own}")).await, 2, "nothing written");
    let r = shuji.post_json("/reviews", &json!({"org_id": own, "period": format!("{year}Q1"), "report": "第一季度述职", "closes_at": next_week()})).await.assert_status(201).json();
    let secretary = app.member_id_of("shuji1").await;
    assert_eq!(r["secretary_member_id"], secretary, "the 第一责任人 from the posts");
    assert_eq!(r["secretary_basis"], "书记（A角）");
    let twice = shuji.post_json("/reviews", &json!({"org_id": own, "period": format!("{year}Q1"), "report": "再次述职", "closes_at": next_week()})).await.assert_status(409);
    assert!(twice.json()["detail"].as_str().unwrap_or_default().contains("已经开展"), "{twice:?}");
    // The page form comes back with the message beside its field.
    let r = shuji
        .send(shuji.client.post(app.url(&format!("/reviews/new?org={own}"))).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("_csrf", &shuji.csrf), ("period", "2026-W01"), ("report", "x"), ("closes_at", &next_week())])))
        .await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text().contains("述职期间"), "{r:?}");
}

/// Every column of every table: (table, column).
async fn columns(app: &TestApp) -> Vec<(String, String)> {
    let sql = if app.store.backend() == DbBackend::Postgres {
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name"
    } else {
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.name"
    };
    let rows = app.store.db.query_all_raw(dialect::stmt(app.store.backend(), sql, vec![])).await.expect(sql);
    rows.iter().map(|r| (r.try_get_by_index::<String>(0).expect("table"), r.try_get_by_index::<String>(1).expect("column"))).collect()
}

/// For every column of every table, how many rows hold something that names a choice (its code
/// or its label) — before and after the votes, these must be the same.
async fn choice_traces(app: &TestApp, cols: &[(String, String)]) -> Vec<(String, String, i64)> {
    let mut out = Vec::new();
    for (t, c) in cols {
        let sql = format!("SELECT COUNT(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE '%satisfied%' OR CAST(\"{c}\" AS TEXT) LIKE '%满意%'");
        out.push((t.clone(), c.clone(), app.scalar(&sql).await));
    }
    out
}

/// The round's row as text, column by column, without its three counters.
async fn round_row(app: &TestApp, round: i64, cols: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, c) in cols.iter().filter(|(t, c)| t == "review_rounds" && !["satisfied", "basically_satisfied", "dissatisfied"].contains(&c.as_str())) {
        out.push(app.text(&format!("SELECT CAST(\"{c}\" AS TEXT) FROM review_rounds WHERE id = {round}")).await);
    }
    out
}

#[tokio::test]
async fn no_table_answer_page_or_audit_export_links_a_voter_to_a_vote() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let year = dangjian_domain::time::today_cst().year();
    let round = shuji.post_json("/reviews", &json!({"org_id": own, "period": format!("{year}H1"), "report": "上半年述职：落实三会一课，开展谈心谈话。", "closes_at": next_week()})).await.assert_status(201).json()["id"].as_i64().expect("id");
    let cols = columns(&app).await;
    let before = choice_traces(&app, &cols).await;
    let row_before = round_row(&app, round, &cols).await;

    let voters = [("dangyuan1", "satisfied"), ("zuzhi", "dissatisfied"), ("dangyuan2", "basically_satisfied")];
    let mut apis = Vec::new();
    for (user, choice) in voters {
        let api = app.demo_login(user).await;
        vote(&api, round, choice).await.assert_status(200);
        apis.push(api);
    }

    // No value anywhere in the database names a choice that was not there before the votes: a
    // choice exists only as a counter going up, and no row holds a voter with a choice.
    let after = choice_traces(&app, &cols).await;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b.2 != a.2).map(|(b, a)| format!("{}.{}: {} → {}", b.0, b.1, b.2, a.2)).collect();
    assert!(changed.is_empty(), "a vote left its choice in: {changed:?}");
    // Who voted holds the round and the account only: no choice, no time, no id to order it by.
    let voter_cols: Vec<&str> = cols.iter().filter(|(t, _)| t == "review_voters").map(|(_, c)| c.as_str()).collect();
    assert_eq!(voter_cols, ["account_id", "round_id", "tenant_id"]);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM review_voters WHERE round_id = {round}")).await, 3);
    // The counters are the only change to the round: nothing in its row names a voter or a time.
    assert_eq!(round_row(&app, round, &cols).await, row_before);
    // The choice columns are the round's counters and nowhere else.
    let counter_tables: Vec<&str> = cols.iter().filter(|(_, c)| ["satisfied", "basically_satisfied", "dissatisfied", "choice"].contains(&c.as_str())).map(|(t, _)| t.as_str()).collect();
    assert!(counter_tables.iter().all(|t| *t == "review_rounds"), "{counter_tables:?}");

    // The API: the round says whether the caller voted, never what, and names no voter.
    let fields = |v: &Value| v.as_object().expect("object").keys().cloned().collect::<Vec<_>>();
    let expected = [
        "closes_at", "id", "may_close", "may_vote", "opens_at", "org_id", "org_name", "period", "report", "satisfaction_permille", "satisfied_permille", "secretary_basis",
        "secretary_member_id", "secretary_name", "status", "tally", "vote_refusal", "voted", "votes",
    ];
    for api in &apis {
        let r = api.get_ok(&format!("/reviews/{round}")).await;
        assert_eq!(fields(&r), expected, "{r}");
        assert!(r["tally"].is_null() && r["voted"] == true, "{r}");
        // The voter's page: that they voted, no choice anywhere on it while voting runs.
        let page = api.send(api.client.get(app.url(&format!("/reviews/{round}")))).await.assert_status(200).text();
        assert!(page.contains("您已投票") && !page.contains("满意"), "{page}");
    }
    let closed = shuji.post_json(&format!("/reviews/{round}/close"), &json!({})).await.assert_status(200).json();
    assert_eq!(fields(&closed), expected);
    assert_eq!(closed["tally"], json!({"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1}));
    let listed = shuji.get_ok(&format!("/reviews?org={own}")).await;
    let text = listed.to_string();
    for (user, _) in voters {
        assert!(!text.contains(user), "the list names a voter: {user}");
    }
    let page = shuji.send(shuji.client.get(app.url(&format!("/reviews/{round}")))).await.assert_status(200).text();
    for (user, _) in voters {
        assert!(!page.contains(user), "the page names a voter: {user}");
    }

    // The audit export: each vote is there as "voted in the round", with no choice.
    let audit = app.demo_login("shenji").await.get_ok("/audit?action=review.vote&per_page=200").await;
    let votes: Vec<&Value> = audit["items"].as_array().expect("items").iter().filter(|i| i["object"] == format!("review_round:{round}")).collect();
    assert_eq!(votes.len(), 3, "{audit}");
    for v in votes {
        let t = v.to_string();
        assert!(!t.contains("satisfied") && !t.contains("满意") && !t.contains("choice"), "{t}");
    }
}

#[tokio::test]
async fn the_satisfaction_rate_scores_the_secretarys_assessment() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let own = app.org_id(OWN_BRANCH).await;
    let peer = app.org_id("SZJGGW-A01-B2").await;
    let scheme = json!({"org_id": a01, "name": "书记述职评议", "scale": 100, "period_kind": "year", "indicators": [{"name": "述职评议满意度", "points": "40", "method": "computed", "rule": "review_satisfaction"}, {"name": "工作实绩", "points": "60", "method": "scored"}]});
    let scheme = zuzhi.post_json("/assessment-schemes", &scheme).await.assert_status(201).json()["id"].as_i64().expect("id");
    let last_year = (dangjian_domain::time::today_cst().year() - 1).to_string();
    let id = zuzhi.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": a01, "period": last_year})).await.assert_status(201).json()["id"].as_i64().expect("id");

    // The demo's closed round of last year, counted by hand from the API's tally.
    let round = app.scalar(&format!("SELECT MIN(id) FROM review_rounds WHERE org_id = {own}")).await;
    let t = zuzhi.get_ok(&format!("/reviews/{round}")).await["tally"].clone();
    let (s, b, d) = (t["satisfied"].as_i64().expect("n"), t["basically_satisfied"].as_i64().expect("n"), t["dissatisfied"].as_i64().expect("n"));
    assert_eq!((s, b, d), (4, 1, 1), "the demo's votes");
    let line = |d: &Value| d["lines"].as_array().expect("lines").iter().find(|l| l["code"] == "1").cloned().expect("line 1");
    let mine = line(&zuzhi.get_ok(&format!("/assessments/{id}/scores/{own}")).await);
    assert_eq!(mine["basis"]["due"], s + b + d);
    assert_eq!(mine["basis"]["done"], s + b);
    assert_eq!(mine["basis"]["review"]["rounds"], 1);
    let expected = (40.0 * (s + b) as f64 / (s + b + d) as f64 * 100.0).round() / 100.0;
    assert!((mine["score"].as_f64().expect("score") - expected).abs() < 0.011, "{mine} vs {expected}");
    // A branch without a closed round scores nothing, and the page says why.
    let theirs = line(&zuzhi.get_ok(&format!("/assessments/{id}/scores/{peer}")).await);
    assert_eq!((theirs["score"].as_f64(), theirs["basis"]["review"]["rounds"].as_i64()), (Some(0.0), Some(0)));
    // The secretary's view of why: the tally behind the points.
    let page = zuzhi.send(zuzhi.client.get(app.url(&format!("/assessments/{id}/orgs/{own}")))).await;
    assert!(page.text().contains("述职评议1轮：满意 4 票、基本满意 1 票、不满意 1 票"), "{page:?}");
}

#[tokio::test]
async fn a_member_votes_with_one_tap_on_the_page() {
    let (app, member) = demo_api("dangyuan1").await;
    let round = open_round(&app).await;
    let page = member.send(member.client.get(app.url(&format!("/reviews/{round}")))).await.assert_status(200).text();
    for choice in ["satisfied", "basically_satisfied", "dissatisfied"] {
        assert!(page.contains(&format!("name=\"choice\" value=\"{choice}\"")), "a button for {choice}: {page}");
    }
    let tap = |choice: &'static str| {
        let rb = member.client.post(app.url(&format!("/reviews/{round}/vote"))).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("_csrf", &member.csrf), ("choice", choice)]));
        member.send(rb)
    };
    let r = tap("basically_satisfied").await;
    assert_eq!((r.status, r.header("location").as_deref()), (303, Some(format!("/reviews/{round}").as_str())), "{r:?}");
    let page = member.send(member.client.get(app.url(&format!("/reviews/{round}")))).await.assert_status(200).text();
    assert!(page.contains("您已投票") && !page.contains("name=\"choice\""), "no buttons once voted: {page}");
    // A second tap (another tab, the back button): the page again with the reason, nothing counted.
    let again = tap("satisfied").await;
    assert_eq!(again.status, 409, "{again:?}");
    assert!(again.text().contains("每人只能投一票"), "{again:?}");
    assert_eq!(app.scalar(&format!("SELECT satisfied + basically_satisfied + dissatisfied FROM review_rounds WHERE id = {round}")).await, 3);
}
