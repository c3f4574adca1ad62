//! 组织生活 — organisational life: meeting records with their kinds and attendance, corrected
//! with every earlier version kept, deleted only with a reason, and their attachments (issue 10).

pub mod attachment;
mod meeting;

pub use attachment::Attachment;
pub use dangjian_domain::life::attachment::{AttachmentInput, MediaType};
pub use dangjian_domain::life::{AttendanceInput, GuestInput, MeetingInput};
pub(crate) use meeting::insert_rows;
pub use meeting::{
    attendance, attendance_of_member, correct, create, delete, get, list, roster, versions, year_summary, AttendanceRow, KindCount, Meeting,
    MeetingQuery, MemberAttendance, RosterMember, Version,
};
