//! 组织生活: meeting records with attendance, through the API and the pages — recording with
//! several kinds, refusals that write nothing, corrections that keep versions, deletion with a
//! reason, and who may see and write what.

use serde_json::{json, Value};

use crate::helpers::*;

/// Members on the roster (正式党员 and 预备党员) of the organisation with `code`, ascending.
async fn roster(app: &TestApp, code: &str) -> Vec<i64> {
    let oid = app.org_id(code).await;
    let sql = dangjian_store::dialect::stmt(
        app.store.backend(),
        "SELECT id FROM members WHERE org_id = $1 AND status IN ('full', 'probationary') ORDER BY id",
        vec![oid.into()],
    );
    use dangjian_store::ConnectionTrait;
    app.store.db.query_all_raw(sql).await.expect("roster").iter().map(|r| r.try_get_by_index::<i64>(0).expect("id")).collect()
}

/// Rows of every table of the area, to prove a refusal wrote nothing.
async fn counts(app: &TestApp) -> [i64; 4] {
    [
        app.scalar("SELECT COUNT(*) FROM meetings").await,
        app.scalar("SELECT COUNT(*) FROM meeting_kinds").await,
        app.scalar("SELECT COUNT(*) FROM meeting_attendance").await,
        app.scalar("SELECT COUNT(*) FROM meeting_versions").await,
    ]
}

fn lecture(org: i64) -> Value {
    json!({
        "org_id": org,
        "kinds": ["branch_general_meeting", "party_lecture"],
        "starts_at": "2026-07-01T15:00:00+08:00",
        "topic": "学习党章，庆祝建党105周年",
        "lecturer": "支部书记",
        "lecture_title": "牢记初心使命",
        "place": "三楼会议室",
    })
}

fn fields(r: &Resp) -> Vec<String> {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_meeting_with_two_kinds_and_attendance_reads_back_with_its_rate() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let members = roster(&app, OWN_BRANCH).await;
    let mut body = lecture(own);
    body["attendance"] = json!([
        {"member_id": members[0], "status": "present"},
        {"member_id": members[1], "status": "present"},
        {"member_id": members[2], "status": "leave", "reason": "出差"},
        {"member_id": members[3], "status": "absent"},
    ]);
    body["guests"] = json!([{"name": "王建国", "unit": "市直机关工委"}]);
    let m = shuji.post_json("/meetings", &body).await.assert_status(201).json();
    let id = m["id"].as_i64().expect("id");
    assert_eq!(m["kinds"], json!(["branch_general_meeting", "party_lecture"]));
    assert_eq!(m["starts_at"], "2026-07-01T15:00:00+08:00");
    assert_eq!(m["attendance"], json!({"present": 2, "leave": 1, "absent": 1}));
    assert_eq!(m["attendance_rate"], "50.0%");
    assert_eq!(m["guests"][0]["unit"], "市直机关工委");
    // Stored in UTC seconds: 15:00 in China is 07:00 UTC.
    assert_eq!(app.scalar(&format!("SELECT starts_at FROM meetings WHERE id = {id}")).await, 1_782_889_200);
    let back = shuji.get_ok(&format!("/meetings/{id}")).await;
    assert_eq!(back["topic"], "学习党章，庆祝建党105周年");
    assert_eq!(back["lecturer"], "支部书记");
    let att = shuji.get_ok(&format!("/meetings/{id}/attendance")).await;
    assert_eq!(att.as_array().expect("rows").len(), 4);
    assert!(att.as_array().unwrap().iter().any(|a| a["status"] == "leave" && a["reason"] == "出差"));
    // It counts as both kinds, in the kind filter of its organisation.
    for kind in ["party_lecture", "branch_general_meeting"] {
        let l = shuji.get_ok(&format!("/meetings?org={own}&subtree=false&kind={kind}&from=2026-07-01&to=2026-07-01")).await;
        assert_eq!(l["total"], 1, "{kind}: {l}");
        assert_eq!(l["items"][0]["id"], id);
    }
    assert_eq!(shuji.get_ok(&format!("/meetings?org={own}&kind=theme_day&from=2026-07-01&to=2026-07-01")).await["total"], 0);
}

#[tokio::test]
async fn without_attendance_everyone_on_the_roster_is_present() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let n = roster(&app, OWN_BRANCH).await.len() as i64;
    let body = json!({"org_id": own, "kinds": ["theme_day"], "starts_at": "2026-06-10T09:30:00+08:00", "topic": "主题党日"});
    let m = shuji.post_json("/meetings", &body).await.assert_status(201).json();
    assert_eq!(m["attendance"]["present"], n);
    assert_eq!(m["attendance_rate"], "100.0%");
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let other_member = roster(&app, OTHER_BRANCH).await[0];
    let own_member = roster(&app, OWN_BRANCH).await[0];
    let before = counts(&app).await;
    let cases: Vec<(Value, &str)> = vec![
        ({ let mut b = lecture(own); b["starts_at"] = json!("2026-07-01 15:00"); b }, "starts_at"),
        ({ let mut b = lecture(own); b["kinds"] = json!(["party_lecture", "tea_party"]); b }, "kinds"),
        ({ let mut b = lecture(own); b["attendance"] = json!([{"member_id": other_member, "status": "present"}]); b }, "attendance"),
        ({ let mut b = lecture(own); b["kinds"] = json!(["democratic_life_meeting"]); b }, "kinds"),
        ({ let mut b = lecture(own); b["lecturer"] = json!(""); b }, "lecturer"),
        ({ let mut b = lecture(own); b["attendance"] = json!([{"member_id": own_member, "status": "leave"}]); b }, "attendance"),
        ({ let mut b = lecture(own); b["topic"] = json!(""); b }, "topic"),
    ];
    for (body, field) in cases {
        let r = shuji.post_json("/meetings", &body).await;
        assert_eq!(r.status, 422, "{field}: {r:?}");
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        assert!(fields(&r).iter().any(|f| f == field), "{field} named in {r:?}");
    }
    // The member of another organisation is named.
    let mut b = lecture(own);
    b["attendance"] = json!([{"member_id": other_member, "status": "present"}]);
    assert!(shuji.post_json("/meetings", &b).await.text().contains(&other_member.to_string()));
    // A body that does not parse names its field too.
    let r = shuji.post_json("/meetings", &json!({"org_id": own, "kinds": "party_lecture", "starts_at": "x", "topic": "t"})).await.assert_status(422);
    assert!(fields(&r).contains(&"kinds".to_string()), "{r:?}");
    // All problems at once.
    let r = shuji.post_json("/meetings", &json!({"org_id": own, "kinds": ["party_lecture"], "starts_at": "soon", "topic": ""})).await.assert_status(422);
    let f = fields(&r);
    for want in ["starts_at", "topic", "lecturer", "lecture_title"] {
        assert!(f.iter().any(|x| x == want), "{want} in {f:?}");
    }
    assert_eq!(counts(&app).await, before, "a refused record writes nothing");
}

#[tokio::test]
async fn a_group_meeting_is_a_groups_and_lists_its_branchs_members() {
    let (app, shuji) = demo_api("shuji1").await;
    let group = app.org_id(&format!("{OWN_BRANCH}-G1")).await;
    let own = app.org_id(OWN_BRANCH).await;
    let branch_member = roster(&app, OWN_BRANCH).await[4];
    let body = json!({"org_id": group, "kinds": ["group_meeting"], "starts_at": "2026-05-25T15:00:00+08:00", "topic": "党小组学习",
        "attendance": [{"member_id": branch_member, "status": "present"}]});
    shuji.post_json("/meetings", &body).await.assert_status(201);
    let r = shuji.post_json("/meetings", &json!({"org_id": own, "kinds": ["group_meeting"], "starts_at": "2026-05-25T15:00:00+08:00", "topic": "x"})).await.assert_status(422);
    assert_eq!(fields(&r), vec!["kinds"]);
}

#[tokio::test]
async fn a_correction_keeps_the_previous_version_with_its_author() {
    let (app, shuji) = demo_api("shuji1").await;
    let zuzhi = app.demo_login("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let m = shuji.post_json("/meetings", &lecture(own)).await.assert_status(201).json();
    let id = m["id"].as_i64().unwrap();
    assert_eq!(m["version"], 1);
    let mut body = lecture(own);
    body["place"] = json!("党员活动室");
    body["version"] = json!(1);
    let c = zuzhi.request("PUT", &format!("/meetings/{id}"), Some(&body)).await.assert_status(200).json();
    assert_eq!((c["version"].clone(), c["place"].clone()), (json!(2), json!("党员活动室")));
    let v = shuji.get_ok(&format!("/meetings/{id}/versions")).await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["version"], 1);
    assert_eq!(v[0]["author"], "shuji1", "the kept version carries who wrote it");
    assert_eq!(v[0]["author_id"], app.account_id("shuji1").await);
    assert_eq!(v[0]["record"]["place"], "三楼会议室");
    assert!(v[0]["record"]["attendance"].as_array().is_some_and(|a| !a.is_empty()));
    // A correction of an older version is refused and changes nothing.
    let before = counts(&app).await;
    let r = shuji.request("PUT", &format!("/meetings/{id}"), Some(&body)).await.assert_status(409);
    assert_eq!(r.code(), "stale_version");
    assert_eq!(counts(&app).await, before);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.correct' AND object = 'meeting:{id}'")).await, 1);
}

#[tokio::test]
async fn deleting_needs_a_reason_and_is_audited() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = shuji.post_json("/meetings", &lecture(own)).await.assert_status(201).json()["id"].as_i64().unwrap();
    let r = shuji.delete(&format!("/meetings/{id}")).await.assert_status(422);
    assert_eq!(fields(&r), vec!["reason"]);
    shuji.get(&format!("/meetings/{id}")).await.assert_status(200);
    shuji.request("DELETE", &format!("/meetings/{id}"), Some(&json!({"reason": "重复登记"}))).await.assert_status(204);
    shuji.get(&format!("/meetings/{id}")).await.assert_status(404);
    let l = shuji.get_ok(&format!("/meetings?org={own}&subtree=false&from=2026-07-01&to=2026-07-01")).await;
    assert_eq!(l["total"], 0, "a deleted meeting leaves the lists");
    assert_eq!(shuji.get_ok(&format!("/meetings?org={own}&kind=party_lecture&from=2026-07-01&to=2026-07-01")).await["total"], 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.delete' AND object = 'meeting:{id}' AND detail LIKE '%重复登记%'")).await, 1);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM meeting_versions WHERE meeting_id = {id}")).await, 1, "the deleted record is kept");
    // The query form of the reason works too.
    let id2 = shuji.post_json("/meetings", &lecture(own)).await.assert_status(201).json()["id"].as_i64().unwrap();
    shuji.delete(&format!("/meetings/{id2}?reason={}", urlencode("录入错误"))).await.assert_status(204);
}

#[tokio::test]
async fn who_may_see_and_write() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let other = app.org_id(OTHER_BRANCH).await;
    let zuzhi = app.demo_login("zuzhi").await;
    let dangyuan = app.demo_login("dangyuan1").await;
    let me = app.member_id_of("dangyuan1").await;
    let members = roster(&app, OWN_BRANCH).await;
    let mut body = lecture(own);
    body["attendance"] = json!(members.iter().map(|m| json!({"member_id": m, "status": if *m == me { "leave" } else { "present" }, "reason": if *m == me { "病假" } else { "" }})).collect::<Vec<_>>());
    let id = shuji.post_json("/meetings", &body).await.assert_status(201).json()["id"].as_i64().unwrap();
    let theirs = zuzhi.post_json("/meetings", &lecture(other)).await.assert_status(201).json()["id"].as_i64().unwrap();

    // Another branch's secretary: 404 for reading, writing and recording.
    shuji.get(&format!("/meetings/{theirs}")).await.assert_status(404);
    shuji.get(&format!("/meetings/{theirs}/attendance")).await.assert_status(404);
    shuji.request("DELETE", &format!("/meetings/{theirs}"), Some(&json!({"reason": "x"}))).await.assert_status(404);
    shuji.post_json("/meetings", &lecture(other)).await.assert_status(404);
    shuji.get(&format!("/meetings?org={other}")).await.assert_status(404);
    let mine = shuji.get_ok("/meetings?per_page=200").await;
    assert!(mine["items"].as_array().unwrap().iter().all(|m| m["org_id"] != other), "lists stay in scope");

    // A member: their organisation's meetings, their own attendance only, no writing.
    dangyuan.get(&format!("/meetings/{id}")).await.assert_status(200);
    let att = dangyuan.get_ok(&format!("/meetings/{id}/attendance")).await;
    assert_eq!(att.as_array().unwrap().len(), 1, "{att}");
    assert_eq!((att[0]["member_id"].as_i64(), att[0]["status"].clone()), (Some(me), json!("leave")));
    dangyuan.get(&format!("/meetings/{theirs}")).await.assert_status(404);
    dangyuan.post_json("/meetings", &lecture(own)).await.assert_status(403);
    dangyuan.request("DELETE", &format!("/meetings/{id}"), Some(&json!({"reason": "x"}))).await.assert_status(403);
    dangyuan.get(&format!("/meetings/{id}/versions")).await.assert_status(403);
    assert!(dangyuan.get_ok(&format!("/meetings?org={own}")).await["total"].as_i64().unwrap() > 0);

    // 三员 see none.
    for user in ["admin", "anquan", "shenji"] {
        let a = app.demo_login(user).await;
        let r = a.get(&format!("/meetings/{id}")).await;
        assert!(r.status == 403 || r.status == 404, "{user}: {r:?}");
        let r = a.get("/meetings").await;
        assert!(r.status == 403 || r.status == 404, "{user}: {r:?}");
        let r = a.post_json("/meetings", &lecture(own)).await;
        assert!(r.status == 403 || r.status == 404, "{user}: {r:?}");
    }
}

async fn page(api: &Api, app: &TestApp, path: &str) -> Resp {
    Resp::from(api.client.get(app.url(path)).send().await.expect("page")).await
}

async fn post_form(api: &Api, app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    Resp::from(api.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs)).send().await.expect("post")).await
}

/// A 谈心谈话 records only those who talked: its form says so and ticks nobody, where a 大会's
/// form keeps "默认全部出席" with everyone present.
#[tokio::test]
async fn the_form_for_a_talk_asks_for_those_who_talked() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let members = roster(&app, OWN_BRANCH).await;
    let present = format!(r#"name="att_{}" value="present" checked"#, members[0]);
    let absent = format!(r#"name="att_{}" value="absent" checked"#, members[0]);

    let talk = page(&shuji, &app, &format!("/meetings/new?org={own}&kind=heart_to_heart_talk")).await.assert_status(200).text();
    assert!(talk.contains("谈话人员（将参加谈话的同志标为“出席”，至少两人）"), "{talk}");
    assert!(!talk.contains("默认全部出席"), "a talk's form does not say everyone is present by default");
    assert!(talk.contains(&absent) && !talk.contains(&present), "nobody is ticked present for a talk");

    let assembly = page(&shuji, &app, &format!("/meetings/new?org={own}&kind=branch_general_meeting")).await.assert_status(200).text();
    assert!(assembly.contains("出席情况（默认全部出席，只需标出请假和缺席的同志）"), "{assembly}");
    assert!(!assembly.contains("谈话人员"), "a 大会's form keeps its own legend");
    assert!(assembly.contains(&present), "everyone is present by default at a 大会");
}

#[tokio::test]
async fn the_pages_record_show_and_list_meetings() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let members = roster(&app, OWN_BRANCH).await;
    // The list, with the demo's meetings and the kind filter.
    let list = page(&shuji, &app, &format!("/meetings?org={own}&kind=theme_day")).await.assert_status(200).text();
    assert!(list.contains("主题党日") && list.contains("出席率"), "{list}");
    // The form lists everyone, present by default.
    let form = page(&shuji, &app, &format!("/meetings/new?org={own}")).await.assert_status(200).text();
    assert!(form.contains(&format!(r#"name="att_{}" value="present" checked"#, members[0])), "attendance defaults to present");
    assert!(!form.contains("<script"), "no script");
    // A POST without the CSRF token is refused.
    let r = post_form(&shuji, &app, &format!("/meetings/new?org={own}"), &[("kind", "theme_day"), ("topic", "无令牌")]).await;
    assert_eq!(r.status, 403, "{r:?}");
    // A bad form comes back with the message beside the field, nothing written.
    let before = counts(&app).await;
    let (a0, a1) = (format!("att_{}", members[0]), format!("att_{}", members[1]));
    let r = post_form(&shuji, &app, &format!("/meetings/new?org={own}"), &[("_csrf", &shuji.csrf), ("kind", "party_lecture"), ("topic", "党课"), ("date", "2026-09-20"), ("time", "15:00"), (&a0, "leave")]).await;
    assert_eq!(r.status, 422, "{r:?}");
    let t = r.text();
    assert!(t.contains("请假须填写事由") && t.contains("党课授课人不能为空"), "{t}");
    assert_eq!(counts(&app).await, before);
    // One tap marks an exception; the rest stay present.
    let r0 = format!("reason_{}", members[0]);
    let r = post_form(&shuji, &app, &format!("/meetings/new?org={own}"), &[
        ("_csrf", &shuji.csrf), ("kind", "branch_general_meeting"), ("kind", "party_lecture"), ("topic", "页面登记的党课"), ("date", "2026-09-20"), ("time", "15:00"),
        ("lecturer", "书记"), ("lecture_title", "党章"), (&a0, "leave"), (&r0, "出差"), (&a1, "absent"), ("guests", "王建国 市直机关工委"),
    ]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let loc = r.header("location").expect("location");
    let id: i64 = loc.trim_start_matches("/meetings/").split('?').next().unwrap().parse().expect("id");
    let m = shuji.get_ok(&format!("/meetings/{id}")).await;
    assert_eq!(m["attendance"]["present"].as_i64().unwrap() as usize, members.len() - 2);
    assert_eq!((m["attendance"]["leave"].clone(), m["attendance"]["absent"].clone()), (json!(1), json!(1)));
    assert_eq!(m["guests"][0], json!({"name": "王建国", "unit": "市直机关工委"}));
    // The meeting page: kinds, rate, guests, correct and delete forms.
    let show = page(&shuji, &app, &loc).await.assert_status(200).text();
    for want in ["页面登记的党课", "支部党员大会", "党课", "出席率", "王建国", "删除原因", "更正记录", "出差"] {
        assert!(show.contains(want), "{want} on the meeting page");
    }
    // Correction through the page keeps a version.
    let r = post_form(&shuji, &app, &format!("/meetings/{id}/edit"), &[
        ("_csrf", &shuji.csrf), ("version", "1"), ("kind", "branch_general_meeting"), ("kind", "party_lecture"), ("topic", "页面登记的党课（更正）"), ("date", "2026-09-20"), ("time", "15:00"),
        ("lecturer", "书记"), ("lecture_title", "党章"), (&a0, "leave"), (&r0, "出差"), (&a1, "present"),
    ]).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert!(page(&shuji, &app, &format!("/meetings/{id}")).await.text().contains("第1版 · shuji1"));
    // Deleting without a reason is refused beside the field; with one it goes.
    let r = post_form(&shuji, &app, &format!("/meetings/{id}/delete"), &[("_csrf", &shuji.csrf), ("reason", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("删除原因不能为空"));
    let r = post_form(&shuji, &app, &format!("/meetings/{id}/delete"), &[("_csrf", &shuji.csrf), ("reason", "测试删除")]).await;
    assert_eq!(r.status, 303, "{r:?}");
    shuji.get(&format!("/meetings/{id}")).await.assert_status(404);
}

#[tokio::test]
async fn the_organisation_and_member_pages_show_organisational_life() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let org_page = page(&shuji, &app, &format!("/orgs/{own}")).await.assert_status(200).text();
    assert!(org_page.contains("组织生活（") && org_page.contains("主题党日") && org_page.contains("登记会议"), "the organisation page has its section");
    assert!(org_page.contains(r#"href="/meetings""#), "the navigation links the area");
    let me = app.member_id_of("dangyuan1").await;
    let dangyuan = app.demo_login("dangyuan1").await;
    let member_page = page(&dangyuan, &app, &format!("/members/{me}")).await.assert_status(200).text();
    assert!(member_page.contains("参加组织生活") && member_page.contains("出席"), "the member sees their attendance");
    // 三员 get no link and no section.
    let admin = app.demo_login("admin").await;
    let home = page(&admin, &app, "/").await.text();
    assert!(!home.contains(r#"href="/meetings""#));
    let org_page = page(&admin, &app, &format!("/orgs/{own}")).await.text();
    assert!(!org_page.contains("组织生活（"), "三员 see no meetings");
}

#[tokio::test]
async fn the_demo_holds_a_year_and_a_half_of_meetings() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    assert!(app.scalar("SELECT COUNT(*) FROM meetings").await > 1000);
    assert!(app.scalar("SELECT COUNT(*) FROM meeting_attendance WHERE status = 'absent'").await > 0);
    for t in ["meetings", "meeting_kinds", "meeting_attendance", "meeting_versions"] {
        assert!(app.scalar(&format!("SELECT COUNT(*) FROM {t}")).await > 0, "the demo writes {t}");
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {t} WHERE tenant_id = 0")).await, 0, "{t} rows carry their tenant");
    }
    let root = app.org_id(ROOT).await;
    let l = zuzhi.get_ok(&format!("/meetings?org={root}&kind=central_group_study")).await;
    assert!(l["total"].as_i64().unwrap() > 0);
    assert_eq!(l["items"][0]["guests"][0]["unit"], "市直机关工委组织部");
}

/// 自定义会议类别: the 工委 adds a kind (a 法制讲座, seed 001) without code; a branch records meetings that
/// count as it, alone or with a canonical kind; lists filter by it; a retired kind takes no new
/// records but stays on those that had it.
#[tokio::test]
async fn an_installation_adds_a_kind_and_records_count_as_it() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let (root, own) = (app.org_id(ROOT).await, app.org_id(OWN_BRANCH).await);
    let kind = json!({"org_id": root, "code": "law_lecture", "name": "法制讲座", "held_by": ["branch", "joint_branch"]});
    let defs = app.scalar("SELECT COUNT(*) FROM meeting_kind_defs").await;
    let added = zuzhi.post_json("/meeting-kinds", &kind).await.assert_status(201).json();
    assert_eq!((added["code"].as_str(), added["retired"].as_bool()), (Some("law_lecture"), Some(false)), "{added}");
    // Every problem at once, nothing written.
    let r = zuzhi.post_json("/meeting-kinds", &json!({"org_id": root, "code": "party_lecture", "name": "", "held_by": ["nonsense"]})).await.assert_status(422);
    for code in ["canonical_code", "required", "invalid_org_kind"] {
        assert!(r.text().contains(code), "{code}: {}", r.text());
    }
    let r = zuzhi.post_json("/meeting-kinds", &kind).await.assert_status(422);
    assert!(r.text().contains("duplicate_code") && r.text().contains("duplicate_name"), "{}", r.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM meeting_kind_defs").await, defs + 1);
    // A secretary adds no kinds for the installation.
    assert_ne!(shuji.post_json("/meeting-kinds", &kind).await.status, 201);
    let kinds = shuji.get_ok(&format!("/meeting-kinds?org={own}")).await;
    assert!(kinds["added"].as_array().expect("added").iter().any(|k| k["name"] == "法制讲座" && k["code"] == "law_lecture"), "{kinds}");
    assert_eq!(kinds["canonical"].as_array().map(Vec::len), Some(10));

    let alone = json!({"org_id": own, "kinds": [], "local_kinds": ["law_lecture"], "starts_at": "2026-07-08T15:00:00+08:00", "topic": "法制讲座"});
    let m = shuji.post_json("/meetings", &alone).await.assert_status(201).json();
    assert_eq!((m["kinds"].as_array().map(Vec::len), m["local_kinds"][0]["name"].as_str()), (Some(0), Some("法制讲座")), "{m}");
    let both = json!({"org_id": own, "kinds": ["theme_day"], "local_kinds": ["法制讲座"], "starts_at": "2026-07-15T15:00:00+08:00", "topic": "主题党日暨法制讲座"});
    let m2 = shuji.post_json("/meetings", &both).await.assert_status(201).json();
    assert_eq!((m2["kinds"][0].as_str(), m2["local_kinds"][0]["code"].as_str()), (Some("theme_day"), Some("law_lecture")));
    let before = counts(&app).await;
    let mut unknown = alone.clone();
    unknown["local_kinds"] = json!(["no_such_kind"]);
    unknown["starts_at"] = json!("not a date");
    let r = shuji.post_json("/meetings", &unknown).await.assert_status(422);
    assert!(r.text().contains("local_kinds") && r.text().contains("invalid_kind") && r.text().contains("starts_at"), "{}", r.text());
    assert_eq!(counts(&app).await, before, "nothing written");

    let listed = shuji.get_ok(&format!("/meetings?org={own}&kind=law_lecture")).await;
    assert_eq!(listed["total"], 2, "{listed}");
    let page = Resp::from(shuji.client.get(app.url(&format!("/meetings/new?org={own}"))).send().await.expect("form")).await.assert_status(200).text();
    assert!(page.contains(r#"name="local_kind" value="law_lecture""#), "the form offers the added kind");
    let org_page = Resp::from(shuji.client.get(app.url(&format!("/orgs/{own}"))).send().await.expect("org page")).await.assert_status(200).text();
    assert!(org_page.contains("法制讲座"), "this year's life by kind lists it");

    // Retired: refused for a new record, kept on a correction of one that had it.
    zuzhi.delete(&format!("/meeting-kinds/{}", added["id"])).await.assert_status(204);
    let r = shuji.post_json("/meetings", &alone).await.assert_status(422);
    assert!(r.text().contains("retired_kind"), "{}", r.text());
    let mut fixed = alone.clone();
    fixed["topic"] = json!("法制讲座（更正）");
    fixed["version"] = m["version"].clone();
    let c = shuji.request("PUT", &format!("/meetings/{}", m["id"]), Some(&fixed)).await.assert_status(200).json();
    assert_eq!(c["local_kinds"][0]["code"], "law_lecture", "{c}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'meeting_kind.retire'").await, 1);
}

/// A body that is not the shape of a meeting is a 422 naming the field serde stopped at, for
/// every area's API alike (one helper reads them all).
#[tokio::test]
async fn an_unreadable_body_names_its_field() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let r = shuji.post_json("/meetings", &json!({"org_id": own, "kinds": "theme_day"})).await.assert_status(422);
    assert_eq!((r.code(), r.json()["errors"][0]["field"].as_str()), ("bad_body".to_string(), Some("kinds")), "{}", r.text());
    let r = shuji.post_json("/reports", &json!({"schedule_id": "first"})).await.assert_status(422);
    assert_eq!(r.json()["errors"][0]["field"], "schedule_id", "{}", r.text());
}
