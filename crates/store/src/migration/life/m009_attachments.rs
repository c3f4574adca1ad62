//! 附件: files attached to meeting records (issue 10). The bytes live under the data folder by
//! content address; this table holds what names them and who attached them.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, Schema, int, text};

pub fn up(s: &Schema) -> Vec<String> {
    let mut t = Table::create();
    t.table("meeting_attachments")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("meeting_id"))
        .col(text("sm3"))
        .col(text("file_name"))
        .col(text("media_type"))
        .col(int("size"))
        .col(int("uploaded_by"))
        .col(int("uploaded_at"))
        .col(ColumnDef::new("deleted_at").big_integer().null())
        .col(ColumnDef::new("delete_reason").text().null())
        .foreign_key(ForeignKey::create().from("meeting_attachments", "meeting_id").to("meetings", "id"));
    vec![
        s.table(&t),
        // A meeting's attachments in the order they were added (the meeting page, the list).
        s.index(&idx("ix_meeting_attachments_meeting", "meeting_attachments", &["meeting_id", "id"])),
        // Whether a content address is already stored (deduplication) and what the backup copies.
        s.index(&idx("ix_meeting_attachments_sm3", "meeting_attachments", &["sm3"])),
    ]
}
