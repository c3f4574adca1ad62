//! 任务 — the shared scheduler's leases and runs: operational state, not data, so backups
//! leave these tables out and a restored installation starts with fresh leases.

use super::spec::{c, n, Kind::*, TableSpec, ID};

pub mod m003_jobs;

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "job_leases",
        cols: &[
            c("name", Text),
            n("holder", Text),
            c("lease_until", Int),
            c("done_period", Int),
            n("last_started_at", Int),
            n("last_finished_at", Int),
            n("last_outcome", Text),
            n("last_detail", Text),
        ],
        primary_key: &["name"],
        large: false,
    },
    TableSpec {
        name: "job_runs",
        cols: &[ID, c("name", Text), c("holder", Text), c("period", Int), c("started_at", Int), c("finished_at", Int), c("outcome", Text), c("detail", Text)],
        primary_key: &[],
        large: false,
    },
];
