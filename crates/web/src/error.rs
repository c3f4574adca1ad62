//! One error, rendered two ways: `application/problem+json` for the API, an HTML page for people.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use dangjian_store::StoreError;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// RFC 9457 problem details, with a machine `code` and Chinese `title`/`detail`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: u16,
    pub code: String,
    pub title: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub fn status_of(e: &StoreError) -> StatusCode {
    match e {
        StoreError::NotFound => StatusCode::NOT_FOUND,
        StoreError::Forbidden => StatusCode::FORBIDDEN,
        StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        StoreError::Conflict { .. } => StatusCode::CONFLICT,
        StoreError::Auth(_) => StatusCode::UNAUTHORIZED,
        StoreError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        StoreError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        401 => "需要登录",
        403 => "没有权限",
        404 => "未找到",
        409 => "与现有数据冲突",
        413 => "文件过大",
        422 => "填写的内容有误",
        429 => "操作过于频繁",
        _ => "系统错误",
    }
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem { kind: "about:blank".into(), status: status.as_u16(), code: code.into(), title: title_of(status).into(), detail: detail.into(), errors: vec![] }
    }

    pub fn from_store(e: &StoreError) -> Problem {
        let status = status_of(e);
        if let StoreError::Db(inner) = e {
            tracing::error!(error = %inner, "database error");
        }
        let detail = if matches!(e, StoreError::Db(_)) { "系统暂时无法完成此操作，请稍后再试".to_string() } else { e.to_string() };
        let mut p = Problem::new(status, e.code(), detail);
        if let StoreError::Invalid(v) = e {
            p.errors = v.iter().map(|i| FieldError { field: i.field.into(), code: i.code.into(), message: i.message.clone() }).collect();
        }
        p
    }
}

/// Error of an API handler.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(Problem::from_store(&e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self.0).unwrap_or_default();
        let mut res = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        res.extensions_mut().insert(crate::guard::Rendered { code: self.0.code });
        res
    }
}

/// The problem as problem+json for the API, as the error page for people.
pub fn respond(api: bool, p: Problem) -> Response {
    if api { ApiError(p).into_response() } else { PageError(p).into_response() }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    detail: &'a str,
}

/// Error of a page handler: a plain page with the message and a way back.
#[derive(Debug)]
pub struct PageError(pub Problem);

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError(Problem::from_store(&e))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let page = ErrorPage { title: &self.0.title, detail: &self.0.detail };
        let mut res = (status, Html(page.render().unwrap_or_else(|_| self.0.detail.clone()))).into_response();
        res.extensions_mut().insert(crate::guard::Rendered { code: self.0.code });
        res
    }
}
