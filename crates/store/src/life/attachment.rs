//! 附件 — files attached to meeting records: photos, scanned sign-in sheets. Never a condition
//! for a meeting to count: nothing here touches `meeting_kinds` or attendance.
//!
//! The bytes are kept under [`Store::attachments_dir`] by content address: the SM3 of the
//! content in hex, `ab/cdef…` (the first two digits name one of 256 directories, so no single
//! directory holds every file). SM3 rather than SHA-256 because the backup MAC, the
//! audit chain and the 国密 profile already use it (密评 looks for SM algorithms), and the
//! project builds it already. The same content attached twice is stored once. A file is written
//! (atomically) before its row's transaction: a failed transaction leaves at most an unnamed
//! file, which the next upload of the same content reuses. Removing an attachment keeps its row
//! (with the reason) and its file as evidence, as a deleted meeting keeps its versions.

use std::path::{Path, PathBuf};

use dangjian_domain::crypto::sm3_hex;
use dangjian_domain::life::attachment::{AttachmentInput, MediaType};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, SelectStatement};
use sea_orm::DbErr;
use serde_json::json;

use crate::query::{self, col, record};
use crate::{audit, fsutil, Ctx, Result, Store, StoreError};

record! {
    /// 附件 — a file attached to a meeting record, as lists and the API show it.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Attachment from "meeting_attachments" as "f" {
        pub id: i64,
        pub meeting_id: i64,
        /// As uploaded, without directories.
        pub file_name: String,
        /// As sniffed from the content; what it is served as.
        pub media_type: MediaType,
        /// Bytes.
        pub size: i64,
        /// SM3 of the content, lower-case hex: its address under the data folder.
        pub sm3: String,
        /// The account that attached it (0: the operator at the command line).
        pub uploaded_by: i64,
        pub uploader: Option<String> = u.username,
        pub uploaded_at: i64,
        #[serde(skip)]
        pub org_path: String = g.org_path,
    }
}

impl Attachment {
    pub fn size_text(&self) -> String {
        size_text(self.size)
    }
    pub fn uploaded_text(&self) -> String {
        time::format_unix_cst(self.uploaded_at).get(..16).unwrap_or_default().to_string()
    }
    pub fn uploader_text(&self) -> String {
        self.uploader.clone().unwrap_or_else(|| "系统".into())
    }
}

record! {
    struct MeetingRef from "meetings" as "g" {
        tenant_id: i64,
        org_path: String,
    }
}

fn meeting_object(id: i64) -> String {
    format!("meeting:{id}")
}

/// The live meeting, if the caller may do `action` on it; outside their scope it is NotFound.
async fn meeting(store: &Store, ctx: &Ctx, meeting_id: i64, action: Action) -> Result<MeetingRef> {
    let stmt = MeetingRef::select().and_where(col("g", "id").eq(meeting_id)).and_where(col("g", "deleted_at").is_null()).to_owned();
    let m: MeetingRef = query::fetch_one(&store.db, &stmt).await?.ok_or(StoreError::NotFound)?;
    store.authorize(ctx, action, Target::org(&m.org_path), &meeting_object(meeting_id)).await?;
    Ok(m)
}

/// Live attachments of live meetings, with who attached them.
fn live() -> SelectStatement {
    Attachment::select()
        .join_as(JoinType::InnerJoin, Alias::new("meetings"), Alias::new("g"), col("g", "id").equals((Alias::new("f"), Alias::new("meeting_id"))))
        .join_as(JoinType::LeftJoin, Alias::new("accounts"), Alias::new("u"), col("u", "id").equals((Alias::new("f"), Alias::new("uploaded_by"))))
        .and_where(col("f", "deleted_at").is_null())
        .and_where(col("g", "deleted_at").is_null())
        .to_owned()
}

/// The attachment, if the caller may do `action` on its meeting.
async fn authorized(store: &Store, ctx: &Ctx, id: i64, action: Action) -> Result<Attachment> {
    let a: Attachment = query::fetch_one(&store.db, &live().and_where(col("f", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    store.authorize(ctx, action, Target::org(&a.org_path), &format!("attachment:{id}")).await?;
    Ok(a)
}

fn storage_error(what: String) -> StoreError {
    StoreError::Db(DbErr::Custom(what))
}

pub(crate) fn dir(store: &Store) -> Result<&Path> {
    store.attachments_dir.as_deref().map(PathBuf::as_path).ok_or_else(|| StoreError::conflict("no_attachments_dir", "未配置附件存放目录，无法保存或读取附件"))
}

/// Where the content with this address lives. Anything but 64 hex digits is refused, so no
/// address (from a row or a backup line) can name a path outside the directory.
pub(crate) fn path_of(dir: &Path, sm3: &str) -> Result<PathBuf> {
    if sm3.len() != 64 || !sm3.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(storage_error(format!("invalid attachment address {:?}", sm3.chars().take(80).collect::<String>())));
    }
    Ok(dir.join(&sm3[..2]).join(&sm3[2..]))
}

/// Stores the content at its address, unless a file of that size is already there.
pub(crate) fn put(dir: &Path, sm3: &str, bytes: &[u8]) -> Result<()> {
    let path = path_of(dir, sm3)?;
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(());
    }
    let io = |e: std::io::Error| storage_error(format!("attachment {}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        fsutil::create_private_dir(parent).map_err(io)?;
    }
    fsutil::write_atomic(&path, bytes).map_err(io)
}

/// The content at an address, checked against it: a file changed on disk is not served.
pub(crate) fn read(dir: &Path, sm3: &str) -> Result<Vec<u8>> {
    let path = path_of(dir, sm3)?;
    let bytes = std::fs::read(&path).map_err(|e| storage_error(format!("attachment {}: {e}", path.display())))?;
    if sm3_hex(&bytes) != sm3 {
        return Err(storage_error(format!("attachment {}: the content does not match its address", path.display())));
    }
    Ok(bytes)
}

/// A file's size as people read it: `812 B`, `34 KB`, `2.5 MB`.
pub(crate) fn size_text(bytes: i64) -> String {
    match bytes {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
    }
}

pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| storage_error(format!("attachment task: {e}")))?
}

/// Attaches a file to a meeting: authorised on the meeting first (outside the scope: NotFound,
/// before anything is read), then the upload checked (type, size, name), stored, and its row
/// written with the audit row in one transaction.
pub async fn add(store: &Store, ctx: &Ctx, meeting_id: i64, input: &AttachmentInput<'_>) -> Result<Attachment> {
    let m = meeting(store, ctx, meeting_id, Action::LifeWrite).await?;
    let v = input.validate().map_err(StoreError::Invalid)?;
    let root = dir(store)?.to_path_buf();
    let bytes = input.bytes.to_vec();
    let sm3 = blocking(move || {
        let sm3 = sm3_hex(&bytes);
        put(&root, &sm3, &bytes)?;
        Ok(sm3)
    })
    .await?;
    let txn = store.write().await?;
    let row = query::insert("meeting_attachments", vec![
        ("tenant_id", m.tenant_id.into()),
        ("meeting_id", meeting_id.into()),
        ("sm3", sm3.clone().into()),
        ("file_name", v.file_name.clone().into()),
        ("media_type", v.media_type.into()),
        ("size", v.size.into()),
        ("uploaded_by", ctx.actor.account_id.into()),
        ("uploaded_at", time::now_unix().into()),
    ]);
    let id = query::insert_id(&txn, row).await?;
    let detail = json!({"meeting_id": meeting_id, "file_name": v.file_name, "media_type": v.media_type, "size": v.size, "sm3": sm3});
    audit::record(&txn, store.crypto.as_ref(), ctx, "attachment.add", &format!("attachment:{id}"), "ok", detail).await?;
    txn.commit().await?;
    query::fetch_one(&store.db, &live().and_where(col("f", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

/// A meeting's attachments, in the order they were added, for whoever may see the meeting.
pub async fn list(store: &Store, ctx: &Ctx, meeting_id: i64) -> Result<Vec<Attachment>> {
    meeting(store, ctx, meeting_id, Action::LifeRead).await?;
    let stmt = live().and_where(col("f", "meeting_id").eq(meeting_id)).order_by((Alias::new("f"), Alias::new("id")), Order::Asc).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}

/// The attachment and its bytes, for whoever may see its meeting; anyone else gets NotFound.
pub async fn open(store: &Store, ctx: &Ctx, id: i64) -> Result<(Attachment, Vec<u8>)> {
    let a = authorized(store, ctx, id, Action::LifeRead).await?;
    let root = dir(store)?.to_path_buf();
    let sm3 = a.sm3.clone();
    let bytes = blocking(move || read(&root, &sm3)).await?;
    Ok((a, bytes))
}

/// Takes an attachment off its meeting, with an optional reason; audited. Its row and file stay.
/// Returns what was removed.
pub async fn remove(store: &Store, ctx: &Ctx, id: i64, reason: &str) -> Result<Attachment> {
    let a = authorized(store, ctx, id, Action::LifeWrite).await?;
    let reason = dangjian_domain::text::parse_text("reason", "删除原因", reason, 200)?;
    let txn = store.write().await?;
    let upd = query::update("meeting_attachments", vec![("deleted_at", time::now_unix().into()), ("delete_reason", reason.clone().into())])
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null())
        .to_owned();
    if query::execute(&txn, &upd).await? != 1 {
        return Err(StoreError::NotFound);
    }
    let detail = json!({"meeting_id": a.meeting_id, "file_name": a.file_name, "sm3": a.sm3, "reason": reason});
    audit::record(&txn, store.crypto.as_ref(), ctx, "attachment.delete", &format!("attachment:{id}"), "ok", detail).await?;
    txn.commit().await?;
    Ok(a)
}
