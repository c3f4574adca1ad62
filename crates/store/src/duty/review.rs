//! 述职评议 — rounds of an organisation's secretary (seed 001's 党组(党委)书记抓基层党建述职评议
//! 考核): the secretary or the organisation above opens a round with the 述职报告; the members
//! of the organisation and the officers above it vote once each; after the close, the tally.
//!
//! A vote is two statements in one transaction, and neither holds the choice and the voter
//! together: the account is added to `review_voters` (round, account — its primary key refuses a
//! second vote), and the choice's counter of `review_rounds` goes up by one. The voters table has
//! no time, no id and no choice; the counters have no voter; the audit row says that the account
//! voted in the round, never how. Votes leave no other trace: the round's row keeps no time of
//! the last change. The tally is shown only once the round has closed, so that nobody can watch
//! the counters move as a colleague votes; a closed round never opens again.

use std::collections::HashSet;

use dangjian_domain::duty::responsibility::Responsibility;
use dangjian_domain::duty::review::{self as rules, percent_text, Choice, RoundInput, RoundStatus, Tally, VoterBasis};
use dangjian_domain::member::Status;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, Order, Query};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::query::{self, col, in_scopes, in_subtree, record};
use crate::{audit, org, Ctx, Result, Store, StoreError};

record! {
    /// 述职评议 — one round, as stored. The counters are private: they are shown as a [`Tally`]
    /// once voting has closed.
    #[derive(Debug, Clone)]
    pub struct RoundRow from "review_rounds" as "r" {
        pub id: i64,
        pub tenant_id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub period: Period,
        pub secretary_member_id: i64,
        pub secretary_name: String,
        pub secretary_basis: String,
        pub report: String,
        pub opens_at: i64,
        pub closes_at: i64,
        satisfied: i64,
        basically_satisfied: i64,
        dissatisfied: i64,
        pub created_at: i64,
    }
}

impl RoundRow {
    fn counters(&self) -> Tally {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Tally { satisfied: n(self.satisfied), basically_satisfied: n(self.basically_satisfied), dissatisfied: n(self.dissatisfied) }
    }
}

/// 述职评议 as the caller sees it: the tally and the rates only after the close.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// 述职期间, e.g. `2026`.
    pub period: Period,
    /// 述职人: the organisation's 第一责任人 (its 书记) when the round was opened.
    pub secretary_member_id: i64,
    pub secretary_name: String,
    /// How they are the 第一责任人: 书记（A角）, or the B holder acting.
    pub secretary_basis: String,
    /// 述职报告.
    pub report: String,
    pub opens_at: i64,
    pub closes_at: i64,
    /// `upcoming` 未开始, `open` 投票中, `closed` 已结束.
    pub status: RoundStatus,
    /// Ballots cast so far (who voted what is never kept).
    pub votes: u64,
    /// 计票结果: once closed; absent while voting runs.
    pub tally: Option<Tally>,
    /// 满意度 ((满意 + 基本满意) ÷ votes) in tenths of a percent, once closed and voted.
    pub satisfaction_permille: Option<u64>,
    /// 满意率 (满意 ÷ votes) in tenths of a percent, once closed and voted.
    pub satisfied_permille: Option<u64>,
    /// The caller has voted in this round (what they chose is kept nowhere).
    pub voted: bool,
    /// The caller may vote now.
    pub may_vote: bool,
    /// Why not, when voting is open and the caller may not (述职人, not a member …).
    pub vote_refusal: Option<String>,
    /// The caller may close voting early (who may open a round of the organisation).
    pub may_close: bool,
}

impl Round {
    pub fn is(&self, code: &str) -> bool {
        self.status.code() == code
    }
    pub fn opens_text(&self) -> String {
        minute(self.opens_at)
    }
    pub fn closes_text(&self) -> String {
        minute(self.closes_at)
    }
    pub fn satisfaction_text(&self) -> String {
        self.satisfaction_permille.map(percent_text).unwrap_or_else(|| "—".into())
    }
    pub fn satisfied_text(&self) -> String {
        self.satisfied_permille.map(percent_text).unwrap_or_else(|| "—".into())
    }
}

fn minute(t: i64) -> String {
    time::format_unix_cst(t).get(..16).unwrap_or_default().to_string()
}

fn object(id: i64) -> String {
    format!("review_round:{id}")
}

async fn row<C: ConnectionTrait>(c: &C, id: i64) -> Result<RoundRow> {
    query::fetch_one(c, &RoundRow::select().and_where(col("r", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

/// Whoever reads the organisation's party work, or votes in its rounds, sees a round.
async fn readable(store: &Store, ctx: &Ctx, r: &RoundRow) -> Result<()> {
    if ctx.actor.decide(Action::DutyVote, Target::org(&r.org_path)) == Decision::Allow {
        return Ok(());
    }
    store.authorize(ctx, Action::DutyRead, Target::org(&r.org_path), &object(r.id)).await
}

record! {
    struct Voter from "members" as "m" { status: Status, org_path: String }
}

/// The caller's own membership: the path of their organisation while they are a party member.
async fn member_path(store: &Store, ctx: &Ctx) -> Result<Option<String>> {
    let Some(mid) = ctx.actor.member_id else { return Ok(None) };
    let m: Option<Voter> = query::fetch_one(&store.db, &Voter::select().and_where(col("m", "id").eq(mid)).to_owned()).await?;
    Ok(m.filter(|m| m.status.is_member()).map(|m| m.org_path))
}

/// Why the caller may vote in `r`, or why not (seed 001: the members and the superior; never
/// the secretary on themself).
fn basis(ctx: &Ctx, r: &RoundRow, member_path: Option<&str>) -> std::result::Result<VoterBasis, dangjian_domain::Invalid> {
    let member_of_org = member_path.is_some_and(|p| p.starts_with(r.org_path.as_str()));
    let superior = ctx.actor.scopes(Action::DutyRead).iter().any(|s| r.org_path.starts_with(s) && *s != r.org_path);
    rules::voter_basis(r.secretary_member_id, ctx.actor.member_id, member_of_org, superior)
}

async fn has_voted<C: ConnectionTrait>(c: &C, round_id: i64, account_id: i64) -> Result<bool> {
    Ok(!voted_in(c, &[round_id], account_id).await?.is_empty())
}

/// Of `rounds`, those the account has voted in: one statement by the voters' account index.
async fn voted_in<C: ConnectionTrait>(c: &C, rounds: &[i64], account_id: i64) -> Result<HashSet<i64>> {
    record! {
        struct VoterRow from "review_voters" as "v" { round_id: i64 }
    }
    if rounds.is_empty() || account_id == 0 {
        return Ok(HashSet::new());
    }
    let stmt = VoterRow::select().and_where(col("v", "account_id").eq(account_id)).and_where(col("v", "round_id").is_in(rounds.iter().copied())).to_owned();
    Ok(query::fetch::<VoterRow, _>(c, &stmt).await?.into_iter().map(|v| v.round_id).collect())
}

/// The rounds as the caller sees them: what they may do in each, their own vote as a yes or no.
async fn views(store: &Store, ctx: &Ctx, rows: Vec<RoundRow>) -> Result<Vec<Round>> {
    let now = time::now_unix();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let voted = if ctx.actor.system { HashSet::new() } else { voted_in(&store.db, &ids, ctx.actor.account_id).await? };
    let member_path = member_path(store, ctx).await?;
    let tree = store.tree().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status = rules::status(r.opens_at, r.closes_at, now);
        let voted = voted.contains(&r.id);
        let asks = !ctx.actor.system && !voted && status == RoundStatus::Open && ctx.actor.decide(Action::DutyVote, Target::org(&r.org_path)) == Decision::Allow;
        let eligible = basis(ctx, &r, member_path.as_deref());
        let may_close = status == RoundStatus::Open && ctx.actor.decide(Action::DutyWrite, Target::org(&r.org_path)) == Decision::Allow;
        let org_name = tree.get(r.org_id).map(|n| n.name.clone()).unwrap_or_default();
        let counters = r.counters();
        let tally = (status == RoundStatus::Closed).then_some(counters);
        out.push(Round {
            id: r.id,
            org_id: r.org_id,
            org_name,
            period: r.period,
            secretary_member_id: r.secretary_member_id,
            secretary_name: r.secretary_name,
            secretary_basis: r.secretary_basis,
            report: r.report,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            status,
            votes: counters.votes(),
            satisfaction_permille: tally.and_then(|t| t.satisfaction_permille()),
            satisfied_permille: tally.and_then(|t| t.satisfied_permille()),
            tally,
            voted,
            may_vote: asks && eligible.is_ok(),
            vote_refusal: eligible.err().filter(|_| asks).map(|e| e.message),
            may_close,
        });
    }
    Ok(out)
}

async fn view(store: &Store, ctx: &Ctx, r: RoundRow) -> Result<Round> {
    Ok(views(store, ctx, vec![r]).await?.remove(0))
}

/// The round, for whoever reads the organisation's party work or votes in it.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Round> {
    let r = row(&store.db, id).await?;
    readable(store, ctx, &r).await?;
    view(store, ctx, r).await
}

/// 开展述职评议: the organisation's secretary, or the organisation above, opens a round with the
/// 述职报告. The 述职人 is the organisation's 第一责任人 from its posts, never typed.
pub async fn open(store: &Store, ctx: &Ctx, org_id: i64, input: &RoundInput) -> Result<Round> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let now = time::now_unix();
    let v = input.validate(now).map_err(StoreError::Invalid)?;
    let responsible = super::responsibility::responsible_of(&store.db, o.id).await?;
    let Some(first) = responsible.into_iter().find(|r| r.responsibility == Responsibility::First) else {
        return Err(StoreError::invalid("org_id", "no_secretary", format!("“{}”未配备书记（第一责任人），无法开展述职评议；请先在组织的职务中登记书记", o.name)));
    };
    let txn = store.write().await?;
    let insert = query::insert("review_rounds", vec![
        ("tenant_id", o.tenant_id.unwrap_or(o.id).into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("period", v.period.to_string().into()),
        ("secretary_member_id", first.member_id.into()),
        ("secretary_name", first.name.clone().into()),
        ("secretary_basis", first.basis().into()),
        ("report", v.report.clone().into()),
        ("opens_at", v.opens_at.into()),
        ("closes_at", v.closes_at.into()),
        ("satisfied", 0i64.into()),
        ("basically_satisfied", 0i64.into()),
        ("dissatisfied", 0i64.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
    ]);
    let id = query::insert_id(&txn, insert).await.map_err(|e| StoreError::from_db(e, &format!("“{}”{}的述职评议已经开展，不能重复开展", o.name, v.period)))?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "review.open", &object(id), "ok", json!({
        "org_id": o.id, "period": v.period, "secretary_member_id": first.member_id, "opens_at": v.opens_at, "closes_at": v.closes_at,
    })).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// 投票: one anonymous vote. The account joins the round's voters (the key refuses a second
/// vote) and the choice's counter goes up, in one transaction; nothing records which.
pub async fn vote(store: &Store, ctx: &Ctx, id: i64, choice: Choice) -> Result<Round> {
    let r = row(&store.db, id).await?;
    store.authorize(ctx, Action::DutyVote, Target::org(&r.org_path), &object(id)).await?;
    if ctx.actor.system {
        return Err(StoreError::invalid("round", "not_eligible", "命令行操作员不是评议人，不能投票"));
    }
    let member_path = member_path(store, ctx).await?;
    basis(ctx, &r, member_path.as_deref()).map_err(|e| StoreError::Invalid(vec![e]))?;
    let already = || StoreError::conflict("already_voted", "您已在本轮述职评议中投过票：每人只能投一票，投出后不能更改");
    let txn = store.write().await?;
    let now = time::now_unix();
    match rules::status(r.opens_at, r.closes_at, now) {
        RoundStatus::Upcoming => return Err(StoreError::invalid("round", "not_open", format!("本轮述职评议尚未开始，投票从 {} 开始", minute(r.opens_at)))),
        RoundStatus::Closed => return Err(StoreError::invalid("round", "closed", "本轮述职评议已结束，不能再投票")),
        RoundStatus::Open => {}
    }
    if has_voted(&txn, id, ctx.actor.account_id).await? {
        return Err(already());
    }
    let voter = query::insert("review_voters", vec![("tenant_id", r.tenant_id.into()), ("round_id", id.into()), ("account_id", ctx.actor.account_id.into())]);
    query::execute(&txn, &voter).await.map_err(|e| match StoreError::from_db(e, "") {
        StoreError::Conflict { .. } => already(),
        other => other,
    })?;
    let column = Alias::new(choice.column());
    // Counted only while the round is open: a close that came first leaves nothing to count.
    let count = query::update("review_rounds", vec![])
        .value(column.clone(), Expr::col(column).add(1i64))
        .and_where(col("review_rounds", "id").eq(id))
        .and_where(col("review_rounds", "closes_at").gt(now))
        .to_owned();
    if query::execute(&txn, &count).await? != 1 {
        return Err(StoreError::invalid("round", "closed", "本轮述职评议已结束，不能再投票"));
    }
    audit::record(&txn, store.crypto.as_ref(), ctx, "review.vote", &object(id), "ok", json!({"round_id": id})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// 结束投票: whoever may open the organisation's round ends voting now (everyone has voted);
/// the tally is shown from then on and the round never opens again.
pub async fn close(store: &Store, ctx: &Ctx, id: i64) -> Result<Round> {
    let r = row(&store.db, id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&r.org_path), &object(id)).await?;
    let now = time::now_unix();
    if rules::status(r.opens_at, r.closes_at, now) != RoundStatus::Open {
        return Err(StoreError::invalid("round", "not_open", "只能结束正在投票的述职评议"));
    }
    let txn = store.write().await?;
    let upd = query::update("review_rounds", vec![("closes_at", now.into())]).and_where(col("review_rounds", "id").eq(id)).and_where(col("review_rounds", "closes_at").gt(now)).to_owned();
    query::execute(&txn, &upd).await?;
    let after = row(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "review.close", &object(id), "ok", json!({"closes_at": now, "votes": after.counters().votes()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

/// The rounds the caller may see — of the organisations whose party work they read, and those
/// they vote in — or those of one organisation's subtree; the latest close first.
pub async fn list(store: &Store, ctx: &Ctx, org_id: Option<i64>) -> Result<Vec<Round>> {
    let mut scopes = org::scope_paths(store, ctx, Action::DutyRead).await?;
    scopes.extend(ctx.actor.scopes(Action::DutyVote).into_iter().map(String::from));
    if scopes.is_empty() {
        return Err(StoreError::Forbidden);
    }
    let mut cond = Cond::all().add(in_scopes(col("r", "org_path"), &scopes));
    if let Some(id) = org_id {
        let o = org::node(store, id).await?;
        let sees = [Action::DutyRead, Action::DutyVote].iter().any(|a| ctx.actor.decide(*a, Target::org(&o.path)) == Decision::Allow);
        if !sees {
            store.authorize(ctx, Action::DutyRead, Target::org(&o.path), &format!("org:{id}")).await?;
        }
        cond = cond.add(in_subtree(col("r", "org_path"), &o.path));
    }
    let stmt = RoundRow::select().cond_where(cond).order_by((Alias::new("r"), Alias::new("closes_at")), Order::Desc).limit(crate::MAX_PER_PAGE).to_owned();
    views(store, ctx, query::fetch(&store.db, &stmt).await?).await
}

/// The rounds open now in which the caller may still vote (their home page), the nearest close
/// first.
pub async fn ballots(store: &Store, ctx: &Ctx) -> Result<Vec<Round>> {
    let scopes = ctx.actor.scopes(Action::DutyVote);
    if scopes.is_empty() || ctx.actor.system {
        return Ok(Vec::new());
    }
    let now = time::now_unix();
    let stmt = RoundRow::select()
        .cond_where(in_scopes(col("r", "org_path"), &scopes))
        .and_where(col("r", "closes_at").gt(now))
        .and_where(col("r", "opens_at").lte(now))
        .order_by((Alias::new("r"), Alias::new("closes_at")), Order::Asc)
        .limit(50)
        .to_owned();
    let rounds = views(store, ctx, query::fetch(&store.db, &stmt).await?).await?;
    Ok(rounds.into_iter().filter(|r| r.may_vote).take(10).collect())
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct TallyRow {
    org_id: i64,
    rounds: i64,
    satisfied: Option<i64>,
    basically_satisfied: Option<i64>,
    dissatisfied: Option<i64>,
}

/// The closed rounds of each organisation of `root_path`'s subtree whose period lies within
/// `period`, and their tallies summed: one grouped statement over the period index.
pub(crate) async fn closed_tallies(store: &Store, root_path: &str, period: Period) -> Result<std::collections::HashMap<i64, (u64, Tally)>> {
    let within: Vec<String> = [PeriodKind::Year, PeriodKind::Half, PeriodKind::Quarter]
        .into_iter()
        .flat_map(|k| period.overlapping(k))
        .filter(|p| p.first_day() >= period.first_day() && p.last_day() <= period.last_day())
        .map(|p| p.to_string())
        .collect();
    let sum = |c: &'static str| col("r", c).sum().cast_as(Alias::new("BIGINT"));
    let stmt = Query::select()
        .column((Alias::new("r"), Alias::new("org_id")))
        .expr_as(Expr::col(Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("rounds"))
        .expr_as(sum("satisfied"), Alias::new("satisfied"))
        .expr_as(sum("basically_satisfied"), Alias::new("basically_satisfied"))
        .expr_as(sum("dissatisfied"), Alias::new("dissatisfied"))
        .from_as(Alias::new("review_rounds"), Alias::new("r"))
        .and_where(col("r", "period").is_in(within))
        .cond_where(in_subtree(col("r", "org_path"), root_path))
        .and_where(col("r", "closes_at").lte(time::now_unix()))
        .group_by_col((Alias::new("r"), Alias::new("org_id")))
        .to_owned();
    let n = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
    Ok(query::fetch::<TallyRow, _>(&store.db, &stmt)
        .await?
        .into_iter()
        .map(|t| (t.org_id, (n(Some(t.rounds)), Tally { satisfied: n(t.satisfied), basically_satisfied: n(t.basically_satisfied), dissatisfied: n(t.dissatisfied) })))
        .collect())
}
