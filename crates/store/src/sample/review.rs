//! The demo's 述职评议: the demo secretary's branch reviewed its secretary's report on last year,
//! voted by several of its members (each with an account of their own) and the 工委's officer,
//! closed with its tally; and this year's round, open, in which the demo member `dangyuan1` can
//! vote. Every vote goes through the real vote path, so the counters are what votes made them.

use chrono::{Datelike, Days};
use dangjian_domain::duty::review::{Choice, RoundInput};
use dangjian_domain::member::Status;
use dangjian_domain::policy::{Actor, Grant, Role};
use dangjian_domain::time;
use sea_orm::sea_query::{ExprTrait, Order};

use super::DEMO_PASSWORD;
use crate::account::{self, AuthSettings, NewAccount};
use crate::duty::review;
use crate::org::Org;
use crate::query::{self, col, record};
use crate::{Ctx, Result, Store, StoreError};

const LAST_YEAR: &str = "一年来，本人认真履行党建工作第一责任人职责，带头落实“三会一课”、主题党日和谈心谈话制度，按期召开组织生活会，开展民主评议党员。\n支部围绕中心工作开展党员先锋岗创建，党员在窗口服务和急难任务中亮身份、作表率。\n存在的不足：理论学习与业务工作结合不够紧密，党小组活动开展不够均衡。\n下一步：完善支委分工，落实党建工作责任清单，推动党建与业务深度融合。";

const THIS_YEAR: &str = "今年以来，本人坚持把抓党建作为第一职责，制定并落实党建工作责任清单，按季度向机关党委报告党建工作情况。\n支部按期开展“三会一课”，组织党员参加志愿服务，联系服务群众。\n存在的不足：对流动党员的日常联系还不够经常，发展党员工作进度偏慢。\n下一步：加强对党小组的指导，按计划做好发展党员工作，抓好问题整改。";

/// The members who vote in last year's round: each gets a demo account (password as the others).
const VOTERS: usize = 5;

record! {
    struct Roster from "members" as "m" { id: i64 }
}

record! {
    struct Holder from "posts" as "p" { member_id: i64 }
}

fn actor(a: &account::Account, role: Role, o: &Org) -> Ctx {
    Ctx { actor: Actor { account_id: a.id, username: a.username.clone(), member_id: a.member_id, grants: vec![Grant { role, org_id: o.id, org_path: o.path.clone() }], system: false }, ip: "demo".into() }
}

pub(crate) async fn demo(store: &Store, settings: &AuthSettings, root: &Org, branch: &Org) -> Result<()> {
    let ctx = Ctx::cli("demo");
    let today = time::today_cst();
    let (Some(dangyuan1), Some(zuzhi)) = (account::find_by_username(store, "dangyuan1").await?, account::find_by_username(store, "zuzhi").await?) else {
        return Err(StoreError::NotFound);
    };
    // Voters who hold no post of the branch: the reminders of its 书记 and 副书记 stay the demo
    // secretary's alone.
    let holders: Vec<Holder> = query::fetch(&store.db, &Holder::select().and_where(col("p", "org_id").eq(branch.id)).to_owned()).await?;
    let members: Vec<Roster> = query::fetch(
        &store.db,
        &Roster::select()
            .and_where(col("m", "org_id").eq(branch.id))
            .and_where(col("m", "status").is_in(Status::ALL.iter().copied().filter(|s| s.is_member())))
            .order_by(("m", "id"), Order::Asc)
            .to_owned(),
    )
    .await?;
    let mut voters = Vec::new();
    for m in members.iter().filter(|m| Some(m.id) != dangyuan1.member_id && holders.iter().all(|h| h.member_id != m.id)).take(VOTERS) {
        let username = format!("dangyuan{}", voters.len() + 2);
        let a = account::create(store, settings, &ctx, &NewAccount { username, password: DEMO_PASSWORD.into(), member_id: Some(m.id), no_forced_change: true }).await?;
        account::grant(store, &ctx, a.id, Role::Member.code(), branch.id).await?;
        voters.push(actor(&a, Role::Member, branch));
    }
    let closes = time::format_date(today + Days::new(14));
    let last = review::open(store, &ctx, branch.id, &RoundInput { period: (today.year() - 1).to_string(), report: LAST_YEAR.into(), opens_at: String::new(), closes_at: closes.clone() }).await?;
    let choices = [Choice::Satisfied, Choice::Satisfied, Choice::BasicallySatisfied, Choice::Satisfied, Choice::Dissatisfied];
    for (v, c) in voters.iter().zip(choices) {
        review::vote(store, v, last.id, c).await?;
    }
    review::vote(store, &actor(&zuzhi, Role::OrgAdmin, root), last.id, Choice::Satisfied).await?;
    review::close(store, &ctx, last.id).await?;
    let now = review::open(store, &ctx, branch.id, &RoundInput { period: today.year().to_string(), report: THIS_YEAR.into(), opens_at: String::new(), closes_at: closes }).await?;
    for (v, c) in voters.iter().take(2).zip([Choice::Satisfied, Choice::BasicallySatisfied]) {
        review::vote(store, v, now.id, c).await?;
    }
    Ok(())
}
