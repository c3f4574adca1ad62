//! Organisations: create, nesting warnings, codes, moves with history and counts, dissolving,
//! posts with AB角, temporary branches.
//!
//! Demo tree used here: SZJGGW → A01 (机关党委) → {B1, B2, G1 (党总支) → {B3, B4}}, and
//! SZJGGW → A02 → {B1 … B5}; branch B1 of A01 holds two 党小组.

use serde_json::{json, Value};

use crate::helpers::*;

fn new_org(parent: i64, kind: &str, name: &str, code: &str) -> Value {
    json!({"parent_id": parent, "kind": kind, "name": name, "code": code})
}

#[tokio::test]
async fn create_checks_codes_and_kinds_and_warns_on_unusual_nesting() {
    let (app, api) = demo_api("zuzhi").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let parent = api.get_ok(&format!("/orgs/{a01}")).await;

    let created = api.post_json("/orgs", &new_org(a01, "branch", "新设党支部", "szjggw-a01-b9")).await.assert_status(201).json();
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["parent_id"], a01);
    assert_eq!(created["code"], "SZJGGW-A01-B9", "codes are stored upper-case");
    assert_eq!(created["path"], format!("{}{id}/", parent["path"].as_str().expect("path")));
    assert_eq!(created["warnings"], json!([]), "a branch under a 机关党委 is usual");
    assert_eq!(api.get_ok(&format!("/orgs/{id}")).await["name"], "新设党支部");

    // A branch under a branch is allowed, with a warning.
    let own = app.org_id(OWN_BRANCH).await;
    let nested = api.post_json("/orgs", &new_org(own, "branch", "支部下的支部", "NEST-1")).await.assert_status(201).json();
    let warnings = nested["warnings"].as_array().expect("warnings");
    assert!(warnings.iter().any(|w| w["code"] == "unusual_nesting"), "{nested}");

    // The same code, in any case, is taken.
    for code in ["SZJGGW-A01-B9", "szjggw-a01-b9"] {
        let r = api.post_json("/orgs", &new_org(a01, "branch", "重复编码", code)).await.assert_status(409);
        assert_eq!(r.code(), "duplicate");
    }
    let r = api.post_json("/orgs", &new_org(a01, "cell", "未知类别", "BAD-KIND")).await.assert_status(422);
    let fields: Vec<Value> = r.json()["errors"].as_array().expect("errors").iter().map(|e| e["field"].clone()).collect();
    assert!(fields.contains(&json!("kind")), "{r:?}");
    // Several problems are reported together.
    let r = api.post_json("/orgs", &new_org(a01, "cell", "", "x")).await.assert_status(422);
    let fields: Vec<Value> = r.json()["errors"].as_array().expect("errors").iter().map(|e| e["field"].clone()).collect();
    for f in ["kind", "name", "code"] {
        assert!(fields.contains(&json!(f)), "{f} not named: {r:?}");
    }

    // A temporary branch needs its end date, in the future.
    let r = api.post_json("/orgs", &new_org(a01, "temporary_branch", "培训班临时党支部", "TEMP-1")).await.assert_status(422);
    assert_eq!(r.json()["errors"][0]["field"], "ends_on", "{r:?}");
    let mut past = new_org(a01, "temporary_branch", "培训班临时党支部", "TEMP-1");
    past["ends_on"] = json!("2020-01-01");
    api.post_json("/orgs", &past).await.assert_status(422);
    let mut ok = past.clone();
    ok["ends_on"] = json!("2099-12-31");
    let t = api.post_json("/orgs", &ok).await.assert_status(201).json();
    assert_eq!(t["ends_on"], "2099-12-31");
    assert_eq!(t["kind"], "temporary_branch");
}

/// Every organisation of the demo tenant: id → (parent_id, path).
async fn tree(api: &Api) -> Vec<(i64, Value, String)> {
    let j = api.get_ok("/orgs?per_page=200").await;
    assert!(j["total"].as_u64().expect("total") <= 200, "tree larger than one page");
    j["items"].as_array().expect("items").iter().map(|o| (o["id"].as_i64().expect("id"), o["parent_id"].clone(), o["path"].as_str().expect("path").to_string())).collect()
}

#[tokio::test]
async fn moving_into_an_own_descendant_is_refused_and_changes_nothing() {
    let (app, api) = demo_api("zuzhi").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let g1 = app.org_id("SZJGGW-A01-G1").await;
    let b3 = app.org_id("SZJGGW-A01-B3").await;
    let before = (api.get_ok(&format!("/orgs/{a01}")).await, api.get_ok(&format!("/orgs/{b3}")).await, tree(&api).await);
    for target in [g1, b3, a01] {
        let r = api.post_json(&format!("/orgs/{a01}/move"), &json!({"parent_id": target, "reason": "测试"})).await.assert_status(422);
        assert_eq!(r.code(), "move_into_descendant", "{r:?}");
    }
    // Without a reason nothing moves either.
    let root = app.org_id(ROOT).await;
    let r = api.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": app.org_id("SZJGGW-A02").await, "reason": "  "})).await.assert_status(422);
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    let r = api.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": a01, "reason": "原地"})).await.assert_status(422);
    assert_eq!(r.code(), "same_parent");
    let after = (api.get_ok(&format!("/orgs/{a01}")).await, api.get_ok(&format!("/orgs/{b3}")).await, tree(&api).await);
    assert_eq!(before, after);
    assert_eq!(api.get_ok(&format!("/orgs/{a01}/moves")).await, json!([]));
    assert_eq!(api.get_ok(&format!("/orgs/{root}")).await["parent_id"], Value::Null);
}

fn stats_shape(s: &Value) {
    for key in ["members", "by_status", "by_category"] {
        assert!(!s[key].is_null(), "stats without {key}: {s}");
    }
    let by_category: i64 = s["by_category"].as_object().expect("by_category").values().map(|v| v.as_i64().expect("n")).sum();
    assert_eq!(by_category, s["members"].as_i64().expect("members"), "categories add up to members: {s}");
}

#[tokio::test]
async fn a_move_keeps_the_subtree_records_history_and_moves_the_counts() {
    let (app, api) = demo_api("zuzhi").await;
    let (root, a01, a02) = (app.org_id(ROOT).await, app.org_id("SZJGGW-A01").await, app.org_id("SZJGGW-A02").await);
    let (g1, b3) = (app.org_id("SZJGGW-A01-G1").await, app.org_id("SZJGGW-A01-B3").await);
    let stats = |id: i64| {
        let api = api.clone();
        async move {
            let s = api.get_ok(&format!("/orgs/{id}/stats")).await;
            stats_shape(&s);
            s["members"].as_i64().expect("members")
        }
    };
    let (root0, a010, a020, g10) = (stats(root).await, stats(a01).await, stats(a02).await, stats(g1).await);
    assert!(g10 > 0, "the moved subtree holds members");
    let list = api.get(&format!("/members?org={a02}")).await;
    let a02_list0 = list.assert_status(200).json()["total"].as_i64();

    let reason = "机构改革，调整隶属关系";
    let moved = api.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": a02, "reason": reason, "moved_on": "2026-01-05"})).await;
    let moved = moved.assert_status(200).json();
    let a02_path = api.get_ok(&format!("/orgs/{a02}")).await["path"].as_str().expect("path").to_string();
    assert_eq!(moved["parent_id"], a02);
    let g1_path = format!("{a02_path}{g1}/");
    assert_eq!(moved["path"], g1_path);
    // The subtree came along.
    let child = api.get_ok(&format!("/orgs/{b3}")).await;
    assert_eq!(child["parent_id"], g1);
    assert_eq!(child["path"], format!("{g1_path}{b3}/"));
    for (_, _, path) in tree(&api).await {
        assert!(!path.starts_with(&format!("/{root}/{a01}/{g1}/")), "stale path {path}");
    }
    let history = api.get_ok(&format!("/orgs/{g1}/moves")).await;
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history[0]["reason"], reason);
    assert_eq!(history[0]["from_parent_id"], a01);
    assert_eq!(history[0]["to_parent_id"], a02);
    assert_eq!(history[0]["moved_on"], "2026-01-05");

    assert_eq!(stats(root).await, root0, "the whole tree keeps its members");
    assert_eq!(stats(a01).await, a010 - g10, "the old parent loses the subtree");
    assert_eq!(stats(a02).await, a020 + g10, "the new parent gains it");
    assert_eq!(stats(g1).await, g10);
    // Member lists follow the new tree too (members carry the path).
    let n = a02_list0.expect("total");
    assert_eq!(api.get_ok(&format!("/members?org={a02}")).await["total"].as_i64(), Some(n + g10));
}

#[tokio::test]
async fn dissolving_needs_an_empty_organisation() {
    let (app, api) = demo_api("zuzhi").await;
    let (root, a02) = (app.org_id(ROOT).await, app.org_id("SZJGGW-A02").await);
    let r = api.post_json(&format!("/orgs/{}/dissolve", app.org_id(OTHER_BRANCH).await), &json!({"reason": "测试"})).await;
    assert_eq!(r.assert_status(409).code(), "has_members");
    let r = api.post_json(&format!("/orgs/{}/dissolve", app.org_id(OWN_BRANCH).await), &json!({"reason": "测试"})).await.assert_status(409);
    assert_eq!(r.code(), "has_children", "B1 still has its 党小组");
    assert_eq!(api.post_json(&format!("/orgs/{root}/dissolve"), &json!({})).await.assert_status(409).code(), "root");

    let empty = api.post_json("/orgs", &new_org(a02, "branch", "待撤销党支部", "GONE-1")).await.assert_status(201).json()["id"].as_i64().expect("id");
    let children = |api: Api| async move { api.get_ok(&format!("/orgs/{a02}/children")).await.as_array().expect("children").iter().map(|c| c["id"].as_i64().expect("id")).collect::<Vec<_>>() };
    assert!(children(api.clone()).await.contains(&empty));
    let gone = api.post_json(&format!("/orgs/{empty}/dissolve"), &json!({"reason": "机构撤并"})).await.assert_status(200).json();
    assert_eq!(gone["active"], false);
    assert!(gone["dissolved_on"].is_string(), "{gone}");
    assert!(!children(api.clone()).await.contains(&empty));
    assert_eq!(api.post_json(&format!("/orgs/{empty}/dissolve"), &json!({})).await.assert_status(409).code(), "dissolved");
    assert_eq!(api.patch_json(&format!("/orgs/{empty}"), &json!({"name": "复活"})).await.assert_status(409).code(), "dissolved");
    let r = api.post_json("/orgs", &new_org(empty, "group", "撤销组织下的小组", "GONE-G1")).await.assert_status(422);
    assert_eq!(r.code(), "parent_dissolved");
}

#[tokio::test]
async fn a_post_has_one_a_holder_and_one_b_holder() {
    let (app, api) = demo_api("zuzhi").await;
    let a01 = app.org_id("SZJGGW-A01").await;
    let branch = api.post_json("/orgs", &new_org(a01, "branch", "新党支部", "POSTS-1")).await.assert_status(201).json()["id"].as_i64().expect("id");
    let m = app.member_ids(OWN_BRANCH).await;
    let posts = format!("/orgs/{branch}/posts");
    let a = api.post_json(&posts, &json!({"member_id": m[0], "post": "secretary", "ab_role": "a", "started_on": "2025-03-01"})).await.assert_status(201).json();
    assert_eq!((a["post"].as_str(), a["ab_role"].as_str(), a["member_id"].as_i64()), (Some("secretary"), Some("a"), Some(m[0])));
    // Labels work as well as codes; a second A 书记 is refused.
    let r = api.post_json(&posts, &json!({"member_id": m[1], "post": "书记", "ab_role": "A角"})).await.assert_status(409);
    assert_eq!(r.code(), "post_taken");
    let b = api.post_json(&posts, &json!({"member_id": m[1], "post": "书记", "ab_role": "B角"})).await.assert_status(201).json();
    assert_eq!(b["ab_role"], "b");
    api.post_json(&posts, &json!({"member_id": m[2], "post": "secretary", "ab_role": "b"})).await.assert_status(409);
    api.post_json(&posts, &json!({"member_id": m[2], "post": "dean", "ab_role": "a"})).await.assert_status(422);
    api.post_json(&posts, &json!({"member_id": 99_999_999, "post": "deputy_secretary"})).await.assert_status(422);
    assert_eq!(api.get_ok(&posts).await.as_array().map(Vec::len), Some(2));
    // After the A holder leaves, the post can be filled again.
    let a_id = a["id"].as_i64().expect("id");
    api.post_json(&format!("/posts/{a_id}/end"), &json!({"ended_on": "2025-01-01"})).await.assert_status(422);
    api.post_json(&format!("/posts/{a_id}/end"), &json!({})).await.assert_status(204);
    api.post_json(&posts, &json!({"member_id": m[2], "post": "secretary", "ab_role": "a"})).await.assert_status(201);
    let all = api.get_ok(&posts).await;
    let ended = all.as_array().expect("posts").iter().filter(|p| !p["ended_on"].is_null()).count();
    assert_eq!((all.as_array().map(Vec::len), ended), (Some(3), 1), "{all}");
}

/// Every query that sums the member counters answers, on both backends (PostgreSQL sums BIGINT as NUMERIC).
/// Passes on SQLite; run with `DANGJIAN_TEST_PG` and `--ignored` to see the PostgreSQL failure.
#[tokio::test]
async fn counter_sums_work_on_every_backend() {
    let (app, api) = demo_api("zuzhi").await;
    let (own, a02) = (app.org_id(OWN_BRANCH).await, app.org_id("SZJGGW-A02").await);
    api.get(&format!("/members?org={own}")).await.assert_status(200);
    api.get(&format!("/members?org={own}&subtree=false")).await.assert_status(200);
    app.demo_login("shuji1").await.get("/members").await.assert_status(200);
    api.get(&format!("/orgs/{a02}/children")).await.assert_status(200);
    let r = api.get_ok(&format!("/orgs/{a02}/children")).await;
    assert!(r.as_array().expect("children").iter().all(|c| c["members"].as_i64().is_some()));
    api.post_json(&format!("/orgs/{}/dissolve", app.org_id(OTHER_BRANCH).await), &json!({})).await.assert_status(409);
    let c = app.client();
    c.post(app.api_url("/login")).json(&json!({"username": "zuzhi", "password": DEMO_PASSWORD})).send().await.expect("login");
    assert_eq!(c.get(app.url(&format!("/orgs/{own}"))).send().await.expect("page").status().as_u16(), 200);
}

/// Moves rewrite paths with substr(), whose position argument PostgreSQL wants as an integer.
#[tokio::test]
async fn moves_work_on_every_backend() {
    let (app, api) = demo_api("zuzhi").await;
    let (g1, a02) = (app.org_id("SZJGGW-A01-G1").await, app.org_id("SZJGGW-A02").await);
    api.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": a02, "reason": "调整"})).await.assert_status(200);
}

/// The subtree totals are kept by difference on every write; after moves, transfers, status
/// changes and new members they must equal a count made from scratch, organisation by
/// organisation (compared both ways, so a missing row and an extra row are both caught).
#[tokio::test]
async fn maintained_subtree_totals_equal_a_full_count() {
    let (app, api) = demo_api("zuzhi").await;
    let (a02, own, other) = (app.org_id("SZJGGW-A02").await, app.org_id(OWN_BRANCH).await, app.org_id(OTHER_BRANCH).await);
    api.post_json(&format!("/orgs/{}/move", app.org_id("SZJGGW-A01-G1").await), &json!({"parent_id": a02, "reason": "核对"})).await.assert_status(200);
    api.post_json(&format!("/orgs/{own}/move"), &json!({"parent_id": app.org_id("SZJGGW-A03").await, "reason": "核对"})).await.assert_status(200);
    let ms = app.member_ids(OWN_BRANCH).await;
    api.patch_json(&format!("/members/{}", ms[3]), &json!({"org_id": other})).await.assert_status(200);
    api.patch_json(&format!("/members/{}", ms[4]), &json!({"status": "deceased"})).await.assert_status(200);
    api.post_json("/members", &member_body(own, "核对新增", &id_number("110105", "19900101", 457), "13800000001")).await.assert_status(201);

    let expected = "SELECT o.id AS org_id, c.status, c.category, CAST(SUM(c.n) AS BIGINT) AS n FROM orgs o \
        JOIN orgs d ON d.path >= o.path AND d.path < substr(o.path, 1, length(o.path) - 1) || '0' \
        JOIN org_member_counts c ON c.org_id = d.id GROUP BY o.id, c.status, c.category";
    let actual = "SELECT org_id, status, category, n FROM org_subtree_counts WHERE n <> 0";
    assert!(app.scalar(&format!("SELECT COUNT(*) FROM ({actual}) a")).await > 100, "the totals exist");
    let missing = app.scalar(&format!("SELECT COUNT(*) FROM ({expected} EXCEPT {actual}) x")).await;
    let extra = app.scalar(&format!("SELECT COUNT(*) FROM ({actual} EXCEPT {expected}) x")).await;
    assert_eq!((missing, extra), (0, 0), "subtree totals drifted from the members table");
}

/// Two nodes on one database: a change to the tree through one moves the version, and the other
/// sees it once it refreshes (it looks at the version at most once a second on its own; here it
/// is told to look now). Changes that leave the tree alone do not move the version.
#[tokio::test]
async fn another_node_sees_tree_changes_after_refresh() {
    let (app, api) = demo_api("zuzhi").await;
    let other = second_node(&app).await;
    let (a01, a02, g1) = (app.org_id("SZJGGW-A01").await, app.org_id("SZJGGW-A02").await, app.org_id("SZJGGW-A01-G1").await);
    let version = || async { app.store.tree().await.expect("tree").version() };
    let v0 = version().await;
    assert_eq!(other.tree().await.expect("tree").version(), v0, "both nodes start from the same tree");
    assert!(!other.refresh_tree().await.expect("refresh"), "nothing moved, nothing reloads");

    let created = api.post_json("/orgs", &new_org(a01, "branch", "双节点党支部", "TWO-NODES")).await.assert_status(201).json()["id"].as_i64().expect("id");
    let v1 = version().await;
    assert!(v1 > v0, "a new organisation moves the version");
    assert_eq!(app.store.tree().await.expect("tree").get(created).map(|n| n.name.as_str()), Some("双节点党支部"), "the writing node sees it at once");
    api.patch_json(&format!("/orgs/{created}"), &json!({"name": "改名党支部"})).await.assert_status(200);
    let v2 = version().await;
    assert!(v2 > v1, "a new name moves the version");
    api.patch_json(&format!("/orgs/{created}"), &json!({"note": "只改备注"})).await.assert_status(200);
    assert_eq!(version().await, v2, "a note is not part of the tree");
    api.post_json(&format!("/orgs/{g1}/move"), &json!({"parent_id": a02, "reason": "双节点"})).await.assert_status(200);
    let v3 = version().await;
    assert!(v3 > v2, "a move moves the version");
    api.post_json(&format!("/orgs/{created}/dissolve"), &json!({"reason": "双节点"})).await.assert_status(200);
    let v4 = version().await;
    assert!(v4 > v3, "dissolving moves the version");

    assert!(other.refresh_tree().await.expect("refresh"), "the other node reloads when the version moved");

    let seen = other.tree().await.expect("tree");
    assert_eq!(seen.version(), v4);
    let n = seen.get(created).expect("the new organisation");
    assert_eq!((n.name.as_str(), n.active, n.parent_id), ("改名党支部", false, Some(a01)));
    let g1_node = seen.get(g1).expect("G1");
    assert_eq!(g1_node.parent_id, Some(a02));
    assert!(g1_node.path.starts_with(&seen.get(a02).expect("A02").path), "{g1_node:?}");
    assert!(seen.subtree(&g1_node.path).len() > 1, "its branches came along");
    assert!(!other.refresh_tree().await.expect("refresh"), "and only once");

    // An id created elsewhere a moment ago is found at once: a miss looks at the version.
    let later = api.post_json("/orgs", &new_org(a01, "branch", "刚建的党支部", "TWO-NODES-2")).await.assert_status(201).json()["id"].as_i64().expect("id");
    assert_eq!(dangjian_store::org::node(&other, later).await.expect("found on the other node").name, "刚建的党支部");
}

/// Breadcrumbs, children and pickers read the snapshot, not the table: a rename written behind
/// the store's back (no version bump) shows in the record itself but not in them, until the
/// version moves.
#[tokio::test]
async fn breadcrumbs_and_pickers_come_from_the_snapshot() {
    let (app, api) = demo_api("zuzhi").await;
    let (a01, own) = (app.org_id("SZJGGW-A01").await, app.org_id(OWN_BRANCH).await);
    let old = api.get_ok(&format!("/orgs/{a01}")).await["name"].as_str().expect("name").to_string();
    app.exec(&format!("UPDATE orgs SET name = '未通知的新名' WHERE id = {a01}")).await;
    assert_eq!(api.get_ok(&format!("/orgs/{a01}")).await["name"], "未通知的新名", "the record is read from the table");

    let ctx = cli_ctx();
    let b1 = dangjian_store::org::get(&app.store, &ctx, own).await.expect("B1");
    let crumbs = dangjian_store::org::ancestors(&app.store, &ctx, &b1).await.expect("ancestors");
    assert_eq!(crumbs.iter().find(|a| a.id == a01).map(|a| a.name.as_str()), Some(old.as_str()));
    let picker = dangjian_store::org::options(&app.store, &ctx, dangjian_domain::policy::Action::MemberWrite, 1000).await.expect("options");
    assert_eq!(picker.iter().find(|o| o.id == a01).map(|o| o.name.as_str()), Some(old.as_str()));
    let root = app.org_id(ROOT).await;
    let children = api.get_ok(&format!("/orgs/{root}/children")).await;
    assert!(children.as_array().expect("children").iter().any(|c| c["id"] == a01 && c["name"] == old.as_str()), "{children}");
    let c = app.client();
    c.post(app.api_url("/login")).json(&json!({"username": "zuzhi", "password": DEMO_PASSWORD})).send().await.expect("login");
    let page = c.get(app.url(&format!("/orgs/{own}"))).send().await.expect("page").text().await.expect("html");
    assert!(page.contains(&old) && !page.contains("未通知的新名"), "the breadcrumbs of B1 name A01 as the snapshot knows it");

    app.exec("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'tree_version'").await;
    assert!(app.store.refresh_tree().await.expect("refresh"));
    let picker = dangjian_store::org::options(&app.store, &ctx, dangjian_domain::policy::Action::MemberWrite, 1000).await.expect("options");
    assert_eq!(picker.iter().find(|o| o.id == a01).map(|o| o.name.as_str()), Some("未通知的新名"));
}
