//! 定时任务 — the scheduled jobs page (系统管理员).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use dangjian_store::job::{self, JobsView};

use super::{render, Nav};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/jobs", get(list))
}

#[derive(Template)]
#[template(path = "job/list.html")]
struct ListPage {
    nav: Nav,
    view: JobsView,
}

impl ListPage {
    fn time(&self, unix: &i64) -> String {
        dangjian_domain::time::format_unix_cst(*unix)
    }

    fn time_opt(&self, unix: &Option<i64>) -> String {
        unix.map(dangjian_domain::time::format_unix_cst).unwrap_or_default()
    }
}

async fn list(State(s): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let view = job::view(&s.store, &auth.ctx).await?;
    Ok(render(&ListPage { nav: Nav::of(&auth), view }))
}
