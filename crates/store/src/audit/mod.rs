//! 安全审计 — the audit log: every write, login, denial and reveal, in a chain where each row
//! carries an HMAC over the previous one, so an edited or removed row is detected.

use dangjian_domain::crypto::CryptoProvider;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, OnConflict, Order};
use sea_orm::ConnectionTrait;
use serde_json::Value as Json;

use crate::query::{self, col, record, SortKey};
use crate::{page_bounds, Ctx, Page, Result, Store};

pub mod checkpoint;
pub mod refusal;

record! {
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct AuditRow from "audit_log" as "l" {
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
}

record! {
    /// The chain head with its keyed signature (`None` when the signature row is gone).
    struct Head from "audit_head" as "h" {
        last_id: i64,
        mac: String,
        sig: Option<String> = m.value,
    }
}

impl Head {
    fn genuine(&self, crypto: &dyn CryptoProvider) -> bool {
        self.sig.as_deref().is_some_and(|sig| sig == head_sig(crypto, self.last_id, &self.mac))
    }
}

/// The `meta` key holding the keyed MAC of the chain head. Without it, whoever can write the
/// database deletes the last rows, copies the new last row's MAC into `audit_head`, and the
/// chain verifies (the assessor did exactly that).
const HEAD_SIG_KEY: &str = "audit_head_sig";

fn head_sig(crypto: &dyn CryptoProvider, last_id: i64, mac: &str) -> String {
    crypto.audit_mac(format!("dangjian audit head v1\u{1f}{last_id}\u{1f}{mac}").as_bytes())
}

/// The head and its signature in one read: every write of the application passes here.
async fn head<C: ConnectionTrait>(conn: &C) -> Result<Head> {
    let stmt = Head::select()
        .join_as(JoinType::LeftJoin, Alias::new("meta"), Alias::new("m"), col("m", "key").eq(HEAD_SIG_KEY))
        .and_where(col("h", "id").eq(1))
        .to_owned();
    query::fetch_one(conn, &stmt).await?.ok_or(crate::StoreError::NotFound)
}

record! {
    struct MacRow from "audit_log" as "l" {
        mac: String,
    }
}

/// Writes the head's signature into `meta`.
async fn write_head_sig<C: ConnectionTrait>(conn: &C, sig: String) -> Result<()> {
    query::execute(conn, query::update("meta", vec![("value", sig.into())]).and_where(Expr::col("key").eq(HEAD_SIG_KEY))).await?;
    Ok(())
}

/// Marks a head that no key has signed yet: a new database, or one from before the keyed head
/// (the migration writes it). Only this value is signed on opening; a missing or wrong signature
/// is never replaced, so deleting it does not earn a fresh one.
const HEAD_SIG_PENDING: &str = "pending";

/// Signs the head once, where the migration left it pending (trust on first use: nothing older
/// can be checked anyway). Logged, so the moment is known.
pub async fn ensure_head_signed(store: &Store) -> Result<()> {
    if head(&store.db).await?.sig.as_deref() != Some(HEAD_SIG_PENDING) {
        return Ok(());
    }
    let txn = store.write().await?;
    let h = head(&txn).await?;
    let sign = query::update("meta", vec![("value", head_sig(store.crypto.as_ref(), h.last_id, &h.mac).into())])
        .and_where(Expr::col("key").eq(HEAD_SIG_KEY))
        .and_where(Expr::col("value").eq(HEAD_SIG_PENDING))
        .to_owned();
    let n = query::execute(&txn, &sign).await?;
    if n > 0 && h.last_id > 0 {
        tracing::warn!(last_id = h.last_id, "audit head signed for the first time");
    }
    txn.commit().await?;
    Ok(())
}

pub const HEAD_FORGED_CODE: &str = "audit_head_forged";

/// Re-signs the head after the operator has looked into a forged one (`dangjian audit reseal`):
/// until then every write is refused, because each append would sign the forgery anew. The
/// reseal itself is the first row after it, so the log shows when and by whom.
pub async fn reseal(store: &Store, ctx: &Ctx) -> Result<()> {
    if !ctx.actor.system {
        return Err(crate::StoreError::Forbidden);
    }
    let txn = store.write().await?;
    let h = head(&txn).await?;
    let upsert = query::insert("meta", vec![("key", HEAD_SIG_KEY.into()), ("value", head_sig(store.crypto.as_ref(), h.last_id, &h.mac).into())])
        .on_conflict(OnConflict::column("key").update_column("value").to_owned())
        .to_owned();
    query::execute(&txn, &upsert).await?;
    record(&txn, store.crypto.as_ref(), ctx, "audit.reseal", "audit_head", "ok", serde_json::json!({"last_id": h.last_id, "signature_was": if h.sig.is_some() { "wrong" } else { "missing" }})).await?;
    txn.commit().await?;
    tracing::warn!(last_id = h.last_id, "audit head resealed by the operator");
    Ok(())
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
    let lock = query::update("audit_head", vec![]).value("last_id", Expr::col("last_id")).and_where(Expr::col("id").eq(1)).to_owned();
    query::execute(conn, &lock).await?;
    let head = head(conn).await?;
    // Appending to a forged head would sign the forgery: the write fails instead, loudly.
    if !head.genuine(crypto) {
        tracing::error!(last_id = head.last_id, "audit head forged: writes refused until `dangjian audit reseal`");
        return Err(crate::StoreError::conflict(HEAD_FORGED_CODE, "审计日志链头校验失败（可能有人删除了末尾的审计记录）：系统暂停写入。请运维人员运行 dangjian audit verify 核查，再用 dangjian audit reseal 恢复"));
    }
    let mut row = AuditRow {
        id: 0,
        at: time::now_unix(),
        account_id: (ctx.actor.account_id != 0).then_some(ctx.actor.account_id),
        username: ctx.actor.username.clone(),
        ip: ctx.ip.clone(),
        action: action.to_string(),
        object: object.to_string(),
        outcome: outcome.to_string(),
        detail: if Json::is_null(&detail) { String::new() } else { detail.to_string() },
        mac: String::new(),
    };
    row.mac = crypto.audit_mac(&chain_input(&head.mac, &row));
    let insert = query::insert("audit_log", vec![
        ("at", row.at.into()),
        ("account_id", row.account_id.into()),
        ("username", row.username.clone().into()),
        ("ip", row.ip.clone().into()),
        ("action", row.action.clone().into()),
        ("object", row.object.clone().into()),
        ("outcome", row.outcome.clone().into()),
        ("detail", row.detail.clone().into()),
        ("mac", row.mac.clone().into()),
    ]);
    let id = query::insert_id(conn, insert).await?;
    let sig = head_sig(crypto, id, &row.mac);
    query::execute(conn, query::update("audit_head", vec![("last_id", id.into()), ("mac", row.mac.into())]).and_where(Expr::col("id").eq(1))).await?;
    write_head_sig(conn, sig).await?;
    Ok(())
}

/// Records an event that has no business write of its own (a login, a denial).
pub async fn record_alone(store: &Store, ctx: &Ctx, action: &str, object: &str, outcome: &str, detail: Json) -> Result<()> {
    let txn = store.write().await?;
    record(&txn, store.crypto.as_ref(), ctx, action, object, outcome, detail).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct AuditQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub action: Option<String>,
    pub username: Option<String>,
}

const NEWEST_FIRST: [SortKey; 1] = [SortKey { name: "id", columns: &[("l", "id")] }];

/// The log, newest first; only the audit administrator reads it.
pub async fn list(store: &Store, ctx: &Ctx, q: &AuditQuery) -> Result<Page<AuditRow>> {
    store.authorize(ctx, Action::AuditRead, Target::system(), "audit_log").await?;
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let mut cond = Cond::all();
    if let Some(a) = q.action.as_deref().filter(|s| !s.is_empty()) {
        cond = cond.add(col("l", "action").like(format!("{a}%")));
    }
    if let Some(u) = q.username.as_deref().filter(|s| !s.is_empty()) {
        cond = cond.add(col("l", "username").eq(u));
    }
    let total = if cond.is_empty() {
        // The head knows the last id; counting the whole table would scan it.
        head(&store.db).await?.last_id
    } else {
        query::scalar(&store.db, &query::count_of("audit_log", "l", cond.clone())).await?
    };
    let mut stmt = AuditRow::select();
    stmt.cond_where(cond);
    query::order_by(&mut stmt, &NEWEST_FIRST, Some("-id"));
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch::<AuditRow, _>(&store.db, &stmt).await?;
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0), page, per_page })
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub rows: u64,
    /// The first row whose MAC does not follow from its content and its predecessor.
    pub first_bad_id: Option<i64>,
    /// The chain head does not match the last row: rows were removed from the end.
    pub tail_mismatch: bool,
    /// The head's keyed MAC is missing or wrong: the head was written by someone without the key.
    pub head_forged: bool,
    /// The latest checkpoint kept outside the database, if there is one.
    pub checkpoint: Option<CheckpointCheck>,
}

/// How the chain compares with the latest checkpoint.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CheckpointCheck {
    pub last_id: i64,
    pub at: i64,
    /// The checkpoint file's own MAC is wrong: it was edited.
    pub forged: bool,
    /// The row the checkpoint names is gone or changed: rows were removed from the end, and an
    /// older head was put back in their place.
    pub missing: bool,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_bad_id.is_none() && !self.tail_mismatch && !self.head_forged && self.checkpoint.as_ref().is_none_or(|c| !c.forged && !c.missing)
    }

    /// One line for a person, in Chinese first.
    pub fn describe(&self) -> String {
        if let Some(id) = self.first_bad_id {
            return format!("审计日志被篡改：第 {id} 条记录校验失败 / audit chain broken at row {id}");
        }
        if self.head_forged {
            return "审计日志链头的校验值不符：链头被改写，末尾的记录可能已被删除 / the audit chain head was forged".into();
        }
        if self.tail_mismatch {
            return "审计日志末尾的记录被删除 / rows removed from the end of the audit chain".into();
        }
        match &self.checkpoint {
            Some(c) if c.forged => "审计检查点文件被修改，无法据此校验 / the audit checkpoint file was edited".into(),
            Some(c) if c.missing => format!(
                "审计日志末尾的记录被删除：{} 的检查点记到第 {} 条，该条已不在日志中 / rows removed from the end of the audit chain (checkpoint at row {})",
                time::format_unix_cst(c.at), c.last_id, c.last_id
            ),
            Some(c) => format!("审计日志完整：共 {} 条，链校验通过，与 {} 的检查点（第 {} 条）一致 / audit chain intact ({} rows)", self.rows, time::format_unix_cst(c.at), c.last_id, self.rows),
            None => format!("审计日志完整：共 {} 条，链校验通过（尚无检查点） / audit chain intact ({} rows, no checkpoint yet)", self.rows, self.rows),
        }
    }
}

/// Recomputes the chain in id order after `after` (whose MAC is `prev`), in batches, so it
/// runs in constant memory. Returns the rows seen, the last MAC, and the first bad row.
async fn walk(store: &Store, mut after: i64, mut prev: String, upto: i64) -> Result<(u64, String, Option<i64>)> {
    let mut rows = 0u64;
    loop {
        let stmt = AuditRow::select().and_where(col("l", "id").gt(after)).and_where(col("l", "id").lte(upto)).order_by(("l", "id"), Order::Asc).limit(5000).to_owned();
        let batch = query::fetch::<AuditRow, _>(&store.db, &stmt).await?;
        if batch.is_empty() {
            return Ok((rows, prev, None));
        }
        for r in batch {
            rows += 1;
            if store.crypto.audit_mac(&chain_input(&prev, &r)) != r.mac {
                return Ok((rows, prev, Some(r.id)));
            }
            prev = r.mac;
            after = r.id;
        }
    }
}

/// The whole chain, the keyed head, and the latest checkpoint outside the database.
pub async fn verify(store: &Store) -> Result<VerifyReport> {
    let (rows, last_mac, first_bad_id) = walk(store, 0, String::new(), i64::MAX).await?;
    let h = head(&store.db).await?;
    let head_forged = !h.genuine(store.crypto.as_ref());
    let checkpoint = match checkpoint::read(store)? {
        None => None,
        Some(cp) => {
            let forged = !cp.genuine(store.crypto.as_ref());
            let missing = !forged && !checkpoint::row_matches(store, cp.last_id, &cp.mac).await?;
            Some(CheckpointCheck { last_id: cp.last_id, at: cp.at, forged, missing })
        }
    };
    Ok(VerifyReport { rows, first_bad_id, tail_mismatch: first_bad_id.is_none() && h.mac != last_mac, head_forged, checkpoint })
}
