//! The counts of an assessment's results (organisations by kind, tier and outcome), kept on its
//! row at every ranking so that the ranking, an organisation's scores and the bulletin never
//! count over the results (issue 11: the pages of a city's assessment in milliseconds). Existing
//! assessments are ranked once more to fill it (`duty::rank::summarise_all`). And the ranking in
//! its order (kind, rank, tree order), one index range a page instead of a sort of every result.

use sea_orm::sea_query::{ColumnDef, Table};

use crate::migration::helpers::{idx, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut alter = Table::alter();
    alter.table("assessments").add_column(ColumnDef::new("summary").text().not_null().default(""));
    vec![s.alter(&alter), s.index(&idx("ix_assessment_targets_rank", "assessment_targets", &["assessment_id", "org_kind", "rank", "org_path"]))]
}
