//! 安全审计 — the audit log: every write, login, denial and reveal, in a chain where each row
//! carries an HMAC over the previous one, so an edited or removed row is detected.

use dangjian_domain::crypto::CryptoProvider;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::Value as Json;

use crate::dialect::{all, exec, one};
use crate::{page_bounds, Ctx, Page, Result, Store};

#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub account_id: Option<i64>,
    pub username: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub detail: String,
    #[serde(skip)]
    pub mac: String,
}

#[derive(FromQueryResult)]
struct Head {
    mac: String,
}

fn chain_input(prev_mac: &str, r: &AuditRow) -> Vec<u8> {
    // Unit separators keep field boundaries unambiguous.
    format!(
        "{prev_mac}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        r.at,
        r.account_id.unwrap_or(0),
        r.username,
        r.ip,
        r.action,
        r.object,
        r.outcome,
        r.detail
    )
    .into_bytes()
}

/// Appends a row inside the caller's transaction: if the audit write fails, so does the business
/// write it records.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    crypto: &dyn CryptoProvider,
    ctx: &Ctx,
    action: &str,
    object: &str,
    outcome: &str,
    detail: Json,
) -> Result<()> {
    // Taking the head row first serialises appenders: a row lock on PostgreSQL, the write lock
    // on SQLite.
    exec(conn, "UPDATE audit_head SET last_id = last_id WHERE id = 1", vec![]).await?;
    let head: Head = one(conn, "SELECT mac FROM audit_head WHERE id = 1", vec![]).await?.ok_or(crate::StoreError::NotFound)?;
    let mut row = AuditRow {
        id: 0,
        at: time::now_unix(),
        account_id: (ctx.actor.account_id != 0).then_some(ctx.actor.account_id),
        username: ctx.actor.username.clone(),
        ip: ctx.ip.clone(),
        action: action.to_string(),
        object: object.to_string(),
        outcome: outcome.to_string(),
        detail: if detail.is_null() { String::new() } else { detail.to_string() },
        mac: String::new(),
    };
    row.mac = crypto.audit_mac(&chain_input(&head.mac, &row));
    let id = crate::dialect::insert_id(
        conn,
        "INSERT INTO audit_log (at, account_id, username, ip, action, object, outcome, detail, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            row.at.into(),
            row.account_id.into(),
            row.username.clone().into(),
            row.ip.clone().into(),
            row.action.clone().into(),
            row.object.clone().into(),
            row.outcome.clone().into(),
            row.detail.clone().into(),
            row.mac.clone().into(),
        ],
    )
    .await?;
    exec(conn, "UPDATE audit_head SET last_id = $1, mac = $2 WHERE id = 1", vec![id.into(), row.mac.into()]).await?;
    Ok(())
}

/// Records an event that has no business write of its own (a login, a denial).
pub async fn record_alone(store: &Store, ctx: &Ctx, action: &str, object: &str, outcome: &str, detail: Json) -> Result<()> {
    let txn = store.write().await?;
    record(&txn, store.crypto.as_ref(), ctx, action, object, outcome, detail).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub action: Option<String>,
    pub username: Option<String>,
}

/// The log, newest first; only the audit administrator reads it.
pub async fn list(store: &Store, ctx: &Ctx, q: &AuditQuery) -> Result<Page<AuditRow>> {
    store.authorize(ctx, Action::AuditRead, Target::system(), "audit_log").await?;
    let (page, per_page) = page_bounds(q.page, q.per_page);
    let mut filter = String::from("1 = 1");
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if let Some(a) = q.action.as_deref().filter(|s| !s.is_empty()) {
        values.push(format!("{a}%").into());
        filter.push_str(&format!(" AND action LIKE ${}", values.len()));
    }
    if let Some(u) = q.username.as_deref().filter(|s| !s.is_empty()) {
        values.push(u.to_string().into());
        filter.push_str(&format!(" AND username = ${}", values.len()));
    }
    let total = if values.is_empty() {
        // The head knows the last id; counting the whole table would scan it.
        crate::dialect::scalar_i64(&store.db, "SELECT last_id FROM audit_head WHERE id = 1", vec![]).await?
    } else {
        crate::dialect::scalar_i64(&store.db, &format!("SELECT COUNT(*) FROM audit_log WHERE {filter}"), values.clone()).await?
    };
    let mut v = values;
    v.push((per_page as i64).into());
    v.push((((page - 1) * per_page) as i64).into());
    let sql = format!(
        "SELECT id, at, account_id, username, ip, action, object, outcome, detail, mac FROM audit_log WHERE {filter} ORDER BY id DESC LIMIT ${} OFFSET ${}",
        v.len() - 1,
        v.len()
    );
    let items = all::<AuditRow, _>(&store.db, &sql, v).await?;
    Ok(Page { items, total: total.max(0) as u64, page, per_page })
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub rows: u64,
    /// The first row whose MAC does not follow from its content and its predecessor.
    pub first_bad_id: Option<i64>,
    /// The chain head does not match the last row: rows were removed from the end.
    pub tail_mismatch: bool,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_bad_id.is_none() && !self.tail_mismatch
    }
}

/// Recomputes the whole chain in id order, in batches, so it runs in constant memory.
pub async fn verify(store: &Store) -> Result<VerifyReport> {
    let mut prev = String::new();
    let mut after = 0i64;
    let mut rows = 0u64;
    loop {
        let batch = all::<AuditRow, _>(
            &store.db,
            "SELECT id, at, account_id, username, ip, action, object, outcome, detail, mac FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000",
            vec![after.into()],
        )
        .await?;
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            rows += 1;
            if store.crypto.audit_mac(&chain_input(&prev, r)) != r.mac {
                return Ok(VerifyReport { rows, first_bad_id: Some(r.id), tail_mismatch: false });
            }
            prev = r.mac.clone();
            after = r.id;
        }
    }
    let head: Head = one(&store.db, "SELECT mac FROM audit_head WHERE id = 1", vec![]).await?.ok_or(crate::StoreError::NotFound)?;
    Ok(VerifyReport { rows, first_bad_id: None, tail_mismatch: head.mac != prev })
}
