//! 提醒 — reminders of the organisational-life obligations (issue 10). Once a day `remind`
//! walks every tree with the obligations engine and writes, for the secretaries of each
//! organisation, what falls due within a few days and what became overdue; every minute
//! `deliver` sends the email and SMS deliveries that are due, each claimed by one node.
//!
//! Who is reminded: the accounts bound to members holding a current 书记 or 副书记 post of
//! the organisation, A or B holder (the AB角 B holder of 书记 is usually the 副书记). They are
//! answerable for the organisation's life (DESIGN.md "Who uses it"); organisation
//! administrators see the obligations on the compliance report and the delivery state here,
//! and are not reminded of every organisation of their scope.

mod channel;
mod deliver;
mod read;
mod remind;

pub use channel::{NoticeSettings, Notifier, SmsSettings, SmtpSettings};
pub use deliver::{deliver, DeliverSummary};
pub use read::{contact, deliveries, list, mark_read, set_email, unread_count, Contact, Delivery, NoticeQuery, Notification, OrgDeliveries, OrgNotice, Recipient, BELL_CAP};
pub use remind::{remind, remind_within, RemindSummary};
