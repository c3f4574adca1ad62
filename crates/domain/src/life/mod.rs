//! 组织生活 — organisational life: meetings, the obligations they meet, members' participation.

pub mod lapse;
pub mod obligation;
