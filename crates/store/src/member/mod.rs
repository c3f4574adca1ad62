//! 党员 — members: create, edit, transfer between organisations, search, list, reveal.
//! ID and phone numbers are stored encrypted with a keyed blind index (SECURITY.md "At rest");
//! lists and logs only ever see the masked forms. The roster fields are declared once in the
//! domain (`dangjian_domain::member::FIELDS`); the plain text ones travel as [`Details`], a
//! column each.

mod group;
mod list;
mod write;

use dangjian_domain::member::{Category, Details, EventKind, Gender, MemberInput, Status};
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::Date;
use sea_orm::sea_query::{ExprTrait, JoinType, Order, SelectStatement};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::org::Post;
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

pub use group::{group_members, place, placeable};
pub(crate) use group::{group_sizes, placed_in, release_group};
pub use list::{list, MemberQuery};
pub(crate) use list::on_roster;
pub use write::{create, insert_many, prepare, update, Change, Placement, Prepared};
pub(crate) use write::event_row;

record! {
    /// A member as lists show it: personal numbers masked.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct MemberRow from "members" as "m" {
        pub id: i64,
        pub org_id: i64,
        pub org_name: String = o.name,
        pub member_no: Option<String>,
        pub name: String,
        pub gender: Gender,
        pub birth_date: Date,
        pub id_masked: String,
        pub phone_masked: Option<String>,
        pub category: Category,
        pub status: Status,
        pub joined_on: Option<Date>,
        pub full_on: Option<Date>,
        /// 党小组 — the group of the branch the member sits in, if any.
        pub group_id: Option<i64>,
        #[sea_orm(nested)]
        #[serde(flatten)]
        pub details: Details = nested,
    }
}

record! {
    /// A member's full record (still masked) with the organisation path used for scope checks.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Member from "members" as "m" {
        /// What lists show; `Member` derefs to it.
        #[sea_orm(nested)]
        #[serde(flatten)]
        pub row: MemberRow = nested,
        pub tenant_id: i64,
        #[serde(skip)]
        pub org_path: String,
        pub created_at: i64,
        pub updated_at: i64,
        #[serde(skip)]
        pub id_enc: String,
        #[serde(skip)]
        pub phone_enc: Option<String>,
    }
}

impl std::ops::Deref for Member {
    type Target = MemberRow;
    fn deref(&self) -> &MemberRow {
        &self.row
    }
}

/// `stmt` joined to the member's organisation (`o`), which both records read their name from.
fn with_org(mut stmt: SelectStatement) -> SelectStatement {
    stmt.join_as(JoinType::InnerJoin, "orgs", "o", col("o", "id").equals(("m", "org_id")));
    stmt
}

fn text(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl Member {
    pub fn as_row(&self) -> MemberRow {
        self.row.clone()
    }

    /// The record as a roster entry to edit, with the numbers given in plain text (or left
    /// empty). Gender and birth date stay empty: they follow the ID number unless stated.
    pub fn as_input(&self, id_number: String, phone: String) -> MemberInput {
        let mut input = MemberInput {
            name: self.name.clone(),
            id_number,
            phone,
            category: self.category.code().into(),
            status: self.status.code().into(),
            joined_on: text(self.joined_on),
            full_on: text(self.full_on),
            ..MemberInput::default()
        };
        self.details.fill(&mut input);
        input
    }

    /// The personal fields as the audit log compares them; the numbers by their ciphertexts.
    fn personal(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("name", self.name.clone()),
            ("gender", self.gender.code().to_string()),
            ("birth_date", self.birth_date.to_string()),
            ("id_number", self.id_enc.clone()),
            ("phone", self.phone_enc.clone().unwrap_or_default()),
            ("member_no", self.member_no.clone().unwrap_or_default()),
            ("joined_on", text(self.joined_on)),
            ("full_on", text(self.full_on)),
        ];
        v.extend(Details::FIELDS.iter().map(|f| (f.code, f.value(&self.details).to_string())));
        v
    }

    /// What the audit log keeps of a change: the organisation, status and category (what the
    /// audit administrator needs to see who moved whom where), and only the names of the personal
    /// fields that changed, never their values (SECURITY.md "Access": the 三员 read no personal
    /// data, and the log is theirs).
    fn audit_detail(before: Option<&Member>, after: &Member) -> serde_json::Value {
        let facts = |m: &Member| json!({"org_id": m.org_id, "group_id": m.group_id, "status": m.status, "category": m.category});
        let now = after.personal();
        match before {
            None => json!({"after": facts(after), "fields": now.iter().filter(|(_, v)| !v.is_empty()).map(|(n, _)| *n).collect::<Vec<_>>()}),
            Some(b) => {
                let changed: Vec<&str> = b.personal().iter().zip(&now).filter(|(x, y)| x.1 != y.1).map(|(x, _)| x.0).collect();
                json!({"before": facts(b), "after": facts(after), "changed": changed})
            }
        }
    }
}

pub(crate) async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Member> {
    let stmt = with_org(Member::select()).and_where(col("m", "id").eq(id)).to_owned();
    query::fetch_one(c, &stmt).await?.ok_or(StoreError::NotFound)
}

fn target<'a>(ctx: &Ctx, m: &'a Member) -> Target<'a> {
    Target::member(&m.org_path, ctx.actor.member_id == Some(m.id))
}

pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Member> {
    let m = load(&store.db, id).await?;
    store.authorize(ctx, Action::MemberRead, target(ctx, &m), &format!("member:{id}")).await?;
    Ok(m)
}

record! {
    /// 党员档案记录 — an entry of a member's history.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct MemberEvent from "member_events" as "e" {
        pub id: i64,
        pub kind: EventKind,
        pub on_date: Date,
        pub org_id: Option<i64>,
        pub note: String,
    }
}

pub async fn events(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<MemberEvent>> {
    get(store, ctx, id).await?;
    let stmt = MemberEvent::select()
        .and_where(col("e", "member_id").eq(id))
        .order_by(("e", "on_date"), Order::Desc)
        .order_by(("e", "id"), Order::Desc)
        .to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}


/// The posts a member holds, for the member page.
pub async fn posts(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<(String, Post)>> {
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
