//! 考核评价: assessment schemes (each edit a new version), assessments of a subtree for a period,
//! self-assessments and assessors' scores with evidence, the stages, results with rank, tier and
//! outcome, an organisation's scores with how each computed one was computed, and objections.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_domain::duty::assessment::{DecisionInput, ObjectionInput, ScoreInput};
use dangjian_domain::duty::scheme::SchemeInput;
use dangjian_store::duty::assessment::{self, Assessment, AssessmentView, Detail, ObjectionView, Results, ResultsQuery, StartInput};
use dangjian_store::duty::{self, SchemeRow, SchemeView};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;
use super::Body;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_schemes, create_scheme))
        .routes(routes!(get_scheme, revise_scheme))
        .routes(routes!(list, start))
        .routes(routes!(get_one))
        .routes(routes!(advance))
        .routes(routes!(compute))
        .routes(routes!(scores))
        .routes(routes!(self_scores))
        .routes(routes!(org_scores))
        .routes(routes!(results))
        .routes(routes!(objections, object))
        .routes(routes!(decide))
}

/// The fields a body's error may name, in the order they are looked for.
const FIELDS: &[&str] = &["org_id", "scheme_id", "scale", "objection_days", "tiers", "indicators", "period", "kinds", "scores", "evidence", "stage", "decision"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
}

/// 新建考核方案: the organisation that defines it and the scheme.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SchemeBody {
    pub org_id: i64,
    #[serde(flatten)]
    pub scheme: SchemeInput,
}

/// The schemes of the organisations in the caller's scope.
#[utoipa::path(get, path = "/assessment-schemes", responses((status = 200, body = Vec<SchemeRow>), (status = 403, body = Problem)))]
async fn list_schemes(State(s): State<AppState>, auth: Authed) -> Result<Json<Vec<SchemeRow>>, ApiError> {
    Ok(Json(duty::list_schemes(&s.store, &auth.ctx).await?))
}

/// 新建考核方案: a tree of indicators whose points add up to 100 or 1000; leaves scored by
/// assessors or computed by a rule of the registry. Points that do not add up are named.
#[utoipa::path(post, path = "/assessment-schemes", request_body = SchemeBody, responses((status = 201, body = SchemeView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_scheme(State(s): State<AppState>, auth: Authed, b: Body<SchemeBody>) -> Result<(StatusCode, Json<SchemeView>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(duty::create_scheme(&s.store, &auth.ctx, b.org_id, &b.scheme).await?)))
}

/// The scheme at its current version.
#[utoipa::path(get, path = "/assessment-schemes/{id}", params(("id" = i64, Path)), responses((status = 200, body = SchemeView), (status = 404, body = Problem)))]
async fn get_scheme(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<SchemeView>, ApiError> {
    Ok(Json(duty::get_scheme(&s.store, &auth.ctx, id).await?))
}

/// 修订考核方案: the whole scheme again, kept as a new version; running assessments keep theirs.
#[utoipa::path(put, path = "/assessment-schemes/{id}", params(("id" = i64, Path)), request_body = SchemeInput, responses((status = 200, body = SchemeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn revise_scheme(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<SchemeInput>) -> Result<Json<SchemeView>, ApiError> {
    let b = body(b)?;
    Ok(Json(duty::revise_scheme(&s.store, &auth.ctx, id, &b).await?))
}

/// The assessments the caller may see, newest first.
#[utoipa::path(get, path = "/assessments", responses((status = 200, body = Vec<Assessment>), (status = 403, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed) -> Result<Json<Vec<Assessment>>, ApiError> {
    Ok(Json(assessment::list(&s.store, &auth.ctx).await?))
}

/// 开始考核: the organisations of the subtree (党支部 by default) for a period of the scheme's
/// length; the computed indicators are computed from the records at once.
#[utoipa::path(post, path = "/assessments", request_body = StartInput, responses((status = 201, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn start(State(s): State<AppState>, auth: Authed, b: Body<StartInput>) -> Result<(StatusCode, Json<AssessmentView>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(assessment::start(&s.store, &auth.ctx, &b).await?)))
}

/// The assessment with its scheme version and counts per tier and outcome.
#[utoipa::path(get, path = "/assessments/{id}", params(("id" = i64, Path)), responses((status = 200, body = AssessmentView), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<AssessmentView>, ApiError> {
    Ok(Json(assessment::get(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StageBody {
    /// The next stage: `scoring`, `review` or `published`.
    pub stage: String,
}

/// Moves the assessment to the next stage; publishing needs every scored indicator scored.
#[utoipa::path(post, path = "/assessments/{id}/stage", params(("id" = i64, Path)), request_body = StageBody, responses((status = 200, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn advance(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<StageBody>) -> Result<Json<AssessmentView>, ApiError> {
    let b = body(b)?;
    Ok(Json(assessment::advance(&s.store, &auth.ctx, id, &b.stage).await?))
}

/// Computes the computed indicators again from the records as they are now (before publishing).
#[utoipa::path(post, path = "/assessments/{id}/compute", params(("id" = i64, Path)), responses((status = 200, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn compute(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<AssessmentView>, ApiError> {
    Ok(Json(assessment::recompute(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScoresBody {
    pub scores: Vec<ScoreInput>,
}

/// 考核评分: assessors' scores of scored indicators, with comments and evidence links.
#[utoipa::path(put, path = "/assessments/{id}/scores", params(("id" = i64, Path)), request_body = ScoresBody, responses((status = 200, body = AssessmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn scores(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<ScoresBody>) -> Result<Json<AssessmentView>, ApiError> {
    let b = body(b)?;
    Ok(Json(assessment::score(&s.store, &auth.ctx, id, &b.scores).await?))
}

/// 单位自评: an organisation's own scores with evidence, during the self-assessment.
#[utoipa::path(put, path = "/assessments/{id}/self-scores", params(("id" = i64, Path)), request_body = ScoresBody, responses((status = 200, body = AssessmentView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn self_scores(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<ScoresBody>) -> Result<Json<AssessmentView>, ApiError> {
    let b = body(b)?;
    Ok(Json(assessment::self_assess(&s.store, &auth.ctx, id, &b.scores).await?))
}

/// 得分明细: one organisation's scores indicator by indicator, with evidence and how each computed
/// one was computed (the obligations missed or late, the attendance counted).
#[utoipa::path(get, path = "/assessments/{id}/scores/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), responses((status = 200, body = Detail), (status = 404, body = Problem)))]
async fn org_scores(State(s): State<AppState>, auth: Authed, Path((id, org_id)): Path<(i64, i64)>) -> Result<Json<Detail>, ApiError> {
    Ok(Json(assessment::detail(&s.store, &auth.ctx, id, org_id).await?))
}

/// 考核结果: total, rank within the organisations of the same kind (ties share a rank), tier and
/// outcome, for the organisations the caller may see.
#[utoipa::path(get, path = "/assessments/{id}/results", params(("id" = i64, Path), ResultsQuery), responses((status = 200, body = Results), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn results(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<ResultsQuery>) -> Result<Json<Results>, ApiError> {
    Ok(Json(assessment::results(&s.store, &auth.ctx, id, &q).await?))
}

/// The objections the caller may see.
#[utoipa::path(get, path = "/assessments/{id}/objections", params(("id" = i64, Path)), responses((status = 200, body = Vec<ObjectionView>), (status = 404, body = Problem)))]
async fn objections(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<ObjectionView>>, ApiError> {
    Ok(Json(assessment::objections(&s.store, &auth.ctx, id).await?))
}

/// 申诉: an assessed organisation disputes one indicator's score, within the window after
/// publishing.
#[utoipa::path(post, path = "/assessments/{id}/objections", params(("id" = i64, Path)), request_body = ObjectionInput, responses((status = 201, body = ObjectionView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn object(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<ObjectionInput>) -> Result<(StatusCode, Json<ObjectionView>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(assessment::object(&s.store, &auth.ctx, id, &b).await?)))
}

/// 申诉处理: upheld with the new score (the results are ranked again) or rejected, with a reason.
#[utoipa::path(put, path = "/assessments/{id}/objections/{objection_id}/decision", params(("id" = i64, Path), ("objection_id" = i64, Path)), request_body = DecisionInput, responses((status = 200, body = ObjectionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(State(s): State<AppState>, auth: Authed, Path((id, objection_id)): Path<(i64, i64)>, b: Body<DecisionInput>) -> Result<Json<ObjectionView>, ApiError> {
    let b = body(b)?;
    Ok(Json(assessment::decide(&s.store, &auth.ctx, id, objection_id, &b).await?))
}
