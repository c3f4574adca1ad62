//! 花名册 — roster import and export. An import is all-or-nothing unless the user asks to keep
//! only the good rows; its report names every bad row with its line number and reason.

pub mod format;

use std::collections::HashMap;

use dangjian_domain::member::{Category, Details, Gender, MemberInput, Status};
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::FromQueryResult;
use serde_json::json;

use crate::member::{insert_many, prepare, Placement, Prepared};
use crate::org::{self, Org};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};
use format::RosterRow;

/// Largest roster one upload may carry.
pub const MAX_ROWS: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Nothing is written when any row is bad.
    AllOrNothing,
    /// Good rows are written, bad rows are reported.
    GoodOnly,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// Line number as the spreadsheet shows it (the header is line 1).
    pub line: usize,
    pub name: String,
    pub messages: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub total: usize,
    pub imported: usize,
    pub rejected: usize,
    /// False when nothing was written because of bad rows.
    pub committed: bool,
    pub errors: Vec<RowError>,
}

pub async fn import(store: &Store, ctx: &Ctx, bytes: &[u8], mode: ImportMode) -> Result<ImportReport> {
    if ctx.actor.scopes(Action::MemberImport).is_empty() && !ctx.actor.system {
        store.authorize(ctx, Action::MemberImport, Target::system(), "roster").await?;
    }
    let rows = format::read_any(bytes, MAX_ROWS).map_err(|e| {
        // Its own code, so that a client can tell "split the file" from "the file is broken".
        let code = if matches!(e, format::RosterFileError::TooLarge(_)) { "file_too_large" } else { "bad_file" };
        StoreError::invalid("file", code, e.to_string())
    })?;
    if rows.is_empty() {
        return Err(StoreError::invalid("file", "empty", "文件中没有党员数据"));
    }
    let orgs = orgs_by_code(store, ctx, &rows).await?;
    let today = time::today_cst();
    let mut errors: Vec<RowError> = Vec::new();
    let mut good: Vec<(Prepared, &Org, usize)> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let mut messages = Vec::new();
        let code = r.org_code.trim().to_ascii_uppercase();
        let o = match orgs.get(&code) {
            Some(Ok(o)) => Some(o),
            Some(Err(m)) => {
                messages.push(m.clone());
                None
            }
            None => {
                messages.push("党组织编码不能为空".to_string());
                None
            }
        };
        match r.member.validate(today) {
            Ok(v) => {
                if let Some(first) = seen.insert(v.id_number.as_str().to_string(), r.line) {
                    messages.push(format!("公民身份号码与第{first}行重复"));
                }
                if messages.is_empty() {
                    good.push((prepare(store, v, None), o.expect("checked"), r.line));
                }
            }
            Err(es) => messages.extend(es.into_iter().map(|e| e.message)),
        }
        if !messages.is_empty() {
            errors.push(RowError { line: r.line, name: r.member.name.clone(), messages });
        }
    }
    // Already on the roster: look the blind indexes up in batches.
    let mut existing = std::collections::HashSet::new();
    for chunk in good.chunks(900) {
        let stmt = Query::select()
            .column("id_bidx")
            .from("members")
            .and_where(Expr::col("id_bidx").is_in(chunk.iter().map(|(p, _, _)| p.id_bidx.clone())))
            .to_owned();
        existing.extend(query::fetch::<Bidx, _>(&store.db, &stmt).await?.into_iter().map(|b| b.id_bidx));
    }
    if !existing.is_empty() {
        let (dup, ok): (Vec<_>, Vec<_>) = good.into_iter().partition(|(p, _, _)| existing.contains(&p.id_bidx));
        good = ok;
        for (p, _, line) in dup {
            errors.push(RowError { line, name: p.valid.name.clone(), messages: vec!["该公民身份号码已登记在册，不能重复导入".into()] });
        }
    }
    errors.sort_by_key(|e| e.line);
    let total = rows.len();
    if !errors.is_empty() && mode == ImportMode::AllOrNothing {
        audit::record_alone(store, ctx, "member.import", "roster", "rejected", json!({"rows": total, "bad_rows": errors.len()})).await?;
        return Ok(ImportReport { total, imported: 0, rejected: errors.len(), committed: false, errors });
    }
    let txn = store.write().await?;
    let batch: Vec<(Prepared, Placement)> = good.into_iter().map(|(p, o, _)| (p, Placement::from(o))).collect();
    insert_many(&txn, &batch).await.map_err(|e| match e {
        StoreError::Db(d) => StoreError::from_db(d, "导入期间有人登记了相同的公民身份号码，请重新导入"),
        other => other,
    })?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "member.import", "roster", "ok", json!({"rows": total, "imported": batch.len(), "bad_rows": errors.len()})).await?;
    txn.commit().await?;
    if batch.len() >= 10_000 {
        crate::dialect::analyze(&store.db).await?;
    }
    Ok(ImportReport { total, imported: batch.len(), rejected: errors.len(), committed: true, errors })
}

/// Resolves the organisation codes of the file once each; a code outside the caller's import
/// scope reads the same as one that does not exist.
async fn orgs_by_code(store: &Store, ctx: &Ctx, rows: &[RosterRow]) -> Result<HashMap<String, std::result::Result<Org, String>>> {
    let mut codes: Vec<String> = rows.iter().map(|r| r.org_code.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut out = HashMap::with_capacity(codes.len());
    for code in codes {
        let found = org::load_by_code(&store.db, &code).await?;
        let entry = match found {
            Some(o) if ctx.actor.decide(Action::MemberImport, Target::org(&o.path)) == Decision::Allow => {
                if !o.active {
                    Err(format!("党组织“{}”已撤销", o.name))
                } else if !o.kind.holds_members() {
                    Err(format!("“{}”是{}，不直接管理党员", o.name, o.kind.label()))
                } else {
                    Ok(o)
                }
            }
            _ => Err(format!("党组织编码 {code} 不存在或不在您的管理范围内")),
        };
        out.insert(code, entry);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

#[derive(FromQueryResult)]
struct Bidx {
    id_bidx: String,
}

record! {
    /// A member as the roster file shows it, with the organisation's code and name.
    struct ExportRow from "members" as "m" {
        name: String,
        gender: Gender,
        birth_date: Date,
        id_masked: String,
        id_enc: String,
        phone_masked: Option<String>,
        phone_enc: Option<String>,
        category: Category,
        status: Status,
        joined_on: Option<Date>,
        full_on: Option<Date>,
        #[sea_orm(nested)]
        details: Details = nested,
        org_code: String = o.code,
        org_name: String = o.name,
    }
}

fn date_text(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Exports the roster of an organisation's subtree. Without the reveal permission, or unless
/// asked, ID and phone numbers are masked. Every export is audited.
pub async fn export(store: &Store, ctx: &Ctx, org_id: i64, format: ExportFormat, reveal: bool) -> Result<(Vec<u8>, String)> {
    let o = org::get(store, ctx, org_id).await?;
    store.authorize(ctx, Action::MemberExport, Target::org(&o.path), &format!("org:{org_id}")).await?;
    if reveal {
        store.authorize(ctx, Action::MemberReveal, Target::org(&o.path), &format!("org:{org_id}")).await?;
    }
    let stmt = ExportRow::select()
        .join_as(JoinType::InnerJoin, "orgs", "o", col("o", "id").equals(("m", "org_id")))
        .cond_where(query::in_subtree(col("m", "org_path"), &o.path))
        .and_where(col("m", "status").is_in(crate::member::on_roster()))
        .order_by(("m", "org_path"), Order::Asc)
        .order_by(("m", "name"), Order::Asc)
        .order_by(("m", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<ExportRow> = query::fetch(&store.db, &stmt).await?;
    let crypto = store.crypto.as_ref();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (id_number, phone) = if reveal {
            (
                crypto.decrypt_field(&r.id_enc).unwrap_or_else(|_| r.id_masked.clone()),
                r.phone_enc.as_deref().map(|p| crypto.decrypt_field(p).unwrap_or_default()).unwrap_or_default(),
            )
        } else {
            (r.id_masked.clone(), r.phone_masked.clone().unwrap_or_default())
        };
        let mut member = MemberInput {
            name: r.name,
            gender: r.gender.label().to_string(),
            id_number,
            birth_date: r.birth_date.to_string(),
            phone,
            category: r.category.label().to_string(),
            status: r.status.label().to_string(),
            joined_on: date_text(r.joined_on),
            full_on: date_text(r.full_on),
            ..MemberInput::default()
        };
        r.details.fill(&mut member);
        out.push(RosterRow { line: 0, member, org_code: r.org_code, org_name: r.org_name });
    }
    audit::record_alone(store, ctx, "member.export", &format!("org:{org_id}"), "ok", json!({"rows": out.len(), "revealed": reveal, "format": format!("{format:?}")})).await?;
    let stamp = time::today_cst().format("%Y%m%d");
    Ok(match format {
        ExportFormat::Xlsx => (
            format::write_xlsx(&out, "党员花名册").map_err(|e| StoreError::invalid("file", "export_failed", e.to_string()))?,
            format!("roster-{}-{stamp}.xlsx", o.code),
        ),
        ExportFormat::Csv => (format::write_csv(&out), format!("roster-{}-{stamp}.csv", o.code)),
    })
}
