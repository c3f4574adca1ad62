//! 组织生活 — organisational life: 三会一课 and the other meetings, who attended them, and the
//! obligations they meet (DOMAIN.md "Organisational life"). Later slices add appraisal, talks and
//! votes here.

pub mod attachment;
pub mod lapse;
pub mod meeting;
pub mod obligation;

pub use meeting::{AttendanceInput, AttendanceStatus, Guest, GuestInput, MeetingInput, MeetingKind, MeetingNotes, Tally, ValidAttendance, ValidMeeting};
