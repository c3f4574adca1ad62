//! 汇报附件 (issue 11): files attached to a report, as a schedule may require (the 须附材料 of
//! seed 004's 党建工作定期汇报制度); the bytes live with the meetings' attachments, by content
//! address. And the schedules of a tenant by deadline: what the computed rule `reports_on_time`
//! reads to find the reports owed in an assessment's period, one index range.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, int, text, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut t = Table::create();
    t.table("report_attachments")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("submission_id"))
        .col(text("sm3"))
        .col(text("file_name"))
        .col(text("media_type"))
        .col(int("size"))
        .col(int("uploaded_by"))
        .col(int("uploaded_at"))
        .col(ColumnDef::new("deleted_at").big_integer().null())
        .foreign_key(ForeignKey::create().from("report_attachments", "submission_id").to("report_submissions", "id"));
    vec![
        s.table(&t),
        // A report's files in the order they were added (its page, the count at submission).
        s.index(&idx("ix_report_attachments_submission", "report_attachments", &["submission_id", "id"])),
        // What the backup copies, once per address.
        s.index(&idx("ix_report_attachments_sm3", "report_attachments", &["sm3"])),
        s.index(&idx("ix_report_schedules_deadline", "report_schedules", &["tenant_id", "deadline"])),
    ]
}
