//! 述职评议 pages: the rounds in scope with the form that opens one, and a round — the 述职报告,
//! three buttons a member taps once on a phone, and after the close the tally and the rates.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use dangjian_domain::duty::review::{Choice, RoundInput};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use dangjian_store::duty::review::{self, Round};
use dangjian_store::org::{self, Node};
use dangjian_store::StoreError;

use super::{render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(list))
        .route("/reviews/new", post(open))
        .route("/reviews/{id}", get(show))
        .route("/reviews/{id}/vote", post(vote))
        .route("/reviews/{id}/close", post(close))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct OrgParam {
    org: Option<i64>,
}

/// The round form as typed, kept when it comes back with messages.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct RoundForm {
    period: String,
    report: String,
    opens_at: String,
    closes_at: String,
}

#[derive(Template)]
#[template(path = "review/list.html")]
struct ListPage {
    nav: Nav,
    /// The organisation whose rounds are listed, when one is asked for.
    org: Option<Node>,
    rounds: Vec<Round>,
    /// The organisation the form opens a round of: the one asked for, when the caller may.
    opens_for: Option<Node>,
    form: RoundForm,
    errors: FieldErrors,
}

fn default_form() -> RoundForm {
    let today = time::today_cst();
    RoundForm { period: today.year().to_string(), report: String::new(), opens_at: String::new(), closes_at: time::format_date(today + chrono::Days::new(7)) }
}

async fn list_page(s: &AppState, auth: &Authed, org_id: Option<i64>, form: RoundForm, errors: FieldErrors) -> Result<Response, PageError> {
    let rounds = review::list(&s.store, &auth.ctx, org_id).await?;
    let org = match org_id {
        Some(id) => Some(org::node(&s.store, id).await?),
        None => None,
    };
    // Without an organisation asked for, the form opens a round of the caller's own (a
    // secretary's branch): the first organisation they write the party work of.
    let candidate = match &org {
        Some(o) => Some(o.clone()),
        None => match org::scope_paths(&s.store, &auth.ctx, Action::DutyWrite).await?.first().and_then(|p| dangjian_domain::org::path_ids(p).last().copied()) {
            Some(id) => Some(org::node(&s.store, id).await?),
            None => None,
        },
    };
    let opens_for = candidate.filter(|o| o.active && auth.ctx.actor.decide(Action::DutyWrite, Target::org(&o.path)) == Decision::Allow);
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ListPage { nav: Nav::of(auth), org, rounds, opens_for, form, errors }))
}

async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    list_page(&s, &auth, q.org, default_form(), FieldErrors::default()).await
}

async fn open(State(s): State<AppState>, Query(q): Query<OrgParam>, pf: PageForm<RoundForm>) -> Result<Response, PageError> {
    let org_id = q.org.ok_or(StoreError::NotFound)?;
    let f = pf.form.clone();
    let input = RoundInput { period: f.period, report: f.report, opens_at: f.opens_at, closes_at: f.closes_at };
    match review::open(&s.store, &pf.auth.ctx, org_id, &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/reviews/{}", r.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            list_page(&s, &pf.auth, Some(org_id), pf.form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "review/show.html")]
struct ShowPage {
    nav: Nav,
    r: Round,
    choices: &'static [Choice],
    /// Why the last vote or close was refused.
    error: String,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, status: StatusCode, error: String) -> Result<Response, PageError> {
    let r = review::get(&s.store, &auth.ctx, id).await?;
    Ok(render_status(status, &ShowPage { nav: Nav::of(auth), r, choices: Choice::ALL, error }))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, StatusCode::OK, String::new()).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct VoteForm {
    choice: String,
}

/// A refusal the voter can read on the round's page (already voted, closed); else an error page.
async fn refused(s: &AppState, auth: &Authed, id: i64, e: StoreError) -> Result<Response, PageError> {
    let status = match &e {
        StoreError::Conflict { .. } => StatusCode::CONFLICT,
        StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(e.into()),
    };
    show_page(s, auth, id, status, e.to_string()).await
}

async fn vote(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<VoteForm>) -> Result<Response, PageError> {
    let result = match Choice::read(&pf.form.choice) {
        Ok(choice) => review::vote(&s.store, &pf.auth.ctx, id, choice).await,
        Err(e) => Err(StoreError::Invalid(vec![e])),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(e) => refused(&s, &pf.auth, id, e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct Empty {}

async fn close(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    match review::close(&s.store, &pf.auth.ctx, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(e) => refused(&s, &pf.auth, id, e).await,
    }
}
