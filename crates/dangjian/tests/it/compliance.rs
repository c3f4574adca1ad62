//! 落实情况: the obligations engine wired to the records, through the API — counts kept on every
//! write, make-ups counted late for the period they make up, one record meeting two kinds, a
//! stricter local rule, who owes what, and who may see it. Dates are relative to today, as the
//! demo is.

use chrono::NaiveDate;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time::today_cst;
use serde_json::{json, Value};

use crate::helpers::*;

fn month(d: NaiveDate) -> Period {
    Period::containing(PeriodKind::Month, d).expect("month")
}

/// The obligation of `kind` in `period` of the organisation's item.
fn obligation(report: &Value, org: i64, kind: &str, period: &str) -> Value {
    let item = report["items"].as_array().expect("items").iter().find(|i| i["org_id"] == org).unwrap_or_else(|| panic!("org {org} in {report}"));
    item["obligations"].as_array().expect("obligations").iter().find(|o| o["kind"] == kind && o["period"] == period).cloned().unwrap_or_else(|| panic!("{kind} {period} in {item}"))
}

async fn report(api: &Api, org: i64, period: &str) -> Value {
    api.get_ok(&format!("/compliance?org={org}&period={period}&per_page=200")).await
}

/// Today at 08:00 in China: held, whatever the hour the test runs (records may lie a day ahead).
fn today_at_eight() -> String {
    format!("{}T08:00:00+08:00", today_cst())
}

#[tokio::test]
async fn a_write_changes_the_counts_and_a_make_up_counts_late_for_the_period_it_makes_up() {
    let (_app, shuji) = demo_api("shuji1").await;
    let own = shuji_branch(&shuji).await;
    let last = month(today_cst()).prev().expect("previous month");
    let key = last.to_string();
    // Take last month's 主题党日 out, with a reason: the month is overdue.
    let held = shuji.get_ok(&format!("/meetings?org={own}&subtree=false&kind=theme_day&from={}&to={}", last.first_day(), last.last_day())).await;
    for m in held["items"].as_array().expect("items") {
        shuji.delete(&format!("/meetings/{}?reason={}", m["id"], urlencode("录入错误，重新登记"))).await.assert_status(204);
    }
    let o = obligation(&report(&shuji, own, &key).await, own, "theme_day", &key);
    assert_eq!((o["status"].as_str(), o["held"].as_i64(), o["required"].as_i64()), (Some("overdue"), Some(0), Some(1)), "{o}");
    assert_eq!(o["due_by"], json!(last.last_day().to_string()));
    // A 补开 today for last month: done, late by the days since the month ended …
    let this_month_before = obligation(&report(&shuji, own, &month(today_cst()).to_string()).await, own, "theme_day", &month(today_cst()).to_string());
    let body = json!({"org_id": own, "kinds": ["theme_day"], "starts_at": today_at_eight(), "topic": "补开主题党日", "makes_up": key});
    let m = shuji.post_json("/meetings", &body).await.assert_status(201).json();
    assert_eq!(m["makes_up"], json!(key));
    let o = obligation(&report(&shuji, own, &key).await, own, "theme_day", &key);
    let late = (today_cst() - last.last_day()).num_days();
    assert_eq!((o["status"].as_str(), o["held"].as_i64(), o["late_days"].as_i64()), (Some("done"), Some(1), Some(late)), "{o}");
    // … and not for this month.
    let now = month(today_cst()).to_string();
    assert_eq!(obligation(&report(&shuji, own, &now).await, own, "theme_day", &now)["held"], this_month_before["held"]);
    // A make-up naming a period that has not ended is refused, and names the field.
    let mut early = body.clone();
    early["makes_up"] = json!(now);
    let r = shuji.post_json("/meetings", &early).await.assert_status(422);
    assert!(r.text().contains("makes_up"), "{}", r.text());
}

/// The demo secretary's branch.
async fn shuji_branch(shuji: &Api) -> i64 {
    let r = shuji.get_ok("/compliance").await;
    r["org_id"].as_i64().expect("the secretary's organisation")
}

#[tokio::test]
async fn one_record_counts_for_both_kinds_and_a_correction_moves_the_counts() {
    let (_app, shuji) = demo_api("shuji1").await;
    let own = shuji_branch(&shuji).await;
    let quarter = Period::containing(PeriodKind::Quarter, today_cst()).expect("quarter").to_string();
    let before = report(&shuji, own, &quarter).await;
    let held = |r: &Value, kind: &str| obligation(r, own, kind, &quarter)["held"].as_i64().expect("held");
    let body = json!({
        "org_id": own, "kinds": ["branch_general_meeting", "party_lecture"], "starts_at": today_at_eight(),
        "topic": "支部党员大会暨专题党课", "lecturer": "支部书记", "lecture_title": "牢记初心使命",
    });
    let m = shuji.post_json("/meetings", &body).await.assert_status(201).json();
    let after = report(&shuji, own, &quarter).await;
    for kind in ["branch_general_meeting", "party_lecture"] {
        assert_eq!(held(&after, kind), held(&before, kind) + 1, "{kind}");
        assert_eq!(obligation(&after, own, kind, &quarter)["status"], "done", "{kind}");
    }
    // Corrected to a 大会 only: the lecture's count goes back.
    let mut fixed = body.clone();
    fixed["kinds"] = json!(["branch_general_meeting"]);
    fixed["version"] = m["version"].clone();
    shuji.request("PUT", &format!("/meetings/{}", m["id"]), Some(&fixed)).await.assert_status(200);
    let corrected = report(&shuji, own, &quarter).await;
    assert_eq!(held(&corrected, "party_lecture"), held(&before, "party_lecture"));
    assert_eq!(held(&corrected, "branch_general_meeting"), held(&before, "branch_general_meeting") + 1);
}

#[tokio::test]
async fn a_stricter_local_rule_changes_the_status_within_its_subtree_only() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let other = app.org_id(OTHER_BRANCH).await;
    let last = month(today_cst()).prev().expect("previous month").to_string();
    // The whole tree's report, evaluated before the rule exists, sees it once it does.
    let root = app.org_id(ROOT).await;
    let in_tree = || async { obligation(&report(&zuzhi, root, &last).await, own, "theme_day", &last)["required"].as_i64() };
    assert_eq!(in_tree().await, Some(1));
    let rule = json!({
        "kind": "theme_day", "owed_by": ["branch", "joint_branch", "temporary_branch"], "frequency": "monthly", "count": 2,
        "citation": "本单位党建工作制度第5条：每月开展2次主题党日", "replaces_seeded": true, "within_org_id": own,
    });
    let added = zuzhi.post_json("/obligation-rules", &rule).await.assert_status(201).json();
    assert!(added["within_org_name"].as_str().is_some(), "{added}");
    let o = obligation(&report(&zuzhi, own, &last).await, own, "theme_day", &last);
    assert_eq!(o["required"], 2);
    assert_ne!(o["status"], "done", "one 主题党日 no longer meets a month: {o}");
    assert_eq!(obligation(&report(&zuzhi, other, &last).await, other, "theme_day", &last)["required"], 1, "outside the subtree the seeded rule holds");
    assert_eq!(in_tree().await, Some(2), "the whole tree's report");
    let rules = zuzhi.get_ok("/obligation-rules").await;
    assert_eq!(rules.as_array().expect("rules").iter().filter(|r| r["id"] == 0).count(), 10, "the seeded rules, one per kind");
    assert!(rules.as_array().unwrap().iter().any(|r| r["id"] == added["id"] && r["rule"]["count"] == 2));
    // A central rule is only ever made stricter: yearly instead of monthly is refused.
    let mut looser = rule.clone();
    looser["frequency"] = json!("yearly");
    looser["count"] = json!(1);
    let r = zuzhi.post_json("/obligation-rules", &looser).await.assert_status(422);
    assert!(r.text().contains("looser_than_central"), "{}", r.text());
    // Removed, the seeded rule is back.
    zuzhi.delete(&format!("/obligation-rules/{}", added["id"])).await.assert_status(204);
    assert_eq!(obligation(&report(&zuzhi, own, &last).await, own, "theme_day", &last)["required"], 1);
    assert_eq!(in_tree().await, Some(1));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('obligation_rule.add', 'obligation_rule.remove')").await, 2);
    // A secretary changes no rules.
    let shuji = app.demo_login("shuji1").await;
    shuji.post_json("/obligation-rules", &rule).await.assert_status(403);
}

#[tokio::test]
async fn the_whole_tree_shows_who_owes_what_with_totals() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let quarter = Period::containing(PeriodKind::Quarter, today_cst()).and_then(|q| q.prev()).expect("last quarter").to_string();
    let r = zuzhi.get_ok(&format!("/compliance?org={root}&period={quarter}&per_page=200")).await;
    assert_eq!(r["period"], json!(quarter));
    let items = r["items"].as_array().expect("items");
    assert_eq!(r["total"].as_u64(), Some(items.len() as u64));
    let t = &r["totals"];
    assert!(t["done"].as_u64() > t["overdue"].as_u64() && t["overdue"].as_u64() > Some(0), "most obligations met, some missed: {t}");
    for i in items {
        // In a quarter that has ended only a yearly meeting of a year still running is due.
        for o in i["obligations"].as_array().unwrap().iter().filter(|o| o["status"] == "due") {
            let p = Period::parse(o["period"].as_str().unwrap()).unwrap();
            assert!(p.kind() == PeriodKind::Year && p.contains(today_cst()), "{o}");
        }
        let kinds: Vec<&str> = i["obligations"].as_array().unwrap().iter().map(|o| o["kind"].as_str().unwrap()).collect();
        match i["org_kind"].as_str().unwrap() {
            // A 党组 owes no 三会一课 (DOMAIN.md nesting note).
            "leading_group" => assert!(kinds.iter().all(|k| ["democratic_life_meeting", "central_group_study"].contains(k)), "{i}"),
            "branch" => assert!(kinds.contains(&"branch_general_meeting") && kinds.contains(&"party_lecture"), "{i}"),
            "group" => assert!(kinds.iter().all(|k| *k == "group_meeting"), "{i}"),
            _ => {}
        }
    }
    // The overdue filter (周检查) lists only organisations with something overdue.
    let open = zuzhi.get_ok(&format!("/compliance?org={root}&period={quarter}&status=overdue&per_page=200")).await;
    assert!(open["total"].as_u64() > Some(0) && open["total"].as_u64() < r["total"].as_u64());
    for i in open["items"].as_array().unwrap() {
        assert!(i["obligations"].as_array().unwrap().iter().any(|o| o["status"] == "overdue"), "{i}");
    }
}

#[tokio::test]
async fn a_new_organisation_owes_from_the_next_full_period() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let parent = app.org_id("SZJGGW-A01").await;
    let body = json!({"parent_id": parent, "kind": "branch", "name": "新成立党支部", "code": "SZJGGW-A01-NEW", "established_on": today_cst().to_string()});
    let created = zuzhi.post_json("/orgs", &body).await.assert_status(201).json();
    let id = created["id"].as_i64().expect("id");
    let quarter = Period::containing(PeriodKind::Quarter, today_cst()).expect("quarter");
    let r = report(&zuzhi, id, &quarter.to_string()).await;
    let o = obligation(&r, id, "branch_general_meeting", &quarter.to_string());
    if today_cst() == quarter.first_day() {
        assert_eq!(o["status"], "due");
    } else {
        assert_eq!((o["status"].as_str(), o["not_owed"].as_str()), (Some("not_owed"), Some("created_mid_period")), "{o}");
    }
    let next = quarter.next().expect("next quarter").to_string();
    assert_eq!(obligation(&report(&zuzhi, id, &next).await, id, "branch_general_meeting", &next)["status"], "due");
}

#[tokio::test]
async fn compliance_is_scoped_and_a_bad_period_is_named() {
    let (app, shuji) = demo_api("shuji1").await;
    let other = app.org_id(OTHER_BRANCH).await;
    shuji.get(&format!("/compliance?org={other}")).await.assert_status(404);
    let r = shuji.get("/compliance?period=2026Q5").await.assert_status(422);
    assert!(r.text().contains("period"), "{}", r.text());
    shuji.get("/compliance?period=2026-W31").await.assert_status(422);
    shuji.get("/compliance?status=late").await.assert_status(422);
}

async fn page(api: &Api, app: &TestApp, path: &str) -> Resp {
    Resp::from(api.client.get(app.url(path)).send().await.expect("page")).await
}

#[tokio::test]
async fn the_secretary_home_page_lists_what_is_still_owed_with_a_button_each() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = shuji_branch(&shuji).await;
    let home = page(&shuji, &app, "/").await.assert_status(200).text();
    assert!(home.contains("本月和本季度还需开展的组织生活"), "{home}");
    // What the engine says is open this quarter is what the page lists.
    let quarter = Period::containing(PeriodKind::Quarter, today_cst()).expect("quarter").to_string();
    let r = report(&shuji, own, &quarter).await;
    let open: Vec<&Value> = r["items"].as_array().unwrap().iter().flat_map(|i| i["obligations"].as_array().unwrap().iter()).filter(|o| o["status"] == "due" || o["status"] == "overdue").collect();
    assert!(!open.is_empty(), "the demo leaves something to hold this quarter");
    for o in &open {
        assert!(home.contains(&format!("kind={}", o["kind"].as_str().unwrap())), "a button for {o}");
    }
    // The button opens the form with the kind ticked.
    let kind = open[0]["kind"].as_str().unwrap();
    let org = r["items"].as_array().unwrap().iter().find(|i| i["obligations"].as_array().unwrap().iter().any(|o| o["kind"] == kind)).unwrap()["org_id"].clone();
    let form = page(&shuji, &app, &format!("/meetings/new?org={org}&kind={kind}")).await.assert_status(200).text();
    assert!(form.contains(&format!(r#"value="{kind}" checked"#)), "{kind} ticked");
    // The 工委 officer's home page covers the whole city: a link to the reports, no list.
    let zuzhi = app.demo_login("zuzhi").await;
    let home = page(&zuzhi, &app, "/").await.assert_status(200).text();
    assert!(home.contains("/compliance?org=") && !home.contains("本月和本季度还需开展的组织生活"));
}

#[tokio::test]
async fn the_weekly_check_monthly_ranking_and_quarterly_bulletin_pages() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let week = page(&zuzhi, &app, &format!("/compliance?org={root}")).await.assert_status(200).text();
    assert!(week.contains("周检查") && week.contains("已逾期"), "{week}");
    let month = month(today_cst()).prev().unwrap();
    let rank = page(&zuzhi, &app, &format!("/compliance?org={root}&view=month&period={month}")).await.assert_status(200).text();
    assert!(rank.contains("月评比") && rank.contains("按期完成") && rank.contains("全部按期完成"), "{rank}");
    assert!(rank.contains("不比较个人积分、登录次数或在线时长"), "organisations ranked on records, never people on points or logins");
    page(&zuzhi, &app, &format!("/compliance?org={root}&view=month&period=2026Q3")).await.assert_status(422);
    let quarter = Period::containing(PeriodKind::Quarter, today_cst()).and_then(|q| q.prev()).unwrap();
    let b = page(&zuzhi, &app, &format!("/compliance?org={root}&view=quarter&period={quarter}")).await.assert_status(200).text();
    assert!(b.contains("组织生活落实情况通报") && b.contains("有逾期未完成事项的组织") && b.contains("到期事项均已完成的组织"), "{b}");
    assert!(b.contains("@media print") || b.contains("app.css"), "printable");
    let x = zuzhi.client.get(app.url(&format!("/compliance/bulletin.xlsx?org={root}&period={quarter}"))).send().await.expect("xlsx");
    assert_eq!(x.status().as_u16(), 200);
    assert!(x.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let bytes = x.bytes().await.expect("bytes");
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");
}

#[tokio::test]
async fn an_installation_can_turn_the_monthly_ranking_off() {
    let app = spawn_app_with(|c| c.life_ranking = false).await;
    app.demo().await;
    let zuzhi = app.demo_login("zuzhi").await;
    let root = app.org_id(ROOT).await;
    let rank = page(&zuzhi, &app, &format!("/compliance?org={root}&view=month")).await.assert_status(200).text();
    assert!(rank.contains("已关闭月评比") && !rank.contains("按期完成率排序"), "{rank}");
}

#[tokio::test]
async fn members_drifting_from_organisational_life_are_flagged_and_leave_is_no_absence() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = shuji_branch(&shuji).await;
    let w = shuji.get_ok(&format!("/participation?org={own}")).await;
    let flagged = w.as_array().expect("warnings");
    let drifting = flagged.iter().find(|x| x["stage"] == "warn3").unwrap_or_else(|| panic!("the demo has a member at 3 months: {w}"));
    let who = drifting["member_id"].as_i64().unwrap();
    assert!(drifting["months"].as_u64() >= Some(3) && drifting["last_on"].is_string(), "{drifting}");
    // On leave with a reason at today's meeting: taking part, the warning goes.
    let roster = app.member_ids(OWN_BRANCH).await;
    let attendance: Vec<Value> = roster.iter().map(|m| if *m == who { json!({"member_id": m, "status": "leave", "reason": "出差"}) } else { json!({"member_id": m, "status": "present"}) }).collect();
    let body = json!({"org_id": own, "kinds": ["theme_day"], "starts_at": today_at_eight(), "topic": "主题党日", "attendance": attendance});
    let m = shuji.post_json("/meetings", &body).await.assert_status(201).json();
    let after = shuji.get_ok(&format!("/participation?org={own}")).await;
    assert!(!after.as_array().unwrap().iter().any(|x| x["member_id"] == who), "{after}");
    // The record deleted, the member's last date is read again from what remains.
    shuji.delete(&format!("/meetings/{}?reason={}", m["id"], urlencode("误录"))).await.assert_status(204);
    let back = shuji.get_ok(&format!("/participation?org={own}")).await;
    assert_eq!(back.as_array().unwrap().iter().find(|x| x["member_id"] == who).map(|x| x["last_on"].clone()), Some(drifting["last_on"].clone()));
    // The secretary's home page shows them; another branch's are not the secretary's to see.
    let home = Resp::from(shuji.client.get(app.url("/")).send().await.expect("home")).await.text();
    assert!(home.contains("参加组织生活预警") && home.contains(drifting["name"].as_str().unwrap()));
    let other = app.org_id(OTHER_BRANCH).await;
    shuji.get(&format!("/participation?org={other}")).await.assert_status(404);
}

#[tokio::test]
async fn the_meeting_list_filters_by_period() {
    let (_app, shuji) = demo_api("shuji1").await;
    let own = shuji_branch(&shuji).await;
    let last = month(today_cst()).prev().expect("previous month");
    let l = shuji.get_ok(&format!("/meetings?org={own}&period={last}&per_page=100")).await;
    let items = l["items"].as_array().expect("items");
    assert!(!items.is_empty(), "the demo held meetings last month");
    for m in items {
        let day = &m["starts_at"].as_str().unwrap()[..10];
        assert!(day >= last.first_day().to_string().as_str() && day <= last.last_day().to_string().as_str(), "{day} in {last}");
    }
    let q = Period::containing(PeriodKind::Quarter, last.first_day()).unwrap();
    assert!(shuji.get_ok(&format!("/meetings?org={own}&period={q}&per_page=1")).await["total"].as_u64() >= l["total"].as_u64());
    let r = shuji.get(&format!("/meetings?org={own}&period=2026-13")).await.assert_status(422);
    assert!(r.text().contains("period"));
}

#[tokio::test]
async fn the_vote_rules_refuse_a_motion_that_did_not_pass() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = shuji_branch(&shuji).await;
    let full = app.scalar(&format!("SELECT COUNT(*) FROM members WHERE org_id = {own} AND status = 'full'")).await as u32;
    assert!(full >= 3, "{full} full members");
    let meetings = app.scalar("SELECT COUNT(*) FROM meetings").await;
    let body = |in_favour: u32, passed: Option<bool>, kinds: Value| {
        json!({"org_id": own, "kinds": kinds, "starts_at": today_at_eight(), "topic": "支部党员大会",
               "motions": [{"title": "接收张某为预备党员", "in_favour": in_favour, "against": 0, "abstaining": 0, "passed": passed}]})
    };
    // Everyone attends (the default): half of those with a vote is not more than half.
    let r = shuji.post_json("/meetings", &body(full / 2, Some(true), json!(["branch_general_meeting"]))).await.assert_status(422);
    assert!(r.text().contains("not_passed") && r.text().contains("支部条例第11条"), "{}", r.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM meetings").await, meetings, "nothing written");
    let r = shuji.post_json("/meetings", &body(full / 2, Some(true), json!(["theme_day"]))).await.assert_status(422);
    assert!(r.text().contains("no_general_meeting"), "{}", r.text());
    let r = shuji.post_json("/meetings", &body(full + 1, None, json!(["branch_general_meeting"]))).await.assert_status(422);
    assert!(r.text().contains("more_votes_than_present"));
    let m = shuji.post_json("/meetings", &body(full / 2 + 1, None, json!(["branch_general_meeting"]))).await.assert_status(201).json();
    assert_eq!((m["motions"][0]["passed"].as_bool(), m["motions"][0]["with_vote"].as_u64()), (Some(true), Some(u64::from(full))), "{m}");
    let show = page(&shuji, &app, &format!("/meetings/{}", m["id"])).await.assert_status(200).text();
    assert!(show.contains("表决事项") && show.contains("通过"), "{show}");
}

/// The whole tree's report is evaluated from counts held in memory: a write through one node is
/// in the next report of every node, and so is a branch reaching the 7 full members from which
/// it owes a monthly 支委会 (支部条例 art. 20).
#[tokio::test]
async fn a_report_of_the_whole_tree_sees_every_write_at_once_on_every_node() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let shuji = app.demo_login("shuji1").await;
    let (root, own) = (app.org_id(ROOT).await, app.org_id(OWN_BRANCH).await);
    let other = second_node(&app).await;
    let now = month(today_cst());
    let key = now.to_string();
    let on_other = || async {
        let (_, items) = dangjian_store::life::compliance::report(&other, &cli_ctx(), Some(root), now).await.expect("report on the other node");
        items
    };
    let held_there = |items: &[dangjian_store::life::compliance::OrgCompliance], org: i64| {
        items.iter().find(|i| i.org_id == org).and_then(|i| i.obligations.iter().find(|o| o.kind.code() == "theme_day")).map(|o| o.held)
    };
    let root_report = || async { zuzhi.get_ok(&format!("/compliance?org={root}&period={key}&per_page=200")).await };
    let before = obligation(&root_report().await, own, "theme_day", &key)["held"].as_i64().expect("held");
    let before_there = held_there(&on_other().await, own);
    let body = json!({"org_id": own, "kinds": ["theme_day"], "starts_at": today_at_eight(), "topic": "主题党日：学习新修订的条例"});
    let m = shuji.post_json("/meetings", &body).await.assert_status(201).json();
    assert_eq!(obligation(&root_report().await, own, "theme_day", &key)["held"].as_i64(), Some(before + 1), "the writing node");
    assert_eq!(held_there(&on_other().await, own), before_there.map(|h| h + 1), "another node on the same database");
    shuji.delete(&format!("/meetings/{}?reason={}", m["id"], urlencode("重复登记"))).await.assert_status(204);
    assert_eq!(obligation(&root_report().await, own, "theme_day", &key)["held"].as_i64(), Some(before));
    assert_eq!(held_there(&on_other().await, own), before_there);

    // A branch of six full members owes no 支委会; the seventh sets one up.
    let a01 = app.org_id("SZJGGW-A01").await;
    let since = (today_cst() - chrono::Duration::days(800)).to_string();
    let body = json!({"parent_id": a01, "kind": "branch", "name": "七人党支部", "code": "SZJGGW-A01-SEVEN", "established_on": since});
    let small = zuzhi.post_json("/orgs", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
    for i in 0..6u16 {
        zuzhi.post_json("/members", &member_body(small, &format!("七人{i}"), &id_number("110105", "19800101", 300 + i), "")).await.assert_status(201);
    }
    let owes_committee = |r: &Value| {
        r["items"].as_array().expect("items").iter().find(|i| i["org_id"] == small).expect("the new branch")["obligations"]
            .as_array()
            .expect("obligations")
            .iter()
            .any(|o| o["kind"] == "branch_committee_meeting")
    };
    assert!(!owes_committee(&root_report().await), "six full members: no 支委会");
    zuzhi.post_json("/members", &member_body(small, "七人6", &id_number("110105", "19800101", 306), "")).await.assert_status(201);
    assert!(owes_committee(&root_report().await), "the seventh full member: a monthly 支委会 is owed");
    other.refresh_tree().await.expect("the new branch on the other node");
    let there = on_other().await;
    assert!(there.iter().find(|i| i.org_id == small).expect("on the other node").obligations.iter().any(|o| o.kind.code() == "branch_committee_meeting"));
}

/// DOMAIN.md: an organisation created during a period owes from the next full period, or pro
/// rata — an installation setting (`life_grace`).
#[tokio::test]
async fn an_installation_can_make_a_new_organisation_owe_pro_rata() {
    let quarter = Period::containing(PeriodKind::Quarter, today_cst()).and_then(|q| q.prev()).expect("last quarter");
    let created = (quarter.first_day() + chrono::Duration::days(1)).to_string();
    for (grace, status, required) in [
        (dangjian_domain::life::obligation::Grace::NextFullPeriod, "not_owed", 0),
        (dangjian_domain::life::obligation::Grace::ProRata, "overdue", 1),
    ] {
        let app = spawn_app_with(|c| c.life_grace = grace).await;
        app.demo().await;
        let zuzhi = app.demo_login("zuzhi").await;
        let parent = app.org_id("SZJGGW-A01").await;
        let body = json!({"parent_id": parent, "kind": "branch", "name": "季初成立党支部", "code": "SZJGGW-A01-NEW", "established_on": created});
        let id = zuzhi.post_json("/orgs", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
        let o = obligation(&report(&zuzhi, id, &quarter.to_string()).await, id, "branch_general_meeting", &quarter.to_string());
        assert_eq!((o["status"].as_str(), o["required"].as_i64()), (Some(status), Some(required)), "{grace:?}: {o}");
    }
}
