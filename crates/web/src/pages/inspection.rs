//! 函询（告） pages: the inspections in the caller's scope with their open and overdue items, the
//! form that records an inspection and issues its letter, and the letter itself — laid out as an
//! official letter and printable on A4 — with its rectification items, each with its history and
//! the forms that record progress, close it with evidence, confirm it or send it back.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::duty::inspection::{CloseInput, InspectionInput, ItemInput};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use dangjian_store::duty::inspection::{self, chinese_date, Letter, Listed, Prefill};
use dangjian_store::life::RosterMember;
use dangjian_store::org::{self, Node};

use super::{render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list))
        .route("/inspections/new", get(new_form).post(create))
        .route("/inspections/{id}", get(show))
        .route("/rectification-items/{id}/progress", post(progress))
        .route("/rectification-items/{id}/close", post(close))
        .route("/rectification-items/{id}/reopen", post(reopen))
        .route("/rectification-items/{id}/confirm", post(confirm))
}

/// Item rows the new-letter form offers.
const ITEM_ROWS: usize = 5;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct OrgParam {
    org: Option<i64>,
}

#[derive(Template)]
#[template(path = "inspection/list.html")]
struct ListPage {
    nav: Nav,
    items: Vec<Listed>,
    /// Organisations the caller may inspect (below a scope where they issue letters).
    targets: Vec<Node>,
}

fn allowed(auth: &Authed, action: Action, path: &str) -> bool {
    auth.ctx.actor.decide(action, Target::org(path)) == Decision::Allow
}

async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    let items = inspection::list(&s.store, &auth.ctx, q.org).await?;
    let scopes = auth.ctx.actor.scopes(Action::DutyAssess).into_iter().map(str::to_string).collect::<Vec<_>>();
    let targets = if scopes.is_empty() {
        Vec::new()
    } else {
        org::options(&s.store, &auth.ctx, Action::DutyAssess, 500).await?.into_iter().filter(|n| !scopes.contains(&n.path)).collect()
    };
    Ok(render_status(StatusCode::OK, &ListPage { nav: Nav::of(&auth), items, targets }))
}

/// The form as typed: all text, the items by row.
#[derive(Debug, Default, Clone)]
struct IssueForm {
    inspectors: String,
    inspected_on: String,
    subject: String,
    findings: String,
    result: String,
    addressee: String,
    prefix: String,
    issued_on: String,
    rows: Vec<RowForm>,
}

#[derive(Debug, Default, Clone)]
struct RowForm {
    task: String,
    owner_member_id: String,
    owner: String,
    deadline: String,
}

impl IssueForm {
    fn from_pairs(form: &[(String, String)]) -> IssueForm {
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let rows = (1..=ITEM_ROWS)
            .map(|i| RowForm { task: get(&format!("task_{i}")), owner_member_id: get(&format!("owner_member_id_{i}")), owner: get(&format!("owner_{i}")), deadline: get(&format!("deadline_{i}")) })
            .collect();
        IssueForm {
            inspectors: get("inspectors"),
            inspected_on: get("inspected_on"),
            subject: get("subject"),
            findings: get("findings"),
            result: get("result"),
            addressee: get("addressee"),
            prefix: get("prefix"),
            issued_on: get("issued_on"),
            rows,
        }
    }

    fn input(&self) -> InspectionInput {
        InspectionInput {
            inspectors: self.inspectors.clone(),
            inspected_on: self.inspected_on.clone(),
            subject: self.subject.clone(),
            findings: self.findings.clone(),
            result: self.result.clone(),
            addressee: self.addressee.clone(),
            prefix: self.prefix.clone(),
            issued_on: self.issued_on.clone(),
            // A row left blank is no item; a row half filled is, and its gaps are named.
            items: self
                .rows
                .iter()
                .filter(|r| !(r.task.trim().is_empty() && r.owner.trim().is_empty() && r.owner_member_id.trim().is_empty() && r.deadline.trim().is_empty()))
                .map(|r| ItemInput { task: r.task.clone(), owner_member_id: r.owner_member_id.trim().parse().ok(), owner: r.owner.clone(), deadline: r.deadline.clone() })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "inspection/new.html")]
struct NewPage {
    nav: Nav,
    p: Prefill,
    form: IssueForm,
    roster: Vec<RosterMember>,
    errors: FieldErrors,
}

impl NewPage {
    fn selected(&self, row: &RowForm, id: &i64) -> bool {
        row.owner_member_id.trim() == id.to_string()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct NewParam {
    org: i64,
    /// The issuing organisation; absent: the caller's scope that holds the inspected one.
    issuer: Option<i64>,
}

/// The issuer: the one asked for, else the caller's DutyAssess scope above the inspected one.
async fn issuer_of(s: &AppState, auth: &Authed, q: &NewParam) -> Result<i64, PageError> {
    if let Some(id) = q.issuer {
        return Ok(id);
    }
    let o = org::node(&s.store, q.org).await?;
    let scope = auth.ctx.actor.scopes(Action::DutyAssess).into_iter().filter(|p| o.path.starts_with(p) && **p != o.path).max_by_key(|p| p.len()).map(str::to_string);
    let Some(path) = scope else {
        s.store.authorize(&auth.ctx, Action::DutyAssess, Target::org(&o.path), &format!("org:{}", o.id)).await?;
        return Err(dangjian_store::StoreError::invalid("org_id", "not_below", "只能对本组织的下级组织发函").into());
    };
    Ok(dangjian_domain::org::path_ids(&path).last().copied().ok_or(dangjian_store::StoreError::NotFound)?)
}

async fn new_page(s: &AppState, auth: &Authed, issuer: i64, org_id: i64, form: Option<IssueForm>, errors: FieldErrors) -> Result<Response, PageError> {
    let p = inspection::prefill(&s.store, &auth.ctx, issuer, org_id).await?;
    let o = org::node(&s.store, org_id).await?;
    let roster = if allowed(auth, Action::LifeWrite, &o.path) { dangjian_store::life::roster(&s.store, &auth.ctx, org_id).await? } else { Vec::new() };
    let today = time::format_date(time::today_cst());
    let form = form.unwrap_or_else(|| IssueForm {
        inspected_on: today.clone(),
        issued_on: today,
        addressee: p.addressee.clone(),
        prefix: p.prefix.clone(),
        subject: "党建工作检查验收".into(),
        rows: vec![RowForm::default(); ITEM_ROWS],
        ..Default::default()
    });
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &NewPage { nav: Nav::of(auth), p, form, roster, errors }))
}

async fn new_form(State(s): State<AppState>, auth: Authed, Query(q): Query<NewParam>) -> Result<Response, PageError> {
    let issuer = issuer_of(&s, &auth, &q).await?;
    new_page(&s, &auth, issuer, q.org, None, FieldErrors::default()).await
}

async fn create(State(s): State<AppState>, Query(q): Query<NewParam>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let issuer = issuer_of(&s, &pf.auth, &q).await?;
    let form = IssueForm::from_pairs(&pf.form);
    match inspection::issue(&s.store, &pf.auth.ctx, issuer, q.org, &form.input()).await {
        Ok(l) => Ok(Redirect::to(&format!("/inspections/{}?done=issued", l.row.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            new_page(&s, &pf.auth, issuer, q.org, Some(form), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "inspection/show.html")]
struct ShowPage {
    nav: Nav,
    l: Letter,
    notice: String,
    /// The item a refused form was about (0: none), and what was typed.
    error_item: i64,
    typed: CloseForm,
    errors: FieldErrors,
}

impl ShowPage {
    fn inspected_text(&self) -> String {
        chinese_date(self.l.row.inspected_on.0)
    }
    fn deadline_text(&self, d: &dangjian_domain::time::Date) -> String {
        chinese_date(d.0)
    }
    /// 一、二、… for the letter's numbered items.
    fn ordinal(&self, n: &i64) -> String {
        const D: [&str; 11] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        match *n {
            0..=10 => D[*n as usize].to_string(),
            11..=19 => format!("十{}", D[(*n - 10) as usize]),
            _ => n.to_string(),
        }
    }
    fn err(&self, item: &i64, field: &str) -> String {
        if *item == self.error_item { self.errors.get(field) } else { String::new() }
    }
    fn others(&self, item: &i64) -> Vec<String> {
        if *item == self.error_item { self.errors.others(&["note", "closed_on", "evidence", "link"]) } else { Vec::new() }
    }
    fn typed_for(&self, item: &i64) -> CloseForm {
        if *item == self.error_item { self.typed.clone() } else { CloseForm::default() }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, notice: &str, error_item: i64, typed: CloseForm, errors: FieldErrors) -> Result<Response, PageError> {
    let l = inspection::get(&s.store, &auth.ctx, id).await?;
    let notice = match notice {
        "issued" => "函已编号印发。可打印本页，按公文寄送主送单位。",
        "progress" => "整改进展已记录。",
        "closed" => "已销号，待检查方确认。",
        "confirmed" => "已确认销号。",
        "reopened" => "已退回重改。",
        _ => "",
    };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ShowPage { nav: Nav::of(auth), l, notice: notice.into(), error_item, typed, errors }))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(d): Query<Done>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, &d.done, 0, CloseForm::default(), FieldErrors::default()).await
}

/// Every item form: a note (progress, reason, confirmation) or a close with its evidence; the
/// letter it belongs to comes back with the page.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct CloseForm {
    inspection_id: i64,
    note: String,
    closed_on: String,
    evidence: String,
    link: String,
}

async fn after(s: &AppState, pf: PageForm<CloseForm>, item: i64, done: &str, r: dangjian_store::Result<Letter>) -> Result<Response, PageError> {
    match r {
        Ok(l) => Ok(Redirect::to(&format!("/inspections/{}?done={done}#item-{item}", l.row.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(s, &pf.auth, pf.form.inspection_id, "", item, pf.form.clone(), errors).await
        }
    }
}

async fn progress(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<CloseForm>) -> Result<Response, PageError> {
    let r = inspection::progress(&s.store, &pf.auth.ctx, id, &pf.form.note).await;
    after(&s, pf, id, "progress", r).await
}

async fn close(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<CloseForm>) -> Result<Response, PageError> {
    let input = CloseInput { closed_on: pf.form.closed_on.clone(), evidence: pf.form.evidence.clone(), link: pf.form.link.clone() };
    let r = inspection::close(&s.store, &pf.auth.ctx, id, &input).await;
    after(&s, pf, id, "closed", r).await
}

async fn reopen(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<CloseForm>) -> Result<Response, PageError> {
    let r = inspection::reopen(&s.store, &pf.auth.ctx, id, &pf.form.note).await;
    after(&s, pf, id, "reopened", r).await
}

async fn confirm(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<CloseForm>) -> Result<Response, PageError> {
    let r = inspection::confirm(&s.store, &pf.auth.ctx, id, &pf.form.note).await;
    after(&s, pf, id, "confirmed", r).await
}
