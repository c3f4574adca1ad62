//! The figures of a report, taken from the records (DESIGN.md "Records, not re-entry"): each
//! with where it comes from, retaken while a draft and frozen at submission.

use dangjian_domain::duty::report::{reports_upward, BranchExcerpt, BranchTally, Figure, FigureSet, State};
use dangjian_domain::life::obligation::{ObligationKind, Status as ObligationStatus};
use dangjian_domain::member::{EventKind, Status as MemberStatus};
use dangjian_domain::org::keeps_org;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};

use super::{from_json, Schedule};
use crate::org::{Node, Tree};
use crate::query::{self, col, record};
use crate::{life, Ctx, Result, Store};

/// The figures of `o`'s report for `s`, taken from the records now.
pub(super) async fn take_figures(store: &Store, ctx: &Ctx, s: &Schedule, o: &Node, tree: &Tree) -> Result<FigureSet> {
    let mut set = FigureSet::new(time::today_cst());
    // 三会一课 and the rest: the obligations engine over the organisation's subtree, summed by
    // kind over what is owed (never the meeting tables).
    let (_, items) = life::compliance::report(store, ctx, Some(o.id), s.period).await?;
    let mut by_kind: Vec<(ObligationKind, i64, i64, i64)> = Vec::new();
    for ob in items.iter().flat_map(|c| c.obligations.iter()).filter(|ob| ob.status != ObligationStatus::NotOwed) {
        let i = match by_kind.iter().position(|k| k.0 == ob.kind) {
            Some(i) => i,
            None => {
                by_kind.push((ob.kind, 0, 0, 0));
                by_kind.len() - 1
            }
        };
        by_kind[i].1 += i64::from(ob.required);
        by_kind[i].2 += i64::from(ob.held);
        by_kind[i].3 += i64::from(ob.status == ObligationStatus::Overdue);
    }
    by_kind.sort_by_key(|k| k.0);
    set.figures.extend(by_kind.into_iter().map(|(k, owed, held, overdue)| Figure::meetings(k, owed, held, overdue)));
    // 出席率: the attendance lists of the period's meetings held so far in the subtree.
    let (present, expected) = attendance(store, o, s.period).await?;
    set.figures.push(Figure::attendance(present, expected));
    // 党员: the counts kept on write for the subtree.
    #[derive(sea_orm::FromQueryResult)]
    struct Count {
        status: String,
        n: i64,
    }
    let counts: Vec<Count> = query::fetch(
        &store.db,
        &Query::select()
            .column((Alias::new("c"), Alias::new("status")))
            .expr_as(col("c", "n").sum().cast_as(Alias::new("BIGINT")), Alias::new("n"))
            .from_as(Alias::new("org_subtree_counts"), Alias::new("c"))
            .and_where(col("c", "org_id").eq(o.id))
            .group_by_col((Alias::new("c"), Alias::new("status")))
            .to_owned(),
    )
    .await?;
    for st in MemberStatus::ALL.iter().filter(|st| keeps_org(**st)) {
        let n: i64 = counts.iter().filter(|c| c.status == st.code()).map(|c| c.n).sum();
        if n > 0 || st.is_member() {
            set.figures.push(Figure::members(*st, n));
        }
    }
    // 党员变动: members' history in the period, by organisation of the subtree.
    let ids: Vec<i64> = tree.subtree(&o.path).iter().map(|n| n.id).collect();
    let kinds = [EventKind::Joined, EventKind::Full, EventKind::Transfer, EventKind::Status];
    #[derive(sea_orm::FromQueryResult)]
    struct Change {
        kind: String,
        n: i64,
    }
    let mut changes: Vec<Change> = Vec::new();
    for chunk in ids.chunks(500) {
        let stmt = Query::select()
            .column((Alias::new("e"), Alias::new("kind")))
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from_as(Alias::new("member_events"), Alias::new("e"))
            .and_where(col("e", "org_id").is_in(chunk.iter().copied()))
            .and_where(col("e", "on_date").gte(Date(s.period.first_day())))
            .and_where(col("e", "on_date").lte(Date(s.period.last_day())))
            .and_where(col("e", "kind").is_in(kinds))
            .group_by_col((Alias::new("e"), Alias::new("kind")))
            .to_owned();
        changes.extend(query::fetch::<Change, _>(&store.db, &stmt).await?);
    }
    for k in kinds {
        set.figures.push(Figure::changes(k, changes.iter().filter(|c| c.kind == k.code()).map(|c| c.n).sum()));
    }
    // 下级党组织汇报: the state of the reports of the organisations directly below that report,
    // and the words of those accepted, so that this level adds only its own.
    let below: Vec<&Node> = tree.children(o.id).filter(|n| n.active && reports_upward(n.kind)).collect();
    if !below.is_empty() {
        record! {
            struct Below from "report_submissions" as "r" { org_id: i64, state: State, late: bool, sections: String }
        }
        let stmt = Below::select().and_where(col("r", "schedule_id").eq(s.id)).and_where(col("r", "org_id").is_in(below.iter().map(|n| n.id).collect::<Vec<_>>())).to_owned();
        let rows: Vec<Below> = query::fetch(&store.db, &stmt).await?;
        let states: Vec<(Option<State>, bool)> = below.iter().map(|n| rows.iter().find(|r| r.org_id == n.id).map_or((None, false), |r| (Some(r.state), r.late))).collect();
        set.figures.push(Figure::branch_reports(&BranchTally::of(&states)));
        for n in &below {
            if let Some(r) = rows.iter().find(|r| r.org_id == n.id && r.state.accepted()) {
                set.branches.push(BranchExcerpt { org_id: n.id, org_name: n.name.clone(), state: r.state, sections: from_json(&r.sections)? });
            }
        }
    }
    Ok(set)
}

/// Present and expected over the attendance lists of the live meetings of `o`'s subtree held
/// in the period up to now, from the counts kept on write: the period's own row once it is
/// over, else its months up to this one (a record is refused more than a day ahead of its
/// writing, `FUTURE_SLACK`, so the rest of this month adds at most tomorrow's meetings).
async fn attendance(store: &Store, o: &Node, period: Period) -> Result<(i64, i64)> {
    let today = time::today_cst();
    let periods = if period.last_day() < today { vec![period] } else { period.overlapping(PeriodKind::Month).into_iter().filter(|m| m.first_day() <= today).collect() };
    life::attendance_counts::subtree(&store.db, &o.path, &periods).await
}
