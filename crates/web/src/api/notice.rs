//! 提醒: the caller's reminders, the bell's count, marking them read, the email they go to; and
//! for an organisation's administrator, how its reminders were delivered.

use axum::extract::{Path, Query, State};
use axum::Json;
use dangjian_store::notice::{self, Contact, NoticeQuery, Notification, OrgDeliveries};
use dangjian_store::{Page, StoreError};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread))
        .routes(routes!(read_one))
        .routes(routes!(read_all))
        .routes(routes!(contact, set_contact))
        .routes(routes!(deliveries))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Unread reminders, counted up to 100.
    pub unread: i64,
}

#[utoipa::path(get, path = "/notifications", params(NoticeQuery), responses((status = 200, body = NotificationPage), (status = 400, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<NoticeQuery>) -> Result<Json<NotificationPage>, ApiError> {
    let Page { items, total, page, per_page } = notice::list(&s.store, &auth.ctx, &q).await?;
    let unread = notice::unread_count(&s.store, &auth.ctx).await?;
    Ok(Json(NotificationPage { items, total, page, per_page, unread }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Unread {
    /// Unread reminders, counted up to 100 (the bell shows 99+ beyond 99).
    pub unread: i64,
}

#[utoipa::path(get, path = "/notifications/unread", responses((status = 200, body = Unread)))]
async fn unread(State(s): State<AppState>, auth: Authed) -> Result<Json<Unread>, ApiError> {
    Ok(Json(Unread { unread: notice::unread_count(&s.store, &auth.ctx).await? }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Marked {
    /// Reminders marked read by this call.
    pub marked: u64,
    pub unread: i64,
}

#[utoipa::path(post, path = "/notifications/{id}/read", params(("id" = i64, Path)), responses((status = 200, body = Marked), (status = 404, body = Problem)))]
async fn read_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Marked>, ApiError> {
    let marked = notice::mark_read(&s.store, &auth.ctx, Some(id)).await?;
    Ok(Json(Marked { marked, unread: notice::unread_count(&s.store, &auth.ctx).await? }))
}

#[utoipa::path(post, path = "/notifications/read-all", responses((status = 200, body = Marked)))]
async fn read_all(State(s): State<AppState>, auth: Authed) -> Result<Json<Marked>, ApiError> {
    let marked = notice::mark_read(&s.store, &auth.ctx, None).await?;
    Ok(Json(Marked { marked, unread: notice::unread_count(&s.store, &auth.ctx).await? }))
}

#[utoipa::path(get, path = "/notifications/contact", responses((status = 200, body = Contact)))]
async fn contact(State(s): State<AppState>, auth: Authed) -> Result<Json<Contact>, ApiError> {
    Ok(Json(notice::contact(&s.store, &auth.ctx).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ContactBody {
    /// 提醒邮箱; empty removes it.
    #[serde(default)]
    pub email: String,
}

#[utoipa::path(put, path = "/notifications/contact", request_body = ContactBody, responses((status = 200, body = Contact), (status = 422, body = Problem)))]
async fn set_contact(State(s): State<AppState>, auth: Authed, Json(b): Json<ContactBody>) -> Result<Json<Contact>, ApiError> {
    Ok(Json(notice::set_email(&s.store, &auth.ctx, &b.email).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct DeliveriesQuery {
    /// The organisation whose reminders are shown.
    pub org: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/notifications/deliveries", params(DeliveriesQuery), responses((status = 200, body = OrgDeliveries), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn deliveries(State(s): State<AppState>, auth: Authed, Query(q): Query<DeliveriesQuery>) -> Result<Json<OrgDeliveries>, ApiError> {
    let org = q.org.ok_or_else(|| StoreError::invalid("org", "required", "请指定组织（参数 org，组织编号）"))?;
    Ok(Json(notice::deliveries(&s.store, &auth.ctx, org, q.page, q.per_page).await?))
}
