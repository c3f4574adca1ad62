//! 组织生活: meeting records — list, record, read, correct, delete with a reason, attendance,
//! kept versions, attachments.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use dangjian_store::life::compliance::{Compliance, ComplianceQuery};
use dangjian_store::life::participation::Warning;
use dangjian_domain::life::local_kind::LocalKindInput;
use dangjian_domain::life::MeetingKind;
use dangjian_store::life::local_kind::{KindRef, LocalKind};
use dangjian_store::life::rules::{RuleInput, RuleView};
use dangjian_store::life::{self, Attachment, AttendanceRow, Meeting, MeetingInput, MeetingQuery, Version};
use dangjian_store::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authed;
use crate::error::{ApiError, Problem};
use crate::AppState;
use super::Body;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, correct, delete))
        .routes(routes!(attendance))
        .routes(routes!(versions))
        .routes(routes!(compliance))
        .routes(routes!(rules, add_rule))
        .routes(routes!(remove_rule))
        .routes(routes!(meeting_kinds, add_meeting_kind))
        .routes(routes!(retire_meeting_kind))
        .routes(routes!(participation))
        .merge(attachment_routes())
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


/// The fields a body's error may name, in the order they are looked for.
const FIELDS: &[&str] = &["org_id", "local_kinds", "kinds", "attendance", "held_by", "guests", "version", "starts_at", "member_id", "motions", "owed_by", "count", "within_org_id", "preferred_quarter"];

fn body<T>(r: Body<T>) -> Result<T, ApiError> {
    super::json_body(r, FIELDS)
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

/// The meeting kinds of an installation: DOMAIN.md's canonical ones and those it added.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingKinds {
    /// `[{"code": "party_lecture", "name": "党课"}, …]`
    pub canonical: Vec<KindRef>,
    /// 自定义会议类别, retired ones included.
    pub added: Vec<LocalKind>,
}

/// An added kind for the installation `org_id` belongs to.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewMeetingKind {
    /// Any organisation of the installation; the kind is the installation's.
    pub org_id: i64,
    /// Lower-case letters, digits and `_`, e.g. `integrity_education`.
    pub code: String,
    /// e.g. 廉政教育.
    pub name: String,
    /// Organisation kinds that hold it, e.g. `["branch", "joint_branch"]`.
    pub held_by: Vec<String>,
}

#[utoipa::path(get, path = "/meeting-kinds", params(OrgOnly), responses((status = 200, body = MeetingKinds), (status = 404, body = Problem)))]
async fn meeting_kinds(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgOnly>) -> Result<Json<MeetingKinds>, ApiError> {
    let added = life::local_kind::list(&s.store, &auth.ctx, q.org).await?;
    let canonical = MeetingKind::ALL.iter().map(|k| KindRef { code: k.code().into(), name: k.label().into() }).collect();
    Ok(Json(MeetingKinds { canonical, added }))
}

/// Adds a kind of organisational life to the installation (by its organisation administrator).
#[utoipa::path(post, path = "/meeting-kinds", request_body = NewMeetingKind, responses((status = 201, body = LocalKind), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_meeting_kind(State(s): State<AppState>, auth: Authed, b: Result<Json<NewMeetingKind>, axum::extract::rejection::JsonRejection>) -> Result<(StatusCode, Json<LocalKind>), ApiError> {
    let b = body(b)?;
    let input = LocalKindInput { code: b.code, name: b.name, held_by: b.held_by };
    Ok((StatusCode::CREATED, Json(life::local_kind::add(&s.store, &auth.ctx, b.org_id, &input).await?)))
}

/// Retires an added kind: no new record counts as it; the records that did keep it.
#[utoipa::path(delete, path = "/meeting-kinds/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn retire_meeting_kind(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    life::local_kind::retire(&s.store, &auth.ctx, id).await?;
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
// 附件 — meeting attachments.

fn attachment_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_attachment, list_attachments))
        // An upload may be a little larger than the largest file: the multipart framing and the
        // other fields. Anything beyond is cut off before it is read.
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
        .routes(routes!(download_attachment, delete_attachment))
}

/// The largest upload body read for one attachment.
pub const UPLOAD_LIMIT: usize = dangjian_domain::life::attachment::MAX_BYTES + 64 * 1024;

/// An attachment upload as it came: the `file` part's name, declared type and bytes, and the
/// `_csrf` and `reason` parts a page form sends.
pub struct Upload {
    pub file_name: String,
    pub declared_type: String,
    pub bytes: Vec<u8>,
    pub csrf: String,
}

impl Upload {
    pub fn input(&self) -> life::AttachmentInput<'_> {
        life::AttachmentInput { file_name: &self.file_name, declared_type: &self.declared_type, bytes: &self.bytes }
    }
}

fn file_problem(status: StatusCode, code: &str, message: &str) -> Problem {
    let mut p = Problem::new(status, code, message);
    p.errors = vec![crate::error::FieldError { field: "file".into(), code: code.into(), message: message.into() }];
    p
}

/// Reads an attachment upload; a body over [`UPLOAD_LIMIT`] is 413 naming the field.
pub async fn read_attachment_upload(mut mp: axum::extract::Multipart) -> Result<Upload, Problem> {
    let too_large = || file_problem(StatusCode::PAYLOAD_TOO_LARGE, "too_large", &format!("文件过大：附件不能超过{} MB", dangjian_domain::life::attachment::MAX_BYTES / (1024 * 1024)));
    let refused = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { Problem::new(StatusCode::BAD_REQUEST, "bad_upload", format!("上传内容无法读取：{e}")) }
    };
    let mut up = Upload { file_name: String::new(), declared_type: String::new(), bytes: Vec::new(), csrf: String::new() };
    let mut got_file = false;
    while let Some(field) = mp.next_field().await.map_err(refused)? {
        match field.name() {
            Some("file") => {
                up.file_name = field.file_name().unwrap_or_default().to_string();
                up.declared_type = field.content_type().unwrap_or_default().to_string();
                up.bytes = field.bytes().await.map_err(refused)?.to_vec();
                got_file = true;
            }
            Some("_csrf") => up.csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    if !got_file {
        return Err(file_problem(StatusCode::UNPROCESSABLE_ENTITY, "no_file", "请选择要上传的附件（照片或扫描件：JPEG、PNG、GIF、WebP 图片或 PDF 文件）"));
    }
    Ok(up)
}

/// RFC 8187 `filename*` value: UTF-8, every byte but the attribute characters percent-encoded.
fn rfc8187(name: &str) -> String {
    name.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The file as a download, whatever its type: never shown inline, never sniffed into something
/// else, never cached (it may show people).
pub async fn attachment_response(s: &AppState, auth: &Authed, id: i64) -> Result<axum::response::Response, Problem> {
    let (a, bytes) = life::attachment::open(&s.store, &auth.ctx, id).await.map_err(|e| Problem::from_store(&e))?;
    Ok(file_response(a.id, &a.file_name, a.media_type, bytes))
}

/// A stored file as a download: its sniffed type, never rendered in place, never cached.
pub fn file_response(id: i64, file_name: &str, media_type: dangjian_domain::life::attachment::MediaType, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ext = media_type.extensions()[0];
    let disposition = format!("attachment; filename=\"attachment-{id}.{ext}\"; filename*=UTF-8''{}", rfc8187(file_name));
    (
        [
            (header::CONTENT_TYPE, media_type.code().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// 上传附件 — multipart, one `file` part (JPEG, PNG, GIF, WebP or PDF, at most 10 MB). Optional:
/// a meeting counts the same without any.
#[utoipa::path(post, path = "/meetings/{id}/attachments", params(("id" = i64, Path)), request_body(content_type = "multipart/form-data", content = String), responses((status = 201, body = Attachment), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload_attachment(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let up = read_attachment_upload(mp).await.map_err(ApiError)?;
    Ok((StatusCode::CREATED, Json(life::attachment::add(&s.store, &auth.ctx, id, &up.input()).await?)))
}

#[utoipa::path(get, path = "/meetings/{id}/attachments", params(("id" = i64, Path)), responses((status = 200, body = Vec<Attachment>), (status = 404, body = Problem)))]
async fn list_attachments(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Json<Vec<Attachment>>, ApiError> {
    Ok(Json(life::attachment::list(&s.store, &auth.ctx, id).await?))
}

/// The file itself, with its sniffed `Content-Type` and `Content-Disposition: attachment`.
#[utoipa::path(get, path = "/attachments/{id}", params(("id" = i64, Path)), responses((status = 200, description = "the file's bytes, as an attachment"), (status = 404, body = Problem)))]
async fn download_attachment(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<axum::response::Response, ApiError> {
    attachment_response(&s, &auth, id).await.map_err(ApiError)
}

/// Takes the attachment off its meeting (audited, with an optional reason in a JSON body or the
/// query); the file is kept as evidence.
#[utoipa::path(delete, path = "/attachments/{id}", params(("id" = i64, Path), DeleteReason), request_body(content = Option<DeleteReason>), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_attachment(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<DeleteReason>, b: Option<Json<DeleteReason>>) -> Result<StatusCode, ApiError> {
    let reason = b.and_then(|Json(b)| b.reason).or(q.reason).unwrap_or_default();
    life::attachment::remove(&s.store, &auth.ctx, id, &reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
