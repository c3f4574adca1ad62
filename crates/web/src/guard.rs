//! What every request passes through, whatever its handler: the origin check on writes, the
//! audit of refusals, one error format for the framework's own rejections, and the security
//! headers (SECURITY.md "Web hygiene", "Audit").

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use dangjian_store::{audit, Ctx};

use crate::auth::client_ip;
use crate::error::{respond, Problem};
use crate::AppState;

/// Set on a response whose error was rendered by us (problem+json or the error page), with
/// its machine code; a 4xx or 5xx without it came from the framework.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub code: String,
}

/// Set on a response that refused the caller although its status does not say so (the
/// redirect to the forced password change), so the refusal is audited all the same.
#[derive(Debug, Clone, Copy)]
pub struct Refused(pub &'static str);

/// Who made the request, once the session is known: the `Authed` extractor fills it in, the
/// refusal audit reads it after the handler.
#[derive(Debug, Clone, Default)]
pub struct Caller(Arc<Mutex<Option<Ctx>>>);

impl Caller {
    pub fn set(&self, ctx: &Ctx) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(ctx.clone());
    }

    fn get(&self) -> Option<Ctx> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `host[:port]` of an `Origin` or `Referer` value.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// A write that a browser sent from another site. Browsers send `Origin` on every cross-origin
/// POST and `Sec-Fetch-Site` on every request; a page of ours sends `same-origin`. Clients that
/// send neither (scripts, API clients with a bearer token) are not browsers and carry no
/// ambient cookie an attacker could borrow, so they pass here and meet the token checks.
fn cross_site(headers: &HeaderMap) -> bool {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    if matches!(get("sec-fetch-site"), Some("cross-site" | "same-site")) {
        return true;
    }
    // A proxy that rewrites `Host` usually passes the original as `X-Forwarded-Host`; trusting
    // it is safe here, because a page on another site cannot make the browser send it.
    let hosts = [get(header::HOST.as_str()), get("x-forwarded-host")];
    if hosts.iter().all(Option::is_none) {
        return false;
    }
    let ours = |url: &str| authority(url).is_some_and(|a| hosts.iter().flatten().any(|h| a.eq_ignore_ascii_case(h)));
    match get(header::ORIGIN.as_str()) {
        Some("null") => true,
        Some(o) => !ours(o),
        None => get(header::REFERER.as_str()).is_some_and(|r| !ours(r)),
    }
}

/// Refuses writes sent from another origin (login CSRF included: the login form has no session
/// token to check yet), and audits every refusal: denied writes, refused input, CSRF and origin
/// refusals, the forced-password-change block. Denials decided by the policy are audited where
/// they are decided (`Store::authorize`), so their codes are skipped here.
pub async fn refusals(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Kept as they are (cheap clones); the strings of the audit row are made only for a refusal.
    let (method, uri, peer) = (req.method().clone(), req.uri().clone(), req.extensions().get::<ConnectInfo<SocketAddr>>().copied());
    let caller = Caller::default();
    req.extensions_mut().insert(caller.clone());
    let res = if is_write(&method) && cross_site(req.headers()) {
        let p = Problem::new(StatusCode::FORBIDDEN, "cross_origin", "请求来自其他网站，已拒绝。请直接在本系统的页面中操作");
        respond(uri.path().starts_with("/api/"), p)
    } else {
        next.run(req).await
    };
    let status = res.status();
    let code = res.extensions().get::<Rendered>().map(|r| r.code.clone());
    let reason = match (res.extensions().get::<Refused>(), code.as_deref()) {
        (Some(Refused(r)), _) => Some((*r).to_string()),
        (None, Some("not_found" | "forbidden")) => None,
        (None, Some(c)) if is_write(&method) && matches!(status.as_u16(), 400 | 403 | 409 | 413 | 422 | 429) => Some(c.to_string()),
        _ => None,
    };
    if let Some(reason) = reason {
        let path: String = uri.path().chars().take(200).collect();
        let ctx = caller.get().unwrap_or_else(|| Ctx::anonymous(&client_ip(peer.as_ref())));
        let action = format!("refused:{method} {path}");
        if let Err(e) = audit::refusal::record(&state.store, &ctx, &action, &path, &reason, &reason, serde_json::Value::Null).await {
            tracing::error!(error = %e, "refusal not audited");
        }
    }
    res
}

fn fallback_problem(status: StatusCode, detail: &str) -> Problem {
    let shown: String = detail.chars().take(200).collect();
    let (code, message) = match status.as_u16() {
        400 => ("bad_request", format!("请求无法识别：{shown}")),
        404 => ("not_found", "未找到该页面或接口".to_string()),
        405 => ("method_not_allowed", "该地址不支持此请求方法".to_string()),
        413 => ("too_large", "提交的内容过大".to_string()),
        415 => ("unsupported_media_type", "请求内容的类型不对：接口要求 Content-Type: application/json".to_string()),
        422 => ("bad_body", format!("请求内容无法识别：{shown}")),
        s if s >= 500 => ("internal", "系统暂时无法完成此操作".to_string()),
        _ => ("bad_request", format!("请求有误：{shown}")),
    };
    Problem::new(status, code, message)
}

/// The framework's own rejections (a query string that does not parse, bad JSON, a path that is
/// not a number, an unknown route, a body over the limit) answer like our errors: problem+json
/// under `/api/`, the error page elsewhere.
pub async fn uniform_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    // Ours are marked, or are pages and JSON a handler rendered with its status (a form shown
    // again with its errors is a 422 page); the framework's rejections are plain text or empty.
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ours = res.extensions().get::<Rendered>().is_some() || content_type.starts_with("text/html") || content_type.contains("json");
    if !(status.is_client_error() || status.is_server_error()) || ours {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let p = fallback_problem(parts.status, &text);
    let mut out = respond(api, p);
    for (k, v) in parts.headers.iter().filter(|(k, _)| *k == header::ALLOW) {
        out.headers_mut().insert(k, v.clone());
    }
    out
}

/// SECURITY.md "Web hygiene": CSP without inline script, nosniff, same-origin referrer, no
/// framing, HSTS under TLS, and no caching of pages that may carry personal data.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The path only: query strings may carry search terms, which are personal data.
    let (method, path, started) = (req.method().clone(), req.uri().path().to_string(), std::time::Instant::now());
    let mut res = next.run(req).await;
    tracing::debug!(%method, path = %path.escape_debug(), status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.settings.secure_cookies {
        // Only when served over TLS: over plain HTTP the header is ignored anyway, and an
        // intranet test install must stay reachable without a certificate.
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Marks a response as a refusal to audit, whatever its status (a rejection's redirect).
pub fn refused(mut res: Response<Body>, reason: &'static str) -> Response<Body> {
    res.extensions_mut().insert(Refused(reason));
    res
}
