//! 表决: the motions voted on at a 支部党员大会, kept with the record (JSON, as its guests), with
//! the result computed when written.

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::Schema;

pub fn up(s: &Schema) -> Vec<String> {
    let mut alter = Table::alter();
    alter.table("meetings").add_column(ColumnDef::new("motions").text().not_null().default("[]"));
    vec![s.alter(&alter)]
}
