//! Organisations: list, create, read, edit, move, dissolve, statistics, posts, terms.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_domain::org::Warning;
use dangjian_domain::org::{OrgInput, OrgPatch, PostInput};
use dangjian_store::org::{self, Org, OrgMove, OrgStats, OrgSummary, Post, Term};
use dangjian_store::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, patch))
        .routes(routes!(move_org))
        .routes(routes!(dissolve))
        .routes(routes!(stats))
        .routes(routes!(children))
        .routes(routes!(moves))
        .routes(routes!(posts, add_post))
        .routes(routes!(end_post))
        .routes(routes!(terms, add_term))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct OrgListQuery {
    /// Children of this organisation; absent: every organisation in scope, in tree order.
    pub parent: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OrgPage {
    pub items: Vec<Org>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl From<Page<Org>> for OrgPage {
    fn from(p: Page<Org>) -> Self {
        OrgPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }
    }
}

#[utoipa::path(get, path = "/orgs", params(OrgListQuery), responses((status = 200, body = OrgPage)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgListQuery>) -> Result<Json<OrgPage>, ApiError> {
    Ok(Json(org::list(&s.store, &auth.ctx, q.parent, q.page, q.per_page).await?.into()))
}




#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OrgWithWarnings {
    #[serde(flatten)]
    pub org: Org,
    /// Rules the organisation breaks; they warn, they do not refuse.
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Warning>,
}

#[utoipa::path(post, path = "/orgs", request_body = OrgInput, responses((status = 201, body = OrgWithWarnings), (status = 422, body = Problem)))]
async fn create(State(s): State<AppState>, auth: Authed, Json(body): Json<OrgInput>) -> Result<(StatusCode, Json<OrgWithWarnings>), ApiError> {
    let (org, warnings) = org::create(&s.store, &auth.ctx, &body).await?;
    Ok((StatusCode::CREATED, Json(OrgWithWarnings { org, warnings })))
}

#[utoipa::path(get, path = "/orgs/{id}", params(("id" = i64, Path)), responses((status = 200, body = Org), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Org>, ApiError> {
    Ok(Json(org::get(&s.store, &auth.ctx, id).await?))
}

#[utoipa::path(patch, path = "/orgs/{id}", params(("id" = i64, Path)), request_body = OrgPatch, responses((status = 200, body = OrgWithWarnings), (status = 422, body = Problem)))]
async fn patch(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(body): Json<OrgPatch>) -> Result<Json<OrgWithWarnings>, ApiError> {
    let (org, warnings) = org::update(&s.store, &auth.ctx, id, &body).await?;
    Ok(Json(OrgWithWarnings { org, warnings }))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct MoveBody {
    pub parent_id: i64,
    pub reason: String,
    #[serde(default)]
    pub moved_on: String,
}

#[utoipa::path(post, path = "/orgs/{id}/move", params(("id" = i64, Path)), request_body = MoveBody, responses((status = 200, body = Org), (status = 422, body = Problem)))]
async fn move_org(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<MoveBody>) -> Result<Json<Org>, ApiError> {
    Ok(Json(org::move_to(&s.store, &auth.ctx, id, b.parent_id, &b.reason, &b.moved_on).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/orgs/{id}/dissolve", params(("id" = i64, Path)), request_body = ReasonBody, responses((status = 200, body = Org), (status = 409, body = Problem)))]
async fn dissolve(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<ReasonBody>) -> Result<Json<Org>, ApiError> {
    Ok(Json(org::dissolve(&s.store, &auth.ctx, id, &b.reason).await?))
}

#[utoipa::path(get, path = "/orgs/{id}/stats", params(("id" = i64, Path)), responses((status = 200, body = OrgStats), (status = 404, body = Problem)))]
async fn stats(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<OrgStats>, ApiError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    Ok(Json(org::stats(&s.store, &auth.ctx, &o).await?))
}

#[utoipa::path(get, path = "/orgs/{id}/children", params(("id" = i64, Path)), responses((status = 200, body = Vec<OrgSummary>)))]
async fn children(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<OrgSummary>>, ApiError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    Ok(Json(org::children(&s.store, &auth.ctx, &o).await?))
}

#[utoipa::path(get, path = "/orgs/{id}/moves", params(("id" = i64, Path)), responses((status = 200, body = Vec<OrgMove>)))]
async fn moves(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<OrgMove>>, ApiError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    Ok(Json(org::moves(&s.store, &auth.ctx, &o).await?))
}

#[utoipa::path(get, path = "/orgs/{id}/posts", params(("id" = i64, Path)), responses((status = 200, body = Vec<Post>)))]
async fn posts(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<Post>>, ApiError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    Ok(Json(org::posts(&s.store, &auth.ctx, &o, true).await?))
}

#[utoipa::path(post, path = "/orgs/{id}/posts", params(("id" = i64, Path)), request_body = PostInput, responses((status = 201, body = Post), (status = 409, body = Problem)))]
async fn add_post(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<PostInput>) -> Result<(StatusCode, Json<Post>), ApiError> {
    Ok((StatusCode::CREATED, Json(org::add_post(&s.store, &auth.ctx, id, &b).await?)))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct EndPostBody {
    #[serde(default)]
    pub ended_on: String,
}

#[utoipa::path(post, path = "/posts/{id}/end", params(("id" = i64, Path)), request_body = EndPostBody, responses((status = 204)))]
async fn end_post(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<EndPostBody>) -> Result<StatusCode, ApiError> {
    org::end_post(&s.store, &auth.ctx, id, &b.ended_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/orgs/{id}/terms", params(("id" = i64, Path)), responses((status = 200, body = Vec<Term>)))]
async fn terms(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<Term>>, ApiError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    Ok(Json(org::terms(&s.store, &auth.ctx, &o).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TermBody {
    pub started_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/orgs/{id}/terms", params(("id" = i64, Path)), request_body = TermBody, responses((status = 201, body = Term)))]
async fn add_term(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<TermBody>) -> Result<(StatusCode, Json<Term>), ApiError> {
    Ok((StatusCode::CREATED, Json(org::add_term(&s.store, &auth.ctx, id, &b.started_on, &b.ends_on, &b.note).await?)))
}
