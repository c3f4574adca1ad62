//! Member pages: list with filters, member page with reveal, create and edit.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::member::{Category, Details, MemberChange, MemberInput, Status, TextField, FIELDS};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_store::member::{self, Change, Member, MemberEvent, MemberQuery, MemberRow, Revealed};
use dangjian_store::org::{self, Node, Org, Post};
use dangjian_store::Page;

use super::{opt_id, render, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/members", get(list))
        .route("/members/search", post(search))
        .route("/members/new", get(new_page).post(create))
        .route("/members/{id}", get(show))
        .route("/members/{id}/reveal", post(reveal))
        .route("/members/{id}/edit", get(edit_page).post(edit))
}

/// The filter form as typed: every field text, so an empty box is not a parse error.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct ListParams {
    org: String,
    subtree: String,
    q: String,
    status: String,
    category: String,
    sort: String,
    page: String,
}

impl ListParams {
    fn query(&self) -> Result<MemberQuery, PageError> {
        Ok(MemberQuery {
            org: opt_id(&self.org),
            subtree: Some(self.subtree != "false"),
            q: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            category: Some(self.category.clone()).filter(|s| !s.is_empty()),
            page: super::page_param(&self.page)?,
            per_page: Some(30),
            sort: Some(self.sort.clone()).filter(|s| !s.is_empty()),
        })
    }

    /// The query string of this filter on another page.
    fn link(&self, page: u64) -> String {
        let pairs = [("org", &self.org), ("subtree", &self.subtree), ("q", &self.q), ("status", &self.status), ("category", &self.category), ("sort", &self.sort)];
        let mut s = serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default();
        if !s.is_empty() {
            s.push('&');
        }
        format!("/members?{s}page={page}")
    }
}

#[derive(Template)]
#[template(path = "member/list.html")]
struct ListPage {
    nav: Nav,
    p: ListParams,
    org: Option<Org>,
    result: Page<MemberRow>,
    statuses: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    prev: Option<String>,
    next: Option<String>,
    pages: u64,
    can_add: bool,
}

async fn list(State(s): State<AppState>, auth: Authed, Query(p): Query<ListParams>) -> Result<Response, PageError> {
    let q = p.query()?;
    crate::api::member::refuse_number_in_url(&q).map_err(PageError)?;
    list_view(&s, &auth, p, q, true).await
}

/// The search form posts here: an ID or phone number is answered on the spot, so it never
/// appears in a URL; any other search goes on as a normal list link (names page like a list).
async fn search(State(s): State<AppState>, pf: PageForm<ListParams>) -> Result<Response, PageError> {
    let (auth, p) = (pf.auth, pf.form);
    if !dangjian_domain::member::is_personal_number(&p.q) {
        return Ok(Redirect::to(&p.link(1)).into_response());
    }
    let q = p.query()?;
    list_view(&s, &auth, p, q, false).await
}

async fn list_view(s: &AppState, auth: &Authed, p: ListParams, q: MemberQuery, links: bool) -> Result<Response, PageError> {
    let result = member::list(&s.store, &auth.ctx, &q).await?;
    let org = match q.org {
        Some(id) => Some(org::get(&s.store, &auth.ctx, id).await?),
        None => None,
    };
    let pages = result.total.div_ceil(result.per_page).max(1);
    let can_add = org.as_ref().is_some_and(|o| o.holds_members() && auth.ctx.actor.decide(Action::MemberWrite, Target::org(&o.path)) == Decision::Allow);
    Ok(render(&ListPage {
        nav: Nav::of(auth),
        prev: (links && result.page > 1).then(|| p.link(result.page - 1)),
        next: (links && result.page < pages).then(|| p.link(result.page + 1)),
        pages,
        org,
        result,
        statuses: Status::ALL.iter().map(|x| (x.code(), x.label())).collect(),
        categories: Category::ALL.iter().map(|x| (x.code(), x.label())).collect(),
        can_add,
        p,
    }))
}

#[derive(Template)]
#[template(path = "member/show.html")]
struct ShowPage {
    nav: Nav,
    m: Member,
    texts: &'static [TextField],
    posts: Vec<(String, Post)>,
    events: Vec<MemberEvent>,
    /// 参加组织生活: the meetings the member was listed for.
    life: Vec<dangjian_store::life::MemberAttendance>,
    /// 民主评议: the member's published grades.
    appraisals: Vec<dangjian_store::life::appraisal::MemberGrade>,
    /// 表彰: the member's published honours.
    honours: Vec<dangjian_store::duty::honour::Honour>,
    revealed: Option<Revealed>,
    /// 所在党小组, from the tree snapshot.
    group: Option<Node>,
    can_edit: bool,
    can_reveal: bool,
    notice: String,
}

#[derive(serde::Deserialize, Default)]
struct Notice {
    #[serde(default)]
    done: String,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, revealed: Option<Revealed>, notice: &str) -> Result<Response, PageError> {
    let m = member::get(&s.store, &auth.ctx, id).await?;
    let target = Target::member(&m.org_path, auth.ctx.actor.member_id == Some(m.id));
    let can = |a| auth.ctx.actor.decide(a, target) == Decision::Allow;
    Ok(render(&ShowPage {
        nav: Nav::of(auth),
        texts: Details::FIELDS,
        posts: member::posts(&s.store, &auth.ctx, id).await?,
        events: member::events(&s.store, &auth.ctx, id).await?,
        life: dangjian_store::life::attendance_of_member(&s.store, &auth.ctx, id, 30).await?,
        appraisals: dangjian_store::life::appraisal::of_member(&s.store, &auth.ctx, id).await?,
        honours: dangjian_store::duty::honour::of_member(&s.store, &auth.ctx, id).await?,
        can_edit: can(Action::MemberWrite),
        can_reveal: can(Action::MemberReveal),
        group: match m.group_id {
            Some(g) => s.store.tree().await?.get(g).cloned(),
            None => None,
        },
        m,
        revealed,
        notice: match notice {
            "created" => "党员档案已建立。",
            "updated" => "已保存。",
            _ => "",
        }
        .into(),
    }))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(n): Query<Notice>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, None, &n.done).await
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn reveal(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    let r = member::reveal(&s.store, &pf.auth.ctx, id).await?;
    show_page(&s, &pf.auth, id, Some(r), "").await
}

/// The member form: the organisation, member number and change reason, and the roster fields
/// under their own codes.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct MemberForm {
    org_id: String,
    member_no: String,
    reason: String,
    #[serde(flatten)]
    fields: MemberInput,
}

#[derive(Template)]
#[template(path = "member/form.html")]
struct FormPage {
    nav: Nav,
    title: String,
    action: String,
    editing: bool,
    f: MemberForm,
    orgs: Vec<Node>,
    statuses: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    /// The plain text fields, one input each.
    texts: &'static [TextField],
    errors: FieldErrors,
    /// Messages of no field the form shows.
    other_errors: Vec<String>,
}

async fn form_page(s: &AppState, auth: &Authed, title: String, action: String, editing: bool, f: MemberForm, errors: FieldErrors) -> Result<FormPage, PageError> {
    let orgs = org::options(&s.store, &auth.ctx, Action::MemberWrite, 1000).await?.into_iter().filter(|o| o.holds_members()).collect();
    let shown: Vec<&str> = FIELDS.iter().map(|fd| fd.code).chain(["org_id", "member_no", "reason"]).collect();
    Ok(FormPage {
        texts: Details::FIELDS,
        other_errors: errors.others(&shown),
        nav: Nav::of(auth),
        title,
        action,
        editing,
        f,
        orgs,
        statuses: Status::ALL.iter().map(|x| (x.code(), x.label())).collect(),
        categories: Category::ALL.iter().map(|x| (x.code(), x.label())).collect(),
        errors,
    })
}

#[derive(serde::Deserialize, Default)]
struct OrgParam {
    #[serde(default)]
    org: String,
}

async fn new_page(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    let fields = MemberInput { status: Status::Full.code().into(), category: Category::Employed.code().into(), ..Default::default() };
    let f = MemberForm { org_id: q.org, fields, ..Default::default() };
    Ok(render(&form_page(&s, &auth, "新增党员".into(), "/members/new".into(), false, f, FieldErrors::default()).await?))
}

async fn create(State(s): State<AppState>, pf: PageForm<MemberForm>) -> Result<Response, PageError> {
    let (auth, f) = (pf.auth, pf.form);
    match member::create(&s.store, &auth.ctx, opt_id(&f.org_id).unwrap_or(0), &f.member_no, &f.fields).await {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}?done=created", m.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&s, &auth, "新增党员".into(), "/members/new".into(), false, f, errors).await?))
        }
    }
}

async fn edit_page(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let m = member::get(&s.store, &auth.ctx, id).await?;
    s.store.authorize(&auth.ctx, Action::MemberWrite, Target::member(&m.org_path, auth.ctx.actor.member_id == Some(id)), &format!("member:{id}")).await?;
    // The page never shows the stored numbers: blank boxes keep them.
    let f = MemberForm { org_id: m.org_id.to_string(), member_no: m.member_no.clone().unwrap_or_default(), reason: String::new(), fields: m.as_input(String::new(), String::new()) };
    Ok(render(&form_page(&s, &auth, format!("修改党员信息：{}", m.name), format!("/members/{id}/edit"), true, f, FieldErrors::default()).await?))
}

async fn edit(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<MemberForm>) -> Result<Response, PageError> {
    let (auth, f) = (pf.auth, pf.form);
    let change = Change {
        org_id: opt_id(&f.org_id),
        member_no: Some(f.member_no.clone()),
        fields: MemberChange::from_form(&f.fields),
        reason: f.reason.clone(),
    };
    match member::update(&s.store, &auth.ctx, id, &change).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}?done=updated")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&s, &auth, "修改党员信息".into(), format!("/members/{id}/edit"), true, f, errors).await?))
        }
    }
}
