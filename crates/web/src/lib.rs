//! dangjian-web: server-rendered pages and the JSON API over the same store calls.

pub mod api;
pub mod auth;
pub mod error;
pub mod guard;
pub mod pages;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use dangjian_store::account::AuthSettings;
use dangjian_store::Store;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<WebSettings>,
    pub limiter: Arc<RateLimiter>,
}

#[derive(Debug, Clone)]
pub struct WebSettings {
    pub auth: AuthSettings,
    /// Served over TLS (directly or behind a proxy): cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Largest upload accepted (roster imports), in bytes.
    pub max_upload: usize,
    /// Show the 月评比 (the monthly ranking of organisations).
    pub life_ranking: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings { auth: AuthSettings::default(), secure_cookies: false, max_upload: 32 * 1024 * 1024, life_ranking: true }
    }
}

/// Fixed-window counters per key (client IP): login attempts and bulk exports.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// True when the call is allowed; at most `limit` calls per `window_secs` per key.
    pub fn allow(&self, key: &str, limit: u32, window_secs: i64) -> bool {
        let now = dangjian_domain::time::now_unix();
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now - *start < window_secs);
        }
        let e = w.entry(key.to_string()).or_insert((now, 0));
        if now - e.0 >= window_secs {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= limit
    }
}

pub fn router(state: AppState) -> Router {
    let max_upload = state.settings.max_upload;
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(pages::static_css))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(max_upload))
        .layer(middleware::from_fn(guard::uniform_errors))
        .layer(middleware::from_fn_with_state(state.clone(), guard::refusals))
        .layer(middleware::from_fn_with_state(state.clone(), guard::headers))
        .with_state(state)
}

/// Turned into the error page or problem+json by `guard::uniform_errors`.
async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "unavailable"}))).into_response(),
    }
}
