//! 籍贯 — a member's native place, a plain text field of the roster: empty for the members
//! already on file.

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::Schema;

pub fn up(s: &Schema) -> Vec<String> {
    let mut alter = Table::alter();
    alter.table("members").add_column(ColumnDef::new("native_place").text().not_null().default(""));
    vec![s.alter(&alter)]
}
