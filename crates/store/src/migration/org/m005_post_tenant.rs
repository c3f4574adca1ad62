//! Posts carry the tenant of their organisation (DESIGN.md "Every large table carries its
//! tenant"); a top organisation is its own tenant.

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::Schema;

pub fn up(s: &Schema) -> Vec<String> {
    let mut add = Table::alter();
    add.table("posts").add_column(ColumnDef::new("tenant_id").big_integer().not_null().default(0));
    vec![
        s.alter(&add),
        "UPDATE posts SET tenant_id = (SELECT COALESCE(o.tenant_id, o.id) FROM orgs o WHERE o.id = posts.org_id)".into(),
    ]
}
