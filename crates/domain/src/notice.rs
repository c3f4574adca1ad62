//! 提醒 — reminders of the organisational-life obligations: what falls due within a few days and
//! what became overdue, written once per recipient, organisation, obligation and period, and
//! delivered in the application (the bell), by email and by SMS with retries (issue 10).
//! A reminder names a fact of the record and a date; it never asks anyone to check in.

use chrono::NaiveDate;

use crate::code_enum;
use crate::life::obligation::Obligation;
use crate::period::{Period, PeriodKind};

code_enum! {
    /// 提醒类别 — why a reminder was written.
    NoticeKind {
        DueSoon = "due_soon" / "即将到期",
        Overdue = "overdue" / "已逾期",
    }
}

code_enum! {
    /// 提醒渠道 — where a reminder goes. In-app is the notification itself; email and SMS each
    /// have a delivery row.
    Channel {
        InApp = "in_app" / "站内",
        Email = "email" / "电子邮件",
        Sms = "sms" / "短信",
    }
}

code_enum! {
    /// 投递状态 — a delivery's state. `sending` is held by the node that claimed it, until its
    /// lease (`next_attempt_at`) runs out; `failed` waits for its next attempt.
    DeliveryStatus {
        Pending = "pending" / "待发送",
        Sending = "sending" / "发送中",
        Sent = "sent" / "已发送",
        Failed = "failed" / "发送失败，待重试",
        GaveUp = "gave_up" / "已放弃",
    }
}

/// Seconds to wait after each failed attempt: 1 minute, 5, 15, 1 hour, 4 hours. After the
/// sixth failure (about five and a half hours after the first) the delivery is given up: a
/// reminder that late has lost its point, and the in-app notification still stands.
const BACKOFF_SECS: &[i64] = &[60, 300, 900, 3600, 4 * 3600];

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = BACKOFF_SECS.len() as u32 + 1;

/// When to try again after `attempts` attempts have failed (1 for the first), in seconds from
/// the failure; `None` once the delivery is to be given up.
pub fn retry_after(attempts: u32) -> Option<i64> {
    let i = usize::try_from(attempts.checked_sub(1)?).ok()?;
    BACKOFF_SECS.get(i).copied()
}

/// Which reminder, if any, an obligation calls for on `today`: due within `days_ahead` days and
/// not met yet; or overdue for at most `days_ahead` days (a reminder months late tells nothing the
/// compliance report does not, and a fresh installation must not flood anyone with the past).
pub fn kind_for(o: &Obligation, today: NaiveDate, days_ahead: u32) -> Option<NoticeKind> {
    use crate::life::obligation::Status;
    let window = i64::from(days_ahead);
    let until_due = (o.due_by.0 - today).num_days();
    match o.status {
        Status::Due if (0..=window).contains(&until_due) => Some(NoticeKind::DueSoon),
        Status::Overdue if (-window..0).contains(&until_due) => Some(NoticeKind::Overdue),
        _ => None,
    }
}

/// A period in words: 2026年, 2026年上半年, 2026年第四季度, 2026年7月, 2026年第31周.
pub fn period_label(p: Period) -> String {
    const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];
    let y = p.year();
    match p.kind() {
        PeriodKind::Year => format!("{y}年"),
        PeriodKind::Half => format!("{y}年{}半年", if p.index() == 1 { "上" } else { "下" }),
        PeriodKind::Quarter => format!("{y}年第{}季度", QUARTERS[(p.index() as usize).clamp(1, 4) - 1]),
        PeriodKind::Month => format!("{y}年{}月", p.index()),
        PeriodKind::Week => format!("{y}年第{}周", p.index()),
    }
}

/// The title and text of a reminder, the same in the bell, the email and the SMS.
pub fn text(kind: NoticeKind, org_name: &str, o: &Obligation) -> (String, String) {
    let what = format!("{}{}", period_label(o.period), o.kind.label());
    let counts = format!("已开{}次，应开{}次", o.held, o.required);
    let title = format!("{}：{what}", kind.label());
    let body = match kind {
        NoticeKind::DueSoon => format!("【组织生活提醒】{org_name}：{what}须于{}前召开（{counts}）。", o.due_by),
        NoticeKind::Overdue => format!("【组织生活提醒】{org_name}：{what}应于{}前召开，已逾期（{counts}），请尽快补开。", o.due_by),
    };
    (title, body)
}

/// Expands the SMS gateway's URL template: `{phone}` and `{text}` become the percent-encoded
/// number and message (RFC 3986 unreserved characters stay as they are), so a message can hold
/// any character without changing the URL's shape.
pub fn expand_sms_url(template: &str, phone: &str, text: &str) -> String {
    template.replace("{phone}", &percent_encode(phone)).replace("{text}", &percent_encode(text))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An address as lists show it: `138****5678`, `z***@example.org`.
pub fn mask_address(channel: Channel, address: &str) -> String {
    match channel {
        Channel::Sms => crate::idcard::mask_phone_str(address),
        _ => match address.split_once('@') {
            Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
            None => "***".into(),
        },
    }
}

/// Checks an email address typed by its owner: one `@`, something on both sides, a dot in the
/// domain, no spaces or control characters, at most 254 characters (RFC 5321).
pub fn parse_email(s: &str) -> Result<String, crate::Invalid> {
    let s = s.trim();
    let bad = || crate::Invalid::new("email", "invalid_email", format!("电子邮箱“{}”格式不正确，应如 name@example.org", s.chars().take(40).collect::<String>()));
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    match s.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') => Ok(s.to_string()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::life::obligation::{ObligationKind, Status};
    use crate::time::Date;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn obligation(status: Status, due_by: NaiveDate) -> Obligation {
        Obligation {
            kind: ObligationKind::BranchGeneralMeeting,
            period: Period::parse("2026Q4").expect("period"),
            required: 1,
            held: 0,
            status,
            not_owed: None,
            due_by: Date(due_by),
            preferred_from: None,
            late_days: None,
        }
    }

    #[test]
    fn back_off_grows_then_gives_up() {
        let waits: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_after).collect();
        assert_eq!(waits, [Some(60), Some(300), Some(900), Some(3600), Some(14_400), None]);
        assert_eq!(retry_after(0), None);
        assert!(BACKOFF_SECS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn reminders_fall_in_the_window() {
        let due = day(2026, 12, 31);
        let o = obligation(Status::Due, due);
        assert_eq!(kind_for(&o, day(2026, 12, 23), 7), None, "eight days ahead");
        assert_eq!(kind_for(&o, day(2026, 12, 24), 7), Some(NoticeKind::DueSoon));
        assert_eq!(kind_for(&o, due, 7), Some(NoticeKind::DueSoon));
        let late = obligation(Status::Overdue, due);
        assert_eq!(kind_for(&late, day(2027, 1, 1), 7), Some(NoticeKind::Overdue));
        assert_eq!(kind_for(&late, day(2027, 1, 7), 7), Some(NoticeKind::Overdue));
        assert_eq!(kind_for(&late, day(2027, 1, 8), 7), None, "too old to remind of");
        assert_eq!(kind_for(&obligation(Status::Done, due), day(2026, 12, 30), 7), None);
        assert_eq!(kind_for(&obligation(Status::NotOwed, due), day(2026, 12, 30), 7), None);
    }

    #[test]
    fn the_text_names_the_organisation_the_meeting_and_the_date() {
        let (title, body) = text(NoticeKind::DueSoon, "第一党支部", &obligation(Status::Due, day(2026, 12, 31)));
        assert_eq!(title, "即将到期：2026年第四季度支部党员大会");
        assert_eq!(body, "【组织生活提醒】第一党支部：2026年第四季度支部党员大会须于2026-12-31前召开（已开0次，应开1次）。");
        let (_, late) = text(NoticeKind::Overdue, "第一党支部", &obligation(Status::Overdue, day(2026, 12, 31)));
        assert!(late.contains("已逾期") && late.contains("补开"), "{late}");
    }

    #[test]
    fn periods_in_words() {
        let p = |s: &str| period_label(Period::parse(s).expect("period"));
        assert_eq!([p("2026"), p("2026H2"), p("2026Q1"), p("2026-07"), p("2026-W31")], ["2026年", "2026年下半年", "2026年第一季度", "2026年7月", "2026年第31周"]);
    }

    #[test]
    fn sms_urls_encode_the_number_and_the_text() {
        let url = expand_sms_url("http://gw.local/send?to={phone}&msg={text}&sign=dj", "+8613800138000", "提醒 a&b=c/d");
        assert_eq!(url, "http://gw.local/send?to=%2B8613800138000&msg=%E6%8F%90%E9%86%92%20a%26b%3Dc%2Fd&sign=dj");
        assert_eq!(expand_sms_url("http://gw/{phone}", "138-00_1.~", ""), "http://gw/138-00_1.~");
        assert_eq!(expand_sms_url("http://gw/fixed", "1", "x"), "http://gw/fixed");
    }

    #[test]
    fn addresses_are_masked_and_emails_checked() {
        assert_eq!(mask_address(Channel::Sms, "13800138000"), "138****8000");
        assert_eq!(mask_address(Channel::Email, "zhang@example.org"), "z***@example.org");
        assert_eq!(parse_email(" zhang@example.org ").as_deref(), Ok("zhang@example.org"));
        for bad in ["", "zhang", "@example.org", "zhang@", "zhang@example", "a b@example.org", "a@b@example.org", "zhang@.org"] {
            assert_eq!(parse_email(bad).map_err(|e| e.field), Err("email"), "{bad:?}");
        }
    }
}
