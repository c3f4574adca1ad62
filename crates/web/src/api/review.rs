//! 述职评议: rounds of a secretary's report and their anonymous votes. A vote's answer says that
//! the caller has voted, never what; the tally comes with the round once voting has closed.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_domain::duty::review::{Choice, RoundInput};
use dangjian_store::duty::review::{self, Round};
use dangjian_store::StoreError;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Body;
use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rounds, open_round))
        .routes(routes!(my_ballots))
        .routes(routes!(get_round))
        .routes(routes!(cast_vote))
        .routes(routes!(close_round))
}

/// The fields a body's error may name, in the order they are looked for.
const FIELDS: &[&str] = &["org_id", "period", "report", "opens_at", "closes_at", "choice"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// The rounds of this organisation's subtree; absent: all the caller may see.
    pub org: Option<i64>,
}

/// The rounds in the caller's scope (and those they vote in), the latest close first.
#[utoipa::path(get, path = "/reviews", params(ListQuery), responses((status = 200, body = Vec<Round>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_rounds(State(s): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Json<Vec<Round>>, ApiError> {
    Ok(Json(review::list(&s.store, &auth.ctx, q.org).await?))
}

/// 述职评议 as opened: the organisation and the round.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundBody {
    /// The organisation whose secretary reports (its 第一责任人, from its posts).
    pub org_id: i64,
    #[serde(flatten)]
    pub round: RoundInput,
}

/// 开展述职评议: by the organisation's secretary or the organisation above.
#[utoipa::path(post, path = "/reviews", request_body = RoundBody, responses((status = 201, body = Round), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn open_round(State(s): State<AppState>, auth: Authed, b: Body<RoundBody>) -> Result<(StatusCode, Json<Round>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(review::open(&s.store, &auth.ctx, b.org_id, &b.round).await?)))
}

/// 待我评议: the rounds open now in which the caller may still vote.
#[utoipa::path(get, path = "/reviews/ballots", responses((status = 200, body = Vec<Round>)))]
async fn my_ballots(State(s): State<AppState>, auth: Authed) -> Result<Json<Vec<Round>>, ApiError> {
    Ok(Json(review::ballots(&s.store, &auth.ctx).await?))
}

/// The round with the 述职报告; its tally and rates once closed.
#[utoipa::path(get, path = "/reviews/{id}", params(("id" = i64, Path)), responses((status = 200, body = Round), (status = 404, body = Problem)))]
async fn get_round(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Round>, ApiError> {
    Ok(Json(review::get(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VoteBody {
    /// `satisfied` 满意, `basically_satisfied` 基本满意 or `dissatisfied` 不满意.
    pub choice: String,
}

/// 投票: once per round; the answer is the round, which says that the caller has voted.
#[utoipa::path(post, path = "/reviews/{id}/votes", params(("id" = i64, Path)), request_body = VoteBody, responses((status = 200, body = Round), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cast_vote(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<VoteBody>) -> Result<Json<Round>, ApiError> {
    let b = body(b)?;
    let choice = Choice::read(&b.choice).map_err(|e| StoreError::Invalid(vec![e]))?;
    Ok(Json(review::vote(&s.store, &auth.ctx, id, choice).await?))
}

/// 结束投票 now, before the set close.
#[utoipa::path(post, path = "/reviews/{id}/close", params(("id" = i64, Path)), responses((status = 200, body = Round), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn close_round(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Round>, ApiError> {
    Ok(Json(review::close(&s.store, &auth.ctx, id).await?))
}
