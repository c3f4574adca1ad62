//! 会议记录 — meeting records. A record lives in `meetings`; the kinds it counts as in
//! `meeting_kinds` (one row per kind, live records only, so counting "kind K of organisation O in
//! a period" is one index range); attendance in `meeting_attendance`; each earlier state, with
//! who wrote it and when, in `meeting_versions`.

use std::collections::HashMap;

use dangjian_domain::life::meeting::{cst_day_start, format_starts_at};
use dangjian_domain::life::vote::Motion;
use dangjian_domain::life::{AttendanceStatus, Guest, MeetingKind, MeetingNotes, Tally};
use dangjian_domain::member::Status;
use dangjian_domain::org::OrgKind;
use dangjian_domain::policy::{Action, Decision, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::local_kind::{self, KindRef};
use crate::org::{self, Node};
use crate::query::{self, col, in_scopes, in_subtree, record};
use crate::{page_bounds, Ctx, Page, Result, Store, StoreError};

record! {
    pub(super) struct MeetingRow from "meetings" as "g" {
        pub(super) id: i64,
        pub(super) tenant_id: i64,
        pub(super) org_id: i64,
        pub(super) org_path: String,
        pub(super) starts_at: i64,
        pub(super) makes_up: Option<String>,
        #[sea_orm(nested)]
        pub(super) notes: MeetingNotes = nested,
        pub(super) guests: String,
        pub(super) motions: String,
        pub(super) version: i64,
        pub(super) created_by: i64,
        pub(super) created_at: i64,
        pub(super) updated_by: i64,
        pub(super) updated_at: i64,
    }
}

/// 会议记录 — a meeting as pages and the API show it, with the rate computed from attendance.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub kinds: Vec<MeetingKind>,
    /// 自定义会议类别 the record counts as besides.
    pub local_kinds: Vec<KindRef>,
    /// RFC 3339 in China Standard Time.
    pub starts_at: String,
    /// 补开: the earlier period this record makes up and counts for (`2026Q3`), if any.
    pub makes_up: Option<String>,
    #[serde(flatten)]
    pub notes: MeetingNotes,
    /// 列席人员.
    pub guests: Vec<Guest>,
    /// 表决事项 with their computed results.
    pub motions: Vec<Motion>,
    pub attendance: Tally,
    /// 出席率, e.g. `92.3%`: present over those who should attend.
    pub attendance_rate: String,
    pub version: i64,
    /// The account that recorded it (0: the operator at the command line).
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Meeting {
    pub fn kind_labels(&self) -> String {
        self.kinds.iter().map(|k| k.label()).chain(self.local_kinds.iter().map(|k| k.name.as_str())).collect::<Vec<_>>().join("、")
    }
    /// The start as people read it: `2026-07-01 15:00`.
    pub fn starts_text(&self) -> String {
        self.starts_at.get(..16).unwrap_or(&self.starts_at).replace('T', " ")
    }
    pub fn has_kind(&self, k: &MeetingKind) -> bool {
        self.kinds.contains(k)
    }
}

record! {
    /// One member's attendance at a meeting.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct AttendanceRow from "meeting_attendance" as "a" {
        pub member_id: i64,
        pub member_name: String = m.name,
        pub status: AttendanceStatus,
        pub reason: String,
    }
}

record! {
    /// 党员名册 entry an attendance list is drawn from: 正式党员 and 预备党员.
    #[derive(Debug, Clone, serde::Serialize)]
    pub struct RosterMember from "members" as "m" {
        pub id: i64,
        pub org_id: i64,
        pub name: String,
        pub status: Status,
    }
}

record! {
    /// A meeting the member was listed for, with their status.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct MemberAttendance from "meeting_attendance" as "a" {
        pub meeting_id: i64,
        pub org_id: i64 = g.org_id,
        pub starts_at: i64 = g.starts_at,
        pub topic: String = g.topic,
        pub status: AttendanceStatus,
        pub reason: String,
    }
}

impl MemberAttendance {
    pub fn starts_text(&self) -> String {
        time::format_unix_cst(self.starts_at).get(..16).unwrap_or_default().to_string()
    }
}

/// How many meetings of each kind (canonical or added) an organisation held in a year.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindCount {
    pub code: String,
    pub label: String,
    pub n: i64,
}

/// The filters of a meeting list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MeetingQuery {
    /// An organisation; absent: every meeting in the caller's scope.
    pub org: Option<i64>,
    /// With `org`: include its sub-organisations (default true).
    pub subtree: Option<bool>,
    /// A meeting kind code (`party_lecture`, …).
    pub kind: Option<String>,
    /// `YYYY-MM-DD` (China Standard Time), inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (China Standard Time), inclusive.
    pub to: Option<String>,
    /// A period, `2026`, `2026H1`, `2026Q3`, `2026-07` or `2026-W31`: its days, within any
    /// `from`/`to`.
    pub period: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

pub(super) fn object(id: i64) -> String {
    format!("meeting:{id}")
}

pub(super) fn tenant_of(n: &Node) -> i64 {
    n.tenant_id.unwrap_or(n.id)
}

/// The members an organisation's meeting lists: its own 正式党员 and 预备党员, by name.
async fn members_of<C: ConnectionTrait>(c: &C, org_id: i64) -> Result<Vec<RosterMember>> {
    let statuses: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_member()).collect();
    let stmt = RosterMember::select()
        .and_where(col("m", "org_id").eq(org_id))
        .and_where(col("m", "status").is_in(statuses))
        .order_by((Alias::new("m"), Alias::new("name")), Order::Asc)
        .order_by((Alias::new("m"), Alias::new("id")), Order::Asc)
        .to_owned();
    Ok(query::fetch(c, &stmt).await?)
}

/// (who may be listed, who is listed when the record lists nobody). A 党小组's members keep
/// their relation with the branch (issue 10): a group meeting lists the members placed in the
/// group (its branch's roster while none are) and may list anyone of the branch.
pub(super) async fn eligible<C: ConnectionTrait>(c: &C, o: &Node) -> Result<(Vec<RosterMember>, Vec<RosterMember>)> {
    let own = members_of(c, o.id).await?;
    if o.kind != OrgKind::Group {
        return Ok((own.clone(), own));
    }
    let branch = match o.parent_id {
        Some(p) => members_of(c, p).await?,
        None => Vec::new(),
    };
    let placed = crate::member::placed_in(c, o.id).await?;
    let default = if placed.is_empty() { branch.clone() } else { branch.iter().filter(|m| placed.contains(&m.id)).cloned().collect() };
    Ok((own.into_iter().chain(branch).collect(), default))
}

/// The roster a new record of `org_id` lists by default, for the record form.
pub async fn roster(store: &Store, ctx: &Ctx, org_id: i64) -> Result<Vec<RosterMember>> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::LifeWrite, Target::org(&o.path), &format!("org:{org_id}")).await?;
    Ok(eligible(&store.db, &o).await?.1)
}

pub(super) async fn row<C: ConnectionTrait>(c: &C, id: i64) -> Result<MeetingRow> {
    let stmt = MeetingRow::select().and_where(col("g", "id").eq(id)).and_where(col("g", "deleted_at").is_null()).to_owned();
    query::fetch_one(c, &stmt).await?.ok_or(StoreError::NotFound)
}

/// The live record and its organisation, if the caller may do `action` on it.
pub(super) async fn authorized(store: &Store, ctx: &Ctx, id: i64, action: Action) -> Result<(MeetingRow, Node)> {
    let r = row(&store.db, id).await?;
    store.authorize(ctx, action, Target::org(&r.org_path), &object(id)).await?;
    let o = org::node(store, r.org_id).await?;
    Ok((r, o))
}

pub(super) async fn load(store: &Store, o: &Node, id: i64) -> Result<Meeting> {
    let r = row(&store.db, id).await?;
    let mut v = assemble(store, vec![r]).await?;
    let mut m = v.pop().ok_or(StoreError::NotFound)?;
    m.org_name = o.name.clone();
    Ok(m)
}

record! {
    /// A kind a record counts as.
    pub(super) struct KindOf from "meeting_kinds" as "k" {
        pub(super) meeting_id: i64,
        pub(super) kind: MeetingKind,
    }
}

#[derive(FromQueryResult)]
struct StatusCount {
    meeting_id: i64,
    status: AttendanceStatus,
    n: i64,
}

/// Rows into meetings: the kinds and the attendance counts of a page in two statements.
async fn assemble(store: &Store, rows: Vec<MeetingRow>) -> Result<Vec<Meeting>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut kinds: HashMap<i64, Vec<MeetingKind>> = HashMap::new();
    let mut tallies: HashMap<i64, Tally> = HashMap::new();
    if !ids.is_empty() {
        let k = KindOf::select().and_where(col("k", "meeting_id").is_in(ids.clone())).to_owned();
        for r in query::fetch::<KindOf, _>(&store.db, &k).await? {
            kinds.entry(r.meeting_id).or_default().push(r.kind);
        }
        let t = Query::select()
            .columns([(Alias::new("a"), Alias::new("meeting_id")), (Alias::new("a"), Alias::new("status"))])
            .expr_as(Expr::col(Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
            .from_as(Alias::new("meeting_attendance"), Alias::new("a"))
            .and_where(col("a", "meeting_id").is_in(ids))
            .group_by_col((Alias::new("a"), Alias::new("meeting_id")))
            .group_by_col((Alias::new("a"), Alias::new("status")))
            .to_owned();
        for r in query::fetch::<StatusCount, _>(&store.db, &t).await? {
            let e = tallies.entry(r.meeting_id).or_default();
            let n = r.n as u32;
            match r.status {
                AttendanceStatus::Present => e.present += n,
                AttendanceStatus::Leave => e.leave += n,
                AttendanceStatus::Absent => e.absent += n,
            }
        }
    }
    let mut local = local_kind::of_meetings(&store.db, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    let tree = store.tree().await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut ks = kinds.remove(&r.id).unwrap_or_default();
            ks.sort();
            let tally = tallies.remove(&r.id).unwrap_or_default();
            Meeting {
                id: r.id,
                org_id: r.org_id,
                org_name: tree.get(r.org_id).map(|o| o.name.clone()).unwrap_or_default(),
                org_path: r.org_path,
                kinds: ks,
                local_kinds: local.remove(&r.id).unwrap_or_default(),
                starts_at: format_starts_at(r.starts_at),
                makes_up: r.makes_up,
                notes: r.notes,
                guests: serde_json::from_str(&r.guests).unwrap_or_default(),
                motions: serde_json::from_str(&r.motions).unwrap_or_default(),
                attendance_rate: tally.rate_text(),
                attendance: tally,
                version: r.version,
                created_by: r.created_by,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

/// The meeting, if the caller may see it; a deleted one is gone.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> Result<Meeting> {
    let (_, o) = authorized(store, ctx, id, Action::LifeRead).await?;
    load(store, &o, id).await
}

/// Who attended: everyone for those who may read the organisation's members, else (a member)
/// only their own line.
pub async fn attendance(store: &Store, ctx: &Ctx, id: i64) -> Result<Vec<AttendanceRow>> {
    let (r, _) = authorized(store, ctx, id, Action::LifeRead).await?;
    let mut stmt = AttendanceRow::select()
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals((Alias::new("a"), Alias::new("member_id"))))
        .and_where(col("a", "meeting_id").eq(id))
        .order_by((Alias::new("m"), Alias::new("name")), Order::Asc)
        .order_by((Alias::new("a"), Alias::new("member_id")), Order::Asc)
        .to_owned();
    if ctx.actor.decide(Action::MemberRead, Target::org(&r.org_path)) != Decision::Allow {
        stmt.and_where(col("a", "member_id").eq(ctx.actor.member_id.unwrap_or(0)));
    }
    Ok(query::fetch(&store.db, &stmt).await?)
}

fn parse_day(field: &'static str, label: &str, s: &Option<String>) -> Result<Option<chrono::NaiveDate>> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(time::parse_date(field, label, s)?)),
    }
}

/// What a list is filtered by: a canonical kind, or an added one (its id).
#[derive(Debug, Clone, Copy)]
enum KindFilter {
    Canonical(MeetingKind),
    Local(i64),
}

/// Meetings in the caller's scope, newest first. With a kind the list is read from
/// `meeting_kinds` (index `org_id, kind, starts_at` for one organisation); without, from
/// `meetings` (index `org_id, starts_at` for one organisation, `org_path, starts_at` for a
/// subtree). Deleted records are in neither.
pub async fn list(store: &Store, ctx: &Ctx, q: &MeetingQuery) -> Result<Page<Meeting>> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let asked = match q.org {
        Some(org_id) => {
            let o = org::node(store, org_id).await?;
            store.authorize(ctx, Action::LifeRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
            Some(o)
        }
        None => None,
    };
    let scopes = org::scope_paths(store, ctx, Action::LifeRead).await?;
    if scopes.is_empty() {
        return Err(StoreError::Forbidden);
    }
    let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => match MeetingKind::parse(k) {
            Some(m) => Some(KindFilter::Canonical(m)),
            None => {
                // An added kind of the installation asked about (or of the caller's first scope).
                let tenant = match &asked {
                    Some(o) => tenant_of(o),
                    None => dangjian_domain::org::path_ids(&scopes[0]).first().copied().unwrap_or(0),
                };
                Some(KindFilter::Local(local_kind::find(store, tenant, k).await?.id))
            }
        },
    };
    let mut from = parse_day("from", "起始日期", &q.from)?;
    let mut to = parse_day("to", "截止日期", &q.to)?;
    if let Some(p) = q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = dangjian_domain::period::Period::parse(p)?;
        from = Some(from.map_or(p.first_day(), |d| d.max(p.first_day())));
        to = Some(to.map_or(p.last_day(), |d| d.min(p.last_day())));
    }
    // The table the filter runs on: the kinds' rows carry the organisation and the start too.
    let t: &'static str = if kind.is_some() { "k" } else { "g" };
    let mut cond = Cond::all();
    if let Some(o) = &asked {
        cond = if q.subtree.unwrap_or(true) { cond.add(in_subtree(col(t, "org_path"), &o.path)) } else { cond.add(col(t, "org_id").eq(o.id)) };
    }
    cond = cond.add(in_scopes(col(t, "org_path"), &scopes));
    cond = match kind {
        Some(KindFilter::Canonical(k)) => cond.add(col("k", "kind").eq(k)),
        Some(KindFilter::Local(id)) => cond.add(col("k", "kind_id").eq(id)),
        None => cond.add(col("g", "deleted_at").is_null()),
    };
    if let Some(d) = from {
        cond = cond.add(col(t, "starts_at").gte(cst_day_start(d)));
    }
    if let Some(d) = to {
        cond = cond.add(col(t, "starts_at").lt(cst_day_start(d + chrono::Days::new(1))));
    }
    let (table, key): (&'static str, &'static str) = match kind {
        Some(KindFilter::Canonical(_)) => ("meeting_kinds", "meeting_id"),
        Some(KindFilter::Local(_)) => ("meeting_local_kinds", "meeting_id"),
        None => ("meetings", "id"),
    };
    let total = query::scalar(&store.db, &query::count_of(table, t, cond.clone())).await? as u64;
    let mut stmt: SelectStatement = MeetingRow::select();
    if kind.is_some() {
        stmt.join_as(JoinType::InnerJoin, Alias::new(table), Alias::new("k"), col("k", "meeting_id").equals((Alias::new("g"), Alias::new("id"))));
    }
    stmt.cond_where(cond)
        .order_by((Alias::new(t), Alias::new("starts_at")), Order::Desc)
        .order_by((Alias::new(t), Alias::new(key)), Order::Desc);
    query::paginate(&mut stmt, page, per_page);
    let rows: Vec<MeetingRow> = query::fetch(&store.db, &stmt).await?;
    Ok(Page { items: assemble(store, rows).await?, total, page, per_page })
}

/// One organisation's rows of `table` starting in `[start, end)`, counted per value of `key`:
/// one range of the index `(org_id, key, starts_at)`.
fn per_key(table: &'static str, key: &'static str, org_id: i64, start: i64, end: i64) -> SelectStatement {
    Query::select()
        .column((Alias::new("t"), Alias::new(key)))
        .expr_as(Expr::col(Asterisk).count().cast_as(Alias::new("BIGINT")), Alias::new("n"))
        .from_as(Alias::new(table), Alias::new("t"))
        .and_where(col("t", "org_id").eq(org_id))
        .and_where(col("t", "starts_at").gte(start))
        .and_where(col("t", "starts_at").lt(end))
        .group_by_col((Alias::new("t"), Alias::new(key)))
        .to_owned()
}

/// This year's meetings of an organisation by kind (the organisation page's 组织生活 section):
/// one range of `meeting_kinds` per organisation and year.
pub async fn year_summary(store: &Store, ctx: &Ctx, org_id: i64, year: i32) -> Result<Vec<KindCount>> {
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::LifeRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).map(cst_day_start).unwrap_or(0);
    let end = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).map(cst_day_start).unwrap_or(i64::MAX);
    #[derive(FromQueryResult)]
    struct Row {
        kind: MeetingKind,
        n: i64,
    }
    let found: Vec<Row> = query::fetch(&store.db, &per_key("meeting_kinds", "kind", org_id, start, end)).await?;
    #[derive(FromQueryResult)]
    struct LocalRow {
        kind_id: i64,
        n: i64,
    }
    let found_local: Vec<LocalRow> = query::fetch(&store.db, &per_key("meeting_local_kinds", "kind_id", org_id, start, end)).await?;
    // Every kind the organisation holds is shown, a kind not yet held this year with 0.
    let canonical = MeetingKind::ALL.iter().copied().filter(|k| k.held_by(o.kind) || found.iter().any(|r| r.kind == *k)).map(|k| KindCount {
        code: k.code().into(),
        label: k.label().into(),
        n: found.iter().find(|r| r.kind == k).map(|r| r.n).unwrap_or(0),
    });
    let local = local_kind::of_installation(store, &o).await?.into_iter().filter_map(|k| {
        let n = found_local.iter().find(|r| r.kind_id == k.id).map(|r| r.n).unwrap_or(0);
        (n > 0 || (!k.retired && k.held_by.contains(&o.kind))).then(|| KindCount { code: k.code, label: k.name, n })
    });
    Ok(canonical.chain(local).collect())
}

/// 参加组织生活 — the meetings a member was listed for, most recently recorded first, for their
/// page. The caller must be allowed to see the member.
pub async fn attendance_of_member(store: &Store, ctx: &Ctx, member_id: i64, limit: u64) -> Result<Vec<MemberAttendance>> {
    record! {
        struct Whose from "members" as "m" { org_path: String }
    }
    let m = query::fetch_one::<Whose, _>(&store.db, &Whose::select().and_where(col("m", "id").eq(member_id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    let own = ctx.actor.member_id == Some(member_id);
    store.authorize(ctx, Action::MemberRead, Target::member(&m.org_path, own), &format!("member:{member_id}")).await?;
    let stmt = MemberAttendance::select()
        .join_as(JoinType::InnerJoin, Alias::new("meetings"), Alias::new("g"), col("g", "id").equals((Alias::new("a"), Alias::new("meeting_id"))))
        .and_where(col("a", "member_id").eq(member_id))
        .and_where(col("g", "deleted_at").is_null())
        .order_by((Alias::new("a"), Alias::new("meeting_id")), Order::Desc)
        .limit(limit)
        .to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}
