//! 定期汇报与责任清单: report schedules a superior defines, each organisation's report (open a
//! draft prefilled from the records, save, submit, review, resubmit) with its history, the list
//! of who has and has not reported, and each organisation's responsible persons and 责任清单.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Datelike;
use dangjian_domain::duty::report::{ScheduleInput, Section};
use dangjian_domain::duty::responsibility::TaskInput;
use dangjian_domain::time;
use dangjian_store::duty::report::attachment::{self as report_file, ReportFile};
use dangjian_store::duty::report::{self, Report, Schedule, ScheduleStatus, Schedules};
use dangjian_store::duty::responsibility::{self, ResponsibilityView, Task};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;
use super::Body;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_schedules, create_schedule))
        .routes(routes!(get_schedule))
        .routes(routes!(schedule_status))
        .routes(routes!(open_report))
        .routes(routes!(get_report, save_report))
        .routes(routes!(submit_report))
        .routes(routes!(review_report))
        .routes(routes!(get_responsibility))
        .routes(routes!(add_task))
        .routes(routes!(update_task, delete_task))
        .merge(file_routes())
}

fn file_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_file))
        // As for meetings' attachments: anything beyond one file and its framing is cut off.
        .layer(axum::extract::DefaultBodyLimit::max(super::life::UPLOAD_LIMIT))
        .routes(routes!(download_file, delete_file))
}

/// The fields a body's error may name, in the order they are looked for.
const FIELDS: &[&str] = &["org_id", "schedule_id", "scope_org_id", "title", "period", "deadline", "sections", "attachments_required", "decision", "comments", "owner_member_id", "year", "done_on", "note"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// The organisation.
    pub org: i64,
}

/// An organisation's schedules: those it defined, and those it reports for with where its
/// report stands.
#[utoipa::path(get, path = "/report-schedules", params(OrgQuery), responses((status = 200, body = Schedules), (status = 404, body = Problem)))]
async fn list_schedules(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgQuery>) -> Result<Json<Schedules>, ApiError> {
    Ok(Json(report::schedules(&s.store, &auth.ctx, q.org).await?))
}

/// 汇报安排 as sent: the defining organisation and the schedule.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScheduleBody {
    /// The superior defining it (its subtree reports to it).
    pub org_id: i64,
    /// 汇报名称, e.g. 2026年第四季度党建工作汇报.
    pub title: String,
    /// `2026Q4`, `2026H2` or `2026`.
    pub period: String,
    /// 报送期限, `YYYY-MM-DD`.
    pub deadline: String,
    /// 必备部分 (titles), in order.
    pub sections: Vec<String>,
    /// 须附材料.
    pub attachments_required: bool,
    /// 报送范围: an organisation of the defining one's subtree (absent: the whole subtree).
    pub scope_org_id: Option<i64>,
    pub note: String,
}

/// 布置汇报: a superior asks the organisations of its subtree for a report.
#[utoipa::path(post, path = "/report-schedules", request_body = ScheduleBody, responses((status = 201, body = Schedule), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_schedule(State(s): State<AppState>, auth: Authed, b: Body<ScheduleBody>) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    let b = body(b)?;
    let input = ScheduleInput { title: b.title, period: b.period, deadline: b.deadline, sections: b.sections, attachments_required: b.attachments_required, scope_org_id: b.scope_org_id, note: b.note };
    Ok((StatusCode::CREATED, Json(report::create_schedule(&s.store, &auth.ctx, b.org_id, &input).await?)))
}

#[utoipa::path(get, path = "/report-schedules/{id}", params(("id" = i64, Path)), responses((status = 200, body = Schedule), (status = 404, body = Problem)))]
async fn get_schedule(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(report::schedule(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct StatusQuery {
    /// `missing` (未报送), `late` (逾期), `returned` (退回), `submitted` (待审核), `accepted` (已通过); empty: all.
    pub show: Option<String>,
}

/// 报送情况: every organisation expected to report that the caller may see, with its state.
#[utoipa::path(get, path = "/report-schedules/{id}/status", params(("id" = i64, Path), StatusQuery), responses((status = 200, body = ScheduleStatus), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn schedule_status(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<StatusQuery>) -> Result<Json<ScheduleStatus>, ApiError> {
    Ok(Json(report::status(&s.store, &auth.ctx, id, q.show.as_deref()).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OpenBody {
    pub schedule_id: i64,
    /// The organisation reporting (the caller's own).
    pub org_id: i64,
}

/// 起草: opens the organisation's report, its figures taken from the records, or returns the
/// one already opened (one per schedule and organisation).
#[utoipa::path(post, path = "/reports", request_body = OpenBody, responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn open_report(State(s): State<AppState>, auth: Authed, b: Body<OpenBody>) -> Result<Json<Report>, ApiError> {
    let b = body(b)?;
    Ok(Json(report::open(&s.store, &auth.ctx, b.schedule_id, b.org_id).await?))
}

/// The report with its figures (live while a draft, as submitted afterwards) and its history.
#[utoipa::path(get, path = "/reports/{id}", params(("id" = i64, Path)), responses((status = 200, body = Report), (status = 404, body = Problem)))]
async fn get_report(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Report>, ApiError> {
    Ok(Json(report::get(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SectionsBody {
    /// The organisation's own words, by the schedule's section titles.
    pub sections: Vec<Section>,
}

/// 保存: a draft's or returned report's sections.
#[utoipa::path(put, path = "/reports/{id}", params(("id" = i64, Path)), request_body = SectionsBody, responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn save_report(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<SectionsBody>) -> Result<Json<Report>, ApiError> {
    let b = body(b)?;
    Ok(Json(report::save(&s.store, &auth.ctx, id, &b.sections).await?))
}

/// 报送 / 重新报送: every required section written; the figures are frozen as they are now.
#[utoipa::path(post, path = "/reports/{id}/submit", params(("id" = i64, Path)), responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn submit_report(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Report>, ApiError> {
    Ok(Json(report::submit(&s.store, &auth.ctx, id).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewBody {
    /// `accept` (通过), `return` (退回, with comments) or `accept_late` (逾期通过, for a late report).
    pub decision: String,
    /// 审核意见; required to return.
    pub comments: String,
}

/// 审核: by the organisation directly above.
#[utoipa::path(post, path = "/reports/{id}/review", params(("id" = i64, Path)), request_body = ReviewBody, responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn review_report(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<ReviewBody>) -> Result<Json<Report>, ApiError> {
    let b = body(b)?;
    Ok(Json(report::review(&s.store, &auth.ctx, id, &b.decision, &b.comments).await?))
}

/// 上传附件 to a report its organisation may still write (a draft, or returned): multipart, one
/// `file` part (JPEG, PNG, GIF, WebP or PDF, at most 10 MB).
#[utoipa::path(post, path = "/reports/{id}/attachments", params(("id" = i64, Path)), request_body(content_type = "multipart/form-data", content = String), responses((status = 201, body = ReportFile), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload_file(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Result<(StatusCode, Json<ReportFile>), ApiError> {
    let up = super::life::read_attachment_upload(mp).await.map_err(ApiError)?;
    Ok((StatusCode::CREATED, Json(report_file::add(&s.store, &auth.ctx, id, &up.input()).await?)))
}

/// A report's file, for whoever may read the report.
#[utoipa::path(get, path = "/report-attachments/{id}", params(("id" = i64, Path)), responses((status = 200, content_type = "application/octet-stream", body = String), (status = 404, body = Problem)))]
async fn download_file(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<axum::response::Response, ApiError> {
    let (f, bytes) = report_file::open(&s.store, &auth.ctx, id).await?;
    Ok(super::life::file_response(f.id, &f.file_name, f.media_type, bytes))
}

/// Takes a file off a report its organisation may still write.
#[utoipa::path(delete, path = "/report-attachments/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn delete_file(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    report_file::remove(&s.store, &auth.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ResponsibilityQuery {
    pub org: i64,
    /// 年度 (default: this year).
    pub year: Option<i32>,
}

/// 第一责任人、具体责任人 (from the posts) and the 责任清单 of a year.
#[utoipa::path(get, path = "/responsibility", params(ResponsibilityQuery), responses((status = 200, body = ResponsibilityView), (status = 404, body = Problem)))]
async fn get_responsibility(State(s): State<AppState>, auth: Authed, Query(q): Query<ResponsibilityQuery>) -> Result<Json<ResponsibilityView>, ApiError> {
    let year = q.year.unwrap_or_else(|| time::today_cst().year());
    Ok(Json(responsibility::get(&s.store, &auth.ctx, q.org, year).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TaskBody {
    pub org_id: i64,
    #[serde(flatten)]
    pub task: TaskInput,
}

/// 新增责任清单任务.
#[utoipa::path(post, path = "/responsibility/tasks", request_body = TaskBody, responses((status = 201, body = Task), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_task(State(s): State<AppState>, auth: Authed, b: Body<TaskBody>) -> Result<(StatusCode, Json<Task>), ApiError> {
    let b = body(b)?;
    Ok((StatusCode::CREATED, Json(responsibility::add_task(&s.store, &auth.ctx, b.org_id, &b.task).await?)))
}

/// 修改任务 (a completion day marks it done).
#[utoipa::path(put, path = "/responsibility/tasks/{id}", params(("id" = i64, Path)), request_body = TaskInput, responses((status = 200, body = Task), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_task(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, b: Body<TaskInput>) -> Result<Json<Task>, ApiError> {
    let b = body(b)?;
    Ok(Json(responsibility::update_task(&s.store, &auth.ctx, id, &b).await?))
}

#[utoipa::path(delete, path = "/responsibility/tasks/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_task(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    responsibility::delete_task(&s.store, &auth.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
