//! 考核通报 and 评先表彰 pages. The bulletin of a published assessment — the whole assessment or
//! one 党委 — printable on A4 (the application's chrome is not printed) and as xlsx; the honour
//! list drawn from its results, where the 工委's officer adds and removes nominees with a reason,
//! reviews each and publishes the list. Honours then show on the organisation's and the
//! member's pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::duty::honour::{HonourStage, HonourTitle, NominationInput, NominationStatus, PublishInput, ReviewInput};
use dangjian_domain::org::OrgKind;
use dangjian_domain::time;
use dangjian_store::duty::assessment::{self, AssessmentView};
use dangjian_store::duty::bulletin::{self, Bulletin};
use dangjian_store::duty::honour::{self, HonourListView};

use super::{render, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessments/{id}/bulletin", get(bulletin_page))
        .route("/assessments/{id}/bulletin.xlsx", get(bulletin_xlsx))
        .route("/assessments/{id}/honours", get(list).post(draw_up))
        .route("/assessments/{id}/honours/nominations", post(nominate))
        .route("/assessments/{id}/honours/nominations/{nid}/review", post(review))
        .route("/assessments/{id}/honours/nominations/{nid}/removal", post(remove))
        .route("/assessments/{id}/honours/publish", post(publish))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct BulletinParams {
    org: String,
}

impl BulletinParams {
    fn org(&self) -> Option<i64> {
        self.org.trim().parse().ok()
    }
}

#[derive(Template)]
#[template(path = "honour/bulletin.html")]
struct BulletinPage {
    nav: Nav,
    b: Bulletin,
    /// The 党委 (and 党总支) of the assessed subtree, to choose one's bulletin.
    committees: Vec<(i64, String)>,
}

/// Organisations that have organisations below them: a bulletin of one is a 党委's bulletin.
const COMMITTEES: [OrgKind; 5] = [OrgKind::WorkingCommittee, OrgKind::Committee, OrgKind::AgencyCommittee, OrgKind::LeadingGroup, OrgKind::GeneralBranch];

async fn bulletin_page(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<BulletinParams>) -> Result<Response, PageError> {
    let b = bulletin::bulletin(&s.store, &auth.ctx, id, q.org()).await?;
    let tree = s.store.tree().await?;
    // The choice is offered to whoever reads the whole assessment: the others have their own
    // subtree only.
    let whole = dangjian_store::org::node(&s.store, b.assessment_org_id).await?;
    let sees_all = auth.ctx.actor.decide(dangjian_domain::policy::Action::DutyRead, dangjian_domain::policy::Target::org(&whole.path)) == dangjian_domain::policy::Decision::Allow;
    let committees = if sees_all { tree.subtree(&whole.path).iter().filter(|n| n.id != whole.id && n.active && COMMITTEES.contains(&n.kind)).map(|n| (n.id, n.name.clone())).collect() } else { Vec::new() };
    Ok(render(&BulletinPage { nav: Nav::of(&auth), b, committees }))
}

async fn bulletin_xlsx(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<BulletinParams>) -> Result<Response, PageError> {
    Ok(crate::api::honour::bulletin_file(&s, &auth, id, q.org()).await?)
}

/// The add-a-nominee form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct NominationForm {
    title: String,
    org_id: String,
    member_id: String,
    reason: String,
}

impl NominationForm {
    fn input(&self) -> NominationInput {
        let id = |s: &str| s.trim().parse::<i64>().ok();
        NominationInput { title: self.title.clone(), org_id: id(&self.org_id), member_id: id(&self.member_id), reason: self.reason.clone() }
    }
}

#[derive(Template)]
#[template(path = "honour/list.html")]
struct ListPage {
    nav: Nav,
    a: AssessmentView,
    l: Option<HonourListView>,
    /// The organisations assessed, for the nomination form.
    orgs: Vec<(i64, String)>,
    titles: Vec<(&'static str, &'static str)>,
    form: NominationForm,
    /// The nomination whose review or removal failed, with its messages.
    failed: i64,
    errors: FieldErrors,
    today: String,
}

impl ListPage {
    fn proposed(&self, status: &NominationStatus) -> bool {
        *status == NominationStatus::Proposed
    }

    fn open(&self) -> bool {
        self.l.as_ref().is_some_and(|l| l.can_assess && l.list.stage == HonourStage::Nominating)
    }
}

async fn list_page(s: &AppState, auth: &Authed, id: i64, form: NominationForm, failed: i64, errors: FieldErrors) -> Result<Response, PageError> {
    let l = honour::find(&s.store, &auth.ctx, id).await?;
    let a = assessment::get(&s.store, &auth.ctx, id).await?;
    let tree = s.store.tree().await?;
    let orgs = match tree.get(a.assessment.org_id) {
        Some(root) => tree.subtree(&root.path).iter().filter(|n| n.id != root.id && n.active).map(|n| (n.id, n.name.clone())).collect(),
        None => Vec::new(),
    };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ListPage { nav: Nav::of(auth), a, l, orgs, titles: HonourTitle::ALL.iter().map(|t| (t.code(), t.label())).collect(), form, failed, errors, today: time::format_date(time::today_cst()) };
    Ok(render_status(status, &page))
}

async fn list(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    list_page(&s, &auth, id, NominationForm::default(), 0, FieldErrors::default()).await
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/assessments/{id}/honours")).into_response()
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn draw_up(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    match honour::draw_up(&s.store, &pf.auth.ctx, id).await {
        Ok(_) => Ok(back(id)),
        Err(e) => list_page(&s, &pf.auth, id, NominationForm::default(), 0, FieldErrors::for_form(e)?).await,
    }
}

async fn nominate(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<NominationForm>) -> Result<Response, PageError> {
    match honour::nominate(&s.store, &pf.auth.ctx, id, &pf.form.input()).await {
        Ok(_) => Ok(back(id)),
        Err(e) => list_page(&s, &pf.auth, id, pf.form.clone(), 0, FieldErrors::for_form(e)?).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    reason: String,
}

async fn review(State(s): State<AppState>, Path((id, nid)): Path<(i64, i64)>, pf: PageForm<DecisionForm>) -> Result<Response, PageError> {
    let input = ReviewInput { decision: pf.form.decision.clone(), reason: pf.form.reason.clone() };
    match honour::review(&s.store, &pf.auth.ctx, id, nid, &input).await {
        Ok(_) => Ok(back(id)),
        Err(e) => list_page(&s, &pf.auth, id, NominationForm::default(), nid, FieldErrors::for_form(e)?).await,
    }
}

async fn remove(State(s): State<AppState>, Path((id, nid)): Path<(i64, i64)>, pf: PageForm<DecisionForm>) -> Result<Response, PageError> {
    match honour::remove(&s.store, &pf.auth.ctx, id, nid, &pf.form.reason).await {
        Ok(_) => Ok(back(id)),
        Err(e) => list_page(&s, &pf.auth, id, NominationForm::default(), nid, FieldErrors::for_form(e)?).await,
    }
}

async fn publish(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<PublishInput>) -> Result<Response, PageError> {
    match honour::publish(&s.store, &pf.auth.ctx, id, &pf.form).await {
        Ok(_) => Ok(back(id)),
        Err(e) => list_page(&s, &pf.auth, id, NominationForm::default(), 0, FieldErrors::for_form(e)?).await,
    }
}
