//! Column types for the store (feature `sql`): the code enums and [`Date`] are kept in SQL text
//! columns as their canonical codes and ISO dates, so a store row can carry the domain's types
//! and a statement can bind them, on both backends, without a conversion written per field.

use sea_orm::sea_query::{Nullable, Value};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable};

/// A value stored as text: its code when written, parsed back when read.
pub trait TextColumn: Sized {
    const WHAT: &'static str;
    fn to_column(&self) -> String;
    fn from_column(s: &str) -> Option<Self>;
}

/// Reads a text column into a `TextColumn` type; an unknown value is a type error naming it.
pub fn read_text<T: TextColumn, I: ColIdx>(res: &QueryResult, index: I) -> Result<T, TryGetError> {
    let s = String::try_get_by(res, index)?;
    T::from_column(&s).ok_or_else(|| TryGetError::DbErr(DbErr::Type(format!("{}：无法识别的取值“{s}”", T::WHAT))))
}

/// Implements the column traits for a `TextColumn` type (every `code_enum!` gets them).
#[macro_export]
#[doc(hidden)]
macro_rules! sql_text_column {
    ($name:ident) => {
        impl $crate::sql::TextColumn for $name {
            const WHAT: &'static str = stringify!($name);
            fn to_column(&self) -> String {
                self.code().to_string()
            }
            fn from_column(s: &str) -> Option<Self> {
                $name::ALL.iter().copied().find(|v| v.code() == s)
            }
        }
        impl sea_orm::TryGetable for $name {
            fn try_get_by<I: sea_orm::ColIdx>(res: &sea_orm::QueryResult, index: I) -> Result<Self, sea_orm::TryGetError> {
                $crate::sql::read_text(res, index)
            }
        }
        impl From<$name> for sea_orm::Value {
            fn from(v: $name) -> sea_orm::Value {
                sea_orm::Value::String(Some($crate::sql::TextColumn::to_column(&v)))
            }
        }
        impl sea_orm::sea_query::Nullable for $name {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }
    };
}

pub use crate::time::Date;

impl TextColumn for Date {
    const WHAT: &'static str = "日期";
    fn to_column(&self) -> String {
        self.to_string()
    }
    fn from_column(s: &str) -> Option<Self> {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Date)
    }
}

impl TryGetable for Date {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        read_text(res, index)
    }
}

impl From<Date> for Value {
    fn from(d: Date) -> Value {
        Value::String(Some(d.to_column()))
    }
}

impl Nullable for Date {
    fn null() -> Value {
        Value::String(None)
    }
}

/// A [`Period`](crate::period::Period) is kept as its canonical text (`2026Q3`), so per-period
/// counts can be keyed and compared by it on both backends.
impl TextColumn for crate::period::Period {
    const WHAT: &'static str = "期间";
    fn to_column(&self) -> String {
        self.to_string()
    }
    fn from_column(s: &str) -> Option<Self> {
        crate::period::Period::parse(s).ok()
    }
}

impl TryGetable for crate::period::Period {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        read_text(res, index)
    }
}

impl From<crate::period::Period> for Value {
    fn from(p: crate::period::Period) -> Value {
        Value::String(Some(p.to_column()))
    }
}

impl Nullable for crate::period::Period {
    fn null() -> Value {
        Value::String(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::Status;

    #[test]
    fn codes_and_dates_round_trip_through_their_column_text() {
        for s in Status::ALL {
            assert_eq!(Status::from_column(&s.to_column()), Some(*s));
        }
        let d = Date(chrono::NaiveDate::from_ymd_opt(2024, 2, 29).expect("date"));
        assert_eq!(d.to_column(), "2024-02-29");
        assert_eq!(Date::from_column("2024-02-29"), Some(d));
    }

    #[test]
    fn a_column_holds_codes_not_labels() {
        // Labels are accepted from people (`parse`), never from the database.
        assert_eq!(Status::from_column("正式党员"), None);
        assert_eq!(Date::from_column("2024-2-30"), None);
        assert!(matches!(Value::from(Status::Full), Value::String(Some(ref s)) if s == "full"));
        assert!(matches!(<Status as Nullable>::null(), Value::String(None)));
    }
}
