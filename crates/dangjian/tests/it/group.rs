//! 党小组成员: a branch's members placed in its 党小组, through the API and the pages — placing,
//! moving between the branch's groups, taking out; refusals that write nothing; a transfer or a
//! status that ends membership clears the placement; a group meeting lists the group; the demo
//! fills every group.

use serde_json::{json, Value};

use crate::helpers::*;

const GROUP_1: &str = "SZJGGW-A01-B1-G1";
const GROUP_2: &str = "SZJGGW-A01-B1-G2";
/// A group of a branch that is not shuji1's.
const FOREIGN_GROUP: &str = "SZJGGW-A03-B1-G1";

/// The group a member sits in, as the member's JSON says.
async fn group_of(api: &Api, member: i64) -> Value {
    api.get_ok(&format!("/members/{member}")).await["group_id"].clone()
}

async fn place(api: &Api, member: i64, group: Option<i64>) -> Resp {
    api.request("PUT", &format!("/members/{member}/group"), Some(&json!({"group_id": group}))).await
}

async fn listed(api: &Api, group: i64) -> Vec<i64> {
    let j = api.get_ok(&format!("/orgs/{group}/group-members?per_page=200")).await;
    j["items"].as_array().expect("items").iter().map(|m| m["id"].as_i64().expect("id")).collect()
}

/// A member of the own branch in no group (the demo leaves the last two unplaced).
async fn unplaced(app: &TestApp) -> i64 {
    let branch = app.org_id(OWN_BRANCH).await;
    app.scalar(&format!("SELECT MAX(id) FROM members WHERE org_id = {branch} AND group_id IS NULL AND status IN ('full', 'probationary')")).await
}

async fn audit_rows(app: &TestApp, member: i64) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'member.group.%' AND object = 'member:{member}'")).await
}

#[tokio::test]
async fn a_member_is_placed_listed_moved_and_taken_out_counted_once() {
    let (app, shuji) = demo_api("shuji1").await;
    let (branch, g1, g2) = (app.org_id(OWN_BRANCH).await, app.org_id(GROUP_1).await, app.org_id(GROUP_2).await);
    let m = unplaced(&app).await;
    let branch_members = shuji.members_of(branch).await;
    let g1_before = listed(&shuji, g1).await.len();

    let j = place(&shuji, m, Some(g1)).await.assert_status(200).json();
    assert_eq!((j["group_id"].clone(), j["org_id"].clone()), (json!(g1), json!(branch)), "the relation stays with the branch");
    assert!(listed(&shuji, g1).await.contains(&m));
    assert_eq!(listed(&shuji, g1).await.len(), g1_before + 1);

    // Moving to the branch's other group: one group only, the first no longer lists them.
    place(&shuji, m, Some(g2)).await.assert_status(200);
    assert_eq!(group_of(&shuji, m).await, json!(g2));
    assert!(!listed(&shuji, g1).await.contains(&m) && listed(&shuji, g2).await.contains(&m));
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM members WHERE id = {m} AND group_id IS NOT NULL")).await, 1);

    // The branch counts its members once, placed or not; each group shows its own.
    assert_eq!(shuji.members_of(branch).await, branch_members);
    let kids = shuji.get_ok(&format!("/orgs/{branch}/children")).await;
    let size = |g: i64| kids.as_array().expect("children").iter().find(|c| c["id"] == g).expect("the group")["members"].as_i64().expect("members");
    assert_eq!(size(g2) as usize, listed(&shuji, g2).await.len());
    assert_eq!(size(g1) as usize, g1_before);

    let j = place(&shuji, m, None).await.assert_status(200).json();
    assert!(j["group_id"].is_null());
    assert!(!listed(&shuji, g2).await.contains(&m));
    // Placing again where they already are changes nothing and logs nothing.
    place(&shuji, m, None).await.assert_status(200);
    assert_eq!(audit_rows(&app, m).await, 3, "place, move, take out");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'member.group.move' AND object = 'member:{m}'")).await, 1);
    let doc = shuji.get_ok("/openapi.json").await;
    assert!(doc["paths"]["/members/{id}/group"]["put"].is_object() && doc["paths"]["/orgs/{id}/group-members"]["get"].is_object(), "documented");
}

#[tokio::test]
async fn a_group_of_another_branch_a_non_group_and_a_member_who_left_are_refused() {
    let (app, shuji) = demo_api("shuji1").await;
    let zuzhi = app.demo_login("zuzhi").await;
    let (branch, g1) = (app.org_id(OWN_BRANCH).await, app.org_id(GROUP_1).await);
    let m = unplaced(&app).await;
    let before = audit_rows(&app, m).await;
    let r = zuzhi.request("PUT", &format!("/members/{m}/group"), Some(&json!({"group_id": app.org_id(FOREIGN_GROUP).await}))).await.assert_status(422);
    assert_eq!(r.code(), "other_branch");
    assert!(r.text().contains("党员只能编入其组织关系所在党支部的党小组"), "{r:?}");
    let r = place(&shuji, m, Some(branch)).await.assert_status(422);
    assert_eq!(r.code(), "not_group");
    assert!(r.text().contains("不是党小组"), "{r:?}");
    place(&shuji, m, Some(9_999_999)).await.assert_status(422);
    // A body that says nothing of a group is refused, not read as "take out".
    shuji.request("PUT", &format!("/members/{m}/group"), Some(&json!({"group": g1}))).await.assert_status(422);
    // Someone no longer on the roster sits in no group.
    shuji.patch_json(&format!("/members/{m}"), &json!({"status": "suspended", "reason": "失联"})).await.assert_status(200);
    let r = place(&shuji, m, Some(g1)).await.assert_status(422);
    assert_eq!(r.code(), "not_member");
    assert!(group_of(&shuji, m).await.is_null());
    assert_eq!(audit_rows(&app, m).await, before, "a refusal writes nothing");
    // A 党小组 takes no relations: members are filed in the branch and placed.
    let r = shuji.post_json("/members", &member_body(g1, "周小组", &id_number("110105", "19800101", 17), "")).await.assert_status(422);
    assert_eq!(r.code(), "org_holds_no_members");
}

#[tokio::test]
async fn a_transfer_or_the_end_of_membership_clears_the_placement() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let g1 = app.org_id(GROUP_1).await;
    let placed = listed(&zuzhi, g1).await;
    let (a, b) = (placed[placed.len() - 1], placed[placed.len() - 2]);
    let other = app.org_id(OTHER_BRANCH).await;
    let j = zuzhi.patch_json(&format!("/members/{a}"), &json!({"org_id": other, "reason": "工作调动"})).await.assert_status(200).json();
    assert!(j["group_id"].is_null(), "{j}");
    zuzhi.patch_json(&format!("/members/{b}"), &json!({"status": "transferred_out", "reason": "转出本系统"})).await.assert_status(200);
    assert!(group_of(&zuzhi, b).await.is_null());
    let now = listed(&zuzhi, g1).await;
    assert!(!now.contains(&a) && !now.contains(&b));
    assert_eq!(now.len(), placed.len() - 2);
    // Another edit keeps the placement.
    let c = now[0];
    zuzhi.patch_json(&format!("/members/{c}"), &json!({"work_unit": "市委办公室"})).await.assert_status(200);
    assert_eq!(group_of(&zuzhi, c).await, json!(g1));
}

#[tokio::test]
async fn a_group_meeting_lists_the_groups_members_and_may_list_the_branchs() {
    let (app, shuji) = demo_api("shuji1").await;
    let g1 = app.org_id(GROUP_1).await;
    let mut placed = listed(&shuji, g1).await;
    placed.sort_unstable();
    let body = json!({"org_id": g1, "kinds": ["group_meeting"], "starts_at": "2026-05-25T15:00:00+08:00", "topic": "党小组学习"});
    let id = shuji.post_json("/meetings", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
    let att = shuji.get_ok(&format!("/meetings/{id}/attendance")).await;
    let mut ids: Vec<i64> = att.as_array().expect("attendance").iter().map(|a| a["member_id"].as_i64().expect("member")).collect();
    ids.sort_unstable();
    assert_eq!(ids, placed, "the group's members, not the whole branch");
    // The record form lists the group too, everyone present by default.
    let form = Resp::from(shuji.client.get(app.url(&format!("/meetings/new?org={g1}"))).send().await.expect("form")).await.assert_status(200).text();
    assert_eq!(form.matches(r#"value="present" checked"#).count(), placed.len());
    assert!(placed.iter().all(|m| form.contains(&format!(r#"name="att_{m}" value="present" checked"#))));
    // A member of the branch outside the group may still be listed.
    let guest = unplaced(&app).await;
    let mut body = body.clone();
    body["attendance"] = json!([{"member_id": guest, "status": "present"}]);
    shuji.post_json("/meetings", &body).await.assert_status(201);
}

#[tokio::test]
async fn only_who_may_write_the_branchs_members_places_them() {
    let app = demo_app().await;
    let (g1, other) = (app.org_id(GROUP_1).await, app.org_id(OTHER_BRANCH).await);
    let new = dangjian_store::account::NewAccount { username: "shuji2".into(), password: DEMO_PASSWORD.into(), member_id: None, no_forced_change: true };
    let acc = dangjian_store::account::create(&app.store, &Default::default(), &cli_ctx(), &new).await.expect("account");
    dangjian_store::account::grant(&app.store, &cli_ctx(), acc.id, "secretary", other).await.expect("grant");
    let stranger = app.demo_login("shuji2").await;
    let m = unplaced(&app).await;
    place(&stranger, m, Some(g1)).await.assert_status(404);
    stranger.get(&format!("/orgs/{g1}/group-members")).await.assert_status(404);
    // A 党员 places nobody, not even themselves.
    let me = app.member_id_of("dangyuan1").await;
    let dangyuan = app.demo_login("dangyuan1").await;
    place(&dangyuan, me, None).await.assert_status(403);
    assert_eq!(audit_rows(&app, m).await + audit_rows(&app, me).await, 0);
}

#[tokio::test]
async fn the_group_leader_is_one_of_the_group_and_stays_until_the_post_ends() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let (g1, g2) = (app.org_id(GROUP_1).await, app.org_id(GROUP_2).await);
    let posts = zuzhi.get_ok(&format!("/orgs/{g1}/posts")).await;
    let leader = posts.as_array().expect("posts").iter().find(|p| p["post"] == "group_leader").expect("a 组长");
    let (leader_id, post_id) = (leader["member_id"].as_i64().expect("member"), leader["id"].as_i64().expect("post"));
    assert!(listed(&zuzhi, g1).await.contains(&leader_id), "the demo's 组长 sits in the group");
    let r = place(&zuzhi, leader_id, Some(g2)).await.assert_status(409);
    assert_eq!(r.code(), "group_leader");
    assert_eq!(group_of(&zuzhi, leader_id).await, json!(g1));
    zuzhi.post_json(&format!("/posts/{post_id}/end"), &json!({})).await.assert_status(204);
    place(&zuzhi, leader_id, Some(g2)).await.assert_status(200);
    // A new 组长 comes from the group.
    let outsider = unplaced(&app).await;
    let r = zuzhi.post_json(&format!("/orgs/{g1}/posts"), &json!({"member_id": outsider, "post": "group_leader", "ab_role": "a", "started_on": "2026-01-05"})).await.assert_status(422);
    assert_eq!(r.code(), "not_in_group");
    let member = listed(&zuzhi, g1).await[0];
    zuzhi.post_json(&format!("/orgs/{g1}/posts"), &json!({"member_id": member, "post": "group_leader", "ab_role": "a", "started_on": "2026-01-05"})).await.assert_status(201);
}

#[tokio::test]
async fn a_dissolved_or_moved_group_releases_its_members_to_the_branch() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let (branch, g1, g2) = (app.org_id(OWN_BRANCH).await, app.org_id(GROUP_1).await, app.org_id(GROUP_2).await);
    let total = zuzhi.members_of(branch).await;
    let in_g2 = listed(&zuzhi, g2).await;
    assert!(!in_g2.is_empty());
    zuzhi.post_json(&format!("/orgs/{g2}/dissolve"), &json!({"reason": "党小组合并"})).await.assert_status(200);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM members WHERE group_id = {g2}")).await, 0);
    assert_eq!(group_of(&zuzhi, in_g2[0]).await, Value::Null);
    assert_eq!(zuzhi.members_of(branch).await, total, "they stay in the branch");
    // A group moved to another branch takes none of this branch's members along.
    let other = app.org_id(OTHER_BRANCH).await;
    zuzhi.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": other, "reason": "调整党小组"})).await.assert_status(200);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM members WHERE group_id = {g1}")).await, 0);
}

#[tokio::test]
async fn the_pages_list_place_and_take_out_with_the_csrf_token() {
    let (app, shuji) = demo_api("shuji1").await;
    let (branch, g1) = (app.org_id(OWN_BRANCH).await, app.org_id(GROUP_1).await);
    let page = |path: String| {
        let rb = shuji.client.get(app.url(&path));
        async move { Resp::from(rb.send().await.expect("page")).await }
    };
    let post = |path: String, pairs: Vec<(&'static str, String)>| {
        let body = form_body(&pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        let rb = shuji.client.post(app.url(&path)).header("content-type", "application/x-www-form-urlencoded").body(body);
        async move { Resp::from(rb.send().await.expect("post")).await }
    };
    let placed = listed(&shuji, g1).await;
    let html = page(format!("/orgs/{g1}")).await.assert_status(200).text();
    assert!(html.contains(&format!("党小组成员（{} 名）", placed.len())) && html.contains("编入本党小组"), "{html}");
    let m = unplaced(&app).await;
    assert!(html.contains(&format!(r#"<option value="{m}">"#)), "the branch's unplaced members are offered");
    // Without the token nothing happens.
    let r = post(format!("/orgs/{g1}/group-members"), vec![("member_id", m.to_string())]).await;
    assert!(r.status == 403 || r.status == 400, "{r:?}");
    assert!(group_of(&shuji, m).await.is_null());
    let r = post(format!("/orgs/{g1}/group-members"), vec![("_csrf", shuji.csrf.clone()), ("member_id", m.to_string())]).await.assert_status(303);
    assert_eq!(r.header("location").as_deref(), Some(format!("/orgs/{g1}?done=placed").as_str()));
    assert_eq!(group_of(&shuji, m).await, json!(g1));
    // The branch's page shows each group's size; the member's page their group.
    let html = page(format!("/orgs/{branch}")).await.assert_status(200).text();
    assert!(html.contains(&format!("党小组成员 {} 名", placed.len() + 1)), "{html}");
    let html = page(format!("/members/{m}")).await.assert_status(200).text();
    assert!(html.contains("所在党小组") && html.contains(&format!(r#"href="/orgs/{g1}""#)));
    // Taking out someone of another group from this group's page is refused beside the list.
    let g2_member = listed(&shuji, app.org_id(GROUP_2).await).await[0];
    let r = post(format!("/orgs/{g1}/group-members/remove"), vec![("_csrf", shuji.csrf.clone()), ("member_id", g2_member.to_string())]).await;
    assert!(r.text().contains("不在本党小组"), "{r:?}");
    post(format!("/orgs/{g1}/group-members/remove"), vec![("_csrf", shuji.csrf.clone()), ("member_id", m.to_string())]).await.assert_status(303);
    assert!(group_of(&shuji, m).await.is_null());
}

#[tokio::test]
async fn the_demo_has_members_in_every_group_and_its_group_meetings_list_them() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let groups = app.scalar("SELECT COUNT(*) FROM orgs WHERE kind = 'group'").await;
    assert!(groups >= 10, "{groups}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM orgs o WHERE o.kind = 'group' AND NOT EXISTS (SELECT 1 FROM members m WHERE m.group_id = o.id)").await, 0, "a demo group without members");
    let g1 = app.org_id(GROUP_1).await;
    assert!(zuzhi.get_ok(&format!("/orgs/{g1}/group-members")).await["total"].as_i64().expect("total") > 5);
    // Every placement is in a group of the member's own branch.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM members m JOIN orgs g ON g.id = m.group_id WHERE g.parent_id <> m.org_id OR g.kind <> 'group'").await, 0);
    let sql = "SELECT COUNT(*) FROM meeting_attendance a JOIN meetings g ON g.id = a.meeting_id JOIN orgs o ON o.id = g.org_id JOIN members m ON m.id = a.member_id WHERE o.kind = 'group'";
    assert!(app.scalar(sql).await > 0, "the demo holds group meetings");
    assert_eq!(app.scalar(&format!("{sql} AND (m.group_id IS NULL OR m.group_id <> g.org_id)")).await, 0, "a group meeting lists its group");
}

/// m010: members filed directly in a 党小组 before it move to its branch, are placed in the
/// group, and the counts follow.
#[tokio::test]
async fn members_filed_in_a_group_before_m010_move_to_its_branch() {
    use dangjian_store::{db, dialect, migration};
    let tdb = TestDb::new().await;
    let raw = db::connect(&tdb.url, 2).await.expect("connect");
    migration::run_until(&raw, Some("m007_meetings")).await.expect("m007");
    for sql in [
        "INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (1, 1, NULL, '/1/', 'working_committee', '旧工委', 'OLD', '', '', TRUE, 0, '', 0, 0)",
        "INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (2, 1, 1, '/1/2/', 'branch', '旧支部', 'OLD2', '', '', TRUE, 0, '', 0, 0)",
        "INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES (3, 1, 2, '/1/2/3/', 'group', '旧小组', 'OLD3', '', '', TRUE, 0, '', 0, 0)",
        "INSERT INTO members (id, tenant_id, org_id, org_path, name, gender, ethnicity, birth_date, id_enc, id_bidx, id_masked, education, work_unit, position, category, status, created_at, updated_at) \
         VALUES (1, 1, 3, '/1/2/3/', '小组党员', 'male', '汉族', '1960-01-01', 'x', 'b1', 'm', '', '', '', 'retired', 'full', 0, 0)",
        "INSERT INTO members (id, tenant_id, org_id, org_path, name, gender, ethnicity, birth_date, id_enc, id_bidx, id_masked, education, work_unit, position, category, status, created_at, updated_at) \
         VALUES (2, 1, 2, '/1/2/', '支部党员', 'male', '汉族', '1960-01-01', 'x', 'b2', 'm', '', '', '', 'retired', 'full', 0, 0)",
        "INSERT INTO org_member_counts (org_id, status, category, n) VALUES (3, 'full', 'retired', 1), (2, 'full', 'retired', 1)",
        "INSERT INTO org_subtree_counts (org_id, status, category, n) VALUES (3, 'full', 'retired', 1), (2, 'full', 'retired', 2), (1, 'full', 'retired', 2)",
    ] {
        dialect::exec(&raw, sql, vec![]).await.expect(sql);
    }
    let _ = raw.close().await;
    let app = spawn_app_on(tdb, |_| {}).await;
    assert_eq!(app.text("SELECT org_path FROM members WHERE id = 1").await, "/1/2/");
    assert_eq!(app.scalar("SELECT org_id FROM members WHERE id = 1").await, 2);
    assert_eq!(app.scalar("SELECT group_id FROM members WHERE id = 1").await, 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM members WHERE id = 2 AND group_id IS NULL").await, 1);
    assert_eq!(app.scalar("SELECT n FROM org_member_counts WHERE org_id = 2").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org_member_counts WHERE org_id = 3").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org_subtree_counts WHERE org_id = 3").await, 0);
    assert_eq!(app.scalar("SELECT n FROM org_subtree_counts WHERE org_id = 2").await, 2);
    assert_eq!(app.scalar("SELECT n FROM org_subtree_counts WHERE org_id = 1").await, 2);
}
