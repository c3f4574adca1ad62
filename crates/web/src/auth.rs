//! Who is calling: the session from the cookie (browsers) or the bearer token (API clients),
//! the forced password change, and CSRF for cookie-authenticated writes.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use dangjian_store::account::{self, Session};
use dangjian_store::Ctx;

use crate::error::{ApiError, Problem};
use crate::{AppState, WebSettings};

pub fn cookie_name(s: &WebSettings) -> &'static str {
    // Browsers only accept the __Host- prefix together with Secure, i.e. over TLS.
    if s.secure_cookies { "__Host-dj_session" } else { "dj_session" }
}

pub fn session_cookie(s: &WebSettings, token: &str) -> String {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    format!("{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}", cookie_name(s))
}

pub fn clear_cookie(s: &WebSettings) -> String {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", cookie_name(s))
}

/// The peer's address (`into_make_service_with_connect_info`), as the audit log records it.
pub fn client_ip(peer: Option<&ConnectInfo<SocketAddr>>) -> String {
    peer.map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

fn cookie_token<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Authed {
    pub ctx: Ctx,
    pub session: Session,
    pub bearer: bool,
    /// 提醒: unread reminders for the bell of a page (counted for page views only).
    pub unread: i64,
}

impl Authed {
    /// Checks the token of a submitted form against the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), Rejection> {
        if self.bearer || constant_eq(token.as_bytes(), self.session.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(Rejection { api: false, kind: RejectKind::Csrf })
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectKind {
    Unauthenticated,
    MustChangePassword,
    MustEnrolSecondFactor,
    Csrf,
    Internal,
}

#[derive(Debug)]
pub struct Rejection {
    pub api: bool,
    pub kind: RejectKind,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let refusal = match self.kind {
            RejectKind::MustChangePassword => Some("password_change_required"),
            RejectKind::MustEnrolSecondFactor => Some("second_factor_required"),
            RejectKind::Csrf => Some("csrf"),
            RejectKind::Unauthenticated | RejectKind::Internal => None,
        };
        let res = self.render();
        match refusal {
            Some(r) => crate::guard::refused(res, r),
            None => res,
        }
    }
}

impl Rejection {
    fn render(self) -> Response {
        match (self.api, self.kind) {
            (true, RejectKind::Unauthenticated) => ApiError(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录，或会话已过期")).into_response(),
            (true, RejectKind::MustEnrolSecondFactor) => ApiError(Problem::new(StatusCode::FORBIDDEN, "second_factor_required", "管理员须先开启动态口令（双因素认证）")).into_response(),
            (false, RejectKind::MustEnrolSecondFactor) => Redirect::to("/totp").into_response(),
            (true, RejectKind::MustChangePassword) => ApiError(Problem::new(StatusCode::FORBIDDEN, "password_change_required", "首次登录或密码已过期，请先修改密码")).into_response(),
            (_, RejectKind::Csrf) => {
                let p = Problem::new(StatusCode::FORBIDDEN, "csrf", "页面已过期或请求来源不可信，请刷新页面后重试");
                crate::error::respond(self.api, p)
            }
            (true, RejectKind::Internal) => ApiError(Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "系统暂时无法完成此操作")).into_response(),
            (false, RejectKind::Internal) => crate::error::PageError(Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "系统暂时无法完成此操作")).into_response(),
            (false, RejectKind::Unauthenticated) => Redirect::to("/login").into_response(),
            (false, RejectKind::MustChangePassword) => Redirect::to("/password").into_response(),
        }
    }
}

/// Paths a caller who must change their password may still use.
fn allowed_before_change(path: &str) -> bool {
    matches!(path, "/password" | "/logout" | "/api/v1/me" | "/api/v1/me/password" | "/api/v1/logout")
}

fn allowed_before_enrolment(path: &str) -> bool {
    allowed_before_change(path) || matches!(path, "/totp" | "/totp/start" | "/totp/confirm" | "/api/v1/me/totp" | "/api/v1/me/totp/confirm")
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Nested routers see their path with the prefix stripped; decisions need the full one.
        let path = parts.extensions.get::<OriginalUri>().map(|u| u.0.path().to_string()).unwrap_or_else(|| parts.uri.path().to_string());
        let api = path.starts_with("/api/");
        let reject = |kind| Rejection { api, kind };
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (token, is_bearer) = match bearer {
            Some(t) => (t.to_string(), true),
            None => match cookie_token(parts, cookie_name(&state.settings)) {
                Some(t) => (t.to_string(), false),
                None => return Err(reject(RejectKind::Unauthenticated)),
            },
        };
        let session = match account::session(&state.store, &state.settings.auth, &token).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(reject(RejectKind::Unauthenticated)),
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return Err(reject(RejectKind::Internal));
            }
        };
        let ctx = Ctx { actor: session.actor.clone(), ip: client_ip(parts.extensions.get()) };
        if let Some(c) = parts.extensions.get::<crate::guard::Caller>() {
            c.set(&ctx);
        }
        if session.must_change && !allowed_before_change(&path) {
            return Err(reject(RejectKind::MustChangePassword));
        }
        if session.must_enrol_second_factor && !allowed_before_enrolment(&path) {
            return Err(reject(RejectKind::MustEnrolSecondFactor));
        }
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if api && !is_bearer && unsafe_method {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !constant_eq(sent.as_bytes(), session.csrf.as_bytes()) {
                return Err(reject(RejectKind::Csrf));
            }
        }
        let unread = if api || parts.method != Method::GET { 0 } else { dangjian_store::notice::unread_count(&state.store, &ctx).await.unwrap_or(0) };
        Ok(Authed { ctx, session, bearer: is_bearer, unread })
    }
}
