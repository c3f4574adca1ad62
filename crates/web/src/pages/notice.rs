//! 提醒 — the caller's reminders with their mark-read buttons and the email they go to; the
//! delivery page of an organisation for its administrator.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::policy::Action;
use dangjian_domain::notice::DeliveryStatus;
use dangjian_store::notice::{self, Contact, Delivery, NoticeQuery, Notification, OrgDeliveries};
use dangjian_store::{Page, StoreError};

use super::{can_anywhere, opt_id, page_param, render, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/{id}/read", post(read_one))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/contact", post(set_contact))
        .route("/notifications/deliveries", get(deliveries))
}

fn time(unix: i64) -> String {
    dangjian_domain::time::format_unix_cst(unix)
}

#[derive(Template)]
#[template(path = "notice/list.html")]
struct ListPage {
    nav: Nav,
    result: Page<Notification>,
    unread_only: bool,
    contact: Contact,
    email: String,
    errors: FieldErrors,
    can_deliveries: bool,
    prev: Option<String>,
    next: Option<String>,
}

impl ListPage {
    fn time(&self, unix: &i64) -> String {
        time(*unix)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Params {
    page: String,
    unread: String,
}

async fn list_page(s: &AppState, auth: &Authed, p: &Params, email: String, errors: FieldErrors) -> Result<Response, PageError> {
    let unread_only = p.unread == "1";
    let result = notice::list(&s.store, &auth.ctx, &NoticeQuery { unread: Some(unread_only), page: page_param(&p.page)?, per_page: Some(30) }).await?;
    let contact = notice::contact(&s.store, &auth.ctx).await?;
    let link = |page: u64| format!("/notifications?unread={}&page={page}", if unread_only { "1" } else { "" });
    let pages = result.total.div_ceil(result.per_page).max(1);
    let status = if errors.any() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok(render_status(status, &ListPage {
        nav: Nav::of(auth),
        next: (result.page < pages).then(|| link(result.page + 1)),
        prev: (result.page > 1).then(|| link(result.page - 1)),
        result,
        unread_only,
        contact,
        email,
        errors,
        can_deliveries: can_anywhere(&auth.ctx.actor, Action::NoticeDeliveryRead),
    }))
}

async fn list(State(s): State<AppState>, auth: Authed, Query(p): Query<Params>) -> Result<Response, PageError> {
    list_page(&s, &auth, &p, String::new(), FieldErrors::default()).await
}

#[derive(serde::Deserialize, Default)]
struct Empty {}

async fn read_one(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    notice::mark_read(&s.store, &pf.auth.ctx, Some(id)).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn read_all(State(s): State<AppState>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    notice::mark_read(&s.store, &pf.auth.ctx, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ContactForm {
    email: String,
}

async fn set_contact(State(s): State<AppState>, pf: PageForm<ContactForm>) -> Result<Response, PageError> {
    match notice::set_email(&s.store, &pf.auth.ctx, &pf.form.email).await {
        Ok(_) => Ok(Redirect::to("/notifications").into_response()),
        Err(e) => list_page(&s, &pf.auth, &Params::default(), pf.form.email.clone(), FieldErrors::for_form(e)?).await,
    }
}

#[derive(Template)]
#[template(path = "notice/deliveries.html")]
struct DeliveriesPage {
    nav: Nav,
    view: OrgDeliveries,
    prev: Option<String>,
    next: Option<String>,
}

impl DeliveriesPage {
    fn time(&self, unix: &i64) -> String {
        time(*unix)
    }
    fn retrying(&self, d: &Delivery) -> bool {
        d.status == DeliveryStatus::Failed
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DeliveryParams {
    org: String,
    page: String,
}

async fn deliveries(State(s): State<AppState>, auth: Authed, Query(p): Query<DeliveryParams>) -> Result<Response, PageError> {
    // Without an organisation: the first of the administrator's scope.
    let org = opt_id(&p.org)
        .or_else(|| auth.ctx.actor.scopes(Action::NoticeDeliveryRead).first().and_then(|path| dangjian_domain::org::path_ids(path).last().copied()))
        .ok_or(StoreError::Forbidden)?;
    let view = notice::deliveries(&s.store, &auth.ctx, org, page_param(&p.page)?, Some(50)).await?;
    let pages = view.total.div_ceil(view.per_page).max(1);
    let link = |page: u64| format!("/notifications/deliveries?org={org}&page={page}");
    Ok(render(&DeliveriesPage { nav: Nav::of(&auth), next: (view.page < pages).then(|| link(view.page + 1)), prev: (view.page > 1).then(|| link(view.page - 1)), view }))
}
