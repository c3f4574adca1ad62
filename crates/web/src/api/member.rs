//! Members: list and search, create, read, edit, reveal, history, 党小组 placement; roster
//! import and export.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dangjian_domain::member::{MemberChange, MemberInput};
use dangjian_store::member::{self, Member, MemberEvent, MemberQuery, MemberRow, Revealed};
use dangjian_store::roster::{self, ExportFormat, ImportMode, ImportReport};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::PageQuery;
use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(search))
        .routes(routes!(get_one, patch))
        .routes(routes!(reveal))
        .routes(routes!(events))
        .routes(routes!(place_in_group))
        .routes(routes!(group_members))
        .routes(routes!(import))
        .routes(routes!(export))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Refuses an ID or mobile number in a URL's query: it would stay in browser history and proxy
/// logs. Such searches go by POST (`/members/search`).
pub fn refuse_number_in_url(q: &MemberQuery) -> Result<(), Problem> {
    if q.q.as_deref().is_some_and(dangjian_domain::member::is_personal_number) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "personal_number_in_url",
            "身份证号、手机号不能放在网址中查询（会留在浏览器历史和代理日志里）：请用查询表单提交，接口请用 POST /api/v1/members/search",
        ));
    }
    Ok(())
}

/// Names, member numbers and the filters. An ID or phone number in `q` is refused (400): search
/// for those with `POST /members/search`.
#[utoipa::path(get, path = "/members", params(MemberQuery), responses((status = 200, body = MemberPage), (status = 400, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<MemberQuery>) -> Result<Json<MemberPage>, ApiError> {
    refuse_number_in_url(&q).map_err(ApiError)?;
    let p = member::list(&s.store, &auth.ctx, &q).await?;
    Ok(Json(MemberPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// The member search as a request body, so an ID or phone number never appears in a URL.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SearchBody {
    /// Name (part of it), member number, ID number or mobile number.
    pub q: String,
    pub org: Option<i64>,
    pub subtree: Option<bool>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub sort: Option<String>,
}

impl From<SearchBody> for MemberQuery {
    fn from(b: SearchBody) -> Self {
        MemberQuery { org: b.org, subtree: b.subtree, q: Some(b.q).filter(|q| !q.trim().is_empty()), status: b.status, category: b.category, page: b.page, per_page: b.per_page, sort: b.sort }
    }
}

#[utoipa::path(post, path = "/members/search", request_body = SearchBody, responses((status = 200, body = MemberPage)))]
async fn search(State(s): State<AppState>, auth: Authed, Json(b): Json<SearchBody>) -> Result<Json<MemberPage>, ApiError> {
    let p = member::list(&s.store, &auth.ctx, &b.into()).await?;
    Ok(Json(MemberPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// Body of a new member: the organisation, an optional member number and the roster fields.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberCreate {
    pub org_id: i64,
    pub member_no: String,
    #[serde(flatten)]
    pub fields: MemberInput,
}

/// A partial change; `org_id` different from the current one transfers the member.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberPatch {
    pub org_id: Option<i64>,
    pub member_no: Option<String>,
    /// Why the organisation or status changed, for the member's history.
    pub reason: Option<String>,
    #[serde(flatten)]
    pub fields: MemberChange,
}

impl From<MemberPatch> for member::Change {
    fn from(b: MemberPatch) -> Self {
        member::Change { org_id: b.org_id, member_no: b.member_no, fields: b.fields, reason: b.reason.unwrap_or_default() }
    }
}

#[utoipa::path(post, path = "/members", request_body = MemberCreate, responses((status = 201, body = Member), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(State(s): State<AppState>, auth: Authed, Json(b): Json<MemberCreate>) -> Result<(StatusCode, Json<Member>), ApiError> {
    Ok((StatusCode::CREATED, Json(member::create(&s.store, &auth.ctx, b.org_id, &b.member_no, &b.fields).await?)))
}

#[utoipa::path(get, path = "/members/{id}", params(("id" = i64, Path)), responses((status = 200, body = Member), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Member>, ApiError> {
    Ok(Json(member::get(&s.store, &auth.ctx, id).await?))
}

#[utoipa::path(patch, path = "/members/{id}", params(("id" = i64, Path)), request_body = MemberPatch, responses((status = 200, body = Member), (status = 422, body = Problem)))]
async fn patch(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<MemberPatch>) -> Result<Json<Member>, ApiError> {
    Ok(Json(member::update(&s.store, &auth.ctx, id, &b.into()).await?))
}

#[utoipa::path(post, path = "/members/{id}/reveal", params(("id" = i64, Path)), responses((status = 200, body = Revealed), (status = 403, body = Problem)))]
async fn reveal(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Revealed>, ApiError> {
    Ok(Json(member::reveal(&s.store, &auth.ctx, id).await?))
}

#[utoipa::path(get, path = "/members/{id}/events", params(("id" = i64, Path)), responses((status = 200, body = Vec<MemberEvent>)))]
async fn events(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<MemberEvent>>, ApiError> {
    Ok(Json(member::events(&s.store, &auth.ctx, id).await?))
}

/// 编入党小组: the 党小组 of the member's branch to sit in, or `null` to take them out of theirs.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    pub group_id: Option<i64>,
}

/// Places the member in a 党小组 of their branch (moving them from another of its groups), or
/// takes them out with `{"group_id": null}`. The relation stays with the branch.
#[utoipa::path(put, path = "/members/{id}/group", params(("id" = i64, Path)), request_body = GroupBody,
    responses((status = 200, body = Member), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn place_in_group(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Json(b): Json<GroupBody>) -> Result<Json<Member>, ApiError> {
    Ok(Json(member::place(&s.store, &auth.ctx, id, b.group_id).await?))
}

/// 党小组成员 — the 正式党员 and 预备党员 placed in a 党小组, by name.
#[utoipa::path(get, path = "/orgs/{id}/group-members", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = MemberPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn group_members(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<PageQuery>) -> Result<Json<MemberPage>, ApiError> {
    let p = member::group_members(&s.store, &auth.ctx, id, q.page, q.per_page).await?;
    Ok(Json(MemberPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// Reads the `file` and `mode` parts of an upload.
pub async fn read_upload(mut mp: Multipart) -> Result<(Vec<u8>, ImportMode, String), Problem> {
    let mut file = None;
    let mut mode = ImportMode::AllOrNothing;
    let mut csrf = String::new();
    while let Some(field) = mp.next_field().await.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "bad_upload", format!("上传内容无法读取：{e}")))? {
        match field.name() {
            Some("file") => file = Some(field.bytes().await.map_err(|_| Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "文件过大或上传中断"))?.to_vec()),
            Some("mode") => {
                if field.text().await.unwrap_or_default().trim() == "good_only" {
                    mode = ImportMode::GoodOnly;
                }
            }
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let file = file.filter(|f| !f.is_empty()).ok_or_else(|| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "no_file", "请选择要导入的花名册文件（xlsx 或 csv）"))?;
    Ok((file, mode, csrf))
}

/// Multipart: `file` (xlsx or csv in the 花名册 layout), `mode` = `all_or_nothing` (default) or `good_only`.
#[utoipa::path(post, path = "/members/import", request_body(content_type = "multipart/form-data", content = String), responses((status = 200, body = ImportReport), (status = 422, body = Problem)))]
async fn import(State(s): State<AppState>, auth: Authed, mp: Multipart) -> Result<Json<ImportReport>, ApiError> {
    let (file, mode, _) = read_upload(mp).await.map_err(ApiError)?;
    Ok(Json(roster::import(&s.store, &auth.ctx, &file, mode).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    pub org: i64,
    pub format: Option<ExportFormat>,
    /// Full ID and phone numbers (needs the reveal permission; audited).
    #[serde(default)]
    pub reveal: bool,
}

/// Exports per caller per hour: bulk personal data is rate-limited (SECURITY.md "Web hygiene").
pub const EXPORTS_PER_HOUR: u32 = 30;

pub async fn export_file(s: &AppState, auth: &Authed, q: &ExportQuery) -> Result<Response, Problem> {
    if !s.limiter.allow(&format!("export:{}", auth.ctx.actor.account_id), EXPORTS_PER_HOUR, 3600) {
        return Err(Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "导出过于频繁，请稍后再试"));
    }
    let format = q.format.unwrap_or(ExportFormat::Xlsx);
    let (bytes, name) = roster::export(&s.store, &auth.ctx, q.org, format, q.reveal).await.map_err(|e| Problem::from_store(&e))?;
    let mime = match format {
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat::Csv => "text/csv; charset=utf-8",
    };
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes).into_response())
}

#[utoipa::path(get, path = "/members/export", params(ExportQuery), responses((status = 200, description = "xlsx or csv file"), (status = 429, body = Problem)))]
async fn export(State(s): State<AppState>, auth: Authed, Query(q): Query<ExportQuery>) -> Result<Response, ApiError> {
    export_file(&s, &auth, &q).await.map_err(ApiError)
}
