//! 组织生活 pages: an organisation's meetings, the record form (attendance defaults to present,
//! one tap marks each exception — radios, no script), the meeting page with its versions, and
//! correction and deletion with a reason, and attachments (附件).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::life::vote::{Motion, MotionInput};
use dangjian_domain::life::{AttendanceStatus, Guest, MeetingKind, MeetingNotes};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use dangjian_store::life::local_kind::KindRef;
use dangjian_store::life::{self, Attachment, AttendanceInput, AttendanceRow, GuestInput, Meeting, MeetingInput, MeetingQuery, Version};
use dangjian_store::org::{self, Node};

use super::{page_param, render, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

mod compliance;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list))
        .route("/meetings/new", get(new_page).post(create))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/edit", get(edit_page).post(edit))
        .route("/meetings/{id}/delete", post(delete))
        .route("/compliance", get(compliance::page))
        .route("/compliance/bulletin.xlsx", get(compliance::bulletin_xlsx))
        .merge(attachment_routes())
}

/// The kinds a list can be filtered by: the canonical ones, and those the installation of the
/// organisation shown added.
async fn kind_options(s: &AppState, auth: &Authed, org: Option<&Node>) -> Result<Vec<(String, String)>, PageError> {
    let mut out: Vec<(String, String)> = MeetingKind::ALL.iter().map(|k| (k.code().to_string(), k.label().to_string())).collect();
    if let Some(o) = org {
        out.extend(life::local_kind::list(&s.store, &auth.ctx, o.id).await?.into_iter().map(|k| (k.code, k.name)));
    }
    Ok(out)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ListQuery {
    org: String,
    kind: String,
    period: String,
    page: String,
    done: String,
}

#[derive(Template)]
#[template(path = "life/list.html")]
struct ListPage {
    nav: Nav,
    org: Option<Node>,
    items: Vec<Meeting>,
    total: u64,
    page: u64,
    pages: u64,
    kind: String,
    period: String,
    kinds: Vec<(String, String)>,
    can_write: bool,
    notice: String,
}

impl ListPage {
    /// The query string of another page of the same list.
    fn link(&self, page: u64) -> String {
        let org = self.org.as_ref().map(|o| o.id.to_string()).unwrap_or_default();
        format!("/meetings?org={org}&kind={}&period={}&page={page}", self.kind, self.period)
    }
}

async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let org = match q.org.trim().parse::<i64>() {
        Ok(id) => Some(org::node(&s.store, id).await?),
        Err(_) => None,
    };
    let kinds = kind_options(&s, &auth, org.as_ref()).await?;
    let kind = kinds.iter().find(|(c, l)| *c == q.kind.trim() || *l == q.kind.trim()).map(|(c, _)| c.clone()).unwrap_or_default();
    let p = life::list(
        &s.store,
        &auth.ctx,
        &MeetingQuery {
            org: org.as_ref().map(|o| o.id),
            kind: (!kind.is_empty()).then(|| kind.clone()),
            period: Some(q.period.trim().to_string()),
            page: page_param(&q.page)?,
            per_page: Some(20),
            ..Default::default()
        },
    )
    .await?;
    let can_write = org.as_ref().is_some_and(|o| auth.ctx.actor.decide(Action::LifeWrite, Target::org(&o.path)) == Decision::Allow && o.active);
    let pages = p.total.div_ceil(p.per_page).max(1);
    Ok(render(&ListPage {
        nav: Nav::of(&auth),
        org,
        items: p.items,
        total: p.total,
        page: p.page,
        pages,
        kind,
        period: q.period.trim().chars().take(10).collect(),
        kinds,
        can_write,
        notice: if q.done == "deleted" { "会议记录已删除。".into() } else { String::new() },
    }))
}

/// One person on the attendance list of the form.
struct Person {
    id: i64,
    name: String,
    status: &'static str,
    reason: String,
}

/// The fields of the record form, as typed.
#[derive(Default)]
struct Values {
    kinds: Vec<String>,
    /// Codes of the 自定义会议类别 ticked.
    local_kinds: Vec<String>,
    date: String,
    time: String,
    makes_up: String,
    notes: MeetingNotes,
    guests: String,
    /// 表决事项, a line each: 事项，赞成，反对，弃权.
    motions: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "life/form.html")]
struct FormPage {
    nav: Nav,
    title: String,
    action: String,
    org: Node,
    kinds: Vec<(&'static str, &'static str)>,
    /// The installation's added kinds this organisation may record (code, name).
    local: Vec<(String, String)>,
    v: Values,
    people: Vec<Person>,
    statuses: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

impl FormPage {
    fn checked(&self, code: &str) -> bool {
        self.v.kinds.iter().any(|k| k == code)
    }
    fn checked_local(&self, code: &str) -> bool {
        self.v.local_kinds.iter().any(|k| k == code)
    }

    /// A 谈心谈话 records only those who talked, so its attendance list starts with nobody
    /// present and its legend says so, rather than "默认全部出席".
    fn talk(&self) -> bool {
        let kinds: Vec<MeetingKind> = self.v.kinds.iter().filter_map(|k| MeetingKind::parse(k)).collect();
        MeetingKind::lists_participants_only(&kinds)
    }
}

/// The record form. `kept`: added kinds the record already counts as, offered even when retired.
async fn form_page(s: &AppState, auth: &Authed, title: String, action: String, org: Node, v: Values, people: Vec<Person>, errors: FieldErrors, kept: &[KindRef]) -> Result<Response, PageError> {
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut local: Vec<(String, String)> = life::local_kind::held_by(&s.store, &org).await?.into_iter().map(|k| (k.code, k.name)).collect();
    for k in kept {
        if !local.iter().any(|(c, _)| *c == k.code) {
            local.push((k.code.clone(), k.name.clone()));
        }
    }
    let page = FormPage {
        nav: Nav::of(auth),
        title,
        action,
        kinds: MeetingKind::held_by_kind(org.kind).into_iter().map(|k| (k.code(), k.label())).collect(),
        local,
        org,
        v,
        people,
        statuses: AttendanceStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        errors,
    };
    Ok(render_status(status, &page))
}

#[derive(serde::Deserialize)]
struct OrgParam {
    org: i64,
    /// A kind to tick, from a "登记" button of what is due.
    #[serde(default)]
    kind: String,
    /// The period an overdue item's 补开 makes up.
    #[serde(default)]
    makes_up: String,
}

async fn new_page(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    let o = org::node(&s.store, q.org).await?;
    let preset: Vec<MeetingKind> = MeetingKind::parse(&q.kind).filter(|k| k.held_by(o.kind)).into_iter().collect();
    // A 谈心谈话 lists those who talked: nobody is ticked until the secretary marks them present.
    let status = if MeetingKind::lists_participants_only(&preset) { "absent" } else { "present" };
    let people = life::roster(&s.store, &auth.ctx, o.id).await?.into_iter().map(|m| Person { id: m.id, name: m.name, status, reason: String::new() }).collect();
    let now = time::format_unix_cst(time::now_unix());
    let kinds = preset.iter().map(|k| k.code().to_string()).collect();
    let v = Values { date: now.get(..10).unwrap_or_default().into(), time: now.get(11..16).unwrap_or_default().into(), kinds, makes_up: q.makes_up.trim().chars().take(10).collect(), ..Default::default() };
    form_page(&s, &auth, format!("登记组织生活 · {}", o.name), format!("/meetings/new?org={}", o.id), o, v, people, FieldErrors::default(), &[]).await
}

/// The submitted form: repeated `kind`s, and `att_<member>` / `reason_<member>` for each person.
struct Submitted {
    input: MeetingInput,
    values: Values,
    people: Vec<Person>,
}

/// A guest per line: a name, then (after a space or a comma) the unit.
fn guests_of(text: &str) -> Vec<GuestInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.find([' ', '\u{3000}', ',', '，', '、']) {
            Some(i) => {
                let sep = l[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                GuestInput { name: l[..i].trim().into(), unit: l[i + sep..].trim().into() }
            }
            None => GuestInput { name: l.into(), unit: String::new() },
        })
        .collect()
}

/// A motion per line: the subject, then the votes in favour, against and abstaining (separated
/// by commas or spaces). A count that is not a number is read as 0, which the vote rules then
/// judge; the subject is kept as typed.
fn motions_of(text: &str) -> Vec<MotionInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split([',', '，', '、', ' ', '\u{3000}']).map(str::trim).filter(|p| !p.is_empty()).collect();
            let n = parts.len();
            let (title, counts) = if n >= 4 { (parts[..n - 3].join(" "), &parts[n - 3..]) } else { (l.to_string(), &parts[..0]) };
            let count = |i: usize| counts.get(i).and_then(|c| c.parse().ok()).unwrap_or(0);
            MotionInput { title, in_favour: count(0), against: count(1), abstaining: count(2), passed: None }
        })
        .collect()
}

fn motions_text(m: &[Motion]) -> String {
    m.iter().map(|m| format!("{}，{}，{}，{}", m.title, m.in_favour, m.against, m.abstaining)).collect::<Vec<_>>().join("\n")
}

fn guests_text(g: &[Guest]) -> String {
    g.iter().map(|g| if g.unit.is_empty() { g.name.clone() } else { format!("{} {}", g.name, g.unit) }).collect::<Vec<_>>().join("\n")
}

fn submitted(org_id: i64, pairs: Vec<(String, String)>, names: &[(i64, String)]) -> Submitted {
    let mut v = Values::default();
    let mut status: Vec<(i64, String)> = Vec::new();
    let mut reasons: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    for (k, val) in pairs {
        match k.as_str() {
            "kind" => v.kinds.push(val),
            "local_kind" => v.local_kinds.push(val),
            "date" => v.date = val,
            "time" => v.time = val,
            "makes_up" => v.makes_up = val,
            "guests" => v.guests = val,
            "motions" => v.motions = val,
            "version" => v.version = val.trim().parse().unwrap_or(0),
            _ => {
                if let Some(f) = MeetingNotes::FIELDS.iter().find(|f| f.code == k) {
                    *(f.get_mut)(&mut v.notes) = val;
                } else if let Some(id) = k.strip_prefix("att_").and_then(|s| s.parse().ok()) {
                    status.push((id, val));
                } else if let Some(id) = k.strip_prefix("reason_").and_then(|s| s.parse().ok()) {
                    reasons.insert(id, val);
                }
            }
        }
    }
    let time = if v.time.trim().len() == 5 { format!("{}:00", v.time.trim()) } else { v.time.trim().to_string() };
    let starts_at = if v.date.trim().is_empty() { String::new() } else { format!("{}T{time}+08:00", v.date.trim()) };
    // Everyone listed on the form is present unless marked otherwise; an id the form did not
    // list is passed on, for the store to refuse by name.
    let status_of = |id: i64| status.iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone());
    let attendance: Vec<AttendanceInput> = names
        .iter()
        .map(|(id, _)| *id)
        .chain(status.iter().map(|(id, _)| *id).filter(|id| !names.iter().any(|(n, _)| n == id)))
        .map(|id| AttendanceInput { member_id: id, status: status_of(id).unwrap_or_else(|| "present".into()), reason: reasons.get(&id).cloned().unwrap_or_default() })
        .collect();
    let people = names
        .iter()
        .map(|(id, name)| {
            let st = status.iter().find(|(i, _)| i == id).and_then(|(_, s)| AttendanceStatus::parse(s)).unwrap_or(AttendanceStatus::Present);
            Person { id: *id, name: name.clone(), status: st.code(), reason: reasons.get(id).cloned().unwrap_or_default() }
        })
        .collect();
    let mut input = MeetingInput {
        org_id,
        kinds: v.kinds.clone(),
        local_kinds: v.local_kinds.clone(),
        starts_at,
        makes_up: v.makes_up.clone(),
        attendance,
        guests: guests_of(&v.guests),
        motions: motions_of(&v.motions),
        ..Default::default()
    };
    v.notes.fill(&mut input);
    Submitted { input, values: v, people }
}

async fn create(State(s): State<AppState>, Query(q): Query<OrgParam>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let o = org::node(&s.store, q.org).await?;
    let names: Vec<(i64, String)> = life::roster(&s.store, &pf.auth.ctx, o.id).await?.into_iter().map(|m| (m.id, m.name)).collect();
    let sub = submitted(o.id, pf.form, &names);
    match life::create(&s.store, &pf.auth.ctx, &sub.input).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?done=created", m.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            form_page(&s, &pf.auth, format!("登记组织生活 · {}", o.name), format!("/meetings/new?org={}", o.id), o, sub.values, sub.people, errors, &[]).await
        }
    }
}

#[derive(Template)]
#[template(path = "life/show.html")]
struct ShowPage {
    nav: Nav,
    m: Meeting,
    attendance: Vec<AttendanceRow>,
    versions: Vec<Version>,
    attachments: Vec<Attachment>,
    can_write: bool,
    notice: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, notice: &str, errors: FieldErrors) -> Result<Response, PageError> {
    let m = life::get(&s.store, &auth.ctx, id).await?;
    let can_write = auth.ctx.actor.decide(Action::LifeWrite, Target::org(&m.org_path)) == Decision::Allow;
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ShowPage {
        nav: Nav::of(auth),
        attendance: life::attendance(&s.store, &auth.ctx, id).await?,
        versions: if can_write { life::versions(&s.store, &auth.ctx, id).await? } else { Vec::new() },
        attachments: life::attachment::list(&s.store, &auth.ctx, id).await?,
        m,
        can_write,
        notice: match notice {
            "created" => "会议记录已登记。",
            "corrected" => "已更正，原记录已作为历史版本保留。",
            "attached" => "附件已上传。",
            "detached" => "附件已删除。",
            _ => "",
        }
        .into(),
        errors,
    };
    Ok(render_status(status, &page))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(d): Query<Done>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, &d.done, FieldErrors::default()).await
}

async fn edit_page(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let m = life::get(&s.store, &auth.ctx, id).await?;
    let o = org::node(&s.store, m.org_id).await?;
    // Asks for the write right before showing a form that could not be sent.
    life::versions(&s.store, &auth.ctx, id).await?;
    let people = life::attendance(&s.store, &auth.ctx, id)
        .await?
        .into_iter()
        .map(|a| Person { id: a.member_id, name: a.member_name, status: a.status.code(), reason: a.reason })
        .collect();
    let starts = m.starts_text();
    let v = Values {
        kinds: m.kinds.iter().map(|k| k.code().to_string()).collect(),
        local_kinds: m.local_kinds.iter().map(|k| k.code.clone()).collect(),
        date: starts.get(..10).unwrap_or_default().into(),
        time: starts.get(11..16).unwrap_or_default().into(),
        makes_up: m.makes_up.unwrap_or_default(),
        notes: m.notes,
        guests: guests_text(&m.guests),
        motions: motions_text(&m.motions),
        version: m.version,
    };
    form_page(&s, &auth, format!("更正会议记录 · {}", o.name), format!("/meetings/{id}/edit"), o, v, people, FieldErrors::default(), &m.local_kinds).await
}

async fn edit(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let m = life::get(&s.store, &pf.auth.ctx, id).await?;
    let o = org::node(&s.store, m.org_id).await?;
    let names: Vec<(i64, String)> = life::attendance(&s.store, &pf.auth.ctx, id).await?.into_iter().map(|a| (a.member_id, a.member_name)).collect();
    let sub = submitted(o.id, pf.form, &names);
    match life::correct(&s.store, &pf.auth.ctx, id, sub.values.version, &sub.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?done=corrected")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            form_page(&s, &pf.auth, format!("更正会议记录 · {}", o.name), format!("/meetings/{id}/edit"), o, sub.values, sub.people, errors, &m.local_kinds).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DeleteForm {
    reason: String,
}

async fn delete(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<DeleteForm>) -> Result<Response, PageError> {
    let m = life::get(&s.store, &pf.auth.ctx, id).await?;
    match life::delete(&s.store, &pf.auth.ctx, id, &pf.form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/meetings?org={}&done=deleted", m.org_id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(&s, &pf.auth, id, "", errors).await
        }
    }
}

// 附件 — meeting attachments: upload (multipart, with the CSRF token as a part), download,
// removal.

fn attachment_routes() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/attachments", post(upload_attachment))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::life::UPLOAD_LIMIT))
        .route("/attachments/{id}", get(download_attachment))
        .route("/attachments/{id}/delete", post(delete_attachment))
}

async fn upload_attachment(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Result<Response, PageError> {
    let up = match crate::api::life::read_attachment_upload(mp).await {
        Ok(up) => up,
        Err(p) => {
            // Nothing is shown about a meeting before the caller may see it.
            life::get(&s.store, &auth.ctx, id).await?;
            let errors = FieldErrors { general: Vec::new(), fields: p.errors.into_iter().map(|e| (e.field, e.message)).collect() };
            return show_page(&s, &auth, id, "", errors).await;
        }
    };
    if let Err(r) = super::check_csrf(&auth, &up.csrf) {
        return Ok(r);
    }
    match life::attachment::add(&s.store, &auth.ctx, id, &up.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?done=attached#attachments")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(&s, &auth, id, "", errors).await
        }
    }
}

async fn download_attachment(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    crate::api::life::attachment_response(&s, &auth, id).await.map_err(PageError)
}

async fn delete_attachment(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<DeleteForm>) -> Result<Response, PageError> {
    let a = life::attachment::remove(&s.store, &pf.auth.ctx, id, &pf.form.reason).await?;
    Ok(Redirect::to(&format!("/meetings/{}?done=detached#attachments", a.meeting_id)).into_response())
}
