//! 申诉 — objections to one indicator's score, filed by the assessed organisation within the
//! window after publishing, each decided with a reason; an upheld one changes the score and the
//! results are ranked again.

use dangjian_domain::duty::assessment::{check_objection_window, DecisionInput, Evidence, ObjectionInput, ObjectionStatus, Stage};
use dangjian_domain::duty::scheme::{Points, Scheme};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, OnConflict, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::assessment::{assessable, evidence_text, load, score_row, sight, subject, touch, with, ScoreRow, Sight, Standing};
use super::result::links;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    /// 申诉 — an objection to one indicator's score, and its decision.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Objection from "assessment_objections" as "o" {
        pub id: i64,
        pub assessment_id: i64,
        pub org_id: i64,
        pub indicator: String,
        pub reason: String,
        #[serde(skip)]
        pub evidence: String,
        pub status: ObjectionStatus,
        pub filed_at: i64,
        /// The score when the objection was filed.
        pub old_score: Option<Points>,
        /// The score an upheld objection set.
        pub new_score: Option<Points>,
        pub decision_reason: String,
        pub decided_at: Option<i64>,
    }
}

/// An objection with its evidence links.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ObjectionView {
    #[serde(flatten)]
    pub objection: Objection,
    pub org_name: String,
    pub indicator_name: String,
    #[serde(rename = "evidence")]
    pub links: Vec<Evidence>,
}

pub(super) async fn objection_views(store: &Store, scheme: &Scheme, cond: Cond) -> Result<Vec<ObjectionView>> {
    let stmt = Objection::select().cond_where(cond).order_by((Alias::new("o"), Alias::new("id")), Order::Asc).to_owned();
    let tree = store.tree().await?;
    Ok(query::fetch::<Objection, _>(&store.db, &stmt)
        .await?
        .into_iter()
        .map(|o| ObjectionView {
            org_name: tree.get(o.org_id).map(|n| n.name.clone()).unwrap_or_default(),
            indicator_name: scheme.find(&o.indicator).map(|i| i.name.clone()).unwrap_or_default(),
            links: links(&o.evidence),
            objection: o,
        })
        .collect())
}

/// The objections of an assessment the caller may see (the assessors: all; a secretary: their
/// organisations').
pub async fn objections(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<ObjectionView>> {
    let a = load(&store.db, id).await?;
    let s = sight(store, ctx, &a).await?;
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let mut cond = Cond::all().add(col("o", "assessment_id").eq(id));
    if let Sight::Own(scopes) = &s {
        let tree = store.tree().await?;
        let ids: Vec<i64> = scopes.iter().flat_map(|p| tree.subtree(p).iter().map(|n| n.id)).collect();
        cond = cond.add(col("o", "org_id").is_in(ids));
    }
    objection_views(store, &scheme, cond).await
}

async fn current_score<C: ConnectionTrait>(c: &C, id: i64, org_id: i64, indicator: &str) -> Result<Option<Points>> {
    let stmt = ScoreRow::select().and_where(col("s", "assessment_id").eq(id)).and_where(col("s", "org_id").eq(org_id)).and_where(col("s", "indicator").eq(indicator)).to_owned();
    Ok(query::fetch_one::<ScoreRow, _>(c, &stmt).await?.and_then(|s| s.score))
}

/// 申诉: an assessed organisation disputes one indicator's score, within the window after
/// publishing, by whoever may read its results (its secretary).
pub async fn object(store: &Store, ctx: &Ctx, id: i64, input: &ObjectionInput) -> Result<ObjectionView> {
    let a = load(&store.db, id).await?;
    let stmt = Standing::select().and_where(col("t", "assessment_id").eq(id)).and_where(col("t", "org_id").eq(input.org_id)).to_owned();
    let Some(st) = query::fetch_one::<Standing, _>(&store.db, &stmt).await? else {
        sight(store, ctx, &a).await?;
        return Err(StoreError::invalid("org_id", "not_assessed", format!("组织（编号{}）不在本次考核的范围内", input.org_id)));
    };
    store.authorize(ctx, Action::DutyRead, Target::org(&st.org_path), &subject(id)).await?;
    let scheme = super::version_tree(&store.db, a.scheme_version_id).await?;
    let v = input.validate(&scheme).map_err(StoreError::Invalid)?;
    let txn = store.write().await?;
    let a = load(&txn, id).await?;
    a.stage.check_writing(Stage::Published)?;
    let published = a.published_on.map(|d| d.0).unwrap_or_else(time::today_cst);
    check_objection_window(published, scheme.objection_days, time::today_cst())?;
    let pending = Cond::all().add(col("o", "assessment_id").eq(id)).add(col("o", "org_id").eq(v.org_id)).add(col("o", "indicator").eq(v.indicator.clone())).add(col("o", "status").eq(ObjectionStatus::Pending));
    if query::scalar(&txn, &query::count_of("assessment_objections", "o", pending)).await? > 0 {
        return Err(StoreError::conflict("objection_pending", "该指标已有待处理的申诉，请等待处理结果"));
    }
    let old = current_score(&txn, id, v.org_id, &v.indicator).await?;
    let row = query::insert("assessment_objections", vec![
        ("tenant_id", a.tenant_id.into()),
        ("assessment_id", id.into()),
        ("org_id", v.org_id.into()),
        ("indicator", v.indicator.clone().into()),
        ("reason", v.reason.clone().into()),
        ("evidence", evidence_text(&v.evidence).into()),
        ("status", ObjectionStatus::Pending.into()),
        ("filed_by", ctx.actor.account_id.into()),
        ("filed_at", time::now_unix().into()),
        ("old_score", old.into()),
        ("new_score", Option::<Points>::None.into()),
        ("decision_reason", String::new().into()),
        ("decided_by", Option::<i64>::None.into()),
        ("decided_at", Option::<i64>::None.into()),
    ]);
    let oid = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.objection", &subject(id), "ok", json!({"objection_id": oid, "org_id": v.org_id, "indicator": v.indicator})).await?;
    txn.commit().await?;
    one_objection(store, &scheme, oid).await
}

async fn one_objection(store: &Store, scheme: &Scheme, oid: i64) -> Result<ObjectionView> {
    objection_views(store, scheme, Cond::all().add(col("o", "id").eq(oid))).await?.pop().ok_or(StoreError::NotFound)
}

/// 申诉处理: upheld with the indicator's new score (the results are ranked again), or rejected;
/// with a reason either way.
pub async fn decide(store: &Store, ctx: &Ctx, id: i64, objection_id: i64, input: &DecisionInput) -> Result<ObjectionView> {
    let (a, scheme) = assessable(store, ctx, id).await?;
    let txn = store.write().await?;
    let o = query::fetch_one::<Objection, _>(&txn, &Objection::select().and_where(col("o", "id").eq(objection_id)).and_where(col("o", "assessment_id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    if o.status != ObjectionStatus::Pending {
        return Err(StoreError::conflict("already_decided", format!("该申诉已处理：{}", o.status.label())));
    }
    let ind = scheme.find(&o.indicator).ok_or(StoreError::NotFound)?;
    let current = current_score(&txn, id, o.org_id, &o.indicator).await?.unwrap_or_default();
    let d = input.validate(ind, current).map_err(StoreError::Invalid)?;
    let now = time::now_unix();
    let upd = query::update("assessment_objections", vec![
        ("status", d.status.into()),
        ("new_score", d.score.into()),
        ("decision_reason", d.reason.clone().into()),
        ("decided_by", ctx.actor.account_id.into()),
        ("decided_at", now.into()),
    ])
    .and_where(Expr::col(Alias::new("id")).eq(objection_id))
    .to_owned();
    query::execute(&txn, &upd).await?;
    if let Some(new) = d.score {
        let row = with(score_row(a.tenant_id, id, o.org_id, &o.indicator), vec![("score", new.into()), ("basis", String::new().into()), ("scored_by", ctx.actor.account_id.into()), ("scored_at", now.into())]);
        let on_conflict = OnConflict::columns([Alias::new("assessment_id"), Alias::new("org_id"), Alias::new("indicator")]).update_columns([Alias::new("score"), Alias::new("scored_by"), Alias::new("scored_at")]).to_owned();
        query::upsert_chunked(&txn, "assessment_scores", vec![row], on_conflict).await?;
        super::rank::rerank(&txn, a.tenant_id, id, &scheme, super::rank::Changed::Orgs(&[o.org_id])).await?;
    }
    touch(&txn, id, Vec::new()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment.objection.decide", &subject(id), "ok", json!({"objection_id": objection_id, "decision": d.status, "old_score": current, "new_score": d.score})).await?;
    txn.commit().await?;
    one_objection(store, &scheme, objection_id).await
}
