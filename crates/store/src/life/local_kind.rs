//! 自定义会议类别 — the kinds of organisational life an installation adds (a 法制讲座, a 廉政教育),
//! for the whole installation (its top organisation), and the records that count as them. An
//! added kind is retired rather than deleted: the records that counted as it keep it.

use std::collections::HashMap;

use dangjian_domain::life::local_kind::LocalKindInput;
use dangjian_domain::org::OrgKind;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::{time, Invalid};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::meeting::tenant_of;
use crate::org::{self, Node};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    struct DefRow from "meeting_kind_defs" as "d" {
        id: i64,
        tenant_id: i64,
        code: String,
        name: String,
        held_by: String,
        retired_at: Option<i64>,
    }
}

/// 自定义会议类别 as the API and the forms show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LocalKind {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The organisation kinds that hold it.
    pub held_by: Vec<OrgKind>,
    /// Retired: no new record counts as it; the records that did keep it.
    pub retired: bool,
}

impl LocalKind {
    fn of(r: DefRow) -> LocalKind {
        LocalKind { id: r.id, code: r.code, name: r.name, held_by: r.held_by.split(',').filter_map(OrgKind::parse).collect(), retired: r.retired_at.is_some() }
    }

    pub fn held_by_text(&self) -> String {
        self.held_by.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
    }
}

/// An added kind on a record: its code and name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct KindRef {
    pub code: String,
    pub name: String,
}

/// The installation's top organisation, which owns its added kinds.
async fn owner(store: &Store, org_id: i64) -> Result<Node> {
    let o = org::node(store, org_id).await?;
    org::node(store, tenant_of(&o)).await
}

async fn defs<C: ConnectionTrait>(c: &C, tenant: i64) -> Result<Vec<LocalKind>> {
    let stmt = DefRow::select().and_where(col("d", "tenant_id").eq(tenant)).order_by((Alias::new("d"), Alias::new("id")), Order::Asc).to_owned();
    Ok(query::fetch::<DefRow, _>(c, &stmt).await?.into_iter().map(LocalKind::of).collect())
}

/// The added kinds of the installation `org_id` belongs to (every kind, retired ones too).
pub async fn list(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Vec<LocalKind>> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::LifeRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    of_installation(store, &o).await
}

/// The added kinds of the installation `o` belongs to, for a caller that already authorised.
pub(super) async fn of_installation(store: &Store, o: &Node) -> Result<Vec<LocalKind>> {
    defs(&store.db, tenant_of(o)).await
}

/// The kinds, added and still in use, that an organisation of this kind may record.
pub async fn held_by(store: &Store, o: &Node) -> Result<Vec<LocalKind>> {
    Ok(defs(&store.db, tenant_of(o)).await?.into_iter().filter(|k| !k.retired && k.held_by.contains(&o.kind)).collect())
}

/// Adds a kind to the installation `org_id` belongs to: by whoever may change its top
/// organisation (the 工委's organisation administrator).
pub async fn add(store: &Store, ctx: &Ctx, org_id: i64, input: &LocalKindInput) -> Result<LocalKind> {
    let top = owner(store, org_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&top.path), &format!("org:{}", top.id)).await?;
    let v = input.validate().map_err(StoreError::Invalid)?;
    let existing = defs(&store.db, top.id).await?;
    let mut errors = Vec::new();
    if existing.iter().any(|k| k.code == v.code) {
        errors.push(Invalid::new("code", "duplicate_code", format!("类别代码“{}”已有", v.code)));
    }
    if existing.iter().any(|k| k.name == v.name) {
        errors.push(Invalid::new("name", "duplicate_name", format!("类别“{}”已有", v.name)));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let held: Vec<&str> = v.held_by.iter().map(|k| k.code()).collect();
    let txn = store.write().await?;
    let id = query::insert_id(
        &txn,
        query::insert("meeting_kind_defs", vec![
            ("tenant_id", top.id.into()),
            ("code", v.code.clone().into()),
            ("name", v.name.clone().into()),
            ("held_by", held.join(",").into()),
            ("created_by", ctx.actor.account_id.into()),
            ("created_at", time::now_unix().into()),
        ]),
    )
    .await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "meeting_kind.add", &format!("meeting_kind:{id}"), "ok", json!({"code": v.code, "name": v.name, "held_by": held})).await?;
    txn.commit().await?;
    Ok(LocalKind { id, code: v.code, name: v.name, held_by: v.held_by, retired: false })
}

/// Retires an added kind: no new record counts as it.
pub async fn retire(store: &Store, ctx: &Ctx, id: i64) -> Result<()> {
    let row: DefRow = query::fetch_one(&store.db, &DefRow::select().and_where(col("d", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    let top = org::node(store, row.tenant_id).await?;
    store.authorize(ctx, Action::OrgWrite, Target::org(&top.path), &format!("org:{}", top.id)).await?;
    if row.retired_at.is_some() {
        return Ok(());
    }
    let txn = store.write().await?;
    query::execute(&txn, &query::update("meeting_kind_defs", vec![("retired_at", time::now_unix().into())]).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "meeting_kind.retire", &format!("meeting_kind:{id}"), "ok", json!({"code": row.code})).await?;
    txn.commit().await?;
    Ok(())
}

/// The added kind a list is filtered by, by code or name, in the installation of `tenant`.
pub(super) async fn find(store: &Store, tenant: i64, given: &str) -> Result<LocalKind> {
    defs(&store.db, tenant)
        .await?
        .into_iter()
        .find(|k| k.code == given || k.name == given)
        .ok_or_else(|| StoreError::invalid("kind", "invalid_kind", format!("会议类别“{}”无法识别", given.chars().take(40).collect::<String>())))
}

/// The added kinds a record names, each one of the installation's, held by the organisation,
/// and not retired unless the record already counted as it. Problems go to `errors`.
pub(super) async fn resolve<C: ConnectionTrait>(c: &C, o: &Node, given: &[String], on_record: &[i64], errors: &mut Vec<Invalid>) -> Result<Vec<LocalKind>> {
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let all = defs(c, tenant_of(o)).await?;
    let mut out: Vec<LocalKind> = Vec::new();
    for g in given {
        match all.iter().find(|k| k.code == *g || k.name == *g) {
            None => errors.push(Invalid::new("local_kinds", "invalid_kind", format!("会议类别“{}”无法识别", g.chars().take(40).collect::<String>()))),
            Some(k) if k.retired && !on_record.contains(&k.id) => errors.push(Invalid::new("local_kinds", "retired_kind", format!("会议类别“{}”已停用", k.name))),
            Some(k) if !k.held_by.contains(&o.kind) => errors.push(Invalid::new("local_kinds", "kind_not_held", format!("{}不开展{}（该类别适用于{}）", o.kind.label(), k.name, k.held_by_text()))),
            Some(k) if out.iter().any(|x| x.id == k.id) => {}
            Some(k) => out.push(k.clone()),
        }
    }
    Ok(out)
}

/// The added kinds of these records.
pub(super) async fn of_meetings<C: ConnectionTrait>(c: &C, ids: &[i64]) -> Result<HashMap<i64, Vec<KindRef>>> {
    record! {
        struct OnRecord from "meeting_local_kinds" as "l" { meeting_id: i64, code: String = d.code, name: String = d.name }
    }
    let mut out: HashMap<i64, Vec<KindRef>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let stmt = OnRecord::select()
        .join_as(JoinType::InnerJoin, Alias::new("meeting_kind_defs"), Alias::new("d"), col("d", "id").equals((Alias::new("l"), Alias::new("kind_id"))))
        .and_where(col("l", "meeting_id").is_in(ids.iter().copied()))
        .order_by((Alias::new("l"), Alias::new("kind_id")), Order::Asc)
        .to_owned();
    for r in query::fetch::<OnRecord, _>(c, &stmt).await? {
        out.entry(r.meeting_id).or_default().push(KindRef { code: r.code, name: r.name });
    }
    Ok(out)
}

/// The ids of the added kinds a record counts as now.
pub(super) async fn ids_on<C: ConnectionTrait>(c: &C, meeting_id: i64) -> Result<Vec<i64>> {
    record! {
        struct Id from "meeting_local_kinds" as "l" { kind_id: i64 }
    }
    Ok(query::fetch::<Id, _>(c, &Id::select().and_where(col("l", "meeting_id").eq(meeting_id)).to_owned()).await?.into_iter().map(|r| r.kind_id).collect())
}

/// Writes a live record's added kinds (after [`take`] on a correction).
pub(super) async fn write<C: ConnectionTrait>(c: &C, meeting_id: i64, o: &Node, starts_at: i64, kinds: &[LocalKind]) -> Result<()> {
    let rows = kinds
        .iter()
        .map(|k| {
            vec![
                ("meeting_id", meeting_id.into()),
                ("kind_id", k.id.into()),
                ("tenant_id", tenant_of(o).into()),
                ("org_id", o.id.into()),
                ("org_path", o.path.clone().into()),
                ("starts_at", starts_at.into()),
            ]
        })
        .collect();
    Ok(query::insert_chunked(c, "meeting_local_kinds", rows).await?)
}

/// Takes a record's added kinds out (a correction rewrites them; a deleted record has none).
pub(super) async fn take<C: ConnectionTrait>(c: &C, meeting_id: i64) -> Result<()> {
    query::execute(c, &query::delete("meeting_local_kinds").and_where(Expr::col(Alias::new("meeting_id")).eq(meeting_id)).to_owned()).await?;
    Ok(())
}
