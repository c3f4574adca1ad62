//! 责任与考核 — the area's tables (issue 11).

use super::spec::{c, fk, n, Kind::*, TableSpec, ID};

// ---- 考核评价: assessment schemes, assessments, results, scores, objections (m018) ----

pub mod m018_assessments;

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
