//! 组织生活 — organisational life: 三会一课 and the other meetings, who attended them, and the
//! obligations they meet, the votes at a 支部党员大会, and each member's participation (DOMAIN.md
//! "Organisational life", "Members").

pub mod appraisal;
pub mod attachment;
pub mod lapse;
pub mod local_kind;
pub mod meeting;
pub mod obligation;
pub mod vote;

pub use meeting::{AttendanceInput, AttendanceStatus, Guest, GuestInput, MeetingInput, MeetingKind, MeetingNotes, Tally, ValidAttendance, ValidMeeting};
