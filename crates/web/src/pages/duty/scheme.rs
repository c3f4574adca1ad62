//! 考核方案 pages: the schemes of one's scope, a new scheme and a revision written as an outline
//! of indicators (`duty::outline`: one a line, indented per level, "名称 | 分值 | 计分方式 | 评分
//! 标准"), and starting an assessment on a scheme. A revision makes a new version; assessments
//! already started keep theirs.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dangjian_domain::duty::outline;
use dangjian_domain::duty::rule::RuleCode;
use dangjian_domain::duty::scheme::{Outcome, SchemeInput};
use dangjian_domain::org::path_ids;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use dangjian_store::duty::assessment::{self, StartInput};
use dangjian_store::duty::{self as store_duty, SchemeRow, SchemeView};
use dangjian_store::org;

use super::super::{render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

/// The scheme as the form holds it: the outline and tiers as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct SchemeForm {
    name: String,
    scale: String,
    period_kind: String,
    objection_days: String,
    tiers: String,
    indicators: String,
}

impl SchemeForm {
    fn of(v: &SchemeView) -> SchemeForm {
        SchemeForm {
            name: v.scheme.name.clone(),
            scale: v.scheme.scale.to_string(),
            period_kind: v.scheme.period_kind.code().into(),
            objection_days: v.scheme.objection_days.to_string(),
            tiers: outline::tiers_text(&v.scheme.tiers),
            indicators: outline::indicators_text(&v.scheme.indicators),
        }
    }

    /// The input the store checks, or the outline's own errors with every other problem found.
    fn input(&self) -> Result<SchemeInput, FieldErrors> {
        let mut errors = Vec::new();
        let scale = match self.scale.trim() {
            "" => 100,
            s => s.parse().unwrap_or(0),
        };
        let objection_days = match self.objection_days.trim() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(dangjian_domain::Invalid::new("objection_days", "invalid_days", "申诉期应为天数，如 7"));
                    None
                }
            },
        };
        let indicators = outline::parse_indicators(&self.indicators).map_err(|e| errors.extend(e)).unwrap_or_default();
        let input = SchemeInput { name: self.name.clone(), scale, period_kind: self.period_kind.clone(), objection_days, tiers: outline::parse_tiers(&self.tiers), indicators };
        if errors.is_empty() {
            return Ok(input);
        }
        // The outline could not be read: its problems, and the scheme's other fields' too.
        if let Err(more) = (SchemeInput { indicators: Vec::new(), ..input }).validate() {
            errors.extend(more.into_iter().filter(|e| e.field != "indicators"));
        }
        Err(FieldErrors::from_store(&dangjian_store::StoreError::Invalid(errors)))
    }
}

/// The rules of the registry and the meeting kinds, for the help beside the outline.
pub(super) struct Help {
    rules: Vec<(&'static str, &'static str, bool)>,
    outcomes: Vec<&'static str>,
}

fn help() -> Help {
    Help {
        rules: RuleCode::ALL.iter().map(|r| (r.label(), r.source(), r.takes_kind())).collect(),
        outcomes: Outcome::ALL.iter().map(|o| o.label()).collect(),
    }
}

const PERIOD_KINDS: [PeriodKind; 4] = [PeriodKind::Year, PeriodKind::Half, PeriodKind::Quarter, PeriodKind::Month];

#[derive(Template)]
#[template(path = "duty/schemes.html")]
struct ListPage {
    nav: Nav,
    items: Vec<SchemeRow>,
    /// The organisations where the caller may define a scheme (id, name).
    orgs: Vec<(i64, String)>,
    form: SchemeForm,
    org_id: i64,
    help: Help,
    kinds: [PeriodKind; 4],
    errors: FieldErrors,
}

/// The organisations at the top of the caller's scopes where they may assess.
async fn assess_orgs(s: &AppState, auth: &Authed) -> Result<Vec<(i64, String)>, PageError> {
    let tree = s.store.tree().await?;
    let scopes = org::scope_paths(&s.store, &auth.ctx, Action::DutyAssess).await?;
    Ok(scopes.iter().filter_map(|p| path_ids(p).last().and_then(|id| tree.get(*id))).map(|n| (n.id, n.name.clone())).collect())
}

async fn list_page(s: &AppState, auth: &Authed, form: SchemeForm, org_id: i64, errors: FieldErrors) -> Result<Response, PageError> {
    let items = store_duty::list_schemes(&s.store, &auth.ctx).await?;
    let orgs = assess_orgs(s, auth).await?;
    let org_id = if org_id == 0 { orgs.first().map_or(0, |o| o.0) } else { org_id };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let form = if form.indicators.is_empty() && !errors.any() { SchemeForm { scale: "100".into(), period_kind: "year".into(), objection_days: "7".into(), ..form } } else { form };
    Ok(render_status(status, &ListPage { nav: Nav::of(auth), items, orgs, form, org_id, help: help(), kinds: PERIOD_KINDS, errors }))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct OrgParam {
    org: i64,
}

pub(super) async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    list_page(&s, &auth, SchemeForm::default(), q.org, FieldErrors::default()).await
}

pub(super) async fn create(State(s): State<AppState>, Query(q): Query<OrgParam>, pf: PageForm<SchemeForm>) -> Result<Response, PageError> {
    let result = match pf.form.input() {
        Ok(input) => store_duty::create_scheme(&s.store, &pf.auth.ctx, q.org, &input).await.map_err(FieldErrors::for_form),
        Err(e) => Err(Ok(e)),
    };
    match result {
        Ok(v) => Ok(Redirect::to(&format!("/assessment-schemes/{}", v.row.id)).into_response()),
        Err(e) => list_page(&s, &pf.auth, pf.form, q.org, e?).await,
    }
}

/// What starting an assessment takes on the page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct StartForm {
    org_id: i64,
    period: String,
    name: String,
}

#[derive(Template)]
#[template(path = "duty/scheme.html")]
struct ShowPage {
    nav: Nav,
    v: SchemeView,
    /// The caller may revise it and start assessments on it.
    can_assess: bool,
    form: SchemeForm,
    start: StartForm,
    /// Where an assessment on it may run: its organisation and those directly below (id, name).
    orgs: Vec<(i64, String)>,
    help: Help,
    kinds: [PeriodKind; 4],
    errors: FieldErrors,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, form: Option<SchemeForm>, start: Option<StartForm>, errors: FieldErrors) -> Result<Response, PageError> {
    let v = store_duty::get_scheme(&s.store, &auth.ctx, id).await?;
    let can_assess = auth.ctx.actor.decide(Action::DutyAssess, Target::org(&v.row.org_path)) == Decision::Allow;
    let tree = s.store.tree().await?;
    let orgs: Vec<(i64, String)> = tree.get(v.row.org_id).into_iter().chain(tree.children(v.row.org_id).filter(|n| n.active)).map(|n| (n.id, n.name.clone())).collect();
    let form = form.unwrap_or_else(|| SchemeForm::of(&v));
    // The last whole period by default: what a year-end assessment looks back on.
    let period = Period::containing(v.scheme.period_kind, time::today_cst()).and_then(|p| p.prev()).map(|p| p.to_string()).unwrap_or_default();
    let start = start.unwrap_or(StartForm { org_id: v.row.org_id, period, name: String::new() });
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ShowPage { nav: Nav::of(auth), v, can_assess, form, start, orgs, help: help(), kinds: PERIOD_KINDS, errors }))
}

pub(super) async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, None, None, FieldErrors::default()).await
}

pub(super) async fn revise(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<SchemeForm>) -> Result<Response, PageError> {
    let result = match pf.form.input() {
        Ok(input) => store_duty::revise_scheme(&s.store, &pf.auth.ctx, id, &input).await.map_err(FieldErrors::for_form),
        Err(e) => Err(Ok(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/assessment-schemes/{id}")).into_response()),
        Err(e) => show_page(&s, &pf.auth, id, Some(pf.form), None, e?).await,
    }
}

pub(super) async fn start(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<StartForm>) -> Result<Response, PageError> {
    let f = &pf.form;
    let input = StartInput { scheme_id: id, org_id: f.org_id, period: f.period.clone(), name: f.name.clone(), ..StartInput::default() };
    match assessment::start(&s.store, &pf.auth.ctx, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/assessments/{}", a.assessment.id)).into_response()),
        Err(e) => show_page(&s, &pf.auth, id, None, Some(pf.form.clone()), FieldErrors::for_form(e)?).await,
    }
}
