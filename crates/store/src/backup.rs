//! 备份与恢复 — a portable dump of every table (JSON lines), restorable into a clean instance on
//! either backend.

use std::io::{BufRead, Write};

use sea_orm::{ConnectionTrait, Value};
use serde_json::{json, Value as Json};

use crate::dialect::{exec, reset_sequence, scalar_i64};
use crate::migration::m001_foundation_spec::{Kind, TableSpec};
use crate::migration::TABLES;
use crate::{Result, Store, StoreError};

const FORMAT: &str = "dangjian-backup";
const VERSION: i64 = 1;

fn order_by(t: &TableSpec) -> String {
    if t.name == "orgs" {
        // Parents before children, whatever their ids after moves.
        "path".into()
    } else if t.primary_key.is_empty() {
        "id".into()
    } else {
        t.primary_key.join(", ")
    }
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

/// Writes every table, row by row, in foreign-key order. Returns rows written per table.
pub async fn backup(store: &Store, out: &mut dyn Write) -> Result<Vec<(String, u64)>> {
    let io = |e: std::io::Error| StoreError::invalid("file", "io", format!("写入备份文件失败：{e}"));
    writeln!(out, "{}", json!({"format": FORMAT, "version": VERSION, "tables": TABLES.iter().map(|t| t.name).collect::<Vec<_>>()})).map_err(io)?;
    let mut counts = Vec::new();
    for t in TABLES {
        let cols = t.cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
        let mut n = 0u64;
        let mut offset = 0u64;
        loop {
            let rows = store
                .db
                .query_all_raw(crate::dialect::stmt(store.backend(), &format!("SELECT {cols} FROM {} ORDER BY {} LIMIT 10000 OFFSET {offset}", t.name, order_by(t)), vec![]))
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let vals = t.cols.iter().enumerate().map(|(i, c)| cell(r, i, c.kind)).collect::<Result<Vec<_>>>()?;
                writeln!(out, "{}", json!({"t": t.name, "r": vals})).map_err(io)?;
                n += 1;
            }
            offset += rows.len() as u64;
        }
        counts.push((t.name.to_string(), n));
    }
    out.flush().map_err(io)?;
    Ok(counts)
}

/// Restores a backup into a freshly migrated, empty database, in one transaction.
pub async fn restore(store: &Store, input: &mut dyn BufRead) -> Result<Vec<(String, u64)>> {
    let bad = |m: &str| StoreError::invalid("file", "bad_backup", m.to_string());
    if scalar_i64(&store.db, "SELECT COUNT(*) FROM orgs", vec![]).await? > 0 || scalar_i64(&store.db, "SELECT COUNT(*) FROM accounts", vec![]).await? > 0 {
        return Err(StoreError::conflict("not_empty", "只能恢复到空的数据库中：目标数据库已有数据"));
    }
    let mut lines = input.lines();
    let header: Json = serde_json::from_str(&lines.next().ok_or_else(|| bad("备份文件为空"))?.map_err(|e| bad(&e.to_string()))?)
        .map_err(|_| bad("备份文件头无法识别"))?;
    if header["format"] != FORMAT || header["version"] != VERSION {
        return Err(bad("不是本系统的备份文件，或版本不受支持"));
    }
    let txn = store.write().await?;
    for t in TABLES {
        exec(&txn, &format!("DELETE FROM {}", t.name), vec![]).await?;
    }
    let mut counts: Vec<(String, u64)> = TABLES.iter().map(|t| (t.name.to_string(), 0)).collect();
    let mut pending: Vec<Vec<Value>> = Vec::new();
    let mut current: Option<&TableSpec> = None;
    for line in lines {
        let line = line.map_err(|e| bad(&e.to_string()))?;
        if line.is_empty() {
            continue;
        }
        let rec: Json = serde_json::from_str(&line).map_err(|_| bad("备份文件中有无法识别的行"))?;
        let name = rec["t"].as_str().ok_or_else(|| bad("备份文件中有无法识别的行"))?;
        let spec = TABLES.iter().find(|t| t.name == name).ok_or_else(|| bad("备份文件中有未知的数据表"))?;
        if current.is_some_and(|c| c.name != spec.name) {
            flush(&txn, current.expect("set"), &mut pending).await?;
        }
        current = Some(spec);
        let cells = rec["r"].as_array().ok_or_else(|| bad("备份文件中有无法识别的行"))?;
        if cells.len() != spec.cols.len() {
            return Err(bad("备份文件内容与数据表结构不符"));
        }
        pending.push(cells.iter().zip(spec.cols).map(|(j, c)| value(j, c.kind)).collect::<Result<_>>()?);
        if let Some(c) = counts.iter_mut().find(|c| c.0 == name) {
            c.1 += 1;
        }
        if pending.len() >= crate::dialect::rows_per_statement(txn.get_database_backend(), spec.cols.len()) {
            flush(&txn, spec, &mut pending).await?;
        }
    }
    if let Some(spec) = current {
        flush(&txn, spec, &mut pending).await?;
    }
    for t in TABLES {
        if t.cols.iter().any(|c| c.kind == Kind::Id) {
            reset_sequence(&txn, t.name).await?;
        }
    }
    // Encrypted fields and the audit chain are only readable with the key the backup was made
    // with; restoring under another key would store unreadable data.
    let recorded = txn.query_one_raw(crate::dialect::stmt(txn.get_database_backend(), "SELECT value FROM meta WHERE key = 'key_check'", vec![])).await?;
    if let Some(r) = recorded {
        if r.try_get_by_index::<String>(0)? != store.key_check_value() {
            return Err(StoreError::conflict(crate::KEY_MISMATCH_CODE, "备份文件与当前数据密钥不匹配：请用备份来源的密钥文件（--key-file 或 DANGJIAN_DATA_KEY）恢复"));
        }
    }
    txn.commit().await?;
    Ok(counts)
}

async fn flush<C: ConnectionTrait>(c: &C, t: &TableSpec, rows: &mut Vec<Vec<Value>>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let width = t.cols.len();
    let cols = t.cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    let mut sql = format!("INSERT INTO {} ({cols}) VALUES ", t.name);
    let mut vals = Vec::with_capacity(rows.len() * width);
    for (i, r) in rows.drain(..).enumerate() {
        if i > 0 {
            sql.push(',');
        }
        crate::dialect::push_row_placeholders(&mut sql, c.get_database_backend(), i * width + 1, width);
        vals.extend(r);
    }
    exec(c, &sql, vals).await?;
    Ok(())
}
