//! Calendar rules run in China Standard Time (UTC+8, no DST); timestamps are stored in UTC seconds.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const CST_SECONDS: i32 = 8 * 3600;

pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(CST_SECONDS).expect("UTC+8 is a valid offset")
}

pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

/// Today's date in China, which is what "today" means in every rule.
pub fn today_cst() -> NaiveDate {
    Utc::now().with_timezone(&cst()).date_naive()
}

/// The calendar day in China of a stored UTC timestamp.
pub fn cst_date(unix: i64) -> NaiveDate {
    DateTime::from_timestamp(unix, 0).map(|t| t.with_timezone(&cst()).date_naive()).unwrap_or_default()
}

/// Formats a stored UTC timestamp for display in China Standard Time.
pub fn format_unix_cst(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&cst()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Dates are exchanged and stored as `YYYY-MM-DD` text on both backends.
pub fn parse_date(field: &'static str, label: &str, s: &str) -> Result<NaiveDate, crate::Invalid> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        crate::Invalid::new(field, "invalid_date", format!("{label}格式不正确，应为 年-月-日，如 2021-07-01"))
    })
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A calendar date as records carry it: serialised, stored and shown as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl std::ops::Deref for Date {
    type Target = NaiveDate;
    fn deref(&self) -> &NaiveDate {
        &self.0
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Date {
        Date(d)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map(Date).map_err(|_| serde::de::Error::custom(format!("日期“{s}”格式不正确，应为 年-月-日")))
    }
}
