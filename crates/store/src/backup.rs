//! 备份与恢复 — a portable dump of every table (JSON lines), restorable into a clean instance on
//! either backend.
//!
//! After the tables, the content of every meeting attachment a row names, once per content
//! address: `{"data":base64,"file":sm3}` (the file stays one file, and the MAC covers the
//! attachments with the rows). The last line is a trailer:
//! `{"trailer":{"files":n,"mac":hex,"rows":{table: count, …}}}`, the MAC being
//! [`CryptoProvider::backup_mac`] of the SM3 of every byte before it. A file cut short, edited,
//! or extended is refused as a whole, attachments included.
//!
//! [`CryptoProvider::backup_mac`]: dangjian_domain::crypto::CryptoProvider::backup_mac

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use dangjian_domain::crypto::{sm3_hex, Sm3Hasher};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Value};
use serde_json::{json, Map, Value as Json};

use crate::dialect::reset_sequence;
use crate::life::attachment;
use crate::migration::{Kind, TableSpec, TABLES};
use crate::{query, Result, Store, StoreError};

const FORMAT: &str = "dangjian-backup";
/// Version 2 added the trailer, version 3 the attachments' content. Version 1 files are refused:
/// nothing in them shows whether they are complete, which is how a truncated file once restored
/// as a success. Version 2 files restore as they are (they were made before attachments).
const VERSION: i64 = 3;

fn order_by(t: &TableSpec) -> &'static [&'static str] {
    if t.name == "orgs" {
        // Parents before children, whatever their ids after moves.
        &["path"]
    } else if t.primary_key.is_empty() {
        &["id"]
    } else {
        t.primary_key
    }
}

fn columns(t: &TableSpec) -> impl Iterator<Item = Alias> + '_ {
    t.cols.iter().map(|c| Alias::new(c.name))
}

fn cell(row: &sea_orm::QueryResult, i: usize, kind: Kind) -> Result<Json> {
    Ok(match kind {
        Kind::Id | Kind::Int => row.try_get_by_index::<Option<i64>>(i)?.map(Json::from).unwrap_or(Json::Null),
        Kind::Text | Kind::Path => row.try_get_by_index::<Option<String>>(i)?.map(Json::from).unwrap_or(Json::Null),
        Kind::Bool => row.try_get_by_index::<Option<bool>>(i)?.map(Json::from).unwrap_or(Json::Null),
    })
}

fn value(j: &Json, kind: Kind) -> Result<Value> {
    let bad = || StoreError::invalid("file", "bad_backup", "备份文件内容与数据表结构不符");
    Ok(match (kind, j) {
        (Kind::Id | Kind::Int, Json::Null) => Value::BigInt(None),
        (Kind::Id | Kind::Int, Json::Number(n)) => n.as_i64().ok_or_else(bad)?.into(),
        (Kind::Text | Kind::Path, Json::Null) => Value::String(None),
        (Kind::Text | Kind::Path, Json::String(s)) => s.clone().into(),
        (Kind::Bool, Json::Null) => Value::Bool(None),
        (Kind::Bool, Json::Bool(b)) => (*b).into(),
        _ => return Err(bad()),
    })
}

/// Everything written passes through here, so the trailer's MAC covers exactly the bytes before it.
struct Hashing<'a> {
    out: &'a mut dyn Write,
    sm3: Sm3Hasher,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.sm3.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Writes every table, row by row, in foreign-key order, then the trailer. Returns rows written
/// per table.
pub async fn backup(store: &Store, out: &mut dyn Write) -> Result<Vec<(String, u64)>> {
    let io = |e: std::io::Error| StoreError::invalid("file", "io", format!("写入备份文件失败：{e}"));
    let mut w = Hashing { out, sm3: Sm3Hasher::new() };
    writeln!(w, "{}", json!({"format": FORMAT, "version": VERSION, "tables": TABLES.iter().map(|t| t.name).collect::<Vec<_>>()})).map_err(io)?;
    let mut counts = Vec::new();
    for t in TABLES.iter() {
        let mut select = Query::select();
        select.columns(columns(t)).from(Alias::new(t.name));
        for k in order_by(t) {
            select.order_by(Alias::new(*k), Order::Asc);
        }
        let mut n = 0u64;
        let mut offset = 0u64;
        loop {
            let rows = store.db.query_all(select.limit(10_000).offset(offset)).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let vals = t.cols.iter().enumerate().map(|(i, c)| cell(r, i, c.kind)).collect::<Result<Vec<_>>>()?;
                writeln!(w, "{}", json!({"t": t.name, "r": vals})).map_err(io)?;
                n += 1;
            }
            offset += rows.len() as u64;
        }
        counts.push((t.name.to_string(), n));
    }
    let files = write_files(store, &mut w).await?;
    let Hashing { out, sm3 } = w;
    let mac = store.crypto.backup_mac(&sm3.finish());
    writeln!(out, "{}", json!({"trailer": {"rows": rows_object(&counts), "files": files, "mac": mac}})).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(counts)
}

/// The tables whose rows name stored files by their address (`sm3`).
const FILE_TABLES: &[&str] = &["meeting_attachments", "report_attachments"];

/// The content of every attachment a row names (removed ones too: their rows are kept), once per
/// address, in address order. A file missing or changed on disk fails the backup.
async fn write_files(store: &Store, w: &mut Hashing<'_>) -> Result<u64> {
    let io = |e: std::io::Error| StoreError::invalid("file", "io", format!("写入备份文件失败：{e}"));
    let mut names = std::collections::BTreeSet::new();
    for table in FILE_TABLES {
        let stmt = Query::select().distinct().column(Alias::new("sm3")).from(Alias::new(*table)).to_owned();
        for r in store.db.query_all(&stmt).await? {
            names.insert(r.try_get_by_index::<String>(0)?);
        }
    }
    if names.is_empty() {
        return Ok(0);
    }
    let dir = attachment::dir(store)?;
    for sm3 in &names {
        let bytes = attachment::read(dir, sm3)?;
        writeln!(w, "{}", json!({"file": sm3, "data": BASE64.encode(&bytes)})).map_err(io)?;
    }
    Ok(names.len() as u64)
}

fn rows_object(counts: &[(String, u64)]) -> Json {
    Json::Object(counts.iter().map(|(t, n)| (t.clone(), Json::from(*n))).collect::<Map<_, _>>())
}

fn bad(code: &'static str, message: &str) -> StoreError {
    StoreError::invalid("file", code, message.to_string())
}

fn incomplete() -> StoreError {
    bad("backup_incomplete", "备份文件不完整：缺少结尾校验信息（文件可能被截断）")
}

/// Reads one line with its newline into `line`; false at the end of the file. A last line without
/// a newline is what a file cut mid-line looks like: backups end every line.
fn next_line(input: &mut dyn BufRead, line: &mut Vec<u8>) -> Result<bool> {
    line.clear();
    let n = input.read_until(b'\n', line).map_err(|e| bad("io", &format!("读取备份文件失败：{e}")))?;
    if n > 0 && line.last() != Some(&b'\n') {
        return Err(incomplete());
    }
    Ok(n > 0)
}

/// Restores a backup into a freshly migrated, empty database, in one transaction that commits
/// only after the trailer has vouched for every line.
pub async fn restore(store: &Store, input: &mut dyn BufRead) -> Result<Vec<(String, u64)>> {
    let count = |table: &'static str| Query::select().expr(Expr::col(Asterisk).count()).from(Alias::new(table)).to_owned();
    if query::scalar(&store.db, &count("orgs")).await? > 0 || query::scalar(&store.db, &count("accounts")).await? > 0 {
        return Err(StoreError::conflict("not_empty", "只能恢复到空的数据库中：目标数据库已有数据"));
    }
    let mut sm3 = Sm3Hasher::new();
    let mut line = Vec::new();
    if !next_line(input, &mut line)? {
        return Err(bad("bad_backup", "备份文件为空"));
    }
    let header: Json = serde_json::from_slice(&line).map_err(|_| bad("bad_backup", "备份文件头无法识别"))?;
    if header["format"] != FORMAT {
        return Err(bad("bad_backup", "不是本系统的备份文件"));
    }
    if header["version"] == 1 {
        return Err(bad("bad_backup", "备份文件是旧格式（第 1 版），没有结尾校验信息，无法确认其完整，不予恢复：请用当前版本重新备份"));
    }
    if header["version"] != VERSION && header["version"] != 2 {
        return Err(bad("bad_backup", &format!("备份文件版本 {} 不受支持", header["version"])));
    }
    sm3.update(&line);

    let txn = store.write().await?;
    for t in TABLES.iter() {
        query::execute(&txn, &query::delete(t.name)).await?;
    }
    let mut counts: Vec<(String, u64)> = TABLES.iter().map(|t| (t.name.to_string(), 0)).collect();
    let mut loader = Loader { txn: &txn, pending: Vec::new(), current: None };
    let mut files = Staged { root: None, staging: None, names: Vec::new() };
    let mut recorded_key_check = None;
    // A damaged line is not reported at once: the rest is still read, so that a file whose
    // trailer does not vouch for it is reported as such, not by the first symptom of the damage.
    let mut failed: Option<StoreError> = None;
    let trailer = loop {
        if !next_line(input, &mut line)? {
            break None;
        }
        let rec: Option<Json> = serde_json::from_slice(&line).ok();
        if let Some(t) = rec.as_ref().and_then(|r| r.get("trailer")) {
            break Some(t.clone());
        }
        sm3.update(&line);
        let Some(rec) = rec else {
            failed.get_or_insert_with(|| bad("bad_backup", "备份文件中有无法识别的行"));
            continue;
        };
        if rec.get("file").is_some() {
            if failed.is_none()
                && let Err(e) = files.add(store, &rec)
            {
                failed = Some(e);
            }
            continue;
        }
        if let Some(c) = counts.iter_mut().find(|c| rec["t"] == c.0.as_str()) {
            c.1 += 1;
        }
        if rec["t"] == "meta" && rec["r"][0] == "key_check" {
            recorded_key_check = rec["r"][1].as_str().map(str::to_string);
        }
        if failed.is_none()
            && let Err(e) = loader.add(&rec).await
        {
            failed = Some(e);
        }
    };
    let trailer = trailer.ok_or_else(incomplete)?;
    if !input.fill_buf().map_err(|e| bad("io", &format!("读取备份文件失败：{e}")))?.is_empty() {
        return Err(bad("backup_tampered", "备份文件校验失败：结尾校验信息之后还有内容（文件被修改或拼接）"));
    }
    let rows_differ = count_mismatch(&trailer["rows"], &counts);
    if trailer["mac"].as_str() != Some(store.crypto.backup_mac(&sm3.finish()).as_str()) {
        // Under another data key no MAC can match; the key check the file carries tells that
        // case apart from damage, so the operator looks for the right key file first.
        if recorded_key_check.is_some_and(|k| k != store.key_check_value()) {
            return Err(StoreError::conflict(crate::KEY_MISMATCH_CODE, "备份文件与当前数据密钥不匹配：请用备份来源的密钥文件（--key-file 或 DANGJIAN_DATA_KEY）恢复"));
        }
        let detail = rows_differ.map(|d| format!("（{d}）")).unwrap_or_default();
        return Err(bad("backup_tampered", &format!("备份文件校验失败：内容被修改或密钥不符{detail}")));
    }
    // The MAC does not cover the counts; a trailer whose counts were edited is refused here.
    if let Some(d) = rows_differ {
        return Err(bad("backup_tampered", &format!("备份文件校验失败：结尾记录的行数与内容不符（{d}）")));
    }
    if let Some(e) = failed {
        return Err(e);
    }
    if trailer["files"].as_u64().unwrap_or(0) != files.names.len() as u64 {
        return Err(bad("backup_tampered", &format!("备份文件校验失败：结尾记录的附件数与内容不符（读到 {} 个附件）", files.names.len())));
    }
    loader.finish().await?;
    for t in TABLES.iter() {
        if t.cols.iter().any(|c| c.kind == Kind::Id) {
            reset_sequence(&txn, t.name).await?;
        }
    }
    // Moved into place before the rows commit: rows never name a file that is not there.
    files.commit()?;
    txn.commit().await?;
    // The restored `meta` carries the source's tree version, so other nodes reload as well.
    store.tree_committed().await;
    Ok(counts)
}

/// The first table whose count in the trailer differs from the rows read, in words.
fn count_mismatch(recorded: &Json, counts: &[(String, u64)]) -> Option<String> {
    if *recorded == rows_object(counts) {
        return None;
    }
    Some(
        counts
            .iter()
            .find(|(t, n)| recorded[t.as_str()].as_u64() != Some(*n))
            .map(|(t, n)| match recorded[t.as_str()].as_u64() {
                Some(r) => format!("数据表 {t} 应有 {r} 行，读到 {n} 行"),
                None => format!("数据表 {t} 未记录行数，读到 {n} 行"),
            })
            .unwrap_or_else(|| "记录了未知的数据表".into()),
    )
}

/// Rows of one table are gathered and inserted many to a statement.
struct Loader<'a> {
    txn: &'a DatabaseTransaction,
    pending: Vec<Vec<Value>>,
    current: Option<&'static TableSpec>,
}

impl Loader<'_> {
    async fn add(&mut self, rec: &Json) -> Result<()> {
        let unknown = || bad("bad_backup", "备份文件中有无法识别的行");
        let name = rec["t"].as_str().ok_or_else(unknown)?;
        let spec = TABLES.iter().find(|t| t.name == name).ok_or_else(|| bad("bad_backup", "备份文件中有未知的数据表"))?;
        if self.current.is_some_and(|c| c.name != spec.name) {
            self.finish().await?;
        }
        self.current = Some(spec);
        let cells = rec["r"].as_array().ok_or_else(unknown)?;
        if cells.len() != spec.cols.len() {
            return Err(bad("bad_backup", "备份文件内容与数据表结构不符"));
        }
        self.pending.push(cells.iter().zip(spec.cols).map(|(j, c)| value(j, c.kind)).collect::<Result<_>>()?);
        if self.pending.len() >= crate::dialect::rows_per_statement(self.txn.get_database_backend(), spec.cols.len()) {
            self.finish().await?;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<()> {
        match self.current {
            Some(spec) => flush(self.txn, spec, &mut self.pending).await,
            None => Ok(()),
        }
    }
}

async fn flush<C: ConnectionTrait>(c: &C, t: &TableSpec, rows: &mut Vec<Vec<Value>>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table(Alias::new(t.name)).columns(columns(t));
    for r in rows.drain(..) {
        insert.values(r.into_iter().map(Expr::val)).map_err(|_| bad("bad_backup", "备份文件内容与数据表结构不符"))?;
    }
    query::execute(c, &insert).await?;
    Ok(())
}

/// Attachments read from a backup, written to a staging directory beside the attachments until
/// the trailer has vouched for the whole file; a refused restore leaves none behind.
struct Staged {
    root: Option<PathBuf>,
    staging: Option<PathBuf>,
    names: Vec<String>,
}

impl Staged {
    fn add(&mut self, store: &Store, rec: &Json) -> Result<()> {
        let unknown = || bad("bad_backup", "备份文件中有无法识别的附件行");
        let sm3 = rec["file"].as_str().ok_or_else(unknown)?;
        let bytes = BASE64.decode(rec["data"].as_str().ok_or_else(unknown)?).map_err(|_| unknown())?;
        if sm3_hex(&bytes) != sm3 {
            return Err(bad("bad_backup", "备份文件中的附件内容与其摘要不符"));
        }
        let staging = match &self.staging {
            Some(s) => s.clone(),
            None => {
                let root = attachment::dir(store)?.to_path_buf();
                let s = root.join(format!(".restore-{}", dangjian_domain::crypto::random_token(8)));
                crate::fsutil::create_private_dir(&s).map_err(|e| bad("io", &format!("无法创建附件目录 {}：{e}", s.display())))?;
                self.root = Some(root);
                self.staging = Some(s.clone());
                s
            }
        };
        attachment::put(&staging, sm3, &bytes)?;
        self.names.push(sm3.to_string());
        Ok(())
    }

    /// Moves every staged file to its address (the staging directory is on the same file system).
    fn commit(&mut self) -> Result<()> {
        let (Some(root), Some(staging)) = (&self.root, &self.staging) else {
            return Ok(());
        };
        for sm3 in &self.names {
            let (from, to) = (attachment::path_of(staging, sm3)?, attachment::path_of(root, sm3)?);
            move_file(&from, &to).map_err(|e| bad("io", &format!("无法写入附件 {}：{e}", to.display())))?;
        }
        Ok(())
    }
}

fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        crate::fsutil::create_private_dir(parent)?;
    }
    std::fs::rename(from, to)
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(s) = &self.staging {
            let _ = std::fs::remove_dir_all(s);
        }
    }
}
