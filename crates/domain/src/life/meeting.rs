//! 会议记录 — a meeting record: which kinds it counts as, when and where it was held, what was
//! decided, and who attended. Rates are computed from the attendance, never typed.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate};

use crate::org::OrgKind;
use crate::period::{Period, PeriodKind};
use crate::text::{parse_name, parse_optional_name, parse_text};
use crate::{code_enum, Invalid};

code_enum! {
    /// 会议类别 — the kinds of organisational life (DOMAIN.md canonical codes).
    MeetingKind {
        BranchGeneralMeeting = "branch_general_meeting" / "支部党员大会",
        BranchCommitteeMeeting = "branch_committee_meeting" / "支部委员会",
        GroupMeeting = "group_meeting" / "党小组会",
        PartyLecture = "party_lecture" / "党课",
        ThemeDay = "theme_day" / "主题党日",
        OrgLifeMeeting = "org_life_meeting" / "组织生活会",
        MemberAppraisal = "member_appraisal" / "民主评议党员",
        DemocraticLifeMeeting = "democratic_life_meeting" / "民主生活会",
        CentralGroupStudy = "central_group_study" / "中心组学习",
        HeartToHeartTalk = "heart_to_heart_talk" / "谈心谈话",
    }
}

code_enum! {
    /// 出席情况 — a member's attendance at a meeting.
    AttendanceStatus {
        Present = "present" / "出席",
        Leave = "leave" / "请假",
        Absent = "absent" / "缺席",
    }
}

impl MeetingKind {
    /// Which organisations hold this kind of meeting (DOMAIN.md "Organisational life", column
    /// "who"). 支部党员大会, 支委会, 党课, 主题党日, 组织生活会 and 民主评议党员 are a branch's
    /// (支部条例 art. 11, 12, 16–18); the 党小组会 is the 党小组's (art. 13); the 民主生活会 is a
    /// leadership team's — 党组, 机关党委, 党委 (民主生活会若干规定); the 中心组学习 is a 党委(党组)
    /// theory study centre group's, which agencies also run in the 机关党委 and the 工委 (seed 001).
    pub fn held_by(self, org: OrgKind) -> bool {
        use MeetingKind::*;
        match self {
            BranchGeneralMeeting | BranchCommitteeMeeting | PartyLecture | ThemeDay | OrgLifeMeeting | MemberAppraisal | HeartToHeartTalk => org.is_branch(),
            GroupMeeting => org == OrgKind::Group,
            DemocraticLifeMeeting => matches!(org, OrgKind::LeadingGroup | OrgKind::AgencyCommittee | OrgKind::Committee),
            CentralGroupStudy => matches!(org, OrgKind::Committee | OrgKind::LeadingGroup | OrgKind::AgencyCommittee | OrgKind::WorkingCommittee),
        }
    }

    /// A record of a 谈心谈话 lists those who talked (支部条例 art. 19: between committee members,
    /// the committee and members, and members), not a roster that should have attended.
    pub fn lists_participants_only(kinds: &[MeetingKind]) -> bool {
        kinds == [MeetingKind::HeartToHeartTalk]
    }

    /// The kinds an organisation of `org` kind may record, for forms.
    pub fn held_by_kind(org: OrgKind) -> Vec<MeetingKind> {
        MeetingKind::ALL.iter().copied().filter(|k| k.held_by(org)).collect()
    }
}

/// One member's attendance as sent: all text but the id; `status` is `present`, `leave` or
/// `absent` (or 出席/请假/缺席), a leave needs its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AttendanceInput {
    pub member_id: i64,
    pub status: String,
    pub reason: String,
}

/// 列席人员 — someone from outside who sat in (a 工委 officer at a 中心组学习, seed 001).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GuestInput {
    pub name: String,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guest {
    pub name: String,
    pub unit: String,
}

/// How a note of a meeting record is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// One line, may be empty.
    Line,
    /// One line, required.
    Required,
    /// One line, required when the record counts as a 党课 (支部条例: the 书记 gives at least
    /// one a year, so a lecture has someone who gives it and a subject).
    Lecture,
    /// Several lines (议程, 记录, 决定), may be empty.
    Text,
}

/// One note field: its code (the input's field, the column, the JSON key), label and limit.
#[derive(Debug, Clone, Copy)]
pub struct NoteField {
    pub code: &'static str,
    pub label: &'static str,
    pub kind: NoteKind,
    pub max: usize,
    pub get: fn(&MeetingNotes) -> &String,
    pub get_mut: fn(&mut MeetingNotes) -> &mut String,
}

/// Declares the notes of a meeting record once: the flat input (forms and API bodies name each
/// field, and serde's errors then name it too), the checked [`MeetingNotes`] that the store
/// reads and writes by walking [`MeetingNotes::FIELDS`], and the copy between the two.
macro_rules! meeting_notes {
    ($( $(#[$doc:meta])* $field:ident : $label:literal => $kind:ident { max: $max:expr } ; )*) => {
        /// A meeting record as a form or an API body gives it. Every problem comes back at once
        /// as field errors, so the fields are text here; `kinds` takes codes or labels, and one
        /// record may count as several kinds.
        #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(default)]
        pub struct MeetingInput {
            pub org_id: i64,
            /// e.g. `["branch_general_meeting", "party_lecture"]`.
            pub kinds: Vec<String>,
            /// Kinds the installation added (codes or names), e.g. `["integrity_education"]`.
            pub local_kinds: Vec<String>,
            /// RFC 3339 with an offset, e.g. `2026-07-01T15:00:00+08:00`.
            pub starts_at: String,
            /// 补开: the earlier period this record makes up (`2026-08`, `2026Q3`, …); it then
            /// counts for that period, as a late record, instead of the period of its date.
            pub makes_up: String,
            $( $(#[$doc])* pub $field: String, )*
            /// Absent or empty: everyone on the organisation's roster attended.
            pub attendance: Vec<AttendanceInput>,
            pub guests: Vec<GuestInput>,
            /// 表决事项 of a 支部党员大会, with the counts; the result is computed.
            pub motions: Vec<crate::life::vote::MotionInput>,
            /// For a correction: the version being corrected, so that two people correcting the
            /// same record do not overwrite each other unseen (the store refuses an older one).
            pub version: Option<i64>,
        }

        /// The notes of a meeting record (地点, 主持人, 记录人, 党课, 主题, 议程, 记录, 决定),
        /// checked: a column each.
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "sql", derive(sea_orm::FromQueryResult))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct MeetingNotes { $( $(#[$doc])* pub $field: String, )* }

        impl MeetingNotes {
            pub const FIELDS: &'static [NoteField] = &[ $( NoteField {
                code: stringify!($field),
                label: $label,
                kind: NoteKind::$kind,
                max: $max,
                get: |n| &n.$field,
                get_mut: |n| &mut n.$field,
            } ),* ];
            /// The columns, named as the fields.
            pub const COLUMNS: &'static [&'static str] = &[ $( stringify!($field) ),* ];

            /// The notes as typed, unchecked.
            pub fn of(input: &MeetingInput) -> MeetingNotes {
                MeetingNotes { $( $field: input.$field.clone(), )* }
            }

            /// Writes these notes into an input (a correction form starts from the record).
            pub fn fill(&self, input: &mut MeetingInput) {
                $( input.$field.clone_from(&self.$field); )*
            }
        }
    };
}

meeting_notes! {
    place: "会议地点" => Line { max: 100 };
    host: "主持人" => Line { max: 30 };
    recorder: "记录人" => Line { max: 30 };
    /// Required when `kinds` includes `party_lecture`.
    lecturer: "党课授课人" => Lecture { max: 30 };
    /// Required when `kinds` includes `party_lecture`.
    lecture_title: "党课题目" => Lecture { max: TOPIC_MAX };
    topic: "会议主题" => Required { max: TOPIC_MAX };
    agenda: "会议议程" => Text { max: MINUTES_MAX };
    minutes: "会议记录" => Text { max: MINUTES_MAX };
    decisions: "会议决定" => Text { max: MINUTES_MAX };
}

impl MeetingNotes {
    /// Checks every note, each by its kind; `lecture`: the record counts as a 党课.
    fn parse(&self, lecture: bool) -> (MeetingNotes, Vec<Invalid>) {
        let mut errors = Vec::new();
        let mut out = MeetingNotes::default();
        for f in MeetingNotes::FIELDS {
            let s = (f.get)(self);
            let r = match f.kind {
                NoteKind::Required => parse_name(f.code, f.label, s, f.max),
                NoteKind::Lecture if lecture => parse_name(f.code, f.label, s, f.max),
                NoteKind::Line | NoteKind::Lecture => parse_optional_name(f.code, f.label, s, f.max),
                NoteKind::Text => parse_text(f.code, f.label, s, f.max),
            };
            match r {
                Ok(v) => *(f.get_mut)(&mut out) = v,
                Err(e) => errors.push(e),
            }
        }
        (out, errors)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAttendance {
    pub member_id: i64,
    pub status: AttendanceStatus,
    pub reason: String,
}

/// The fields of a meeting record that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMeeting {
    pub org_id: i64,
    pub kinds: Vec<MeetingKind>,
    /// UTC unix seconds.
    pub starts_at: i64,
    /// The earlier period a 补开 record makes up.
    pub makes_up: Option<Period>,
    pub notes: MeetingNotes,
    pub attendance: Vec<ValidAttendance>,
    pub guests: Vec<Guest>,
    /// Checked against the attendance by the store, which knows who has a vote.
    pub motions: Vec<crate::life::vote::MotionInput>,
}

pub const TOPIC_MAX: usize = 200;
pub const MINUTES_MAX: usize = 20_000;
const REASON_MAX: usize = 200;
const GUESTS_MAX: usize = 100;
/// Seconds a record may lie ahead of the clock (a meeting recorded as it starts, clocks that
/// drift): a record is evidence of a meeting held, not a plan.
const FUTURE_SLACK: i64 = 24 * 3600;

/// Parses `2026-07-01T15:00:00+08:00` into UTC unix seconds; the offset is required, so a time
/// never silently means another zone.
pub fn parse_starts_at(s: &str) -> Result<i64, Invalid> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp())
        .map_err(|_| Invalid::new("starts_at", "invalid_datetime", format!("会议时间“{}”无法识别，应为带时区的时间，如 2026-07-01T15:00:00+08:00", s.trim().chars().take(40).collect::<String>())))
}

/// A stored start as RFC 3339 in China Standard Time: `2026-07-01T15:00:00+08:00`.
pub fn format_starts_at(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0).map(|t| t.with_timezone(&crate::time::cst()).to_rfc3339()).unwrap_or_default()
}

/// The first second of a day in China, as UTC unix seconds: periods and date filters count in
/// China Standard Time.
pub fn cst_day_start(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp() - 8 * 3600
}

/// A 补开 names a period that had ended by the day of the record (China Standard Time); an
/// empty text is no make-up. Weeks are no period of any rule, so a week is refused.
fn parse_makes_up(s: &str, starts_at: Option<i64>) -> Result<Option<Period>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let p = Period::parse(s).map_err(|e| Invalid::new("makes_up", e.code, format!("补开的{}", e.message)))?;
    if p.kind() == PeriodKind::Week {
        return Err(Invalid::new("makes_up", "invalid_period", format!("补开的期间“{p}”是一周：请写所补的月、季度、半年或年，如 2026-08、2026Q3")));
    }
    match starts_at.map(crate::time::cst_date) {
        Some(day) if p.last_day() >= day => Err(Invalid::new(
            "makes_up",
            "not_ended",
            format!("补开的期间“{p}”到 {} 才结束，不早于会议日期 {day}：按期召开的会议不必注明补开", p.last_day()),
        )),
        _ => Ok(Some(p)),
    }
}

fn keep<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl MeetingInput {
    /// Checks every field and reports all problems at once. `now` is the current UTC unix time.
    pub fn validate(&self, now: i64) -> Result<ValidMeeting, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut kinds = Vec::new();
        // Added kinds (自定义会议类别) are the store's to resolve; one of them is a kind too.
        if self.kinds.iter().chain(&self.local_kinds).all(|k| k.trim().is_empty()) {
            errors.push(Invalid::new("kinds", "required", "请至少选择一种会议类别"));
        }
        for k in self.kinds.iter().filter(|k| !k.trim().is_empty()) {
            match MeetingKind::parse(k) {
                Some(kind) if kinds.contains(&kind) => errors.push(Invalid::new("kinds", "duplicate_kind", format!("会议类别“{}”重复", kind.label()))),
                Some(kind) => kinds.push(kind),
                None => errors.push(Invalid::new("kinds", "invalid_kind", format!("会议类别“{}”无法识别", k.trim().chars().take(40).collect::<String>()))),
            }
        }
        let starts_at = keep(&mut errors, parse_starts_at(&self.starts_at).and_then(|t| {
            if t > now + FUTURE_SLACK {
                Err(Invalid::new("starts_at", "in_future", "会议时间晚于当前时间：只能记录已召开的会议"))
            } else {
                Ok(t)
            }
        }));
        let makes_up = keep(&mut errors, parse_makes_up(&self.makes_up, starts_at));
        let (notes, note_errors) = MeetingNotes::of(self).parse(kinds.contains(&MeetingKind::PartyLecture));
        errors.extend(note_errors);
        // 支部条例 art. 11: the 支部党员大会 is where the branch votes.
        if !self.motions.is_empty() && !kinds.contains(&MeetingKind::BranchGeneralMeeting) && !kinds.is_empty() {
            errors.push(Invalid::new("motions", "no_general_meeting", "表决事项只能在支部党员大会上登记：请勾选“支部党员大会”"));
        }

        let mut attendance = Vec::with_capacity(self.attendance.len());
        let mut seen = HashSet::new();
        for (i, a) in self.attendance.iter().enumerate() {
            let row = i + 1;
            if !seen.insert(a.member_id) {
                errors.push(Invalid::new("attendance", "duplicate_member", format!("出席情况第{row}行：党员（编号{}）重复登记", a.member_id)));
                continue;
            }
            let Some(status) = AttendanceStatus::parse(&a.status) else {
                errors.push(Invalid::new("attendance", "invalid_status", format!("出席情况第{row}行：“{}”无法识别，应为出席、请假或缺席", a.status.trim().chars().take(20).collect::<String>())));
                continue;
            };
            let reason = match parse_text("attendance", "请假事由", &a.reason, REASON_MAX) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(Invalid::new("attendance", e.code, format!("出席情况第{row}行：{}", e.message)));
                    continue;
                }
            };
            // Being on leave has a reason; without one it is absence (DOMAIN.md "Lapse").
            if status == AttendanceStatus::Leave && reason.is_empty() {
                errors.push(Invalid::new("attendance", "reason_required", format!("出席情况第{row}行（党员编号{}）：请假须填写事由", a.member_id)));
                continue;
            }
            attendance.push(ValidAttendance { member_id: a.member_id, status, reason });
        }

        let mut guests = Vec::new();
        if self.guests.len() > GUESTS_MAX {
            errors.push(Invalid::new("guests", "too_many", format!("列席人员最多{GUESTS_MAX}人")));
        }
        for g in self.guests.iter().take(GUESTS_MAX) {
            if g.name.trim().is_empty() && g.unit.trim().is_empty() {
                continue;
            }
            match (parse_name("guests", "列席人员姓名", &g.name, 30), parse_optional_name("guests", "列席人员单位", &g.unit, 60)) {
                (Ok(name), Ok(unit)) => guests.push(Guest { name, unit }),
                (Err(e), _) | (_, Err(e)) => errors.push(e),
            }
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidMeeting {
            org_id: self.org_id,
            kinds,
            starts_at: starts_at.expect("checked"),
            makes_up: makes_up.flatten(),
            notes,
            motions: self.motions.clone(),
            attendance,
            guests,
        })
    }
}

/// 出席统计 — counts of one meeting's attendance and the rate computed from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub present: u32,
    pub leave: u32,
    pub absent: u32,
}

impl Tally {
    pub fn of(statuses: impl IntoIterator<Item = AttendanceStatus>) -> Tally {
        statuses.into_iter().fold(Tally::default(), |mut t, s| {
            match s {
                AttendanceStatus::Present => t.present += 1,
                AttendanceStatus::Leave => t.leave += 1,
                AttendanceStatus::Absent => t.absent += 1,
            }
            t
        })
    }

    /// 应到 — those who should attend: everyone listed, on leave or not.
    pub fn expected(&self) -> u32 {
        self.present + self.leave + self.absent
    }

    /// 出席率 in per mille (present over those who should attend), None when nobody should.
    pub fn rate_permille(&self) -> Option<u32> {
        let e = self.expected();
        (e > 0).then(|| (self.present * 1000 + e / 2) / e)
    }

    /// The rate as people read it: `92.3%`, or `—`.
    pub fn rate_text(&self) -> String {
        match self.rate_permille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "—".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_798_000_000; // 2026-12-23

    fn input() -> MeetingInput {
        MeetingInput {
            org_id: 7,
            kinds: vec!["branch_general_meeting".into(), "party_lecture".into()],
            starts_at: "2026-07-01T15:00:00+08:00".into(),
            topic: "学习党章".into(),
            lecturer: "张书记".into(),
            lecture_title: "党章第一章".into(),
            attendance: vec![
                AttendanceInput { member_id: 1, status: "present".into(), reason: String::new() },
                AttendanceInput { member_id: 2, status: "请假".into(), reason: "出差".into() },
            ],
            ..Default::default()
        }
    }

    fn fields(r: Result<ValidMeeting, Vec<Invalid>>) -> Vec<(&'static str, &'static str)> {
        r.expect_err("invalid").iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_good_record_validates_with_utc_seconds() {
        let v = input().validate(NOW).expect("valid");
        assert_eq!(v.kinds, vec![MeetingKind::BranchGeneralMeeting, MeetingKind::PartyLecture]);
        // 15:00 in China is 07:00 UTC.
        assert_eq!(v.starts_at, DateTime::parse_from_rfc3339("2026-07-01T07:00:00Z").unwrap().timestamp());
        assert_eq!(v.attendance[1].status, AttendanceStatus::Leave);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut i = input();
        i.starts_at = "2026-07-01 15:00".into();
        i.kinds = vec!["party_lecture".into(), "tea_party".into(), "党课".into()];
        i.lecturer.clear();
        i.topic = "  ".into();
        i.attendance[1].reason.clear();
        let f = fields(i.validate(NOW));
        for want in [("starts_at", "invalid_datetime"), ("kinds", "invalid_kind"), ("kinds", "duplicate_kind"), ("lecturer", "required"), ("topic", "required"), ("attendance", "reason_required")] {
            assert!(f.contains(&want), "{want:?} in {f:?}");
        }
    }

    #[test]
    fn a_time_without_offset_or_in_the_future_is_refused() {
        let mut i = input();
        i.starts_at = "2026-07-01T15:00:00".into();
        assert_eq!(fields(i.validate(NOW)), vec![("starts_at", "invalid_datetime")]);
        i.starts_at = "2027-07-01T15:00:00+08:00".into();
        assert_eq!(fields(i.validate(NOW)), vec![("starts_at", "in_future")]);
    }

    #[test]
    fn no_kind_and_duplicate_members_are_refused() {
        let mut i = input();
        i.kinds.clear();
        i.attendance.push(AttendanceInput { member_id: 1, status: "absent".into(), reason: String::new() });
        let f = fields(i.validate(NOW));
        assert!(f.contains(&("kinds", "required")) && f.contains(&("attendance", "duplicate_member")), "{f:?}");
    }

    #[test]
    fn lecturer_is_optional_without_a_lecture() {
        let mut i = input();
        i.kinds = vec!["theme_day".into()];
        i.lecturer.clear();
        i.lecture_title.clear();
        assert!(i.validate(NOW).is_ok());
    }

    #[test]
    fn who_holds_which_kind() {
        use MeetingKind::*;
        // 党小组会 only in a 党小组 (支部条例 art. 13).
        assert!(GroupMeeting.held_by(OrgKind::Group));
        assert!(!GroupMeeting.held_by(OrgKind::Branch));
        // Branch meetings in branches, not in a 党组 (which owes no 三会一课).
        for k in [BranchGeneralMeeting, BranchCommitteeMeeting, PartyLecture, ThemeDay, OrgLifeMeeting, MemberAppraisal] {
            assert!(k.held_by(OrgKind::Branch) && k.held_by(OrgKind::JointBranch), "{k:?}");
            assert!(!k.held_by(OrgKind::LeadingGroup) && !k.held_by(OrgKind::Group), "{k:?}");
        }
        // 民主生活会: leadership teams (民主生活会若干规定).
        assert!(DemocraticLifeMeeting.held_by(OrgKind::LeadingGroup) && DemocraticLifeMeeting.held_by(OrgKind::AgencyCommittee));
        assert!(!DemocraticLifeMeeting.held_by(OrgKind::Branch));
        // 中心组学习: 党委, 党组, 机关党委, 工委.
        assert!(CentralGroupStudy.held_by(OrgKind::WorkingCommittee) && !CentralGroupStudy.held_by(OrgKind::GeneralBranch));
        assert_eq!(MeetingKind::held_by_kind(OrgKind::Group), vec![GroupMeeting]);
    }

    #[test]
    fn the_rate_is_present_over_those_who_should_attend() {
        use AttendanceStatus::*;
        let t = Tally::of([Present, Present, Present, Leave, Absent, Present]);
        assert_eq!((t.present, t.leave, t.absent, t.expected()), (4, 1, 1, 6));
        assert_eq!(t.rate_permille(), Some(667));
        assert_eq!(t.rate_text(), "66.7%");
        assert_eq!(Tally::default().rate_text(), "—");
    }

    #[test]
    fn times_are_shown_and_counted_in_china() {
        let t = parse_starts_at("2026-07-01T07:00:00Z").unwrap();
        assert_eq!(format_starts_at(t), "2026-07-01T15:00:00+08:00");
        // 2026-07-01 00:00 in China is 2026-06-30 16:00 UTC.
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(cst_day_start(d), parse_starts_at("2026-06-30T16:00:00Z").unwrap());
    }

    #[test]
    fn guests_need_a_name() {
        let mut i = input();
        i.guests = vec![GuestInput { name: "李某".into(), unit: "市直机关工委".into() }, GuestInput { name: String::new(), unit: "某局".into() }];
        assert_eq!(fields(i.validate(NOW)), vec![("guests", "required")]);
    }

    #[test]
    fn a_make_up_names_a_period_that_had_ended() {
        let mut i = input();
        i.makes_up = "2026Q2".into();
        assert_eq!(i.validate(NOW).expect("valid").makes_up, Some(Period::parse("2026Q2").unwrap()));
        // The quarter of the record's own date has not ended on that day.
        i.makes_up = "2026Q3".into();
        assert_eq!(fields(i.validate(NOW)), vec![("makes_up", "not_ended")]);
        i.makes_up = "2026-W20".into();
        assert_eq!(fields(i.validate(NOW)), vec![("makes_up", "invalid_period")]);
        i.makes_up = "上个月".into();
        assert_eq!(fields(i.validate(NOW)), vec![("makes_up", "invalid_period")]);
        i.makes_up = " ".into();
        assert_eq!(i.validate(NOW).expect("valid").makes_up, None);
    }

    #[test]
    fn notes_are_checked_by_kind_and_the_lecture_only_for_a_lecture() {
        let mut i = input();
        i.kinds = vec!["branch_general_meeting".into()];
        i.lecturer.clear();
        i.lecture_title.clear();
        i.minutes = "第一项\n第二项".into();
        let v = i.validate(NOW).expect("valid");
        assert_eq!(v.notes.minutes, "第一项\n第二项");
        i.host = "很".repeat(31);
        assert_eq!(fields(i.validate(NOW)), vec![("host", "too_long")]);
    }
}
