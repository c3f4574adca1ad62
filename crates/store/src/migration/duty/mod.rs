//! 责任与考核 — the tables of area `duty` (issue 11).

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

// ---- 定期汇报与责任清单 (reports upward and responsibility lists): m017 ----

pub mod m017_reports;
pub mod m022_report_attachments;

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
    TableSpec {
        name: "report_attachments",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("submission_id", "report_submissions", false),
            c("sm3", Text),
            c("file_name", Text),
            c("media_type", Text),
            c("size", Int),
            c("uploaded_by", Int),
            c("uploaded_at", Int),
            n("deleted_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
];

// ---- end of m017 (and m022's files) ----

// ---- 考核评价: assessment schemes, assessments, results, scores, objections (m018) ----

pub mod m018_assessments;
pub mod m024_assessment_summary;

/// The assessment tables as they are today.
pub const ASSESSMENT_TABLES: &[TableSpec] = &[
    TableSpec {
        name: "assessment_schemes",
        cols: &[ID, c("tenant_id", Int), fk("org_id", "orgs", false), c("org_path", Path), c("name", Text), c("version", Int), c("created_by", Int), c("created_at", Int), c("updated_at", Int)],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "assessment_scheme_versions",
        cols: &[ID, c("tenant_id", Int), fk("scheme_id", "assessment_schemes", false), c("version", Int), c("tree", Text), c("created_by", Int), c("created_at", Int)],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "assessments",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("scheme_version_id", "assessment_scheme_versions", false),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("name", Text),
            c("period", Text),
            c("stage", Text),
            n("published_on", Text),
            c("created_by", Int),
            c("created_at", Int),
            c("updated_at", Int),
            c("summary", Text),
        ],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "assessment_targets",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("assessment_id", "assessments", false),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("org_kind", Text),
            c("total", Int),
            n("rank", Int),
            n("tier", Text),
            n("outcome", Text),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "assessment_scores",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("assessment_id", "assessments", false),
            fk("org_id", "orgs", false),
            c("indicator", Text),
            n("self_score", Int),
            c("self_comment", Text),
            c("self_evidence", Text),
            n("score", Int),
            c("comment", Text),
            c("evidence", Text),
            c("basis", Text),
            n("scored_by", Int),
            n("scored_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "assessment_objections",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("assessment_id", "assessments", false),
            fk("org_id", "orgs", false),
            c("indicator", Text),
            c("reason", Text),
            c("evidence", Text),
            c("status", Text),
            c("filed_by", Int),
            c("filed_at", Int),
            n("old_score", Int),
            n("new_score", Int),
            c("decision_reason", Text),
            n("decided_by", Int),
            n("decided_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
];

// ---- end of 考核评价 ----

// ---- 述职评议: review rounds and who has voted (m020) ----

pub mod m020_reviews;

/// 述职评议: the rounds with their tally counters, and who has voted in each (never what).
pub const REVIEW_TABLES: &[TableSpec] = &[
    TableSpec {
        name: "review_rounds",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("period", Text),
            fk("secretary_member_id", "members", false),
            c("secretary_name", Text),
            c("secretary_basis", Text),
            c("report", Text),
            c("opens_at", Int),
            c("closes_at", Int),
            c("satisfied", Int),
            c("basically_satisfied", Int),
            c("dissatisfied", Int),
            c("created_by", Int),
            c("created_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "review_voters",
        cols: &[c("tenant_id", Int), fk("round_id", "review_rounds", false), fk("account_id", "accounts", false)],
        primary_key: &["round_id", "account_id"],
        large: true,
    },
];

// ---- end of 述职评议 ----

// ---- 评先表彰: honour lists, nominations, honours (m021) ----

pub mod m021_honours;

/// 评先表彰 as it is today.
pub const HONOUR_TABLES: &[TableSpec] = &[
    TableSpec {
        name: "honour_lists",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("assessment_id", "assessments", false),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("name", Text),
            c("stage", Text),
            n("published_on", Text),
            c("created_by", Int),
            c("created_at", Int),
            c("updated_at", Int),
        ],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "honour_nominations",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("list_id", "honour_lists", false),
            c("title", Text),
            c("nominee", Text),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            fk("member_id", "members", true),
            c("from_result", Bool),
            c("reason", Text),
            c("status", Text),
            c("decision_reason", Text),
            c("created_by", Int),
            c("created_at", Int),
            n("decided_by", Int),
            n("decided_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "honours",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("list_id", "honour_lists", false),
            fk("nomination_id", "honour_nominations", false),
            c("title", Text),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            fk("member_id", "members", true),
            c("name", Text),
            c("published_on", Text),
        ],
        primary_key: &[],
        large: true,
    },
];

// ---- end of 评先表彰 ----

// ---- 函询（告）: inspections, letters and rectification items (m019) ----

pub mod m019_inspections;

/// 函询（告）: the 党组（党委） of a unit's superior department, the letters' counters, the
/// inspections with their letters, the rectification items and their history.
pub const INSPECTION_TABLES: &[TableSpec] = &[
    TableSpec {
        name: "unit_superiors",
        cols: &[ID, c("tenant_id", Int), c("unit_name", Text), c("addressee", Text), c("updated_by", Int), c("updated_at", Int)],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "letter_numbers",
        cols: &[ID, c("tenant_id", Int), fk("issuer_org_id", "orgs", false), c("year", Int), c("last", Int)],
        primary_key: &[],
        large: false,
    },
    TableSpec {
        name: "inspections",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("issuer_org_id", "orgs", false),
            c("issuer_org_path", Path),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("inspectors", Text),
            c("inspected_on", Text),
            c("subject", Text),
            c("findings", Text),
            c("result", Text),
            c("addressee", Text),
            c("prefix", Text),
            c("year", Int),
            c("seq", Int),
            c("issued_on", Text),
            c("created_by", Int),
            c("created_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "rectification_items",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("inspection_id", "inspections", false),
            fk("org_id", "orgs", false),
            c("org_path", Path),
            c("seq", Int),
            c("task", Text),
            fk("owner_member_id", "members", true),
            c("owner", Text),
            c("deadline", Text),
            c("state", Text),
            n("closed_on", Text),
            c("evidence", Text),
            c("link", Text),
            c("updated_at", Int),
        ],
        primary_key: &[],
        large: true,
    },
    TableSpec {
        name: "rectification_steps",
        cols: &[
            ID,
            c("tenant_id", Int),
            fk("item_id", "rectification_items", false),
            c("step", Text),
            c("from_state", Text),
            c("to_state", Text),
            c("note", Text),
            c("link", Text),
            n("closed_on", Text),
            c("by_account", Int),
            c("at", Int),
        ],
        primary_key: &[],
        large: true,
    },
];

// ---- end of 函询（告） ----
