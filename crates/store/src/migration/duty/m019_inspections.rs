//! 函询（告） (issue 11): inspections with their letters, numbered per issuing organisation and
//! year; the rectification items each letter asks for and every step of their history; the
//! counter that numbers the letters without gaps; and the 党组（党委） of a unit's superior
//! department, which nothing else in the schema records (an organisation knows its unit's name
//! only), kept per unit once a letter named it so the next letter is addressed for the issuer.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, int, text, unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut superiors = Table::create();
    superiors
        .table("unit_superiors")
        .col(s.id())
        .col(int("tenant_id"))
        .col(text("unit_name"))
        .col(text("addressee"))
        .col(int("updated_by"))
        .col(int("updated_at"));
    let mut numbers = Table::create();
    numbers
        .table("letter_numbers")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("issuer_org_id"))
        .col(int("year"))
        .col(int("last"))
        .foreign_key(ForeignKey::create().from("letter_numbers", "issuer_org_id").to("orgs", "id"));
    let mut inspections = Table::create();
    inspections
        .table("inspections")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("issuer_org_id"))
        .col(s.path_column("issuer_org_path"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("inspectors"))
        .col(text("inspected_on"))
        .col(text("subject"))
        .col(text("findings"))
        .col(text("result"))
        .col(text("addressee"))
        .col(text("prefix"))
        .col(int("year"))
        .col(int("seq"))
        .col(text("issued_on"))
        .col(int("created_by"))
        .col(int("created_at"))
        .foreign_key(ForeignKey::create().from("inspections", "issuer_org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("inspections", "org_id").to("orgs", "id"));
    let mut items = Table::create();
    items
        .table("rectification_items")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("inspection_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(int("seq"))
        .col(text("task"))
        .col(ColumnDef::new("owner_member_id").big_integer().null())
        .col(text("owner"))
        .col(text("deadline"))
        .col(text("state"))
        .col(ColumnDef::new("closed_on").text().null())
        .col(text("evidence"))
        .col(text("link"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("rectification_items", "inspection_id").to("inspections", "id"))
        .foreign_key(ForeignKey::create().from("rectification_items", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("rectification_items", "owner_member_id").to("members", "id"));
    let mut steps = Table::create();
    steps
        .table("rectification_steps")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("item_id"))
        .col(text("step"))
        .col(text("from_state"))
        .col(text("to_state"))
        .col(text("note"))
        .col(text("link"))
        .col(ColumnDef::new("closed_on").text().null())
        .col(int("by_account"))
        .col(int("at"))
        .foreign_key(ForeignKey::create().from("rectification_steps", "item_id").to("rectification_items", "id"));
    let mut out = vec![s.table(&superiors), s.table(&numbers), s.table(&inspections), s.table(&items), s.table(&steps)];
    for i in [
        // One addressee per unit of a tenant.
        unique("ux_unit_superiors", "unit_superiors", &["tenant_id", "unit_name"]),
        // One counter per issuing organisation and year (the FK's index too).
        unique("ux_letter_numbers", "letter_numbers", &["issuer_org_id", "year"]),
        // 发文字号: one letter per number of an issuing organisation's year (the FK's index too).
        unique("ux_inspections_number", "inspections", &["issuer_org_id", "year", "seq"]),
        // An organisation's inspections, newest first (the FK's index too).
        idx("ix_inspections_org", "inspections", &["org_id", "issued_on"]),
        // The inspections in a scope: one range of the inspected organisations' paths.
        idx("ix_inspections_path", "inspections", &["org_path", "issued_on"]),
        // A letter's items in order (the FK's index too).
        unique("ux_rectification_items_seq", "rectification_items", &["inspection_id", "seq"]),
        // An organisation's open and overdue items by deadline (the secretary's home page).
        idx("ix_rectification_items_org", "rectification_items", &["org_id", "state", "deadline"]),
        // The items of a subtree due in a period (函询整改按期完成, one grouped statement).
        idx("ix_rectification_items_path", "rectification_items", &["org_path", "deadline"]),
        idx("ix_rectification_items_owner", "rectification_items", &["owner_member_id"]),
        // An item's history in order.
        idx("ix_rectification_steps_item", "rectification_steps", &["item_id", "id"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
