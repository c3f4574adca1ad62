//! Writing the reminders: idempotent by the unique index over (account, organisation,
//! obligation, period, kind), so a second run, a second node or a restart writes nothing twice.

use std::collections::{BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use dangjian_domain::notice::{kind_for, mask_address, text, Channel, DeliveryStatus};
use dangjian_domain::org::PostKind;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, ExprTrait, JoinType, OnConflict, Order};
use sea_orm::ConnectionTrait;

use crate::life::compliance;
use crate::query::{self, col, record};
use crate::{Ctx, Result, Store};

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct RemindSummary {
    pub notifications: u64,
    pub deliveries: u64,
}

record! {
    /// A secretary-level account of an organisation, with where its reminders can go.
    struct Recipient from "posts" as "p" {
        org_id: i64,
        account_id: i64 = a.id,
        phone_enc: Option<String> = m.phone_enc,
        email: Option<String> = c.email,
    }
}

/// The accounts to remind, by organisation: one statement over the current 书记/副书记 posts.
async fn recipients(store: &Store) -> Result<HashMap<i64, Vec<Recipient>>> {
    let j = |t: &str, a: &str| (Alias::new(t), Alias::new(a));
    let stmt = Recipient::select()
        .join_as(JoinType::InnerJoin, Alias::new("accounts"), Alias::new("a"), col("a", "member_id").equals(j("p", "member_id")))
        .join_as(JoinType::InnerJoin, Alias::new("members"), Alias::new("m"), col("m", "id").equals(j("p", "member_id")))
        .join_as(JoinType::LeftJoin, Alias::new("notification_contacts"), Alias::new("c"), col("c", "account_id").equals(j("a", "id")))
        .and_where(col("p", "ended_on").is_null())
        .and_where(col("p", "post").is_in([PostKind::Secretary, PostKind::DeputySecretary]))
        .and_where(col("a", "locked").eq(false))
        // Every node writes in the same order, so two concurrent runs wait on each other's
        // rows instead of dead-locking.
        .order_by((Alias::new("p"), Alias::new("org_id")), Order::Asc)
        .order_by((Alias::new("a"), Alias::new("id")), Order::Asc)
        .to_owned();
    let mut by_org: HashMap<i64, Vec<Recipient>> = HashMap::new();
    for r in query::fetch::<Recipient, _>(&store.db, &stmt).await? {
        let list = by_org.entry(r.org_id).or_default();
        // A holder of both posts (A of one, B of the other) is reminded once.
        if !list.iter().any(|x| x.account_id == r.account_id) {
            list.push(r);
        }
    }
    Ok(by_org)
}

/// The quarters whose obligations can call for a reminder on `today`: its own, and those
/// `days_ahead` days before and after (a period that just ended, one about to end).
fn quarters(today: NaiveDate, days_ahead: u32) -> BTreeSet<Period> {
    let d = Days::new(u64::from(days_ahead));
    [today.checked_sub_days(d), Some(today), today.checked_add_days(d)]
        .into_iter()
        .flatten()
        .filter_map(|day| Period::containing(PeriodKind::Quarter, day))
        .collect()
}

/// Writes the reminders of `today` (CST) for every organisation with a secretary-level account:
/// its in-app delivery, done as it is written, and one for each configured channel the account
/// has an address for.
pub async fn remind(store: &Store, today: NaiveDate) -> Result<RemindSummary> {
    remind_within(store, today, store.notice.days_ahead).await
}

/// [`remind`] with another lead time: the demo looks to the end of the month, so the bell shows
/// something on first start whatever the day.
pub async fn remind_within(store: &Store, today: NaiveDate, days_ahead: u32) -> Result<RemindSummary> {
    let ctx = Ctx::cli("notice");
    let days_ahead = std::cmp::max(days_ahead, 1);
    let who = recipients(store).await?;
    let mut summary = RemindSummary::default();
    if who.is_empty() {
        return Ok(summary);
    }
    let tree = store.tree().await?;
    let roots: Vec<i64> = tree.roots().map(|r| r.id).collect();
    for period in quarters(today, days_ahead) {
        for root in &roots {
            let (_, items) = compliance::report_on(store, &ctx, Some(*root), period, today).await?;
            for org in items {
                let Some(accounts) = who.get(&org.org_id) else { continue };
                let tenant = tree.get(org.org_id).map(|n| n.tenant_id.unwrap_or(n.id)).unwrap_or(*root);
                let due: Vec<_> = org.obligations.iter().filter_map(|o| kind_for(o, today, days_ahead).map(|k| (k, o))).collect();
                if due.is_empty() {
                    continue;
                }
                let txn = store.write().await?;
                for (kind, o) in &due {
                    let (title, body) = text(*kind, &org.org_name, o);
                    for r in accounts {
                        let row = query::insert("notifications", vec![
                            ("tenant_id", tenant.into()),
                            ("account_id", r.account_id.into()),
                            ("org_id", org.org_id.into()),
                            ("kind", (*kind).into()),
                            ("obligation_kind", o.kind.into()),
                            ("period", o.period.to_string().into()),
                            ("due_by", o.due_by.into()),
                            ("title", title.clone().into()),
                            ("body", body.clone().into()),
                            ("created_at", time::now_unix().into()),
                        ])
                        .on_conflict(OnConflict::columns(["account_id", "org_id", "obligation_kind", "period", "kind"].map(Alias::new)).do_nothing().to_owned())
                        .returning_col(Alias::new("id"))
                        .to_owned();
                        // No row back: this reminder was written before.
                        let Some(id) = txn.query_one(&row).await?.map(|r| r.try_get_by_index::<i64>(0)).transpose()? else { continue };
                        summary.notifications += 1;
                        summary.deliveries += add_deliveries(store, &txn, tenant, id, r, start_of(today)).await?;
                    }
                }
                txn.commit().await?;
            }
        }
    }
    Ok(summary)
}

/// Midnight of `day` in China: the deliveries of a day's reminders are due from then, so a
/// clock driven through the calendar (the tests') sends them on their day.
fn start_of(day: NaiveDate) -> i64 {
    day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp() - i64::from(time::cst().local_minus_utc())
}

async fn add_deliveries<C: ConnectionTrait>(store: &Store, c: &C, tenant: i64, notification_id: i64, r: &Recipient, due_from: i64) -> Result<u64> {
    let mut addresses: Vec<(Channel, String)> = Vec::new();
    if store.notice.has_email() {
        addresses.extend(r.email.clone().map(|e| (Channel::Email, e)));
    }
    if let (true, Some(enc)) = (store.notice.has_sms(), &r.phone_enc) {
        match store.crypto.decrypt_field(enc) {
            Ok(phone) => addresses.push((Channel::Sms, phone)),
            Err(e) => tracing::warn!(account = r.account_id, error = %e, "reminder: the phone number cannot be read; no SMS"),
        }
    }
    let now = time::now_unix();
    let in_app = vec![
        ("tenant_id", tenant.into()),
        ("notification_id", notification_id.into()),
        ("channel", Channel::InApp.into()),
        ("address", Channel::InApp.label().into()),
        ("address_enc", String::new().into()),
        ("status", DeliveryStatus::Sent.into()),
        ("attempts", 0i64.into()),
        ("next_attempt_at", due_from.into()),
        ("sent_at", now.into()),
        ("created_at", now.into()),
    ];
    query::execute(c, &query::insert("notification_deliveries", in_app)).await?;
    let rows: Vec<_> = addresses
        .into_iter()
        .map(|(channel, address)| {
            vec![
                ("tenant_id", tenant.into()),
                ("notification_id", notification_id.into()),
                ("channel", channel.into()),
                ("address", mask_address(channel, &address).into()),
                ("address_enc", store.crypto.encrypt_field(&address).into()),
                ("status", DeliveryStatus::Pending.into()),
                ("attempts", 0i64.into()),
                ("next_attempt_at", due_from.into()),
                ("created_at", now.into()),
            ]
        })
        .collect();
    let n = rows.len() as u64;
    query::insert_chunked(c, "notification_deliveries", rows).await?;
    Ok(n)
}
