//! 工作报告按时报送 — for the assessments' computed rule `reports_on_time`: the reports each
//! organisation of a subtree owed in a period, and where each stands.
//!
//! A report is owed when its schedule's deadline fell in the period and has passed (a report due
//! today can still come in time), and the organisation is one its schedule expects
//! ([`submitters`]). It counts as on time when it was first submitted by the deadline and has
//! been accepted (seed 004 党建工作定期汇报制度: reports "按时报送"); a report in time but still
//! awaiting review, returned, late or missing does not, and is listed so the secretary sees why.
//! Two statements whatever the size of the subtree: the schedules of the tenant by deadline
//! (`ix_report_schedules_deadline`), the submissions of those schedules in the subtree.

use std::collections::HashMap;

use chrono::NaiveDate;
use dangjian_domain::duty::report::State;
use dangjian_domain::period::Period;
use dangjian_domain::time::Date;
use sea_orm::sea_query::{Alias, ExprTrait, Order};

use super::{schedule_of, submitters, ScheduleRow};
use crate::org::{Node, Tree};
use crate::query::{self, col, in_subtree, record};
use crate::{Result, Store};

/// One report an organisation owed, as the score's basis shows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReportLine {
    pub schedule_id: i64,
    pub title: String,
    pub deadline: Date,
    /// Absent: nothing opened.
    #[serde(default)]
    pub submission_id: Option<i64>,
    #[serde(default)]
    pub state: Option<State>,
    /// First submitted after the deadline.
    #[serde(default)]
    pub late: bool,
}

impl ReportLine {
    /// Submitted by its deadline and accepted.
    pub fn on_time(&self) -> bool {
        !self.late && self.state.is_some_and(State::accepted)
    }

    /// Why it does not count, in the words of the page that explains a score.
    pub fn why(&self) -> &'static str {
        match self.state {
            None | Some(State::Draft) => "未报送",
            Some(_) if self.late => "逾期报送",
            Some(State::Submitted) => "已按时报送，尚待审核通过",
            Some(State::Returned) => "被退回，尚未重新报送并通过",
            Some(_) => "按时报送并通过",
        }
    }
}

/// The reports owed in `period` by each organisation of `root`'s subtree, as of `today`.
pub(crate) async fn owed(store: &Store, tree: &Tree, root: &Node, period: Period, today: NaiveDate) -> Result<HashMap<i64, Vec<ReportLine>>> {
    let mut out: HashMap<i64, Vec<ReportLine>> = HashMap::new();
    let Some(last) = today.pred_opt().map(|d| Ord::min(d, period.last_day())) else {
        return Ok(out);
    };
    if last < period.first_day() {
        return Ok(out);
    }
    let tenant = root.tenant_id.unwrap_or(root.id);
    let stmt = ScheduleRow::select()
        .and_where(col("s", "tenant_id").eq(tenant))
        .and_where(col("s", "deadline").gte(Date(period.first_day())))
        .and_where(col("s", "deadline").lte(Date(last)))
        .order_by((Alias::new("s"), Alias::new("deadline")), Order::Asc)
        .to_owned();
    let mut schedules = Vec::new();
    for row in query::fetch::<ScheduleRow, _>(&store.db, &stmt).await? {
        let s = schedule_of(row, tree)?;
        // Only schedules whose scope meets the subtree: above it, or inside it.
        if root.path.starts_with(&s.scope_path) || s.scope_path.starts_with(&root.path) {
            schedules.push(s);
        }
    }
    if schedules.is_empty() {
        return Ok(out);
    }
    record! {
        struct In from "report_submissions" as "r" { id: i64, schedule_id: i64, org_id: i64, state: State, late: bool }
    }
    let ids: Vec<i64> = schedules.iter().map(|s| s.id).collect();
    let stmt = In::select().and_where(col("r", "schedule_id").is_in(ids)).cond_where(in_subtree(col("r", "org_path"), &root.path)).to_owned();
    let rows: HashMap<(i64, i64), In> = query::fetch::<In, _>(&store.db, &stmt).await?.into_iter().map(|r| ((r.schedule_id, r.org_id), r)).collect();
    for s in &schedules {
        for n in submitters(tree, s).into_iter().filter(|n| n.path.starts_with(&root.path)) {
            let r = rows.get(&(s.id, n.id));
            out.entry(n.id).or_default().push(ReportLine {
                schedule_id: s.id,
                title: s.title.clone(),
                deadline: s.deadline,
                submission_id: r.map(|r| r.id),
                state: r.map(|r| r.state),
                late: r.is_some_and(|r| r.late),
            });
        }
    }
    Ok(out)
}
