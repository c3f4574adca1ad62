//! `/api/v1`: the same capabilities and authorisation as the pages, documented at
//! `/api/v1/openapi.json`; errors are `application/problem+json`.

mod account;
mod appraisal;
mod audit;
mod duty;
mod job;
pub mod life;
pub mod member;
mod notice;
mod org;
mod report;
pub mod session;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "dangjian API", version = "1", description = "机关党建工作平台接口。认证：POST /login 取得 token，之后以 `Authorization: Bearer <token>` 调用；浏览器会话的写操作须带 `X-CSRF-Token` 头。"),
    servers((url = "/api/v1")),
    components(schemas(crate::error::Problem))
)]
struct ApiDoc;

pub fn router() -> Router<AppState> {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(session::routes())
        .merge(org::routes())
        .merge(member::routes())
        .merge(life::routes())
        .merge(appraisal::routes())
        .merge(duty::routes())
        .merge(account::routes())
        .merge(audit::routes())
        .merge(job::routes())
        .merge(notice::routes())
        .merge(report::routes())
        .split_for_parts();
    let doc = Arc::new(doc);
    router.route("/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
}

/// `{"id": N}` path parameters and the common page query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}
