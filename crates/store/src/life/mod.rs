//! 组织生活 — organisational life: meeting records with their kinds and attendance, corrected
//! with every earlier version kept, deleted only with a reason, and their attachments; the counts
//! the obligations engine reads, kept on write; 民主评议党员 rounds (issue 10).

pub mod appraisal;
pub mod attendance_counts;
pub mod attachment;
pub mod bulletin;
pub mod compliance;
pub mod counts;
pub mod local_kind;
mod meeting;
pub mod participation;
pub mod rules;
pub(crate) mod snapshot;
mod write;

pub use attachment::Attachment;
pub use dangjian_domain::life::attachment::{AttachmentInput, MediaType};
pub use dangjian_domain::life::{AttendanceInput, GuestInput, MeetingInput};
pub use meeting::{attendance, attendance_of_member, get, list, roster, year_summary, AttendanceRow, KindCount, Meeting, MeetingQuery, MemberAttendance, RosterMember};
pub use write::{correct, create, delete, versions, Version};
