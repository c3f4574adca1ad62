//! `/api/v1`: the same capabilities and authorisation as the pages, documented at
//! `/api/v1/openapi.json`; errors are `application/problem+json`.

mod account;
mod appraisal;
mod audit;
mod duty;
pub(crate) mod honour;
mod inspection;
mod job;
pub mod life;
pub mod member;
mod notice;
mod org;
mod report;
mod review;
pub mod session;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::{ApiError, FieldError, Problem};
use crate::AppState;

/// A JSON request body, or why it could not be read.
pub(crate) type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// The body, or a 422 whose field error names the first of the area's `fields` serde stopped at
/// (`body` when none is named).
pub(crate) fn json_body<T>(r: Body<T>, fields: &[&'static str]) -> Result<T, ApiError> {
    r.map(|Json(b)| b).map_err(|e| {
        let detail = e.body_text();
        let field = fields.iter().copied().find(|f| detail.contains(f)).unwrap_or("body");
        let mut p = Problem::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "bad_body", format!("请求内容无法识别：{detail}"));
        p.errors = vec![FieldError { field: field.into(), code: "bad_body".into(), message: format!("字段{field}的内容无法识别") }];
        ApiError(p)
    })
}

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
        .merge(honour::routes())
        .merge(account::routes())
        .merge(audit::routes())
        .merge(job::routes())
        .merge(notice::routes())
        .merge(report::routes())
        .merge(review::routes())
        .merge(inspection::routes())
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
