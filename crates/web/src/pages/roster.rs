//! Roster import (with its report) and export.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use dangjian_domain::policy::Action;
use dangjian_store::org::{self, Node};
use dangjian_store::roster::{self, ImportReport};

use super::{check_csrf, render, render_status, FieldErrors, Nav};
use crate::api::member::{export_file, read_upload, ExportQuery};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/import", get(page).post(import)).route("/export", get(export))
}

#[derive(Template)]
#[template(path = "roster/import.html")]
struct ImportPage {
    nav: Nav,
    report: Option<ImportReport>,
    error: String,
    orgs: Vec<Node>,
    columns: &'static [&'static str],
}

async fn orgs(s: &AppState, auth: &Authed) -> Result<Vec<Node>, PageError> {
    Ok(org::options(&s.store, &auth.ctx, Action::MemberExport, 500).await?)
}

async fn page(State(s): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let orgs = orgs(&s, &auth).await?;
    Ok(render(&ImportPage { nav: Nav::of(&auth), report: None, error: String::new(), orgs, columns: &roster::format::COLUMNS }))
}

async fn import(State(s): State<AppState>, auth: Authed, mp: Multipart) -> Result<Response, PageError> {
    let orgs_list = orgs(&s, &auth).await?;
    let (file, mode, csrf) = match read_upload(mp).await {
        Ok(x) => x,
        Err(p) => {
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
            return Ok(render_status(status, &ImportPage { nav: Nav::of(&auth), report: None, error: p.detail, orgs: orgs_list, columns: &roster::format::COLUMNS }));
        }
    };
    if let Err(r) = check_csrf(&auth, &csrf) {
        return Ok(r);
    }
    match roster::import(&s.store, &auth.ctx, &file, mode).await {
        Ok(report) => {
            let status = if report.committed { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok(render_status(status, &ImportPage { nav: Nav::of(&auth), report: Some(report), error: String::new(), orgs: orgs_list, columns: &roster::format::COLUMNS }))
        }
        Err(e) => {
            let error = FieldErrors::for_form(e)?.others(&[]).join("；");
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &ImportPage { nav: Nav::of(&auth), report: None, error, orgs: orgs_list, columns: &roster::format::COLUMNS }))
        }
    }
}

async fn export(State(s): State<AppState>, auth: Authed, Query(q): Query<ExportQuery>) -> Response {
    match export_file(&s, &auth, &q).await {
        Ok(r) => r,
        Err(p) => PageError(p).into_response(),
    }
}
