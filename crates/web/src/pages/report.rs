//! 定期汇报与责任清单 pages: an organisation's reports (those it asked for and those it owes),
//! the form that asks its subtree for one, the superior's list of who has and has not reported,
//! the report itself (the secretary's form beside the figures taken from the records and their
//! sources; the review), and the responsible persons with the 责任清单.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use dangjian_domain::duty::report::{reports_upward, ScheduleInput, Section};
use dangjian_domain::duty::responsibility::TaskInput;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use dangjian_store::duty::report::attachment as report_file;
use dangjian_store::duty::report::{self, Report, ScheduleStatus, Schedules};
use dangjian_store::duty::responsibility::{self, ResponsibilityView};
use dangjian_store::org::{self, Node};
use dangjian_store::life::RosterMember;

use super::{render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(list))
        .route("/reports/open", post(open))
        .route("/reports/{id}", get(show))
        .route("/reports/{id}/save", post(save))
        .route("/reports/{id}/review", post(review))
        .route("/report-schedules/new", post(create_schedule))
        .route("/report-schedules/{id}", get(status))
        .route("/responsibility", get(responsibility_page))
        .route("/responsibility/tasks", post(add_task))
        .route("/responsibility/tasks/{id}/done", post(task_done))
        .route("/responsibility/tasks/{id}/delete", post(delete_task))
        .merge(file_routes())
}

fn file_routes() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/attachments", post(upload_file))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::life::UPLOAD_LIMIT))
        .route("/report-attachments/{id}", get(download_file))
        .route("/report-attachments/{id}/delete", post(delete_file))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct OrgParam {
    org: Option<i64>,
}

/// The organisation asked for, or the caller's first scope for reports.
async fn subject(s: &AppState, auth: &Authed, org: Option<i64>) -> Result<Node, PageError> {
    let id = match org {
        Some(id) => id,
        None => {
            let scopes = org::scope_paths(&s.store, &auth.ctx, Action::DutyRead).await?;
            scopes.first().and_then(|p| dangjian_domain::org::path_ids(p).last().copied()).ok_or(dangjian_store::StoreError::Forbidden)?
        }
    };
    Ok(org::node(&s.store, id).await?)
}

/// The schedule form as typed, kept when it comes back with messages.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct ScheduleForm {
    title: String,
    period: String,
    deadline: String,
    /// One title per line.
    sections: String,
    /// 须附材料: a checkbox, present when ticked.
    attachments_required: Option<String>,
    note: String,
}

#[derive(Template)]
#[template(path = "report/list.html")]
struct ListPage {
    nav: Nav,
    org: Node,
    v: Schedules,
    /// May ask its subtree for reports (and has organisations below that report).
    can_define: bool,
    form: ScheduleForm,
    errors: FieldErrors,
}

async fn list_page(s: &AppState, auth: &Authed, org: Node, form: ScheduleForm, errors: FieldErrors) -> Result<Response, PageError> {
    let v = report::schedules(&s.store, &auth.ctx, org.id).await?;
    let reports_below = s.store.tree().await?.subtree(&org.path).iter().any(|n| n.id != org.id && n.active && reports_upward(n.kind));
    let can_define = org.active && reports_below && auth.ctx.actor.decide(Action::DutyWrite, Target::org(&org.path)) == Decision::Allow;
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ListPage { nav: Nav::of(auth), org, v, can_define, form, errors }))
}

fn default_form() -> ScheduleForm {
    let today = time::today_cst();
    let q = Period::containing(PeriodKind::Quarter, today).expect("every day is in a quarter");
    ScheduleForm {
        title: format!("{}年第{}季度党建工作汇报", q.year(), ["一", "二", "三", "四"][(q.index() as usize - 1).min(3)]),
        period: q.to_string(),
        deadline: time::format_date(q.last_day()),
        sections: "工作开展情况\n存在问题\n下步打算".into(),
        attachments_required: None,
        note: String::new(),
    }
}

async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    let org = subject(&s, &auth, q.org).await?;
    list_page(&s, &auth, org, default_form(), FieldErrors::default()).await
}

async fn create_schedule(State(s): State<AppState>, Query(q): Query<OrgParam>, pf: PageForm<ScheduleForm>) -> Result<Response, PageError> {
    let org = subject(&s, &pf.auth, q.org).await?;
    let f = pf.form.clone();
    let input = ScheduleInput {
        title: f.title,
        period: f.period,
        deadline: f.deadline,
        sections: f.sections.lines().map(str::to_string).collect(),
        attachments_required: f.attachments_required.is_some(),
        scope_org_id: None,
        note: f.note,
    };
    match report::create_schedule(&s.store, &pf.auth.ctx, org.id, &input).await {
        Ok(sc) => Ok(Redirect::to(&format!("/report-schedules/{}", sc.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            list_page(&s, &pf.auth, org, pf.form, errors).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ShowParam {
    show: String,
}

#[derive(Template)]
#[template(path = "report/status.html")]
struct StatusPage {
    nav: Nav,
    v: ScheduleStatus,
    filters: Vec<(&'static str, &'static str)>,
}

async fn status(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<ShowParam>) -> Result<Response, PageError> {
    let v = report::status(&s.store, &auth.ctx, id, Some(q.show.as_str())).await?;
    let filters = vec![("", "全部"), ("missing", "未报送"), ("late", "逾期"), ("returned", "退回"), ("submitted", "待审核"), ("accepted", "已通过")];
    Ok(render_status(StatusCode::OK, &StatusPage { nav: Nav::of(&auth), v, filters }))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct OpenForm {
    schedule_id: i64,
    org_id: i64,
}

async fn open(State(s): State<AppState>, pf: PageForm<OpenForm>) -> Result<Response, PageError> {
    let r = report::open(&s.store, &pf.auth.ctx, pf.form.schedule_id, pf.form.org_id).await?;
    Ok(Redirect::to(&format!("/reports/{}", r.id)).into_response())
}

#[derive(Template)]
#[template(path = "report/show.html")]
struct ShowPage {
    nav: Nav,
    r: Report,
    /// The sections as typed when a save came back with messages, else as stored.
    sections: Vec<Section>,
    notice: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, notice: &str, typed: Option<Vec<Section>>, errors: FieldErrors) -> Result<Response, PageError> {
    let r = report::get(&s.store, &auth.ctx, id).await?;
    let sections = typed.unwrap_or_else(|| r.sections.clone());
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let notice = match notice {
        "saved" => "已保存。数据已按最新记录重新生成。",
        "submitted" => "已报送，数据已按报送时的记录固定。",
        "reviewed" => "审核意见已记录。",
        "attached" => "附件已上传。",
        "detached" => "附件已删除。",
        _ => "",
    };
    Ok(render_status(status, &ShowPage { nav: Nav::of(auth), r, sections, notice: notice.into(), errors }))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(d): Query<Done>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, &d.done, None, FieldErrors::default()).await
}

/// The report form: `s_<n>` is the text of the n-th section (the schedule's order), `t_<n>` its title.
fn sections_of(form: &[(String, String)]) -> Vec<Section> {
    let mut out: Vec<(usize, Section)> = Vec::new();
    for (k, v) in form {
        let Some(i) = k.strip_prefix("t_").and_then(|i| i.parse::<usize>().ok()) else { continue };
        let text = form.iter().find(|(n, _)| *n == format!("s_{i}")).map(|(_, t)| t.clone()).unwrap_or_default();
        out.push((i, Section { title: v.clone(), text }));
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, s)| s).collect()
}

async fn save(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let sections = sections_of(&pf.form);
    let submit_too = pf.form.iter().any(|(k, _)| k == "and_submit");
    let saved = report::save(&s.store, &pf.auth.ctx, id, &sections).await;
    let r = match saved {
        Ok(_) if submit_too => report::submit(&s.store, &pf.auth.ctx, id).await,
        other => other,
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}?done={}", if submit_too { "submitted" } else { "saved" })).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(&s, &pf.auth, id, "", Some(sections), errors).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ReviewForm {
    decision: String,
    comments: String,
}

async fn review(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<ReviewForm>) -> Result<Response, PageError> {
    match report::review(&s.store, &pf.auth.ctx, id, &pf.form.decision, &pf.form.comments).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}?done=reviewed")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(&s, &pf.auth, id, "", None, errors).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ResponsibilityParam {
    org: Option<i64>,
    year: Option<i32>,
}

/// The task form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct TaskForm {
    org_id: i64,
    year: String,
    title: String,
    owner_member_id: String,
    deadline: String,
    note: String,
}

#[derive(Template)]
#[template(path = "report/responsibility.html")]
struct ResponsibilityPage {
    nav: Nav,
    v: ResponsibilityView,
    can_write: bool,
    /// Who may own a task: the organisation's 正式党员 and 预备党员.
    roster: Vec<RosterMember>,
    form: TaskForm,
    errors: FieldErrors,
}

impl ResponsibilityPage {
    fn owner_selected(&self, id: &i64) -> bool {
        self.form.owner_member_id == id.to_string()
    }
}

async fn responsibility_view(s: &AppState, auth: &Authed, org: Option<i64>, year: i32, form: Option<TaskForm>, errors: FieldErrors) -> Result<Response, PageError> {
    let o = subject(s, auth, org).await?;
    let v = responsibility::get(&s.store, &auth.ctx, o.id, year).await?;
    let can_write = o.active && auth.ctx.actor.decide(Action::DutyWrite, Target::org(&o.path)) == Decision::Allow;
    let roster = if can_write { dangjian_store::life::roster(&s.store, &auth.ctx, o.id).await? } else { Vec::new() };
    let form = form.unwrap_or_else(|| TaskForm { org_id: o.id, year: year.to_string(), deadline: format!("{year}-12-31"), ..Default::default() });
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ResponsibilityPage { nav: Nav::of(auth), v, can_write, roster, form, errors }))
}

async fn responsibility_page(State(s): State<AppState>, auth: Authed, Query(q): Query<ResponsibilityParam>) -> Result<Response, PageError> {
    let year = q.year.unwrap_or_else(|| time::today_cst().year());
    responsibility_view(&s, &auth, q.org, year, None, FieldErrors::default()).await
}

fn task_input(f: &TaskForm) -> TaskInput {
    TaskInput { year: f.year.clone(), title: f.title.clone(), owner_member_id: f.owner_member_id.trim().parse().unwrap_or(0), deadline: f.deadline.clone(), done_on: String::new(), note: f.note.clone() }
}

fn year_of(f: &TaskForm) -> i32 {
    f.year.trim().parse().unwrap_or_else(|_| time::today_cst().year())
}

async fn add_task(State(s): State<AppState>, pf: PageForm<TaskForm>) -> Result<Response, PageError> {
    let f = pf.form.clone();
    match responsibility::add_task(&s.store, &pf.auth.ctx, f.org_id, &task_input(&f)).await {
        Ok(t) => Ok(Redirect::to(&format!("/responsibility?org={}&year={}", t.row.org_id, t.row.year)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            responsibility_view(&s, &pf.auth, Some(f.org_id), year_of(&f), Some(pf.form), errors).await
        }
    }
}

/// 标记完成: the task as it is, done today.
async fn task_done(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<TaskForm>) -> Result<Response, PageError> {
    let v = responsibility::get(&s.store, &pf.auth.ctx, pf.form.org_id, year_of(&pf.form)).await?;
    let t = v.tasks.iter().find(|t| t.row.id == id).ok_or(dangjian_store::StoreError::NotFound)?;
    let input = TaskInput {
        year: t.row.year.to_string(),
        title: t.row.title.clone(),
        owner_member_id: t.row.owner_member_id,
        deadline: t.row.deadline.to_string(),
        done_on: time::format_date(time::today_cst()),
        note: t.row.note.clone(),
    };
    match responsibility::update_task(&s.store, &pf.auth.ctx, id, &input).await {
        Ok(t) => Ok(Redirect::to(&format!("/responsibility?org={}&year={}", t.row.org_id, t.row.year)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            responsibility_view(&s, &pf.auth, Some(pf.form.org_id), year_of(&pf.form), None, errors).await
        }
    }
}

async fn delete_task(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<TaskForm>) -> Result<Response, PageError> {
    responsibility::delete_task(&s.store, &pf.auth.ctx, id).await?;
    Ok(Redirect::to(&format!("/responsibility?org={}&year={}", pf.form.org_id, year_of(&pf.form))).into_response())
}

// 附件 of a report: upload (multipart, with the CSRF token as a part), download, removal.

async fn upload_file(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Result<Response, PageError> {
    let up = match crate::api::life::read_attachment_upload(mp).await {
        Ok(up) => up,
        Err(p) => {
            // Nothing is shown about a report before the caller may see it.
            report::get(&s.store, &auth.ctx, id).await?;
            let errors = FieldErrors { general: Vec::new(), fields: p.errors.into_iter().map(|e| (e.field, e.message)).collect() };
            return show_page(&s, &auth, id, "", None, errors).await;
        }
    };
    if let Err(r) = super::check_csrf(&auth, &up.csrf) {
        return Ok(r);
    }
    match report_file::add(&s.store, &auth.ctx, id, &up.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}?done=attached#attachments")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(&s, &auth, id, "", None, errors).await
        }
    }
}

async fn download_file(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (f, bytes) = report_file::open(&s.store, &auth.ctx, id).await?;
    Ok(crate::api::life::file_response(f.id, &f.file_name, f.media_type, bytes))
}

async fn delete_file(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let f = report_file::remove(&s.store, &pf.auth.ctx, id).await?;
    Ok(Redirect::to(&format!("/reports/{}?done=detached#attachments", f.submission_id)).into_response())
}
