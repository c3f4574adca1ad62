use chrono::{DateTime, Datelike, NaiveDate};
use proptest::prelude::*;
use serde::Deserialize;
use serde::de::IntoDeserializer;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

#[test]
fn parses_every_form_and_writes_it_back() {
    for s in ["2026", "2026H1", "2026H2", "2026Q3", "2026-07", "2026-W31", "2026-W01", "2026-W53"] {
        assert_eq!(p(s).to_string(), s);
    }
    // Lower-case letters and surrounding spaces are accepted, the canonical text is written.
    assert_eq!(p(" 2026q3 ").to_string(), "2026Q3");
    assert_eq!(p("2026h2").to_string(), "2026H2");
    assert_eq!(p("2026-w05").to_string(), "2026-W05");
}

#[test]
fn refuses_bad_text_naming_it_and_the_forms() {
    for s in ["", "26", "2026Q5", "2026Q0", "2026H3", "2026-13", "2026-00", "2026-7", "2026-W5", "2026-W54", "2026W31", "二〇二六", "2026年", "2026-07-01", "+2026"] {
        let e = Period::parse(s).unwrap_err();
        assert_eq!(e.field, "period");
        assert_eq!(e.code, "invalid_period");
        assert!(e.message.contains(s.trim()), "{s}: {}", e.message);
    }
    assert!(Period::parse("2026-7").unwrap_err().message.contains("2026-W31"));
    // 2025 starts on a Wednesday and is not a leap year: 52 ISO weeks.
    let e = Period::parse("2025-W53").unwrap_err();
    assert!(e.message.contains("52 周"), "{}", e.message);
    assert!(Period::parse("0999").is_err());
}

#[test]
fn first_and_last_days() {
    assert_eq!((p("2026").first_day(), p("2026").last_day()), (d(2026, 1, 1), d(2026, 12, 31)));
    assert_eq!((p("2026H1").first_day(), p("2026H1").last_day()), (d(2026, 1, 1), d(2026, 6, 30)));
    assert_eq!((p("2026H2").first_day(), p("2026H2").last_day()), (d(2026, 7, 1), d(2026, 12, 31)));
    // Quarters end on 31 March, 30 June, 30 September and 31 December.
    let ends: Vec<_> = (1..=4).map(|q| Period::new(PeriodKind::Quarter, 2026, q).unwrap().last_day()).collect();
    assert_eq!(ends, [d(2026, 3, 31), d(2026, 6, 30), d(2026, 9, 30), d(2026, 12, 31)]);
    assert_eq!(p("2026Q3").first_day(), d(2026, 7, 1));
    assert_eq!(p("2026-07").last_day(), d(2026, 7, 31));
    assert_eq!(p("2026-W31").first_day(), d(2026, 7, 27));
    assert_eq!(p("2026-W31").last_day(), d(2026, 8, 2));
}

#[test]
fn leap_years() {
    assert_eq!(p("2024-02").last_day(), d(2024, 2, 29));
    assert_eq!(p("2026-02").last_day(), d(2026, 2, 28));
    assert_eq!(p("2000-02").last_day(), d(2000, 2, 29));
    assert_eq!(p("2100-02").last_day(), d(2100, 2, 28));
    assert_eq!((p("2024Q1").days(), p("2025Q1").days()), (91, 90));
    assert_eq!((p("2024").days(), p("2026").days()), (366, 365));
    assert_eq!(Period::containing(PeriodKind::Quarter, d(2024, 2, 29)), Some(p("2024Q1")));
}

#[test]
fn iso_weeks_straddling_two_years() {
    // 1 January 2026 is a Thursday, so 2026 has 53 ISO weeks; its last one ends in 2027.
    assert_eq!(iso_weeks_in(2026), 53);
    assert_eq!(p("2026-W53").first_day(), d(2026, 12, 28));
    assert_eq!(p("2026-W53").last_day(), d(2027, 1, 3));
    assert_eq!(Period::containing(PeriodKind::Week, d(2027, 1, 1)), Some(p("2026-W53")));
    assert_eq!(p("2026-W53").next(), Some(p("2027-W01")));
    assert_eq!(p("2027-W01").first_day(), d(2027, 1, 4));
    // Week 1 is the week with the year's first Thursday: 2025-W01 begins on 30 December 2024.
    assert_eq!(p("2025-W01").first_day(), d(2024, 12, 30));
    assert_eq!(Period::containing(PeriodKind::Week, d(2024, 12, 31)), Some(p("2025-W01")));
    assert_eq!(p("2025-W01").prev(), Some(p("2024-W52")));
    // A leap year starting on a Wednesday also has 53 weeks (2020); 2021 and 2025 have 52.
    assert_eq!((iso_weeks_in(2020), iso_weeks_in(2021), iso_weeks_in(2025)), (53, 52, 52));
    assert_eq!(Period::containing(PeriodKind::Week, d(2021, 1, 3)), Some(p("2020-W53")));
    // The week belongs to its ISO year; the same days belong to two calendar years and months.
    assert_eq!(p("2026-W53").overlapping(PeriodKind::Year), [p("2026"), p("2027")]);
    assert_eq!(p("2026-W53").overlapping(PeriodKind::Month), [p("2026-12"), p("2027-01")]);
}

#[test]
fn next_and_prev_wrap_at_year_ends() {
    assert_eq!(p("2026Q4").next(), Some(p("2027Q1")));
    assert_eq!(p("2027Q1").prev(), Some(p("2026Q4")));
    assert_eq!(p("2026H2").next(), Some(p("2027H1")));
    assert_eq!(p("2026-12").next(), Some(p("2027-01")));
    assert_eq!(p("2026").prev(), Some(p("2025")));
    assert_eq!(p("9999").next(), None);
    assert_eq!(p("1000-01").prev(), None);
}

#[test]
fn overlapping_periods() {
    assert_eq!(p("2026Q3").overlapping(PeriodKind::Month), [p("2026-07"), p("2026-08"), p("2026-09")]);
    assert_eq!(p("2026-08").overlapping(PeriodKind::Year), [p("2026")]);
    assert_eq!(p("2026Q3").overlapping(PeriodKind::Quarter), [p("2026Q3")]);
    assert_eq!(p("2026H1").overlapping(PeriodKind::Quarter), [p("2026Q1"), p("2026Q2")]);
}

#[test]
fn cst_midnight_decides_the_period_of_an_instant() {
    // 15:59:59Z on 30 September is 23:59:59 in Beijing: still the third quarter.
    let before = DateTime::parse_from_rfc3339("2026-09-30T15:59:59Z").unwrap();
    let after = DateTime::parse_from_rfc3339("2026-09-30T16:00:00Z").unwrap();
    let q = |t: DateTime<chrono::FixedOffset>| Period::containing(PeriodKind::Quarter, t.with_timezone(&crate::time::cst()).date_naive());
    assert_eq!(q(before), Some(p("2026Q3")));
    assert_eq!(q(after), Some(p("2026Q4")));
}

#[test]
fn frequencies_map_to_granularities() {
    assert_eq!(Frequency::Monthly.granularity(), PeriodKind::Month);
    assert_eq!(Frequency::Quarterly.granularity(), PeriodKind::Quarter);
    assert_eq!(Frequency::HalfYearly.granularity(), PeriodKind::Half);
    assert_eq!(Frequency::Yearly.granularity(), PeriodKind::Year);
    assert_eq!(Frequency::parse("half_yearly"), Some(Frequency::HalfYearly));
    assert_eq!(Frequency::parse("每季度"), Some(Frequency::Quarterly));
    for f in Frequency::ALL {
        assert_eq!(p("2026").overlapping(f.granularity()).len() as u32, f.per_year());
    }
}

#[test]
fn serde_reads_the_text_and_names_a_bad_value() {
    let de = |s: &'static str| -> Result<Period, serde::de::value::Error> { Period::deserialize(s.into_deserializer()) };
    assert_eq!(de("2026Q3").unwrap(), p("2026Q3"));
    let e = de("2026Q9").unwrap_err().to_string();
    assert!(e.contains("2026Q9"), "{e}");
    assert_eq!("2026-W31".parse::<Period>().unwrap(), p("2026-W31"));
}

fn any_kind() -> impl Strategy<Value = PeriodKind> {
    prop::sample::select(PeriodKind::ALL.to_vec())
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // 1900-01-01 to 2199-12-31: century rules, leap years and 53-week years all appear.
    (0u64..109_572).prop_map(|n| d(1900, 1, 1) + chrono::Days::new(n))
}

fn any_period() -> impl Strategy<Value = Period> {
    (any_kind(), any_day()).prop_map(|(k, day)| Period::containing(k, day).unwrap())
}

proptest! {
    #[test]
    fn display_then_parse_is_identity(period in any_period()) {
        prop_assert_eq!(Period::parse(&period.to_string()).unwrap(), period);
    }

    #[test]
    fn every_day_is_in_exactly_one_period_of_each_kind(day in any_day(), kind in any_kind()) {
        let period = Period::containing(kind, day).unwrap();
        prop_assert!(period.contains(day));
        prop_assert!(!period.prev().unwrap().contains(day));
        prop_assert!(!period.next().unwrap().contains(day));
        // Neighbours touch: no day falls between two periods.
        prop_assert_eq!(period.prev().unwrap().last_day().succ_opt().unwrap(), period.first_day());
        prop_assert_eq!(period.next().unwrap().first_day(), period.last_day().succ_opt().unwrap());
    }

    #[test]
    fn next_and_prev_are_inverse(period in any_period()) {
        prop_assert_eq!(period.next().unwrap().prev().unwrap(), period);
        prop_assert!(period.next().unwrap() > period);
    }

    #[test]
    fn smaller_periods_nest_in_larger(day in any_day()) {
        let m = Period::containing(PeriodKind::Month, day).unwrap();
        let q = Period::containing(PeriodKind::Quarter, day).unwrap();
        let h = Period::containing(PeriodKind::Half, day).unwrap();
        let y = Period::containing(PeriodKind::Year, day).unwrap();
        prop_assert!(q.contains(m.first_day()) && q.contains(m.last_day()));
        prop_assert!(h.contains(q.first_day()) && h.contains(q.last_day()));
        prop_assert!(y.contains(h.first_day()) && y.contains(h.last_day()));
        prop_assert_eq!(Period::containing(PeriodKind::Week, day).unwrap().days(), 7);
        prop_assert_eq!(y.days(), if y.last_day().leap_year() { 366 } else { 365 });
        prop_assert_eq!(y.year(), day.year());
    }
}
