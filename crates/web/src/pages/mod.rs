//! Server-rendered pages: Chinese, no external assets, no inline script, usable on a phone.
//! Each handler is a thin adapter over the same store call as its API twin.

mod account;
mod appraisal;
mod audit;
mod duty;
mod honour;
mod inspection;
mod job;
mod life;
mod member;
mod notice;
mod org;
mod report;
mod review;
mod roster;
mod session;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use dangjian_domain::policy::{Action, Actor, Decision, Role, Target};
use serde::de::DeserializeOwned;

use crate::auth::{Authed, RejectKind, Rejection};
use crate::error::{PageError, Problem};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(org::routes())
        .merge(member::routes())
        .merge(life::routes())
        .merge(appraisal::routes())
        .merge(duty::routes())
        .merge(honour::routes())
        .merge(roster::routes())
        .merge(account::routes())
        .merge(audit::routes())
        .merge(job::routes())
        .merge(notice::routes())
        .merge(report::routes())
        .merge(review::routes())
        .merge(inspection::routes())
}

const CSS: &str = include_str!("../../static/app.css");

pub async fn static_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

/// What every page's header needs: who is signed in, the CSRF token, and which areas to link.
#[derive(Debug, Clone)]
pub struct Nav {
    pub username: String,
    pub csrf: String,
    pub member_id: Option<i64>,
    pub can_orgs: bool,
    pub can_members: bool,
    pub can_life: bool,
    /// 责任与考核: reports upward and 责任清单, and the assessments of one's scope (the 工委's
    /// officer; a secretary, their own).
    pub can_duty: bool,
    /// 述职评议: whoever reads party work or votes in a secretary's review.
    pub can_review: bool,
    pub can_import: bool,
    pub can_accounts: bool,
    pub can_audit: bool,
    pub can_jobs: bool,
    /// 提醒: the bell's unread count, capped (`bell()` shows 99+).
    pub unread: i64,
}

fn can_anywhere(actor: &Actor, action: Action) -> bool {
    !actor.scopes(action).is_empty()
}

impl Nav {
    pub fn of(auth: &Authed) -> Nav {
        let a = &auth.ctx.actor;
        Nav {
            username: a.username.clone(),
            csrf: auth.session.csrf.clone(),
            member_id: a.member_id,
            can_orgs: can_anywhere(a, Action::OrgRead),
            can_members: can_anywhere(a, Action::MemberRead),
            can_life: can_anywhere(a, Action::LifeRead),
            can_duty: can_anywhere(a, Action::DutyRead),
            can_review: can_anywhere(a, Action::DutyRead) || can_anywhere(a, Action::DutyVote),
            can_import: can_anywhere(a, Action::MemberImport) || can_anywhere(a, Action::MemberExport),
            can_accounts: a.has_role(Role::SystemAdmin) || a.has_role(Role::SecurityAdmin),
            can_audit: a.decide(Action::AuditRead, Target::system()) == Decision::Allow,
            can_jobs: a.decide(Action::JobRead, Target::system()) == Decision::Allow,
            unread: auth.unread,
        }
    }

    /// The bell's figure: the count, or 99+.
    pub fn bell(&self) -> String {
        if self.unread > 99 { "99+".into() } else { self.unread.to_string() }
    }
}

/// Renders a template into a response; a template error is a server error page.
pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            PageError(Problem::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "template", "页面生成失败")).into_response()
        }
    }
}

pub fn render_status<T: askama::Template>(status: axum::http::StatusCode, t: &T) -> Response {
    let mut r = render(t);
    if r.status().is_success() {
        *r.status_mut() = status;
    }
    r
}

/// A submitted form of a signed-in person, with its CSRF token checked before anything else.
pub struct PageForm<T> {
    pub auth: Authed,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let auth = Authed::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        let token: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: String::new() });
        auth.check_csrf(&token.csrf).map_err(IntoResponse::into_response)?;
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            PageError(Problem::new(axum::http::StatusCode::BAD_REQUEST, "bad_form", format!("表单内容无法识别：{e}"))).into_response()
        })?;
        Ok(PageForm { auth, form })
    }
}

/// Rejects a submitted token that does not match the session's (for multipart forms).
pub fn check_csrf(auth: &Authed, token: &str) -> Result<(), Response> {
    auth.check_csrf(token).map_err(|_| Rejection { api: false, kind: RejectKind::Csrf }.into_response())
}

/// A page number from a link: empty means the first page; anything else must be a number
/// (a typo is a 400, not silently page 1).
pub fn page_param(s: &str) -> Result<Option<u64>, PageError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| PageError(Problem::new(axum::http::StatusCode::BAD_REQUEST, "bad_page", format!("页码“{}”无法识别，应为从1开始的数字", s.chars().take(20).collect::<String>()))))
}

/// Parses an optional id typed into a form.
pub fn opt_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Field errors by field name, for showing each message beside its input.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors {
    pub general: Vec<String>,
    pub fields: Vec<(String, String)>,
}

impl FieldErrors {
    /// Sorts a refused write: what the person can correct (422 invalid input, 409 conflict) comes
    /// back as form errors; anything else (404, 403, a database failure) is an error page.
    pub fn for_form(e: dangjian_store::StoreError) -> Result<FieldErrors, PageError> {
        match e {
            dangjian_store::StoreError::Invalid(_) | dangjian_store::StoreError::Conflict { .. } => Ok(FieldErrors::from_store(&e)),
            other => Err(other.into()),
        }
    }

    pub fn from_store(e: &dangjian_store::StoreError) -> FieldErrors {
        match e {
            dangjian_store::StoreError::Invalid(v) => FieldErrors { general: vec![], fields: v.iter().map(|i| (i.field.to_string(), i.message.clone())).collect() },
            other => FieldErrors { general: vec![other.to_string()], fields: vec![] },
        }
    }
    pub fn get(&self, field: &str) -> String {
        self.fields.iter().filter(|(f, _)| f == field).map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；")
    }
    pub fn any(&self) -> bool {
        !self.general.is_empty() || !self.fields.is_empty()
    }
    /// Messages of fields the form does not show, plus the general ones.
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        let mut v = self.general.clone();
        v.extend(self.fields.iter().filter(|(f, _)| !shown.contains(&f.as_str())).map(|(_, m)| m.clone()));
        v
    }
}

/// Numbers for a horizontal bar drawn as SVG (no inline style, the CSP forbids it).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub percent: i64,
}

pub fn bars(items: Vec<(String, i64)>) -> Vec<Bar> {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    items.into_iter().map(|(label, value)| Bar { label, value, percent: value * 100 / max }).collect()
}

pub fn status_label(code: &str) -> &'static str {
    dangjian_domain::member::Status::parse(code).map(|s| s.label()).unwrap_or("其他")
}

pub fn category_label(code: &str) -> &'static str {
    dangjian_domain::member::Category::parse(code).map(|s| s.label()).unwrap_or("其他")
}
