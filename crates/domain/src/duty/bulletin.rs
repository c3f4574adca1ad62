//! 考核通报 — the bulletin of a published assessment (issue 11 "Bulletins (通报)": for a period, a
//! printable page and xlsx with ranks, tiers, strong and weak points per organisation and what
//! changed since the last period; seed 000 周检查、月评比、季通报; seed 004's counts
//! "提拔使用18人，诫勉谈话16人" produced by the system). The rules here: which indicators are an
//! organisation's strong and weak points, and how its standing changed since the last period.

use std::cmp::Ordering;

use crate::code_enum;

use super::scheme::{Points, Tier};

/// Strong and weak points named per organisation: two of each fit a line of a printed bulletin.
pub const POINTS_SHOWN: usize = 2;

/// A leaf indicator with what an organisation earned on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Earned {
    pub code: String,
    pub name: String,
    pub points: Points,
    pub score: Points,
}

impl Earned {
    /// `score / points`, compared without division: a/b against c/d as a·d against c·b.
    fn share_cmp(&self, o: &Earned) -> Ordering {
        (i128::from(self.score.0) * i128::from(o.points.0)).cmp(&(i128::from(o.score.0) * i128::from(self.points.0)))
    }

    fn lost(&self) -> i64 {
        self.points.0 - self.score.0
    }

    /// `党员参加组织生活率 18/20`.
    pub fn text(&self) -> String {
        format!("{} {}/{}", self.name, self.score, self.points)
    }
}

/// 优势与薄弱指标 — an organisation's strong and weak points among the leaf indicators it was
/// scored on, by the share of their points it earned (an indicator of 10 points scored 9 is
/// stronger than one of 20 scored 16):
/// - weak: the indicators where it lost points, lowest share first; at an equal share the one
///   that lost more points first (it weighs more in the total), then in scheme order;
/// - strong: of the others, highest share first; at an equal share the heavier indicator first,
///   then in scheme order.
///
/// At most `n` of each; an indicator is never both. Full marks everywhere: no weak points.
pub fn strong_and_weak(leaves: &[Earned], n: usize) -> (Vec<Earned>, Vec<Earned>) {
    let mut weak: Vec<&Earned> = leaves.iter().filter(|l| l.score < l.points).collect();
    weak.sort_by(|a, b| a.share_cmp(b).then(b.lost().cmp(&a.lost())));
    weak.truncate(n);
    let mut strong: Vec<&Earned> = leaves.iter().filter(|l| !weak.iter().any(|w| w.code == l.code)).collect();
    strong.sort_by(|a, b| b.share_cmp(a).then(b.points.cmp(&a.points)));
    strong.truncate(n);
    (strong.into_iter().cloned().collect(), weak.into_iter().cloned().collect())
}

code_enum! {
    /// 等次变化 — how an organisation's tier moved since the last period.
    TierMove {
        /// 首次考核: not assessed in the last period (or there was none).
        First = "first" / "首次考核",
        Up = "up" / "等次上升",
        Same = "same" / "等次不变",
        Down = "down" / "等次下降",
    }
}

/// An organisation's standing in the last period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Before {
    pub total: Points,
    pub rank: Option<i64>,
    pub tier: Option<String>,
}

/// 与上期相比 — what changed since the last period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub tier_move: TierMove,
    pub total_before: Option<Points>,
    pub rank_before: Option<i64>,
    pub tier_before: Option<String>,
    /// 分差: this period's total less the last one's.
    pub delta: Option<Points>,
}

impl Change {
    /// `+2.5`, `-3`, `0`; empty for a first assessment.
    pub fn delta_text(&self) -> String {
        match self.delta {
            Some(d) if d.0 > 0 => format!("+{d}"),
            Some(d) => d.to_string(),
            None => String::new(),
        }
    }

    /// `良好→优秀`, `优秀（不变）`, `首次考核`.
    pub fn tier_text(&self, now: Option<&str>) -> String {
        match (self.tier_move, self.tier_before.as_deref(), now) {
            (TierMove::First, ..) => TierMove::First.label().to_string(),
            (TierMove::Same, _, Some(t)) => format!("{t}（不变）"),
            (_, Some(b), Some(t)) => format!("{b}→{t}"),
            (m, ..) => m.label().to_string(),
        }
    }
}

/// The change from `before` (absent: 首次考核) to this period's `total` and `tier`. Tiers are
/// compared by their place in this period's scheme (`tiers`, highest first); a tier of the last
/// period that this scheme no longer has is compared by the total instead.
pub fn change(before: Option<&Before>, total: Points, tier: Option<&str>, tiers: &[Tier]) -> Change {
    let Some(b) = before else {
        return Change { tier_move: TierMove::First, total_before: None, rank_before: None, tier_before: None, delta: None };
    };
    let place = |name: Option<&str>| name.and_then(|n| tiers.iter().position(|t| t.name == n));
    let tier_move = match (place(b.tier.as_deref()), place(tier)) {
        // A lower position is a higher tier.
        (Some(was), Some(is)) => match is.cmp(&was) {
            Ordering::Less => TierMove::Up,
            Ordering::Equal => TierMove::Same,
            Ordering::Greater => TierMove::Down,
        },
        _ => match total.cmp(&b.total) {
            Ordering::Greater => TierMove::Up,
            Ordering::Equal => TierMove::Same,
            Ordering::Less => TierMove::Down,
        },
    };
    Change { tier_move, total_before: Some(b.total), rank_before: b.rank, tier_before: b.tier.clone(), delta: Some(Points(total.0 - b.total.0)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::scheme::default_tiers;

    fn e(code: &str, points: i64, score: i64) -> Earned {
        Earned { code: code.into(), name: format!("指标{code}"), points: Points::whole(points), score: Points::whole(score) }
    }

    fn codes(v: &[Earned]) -> Vec<&str> {
        v.iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn weak_points_are_the_lowest_shares_and_strong_the_highest() {
        // Shares: 1.1 15/15, 1.2 12/15 (0.8), 1.3 9/10 (0.9), 2.1 10/20 (0.5), 2.2 20/20.
        let leaves = [e("1.1", 15, 15), e("1.2", 15, 12), e("1.3", 10, 9), e("2.1", 20, 10), e("2.2", 20, 20)];
        let (strong, weak) = strong_and_weak(&leaves, 2);
        assert_eq!(codes(&weak), ["2.1", "1.2"]);
        // Both full: the heavier (20 points) before the lighter (15).
        assert_eq!(codes(&strong), ["2.2", "1.1"]);
    }

    #[test]
    fn share_not_points_lost_decides_and_ties_go_to_the_heavier_loss() {
        // 1.1 loses 4 of 20 (0.8), 1.2 loses 3 of 10 (0.7): 1.2 is weaker though it lost less.
        let (_, weak) = strong_and_weak(&[e("1.1", 20, 16), e("1.2", 10, 7)], 2);
        assert_eq!(codes(&weak), ["1.2", "1.1"]);
        // Equal shares (0.5): the one that lost 10 points before the one that lost 5.
        let (_, weak) = strong_and_weak(&[e("1.1", 10, 5), e("1.2", 20, 10)], 1);
        assert_eq!(codes(&weak), ["1.2"]);
    }

    #[test]
    fn full_marks_everywhere_has_no_weak_points_and_nothing_is_both() {
        let (strong, weak) = strong_and_weak(&[e("1", 60, 60), e("2", 40, 40)], 2);
        assert!(weak.is_empty());
        assert_eq!(codes(&strong), ["1", "2"]);
        // Three leaves, two lost points: both weak, the third the only strong one.
        let (strong, weak) = strong_and_weak(&[e("1", 40, 40), e("2", 30, 20), e("3", 30, 29)], 2);
        assert_eq!(codes(&weak), ["2", "3"]);
        assert_eq!(codes(&strong), ["1"]);
    }

    #[test]
    fn half_points_compare_exactly() {
        // 7.5/10 (0.75) against 15/20 (0.75): equal, the heavier loss (5) first.
        let a = Earned { code: "a".into(), name: "a".into(), points: Points::whole(10), score: Points(750) };
        let (_, weak) = strong_and_weak(&[a, e("b", 20, 15)], 2);
        assert_eq!(codes(&weak), ["b", "a"]);
    }

    #[test]
    fn changes_since_the_last_period() {
        let tiers = default_tiers(100);
        let first = change(None, Points::whole(91), Some("优秀"), &tiers);
        assert_eq!(first.tier_move, TierMove::First);
        assert_eq!(first.tier_text(Some("优秀")), "首次考核");
        assert_eq!(first.delta_text(), "");
        let before = Before { total: Points::whole(85), rank: Some(7), tier: Some("良好".into()) };
        let up = change(Some(&before), Points(9150), Some("优秀"), &tiers);
        assert_eq!((up.tier_move, up.delta, up.rank_before), (TierMove::Up, Some(Points(650)), Some(7)));
        assert_eq!((up.delta_text().as_str(), up.tier_text(Some("优秀")).as_str()), ("+6.5", "良好→优秀"));
        let same = change(Some(&before), Points::whole(82), Some("良好"), &tiers);
        assert_eq!((same.tier_move, same.delta_text().as_str(), same.tier_text(Some("良好")).as_str()), (TierMove::Same, "-3", "良好（不变）"));
        let down = change(Some(&before), Points::whole(70), Some("一般"), &tiers);
        assert_eq!(down.tier_move, TierMove::Down);
        // A tier this scheme no longer has: compared by the total.
        let renamed = Before { total: Points::whole(85), rank: None, tier: Some("甲等".into()) };
        assert_eq!(change(Some(&renamed), Points::whole(85), Some("良好"), &tiers).tier_move, TierMove::Same);
    }
}
