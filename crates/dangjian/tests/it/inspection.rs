//! 函询（告）: letters numbered per issuing organisation and year without gaps; every problem of
//! an inspection named at once in Chinese; who sees, closes, confirms and reopens what; an item
//! closed with evidence keeps its history; overdue items on the inspected secretary's home page;
//! the printable letter; and 函询整改按期完成 scored against a hand count.

use chrono::{Datelike, Days, NaiveDate};
use dangjian_domain::time::{format_date, today_cst};
use serde_json::{json, Value};

use crate::helpers::*;

const ROOT: &str = "SZJGGW";

fn messages(r: &Resp) -> String {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["message"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>().join("；")).unwrap_or_default()
}

fn fields(r: &Resp) -> Vec<String> {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

/// A letter's body: the issuer, the inspected organisation and its items `(task, deadline)`.
fn letter(issuer: i64, org: i64, items: &[(&str, &str)]) -> Value {
    json!({
        "issuer_org_id": issuer, "org_id": org,
        "inspectors": "王建国、李红梅", "inspected_on": format_date(today_cst()),
        "subject": "党建工作检查验收", "findings": "会议记录不完整", "result": "基本合格",
        "addressee": "中共某省某厅党组", "prefix": "市直机关工委函",
        "items": items.iter().map(|(t, d)| json!({"task": t, "owner": "支部书记", "deadline": d})).collect::<Vec<_>>()
    })
}

async fn issue(api: &Api, body: &Value) -> Value {
    api.post_json("/inspections", body).await.assert_status(201).json()
}

async fn page(api: &Api, app: &TestApp, path: &str) -> Resp {
    api.send(api.client.get(app.url(path))).await
}

async fn post_form(api: &Api, app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    api.send(api.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs))).await
}

fn item_ids(l: &Value) -> Vec<i64> {
    l["items"].as_array().expect("items").iter().map(|i| i["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn letters_are_numbered_per_issuer_and_year_without_gaps() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let own = app.org_id(OWN_BRANCH).await;
    let other = app.org_id("SZJGGW-A02-B1").await;
    let year = today_cst().year();
    let before = app.scalar(&format!("SELECT COALESCE(MAX(seq), 0) FROM inspections WHERE issuer_org_id = {root} AND year = {year}")).await;
    let deadline = format_date(today_cst() + Days::new(30));

    let first = issue(&zuzhi, &letter(root, own, &[("补齐会议记录", &deadline)])).await;
    let second = issue(&zuzhi, &letter(root, other, &[("健全党小组", &deadline)])).await;
    assert_eq!(first["seq"], before + 1);
    assert_eq!(second["seq"], before + 2, "the next letter of the issuer's year takes the next number, whoever it goes to");
    assert_eq!(second["number"], format!("市直机关工委函〔{year}〕{}号", before + 2));

    // Two letters at once still get two consecutive numbers.
    let (x, y) = (letter(root, own, &[]), letter(root, other, &[]));
    let (a, b) = tokio::join!(issue(&zuzhi, &x), issue(&zuzhi, &y));
    let mut pair = [a["seq"].as_i64().expect("seq"), b["seq"].as_i64().expect("seq")];
    pair.sort_unstable();
    assert_eq!(pair, [before + 3, before + 4]);

    // Another issuing organisation has a sequence of its own, starting at 1.
    let mut own_body = letter(a01, own, &[("落实三会一课", &deadline)]);
    own_body["prefix"] = json!("机关党委函");
    let by_a01 = issue(&zuzhi, &own_body).await;
    assert_eq!(by_a01["seq"], 1);
    assert_eq!(by_a01["number"], format!("机关党委函〔{year}〕1号"));

    // A letter dated in an earlier year is numbered in that year's sequence.
    let mut old = letter(root, own, &[]);
    let last_year = format!("{}-12-20", year - 1);
    old["inspected_on"] = json!(last_year);
    old["issued_on"] = json!(last_year);
    let earlier = issue(&zuzhi, &old).await;
    let prior = app.scalar(&format!("SELECT COUNT(*) FROM inspections WHERE issuer_org_id = {root} AND year = {}", year - 1)).await;
    assert_eq!(earlier["seq"], prior, "numbered within its own year: {earlier}");

    // Gapless: this year's numbers of the issuer are exactly 1..n.
    let n = app.scalar(&format!("SELECT COUNT(*) FROM inspections WHERE issuer_org_id = {root} AND year = {year}")).await;
    let max = app.scalar(&format!("SELECT MAX(seq) FROM inspections WHERE issuer_org_id = {root} AND year = {year}")).await;
    assert_eq!((n, max), (before + 4, before + 4));
    // And the database itself refuses a second letter under a number.
    let dup = format!(
        "INSERT INTO inspections (tenant_id, issuer_org_id, issuer_org_path, org_id, org_path, inspectors, inspected_on, subject, findings, result, addressee, prefix, year, seq, issued_on, created_by, created_at) \
         SELECT tenant_id, issuer_org_id, issuer_org_path, org_id, org_path, inspectors, inspected_on, subject, findings, result, addressee, prefix, year, seq, issued_on, created_by, created_at FROM inspections WHERE id = {}",
        first["id"]
    );
    assert!(dangjian_store::dialect::exec(&app.store.db, &dup, vec![]).await.is_err(), "the unique index holds the number");
}

#[tokio::test]
async fn an_inspection_names_every_problem_at_once_in_chinese() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let own = app.org_id(OWN_BRANCH).await;
    let before = app.scalar("SELECT COUNT(*) FROM inspections").await;
    let items_before = app.scalar("SELECT COUNT(*) FROM rectification_items").await;
    let tomorrow = format_date(today_cst() + Days::new(1));
    let body = json!({
        "issuer_org_id": root, "org_id": own,
        "inspectors": "", "inspected_on": tomorrow, "subject": "", "findings": "", "result": "",
        "addressee": "", "prefix": "工委函〔2026〕",
        "items": [{"task": "", "deadline": "2020-01-01"}, {"task": "整改", "owner": "书记", "deadline": "下个月"}]
    });
    let r = zuzhi.post_json("/inspections", &body).await.assert_status(422);
    assert_eq!(fields(&r), ["inspectors", "inspected_on", "subject", "findings", "result", "addressee", "prefix", "items", "items", "items", "items"]);
    let m = messages(&r);
    for part in ["请填写检查人员", "检查日期不能晚于今天", "请填写检查内容", "请填写发现的问题", "请填写检查结论", "主送单位（上级主管部门党组（党委））不能为空", "年份和序号由系统编排", "第1项整改事项：整改内容不能为空", "第1项整改事项：请选择责任人或填写责任人", "第2项整改事项：整改时限格式不正确"] {
        assert!(m.contains(part), "missing “{part}” in {m}");
    }
    // An owner from another branch's roster is refused by name of the organisation.
    let stranger = app.member_ids("SZJGGW-A02-B1").await[0];
    let mut wrong = letter(root, own, &[]);
    wrong["items"] = json!([{"task": "整改", "owner_member_id": stranger, "deadline": tomorrow}]);
    let r = zuzhi.post_json("/inspections", &wrong).await.assert_status(422);
    assert!(messages(&r).contains("整改责任人应为"), "{r:?}");
    // An organisation outside the issuer's subtree, or the issuer itself, is not inspected by it.
    let a01 = app.org_id("SZJGGW-A01").await;
    let r = zuzhi.post_json("/inspections", &letter(a01, app.org_id("SZJGGW-A02-B1").await, &[])).await.assert_status(422);
    assert!(messages(&r).contains("下级组织"), "{r:?}");
    zuzhi.post_json("/inspections", &letter(root, root, &[])).await.assert_status(422);
    // Nothing half-written, no number taken.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspections").await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rectification_items").await, items_before);

    // The page's form returns each message beside its field, keeping what was typed.
    let r = post_form(&zuzhi, &app, &format!("/inspections/new?org={own}&issuer={root}"), &[("_csrf", &zuzhi.csrf), ("inspectors", "王建国"), ("inspected_on", &format_date(today_cst())), ("subject", "检查"), ("findings", ""), ("result", "合格"), ("addressee", "某党组"), ("prefix", "工委函"), ("task_1", "补齐记录"), ("deadline_1", "2020-01-01")]).await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(html.contains("请填写发现的问题"), "{html}");
    assert!(html.contains("第1项整改事项：请选择责任人或填写责任人"));
    assert!(html.contains("第1项整改事项：整改时限不能早于发函日期"));
    assert!(html.contains("value=\"补齐记录\""), "what was typed comes back");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspections").await, before);
}

#[tokio::test]
async fn another_branchs_secretary_neither_sees_nor_closes_and_the_inspected_one_confirms_nothing() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let dangyuan = app.demo_login("dangyuan1").await;
    let root = app.org_id(ROOT).await;
    let own = app.org_id(OWN_BRANCH).await;
    let other = app.org_id("SZJGGW-A02-B1").await;
    let deadline = format_date(today_cst() + Days::new(30));
    let theirs = issue(&zuzhi, &letter(root, other, &[("另一支部的整改", &deadline)])).await;
    let mine = issue(&zuzhi, &letter(root, own, &[("本支部的整改", &deadline)])).await;
    let (their_item, my_item) = (item_ids(&theirs)[0], item_ids(&mine)[0]);

    // Another branch's letter does not exist for shuji1: not in the list, not by id, not its items.
    let list = shuji.get_ok("/inspections").await;
    let ids: Vec<i64> = list.as_array().expect("list").iter().map(|l| l["id"].as_i64().expect("id")).collect();
    assert!(ids.contains(&mine["id"].as_i64().expect("id")) && !ids.contains(&theirs["id"].as_i64().expect("id")), "{ids:?}");
    shuji.get(&format!("/inspections/{}", theirs["id"])).await.assert_status(404);
    shuji.get(&format!("/inspections?org={other}")).await.assert_status(404);
    shuji.post_json(&format!("/rectification-items/{their_item}/close"), &json!({"evidence": "不是我的"})).await.assert_status(404);
    shuji.post_json(&format!("/rectification-items/{their_item}/progress"), &json!({"note": "不是我的"})).await.assert_status(404);
    assert_eq!(page(&shuji, &app, &format!("/inspections/{}", theirs["id"])).await.status, 404);
    // The inspected secretary issues nothing and confirms nothing: that is the inspecting side's.
    shuji.post_json("/inspections", &letter(root, own, &[])).await.assert_status(404);
    shuji.post_json(&format!("/rectification-items/{my_item}/close"), &json!({"evidence": "已整改"})).await.assert_status(200);
    shuji.post_json(&format!("/rectification-items/{my_item}/confirm"), &json!({})).await.assert_status(403);
    shuji.post_json(&format!("/rectification-items/{my_item}/reopen"), &json!({"note": "自己退回"})).await.assert_status(403);
    // A 党员 sees no letter.
    dangyuan.get(&format!("/inspections/{}", mine["id"])).await.assert_status(404);
    // Refusals are audited.
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'deny:DutyAssess'").await > 0);
    // The state is what the allowed steps made it.
    assert_eq!(app.text(&format!("SELECT state FROM rectification_items WHERE id = {their_item}")).await, "open");
    assert_eq!(app.text(&format!("SELECT state FROM rectification_items WHERE id = {my_item}")).await, "closed");
}

#[tokio::test]
async fn an_item_is_closed_with_evidence_and_keeps_its_history() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let root = app.org_id(ROOT).await;
    let own = app.org_id(OWN_BRANCH).await;
    let deadline = format_date(today_cst() + Days::new(30));
    let l = issue(&zuzhi, &letter(root, own, &[("补齐会议记录", &deadline), ("建立党费台账", &deadline)])).await;
    let id = l["id"].as_i64().expect("id");
    let item = item_ids(&l)[0];

    shuji.post_json(&format!("/rectification-items/{item}/progress"), &json!({"note": "已补齐9月记录"})).await.assert_status(200);
    // A close needs evidence, and a link that is a record here or a web address.
    let r = shuji.post_json(&format!("/rectification-items/{item}/close"), &json!({})).await.assert_status(422);
    assert!(messages(&r).contains("销号须提供佐证"), "{r:?}");
    let r = shuji.post_json(&format!("/rectification-items/{item}/close"), &json!({"evidence": "x", "link": "javascript:alert(1)"})).await.assert_status(422);
    assert_eq!(fields(&r), ["link"]);
    let closed = shuji.post_json(&format!("/rectification-items/{item}/close"), &json!({"evidence": "已补齐全部会议记录", "link": "/meetings?org=1"})).await.assert_status(200).json();
    let it = &closed["items"][0];
    assert_eq!((it["state"].as_str(), it["evidence"].as_str(), it["link"].as_str()), (Some("closed"), Some("已补齐全部会议记录"), Some("/meetings?org=1")));
    assert_eq!(it["closed_on"], format_date(today_cst()));
    // Closing again is refused by its state.
    shuji.post_json(&format!("/rectification-items/{item}/close"), &json!({"evidence": "再次"})).await.assert_status(409);
    // The inspecting side sends it back with a reason (a reason is required), the branch closes it
    // again, and the inspecting side confirms.
    let r = zuzhi.post_json(&format!("/rectification-items/{item}/reopen"), &json!({"note": ""})).await.assert_status(422);
    assert!(messages(&r).contains("请填写退回理由"), "{r:?}");
    let back = zuzhi.post_json(&format!("/rectification-items/{item}/reopen"), &json!({"note": "记录缺少支委签字"})).await.assert_status(200).json();
    assert_eq!(back["items"][0]["state"], "open");
    assert!(back["items"][0]["closed_on"].is_null());
    shuji.post_json(&format!("/rectification-items/{item}/close"), &json!({"evidence": "已补签字"})).await.assert_status(200);
    let done = zuzhi.post_json(&format!("/rectification-items/{item}/confirm"), &json!({"note": "材料齐全"})).await.assert_status(200).json();
    let it = &done["items"][0];
    assert_eq!(it["state"], "confirmed");
    let steps: Vec<(String, String)> = it["history"].as_array().expect("history").iter().map(|h| (h["step"].as_str().unwrap_or_default().to_string(), h["to_state"].as_str().unwrap_or_default().to_string())).collect();
    let expect = [("issued", "open"), ("progress", "open"), ("close", "closed"), ("reopen", "open"), ("close", "closed"), ("confirm", "confirmed")];
    assert_eq!(steps, expect.map(|(a, b)| (a.to_string(), b.to_string())));
    assert_eq!(it["history"][3]["note"], "记录缺少支委签字");
    assert_eq!(it["history"][1]["by_name"], "shuji1");
    // The other item is untouched; every step is audited.
    assert_eq!(done["items"][1]["state"], "open");
    for (action, n) in [("inspection.issue", 1), ("rectification.progress", 1), ("rectification.close", 2), ("rectification.reopen", 1), ("rectification.confirm", 1)] {
        let obj = if action == "inspection.issue" { format!("inspection:{id}") } else { format!("rectification_item:{item}") };
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND object = '{obj}' AND outcome = 'ok'")).await, n, "{action}");
    }

    // Through the page: the close form with its CSRF token, an error beside its field.
    let second = item_ids(&l)[1];
    let path = format!("/rectification-items/{second}/close");
    let r = post_form(&shuji, &app, &path, &[("_csrf", &shuji.csrf), ("inspection_id", &id.to_string()), ("evidence", ""), ("link", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("销号须提供佐证"));
    let r = post_form(&shuji, &app, &path, &[("_csrf", &shuji.csrf), ("inspection_id", &id.to_string()), ("evidence", "已建立台账")]).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.text(&format!("SELECT state FROM rectification_items WHERE id = {second}")).await, "closed");
}

#[tokio::test]
async fn overdue_items_surface_on_the_inspected_secretarys_home_page() {
    let (app, shuji) = demo_api("shuji1").await;
    let zuzhi = app.demo_login("zuzhi").await;
    // The demo's letter to shuji1's branch: one item closed, one overdue, one open within time.
    let home = page(&shuji, &app, "/").await.assert_status(200).text();
    assert!(home.contains("逾期未销号的整改事项"), "{home}");
    assert!(home.contains("建立按月登记的党费收缴台账"), "the overdue item is listed");
    assert!(!home.contains("督促各党小组按月开展活动"), "an item within its deadline is not");
    assert!(!home.contains("补齐支部委员会会议记录"), "nor a closed one");
    // The 工委's officer's home page is not the inspected secretary's.
    assert!(!page(&zuzhi, &app, "/").await.text().contains("建立按月登记的党费收缴台账"));
    // Closed, it leaves the home page.
    let item = app.scalar("SELECT id FROM rectification_items WHERE task = '建立按月登记的党费收缴台账'").await;
    shuji.post_json(&format!("/rectification-items/{item}/close"), &json!({"evidence": "已建立台账"})).await.assert_status(200);
    assert!(!page(&shuji, &app, "/").await.text().contains("逾期未销号的整改事项"));
}

#[tokio::test]
async fn the_letter_prints_as_an_official_letter() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let a01_b2 = app.org_id("SZJGGW-A01-B2").await;
    // The addressee is prefilled from the unit: the demo's letter named the 党组（党委） of the
    // superior department of 市委办公室, and SZJGGW-A01-B2 sits in the same unit.
    let form = page(&zuzhi, &app, &format!("/inspections/new?org={a01_b2}")).await.assert_status(200).text();
    assert!(form.contains("value=\"中共某省委办公厅机关委员会\""), "{form}");
    assert!(form.contains("value=\"市直机关工委函\""));
    let prefill = zuzhi.get_ok(&format!("/inspections/prefill?issuer={root}&org={a01_b2}")).await;
    assert_eq!(prefill["addressee"], "中共某省委办公厅机关委员会");

    // Issued through the page; corrected addressee remembered for the unit.
    let today = format_date(today_cst());
    let r = post_form(&zuzhi, &app, &format!("/inspections/new?org={a01_b2}"), &[
        ("_csrf", &zuzhi.csrf), ("inspectors", "王建国、李红梅"), ("inspected_on", &today), ("subject", "党建工作检查验收"),
        ("findings", "党费收缴台账未按月登记"), ("result", "基本合格"), ("addressee", "中共某省委办公厅党组"), ("prefix", "市直机关工委函"), ("issued_on", &today),
        ("task_1", "建立党费台账"), ("owner_1", "支部组织委员"), ("deadline_1", "2099-12-31"),
    ]).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let at = r.header("location").expect("location");
    assert!(at.starts_with("/inspections/"), "{at}");
    let html = page(&zuzhi, &app, &at).await.assert_status(200).text();
    let year = today_cst().year();
    let seq = app.scalar(&format!("SELECT MAX(seq) FROM inspections WHERE issuer_org_id = {root} AND year = {year}")).await;
    for part in [
        "class=\"letter\"".to_string(),
        "中共某市市直机关工作委员会".into(),
        format!("市直机关工委函〔{year}〕{seq}号"),
        "中共某省委办公厅党组：".into(),
        "党费收缴台账未按月登记".into(),
        "（一）建立党费台账。责任人：支部组织委员；整改时限：二〇九九年十二月三十一日前。".into(),
        "王建国、李红梅".into(),
        "特此函告。".into(),
    ] {
        assert!(html.contains(&part), "missing {part}");
    }
    let d = today_cst();
    assert!(html.contains(&format!("{}年", d.year().to_string().chars().map(|c| "〇一二三四五六七八九".chars().nth(c.to_digit(10).unwrap_or(0) as usize).unwrap_or('〇')).collect::<String>())), "dated in Chinese numerals");
    assert!(html.contains("class=\"card no-print\""), "the tracking is left out of the print");
    assert_eq!(zuzhi.get_ok(&format!("/inspections/prefill?issuer={root}&org={a01_b2}")).await["addressee"], "中共某省委办公厅党组");
    let css = zuzhi.send(zuzhi.client.get(app.url("/static/app.css"))).await.text();
    assert!(css.contains("@media print") && css.contains("size: A4") && css.contains("header.top, .no-print"), "printed on A4 without the navigation");
    // The list shows it with its counts, and the 责任与考核 navigation links the area.
    let list = page(&zuzhi, &app, "/inspections").await.assert_status(200).text();
    assert!(list.contains(&format!("市直机关工委函〔{year}〕{seq}号")));
    assert!(list.contains("href=\"/inspections\""));
}

#[tokio::test]
async fn rectifications_closed_on_time_are_scored_against_a_hand_count() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let a02 = app.org_id("SZJGGW-A02").await;
    let b: Vec<i64> = {
        let mut v = Vec::new();
        for i in 1..=3 {
            v.push(app.org_id(&format!("SZJGGW-A02-B{i}")).await);
        }
        v
    };
    // Last year's second half: B1 had 3 items due (one closed in time, one late, one still open)
    // and one due after the period (closed late: not counted); B2 had 2 due, both in time; B3 none.
    let y = today_cst().year() - 1;
    let day = |m: u32, d: u32| format_date(NaiveDate::from_ymd_opt(y, m, d).expect("day"));
    let dated = |org: i64, items: &[(&str, &str)]| {
        let mut l = letter(root, org, items);
        l["inspected_on"] = json!(day(6, 20));
        l["issued_on"] = json!(day(6, 25));
        l
    };
    let b1 = issue(&zuzhi, &dated(b[0], &[("按期整改", &day(8, 31)), ("逾期整改", &day(9, 30)), ("未整改", &day(12, 31))])).await;
    let b1_next = issue(&zuzhi, &dated(b[0], &[("下一期的整改", &format!("{}-01-31", y + 1))])).await;
    let b2 = issue(&zuzhi, &dated(b[1], &[("整改一", &day(7, 15)), ("整改二", &day(11, 30))])).await;
    let close = |item: i64, on: String| {
        let z = zuzhi.clone();
        async move { z.post_json(&format!("/rectification-items/{item}/close"), &json!({"evidence": "已整改", "closed_on": on})).await.assert_status(200) }
    };
    let i1 = item_ids(&b1);
    close(i1[0], day(8, 31)).await;
    close(i1[1], day(10, 8)).await;
    close(item_ids(&b1_next)[0], format!("{}-02-10", y + 1)).await;
    let i2 = item_ids(&b2);
    close(i2[0], day(7, 1)).await;
    close(i2[1], day(11, 30)).await;
    // The deadline day itself is in time; confirmed counts as closed.
    zuzhi.post_json(&format!("/rectification-items/{}/confirm", i2[1]), &json!({})).await.assert_status(200);

    let scheme = json!({
        "org_id": a02, "name": "函询整改考核", "scale": 100, "period_kind": "half",
        "indicators": [
            {"name": "函询整改", "points": "30", "method": "computed", "rule": "rectifications_closed"},
            {"name": "工作实绩", "points": "70", "method": "scored"}
        ]
    });
    let scheme = zuzhi.post_json("/assessment-schemes", &scheme).await.assert_status(201).json()["id"].as_i64().expect("id");
    let a = zuzhi.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": a02, "period": format!("{y}H2")})).await.assert_status(201).json();
    let id = a["id"].as_i64().expect("id");

    let line = |d: &Value| d["lines"].as_array().expect("lines").iter().find(|l| l["code"] == "1").cloned().expect("line 1");
    let d1 = line(&zuzhi.get_ok(&format!("/assessments/{id}/scores/{}", b[0])).await);
    assert_eq!((d1["basis"]["due"].as_i64(), d1["basis"]["done"].as_i64()), (Some(3), Some(1)), "{d1}");
    assert!((d1["score"].as_f64().expect("score") - 10.0).abs() < 0.001, "30 × 1 ÷ 3: {d1}");
    let missed: Vec<(String, Value)> = d1["basis"]["rectifications"].as_array().expect("listed").iter().map(|r| (r["task"].as_str().unwrap_or_default().to_string(), r["closed_on"].clone())).collect();
    assert_eq!(missed, [("逾期整改".to_string(), json!(day(10, 8))), ("未整改".to_string(), Value::Null)]);
    assert_eq!(d1["basis"]["rectifications"][0]["number"], b1["number"]);
    let d2 = line(&zuzhi.get_ok(&format!("/assessments/{id}/scores/{}", b[1])).await);
    assert_eq!((d2["basis"]["due"].as_i64(), d2["basis"]["done"].as_i64()), (Some(2), Some(2)));
    assert!((d2["score"].as_f64().expect("score") - 30.0).abs() < 0.001);
    let d3 = line(&zuzhi.get_ok(&format!("/assessments/{id}/scores/{}", b[2])).await);
    assert_eq!(d3["basis"]["due"].as_i64(), Some(0));
    assert!((d3["score"].as_f64().expect("score") - 30.0).abs() < 0.001, "none due scores full points: {d3}");

    // The secretary's page of why points were lost names the items.
    let t = page(&zuzhi, &app, &format!("/assessments/{id}/orgs/{}", b[0])).await.assert_status(200).text();
    assert!(t.contains("到期整改事项3项，按期销号1项") && t.contains("逾期整改") && t.contains("未销号"), "{t}");
}
