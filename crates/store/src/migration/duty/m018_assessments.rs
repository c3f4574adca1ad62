//! 考核评价 (issue 11): assessment schemes and their versions, assessments of a subtree for a
//! period, one result per assessed organisation, the score of each indicator (computed ones with
//! how they were computed), and objections.

use sea_orm::sea_query::{ColumnDef, ForeignKey, Table};

use crate::migration::helpers::{idx, int, text, unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut schemes = Table::create();
    schemes
        .table("assessment_schemes")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("name"))
        .col(int("version"))
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("assessment_schemes", "org_id").to("orgs", "id"));
    let mut versions = Table::create();
    versions
        .table("assessment_scheme_versions")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("scheme_id"))
        .col(int("version"))
        .col(text("tree"))
        .col(int("created_by"))
        .col(int("created_at"))
        .foreign_key(ForeignKey::create().from("assessment_scheme_versions", "scheme_id").to("assessment_schemes", "id"));
    let mut assessments = Table::create();
    assessments
        .table("assessments")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("scheme_version_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("name"))
        .col(text("period"))
        .col(text("stage"))
        .col(ColumnDef::new("published_on").text().null())
        .col(int("created_by"))
        .col(int("created_at"))
        .col(int("updated_at"))
        .foreign_key(ForeignKey::create().from("assessments", "scheme_version_id").to("assessment_scheme_versions", "id"))
        .foreign_key(ForeignKey::create().from("assessments", "org_id").to("orgs", "id"));
    let mut targets = Table::create();
    targets
        .table("assessment_targets")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("assessment_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("org_kind"))
        .col(int("total"))
        .col(ColumnDef::new("rank").big_integer().null())
        .col(ColumnDef::new("tier").text().null())
        .col(ColumnDef::new("outcome").text().null())
        .foreign_key(ForeignKey::create().from("assessment_targets", "assessment_id").to("assessments", "id"))
        .foreign_key(ForeignKey::create().from("assessment_targets", "org_id").to("orgs", "id"));
    let mut scores = Table::create();
    scores
        .table("assessment_scores")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("assessment_id"))
        .col(int("org_id"))
        .col(text("indicator"))
        .col(ColumnDef::new("self_score").big_integer().null())
        .col(text("self_comment"))
        .col(text("self_evidence"))
        .col(ColumnDef::new("score").big_integer().null())
        .col(text("comment"))
        .col(text("evidence"))
        .col(text("basis"))
        .col(ColumnDef::new("scored_by").big_integer().null())
        .col(ColumnDef::new("scored_at").big_integer().null())
        .foreign_key(ForeignKey::create().from("assessment_scores", "assessment_id").to("assessments", "id"))
        .foreign_key(ForeignKey::create().from("assessment_scores", "org_id").to("orgs", "id"));
    let mut objections = Table::create();
    objections
        .table("assessment_objections")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("assessment_id"))
        .col(int("org_id"))
        .col(text("indicator"))
        .col(text("reason"))
        .col(text("evidence"))
        .col(text("status"))
        .col(int("filed_by"))
        .col(int("filed_at"))
        .col(ColumnDef::new("old_score").big_integer().null())
        .col(ColumnDef::new("new_score").big_integer().null())
        .col(text("decision_reason"))
        .col(ColumnDef::new("decided_by").big_integer().null())
        .col(ColumnDef::new("decided_at").big_integer().null())
        .foreign_key(ForeignKey::create().from("assessment_objections", "assessment_id").to("assessments", "id"))
        .foreign_key(ForeignKey::create().from("assessment_objections", "org_id").to("orgs", "id"));
    let mut out: Vec<String> = [schemes, versions, assessments, targets, scores, objections].iter().map(|t| s.table(t)).collect();
    for i in [
        // An organisation's schemes by name, one name once.
        unique("ux_assessment_schemes_org_name", "assessment_schemes", &["org_id", "name"]),
        // A scheme's versions, each number once.
        unique("ux_assessment_scheme_versions", "assessment_scheme_versions", &["scheme_id", "version"]),
        // The assessments of a version (the foreign key), and of an organisation's subtree root.
        idx("ix_assessments_version", "assessments", &["scheme_version_id"]),
        idx("ix_assessments_org", "assessments", &["org_id", "period"]),
        // One result per assessment and organisation, in the assessment's order; an
        // organisation's results over the assessments (its own page).
        unique("ux_assessment_targets", "assessment_targets", &["assessment_id", "org_id"]),
        idx("ix_assessment_targets_org", "assessment_targets", &["org_id", "assessment_id"]),
        // One score per assessment, organisation and indicator; an organisation's scores.
        unique("ux_assessment_scores", "assessment_scores", &["assessment_id", "org_id", "indicator"]),
        idx("ix_assessment_scores_org", "assessment_scores", &["org_id", "assessment_id"]),
        // An assessment's objections in order; an organisation's objections.
        idx("ix_assessment_objections", "assessment_objections", &["assessment_id", "id"]),
        idx("ix_assessment_objections_org", "assessment_objections", &["org_id", "assessment_id"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
