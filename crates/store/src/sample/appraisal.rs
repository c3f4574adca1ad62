//! The demo's 民主评议党员: last year's round of every branch published, linked to the branch's
//! December 民主评议党员 record (mostly 合格 and 优秀; in the demo secretary's branch one 基本合格
//! with a 限期改正 decision), and this year's round of that branch at 个人自评, most members'
//! self-assessments in, so the pages show something on first start. Written in bulk.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use dangjian_domain::life::appraisal::{FollowUpKind, Grade, Stage, Votes};
use dangjian_domain::life::meeting::cst_day_start;
use dangjian_domain::life::MeetingKind;
use dangjian_domain::member::{EventKind, Status};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, ExprTrait, Order};
use sea_orm::Value;
use serde_json::json;

use super::names::Rng;
use crate::life::appraisal::member_row;
use crate::life::RosterMember;
use crate::member::event_row;
use crate::org::{Node, Org};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store};

record! {
    struct Held from "meeting_kinds" as "k" { meeting_id: i64, org_id: i64 }
}

const SELF: [&str; 4] = [
    "一年来，坚持学习党的创新理论，按时参加组织生活，按时足额交纳党费；立足岗位履职尽责，完成了年度工作任务。不足是理论学习的系统性还不够，今后加强。",
    "认真落实“三会一课”制度，积极参加主题党日活动；工作中注重调查研究，服务群众意识有所增强。存在的问题是创新意识不强，改进措施是多向先进同志学习。",
    "能够严守政治纪律和政治规矩，廉洁自律；在急难险重任务面前主动担当。对照党员标准，联系群众还不够经常，今后多深入基层。",
    "按时参加支部学习，带头完成业务工作；本年度参加志愿服务三次。不足是批评与自我批评开展得不够，今后敢于讲真话。",
];

/// The tallies of a member who is generally thought well of: most ballots 合格, some 优秀.
fn votes(ballots: u32, rng: &mut Rng, excellent: bool) -> Votes {
    let spare = u64::from(Ord::max(ballots / 10, 1));
    let e = if excellent { ballots / 2 + 1 + rng.below(spare) as u32 } else { rng.below(spare + 1) as u32 };
    let e = Ord::min(e, ballots);
    Votes { excellent: e, qualified: ballots - e, basically_qualified: 0, unqualified: 0 }
}

/// A round of `o` for `year` at `stage`, created by the demo (the operator) at `at`; the
/// 民主测评 columns are set by the caller when it has one.
fn round_row(tenant: i64, o: &Node, year: i32, stage: Stage, at: i64) -> Vec<(&'static str, Value)> {
    vec![
        ("tenant_id", tenant.into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("year", i64::from(year).into()),
        ("stage", stage.into()),
        ("meeting_id", Option::<i64>::None.into()),
        ("ballots", 0i64.into()),
        ("published_on", Option::<Date>::None.into()),
        ("created_by", 0i64.into()),
        ("created_at", at.into()),
        ("updated_at", at.into()),
    ]
}

fn set(row: &mut [(&'static str, Value)], column: &str, v: Value) {
    if let Some(p) = row.iter_mut().find(|p| p.0 == column) {
        p.1 = v;
    }
}

pub(crate) async fn demo(store: &Store, root: &Org) -> Result<()> {
    let today = time::today_cst();
    let year = today.year() - 1;
    let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1).expect("date"), NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("date"));
    let tenant = root.tenant_id.unwrap_or(root.id);
    let tree = store.tree().await?;
    let branches: Vec<Node> = tree.subtree(&root.path).iter().filter(|n| n.active && n.kind.is_branch()).cloned().collect();
    let ids: Vec<i64> = branches.iter().map(|b| b.id).collect();
    let held: Vec<Held> = query::fetch(
        &store.db,
        &Held::select()
            .and_where(col("k", "kind").eq(MeetingKind::MemberAppraisal))
            .and_where(col("k", "org_id").is_in(ids.clone()))
            .and_where(col("k", "starts_at").gte(cst_day_start(from)))
            .and_where(col("k", "starts_at").lt(cst_day_start(to)))
            .to_owned(),
    )
    .await?;
    let meeting_of: HashMap<i64, i64> = held.iter().map(|h| (h.org_id, h.meeting_id)).collect();
    let statuses: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_member()).collect();
    let roster: Vec<RosterMember> = query::fetch(
        &store.db,
        &RosterMember::select()
            .and_where(col("m", "org_id").is_in(ids))
            .and_where(col("m", "status").is_in(statuses))
            .order_by((Alias::new("m"), Alias::new("id")), Order::Asc)
            .to_owned(),
    )
    .await?;
    let mut by_org: HashMap<i64, Vec<&RosterMember>> = HashMap::new();
    for m in &roster {
        by_org.entry(m.org_id).or_default().push(m);
    }
    let published = NaiveDate::from_ymd_opt(year, 12, 28).expect("date");
    let decided = NaiveDate::from_ymd_opt(year, 12, 30).expect("date");
    let deadline = NaiveDate::from_ymd_opt(today.year(), 6, 30).expect("date");
    let now = time::now_unix();
    let mut rng = Rng::new(18);
    let txn = store.write().await?;
    let mut rows = Vec::new();
    let mut events = Vec::new();
    let mut rounds = 0;
    for b in &branches {
        let (Some(&meeting), Some(people)) = (meeting_of.get(&b.id), by_org.get(&b.id)) else { continue };
        let n = people.len() as u32;
        let ballots = n - Ord::min(rng.below(u64::from(n / 8) + 1) as u32, n - 1);
        let mut round = round_row(tenant, b, year, Stage::Published, now);
        set(&mut round, "meeting_id", meeting.into());
        set(&mut round, "ballots", i64::from(ballots).into());
        set(&mut round, "published_on", Date(published).into());
        let id = query::insert_id(&txn, query::insert("appraisals", round)).await?;
        rounds += 1;
        let first = b.code == "SZJGGW-A01-B1";
        for (i, m) in people.iter().enumerate() {
            let short = first && i == 5;
            let v = if short { Votes { excellent: 0, qualified: ballots / 3, basically_qualified: ballots - ballots / 3, unqualified: 0 } } else {
                let excellent = rng.chance(15);
                votes(ballots, &mut rng, excellent)
            };
            let grade = v.proposal().unwrap_or(Grade::Qualified);
            let mut row = member_row(tenant, id, m.id, m.status);
            set(&mut row, "self_assessment", SELF[i % SELF.len()].into());
            set(&mut row, "peer_review", "同志们认为该同志工作认真负责，团结同志；希望进一步加强理论学习。".into());
            for (c, n) in [("excellent", v.excellent), ("qualified", v.qualified), ("basically_qualified", v.basically_qualified), ("unqualified", v.unqualified)] {
                set(&mut row, c, i64::from(n).into());
            }
            set(&mut row, "grade", grade.into());
            events.push(event_row(tenant, m.id, EventKind::Appraisal, Date(published), Some(b.id), &format!("{year}年度民主评议党员（{}）：评定为{}", b.name, grade.label()), now));
            if short {
                let decision = "经支部委员会研究，对该同志进行批评教育，限期改正；由支部书记定期谈心谈话，帮助其按时参加组织生活。";
                set(&mut row, "follow_up", FollowUpKind::Correct.into());
                set(&mut row, "decided_on", Date(decided).into());
                set(&mut row, "deadline", Date(deadline).into());
                set(&mut row, "decision", decision.into());
                events.push(event_row(tenant, m.id, EventKind::Appraisal, Date(decided), Some(b.id), &format!("{year}年度民主评议党员后续处理：限期改正，期限至{}。{decision}", time::format_date(deadline)), now));
            }
            rows.push(row);
        }
        // This year's round of the demo secretary's branch, at 个人自评: all but a few are in.
        if first {
            let id = query::insert_id(&txn, query::insert("appraisals", round_row(tenant, b, today.year(), Stage::SelfAssessment, now))).await?;
            rounds += 1;
            for (i, m) in people.iter().enumerate() {
                let mut row = member_row(tenant, id, m.id, m.status);
                // The demo 党员 (the tenth) has not written theirs yet: their page shows the form.
                if i % 4 != 1 && i != 9 {
                    set(&mut row, "self_assessment", SELF[(i + 1) % SELF.len()].into());
                }
                rows.push(row);
            }
        }
    }
    query::insert_chunked(&txn, "appraisal_members", rows).await?;
    query::insert_chunked(&txn, "member_events", events).await?;
    audit::record(&txn, store.crypto.as_ref(), &Ctx::cli("demo"), "demo.appraisal", &format!("org:{}", root.id), "ok", json!({"rounds": rounds})).await?;
    txn.commit().await?;
    Ok(())
}
