//! 考核评价: a scheme of scored and computed indicators run end to end through HTTP; a computed
//! indicator against a hand count of the demo's records; ties, tier edges, an upheld objection
//! that re-ranks, the objection window's last day; a running assessment keeps its version when
//! the scheme is edited; who sees and writes what.

use chrono::{Datelike, Months, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::*;

fn messages(r: &Resp) -> String {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["message"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>().join("；")).unwrap_or_default()
}

fn fields(r: &Resp) -> Vec<String> {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

/// A scheme of both kinds: 组织生活 computed from the records, 工作实绩 scored.
fn mixed(name: &str, period_kind: &str) -> Value {
    json!({
        "name": name, "scale": 100, "period_kind": period_kind,
        "indicators": [
            {"name": "组织生活", "points": "50", "children": [
                {"name": "主题党日", "points": "30", "method": "computed", "rule": "obligations_on_time", "kind": "theme_day"},
                {"name": "参会率", "points": "20", "method": "computed", "rule": "attendance_rate"}
            ]},
            {"name": "工作实绩", "points": "50", "children": [
                {"name": "党建品牌", "points": "30", "method": "scored", "guide": "有品牌、有载体、有成效"},
                {"name": "为民服务", "points": "20", "method": "scored"}
            ]}
        ]
    })
}

/// One indicator of 100 points, scored: totals are exactly what the assessor gives.
fn scored_only(name: &str) -> Value {
    json!({"name": name, "scale": 100, "period_kind": "year", "objection_days": 7, "indicators": [{"name": "综合评价", "points": "100", "method": "scored"}]})
}

async fn create_scheme(api: &Api, org: i64, body: &Value) -> i64 {
    let mut b = body.clone();
    b["org_id"] = json!(org);
    api.post_json("/assessment-schemes", &b).await.assert_status(201).json()["id"].as_i64().expect("id")
}

async fn start(api: &Api, scheme: i64, org: i64, period: &str) -> Value {
    api.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": org, "period": period})).await.assert_status(201).json()
}

async fn stage(api: &Api, id: i64, to: &str) -> Resp {
    api.post_json(&format!("/assessments/{id}/stage"), &json!({"stage": to})).await
}

async fn put(api: &Api, path: &str, body: &Value) -> Resp {
    api.request("PUT", path, Some(body)).await
}

/// The four branches of SZJGGW-A01 (the own branch first).
async fn a01_branches(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for b in 1..=4 {
        out.push(app.org_id(&format!("SZJGGW-A01-B{b}")).await);
    }
    out
}

fn row_of<'a>(results: &'a Value, org: i64) -> &'a Value {
    results["items"].as_array().expect("items").iter().find(|r| r["org_id"] == org).unwrap_or_else(|| panic!("no result for {org}: {results}"))
}

fn line<'a>(detail: &'a Value, code: &str) -> &'a Value {
    detail["lines"].as_array().expect("lines").iter().find(|l| l["code"] == code).unwrap_or_else(|| panic!("no line {code}"))
}

fn last_half() -> String {
    format!("{}H2", chrono::Utc::now().year() - 1)
}

#[tokio::test]
async fn a_scheme_of_both_kinds_runs_end_to_end() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let branches = a01_branches(&app).await;
    let own = branches[0];

    // Points that do not add up are named, and nothing is written.
    let mut bad = mixed("不平衡的方案", "half");
    bad["indicators"][1]["children"][1]["points"] = json!("15");
    bad["org_id"] = json!(a01);
    let before = app.scalar("SELECT COUNT(*) FROM assessment_schemes").await;
    let r = zuzhi.post_json("/assessment-schemes", &bad).await.assert_status(422);
    assert!(messages(&r).contains("“2 工作实绩”的下级分值合计45分，与该项分值50分不符"), "{r:?}");
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM assessment_schemes").await, before);
    // A secretary defines no scheme.
    let mut ok = mixed("机关党委半年考核", "half");
    ok["org_id"] = json!(own);
    shuji.post_json("/assessment-schemes", &ok).await.assert_status(403);

    let scheme = create_scheme(&zuzhi, a01, &mixed("机关党委半年考核", "half")).await;
    // A period of another length than the scheme's is refused, naming the field.
    let r = zuzhi.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": a01, "period": "2025"})).await.assert_status(422);
    assert_eq!(fields(&r), ["period"]);
    let a = start(&zuzhi, scheme, a01, &last_half()).await;
    let id = a["id"].as_i64().expect("id");
    assert_eq!(a["stage"], "self_assessment");
    assert_eq!(a["targets"], 4);

    // 单位自评: the secretary scores their own branch, with a record as evidence; another
    // branch's line does not exist for them.
    let mine = json!({"scores": [{"org_id": own, "indicator": "2.1", "score": "30", "evidence": [{"label": "主题党日记录", "url": "/meetings"}]}]});
    put(&shuji, &format!("/assessments/{id}/self-scores"), &mine).await.assert_status(200);
    let theirs = json!({"scores": [{"org_id": branches[1], "indicator": "2.1", "score": "30"}]});
    put(&shuji, &format!("/assessments/{id}/self-scores"), &theirs).await.assert_status(404);
    // Scoring before its stage writes nothing.
    let all: Vec<Value> = branches.iter().flat_map(|b| [json!({"org_id": b, "indicator": "2.1", "score": "27", "comment": "品牌成效材料不足"}), json!({"org_id": b, "indicator": "2.2", "score": "20"})]).collect();
    let r = put(&zuzhi, &format!("/assessments/{id}/scores"), &json!({"scores": all})).await.assert_status(422);
    assert!(messages(&r).contains("尚未进入“考核评分”阶段"), "{r:?}");
    stage(&zuzhi, id, "scoring").await.assert_status(200);
    // The secretary scores nobody; a computed indicator is the records', not an assessor's.
    put(&shuji, &format!("/assessments/{id}/scores"), &json!({"scores": all})).await.assert_status(403);
    let r = put(&zuzhi, &format!("/assessments/{id}/scores"), &json!({"scores": [{"org_id": own, "indicator": "1.1", "score": "30"}, {"org_id": own, "indicator": "2.1", "score": "20"}]})).await.assert_status(422);
    assert_eq!(fields(&r), ["indicator", "comment"], "{r:?}");
    // Publishing waits for every scored indicator.
    put(&zuzhi, &format!("/assessments/{id}/scores"), &json!({"scores": &all[..2]})).await.assert_status(200);
    stage(&zuzhi, id, "review").await.assert_status(200);
    let r = stage(&zuzhi, id, "published").await.assert_status(422);
    assert!(messages(&r).contains("尚有6项评分指标未评分"), "{r:?}");
    stage(&zuzhi, id, "scoring").await.assert_status(422);

    // Before publishing, the secretary sees the computed scores and their own self-assessment,
    // not the assessors' scores or the rank.
    let d = shuji.get_ok(&format!("/assessments/{id}/scores/{own}")).await;
    assert!(line(&d, "1.1")["score"].is_number(), "{d}");
    assert!(line(&d, "2.1")["score"].is_null(), "{d}");
    assert_eq!(line(&d, "2.1")["self_score"], 30.0);
    assert_eq!(line(&d, "2.1")["self_evidence"][0]["url"], "/meetings");
    assert!(d["result"]["rank"].is_null());

    // Scoring is closed in review: the rest is scored after going back is refused, so the test
    // runs a second assessment of the same scheme through every stage.
    let a = start(&zuzhi, scheme, a01, &format!("{}H1", chrono::Utc::now().year() - 1)).await;
    let id = a["id"].as_i64().expect("id");
    stage(&zuzhi, id, "scoring").await.assert_status(200);
    put(&zuzhi, &format!("/assessments/{id}/scores"), &json!({"scores": all})).await.assert_status(200);
    stage(&zuzhi, id, "review").await.assert_status(200);
    let published = stage(&zuzhi, id, "published").await.assert_status(200).json();
    assert!(published["published_on"].is_string());
    let results = zuzhi.get_ok(&format!("/assessments/{id}/results")).await;
    assert_eq!(results["total"], 4);
    for b in &branches {
        let r = row_of(&results, *b);
        let detail = zuzhi.get_ok(&format!("/assessments/{id}/scores/{b}")).await;
        let sum: f64 = ["1.1", "1.2", "2.1", "2.2"].iter().map(|c| line(&detail, c)["score"].as_f64().expect("scored")).sum();
        assert!((r["total"].as_f64().expect("total") - sum).abs() < 0.005, "the total is the sum of the leaves: {r} {sum}");
        assert_eq!(line(&detail, "2.1")["comment"], "品牌成效材料不足");
        assert_eq!(line(&detail, "2.1")["lost"], 3.0);
        assert_eq!(r["of"], 4);
        assert!(r["tier"].is_string() && r["rank"].is_number());
    }
    // The secretary now sees their own result, rank and tier included, and nobody else's.
    let mine = shuji.get_ok(&format!("/assessments/{id}/results")).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["org_id"], own);
    assert!(mine["items"][0]["rank"].is_number());
    assert!(mine["assessment"]["outcome_counts"].as_array().expect("counts").is_empty(), "the counts are the officer's");
    let counts = zuzhi.get_ok(&format!("/assessments/{id}")).await;
    let tiered: u64 = counts["tier_counts"].as_array().expect("tiers").iter().map(|t| t["count"].as_u64().expect("n")).sum();
    assert_eq!(tiered, 4);
    // Every step is in the audit log.
    for action in ["assessment_scheme.create", "assessment.start", "assessment.self_score", "assessment.score", "assessment.stage"] {
        assert!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await > 0, "{action} not audited");
    }
    // The endpoints are in the OpenAPI document.
    let doc = zuzhi.get_ok("/openapi.json").await;
    for p in ["/assessment-schemes", "/assessments", "/assessments/{id}/scores", "/assessments/{id}/objections", "/assessments/{id}/results", "/assessments/{id}/scores/{org_id}"] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing from the OpenAPI document");
    }
}

/// The months of the demo's published assessment (the second half of last year), as UTC bounds.
fn month_bounds(year: i32, month: u32) -> (i64, i64) {
    let start = NaiveDate::from_ymd_opt(year, month, 1).expect("month");
    let end = start.checked_add_months(Months::new(1)).expect("next");
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp() - 8 * 3600;
    (at(start), at(end))
}

#[tokio::test]
async fn a_computed_indicator_matches_a_hand_count_of_the_demos_records() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = app.scalar("SELECT MIN(id) FROM assessments").await;
    let d = shuji.get_ok(&format!("/assessments/{id}/scores/{own}")).await;
    let year = chrono::Utc::now().year() - 1;

    // 主题党日 monthly (支部条例 art. 16): a month counts when a record of the kind was held in it
    // (a 补开 stands for another month).
    let mut on_time = 0;
    for month in 7..=12 {
        let (from, until) = month_bounds(year, month);
        let held = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM meeting_kinds k JOIN meetings g ON g.id = k.meeting_id WHERE k.org_id = {own} AND k.kind = 'theme_day' AND g.makes_up IS NULL AND k.starts_at >= {from} AND k.starts_at < {until}"
            ))
            .await;
        if held > 0 {
            on_time += 1;
        }
    }
    let theme = line(&d, "1.2");
    assert_eq!(theme["basis"]["due"], 6, "{theme}");
    assert_eq!(theme["basis"]["done"], on_time, "{theme}");
    let expected = (15.0 * f64::from(on_time) / 6.0 * 100.0).round() / 100.0;
    assert!((theme["score"].as_f64().expect("score") - expected).abs() < 0.011, "{theme} vs {expected}");
    assert_eq!(theme["basis"]["missed"].as_array().expect("missed").len(), 6 - on_time as usize, "each month not met on time is listed");

    // 参会率: present ÷ every attendance line of the branch's live records of the half-year.
    let (from, _) = month_bounds(year, 7);
    let (_, until) = month_bounds(year, 12);
    let count = |status: &str| format!("SELECT COUNT(*) FROM meeting_attendance a JOIN meetings g ON g.id = a.meeting_id WHERE g.org_id = {own} AND g.deleted_at IS NULL AND g.starts_at >= {from} AND g.starts_at < {until}{status}");
    let (present, lines) = (app.scalar(&count(" AND a.status = 'present'")).await, app.scalar(&count("")).await);
    assert!(lines > 0, "the demo has attendance in the half-year");
    let rate = line(&d, "1.4");
    assert_eq!(rate["basis"]["due"], lines);
    assert_eq!(rate["basis"]["done"], present);
    let expected = (20.0 * present as f64 / lines as f64 * 100.0).round() / 100.0;
    assert!((rate["score"].as_f64().expect("score") - expected).abs() < 0.011, "{rate} vs {expected}");

    // The demo's published assessment shows ranks, tiers and outcomes, and its upheld objection.
    assert_eq!(d["assessment"]["stage"], "published");
    assert!(d["result"]["rank"].is_number() && d["result"]["tier"].is_string(), "{}", d["result"]);
    let objection = &d["objections"][0];
    assert_eq!(objection["status"], "upheld");
    assert_eq!(line(&d, "2.2")["score"], objection["new_score"]);
}

#[tokio::test]
async fn ties_share_a_rank_tiers_take_their_edges_and_an_upheld_objection_re_ranks() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let b = a01_branches(&app).await;
    let scheme = create_scheme(&zuzhi, a01, &scored_only("综合考核")).await;
    let id = start(&zuzhi, scheme, a01, "2025").await["id"].as_i64().expect("id");
    stage(&zuzhi, id, "scoring").await.assert_status(200);
    let given = [(b[0], "80", "台账不全"), (b[1], "90", "个别活动无记录"), (b[2], "89.99", "材料不全"), (b[3], "89.99", "材料不全")];
    let scores: Vec<Value> = given.iter().map(|(o, s, c)| json!({"org_id": o, "indicator": "1", "score": s, "comment": c})).collect();
    put(&zuzhi, &format!("/assessments/{id}/scores"), &json!({"scores": scores})).await.assert_status(200);
    stage(&zuzhi, id, "review").await.assert_status(200);
    stage(&zuzhi, id, "published").await.assert_status(200);
    let r = zuzhi.get_ok(&format!("/assessments/{id}/results")).await;
    let rank = |r: &Value, o: i64| row_of(r, o)["rank"].as_i64().expect("rank");
    let tier = |r: &Value, o: i64| row_of(r, o)["tier"].as_str().expect("tier").to_string();
    // Competition ranking: 90 → 1, 89.99 and 89.99 → 2, 80 → 4.
    assert_eq!([rank(&r, b[1]), rank(&r, b[2]), rank(&r, b[3]), rank(&r, b[0])], [1, 2, 2, 4]);
    // 优秀 from 90 exactly; 89.99 is 良好; 80 exactly is still 良好.
    assert_eq!([tier(&r, b[1]), tier(&r, b[2]), tier(&r, b[0])], ["优秀", "良好", "良好"]);
    assert_eq!(row_of(&r, b[1])["outcome"], "commendation");
    assert!(row_of(&r, b[0])["outcome"].is_null());

    // 申诉: the secretary objects to their branch's score; the officer upholds it with 95.
    let o = shuji.post_json(&format!("/assessments/{id}/objections"), &json!({"org_id": b[0], "indicator": "1", "reason": "台账已于年底补齐，附后"})).await.assert_status(201).json();
    assert_eq!(o["status"], "pending");
    assert_eq!(o["old_score"], 80.0);
    let oid = o["id"].as_i64().expect("id");
    // Another branch's results cannot be objected to by this secretary.
    shuji.post_json(&format!("/assessments/{id}/objections"), &json!({"org_id": b[1], "indicator": "1", "reason": "x"})).await.assert_status(404);
    // Deciding is the officer's; a reason is required; an upheld one changes the score.
    put(&shuji, &format!("/assessments/{id}/objections/{oid}/decision"), &json!({"decision": "upheld", "score": "95", "reason": "属实"})).await.assert_status(403);
    let r = put(&zuzhi, &format!("/assessments/{id}/objections/{oid}/decision"), &json!({"decision": "upheld", "score": "95"})).await.assert_status(422);
    assert_eq!(fields(&r), ["reason"]);
    let decided = put(&zuzhi, &format!("/assessments/{id}/objections/{oid}/decision"), &json!({"decision": "upheld", "score": "95", "reason": "经核实台账齐全"})).await.assert_status(200).json();
    assert_eq!(decided["status"], "upheld");
    assert_eq!(decided["new_score"], 95.0);
    put(&zuzhi, &format!("/assessments/{id}/objections/{oid}/decision"), &json!({"decision": "rejected", "reason": "再次处理"})).await.assert_status(409);
    let r = zuzhi.get_ok(&format!("/assessments/{id}/results")).await;
    assert_eq!([rank(&r, b[0]), rank(&r, b[1]), rank(&r, b[2]), rank(&r, b[3])], [1, 2, 3, 3]);
    assert_eq!(tier(&r, b[0]), "优秀");
    let counts = zuzhi.get_ok(&format!("/assessments/{id}")).await;
    let commended = counts["outcome_counts"].as_array().expect("counts").iter().find(|c| c["outcome"] == "commendation").expect("commendation")["count"].clone();
    assert_eq!(commended, 2);

    // The window: its last day is still open, the next day is not.
    let published = NaiveDate::parse_from_str(counts["published_on"].as_str().expect("published"), "%Y-%m-%d").expect("date");
    let shift = |days: u64| published.checked_sub_days(chrono::Days::new(days)).expect("day").format("%Y-%m-%d").to_string();
    app.exec(&format!("UPDATE assessments SET published_on = '{}' WHERE id = {id}", shift(7))).await;
    shuji.post_json(&format!("/assessments/{id}/objections"), &json!({"org_id": b[0], "indicator": "1", "reason": "最后一天的申诉"})).await.assert_status(201);
    app.exec(&format!("UPDATE assessments SET published_on = '{}' WHERE id = {id}", shift(8))).await;
    let r = shuji.post_json(&format!("/assessments/{id}/objections"), &json!({"org_id": b[0], "indicator": "1", "reason": "逾期的申诉"})).await.assert_status(422);
    assert!(messages(&r).contains("申诉期已于"), "{r:?}");
}

#[tokio::test]
async fn editing_a_scheme_does_not_change_a_running_assessment() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let scheme = create_scheme(&zuzhi, a01, &mixed("版本测试方案", "half")).await;
    let a = start(&zuzhi, scheme, a01, &last_half()).await;
    let id = a["id"].as_i64().expect("id");
    assert_eq!(a["version"], 1);
    let mut edited = mixed("版本测试方案", "half");
    edited["indicators"][1]["children"][0]["name"] = json!("党建品牌与特色");
    edited["indicators"][1]["children"][0]["points"] = json!("25");
    edited["indicators"][1]["children"][1]["points"] = json!("25");
    let v2 = put(&zuzhi, &format!("/assessment-schemes/{scheme}"), &edited).await.assert_status(200).json();
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["scheme"]["indicators"][1]["children"][0]["name"], "党建品牌与特色");
    let running = zuzhi.get_ok(&format!("/assessments/{id}")).await;
    assert_eq!(running["version"], 1);
    assert_eq!(running["scheme"]["indicators"][1]["children"][0]["name"], "党建品牌");
    assert_eq!(running["scheme"]["indicators"][1]["children"][0]["points"], 30.0);
    // Scores follow the version the assessment runs: 30 points are still allowed on 2.1.
    stage(&zuzhi, id, "scoring").await.assert_status(200);
    put(&zuzhi, &format!("/assessments/{id}/scores"), &json!({"scores": [{"org_id": app.org_id(OWN_BRANCH).await, "indicator": "2.1", "score": "30"}]})).await.assert_status(200);
    // A new assessment takes the new version.
    let next = start(&zuzhi, scheme, a01, &format!("{}H1", chrono::Utc::now().year() - 1)).await;
    assert_eq!(next["version"], 2);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM assessment_scheme_versions WHERE scheme_id = {scheme}")).await, 2);
}

#[tokio::test]
async fn a_secretary_sees_their_own_branch_and_not_another() {
    let (app, shuji) = demo_api("shuji1").await;
    let id = app.scalar("SELECT MIN(id) FROM assessments").await;
    let (own, other) = (app.org_id(OWN_BRANCH).await, app.org_id(OTHER_BRANCH).await);
    shuji.get(&format!("/assessments/{id}/scores/{own}")).await.assert_status(200);
    shuji.get(&format!("/assessments/{id}/scores/{other}")).await.assert_status(404);
    let list = shuji.get_ok("/assessments").await;
    assert!(list.as_array().expect("list").iter().any(|a| a["id"] == id));
    let r = shuji.get_ok(&format!("/assessments/{id}/results")).await;
    assert_eq!(r["total"], 1, "their own branch only");
    // A member sees no assessment; the 三员 neither.
    let dangyuan = app.demo_login("dangyuan1").await;
    dangyuan.get(&format!("/assessments/{id}/scores/{own}")).await.assert_status(404);
    let admin = app.demo_login("admin").await;
    assert_eq!(admin.get(&format!("/assessments/{id}/results")).await.status, 403);

    // The pages: the secretary's "why I lost points" lists each indicator with the records
    // counted; the officer's ranking lists every branch with its tier.
    let page = |user: &'static str, path: String| {
        let app = &app;
        async move {
            let c = app.client();
            c.post(app.api_url("/login")).json(&json!({"username": user, "password": DEMO_PASSWORD})).send().await.expect("login");
            let r = c.get(app.url(&path)).send().await.expect("page");
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    let (status, html) = page("shuji1", format!("/assessments/{id}/orgs/{own}")).await;
    assert_eq!(status, 200, "{html}");
    for text in ["主题党日按月开展", "应开", "党员参加组织生活率", "出席", "申诉成立"] {
        assert!(html.contains(text), "{text} missing from the secretary's page");
    }
    let (status, html) = page("zuzhi", format!("/assessments/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("table class=\"cards\"") && html.contains("td class=\"name\""), "the ranking is a card table");
    let branches = app.scalar(&format!("SELECT COUNT(*) FROM assessment_targets WHERE assessment_id = {id}")).await;
    assert_eq!(html.matches("/orgs/").count() as i64, branches, "every branch is listed");
}

/// A page form, sent with the caller's token and their session's CSRF token.
async fn post_form(api: &Api, app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    api.send(api.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs))).await
}

#[tokio::test]
async fn the_officer_scores_a_branch_and_moves_the_stages_on_the_pages() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let own = app.org_id(OWN_BRANCH).await;
    let scheme = create_scheme(&zuzhi, a01, &mixed("页面评分方案", "half")).await;
    let id = start(&zuzhi, scheme, a01, &last_half()).await["id"].as_i64().expect("id");
    // The stage button, then the branch's scoring form.
    let r = post_form(&zuzhi, &app, &format!("/assessments/{id}/stage"), &[("_csrf", &zuzhi.csrf), ("stage", "scoring")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let path = format!("/assessments/{id}/orgs/{own}/scores");
    // Points taken off without a reason, and a score over the points: the page again, 422, both named.
    let r = post_form(&zuzhi, &app, &path, &[("_csrf", &zuzhi.csrf), ("score:2.1", "25"), ("score:2.2", "21")]).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text().contains("扣了分，请写明扣分理由") && r.text().contains("超过该项分值20分"), "{r:?}");
    let r = post_form(&zuzhi, &app, &path, &[("_csrf", &zuzhi.csrf), ("score:2.1", "25"), ("comment:2.1", "品牌载体不够鲜明"), ("score:2.2", "20")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let d = zuzhi.get_ok(&format!("/assessments/{id}/scores/{own}")).await;
    assert_eq!(line(&d, "2.1")["score"], 25.0);
    assert_eq!(line(&d, "2.1")["comment"], "品牌载体不够鲜明");
    // The secretary has no such form: scoring is refused to them.
    let r = post_form(&shuji, &app, &path, &[("_csrf", &shuji.csrf), ("score:2.1", "30")]).await;
    assert_eq!(r.status, 403, "{r:?}");
}

fn location(r: &Resp) -> String {
    r.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The pages alone: the officer writes a scheme as an outline (a wrong one comes back with every
/// problem named by line), revises it into version 2 and starts an assessment; the secretary
/// enters the self-assessment; after publishing, the secretary objects on the page and the
/// officer upholds it there, and the branch's total moves.
#[tokio::test]
async fn a_scheme_is_written_as_an_outline_and_the_cycle_runs_on_the_pages() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let own = app.org_id(OWN_BRANCH).await;
    let new = format!("/assessment-schemes/new?org={a01}");
    let base = [("_csrf", zuzhi.csrf.as_str()), ("name", "页面方案"), ("scale", "100"), ("period_kind", "year"), ("objection_days", "7"), ("tiers", "")];
    // Too deep a line, and a rule the registry does not have: both named, nothing written.
    let bad = "组织生活 | 40\n      太深 | 40\n工作 | 60 | 学习积分\n";
    let r = post_form(&zuzhi, &app, &new, &[&base[..], &[("indicators", bad)]].concat()).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text().contains("第2行缩进过深"), "{}", r.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM assessment_schemes WHERE name = '页面方案'").await, 0);
    let bad = "组织生活 | 40\n  主题党日 | 40 | 组织生活按期落实 主题党日\n工作 | 50 | 学习积分\n";
    let r = post_form(&zuzhi, &app, &new, &[&base[..], &[("indicators", bad)]].concat()).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("学习积分") && r.text().contains("一级指标分值合计90分"), "{}", r.text());
    let outline = "组织生活 | 40\n  主题党日 | 40 | 组织生活按期落实 主题党日\n工作实绩 | 60 | 评分 | 有载体、有成效\n";
    let r = post_form(&zuzhi, &app, &new, &[&base[..], &[("indicators", outline)]].concat()).await;
    assert_eq!(r.status, 303, "{r:?}");
    let id: i64 = location(&r).rsplit('/').next().and_then(|s| s.parse().ok()).expect("scheme id");
    let v = zuzhi.get_ok(&format!("/assessment-schemes/{id}")).await;
    assert_eq!(v["scheme"]["indicators"][0]["children"][0]["rule"]["kind"], "theme_day");
    // The page shows the outline back; a revision makes version 2.
    let page = Resp::from(zuzhi.client.get(app.url(&format!("/assessment-schemes/{id}"))).send().await.expect("page")).await.assert_status(200).text();
    assert!(page.contains("主题党日 | 40 | 组织生活按期落实 主题党日"), "{page}");
    let revised = outline.replace("工作实绩 | 60 | 评分 | 有载体、有成效", "工作实绩 | 60 | 评分 | 有载体、有成效、有群众评价");
    let r = post_form(&zuzhi, &app, &format!("/assessment-schemes/{id}/revise"), &[&base[..], &[("indicators", revised.as_str())]].concat()).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert_eq!(zuzhi.get_ok(&format!("/assessment-schemes/{id}")).await["version"], 2);
    // Starting: a period of the wrong length is named; the right one opens the assessment.
    let start = format!("/assessment-schemes/{id}/start");
    let r = post_form(&zuzhi, &app, &start, &[("_csrf", &zuzhi.csrf), ("org_id", &a01.to_string()), ("period", "2025H2")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("按年考核"), "{}", r.text());
    let r = post_form(&zuzhi, &app, &start, &[("_csrf", &zuzhi.csrf), ("org_id", &a01.to_string()), ("period", "2025")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let aid: i64 = location(&r).rsplit('/').next().and_then(|s| s.parse().ok()).expect("assessment id");
    // 单位自评 by the secretary on the branch's page.
    let path = format!("/assessments/{aid}/orgs/{own}/self-scores");
    let r = post_form(&shuji, &app, &path, &[("_csrf", &shuji.csrf), ("score:2", "70")]).await;
    assert_eq!(r.status, 422, "more than the indicator's points");
    let r = post_form(&shuji, &app, &path, &[("_csrf", &shuji.csrf), ("score:2", "58"), ("comment:2", "党建品牌已建成"), ("evidence:2", "/meetings?org=1")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let d = shuji.get_ok(&format!("/assessments/{aid}/scores/{own}")).await;
    assert_eq!((line(&d, "2")["self_score"].as_f64(), line(&d, "2")["self_evidence"][0]["url"].as_str()), (Some(58.0), Some("/meetings?org=1")));
    // Scored, published; the secretary objects on the page, the officer upholds it there.
    stage(&zuzhi, aid, "scoring").await.assert_status(200);
    let scores: Vec<Value> = a01_branches(&app).await.into_iter().map(|o| json!({"org_id": o, "indicator": "2", "score": "50", "comment": "载体不够鲜明"})).collect();
    put(&zuzhi, &format!("/assessments/{aid}/scores"), &json!({"scores": scores})).await.assert_status(200);
    stage(&zuzhi, aid, "review").await.assert_status(200);
    stage(&zuzhi, aid, "published").await.assert_status(200);
    let before = zuzhi.get_ok(&format!("/assessments/{aid}/scores/{own}")).await["result"]["total"].as_f64().expect("total");
    let objections = format!("/assessments/{aid}/orgs/{own}/objections");
    let r = post_form(&shuji, &app, &objections, &[("_csrf", &shuji.csrf), ("indicator", "2"), ("reason", "")]).await;
    assert_eq!(r.status, 422, "a reason is required");
    let r = post_form(&shuji, &app, &objections, &[("_csrf", &shuji.csrf), ("indicator", "2"), ("reason", "品牌材料已报送，见附件"), ("evidence", "https://example.org/brand")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let oid = shuji.get_ok(&format!("/assessments/{aid}/objections")).await[0]["id"].as_i64().expect("objection");
    let decide = format!("{objections}/{oid}");
    let r = post_form(&shuji, &app, &decide, &[("_csrf", &shuji.csrf), ("decision", "upheld"), ("score", "60"), ("reason", "自己处理")]).await;
    assert_eq!(r.status, 403, "deciding is the officer's");
    let r = post_form(&zuzhi, &app, &decide, &[("_csrf", &zuzhi.csrf), ("decision", "upheld"), ("score", "58"), ("reason", "材料属实")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let after = zuzhi.get_ok(&format!("/assessments/{aid}/scores/{own}")).await["result"]["total"].as_f64().expect("total");
    assert!((after - before - 8.0).abs() < 0.001, "{before} → {after}");
}
