//! 落实情况 pages: 周检查 (what is overdue or soon due), 月评比 (the monthly ranking), 季通报 (the
//! quarterly bulletin, printable on A4 and as xlsx).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time;
use dangjian_store::life::bulletin::{self, Bulletin, Open, Place};
use dangjian_store::life::compliance::parse_period;

use crate::auth::Authed;
use crate::error::PageError;
use crate::pages::{render, Nav};
use crate::AppState;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct ComplianceParams {
    org: String,
    period: String,
    /// `week` (default), `month` or `quarter`.
    view: String,
}

impl ComplianceParams {
    fn org(&self) -> Option<i64> {
        self.org.trim().parse().ok()
    }
}

/// How far ahead the weekly check looks.
const WEEK_AHEAD_DAYS: u64 = 14;

#[derive(Template)]
#[template(path = "life/compliance.html")]
struct CompliancePage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    view: &'static str,
    period: String,
    today: NaiveDate,
    ranking_on: bool,
    week: Vec<Open>,
    places: Vec<Place>,
    bulletin: Option<Bulletin>,
}

impl CompliancePage {
    fn tab(&self, view: &str) -> String {
        match self.org_id {
            0 => format!("/compliance?view={view}"),
            id => format!("/compliance?org={id}&view={view}"),
        }
    }
}

/// A month or a quarter asked for, or the last one that has ended: the ranking and the bulletin
/// are drawn up after the period.
fn period_or_last(s: &str, kind: PeriodKind, today: NaiveDate) -> Result<Period, PageError> {
    if s.trim().is_empty() {
        return Ok(Period::containing(kind, today).and_then(|p| p.prev()).expect("a period before today's"));
    }
    Ok(parse_period(Some(s), today)?)
}

pub(super) async fn page(State(s): State<AppState>, auth: Authed, Query(q): Query<ComplianceParams>) -> Result<Response, PageError> {
    let today = time::today_cst();
    let ranking_on = s.settings.life_ranking;
    let mut p = CompliancePage {
        nav: Nav::of(&auth),
        org_id: 0,
        org_name: String::new(),
        view: "week",
        period: String::new(),
        today,
        ranking_on,
        week: Vec::new(),
        places: Vec::new(),
        bulletin: None,
    };
    match q.view.as_str() {
        "month" => {
            let month = period_or_last(&q.period, PeriodKind::Month, today)?;
            p.view = "month";
            p.period = month.to_string();
            if ranking_on {
                let (id, name, places) = bulletin::ranking(&s.store, &auth.ctx, q.org(), month).await?;
                (p.org_id, p.org_name, p.places) = (id, name, places);
            } else if let Some(id) = q.org() {
                let o = dangjian_store::org::node(&s.store, id).await?;
                (p.org_id, p.org_name) = (o.id, o.name);
            }
        }
        "quarter" => {
            let quarter = period_or_last(&q.period, PeriodKind::Quarter, today)?;
            let b = bulletin::bulletin(&s.store, &auth.ctx, q.org(), quarter).await?;
            p.view = "quarter";
            p.period = b.period.clone();
            (p.org_id, p.org_name) = (b.org_id, b.org_name.clone());
            p.bulletin = Some(b);
        }
        _ => {
            let (id, name, items) = bulletin::weekly(&s.store, &auth.ctx, q.org(), today, WEEK_AHEAD_DAYS).await?;
            (p.org_id, p.org_name, p.week) = (id, name, items);
        }
    }
    Ok(render(&p))
}

/// 季通报 as a workbook.
pub(super) async fn bulletin_xlsx(State(s): State<AppState>, auth: Authed, Query(q): Query<ComplianceParams>) -> Result<Response, PageError> {
    let quarter = period_or_last(&q.period, PeriodKind::Quarter, time::today_cst())?;
    let b = bulletin::bulletin(&s.store, &auth.ctx, q.org(), quarter).await?;
    let bytes = bulletin::bulletin_xlsx(&b)?;
    let name = format!("{}季通报.xlsx", b.period);
    let encoded: String = name.bytes().map(|c| if c.is_ascii_alphanumeric() || c == b'.' { (c as char).to_string() } else { format!("%{c:02X}") }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"bulletin-{}.xlsx\"; filename*=UTF-8''{encoded}", b.period)),
        ],
        bytes,
    )
        .into_response())
}
