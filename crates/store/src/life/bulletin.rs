//! 周检查、月评比、季通报 — the three ways seed 000 follows up ("通过周检查、月评比、季通报促进
//! 落实"), each read from the compliance engine: a weekly list of what is overdue or soon due, a
//! monthly ranking of organisations by obligations met on time, and a quarterly bulletin of who
//! met everything and who missed what. Organisations are ranked on records, never people on
//! points, logins or time online (DESIGN.md "No check-in culture").

use chrono::{Days, NaiveDate};
use dangjian_domain::life::obligation::{Obligation, Status};
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time::{self, Date};

use super::compliance::{report, OrgCompliance, Totals};
use crate::{Ctx, Result, Store, StoreError};

/// One open obligation of one organisation, for the weekly list and the home page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Open {
    pub org_id: i64,
    pub org_name: String,
    #[schema(value_type = Object)]
    pub obligation: Obligation,
}

impl Open {
    /// Most urgent first: overdue, then by due date.
    fn urgency(&self) -> (bool, Date, i64, dangjian_domain::life::obligation::ObligationKind) {
        (self.obligation.status != Status::Overdue, self.obligation.due_by, self.org_id, self.obligation.kind)
    }

    /// Days until (negative: since) the due date.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.obligation.due_by.0 - today).num_days()
    }
    pub fn when_text(&self, today: NaiveDate) -> String {
        match self.days_left(today) {
            d if d < 0 => format!("已逾期{}天", -d),
            0 => "今天到期".into(),
            d => format!("还有{d}天"),
        }
    }
}

/// 周检查 — what is overdue, and what falls due within `days` days, across the subtree: this
/// quarter's obligations (its months, the quarter, the year's yearly ones) and what the last
/// quarter left undone. Overdue first, then by due date.
pub async fn weekly(store: &Store, ctx: &Ctx, org_id: Option<i64>, today: NaiveDate, days: u64) -> Result<(i64, String, Vec<Open>)> {
    let quarter = Period::containing(PeriodKind::Quarter, today).expect("every day is in a quarter");
    let horizon = today + Days::new(days);
    let (o, now) = report(store, ctx, org_id, quarter).await?;
    let mut items: Vec<Open> = Vec::new();
    let mut push = |c: &OrgCompliance, keep: &dyn Fn(&Obligation) -> bool| {
        for ob in c.obligations.iter().filter(|ob| keep(ob)) {
            if !items.iter().any(|i| i.org_id == c.org_id && i.obligation.kind == ob.kind && i.obligation.period == ob.period) {
                items.push(Open { org_id: c.org_id, org_name: c.org_name.clone(), obligation: *ob });
            }
        }
    };
    for c in &now {
        push(c, &|ob| ob.status == Status::Overdue || (ob.status == Status::Due && ob.due_by.0 <= horizon));
    }
    if let Some(prev) = quarter.prev() {
        let (_, before) = report(store, ctx, Some(o.id), prev).await?;
        for c in &before {
            push(c, &|ob| ob.status == Status::Overdue);
        }
    }
    items.sort_by_key(Open::urgency);
    Ok((o.id, o.name, items))
}

/// What one organisation (with its 党小组) must still hold this quarter, most urgent first: the
/// secretary's home page.
pub async fn outstanding(store: &Store, ctx: &Ctx, org_id: i64, today: NaiveDate) -> Result<Vec<Open>> {
    let quarter = Period::containing(PeriodKind::Quarter, today).expect("every day is in a quarter");
    let (_, items) = report(store, ctx, Some(org_id), quarter).await?;
    let mut open: Vec<Open> =
        items.iter().flat_map(|c| c.open().map(|ob| Open { org_id: c.org_id, org_name: c.org_name.clone(), obligation: *ob })).collect();
    open.sort_by_key(Open::urgency);
    Ok(open)
}

/// One place of the monthly ranking.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Place {
    /// 1 for the first; organisations equal on both keys share a place.
    pub place: u32,
    pub org: OrgCompliance,
}

impl Place {
    /// The reasons for the place: what was missed or met late.
    pub fn reasons(&self) -> Vec<String> {
        let mut r: Vec<String> = self
            .org
            .obligations
            .iter()
            .filter_map(|o| match (o.status, o.late_days) {
                (Status::Overdue, _) => Some(format!("{} {} 未完成（应{}次，已{}次）", o.period, o.kind.label(), o.required, o.held)),
                (Status::Due, _) => Some(format!("{} {} 尚未完成（应{}次，已{}次）", o.period, o.kind.label(), o.required, o.held)),
                (Status::Done, Some(d)) => Some(format!("{} {} 逾期{d}天补开", o.period, o.kind.label())),
                _ => None,
            })
            .collect();
        if r.is_empty() {
            r.push("全部按期完成".into());
        }
        r
    }
}

/// 月评比 — the organisations of the subtree that owed something in the month, by the share met
/// on time (higher first), ties broken by total lateness (fewer days first).
pub async fn ranking(store: &Store, ctx: &Ctx, org_id: Option<i64>, month: Period) -> Result<(i64, String, Vec<Place>)> {
    if month.kind() != PeriodKind::Month {
        return Err(StoreError::invalid("period", "not_a_month", format!("月评比按月进行：“{month}”不是一个月份，应如 2026-07")));
    }
    let (o, items) = report(store, ctx, org_id, month).await?;
    // Only what the month itself asked for: a yearly meeting is no reason for a month's place.
    let mut owing: Vec<OrgCompliance> = items
        .into_iter()
        .filter_map(|mut c| {
            c.obligations.retain(|ob| ob.period.kind() != PeriodKind::Year || ob.status == Status::NotOwed);
            c.recount();
            (c.owed > 0).then_some(c)
        })
        .collect();
    owing.sort_by(|a, b| b.on_time_permille().cmp(&a.on_time_permille()).then(a.late_days.cmp(&b.late_days)).then(a.org_path.cmp(&b.org_path)));
    let mut places: Vec<Place> = Vec::with_capacity(owing.len());
    for (i, c) in owing.into_iter().enumerate() {
        let place = match places.last() {
            Some(p) if p.org.on_time_permille() == c.on_time_permille() && p.org.late_days == c.late_days => p.place,
            _ => i as u32 + 1,
        };
        places.push(Place { place, org: c });
    }
    Ok((o.id, o.name, places))
}

/// 季通报 — who met every obligation that fell due in the quarter and who did not, with what
/// they missed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub org_id: i64,
    pub org_name: String,
    pub period: String,
    /// The day the bulletin was drawn up (China Standard Time).
    pub as_of: Date,
    pub totals: Totals,
    pub met: Vec<OrgCompliance>,
    pub missed: Vec<OrgCompliance>,
}

impl Bulletin {
    /// What an organisation missed: its overdue obligations (a yearly meeting of a year still
    /// running is not missed yet).
    pub fn missed_text(c: &OrgCompliance) -> String {
        c.obligations.iter().filter(|o| o.status == Status::Overdue).map(|o| format!("{} {}（应{}次，已{}次）", o.period, o.kind.label(), o.required, o.held)).collect::<Vec<_>>().join("；")
    }
}

pub async fn bulletin(store: &Store, ctx: &Ctx, org_id: Option<i64>, quarter: Period) -> Result<Bulletin> {
    if quarter.kind() != PeriodKind::Quarter {
        return Err(StoreError::invalid("period", "not_a_quarter", format!("季通报按季度进行：“{quarter}”不是一个季度，应如 2026Q3")));
    }
    let (o, items) = report(store, ctx, org_id, quarter).await?;
    let totals = super::compliance::totals(&items);
    let (met, missed): (Vec<_>, Vec<_>) = items.into_iter().filter(|c| c.owed > 0).partition(|c| c.overdue == 0);
    Ok(Bulletin { org_id: o.id, org_name: o.name, period: quarter.to_string(), as_of: Date(time::today_cst()), totals, met, missed })
}

/// The bulletin as a workbook: one sheet, a row per organisation.
pub fn bulletin_xlsx(b: &Bulletin) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| StoreError::Db(sea_orm::DbErr::Custom(format!("季通报表格生成失败：{e}")));
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(format!("{}季通报", b.period)).map_err(fail)?;
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let title = format!("{} {} 组织生活落实情况通报（截至{}）", b.org_name, b.period, b.as_of);
    sheet.write_string_with_format(0, 0, &title, &Format::new().set_bold()).map_err(fail)?;
    let summary = format!(
        "应开展组织 {} 个，全部完成 {} 个；应完成 {} 项，已完成 {} 项（其中逾期补开 {} 项），逾期未完成 {} 项，尚未到期 {} 项。",
        b.totals.orgs, b.totals.orgs_all_met, b.totals.obligations, b.totals.done, b.totals.done_late, b.totals.overdue, b.totals.due
    );
    sheet.write_string(1, 0, &summary).map_err(fail)?;
    for (col, h) in ["序号", "组织", "类别", "应完成", "按期完成", "逾期补开", "逾期未完成事项"].iter().enumerate() {
        sheet.write_string_with_format(3, col as u16, *h, &bold).map_err(fail)?;
    }
    for (row, (i, c)) in (4u32..).zip(b.missed.iter().chain(b.met.iter()).enumerate()) {
        sheet.write_number(row, 0, (i + 1) as f64).map_err(fail)?;
        sheet.write_string(row, 1, &c.org_name).map_err(fail)?;
        sheet.write_string(row, 2, c.org_kind.label()).map_err(fail)?;
        sheet.write_number(row, 3, f64::from(c.owed)).map_err(fail)?;
        sheet.write_number(row, 4, f64::from(c.met_on_time)).map_err(fail)?;
        sheet.write_number(row, 5, f64::from(c.met - c.met_on_time)).map_err(fail)?;
        let missed = Bulletin::missed_text(c);
        sheet.write_string(row, 6, if missed.is_empty() { "到期事项均已完成" } else { &missed }).map_err(fail)?;
    }
    sheet.set_column_width(1, 28).map_err(fail)?;
    sheet.set_column_width(6, 60).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}
