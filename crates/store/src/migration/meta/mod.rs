//! Installation-wide settings and the keyed signatures of the audit head and tree (one row each).

use super::spec::{c, Kind::*, TableSpec};

/// The tables of this area as they are today.
pub const TABLES: &[TableSpec] = &[
    TableSpec { name: "meta", cols: &[c("key", Text), c("value", Text)], primary_key: &["key"], large: false },
];
