//! 责任与考核 — the tables of area `duty` (issue 11).

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

// ---- 定期汇报与责任清单 (reports upward and responsibility lists): m017 ----

pub mod m017_reports;

/// 定期汇报与责任清单: report schedules, each organisation's submission, every transition of
/// it, and the 责任清单 tasks.
pub const REPORT_TABLES: &[TableSpec] = &[
    TableSpec {
        name: "report_schedules",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            fk("scope_org_id", "orgs", false),
            c("title", Text),
            c("period", Text),
            c("deadline", Text),
            c("sections", Text),
            c("attachments_required", Bool),
            c("note", Text),
            c("created_by", Int),
            c("created_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "report_submissions",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("schedule_id", "report_schedules", false),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("state", Text),
            c("sections", Text),
            c("figures", Text),
            c("late", Bool),
            n("submitted_at", Int),
            n("reviewed_at", Int),
            c("review_comments", Text),
            c("created_by", Int),
            c("created_at", Int),
            c("updated_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "report_steps",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("submission_id", "report_submissions", false),
            c("step", Text),
            n("from_state", Text),
            c("to_state", Text),
            c("comments", Text),
            n("content", Text),
            c("by_account", Int),
            c("at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "responsibility_tasks",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("year", Int),
            c("title", Text),
            fk("owner_member_id", "members", false),
            c("deadline", Text),
            n("done_on", Text),
            c("note", Text),
            c("created_by", Int),
            c("created_at", Int),
            c("updated_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
];

// ---- end of m017 ----
