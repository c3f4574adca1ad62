//! 考核通报 and 评先表彰: a bulletin's ranks, tiers, strong and weak points and changes since the
//! last period against a hand-computed fixture, the same figures in its xlsx, a 党委's bulletin
//! holding its subtree only; nominations drawn from the results, added and removed with a reason,
//! reviewed and published, then shown in the organisation's and the member's history; who may do
//! what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use dangjian_domain::time::today_cst;
use serde_json::{json, Value};

use crate::helpers::*;

/// Four scored indicators of 40, 30, 20 and 10 points: totals and shares are exactly what the
/// assessor gives.
fn four_indicators() -> Value {
    json!({
        "name": "通报测试方案", "scale": 100, "period_kind": "year",
        "indicators": [
            {"name": "党建品牌", "points": "40", "method": "scored"},
            {"name": "组织建设", "points": "30", "method": "scored"},
            {"name": "为民服务", "points": "20", "method": "scored"},
            {"name": "作风建设", "points": "10", "method": "scored"}
        ]
    })
}

async fn branches(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for b in 1..=4 {
        out.push(app.org_id(&format!("SZJGGW-A01-B{b}")).await);
    }
    out
}

/// Runs an assessment of `period` of `scheme` over SZJGGW-A01 to publication with the scores
/// given per branch (the four indicators in order).
async fn published(api: &Api, scheme: i64, org: i64, period: &str, given: &[(i64, [u32; 4])]) -> i64 {
    let a = api.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": org, "period": period})).await.assert_status(201).json();
    let id = a["id"].as_i64().expect("id");
    assert_eq!(a["targets"], given.len(), "the fixture scores every branch of SZJGGW-A01");
    api.post_json(&format!("/assessments/{id}/stage"), &json!({"stage": "scoring"})).await.assert_status(200);
    let points = [40, 30, 20, 10];
    let scores: Vec<Value> = given
        .iter()
        .flat_map(|(org, s)| (0..4).map(move |i| json!({"org_id": org, "indicator": (i + 1).to_string(), "score": s[i].to_string(), "comment": if s[i] < points[i] { "有扣分" } else { "" }})))
        .collect();
    api.request("PUT", &format!("/assessments/{id}/scores"), Some(&json!({"scores": scores}))).await.assert_status(200);
    api.post_json(&format!("/assessments/{id}/stage"), &json!({"stage": "review"})).await.assert_status(200);
    api.post_json(&format!("/assessments/{id}/stage"), &json!({"stage": "published"})).await.assert_status(200);
    id
}

fn row(b: &Value, org: i64) -> &Value {
    b["rows"].as_array().expect("rows").iter().find(|r| r["org_id"] == org).unwrap_or_else(|| panic!("no row for {org}: {b}"))
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array().expect("list").iter().map(|e| e["code"].as_str().expect("code").to_string()).collect()
}

fn count(b: &Value, list: &str, key: &str, name: &str) -> i64 {
    b[list].as_array().expect("counts").iter().find(|c| c[key] == name).unwrap_or_else(|| panic!("no {name}"))["count"].as_i64().expect("count")
}

#[tokio::test]
async fn a_bulletin_matches_a_hand_computed_fixture_on_the_page_and_in_xlsx() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let b = branches(&app).await;
    let mut body = four_indicators();
    body["org_id"] = json!(a01);
    let scheme = zuzhi.post_json("/assessment-schemes", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
    // Last period: 90 优秀 (1st), 85 良好 (2nd), 75 一般 (3rd), 50 较差 (4th).
    let before = published(&zuzhi, scheme, a01, "2023", &[(b[0], [36, 27, 18, 9]), (b[1], [40, 30, 10, 5]), (b[2], [30, 20, 15, 10]), (b[3], [20, 15, 10, 5])]).await;
    // Before the results are published there is no bulletin.
    let running = zuzhi.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": a01, "period": "2025"})).await.assert_status(201).json()["id"].as_i64().expect("id");
    let r = zuzhi.get(&format!("/assessments/{running}/bulletin")).await.assert_status(422);
    assert!(r.text().contains("尚未公布"), "{r:?}");
    // This period: 94 and 94 share the 1st place (优秀), 72 一般 3rd, 56 较差 4th.
    let id = published(&zuzhi, scheme, a01, "2024", &[(b[0], [40, 24, 20, 10]), (b[1], [36, 30, 20, 8]), (b[2], [30, 21, 14, 7]), (b[3], [20, 15, 12, 9])]).await;

    let bl = zuzhi.get_ok(&format!("/assessments/{id}/bulletin")).await;
    assert_eq!(bl["previous"]["id"], before, "the last published period of the same scheme");
    let total = |o: i64| row(&bl, o)["total"].as_f64().expect("total");
    let rank = |o: i64| row(&bl, o)["rank"].as_i64().expect("rank");
    assert_eq!([total(b[0]), total(b[1]), total(b[2]), total(b[3])], [94.0, 94.0, 72.0, 56.0]);
    assert_eq!([rank(b[0]), rank(b[1]), rank(b[2]), rank(b[3])], [1, 1, 3, 4]);
    let tier = |o: i64| row(&bl, o)["tier"].as_str().expect("tier").to_string();
    assert_eq!([tier(b[0]), tier(b[1]), tier(b[2]), tier(b[3])], ["优秀", "优秀", "一般", "较差"]);
    assert_eq!(row(&bl, b[0])["outcome"], "commendation");
    assert_eq!(row(&bl, b[3])["outcome"], "admonishment");
    // Strong and weak points by share: b0 lost only on 2 (24/30); the full ones, heaviest first.
    assert_eq!((codes(&row(&bl, b[0])["strong"]), codes(&row(&bl, b[0])["weak"])), (vec!["1".into(), "3".into()], vec!["2".to_string()]));
    // b1: 4 at 0.8 is weaker than 1 at 0.9 though it lost fewer points.
    assert_eq!((codes(&row(&bl, b[1])["strong"]), codes(&row(&bl, b[1])["weak"])), (vec!["2".into(), "3".into()], vec!["4".to_string(), "1".into()]));
    // b2: 2, 3 and 4 all at 0.7: the larger losses (9, then 6) are the weak points.
    assert_eq!((codes(&row(&bl, b[2])["strong"]), codes(&row(&bl, b[2])["weak"])), (vec!["1".into(), "4".into()], vec!["2".to_string(), "3".into()]));
    assert_eq!((codes(&row(&bl, b[3])["strong"]), codes(&row(&bl, b[3])["weak"])), (vec!["4".into(), "3".into()], vec!["1".to_string(), "2".into()]));
    // Changes since 2023.
    let ch = |o: i64| row(&bl, o)["change"].clone();
    assert_eq!((ch(b[0])["total_before"].as_f64(), ch(b[0])["rank_before"].as_i64(), ch(b[0])["delta"].as_f64(), ch(b[0])["tier_move"].as_str()), (Some(90.0), Some(1), Some(4.0), Some("same")));
    assert_eq!((ch(b[1])["delta"].as_f64(), ch(b[1])["rank_before"].as_i64(), ch(b[1])["tier_before"].as_str(), ch(b[1])["tier_move"].as_str()), (Some(9.0), Some(2), Some("良好"), Some("up")));
    assert_eq!((ch(b[2])["delta"].as_f64(), ch(b[2])["tier_move"].as_str()), (Some(-3.0), Some("same")));
    assert_eq!((ch(b[3])["delta"].as_f64(), ch(b[3])["tier_move"].as_str()), (Some(6.0), Some("same")));
    // The counts are the system's: 优秀 2, 良好 0, 一般 1, 较差 1; 推荐评先表彰 2, 诫勉谈话 1.
    assert_eq!(["优秀", "良好", "一般", "较差"].map(|t| count(&bl, "tier_counts", "tier", t)), [2, 0, 1, 1]);
    assert_eq!(count(&bl, "outcome_counts", "outcome", "commendation"), 2);
    assert_eq!(count(&bl, "outcome_counts", "outcome", "admonishment"), 1);
    // The earliest period has no previous one: 首次考核.
    let first = zuzhi.get_ok(&format!("/assessments/{before}/bulletin")).await;
    assert!(first["previous"].is_null());
    assert!(first["rows"].as_array().expect("rows").iter().all(|r| r["change"]["tier_move"] == "first" && r["change"]["delta"].is_null()));

    // The page: the figures, the header's counts, printable without the navigation.
    let page = zuzhi.client.get(app.url(&format!("/assessments/{id}/bulletin"))).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("优秀 2 个") && html.contains("推荐评先表彰 2 个") && html.contains("诫勉谈话 1 个"), "{html}");
    assert!(html.contains("良好→优秀") && html.contains("+9分") && html.contains("组织建设 24/30"), "{html}");
    assert!(html.contains("class=\"bulletin\"") && html.contains("no-print"), "the print layout");
    // The assessment's page links to it.
    let show = zuzhi.client.get(app.url(&format!("/assessments/{id}"))).send().await.expect("show").text().await.expect("html");
    assert!(show.contains(&format!("/assessments/{id}/bulletin")) && show.contains(&format!("/assessments/{id}/honours")), "{show}");

    // The workbook: the same figures, totals and deltas as numbers.
    let x = zuzhi.client.get(zuzhi.url(&format!("/assessments/{id}/bulletin.xlsx"))).bearer_auth(&zuzhi.token).send().await.expect("xlsx");
    assert_eq!(x.status().as_u16(), 200);
    assert!(x.headers()["content-disposition"].to_str().expect("header").starts_with("attachment;"));
    let bytes = x.bytes().await.expect("bytes").to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx");
    let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let summary = rows.iter().flatten().find_map(|c| match c {
        Data::String(s) if s.contains("按等次") => Some(s.clone()),
        _ => None,
    });
    assert!(summary.as_deref().is_some_and(|s| s.contains("优秀 2 个") && s.contains("诫勉谈话 1 个")), "{summary:?}");
    let head = rows.iter().position(|r| r.first() == Some(&Data::String("序号".into()))).expect("the header row");
    let cell = |r: &[Data], c: usize| r.get(c).cloned().unwrap_or(Data::Empty);
    let name_of = |o: i64| bl["rows"].as_array().expect("rows").iter().find(|r| r["org_id"] == o).expect("row")["org_name"].as_str().expect("name").to_string();
    let line = |o: i64| rows[head + 1..].iter().find(|r| cell(r, 1) == Data::String(name_of(o))).cloned().unwrap_or_else(|| panic!("no line for {o}"));
    let b1 = line(b[1]);
    assert_eq!(cell(&b1, 3), Data::Float(94.0));
    assert_eq!(cell(&b1, 4), Data::Float(1.0));
    assert_eq!(cell(&b1, 5), Data::String("优秀".into()));
    assert_eq!(cell(&b1, 6), Data::String("推荐评先表彰".into()));
    assert_eq!(cell(&b1, 8), Data::String("作风建设 8/10；党建品牌 36/40".into()));
    assert_eq!((cell(&b1, 9), cell(&b1, 10), cell(&b1, 11)), (Data::Float(85.0), Data::Float(2.0), Data::Float(9.0)));
    assert_eq!(cell(&b1, 12), Data::String("良好→优秀".into()));
    let b2 = line(b[2]);
    assert_eq!((cell(&b2, 3), cell(&b2, 11), cell(&b2, 12)), (Data::Float(72.0), Data::Float(-3.0), Data::String("一般（不变）".into())));
    assert_eq!(rows.len() - head - 1, 4, "a line per organisation");
}

#[tokio::test]
async fn a_committees_bulletin_holds_its_subtree_and_a_secretary_sees_their_own_only() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    // The demo's latest published assessment covers the whole 工委 and has a previous period.
    let id = app.scalar("SELECT MAX(id) FROM assessments").await;
    let whole = zuzhi.get_ok(&format!("/assessments/{id}/bulletin")).await;
    let other = app.scalar("SELECT MIN(id) FROM assessments").await;
    let latest = if whole["previous"].is_null() { other } else { id };
    let whole = zuzhi.get_ok(&format!("/assessments/{latest}/bulletin")).await;
    assert!(!whole["previous"].is_null(), "the demo has a previous period: {}", whole["previous"]);
    assert!(whole["rows"].as_array().expect("rows").iter().any(|r| r["change"]["tier_move"] != "first"));
    let a01 = app.org_id("SZJGGW-A01").await;
    let part = zuzhi.get_ok(&format!("/assessments/{latest}/bulletin?org_id={a01}")).await;
    let in_a01 = app.scalar(&format!("SELECT COUNT(*) FROM assessment_targets t JOIN orgs o ON o.id = t.org_id WHERE t.assessment_id = {latest} AND o.code LIKE 'SZJGGW-A01-%'")).await;
    assert_eq!(part["rows"].as_array().expect("rows").len() as i64, in_a01);
    assert!(in_a01 > 0 && in_a01 < whole["rows"].as_array().expect("rows").len() as i64);
    // Each of its lines is the whole bulletin's line; its counts are its own.
    for r in part["rows"].as_array().expect("rows") {
        assert_eq!(r, row(&whole, r["org_id"].as_i64().expect("id")));
    }
    let tiers: i64 = part["tier_counts"].as_array().expect("counts").iter().map(|c| c["count"].as_i64().expect("count")).sum();
    assert_eq!(tiers, in_a01);
    // The secretary: their branch's bulletin, nobody else's, not the whole.
    let own = app.org_id("SZJGGW-A01-B1").await;
    let mine = shuji.get_ok(&format!("/assessments/{latest}/bulletin?org_id={own}")).await;
    assert_eq!(mine["rows"].as_array().expect("rows").len(), 1);
    shuji.get(&format!("/assessments/{latest}/bulletin?org_id={}", app.org_id("SZJGGW-A02-B1").await)).await.assert_status(404);
    shuji.get(&format!("/assessments/{latest}/bulletin")).await.assert_status(404);
    shuji.get(&format!("/assessments/{latest}/bulletin.xlsx")).await.assert_status(404);
    app.demo_login("dangyuan1").await.get(&format!("/assessments/{latest}/bulletin?org_id={own}")).await.assert_status(404);
    // The page chooses a 党委.
    let html = zuzhi.client.get(app.url(&format!("/assessments/{latest}/bulletin?org={a01}"))).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("<select id=\"org\"") && html.contains(&format!("<option value=\"{a01}\" selected>")), "{html}");
}

fn nomination(list: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    list["nominations"].as_array().expect("nominations").iter().find(|n| pred(n)).unwrap_or_else(|| panic!("no such nomination: {list}"))
}

#[tokio::test]
async fn nominations_are_drawn_from_results_reviewed_published_and_kept_in_history() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let b = branches(&app).await;
    let mut body = four_indicators();
    body["org_id"] = json!(a01);
    body["name"] = json!("表彰测试方案");
    let scheme = zuzhi.post_json("/assessment-schemes", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
    // b0 and b1 优秀 (推荐评先表彰), b2 一般, b3 较差.
    let id = published(&zuzhi, scheme, a01, "2024", &[(b[0], [40, 24, 20, 10]), (b[1], [36, 30, 20, 8]), (b[2], [30, 21, 14, 7]), (b[3], [20, 15, 12, 9])]).await;
    let base = format!("/assessments/{id}/honours");
    zuzhi.get(&base).await.assert_status(404);
    // Drawing up is the officer's: the secretary is refused in the open.
    shuji.post_json(&base, &json!({})).await.assert_status(403);
    let l = zuzhi.post_json(&base, &json!({})).await.assert_status(201).json();
    let proposed: Vec<i64> = l["nominations"].as_array().expect("list").iter().map(|n| n["org_id"].as_i64().expect("org")).collect();
    assert_eq!(proposed.len(), 2);
    assert!(proposed.contains(&b[0]) && proposed.contains(&b[1]));
    assert!(l["nominations"].as_array().expect("list").iter().all(|n| n["title"] == "advanced_org" && n["from_result"] == true && n["status"] == "proposed" && n["reason"].as_str().expect("reason").contains("优秀")));
    zuzhi.post_json(&base, &json!({})).await.assert_status(409);

    // Adding: every problem at once, nothing written.
    let before = app.scalar("SELECT COUNT(*) FROM honour_nominations").await;
    let r = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "劳动模范", "reason": ""})).await.assert_status(422);
    let fields: Vec<String> = r.json()["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("field").to_string()).collect();
    assert_eq!(fields, ["title", "reason"]);
    let r = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "excellent_member", "reason": " "})).await.assert_status(422);
    assert!(r.text().contains("请选择被提名的党员") && r.text().contains("请填写推荐理由"), "{r:?}");
    // A member outside the assessed subtree is named as such.
    let outsider = app.member_ids("SZJGGW-A02-B1").await[0];
    let r = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "excellent_member", "member_id": outsider, "reason": "x"})).await.assert_status(422);
    assert!(r.text().contains("不在"), "{r:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM honour_nominations").await, before);
    // The secretary of b0 as 优秀党务工作者, a member of b2 as 优秀共产党员, b2 itself.
    let secretary = app.member_id_of("shuji1").await;
    let member = app.member_ids("SZJGGW-A01-B3").await[2];
    let s = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "excellent_worker", "member_id": secretary, "reason": "支部组织生活按期开展"})).await.assert_status(201).json();
    assert_eq!((s["member_id"].as_i64(), s["from_result"].as_bool()), (Some(secretary), Some(false)));
    let m = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "excellent_member", "member_id": member, "reason": "抗洪抢险中带头"})).await.assert_status(201).json();
    let extra = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "advanced_org", "org_id": b[2], "reason": "为民服务成效突出"})).await.assert_status(201).json();
    // Twice: named.
    let r = zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "advanced_org", "org_id": b[0], "reason": "再提一次"})).await.assert_status(422);
    assert!(r.text().contains("已被提名"), "{r:?}");
    shuji.post_json(&format!("{base}/nominations"), &json!({"title": "advanced_org", "org_id": b[0], "reason": "自荐"})).await.assert_status(403);

    // Removing and reviewing: with a reason, once.
    let nid = |n: &Value| n["id"].as_i64().expect("id");
    let r = zuzhi.post_json(&format!("{base}/nominations/{}/removal", nid(&extra)), &json!({"reason": ""})).await.assert_status(422);
    assert!(r.text().contains("撤销理由"), "{r:?}");
    let removed = zuzhi.post_json(&format!("{base}/nominations/{}/removal", nid(&extra)), &json!({"reason": "未达到先进标准"})).await.assert_status(200).json();
    assert_eq!((removed["status"].as_str(), removed["decision_reason"].as_str()), (Some("removed"), Some("未达到先进标准")));
    let l = zuzhi.get_ok(&base).await;
    let b0 = nid(nomination(&l, |n| n["org_id"] == b[0] && n["member_id"].is_null()));
    let b1 = nid(nomination(&l, |n| n["org_id"] == b[1] && n["member_id"].is_null()));
    let review = |n: i64, d: &str, why: &str| {
        let (zuzhi, base) = (zuzhi.clone(), base.clone());
        let body = json!({"decision": d, "reason": why});
        async move { zuzhi.request("PUT", &format!("{base}/nominations/{n}/review"), Some(&body)).await }
    };
    let r = review(b0, "maybe", "").await.assert_status(422);
    assert_eq!(r.json()["errors"].as_array().expect("errors").len(), 2, "{r:?}");
    shuji.request("PUT", &format!("{base}/nominations/{b0}/review"), Some(&json!({"decision": "approved", "reason": "同意"}))).await.assert_status(403);
    // Publishing before every nomination is decided: named, with the count.
    let r = zuzhi.post_json(&format!("{base}/publish"), &json!({"published_on": today_cst().format("%Y-%m-%d").to_string()})).await.assert_status(422);
    assert!(r.text().contains("尚有4项提名未审核"), "{r:?}");
    review(b0, "approved", "经工委会议研究同意").await.assert_status(200);
    review(b0, "rejected", "改变主意").await.assert_status(422);
    review(b1, "rejected", "年内有组织生活逾期").await.assert_status(200);
    review(nid(&s), "approved", "同意").await.assert_status(200);
    review(nid(&m), "approved", "同意").await.assert_status(200);
    let tomorrow = today_cst().succ_opt().expect("day").format("%Y-%m-%d").to_string();
    let r = zuzhi.post_json(&format!("{base}/publish"), &json!({"published_on": tomorrow})).await.assert_status(422);
    assert!(r.text().contains("晚于今天"), "{r:?}");
    let today = today_cst().format("%Y-%m-%d").to_string();
    let done = zuzhi.post_json(&format!("{base}/publish"), &json!({"published_on": today})).await.assert_status(200).json();
    assert_eq!((done["list"]["stage"].as_str(), done["approved"].as_i64()), (Some("published"), Some(3)));
    zuzhi.post_json(&format!("{base}/nominations"), &json!({"title": "advanced_org", "org_id": b[3], "reason": "补报"})).await.assert_status(422);

    // History: the organisation's (approved b0, not the rejected b1), the members'.
    // (The demo published honours of its own: only this list's are counted.)
    let ours = |v: Value| -> Vec<Value> { v.as_array().expect("honours").iter().filter(|h| h["name"].as_str().is_some_and(|n| n.contains("表彰测试方案"))).cloned().collect() };
    let h = ours(shuji.get_ok(&format!("/orgs/{}/honours", b[0])).await);
    let titles: Vec<&str> = h.iter().map(|x| x["title"].as_str().expect("title")).collect();
    assert_eq!(titles.len(), 2, "{h:?}");
    assert!(titles.contains(&"advanced_org") && titles.contains(&"excellent_worker"), "{h:?}");
    assert!(ours(zuzhi.get_ok(&format!("/orgs/{}/honours", b[1])).await).is_empty(), "a rejected nomination is no honour");
    let mine = ours(shuji.get_ok(&format!("/members/{secretary}/honours")).await);
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0]["title"].as_str(), mine[0]["published_on"].as_str()), (Some("excellent_worker"), Some(today.as_str())));
    assert_eq!(ours(zuzhi.get_ok(&format!("/members/{member}/honours")).await)[0]["title"], "excellent_member");
    // The 系统管理员 sees the organisation's own honour, not its members' names.
    let admin = ours(app.demo_login("admin").await.get_ok(&format!("/orgs/{}/honours", b[0])).await);
    assert_eq!(admin.iter().map(|h| h["title"].as_str().expect("title")).collect::<Vec<_>>(), ["advanced_org"]);
    // Another branch's members' history is no business of this secretary's.
    shuji.get(&format!("/members/{member}/honours")).await.assert_status(404);
    // The pages show them.
    let page = |path: String| {
        let api = shuji.clone();
        let url = app.url(&path);
        async move { api.client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let org_page = page(format!("/orgs/{}", b[0])).await;
    assert!(org_page.contains("先进基层党组织") && org_page.contains("优秀党务工作者"), "{org_page}");
    let member_page = page(format!("/members/{secretary}")).await;
    assert!(member_page.contains("优秀党务工作者") && member_page.contains("2024表彰测试方案评先表彰"), "{member_page}");

    // Every step audited.
    for action in ["honour.draw_up", "honour.nominate", "honour.remove", "honour.review", "honour.publish"] {
        assert!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await > 0, "{action}");
    }
}

#[tokio::test]
async fn the_honour_pages_nominate_and_show_each_error_beside_its_field() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    // The demo's honour list is published; it shows on the page with its nominations.
    let id = app.scalar("SELECT assessment_id FROM honour_lists").await;
    let html = zuzhi.client.get(app.url(&format!("/assessments/{id}/honours"))).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("已公布") && html.contains("先进基层党组织") && html.contains("优秀党务工作者"), "{html}");
    assert!(app.scalar("SELECT COUNT(*) FROM honours").await > 0);
    // A fresh list on the demo's other assessment, through the forms.
    let other = app.scalar(&format!("SELECT MIN(id) FROM assessments WHERE id <> {id}")).await;
    let form = |path: String, pairs: Vec<(&'static str, String)>| {
        let api = zuzhi.clone();
        let url = app.url(&path);
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            api.send(api.client.post(url).header("content-type", "application/x-www-form-urlencoded").body(form_body(&pairs))).await
        }
    };
    let csrf = zuzhi.csrf.clone();
    let r = form(format!("/assessments/{other}/honours"), vec![("_csrf", csrf.clone())]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let r = form(format!("/assessments/{other}/honours/nominations"), vec![("_csrf", csrf.clone()), ("title", "excellent_member".into()), ("reason", String::new())]).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text().contains("请选择被提名的党员") && r.text().contains("请填写推荐理由"), "{r:?}");
    let member = app.member_ids("SZJGGW-A01-B2").await[0];
    let r = form(format!("/assessments/{other}/honours/nominations"), vec![("_csrf", csrf.clone()), ("title", "excellent_member".into()), ("member_id", member.to_string()), ("reason", "带头攻坚".into())]).await;
    assert_eq!(r.status, 303, "{r:?}");
    let nid = app.scalar(&format!("SELECT MAX(id) FROM honour_nominations WHERE member_id = {member}")).await;
    let r = form(format!("/assessments/{other}/honours/nominations/{nid}/review"), vec![("_csrf", csrf.clone()), ("decision", "approved".into()), ("reason", String::new())]).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text().contains("请填写审核意见"), "{r:?}");
    let r = form(format!("/assessments/{other}/honours/nominations/{nid}/removal"), vec![("_csrf", csrf.clone()), ("reason", "重复".into())]).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert_eq!(app.text(&format!("SELECT status FROM honour_nominations WHERE id = {nid}")).await, "removed");
}
