//! Accounts (系统管理员) and role grants (安全管理员).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_store::account::{self, AccountView, RoleGrant};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::PageQuery;
use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(lock))
        .routes(routes!(unlock))
        .routes(routes!(reset_password))
        .routes(routes!(grant))
        .routes(routes!(revoke))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AccountPage {
    pub items: Vec<AccountView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[utoipa::path(get, path = "/accounts", params(PageQuery), responses((status = 200, body = AccountPage)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<PageQuery>) -> Result<Json<AccountPage>, ApiError> {
    let p = account::list(&s.store, &auth.ctx, q.page, q.per_page).await?;
    Ok(Json(AccountPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// The body of `POST /accounts`; a created account changes its password at first login.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub member_id: Option<i64>,
}

impl From<NewAccount> for account::NewAccount {
    fn from(b: NewAccount) -> Self {
        account::NewAccount { username: b.username, password: b.password, member_id: b.member_id, no_forced_change: false }
    }
}

#[utoipa::path(post, path = "/accounts", request_body = NewAccount, responses((status = 201, body = AccountView), (status = 409, body = Problem)))]
async fn create(State(s): State<AppState>, auth: Authed, Json(b): Json<NewAccount>) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let a = account::create(&s.store, &s.settings.auth, &auth.ctx, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(account::get_view(&s.store, &auth.ctx, a.id).await?)))
}

#[utoipa::path(get, path = "/accounts/{id}", params(("id" = i64, Path)), responses((status = 200, body = AccountView)))]
async fn get_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(account::get_view(&s.store, &auth.ctx, id).await?))
}

#[utoipa::path(post, path = "/accounts/{id}/lock", params(("id" = i64, Path)), responses((status = 204)))]
async fn lock(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    account::set_locked(&s.store, &auth.ctx, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/accounts/{id}/unlock", params(("id" = i64, Path)), responses((status = 204)))]
async fn unlock(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    account::set_locked(&s.store, &auth.ctx, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ResetBody {
    pub password: String,
}

#[utoipa::path(post, path = "/accounts/{id}/password", params(("id" = i64, Path)), request_body = ResetBody, responses((status = 204)))]
async fn reset_password(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<ResetBody>) -> Result<StatusCode, ApiError> {
    account::reset_password(&s.store, &s.settings.auth, &auth.ctx, id, &b.password, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct GrantBody {
    pub role: String,
    pub org_id: i64,
}

#[utoipa::path(post, path = "/accounts/{id}/roles", params(("id" = i64, Path)), request_body = GrantBody, responses((status = 201, body = RoleGrant), (status = 409, body = Problem)))]
async fn grant(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<GrantBody>) -> Result<(StatusCode, Json<RoleGrant>), ApiError> {
    Ok((StatusCode::CREATED, Json(account::grant(&s.store, &auth.ctx, id, &b.role, b.org_id).await?)))
}

#[utoipa::path(delete, path = "/roles/{id}", params(("id" = i64, Path)), responses((status = 204)))]
async fn revoke(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    account::revoke(&s.store, &auth.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
