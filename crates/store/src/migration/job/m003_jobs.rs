//! The shared scheduler: one lease row per job, and the record of its runs (DESIGN.md "Beyond
//! one machine": several `serve` nodes on one PostgreSQL, each job run by one of them per period).
//! Operational state, not data: backups leave these tables out, and a restored installation
//! starts with fresh leases.

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut leases = Table::create();
    leases
        .table("job_leases")
        .col(ColumnDef::new("name").text().not_null().primary_key())
        .col(ColumnDef::new("holder").text().null())
        .col(ColumnDef::new("lease_until").big_integer().not_null())
        .col(ColumnDef::new("done_period").big_integer().not_null())
        .col(ColumnDef::new("last_started_at").big_integer().null())
        .col(ColumnDef::new("last_finished_at").big_integer().null())
        .col(ColumnDef::new("last_outcome").text().null())
        .col(ColumnDef::new("last_detail").text().null());
    let mut runs = Table::create();
    runs.table("job_runs")
        .col(s.id())
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("holder").text().not_null())
        .col(ColumnDef::new("period").big_integer().not_null())
        .col(ColumnDef::new("started_at").big_integer().not_null())
        .col(ColumnDef::new("finished_at").big_integer().not_null())
        .col(ColumnDef::new("outcome").text().not_null())
        .col(ColumnDef::new("detail").text().not_null());
    vec![s.table(&leases), s.table(&runs), s.index(&idx("ix_job_runs_name", "job_runs", &["name", "id"]))]
}
