//! dangjian-store: persistence for every area, on SQLite or PostgreSQL. Every public function
//! takes the request context and asks the policy before it touches anything, so pages, API
//! and command line can never disagree about who may do what.

pub mod account;
pub mod audit;
pub mod backup;
pub mod db;
pub mod duty;
// The raw-SQL fence (clippy.toml) opens for these two modules alone: here SQL is written as
// text; everywhere else it is built.
#[allow(clippy::disallowed_methods)]
pub mod dialect;
pub mod fsutil;
pub mod job;
pub mod life;
pub mod sample;
pub mod member;
#[allow(clippy::disallowed_methods)]
pub mod migration;
pub mod notice;
pub mod org;
pub mod query;
pub mod roster;

use std::sync::Arc;

use dangjian_domain::crypto::CryptoProvider;
use dangjian_domain::policy::{Action, Actor, Decision, Target};
use dangjian_domain::Invalid;
use sea_orm::{
    AccessMode, DatabaseConnection, DatabaseTransaction, DbErr, SqlErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

pub use sea_orm::{ConnectionTrait, DatabaseConnection as Db, DbBackend, Value};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or outside the caller's scope (answered the same way on purpose).
    #[error("未找到该对象，或您无权查看")]
    NotFound,
    #[error("您没有执行此操作的权限")]
    Forbidden,
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<Invalid>),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    Auth(String),
    /// The request itself is malformed (a page number out of range): 400, not a field error.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("数据库错误：{0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![Invalid::new(field, code, message)])
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict { code, message: message.into() }
    }

    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Forbidden => "forbidden",
            StoreError::Invalid(v) => v.first().map(|e| e.code).unwrap_or("invalid"),
            StoreError::Conflict { code, .. } => code,
            StoreError::Auth(_) => "unauthenticated",
            StoreError::BadRequest { code, .. } => code,
            StoreError::Db(_) => "database_error",
        }
    }

    /// Maps a unique-index violation to a Conflict with a message a person understands.
    pub fn from_db(e: DbErr, unique_message: &str) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::conflict("duplicate", unique_message),
            _ => StoreError::Db(e),
        }
    }
}

impl From<Invalid> for StoreError {
    fn from(e: Invalid) -> Self {
        StoreError::Invalid(vec![e])
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub const KEY_MISMATCH_CODE: &str = "key_mismatch";

/// Who asks, from where: every store call carries it, and the audit log records it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub ip: String,
}

impl Ctx {
    pub fn cli(label: &str) -> Ctx {
        Ctx { actor: Actor::system(label), ip: "cli".into() }
    }

    /// Somebody not signed in, known by address only.
    pub fn anonymous(ip: &str) -> Ctx {
        Ctx { actor: Actor { account_id: 0, username: String::new(), member_id: None, grants: vec![], system: false }, ip: ip.to_string() }
    }
}

/// The `meta` key holding [`Store::key_check_value`].
const KEY_CHECK: &str = "key_check";

query::record! {
    struct MetaValue from "meta" as "m" {
        value: String,
    }
}

#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    pub crypto: Arc<dyn CryptoProvider>,
    /// Where audit checkpoints are kept outside the database (next to the key), if anywhere.
    pub checkpoint_file: Option<Arc<std::path::PathBuf>>,
    /// Where meeting attachments are kept, by content address (`life::attachment`), if anywhere;
    /// by default `attachments/` in the data folder. Without one, uploads are refused.
    pub attachments_dir: Option<Arc<std::path::PathBuf>>,
    pub refusals: Arc<audit::refusal::Refusals>,
    /// The organisation tree in memory, shared by every clone (`org::tree`).
    pub(crate) tree: Arc<org::tree::Snapshot>,
    /// 提醒: how many days ahead to remind, and the configured email and SMS senders.
    pub notice: Arc<notice::Notifier>,
    /// The counts of recent periods in memory, for the compliance of large subtrees
    /// (`life::snapshot`).
    pub(crate) life: Arc<life::snapshot::Snapshots>,
    /// What an organisation created during a period owes for it (DOMAIN.md: an installation
    /// setting, by default from the next full period).
    pub life_grace: dangjian_domain::life::obligation::Grace,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish()
    }
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &str, crypto: Arc<dyn CryptoProvider>, max_connections: u32) -> Result<Store> {
        let db = db::connect(url, max_connections).await?;
        migration::run(&db).await?;
        let store = Store { db, crypto, checkpoint_file: None, attachments_dir: None, refusals: Arc::default(), tree: Arc::default(), notice: Arc::default(), life: Arc::default(), life_grace: Default::default() };
        store.check_key().await?;
        store.reload_tree().await?;
        audit::ensure_head_signed(&store).await?;
        Ok(store)
    }

    /// Counts repeated refusals in windows of `secs` seconds (one minute by default).
    pub fn with_refusal_window(mut self, secs: u64) -> Store {
        self.refusals = Arc::new(audit::refusal::Refusals::with_window(secs));
        self
    }

    /// Sends reminders through `notifier`'s channels (`notice::Notifier::new` checks the settings).
    pub fn with_notifier(mut self, notifier: notice::Notifier) -> Store {
        self.notice = Arc::new(notifier);
        self
    }

    pub fn with_life_grace(mut self, grace: dangjian_domain::life::obligation::Grace) -> Store {
        self.life_grace = grace;
        self
    }

    /// Keeps audit checkpoints in `path` (SECURITY.md "Audit").
    pub fn with_checkpoint_file(mut self, path: std::path::PathBuf) -> Store {
        self.checkpoint_file = Some(Arc::new(path));
        self
    }

    /// Keeps meeting attachments under `dir`.
    pub fn with_attachments_dir(mut self, dir: std::path::PathBuf) -> Store {
        self.attachments_dir = Some(Arc::new(dir));
        self
    }

    /// A value derived from the data key, recorded in the database when it is first opened: a
    /// database opened with another key (a lost or swapped key file) is refused at once instead
    /// of failing later on every encrypted field and on the audit chain.
    pub fn key_check_value(&self) -> String {
        self.crypto.audit_mac(b"dangjian data key check v1")
    }

    async fn check_key(&self) -> Result<()> {
        let expected = self.key_check_value();
        use sea_orm::sea_query::ExprTrait;
        let stmt = MetaValue::select().and_where(query::col("m", "key").eq(KEY_CHECK)).to_owned();
        match query::fetch_one::<MetaValue, _>(&self.db, &stmt).await? {
            None => {
                query::execute(&self.db, &query::insert("meta", vec![("key", KEY_CHECK.into()), ("value", expected.into())])).await?;
                Ok(())
            }
            Some(r) if r.value == expected => Ok(()),
            Some(_) => Err(StoreError::conflict(KEY_MISMATCH_CODE, "数据密钥与数据库不匹配：请使用建库时的密钥文件（若刚自动生成了新的密钥文件，请删除它并放回原来的密钥）")),
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// A write transaction. On SQLite it begins IMMEDIATE, so a transaction that reads first
    /// never dead-locks on the upgrade to a writer.
    pub async fn write(&self) -> Result<DatabaseTransaction> {
        Ok(self
            .db
            .begin_with_options(TransactionOptions {
                isolation_level: None,
                access_mode: (self.backend() == DbBackend::Postgres).then_some(AccessMode::ReadWrite),
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            })
            .await?)
    }

    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Asks the policy; a refusal is audited and returned as NotFound or Forbidden.
    pub async fn authorize(&self, ctx: &Ctx, action: Action, target: Target<'_>, object: &str) -> Result<()> {
        match ctx.actor.decide(action, target) {
            Decision::Allow => Ok(()),
            d => {
                let denied = format!("deny:{action:?}");
                audit::refusal::record(self, ctx, &denied, object, "denied", &denied, serde_json::Value::Null).await?;
                Err(if d == Decision::Hidden { StoreError::NotFound } else { StoreError::Forbidden })
            }
        }
    }
}

/// A page of a list: `{"items": [...], "total": N, "page": P, "per_page": K}`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub const MAX_PER_PAGE: u64 = 200;

/// Rows skipped by the deepest page a list serves; past it, narrow the filter instead.
pub const MAX_OFFSET: u64 = 10_000_000;

/// The page and page size of a list request. Page 0, a page size of 0 or a page past
/// `MAX_OFFSET` is a bad request, never silently page 1; sizes above the cap are capped.
pub fn page_bounds(page: Option<u64>, per_page: Option<u64>) -> Result<(u64, u64)> {
    let per = per_page.unwrap_or(20);
    if per == 0 {
        return Err(StoreError::BadRequest { code: "bad_per_page", message: "每页条数应为1至200".into() });
    }
    let per = per.min(MAX_PER_PAGE);
    let page = page.unwrap_or(1);
    if page == 0 || (page - 1).saturating_mul(per) > MAX_OFFSET {
        return Err(StoreError::BadRequest { code: "bad_page", message: format!("页码{page}超出范围：页码从1开始，最多翻到第{}页（每页{per}条）", MAX_OFFSET / per + 1) });
    }
    Ok((page, per))
}
