//! 期间 — the calendar periods obligations are counted in: a year `2026`, a half `2026H1`, a
//! quarter `2026Q3`, a month `2026-07` or an ISO week `2026-W31`. Parsed once from text; the
//! days are China Standard Time calendar days (a UTC instant becomes a date through
//! [`crate::time::cst`] before it meets a period).

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::{code_enum, Invalid};

code_enum! {
    /// 期间粒度 — how long a period is.
    PeriodKind {
        Year = "year" / "年",
        Half = "half" / "半年",
        Quarter = "quarter" / "季度",
        Month = "month" / "月",
        Week = "week" / "周",
    }
}

code_enum! {
    /// 频次 — how often a rule asks for something; each maps to the period it is counted in.
    Frequency {
        Monthly = "monthly" / "每月",
        Quarterly = "quarterly" / "每季度",
        HalfYearly = "half_yearly" / "每半年",
        Yearly = "yearly" / "每年",
    }
}

impl Frequency {
    pub fn granularity(self) -> PeriodKind {
        match self {
            Frequency::Monthly => PeriodKind::Month,
            Frequency::Quarterly => PeriodKind::Quarter,
            Frequency::HalfYearly => PeriodKind::Half,
            Frequency::Yearly => PeriodKind::Year,
        }
    }

    /// How many of its periods make a year: months, quarters and halves all nest in the year,
    /// which is what lets a rule set compare two frequencies.
    pub fn per_year(self) -> u32 {
        match self {
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::HalfYearly => 2,
            Frequency::Yearly => 1,
        }
    }
}

/// A period of one of the five granularities. Always valid: the year is written with four
/// digits (1000–9999) and the index is in range (week 53 only in ISO years that have one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    // Field order gives the derived order: by granularity, then chronological within one.
    kind: PeriodKind,
    year: i32,
    /// Half 1–2, quarter 1–4, month 1–12, ISO week 1–53; 1 for a year.
    index: u32,
}

pub const MIN_YEAR: i32 = 1000;
pub const MAX_YEAR: i32 = 9999;

const FORMS: &str = "应为 2026（年）、2026H1（半年）、2026Q3（季度）、2026-07（月）或 2026-W31（周）";

/// ISO 8601: a year has 53 weeks when its 1 January is a Thursday, or a Wednesday in a leap
/// year — equivalently when its 28 December (always in the last week) is in week 53.
pub fn iso_weeks_in(year: i32) -> u32 {
    NaiveDate::from_ymd_opt(year, 12, 28).map_or(52, |d| d.iso_week().week())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a period's days exist in the calendar")
}

impl Period {
    /// Builds a period from its parts, refusing an index out of range.
    pub fn new(kind: PeriodKind, year: i32, index: u32) -> Result<Period, Invalid> {
        let text = match kind {
            PeriodKind::Year => format!("{year}"),
            PeriodKind::Half => format!("{year}H{index}"),
            PeriodKind::Quarter => format!("{year}Q{index}"),
            PeriodKind::Month => format!("{year}-{index:02}"),
            PeriodKind::Week => format!("{year}-W{index:02}"),
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(bad(&text, &format!("年份应在 {MIN_YEAR}–{MAX_YEAR} 之间")));
        }
        let max = match kind {
            PeriodKind::Year => 1,
            PeriodKind::Half => 2,
            PeriodKind::Quarter => 4,
            PeriodKind::Month => 12,
            PeriodKind::Week => iso_weeks_in(year),
        };
        if index == 0 || index > max {
            let why = match kind {
                PeriodKind::Week => format!("{year} 年（ISO 周年）只有 {max} 周"),
                _ => format!("{}序号应在 1–{max} 之间", kind.label()),
            };
            return Err(bad(&text, &why));
        }
        Ok(Period { kind, year, index })
    }

    /// Parses the canonical text; the letters H, Q and W may also be written in lower case.
    pub fn parse(s: &str) -> Result<Period, Invalid> {
        let t = s.trim();
        let (year, rest) = match (t.get(..4), t.get(4..)) {
            (Some(y), Some(rest)) if y.bytes().all(|b| b.is_ascii_digit()) => (y, rest),
            _ => return Err(bad(t, FORMS)),
        };
        let year: i32 = year.parse().map_err(|_| bad(t, FORMS))?;
        let number = |digits: &str, len: usize| -> Result<u32, Invalid> {
            if digits.len() == len && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.parse().map_err(|_| bad(t, FORMS))
            } else {
                Err(bad(t, FORMS))
            }
        };
        let upper = rest.to_ascii_uppercase();
        let (kind, index) = if upper.is_empty() {
            (PeriodKind::Year, 1)
        } else if let Some(i) = upper.strip_prefix('H') {
            (PeriodKind::Half, number(i, 1)?)
        } else if let Some(i) = upper.strip_prefix('Q') {
            (PeriodKind::Quarter, number(i, 1)?)
        } else if let Some(i) = upper.strip_prefix("-W") {
            (PeriodKind::Week, number(i, 2)?)
        } else if let Some(i) = upper.strip_prefix('-') {
            (PeriodKind::Month, number(i, 2)?)
        } else {
            return Err(bad(t, FORMS));
        };
        Period::new(kind, year, index)
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// The calendar year, or for a week its ISO week-numbering year (2026-W53 ends in 2027).
    pub fn year(self) -> i32 {
        self.year
    }

    pub fn index(self) -> u32 {
        self.index
    }

    pub fn first_day(self) -> NaiveDate {
        match self.kind {
            PeriodKind::Year => date(self.year, 1, 1),
            PeriodKind::Half => date(self.year, 6 * self.index - 5, 1),
            PeriodKind::Quarter => date(self.year, 3 * self.index - 2, 1),
            PeriodKind::Month => date(self.year, self.index, 1),
            PeriodKind::Week => NaiveDate::from_isoywd_opt(self.year, self.index, Weekday::Mon)
                .expect("the week was checked against its ISO year"),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        let last_month = match self.kind {
            PeriodKind::Year => 12,
            PeriodKind::Half => 6 * self.index,
            PeriodKind::Quarter => 3 * self.index,
            PeriodKind::Month => self.index,
            PeriodKind::Week => return self.first_day() + Days::new(6),
        };
        // The day before the first of the following month: no month-length table to get wrong.
        let (y, m) = if last_month == 12 { (self.year + 1, 1) } else { (self.year, last_month + 1) };
        date(y, m, 1).pred_opt().expect("the day before a first of the month exists")
    }

    /// Number of days in the period (28–366).
    pub fn days(self) -> u32 {
        (self.last_day() - self.first_day()).num_days() as u32 + 1
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// The period of the given granularity that contains `day`; `None` for a day whose period
    /// would fall outside the years 1000–9999.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Option<Period> {
        let (year, index) = match kind {
            PeriodKind::Year => (day.year(), 1),
            PeriodKind::Half => (day.year(), if day.month() <= 6 { 1 } else { 2 }),
            PeriodKind::Quarter => (day.year(), (day.month() - 1) / 3 + 1),
            PeriodKind::Month => (day.year(), day.month()),
            PeriodKind::Week => {
                let w = day.iso_week();
                (w.year(), w.week())
            }
        };
        Period::new(kind, year, index).ok()
    }

    /// The period right after this one, of the same granularity.
    pub fn next(self) -> Option<Period> {
        Period::containing(self.kind, self.last_day().succ_opt()?)
    }

    /// The period right before this one, of the same granularity.
    pub fn prev(self) -> Option<Period> {
        Period::containing(self.kind, self.first_day().pred_opt()?)
    }

    /// The periods of `kind` that share at least one day with this one, in order: the three
    /// months of a quarter, the year of a month, or the two months a week straddles.
    pub fn overlapping(self, kind: PeriodKind) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = Period::containing(kind, self.first_day());
        while let Some(q) = p {
            if q.first_day() > self.last_day() {
                break;
            }
            out.push(q);
            p = q.next();
        }
        out
    }
}

fn bad(value: &str, why: &str) -> Invalid {
    Invalid::new("period", "invalid_period", format!("期间“{value}”不正确：{why}"))
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PeriodKind::Year => write!(f, "{}", self.year),
            PeriodKind::Half => write!(f, "{}H{}", self.year, self.index),
            PeriodKind::Quarter => write!(f, "{}Q{}", self.year, self.index),
            PeriodKind::Month => write!(f, "{}-{:02}", self.year, self.index),
            PeriodKind::Week => write!(f, "{}-W{:02}", self.year, self.index),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Period, Invalid> {
        Period::parse(s)
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Period::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests;
