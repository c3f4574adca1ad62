//! Members: create with ID checks, search, lists, transfers, masking and the audited reveal;
//! and a property test of the ID number rule itself.

use chrono::{Days, NaiveDate};
use dangjian_domain::idcard::{check_char, IdNumber};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::helpers::*;

fn ids_of(list: &Value) -> Vec<i64> {
    list["items"].as_array().expect("items").iter().map(|m| m["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn create_checks_the_id_number_and_derives_birth_date_and_gender() {
    let (app, api) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;

    let male = id_number("110105", "19850315", 123);
    let m = api.post_json("/members", &member_body(own, "欧阳明华", &male, "13912345678")).await.assert_status(201).json();
    assert_eq!(m["birth_date"], "1985-03-15");
    assert_eq!(m["gender"], "male");
    assert_eq!(m["org_id"], own);
    assert_eq!(m["id_masked"], format!("{}********{}", &male[..6], &male[14..]));
    assert_eq!(m["phone_masked"], "139****5678");
    assert!(!contains_full_id(&m.to_string()), "full ID in the answer: {m}");
    let female = id_number("440524", "19920229", 124);
    let f = api.post_json("/members", &member_body(own, "李红", &female, "")).await.assert_status(201).json();
    assert_eq!((f["birth_date"].as_str(), f["gender"].as_str()), (Some("1992-02-29"), Some("female")));

    // One digit off: the check character no longer fits (the HTTP case of the property below).
    let mut typo = male.clone().into_bytes();
    typo[16] = if typo[16] == b'9' { b'0' } else { typo[16] + 1 };
    let typo = String::from_utf8(typo).expect("ascii");
    let r = api.post_json("/members", &member_body(own, "王五", &typo, "")).await.assert_status(422);
    let errors = r.json()["errors"].clone();
    assert!(errors.as_array().expect("errors").iter().any(|e| e["field"] == "id_number" && e["message"].as_str().unwrap_or("").contains("校验")), "{errors}");

    // Already on the roster, also when typed with a lower-case x or spaces.
    let mut again = member_body(own, "欧阳明华", &male, "");
    again["id_number"] = json!(format!(" {male} "));
    let r = api.post_json("/members", &again).await.assert_status(409);
    assert_eq!(r.code(), "duplicate");
    let x = (0..1000).map(|s| id_number("110105", "19700101", s)).find(|i| i.ends_with('X')).expect("an ID ending in X");
    api.post_json("/members", &member_body(own, "赵六", &x.to_lowercase(), "")).await.assert_status(201);
    api.post_json("/members", &member_body(own, "赵六", &x, "")).await.assert_status(409);

    // Stated facts must agree with the number; everything wrong is named at once.
    let mut body = member_body(own, "钱七", &id_number("110105", "19800101", 11), "12345");
    body["birth_date"] = json!("1980-01-02");
    body["gender"] = json!("女");
    body["status"] = json!("群众");
    let r = api.post_json("/members", &body).await.assert_status(422);
    let fields: Vec<String> = r.json()["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect();
    for f in ["birth_date", "gender", "phone", "status"] {
        assert!(fields.iter().any(|x| x == f), "{f} not named: {fields:?}");
    }
    // Joining before 18 is refused.
    let mut young = member_body(own, "孙八", &id_number("110105", "20000101", 13), "");
    young["joined_on"] = json!("2017-07-01");
    young["full_on"] = json!("2018-07-01");
    assert_eq!(api.post_json("/members", &young).await.assert_status(422).code(), "under_age");
    // A 党组 holds no members.
    let group = app.org_id("SZJGGW-L01").await;
    assert_eq!(api.post_json("/members", &member_body(group, "周九", &id_number("110105", "19800101", 15), "")).await.assert_status(422).code(), "org_holds_no_members");
}

#[tokio::test]
async fn search_finds_by_name_part_id_and_phone() {
    let (app, api) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = id_number("320102", "19790611", 371);
    let m = api.post_json("/members", &member_body(own, "欧阳明华", &id, "13912345678")).await.assert_status(201).json()["id"].as_i64().expect("id");
    let find = |q: &str| {
        let api = api.clone();
        let q = q.to_string();
        async move { ids_of(&api.search(&json!({"q": q, "per_page": 200})).await) }
    };
    // Two characters: the prefix range; three or more: the trigram (PostgreSQL) / FTS5 path.
    for q in ["欧阳", "欧阳明华", "阳明华", "明华"] {
        let found = find(q).await;
        if q == "明华" {
            // Two characters match as a prefix, not anywhere in the name.
            assert!(!found.contains(&m), "{q}: prefix search matched inside the name");
        } else {
            assert!(found.contains(&m), "{q}: {found:?}");
        }
    }
    assert_eq!(find(&id).await, vec![m], "full ID number");
    assert_eq!(find(&id.to_lowercase()).await, vec![m]);
    for phone in ["13912345678", "+86 139 1234 5678", "0086-139-1234-5678"] {
        assert_eq!(find(phone).await, vec![m], "{phone}");
    }
    assert!(find("查无此人").await.is_empty());
    // Search stays within the caller's scope.
    let shuji = app.demo_login("shuji1").await;
    assert_eq!(ids_of(&shuji.search(&json!({"q": id})).await), vec![m]);
    let other = app.org_id(OTHER_BRANCH).await;
    assert!(ids_of(&api.search(&json!({"q": id, "org": other})).await).is_empty());
    // The member moves out of shuji1's branch: shuji1 no longer finds them.
    api.patch_json(&format!("/members/{m}"), &json!({"org_id": other})).await.assert_status(200);
    assert!(ids_of(&shuji.search(&json!({"q": id})).await).is_empty());
    // Renamed: the name index follows.
    api.patch_json(&format!("/members/{m}"), &json!({"name": "司马光远"})).await.assert_status(200);
    assert!(find("阳明华").await.is_empty());
    assert_eq!(find("马光远").await, vec![m]);
}

#[tokio::test]
async fn lists_are_paged_capped_and_masked() {
    let (app, api) = demo_api("zuzhi").await;
    let (root, a01) = (app.org_id(ROOT).await, app.org_id("SZJGGW-A01").await);

    let first = api.get(&format!("/members?org={a01}")).await;
    let first = first.assert_status(200).json();
    let mut keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["items", "page", "per_page", "total"]);
    assert_eq!((first["page"].as_u64(), first["per_page"].as_u64()), (Some(1), Some(20)));
    assert_eq!(ids_of(&first).len(), 20);
    assert_eq!(first["total"].as_i64(), Some(api.members_of(a01).await));
    let second = api.get_ok(&format!("/members?org={a01}&page=2")).await;
    assert!(ids_of(&second).iter().all(|id| !ids_of(&first).contains(id)), "pages overlap");

    let capped = api.get_ok(&format!("/members?org={root}&per_page=1000")).await;
    assert_eq!(capped["per_page"], 200);
    assert_eq!(ids_of(&capped).len(), 200);
    assert!(capped["total"].as_i64().expect("total") > 200);

    // A 机关党委 holds no members itself: only its subtree does.
    let direct = api.get_ok(&format!("/members?org={a01}&subtree=false")).await;
    assert_eq!((direct["total"].as_i64(), ids_of(&direct).len()), (Some(0), 0));
    let own = app.org_id(OWN_BRANCH).await;
    let b1 = api.get_ok(&format!("/members?org={own}&subtree=false&per_page=200")).await;
    assert_eq!(b1["total"].as_i64(), Some(app.member_ids(OWN_BRANCH).await.len() as i64));

    // Only masked numbers, in every list.
    for list in [&first, &capped, &b1] {
        let text = list.to_string();
        assert!(!contains_full_id(&text), "full ID number in a list");
        for m in list["items"].as_array().expect("items") {
            let masked = m["id_masked"].as_str().expect("id_masked");
            assert!(masked.len() == 18 && &masked[6..14] == "********", "{masked}");
            if let Some(p) = m["phone_masked"].as_str() {
                assert!(p.len() == 11 && &p[3..7] == "****", "{p}");
            }
        }
    }
}

#[tokio::test]
async fn a_transfer_moves_the_counts_and_is_recorded() {
    let (app, api) = demo_api("zuzhi").await;
    let (own, other) = (app.org_id(OWN_BRANCH).await, app.org_id(OTHER_BRANCH).await);
    let (a01, a02, root) = (app.org_id("SZJGGW-A01").await, app.org_id("SZJGGW-A02").await, app.org_id(ROOT).await);
    let m = *app.member_ids(OWN_BRANCH).await.last().expect("a member");
    let before: Vec<i64> = counts(&api, &[own, other, a01, a02, root]).await;

    let moved = api.patch_json(&format!("/members/{m}"), &json!({"org_id": other, "reason": "工作调动"})).await.assert_status(200).json();
    assert_eq!(moved["org_id"], other);
    let after = counts(&api, &[own, other, a01, a02, root]).await;
    assert_eq!(after, vec![before[0] - 1, before[1] + 1, before[2] - 1, before[3] + 1, before[4]]);
    let events = api.get_ok(&format!("/members/{m}/events")).await;
    let transfer = events.as_array().expect("events").iter().find(|e| e["kind"] == "transfer" && e["org_id"] == other);
    assert!(transfer.is_some_and(|e| e["note"].as_str().unwrap_or("").contains("工作调动")), "{events}");
    // The old branch's secretary no longer sees the member; the new branch's list has them.
    app.demo_login("shuji1").await.get(&format!("/members/{m}")).await.assert_status(404);
    let list = api.get(&format!("/members?org={other}&per_page=200")).await;
    assert!(ids_of(&list.assert_status(200).json()).contains(&m));
    // A status change is history too, and leaves the counted roster.
    api.patch_json(&format!("/members/{m}"), &json!({"status": "transferred_out", "reason": "调出本市"})).await.assert_status(200);
    assert_eq!(api.members_of(other).await, before[1]);
    let events = api.get_ok(&format!("/members/{m}/events")).await;
    assert!(events.as_array().expect("events").iter().any(|e| e["kind"] == "status"), "{events}");
}

async fn counts(api: &Api, orgs: &[i64]) -> Vec<i64> {
    let mut out = Vec::new();
    for o in orgs {
        out.push(api.members_of(*o).await);
    }
    out
}

#[tokio::test]
async fn reveal_shows_the_full_numbers_and_is_audited() {
    let (app, api) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = id_number("510104", "19880808", 456);
    let m = api.post_json("/members", &member_body(own, "诸葛文", &id, "13700001111")).await.assert_status(201).json()["id"].as_i64().expect("id");
    let shown = api.get_ok(&format!("/members/{m}")).await;
    assert!(!shown.to_string().contains(&id) && !shown.to_string().contains("13700001111"), "{shown}");

    let revealed = api.post_json(&format!("/members/{m}/reveal"), &json!({})).await.assert_status(200).json();
    assert_eq!(revealed["id_number"], id);
    assert_eq!(revealed["phone"], "13700001111");

    let audit = app.demo_login("shenji").await;
    let rows = audit.get_ok("/audit?action=member.reveal").await;
    let row = rows["items"].as_array().expect("items").iter().find(|r| r["object"] == format!("member:{m}")).cloned();
    let row = row.unwrap_or_else(|| panic!("no member.reveal row: {rows}"));
    assert_eq!((row["username"].as_str(), row["outcome"].as_str()), (Some("zuzhi"), Some("ok")));
    // The log itself holds no full numbers.
    let all = audit.get_ok("/audit?per_page=200").await.to_string();
    assert!(!all.contains(&id) && !all.contains("13700001111"), "full number in the audit log");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// GB 11643-1999: any real birth date with any region and sequence, completed with its check
    /// character, is accepted; changing any one digit is refused (the weights are all non-zero
    /// modulo the prime 11, so a one-digit change always moves the checksum).
    #[test]
    fn id_numbers_with_their_check_char_pass_and_single_digit_changes_fail(
        region in 110_000u32..660_000,
        days in 0u64..38_000,
        seq in 0u16..1000,
        pos in 0usize..18,
        delta in 1u8..10,
    ) {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let birth = NaiveDate::from_ymd_opt(1920, 1, 1).expect("date").checked_add_days(Days::new(days)).expect("date");
        let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
        let id = format!("{first17}{}", check_char(&first17));
        let parsed = IdNumber::parse(&id, today);
        prop_assert!(parsed.is_ok(), "{id}: {parsed:?}");
        let parsed = parsed.expect("checked");
        prop_assert_eq!(parsed.birth_date(), birth);
        prop_assert_eq!(parsed.gender().code(), if seq % 2 == 1 { "male" } else { "female" });
        prop_assert_eq!(parsed.masked(), format!("{}********{}", &id[..6], &id[14..]));

        let mut changed = id.clone().into_bytes();
        changed[pos] = match changed[pos] {
            b'X' => b'0' + delta % 10,
            d => b'0' + (d - b'0' + delta) % 10,
        };
        let changed = String::from_utf8(changed).expect("ascii");
        prop_assert_ne!(&changed, &id);
        prop_assert!(IdNumber::parse(&changed, today).is_err(), "{changed} accepted");
    }
}

/// 籍贯: written by create and patch, read back by get, list and search, kept by a patch that
/// does not name it, and refused with a message naming it when too long or invisible.
#[tokio::test]
async fn native_place_is_written_read_and_checked_through_the_api() {
    let (app, api) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = id_number("330106", "19860512", 211);
    let mut body = member_body(own, "籍贯甲", &id, "");
    body["native_place"] = json!(" 浙江省杭州市 ");
    let m = api.post_json("/members", &body).await.assert_status(201).json();
    assert_eq!(m["native_place"], "浙江省杭州市");
    let mid = m["id"].as_i64().expect("id");
    assert_eq!(api.get_ok(&format!("/members/{mid}")).await["native_place"], "浙江省杭州市");

    let p = api.patch_json(&format!("/members/{mid}"), &json!({"native_place": "江苏省南京市"})).await.assert_status(200).json();
    assert_eq!(p["native_place"], "江苏省南京市");
    let p = api.patch_json(&format!("/members/{mid}"), &json!({"position": "科长"})).await.assert_status(200).json();
    assert_eq!((p["native_place"].as_str(), p["position"].as_str()), (Some("江苏省南京市"), Some("科长")));
    let list = api.get_ok(&format!("/members?org={own}&subtree=false&per_page=200")).await;
    let row = list["items"].as_array().expect("items").iter().find(|r| r["id"] == mid).cloned().expect("listed");
    assert_eq!(row["native_place"], "江苏省南京市");
    assert_eq!(api.search(&json!({"q": id})).await["items"][0]["native_place"], "江苏省南京市");

    for (bad, code) in ["籍".repeat(31), "江苏\u{200B}南京".to_string()].into_iter().zip(["too_long", "invalid_chars"]) {
        let r = api.patch_json(&format!("/members/{mid}"), &json!({"native_place": bad})).await.assert_status(422);
        let e = r.json()["errors"].as_array().expect("errors").iter().find(|e| e["field"] == "native_place").cloned().unwrap_or_else(|| panic!("native_place not named: {:?}", r));
        assert_eq!(e["code"], code);
        assert!(e["message"].as_str().unwrap_or_default().starts_with("籍贯"), "{e}");
        let mut create = member_body(own, "籍贯乙", &id_number("330106", "19860512", 213), "");
        create["native_place"] = json!(bad);
        assert_eq!(api.post_json("/members", &create).await.assert_status(422).json()["errors"][0]["field"], "native_place");
    }
    assert_eq!(api.get_ok(&format!("/members/{mid}")).await["native_place"], "江苏省南京市", "a refused change writes nothing");
    // The audit log names the field that changed, never its value.
    let log = app.demo_login("shenji").await.get_ok("/audit?action=member.update").await;
    let details: Vec<&str> = log["items"].as_array().expect("items").iter().map(|r| r["detail"].as_str().unwrap_or("")).collect();
    assert!(details.iter().any(|d| d.contains("native_place")) && !details.iter().any(|d| d.contains("南京")), "{log}");
    // The OpenAPI document describes it in the bodies and the records.
    let doc = app.client().get(app.api_url("/openapi.json")).send().await.expect("openapi").text().await.expect("text");
    let doc: Value = serde_json::from_str(&doc).expect("json");
    let schemas = &doc["components"]["schemas"];
    for (schema, holds) in [("MemberCreate", "MemberInput"), ("MemberPatch", "MemberChange"), ("Member", "MemberRow"), ("MemberRow", "Details")] {
        assert!(schemas[schema].to_string().contains(&format!("#/components/schemas/{holds}")), "{schema}: {}", schemas[schema]);
    }
    for fields in ["MemberInput", "MemberChange", "Details"] {
        assert!(schemas[fields]["properties"]["native_place"].is_object(), "{fields}: {}", schemas[fields]);
    }
    // The demo fills it from the region of the ID number.
    let demo = api.get_ok(&format!("/members/{}", app.member_id_of("dangyuan1").await)).await;
    assert!(demo["native_place"].as_str().is_some_and(|p| p.ends_with('市')), "{demo}");
}

/// The page form has a 籍贯 box, saves it, shows it on the member page, and refuses a bad one
/// beside the box.
#[tokio::test]
async fn native_place_on_the_member_pages() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let own_s = own.to_string();
    let form = Resp::from(zuzhi.client.get(app.url(&format!("/members/new?org={own}"))).send().await.expect("get")).await.assert_status(200);
    assert!(form.text().contains("籍贯") && form.text().contains(r#"name="native_place""#), "{}", form.text());

    let post = |path: String, pairs: Vec<(&'static str, String)>| {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &zuzhi.csrf)];
        all.extend(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        let rb = zuzhi.client.post(app.url(&path)).header("content-type", "application/x-www-form-urlencoded").body(form_body(&all));
        async move { Resp::from(rb.send().await.expect("post")).await }
    };
    let id = id_number("440305", "19880808", 215);
    let fields = |place: &str| vec![("org_id", own_s.clone()), ("name", "页面籍贯".to_string()), ("id_number", id.clone()), ("status", "full".to_string()), ("category", "employed".to_string()), ("joined_on", "2012-07-01".to_string()), ("full_on", "2013-07-01".to_string()), ("native_place", place.to_string())];

    let refused = post("/members/new".into(), fields(&"籍".repeat(31))).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.text().contains("籍贯不能超过30个字"), "{}", refused.text());

    let created = post("/members/new".into(), fields("广东省深圳市")).await;
    assert_eq!(created.status, 303, "{created:?}");
    let mid = app.scalar(&format!("SELECT id FROM members WHERE name = '页面籍贯' AND org_id = {own}")).await;
    let page = Resp::from(zuzhi.client.get(app.url(&format!("/members/{mid}"))).send().await.expect("get")).await.assert_status(200);
    assert!(page.text().contains("<dt>籍贯</dt><dd>广东省深圳市</dd>"), "{}", page.text());

    let edit = Resp::from(zuzhi.client.get(app.url(&format!("/members/{mid}/edit"))).send().await.expect("get")).await.assert_status(200);
    assert!(edit.text().contains(r#"value="广东省深圳市""#), "the edit form is filled: {}", edit.text());
    let mut changed = fields("湖南省长沙市");
    changed.retain(|(k, _)| *k != "id_number");
    let saved = post(format!("/members/{mid}/edit"), changed).await;
    assert_eq!(saved.status, 303, "{saved:?}");
    let m = zuzhi.get_ok(&format!("/members/{mid}")).await;
    assert_eq!((m["native_place"].as_str(), m["id_masked"].as_str().map(|s| s[..6].to_string())), (Some("湖南省长沙市"), Some("440305".to_string())), "a blank ID box keeps the number");
}
