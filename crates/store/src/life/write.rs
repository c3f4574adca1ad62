//! Recording, correcting and deleting meeting records, with every earlier version kept.

use std::collections::HashMap;

use chrono::NaiveDate;

use dangjian_domain::life::meeting::format_starts_at;
use dangjian_domain::life::{AttendanceStatus, MeetingInput, MeetingKind, MeetingNotes, Tally, ValidAttendance, ValidMeeting};
use dangjian_domain::life::vote::{check_motions, Motion};
use dangjian_domain::member::Status;
use dangjian_domain::period::Period;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use dangjian_domain::Invalid;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order};
use sea_orm::{ConnectionTrait, Value};
use serde_json::json;

use super::attendance_counts;
use super::counts::{self, kind_row};
use super::local_kind::{self, LocalKind};
use super::participation;
use super::meeting::{authorized, eligible, load, object, row, tenant_of, KindOf, Meeting, MeetingRow};
use crate::org::{self, Node};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    struct VersionRow from "meeting_versions" as "v" {
        version: i64,
        author_id: i64,
        author: Option<String> = u.username,
        at: i64,
        record: String,
    }
}

/// A kept earlier state of a record: its version number, who wrote it (account; 0 for the
/// operator at the command line) and when.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i64,
    pub author_id: i64,
    pub author: Option<String>,
    pub at: i64,
    /// The record as it was: kinds, details, guests and attendance.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

impl Version {
    pub fn at_text(&self) -> String {
        time::format_unix_cst(self.at)
    }
    pub fn author_text(&self) -> String {
        self.author.clone().unwrap_or_else(|| "系统".into())
    }
}

/// The organisation's facts against the record: active, allowed to hold each kind, and every
/// listed member on its roster. Returns the attendance to write (the roster, all present, when
/// none was listed) and the motions with their results, computed from who of those with a vote
/// (正式党员) attended. Every problem is reported at once.
async fn check_against_org<C: ConnectionTrait>(c: &C, o: &Node, v: &ValidMeeting) -> Result<(Vec<ValidAttendance>, Vec<Motion>)> {
    let mut errors: Vec<Invalid> = Vec::new();
    if !o.active {
        errors.push(Invalid::new("org_id", "org_inactive", format!("“{}”已撤销，不能再登记组织生活", o.name)));
    }
    errors.extend(v.kinds.iter().filter(|k| !k.held_by(o.kind)).map(|k| not_held(o, *k)));
    let (allowed, default) = eligible(c, o).await?;
    let status: HashMap<i64, Status> = allowed.iter().map(|m| (m.id, m.status)).collect();
    for a in v.attendance.iter().filter(|a| !status.contains_key(&a.member_id)) {
        errors.push(Invalid::new("attendance", "not_in_org", format!("党员（编号{}）不在“{}”的党员名册中，不能登记其出席情况", a.member_id, o.name)));
    }
    let att: Vec<ValidAttendance> = if MeetingKind::lists_participants_only(&v.kinds) {
        let talked: Vec<ValidAttendance> = v.attendance.iter().filter(|a| a.status == AttendanceStatus::Present).cloned().collect();
        if talked.len() < 2 && errors.is_empty() {
            errors.push(Invalid::new("attendance", "talk_participants", "谈心谈话应登记至少两名谈话人（在出席情况中标为“出席”的同志）"));
        }
        talked
    } else if v.attendance.is_empty() {
        default.iter().map(|m| ValidAttendance { member_id: m.id, status: AttendanceStatus::Present, reason: String::new() }).collect()
    } else {
        v.attendance.clone()
    };
    let voting = att.iter().filter(|a| status.get(&a.member_id) == Some(&Status::Full));
    let with_vote = voting.clone().count() as u32;
    let present = voting.filter(|a| a.status == AttendanceStatus::Present).count() as u32;
    let motions = match check_motions(&v.motions, with_vote, present) {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok((att, motions))
}

fn not_held(o: &Node, k: MeetingKind) -> Invalid {
    Invalid::new("kinds", "kind_not_held", format!("{}不召开{}（见各类组织生活的召开主体）", o.kind.label(), k.label()))
}

/// A record that passed every check, with what the store adds to it.
struct Checked {
    v: ValidMeeting,
    att: Vec<ValidAttendance>,
    motions: Vec<Motion>,
    local: Vec<LocalKind>,
}

/// The input's own problems and the organisation's, together. `on_record`: the added kinds the
/// record already counts as (a correction may keep a kind retired since).
async fn validate(store: &Store, o: &Node, input: &MeetingInput, on_record: &[i64]) -> Result<Checked> {
    let mut errors = Vec::new();
    let given: Vec<String> = input.local_kinds.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
    let local = local_kind::resolve(&store.db, o, &given, on_record, &mut errors).await?;
    match input.validate(time::now_unix()) {
        Ok(v) => match check_against_org(&store.db, o, &v).await {
            Ok((att, motions)) if errors.is_empty() => Ok(Checked { v, att, motions, local }),
            Ok(_) => Err(StoreError::Invalid(errors)),
            Err(StoreError::Invalid(mut found)) => {
                found.extend(errors);
                Err(StoreError::Invalid(found))
            }
            Err(e) => Err(e),
        },
        Err(mut found) => {
            // The kinds that did parse are still checked against the organisation.
            found.extend(input.kinds.iter().filter_map(|k| MeetingKind::parse(k)).filter(|k| !k.held_by(o.kind)).map(|k| not_held(o, k)));
            found.extend(errors);
            Err(StoreError::Invalid(found))
        }
    }
}

fn fields(v: &ValidMeeting, motions: &[Motion]) -> Vec<(&'static str, Value)> {
    let mut pairs = vec![
        ("starts_at", v.starts_at.into()),
        ("motions", serde_json::to_string(motions).unwrap_or_else(|_| "[]".into()).into()),
        ("makes_up", v.makes_up.map(|p| p.to_string()).into()),
        ("guests", serde_json::to_string(&v.guests).unwrap_or_else(|_| "[]".into()).into()),
    ];
    pairs.extend(MeetingNotes::FIELDS.iter().map(|f| (f.code, (f.get)(&v.notes).clone().into())));
    pairs
}

async fn write_kinds_and_attendance<C: ConnectionTrait>(c: &C, id: i64, o: &Node, v: &ValidMeeting, att: &[ValidAttendance]) -> Result<()> {
    let tenant = tenant_of(o);
    let kinds = v.kinds.iter().map(|k| kind_row(id, tenant, o, *k, v.starts_at, v.makes_up)).collect();
    query::insert_chunked(c, "meeting_kinds", kinds).await?;
    let rows = att
        .iter()
        .map(|a| vec![("meeting_id", id.into()), ("tenant_id", tenant.into()), ("member_id", a.member_id.into()), ("status", a.status.into()), ("reason", a.reason.clone().into())])
        .collect();
    Ok(query::insert_chunked(c, "meeting_attendance", rows).await?)
}

fn audit_detail(o: &Node, c: &Checked) -> serde_json::Value {
    let t = Tally::of(c.att.iter().map(|a| a.status));
    let local: Vec<&str> = c.local.iter().map(|k| k.code.as_str()).collect();
    json!({"org_id": o.id, "kinds": c.v.kinds, "local_kinds": local, "starts_at": c.v.starts_at, "present": t.present, "leave": t.leave, "absent": t.absent})
}

/// Records a meeting: the record, its kinds, its attendance and the audit row in one transaction.
pub async fn create(store: &Store, ctx: &Ctx, input: &MeetingInput) -> Result<Meeting> {
    let o = org::node(store, input.org_id).await?;
    store.authorize(ctx, Action::LifeWrite, Target::org(&o.path), &format!("org:{}", o.id)).await?;
    let checked = validate(store, &o, input, &[]).await?;
    let Checked { v, att, motions, local } = &checked;
    let now = time::now_unix();
    let mut pairs = vec![
        ("tenant_id", tenant_of(&o).into()),
        ("org_id", o.id.into()),
        ("org_path", o.path.clone().into()),
        ("version", 1i64.into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
        ("updated_by", ctx.actor.account_id.into()),
        ("updated_at", now.into()),
    ];
    pairs.extend(fields(v, motions));
    let txn = store.write().await?;
    counts::lock(&txn, o.id).await?;
    let id = query::insert_id(&txn, query::insert("meetings", pairs)).await?;
    write_kinds_and_attendance(&txn, id, &o, v, att).await?;
    local_kind::write(&txn, id, &o, v.starts_at, local).await?;
    counts::refresh(&txn, &o, &v.kinds, &[counts::counts_on(v.starts_at, v.makes_up)]).await?;
    attendance_counts::refresh(&txn, &o, &[time::cst_date(v.starts_at)]).await?;
    participation::record(&txn, tenant_of(&o), v.starts_at, att).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "meeting.create", &object(id), "ok", audit_detail(&o, &checked)).await?;
    txn.commit().await?;
    load(store, &o, id).await
}

/// The kept earlier versions, newest first: for those who may record (they hold everyone's
/// attendance).
pub async fn versions(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<Version>> {
    authorized(store, ctx, id, Action::LifeWrite).await?;
    versions_of(&store.db, id).await
}

async fn versions_of<C: ConnectionTrait>(c: &C, id: i64) -> Result<Vec<Version>> {
    let stmt = VersionRow::select()
        .join_as(JoinType::LeftJoin, Alias::new("accounts"), Alias::new("u"), col("u", "id").equals((Alias::new("v"), Alias::new("author_id"))))
        .and_where(col("v", "meeting_id").eq(id))
        .order_by((Alias::new("v"), Alias::new("version")), Order::Desc)
        .to_owned();
    let rows: Vec<VersionRow> = query::fetch(c, &stmt).await?;
    Ok(rows
        .into_iter()
        .map(|r| Version { version: r.version, author_id: r.author_id, author: r.author, at: r.at, record: serde_json::from_str(&r.record).unwrap_or_default() })
        .collect())
}

/// The record as it stands, kept whole when a correction or a deletion replaces it.
async fn snapshot<C: ConnectionTrait>(c: &C, r: &MeetingRow) -> Result<serde_json::Value> {
    let kinds: Vec<KindOf> = query::fetch(c, &KindOf::select().and_where(col("k", "meeting_id").eq(r.id)).to_owned()).await?;
    record! {
        struct Att from "meeting_attendance" as "a" { member_id: i64, status: AttendanceStatus, reason: String }
    }
    let att: Vec<Att> = query::fetch(c, &Att::select().and_where(col("a", "meeting_id").eq(r.id)).order_by((Alias::new("a"), Alias::new("member_id")), Order::Asc).to_owned()).await?;
    let mut record = serde_json::to_value(&r.notes).unwrap_or_else(|_| json!({}));
    record["kinds"] = json!(kinds.iter().map(|k| k.kind).collect::<Vec<_>>());
    record["local_kinds"] = json!(local_kind::of_meetings(c, &[r.id]).await?.remove(&r.id).unwrap_or_default().into_iter().map(|k| k.code).collect::<Vec<_>>());
    record["starts_at"] = json!(format_starts_at(r.starts_at));
    record["makes_up"] = json!(r.makes_up);
    record["guests"] = serde_json::from_str(&r.guests).unwrap_or(json!([]));
    record["motions"] = serde_json::from_str(&r.motions).unwrap_or(json!([]));
    record["attendance"] = json!(att.iter().map(|a| json!({"member_id": a.member_id, "status": a.status, "reason": a.reason})).collect::<Vec<_>>());
    Ok(record)
}

async fn keep_version<C: ConnectionTrait>(c: &C, r: &MeetingRow) -> Result<()> {
    let record = snapshot(c, r).await?;
    let row = query::insert("meeting_versions", vec![
        ("meeting_id", r.id.into()),
        ("tenant_id", r.tenant_id.into()),
        ("version", r.version.into()),
        ("author_id", r.updated_by.into()),
        ("at", r.updated_at.into()),
        ("record", record.to_string().into()),
    ]);
    query::execute(c, &row).await?;
    Ok(())
}

/// Takes a record's kinds out of the counts' source, returning them and the day the record
/// counted on, for the counts to be rebuilt.
async fn take_kinds<C: ConnectionTrait>(c: &C, r: &MeetingRow) -> Result<(Vec<MeetingKind>, NaiveDate)> {
    let kinds: Vec<KindOf> = query::fetch(c, &KindOf::select().and_where(col("k", "meeting_id").eq(r.id)).to_owned()).await?;
    query::execute(c, &query::delete("meeting_kinds").and_where(Expr::col(Alias::new("meeting_id")).eq(r.id)).to_owned()).await?;
    let makes_up = r.makes_up.as_deref().and_then(|p| Period::parse(p).ok());
    Ok((kinds.into_iter().map(|k| k.kind).collect(), counts::counts_on(r.starts_at, makes_up)))
}

/// Who a record lists.
async fn attendees<C: ConnectionTrait>(c: &C, id: i64) -> Result<Vec<i64>> {
    record! {
        struct Listed from "meeting_attendance" as "a" { member_id: i64 }
    }
    Ok(query::fetch::<Listed, _>(c, &Listed::select().and_where(col("a", "meeting_id").eq(id)).to_owned()).await?.into_iter().map(|r| r.member_id).collect())
}

/// 更正 — replaces the record with `input`, keeping the one it replaces (with its author and
/// time) as a version. `expected_version` is the version the corrector saw: a record changed
/// since is refused rather than overwritten.
pub async fn correct(store: &Store, ctx: &Ctx, id: i64, expected_version: i64, input: &MeetingInput) -> Result<Meeting> {
    let (r, o) = authorized(store, ctx, id, Action::LifeWrite).await?;
    if input.org_id != 0 && input.org_id != r.org_id {
        return Err(StoreError::invalid("org_id", "org_fixed", "会议记录的所属组织不能更改：请删除后在正确的组织下重新登记"));
    }
    let checked = validate(store, &o, input, &local_kind::ids_on(&store.db, id).await?).await?;
    let Checked { v, att, motions, local } = &checked;
    let now = time::now_unix();
    let txn = store.write().await?;
    counts::lock(&txn, o.id).await?;
    // Read again inside the transaction: the version kept is the one being replaced.
    let current = row(&txn, id).await?;
    if current.version != expected_version {
        return Err(StoreError::conflict("stale_version", format!("该记录已被他人更正（当前为第{}版，您修改的是第{expected_version}版），请刷新后重新更正", current.version)));
    }
    keep_version(&txn, &current).await?;
    let mut pairs = fields(v, motions);
    pairs.extend([("version", (current.version + 1).into()), ("updated_by", ctx.actor.account_id.into()), ("updated_at", now.into())]);
    let upd = query::update("meetings", pairs).and_where(Expr::col(Alias::new("id")).eq(id)).and_where(Expr::col(Alias::new("version")).eq(current.version)).to_owned();
    if query::execute(&txn, &upd).await? != 1 {
        return Err(StoreError::conflict("stale_version", "该记录已被他人更正，请刷新后重新更正"));
    }
    let (old_kinds, old_day) = take_kinds(&txn, &current).await?;
    let mut listed = attendees(&txn, id).await?;
    listed.extend(att.iter().map(|a| a.member_id));
    query::execute(&txn, &query::delete("meeting_attendance").and_where(Expr::col(Alias::new("meeting_id")).eq(id)).to_owned()).await?;
    write_kinds_and_attendance(&txn, id, &o, v, att).await?;
    local_kind::take(&txn, id).await?;
    local_kind::write(&txn, id, &o, v.starts_at, local).await?;
    let mut kinds = old_kinds;
    kinds.extend(v.kinds.iter().copied());
    kinds.sort();
    kinds.dedup();
    counts::refresh(&txn, &o, &kinds, &[old_day, counts::counts_on(v.starts_at, v.makes_up)]).await?;
    attendance_counts::refresh(&txn, &o, &[time::cst_date(current.starts_at), time::cst_date(v.starts_at)]).await?;
    listed.sort_unstable();
    listed.dedup();
    participation::recompute(&txn, &listed).await?;
    let mut detail = audit_detail(&o, &checked);
    detail["version"] = json!(current.version + 1);
    audit::record(&txn, store.crypto.as_ref(), ctx, "meeting.correct", &object(id), "ok", detail).await?;
    txn.commit().await?;
    load(store, &o, id).await
}

/// 删除 — takes the record out of every list and count, with a reason; the record as it was is
/// kept as a version, and its attendance stays as evidence.
pub async fn delete(store: &Store, ctx: &Ctx, id: i64, reason: &str) -> Result<()> {
    let (_, o) = authorized(store, ctx, id, Action::LifeWrite).await?;
    let reason = dangjian_domain::text::parse_name("reason", "删除原因", reason, 200)?;
    let now = time::now_unix();
    let txn = store.write().await?;
    counts::lock(&txn, o.id).await?;
    let current = row(&txn, id).await?;
    keep_version(&txn, &current).await?;
    let upd = query::update("meetings", vec![
        ("deleted_at", now.into()),
        ("delete_reason", reason.clone().into()),
        ("version", (current.version + 1).into()),
        ("updated_by", ctx.actor.account_id.into()),
        ("updated_at", now.into()),
    ])
    .and_where(Expr::col(Alias::new("id")).eq(id))
    .to_owned();
    query::execute(&txn, &upd).await?;
    let (kinds, day) = take_kinds(&txn, &current).await?;
    local_kind::take(&txn, id).await?;
    counts::refresh(&txn, &o, &kinds, &[day]).await?;
    attendance_counts::refresh(&txn, &o, &[time::cst_date(current.starts_at)]).await?;
    participation::recompute(&txn, &attendees(&txn, id).await?).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "meeting.delete", &object(id), "ok", json!({"org_id": o.id, "version": current.version, "reason": reason})).await?;
    txn.commit().await?;
    Ok(())
}

