//! 函询（告） — seed 004's 党建工作函询（告）制度: an inspection of an organisation issued as a
//! letter numbered per issuing organisation and year to the 党组（党委） of its unit's superior
//! department, and the rectification items it asks for, tracked one by one to their close.
//!
//! Who does what: the inspecting side (DutyAssess on the issuing organisation, an ancestor of the
//! inspected one) issues the letter, confirms a close or sends an item back; the inspected
//! organisation (DutyWrite on it: its secretary) records progress and closes an item with its
//! evidence. Whoever may read the inspected organisation's duty records reads the letter.

use std::collections::HashMap;

use chrono::NaiveDate;
use dangjian_domain::duty::inspection::{self as rules, InspectionInput, ItemState, StepKind};
use dangjian_domain::member::Status;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::json;

use crate::org::{self, Node};

mod item;
mod rule;

pub use item::{close, confirm, overdue, progress, reopen};
pub use rule::{RectificationCount, RectificationLine};
pub(crate) use rule::rectification_counts;
use crate::query::{self, col, in_scopes, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    /// 检查 — an inspection and its letter (发文字号 `prefix〔year〕seq号`).
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct InspectionRow from "inspections" as "i" {
        pub id: i64,
        /// The organisation that inspected and issues the letter.
        pub issuer_org_id: i64,
        #[serde(skip)]
        pub issuer_org_path: String,
        /// The organisation inspected.
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        /// 检查人员, separated by 、.
        pub inspectors: String,
        pub inspected_on: Date,
        /// 检查内容.
        pub subject: String,
        /// 发现的问题.
        pub findings: String,
        /// 检查结论.
        pub result: String,
        /// 主送: the 党组（党委） of the inspected unit's superior department.
        pub addressee: String,
        pub prefix: String,
        pub year: i64,
        /// The letter's number in its issuer's year: 1, 2, … without gaps.
        pub seq: i64,
        pub issued_on: Date,
        pub created_at: i64,
    }
}

record! {
    /// 整改事项 — one item a letter asks the inspected organisation to rectify.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct ItemRow from "rectification_items" as "r" {
        pub id: i64,
        pub inspection_id: i64,
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        /// Its number in the letter (一、二、…).
        pub seq: i64,
        /// What must be done.
        pub task: String,
        pub owner_member_id: Option<i64>,
        /// 责任人 as typed (when no member is named).
        pub owner: String,
        pub owner_name: Option<String> = m.name,
        pub deadline: Date,
        pub state: ItemState,
        /// The day it was done (closed or confirmed).
        pub closed_on: Option<Date>,
        /// 整改情况及佐证材料 given at its close.
        pub evidence: String,
        /// 佐证链接 given at its close.
        pub link: String,
        pub updated_at: i64,
    }
}

record! {
    /// 整改记录 — one step of an item's history.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct StepRow from "rectification_steps" as "s" {
        pub id: i64,
        pub item_id: i64,
        pub step: StepKind,
        pub from_state: ItemState,
        pub to_state: ItemState,
        pub note: String,
        pub link: String,
        pub closed_on: Option<Date>,
        /// The account (0: the operator at the command line).
        pub by_account: i64,
        pub by_name: Option<String> = a.username,
        pub at: i64,
    }
}

impl StepRow {
    pub fn at_text(&self) -> String {
        time::format_unix_cst(self.at).get(..16).unwrap_or_default().to_string()
    }
    pub fn by_text(&self) -> String {
        self.by_name.clone().unwrap_or_else(|| "系统".into())
    }
}

/// A rectification item with what is computed from the day it is read, and its history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Item {
    #[serde(flatten)]
    pub row: ItemRow,
    /// Open past its deadline day.
    pub overdue: bool,
    /// The letter's number, for lists outside the letter.
    pub number: String,
    pub org_name: String,
    pub history: Vec<StepRow>,
}

impl Item {
    /// 责任人 as printed: the member's name, or the text typed.
    pub fn owner_text(&self) -> String {
        self.row.owner_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| self.row.owner.clone())
    }
    /// 整改中 / 已逾期 / 已销号 / 已确认.
    pub fn state_text(&self) -> &'static str {
        if self.overdue { "已逾期" } else { self.row.state.label() }
    }
    pub fn is_open(&self) -> bool {
        self.row.state == ItemState::Open
    }
    pub fn is_closed(&self) -> bool {
        self.row.state == ItemState::Closed
    }
    pub fn is_done(&self) -> bool {
        self.row.state != ItemState::Open
    }
}

/// 函 — an inspection with its letter and items, and what the caller may do with it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Letter {
    #[serde(flatten)]
    pub row: InspectionRow,
    /// 发文字号, e.g. 市直机关工委函〔2026〕3号.
    pub number: String,
    pub issuer_name: String,
    pub org_name: String,
    /// The inspected organisation's unit (所在单位).
    pub unit_name: String,
    pub items: Vec<Item>,
    /// May record progress and close items (the inspected organisation).
    pub can_rectify: bool,
    /// May confirm a close or send an item back (the inspecting side).
    pub can_review: bool,
}

impl Letter {
    pub fn inspector_list(&self) -> Vec<&str> {
        self.row.inspectors.split('、').collect()
    }
    /// 二〇二六年十二月二日, as a letter is dated.
    pub fn issued_text(&self) -> String {
        chinese_date(self.row.issued_on.0)
    }
    pub fn open_count(&self) -> usize {
        self.items.iter().filter(|i| i.is_open()).count()
    }
}

/// 二〇二六年十二月二日.
pub fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let year: String = d.year().to_string().chars().map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize]).collect();
    let small = |n: u32| match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", DIGITS[(n - 10) as usize]),
        _ if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
        _ => format!("{}十{}", DIGITS[(n / 10) as usize], DIGITS[(n % 10) as usize]),
    };
    format!("{year}年{}月{}日", small(d.month()), small(d.day()))
}

/// An inspection in a list, with its items' tally.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Listed {
    #[serde(flatten)]
    pub row: InspectionRow,
    pub number: String,
    pub issuer_name: String,
    pub org_name: String,
    pub items: i64,
    /// 整改中 (overdue ones included).
    pub open: i64,
    /// Open past their deadline.
    pub overdue: i64,
}

/// What the new-letter form is prefilled with for an inspected organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Prefill {
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub unit_name: String,
    /// The 党组（党委） a previous letter to this unit was addressed to; empty when none was.
    pub addressee: String,
    /// The issuer's 发文字号代字: as its last letter had it, else its unit's name and 函.
    pub prefix: String,
    /// The number the next letter of this year would take (the store assigns it on issue).
    pub next_seq: i64,
}

fn object(id: i64) -> String {
    format!("inspection:{id}")
}

fn item_object(id: i64) -> String {
    format!("rectification_item:{id}")
}

fn allowed(ctx: &Ctx, action: Action, path: &str) -> bool {
    ctx.actor.decide(action, Target::org(path)) == Decision::Allow
}

/// The inspecting side: DutyAssess (or DutyWrite) on the issuing organisation.
fn reviews(ctx: &Ctx, issuer_path: &str) -> bool {
    allowed(ctx, Action::DutyAssess, issuer_path) || allowed(ctx, Action::DutyWrite, issuer_path)
}

async fn inspection_row<C: ConnectionTrait>(c: &C, id: i64) -> Result<InspectionRow> {
    query::fetch_one(c, &InspectionRow::select().and_where(col("i", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

fn item_select() -> sea_orm::sea_query::SelectStatement {
    ItemRow::select()
        .join_as(JoinType::LeftJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("r"), Alias::new("owner_member_id"))))
        .to_owned()
}

/// Checks the issuer and the inspected organisation: the issuer inspects an organisation of its
/// own subtree below it.
async fn parties(store: &Store, ctx: &Ctx, issuer_org_id: i64, org_id: i64) -> Result<(Node, org::Org)> {
    let issuer = org::node(store, issuer_org_id).await?;
    store.authorize(ctx, Action::DutyAssess, Target::org(&issuer.path), &format!("org:{issuer_org_id}")).await?;
    let inspected = org::load(&store.db, org_id).await?;
    if !inspected.path.starts_with(&issuer.path) || inspected.id == issuer.id {
        return Err(StoreError::invalid("org_id", "not_below", format!("被检查组织应为“{}”的下级组织", issuer.name)));
    }
    if !inspected.active {
        return Err(StoreError::invalid("org_id", "inactive", format!("“{}”已撤销，不能再对其发函", inspected.name)));
    }
    Ok((issuer, inspected))
}

record! {
    struct LastPrefix from "inspections" as "i" { prefix: String }
}

record! {
    struct Superior from "unit_superiors" as "u" { addressee: String }
}

record! {
    struct Counter from "letter_numbers" as "n" { last: i64 }
}

/// 新建函询 prefilled: the addressee a previous letter to the unit named, the issuer's 代字.
pub async fn prefill(store: &Store, ctx: &Ctx, issuer_org_id: i64, org_id: i64) -> Result<Prefill> {
    let (issuer, inspected) = parties(store, ctx, issuer_org_id, org_id).await?;
    let issuer_org = org::load(&store.db, issuer.id).await?;
    let tenant = inspected.tenant_id.unwrap_or(inspected.id);
    let addressee = if inspected.unit_name.is_empty() {
        String::new()
    } else {
        let stmt = Superior::select().and_where(col("u", "tenant_id").eq(tenant)).and_where(col("u", "unit_name").eq(inspected.unit_name.clone())).to_owned();
        query::fetch_one::<Superior, _>(&store.db, &stmt).await?.map(|s| s.addressee).unwrap_or_default()
    };
    let last = LastPrefix::select()
        .and_where(col("i", "issuer_org_id").eq(issuer.id))
        .order_by((Alias::new("i"), Alias::new("year")), Order::Desc)
        .order_by((Alias::new("i"), Alias::new("seq")), Order::Desc)
        .limit(1)
        .to_owned();
    let unit = if issuer_org.unit_name.is_empty() { issuer.name.clone() } else { issuer_org.unit_name.clone() };
    let prefix = query::fetch_one::<LastPrefix, _>(&store.db, &last).await?.map(|p| p.prefix).unwrap_or_else(|| format!("{}函", unit.chars().take(rules::PREFIX_MAX - 1).collect::<String>()));
    use chrono::Datelike;
    let year = i64::from(time::today_cst().year());
    let counter = Counter::select().and_where(col("n", "issuer_org_id").eq(issuer.id)).and_where(col("n", "year").eq(year)).to_owned();
    let next_seq = query::fetch_one::<Counter, _>(&store.db, &counter).await?.map_or(1, |c| c.last + 1);
    Ok(Prefill { issuer_org_id: issuer.id, issuer_name: issuer.name, org_id: inspected.id, org_name: inspected.node.name.clone(), unit_name: inspected.unit_name.clone(), addressee, prefix, next_seq })
}

/// Each named owner is a member on the inspected organisation's roster.
async fn check_owners(store: &Store, o: &Node, ids: Vec<i64>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    record! {
        struct Owner from "members" as "m" { id: i64, name: String, status: Status, org_path: String }
    }
    let found: Vec<Owner> = query::fetch(&store.db, &Owner::select().and_where(col("m", "id").is_in(ids.clone())).to_owned()).await?;
    let mut errors = Vec::new();
    for id in ids {
        match found.iter().find(|m| m.id == id) {
            Some(m) if m.org_path.starts_with(&o.path) && m.status.is_member() => {}
            Some(m) if m.org_path.starts_with(&o.path) => errors.push(dangjian_domain::Invalid::new("items", "not_member", format!("{}不是在册党员，不能作为整改责任人", m.name))),
            _ => errors.push(dangjian_domain::Invalid::new("items", "not_in_org", format!("整改责任人应为“{}”的党员", o.name))),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(StoreError::Invalid(errors)) }
}

/// 发函: records the inspection, numbers its letter (the next number of the issuer's year,
/// taken inside the write so two letters at once get consecutive numbers), writes its items, and
/// remembers the addressee for the inspected organisation's unit.
pub async fn issue(store: &Store, ctx: &Ctx, issuer_org_id: i64, org_id: i64, input: &InspectionInput) -> Result<Letter> {
    let (issuer, inspected) = parties(store, ctx, issuer_org_id, org_id).await?;
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    check_owners(store, &inspected.node, v.items.iter().filter_map(|i| i.owner_member_id).collect()).await?;
    let tenant = inspected.tenant_id.unwrap_or(inspected.id);
    let year = i64::from(v.year());
    let now = time::now_unix();
    let txn = store.write().await?;
    // The counter row is created at 0 the first time, then moved on by one: on PostgreSQL the
    // update holds the row until the commit, so a second letter at once waits and takes the next.
    let mut start = Query::insert();
    start
        .into_table(Alias::new("letter_numbers"))
        .columns([Alias::new("tenant_id"), Alias::new("issuer_org_id"), Alias::new("year"), Alias::new("last")])
        .values_panic([tenant.into(), issuer.id.into(), year.into(), 0i64.into()])
        .on_conflict(OnConflict::columns([Alias::new("issuer_org_id"), Alias::new("year")]).do_nothing().to_owned());
    query::execute(&txn, &start).await?;
    let bump = query::update("letter_numbers", vec![])
        .value(Alias::new("last"), Expr::col(Alias::new("last")).add(1))
        .and_where(Expr::col(Alias::new("issuer_org_id")).eq(issuer.id))
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .to_owned();
    query::execute(&txn, &bump).await?;
    let counter = Counter::select().and_where(col("n", "issuer_org_id").eq(issuer.id)).and_where(col("n", "year").eq(year)).to_owned();
    let seq = query::fetch_one::<Counter, _>(&txn, &counter).await?.ok_or(StoreError::NotFound)?.last;
    let row = query::insert("inspections", vec![
        ("tenant_id", tenant.into()),
        ("issuer_org_id", issuer.id.into()),
        ("issuer_org_path", issuer.path.clone().into()),
        ("org_id", inspected.id.into()),
        ("org_path", inspected.path.clone().into()),
        ("inspectors", v.inspectors.join("、").into()),
        ("inspected_on", v.inspected_on.into()),
        ("subject", v.subject.clone().into()),
        ("findings", v.findings.clone().into()),
        ("result", v.result.clone().into()),
        ("addressee", v.addressee.clone().into()),
        ("prefix", v.prefix.clone().into()),
        ("year", year.into()),
        ("seq", seq.into()),
        ("issued_on", v.issued_on.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row).await.map_err(|e| StoreError::from_db(e, "发文字号已被占用，请重新提交"))?;
    for (i, it) in v.items.iter().enumerate() {
        let item = query::insert("rectification_items", vec![
            ("tenant_id", tenant.into()),
            ("inspection_id", id.into()),
            ("org_id", inspected.id.into()),
            ("org_path", inspected.path.clone().into()),
            ("seq", (i as i64 + 1).into()),
            ("task", it.task.clone().into()),
            ("owner_member_id", it.owner_member_id.into()),
            ("owner", it.owner.clone().into()),
            ("deadline", it.deadline.into()),
            ("state", ItemState::Open.into()),
            ("closed_on", Option::<Date>::None.into()),
            ("evidence", String::new().into()),
            ("link", String::new().into()),
            ("updated_at", now.into()),
        ]);
        let item_id = query::insert_id(&txn, item).await?;
        step(&txn, tenant, item_id, StepKind::Issued, ItemState::Open, ItemState::Open, "", "", None, ctx, now).await?;
    }
    if !inspected.unit_name.is_empty() {
        let mut remember = Query::insert();
        remember
            .into_table(Alias::new("unit_superiors"))
            .columns([Alias::new("tenant_id"), Alias::new("unit_name"), Alias::new("addressee"), Alias::new("updated_by"), Alias::new("updated_at")])
            .values_panic([tenant.into(), inspected.unit_name.clone().into(), v.addressee.clone().into(), ctx.actor.account_id.into(), now.into()])
            .on_conflict(OnConflict::columns([Alias::new("tenant_id"), Alias::new("unit_name")]).update_columns([Alias::new("addressee"), Alias::new("updated_by"), Alias::new("updated_at")]).to_owned());
        query::execute(&txn, &remember).await?;
    }
    let number = rules::letter_number(&v.prefix, v.year(), seq);
    audit::record(&txn, store.crypto.as_ref(), ctx, "inspection.issue", &object(id), "ok", json!({"number": number, "issuer_org_id": issuer.id, "org_id": inspected.id, "addressee": v.addressee, "items": v.items.len()})).await?;
    txn.commit().await?;
    get(store, ctx, id).await
}

#[allow(clippy::too_many_arguments)]
async fn step<C: ConnectionTrait>(c: &C, tenant: i64, item_id: i64, kind: StepKind, from: ItemState, to: ItemState, note: &str, link: &str, closed_on: Option<Date>, ctx: &Ctx, at: i64) -> Result<()> {
    let row = query::insert("rectification_steps", vec![
        ("tenant_id", tenant.into()),
        ("item_id", item_id.into()),
        ("step", kind.into()),
        ("from_state", from.into()),
        ("to_state", to.into()),
        ("note", note.to_string().into()),
        ("link", link.to_string().into()),
        ("closed_on", closed_on.into()),
        ("by_account", ctx.actor.account_id.into()),
        ("at", at.into()),
    ]);
    query::execute(c, &row).await?;
    Ok(())
}

/// The letter with its items and their history, for whoever may read the inspected
/// organisation's duty records.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Letter> {
    let row = inspection_row(&store.db, id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&row.org_path), &object(id)).await?;
    let items: Vec<ItemRow> = query::fetch(&store.db, &item_select().and_where(col("r", "inspection_id").eq(id)).order_by((Alias::new("r"), Alias::new("seq")), Order::Asc).to_owned()).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut history: HashMap<i64, Vec<StepRow>> = HashMap::new();
    if !ids.is_empty() {
        let stmt = StepRow::select()
            .join_as(JoinType::LeftJoin, Alias::new("accounts"), Alias::new("a"), col("a", "id").equals((Alias::new("s"), Alias::new("by_account"))))
            .and_where(col("s", "item_id").is_in(ids))
            .order_by((Alias::new("s"), Alias::new("item_id")), Order::Asc)
            .order_by((Alias::new("s"), Alias::new("id")), Order::Asc)
            .to_owned();
        for s in query::fetch::<StepRow, _>(&store.db, &stmt).await? {
            history.entry(s.item_id).or_default().push(s);
        }
    }
    let tree = store.tree().await?;
    let name = |id: i64| tree.get(id).map(|n| n.name.clone()).unwrap_or_default();
    let number = rules::letter_number(&row.prefix, row.year as i32, row.seq);
    let today = time::today_cst();
    let org_name = name(row.org_id);
    let items = items
        .into_iter()
        .map(|r| {
            let h = history.remove(&r.id).unwrap_or_default();
            Item { overdue: rules::is_overdue(r.state, r.deadline.0, today), number: number.clone(), org_name: org_name.clone(), history: h, row: r }
        })
        .collect();
    let unit_name = org::load(&store.db, row.org_id).await?.unit_name;
    let can_rectify = allowed(ctx, Action::DutyWrite, &row.org_path);
    let can_review = reviews(ctx, &row.issuer_org_path);
    Ok(Letter { number, issuer_name: name(row.issuer_org_id), org_name, unit_name, items, can_rectify, can_review, row })
}

#[derive(Debug, FromQueryResult)]
struct Tally {
    inspection_id: i64,
    state: ItemState,
    overdue: i64,
    n: i64,
}

/// The inspections of organisations in the caller's scope (within `org`'s subtree when given),
/// newest first, each with its items open and overdue: one range of `ix_inspections_path` per
/// scope, and one grouped count over the page's items.
pub async fn list(store: &Store, ctx: &Ctx, org_id: Option<i64>) -> Result<Vec<Listed>> {
    let mut scopes = org::scope_paths(store, ctx, Action::DutyRead).await?;
    if let Some(id) = org_id {
        let o = org::node(store, id).await?;
        store.authorize(ctx, Action::DutyRead, Target::org(&o.path), &format!("org:{id}")).await?;
        scopes = vec![o.path];
    }
    if scopes.is_empty() {
        return Err(StoreError::Forbidden);
    }
    let stmt = InspectionRow::select()
        .cond_where(in_scopes(col("i", "org_path"), &scopes))
        .order_by((Alias::new("i"), Alias::new("issued_on")), Order::Desc)
        .order_by((Alias::new("i"), Alias::new("id")), Order::Desc)
        .limit(crate::MAX_PER_PAGE)
        .to_owned();
    let rows: Vec<InspectionRow> = query::fetch(&store.db, &stmt).await?;
    let mut tally: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    if !rows.is_empty() {
        let today = time::format_date(time::today_cst());
        let late = Expr::case(col("r", "state").eq(ItemState::Open.code()).and(col("r", "deadline").lt(today)), 1i64).finally(0i64);
        let counts = Query::select()
            .column((Alias::new("r"), Alias::new("inspection_id")))
            .column((Alias::new("r"), Alias::new("state")))
            .expr_as(Expr::expr(late).sum().cast_as(Alias::new("BIGINT")), Alias::new("overdue"))
            .expr_as(Expr::col(sea_orm::sea_query::Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
            .from_as(Alias::new("rectification_items"), Alias::new("r"))
            .and_where(col("r", "inspection_id").is_in(rows.iter().map(|r| r.id)))
            .group_by_col((Alias::new("r"), Alias::new("inspection_id")))
            .group_by_col((Alias::new("r"), Alias::new("state")))
            .to_owned();
        for t in query::fetch::<Tally, _>(&store.db, &counts).await? {
            let e = tally.entry(t.inspection_id).or_default();
            e.0 += t.n;
            if t.state == ItemState::Open {
                e.1 += t.n;
            }
            e.2 += t.overdue;
        }
    }
    let tree = store.tree().await?;
    let name = |id: i64| tree.get(id).map(|n| n.name.clone()).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|row| {
            let (items, open, overdue) = tally.get(&row.id).copied().unwrap_or_default();
            Listed { number: rules::letter_number(&row.prefix, row.year as i32, row.seq), issuer_name: name(row.issuer_org_id), org_name: name(row.org_id), items, open, overdue, row }
        })
        .collect())
}
