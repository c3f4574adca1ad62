//! The schedules of a tenant by deadline (issue 11): what the computed rule `reports_on_time`
//! reads to find the reports owed in an assessment's period, one index range.

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    vec![s.index(&idx("ix_report_schedules_deadline", "report_schedules", &["tenant_id", "deadline"]))]
}
