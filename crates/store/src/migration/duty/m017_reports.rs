//! 定期汇报与责任清单 (issue 11): report schedules a superior defines, one submission per
//! schedule and organisation with its figures frozen at submission, every transition of a
//! submission (with the content submitted each time), and the 责任清单 tasks. Also the index
//! that lets a report count the changes in members' history over a period by organisation.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, int, text, unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut schedules = Table::create();
    schedules
        .table("report_schedules")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(int("scope_org_id"))
        .col(text("title"))
        .col(text("period"))
        .col(text("deadline"))
        .col(text("sections"))
        .col(ColumnDef::new("attachments_required").boolean().not_null())
        .col(text("note"))
        .col(int("created_by"))
        .col(int("created_at"))
        .foreign_key(ForeignKey::create().from("report_schedules", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("report_schedules", "scope_org_id").to("orgs", "id"));
    let mut submissions = Table::create();
    submissions
        .table("report_submissions")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("schedule_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("state"))
        .col(text("sections"))
        .col(text("figures"))
        .col(ColumnDef::new("late").boolean().not_null())
        .col(ColumnDef::new("submitted_at").big_integer().null())
        .col(ColumnDef::new("reviewed_at").big_integer().null())
        .col(text("review_comments"))
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("report_submissions", "schedule_id").to("report_schedules", "id"))
        .foreign_key(ForeignKey::create().from("report_submissions", "org_id").to("orgs", "id"));
    let mut steps = Table::create();
    steps
        .table("report_steps")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("submission_id"))
        .col(text("step"))
        .col(ColumnDef::new("from_state").text().null())
        .col(text("to_state"))
        .col(text("comments"))
        .col(ColumnDef::new("content").text().null())
        .col(int("by_account"))
        .col(int("at"))
        .foreign_key(ForeignKey::create().from("report_steps", "submission_id").to("report_submissions", "id"));
    let mut tasks = Table::create();
    tasks
        .table("responsibility_tasks")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(int("year"))
        .col(text("title"))
        .col(int("owner_member_id"))
        .col(text("deadline"))
        .col(ColumnDef::new("done_on").text().null())
        .col(text("note"))
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("responsibility_tasks", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("responsibility_tasks", "owner_member_id").to("members", "id"));
    let mut out = vec![s.table(&schedules), s.table(&submissions), s.table(&steps), s.table(&tasks)];
    for i in [
        // A superior's schedules, newest period first.
        idx("ix_report_schedules_org", "report_schedules", &["org_id", "period"]),
        // The schedules an organisation reports to: one range per ancestor (the FK's index too).
        idx("ix_report_schedules_scope", "report_schedules", &["scope_org_id", "deadline"]),
        // One submission per schedule and organisation; a schedule's submissions in tree order.
        unique("ux_report_submissions", "report_submissions", &["schedule_id", "org_id"]),
        // "Who has not submitted, who was late and who was returned is a list": one range each.
        idx("ix_report_submissions_state", "report_submissions", &["schedule_id", "state", "org_path"]),
        idx("ix_report_submissions_late", "report_submissions", &["schedule_id", "late", "org_path"]),
        // An organisation's reports over the schedules (its page, the FK's index).
        idx("ix_report_submissions_org", "report_submissions", &["org_id", "schedule_id"]),
        // A submission's history in order.
        idx("ix_report_steps_submission", "report_steps", &["submission_id", "id"]),
        // An organisation's 责任清单 of a year, by deadline.
        idx("ix_responsibility_tasks_org", "responsibility_tasks", &["org_id", "year", "deadline"]),
        idx("ix_responsibility_tasks_owner", "responsibility_tasks", &["owner_member_id"]),
        // Changes in members' history by organisation and day (a report's 党员变动).
        idx("ix_member_events_org_date", "member_events", &["org_id", "on_date"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
