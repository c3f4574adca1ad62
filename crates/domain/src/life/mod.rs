//! 组织生活 — organisational life: 三会一课 and the other meetings, and who attended them
//! (DOMAIN.md "Organisational life"). Later slices add the obligations engine, appraisal,
//! talks and votes here.

pub mod meeting;

pub use meeting::{AttendanceInput, AttendanceStatus, Guest, GuestInput, MeetingInput, MeetingKind, Tally, ValidAttendance, ValidMeeting};
