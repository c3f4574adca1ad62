//! Member history carries its tenant like the members it belongs to (DESIGN.md "Every large
//! table carries its tenant"), filled in from each event's member.

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::Schema;

pub fn up(s: &Schema) -> Vec<String> {
    let mut add = Table::alter();
    add.table("member_events").add_column(ColumnDef::new("tenant_id").big_integer().not_null().default(0));
    vec![
        s.alter(&add),
        "UPDATE member_events SET tenant_id = (SELECT m.tenant_id FROM members m WHERE m.id = member_events.member_id)".into(),
    ]
}
