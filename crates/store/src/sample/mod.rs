//! 演示与规模数据 — demo installation and synthetic data at a named scale. Both write through the same tables
//! and counters as real use, so what they produce behaves like real data.

mod appraisal;
mod duty;
mod inspection;
mod life;
pub mod names;
mod report;
mod review;

use chrono::{Days, NaiveDate};
use dangjian_domain::member::{Category, Details, EventKind, Gender, Status, ValidMember};
use dangjian_domain::org::{OrgKind, UnitCategory};
use dangjian_domain::policy::Role;
use dangjian_domain::time::{self, Date};
use dangjian_domain::{idcard, org as org_rules};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{ConnectionTrait, Value};
use serde_json::json;

use crate::account::{self, AuthSettings, NewAccount};
use crate::member::{event_row, insert_many, prepare, Placement, Prepared};
use crate::org::{self, Org, OrgInput};
use crate::query::{self, col, record};
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
    let join_age = 22 + rng.below(14);
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
    let category = if rng.chance(retired_share) { Category::Retired } else if rng.chance(2) { Category::Mobile } else { Category::Employed };
    let id = idcard::IdNumber::parse(&id_number, today).expect("generated ID numbers are valid");
    let details = Details {
        ethnicity: names::ethnicity(rng).to_string(),
        native_place: names::native_place(&id_number).to_string(),
        education: names::education(rng).to_string(),
        work_unit: String::new(),
        position: names::position(rng).to_string(),
    };
    let v = ValidMember {
        name,
        gender: if female { Gender::Female } else { Gender::Male },
        id_number: id,
        birth_date: Date(birth),
        phone: Some(idcard::Phone::parse(&phone).expect("generated phones are valid")),
        category,
        status: if probationary { Status::Probationary } else { Status::Full },
        joined_on: Some(Date(joined)),
        full_on: full.map(Date),
        details,
    };
    prepare(store, v, None)
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
        let orgs = count_orgs(&store.db, root.id).await?;
        let branch_name = org::load_by_code(&store.db, "SZJGGW-A01-B1").await?.map(|o| o.node.name).unwrap_or_default();
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
    let mut rows: Vec<(Prepared, Placement)> = Vec::new();
    let mut per_branch: Vec<(usize, usize)> = Vec::new();
    for (bi, br) in branches.iter().enumerate() {
        let temporary = br.kind == OrgKind::TemporaryBranch;
        let n = if bi == 3 { 56 } else if temporary { 12 } else { 25 + rng.below(21) as usize };
        let start = rows.len();
        for _ in 0..n {
            let female = rng.chance(42);
            let birth = random_birth(&mut rng);
            let id = names::id_number(&mut rng, birth, female);
            let mut p = person(&mut rng, id, female, birth, today, store, if temporary { 0 } else { 12 });
            p.valid.details.work_unit.clone_from(&br.unit_name);
            rows.push((p, Placement::from(br)));
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
    let ids: Vec<Joined> = query::fetch(&store.db, &Joined::select().and_where(col("m", "tenant_id").eq(root.id)).order_by(("m", "id"), Order::Asc).to_owned()).await?;
    let txn = store.write().await?;
    let mut ev: Vec<Vec<(&'static str, Value)>> = Vec::new();
    let now = time::now_unix();
    for (k, m) in ids.iter().enumerate() {
        let joined = m.joined_on.unwrap_or(m.birth_date);
        ev.push(event_row(root.id, m.id, EventKind::Joined, joined, Some(m.org_id), "经支部大会讨论通过，接收为预备党员", now));
        if let Some(f) = m.full_on {
            ev.push(event_row(root.id, m.id, EventKind::Full, f, Some(m.org_id), "预备期满，经支部大会讨论通过，按期转为正式党员", now));
        }
        if k % 17 == 0 {
            ev.push(event_row(root.id, m.id, EventKind::Transfer, Date(date(2023, 3, 15)), Some(m.org_id), "因工作调动，组织关系转入本支部", now));
        }
    }
    query::insert_chunked(&txn, "member_events", ev).await?;
    let by_org = |oid: i64| ids.iter().filter(move |r| r.org_id == oid).map(|r| r.id).collect::<Vec<_>>();
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
                insert_post(&txn, root.id, br.id, *mid, post, "a", "2024-03-20", "").await?;
            }
        }
        // AB角: the deputy stands in for the secretary.
        if let Some(mid) = ms.get(1) {
            insert_post(&txn, root.id, br.id, *mid, "secretary", "b", "2024-03-20", "书记外出时由副书记主持工作").await?;
        }
        if br.kind != OrgKind::TemporaryBranch {
            // One branch in four is overdue for its election, so the warning shows.
            let (start, end) = if bi % 4 == 3 { ("2021-06-18", "2024-06-17") } else { ("2024-03-20", "2027-03-19") };
            let term = query::insert("org_terms", vec![("org_id", br.id.into()), ("started_on", start.into()), ("ends_on", end.into()), ("note", "党员大会选举产生".into())]);
            query::execute(&txn, &term).await?;
        }
    }
    // 党小组: each branch's members in turn, all but the last two (just transferred in, not yet
    // placed); each group's 组长 is one of its own members, after the committee.
    let mut branches_with_groups: Vec<i64> = groups.iter().filter_map(|g| g.parent_id).collect();
    branches_with_groups.dedup();
    for branch in branches_with_groups {
        let gs: Vec<&Org> = groups.iter().filter(|g| g.parent_id == Some(branch)).collect();
        let ms = by_org(branch);
        let placed = ms.len().saturating_sub(2);
        for (gi, g) in gs.iter().enumerate() {
            let own: Vec<i64> = (0..placed).filter(|j| j % gs.len() == gi).map(|j| ms[j]).collect();
            let stmt = query::update("members", vec![("group_id", g.id.into())]).and_where(col("members", "id").is_in(own.iter().copied())).to_owned();
            query::execute(&txn, &stmt).await?;
            if let Some(j) = (6..placed).find(|j| j % gs.len() == gi) {
                insert_post(&txn, root.id, g.id, ms[j], "group_leader", "a", "2024-04-01", "").await?;
            }
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
    appraisal::demo(store, &root).await?;
    report::demo(store, &root).await?;
    duty::demo(store, &root, first.id, first_branch_members.first().copied()).await?;
    review::demo(store, settings, &root, first).await?;
    inspection::demo(store, &root, first).await?;
    // 提醒: the bell shows something on first start, whatever the day of the month — what is
    // still to hold by the month's end.
    crate::notice::remind_within(store, today, 31).await?;
    query::execute(&store.db, &query::insert("meta", vec![("key", "demo_loaded".into()), ("value", time::now_unix().to_string().into())])).await?;
    let members = org::stats_of(store, &root).await?.members;
    let orgs = count_orgs(&store.db, root.id).await?;
    Ok(DemoSummary { created: true, orgs, members, branch_name: first.name.clone() })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    pub root_id: i64,
    pub root_code: String,
    pub orgs: usize,
    pub members: usize,
    /// Meeting records and attendance rows written by `--years`.
    pub meetings: usize,
    pub attendance: usize,
    pub seconds: f64,
}

/// Generates a separate tenant with `orgs` organisations (工委 → 机关党委 → 党总支 → 党支部)
/// and `members` members spread over the branches, fast enough for city scale; with `years`,
/// that many years of organisational life as the demo has it.
pub async fn generate(store: &Store, members: usize, orgs: usize, years: u32, seed: u64) -> Result<GenSummary> {
    let started = std::time::Instant::now();
    let today = time::today_cst();
    let mut rng = Rng::new(seed);
    let ctx = Ctx::cli("gen");
    let code = format!("GEN{seed}-{}", time::now_unix() % 100_000);
    let root = create_org(store, &ctx, None, OrgKind::WorkingCommittee, &format!("规模测试工委{seed}"), &code, "规模测试", "").await?;
    // Explicit ids, so paths are known before the rows exist; sequences are moved past them after.
    let max_id = Query::select().expr(Func::coalesce([Expr::col("id").max(), Expr::val(0)])).from("orgs").to_owned();
    let base = query::scalar(&store.db, &max_id).await? + 1;
    let orgs = orgs.max(4);
    let committees = (orgs / 60).max(1);
    let generals = (orgs / 12).max(1);
    let now = time::now_unix();
    let mut planned: Vec<Planned> = Vec::with_capacity(orgs);
    let mut next = base;
    let mk = |id: i64, parent: (i64, &str), kind: OrgKind, name: String| Planned { id, parent_id: parent.0, path: org_rules::child_path(parent.1, id), kind, name };
    for c in 0..committees {
        let agency = names::AGENCIES[c % names::AGENCIES.len()];
        planned.push(mk(next, (root.id, &root.path), OrgKind::AgencyCommittee, format!("{agency}机关党委{}", c + 1)));
        next += 1;
    }
    for g in 0..generals {
        let parent = &planned[g % committees];
        let o = mk(next, (parent.id, &parent.path), OrgKind::GeneralBranch, format!("第{}党总支", g + 1));
        planned.push(o);
        next += 1;
    }
    let n_branches = orgs.saturating_sub(committees + generals + 1).max(1);
    let mut branch_idx = Vec::with_capacity(n_branches);
    for b in 0..n_branches {
        let parent = &planned[committees + b % generals];
        let dept = names::DEPARTMENTS[b % names::DEPARTMENTS.len()];
        let o = mk(next, (parent.id, &parent.path), OrgKind::Branch, format!("{dept}第{}党支部", b + 1));
        branch_idx.push(planned.len());
        planned.push(o);
        next += 1;
    }
    let txn = store.write().await?;
    let org_rows = planned.iter().map(|o| {
        vec![
            ("id", o.id.into()),
            ("tenant_id", root.id.into()),
            ("parent_id", o.parent_id.into()),
            ("path", o.path.clone().into()),
            ("kind", o.kind.into()),
            ("name", o.name.clone().into()),
            ("code", format!("{code}-{}", o.id).into()),
            ("unit_name", String::new().into()),
            ("unit_category", UnitCategory::Agency.into()),
            ("active", true.into()),
            ("sort", 0i64.into()),
            ("note", String::new().into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ]
    });
    query::insert_chunked(&txn, "orgs", org_rows.collect()).await?;
    crate::dialect::reset_sequence(&txn, "orgs").await?;
    org::tree::changed(&txn).await?;
    txn.commit().await?;
    store.tree_committed().await;
    // Members in batches of one transaction each, so memory stays flat at any scale.
    const REGIONS: &[&str] = &["110101", "310104", "440305", "330106", "320102", "420102", "510104", "610113", "370102", "210102"];
    let batch = 20_000;
    let mut done = 0;
    while done < members {
        let n = std::cmp::min(batch, members - done);
        let mut rows: Vec<(Prepared, Placement)> = Vec::with_capacity(n);
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
            rows.push((p, Placement { tenant_id: root.id, org_id: o.id, org_path: &o.path }));
        }
        let txn = store.write().await?;
        insert_many(&txn, &rows).await?;
        txn.commit().await?;
        done += n;
        tracing::info!(done, members, "generated");
    }
    let life = if years > 0 { life::generate(store, root.id, &root.path, years, seed).await? } else { life::Written::default() };
    crate::dialect::analyze(&store.db).await?;
    let txn = store.write().await?;
    let detail = json!({"orgs": planned.len() + 1, "members": members, "years": years, "meetings": life.meetings, "attendance": life.attendance});
    audit::record(&txn, store.crypto.as_ref(), &ctx, "gen", &format!("org:{}", root.id), "ok", detail).await?;
    txn.commit().await?;
    Ok(GenSummary {
        root_id: root.id,
        root_code: code,
        orgs: planned.len() + 1,
        members,
        meetings: life.meetings,
        attendance: life.attendance,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Whether any organisation exists yet (a fresh installation).
pub async fn is_empty<C: ConnectionTrait>(c: &C) -> Result<bool> {
    Ok(query::scalar(c, &query::count_of("orgs", "o", Cond::all())).await? == 0)
}

async fn count_orgs<C: ConnectionTrait>(c: &C, tenant_id: i64) -> Result<i64> {
    Ok(query::scalar(c, &query::count_of("orgs", "o", Cond::all().add(col("o", "tenant_id").eq(tenant_id)))).await?)
}

/// An organisation of generated data, before it is written.
struct Planned {
    id: i64,
    parent_id: i64,
    path: String,
    kind: OrgKind,
    name: String,
}

record! {
    /// A demo member's dates, for the history written after the members.
    struct Joined from "members" as "m" {
        id: i64,
        org_id: i64,
        birth_date: Date,
        joined_on: Option<Date>,
        full_on: Option<Date>,
    }
}

async fn insert_post<C: ConnectionTrait>(c: &C, tenant_id: i64, org_id: i64, member_id: i64, post: &str, ab_role: &str, started_on: &str, note: &str) -> Result<()> {
    let row = query::insert("posts", vec![
        ("tenant_id", tenant_id.into()),
        ("org_id", org_id.into()),
        ("member_id", member_id.into()),
        ("post", post.to_string().into()),
        ("ab_role", ab_role.to_string().into()),
        ("started_on", started_on.to_string().into()),
        ("note", note.to_string().into()),
    ]);
    query::execute(c, &row).await?;
    Ok(())
}
