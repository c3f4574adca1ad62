//! The `dangjian` binary's library: command line, configuration, startup. `main` only parses.

pub mod cli;
pub mod config;
pub mod startup;
