//! 述职评议 (issue 11): a round of an organisation's secretary with the 述职报告, the voting window
//! and the three tally counters, and who has voted in each round. A vote is never a row: the
//! voters table has no choice, no time and no id of its own (its key is the round and the
//! account), and the counters have no voter, so nothing ties a choice to the one who made it.

use sea_orm::sea_query::{ForeignKey, Index, Table};

use crate::migration::helpers::{idx, int, text, unique, Schema};

pub fn up(s: &Schema) -> Vec<String> {
    let mut rounds = Table::create();
    rounds
        .table("review_rounds")
        .col(s.id())
        .col(int("tenant_id"))
        .col(int("org_id"))
        .col(s.path_column("org_path"))
        .col(text("period"))
        .col(int("secretary_member_id"))
        .col(text("secretary_name"))
        .col(text("secretary_basis"))
        .col(text("report"))
        .col(int("opens_at"))
        .col(int("closes_at"))
        .col(int("satisfied"))
        .col(int("basically_satisfied"))
        .col(int("dissatisfied"))
        .col(int("created_by"))
        .col(int("created_at"))
        .foreign_key(ForeignKey::create().from("review_rounds", "org_id").to("orgs", "id"))
        .foreign_key(ForeignKey::create().from("review_rounds", "secretary_member_id").to("members", "id"));
    let mut voters = Table::create();
    voters
        .table("review_voters")
        .col(int("tenant_id"))
        .col(int("round_id"))
        .col(int("account_id"))
        // One vote per account and round, kept by the database itself.
        .primary_key(Index::create().col("round_id").col("account_id"))
        .foreign_key(ForeignKey::create().from("review_voters", "round_id").to("review_rounds", "id"))
        .foreign_key(ForeignKey::create().from("review_voters", "account_id").to("accounts", "id"));
    let mut out = vec![s.table(&rounds), s.table(&voters)];
    for i in [
        // One round per organisation and period; an organisation's rounds by period.
        unique("ux_review_rounds_org_period", "review_rounds", &["org_id", "period"]),
        // The rounds of a scope, by the end of voting (the list and the home page).
        idx("ix_review_rounds_closes", "review_rounds", &["closes_at", "org_path"]),
        // The closed rounds of an assessment's periods in its subtree (rule review_satisfaction).
        idx("ix_review_rounds_period", "review_rounds", &["period", "org_path"]),
        idx("ix_review_rounds_secretary", "review_rounds", &["secretary_member_id"]),
        // The rounds an account has voted in (the FK's index; the key covers the round's).
        idx("ix_review_voters_account", "review_voters", &["account_id", "round_id"]),
    ] {
        out.push(s.index(&i));
    }
    out
}
