//! 自行脱党预警 — a member who, without proper reason, for 6 consecutive months does not take
//! part in organisational life is regarded as having left the party (党章 art. 9; 教育管理条例
//! art. 31). The software warns at 3 and 5 months and lists the case at 6 (DOMAIN.md
//! "Members"); people decide, the software only counts months.

use chrono::{Months, NaiveDate};

use crate::code_enum;

code_enum! {
    /// 组织生活参与预警 — how long a member has gone without organisational life.
    Lapse {
        Participating = "none" / "正常",
        Warn3 = "warn3" / "已连续3个月未参加组织生活",
        Warn5 = "warn5" / "已连续5个月未参加组织生活",
        Lapse6 = "lapse6" / "已连续6个月未参加组织生活（党章第九条情形）",
    }
}

/// Whole calendar months from `since` to `today` (CST dates): the largest n with
/// `since + n months <= today`, where adding months keeps the day of the month or falls back
/// to the month's last day (31 August + 6 months = 28 or 29 February).
pub fn months_between(since: NaiveDate, today: NaiveDate) -> u32 {
    use chrono::Datelike;
    if today <= since {
        return 0;
    }
    let guess = ((today.year() - since.year()) * 12 + today.month() as i32 - since.month() as i32) as u32;
    // The guess overshoots by one when today's day of the month comes before since's.
    match since.checked_add_months(Months::new(guess)) {
        Some(d) if d <= today => guess,
        _ => guess.saturating_sub(1),
    }
}

/// The stage of a member whose last organisational life (attended, or excused with a reason:
/// leave does not count as absence, issue 10) was `last_attended`, or who joined on `joined_on`
/// and has attended nothing since; the later of the two counts.
pub fn member_lapse(last_attended: Option<NaiveDate>, joined_on: NaiveDate, today: NaiveDate) -> Lapse {
    let since = last_attended.map_or(joined_on, |d| d.max(joined_on));
    match months_between(since, today) {
        0..=2 => Lapse::Participating,
        3..=4 => Lapse::Warn3,
        5 => Lapse::Warn5,
        _ => Lapse::Lapse6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn stages_at_three_five_and_six_months() {
        let since = d(2026, 3, 15);
        let at = |t| member_lapse(Some(since), d(2020, 1, 1), t);
        assert_eq!(at(d(2026, 3, 15)), Lapse::Participating);
        assert_eq!(at(d(2026, 6, 14)), Lapse::Participating);
        assert_eq!(at(d(2026, 6, 15)), Lapse::Warn3);
        assert_eq!(at(d(2026, 8, 14)), Lapse::Warn3);
        assert_eq!(at(d(2026, 8, 15)), Lapse::Warn5);
        assert_eq!(at(d(2026, 9, 14)), Lapse::Warn5);
        assert_eq!(at(d(2026, 9, 15)), Lapse::Lapse6);
        assert_eq!(at(d(2027, 9, 15)), Lapse::Lapse6);
    }

    #[test]
    fn month_ends_fall_back_to_the_last_day() {
        // 31 January + 3 months is 30 April (April has no 31st).
        let since = d(2026, 1, 31);
        assert_eq!(member_lapse(Some(since), since, d(2026, 4, 29)), Lapse::Participating);
        assert_eq!(member_lapse(Some(since), since, d(2026, 4, 30)), Lapse::Warn3);
        // 31 August 2023 + 6 months is 29 February 2024 (leap year) …
        let since = d(2023, 8, 31);
        assert_eq!(member_lapse(Some(since), since, d(2024, 2, 28)), Lapse::Warn5);
        assert_eq!(member_lapse(Some(since), since, d(2024, 2, 29)), Lapse::Lapse6);
        // … and 28 February 2025 in a common year.
        let since = d(2024, 8, 31);
        assert_eq!(member_lapse(Some(since), since, d(2025, 2, 27)), Lapse::Warn5);
        assert_eq!(member_lapse(Some(since), since, d(2025, 2, 28)), Lapse::Lapse6);
    }

    #[test]
    fn from_29_february() {
        let since = d(2024, 2, 29);
        assert_eq!(months_between(since, d(2024, 5, 28)), 2);
        assert_eq!(months_between(since, d(2024, 5, 29)), 3);
        assert_eq!(member_lapse(Some(since), since, d(2024, 8, 28)), Lapse::Warn5);
        assert_eq!(member_lapse(Some(since), since, d(2024, 8, 29)), Lapse::Lapse6);
        assert_eq!(months_between(since, d(2025, 2, 28)), 12);
    }

    #[test]
    fn a_member_who_never_attended_counts_from_joining() {
        let joined = d(2026, 1, 10);
        assert_eq!(member_lapse(None, joined, d(2026, 4, 9)), Lapse::Participating);
        assert_eq!(member_lapse(None, joined, d(2026, 4, 10)), Lapse::Warn3);
        // An attendance before the member joined here (elsewhere, before a transfer) does not
        // push the count back before joining.
        assert_eq!(member_lapse(Some(d(2025, 1, 1)), joined, d(2026, 4, 9)), Lapse::Participating);
        // A date in the future (clock skew) is not a lapse.
        assert_eq!(months_between(d(2026, 5, 1), d(2026, 4, 1)), 0);
    }
}
