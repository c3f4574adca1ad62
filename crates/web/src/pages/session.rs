//! Login, logout, password change and the home dashboard.

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use dangjian_domain::member::{Category, Status};
use dangjian_domain::org::OrgKind;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_store::account;
use dangjian_store::life::{self, bulletin::Open, participation::Warning};
use dangjian_store::org::{self, Org, OrgStats};
use std::net::SocketAddr;

use super::{bars, render, render_status, Bar, FieldErrors, Nav, PageForm};
use crate::auth::{clear_cookie, session_cookie, Authed};
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/password", get(password_page).post(password))
        .route("/", get(home))
        .route("/totp", get(totp_page))
        .route("/totp/start", axum::routing::post(totp_start))
        .route("/totp/confirm", axum::routing::post(totp_confirm))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    username: String,
    error: String,
}

async fn login_page() -> Response {
    render(&LoginPage { username: String::new(), error: String::new() })
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    otp: String,
}

async fn login(State(s): State<AppState>, ConnectInfo(addr): ConnectInfo<SocketAddr>, Form(f): Form<LoginForm>) -> Response {
    let ip = addr.ip().to_string();
    if !crate::api::session::login_allowed(&s, &ip) {
        return render_status(StatusCode::TOO_MANY_REQUESTS, &LoginPage { username: f.username, error: "登录尝试过于频繁，请5分钟后再试".into() });
    }
    match account::login(&s.store, &s.settings.auth, &f.username, &f.password, &f.otp, &ip).await {
        Ok(ok) => {
            let to = if ok.must_change { "/password" } else { "/" };
            ([(header::SET_COOKIE, session_cookie(&s.settings, &ok.token))], Redirect::to(to)).into_response()
        }
        Err(e) => render_status(StatusCode::UNAUTHORIZED, &LoginPage { username: f.username, error: e.to_string() }),
    }
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn logout(State(s): State<AppState>, pf: PageForm<Empty>) -> Response {
    let _ = account::logout(&s.store, &pf.auth.ctx, &pf.auth.session.session_id).await;
    ([(header::SET_COOKIE, clear_cookie(&s.settings))], Redirect::to("/login")).into_response()
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    nav: Nav,
    forced: bool,
    errors: FieldErrors,
    done: bool,
    rules: String,
}

fn rules(s: &AppState) -> String {
    let p = &s.settings.auth.password;
    format!("至少{}位，包含大写字母、小写字母、数字、符号中的至少{}类，不能包含用户名", p.min_length, p.min_classes)
}

async fn password_page(State(s): State<AppState>, auth: Authed) -> Response {
    render(&PasswordPage { nav: Nav::of(&auth), forced: auth.session.must_change, errors: FieldErrors::default(), done: false, rules: rules(&s) })
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn password(State(s): State<AppState>, pf: PageForm<PasswordForm>) -> Response {
    let (auth, f) = (pf.auth, pf.form);
    let result = if f.new_password != f.confirm {
        Err(dangjian_store::StoreError::invalid("confirm", "mismatch", "两次输入的新密码不一致"))
    } else {
        account::change_password(&s.store, &s.settings.auth, &auth.ctx, &auth.session.session_id, &f.old_password, &f.new_password).await
    };
    match result {
        Ok(()) => render(&PasswordPage { nav: Nav::of(&auth), forced: false, errors: FieldErrors::default(), done: true, rules: rules(&s) }),
        Err(e) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &PasswordPage { nav: Nav::of(&auth), forced: auth.session.must_change, errors: FieldErrors::from_store(&e), done: false, rules: rules(&s) }),
    }
}

struct ScopeCard {
    org: Org,
    stats: OrgStats,
    by_status: Vec<Bar>,
    by_category: Vec<Bar>,
    by_kind: Vec<Bar>,
    /// What the organisation (with its 党小组) must still hold this quarter, for those who record
    /// its life; none for a large subtree, which the 落实情况 page covers.
    due: Option<Vec<Open>>,
    /// Members of the organisation at 3, 5 and 6 months without organisational life.
    warnings: Vec<Warning>,
    /// 定期汇报 the organisation still has to submit (for whoever writes its reports).
    reports: Vec<dangjian_store::duty::report::Due>,
    /// 函询整改 items of the organisation past their deadline (for whoever records its rectification).
    rectifications: Vec<dangjian_store::duty::inspection::Item>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    today: chrono::NaiveDate,
    nav: Nav,
    cards: Vec<ScopeCard>,
    roles: Vec<String>,
    /// 述职评议 open now in which the caller may still vote.
    ballots: Vec<dangjian_store::duty::review::Round>,
}

/// Organisations (with their children) small enough for the home page to list what they owe.
const HOME_SUBTREE_MAX: usize = 30;

async fn home(State(s): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let mut cards = Vec::new();
    let today = dangjian_domain::time::today_cst();
    for o in org::roots(&s.store, &auth.ctx).await? {
        let stats = org::stats(&s.store, &auth.ctx, &o).await?;
        let label = |code: &str, f: fn(&str) -> Option<&'static str>| f(code).unwrap_or("其他").to_string();
        let by_status = bars(stats.by_status.iter().map(|(k, v)| (label(k, |c| Status::parse(c).map(Status::label)), *v)).collect());
        let by_category = bars(stats.by_category.iter().map(|(k, v)| (label(k, |c| Category::parse(c).map(Category::label)), *v)).collect());
        let by_kind = bars(stats.orgs_by_kind.iter().map(|(k, v)| (label(k, |c| OrgKind::parse(c).map(OrgKind::label)), *v)).collect());
        let small = s.store.tree().await?.subtree(&o.path).len() <= HOME_SUBTREE_MAX;
        let records = auth.ctx.actor.decide(Action::LifeWrite, Target::org(&o.path)) == Decision::Allow;
        let due = if small && records { Some(life::bulletin::outstanding(&s.store, &auth.ctx, o.id, today).await?) } else { None };
        let warnings = if due.is_some() { life::participation::warnings(&s.store, &auth.ctx, o.id, today).await? } else { Vec::new() };
        let reports = dangjian_store::duty::report::due(&s.store, &auth.ctx, o.id).await?;
        let rectifications = dangjian_store::duty::inspection::overdue(&s.store, &auth.ctx, o.id, today).await?;
        cards.push(ScopeCard { org: o, stats, by_status, by_category, by_kind, due, warnings, reports, rectifications });
    }
    let roles = auth.ctx.actor.grants.iter().map(|g| g.role.label().to_string()).collect();
    let ballots = dangjian_store::duty::review::ballots(&s.store, &auth.ctx).await?;
    Ok(render(&HomePage { nav: Nav::of(&auth), cards, roles, today, ballots }))
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    nav: Nav,
    enrolled: bool,
    required: bool,
    setup: Option<account::TotpSetup>,
    error: String,
    done: bool,
}

async fn totp_view(s: &AppState, auth: &Authed, setup: Option<account::TotpSetup>, error: String, done: bool) -> Result<Response, PageError> {
    let me = account::me(&s.store, &auth.ctx).await?;
    let page = TotpPage { nav: Nav::of(auth), enrolled: me.account.second_factor(), required: auth.session.must_enrol_second_factor && !done, setup, error, done };
    Ok(if page.error.is_empty() { render(&page) } else { render_status(StatusCode::UNPROCESSABLE_ENTITY, &page) })
}

async fn totp_page(State(s): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    totp_view(&s, &auth, None, String::new(), false).await
}

async fn totp_start(State(s): State<AppState>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    let setup = account::totp_start(&s.store, &pf.auth.ctx).await?;
    totp_view(&s, &pf.auth, Some(setup), String::new(), false).await
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn totp_confirm(State(s): State<AppState>, pf: PageForm<CodeForm>) -> Result<Response, PageError> {
    match account::totp_confirm(&s.store, &pf.auth.ctx, &pf.form.code).await {
        Ok(()) => totp_view(&s, &pf.auth, None, String::new(), true).await,
        Err(e @ dangjian_store::StoreError::Invalid(_)) => totp_view(&s, &pf.auth, None, e.to_string(), false).await,
        Err(e) => Err(e.into()),
    }
}
