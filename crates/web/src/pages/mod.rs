//! Server-rendered pages: Chinese, no external assets, usable on a phone.

use axum::http::header;
use axum::response::IntoResponse;
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

const CSS: &str = include_str!("../../static/app.css");

pub async fn static_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}
