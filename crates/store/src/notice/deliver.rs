//! Sending the deliveries that are due. Several nodes may run this at once: each delivery is
//! claimed by one conditional UPDATE (due, and not held by a live claim), which both backends
//! decide atomically, so a message goes out once; a node that dies while sending leaves a claim
//! that expires and is retried.

use dangjian_domain::crypto::random_token;
use dangjian_domain::notice::{retry_after, Channel, DeliveryStatus};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order};

use crate::query::{self, col, record};
use crate::{Result, Store};

/// A claim outlives a send (30 s at most) by this much; after it, another node may try again.
const CLAIM_SECS: i64 = 120;

/// Deliveries one run takes at most; the rest wait for the next minute.
const BATCH: u64 = 200;

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct DeliverSummary {
    pub sent: u64,
    pub failed: u64,
    pub gave_up: u64,
}

const WAITING: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Failed, DeliveryStatus::Sending];

/// Due: waiting for a first or a further attempt, or held by a claim that has expired.
fn due(now: i64) -> Cond {
    Cond::all().add(col("d", "status").is_in(WAITING)).add(col("d", "next_attempt_at").lte(now))
}

record! {
    struct Due from "notification_deliveries" as "d" { id: i64 }
}

record! {
    struct Claimed from "notification_deliveries" as "d" {
        channel: Channel,
        address_enc: String,
        attempts: i64,
        title: String = n.title,
        body: String = n.body,
    }
}

/// Sends what is due at `now` (Unix seconds) through the configured channels.
pub async fn deliver(store: &Store, now: i64) -> Result<DeliverSummary> {
    let mut summary = DeliverSummary::default();
    let stmt = Due::select().cond_where(due(now)).order_by((Alias::new("d"), Alias::new("next_attempt_at")), Order::Asc).limit(BATCH).to_owned();
    let ids: Vec<Due> = query::fetch(&store.db, &stmt).await?;
    for Due { id } in ids {
        let token = random_token(8);
        let claim = query::update("notification_deliveries", vec![
            ("status", DeliveryStatus::Sending.into()),
            ("claim_token", token.clone().into()),
            ("next_attempt_at", (now + CLAIM_SECS).into()),
        ])
        .value(Alias::new("attempts"), Expr::col("attempts").add(1))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").is_in(WAITING))
        .and_where(Expr::col("next_attempt_at").lte(now))
        .to_owned();
        if query::execute(&store.db, &claim).await? != 1 {
            // Another node claimed it between the look and the claim.
            continue;
        }
        let read = Claimed::select()
            .join_as(JoinType::InnerJoin, Alias::new("notifications"), Alias::new("n"), col("n", "id").equals((Alias::new("d"), Alias::new("notification_id"))))
            .and_where(col("d", "id").eq(id))
            .to_owned();
        let Some(d) = query::fetch_one::<Claimed, _>(&store.db, &read).await? else { continue };
        let outcome = match store.crypto.decrypt_field(&d.address_enc) {
            Err(e) => Err(format!("收件地址无法解密：{e}")),
            Ok(address) => send(store, d.channel, &address, &d.title, &d.body).await,
        };
        let mine = |mut s: sea_orm::sea_query::UpdateStatement| s.and_where(Expr::col("id").eq(id)).and_where(Expr::col("claim_token").eq(token.as_str())).to_owned();
        let done = match outcome {
            Ok(()) => {
                summary.sent += 1;
                query::update("notification_deliveries", vec![
                    ("status", DeliveryStatus::Sent.into()),
                    ("sent_at", now.into()),
                    ("claim_token", sea_orm::Value::String(None)),
                    ("last_error", sea_orm::Value::String(None)),
                ])
            }
            Err(error) => {
                tracing::warn!(delivery = id, channel = d.channel.code(), attempts = d.attempts, %error, "reminder delivery failed");
                let attempts = u32::try_from(d.attempts).unwrap_or(u32::MAX);
                let (status, next) = match retry_after(attempts) {
                    Some(wait) => {
                        summary.failed += 1;
                        (DeliveryStatus::Failed, now + wait)
                    }
                    None => {
                        summary.gave_up += 1;
                        (DeliveryStatus::GaveUp, now)
                    }
                };
                query::update("notification_deliveries", vec![
                    ("status", status.into()),
                    ("next_attempt_at", next.into()),
                    ("claim_token", sea_orm::Value::String(None)),
                    ("last_error", error.chars().take(500).collect::<String>().into()),
                ])
            }
        };
        // A claim that expired mid-send may have passed to another node: its result stands.
        query::execute(&store.db, &mine(done)).await?;
    }
    Ok(summary)
}

async fn send(store: &Store, channel: Channel, address: &str, title: &str, body: &str) -> Result<(), String> {
    match channel {
        Channel::Email => match &store.notice.email {
            Some(e) => e.send(address, title, body).await,
            None => Err("未配置邮件服务器".into()),
        },
        Channel::Sms => match &store.notice.sms {
            Some(s) => s.send(address, body).await,
            None => Err("未配置短信网关".into()),
        },
        // Written as sent with the reminder: never due.
        Channel::InApp => Ok(()),
    }
}
