//! 函询整改按期完成 (`RuleCode::RectificationsClosed`): the items of a subtree due in an
//! assessment's period, counted per organisation in one grouped statement, and those not closed
//! by their deadline listed so a secretary sees why points were lost.

use std::collections::HashMap;

use chrono::NaiveDate;
use dangjian_domain::duty::inspection::{self as rules, ItemState};
use dangjian_domain::period::Period;
use dangjian_domain::time::Date;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::FromQueryResult;

use crate::query::{self, col, in_subtree, record};
use crate::{Result, Store};

/// An item counted by 函询整改按期完成 and not closed by its deadline.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RectificationLine {
    pub item_id: i64,
    pub inspection_id: i64,
    /// 发文字号.
    pub number: String,
    pub task: String,
    pub deadline: Date,
    /// Closed this day, after the deadline; absent: still open.
    #[serde(default)]
    pub closed_on: Option<Date>,
}

/// What 函询整改按期完成 counted for one organisation.
#[derive(Debug, Clone, Default)]
pub struct RectificationCount {
    pub due: u64,
    pub done: u64,
    pub missed: Vec<RectificationLine>,
}

#[derive(Debug, FromQueryResult)]
struct DueCount {
    org_id: i64,
    due: i64,
    done: Option<i64>,
}

record! {
    struct Missed from "rectification_items" as "r" {
        id: i64,
        inspection_id: i64,
        org_id: i64,
        task: String,
        deadline: Date,
        closed_on: Option<Date>,
        prefix: String = i.prefix,
        year: i64 = i.year,
        seq: i64 = i.seq,
    }
}

/// 函询整改按期完成 for every organisation of the subtree of `root_path`: the items whose
/// deadline falls in `period` and has passed by `today` (an open item not yet at its deadline can
/// still be closed in time, so it is not counted yet; one closed early is), and of them those
/// closed by their deadline — one grouped statement over `ix_rectification_items_path` — and the
/// items not closed in time, listed so a secretary sees why points were lost.
pub(crate) async fn rectification_counts(store: &Store, root_path: &str, period: Period, today: NaiveDate) -> Result<HashMap<i64, RectificationCount>> {
    let open = ItemState::Open.code();
    let cond = Cond::all()
        .add(in_subtree(col("r", "org_path"), root_path))
        .add(col("r", "deadline").gte(Date(period.first_day())))
        .add(col("r", "deadline").lte(Date(period.last_day())))
        .add(Cond::any().add(col("r", "state").ne(open)).add(col("r", "deadline").lt(Date(today))));
    let on_time = Expr::case(col("r", "state").ne(open).and(col("r", "closed_on").lte(col("r", "deadline"))), 1i64).finally(0i64);
    let grouped = Query::select()
        .column((Alias::new("r"), Alias::new("org_id")))
        .expr_as(Expr::col(sea_orm::sea_query::Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("due"))
        .expr_as(Expr::expr(on_time).sum().cast_as(Alias::new("BIGINT")), Alias::new("done"))
        .from_as(Alias::new("rectification_items"), Alias::new("r"))
        .cond_where(cond.clone())
        .group_by_col((Alias::new("r"), Alias::new("org_id")))
        .to_owned();
    let mut out: HashMap<i64, RectificationCount> = HashMap::new();
    for r in query::fetch::<DueCount, _>(&store.db, &grouped).await? {
        let e = out.entry(r.org_id).or_default();
        e.due = u64::try_from(r.due).unwrap_or(0);
        e.done = u64::try_from(r.done.unwrap_or(0)).unwrap_or(0);
    }
    if out.values().any(|c| c.done < c.due) {
        let late = Cond::any().add(col("r", "state").eq(open)).add(col("r", "closed_on").gt(col("r", "deadline")));
        let stmt = Missed::select()
            .join_as(JoinType::InnerJoin, Alias::new("inspections"), Alias::new("i"), col("i", "id").equals((Alias::new("r"), Alias::new("inspection_id"))))
            .cond_where(cond.add(late))
            .order_by((Alias::new("r"), Alias::new("deadline")), Order::Asc)
            .order_by((Alias::new("r"), Alias::new("id")), Order::Asc)
            .to_owned();
        for m in query::fetch::<Missed, _>(&store.db, &stmt).await? {
            out.entry(m.org_id).or_default().missed.push(RectificationLine {
                item_id: m.id,
                inspection_id: m.inspection_id,
                number: rules::letter_number(&m.prefix, m.year as i32, m.seq),
                task: m.task,
                deadline: m.deadline,
                closed_on: m.closed_on,
            });
        }
    }
    Ok(out)
}
