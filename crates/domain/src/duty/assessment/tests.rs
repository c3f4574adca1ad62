use super::*;
use crate::duty::scheme::{default_tiers, tier_of, IndicatorInput, SchemeInput};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn scheme() -> Scheme {
    let leaf = |name: &str, points: &str, method: &str| IndicatorInput { name: name.into(), points: points.into(), method: method.into(), ..Default::default() };
    SchemeInput {
        name: "考核".into(),
        scale: 100,
        period_kind: "year".into(),
        indicators: vec![
            IndicatorInput { rule: "obligations_on_time".into(), ..leaf("三会一课", "60", "computed") },
            IndicatorInput { children: vec![leaf("品牌", "25", "scored"), leaf("服务", "15", "scored")], ..leaf("实绩", "40", "") },
        ],
        ..Default::default()
    }
    .validate()
    .expect("scheme")
}

fn targets() -> Vec<(i64, String)> {
    vec![(1, "第一支部".into()), (2, "第二支部".into())]
}

fn score(org_id: i64, indicator: &str, score: &str, comment: &str) -> ScoreInput {
    ScoreInput { org_id, indicator: indicator.into(), score: score.into(), comment: comment.into(), evidence: Vec::new() }
}

#[test]
fn stages_run_in_order_and_a_skipped_one_is_named() {
    assert!(Stage::SelfAssessment.check_advance(Stage::Scoring).is_ok());
    let e = Stage::SelfAssessment.check_advance(Stage::Review).expect_err("skips 评分");
    assert_eq!(e.code, "stage_skipped");
    assert!(e.message.contains("考核评分"), "{}", e.message);
    assert_eq!(Stage::Published.check_advance(Stage::Review).expect_err("back").code, "stage_done");
    assert_eq!(Stage::SelfAssessment.check_writing(Stage::Scoring).expect_err("early").code, "stage_not_reached");
    assert_eq!(Stage::Review.check_writing(Stage::Scoring).expect_err("late").code, "stage_done");
}

#[test]
fn ties_share_a_rank_and_the_next_rank_is_skipped() {
    let totals = [Points(8000), Points(9500), Points(8000), Points(7000), Points(9500), Points(6000)];
    assert_eq!(competition_ranks(&totals), [3, 1, 3, 5, 1, 6]);
    assert_eq!(competition_ranks(&[Points(9000), Points(8500), Points(8500), Points(8000)]), [1, 2, 2, 4]);
    assert_eq!(competition_ranks(&[]), Vec::<u32>::new());
    // A hundredth of a point apart is not a tie.
    assert_eq!(competition_ranks(&[Points(8000), Points(8001)]), [2, 1]);
}

#[test]
fn an_upheld_objection_re_ranks() {
    let s = scheme();
    // 第二支部 scored 8 of 25 on 品牌; it objects, and the objection is upheld with 20.
    let mut totals = [Points::whole(85), Points::whole(80), Points::whole(82)];
    assert_eq!(competition_ranks(&totals), [1, 3, 2]);
    let ind = s.find("2.1").expect("2.1");
    let d = DecisionInput { decision: "upheld".into(), score: "20".into(), reason: "品牌创建材料经复核属实".into() }.validate(ind, Points::whole(8)).expect("upheld");
    assert_eq!(d.status, ObjectionStatus::Upheld);
    let new = d.score.expect("new score");
    totals[1] = Points(totals[1].0 - Points::whole(8).0 + new.0);
    assert_eq!(totals[1], Points::whole(92));
    assert_eq!(competition_ranks(&totals), [2, 1, 3]);
    assert_eq!(tier_of(&default_tiers(100), totals[1]).name, "优秀");
}

#[test]
fn a_decision_has_a_reason_and_an_upheld_one_a_changed_score() {
    let s = scheme();
    let ind = s.find("2.1").expect("2.1");
    let codes = |d: DecisionInput| d.validate(ind, Points::whole(8)).expect_err("refused").iter().map(|e| e.code).collect::<Vec<_>>();
    assert_eq!(codes(DecisionInput { decision: "upheld".into(), score: "8".into(), reason: "x".into() }), ["unchanged"]);
    assert_eq!(codes(DecisionInput { decision: "upheld".into(), score: "26".into(), reason: String::new() }), ["over_points", "required"]);
    assert_eq!(codes(DecisionInput { decision: "rejected".into(), score: "20".into(), reason: "x".into() }), ["score_on_rejected"]);
    assert_eq!(codes(DecisionInput { decision: "pending".into(), score: String::new(), reason: "x".into() }), ["invalid_decision"]);
    let r = DecisionInput { decision: "申诉不成立".into(), score: String::new(), reason: "扣分有据".into() }.validate(ind, Points::whole(8)).expect("rejected");
    assert_eq!((r.status, r.score), (ObjectionStatus::Rejected, None));
}

#[test]
fn the_objection_window_includes_its_last_day() {
    let published = day(2026, 1, 10);
    assert_eq!(objection_deadline(published, 7), day(2026, 1, 17));
    assert!(check_objection_window(published, 7, day(2026, 1, 10)).is_ok(), "the day of publishing");
    assert!(check_objection_window(published, 7, day(2026, 1, 17)).is_ok(), "the last day");
    let e = check_objection_window(published, 7, day(2026, 1, 18)).expect_err("a day late");
    assert_eq!(e.code, "window_closed");
    assert!(e.message.contains("2026-01-17"), "{}", e.message);
    // No window: only the day of publishing.
    assert!(check_objection_window(published, 0, published).is_ok());
    assert!(check_objection_window(published, 0, day(2026, 1, 11)).is_err());
}

#[test]
fn scores_are_checked_against_the_scheme_all_at_once() {
    let s = scheme();
    let ok = check_scores(&[score(1, "2.1", "25", ""), score(1, "2.2", "12.5", "为民服务台账不全"), score(2, "2.1", "20", "宣传不足")], &s, &targets()).expect("valid");
    assert_eq!(ok[1].score, Points(1250));
    let bad = [
        score(3, "2.1", "20", "x"),
        score(1, "9", "1", ""),
        score(1, "2", "30", ""),
        score(1, "1", "50", ""),
        score(1, "2.1", "26", ""),
        score(2, "2.2", "10", ""),
        score(2, "2.1", "25", ""),
        score(2, "2.1", "25", ""),
    ];
    let codes: Vec<&str> = check_scores(&bad, &s, &targets()).expect_err("refused").iter().map(|e| e.code).collect();
    assert_eq!(codes, ["not_assessed", "unknown_indicator", "not_a_leaf", "computed", "over_points", "reason_required", "duplicate"]);
}

#[test]
fn evidence_is_a_link_of_this_system_or_the_web() {
    let s = scheme();
    let with = |url: &str| ScoreInput { evidence: vec![Evidence { label: "会议记录".into(), url: url.into() }], ..score(1, "2.1", "25", "") };
    assert!(check_scores(&[with("/meetings/12")], &s, &targets()).is_ok());
    assert!(check_scores(&[with("https://intranet.example/doc/1")], &s, &targets()).is_ok());
    for bad in ["javascript:alert(1)", "//evil.example/x", "data:text/html,x", "/a b"] {
        let e = check_scores(&[with(bad)], &s, &targets()).expect_err(bad);
        assert_eq!(e[0].code, "invalid_url", "{bad}");
    }
}

#[test]
fn outcomes_are_counted_from_the_results() {
    let counts = outcome_counts([Some(Outcome::Commendation), None, Some(Outcome::Admonishment), Some(Outcome::Commendation)]);
    assert_eq!(counts, [(Outcome::Commendation, 2), (Outcome::Promotion, 0), (Outcome::Admonishment, 1), (Outcome::Adjustment, 0)]);
}

#[test]
fn an_objection_names_a_leaf_and_gives_a_reason() {
    let s = scheme();
    let ok = ObjectionInput { org_id: 2, indicator: "2.1".into(), reason: "已报送品牌材料".into(), evidence: Vec::new() }.validate(&s).expect("valid");
    assert_eq!(ok.indicator, "2.1");
    let codes: Vec<&str> = ObjectionInput { org_id: 2, indicator: "2".into(), reason: " ".into(), evidence: Vec::new() }.validate(&s).expect_err("refused").iter().map(|e| e.code).collect();
    assert_eq!(codes, ["unknown_indicator", "required"]);
}
