//! 考核评价 pages: the assessments one may see; an assessment's ranking (the 工委 officer's list of
//! 300 branches, by kind and rank, with tiers, outcomes and their counts); and one organisation's
//! scores indicator by indicator with the records each computed one counted — the secretary's
//! "why I lost points". The assessor moves the stages on the ranking page and scores one
//! organisation at a time on its page, where the secretary enters the self-assessment and files
//! objections, and the assessor decides them; schemes are written and started in `scheme`.

mod scheme;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::duty::assessment::{DecisionInput, Evidence, ObjectionInput, ScoreInput, Stage};
use dangjian_domain::time;
use dangjian_domain::duty::scheme::Method;
use dangjian_store::duty::assessment::{self, Assessment, Detail, Results, ResultsQuery};

use super::{page_param, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(list))
        .route("/assessments/{id}", get(show))
        .route("/assessments/{id}/orgs/{org_id}", get(org_scores))
        .route("/assessments/{id}/stage", post(advance))
        .route("/assessments/{id}/orgs/{org_id}/scores", post(score))
        .route("/assessments/{id}/orgs/{org_id}/self-scores", post(self_score))
        .route("/assessments/{id}/orgs/{org_id}/objections", post(object))
        .route("/assessments/{id}/orgs/{org_id}/objections/{objection_id}", post(decide))
        .route("/assessment-schemes", get(scheme::list))
        .route("/assessment-schemes/new", post(scheme::create))
        .route("/assessment-schemes/{id}", get(scheme::show))
        .route("/assessment-schemes/{id}/revise", post(scheme::revise))
        .route("/assessment-schemes/{id}/start", post(scheme::start))
}

/// Results per page of the ranking: the 300 branches of an agency's 工委 on two pages.
const PER_PAGE: u64 = 200;

#[derive(Template)]
#[template(path = "duty/list.html")]
struct ListPage {
    nav: Nav,
    items: Vec<Assessment>,
}

async fn list(State(s): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let items = assessment::list(&s.store, &auth.ctx).await?;
    Ok(render_status(StatusCode::OK, &ListPage { nav: Nav::of(&auth), items }))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ShowQuery {
    kind: String,
    page: String,
}

#[derive(Template)]
#[template(path = "duty/show.html")]
struct ShowPage {
    nav: Nav,
    r: Results,
    prev: Option<String>,
    next: Option<String>,
    /// The stage the assessor may move to (empty: none, or not theirs to move).
    next_code: &'static str,
    next_label: &'static str,
    errors: FieldErrors,
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(q): Query<ShowQuery>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, &q, FieldErrors::default()).await
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, q: &ShowQuery, errors: FieldErrors) -> Result<Response, PageError> {
    let page = page_param(&q.page)?;
    let kind = Some(q.kind.clone()).filter(|k| !k.trim().is_empty());
    let r = assessment::results(&s.store, &auth.ctx, id, &ResultsQuery { kind: kind.clone(), page, per_page: Some(PER_PAGE) }).await?;
    let link = |p: u64| format!("/assessments/{id}?page={p}{}", kind.as_deref().map(|k| format!("&kind={}", k.trim())).unwrap_or_default());
    let prev = (r.page > 1).then(|| link(r.page - 1));
    let next = (r.page * r.per_page < r.total).then(|| link(r.page + 1));
    let stage = r.assessment.assessment.stage;
    let (next_code, next_label) = Stage::ALL.iter().find(|x| **x > stage).filter(|_| r.assessment.can_assess).map_or(("", ""), |x| (x.code(), x.label()));
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ShowPage { nav: Nav::of(auth), r, prev, next, next_code, next_label, errors }))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct StageForm {
    stage: String,
}

/// Moves the assessment to its next stage, or shows why not above the ranking.
async fn advance(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<StageForm>) -> Result<Response, PageError> {
    match assessment::advance(&s.store, &pf.auth.ctx, id, &pf.form.stage).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}")).into_response()),
        Err(e) => show_page(&s, &pf.auth, id, &ShowQuery::default(), FieldErrors::for_form(e)?).await,
    }
}

#[derive(Template)]
#[template(path = "duty/org.html")]
struct OrgPage {
    nav: Nav,
    d: Detail,
    /// The assessor scores this organisation now (评分 stage).
    scoring: bool,
    /// The organisation enters its own scores now (自评 stage).
    self_assessing: bool,
    /// Objections are accepted now (公布后申诉期内).
    objecting: bool,
    errors: FieldErrors,
}

async fn org_page(s: &AppState, auth: &Authed, id: i64, org_id: i64, errors: FieldErrors) -> Result<Response, PageError> {
    let d = assessment::detail(&s.store, &auth.ctx, id, org_id).await?;
    let stage = d.assessment.assessment.stage;
    let scoring = d.assessment.can_assess && stage == Stage::Scoring;
    let self_assessing = stage == Stage::SelfAssessment;
    let objecting = stage == Stage::Published && d.assessment.objections_until.is_some_and(|u| time::today_cst() <= u.0);
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &OrgPage { nav: Nav::of(auth), d, scoring, self_assessing, objecting, errors }))
}

async fn org_scores(State(s): State<AppState>, auth: Authed, Path((id, org_id)): Path<(i64, i64)>) -> Result<Response, PageError> {
    org_page(&s, &auth, id, org_id, FieldErrors::default()).await
}

/// Evidence as typed on a page: links (paths of this system or web addresses) separated by
/// spaces or lines, each named by its place.
fn evidence(text: &str) -> Vec<Evidence> {
    text.split_whitespace().enumerate().map(|(i, url)| Evidence { label: format!("佐证材料{}", i + 1), url: url.to_string() }).collect()
}

/// The scores a form holds: `score:<code>`, `comment:<code>` and `evidence:<code>` per scored
/// indicator; an empty score is left as it was.
fn scores_of(d: &Detail, org_id: i64, form: &HashMap<String, String>) -> Vec<ScoreInput> {
    let field = |prefix: &str, code: &str| form.get(&format!("{prefix}:{code}")).cloned().unwrap_or_default();
    d.lines
        .iter()
        .filter(|l| l.method == Method::Scored && !field("score", &l.code).trim().is_empty())
        .map(|l| ScoreInput { org_id, indicator: l.code.clone(), score: field("score", &l.code), comment: field("comment", &l.code), evidence: evidence(&field("evidence", &l.code)) })
        .collect()
}

/// 考核评分 of one organisation by the assessor.
async fn score(State(s): State<AppState>, Path((id, org_id)): Path<(i64, i64)>, pf: PageForm<HashMap<String, String>>) -> Result<Response, PageError> {
    let d = assessment::detail(&s.store, &pf.auth.ctx, id, org_id).await?;
    match assessment::score(&s.store, &pf.auth.ctx, id, &scores_of(&d, org_id, &pf.form)).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}/orgs/{org_id}")).into_response()),
        Err(e) => org_page(&s, &pf.auth, id, org_id, FieldErrors::for_form(e)?).await,
    }
}

/// 单位自评: the organisation's own scores, with evidence, in the same fields.
async fn self_score(State(s): State<AppState>, Path((id, org_id)): Path<(i64, i64)>, pf: PageForm<HashMap<String, String>>) -> Result<Response, PageError> {
    let d = assessment::detail(&s.store, &pf.auth.ctx, id, org_id).await?;
    match assessment::self_assess(&s.store, &pf.auth.ctx, id, &scores_of(&d, org_id, &pf.form)).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}/orgs/{org_id}")).into_response()),
        Err(e) => org_page(&s, &pf.auth, id, org_id, FieldErrors::for_form(e)?).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ObjectionForm {
    indicator: String,
    reason: String,
    evidence: String,
}

/// 申诉 of one indicator's score, by the organisation.
async fn object(State(s): State<AppState>, Path((id, org_id)): Path<(i64, i64)>, pf: PageForm<ObjectionForm>) -> Result<Response, PageError> {
    let f = &pf.form;
    let input = ObjectionInput { org_id, indicator: f.indicator.clone(), reason: f.reason.clone(), evidence: evidence(&f.evidence) };
    match assessment::object(&s.store, &pf.auth.ctx, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}/orgs/{org_id}")).into_response()),
        Err(e) => org_page(&s, &pf.auth, id, org_id, FieldErrors::for_form(e)?).await,
    }
}

/// 申诉处理 by the assessor: upheld with the new score, or rejected; with a reason.
async fn decide(State(s): State<AppState>, Path((id, org_id, objection_id)): Path<(i64, i64, i64)>, pf: PageForm<DecisionInput>) -> Result<Response, PageError> {
    match assessment::decide(&s.store, &pf.auth.ctx, id, objection_id, &pf.form).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}/orgs/{org_id}")).into_response()),
        Err(e) => org_page(&s, &pf.auth, id, org_id, FieldErrors::for_form(e)?).await,
    }
}
