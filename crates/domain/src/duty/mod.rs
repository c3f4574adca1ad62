//! 责任与考核 — responsibility and assessment (issue 11; DESIGN.md area `duty`): who answers for
//! an organisation's party work and its 责任清单, reports passed up level by level, and the
//! assessment schemes scored from records and evidence, with ranking, tiers and outcomes.

pub mod assessment;
pub mod inspection;
pub mod outline;
pub mod bulletin;
pub mod honour;
pub mod report;
pub mod responsibility;
pub mod review;
pub mod rule;
pub mod scheme;
