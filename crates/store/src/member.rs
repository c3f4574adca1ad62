//! 党员 — members: create, edit, transfer between organisations, search, list, reveal.
//! ID and phone numbers are stored encrypted with a keyed blind index (SECURITY.md "At rest");
//! lists and logs only ever see the masked forms.

use dangjian_domain::member::{MemberInput, Status, ValidMember};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::{idcard, time};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;

use crate::dialect::{all, exec, insert_id, name_filter, one, scalar_i64};
use crate::org::{self, Org};
use crate::query::{self, SortKey};
use crate::{audit, page_bounds, Ctx, Page, Result, Store, StoreError};
use sea_orm::sea_query::{Alias, Cond, Expr, JoinType, Query, SimpleExpr};

const LIST_COLUMNS: &str = "m.id, m.org_id, o.name AS org_name, m.member_no, m.name, m.gender, m.birth_date, m.id_masked, m.phone_masked, \
    m.education, m.work_unit, m.position, m.category, m.status, m.joined_on, m.full_on";

/// A member as lists show it: personal numbers masked.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct MemberRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub member_no: Option<String>,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub id_masked: String,
    pub phone_masked: Option<String>,
    pub education: String,
    pub work_unit: String,
    pub position: String,
    pub category: String,
    pub status: String,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
}

impl MemberRow {
    pub fn status_label(&self) -> &'static str {
        Status::parse(&self.status).map(Status::label).unwrap_or("")
    }
    pub fn category_label(&self) -> &'static str {
        dangjian_domain::member::Category::parse(&self.category).map(|c| c.label()).unwrap_or("")
    }
    pub fn gender_label(&self) -> &'static str {
        idcard::Gender::from_code(&self.gender).map(|g| g.label()).unwrap_or("")
    }
}

/// A member's full record (still masked) with the organisation path used for scope checks.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub tenant_id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub member_no: Option<String>,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_masked: String,
    pub phone_masked: Option<String>,
    pub education: String,
    pub work_unit: String,
    pub position: String,
    pub category: String,
    pub status: String,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(skip)]
    pub id_enc: String,
    #[serde(skip)]
    pub phone_enc: Option<String>,
}

impl Member {
    pub fn as_row(&self) -> MemberRow {
        MemberRow {
            id: self.id,
            org_id: self.org_id,
            org_name: self.org_name.clone(),
            member_no: self.member_no.clone(),
            name: self.name.clone(),
            gender: self.gender.clone(),
            birth_date: self.birth_date.clone(),
            id_masked: self.id_masked.clone(),
            phone_masked: self.phone_masked.clone(),
            education: self.education.clone(),
            work_unit: self.work_unit.clone(),
            position: self.position.clone(),
            category: self.category.clone(),
            status: self.status.clone(),
            joined_on: self.joined_on.clone(),
            full_on: self.full_on.clone(),
        }
    }
}

impl Member {
    /// What the audit log keeps of a change: the organisation, status and category (what the
    /// audit administrator needs to see who moved whom where), and only the names of the personal
    /// fields that changed, never their values (SECURITY.md "Access": the 三员 read no personal
    /// data, and the log is theirs).
    fn audit_detail(before: Option<&Member>, after: &Member) -> serde_json::Value {
        type Field = (&'static str, fn(&Member) -> Option<&str>);
        let personal: [Field; 12] = [
            ("name", |m| Some(&m.name)),
            ("gender", |m| Some(&m.gender)),
            ("ethnicity", |m| Some(&m.ethnicity)),
            ("birth_date", |m| Some(&m.birth_date)),
            ("id_number", |m| Some(&m.id_enc)),
            ("phone", |m| m.phone_enc.as_deref()),
            ("education", |m| Some(&m.education)),
            ("work_unit", |m| Some(&m.work_unit)),
            ("position", |m| Some(&m.position)),
            ("member_no", |m| m.member_no.as_deref()),
            ("joined_on", |m| m.joined_on.as_deref()),
            ("full_on", |m| m.full_on.as_deref()),
        ];
        let facts = |m: &Member| json!({"org_id": m.org_id, "status": m.status, "category": m.category});
        match before {
            None => json!({"after": facts(after), "fields": personal.iter().filter(|(_, f)| f(after).is_some_and(|v| !v.is_empty())).map(|(n, _)| *n).collect::<Vec<_>>()}),
            Some(b) => {
                let changed: Vec<&str> = personal
                    .iter()
                    .filter(|(_, f)| f(b) != f(after))
                    .map(|(n, _)| *n)
                    .collect();
                json!({"before": facts(b), "after": facts(after), "changed": changed})
            }
        }
    }
}

const DETAIL_COLUMNS: &str = "m.id, m.tenant_id, m.org_id, o.name AS org_name, m.org_path, m.member_no, m.name, m.gender, m.ethnicity, m.birth_date, \
    m.id_masked, m.phone_masked, m.education, m.work_unit, m.position, m.category, m.status, m.joined_on, m.full_on, m.created_at, m.updated_at, m.id_enc, m.phone_enc";

pub(crate) async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Member> {
    one::<Member, _>(c, &format!("SELECT {DETAIL_COLUMNS} FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = $1"), vec![id.into()])
        .await?
        .ok_or(StoreError::NotFound)
}

fn target<'a>(ctx: &Ctx, m: &'a Member) -> Target<'a> {
    Target::member(&m.org_path, ctx.actor.member_id == Some(m.id))
}

pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Member> {
    let m = load(&store.db, id).await?;
    store.authorize(ctx, Action::MemberRead, target(ctx, &m), &format!("member:{id}")).await?;
    Ok(m)
}

/// A member ready to be written: validated, encrypted, masked.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub member_no: Option<String>,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_enc: String,
    pub id_bidx: String,
    pub id_masked: String,
    pub phone_enc: Option<String>,
    pub phone_bidx: Option<String>,
    pub phone_masked: Option<String>,
    pub education: String,
    pub work_unit: String,
    pub position: String,
    pub category: String,
    pub status: String,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
}

pub fn prepare(store: &Store, v: &ValidMember, member_no: Option<String>) -> Prepared {
    let c = store.crypto.as_ref();
    Prepared {
        member_no,
        name: v.name.clone(),
        gender: v.gender.code().to_string(),
        ethnicity: v.ethnicity.clone(),
        birth_date: time::format_date(v.birth_date),
        id_enc: c.encrypt_field(v.id_number.as_str()),
        id_bidx: c.blind_index("id_number", v.id_number.as_str()),
        id_masked: v.id_number.masked(),
        phone_enc: v.phone.as_ref().map(|p| c.encrypt_field(p.as_str())),
        phone_bidx: v.phone.as_ref().map(|p| c.blind_index("phone", p.as_str())),
        phone_masked: v.phone.as_ref().map(|p| p.masked()),
        education: v.education.clone(),
        work_unit: v.work_unit.clone(),
        position: v.position.clone(),
        category: v.category.code().to_string(),
        status: v.status.code().to_string(),
        joined_on: v.joined_on.map(time::format_date),
        full_on: v.full_on.map(time::format_date),
    }
}

const INSERT_COLUMNS: &str = "tenant_id, org_id, org_path, member_no, name, gender, ethnicity, birth_date, id_enc, id_bidx, id_masked, \
    phone_enc, phone_bidx, phone_masked, education, work_unit, position, category, status, joined_on, full_on, created_at, updated_at";
const INSERT_WIDTH: usize = 23;

fn insert_values(p: &Prepared, o: &Org, now: i64) -> [Value; INSERT_WIDTH] {
    [
        o.tenant_id.unwrap_or(o.id).into(),
        o.id.into(),
        o.path.clone().into(),
        p.member_no.clone().into(),
        p.name.clone().into(),
        p.gender.clone().into(),
        p.ethnicity.clone().into(),
        p.birth_date.clone().into(),
        p.id_enc.clone().into(),
        p.id_bidx.clone().into(),
        p.id_masked.clone().into(),
        p.phone_enc.clone().into(),
        p.phone_bidx.clone().into(),
        p.phone_masked.clone().into(),
        p.education.clone().into(),
        p.work_unit.clone().into(),
        p.position.clone().into(),
        p.category.clone().into(),
        p.status.clone().into(),
        p.joined_on.clone().into(),
        p.full_on.clone().into(),
        now.into(),
        now.into(),
    ]
}

/// Writes many members with multi-row INSERTs (imports and generated data) and refreshes the
/// counts of the organisations they joined. The caller owns the transaction.
pub async fn insert_many<C: ConnectionTrait>(c: &C, rows: &[(Prepared, &Org)]) -> Result<()> {
    let per_stmt = crate::dialect::rows_per_statement(c.get_database_backend(), INSERT_WIDTH);
    let now = time::now_unix();
    let mut orgs: Vec<i64> = Vec::new();
    for chunk in rows.chunks(per_stmt) {
        let mut sql = String::with_capacity(64 + chunk.len() * INSERT_WIDTH * 6);
        sql.push_str("INSERT INTO members (");
        sql.push_str(INSERT_COLUMNS);
        sql.push_str(") VALUES ");
        let mut values = Vec::with_capacity(chunk.len() * INSERT_WIDTH);
        for (i, (p, o)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            crate::dialect::push_row_placeholders(&mut sql, c.get_database_backend(), i * INSERT_WIDTH + 1, INSERT_WIDTH);
            values.extend(insert_values(p, o, now));
            orgs.push(o.id);
        }
        exec(c, &sql, values).await?;
    }
    org::recount(c, &orgs).await
}

/// Body of a new member: the roster fields, the organisation and an optional member number.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberCreate {
    pub org_id: i64,
    pub member_no: String,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub id_number: String,
    pub birth_date: String,
    pub education: String,
    pub phone: String,
    pub work_unit: String,
    pub position: String,
    pub category: String,
    pub status: String,
    pub joined_on: String,
    pub full_on: String,
}

impl MemberCreate {
    fn input(&self) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            id_number: self.id_number.clone(),
            birth_date: self.birth_date.clone(),
            education: self.education.clone(),
            phone: self.phone.clone(),
            work_unit: self.work_unit.clone(),
            position: self.position.clone(),
            category: self.category.clone(),
            status: self.status.clone(),
            joined_on: self.joined_on.clone(),
            full_on: self.full_on.clone(),
        }
    }
}

/// The organisation may hold members and the caller may write there.
async fn member_org(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Org> {
    let o = org::load(&store.db, org_id).await.map_err(|_| StoreError::invalid("org_id", "no_org", "所在党组织不存在"))?;
    store.authorize(ctx, Action::MemberWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    if !o.active {
        return Err(StoreError::invalid("org_id", "org_dissolved", format!("“{}”已撤销，不能接收党员", o.name)));
    }
    if !o.kind.holds_members() {
        return Err(StoreError::invalid("org_id", "org_holds_no_members", format!("{}不直接管理党员，请选择其下的党组织", o.kind.label())));
    }
    Ok(o)
}

fn member_no(s: &str) -> Result<Option<String>> {
    if s.trim().is_empty() { Ok(None) } else { Ok(Some(dangjian_domain::member::parse_member_no(s)?)) }
}

const DUPLICATE_ID: &str = "该公民身份号码已登记在册，不能重复建档";

pub async fn create(store: &Store, ctx: &Ctx, body: &MemberCreate) -> Result<Member> {
    let o = member_org(store, ctx, body.org_id).await?;
    let v = body.input().validate(time::today_cst()).map_err(StoreError::Invalid)?;
    let p = prepare(store, &v, member_no(&body.member_no)?);
    let txn = store.write().await?;
    let values = insert_values(&p, &o, time::now_unix());
    let id = insert_id(&txn, &format!("INSERT INTO members ({INSERT_COLUMNS}) VALUES ({})", (1..=INSERT_WIDTH).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")), values.to_vec())
        .await
        .map_err(|e| StoreError::from_db(e, if p.member_no.is_some() { "公民身份号码或党员编号已存在，不能重复建档" } else { DUPLICATE_ID }))?;
    add_event(&txn, id, "create", &time::format_date(time::today_cst()), Some(o.id), "建立党员档案").await?;
    org::recount(&txn, &[o.id]).await?;
    let m = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "member.create", &format!("member:{id}"), "ok", Member::audit_detail(None, &m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// A partial change; `org_id` different from the current one transfers the member.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberPatch {
    pub org_id: Option<i64>,
    pub member_no: Option<String>,
    pub name: Option<String>,
    pub gender: Option<String>,
    pub ethnicity: Option<String>,
    pub id_number: Option<String>,
    pub birth_date: Option<String>,
    pub education: Option<String>,
    pub phone: Option<String>,
    pub work_unit: Option<String>,
    pub position: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
    /// Why the organisation or status changed, for the member's history.
    pub reason: Option<String>,
}

pub async fn update(store: &Store, ctx: &Ctx, id: i64, patch: &MemberPatch) -> Result<Member> {
    let before = load(&store.db, id).await?;
    store.authorize(ctx, Action::MemberRead, target(ctx, &before), &format!("member:{id}")).await?;
    store.authorize(ctx, Action::MemberWrite, target(ctx, &before), &format!("member:{id}")).await?;
    let new_org = match patch.org_id {
        Some(oid) if oid != before.org_id => Some(member_org(store, ctx, oid).await?),
        _ => None,
    };
    let crypto = store.crypto.as_ref();
    let current_id = crypto.decrypt_field(&before.id_enc).map_err(|e| StoreError::invalid("id_number", "undecryptable", e.to_string()))?;
    let current_phone = match &before.phone_enc {
        Some(p) => crypto.decrypt_field(p).map_err(|e| StoreError::invalid("phone", "undecryptable", e.to_string()))?,
        None => String::new(),
    };
    let pick = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_string());
    let input = MemberInput {
        name: pick(&patch.name, &before.name),
        // Gender and birth date follow the ID number unless the caller states them.
        gender: patch.gender.clone().unwrap_or_default(),
        ethnicity: pick(&patch.ethnicity, &before.ethnicity),
        id_number: pick(&patch.id_number, &current_id),
        birth_date: patch.birth_date.clone().unwrap_or_default(),
        education: pick(&patch.education, &before.education),
        phone: pick(&patch.phone, &current_phone),
        work_unit: pick(&patch.work_unit, &before.work_unit),
        position: pick(&patch.position, &before.position),
        category: pick(&patch.category, &before.category),
        status: pick(&patch.status, &before.status),
        joined_on: pick(&patch.joined_on, before.joined_on.as_deref().unwrap_or("")),
        full_on: pick(&patch.full_on, before.full_on.as_deref().unwrap_or("")),
    };
    let v = input.validate(time::today_cst()).map_err(StoreError::Invalid)?;
    let reason = dangjian_domain::text::parse_text("reason", "变更原因", patch.reason.as_deref().unwrap_or(""), dangjian_domain::text::NOTE_MAX)?;
    let no = match &patch.member_no {
        Some(s) => member_no(s)?,
        None => before.member_no.clone(),
    };
    let p = prepare(store, &v, no);
    // Re-encrypting unchanged values would churn ciphertexts for nothing.
    let (id_enc, phone_enc) = (
        if v.id_number.as_str() == current_id { before.id_enc.clone() } else { p.id_enc.clone() },
        if v.phone.as_ref().map(|x| x.as_str()).unwrap_or("") == current_phone { before.phone_enc.clone() } else { p.phone_enc.clone() },
    );
    let org_after = new_org.as_ref().map(|o| (o.id, o.path.clone())).unwrap_or((before.org_id, before.org_path.clone()));
    let txn = store.write().await?;
    exec(&txn,
        "UPDATE members SET org_id = $1, org_path = $2, member_no = $3, name = $4, gender = $5, ethnicity = $6, birth_date = $7, id_enc = $8, id_bidx = $9, id_masked = $10, \
         phone_enc = $11, phone_bidx = $12, phone_masked = $13, education = $14, work_unit = $15, position = $16, category = $17, status = $18, joined_on = $19, full_on = $20, updated_at = $21 WHERE id = $22",
        vec![org_after.0.into(), org_after.1.into(), p.member_no.clone().into(), p.name.into(), p.gender.into(), p.ethnicity.into(), p.birth_date.into(),
             id_enc.into(), p.id_bidx.into(), p.id_masked.into(), phone_enc.into(), p.phone_bidx.into(), p.phone_masked.into(), p.education.into(),
             p.work_unit.into(), p.position.into(), p.category.into(), p.status.clone().into(), p.joined_on.into(), p.full_on.into(), time::now_unix().into(), id.into()])
        .await
        .map_err(|e| StoreError::from_db(e, "公民身份号码或党员编号与其他党员重复"))?;
    let today = time::format_date(time::today_cst());
    if let Some(o) = &new_org {
        add_event(&txn, id, "transfer", &today, Some(o.id), &format!("组织关系由“{}”转至“{}”{}", before.org_name, o.name, note_suffix(&reason))).await?;
    }
    if p.status != before.status {
        let label = |s: &str| Status::parse(s).map(Status::label).unwrap_or("");
        add_event(&txn, id, "status", &today, None, &format!("状态由{}变更为{}{}", label(&before.status), label(&p.status), note_suffix(&reason))).await?;
    }
    org::recount(&txn, &[before.org_id, org_after.0]).await?;
    let after = load(&txn, id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "member.update", &format!("member:{id}"), "ok", Member::audit_detail(Some(&before), &after)).await?;
    txn.commit().await?;
    Ok(after)
}

fn note_suffix(reason: &str) -> String {
    if reason.trim().is_empty() { String::new() } else { format!("（{}）", reason.trim()) }
}

pub(crate) async fn add_event<C: ConnectionTrait>(c: &C, member_id: i64, kind: &str, on: &str, org_id: Option<i64>, note: &str) -> Result<()> {
    insert_id(c, "INSERT INTO member_events (member_id, kind, on_date, org_id, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![member_id.into(), kind.to_string().into(), on.to_string().into(), org_id.into(), note.to_string().into(), time::now_unix().into()]).await?;
    Ok(())
}

/// 党员档案记录 — a member's history.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct MemberEvent {
    pub id: i64,
    pub kind: String,
    pub on_date: String,
    pub org_id: Option<i64>,
    pub note: String,
}

pub async fn events(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<MemberEvent>> {
    get(store, ctx, id).await?;
    Ok(all::<MemberEvent, _>(&store.db, "SELECT id, kind, on_date, org_id, note FROM member_events WHERE member_id = $1 ORDER BY on_date DESC, id DESC", vec![id.into()]).await?)
}

/// The posts a member holds, for the member page.
pub async fn posts(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<(String, crate::org::Post)>> {
    get(store, ctx, id).await?;
    crate::org::posts_of_member(store, id).await
}

/// Full ID and phone numbers: needs its own permission, and every reveal is audited.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Revealed {
    pub id: i64,
    pub id_number: String,
    pub phone: Option<String>,
}

pub async fn reveal(store: &Store, ctx: &Ctx, id: i64) -> Result<Revealed> {
    let m = get(store, ctx, id).await?;
    store.authorize(ctx, Action::MemberReveal, target(ctx, &m), &format!("member:{id}")).await?;
    let c = store.crypto.as_ref();
    let id_number = c.decrypt_field(&m.id_enc).map_err(|e| StoreError::invalid("id_number", "undecryptable", e.to_string()))?;
    let phone = m.phone_enc.as_deref().map(|p| c.decrypt_field(p)).transpose().map_err(|e| StoreError::invalid("phone", "undecryptable", e.to_string()))?;
    audit::record_alone(store, ctx, "member.reveal", &format!("member:{id}"), "ok", json!({"fields": ["id_number", "phone"]})).await?;
    Ok(Revealed { id, id_number, phone })
}

/// Filters of the member list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MemberQuery {
    /// Organisation id; absent means every organisation in the caller's scope.
    pub org: Option<i64>,
    /// With `org`: include the organisations below it (default true).
    pub subtree: Option<bool>,
    /// Name (part of it), member number, ID number or phone number.
    pub q: Option<String>,
    /// Status code, or `all`; default: 正式党员 and 预备党员.
    pub status: Option<String>,
    pub category: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// `org` (default), `name`, `joined_on`, `birth_date`; `-` before it sorts descending.
    pub sort: Option<String>,
}

/// Sort keys of the member list across a subtree; `org` (the tree's order) is the default.
const SORT_KEYS: &[SortKey] = &[
    SortKey { name: "org", columns: &[("m", "org_path"), ("m", "name"), ("m", "id")] },
    SortKey { name: "name", columns: &[("m", "name"), ("m", "id")] },
    SortKey { name: "joined_on", columns: &[("m", "joined_on"), ("m", "id")] },
    SortKey { name: "birth_date", columns: &[("m", "birth_date"), ("m", "id")] },
];

/// One organisation's own members: its order is the name order (the index on org and name
/// serves it), whatever the key says.
const SORT_KEYS_ONE_ORG: &[SortKey] = &[
    SortKey { name: "org", columns: &[("m", "name"), ("m", "id")] },
    SortKey { name: "name", columns: &[("m", "name"), ("m", "id")] },
    SortKey { name: "joined_on", columns: &[("m", "joined_on"), ("m", "id")] },
    SortKey { name: "birth_date", columns: &[("m", "birth_date"), ("m", "id")] },
];

/// Statuses on the roster (正式党员 and 预备党员), the list's default.
fn on_roster() -> Vec<&'static str> {
    Status::ALL.iter().filter(|s| s.is_member()).map(|s| s.code()).collect()
}

pub async fn list(store: &Store, ctx: &Ctx, q: &MemberQuery) -> Result<Page<MemberRow>> {
    use sea_orm::sea_query::ExprTrait;
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let mut cond = Cond::all();
    let subtree = q.subtree.unwrap_or(true);
    // Which organisations: one (with or without its subtree) or every scope of the caller.
    let mut count_paths: Vec<String> = Vec::new();
    let mut direct_org: Option<i64> = None;
    match q.org {
        Some(oid) => {
            let o = org::node(store, oid).await?;
            store.authorize(ctx, Action::MemberRead, Target::org(&o.path), &format!("org:{oid}")).await?;
            if subtree {
                cond = cond.add(query::in_subtree(query::col("m", "org_path"), &o.path));
                count_paths.push(o.path);
            } else {
                cond = cond.add(query::col("m", "org_id").eq(oid));
                direct_org = Some(oid);
            }
        }
        None => {
            let scopes = org::scope_paths(store, ctx, Action::MemberRead).await?;
            if scopes.is_empty() {
                // 党员 (self): the list holds only their own record.
                let Some(mid) = ctx.actor.member_id else { return Err(StoreError::Forbidden) };
                cond = cond.add(query::col("m", "id").eq(mid));
            } else {
                cond = cond.add(query::in_scopes(query::col("m", "org_path"), &scopes));
                count_paths = scopes;
            }
        }
    }
    let mut filtered = false;
    match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some("all") => {}
        Some(s) => {
            let st = Status::parse(s).ok_or_else(|| StoreError::invalid("status", "invalid_status", "党员状态无法识别"))?;
            cond = cond.add(query::col("m", "status").eq(st.code()));
            filtered = true;
        }
        None => cond = cond.add(query::col("m", "status").is_in(on_roster())),
    }
    if let Some(c) = q.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let cat = dangjian_domain::member::Category::parse(c).ok_or_else(|| StoreError::invalid("category", "invalid_category", "人员类别无法识别"))?;
        cond = cond.add(query::col("m", "category").eq(cat.code()));
        filtered = true;
    }
    let searching = q.q.as_deref().is_some_and(|s| !s.trim().is_empty());
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        filtered = true;
        cond = cond.add(search_condition(store, text));
    }
    let total = if !filtered && (direct_org.is_some() || !count_paths.is_empty()) && q.status.is_none() {
        // The maintained counts answer without touching the members table.
        count_from_counters(store, direct_org, &count_paths).await?
    } else {
        query::scalar(&store.db, &query::count_of("members", "m", cond.clone())).await?
    };
    let mut stmt = Query::select();
    stmt.expr(Expr::cust(LIST_COLUMNS))
        .from_as(Alias::new("members"), Alias::new("m"))
        .join_as(JoinType::InnerJoin, Alias::new("orgs"), Alias::new("o"), query::col("o", "id").equals((Alias::new("m"), Alias::new("org_id"))))
        .cond_where(cond);
    // A name search reads best, and plans best, in name order: the name index serves both the
    // filter and the order instead of walking the whole scope in tree order.
    let requested = q.sort.as_deref().filter(|s| !s.trim().is_empty()).or(searching.then_some("name"));
    query::order_by(&mut stmt, if direct_org.is_some() { SORT_KEYS_ONE_ORG } else { SORT_KEYS }, requested);
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch::<MemberRow, _>(&store.db, &stmt).await?;
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0), page, per_page })
}

async fn count_from_counters(store: &Store, direct_org: Option<i64>, paths: &[String]) -> Result<i64> {
    if let Some(oid) = direct_org {
        return Ok(scalar_i64(&store.db, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_member_counts WHERE org_id = $1 AND status IN ('full', 'probationary')", vec![oid.into()]).await?);
    }
    let mut total = 0;
    for p in paths {
        let Some(id) = dangjian_domain::org::path_ids(p).last().copied() else { continue };
        total += scalar_i64(&store.db,
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_subtree_counts WHERE org_id = $1 AND status IN ('full', 'probationary')",
            vec![id.into()]).await?;
    }
    Ok(total)
}

/// What a search box string means: an ID number, a phone number, a member number, or a name.
fn search_condition(store: &Store, text: &str) -> SimpleExpr {
    use sea_orm::sea_query::ExprTrait;
    let today = time::today_cst();
    if let Ok(id) = idcard::IdNumber::parse(text, today) {
        return query::col("m", "id_bidx").eq(store.crypto.blind_index("id_number", id.as_str()));
    }
    if text.chars().all(|c| c.is_ascii_digit() || c == '+' || c == '-' || c == ' ') {
        if let Ok(p) = idcard::Phone::parse(text) {
            return query::col("m", "phone_bidx").eq(store.crypto.blind_index("phone", p.as_str()));
        }
    }
    if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return query::col("m", "member_no").eq(text);
    }
    name_filter(store.backend(), text)
}
