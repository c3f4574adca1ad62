//! 考核通报 and 评先表彰: the bulletin of a published assessment (JSON and xlsx, the whole
//! assessment or one 党委), and the honour list drawn from its results — nominations added and
//! removed with a reason, reviewed, published — with the honours of an organisation and of a
//! member.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dangjian_domain::duty::honour::{NominationInput, PublishInput, ReviewInput};
use dangjian_store::duty::bulletin::{self, Bulletin};
use dangjian_store::duty::honour::{self, Honour, HonourListView, NominationView};
use dangjian_store::StoreError;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Body;
use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_bulletin))
        .routes(routes!(bulletin_xlsx))
        .routes(routes!(get_list, draw_up))
        .routes(routes!(nominate))
        .routes(routes!(review))
        .routes(routes!(remove))
        .routes(routes!(publish))
        .routes(routes!(of_org))
        .routes(routes!(of_member))
}

const FIELDS: &[&str] = &["title", "org_id", "member_id", "reason", "decision", "published_on"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
}

/// Which part of the assessment a bulletin covers.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct BulletinQuery {
    /// One 党委 (or any organisation) of the assessed subtree; absent: the whole assessment.
    pub org_id: Option<i64>,
}

/// 考核通报: per organisation its rank, total, tier, outcome, strong and weak points and the change
/// since the last period, with the counts per tier and per outcome.
#[utoipa::path(get, path = "/assessments/{id}/bulletin", params(("id" = i64, Path), BulletinQuery), responses((status = 200, body = Bulletin), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_bulletin(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<BulletinQuery>) -> Result<Json<Bulletin>, ApiError> {
    Ok(Json(bulletin::bulletin(&s.store, &auth.ctx, id, q.org_id).await?))
}

/// A workbook as a download named `ascii` (and `name` for browsers that read UTF-8 names).
pub(crate) fn xlsx_download(ascii: &str, name: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = name.bytes().map(|c| if c.is_ascii_alphanumeric() || c == b'.' { (c as char).to_string() } else { format!("%{c:02X}") }).collect();
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}

/// The bulletin and its file names.
pub(crate) async fn bulletin_file(s: &AppState, auth: &Authed, id: i64, org_id: Option<i64>) -> Result<Response, StoreError> {
    let b = bulletin::bulletin(&s.store, &auth.ctx, id, org_id).await?;
    let bytes = bulletin::bulletin_xlsx(&b)?;
    Ok(xlsx_download(&format!("bulletin-{id}-{}.xlsx", b.org_id), &format!("{}.xlsx", b.title()), bytes))
}

/// 考核通报 as an xlsx workbook, the same figures as the page.
#[utoipa::path(get, path = "/assessments/{id}/bulletin.xlsx", params(("id" = i64, Path), BulletinQuery), responses((status = 200, description = "xlsx file"), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn bulletin_xlsx(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<BulletinQuery>) -> Result<Response, ApiError> {
    Ok(bulletin_file(&s, &auth, id, q.org_id).await?)
}

/// 评先表彰: the honour list of the assessment with its nominations (404 until drawn up).
#[utoipa::path(get, path = "/assessments/{id}/honours", params(("id" = i64, Path)), responses((status = 200, body = HonourListView), (status = 404, body = Problem)))]
async fn get_list(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<HonourListView>, ApiError> {
    Ok(Json(honour::find(&s.store, &auth.ctx, id).await?.ok_or(StoreError::NotFound)?))
}

/// 生成提名名单: the organisations whose tier carries 推荐评先表彰 are proposed as 先进基层党组织.
#[utoipa::path(post, path = "/assessments/{id}/honours", params(("id" = i64, Path)), responses((status = 201, body = HonourListView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn draw_up(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<(StatusCode, Json<HonourListView>), ApiError> {
    Ok((StatusCode::CREATED, Json(honour::draw_up(&s.store, &auth.ctx, id).await?)))
}

/// 增加提名: an organisation (先进基层党组织) or a member (优秀共产党员, 优秀党务工作者) with a reason.
#[utoipa::path(post, path = "/assessments/{id}/honours/nominations", params(("id" = i64, Path)), request_body = NominationInput, responses((status = 201, body = NominationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn nominate(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<NominationInput>) -> Result<(StatusCode, Json<NominationView>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(honour::nominate(&s.store, &auth.ctx, id, &b).await?)))
}

/// 审核: approve or reject a proposed nomination, with the reason.
#[utoipa::path(put, path = "/assessments/{id}/honours/nominations/{nomination_id}/review", params(("id" = i64, Path), ("nomination_id" = i64, Path)), request_body = ReviewInput, responses((status = 200, body = NominationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn review(State(s): State<AppState>, auth: Authed, Path((id, nid)): Path<(i64, i64)>, b: Body<ReviewInput>) -> Result<Json<NominationView>, ApiError> {
    let b = body(b)?;
    Ok(Json(honour::review(&s.store, &auth.ctx, id, nid, &b).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RemovalBody {
    /// 撤销理由.
    pub reason: String,
}

/// 撤销提名: take a nominee not yet reviewed off the list, with the reason.
#[utoipa::path(post, path = "/assessments/{id}/honours/nominations/{nomination_id}/removal", params(("id" = i64, Path), ("nomination_id" = i64, Path)), request_body = RemovalBody, responses((status = 200, body = NominationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove(State(s): State<AppState>, auth: Authed, Path((id, nid)): Path<(i64, i64)>, b: Body<RemovalBody>) -> Result<Json<NominationView>, ApiError> {
    let b = body(b)?;
    Ok(Json(honour::remove(&s.store, &auth.ctx, id, nid, &b.reason).await?))
}

/// 公布: every nomination decided; the approved ones become honours of the organisations' and
/// members' history.
#[utoipa::path(post, path = "/assessments/{id}/honours/publish", params(("id" = i64, Path)), request_body = PublishInput, responses((status = 200, body = HonourListView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn publish(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<PublishInput>) -> Result<Json<HonourListView>, ApiError> {
    let b = body(b)?;
    Ok(Json(honour::publish(&s.store, &auth.ctx, id, &b).await?))
}

/// The honours of an organisation and of its members, newest first.
#[utoipa::path(get, path = "/orgs/{id}/honours", params(("id" = i64, Path)), responses((status = 200, body = Vec<Honour>), (status = 404, body = Problem)))]
async fn of_org(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<Honour>>, ApiError> {
    Ok(Json(honour::of_org(&s.store, &auth.ctx, id).await?))
}

/// A member's honours, newest first.
#[utoipa::path(get, path = "/members/{id}/honours", params(("id" = i64, Path)), responses((status = 200, body = Vec<Honour>), (status = 404, body = Problem)))]
async fn of_member(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<Honour>>, ApiError> {
    Ok(Json(honour::of_member(&s.store, &auth.ctx, id).await?))
}
