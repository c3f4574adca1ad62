//! 责任与考核 — area `duty` (issue 11): reports upward (`report`) and the responsible persons
//! and 责任清单 of each organisation (`responsibility`).

pub mod report;
pub mod responsibility;
