//! 定期汇报与责任清单 (issue 11): a schedule, a draft prefilled from the records (the figures are
//! the obligations engine's for the same organisation and period), submit → return → resubmit →
//! accept with its history, a late report accepted late, the superior's lists of who has not
//! reported, was late or was returned, a submitted report's frozen figures, and the responsible
//! persons and 责任清单. Dates are relative to today, as the demo is.

use std::collections::BTreeMap;

use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time::today_cst;
use serde_json::{json, Value};

use crate::helpers::*;

fn quarter() -> Period {
    Period::containing(PeriodKind::Quarter, today_cst()).expect("quarter")
}

/// A schedule of the 工委 for `period`, due on `deadline`, created by `api` (zuzhi).
async fn schedule(app: &TestApp, api: &Api, period: Period, deadline: &str) -> i64 {
    let body = json!({
        "org_id": app.org_id(ROOT).await,
        "title": format!("{period}党建工作汇报（测试）"),
        "period": period.to_string(),
        "deadline": deadline,
        "sections": ["工作开展情况", "存在问题"],
    });
    api.post_json("/report-schedules", &body).await.assert_status(201).json()["id"].as_i64().expect("id")
}

fn sections(a: &str, b: &str) -> Value {
    json!({"sections": [{"title": "工作开展情况", "text": a}, {"title": "存在问题", "text": b}]})
}

/// (owed, held, overdue) per kind over every organisation of the compliance report, as the
/// report's figures sum them: obligations owed only.
fn compliance_by_kind(c: &Value) -> BTreeMap<String, (i64, i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for o in c["items"].as_array().expect("items").iter().flat_map(|i| i["obligations"].as_array().expect("obligations").iter()) {
        if o["status"] == "not_owed" {
            continue;
        }
        let e = out.entry(o["kind"].as_str().expect("kind").to_string()).or_default();
        e.0 += o["required"].as_i64().expect("required");
        e.1 += o["held"].as_i64().expect("held");
        e.2 += i64::from(o["status"] == "overdue");
    }
    out
}

fn figures_by_kind(r: &Value) -> BTreeMap<String, (i64, i64, i64)> {
    r["figures"]["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .filter_map(|f| {
            let kind = f["code"].as_str()?.strip_prefix("meetings.")?.to_string();
            Some((kind, (f["out_of"].as_i64()?, f["value"].as_i64()?, f["short"].as_i64()?)))
        })
        .collect()
}

fn figure<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["figures"]["figures"].as_array().expect("figures").iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("figure {code} in {r}"))
}

fn steps(r: &Value) -> Vec<String> {
    r["history"].as_array().expect("history").iter().map(|h| h["step"].as_str().expect("step").to_string()).collect()
}

#[tokio::test]
async fn a_report_is_prefilled_from_the_records_returned_resubmitted_and_accepted() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let q = quarter();
    let id = schedule(&app, &zuzhi, q, &q.last_day().to_string()).await;
    // The secretary sees it among what the branch owes, and opens the draft.
    let mine = shuji.get_ok(&format!("/report-schedules?org={own}")).await;
    assert!(mine["reporting"].as_array().expect("reporting").iter().any(|d| d["schedule_id"] == id && d["state"].is_null()), "{mine}");
    let r = shuji.post_json("/reports", &json!({"schedule_id": id, "org_id": own})).await.assert_status(200).json();
    let rid = r["id"].as_i64().expect("id");
    assert_eq!(r["state"], "draft");
    // Opening again gives the same report: one per schedule and organisation.
    assert_eq!(shuji.post_json("/reports", &json!({"schedule_id": id, "org_id": own})).await.assert_status(200).json()["id"], json!(rid));
    // The figures are the obligations engine's for the same organisation and period, each with
    // its source; the members by status are the roster's.
    let c = shuji.get_ok(&format!("/compliance?org={own}&period={q}&per_page=200")).await;
    let expected = compliance_by_kind(&c);
    assert!(!expected.is_empty());
    assert_eq!(figures_by_kind(&r), expected, "{r}");
    let lecture = figure(&r, "meetings.branch_general_meeting");
    assert_eq!(lecture["source"], "life_records");
    assert!(lecture["text"].as_str().expect("text").starts_with("应开"), "{lecture}");
    let full = app.scalar(&format!("SELECT COUNT(*) FROM members WHERE org_id = {own} AND status = 'full'")).await;
    assert_eq!(figure(&r, "members.full")["value"], json!(full));
    assert_eq!(figure(&r, "attendance")["source"], "attendance");
    // Submitting an empty draft names every missing section.
    let e = shuji.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(422);
    assert!(e.text().contains("工作开展情况") && e.text().contains("存在问题"), "{}", e.text());
    assert_eq!(e.json()["errors"][0]["field"], "sections");
    // A section the schedule does not ask for is refused, nothing written.
    let bad = json!({"sections": [{"title": "亮点工作", "text": "x"}]});
    shuji.request("PUT", &format!("/reports/{rid}"), Some(&bad)).await.assert_status(422);
    shuji.request("PUT", &format!("/reports/{rid}"), Some(&sections("按期召开支部党员大会。", "学习不够深入。"))).await.assert_status(200);
    let r = shuji.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(200).json();
    assert_eq!((r["state"].as_str(), r["late"].as_bool()), (Some("submitted"), Some(false)));
    let frozen = figures_by_kind(&r);
    // A meeting recorded after submission moves the engine's counts, not the submitted figures.
    let body = json!({"org_id": own, "kinds": ["theme_day"], "starts_at": format!("{}T08:00:00+08:00", today_cst()), "topic": "报送后登记的主题党日"});
    shuji.post_json("/meetings", &body).await.assert_status(201);
    let c = shuji.get_ok(&format!("/compliance?org={own}&period={q}&per_page=200")).await;
    assert_eq!(compliance_by_kind(&c)["theme_day"].1, frozen["theme_day"].1 + 1);
    assert_eq!(figures_by_kind(&shuji.get_ok(&format!("/reports/{rid}")).await), frozen);
    // The secretary cannot review their own report; a return needs comments.
    shuji.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "accept"})).await.assert_status(403);
    let e = zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "return"})).await.assert_status(422);
    assert_eq!(e.json()["errors"][0]["field"], "comments");
    let r = zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "return", "comments": "请补充存在问题的整改措施"})).await.assert_status(200).json();
    assert_eq!((r["state"].as_str(), r["review_comments"].as_str()), (Some("returned"), Some("请补充存在问题的整改措施")));
    // Corrected and resubmitted: the figures are taken again, the new meeting now counts.
    shuji.request("PUT", &format!("/reports/{rid}"), Some(&sections("按期召开支部党员大会。", "学习不够深入，已制定整改措施。"))).await.assert_status(200);
    let r = shuji.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(200).json();
    assert_eq!(figures_by_kind(&r)["theme_day"].1, frozen["theme_day"].1 + 1);
    let r = zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "accept"})).await.assert_status(200).json();
    assert_eq!(r["state"], "accepted");
    assert_eq!(steps(&r), ["open", "submit", "return", "resubmit", "accept"]);
    // Both submitted versions are kept, and nothing moves an accepted report.
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM report_steps WHERE submission_id = {rid} AND content IS NOT NULL")).await, 2);
    let e = zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "return", "comments": "再改"})).await.assert_status(422);
    assert!(e.text().contains("已通过"), "{}", e.text());
    shuji.request("PUT", &format!("/reports/{rid}"), Some(&sections("改", "改"))).await.assert_status(422);
    // The 机关党委 above the branch, opening its own report, finds the branch's accepted words.
    let committee = app.scalar(&format!("SELECT parent_id FROM orgs WHERE id = {own}")).await;
    let up = zuzhi.post_json("/reports", &json!({"schedule_id": id, "org_id": committee})).await.assert_status(200).json();
    let below = figure(&up, "branch_reports");
    assert_eq!(below["value"], 1, "{below}");
    assert!(up["figures"]["branches"].as_array().expect("branches").iter().any(|b| b["org_id"] == own && b["sections"][1]["text"] == "学习不够深入，已制定整改措施。"), "{up}");
    // Every write left its audit row.
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'report.%'").await >= 8);
}

#[tokio::test]
async fn a_late_report_is_accepted_late_and_the_lists_say_who_is_missing_late_or_returned() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let last = quarter().prev().expect("previous quarter");
    let id = schedule(&app, &zuzhi, last, &last.last_day().to_string()).await;
    let rid = shuji.post_json("/reports", &json!({"schedule_id": id, "org_id": own})).await.assert_status(200).json()["id"].as_i64().expect("id");
    shuji.request("PUT", &format!("/reports/{rid}"), Some(&sections("上季度工作情况。", "无。"))).await.assert_status(200);
    let r = shuji.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(200).json();
    assert_eq!(r["late"], true);
    assert_eq!(r["late_days"], json!((today_cst() - last.last_day()).num_days()));
    // A late report is accepted as late, not as on time.
    let e = zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "accept"})).await.assert_status(422);
    assert_eq!(e.code(), "late");
    let r = zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "accept_late"})).await.assert_status(200).json();
    assert_eq!(r["state"], "accepted_late");
    // The lists.
    let list = |show: &'static str| {
        let z = zuzhi.clone();
        async move { z.get_ok(&format!("/report-schedules/{id}/status?show={show}")).await }
    };
    let late = list("late").await;
    let orgs = |v: &Value| v["rows"].as_array().expect("rows").iter().map(|r| r["org_id"].as_i64().expect("org")).collect::<Vec<_>>();
    assert_eq!(orgs(&late), vec![own]);
    let missing = list("missing").await;
    assert!(!orgs(&missing).contains(&own) && orgs(&missing).contains(&app.org_id(OTHER_BRANCH).await));
    assert_eq!(missing["tally"]["accepted"], 1);
    assert_eq!(missing["tally"]["late"], 1);
    assert_eq!(missing["tally"]["missing"].as_i64(), Some(missing["tally"]["expected"].as_i64().expect("expected") - 1));
    zuzhi.get(&format!("/report-schedules/{id}/status?show=whatever")).await.assert_status(422);
    // A schedule's bad input names every field at once, in Chinese.
    let bad = json!({"org_id": app.org_id(ROOT).await, "title": "", "period": "2026-W03", "deadline": "明天", "sections": []});
    let e = zuzhi.post_json("/report-schedules", &bad).await.assert_status(422).json();
    let fields: Vec<&str> = e["errors"].as_array().expect("errors").iter().map(|x| x["field"].as_str().expect("field")).collect();
    assert_eq!(fields, ["title", "period", "deadline", "sections"]);
}

#[tokio::test]
async fn the_demo_quarter_has_reports_in_every_state_and_the_secretary_is_reminded() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let s = zuzhi.get_ok(&format!("/report-schedules?org={root}")).await;
    let id = s["defined"][0]["id"].as_i64().expect("the demo's schedule");
    assert_eq!(s["defined"][0]["period"], json!(Period::containing(PeriodKind::Quarter, today_cst().pred_opt().expect("yesterday")).expect("quarter").to_string()));
    let all = zuzhi.get_ok(&format!("/report-schedules/{id}/status")).await;
    let t = &all["tally"];
    assert!(t["accepted"].as_i64() >= Some(2) && t["returned"] == 1 && t["late"].as_i64() >= Some(1), "{t}");
    assert_eq!(zuzhi.get_ok(&format!("/report-schedules/{id}/status?show=returned")).await["rows"].as_array().expect("rows").len(), 1);
    let returned = zuzhi.get_ok(&format!("/report-schedules/{id}/status?show=returned")).await;
    let rid = returned["rows"][0]["submission_id"].as_i64().expect("submission");
    let r = zuzhi.get_ok(&format!("/reports/{rid}")).await;
    assert!(!r["review_comments"].as_str().expect("comments").is_empty());
    assert_eq!(steps(&r), ["open", "submit", "return"]);
    // The demo secretary's branch has not reported: the home page links to it.
    let shuji = app.demo_login("shuji1").await;
    let home = Resp::from(shuji.client.get(app.url("/")).send().await.expect("home")).await.assert_status(200).text();
    assert!(home.contains("待报送的汇报") && home.contains(&format!("/reports?org={}", app.org_id(OWN_BRANCH).await)), "home links to the report");
    // The superior's page lists who has not reported; the report page shows each figure's source.
    let page = Resp::from(zuzhi.client.get(app.url(&format!("/report-schedules/{id}?show=missing"))).send().await.expect("page")).await.assert_status(200).text();
    assert!(page.contains("未报送") && page.contains(r#"class="cards""#));
    let page = Resp::from(zuzhi.client.get(app.url(&format!("/reports/{rid}"))).send().await.expect("page")).await.assert_status(200).text();
    assert!(page.contains("来自组织生活记录") && page.contains("来自党员统计"), "sources shown");
}

#[tokio::test]
async fn another_branchs_secretary_gets_404() {
    let (app, shuji) = demo_api("shuji1").await;
    let other = app.org_id(OTHER_BRANCH).await;
    let schedule = app.scalar("SELECT MIN(id) FROM report_schedules").await;
    let theirs = app.scalar(&format!("SELECT id FROM report_submissions WHERE org_id = {other}")).await;
    shuji.get(&format!("/reports/{theirs}")).await.assert_status(404);
    shuji.post_json(&format!("/reports/{theirs}/submit"), &json!({})).await.assert_status(404);
    shuji.post_json(&format!("/reports/{theirs}/review"), &json!({"decision": "accept_late"})).await.assert_status(404);
    shuji.request("PUT", &format!("/reports/{theirs}"), Some(&sections("x", "y"))).await.assert_status(404);
    shuji.post_json("/reports", &json!({"schedule_id": schedule, "org_id": other})).await.assert_status(404);
    shuji.get(&format!("/report-schedules?org={other}")).await.assert_status(404);
    shuji.get(&format!("/responsibility?org={other}")).await.assert_status(404);
    // The 工委's list shows the secretary their own branch only.
    let rows = shuji.get_ok(&format!("/report-schedules/{schedule}/status")).await;
    let orgs: Vec<i64> = rows["rows"].as_array().expect("rows").iter().map(|r| r["org_id"].as_i64().expect("org")).collect();
    assert_eq!(orgs, vec![app.org_id(OWN_BRANCH).await]);
    // A 党员 sees no reports at all.
    let dangyuan = app.demo_login("dangyuan1").await;
    dangyuan.get(&format!("/report-schedules/{schedule}")).await.assert_status(404);
}

#[tokio::test]
async fn the_responsible_persons_come_from_the_posts_and_the_list_keeps_its_tasks() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let year = today_cst().format("%Y").to_string();
    let v = shuji.get_ok(&format!("/responsibility?org={own}&year={year}")).await;
    let secretary = app.text(&format!("SELECT m.name FROM posts p JOIN members m ON m.id = p.member_id WHERE p.org_id = {own} AND p.post = 'secretary' AND p.ab_role = 'a' AND p.ended_on IS NULL")).await;
    let deputy = app.text(&format!("SELECT m.name FROM posts p JOIN members m ON m.id = p.member_id WHERE p.org_id = {own} AND p.post = 'deputy_secretary' AND p.ab_role = 'a' AND p.ended_on IS NULL")).await;
    let who: Vec<(String, String)> = v["responsible"].as_array().expect("responsible").iter().map(|r| (r["responsibility"].as_str().unwrap().to_string(), r["name"].as_str().unwrap().to_string())).collect();
    assert_eq!(who, vec![("first".to_string(), secretary.clone()), ("specific".to_string(), deputy.clone())]);
    assert_eq!(v["tasks"].as_array().expect("tasks").len(), 4, "the demo's list");
    // The A 书记 leaves: the B holder (the deputy) acts as 第一责任人.
    app.exec(&format!("UPDATE posts SET ended_on = '{}' WHERE org_id = {own} AND post = 'secretary' AND ab_role = 'a'", today_cst())).await;
    let v = shuji.get_ok(&format!("/responsibility?org={own}&year={year}")).await;
    assert_eq!((v["responsible"][0]["name"].as_str(), v["responsible"][0]["ab_role"].as_str()), (Some(deputy.as_str()), Some("b")));
    // A task: every problem at once, then added, done, removed.
    let owner = app.member_id_of("dangyuan1").await;
    let bad = json!({"org_id": own, "year": year, "title": "", "owner_member_id": 0, "deadline": "2001-01-01"});
    let e = shuji.post_json("/responsibility/tasks", &bad).await.assert_status(422).json();
    let fields: Vec<&str> = e["errors"].as_array().expect("errors").iter().map(|x| x["field"].as_str().expect("field")).collect();
    assert_eq!(fields, ["title", "owner_member_id", "deadline"]);
    let stranger = app.member_ids(OTHER_BRANCH).await[0];
    let body = json!({"org_id": own, "year": year, "title": "推进支部标准化建设", "owner_member_id": stranger, "deadline": format!("{year}-12-31")});
    assert_eq!(shuji.post_json("/responsibility/tasks", &body).await.assert_status(422).json()["errors"][0]["field"], "owner_member_id");
    let mut body = body;
    body["owner_member_id"] = json!(owner);
    let t = shuji.post_json("/responsibility/tasks", &body).await.assert_status(201).json();
    assert_eq!(t["status"], "open");
    let tid = t["id"].as_i64().expect("id");
    let mut done = body.clone();
    done["done_on"] = json!(today_cst().to_string());
    let t = shuji.request("PUT", &format!("/responsibility/tasks/{tid}"), Some(&done)).await.assert_status(200).json();
    assert_eq!(t["status"], "done");
    shuji.delete(&format!("/responsibility/tasks/{tid}")).await.assert_status(204);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM responsibility_tasks WHERE id = {tid}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE object = 'responsibility_task:{tid}'")).await, 3);
    let page = Resp::from(shuji.client.get(app.url(&format!("/responsibility?org={own}"))).send().await.expect("page")).await.assert_status(200).text();
    assert!(page.contains("第一责任人") && page.contains(&deputy));
}

/// The computed indicator `reports_on_time` (工作报告按时报送): of the reports owed in the
/// assessment's period (deadline in it and passed), those submitted by the deadline and accepted.
/// A01's four branches: one in time and accepted, one late and accepted late, one in time but not
/// yet reviewed, one that never reported. The period is two years back, so no demo schedule falls
/// in it whatever today is.
#[tokio::test]
async fn reports_on_time_scores_what_came_in_by_the_deadline_and_was_accepted() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let year = today_cst().format("%Y").to_string().parse::<i32>().expect("year") - 2;
    let q: Period = format!("{year}Q3").parse().expect("period");
    let deadline = format!("{year}-09-30");
    let id = schedule(&app, &zuzhi, q, &deadline).await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let mut b = Vec::new();
    for code in ["SZJGGW-A01-B1", "SZJGGW-A01-B2", "SZJGGW-A01-B3", "SZJGGW-A01-B4"] {
        b.push(app.org_id(code).await);
    }
    // The deadline day at noon in China: in time (submitting now is late, so the instant is set
    // as if it had come then).
    let in_time = chrono::NaiveDate::parse_from_str(&deadline, "%Y-%m-%d").expect("day").and_hms_opt(4, 0, 0).expect("noon").and_utc().timestamp();
    let mut report_of = Vec::new();
    for (i, org) in b.iter().enumerate().take(3) {
        let api = if i == 0 { &shuji } else { &zuzhi };
        let rid = api.post_json("/reports", &json!({"schedule_id": id, "org_id": org})).await.assert_status(200).json()["id"].as_i64().expect("id");
        api.request("PUT", &format!("/reports/{rid}"), Some(&sections("按期开展。", "无。"))).await.assert_status(200);
        let r = api.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(200).json();
        assert_eq!(r["late"], true, "submitted today, after a deadline two years back");
        if i != 1 {
            app.exec(&format!("UPDATE report_submissions SET late = FALSE, submitted_at = {in_time} WHERE id = {rid}")).await;
        }
        report_of.push(rid);
    }
    zuzhi.post_json(&format!("/reports/{}/review", report_of[0]), &json!({"decision": "accept"})).await.assert_status(200);
    let late = zuzhi.post_json(&format!("/reports/{}/review", report_of[1]), &json!({"decision": "accept_late"})).await.assert_status(200).json();
    assert_eq!(late["state"], "accepted_late");

    let scheme = json!({"name": "报送考核（测试）", "scale": 100, "period_kind": "quarter", "org_id": a01,
        "indicators": [{"name": "按时报送", "points": "100", "method": "computed", "rule": "reports_on_time"}]});
    let scheme = zuzhi.post_json("/assessment-schemes", &scheme).await.assert_status(201).json()["id"].as_i64().expect("id");
    let a = zuzhi.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": a01, "period": q.to_string()})).await.assert_status(201).json();
    let aid = a["id"].as_i64().expect("id");
    let line = |d: &Value| d["lines"].as_array().expect("lines").iter().find(|l| l["code"] == "1").cloned().unwrap_or_else(|| panic!("{d}"));
    let mut scores = Vec::new();
    for org in &b {
        let d = zuzhi.get_ok(&format!("/assessments/{aid}/scores/{org}")).await;
        let l = line(&d);
        assert_eq!(l["basis"]["due"], 1, "{l}");
        scores.push((l["score"].as_f64().expect("score"), l["basis"]["done"].as_i64().expect("done"), l["basis"]["reports"][0]["state"].clone()));
    }
    assert_eq!(scores[0], (100.0, 1, json!("accepted")));
    assert_eq!(scores[1], (0.0, 0, json!("accepted_late")));
    assert_eq!(scores[2], (0.0, 0, json!("submitted")));
    assert_eq!(scores[3], (0.0, 0, Value::Null));
    // The pages say which report did not count and why.
    let page = |api: &Api, org: i64| {
        let rb = api.client.get(app.url(&format!("/assessments/{aid}/orgs/{org}")));
        async move { Resp::from(rb.send().await.expect("page")).await.assert_status(200).text() }
    };
    let own = page(&shuji, b[0]).await;
    assert!(own.contains("应报送1份，按时报送并通过1份"), "{own}");
    assert!(page(&zuzhi, b[2]).await.contains("已按时报送，尚待审核通过"));
    assert!(page(&zuzhi, b[3]).await.contains("未报送"));
}

/// 须附材料: a schedule that requires files cannot be submitted without one; files go up while
/// the report is the branch's to write, are frozen with it once submitted, are read by the
/// reviewer above, and are not found by another branch's secretary.
#[tokio::test]
async fn a_report_that_requires_files_is_submitted_with_them_and_they_are_frozen() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let other = app.other_secretary().await;
    let own = app.org_id(OWN_BRANCH).await;
    let q = quarter();
    let body = json!({"org_id": app.org_id(ROOT).await, "title": "附材料的汇报", "period": q.to_string(), "deadline": q.last_day().to_string(), "sections": ["工作开展情况"], "attachments_required": true});
    let id = zuzhi.post_json("/report-schedules", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
    let rid = shuji.post_json("/reports", &json!({"schedule_id": id, "org_id": own})).await.assert_status(200).json()["id"].as_i64().expect("id");
    shuji.request("PUT", &format!("/reports/{rid}"), Some(&json!({"sections": [{"title": "工作开展情况", "text": "按期开展。"}]}))).await.assert_status(200);
    let e = shuji.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(422);
    assert_eq!(e.json()["errors"][0]["field"], "attachments", "{}", e.text());
    // A disguised file is refused naming the field; a PDF is taken.
    let e = up(&shuji, rid, "台账.pdf", b"<html>not a pdf</html>".to_vec()).await.assert_status(422);
    assert_eq!(e.json()["errors"][0]["field"], "file");
    up(&other, rid, "台账.pdf", crate::attachment::pdf()).await.assert_status(404);
    let f = up(&shuji, rid, "党建台账.pdf", crate::attachment::pdf()).await.assert_status(201).json();
    let fid = f["id"].as_i64().expect("id");
    let r = shuji.post_json(&format!("/reports/{rid}/submit"), &json!({})).await.assert_status(200).json();
    assert_eq!(r["attachments"][0]["file_name"], "党建台账.pdf");
    // Submitted: nothing more goes up or comes off; the reviewer reads it; another branch does not.
    up(&shuji, rid, "补充.pdf", crate::attachment::pdf()).await.assert_status(422);
    shuji.delete(&format!("/report-attachments/{fid}")).await.assert_status(422);
    let got = zuzhi.get(&format!("/report-attachments/{fid}")).await.assert_status(200);
    assert_eq!(got.body, crate::attachment::pdf());
    assert_eq!(got.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    other.get(&format!("/report-attachments/{fid}")).await.assert_status(404);
    // Returned, it is the branch's again: the file can be taken off, and is kept as a row.
    zuzhi.post_json(&format!("/reports/{rid}/review"), &json!({"decision": "return", "comments": "请换用盖章扫描件"})).await.assert_status(200);
    shuji.delete(&format!("/report-attachments/{fid}")).await.assert_status(204);
    assert!(shuji.get_ok(&format!("/reports/{rid}")).await["attachments"].as_array().expect("files").is_empty());
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM report_attachments WHERE submission_id = {rid} AND deleted_at IS NOT NULL")).await, 1);
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('report.attach', 'report.detach')").await >= 2);
}

async fn up(api: &Api, rid: i64, name: &str, bytes: Vec<u8>) -> Resp {
    api.send(api.client.post(api.url(&format!("/reports/{rid}/attachments"))).multipart(crate::attachment::form(name, "", bytes))).await
}
