//! Account and role management (系统管理员 creates and locks; 安全管理员 grants roles).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::policy::{Action, Decision, Role, Target};
use dangjian_store::account::{self, AccountView, NewAccount};
use dangjian_store::org::{self, Node};
use dangjian_store::{Page, StoreError};

use super::{opt_id, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list).post(create))
        .route("/accounts/{id}/lock", post(lock))
        .route("/accounts/{id}/unlock", post(unlock))
        .route("/accounts/{id}/roles", post(grant))
        .route("/roles/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "account/list.html")]
struct ListPage {
    nav: Nav,
    result: Page<AccountView>,
    can_manage: bool,
    can_grant: bool,
    roles: Vec<(&'static str, &'static str)>,
    orgs: Vec<Node>,
    errors: FieldErrors,
    notice: String,
    username: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: String,
    done: String,
}

async fn list_page(s: &AppState, auth: &Authed, page: Option<u64>, errors: FieldErrors, notice: &str, username: String) -> Result<Response, PageError> {
    let result = account::list(&s.store, &auth.ctx, page, Some(50)).await?;
    let can_grant = auth.ctx.actor.has_role(Role::SecurityAdmin);
    let orgs = if can_grant { org::options(&s.store, &auth.ctx, Action::OrgRead, 500).await? } else { vec![] };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ListPage {
        nav: Nav::of(auth),
        result,
        can_manage: auth.ctx.actor.decide(Action::AccountManage, Target::system()) == Decision::Allow,
        can_grant,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        orgs,
        errors,
        notice: match notice {
            "created" => "账号已创建，首次登录须修改密码。",
            "saved" => "已保存。",
            _ => "",
        }
        .into(),
        username,
    }))
}

async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    list_page(&s, &auth, super::page_param(&q.page)?, FieldErrors::default(), &q.done, String::new()).await
}

async fn after(s: &AppState, auth: &Authed, r: Result<(), StoreError>, done: &str, username: String) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/accounts?done={done}")).into_response()),
        Err(e) => list_page(s, auth, None, FieldErrors::for_form(e)?, "", username).await,
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    username: String,
    password: String,
    member_id: String,
}

async fn create(State(s): State<AppState>, pf: PageForm<CreateForm>) -> Result<Response, PageError> {
    let f = &pf.form;
    let r = account::create(&s.store, &s.settings.auth, &pf.auth.ctx, &NewAccount { username: f.username.clone(), password: f.password.clone(), member_id: opt_id(&f.member_id), no_forced_change: false }).await.map(|_| ());
    after(&s, &pf.auth, r, "created", f.username.clone()).await
}

#[derive(serde::Deserialize, Default)]
struct Empty {}

async fn lock(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    let r = account::set_locked(&s.store, &pf.auth.ctx, id, true).await;
    after(&s, &pf.auth, r, "saved", String::new()).await
}

async fn unlock(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    let r = account::set_locked(&s.store, &pf.auth.ctx, id, false).await;
    after(&s, &pf.auth, r, "saved", String::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct GrantForm {
    role: String,
    org_id: String,
}

async fn grant(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<GrantForm>) -> Result<Response, PageError> {
    let r = match opt_id(&pf.form.org_id) {
        Some(oid) => account::grant(&s.store, &pf.auth.ctx, id, &pf.form.role, oid).await.map(|_| ()),
        None => Err(StoreError::invalid("org_id", "required", "请选择授权范围的组织")),
    };
    after(&s, &pf.auth, r, "saved", String::new()).await
}

async fn revoke(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Empty>) -> Result<Response, PageError> {
    let r = account::revoke(&s.store, &pf.auth.ctx, id).await;
    after(&s, &pf.auth, r, "saved", String::new()).await
}
