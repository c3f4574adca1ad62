//! 民主评议党员 pages: a branch's rounds with the form that starts one, and the round page that
//! shows the stage reached and the form of that stage — 个人自评 (a member writes their own),
//! 党员互评, 民主测评 counts, 组织评定 with the proposed grade preselected, and after publishing
//! the proposed follow-ups with the form recording what the branch decided.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use dangjian_domain::life::appraisal::{BallotInput, FollowUpInput, FollowUpKind, Grade, GradeInput, Stage, TallyInput, Votes};
use dangjian_domain::life::MeetingKind;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use dangjian_store::life::appraisal::{self, Entry, Round, RoundInput, RoundView};
use dangjian_store::life::{self, Meeting, MeetingQuery};
use dangjian_store::org::{self, Node};

use super::{render_status, FieldErrors, Nav, PageForm};
use crate::auth::Authed;
use crate::error::PageError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/appraisals", get(list))
        .route("/appraisals/new", post(create))
        .route("/appraisals/{id}", get(show))
        .route("/appraisals/{id}/stage", post(advance))
        .route("/appraisals/{id}/self", post(self_assessment))
        .route("/appraisals/{id}/peer", post(peer_review))
        .route("/appraisals/{id}/ballot", post(ballot))
        .route("/appraisals/{id}/grades", post(grades))
        .route("/appraisals/{id}/follow-up", post(follow_up))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct OrgParam {
    org: i64,
}

#[derive(Template)]
#[template(path = "appraisal/list.html")]
struct ListPage {
    nav: Nav,
    org: Node,
    rounds: Vec<Round>,
    can_write: bool,
    year: String,
    errors: FieldErrors,
}

async fn list_page(s: &AppState, auth: &Authed, org_id: i64, year: String, errors: FieldErrors) -> Result<Response, PageError> {
    let org = org::node(&s.store, org_id).await?;
    let rounds = appraisal::list(&s.store, &auth.ctx, org.id).await?;
    let can_write = org.active && org.kind.is_branch() && auth.ctx.actor.decide(Action::LifeWrite, Target::org(&org.path)) == Decision::Allow;
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &ListPage { nav: Nav::of(auth), org, rounds, can_write, year, errors }))
}

async fn list(State(s): State<AppState>, auth: Authed, Query(q): Query<OrgParam>) -> Result<Response, PageError> {
    list_page(&s, &auth, q.org, time::today_cst().year().to_string(), FieldErrors::default()).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct YearForm {
    year: String,
}

async fn create(State(s): State<AppState>, Query(q): Query<OrgParam>, pf: PageForm<YearForm>) -> Result<Response, PageError> {
    let Ok(year) = pf.form.year.trim().parse::<i32>() else {
        let errors = FieldErrors { general: Vec::new(), fields: vec![("year".into(), "请填写评议年度，如 2026".into())] };
        return list_page(&s, &pf.auth, q.org, pf.form.year.chars().take(8).collect(), errors).await;
    };
    match appraisal::create(&s.store, &pf.auth.ctx, &RoundInput { org_id: q.org, year }).await {
        Ok(r) => Ok(Redirect::to(&format!("/appraisals/{}?done=created", r.round.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            list_page(&s, &pf.auth, q.org, year.to_string(), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "appraisal/show.html")]
struct ShowPage {
    nav: Nav,
    v: RoundView,
    can_write: bool,
    /// The signed-in person's own member id, for their own self-assessment form.
    me: i64,
    next: Option<Stage>,
    /// 民主评议党员 records of the branch the 民主测评 may be linked to.
    meetings: Vec<Meeting>,
    grades: Vec<(&'static str, &'static str)>,
    follow_ups: Vec<(&'static str, &'static str)>,
    /// The member whose form failed: its messages show beside that form only.
    err_member: i64,
    notice: String,
    errors: FieldErrors,
}

impl ShowPage {
    /// A field's message, for the form of `member` (0: the round's one form).
    fn err(&self, member: &i64, field: &str) -> String {
        if *member == self.err_member { self.errors.get(field) } else { String::new() }
    }
    fn selected(&self, e: &Entry, code: &str) -> bool {
        e.grade_code() == code
    }
    fn linked(&self, m: &Meeting) -> bool {
        self.v.round.meeting_id == Some(m.id)
    }
    /// The fields this page shows a message beside; any other message goes on top.
    fn shown(&self) -> Vec<&'static str> {
        if !self.can_write {
            return if self.v.round.stage == Stage::SelfAssessment { vec!["self_assessment"] } else { Vec::new() };
        }
        let mut v = vec!["stage"];
        v.extend_from_slice(match self.v.round.stage {
            Stage::SelfAssessment => &["self_assessment"][..],
            Stage::PeerReview => &["peer_review"],
            Stage::Ballot => &["meeting_id", "ballots", "tallies"],
            Stage::Grading => &["grades"],
            Stage::Published => &["kind", "decided_on", "deadline", "decision", "approval"],
        });
        v
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

async fn show_page(s: &AppState, auth: &Authed, id: i64, notice: &str, err_member: i64, errors: FieldErrors) -> Result<Response, PageError> {
    let v = appraisal::get(&s.store, &auth.ctx, id).await?;
    let can_write = auth.ctx.actor.decide(Action::LifeWrite, Target::org(&v.round.org_path)) == Decision::Allow;
    let meetings = if can_write && v.round.stage == Stage::Ballot {
        let from = appraisal::held_from(&v.round).map(time::format_date);
        let q = MeetingQuery { org: Some(v.round.org_id), subtree: Some(false), kind: Some(MeetingKind::MemberAppraisal.code().into()), from, per_page: Some(20), ..Default::default() };
        life::list(&s.store, &auth.ctx, &q).await?.items
    } else {
        Vec::new()
    };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ShowPage {
        nav: Nav::of(auth),
        can_write,
        me: auth.ctx.actor.member_id.unwrap_or(0),
        next: v.round.stage.next(),
        meetings,
        grades: Grade::ALL.iter().map(|g| (g.code(), g.label())).collect(),
        follow_ups: FollowUpKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        v,
        err_member,
        notice: match notice {
            "created" => "评议已建立，党员名单取自当前党员名册。",
            "saved" => "已保存。",
            "advanced" => "已进入下一阶段。",
            _ => "",
        }
        .into(),
        errors,
    };
    Ok(render_status(status, &page))
}

async fn show(State(s): State<AppState>, auth: Authed, Path(id): Path<i64>, Query(d): Query<Done>) -> Result<Response, PageError> {
    show_page(&s, &auth, id, &d.done, 0, FieldErrors::default()).await
}

/// After a write: back to the round, or the page again with the messages beside the form.
async fn answer(s: &AppState, auth: &Authed, id: i64, member: i64, done: &str, r: dangjian_store::Result<RoundView>) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/appraisals/{id}?done={done}")).into_response()),
        Err(e) => {
            let errors = FieldErrors::for_form(e)?;
            show_page(s, auth, id, "", member, errors).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct StageForm {
    stage: String,
}

async fn advance(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<StageForm>) -> Result<Response, PageError> {
    let r = appraisal::advance(&s.store, &pf.auth.ctx, id, &pf.form.stage).await;
    answer(&s, &pf.auth, id, 0, "advanced", r).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TextForm {
    member_id: i64,
    text: String,
}

async fn self_assessment(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<TextForm>) -> Result<Response, PageError> {
    let r = appraisal::self_assess(&s.store, &pf.auth.ctx, id, pf.form.member_id, &pf.form.text).await;
    answer(&s, &pf.auth, id, pf.form.member_id, "saved", r).await
}

async fn peer_review(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<TextForm>) -> Result<Response, PageError> {
    let r = appraisal::peer_review(&s.store, &pf.auth.ctx, id, pf.form.member_id, &pf.form.text).await;
    answer(&s, &pf.auth, id, pf.form.member_id, "saved", r).await
}

/// A count as typed: empty is 0; anything else that is not a number is refused by the field.
fn count(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() { Some(0) } else { s.parse().ok() }
}

/// The ballot form: `meeting_id`, `ballots`, and per member `e_<id>`, `q_<id>`, `b_<id>`, `u_<id>`
/// (优秀, 合格, 基本合格, 不合格).
async fn ballot(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let mut input = BallotInput::default();
    let mut bad = Vec::new();
    let mut tallies: Vec<TallyInput> = Vec::new();
    for (k, val) in &pf.form {
        match k.as_str() {
            "meeting_id" => input.meeting_id = val.trim().parse().unwrap_or(0),
            "ballots" => match count(val) {
                Some(n) => input.ballots = n,
                None => bad.push(("ballots".to_string(), "有效票数应为整数".to_string())),
            },
            _ => {
                let Some((which, member)) = k.split_once('_') else { continue };
                let Ok(member_id) = member.parse::<i64>() else { continue };
                let Some(n) = count(val) else {
                    bad.push(("tallies".to_string(), "测评票数应为整数".to_string()));
                    continue;
                };
                let t = match tallies.iter().position(|t| t.member_id == member_id) {
                    Some(i) => &mut tallies[i],
                    None => {
                        tallies.push(TallyInput { member_id, votes: Votes::default() });
                        tallies.last_mut().expect("just pushed")
                    }
                };
                match which {
                    "e" => t.votes.excellent = n,
                    "q" => t.votes.qualified = n,
                    "b" => t.votes.basically_qualified = n,
                    "u" => t.votes.unqualified = n,
                    _ => {}
                }
            }
        }
    }
    if !bad.is_empty() {
        bad.dedup();
        return show_page(&s, &pf.auth, id, "", 0, FieldErrors { general: Vec::new(), fields: bad }).await;
    }
    input.tallies = tallies;
    let r = appraisal::record_ballot(&s.store, &pf.auth.ctx, id, &input).await;
    answer(&s, &pf.auth, id, 0, "saved", r).await
}

/// The grading form: `grade_<id>` and `note_<id>` per member.
async fn grades(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<Vec<(String, String)>>) -> Result<Response, PageError> {
    let mut input: Vec<GradeInput> = Vec::new();
    for (k, val) in &pf.form {
        // An empty choice (未评定) leaves the member ungraded.
        let Some(m) = k.strip_prefix("grade_").and_then(|m| m.parse::<i64>().ok()).filter(|_| !val.trim().is_empty()) else { continue };
        let note = pf.form.iter().find(|(n, _)| *n == format!("note_{m}")).map(|(_, v)| v.clone()).unwrap_or_default();
        input.push(GradeInput { member_id: m, grade: val.clone(), note });
    }
    let r = appraisal::grade(&s.store, &pf.auth.ctx, id, &input).await;
    answer(&s, &pf.auth, id, 0, "saved", r).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct FollowUpForm {
    member_id: i64,
    kind: String,
    decided_on: String,
    deadline: String,
    decision: String,
    approval: String,
}

async fn follow_up(State(s): State<AppState>, Path(id): Path<i64>, pf: PageForm<FollowUpForm>) -> Result<Response, PageError> {
    let PageForm { auth, form: f } = pf;
    let input = FollowUpInput { kind: f.kind, decided_on: f.decided_on, deadline: f.deadline, decision: f.decision, approval: f.approval };
    let r = appraisal::follow_up(&s.store, &auth.ctx, id, f.member_id, &input).await;
    answer(&s, &auth, id, f.member_id, "saved", r).await
}
