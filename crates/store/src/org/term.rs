//! 届期 — terms of an organisation's committee and their end dates.

use chrono::Datelike;
use dangjian_domain::org::OrgKind;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{ExprTrait, Order};
use serde_json::json;

use super::get;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

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
    let start = time::parse_date("started_on", "换届日期", started_on)?;
    let end = if ends_on.trim().is_empty() {
        let years = o.kind_enum().and_then(OrgKind::term_years).ok_or_else(|| StoreError::invalid("ends_on", "required", "请填写届满日期"))?;
        start.with_year(start.year() + years as i32).unwrap_or(start)
    } else {
        time::parse_date("ends_on", "届满日期", ends_on)?
    };
    if end <= start {
        return Err(StoreError::invalid("ends_on", "before_start", "届满日期应晚于换届日期"));
    }
    let txn = store.write().await?;
    let (started_on, ends_on) = (Date(start), Date(end));
    let row = query::insert("org_terms", vec![("org_id", org_id.into()), ("started_on", started_on.into()), ("ends_on", ends_on.into()), ("note", note.clone().into())]);
    let id = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "term.create", &format!("org:{org_id}"), "ok", json!({"started_on": started_on, "ends_on": ends_on})).await?;
    txn.commit().await?;
    Ok(Term { id, org_id, started_on, ends_on, note })
}
