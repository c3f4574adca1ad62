//! 责任与考核 — responsibility and assessment (issue 11; DESIGN.md area `duty`): assessment
//! schemes scored from records and evidence, ranking, tiers and outcomes.

pub mod assessment;
pub mod rule;
pub mod scheme;
