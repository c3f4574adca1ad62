use super::*;
use crate::duty::rule::RuleCode;
use crate::life::obligation::ObligationKind;

fn leaf(name: &str, points: &str, method: &str) -> IndicatorInput {
    IndicatorInput { name: name.into(), points: points.into(), method: method.into(), ..Default::default() }
}

fn computed(name: &str, points: &str, rule: &str, kind: &str) -> IndicatorInput {
    IndicatorInput { rule: rule.into(), kind: kind.into(), ..leaf(name, points, "computed") }
}

fn group(name: &str, points: &str, children: Vec<IndicatorInput>) -> IndicatorInput {
    IndicatorInput { children, ..leaf(name, points, "") }
}

/// A 百分制 scheme of both kinds of indicator.
pub(crate) fn hundred() -> SchemeInput {
    SchemeInput {
        name: "2025年度党支部工作考核".into(),
        scale: 100,
        period_kind: "year".into(),
        objection_days: None,
        tiers: Vec::new(),
        indicators: vec![
            group("组织生活", "60", vec![computed("支部党员大会按期召开", "20", "obligations_on_time", "branch_general_meeting"), computed("党课按期开展", "20", "obligations_on_time", "party_lecture"), computed("党员参会率", "20", "attendance_rate", "")]),
            group("工作实绩", "40", vec![leaf("党建品牌", "25", "scored"), leaf("为民服务", "15", "scored")]),
        ],
    }
}

#[test]
fn a_valid_scheme_is_numbered_and_keeps_its_rules() {
    let s = hundred().validate().expect("valid");
    assert_eq!(s.total(), Points::whole(100));
    assert_eq!(s.period_kind, PeriodKind::Year);
    assert_eq!(s.objection_days, DEFAULT_OBJECTION_DAYS);
    let codes: Vec<&str> = s.all().iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2"]);
    assert_eq!(s.leaves().len(), 5);
    let lecture = s.find("1.2").expect("1.2");
    assert_eq!(lecture.method, Method::Computed);
    assert_eq!(lecture.rule.map(|r| (r.rule, r.kind)), Some((RuleCode::ObligationsOnTime, Some(ObligationKind::PartyLecture))));
    assert_eq!(s.find("2.1").expect("2.1").method, Method::Scored);
    assert_eq!(s.tiers, default_tiers(100));
}

#[test]
fn points_that_do_not_add_up_are_named() {
    let mut input = hundred();
    input.indicators[0].children[2].points = "15".into();
    let e = input.validate().expect_err("does not add up");
    let msgs: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("“1 组织生活”的下级分值合计55分，与该项分值60分不符")), "{msgs:?}");
    // The top level still adds up to 100: only the parent is named.
    assert_eq!(e.len(), 1, "{msgs:?}");
    input.indicators[1].points = "35".into();
    input.indicators[1].children[0].points = "20".into();
    let e = input.validate().expect_err("top and parent");
    let msgs: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("一级指标分值合计95分，应等于总分100分")), "{msgs:?}");
}

#[test]
fn every_problem_of_a_scheme_is_reported_at_once() {
    let input = SchemeInput {
        name: " ".into(),
        scale: 90,
        period_kind: "week".into(),
        objection_days: Some(40),
        tiers: vec![TierInput { name: "优秀".into(), min: "80".into(), outcome: String::new() }, TierInput { name: "合格".into(), min: "85".into(), outcome: "表扬".into() }],
        indicators: vec![leaf("学习时长", "10", ""), computed("登录次数", "10", "login_count", ""), group("建设", "x", vec![leaf("a", "1.234", "scored")])],
    };
    let codes: Vec<&str> = input.validate().expect_err("all wrong").iter().map(|e| e.code).collect();
    for c in ["required", "invalid_scale", "invalid_period_kind", "too_long", "not_descending", "invalid_outcome", "lowest_not_zero", "method_required", "unknown_rule", "invalid_points"] {
        assert!(codes.contains(&c), "{c} missing from {codes:?}");
    }
}

#[test]
fn a_parent_is_not_scored_and_a_scored_leaf_takes_no_rule() {
    let mut input = hundred();
    input.indicators[1].method = "scored".into();
    input.indicators[1].children[1].rule = "attendance_rate".into();
    let codes: Vec<&str> = input.validate().expect_err("wrong methods").iter().map(|e| e.code).collect();
    assert_eq!(codes, ["rule_on_scored", "leaf_method_on_parent"]);
}

#[test]
fn points_parse_to_hundredths_and_print_without_trailing_zeros() {
    assert_eq!(Points::parse("p", "分值", "20"), Ok(Points(2000)));
    assert_eq!(Points::parse("p", "分值", "2.5"), Ok(Points(250)));
    assert_eq!(Points::parse("p", "分值", " 18.33 "), Ok(Points(1833)));
    for bad in ["", "-1", "1.234", "1.", ".5", "1e3", "二十"] {
        assert_eq!(Points::parse("p", "分值", bad).expect_err(bad).code, "invalid_points", "{bad}");
    }
    assert_eq!(Points(2000).to_string(), "20");
    assert_eq!(Points(250).to_string(), "2.5");
    assert_eq!(Points(1833).to_string(), "18.33");
    assert_eq!(Points(5).to_string(), "0.05");
}

#[test]
fn tiers_take_a_total_at_their_edge() {
    let tiers = default_tiers(100);
    let name = |p: i64| tier_of(&tiers, Points(p)).name.clone();
    assert_eq!(name(10000), "优秀");
    assert_eq!(name(9000), "优秀", "90 is 优秀");
    assert_eq!(name(8999), "良好", "89.99 is not");
    assert_eq!(name(8000), "良好");
    assert_eq!(name(7999), "一般");
    assert_eq!(name(6000), "一般");
    assert_eq!(name(5999), "较差");
    assert_eq!(name(0), "较差");
    assert_eq!(tier_of(&tiers, Points(9000)).outcome, Some(Outcome::Commendation));
    assert_eq!(tier_of(&tiers, Points(0)).outcome, Some(Outcome::Admonishment));
    // 千分制: the same shares of 1000.
    assert_eq!(tier_of(&default_tiers(1000), Points(90000)).name, "优秀");
    assert_eq!(tier_of(&default_tiers(1000), Points(89999)).name, "良好");
}

#[test]
fn seed_004s_community_classes_are_expressible_on_1000_points() {
    // Seed 004: communities classified on a 1000-point scale (千分制), classes tied to pay.
    let mut input = hundred();
    input.scale = 1000;
    input.indicators[0].points = "600".into();
    for c in &mut input.indicators[0].children {
        c.points = "200".into();
    }
    input.indicators[1].points = "400".into();
    input.indicators[1].children[0].points = "250".into();
    input.indicators[1].children[1].points = "150".into();
    input.tiers = vec![
        TierInput { name: "一类社区".into(), min: "900".into(), outcome: "commendation".into() },
        TierInput { name: "二类社区".into(), min: "800".into(), outcome: String::new() },
        TierInput { name: "三类社区".into(), min: "700".into(), outcome: String::new() },
        TierInput { name: "四类社区".into(), min: "0".into(), outcome: "诫勉谈话".into() },
    ];
    let s = input.validate().expect("千分制");
    assert_eq!(s.tier_of(Points::whole(900)).name, "一类社区");
    assert_eq!(s.tier_of(Points(89_999)).name, "二类社区");
    assert_eq!(s.tier_of(Points::whole(699)).name, "四类社区");
    assert_eq!(s.tier_of(Points::whole(699)).outcome, Some(Outcome::Admonishment));
}
