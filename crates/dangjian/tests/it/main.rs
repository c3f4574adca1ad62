//! The one integration-test binary of dangjian. It is one binary on purpose: every further
//! `tests/*.rs` file is another full link of the whole application (minutes on two cores), so
//! do not add tests/*.rs files — add a module here instead (see shared/STYLE.md).
//!
//! Each test starts its own server on its own database: SQLite by default, PostgreSQL when
//! `DANGJIAN_TEST_PG=postgres://postgres@127.0.0.1/postgres` is set (same binary, no rebuild).

// The tests read and tamper with the database behind the store's back, in SQL written as text
// on purpose: the raw-SQL fence (clippy.toml) guards the application, not its tests.
#![allow(clippy::disallowed_methods)]

mod helpers;

mod appraisal;
mod assessment;
mod attachment;
mod attendance;
mod audit;
mod authz;
mod backup;
mod cli;
mod compliance;
mod group;
mod honour;
mod inspection;
mod job;
mod life;
mod member;
mod migration;
mod notice;
mod org;
mod report;
mod review;
mod roster;
mod security;
mod session;
mod totp;
