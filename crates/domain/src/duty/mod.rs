//! 责任与考核 — responsibility and assessment (issue 11; DESIGN.md area `duty`): who answers for
//! an organisation's party work and its 责任清单, reports passed up level by level, and (in
//! `scheme`, `rule`) the assessment schemes scored from the records.

pub mod report;
pub mod responsibility;
