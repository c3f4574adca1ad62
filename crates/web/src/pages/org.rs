//! Organisation pages: tree browser, organisation page, create, edit, move, dissolve, posts,
//! terms, a 党小组's members.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response, IntoResponse};
use axum::routing::{get, post};
use axum::Router;
use dangjian_domain::org::{OrgInput, OrgKind, OrgPatch, PostInput, PostKind, UnitCategory, Warning};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_store::member::{self, MemberQuery, MemberRow};
use dangjian_store::org::{self, Node, Org, OrgMove, OrgStats, OrgSummary, Post, Term};

use super::{opt_id, render, render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(tree))
        .route("/orgs/new", get(new_page).post(create))
        .route("/orgs/{id}", get(show))
        .route("/orgs/{id}/edit", get(edit_page).post(edit))
        .route("/orgs/{id}/move", get(move_page).post(move_org))
        .route("/orgs/{id}/dissolve", post(dissolve))
        .route("/orgs/{id}/posts", post(add_post))
        .route("/orgs/{id}/terms", post(add_term))
        .route("/orgs/{id}/group-members", post(place))
        .route("/orgs/{id}/group-members/remove", post(remove))
        .route("/posts/{id}/end", post(end_post))
}

/// The organisation page's 组织生活 section: this year's meetings by kind, the latest few.
pub struct OrgLife {
    pub year: i32,
    pub by_kind: Vec<dangjian_store::life::KindCount>,
    pub recent: Vec<dangjian_store::life::Meeting>,
    pub can_record: bool,
    /// A branch runs 民主评议党员: the page links its rounds.
    pub appraisal: bool,
}

async fn org_life(s: &AppState, auth: &Authed, o: &Org) -> Result<Option<OrgLife>, PageError> {
    if auth.ctx.actor.decide(Action::LifeRead, Target::org(&o.path)) != Decision::Allow {
        return Ok(None);
    }
    use chrono::Datelike;
    let year = dangjian_domain::time::today_cst().year();
    let by_kind = dangjian_store::life::year_summary(&s.store, &auth.ctx, o.id, year).await?;
    let q = dangjian_store::life::MeetingQuery { org: Some(o.id), subtree: Some(false), per_page: Some(5), ..Default::default() };
    let recent = dangjian_store::life::list(&s.store, &auth.ctx, &q).await?.items;
    let can_record = o.active && auth.ctx.actor.decide(Action::LifeWrite, Target::org(&o.path)) == Decision::Allow && !by_kind.is_empty();
    let appraisal = dangjian_domain::life::MeetingKind::MemberAppraisal.held_by(o.kind);
    Ok(Some(OrgLife { year, by_kind, recent, can_record, appraisal }))
}

/// A 党小组's page section: its branch, and for those who may write the branch's members, whom
/// the group can take in (with the group each sits in now, if any).
pub struct GroupSection {
    pub branch: Option<Node>,
    pub can_place: bool,
    pub placeable: Vec<(MemberRow, String)>,
}

async fn group_section(s: &AppState, auth: &Authed, o: &Org) -> Result<Option<GroupSection>, PageError> {
    if o.kind != OrgKind::Group {
        return Ok(None);
    }
    let tree = s.store.tree().await?;
    let can_place = o.active && auth.ctx.actor.decide(Action::MemberWrite, Target::org(&o.path)) == Decision::Allow;
    let placeable = if can_place {
        let name = |g: Option<i64>| g.and_then(|g| tree.get(g)).map(|g| g.name.clone()).unwrap_or_default();
        member::placeable(&s.store, &auth.ctx, o.id).await?.into_iter().map(|m| { let g = name(m.group_id); (m, g) }).collect()
    } else {
        Vec::new()
    };
    Ok(Some(GroupSection { branch: o.parent_id.and_then(|p| tree.get(p)).cloned(), can_place, placeable }))
}

pub struct TreeNode {
    pub org: Node,
    pub children: Vec<OrgSummary>,
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    nav: Nav,
    roots: Vec<TreeNode>,
}

async fn tree(State(s): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let mut roots = Vec::new();
    for o in org::root_nodes(&s.store, &auth.ctx).await? {
        let children = org::children(&s.store, &auth.ctx, &o).await?;
        roots.push(TreeNode { org: o, children });
    }
    Ok(render(&TreePage { nav: Nav::of(&auth), roots }))
}

#[derive(Template)]
#[template(path = "org/show.html")]
struct ShowPage {
    nav: Nav,
    org: Org,
    ancestors: Vec<Node>,
    stats: OrgStats,
    warnings: Vec<Warning>,
    children: Vec<OrgSummary>,
    posts: Vec<Post>,
    terms: Vec<Term>,
    moves: Vec<OrgMove>,
    /// 组织生活 this year by kind, when the caller may see it.
    life: Option<OrgLife>,
    /// 表彰: the organisation's honours, and its members' for whoever may read its members.
    honours: Vec<dangjian_store::duty::honour::Honour>,
    /// The organisation's own members; for a 党小组, those placed in it.
    members: Vec<MemberRow>,
    members_total: u64,
    group: Option<GroupSection>,
    can_write: bool,
    can_members: bool,
    can_add_member: bool,
    post_kinds: Vec<(&'static str, &'static str)>,
    notice: String,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default)]
struct Notice {
    #[serde(default)]
    done: String,
}

fn notice_text(code: &str) -> String {
    match code {
        "created" => "组织已创建。",
        "updated" => "已保存。",
        "moved" => "隶属关系已变更。",
        "dissolved" => "组织已撤销。",
        "post" => "职务已登记。",
        "post_ended" => "已办理离任。",
        "term" => "换届信息已登记。",
        "placed" => "已编入本党小组。",
        "removed" => "已移出本党小组。",
        _ => "",
    }
    .to_string()
}

/// Members listed on an organisation's page; the member list has the rest.
const MEMBERS_SHOWN: u64 = 50;

async fn show_page(s: &AppState, auth: &Authed, id: i64, notice: String, errors: FieldErrors) -> Result<Response, PageError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    let stats = org::stats(&s.store, &auth.ctx, &o).await?;
    let warnings = org::warnings(&s.store, &o, &stats).await?;
    let can = |a| auth.ctx.actor.decide(a, Target::org(&o.path)) == Decision::Allow;
    let can_members = can(Action::MemberRead);
    let (members, members_total) = if !can_members {
        (vec![], 0)
    } else if o.kind == OrgKind::Group {
        let p = member::group_members(&s.store, &auth.ctx, id, None, Some(MEMBERS_SHOWN)).await?;
        (p.items, p.total)
    } else {
        let p = member::list(&s.store, &auth.ctx, &MemberQuery { org: Some(id), subtree: Some(false), per_page: Some(MEMBERS_SHOWN), ..Default::default() }).await?;
        (p.items, p.total)
    };
    let group = if can_members { group_section(s, auth, &o).await? } else { None };
    let page = ShowPage {
        nav: Nav::of(auth),
        ancestors: org::ancestors(&s.store, &auth.ctx, &o).await?,
        children: org::children(&s.store, &auth.ctx, &o).await?,
        posts: org::posts(&s.store, &auth.ctx, &o, true).await?,
        terms: org::terms(&s.store, &auth.ctx, &o).await?,
        moves: org::moves(&s.store, &auth.ctx, &o).await?,
        life: org_life(s, auth, &o).await?,
        honours: dangjian_store::duty::honour::of_org(&s.store, &auth.ctx, id).await?,
        can_write: can(Action::OrgWrite) && o.active,
        can_add_member: can(Action::MemberWrite) && o.holds_members(),
        can_members,
        members,
        members_total,
        group,
        stats,
        warnings,
        post_kinds: PostKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        org: o,
        notice,
        errors,
    };
    let status = if page.errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &page))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(n): Query<Notice>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, notice_text(&n.done), FieldErrors::default()).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OrgForm {
    parent_id: String,
    kind: String,
    name: String,
    code: String,
    unit_name: String,
    unit_category: String,
    established_on: String,
    ends_on: String,
    note: String,
    sort: String,
}

#[derive(Template)]
#[template(path = "org/form.html")]
struct FormPage {
    nav: Nav,
    title: String,
    action: String,
    parent: Option<Org>,
    form: OrgForm,
    kinds: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

fn form_page(auth: &Authed, title: String, action: String, parent: Option<Org>, form: OrgForm, errors: FieldErrors) -> FormPage {
    FormPage {
        nav: Nav::of(auth),
        title,
        action,
        parent,
        form,
        kinds: OrgKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        categories: UnitCategory::ALL.iter().filter(|k| k.is_specified()).map(|k| (k.code(), k.label())).collect(),
        errors,
    }
}

#[derive(serde::Deserialize)]
struct ParentQuery {
    parent: i64,
}

async fn new_page(State(s): State<AppState>, auth: Authed, Query(q): Query<ParentQuery>) -> Result<Response, PageError> {
    let p = org::get(&s.store, &auth.ctx, q.parent).await?;
    let form = OrgForm { parent_id: p.id.to_string(), unit_name: p.unit_name.clone(), unit_category: p.unit_category.code().into(), kind: OrgKind::Branch.code().into(), ..Default::default() };
    Ok(render(&form_page(&auth, format!("在“{}”下新建组织", p.name), "/orgs/new".into(), Some(p), form, FieldErrors::default())))
}

async fn create(State(s): State<AppState>, pf: PageForm<OrgForm>) -> Result<Response, PageError> {
    let (auth, f) = (pf.auth, pf.form);
    let input = OrgInput {
        parent_id: opt_id(&f.parent_id),
        kind: f.kind.clone(),
        name: f.name.clone(),
        code: f.code.clone(),
        unit_name: f.unit_name.clone(),
        unit_category: f.unit_category.clone(),
        established_on: f.established_on.clone(),
        ends_on: f.ends_on.clone(),
        note: f.note.clone(),
        sort: opt_id(&f.sort),
    };
    match org::create(&s.store, &auth.ctx, &input).await {
        Ok((o, _)) => Ok(Redirect::to(&format!("/orgs/{}?done=created", o.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            let parent = match input.parent_id {
                Some(pid) => org::get(&s.store, &auth.ctx, pid).await.ok(),
                None => None,
            };
            let title = parent.as_ref().map(|p| format!("在“{}”下新建组织", p.name)).unwrap_or_else(|| "新建组织".into());
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&auth, title, "/orgs/new".into(), parent, f, errors)))
        }
    }
}

async fn edit_page(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    s.store.authorize(&auth.ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{id}")).await?;
    let form = OrgForm {
        parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        kind: o.kind.code().into(),
        name: o.name.clone(),
        code: o.code.clone(),
        unit_name: o.unit_name.clone(),
        unit_category: o.unit_category.code().into(),
        established_on: o.established_on.map(|d| d.to_string()).unwrap_or_default(),
        ends_on: o.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        note: o.note.clone(),
        sort: o.sort.to_string(),
    };
    Ok(render(&form_page(&auth, format!("修改“{}”", o.name), format!("/orgs/{id}/edit"), None, form, FieldErrors::default())))
}

async fn edit(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<OrgForm>) -> Result<Response, PageError> {
    let (auth, f) = (pf.auth, pf.form);
    let patch = OrgPatch {
        kind: Some(f.kind.clone()),
        name: Some(f.name.clone()),
        code: Some(f.code.clone()),
        unit_name: Some(f.unit_name.clone()),
        unit_category: Some(f.unit_category.clone()),
        established_on: Some(f.established_on.clone()),
        ends_on: Some(f.ends_on.clone()),
        note: Some(f.note.clone()),
        sort: opt_id(&f.sort),
    };
    match org::update(&s.store, &auth.ctx, id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?done=updated")).into_response()),
        Err(e) => Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&auth, "修改组织".into(), format!("/orgs/{id}/edit"), None, f, FieldErrors::for_form(e)?))),
    }
}

#[derive(Template)]
#[template(path = "org/move.html")]
struct MovePage {
    nav: Nav,
    org: Org,
    options: Vec<Node>,
    parent_id: String,
    reason: String,
    moved_on: String,
    errors: FieldErrors,
}

async fn move_page(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let o = org::get(&s.store, &auth.ctx, id).await?;
    s.store.authorize(&auth.ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{id}")).await?;
    let options = move_options(&s, &auth, &o).await?;
    Ok(render(&MovePage { nav: Nav::of(&auth), org: o, options, parent_id: String::new(), reason: String::new(), moved_on: String::new(), errors: FieldErrors::default() }))
}

/// Possible new parents: organisations the caller may write, outside the moved subtree; bounded.
async fn move_options(s: &AppState, auth: &Authed, o: &Org) -> Result<Vec<Node>, PageError> {
    Ok(org::options(&s.store, &auth.ctx, Action::OrgWrite, 2000)
        .await?
        .into_iter()
        .filter(|c| !c.path.starts_with(&o.path) && c.kind != OrgKind::Group)
        .collect())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct MoveForm {
    parent_id: String,
    reason: String,
    moved_on: String,
}

async fn move_org(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<MoveForm>) -> Result<Response, PageError> {
    let (auth, f) = (pf.auth, pf.form);
    let result = match opt_id(&f.parent_id) {
        Some(pid) => org::move_to(&s.store, &auth.ctx, id, pid, &f.reason, &f.moved_on).await,
        None => Err(dangjian_store::StoreError::invalid("parent_id", "required", "请选择新的上级组织")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?done=moved")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            let o = org::get(&s.store, &auth.ctx, id).await?;
            let options = move_options(&s, &auth, &o).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &MovePage { nav: Nav::of(&auth), org: o, options, parent_id: f.parent_id, reason: f.reason, moved_on: f.moved_on, errors }))
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ReasonForm {
    reason: String,
}

/// Business refusals (409/422) come back on the organisation page beside the action.
async fn or_show(s: &AppState, auth: &Authed, id: i64, r: Result<(), dangjian_store::StoreError>, done: &str) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{id}?done={done}")).into_response()),
        Err(e) => show_page(s, auth, id, String::new(), FieldErrors::for_form(e)?).await,
    }
}

async fn dissolve(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<ReasonForm>) -> Result<Response, PageError> {
    let r = org::dissolve(&s.store, &pf.auth.ctx, id, &pf.form.reason).await.map(|_| ());
    or_show(&s, &pf.auth, id, r, "dissolved").await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PostForm {
    member_id: String,
    post: String,
    ab_role: String,
    started_on: String,
    note: String,
}

async fn add_post(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<PostForm>) -> Result<Response, PageError> {
    let f = &pf.form;
    let r = match opt_id(&f.member_id) {
        Some(mid) => org::add_post(&s.store, &pf.auth.ctx, id, &PostInput { member_id: mid, post: f.post.clone(), ab_role: f.ab_role.clone(), started_on: f.started_on.clone(), note: f.note.clone() }).await.map(|_| ()),
        None => Err(dangjian_store::StoreError::invalid("member_id", "required", "请选择任职人员")),
    };
    or_show(&s, &pf.auth, id, r, "post").await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct EndForm {
    ended_on: String,
    org_id: String,
}

async fn end_post(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<EndForm>) -> Result<Response, PageError> {
    let org_id = opt_id(&pf.form.org_id).unwrap_or(0);
    let r = org::end_post(&s.store, &pf.auth.ctx, id, &pf.form.ended_on).await;
    or_show(&s, &pf.auth, org_id, r, "post_ended").await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TermForm {
    started_on: String,
    ends_on: String,
    note: String,
}

async fn add_term(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<TermForm>) -> Result<Response, PageError> {
    let f = &pf.form;
    let r = org::add_term(&s.store, &pf.auth.ctx, id, &f.started_on, &f.ends_on, &f.note).await.map(|_| ());
    or_show(&s, &pf.auth, id, r, "term").await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct GroupForm {
    member_id: String,
}

/// 编入党小组 — from the group's page: a member of its branch, perhaps from another of its groups.
async fn place(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<GroupForm>) -> Result<Response, PageError> {
    let r = match opt_id(&pf.form.member_id) {
        Some(mid) => member::place(&s.store, &pf.auth.ctx, mid, Some(id)).await.map(|_| ()),
        None => Err(dangjian_store::StoreError::invalid("member_id", "required", "请选择要编入的党员")),
    };
    or_show(&s, &pf.auth, id, r, "placed").await
}

/// 移出党小组 — from the group's page; only someone who sits in this group.
async fn remove(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<GroupForm>) -> Result<Response, PageError> {
    let Some(mid) = opt_id(&pf.form.member_id) else {
        return or_show(&s, &pf.auth, id, Err(dangjian_store::StoreError::invalid("member_id", "required", "请选择要移出的党员")), "removed").await;
    };
    let m = member::get(&s.store, &pf.auth.ctx, mid).await?;
    let r = if m.group_id == Some(id) {
        member::place(&s.store, &pf.auth.ctx, mid, None).await.map(|_| ())
    } else {
        Err(dangjian_store::StoreError::conflict("not_in_group", format!("{}不在本党小组，无需移出", m.name)))
    };
    or_show(&s, &pf.auth, id, r, "removed").await
}
