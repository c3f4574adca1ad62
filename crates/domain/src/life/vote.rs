//! 表决 — motions put to the vote at a 支部党员大会. DOMAIN.md "Organisational life" (支部条例
//! art. 11, quoted): a vote is valid when more than half of the members with a vote attend, and a
//! motion passes when those in favour exceed half of the members with a vote who should attend.
//! The software computes the result from the counts; it never takes "passed" on trust.

use crate::text::parse_name;
use crate::Invalid;

/// A motion as typed: its subject and the counts of the vote. `passed` is what the minutes say;
/// when given it must agree with the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MotionInput {
    /// 表决事项, e.g. 接收张某为预备党员.
    pub title: String,
    pub in_favour: u32,
    pub against: u32,
    pub abstaining: u32,
    pub passed: Option<bool>,
}

/// A motion with its result computed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Motion {
    pub title: String,
    /// 应到会有表决权的党员: the full members (预备党员 have no vote) the record lists.
    pub with_vote: u32,
    /// 实到会有表决权的党员.
    pub present_with_vote: u32,
    pub in_favour: u32,
    pub against: u32,
    pub abstaining: u32,
    /// More than half of those with a vote attended.
    pub quorate: bool,
    pub passed: bool,
}

impl Motion {
    /// The result as people read it.
    pub fn result_text(&self) -> &'static str {
        match (self.quorate, self.passed) {
            (false, _) => "到会人数不足，表决无效",
            (true, true) => "通过",
            (true, false) => "未通过",
        }
    }
}

pub const MOTIONS_MAX: usize = 20;

/// Checks the motions of a record against the attendance: `with_vote` full members listed,
/// `present_with_vote` of them present. Reports every problem at once, each naming its motion.
pub fn check_motions(motions: &[MotionInput], with_vote: u32, present_with_vote: u32) -> Result<Vec<Motion>, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if motions.len() > MOTIONS_MAX {
        errors.push(Invalid::new("motions", "too_many", format!("一次会议最多登记{MOTIONS_MAX}项表决事项")));
    }
    for (i, m) in motions.iter().take(MOTIONS_MAX).enumerate() {
        let n = i + 1;
        let title = match parse_name("motions", "表决事项", &m.title, 200) {
            Ok(t) => t,
            Err(e) => {
                errors.push(Invalid::new("motions", e.code, format!("第{n}项表决：{}", e.message)));
                continue;
            }
        };
        let cast = u64::from(m.in_favour) + u64::from(m.against) + u64::from(m.abstaining);
        if cast > u64::from(present_with_vote) {
            errors.push(Invalid::new(
                "motions",
                "more_votes_than_present",
                format!("第{n}项表决“{title}”：赞成、反对、弃权共{cast}票，多于到会的有表决权党员{present_with_vote}人"),
            ));
            continue;
        }
        let quorate = present_with_vote * 2 > with_vote;
        let passed = quorate && m.in_favour * 2 > with_vote;
        if m.passed == Some(true) && !passed {
            let why = if quorate {
                format!("赞成{}票，未超过应到会有表决权党员{with_vote}人的半数", m.in_favour)
            } else {
                format!("到会的有表决权党员{present_with_vote}人，未超过应到会{with_vote}人的半数，表决无效")
            };
            errors.push(Invalid::new("motions", "not_passed", format!("第{n}项表决“{title}”不能记为通过：{why}（支部条例第11条）")));
            continue;
        }
        if m.passed == Some(false) && passed {
            errors.push(Invalid::new("motions", "passed", format!("第{n}项表决“{title}”赞成{}票，已超过应到会有表决权党员{with_vote}人的半数，应记为通过", m.in_favour)));
            continue;
        }
        out.push(Motion { title, with_vote, present_with_vote, in_favour: m.in_favour, against: m.against, abstaining: m.abstaining, quorate, passed });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn motion(f: u32, a: u32, ab: u32, passed: Option<bool>) -> MotionInput {
        MotionInput { title: "接收张某为预备党员".into(), in_favour: f, against: a, abstaining: ab, passed }
    }

    #[test]
    fn a_motion_passes_when_those_in_favour_exceed_half_of_those_who_should_attend() {
        // 20 full members should attend, 15 came: 11 in favour pass, 10 do not (half is not more).
        let m = check_motions(&[motion(11, 3, 1, Some(true))], 20, 15).expect("passes");
        assert!(m[0].quorate && m[0].passed);
        let m = check_motions(&[motion(10, 4, 1, None)], 20, 15).expect("recorded");
        assert!(m[0].quorate && !m[0].passed);
        let e = check_motions(&[motion(10, 4, 1, Some(true))], 20, 15).expect_err("refused");
        assert_eq!(e[0].code, "not_passed");
        assert!(e[0].message.contains("支部条例第11条"), "{}", e[0].message);
    }

    #[test]
    fn without_a_quorum_nothing_passes() {
        // 10 of 20 is not more than half: the vote is void however they voted.
        let m = check_motions(&[motion(10, 0, 0, None)], 20, 10).expect("recorded");
        assert!(!m[0].quorate && !m[0].passed);
        assert_eq!(m[0].result_text(), "到会人数不足，表决无效");
        assert_eq!(check_motions(&[motion(10, 0, 0, Some(true))], 20, 10).expect_err("refused")[0].code, "not_passed");
    }

    #[test]
    fn counts_beyond_those_present_and_a_wrong_failure_are_refused_all_at_once() {
        let e = check_motions(&[motion(12, 4, 0, None), motion(15, 0, 0, Some(false)), MotionInput::default()], 20, 15).expect_err("refused");
        let codes: Vec<_> = e.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["more_votes_than_present", "passed", "required"]);
    }
}
