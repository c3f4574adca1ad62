//! 届期 — terms of an organisation's committee and their end dates.

use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{ExprTrait, Order};
use serde_json::json;

use super::get;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store};

record! {
    /// 届期 — a term of the organisation's committee.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Term from "org_terms" as "t" {
        pub id: i64,
        pub org_id: i64,
        pub started_on: Date,
        pub ends_on: Date,
        pub note: String,
    }
}

impl Term {
    pub fn expired(&self) -> bool {
        *self.ends_on < time::today_cst()
    }
}

pub async fn terms(store: &Store, ctx: &Ctx, o: &super::Org) -> Result<Vec<Term>> {
    super::readable(store, ctx, o).await?;
    let stmt = Term::select().and_where(col("t", "org_id").eq(o.id)).order_by(("t", "started_on"), Order::Desc).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}

/// Records an election; the end date defaults to the kind's term (机关条例 art. 5–7).
pub async fn add_term(store: &Store, ctx: &Ctx, org_id: i64, started_on: &str, ends_on: &str, note: &str) -> Result<Term> {
    let o = get(store, ctx, org_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let note = dangjian_domain::text::parse_text("note", "备注", note, dangjian_domain::text::NOTE_MAX)?;
    let (started_on, ends_on) = dangjian_domain::org::check_term(o.kind, started_on, ends_on)?;
    let txn = store.write().await?;
    let row = query::insert("org_terms", vec![("org_id", org_id.into()), ("started_on", started_on.into()), ("ends_on", ends_on.into()), ("note", note.clone().into())]);
    let id = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "term.create", &format!("org:{org_id}"), "ok", json!({"started_on": started_on, "ends_on": ends_on})).await?;
    txn.commit().await?;
    Ok(Term { id, org_id, started_on, ends_on, note })
}
