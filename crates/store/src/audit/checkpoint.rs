//! 审计检查点 — the chain's (last id, MAC) written outside the database, in a file next to the
//! key and in the log. A keyed head stops a forged head, but not a replayed one: whoever copies
//! an older genuine head back after deleting the rows behind it is caught only by a record they
//! cannot reach. Each new checkpoint is written only after the chain since the previous one
//! verifies, so a truncation is never blessed by the next checkpoint.

use std::path::Path;

use dangjian_domain::crypto::CryptoProvider;
use dangjian_domain::time;

use sea_orm::sea_query::ExprTrait;

use super::{head, walk, MacRow};
use crate::query::{self, col};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub last_id: i64,
    pub mac: String,
    pub at: i64,
    pub sig: String,
}

fn sign(crypto: &dyn CryptoProvider, last_id: i64, mac: &str, at: i64) -> String {
    crypto.audit_mac(format!("dangjian audit checkpoint v1\u{1f}{last_id}\u{1f}{mac}\u{1f}{at}").as_bytes())
}

impl Checkpoint {
    pub fn genuine(&self, crypto: &dyn CryptoProvider) -> bool {
        !self.sig.is_empty() && sign(crypto, self.last_id, &self.mac, self.at) == self.sig
    }
}

/// The latest checkpoint, if the store keeps them and one was written. A file that cannot be
/// read as a checkpoint comes back unsigned, so that it counts as forged rather than absent.
pub fn read(store: &Store) -> Result<Option<Checkpoint>> {
    let Some(path) = store.checkpoint_file.as_deref() else {
        return Ok(None);
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(serde_json::from_str(text.trim()).unwrap_or(Checkpoint { last_id: 0, mac: String::new(), at: 0, sig: String::new() }))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::conflict("checkpoint_unreadable", format!("无法读取审计检查点文件 {}：{e}", path.display()))),
    }
}

/// Whether row `id` is still in the log with this MAC (id 0: the empty chain).
pub(super) async fn row_matches(store: &Store, id: i64, mac: &str) -> Result<bool> {
    if id == 0 {
        return Ok(mac.is_empty());
    }
    let row = query::fetch_one::<MacRow, _>(&store.db, MacRow::select().and_where(col("l", "id").eq(id))).await?;
    Ok(row.is_some_and(|r| r.mac == mac))
}

/// Verifies the chain since the previous checkpoint and writes a new one at the current head.
/// Refuses (and keeps the old file) when the chain was cut or changed since. `None` when this
/// store keeps no checkpoint file.
pub async fn write(store: &Store) -> Result<Option<Checkpoint>> {
    let Some(path) = store.checkpoint_file.clone() else {
        return Ok(None);
    };
    let broken = |m: String| {
        tracing::error!(problem = %m, "audit checkpoint refused");
        StoreError::conflict("audit_broken", m)
    };
    let h = head(&store.db).await?;
    if !h.genuine(store.crypto.as_ref()) {
        return Err(broken("审计日志链头的校验值不符，未写检查点".into()));
    }
    let (after, prev) = match read(store)? {
        Some(cp) if !cp.genuine(store.crypto.as_ref()) => return Err(broken(format!("审计检查点文件 {} 被修改，未写新的检查点", path.display()))),
        Some(cp) => {
            if !row_matches(store, cp.last_id, &cp.mac).await? || cp.last_id > h.last_id {
                return Err(broken(format!("上一个检查点记到第 {} 条，该条已不在审计日志中：末尾的记录被删除", cp.last_id)));
            }
            (cp.last_id, cp.mac)
        }
        None => (0, String::new()),
    };
    let (_, last_mac, bad) = walk(store, after, prev, h.last_id).await?;
    if let Some(id) = bad {
        return Err(broken(format!("审计日志第 {id} 条记录校验失败，未写检查点")));
    }
    if last_mac != h.mac {
        return Err(broken("审计日志链头与最后一条记录不符，未写检查点".into()));
    }
    let at = time::now_unix();
    let cp = Checkpoint { last_id: h.last_id, sig: sign(store.crypto.as_ref(), h.last_id, &h.mac, at), mac: h.mac, at };
    write_file(&path, &cp)?;
    tracing::info!(last_id = cp.last_id, mac = %cp.mac, at = cp.at, sig = %cp.sig, "audit checkpoint");
    Ok(Some(cp))
}

/// Starts the checkpoints afresh from the current head, whatever the file said: after a restore,
/// which rewinds the log on purpose. The operator's command, never the application's.
pub async fn reset(store: &Store) -> Result<Option<Checkpoint>> {
    if let Some(path) = store.checkpoint_file.as_deref() {
        match std::fs::remove_file(path) {
            Ok(()) => tracing::warn!(path = %path.display(), "audit checkpoint reset"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::conflict("checkpoint_unwritable", format!("无法删除审计检查点文件 {}：{e}", path.display()))),
        }
    }
    write(store).await
}

/// Written beside and renamed over the old file, so a crash never leaves half a checkpoint.
fn write_file(path: &Path, cp: &Checkpoint) -> Result<()> {
    let fail = |e: std::io::Error| StoreError::conflict("checkpoint_unwritable", format!("无法写入审计检查点文件 {}：{e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::fsutil::create_private_dir(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let text = serde_json::to_string(cp).map_err(|e| StoreError::conflict("checkpoint_unwritable", e.to_string()))?;
    crate::fsutil::write_private(&tmp, text.as_bytes()).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
