//! The audit log, for the 审计管理员 only.

use axum::extract::{Query, State};
use axum::Json;
use dangjian_domain::policy::{Action, Target};
use dangjian_store::audit::{self, AuditQuery, AuditRow, VerifyReport};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(verify))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub action: Option<String>,
    pub username: Option<String>,
}

#[utoipa::path(get, path = "/audit", params(AuditParams), responses((status = 200, body = AuditPage)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<AuditParams>) -> Result<Json<AuditPage>, ApiError> {
    let p = audit::list(&s.store, &auth.ctx, &AuditQuery { page: q.page, per_page: q.per_page, action: q.action, username: q.username }).await?;
    Ok(Json(AuditPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

#[utoipa::path(get, path = "/audit/verify", responses((status = 200, body = VerifyReport)))]
async fn verify(State(s): State<AppState>, auth: Authed) -> Result<Json<VerifyReport>, ApiError> {
    s.store.authorize(&auth.ctx, Action::AuditRead, Target::system(), "audit_log").await?;
    Ok(Json(audit::verify(&s.store).await?))
}
