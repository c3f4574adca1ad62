//! 责任与考核 — area `duty` (issue 11): reports upward (`report`), the responsible persons and
//! 责任清单 of each organisation (`responsibility`), and assessments (`assessment`).
//!
//! This module holds the assessment schemes (考核方案) and their versions: a scheme is kept as a
//! row with its current version number, and each version's whole tree as a row of its own
//! (`assessment_scheme_versions`), so an assessment that started on a version keeps it however the
//! scheme is edited later (issue 11: "a running assessment keeps the version it started with").

pub mod assessment;
pub mod bulletin;
pub mod compute;
pub mod honour;
pub mod inspection;
mod objection;
pub mod rank;
pub mod report;
pub mod responsibility;
mod result;
pub mod review;

use dangjian_domain::duty::scheme::{Scheme, SchemeInput};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::org;
use crate::query::{self, col, in_scopes, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    /// 考核方案 — a scheme, at its current version.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct SchemeRow from "assessment_schemes" as "s" {
        pub id: i64,
        #[serde(skip)]
        pub tenant_id: i64,
        /// The organisation that defined it (its assessments run within its subtree).
        pub org_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub name: String,
        /// The current version; each edit makes a new one.
        pub version: i64,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

impl SchemeRow {
    pub fn updated_text(&self) -> String {
        time::format_unix_cst(self.updated_at).get(..16).unwrap_or_default().to_string()
    }
}

record! {
    struct VersionRow from "assessment_scheme_versions" as "v" {
        id: i64,
        tree: String,
    }
}

/// A scheme with the tree of one of its versions.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    #[serde(flatten)]
    pub row: SchemeRow,
    /// The id of the version shown (an assessment names the version it runs).
    pub version_id: i64,
    pub scheme: Scheme,
}

fn object(id: i64) -> String {
    format!("assessment_scheme:{id}")
}

/// The tree a version row holds. A row the application wrote always parses; one that does not is
/// a damaged database, reported as such rather than as a person's mistake.
fn parse_tree(tree: &str) -> Result<Scheme> {
    serde_json::from_str(tree).map_err(|e| StoreError::Db(sea_orm::DbErr::Type(format!("考核方案版本无法读取：{e}"))))
}

pub(crate) async fn version_tree<C: ConnectionTrait>(c: &C, version_id: i64) -> Result<Scheme> {
    let v: VersionRow = query::fetch_one(c, &VersionRow::select().and_where(col("v", "id").eq(version_id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    parse_tree(&v.tree)
}

async fn scheme_row<C: ConnectionTrait>(c: &C, id: i64) -> Result<SchemeRow> {
    query::fetch_one(c, &SchemeRow::select().and_where(col("s", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

async fn view<C: ConnectionTrait>(c: &C, row: SchemeRow) -> Result<SchemeView> {
    let stmt = VersionRow::select().and_where(col("v", "scheme_id").eq(row.id)).and_where(col("v", "version").eq(row.version)).to_owned();
    let v: VersionRow = query::fetch_one(c, &stmt).await?.ok_or(StoreError::NotFound)?;
    Ok(SchemeView { version_id: v.id, scheme: parse_tree(&v.tree)?, row })
}

/// The scheme at its current version, for whoever may read its organisation's assessments.
pub async fn get_scheme(store: &Store, ctx: &Ctx, id: i64) -> Result<SchemeView> {
    let row = scheme_row(&store.db, id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&row.org_path), &object(id)).await?;
    view(&store.db, row).await
}

/// The schemes of the organisations in the caller's scope, by name.
pub async fn list_schemes(store: &Store, ctx: &Ctx) -> Result<Vec<SchemeRow>> {
    let scopes = org::scope_paths(store, ctx, Action::DutyRead).await?;
    if scopes.is_empty() {
        return Err(StoreError::Forbidden);
    }
    let stmt = SchemeRow::select().cond_where(in_scopes(col("s", "org_path"), &scopes)).order_by((Alias::new("s"), Alias::new("name")), Order::Asc).limit(crate::MAX_PER_PAGE).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}

fn version_row(tenant: i64, scheme_id: i64, version: i64, tree: String, by: i64, at: i64) -> Vec<(&'static str, sea_orm::Value)> {
    vec![("tenant_id", tenant.into()), ("scheme_id", scheme_id.into()), ("version", version.into()), ("tree", tree.into()), ("created_by", by.into()), ("created_at", at.into())]
}

fn tree_text(s: &Scheme) -> String {
    serde_json::to_string(s).expect("a scheme serialises")
}

/// 新建考核方案: the scheme of an organisation, at version 1.
pub async fn create_scheme(store: &Store, ctx: &Ctx, org_id: i64, input: &SchemeInput) -> Result<SchemeView> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::DutyAssess, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let scheme = input.validate().map_err(StoreError::Invalid)?;
    let tenant = o.tenant_id.unwrap_or(o.id);
    let now = time::now_unix();
    let txn = store.write().await?;
    let row = query::insert("assessment_schemes", vec![
        ("tenant_id", tenant.into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("name", scheme.name.clone().into()),
        ("version", 1i64.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row).await.map_err(|e| StoreError::from_db(e, &format!("“{}”已有名为“{}”的考核方案", o.name, scheme.name)))?;
    query::execute(&txn, &query::insert("assessment_scheme_versions", version_row(tenant, id, 1, tree_text(&scheme), ctx.actor.account_id, now))).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment_scheme.create", &object(id), "ok", json!({"org_id": o.id, "name": scheme.name, "scale": scheme.scale, "indicators": scheme.all().len()})).await?;
    txn.commit().await?;
    get_scheme(store, ctx, id).await
}

/// 修订考核方案: the whole scheme again, as a new version. Assessments already started keep the
/// version they started with.
pub async fn revise_scheme(store: &Store, ctx: &Ctx, id: i64, input: &SchemeInput) -> Result<SchemeView> {
    let row = scheme_row(&store.db, id).await?;
    store.authorize(ctx, Action::DutyAssess, Target::org(&row.org_path), &object(id)).await?;
    let scheme = input.validate().map_err(StoreError::Invalid)?;
    let now = time::now_unix();
    let txn = store.write().await?;
    // Read again inside the write: two edits at once make two versions, one after the other.
    let row = scheme_row(&txn, id).await?;
    let version = row.version + 1;
    query::execute(&txn, &query::insert("assessment_scheme_versions", version_row(row.tenant_id, id, version, tree_text(&scheme), ctx.actor.account_id, now))).await?;
    let upd = query::update("assessment_schemes", vec![("name", scheme.name.clone().into()), ("version", version.into()), ("updated_at", now.into())]).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned();
    query::execute(&txn, &upd).await.map_err(|e| StoreError::from_db(e, &format!("已有名为“{}”的考核方案", scheme.name)))?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "assessment_scheme.revise", &object(id), "ok", json!({"version": version, "name": scheme.name, "indicators": scheme.all().len()})).await?;
    txn.commit().await?;
    get_scheme(store, ctx, id).await
}
