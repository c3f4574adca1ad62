//! 汇报附件 — files attached to a report (the 须附材料 a schedule may require): added and removed
//! while the report is the organisation's to write (a draft, or returned), frozen with it once
//! submitted. The bytes are kept as the meetings' attachments are (`life::attachment`: by SM3
//! content address, one file per content, in the backup); the checks on an upload (sniffed type,
//! size, name) are the same ones. Removing a file keeps its row, marked, as evidence.

use dangjian_domain::duty::report::{self as rules};
use dangjian_domain::life::attachment::{AttachmentInput, MediaType};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::crypto::sm3_hex;
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, SelectStatement};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::submission::{submission, writable};
use crate::life::attachment::{blocking, dir, put, read};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    /// 附件 of a report.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct ReportFile from "report_attachments" as "f" {
        pub id: i64,
        pub submission_id: i64,
        pub file_name: String,
        pub media_type: MediaType,
        pub size: i64,
        #[serde(skip)]
        pub sm3: String,
        pub uploaded_by: i64,
        pub uploader: Option<String> = u.username,
        pub uploaded_at: i64,
        #[serde(skip)]
        pub org_path: String = r.org_path,
    }
}

impl ReportFile {
    pub fn size_text(&self) -> String {
        crate::life::attachment::size_text(self.size)
    }
}

fn object(id: i64) -> String {
    format!("report_attachment:{id}")
}

/// Live files of reports, with who attached them and the report's organisation.
fn live() -> SelectStatement {
    ReportFile::select()
        .join_as(JoinType::InnerJoin, Alias::new("report_submissions"), Alias::new("r"), col("r", "id").equals((Alias::new("f"), Alias::new("submission_id"))))
        .join_as(JoinType::LeftJoin, Alias::new("accounts"), Alias::new("u"), col("u", "id").equals((Alias::new("f"), Alias::new("uploaded_by"))))
        .and_where(col("f", "deleted_at").is_null())
        .to_owned()
}

/// A report's files in the order they were added.
pub(super) async fn of<C: ConnectionTrait>(c: &C, submission_id: i64) -> Result<Vec<ReportFile>> {
    Ok(query::fetch(c, &live().and_where(col("f", "submission_id").eq(submission_id)).order_by((Alias::new("f"), Alias::new("id")), Order::Asc).to_owned()).await?)
}

/// Attaches a file to a report its organisation may still write: authorised on the report first
/// (outside the scope: NotFound, before the upload is looked at), then checked and stored.
pub async fn add(store: &Store, ctx: &Ctx, report_id: i64, input: &AttachmentInput<'_>) -> Result<ReportFile> {
    let r = writable(store, ctx, report_id).await?;
    rules::check_editable(r.state)?;
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
    // Read again inside the write: a report submitted meanwhile takes no more files.
    rules::check_editable(submission(&txn, report_id).await?.state)?;
    let row = query::insert("report_attachments", vec![
        ("tenant_id", r.tenant_id.into()),
        ("submission_id", report_id.into()),
        ("sm3", sm3.clone().into()),
        ("file_name", v.file_name.clone().into()),
        ("media_type", v.media_type.into()),
        ("size", v.size.into()),
        ("uploaded_by", ctx.actor.account_id.into()),
        ("uploaded_at", time::now_unix().into()),
    ]);
    let id = query::insert_id(&txn, row).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "report.attach", &object(id), "ok", json!({"report_id": report_id, "file_name": v.file_name, "media_type": v.media_type, "size": v.size, "sm3": sm3})).await?;
    txn.commit().await?;
    query::fetch_one(&store.db, &live().and_where(col("f", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

async fn file(store: &Store, id: i64) -> Result<ReportFile> {
    query::fetch_one(&store.db, &live().and_where(col("f", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)
}

/// The file and its bytes, for whoever may read the report; anyone else gets NotFound.
pub async fn open(store: &Store, ctx: &Ctx, id: i64) -> Result<(ReportFile, Vec<u8>)> {
    let f = file(store, id).await?;
    store.authorize(ctx, Action::DutyRead, Target::org(&f.org_path), &object(id)).await?;
    let root = dir(store)?.to_path_buf();
    let sm3 = f.sm3.clone();
    let bytes = blocking(move || read(&root, &sm3)).await?;
    Ok((f, bytes))
}

/// Takes a file off a report its organisation may still write; its row and bytes stay.
pub async fn remove(store: &Store, ctx: &Ctx, id: i64) -> Result<ReportFile> {
    let f = file(store, id).await?;
    writable(store, ctx, f.submission_id).await?;
    let txn = store.write().await?;
    rules::check_editable(submission(&txn, f.submission_id).await?.state)?;
    let upd = query::update("report_attachments", vec![("deleted_at", time::now_unix().into())]).and_where(Expr::col(Alias::new("id")).eq(id)).and_where(Expr::col(Alias::new("deleted_at")).is_null()).to_owned();
    if query::execute(&txn, &upd).await? != 1 {
        return Err(StoreError::NotFound);
    }
    audit::record(&txn, store.crypto.as_ref(), ctx, "report.detach", &object(id), "ok", json!({"report_id": f.submission_id, "file_name": f.file_name, "sm3": f.sm3})).await?;
    txn.commit().await?;
    Ok(f)
}
