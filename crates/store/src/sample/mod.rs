//! 演示与规模数据 — demo installation and synthetic data at a named scale. Both write through the same tables
//! and counters as real use, so what they produce behaves like real data.

mod life;
pub mod names;

use chrono::{Days, NaiveDate};
use dangjian_domain::member::{Category, Status};
use dangjian_domain::org::{OrgKind, UnitCategory};
use dangjian_domain::policy::Role;
use dangjian_domain::{idcard, org as org_rules, time};
use sea_orm::{ConnectionTrait, Value};
use serde_json::json;

use crate::account::{self, AuthSettings, NewAccount};
use crate::dialect::{exec, scalar_i64};
use crate::member::{insert_many, Prepared};
use crate::org::{self, Org, OrgInput};
use crate::{audit, Ctx, Result, Store};
use names::Rng;

pub const DEMO_PASSWORD: &str = "Demo@2026";
pub const DEMO_ROOT_CODE: &str = "SZJGGW";

/// Demo accounts: (username, role, what the scope is).
pub const DEMO_ACCOUNTS: &[(&str, Role, &str)] = &[
    ("admin", Role::SystemAdmin, "全部"),
    ("anquan", Role::SecurityAdmin, "全部"),
    ("shenji", Role::AuditAdmin, "全部"),
    ("zuzhi", Role::OrgAdmin, "市直机关工委（全部组织）"),
    ("shuji1", Role::Secretary, "第一个党支部"),
    ("dangyuan1", Role::Member, "第一个党支部的一名党员"),
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub created: bool,
    pub orgs: i64,
    pub members: i64,
    pub branch_name: String,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A plausible party member: born 1960–2000, joined at 22–35, full member a year later.
fn person(rng: &mut Rng, id_number: String, female: bool, birth: NaiveDate, today: NaiveDate, store: &Store, retired_share: u32) -> Prepared {
    let name = names::person_name(rng, female);
    let join_age = 22 + rng.below(14) as u64;
    let joined = birth.checked_add_days(Days::new(join_age * 365 + rng.below(300))).unwrap_or(birth);
    let joined = if joined > today { today.checked_sub_days(Days::new(400)).unwrap_or(today) } else { joined };
    let probationary = joined > today.checked_sub_days(Days::new(365)).unwrap_or(today) || rng.chance(3);
    let (joined, full) = if probationary {
        let j = today.checked_sub_days(Days::new(30 + rng.below(300))).unwrap_or(today);
        (j, None)
    } else {
        (joined, joined.checked_add_days(Days::new(365)))
    };
    let phone = names::phone(rng);
    let c = store.crypto.as_ref();
    let category = if rng.chance(retired_share) { Category::Retired } else if rng.chance(2) { Category::Mobile } else { Category::Employed };
    let id = idcard::IdNumber::parse(&id_number, today).expect("generated ID numbers are valid");
    let p = idcard::Phone::parse(&phone).expect("generated phones are valid");
    Prepared {
        member_no: None,
        name,
        gender: if female { "female" } else { "male" }.to_string(),
        ethnicity: names::ethnicity(rng).to_string(),
        birth_date: time::format_date(birth),
        id_enc: c.encrypt_field(id.as_str()),
        id_bidx: c.blind_index("id_number", id.as_str()),
        id_masked: id.masked(),
        phone_enc: Some(c.encrypt_field(p.as_str())),
        phone_bidx: Some(c.blind_index("phone", p.as_str())),
        phone_masked: Some(p.masked()),
        education: names::education(rng).to_string(),
        work_unit: String::new(),
        position: names::position(rng).to_string(),
        category: category.code().to_string(),
        status: if probationary { Status::Probationary } else { Status::Full }.code().to_string(),
        joined_on: Some(time::format_date(joined)),
        full_on: full.map(time::format_date),
    }
}

fn random_birth(rng: &mut Rng) -> NaiveDate {
    date(1962, 1, 1).checked_add_days(Days::new(rng.below(38 * 365))).expect("in range")
}

async fn create_org(store: &Store, ctx: &Ctx, parent: Option<&Org>, kind: OrgKind, name: &str, code: &str, unit: &str, ends_on: &str) -> Result<Org> {
    let (o, _) = org::create(store, ctx, &OrgInput {
        parent_id: parent.map(|p| p.id),
        kind: kind.code().into(),
        name: name.into(),
        code: code.into(),
        unit_name: unit.into(),
        unit_category: "agency".into(),
        established_on: "2016-07-01".into(),
        ends_on: ends_on.into(),
        note: String::new(),
        sort: None,
    })
    .await?;
    Ok(o)
}

/// Loads the demo installation once: a 市直机关工委 with about 60 organisations on four levels
/// below it, about 1,500 members with history and posts, and one account per role.
pub async fn demo(store: &Store, settings: &AuthSettings) -> Result<DemoSummary> {
    if let Some(root) = org::load_by_code(&store.db, DEMO_ROOT_CODE).await? {
        let members = org::stats_of(store, &root).await?.members;
        let orgs = scalar_i64(&store.db, "SELECT COUNT(*) FROM orgs WHERE tenant_id = $1", vec![root.id.into()]).await?;
        let branch_name = org::load_by_code(&store.db, "SZJGGW-A01-B1").await?.map(|o| o.name).unwrap_or_default();
        return Ok(DemoSummary { created: false, orgs, members, branch_name });
    }
    // Everything that could refuse is checked before the first write, so a refusal leaves the
    // database as it was.
    if !is_empty(&store.db).await? || account::count(store).await? > 0 {
        return Err(crate::StoreError::conflict("not_empty", "演示数据只能载入新建的空数据库：当前数据库已有组织或账号"));
    }
    settings.password.check(DEMO_PASSWORD, "dangyuan1").map_err(|m| crate::StoreError::invalid("password", "weak_password", format!("演示密码不符合当前口令策略：{m}")))?;
    let ctx = Ctx::cli("demo");
    let today = time::today_cst();
    let mut rng = Rng::new(2026);
    let root = create_org(store, &ctx, None, OrgKind::WorkingCommittee, "中共某市市直机关工作委员会", DEMO_ROOT_CODE, "市直机关工委", "").await?;
    let mut branches: Vec<Org> = Vec::new();
    let mut groups: Vec<Org> = Vec::new();
    let agencies = &names::AGENCIES[..9];
    for (i, agency) in agencies.iter().enumerate() {
        let a = i + 1;
        if i < 2 {
            create_org(store, &ctx, Some(&root), OrgKind::LeadingGroup, &format!("中共{agency}党组"), &format!("{DEMO_ROOT_CODE}-L{a:02}"), agency, "").await?;
        }
        let committee = create_org(store, &ctx, Some(&root), OrgKind::AgencyCommittee, &format!("中共{agency}机关委员会"), &format!("{DEMO_ROOT_CODE}-A{a:02}"), agency, "").await?;
        let mut parent_for_branches = vec![committee.clone()];
        if i % 3 == 0 {
            let gb = create_org(store, &ctx, Some(&committee), OrgKind::GeneralBranch, &format!("{agency}机关第一党总支"), &format!("{DEMO_ROOT_CODE}-A{a:02}-G1"), agency, "").await?;
            parent_for_branches.push(gb);
        }
        let n_branches = 4 + (i % 2);
        for b in 1..=n_branches {
            let parent = &parent_for_branches[if b > 2 && parent_for_branches.len() > 1 { 1 } else { 0 }];
            let dept = names::DEPARTMENTS[(i * 5 + b) % names::DEPARTMENTS.len()];
            let br = create_org(store, &ctx, Some(parent), OrgKind::Branch, &format!("{agency}{dept}党支部"), &format!("{DEMO_ROOT_CODE}-A{a:02}-B{b}"), agency, "").await?;
            if b == 1 && i % 2 == 0 {
                for g in 1..=2 {
                    groups.push(create_org(store, &ctx, Some(&br), OrgKind::Group, &format!("{dept}第{}党小组", ["一", "二"][g - 1]), &format!("{DEMO_ROOT_CODE}-A{a:02}-B{b}-G{g}"), agency, "").await?);
                }
            }
            branches.push(br);
        }
    }
    let ends = time::format_date(today.checked_add_days(Days::new(60)).expect("in range"));
    let temp = create_org(store, &ctx, Some(&root), OrgKind::TemporaryBranch, "市直机关青年干部培训班临时党支部", &format!("{DEMO_ROOT_CODE}-T01"), "市委党校", &ends).await?;
    branches.push(temp);

    // Members: 15–45 per branch (a few over 50, so the size warning shows), first member is the secretary.
    let mut rows: Vec<(Prepared, &Org)> = Vec::new();
    let mut per_branch: Vec<(usize, usize)> = Vec::new();
    for (bi, br) in branches.iter().enumerate() {
        let n = if bi == 3 { 56 } else if br.kind == OrgKind::TemporaryBranch { 12 } else { 25 + rng.below(21) as usize };
        let start = rows.len();
        for _ in 0..n {
            let female = rng.chance(42);
            let birth = random_birth(&mut rng);
            let id = names::id_number(&mut rng, birth, female);
            let mut p = person(&mut rng, id, female, birth, today, store, if br.kind == OrgKind::TemporaryBranch { 0 } else { 12 });
            p.work_unit = br.unit_name.clone();
            rows.push((p, br));
        }
        per_branch.push((start, n));
    }
    // Random ID numbers may collide: keep the first of each.
    let mut seen = std::collections::HashSet::new();
    rows.retain(|(p, _)| seen.insert(p.id_bidx.clone()));
    let txn = store.write().await?;
    insert_many(&txn, &rows).await?;
    audit::record(&txn, store.crypto.as_ref(), &ctx, "demo.load", &format!("org:{}", root.id), "ok", json!({"members": rows.len()})).await?;
    txn.commit().await?;

    // History, posts and terms, written directly: the demo is data, not a sequence of requests.
    let ids: Vec<(i64, String, Option<String>, i64)> = {
        #[derive(sea_orm::FromQueryResult)]
        struct R {
            id: i64,
            joined_on: Option<String>,
            full_on: Option<String>,
            org_id: i64,
        }
        crate::dialect::all::<R, _>(&store.db, "SELECT id, joined_on, full_on, org_id FROM members WHERE tenant_id = $1 ORDER BY id", vec![root.id.into()])
            .await?
            .into_iter()
            .map(|r| (r.id, r.joined_on.unwrap_or_default(), r.full_on, r.org_id))
            .collect()
    };
    let txn = store.write().await?;
    let mut ev: Vec<[Value; 6]> = Vec::new();
    let now = time::now_unix();
    for (k, (id, joined, full, org_id)) in ids.iter().enumerate() {
        ev.push([(*id).into(), "joined".into(), joined.clone().into(), Some(*org_id).into(), "经支部大会讨论通过，接收为预备党员".into(), now.into()]);
        if let Some(f) = full {
            ev.push([(*id).into(), "full".into(), f.clone().into(), Some(*org_id).into(), "预备期满，经支部大会讨论通过，按期转为正式党员".into(), now.into()]);
        }
        if k % 17 == 0 {
            ev.push([(*id).into(), "transfer".into(), "2023-03-15".into(), Some(*org_id).into(), "因工作调动，组织关系转入本支部".into(), now.into()]);
        }
    }
    for chunk in ev.chunks(crate::dialect::rows_per_statement(store.backend(), 6)) {
        let mut sql = String::from("INSERT INTO member_events (member_id, kind, on_date, org_id, note, at) VALUES ");
        let mut vals = Vec::with_capacity(chunk.len() * 6);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            crate::dialect::push_row_placeholders(&mut sql, store.backend(), i * 6 + 1, 6);
            vals.extend(row.iter().cloned());
        }
        exec(&txn, &sql, vals).await?;
    }
    let by_org = |oid: i64| ids.iter().filter(move |r| r.3 == oid).map(|r| r.0).collect::<Vec<_>>();
    let posts = ["secretary", "deputy_secretary", "organisation_member", "propaganda_member", "discipline_member"];
    let mut first_branch_members = Vec::new();
    for (bi, br) in branches.iter().enumerate() {
        let ms = by_org(br.id);
        if bi == 0 {
            first_branch_members = ms.clone();
        }
        let held = if ms.len() >= 7 { posts.len() } else { 2 };
        for (pi, post) in posts.iter().take(held).enumerate() {
            if let Some(mid) = ms.get(pi) {
                exec(&txn, "INSERT INTO posts (org_id, member_id, post, ab_role, started_on, note) VALUES ($1, $2, $3, 'a', $4, '')",
                    vec![br.id.into(), (*mid).into(), (*post).into(), "2024-03-20".into()]).await?;
            }
        }
        // AB角: the deputy stands in for the secretary.
        if let Some(mid) = ms.get(1) {
            exec(&txn, "INSERT INTO posts (org_id, member_id, post, ab_role, started_on, note) VALUES ($1, $2, 'secretary', 'b', $3, '书记外出时由副书记主持工作')",
                vec![br.id.into(), (*mid).into(), "2024-03-20".into()]).await?;
        }
        if br.kind != OrgKind::TemporaryBranch {
            // One branch in four is overdue for its election, so the warning shows.
            let (start, end) = if bi % 4 == 3 { ("2021-06-18", "2024-06-17") } else { ("2024-03-20", "2027-03-19") };
            exec(&txn, "INSERT INTO org_terms (org_id, started_on, ends_on, note) VALUES ($1, $2, $3, $4)",
                vec![br.id.into(), start.into(), end.into(), "党员大会选举产生".into()]).await?;
        }
    }
    for g in &groups {
        let parent_members = by_org(g.parent_id.unwrap_or(0));
        if let Some(mid) = parent_members.get(6 + (g.id % 3) as usize) {
            exec(&txn, "INSERT INTO posts (org_id, member_id, post, ab_role, started_on, note) VALUES ($1, $2, 'group_leader', 'a', '2024-04-01', '')", vec![g.id.into(), (*mid).into()]).await?;
        }
    }
    txn.commit().await?;

    // Accounts: one per role, no forced change in demo mode.
    let first = &branches[0];
    for (username, role, _) in DEMO_ACCOUNTS {
        let member_id = match role {
            Role::Secretary => first_branch_members.first().copied(),
            Role::Member => first_branch_members.get(9).copied(),
            _ => None,
        };
        let a = account::create(store, settings, &ctx, &NewAccount { username: (*username).into(), password: DEMO_PASSWORD.into(), member_id, no_forced_change: true }).await?;
        let scope = match role {
            Role::Secretary | Role::Member => first.id,
            _ => root.id,
        };
        account::grant(store, &ctx, a.id, role.code(), scope).await?;
    }
    life::demo(store, &root).await?;
    exec(&store.db, "INSERT INTO meta (key, value) VALUES ('demo_loaded', $1)", vec![time::now_unix().to_string().into()]).await?;
    let members = org::stats_of(store, &root).await?.members;
    let orgs = scalar_i64(&store.db, "SELECT COUNT(*) FROM orgs WHERE tenant_id = $1", vec![root.id.into()]).await?;
    Ok(DemoSummary { created: true, orgs, members, branch_name: first.name.clone() })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    pub root_id: i64,
    pub root_code: String,
    pub orgs: usize,
    pub members: usize,
    pub seconds: f64,
}

/// Generates a separate tenant with `orgs` organisations (工委 → 机关党委 → 党总支 → 党支部)
/// and `members` members spread over the branches, fast enough for city scale.
pub async fn generate(store: &Store, members: usize, orgs: usize, seed: u64) -> Result<GenSummary> {
    let started = std::time::Instant::now();
    let today = time::today_cst();
    let mut rng = Rng::new(seed);
    let ctx = Ctx::cli("gen");
    let code = format!("GEN{seed}-{}", time::now_unix() % 100_000);
    let root = create_org(store, &ctx, None, OrgKind::WorkingCommittee, &format!("规模测试工委{seed}"), &code, "规模测试", "").await?;
    // Explicit ids, so paths are known before the rows exist; sequences are moved past them after.
    let base = scalar_i64(&store.db, "SELECT COALESCE(MAX(id), 0) FROM orgs", vec![]).await? + 1;
    let orgs = orgs.max(4);
    let committees = (orgs / 60).max(1);
    let generals = (orgs / 12).max(1);
    let now = time::now_unix();
    let mut planned: Vec<Org> = Vec::with_capacity(orgs);
    let mut next = base;
    let mk = |id: i64, parent: &Org, kind: OrgKind, name: String| Org {
        id,
        tenant_id: Some(root.id),
        parent_id: Some(parent.id),
        path: org_rules::child_path(&parent.path, id),
        kind,
        name,
        code: format!("{code}-{id}"),
        unit_name: String::new(),
        unit_category: UnitCategory::Agency,
        established_on: None,
        ends_on: None,
        dissolved_on: None,
        active: true,
        sort: 0,
        note: String::new(),
        created_at: now,
        updated_at: now,
    };
    for c in 0..committees {
        let agency = names::AGENCIES[c % names::AGENCIES.len()];
        planned.push(mk(next, &root, OrgKind::AgencyCommittee, format!("{agency}机关党委{}", c + 1)));
        next += 1;
    }
    for g in 0..generals {
        let parent = planned[g % committees].clone();
        planned.push(mk(next, &parent, OrgKind::GeneralBranch, format!("第{}党总支", g + 1)));
        next += 1;
    }
    let n_branches = orgs.saturating_sub(committees + generals + 1).max(1);
    let mut branch_idx = Vec::with_capacity(n_branches);
    for b in 0..n_branches {
        let parent = planned[committees + b % generals].clone();
        let dept = names::DEPARTMENTS[b % names::DEPARTMENTS.len()];
        branch_idx.push(planned.len());
        planned.push(mk(next, &parent, OrgKind::Branch, format!("{dept}第{}党支部", b + 1)));
        next += 1;
    }
    let txn = store.write().await?;
    for chunk in planned.chunks(crate::dialect::rows_per_statement(store.backend(), 14)) {
        let mut sql = String::from("INSERT INTO orgs (id, tenant_id, parent_id, path, kind, name, code, unit_name, unit_category, active, sort, note, created_at, updated_at) VALUES ");
        let mut vals: Vec<Value> = Vec::with_capacity(chunk.len() * 14);
        for (i, o) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            crate::dialect::push_row_placeholders(&mut sql, store.backend(), i * 14 + 1, 14);
            vals.extend([o.id.into(), o.tenant_id.into(), o.parent_id.into(), o.path.clone().into(), o.kind.into(), o.name.clone().into(), o.code.clone().into(),
                o.unit_name.clone().into(), o.unit_category.into(), true.into(), 0i64.into(), String::new().into(), now.into(), now.into()]);
        }
        exec(&txn, &sql, vals).await?;
    }
    crate::dialect::reset_sequence(&txn, "orgs").await?;
    org::tree::changed(&txn).await?;
    txn.commit().await?;
    store.tree_committed().await;
    // Members in batches of one transaction each, so memory stays flat at any scale.
    const REGIONS: &[&str] = &["110101", "310104", "440305", "330106", "320102", "420102", "510104", "610113", "370102", "210102"];
    let batch = 20_000;
    let mut done = 0;
    while done < members {
        let n = batch.min(members - done);
        let mut rows: Vec<(Prepared, &Org)> = Vec::with_capacity(n);
        for k in done..done + n {
            let female = rng.chance(40);
            // (region, birth day, sequence) is injective in k, so ID numbers never collide.
            let r = k % REGIONS.len();
            let q = k / REGIONS.len();
            let birth = date(1960, 1, 1).checked_add_days(Days::new((q % 14_000) as u64)).expect("in range");
            let seq = ((q / 14_000) * 2 + usize::from(!female)) as u32 + seed as u32 % 2 * 500;
            let id = names::id_number_with_seq(REGIONS[r], birth, seq);
            let p = person(&mut rng, id, female, birth, today, store, 10);
            // Contiguous blocks per branch: a batch touches few organisations' counters.
            let o = &planned[branch_idx[k * branch_idx.len() / members]];
            rows.push((p, o));
        }
        let txn = store.write().await?;
        insert_many(&txn, &rows).await?;
        txn.commit().await?;
        done += n;
        tracing::info!(done, members, "generated");
    }
    crate::dialect::analyze(&store.db).await?;
    let txn = store.write().await?;
    audit::record(&txn, store.crypto.as_ref(), &ctx, "gen", &format!("org:{}", root.id), "ok", json!({"orgs": planned.len() + 1, "members": members})).await?;
    txn.commit().await?;
    Ok(GenSummary { root_id: root.id, root_code: code, orgs: planned.len() + 1, members, seconds: started.elapsed().as_secs_f64() })
}

/// Whether any organisation exists yet (a fresh installation).
pub async fn is_empty<C: ConnectionTrait>(c: &C) -> Result<bool> {
    Ok(scalar_i64(c, "SELECT COUNT(*) FROM orgs", vec![]).await? == 0)
}
