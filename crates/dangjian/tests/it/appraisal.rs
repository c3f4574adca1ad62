//! 民主评议党员: a round through the API from creation to the follow-ups, the stages refused out
//! of order, the ballot counts checked, the one-year limit of 限期改正, who writes and sees
//! what, the grades in the member's history, and the pages.

use serde_json::{json, Value};

use crate::helpers::*;

fn fields(r: &Resp) -> Vec<String> {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

fn message(r: &Resp) -> String {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["message"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>().join("；")).unwrap_or_default()
}

fn member_ids(round: &Value) -> Vec<i64> {
    round["members"].as_array().expect("members").iter().map(|m| m["member_id"].as_i64().expect("id")).collect()
}

async fn stage(api: &Api, id: i64, to: &str) -> Resp {
    api.post_json(&format!("/appraisals/{id}/stage"), &json!({"stage": to})).await
}

/// Every row of the area, to prove a refusal wrote nothing.
async fn written(app: &TestApp, id: i64) -> String {
    app.text(&format!(
        "SELECT stage || '/' || ballots || '/' || (SELECT COUNT(*) FROM appraisal_members WHERE appraisal_id = {id} AND (excellent + qualified + basically_qualified + unqualified) > 0) || '/' || (SELECT COUNT(*) FROM appraisal_members WHERE appraisal_id = {id} AND grade IS NOT NULL) FROM appraisals WHERE id = {id}"
    ))
    .await
}

/// A 民主评议党员 record of the branch, where the 民主测评 is held.
async fn appraisal_meeting(api: &Api, org: i64) -> i64 {
    let body = json!({"org_id": org, "kinds": ["member_appraisal"], "starts_at": "2026-11-20T15:00:00+08:00", "topic": "2024年度民主评议党员（补）"});
    api.post_json("/meetings", &body).await.assert_status(201).json()["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_round_runs_stage_by_stage_and_the_grades_reach_the_history() {
    let (app, shuji) = demo_api("shuji1").await;
    let dangyuan = app.demo_login("dangyuan1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let me = app.member_id_of("dangyuan1").await;

    // 新建: the branch's 正式党员 and 预备党员, as they are now; one round a year.
    let r = shuji.post_json("/appraisals", &json!({"org_id": own, "year": 2024})).await.assert_status(201).json();
    let id = r["id"].as_i64().expect("id");
    assert_eq!(r["stage"], "self_assessment");
    let on_roster = app.scalar(&format!("SELECT COUNT(*) FROM members WHERE org_id = {own} AND status IN ('full', 'probationary')")).await;
    let members = member_ids(&r);
    assert_eq!(members.len() as i64, on_roster);
    assert!(members.contains(&me));
    let r = shuji.post_json("/appraisals", &json!({"org_id": own, "year": 2024})).await.assert_status(409);
    assert!(r.text().contains("2024年度的民主评议已经建立"), "{r:?}");
    shuji.post_json("/appraisals", &json!({"org_id": own, "year": 1999})).await.assert_status(422);

    // Out of order: a skipped stage is named; the counts before their stage write nothing.
    let before = written(&app, id).await;
    let r = stage(&shuji, id, "ballot").await.assert_status(422);
    assert!(message(&r).contains("党员互评"), "{r:?}");
    let tallies: Vec<Value> = members.iter().map(|m| json!({"member_id": m, "qualified": 1})).collect();
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": 1, "ballots": 1, "tallies": tallies}))).await.assert_status(422);
    assert!(message(&r).contains("尚未进入“民主测评”阶段"), "{r:?}");
    assert_eq!(written(&app, id).await, before);

    // 个人自评: the member writes their own, never another's; the secretary may record anyone's.
    let peer = *members.iter().find(|m| **m != me).expect("a peer");
    let own_text = json!({"text": "一年来认真学习，按时参加组织生活。"});
    dangyuan.request("PUT", &format!("/appraisals/{id}/members/{me}/self-assessment"), Some(&own_text)).await.assert_status(200);
    dangyuan.request("PUT", &format!("/appraisals/{id}/members/{peer}/self-assessment"), Some(&own_text)).await.assert_status(403);
    let r = dangyuan.request("PUT", &format!("/appraisals/{id}/members/{me}/self-assessment"), Some(&json!({"text": "  "}))).await.assert_status(422);
    assert_eq!(fields(&r), ["self_assessment"]);
    shuji.request("PUT", &format!("/appraisals/{id}/members/{peer}/self-assessment"), Some(&json!({"text": "书记代为登记的自评。"}))).await.assert_status(200);
    let seen = dangyuan.get_ok(&format!("/appraisals/{id}")).await;
    assert_eq!(member_ids(&seen), vec![me], "a member sees their own line only");
    assert_eq!(seen["members"][0]["self_assessment"], "一年来认真学习，按时参加组织生活。");

    // 党员互评, then the self-assessment is closed.
    stage(&shuji, id, "peer_review").await.assert_status(200);
    let r = dangyuan.request("PUT", &format!("/appraisals/{id}/members/{me}/self-assessment"), Some(&own_text)).await.assert_status(422);
    assert!(message(&r).contains("“个人自评”阶段已结束"), "{r:?}");
    shuji.request("PUT", &format!("/appraisals/{id}/members/{me}/peer-review"), Some(&json!({"text": "工作积极，希望加强理论学习。"}))).await.assert_status(200);
    dangyuan.request("PUT", &format!("/appraisals/{id}/members/{me}/peer-review"), Some(&json!({"text": "自己评自己"}))).await.assert_status(403);

    // 民主测评: not graded before the counts are in; the counts checked against the members.
    stage(&shuji, id, "ballot").await.assert_status(200);
    let r = stage(&shuji, id, "grading").await.assert_status(422);
    assert_eq!(r.code(), "no_ballot");
    let meeting = appraisal_meeting(&shuji, own).await;
    let held_before = app.scalar(&format!("SELECT COUNT(*) FROM meeting_kinds WHERE org_id = {own} AND kind = 'member_appraisal'")).await;
    let n = members.len() as u32;
    let short = members[0];
    let mut tallies: Vec<Value> = members.iter().map(|m| json!({"member_id": m, "excellent": 1, "qualified": n - 1})).collect();
    tallies[0] = json!({"member_id": short, "qualified": 2, "basically_qualified": n - 2});
    let before = written(&app, id).await;
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": meeting, "ballots": n + 1, "tallies": tallies}))).await.assert_status(422);
    assert_eq!(fields(&r), ["ballots"], "{r:?}");
    let mut over = tallies.clone();
    over[1]["qualified"] = json!(n);
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": meeting, "ballots": n, "tallies": over}))).await.assert_status(422);
    assert!(message(&r).contains(&format!("多于收回的有效票{n}张")), "{r:?}");
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": meeting, "ballots": n, "tallies": tallies[1..]}))).await.assert_status(422);
    assert!(message(&r).starts_with("缺少"), "every member is counted: {r:?}");
    // A meeting that is not a 民主评议党员 record of this branch is refused.
    let other_kind = app.scalar(&format!("SELECT MIN(meeting_id) FROM meeting_kinds WHERE org_id = {own} AND kind = 'theme_day'")).await;
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": other_kind, "ballots": n, "tallies": tallies}))).await.assert_status(422);
    assert_eq!(fields(&r), ["meeting_id"]);
    // Nor is a record that already is another round's 民主测评 (the demo's of last year).
    let taken = app.scalar(&format!("SELECT meeting_id FROM appraisals WHERE org_id = {own} AND meeting_id IS NOT NULL")).await;
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": taken, "ballots": n, "tallies": tallies}))).await.assert_status(422);
    assert!(message(&r).contains("年度民主评议的民主测评会议"), "{r:?}");
    assert_eq!(written(&app, id).await, before, "refusals write nothing");
    let r = shuji.request("PUT", &format!("/appraisals/{id}/ballot"), Some(&json!({"meeting_id": meeting, "ballots": n, "tallies": tallies}))).await.assert_status(200).json();
    assert_eq!(r["meeting_id"], meeting);
    assert_eq!(r["members"].as_array().unwrap().iter().find(|m| m["member_id"] == short).unwrap()["proposed"], "basically_qualified");
    // The member never sees the counts.
    let seen = dangyuan.get_ok(&format!("/appraisals/{id}")).await;
    assert!(seen["members"][0]["votes"].is_null() && seen["members"][0]["peer_review"].is_null(), "{seen}");

    // 组织评定: every member graded before publishing; the branch's grade is what counts.
    stage(&shuji, id, "grading").await.assert_status(200);
    let r = stage(&shuji, id, "published").await.assert_status(422);
    assert_eq!(r.code(), "not_graded");
    let grades: Vec<Value> = members.iter().map(|m| json!({"member_id": m, "grade": if *m == short { "基本合格" } else { "qualified" }})).collect();
    shuji.request("PUT", &format!("/appraisals/{id}/grades"), Some(&json!({"grades": grades}))).await.assert_status(200);
    assert!(dangyuan.get_ok(&format!("/appraisals/{id}")).await["members"][0]["grade"].is_null(), "no grade before it is published");
    let events_before = app.scalar("SELECT COUNT(*) FROM member_events WHERE kind = 'appraisal'").await;
    let r = stage(&shuji, id, "published").await.assert_status(200).json();
    assert!(r["published_on"].is_string());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member_events WHERE kind = 'appraisal'").await - events_before, members.len() as i64);
    let history = dangyuan.get_ok(&format!("/members/{me}/events")).await;
    assert!(history.as_array().unwrap().iter().any(|e| e["kind"] == "appraisal" && e["note"].as_str().unwrap().contains("2024年度民主评议党员") && e["note"].as_str().unwrap().contains("评定为合格")), "{history}");
    let mine = dangyuan.get_ok(&format!("/appraisals/{id}")).await;
    assert_eq!(mine["members"][0]["grade"], "qualified");
    assert!(mine["members"][0]["votes"].is_null());
    let grades = dangyuan.get_ok(&format!("/members/{me}/appraisals")).await;
    assert!(grades.as_array().unwrap().iter().any(|g| g["year"] == 2024 && g["grade"] == "qualified"), "{grades}");
    stage(&shuji, id, "grading").await.assert_status(422);

    // 后续处理: proposed for 基本合格, decided by the branch; 限期改正 at most a year.
    let row = r["members"].as_array().unwrap().iter().find(|m| m["member_id"] == short).unwrap().clone();
    assert_eq!(row["proposals"].as_array().unwrap().len(), 3, "{row}");
    let decide = |deadline: &str| json!({"kind": "correct", "decided_on": "2026-01-15", "deadline": deadline, "decision": "支部委员会研究，限期改正。"});
    let r = shuji.request("PUT", &format!("/appraisals/{id}/members/{short}/follow-up"), Some(&decide("2027-01-16"))).await.assert_status(422);
    assert_eq!(fields(&r), ["deadline"]);
    assert!(message(&r).contains("教育管理条例第30条"), "{r:?}");
    let r = shuji.request("PUT", &format!("/appraisals/{id}/members/{short}/follow-up"), Some(&json!({"kind": "remove", "decided_on": "2026-01-15", "decision": "除名"}))).await.assert_status(422);
    assert_eq!(fields(&r), ["approval"]);
    shuji.request("PUT", &format!("/appraisals/{id}/members/{me}/follow-up"), Some(&decide("2026-06-30"))).await.assert_status(422);
    let r = shuji.request("PUT", &format!("/appraisals/{id}/members/{short}/follow-up"), Some(&decide("2027-01-15"))).await.assert_status(200).json();
    let row = r["members"].as_array().unwrap().iter().find(|m| m["member_id"] == short).unwrap().clone();
    assert_eq!((row["follow_up"].clone(), row["deadline"].clone()), (json!("correct"), json!("2027-01-15")));
    let history = shuji.get_ok(&format!("/members/{short}/events")).await;
    assert!(history.as_array().unwrap().iter().any(|e| e["note"].as_str().unwrap().contains("限期改正，期限至2027-01-15")), "{history}");
    // Nothing changed the member's status by itself.
    assert_ne!(app.text(&format!("SELECT status FROM members WHERE id = {short}")).await, "removed");

    // The obligation is counted from the meeting record once: the round added no record.
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM meeting_kinds WHERE org_id = {own} AND kind = 'member_appraisal'")).await, held_before);
    assert!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'appraisal.%' AND object = 'appraisal:{id}'")).await > 8);
}

#[tokio::test]
async fn another_branch_and_other_people_see_nothing() {
    let (app, shuji) = demo_api("shuji1").await;
    let other = app.org_id(OTHER_BRANCH).await;
    let theirs = app.scalar(&format!("SELECT id FROM appraisals WHERE org_id = {other}")).await;
    shuji.get(&format!("/appraisals/{theirs}")).await.assert_status(404);
    shuji.get(&format!("/appraisals?org={other}")).await.assert_status(404);
    shuji.post_json("/appraisals", &json!({"org_id": other, "year": 2024})).await.assert_status(404);
    shuji.request("PUT", &format!("/appraisals/{theirs}/grades"), Some(&json!({"grades": []}))).await.assert_status(404);
    stage(&shuji, theirs, "published").await.assert_status(404);
    let dangyuan = app.demo_login("dangyuan1").await;
    dangyuan.get(&format!("/appraisals/{theirs}")).await.assert_status(404);
    // A member may not run a round of their own branch.
    let own = app.org_id(OWN_BRANCH).await;
    dangyuan.post_json("/appraisals", &json!({"org_id": own, "year": 2024})).await.assert_status(403);
    // Nor is a round run above the branches.
    let zuzhi = app.demo_login("zuzhi").await;
    let r = zuzhi.post_json("/appraisals", &json!({"org_id": app.org_id(ROOT).await, "year": 2024})).await.assert_status(422);
    assert_eq!(r.code(), "not_a_branch");
}

#[tokio::test]
async fn the_demo_has_last_years_round_published_and_this_years_under_way() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let rounds = shuji.get_ok(&format!("/appraisals?org={own}")).await;
    let stages: Vec<&str> = rounds.as_array().unwrap().iter().map(|r| r["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["self_assessment", "published"]);
    let last = rounds[1]["id"].as_i64().unwrap();
    let r = shuji.get_ok(&format!("/appraisals/{last}")).await;
    assert!(r["meeting_id"].is_i64(), "linked to the branch's record");
    let grades: Vec<&str> = r["members"].as_array().unwrap().iter().map(|m| m["grade"].as_str().unwrap()).collect();
    assert_eq!(grades.iter().filter(|g| **g == "basically_qualified").count(), 1);
    assert!(grades.iter().all(|g| ["excellent", "qualified", "basically_qualified"].contains(g)));
    assert!(r["members"].as_array().unwrap().iter().any(|m| m["follow_up"] == "correct"));
    assert!(app.scalar("SELECT COUNT(*) FROM appraisals WHERE stage = 'published'").await > 5, "every branch has last year's round");
    for t in ["appraisals", "appraisal_members"] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {t} WHERE tenant_id = 0")).await, 0, "{t} rows carry their tenant");
    }
}

async fn page(api: &Api, app: &TestApp, path: &str) -> Resp {
    Resp::from(api.client.get(app.url(path)).send().await.expect("page")).await
}

async fn post_form(api: &Api, app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    Resp::from(api.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs)).send().await.expect("post")).await
}

#[tokio::test]
async fn the_pages_show_the_rounds_and_take_each_stage() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let me = app.member_id_of("dangyuan1").await;
    let current = app.scalar(&format!("SELECT id FROM appraisals WHERE org_id = {own} AND stage = 'self_assessment'")).await;
    let org_page = page(&shuji, &app, &format!("/orgs/{own}")).await.assert_status(200).text();
    assert!(org_page.contains(&format!("/appraisals?org={own}")), "the organisation page links the rounds");
    let meetings = page(&shuji, &app, &format!("/meetings?org={own}")).await.assert_status(200).text();
    assert!(meetings.contains(&format!("/appraisals?org={own}")), "so does the list of meetings");
    let list = page(&shuji, &app, &format!("/appraisals?org={own}")).await.assert_status(200).text();
    assert!(list.contains("年度民主评议党员") && list.contains("结果公布") && list.contains("新建评议"), "{list}");
    // A year already run comes back beside the field.
    let year = app.scalar(&format!("SELECT year FROM appraisals WHERE id = {current}")).await.to_string();
    let r = post_form(&shuji, &app, &format!("/appraisals/new?org={own}"), &[("_csrf", &shuji.csrf), ("year", &year)]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("民主评议已经建立"));
    let show = page(&shuji, &app, &format!("/appraisals/{current}")).await.assert_status(200).text();
    assert!(show.contains("保存自评") && show.contains("进入下一阶段：党员互评") && !show.contains("<script"), "{show}");
    // The member's own form: an empty self-assessment comes back with the message.
    let dangyuan = app.demo_login("dangyuan1").await;
    let mine = page(&dangyuan, &app, &format!("/appraisals/{current}")).await.assert_status(200).text();
    assert_eq!(mine.matches("保存自评").count(), 1, "the member's own form only");
    assert!(!mine.contains("进入下一阶段"));
    let me_s = me.to_string();
    let r = post_form(&dangyuan, &app, &format!("/appraisals/{current}/self"), &[("_csrf", &dangyuan.csrf), ("member_id", &me_s), ("text", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("请填写个人自评"));
    let r = post_form(&dangyuan, &app, &format!("/appraisals/{current}/self"), &[("_csrf", &dangyuan.csrf), ("member_id", &me_s), ("text", "页面提交的自评")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert!(page(&dangyuan, &app, &format!("/appraisals/{current}")).await.text().contains("页面提交的自评"));
    // The secretary moves the stage on from the page; the member page lists the grades.
    let r = post_form(&shuji, &app, &format!("/appraisals/{current}/stage"), &[("_csrf", &shuji.csrf), ("stage", "ballot")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("不能跳过“党员互评”阶段"));
    let r = post_form(&shuji, &app, &format!("/appraisals/{current}/stage"), &[("_csrf", &shuji.csrf), ("stage", "peer_review")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert!(page(&shuji, &app, &format!("/appraisals/{current}")).await.text().contains("保存互评意见"));
    let member_page = page(&dangyuan, &app, &format!("/members/{me}")).await.assert_status(200).text();
    assert!(member_page.contains("民主评议") && member_page.contains("年度民主评议党员"), "the history and the grades");
}

#[tokio::test]
async fn the_ballot_grades_and_follow_up_forms_work_from_the_page() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let r = shuji.post_json("/appraisals", &json!({"org_id": own, "year": 2024})).await.assert_status(201).json();
    let id = r["id"].as_i64().expect("id");
    let members = member_ids(&r);
    for to in ["peer_review", "ballot"] {
        stage(&shuji, id, to).await.assert_status(200);
    }
    let meeting = appraisal_meeting(&shuji, own).await;
    let show = page(&shuji, &app, &format!("/appraisals/{id}")).await.assert_status(200).text();
    assert!(show.contains("保存测评结果") && show.contains(&format!(r#"<option value="{meeting}""#)), "the ballot form offers the record");
    let n = members.len().to_string();
    let short = members[0];
    let mut pairs: Vec<(String, String)> = vec![("_csrf".into(), shuji.csrf.clone()), ("meeting_id".into(), meeting.to_string()), ("ballots".into(), n.clone())];
    for m in &members {
        let (q, b) = if *m == short { ("1", (members.len() - 1).to_string()) } else { (n.as_str(), "0".to_string()) };
        pairs.extend([(format!("q_{m}"), q.to_string()), (format!("b_{m}"), b), (format!("e_{m}"), String::new()), (format!("u_{m}"), "0".into())]);
    }
    // A count that is not a number comes back beside the counts, nothing written.
    let mut bad = pairs.clone();
    bad.push((format!("e_{}", members[1]), "三".into()));
    let bad_refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = post_form(&shuji, &app, &format!("/appraisals/{id}/ballot"), &bad_refs).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("测评票数应为整数"));
    assert_eq!(app.scalar(&format!("SELECT ballots FROM appraisals WHERE id = {id}")).await, 0);
    let good: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = post_form(&shuji, &app, &format!("/appraisals/{id}/ballot"), &good).await;
    assert_eq!(r.status, 303, "{r:?}");
    // 组织评定: the proposed grade is preselected; the branch may choose another.
    stage(&shuji, id, "grading").await.assert_status(200);
    let show = page(&shuji, &app, &format!("/appraisals/{id}")).await.assert_status(200).text();
    assert!(show.contains(r#"<option value="basically_qualified" selected>"#) && show.contains("建议等次"), "the proposal is preselected");
    let mut grades: Vec<(String, String)> = vec![("_csrf".into(), shuji.csrf.clone())];
    for m in &members {
        grades.push((format!("grade_{m}"), if *m == short { "basically_qualified".into() } else { "qualified".into() }));
        grades.push((format!("note_{m}"), String::new()));
    }
    let grade_refs: Vec<(&str, &str)> = grades.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(post_form(&shuji, &app, &format!("/appraisals/{id}/grades"), &grade_refs).await.status, 303);
    let r = post_form(&shuji, &app, &format!("/appraisals/{id}/stage"), &[("_csrf", &shuji.csrf), ("stage", "published")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    // 后续处理: proposals shown, the decision recorded; more than a year is refused beside the field.
    let show = page(&shuji, &app, &format!("/appraisals/{id}")).await.assert_status(200).text();
    assert!(show.contains("建议的后续处理") && show.contains("系统不自动执行") && show.contains("党章第九条"), "{show}");
    let short_s = short.to_string();
    let form = |deadline: &'static str| vec![("kind", "correct"), ("decided_on", "2026-02-01"), ("deadline", deadline), ("decision", "限期改正，由书记谈心谈话。"), ("approval", "")];
    let mut over = vec![("_csrf", shuji.csrf.as_str()), ("member_id", short_s.as_str())];
    over.extend(form("2027-02-02"));
    let r = post_form(&shuji, &app, &format!("/appraisals/{id}/follow-up"), &over).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("限期改正的期限最长一年"));
    let mut ok = vec![("_csrf", shuji.csrf.as_str()), ("member_id", short_s.as_str())];
    ok.extend(form("2027-02-01"));
    assert_eq!(post_form(&shuji, &app, &format!("/appraisals/{id}/follow-up"), &ok).await.status, 303);
    let show = page(&shuji, &app, &format!("/appraisals/{id}")).await.text();
    assert!(show.contains("改正期限至 2027-02-01"));
    let member_page = page(&shuji, &app, &format!("/members/{short}")).await.assert_status(200).text();
    assert!(member_page.contains("基本合格") && member_page.contains("限期改正"), "the member page shows the grade and the decision");
}

