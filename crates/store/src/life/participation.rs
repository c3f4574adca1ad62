//! 参加组织生活 — when each member last took part in organisational life (present, or on leave
//! with a reason: DOMAIN.md "Lapse", being on leave is no absence), kept on write, and the
//! 3/5/6-month warnings read from it (党章 art. 9).

use chrono::NaiveDate;
use dangjian_domain::life::lapse::{member_lapse, Lapse};
use dangjian_domain::life::{AttendanceStatus, ValidAttendance};
use dangjian_domain::member::Status;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, OnConflict, Order, Query, SelectStatement};
use sea_orm::ConnectionTrait;

use crate::org;
use crate::query::{self, col, record};
use crate::{Ctx, Result, Store};

const TABLE: &str = "member_participation";

fn counting() -> Vec<AttendanceStatus> {
    vec![AttendanceStatus::Present, AttendanceStatus::Leave]
}

/// A record's attendees who took part move their last date forward (never back).
pub(super) async fn record<C: ConnectionTrait>(c: &C, tenant: i64, starts_at: i64, att: &[ValidAttendance]) -> Result<()> {
    let ids: Vec<i64> = att.iter().filter(|a| counting().contains(&a.status)).map(|a| a.member_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let later = Expr::case(col("excluded", "last_at").gt(col(TABLE, "last_at")), col("excluded", "last_at")).finally(col(TABLE, "last_at"));
    let rows = ids.into_iter().map(|id| vec![("member_id", id.into()), ("tenant_id", tenant.into()), ("last_at", starts_at.into())]).collect();
    let on_conflict = OnConflict::column(Alias::new("member_id")).value(Alias::new("last_at"), later).to_owned();
    Ok(query::upsert_chunked(c, TABLE, rows, on_conflict).await?)
}

/// The latest live record each member (of `only`, or everyone) took part in.
fn latest(only: Option<&[i64]>) -> SelectStatement {
    let mut cond = Cond::all().add(col("a", "status").is_in(counting())).add(col("g", "deleted_at").is_null());
    if let Some(ids) = only {
        cond = cond.add(col("a", "member_id").is_in(ids.to_vec()));
    }
    Query::select()
        .column((Alias::new("a"), Alias::new("member_id")))
        .expr(Expr::col((Alias::new("a"), Alias::new("tenant_id"))).max())
        .expr(Expr::col((Alias::new("g"), Alias::new("starts_at"))).max())
        .from_as(Alias::new("meeting_attendance"), Alias::new("a"))
        .join_as(JoinType::InnerJoin, Alias::new("meetings"), Alias::new("g"), col("g", "id").equals((Alias::new("a"), Alias::new("meeting_id"))))
        .cond_where(cond)
        .group_by_col((Alias::new("a"), Alias::new("member_id")))
        .to_owned()
}

async fn fill<C: ConnectionTrait>(c: &C, only: Option<&[i64]>) -> Result<()> {
    let stmt = Query::insert()
        .into_table(Alias::new(TABLE))
        .columns([Alias::new("member_id"), Alias::new("tenant_id"), Alias::new("last_at")])
        .select_from(latest(only))
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?
        .to_owned();
    query::execute(c, &stmt).await?;
    Ok(())
}

/// After a correction or a deletion: these members' dates read again from the records (a
/// record taken away may have been someone's latest).
pub(crate) async fn recompute<C: ConnectionTrait>(c: &C, members: &[i64]) -> Result<()> {
    if members.is_empty() {
        return Ok(());
    }
    query::execute(c, &query::delete(TABLE).and_where(Expr::col(Alias::new("member_id")).is_in(members.to_vec())).to_owned()).await?;
    fill(c, Some(members)).await
}

/// Every member's date from the records (the demo's bulk load, the migration that added them).
pub async fn rebuild_all<C: ConnectionTrait>(c: &C) -> Result<()> {
    query::execute(c, &query::delete(TABLE).to_owned()).await?;
    fill(c, None).await
}

record! {
    struct Listed from "members" as "m" {
        id: i64,
        name: String,
        joined_on: Option<Date>,
        full_on: Option<Date>,
        created_at: i64,
        last_at: Option<i64> = p.last_at,
    }
}

/// A member of the organisation who has gone 3 months or more without organisational life.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub member_id: i64,
    pub name: String,
    /// The last meeting attended or excused from (China Standard Time), if any.
    pub last_on: Option<Date>,
    pub months: u32,
    pub stage: Lapse,
}

/// The organisation's own members at 3, 5 and 6 months, longest first: one range of members and
/// a key lookup each. The software counts months; people decide (DOMAIN.md "Lapse").
pub async fn warnings(store: &Store, ctx: &Ctx, org_id: i64, today: NaiveDate) -> Result<Vec<Warning>> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::MemberRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let statuses: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_member()).collect();
    let stmt = Listed::select()
        .join_as(JoinType::LeftJoin, Alias::new(TABLE), Alias::new("p"), col("p", "member_id").equals((Alias::new("m"), Alias::new("id"))))
        .and_where(col("m", "org_id").eq(org_id))
        .and_where(col("m", "status").is_in(statuses))
        .order_by((Alias::new("m"), Alias::new("id")), Order::Asc)
        .to_owned();
    let rows: Vec<Listed> = query::fetch(&store.db, &stmt).await?;
    let mut out: Vec<Warning> = rows
        .into_iter()
        .filter_map(|r| {
            // A member with no record at all counts from joining or from coming on file here,
            // whichever is later: months before the system held any record are not absence.
            let joined = r.full_on.or(r.joined_on).map(|d| d.0);
            let on_file = time::cst_date(r.created_at);
            let last = r.last_at.map(time::cst_date);
            let from = match last {
                Some(_) => joined.unwrap_or(on_file),
                None => joined.map_or(on_file, |j| j.max(on_file)),
            };
            let stage = member_lapse(last, from, today);
            let since = last.map_or(from, |l| l.max(from));
            (stage != Lapse::Participating).then(|| Warning {
                member_id: r.id,
                name: r.name,
                last_on: last.map(Date),
                months: dangjian_domain::life::lapse::months_between(since, today),
                stage,
            })
        })
        .collect();
    out.sort_by(|a, b| b.months.cmp(&a.months).then(a.member_id.cmp(&b.member_id)));
    Ok(out)
}
