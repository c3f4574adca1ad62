//! The steps of a rectification item: 整改进展 and 销号 by the inspected organisation, 确认销号
//! and 退回重改 by the inspecting side, each in one transaction with its history row and its
//! audit entry; and the overdue items a secretary's home page lists.

use chrono::NaiveDate;
use dangjian_domain::duty::inspection::{self as rules, CloseInput, ItemState, StepKind};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order};
use serde_json::json;

use super::{allowed, get, inspection_row, item_object, item_select, reviews, step, InspectionRow, Item, ItemRow, Letter};
use crate::org;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

/// The item and its letter's row, once the caller may read the inspected organisation.
async fn item_for(store: &Store, ctx: &Ctx, item_id: i64) -> Result<(ItemRow, InspectionRow)> {
    let item: ItemRow = query::fetch_one(&store.db, &item_select().and_where(col("r", "id").eq(item_id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    store.authorize(ctx, Action::DutyRead, Target::org(&item.org_path), &item_object(item_id)).await?;
    let letter = inspection_row(&store.db, item.inspection_id).await?;
    Ok((item, letter))
}

/// Moves an item from the state it is in (read again inside the write) to `to`.
#[allow(clippy::too_many_arguments)]
async fn transition(store: &Store, ctx: &Ctx, item: &ItemRow, kind: StepKind, from: &[ItemState], to: ItemState, note: &str, link: &str, closed_on: Option<Date>, evidence: Option<&str>) -> Result<()> {
    let tenant = org::node(store, item.org_id).await?.tenant_id.unwrap_or(item.org_id);
    let now = time::now_unix();
    let txn = store.write().await?;
    let current: ItemRow = query::fetch_one(&txn, &item_select().and_where(col("r", "id").eq(item.id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    if !from.contains(&current.state) {
        return Err(StoreError::conflict("wrong_state", format!("该整改事项当前为“{}”，不能{}", current.state.label(), kind.label())));
    }
    let mut pairs = vec![("state", sea_orm::Value::from(to)), ("updated_at", now.into())];
    match kind {
        StepKind::Close => {
            pairs.push(("closed_on", closed_on.into()));
            pairs.push(("evidence", evidence.unwrap_or_default().to_string().into()));
            pairs.push(("link", link.to_string().into()));
        }
        StepKind::Reopen => pairs.push(("closed_on", Option::<Date>::None.into())),
        _ => {}
    }
    if current.state != to || kind == StepKind::Close {
        query::execute(&txn, &query::update("rectification_items", pairs).and_where(Expr::col(Alias::new("id")).eq(item.id)).to_owned()).await?;
    }
    step(&txn, tenant, item.id, kind, current.state, to, note, link, closed_on, ctx, now).await?;
    let action = match kind {
        StepKind::Issued => "rectification.issue",
        StepKind::Progress => "rectification.progress",
        StepKind::Close => "rectification.close",
        StepKind::Reopen => "rectification.reopen",
        StepKind::Confirm => "rectification.confirm",
    };
    audit::record(&txn, store.crypto.as_ref(), ctx, action, &item_object(item.id), "ok", json!({"inspection_id": item.inspection_id, "from": current.state, "to": to, "closed_on": closed_on, "link": link})).await?;
    txn.commit().await?;
    Ok(())
}

/// 整改进展: the inspected organisation notes how an open item goes.
pub async fn progress(store: &Store, ctx: &Ctx, item_id: i64, note: &str) -> Result<Letter> {
    let (item, letter) = item_for(store, ctx, item_id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&item.org_path), &item_object(item_id)).await?;
    let note = rules::parse_note("整改进展", note)?;
    transition(store, ctx, &item, StepKind::Progress, &[ItemState::Open], ItemState::Open, &note, "", None, None).await?;
    get(store, ctx, letter.id).await
}

/// 销号: the inspected organisation closes an item with its evidence.
pub async fn close(store: &Store, ctx: &Ctx, item_id: i64, input: &CloseInput) -> Result<Letter> {
    let (item, letter) = item_for(store, ctx, item_id).await?;
    store.authorize(ctx, Action::DutyWrite, Target::org(&item.org_path), &item_object(item_id)).await?;
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    if v.closed_on < letter.issued_on {
        return Err(StoreError::invalid("closed_on", "before_issue", "完成日期不能早于发函日期"));
    }
    transition(store, ctx, &item, StepKind::Close, &[ItemState::Open], ItemState::Closed, &v.evidence, &v.link, Some(v.closed_on), Some(&v.evidence)).await?;
    get(store, ctx, letter.id).await
}

async fn reviewed(store: &Store, ctx: &Ctx, item_id: i64) -> Result<(ItemRow, InspectionRow)> {
    let (item, letter) = item_for(store, ctx, item_id).await?;
    if !reviews(ctx, &letter.issuer_org_path) {
        // The caller sees the item (the inspected side, say) but is not the inspecting side: a
        // refusal (403, audited), not a pretence that the item does not exist.
        let refused = store.authorize(ctx, Action::DutyAssess, Target::org(&letter.issuer_org_path), &item_object(item_id)).await.err().unwrap_or(StoreError::Forbidden);
        return Err(match refused {
            StoreError::NotFound => StoreError::Forbidden,
            e => e,
        });
    }
    Ok((item, letter))
}

/// 退回重改: the inspecting side finds a close not borne out and opens the item again.
pub async fn reopen(store: &Store, ctx: &Ctx, item_id: i64, note: &str) -> Result<Letter> {
    let (item, letter) = reviewed(store, ctx, item_id).await?;
    let note = rules::parse_note("退回理由", note)?;
    transition(store, ctx, &item, StepKind::Reopen, &[ItemState::Closed, ItemState::Confirmed], ItemState::Open, &note, "", None, None).await?;
    get(store, ctx, letter.id).await
}

/// 确认销号: the inspecting side accepts a close.
pub async fn confirm(store: &Store, ctx: &Ctx, item_id: i64, note: &str) -> Result<Letter> {
    let (item, letter) = reviewed(store, ctx, item_id).await?;
    let note = dangjian_domain::text::parse_text("note", "确认意见", note, dangjian_domain::text::NOTE_MAX)?;
    transition(store, ctx, &item, StepKind::Confirm, &[ItemState::Closed], ItemState::Confirmed, &note, "", item.closed_on, None).await?;
    get(store, ctx, letter.id).await
}

/// 逾期未整改: the organisation's open items past their deadline, for its secretary's home page
/// (whoever records its rectification): one range of `ix_rectification_items_org`.
pub async fn overdue(store: &Store, ctx: &Ctx, org_id: i64, today: NaiveDate) -> Result<Vec<Item>> {
    let o = org::node(store, org_id).await?;
    if !allowed(ctx, Action::DutyWrite, &o.path) {
        return Ok(Vec::new());
    }
    let stmt = item_select()
        .and_where(col("r", "org_id").eq(o.id))
        .and_where(col("r", "state").eq(ItemState::Open))
        .and_where(col("r", "deadline").lt(Date(today)))
        .order_by((Alias::new("r"), Alias::new("deadline")), Order::Asc)
        .limit(20)
        .to_owned();
    let rows: Vec<ItemRow> = query::fetch(&store.db, &stmt).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    record! {
        struct Number from "inspections" as "i" { id: i64, prefix: String, year: i64, seq: i64 }
    }
    let letters: Vec<Number> = query::fetch(&store.db, &Number::select().and_where(col("i", "id").is_in(rows.iter().map(|r| r.inspection_id))).to_owned()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let number = letters.iter().find(|l| l.id == r.inspection_id).map(|l| rules::letter_number(&l.prefix, l.year as i32, l.seq)).unwrap_or_default();
            Item { overdue: true, number, org_name: o.name.clone(), history: Vec::new(), row: r }
        })
        .collect())
}
