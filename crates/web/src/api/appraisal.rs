//! 民主评议党员: appraisal rounds — create, read, move to the next stage, and what each stage
//! records (self-assessments, peer opinions, ballot counts, grades, follow-ups); a member's
//! published grades.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_domain::life::appraisal::{BallotInput, FollowUpInput, GradeInput};
use dangjian_store::life::appraisal::{self, MemberGrade, Round, RoundInput, RoundView};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;
use super::Body;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(advance))
        .routes(routes!(self_assessment))
        .routes(routes!(peer_review))
        .routes(routes!(ballot))
        .routes(routes!(grades))
        .routes(routes!(follow_up))
        .routes(routes!(member_grades))
}

/// The fields a body's error may name, in the order they are looked for.
const FIELDS: &[&str] = &["org_id", "year", "meeting_id", "ballots", "tallies", "grades", "stage", "text"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// The branch whose rounds are listed.
    pub org: i64,
}

/// A branch's rounds, newest year first.
#[utoipa::path(get, path = "/appraisals", params(OrgQuery), responses((status = 200, body = Vec<Round>), (status = 404, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgQuery>) -> Result<Json<Vec<Round>>, ApiError> {
    Ok(Json(appraisal::list(&s.store, &auth.ctx, q.org).await?))
}

/// 新建评议: lists the branch's 正式党员 and 预备党员 as they are now; one round per year.
#[utoipa::path(post, path = "/appraisals", request_body = RoundInput, responses((status = 201, body = RoundView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(State(s): State<AppState>, auth: Authed, b: Body<RoundInput>) -> Result<(StatusCode, Json<RoundView>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(appraisal::create(&s.store, &auth.ctx, &b).await?)))
}

/// The round with its members: a 党员 sees their own line only, and their grade once published.
#[utoipa::path(get, path = "/appraisals/{id}", params(("id" = i64, Path)), responses((status = 200, body = RoundView), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<RoundView>, ApiError> {
    Ok(Json(appraisal::get(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StageBody {
    /// The next stage: `peer_review`, `ballot`, `grading` or `published`.
    pub stage: String,
}

/// Moves the round to the next stage; a skipped stage is refused by name. Publishing writes
/// each grade into the member's history.
#[utoipa::path(post, path = "/appraisals/{id}/stage", params(("id" = i64, Path)), request_body = StageBody, responses((status = 200, body = RoundView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn advance(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<StageBody>) -> Result<Json<RoundView>, ApiError> {
    let b = body(b)?;
    Ok(Json(appraisal::advance(&s.store, &auth.ctx, id, &b.stage).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TextBody {
    pub text: String,
}

/// 个人自评: by the member themself, or recorded by the secretary.
#[utoipa::path(put, path = "/appraisals/{id}/members/{member_id}/self-assessment", params(("id" = i64, Path), ("member_id" = i64, Path)), request_body = TextBody, responses((status = 200, body = RoundView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn self_assessment(State(s): State<AppState>, auth: Authed, Path((id, member_id)): Path<(i64, i64)>, b: Body<TextBody>) -> Result<Json<RoundView>, ApiError> {
    let b = body(b)?;
    Ok(Json(appraisal::self_assess(&s.store, &auth.ctx, id, member_id, &b.text).await?))
}

/// 党员互评: the opinions given of one member, as noted.
#[utoipa::path(put, path = "/appraisals/{id}/members/{member_id}/peer-review", params(("id" = i64, Path), ("member_id" = i64, Path)), request_body = TextBody, responses((status = 200, body = RoundView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn peer_review(State(s): State<AppState>, auth: Authed, Path((id, member_id)): Path<(i64, i64)>, b: Body<TextBody>) -> Result<Json<RoundView>, ApiError> {
    let b = body(b)?;
    Ok(Json(appraisal::peer_review(&s.store, &auth.ctx, id, member_id, &b.text).await?))
}

/// 民主测评: the ballot counts per member (never who voted what) and the meeting record.
#[utoipa::path(put, path = "/appraisals/{id}/ballot", params(("id" = i64, Path)), request_body = BallotInput, responses((status = 200, body = RoundView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn ballot(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<BallotInput>) -> Result<Json<RoundView>, ApiError> {
    let b = body(b)?;
    Ok(Json(appraisal::record_ballot(&s.store, &auth.ctx, id, &b).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GradesBody {
    pub grades: Vec<GradeInput>,
}

/// 组织评定: the branch's grades (some or all members).
#[utoipa::path(put, path = "/appraisals/{id}/grades", params(("id" = i64, Path)), request_body = GradesBody, responses((status = 200, body = RoundView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn grades(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<GradesBody>) -> Result<Json<RoundView>, ApiError> {
    let b = body(b)?;
    Ok(Json(appraisal::grade(&s.store, &auth.ctx, id, &b.grades).await?))
}

/// 后续处理: what the branch decided for a member graded 基本合格 or 不合格 (限期改正 at most a
/// year; 除名 with the superior's approval).
#[utoipa::path(put, path = "/appraisals/{id}/members/{member_id}/follow-up", params(("id" = i64, Path), ("member_id" = i64, Path)), request_body = FollowUpInput, responses((status = 200, body = RoundView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn follow_up(State(s): State<AppState>, auth: Authed, Path((id, member_id)): Path<(i64, i64)>, b: Body<FollowUpInput>) -> Result<Json<RoundView>, ApiError> {
    let b = body(b)?;
    Ok(Json(appraisal::follow_up(&s.store, &auth.ctx, id, member_id, &b).await?))
}

/// A member's published grades over the years.
#[utoipa::path(get, path = "/members/{id}/appraisals", params(("id" = i64, Path)), responses((status = 200, body = Vec<MemberGrade>), (status = 404, body = Problem)))]
async fn member_grades(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<MemberGrade>>, ApiError> {
    Ok(Json(appraisal::of_member(&s.store, &auth.ctx, id).await?))
}
