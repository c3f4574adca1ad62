//! The audit log viewer (审计管理员 only), with chain verification.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use dangjian_store::audit::{self, AuditQuery, AuditRow, VerifyReport};
use dangjian_store::Page;

use super::{render, Nav};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Params {
    page: String,
    action: String,
    username: String,
    verify: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    nav: Nav,
    result: Page<AuditRow>,
    action: String,
    username: String,
    report: Option<VerifyReport>,
    next: Option<String>,
    prev: Option<String>,
}

impl ListPage {
    fn time(&self, unix: &i64) -> String {
        dangjian_domain::time::format_unix_cst(*unix)
    }
}

async fn list(State(s): State<AppState>, auth: Authed, Query(p): Query<Params>) -> Result<Response, PageError> {
    let q = AuditQuery { page: super::page_param(&p.page)?, per_page: Some(50), action: Some(p.action.clone()), username: Some(p.username.clone()) };
    let result = audit::list(&s.store, &auth.ctx, &q).await?;
    let report = if p.verify == "1" { Some(audit::verify(&s.store).await?) } else { None };
    let link = |page: u64| format!("/audit?{}&page={page}", serde_urlencoded::to_string([("action", &p.action), ("username", &p.username)]).unwrap_or_default());
    let pages = result.total.div_ceil(result.per_page).max(1);
    Ok(render(&ListPage {
        nav: Nav::of(&auth),
        next: (result.page < pages).then(|| link(result.page + 1)),
        prev: (result.page > 1).then(|| link(result.page - 1)),
        result,
        action: p.action,
        username: p.username,
        report,
    }))
}
