//! The bell, the list and the delivery page. Everyone reads their own reminders only (by the
//! account, not by a scope); the delivery state of an organisation's reminders is for its
//! administrator (`NoticeDeliveryRead`).

use dangjian_domain::notice::{mask_address, parse_email, Channel, DeliveryStatus, NoticeKind};
use dangjian_domain::life::obligation::ObligationKind;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time::{self, Date};
use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, JoinType, OnConflict, Order, Query};
use serde_json::json;

use crate::query::{self, col, record};
use crate::{audit, org, page_bounds, Ctx, Page, Result, Store, StoreError};

/// The bell counts up to this many (shown as 99+ beyond): the count stops there, so a forgotten
/// inbox costs no more to show than a read one.
pub const BELL_CAP: i64 = 100;

record! {
    /// 提醒 — one reminder as its recipient reads it.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Notification from "notifications" as "n" {
        pub id: i64,
        pub org_id: i64,
        pub kind: NoticeKind,
        pub obligation_kind: ObligationKind,
        pub period: String,
        pub due_by: Date,
        pub title: String,
        pub body: String,
        pub created_at: i64,
        pub read_at: Option<i64>,
    }
}

/// The filters of the list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct NoticeQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

fn own(ctx: &Ctx) -> Result<i64> {
    match ctx.actor.account_id {
        0 => Err(StoreError::Forbidden),
        id => Ok(id),
    }
}

/// The caller's reminders, newest first.
pub async fn list(store: &Store, ctx: &Ctx, q: &NoticeQuery) -> Result<Page<Notification>> {
    let account = own(ctx)?;
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let mut cond = Cond::all().add(col("n", "account_id").eq(account));
    if q.unread == Some(true) {
        cond = cond.add(col("n", "read_at").is_null());
    }
    let mut stmt = Notification::select().cond_where(cond.clone()).order_by((Alias::new("n"), Alias::new("id")), Order::Desc).to_owned();
    query::paginate(&mut stmt, page, per_page);
    let items = query::fetch(&store.db, &stmt).await?;
    let total = query::scalar(&store.db, &query::count_of("notifications", "n", cond)).await? as u64;
    Ok(Page { items, total, page, per_page })
}

/// Unread reminders of the caller, counted up to [`BELL_CAP`]: one range of
/// `ix_notifications_unread`, cut short by the LIMIT.
pub async fn unread_count(store: &Store, ctx: &Ctx) -> Result<i64> {
    let Ok(account) = own(ctx) else { return Ok(0) };
    let unread = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new("notifications"))
        .and_where(Expr::col("account_id").eq(account))
        .and_where(Expr::col("read_at").is_null())
        .limit(BELL_CAP as u64)
        .to_owned();
    let stmt = Query::select().expr(Expr::col(Asterisk).count()).from_subquery(unread, Alias::new("u")).to_owned();
    Ok(query::scalar(&store.db, &stmt).await?)
}

/// Marks one reminder of the caller read, or all of them (`None`); returns how many changed.
/// Another account's reminder is not found.
pub async fn mark_read(store: &Store, ctx: &Ctx, id: Option<i64>) -> Result<u64> {
    let account = own(ctx)?;
    let txn = store.write().await?;
    let mut stmt = query::update("notifications", vec![("read_at", time::now_unix().into())]).and_where(Expr::col("account_id").eq(account)).and_where(Expr::col("read_at").is_null()).to_owned();
    if let Some(id) = id {
        stmt.and_where(Expr::col("id").eq(id));
    }
    let n = query::execute(&txn, &stmt).await?;
    if let (Some(id), 0) = (id, n) {
        let exists = query::count_of("notifications", "n", Cond::all().add(col("n", "id").eq(id)).add(col("n", "account_id").eq(account)));
        if query::scalar(&txn, &exists).await? == 0 {
            return Err(StoreError::NotFound);
        }
    }
    if n > 0 {
        let object = id.map(|i| format!("notification:{i}")).unwrap_or_else(|| format!("account:{account}"));
        audit::record(&txn, store.crypto.as_ref(), ctx, "notice.read", &object, "ok", json!({ "marked": n })).await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// Where the caller's reminders go besides the bell.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Contact {
    /// 提醒邮箱, masked; absent when none is set.
    pub email: Option<String>,
    /// Whether this installation sends email / SMS at all.
    pub email_enabled: bool,
    pub sms_enabled: bool,
}

record! {
    struct ContactRow from "notification_contacts" as "c" { email: String }
}

pub async fn contact(store: &Store, ctx: &Ctx) -> Result<Contact> {
    let account = own(ctx)?;
    let row = query::fetch_one::<ContactRow, _>(&store.db, &ContactRow::select().and_where(col("c", "account_id").eq(account)).to_owned()).await?;
    Ok(Contact { email: row.map(|r| mask_address(Channel::Email, &r.email)), email_enabled: store.notice.has_email(), sms_enabled: store.notice.has_sms() })
}

/// Sets (or with an empty text removes) the email address the caller's reminders go to.
/// Reminders written from then on use it.
pub async fn set_email(store: &Store, ctx: &Ctx, email: &str) -> Result<Contact> {
    let account = own(ctx)?;
    let email = if email.trim().is_empty() { None } else { Some(parse_email(email)?) };
    let txn = store.write().await?;
    match &email {
        Some(e) => {
            let row = query::insert("notification_contacts", vec![("account_id", account.into()), ("email", e.clone().into()), ("updated_at", time::now_unix().into())])
                .on_conflict(OnConflict::column("account_id").update_columns(["email", "updated_at"].map(Alias::new)).to_owned())
                .to_owned();
            query::execute(&txn, &row).await?;
        }
        None => {
            query::execute(&txn, &query::delete("notification_contacts").and_where(Expr::col("account_id").eq(account)).to_owned()).await?;
        }
    }
    let shown = email.as_deref().map(|e| mask_address(Channel::Email, e));
    audit::record(&txn, store.crypto.as_ref(), ctx, "notice.email", &format!("account:{account}"), "ok", json!({ "email": shown })).await?;
    txn.commit().await?;
    contact(store, ctx).await
}

record! {
    /// 投递 — one channel's delivery of a reminder.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Delivery from "notification_deliveries" as "d" {
        pub notification_id: i64,
        pub channel: Channel,
        /// Masked.
        pub address: String,
        pub status: DeliveryStatus,
        pub attempts: i64,
        /// Next attempt (or, while sending, when the claim expires).
        pub next_attempt_at: i64,
        pub last_error: Option<String>,
        pub sent_at: Option<i64>,
    }
}

record! {
    /// A reminder of the organisation with its recipient.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct OrgNotice from "notifications" as "n" {
        pub id: i64,
        pub username: String = a.username,
        pub kind: NoticeKind,
        pub title: String,
        pub created_at: i64,
        /// Read in the application (the in-app channel's delivery).
        pub read_at: Option<i64>,
    }
}

/// A reminder with its email and SMS deliveries.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Recipient {
    #[serde(flatten)]
    pub notice: OrgNotice,
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgDeliveries {
    pub org_id: i64,
    pub org_name: String,
    pub items: Vec<Recipient>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// How the reminders of an organisation were delivered, newest first: for its administrator.
pub async fn deliveries(store: &Store, ctx: &Ctx, org_id: i64, page: Option<u64>, per_page: Option<u64>) -> Result<OrgDeliveries> {
    let (page, per_page) = page_bounds(page, per_page)?;
    let o = org::node(store, org_id).await?;
    store.authorize(ctx, Action::NoticeDeliveryRead, Target::org(&o.path), &format!("org:{org_id}")).await?;
    let cond = Cond::all().add(col("n", "org_id").eq(org_id));
    let mut stmt = OrgNotice::select()
        .join_as(JoinType::InnerJoin, Alias::new("accounts"), Alias::new("a"), col("a", "id").equals((Alias::new("n"), Alias::new("account_id"))))
        .cond_where(cond.clone())
        .order_by((Alias::new("n"), Alias::new("id")), Order::Desc)
        .to_owned();
    query::paginate(&mut stmt, page, per_page);
    let mut items: Vec<Recipient> = query::fetch::<OrgNotice, _>(&store.db, &stmt).await?.into_iter().map(|notice| Recipient { notice, deliveries: Vec::new() }).collect();
    let ids: Vec<i64> = items.iter().map(|r| r.notice.id).collect();
    if !ids.is_empty() {
        let ds = Delivery::select().and_where(col("d", "notification_id").is_in(ids)).order_by((Alias::new("d"), Alias::new("channel")), Order::Asc).to_owned();
        for d in query::fetch::<Delivery, _>(&store.db, &ds).await? {
            if let Some(r) = items.iter_mut().find(|r| r.notice.id == d.notification_id) {
                r.deliveries.push(d);
            }
        }
    }
    let total = query::scalar(&store.db, &query::count_of("notifications", "n", cond)).await? as u64;
    Ok(OrgDeliveries { org_id, org_name: o.name, items, total, page, per_page })
}
