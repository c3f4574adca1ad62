//! Login, logout, the current account and its password.

use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dangjian_store::account::{self, AccountView};
use std::net::SocketAddr;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{clear_cookie, session_cookie, Authed};
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(totp_start))
        .routes(routes!(totp_confirm))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    /// 动态口令: the 6-digit code, for accounts that enrolled a second factor.
    #[serde(default)]
    pub otp: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    pub token: String,
    /// Send as `X-CSRF-Token` on writes that use the session cookie instead of the token.
    pub csrf_token: String,
    pub must_change_password: bool,
}

/// Attempts per client address per five minutes, on top of the per-account lockout.
pub const LOGIN_ATTEMPTS_PER_IP: u32 = 30;

pub fn login_allowed(state: &AppState, ip: &str) -> bool {
    state.limiter.allow(&format!("login:{ip}"), LOGIN_ATTEMPTS_PER_IP, 300)
}

#[utoipa::path(post, path = "/login", request_body = LoginBody, responses((status = 200, body = LoginAnswer), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn login(State(state): State<AppState>, ConnectInfo(addr): ConnectInfo<SocketAddr>, Json(body): Json<LoginBody>) -> Result<Response, ApiError> {
    let ip = addr.ip().to_string();
    if !login_allowed(&state, &ip) {
        return Err(ApiError(Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "登录尝试过于频繁，请5分钟后再试")));
    }
    let ok = account::login(&state.store, &state.settings.auth, &body.username, &body.password, &body.otp, &ip).await?;
    let cookie = session_cookie(&state.settings, &ok.token);
    Ok(([(header::SET_COOKIE, cookie)], Json(LoginAnswer { token: ok.token, csrf_token: ok.csrf, must_change_password: ok.must_change })).into_response())
}

#[utoipa::path(post, path = "/logout", responses((status = 204)))]
async fn logout(State(state): State<AppState>, auth: Authed) -> Result<Response, ApiError> {
    account::logout(&state.store, &auth.ctx, &auth.session.session_id).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie(&state.settings))]).into_response())
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RoleScope {
    pub role: dangjian_domain::policy::Role,
    pub org_id: i64,
    pub org_name: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeAnswer {
    pub account: AccountView,
    /// The person the account belongs to, if any (masked).
    pub person: Option<dangjian_store::member::MemberRow>,
    pub roles: Vec<RoleScope>,
    pub must_change_password: bool,
    pub second_factor_enrolled: bool,
    pub must_enrol_second_factor: bool,
    pub csrf_token: String,
}

#[utoipa::path(get, path = "/me", responses((status = 200, body = MeAnswer), (status = 401, body = Problem)))]
async fn me(State(state): State<AppState>, auth: Authed) -> Result<Json<MeAnswer>, ApiError> {
    let account = account::me(&state.store, &auth.ctx).await?;
    let person = match account.account.member_id {
        Some(mid) => dangjian_store::member::get(&state.store, &auth.ctx, mid).await.ok().map(|m| m.as_row()),
        None => None,
    };
    let roles = account.roles.iter().map(|g| RoleScope { role: g.role, org_id: g.org_id, org_name: g.org_name.clone() }).collect();
    Ok(Json(MeAnswer { roles, person,
        account: account.clone(), must_change_password: auth.session.must_change, second_factor_enrolled: account.account.second_factor(), must_enrol_second_factor: auth.session.must_enrol_second_factor, csrf_token: auth.session.csrf.clone() }))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    pub old_password: String,
    pub new_password: String,
}

#[utoipa::path(post, path = "/me/password", request_body = PasswordBody, responses((status = 204), (status = 422, body = Problem)))]
async fn change_password(State(state): State<AppState>, auth: Authed, Json(body): Json<PasswordBody>) -> Result<StatusCode, ApiError> {
    account::change_password(&state.store, &state.settings.auth, &auth.ctx, &auth.session.session_id, &body.old_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts enrolling a TOTP second factor: returns the secret for an authenticator app.
#[utoipa::path(post, path = "/me/totp", responses((status = 200, body = account::TotpSetup)))]
async fn totp_start(State(state): State<AppState>, auth: Authed) -> Result<Json<account::TotpSetup>, ApiError> {
    Ok(Json(account::totp_start(&state.store, &auth.ctx).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    pub code: String,
}

/// Confirms the second factor with a current code; from then on login asks for a code.
#[utoipa::path(post, path = "/me/totp/confirm", request_body = CodeBody, responses((status = 204), (status = 422, body = Problem)))]
async fn totp_confirm(State(state): State<AppState>, auth: Authed, Json(body): Json<CodeBody>) -> Result<StatusCode, ApiError> {
    account::totp_confirm(&state.store, &auth.ctx, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}
