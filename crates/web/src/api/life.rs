//! 组织生活: meeting records — list, record, read, correct, delete with a reason, attendance,
//! kept versions.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_store::life::compliance::{Compliance, ComplianceQuery};
use dangjian_store::life::participation::Warning;
use dangjian_store::life::rules::{RuleInput, RuleView};
use dangjian_store::life::{self, AttendanceRow, Meeting, MeetingInput, MeetingQuery, Version};
use dangjian_store::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, correct, delete))
        .routes(routes!(attendance))
        .routes(routes!(versions))
        .routes(routes!(compliance))
        .routes(routes!(rules, add_rule))
        .routes(routes!(remove_rule))
        .routes(routes!(participation))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingPage {
    pub items: Vec<Meeting>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl From<Page<Meeting>> for MeetingPage {
    fn from(p: Page<Meeting>) -> Self {
        MeetingPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }
    }
}

#[utoipa::path(get, path = "/meetings", params(MeetingQuery), responses((status = 200, body = MeetingPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<MeetingQuery>) -> Result<Json<MeetingPage>, ApiError> {
    Ok(Json(life::list(&s.store, &auth.ctx, &q).await?.into()))
}


/// A JSON body that failed to parse names the field serde stopped at, as a field error.
fn body<T>(r: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, ApiError> {
    r.map(|Json(b)| b).map_err(|e| {
        let detail = e.body_text();
        let field = ["org_id", "kinds", "attendance", "guests", "version", "starts_at", "member_id", "owed_by", "count", "within_org_id", "preferred_quarter"].into_iter().find(|f| detail.contains(f)).unwrap_or("body");
        let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_body", format!("请求内容无法识别：{detail}"));
        p.errors = vec![crate::error::FieldError { field: field.into(), code: "bad_body".into(), message: format!("字段{field}的内容无法识别") }];
        ApiError(p)
    })
}

#[utoipa::path(post, path = "/meetings", request_body = MeetingInput, responses((status = 201, body = Meeting), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(State(s): State<AppState>, auth: Authed, b: Result<Json<MeetingInput>, axum::extract::rejection::JsonRejection>) -> Result<(StatusCode, Json<Meeting>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(life::create(&s.store, &auth.ctx, &b).await?)))
}

#[utoipa::path(get, path = "/meetings/{id}", params(("id" = i64, Path)), responses((status = 200, body = Meeting), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Meeting>, ApiError> {
    Ok(Json(life::get(&s.store, &auth.ctx, id).await?))
}

/// 更正: the whole record again, with the `version` it corrects; the replaced one is kept.
#[utoipa::path(put, path = "/meetings/{id}", params(("id" = i64, Path)), request_body = MeetingInput, responses((status = 200, body = Meeting), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn correct(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Result<Json<MeetingInput>, axum::extract::rejection::JsonRejection>) -> Result<Json<Meeting>, ApiError> {
    let b = body(b)?;
    let Some(version) = b.version else {
        let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "required", "更正须注明所更正的版本号（version）");
        p.errors = vec![crate::error::FieldError { field: "version".into(), code: "required".into(), message: "更正须注明所更正的版本号".into() }];
        return Err(ApiError(p));
    };
    Ok(Json(life::correct(&s.store, &auth.ctx, id, version, &b).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
pub struct DeleteReason {
    /// 删除原因 (required).
    pub reason: Option<String>,
}

/// 删除 with a reason, given in a JSON body or as the query `reason`.
#[utoipa::path(delete, path = "/meetings/{id}", params(("id" = i64, Path), DeleteReason), request_body(content = Option<DeleteReason>), responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn delete(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<DeleteReason>, b: Option<Json<DeleteReason>>) -> Result<StatusCode, ApiError> {
    let reason = b.and_then(|Json(b)| b.reason).or(q.reason).unwrap_or_default();
    life::delete(&s.store, &auth.ctx, id, &reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/meetings/{id}/attendance", params(("id" = i64, Path)), responses((status = 200, body = Vec<AttendanceRow>), (status = 404, body = Problem)))]
async fn attendance(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<AttendanceRow>>, ApiError> {
    Ok(Json(life::attendance(&s.store, &auth.ctx, id).await?))
}

#[utoipa::path(get, path = "/meetings/{id}/versions", params(("id" = i64, Path)), responses((status = 200, body = Vec<Version>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn versions(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<Version>>, ApiError> {
    Ok(Json(life::versions(&s.store, &auth.ctx, id).await?))
}

/// 落实情况: each organisation of the subtree with its obligations in the period, and totals.
#[utoipa::path(get, path = "/compliance", params(ComplianceQuery), responses((status = 200, body = Compliance), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn compliance(State(s): State<AppState>, auth: Authed, Query(q): Query<ComplianceQuery>) -> Result<Json<Compliance>, ApiError> {
    Ok(Json(life::compliance::compliance(&s.store, &auth.ctx, &q).await?))
}

/// The rules in force: DOMAIN.md's seeded rules (id 0) and the installation's rows.
#[utoipa::path(get, path = "/obligation-rules", responses((status = 200, body = Vec<RuleView>)))]
async fn rules(State(s): State<AppState>, _auth: Authed) -> Result<Json<Vec<RuleView>>, ApiError> {
    Ok(Json(life::rules::load(&s.store).await?.views().to_vec()))
}

/// Adds a local rule, stricter than or on top of the seeded ones, for a subtree.
#[utoipa::path(post, path = "/obligation-rules", request_body = RuleInput, responses((status = 201, body = RuleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_rule(State(s): State<AppState>, auth: Authed, b: Result<Json<RuleInput>, axum::extract::rejection::JsonRejection>) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(life::rules::add(&s.store, &auth.ctx, &b).await?)))
}

#[utoipa::path(delete, path = "/obligation-rules/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_rule(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    life::rules::remove(&s.store, &auth.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct OrgOnly {
    /// The organisation whose own members are checked.
    pub org: i64,
}

/// 参加组织生活预警: the organisation's members at 3, 5 and 6 months without organisational life.
#[utoipa::path(get, path = "/participation", params(OrgOnly), responses((status = 200, body = Vec<Warning>), (status = 404, body = Problem)))]
async fn participation(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgOnly>) -> Result<Json<Vec<Warning>>, ApiError> {
    Ok(Json(life::participation::warnings(&s.store, &auth.ctx, q.org, dangjian_domain::time::today_cst()).await?))
}
