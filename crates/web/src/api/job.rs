//! Scheduled jobs: their leases, runs and failures, for the 系统管理员.

use axum::extract::State;
use axum::Json;
use dangjian_store::job::{self, JobsView};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(get, path = "/jobs", responses((status = 200, body = JobsView), (status = 403, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed) -> Result<Json<JobsView>, ApiError> {
    Ok(Json(job::view(&s.store, &auth.ctx).await?))
}
