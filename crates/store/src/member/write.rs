//! Writing members: one list of (column, value) pairs per roster entry, which the insert of one
//! member, the bulk insert of imports and generated data, and the update all write.

use dangjian_domain::member::{parse_member_no, Details, EventKind, MemberChange, MemberInput, Status, ValidMember};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::text::{parse_text, NOTE_MAX};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ConnectionTrait, Value};

use super::{load, target, Member};
use crate::org::{self, Org};
use crate::query::{self, col};
use crate::{audit, Ctx, Result, Store, StoreError};

/// A member ready to be written: validated, with the numbers encrypted and blind-indexed.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub member_no: Option<String>,
    pub valid: ValidMember,
    pub id_enc: String,
    pub id_bidx: String,
    pub phone_enc: Option<String>,
    pub phone_bidx: Option<String>,
}

pub fn prepare(store: &Store, v: ValidMember, member_no: Option<String>) -> Prepared {
    let c = store.crypto.as_ref();
    Prepared {
        member_no,
        id_enc: c.encrypt_field(v.id_number.as_str()),
        id_bidx: c.blind_index("id_number", v.id_number.as_str()),
        phone_enc: v.phone.as_ref().map(|p| c.encrypt_field(p.as_str())),
        phone_bidx: v.phone.as_ref().map(|p| c.blind_index("phone", p.as_str())),
        valid: v,
    }
}

impl Prepared {
    /// The roster entry's columns and values: the one list every write of a member uses.
    fn entry(&self) -> Vec<(&'static str, Value)> {
        let v = &self.valid;
        let mut pairs: Vec<(&'static str, Value)> = vec![
            ("member_no", self.member_no.clone().into()),
            ("name", v.name.clone().into()),
            ("gender", v.gender.into()),
            ("birth_date", v.birth_date.into()),
            ("id_enc", self.id_enc.clone().into()),
            ("id_bidx", self.id_bidx.clone().into()),
            ("id_masked", v.id_number.masked().into()),
            ("phone_enc", self.phone_enc.clone().into()),
            ("phone_bidx", self.phone_bidx.clone().into()),
            ("phone_masked", v.phone.as_ref().map(|p| p.masked()).into()),
            ("category", v.category.into()),
            ("status", v.status.into()),
            ("joined_on", v.joined_on.into()),
            ("full_on", v.full_on.into()),
        ];
        pairs.extend(Details::FIELDS.iter().map(|f| (f.code, f.value(&v.details).to_string().into())));
        pairs
    }

    fn insert_row(&self, at: &Placement, now: i64) -> Vec<(&'static str, Value)> {
        let mut pairs: Vec<(&'static str, Value)> = vec![("tenant_id", at.tenant_id.into()), ("org_id", at.org_id.into()), ("org_path", at.org_path.to_string().into())];
        pairs.extend(self.entry());
        pairs.extend([("created_at", now.into()), ("updated_at", now.into())]);
        pairs
    }
}

/// Where a member is placed: the organisation, its path and its tenant.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub tenant_id: i64,
    pub org_id: i64,
    pub org_path: &'a str,
}

impl<'a> From<&'a Org> for Placement<'a> {
    fn from(o: &'a Org) -> Self {
        Placement { tenant_id: o.tenant_id.unwrap_or(o.id), org_id: o.id, org_path: &o.path }
    }
}

/// Writes many members with multi-row INSERTs (imports and generated data) and refreshes the
/// counts of the organisations they joined. The caller owns the transaction.
pub async fn insert_many<C: ConnectionTrait>(c: &C, rows: &[(Prepared, Placement<'_>)]) -> Result<()> {
    let now = time::now_unix();
    let Some((first, at)) = rows.first() else { return Ok(()) };
    let per_stmt = crate::dialect::rows_per_statement(c.get_database_backend(), first.insert_row(at, now).len());
    for chunk in rows.chunks(per_stmt) {
        if let Some(stmt) = query::insert_rows("members", chunk.iter().map(|(p, at)| p.insert_row(at, now))) {
            query::execute(c, &stmt).await?;
        }
    }
    let mut orgs: Vec<i64> = rows.iter().map(|(_, at)| at.org_id).collect();
    orgs.dedup();
    org::recount(c, &orgs).await
}

/// The organisation may hold members and the caller may write there.
async fn member_org(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Org> {
    let o = org::load(&store.db, org_id).await.map_err(|_| StoreError::invalid("org_id", "no_org", "所在党组织不存在"))?;
    store.authorize(ctx, Action::MemberWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    if !o.active {
        return Err(StoreError::invalid("org_id", "org_dissolved", format!("“{}”已撤销，不能接收党员", o.name)));
    }
    if !o.kind.holds_members() {
        return Err(StoreError::invalid("org_id", "org_holds_no_members", format!("{}{}", o.kind.label(), o.kind.holds_no_members_reason())));
    }
    Ok(o)
}

fn member_no(s: &str) -> Result<Option<String>> {
    if s.trim().is_empty() { Ok(None) } else { Ok(Some(parse_member_no(s)?)) }
}

const DUPLICATE_ID: &str = "该公民身份号码已登记在册，不能重复建档";

/// Files a new member in `org_id`; an empty `member_no` leaves the member without one.
pub async fn create(store: &Store, ctx: &Ctx, org_id: i64, member_no_text: &str, input: &MemberInput) -> Result<Member> {
    let o = member_org(store, ctx, org_id).await?;
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    let p = prepare(store, v, member_no(member_no_text)?);
    let txn = store.write().await?;
    let row = query::insert("members", p.insert_row(&Placement::from(&o), time::now_unix()));
    let m_tenant = Placement::from(&o).tenant_id;
    let id = query::insert_id(&txn, row)
        .await
        .map_err(|e| StoreError::from_db(e, if p.member_no.is_some() { "公民身份号码或党员编号已存在，不能重复建档" } else { DUPLICATE_ID }))?;
    add_event(&txn, m_tenant, id, EventKind::Create, Date(time::today_cst()), Some(o.id), "建立党员档案").await?;
    org::recount(&txn, &[o.id]).await?;
    let m = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "member.create", &format!("member:{id}"), "ok", Member::audit_detail(None, &m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// A change of a member: the roster fields it states, and `org_id` different from the current
/// one transfers the member.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub org_id: Option<i64>,
    /// `Some("")` removes the member number; `None` keeps it.
    pub member_no: Option<String>,
    pub fields: MemberChange,
    /// Why the organisation or status changed, for the member's history.
    pub reason: String,
}

pub async fn update(store: &Store, ctx: &Ctx, id: i64, change: &Change) -> Result<Member> {
    let before = load(&store.db, id).await?;
    store.authorize(ctx, Action::MemberRead, target(ctx, &before), &format!("member:{id}")).await?;
    store.authorize(ctx, Action::MemberWrite, target(ctx, &before), &format!("member:{id}")).await?;
    let new_org = match change.org_id {
        Some(oid) if oid != before.org_id => Some(member_org(store, ctx, oid).await?),
        _ => None,
    };
    let crypto = store.crypto.as_ref();
    let current_id = crypto.decrypt_field(&before.id_enc).map_err(|e| StoreError::invalid("id_number", "undecryptable", e.to_string()))?;
    let current_phone = match &before.phone_enc {
        Some(p) => crypto.decrypt_field(p).map_err(|e| StoreError::invalid("phone", "undecryptable", e.to_string()))?,
        None => String::new(),
    };
    let mut input = before.as_input(current_id.clone(), current_phone.clone());
    change.fields.apply(&mut input);
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    let reason = parse_text("reason", "变更原因", &change.reason, NOTE_MAX)?;
    let no = match &change.member_no {
        Some(s) => member_no(s)?,
        None => before.member_no.clone(),
    };
    let id_same = v.id_number.as_str() == current_id;
    let phone_same = v.phone.as_ref().map_or("", |x| x.as_str()) == current_phone;
    let mut p = prepare(store, v, no);
    // Re-encrypting unchanged values would churn ciphertexts for nothing.
    if id_same {
        p.id_enc.clone_from(&before.id_enc);
    }
    if phone_same {
        p.phone_enc.clone_from(&before.phone_enc);
    }
    let (org_after, path_after) = new_org.as_ref().map_or((before.org_id, before.org_path.as_str()), |o| (o.id, o.path.as_str()));
    let mut pairs: Vec<(&'static str, Value)> = vec![("org_id", org_after.into()), ("org_path", path_after.to_string().into())];
    pairs.extend(p.entry());
    pairs.push(("updated_at", time::now_unix().into()));
    // A 党小组 is a group of its branch's members: leaving the branch, or the roster, leaves it.
    if new_org.is_some() || !p.valid.status.is_member() {
        pairs.push(("group_id", Value::BigInt(None)));
    }
    let stmt = query::update("members", pairs).and_where(col("members", "id").eq(id)).to_owned();
    let txn = store.write().await?;
    query::execute(&txn, &stmt).await.map_err(|e| StoreError::from_db(e, "公民身份号码或党员编号与其他党员重复"))?;
    let today = Date(time::today_cst());
    if let Some(o) = &new_org {
        add_event(&txn, before.tenant_id, id, EventKind::Transfer, today, Some(o.id), &format!("组织关系由“{}”转至“{}”{}", before.org_name, o.name, note_suffix(&reason))).await?;
    }
    let status: Status = p.valid.status;
    if status != before.status {
        add_event(&txn, before.tenant_id, id, EventKind::Status, today, None, &format!("状态由{}变更为{}{}", before.status.label(), status.label(), note_suffix(&reason))).await?;
    }
    org::recount(&txn, &[before.org_id, org_after]).await?;
    let after = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "member.update", &format!("member:{id}"), "ok", Member::audit_detail(Some(&before), &after)).await?;
    txn.commit().await?;
    Ok(after)
}

fn note_suffix(reason: &str) -> String {
    if reason.trim().is_empty() { String::new() } else { format!("（{}）", reason.trim()) }
}

/// The columns of a history entry, for one entry here and for the demo's many.
pub(crate) fn event_row(tenant_id: i64, member_id: i64, kind: EventKind, on: Date, org_id: Option<i64>, note: &str, at: i64) -> Vec<(&'static str, Value)> {
    vec![("tenant_id", tenant_id.into()), ("member_id", member_id.into()), ("kind", kind.into()), ("on_date", on.into()), ("org_id", org_id.into()), ("note", note.to_string().into()), ("at", at.into())]
}

pub(crate) async fn add_event<C: ConnectionTrait>(c: &C, tenant_id: i64, member_id: i64, kind: EventKind, on: Date, org_id: Option<i64>, note: &str) -> Result<()> {
    query::execute(c, &query::insert("member_events", event_row(tenant_id, member_id, kind, on, org_id, note, time::now_unix()))).await?;
    Ok(())
}
