//! 评先表彰 (issue 11): one honour list per published assessment, its nominations (proposed from
//! the results or added by the officer, each reviewed or removed with a reason) and the honours
//! it published, which the organisation's and the member's pages list. Also the index that reads
//! one 党委's results of an assessment (the bulletin) without reading the whole assessment.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, int, text, unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut lists = Table::create();
    lists
        .table("honour_lists")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("assessment_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("name"))
        .col(text("stage"))
        .col(ColumnDef::new("published_on").text().null())
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("honour_lists", "assessment_id").to("assessments", "id"))
        .foreign_key(ForeignKey::create().from("honour_lists", "org_id").to("orgs", "id"));
    let mut nominations = Table::create();
    nominations
        .table("honour_nominations")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("list_id"))
        .col(text("title"))
        .col(text("nominee"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(ColumnDef::new("member_id").big_integer().null())
        .col(ColumnDef::new("from_result").boolean().not_null())
        .col(text("reason"))
        .col(text("status"))
        .col(text("decision_reason"))
        .col(int("created_by"))
        .col(int("created_at"))
        .col(ColumnDef::new("decided_by").big_integer().null())
        .col(ColumnDef::new("decided_at").big_integer().null())
        .foreign_key(ForeignKey::create().from("honour_nominations", "list_id").to("honour_lists", "id"))
        .foreign_key(ForeignKey::create().from("honour_nominations", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("honour_nominations", "member_id").to("members", "id"));
    let mut honours = Table::create();
    honours
        .table("honours")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("list_id"))
        .col(int("nomination_id"))
        .col(text("title"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(ColumnDef::new("member_id").big_integer().null())
        .col(text("name"))
        .col(text("published_on"))
        .foreign_key(ForeignKey::create().from("honours", "list_id").to("honour_lists", "id"))
        .foreign_key(ForeignKey::create().from("honours", "nomination_id").to("honour_nominations", "id"))
        .foreign_key(ForeignKey::create().from("honours", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("honours", "member_id").to("members", "id"));
    let mut out: Vec<String> = [lists, nominations, honours].iter().map(|t| s.table(t)).collect();
    for i in [
        // One list per assessment; an organisation's lists.
        unique("ux_honour_lists_assessment", "honour_lists", &["assessment_id"]),
        idx("ix_honour_lists_org", "honour_lists", &["org_id"]),
        // A list's nominations in order; each nominee once per title and list (`org:5`,
        // `member:9`: a nullable member would not make two organisation nominations clash).
        idx("ix_honour_nominations_list", "honour_nominations", &["list_id", "id"]),
        unique("ux_honour_nominations_nominee", "honour_nominations", &["list_id", "title", "nominee"]),
        idx("ix_honour_nominations_org", "honour_nominations", &["org_id"]),
        idx("ix_honour_nominations_member", "honour_nominations", &["member_id"]),
        // The history of an organisation and of a member, newest first; a list's honours.
        idx("ix_honours_org", "honours", &["org_id", "published_on"]),
        idx("ix_honours_member", "honours", &["member_id", "published_on"]),
        idx("ix_honours_list", "honours", &["list_id"]),
        unique("ux_honours_nomination", "honours", &["nomination_id"]),
        // The bulletin of one 党委: its subtree's results of an assessment, by path.
        idx("ix_assessment_targets_path", "assessment_targets", &["assessment_id", "org_path"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
