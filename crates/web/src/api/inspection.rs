//! 函询（告）: inspections issued as numbered letters to the 党组（党委） of the inspected unit's
//! superior department, and their rectification items tracked to their close (seed 004's
//! 党建工作函询（告）制度).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_domain::duty::inspection::{CloseInput, InspectionInput};
use dangjian_store::duty::inspection::{self, Letter, Listed, Prefill};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Body;
use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, issue))
        .routes(routes!(prefill))
        .routes(routes!(get_letter))
        .routes(routes!(progress))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(confirm))
}

/// The fields a body's error may name, in the order they are looked for.
const FIELDS: &[&str] = &["issuer_org_id", "org_id", "inspectors", "inspected_on", "subject", "findings", "result", "addressee", "prefix", "issued_on", "items", "closed_on", "evidence", "link", "note"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// Within this organisation's subtree; absent: every scope of the caller.
    pub org: Option<i64>,
}

/// 函询（告）: the inspections of organisations in the caller's scope, newest first, with their
/// items open and overdue.
#[utoipa::path(get, path = "/inspections", params(ListQuery), responses((status = 200, body = Vec<Listed>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Json<Vec<Listed>>, ApiError> {
    Ok(Json(inspection::list(&s.store, &auth.ctx, q.org).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IssueBody {
    /// The organisation that inspected and issues the letter (its subtree holds the inspected one).
    pub issuer_org_id: i64,
    /// The organisation inspected.
    pub org_id: i64,
    #[serde(flatten)]
    pub inspection: InspectionInput,
}

/// 发函: records the inspection and issues its letter with the next number of the issuer's year.
#[utoipa::path(post, path = "/inspections", request_body = IssueBody, responses((status = 201, body = Letter), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn issue(State(s): State<AppState>, auth: Authed, b: Body<IssueBody>) -> Result<(StatusCode, Json<Letter>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(inspection::issue(&s.store, &auth.ctx, b.issuer_org_id, b.org_id, &b.inspection).await?)))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PrefillQuery {
    pub issuer: i64,
    pub org: i64,
}

/// What a new letter is prefilled with: the addressee known for the inspected unit, the
/// issuer's 发文字号代字 and the next number.
#[utoipa::path(get, path = "/inspections/prefill", params(PrefillQuery), responses((status = 200, body = Prefill), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn prefill(State(s): State<AppState>, auth: Authed, Query(q): Query<PrefillQuery>) -> Result<Json<Prefill>, ApiError> {
    Ok(Json(inspection::prefill(&s.store, &auth.ctx, q.issuer, q.org).await?))
}

/// The letter with its rectification items and their history.
#[utoipa::path(get, path = "/inspections/{id}", params(("id" = i64, Path)), responses((status = 200, body = Letter), (status = 404, body = Problem)))]
async fn get_letter(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Letter>, ApiError> {
    Ok(Json(inspection::get(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NoteBody {
    /// 整改进展, 退回理由 or 确认意见.
    pub note: String,
}

/// 整改进展: the inspected organisation notes how an open item goes.
#[utoipa::path(post, path = "/rectification-items/{id}/progress", params(("id" = i64, Path)), request_body = NoteBody, responses((status = 200, body = Letter), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn progress(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<NoteBody>) -> Result<Json<Letter>, ApiError> {
    let b = body(b)?;
    Ok(Json(inspection::progress(&s.store, &auth.ctx, id, &b.note).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CloseBody {
    #[serde(flatten)]
    pub close: CloseInput,
}

/// 销号: the inspected organisation closes an item with its evidence (a text, a link, or both).
#[utoipa::path(post, path = "/rectification-items/{id}/close", params(("id" = i64, Path)), request_body = CloseBody, responses((status = 200, body = Letter), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn close(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<CloseBody>) -> Result<Json<Letter>, ApiError> {
    let b = body(b)?;
    Ok(Json(inspection::close(&s.store, &auth.ctx, id, &b.close).await?))
}

/// 退回重改: the inspecting side opens a closed item again, with its reason.
#[utoipa::path(post, path = "/rectification-items/{id}/reopen", params(("id" = i64, Path)), request_body = NoteBody, responses((status = 200, body = Letter), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reopen(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<NoteBody>) -> Result<Json<Letter>, ApiError> {
    let b = body(b)?;
    Ok(Json(inspection::reopen(&s.store, &auth.ctx, id, &b.note).await?))
}

/// 确认销号: the inspecting side accepts a close.
#[utoipa::path(post, path = "/rectification-items/{id}/confirm", params(("id" = i64, Path)), request_body = NoteBody, responses((status = 200, body = Letter), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn confirm(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<NoteBody>) -> Result<Json<Letter>, ApiError> {
    let b = body(b)?;
    Ok(Json(inspection::confirm(&s.store, &auth.ctx, id, &b.note).await?))
}
