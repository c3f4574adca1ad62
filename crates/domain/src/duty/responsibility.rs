//! 党建工作责任 — seed 004's "123" responsibility system: the 书记 is the 第一责任人 and the
//! 副书记 the 具体责任人 of an organisation's party work, derived from the posts it holds (never
//! typed a second time), and a 责任清单 per organisation and year: tasks with an owner, a
//! deadline and a status computed from the date. Seed-local (DOMAIN.md "Seed-local mechanisms").

use chrono::{Datelike, NaiveDate};

use crate::org::{AbRole, PostKind};
use crate::text::{parse_name, parse_text, NOTE_MAX};
use crate::time::{self, Date};
use crate::{code_enum, Invalid};

code_enum! {
    /// 责任人类别 — the two responsible persons of seed 004's "一项责任".
    Responsibility {
        First = "first" / "第一责任人",
        Specific = "specific" / "具体责任人",
    }
}

code_enum! {
    /// 任务状态 — computed from the deadline and the day a task was done, never typed.
    TaskStatus {
        Open = "open" / "进行中",
        Done = "done" / "已完成",
        Overdue = "overdue" / "已逾期",
    }
}

/// 任务名称.
pub const TITLE_MAX: usize = 100;

impl Responsibility {
    /// The post whose holder carries it (seed 004: 书记 第一责任人, 副书记 具体责任人).
    pub fn post(self) -> PostKind {
        match self {
            Responsibility::First => PostKind::Secretary,
            Responsibility::Specific => PostKind::DeputySecretary,
        }
    }
}

/// A current post as the store reads it: who holds which post in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub post: PostKind,
    pub ab_role: AbRole,
    pub member_id: i64,
    pub name: String,
}

/// One responsible person and how they come to be it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Responsible {
    pub responsibility: Responsibility,
    pub member_id: i64,
    pub name: String,
    pub post: PostKind,
    /// B: the A holder of the post is absent and the B holder acts (AB角).
    pub ab_role: AbRole,
}

impl Responsible {
    /// "书记（A角）" or "书记（B角，A角空缺时代行）".
    pub fn basis(&self) -> String {
        match self.ab_role {
            AbRole::A => format!("{}（A角）", self.post.label()),
            AbRole::B => format!("{}（B角，A角空缺时代行）", self.post.label()),
        }
    }
}

/// The 第一责任人 and 具体责任人 from an organisation's current posts: the A holder of the post,
/// or its B holder when no A holder is in office (AB角: the B holder acts when the A holder is
/// absent). A responsibility whose post is vacant in both roles is left out: the page says 未配备.
pub fn responsible(current: &[Holder]) -> Vec<Responsible> {
    Responsibility::ALL
        .iter()
        .filter_map(|r| {
            let holder = |role: AbRole| current.iter().find(|h| h.post == r.post() && h.ab_role == role);
            holder(AbRole::A).or_else(|| holder(AbRole::B)).map(|h| Responsible {
                responsibility: *r,
                member_id: h.member_id,
                name: h.name.clone(),
                post: h.post,
                ab_role: h.ab_role,
            })
        })
        .collect()
}

/// A task's status on `today`: done once it has a completion day; overdue when its deadline has
/// passed without one (the deadline day itself is still in time).
pub fn task_status(deadline: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> TaskStatus {
    match done_on {
        Some(_) => TaskStatus::Done,
        None if today > deadline => TaskStatus::Overdue,
        None => TaskStatus::Open,
    }
}

/// A 责任清单 task as typed: all text, as a form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TaskInput {
    /// 年度, e.g. `2026`.
    pub year: String,
    /// 任务.
    pub title: String,
    /// 责任人: a member on the organisation's roster (the store checks it).
    pub owner_member_id: i64,
    /// 完成时限, `YYYY-MM-DD`, within the year.
    pub deadline: String,
    /// 完成日期, `YYYY-MM-DD`; empty while the task is open.
    pub done_on: String,
    /// 备注 (how it was done, what is left).
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTask {
    pub year: i32,
    pub title: String,
    pub owner_member_id: i64,
    pub deadline: Date,
    pub done_on: Option<Date>,
    pub note: String,
}

impl TaskInput {
    /// Checks a task on `today`; every problem at once. The year is this year, the next one (a
    /// list is drawn up before the year begins) or an earlier one since 2000.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidTask, Vec<Invalid>> {
        let mut errors = Vec::new();
        let year = match self.year.trim().parse::<i32>() {
            Ok(y) if (2000..=today.year() + 1).contains(&y) => Some(y),
            _ => {
                errors.push(Invalid::new("year", "invalid_year", format!("年度应为2000年至{}年之间的年份", today.year() + 1)));
                None
            }
        };
        let title = parse_name("title", "任务", &self.title, TITLE_MAX).map_err(|e| errors.push(e)).ok();
        if self.owner_member_id <= 0 {
            errors.push(Invalid::new("owner_member_id", "required", "请选择责任人"));
        }
        let deadline = match time::parse_date("deadline", "完成时限", &self.deadline) {
            Ok(d) if year.is_some_and(|y| d.year() != y) => {
                errors.push(Invalid::new("deadline", "outside_year", format!("完成时限应在{}年内", year.unwrap_or_default())));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let done_on = if self.done_on.trim().is_empty() {
            None
        } else {
            match time::parse_date("done_on", "完成日期", &self.done_on) {
                Ok(d) if d > today => {
                    errors.push(Invalid::new("done_on", "future", "完成日期不能晚于今天"));
                    None
                }
                Ok(d) => Some(Date(d)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let note = parse_text("note", "备注", &self.note, NOTE_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        match (year, title, deadline) {
            (Some(year), Some(title), Some(deadline)) if errors.is_empty() => {
                Ok(ValidTask { year, title, owner_member_id: self.owner_member_id, deadline: Date(deadline), done_on, note })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn holder(post: PostKind, ab: AbRole, id: i64, name: &str) -> Holder {
        Holder { post, ab_role: ab, member_id: id, name: name.into() }
    }

    #[test]
    fn the_secretary_and_the_deputy_are_responsible() {
        // Seed 004: 明确党组织书记为抓基层党建的第一责任人，副书记为具体责任人.
        let posts = [
            holder(PostKind::DeputySecretary, AbRole::A, 2, "李四"),
            holder(PostKind::Secretary, AbRole::B, 2, "李四"),
            holder(PostKind::Secretary, AbRole::A, 1, "张三"),
            holder(PostKind::OrganisationMember, AbRole::A, 3, "王五"),
        ];
        let r = responsible(&posts);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].responsibility, r[0].name.as_str(), r[0].ab_role), (Responsibility::First, "张三", AbRole::A));
        assert_eq!((r[1].responsibility, r[1].name.as_str()), (Responsibility::Specific, "李四"));
        assert_eq!(r[0].basis(), "书记（A角）");
    }

    #[test]
    fn the_b_holder_acts_when_the_a_holder_is_absent() {
        let posts = [holder(PostKind::Secretary, AbRole::B, 2, "李四")];
        let r = responsible(&posts);
        assert_eq!((r[0].name.as_str(), r[0].ab_role), ("李四", AbRole::B));
        assert!(r[0].basis().contains("代行"));
        // No 副书记 at all: the 具体责任人 is not invented.
        assert!(r.iter().all(|x| x.responsibility != Responsibility::Specific));
        assert!(responsible(&[]).is_empty());
    }

    #[test]
    fn a_task_is_overdue_only_after_its_deadline_day() {
        let deadline = day(2026, 6, 30);
        assert_eq!(task_status(deadline, None, day(2026, 6, 30)), TaskStatus::Open);
        assert_eq!(task_status(deadline, None, day(2026, 7, 1)), TaskStatus::Overdue);
        assert_eq!(task_status(deadline, Some(day(2026, 7, 5)), day(2026, 8, 1)), TaskStatus::Done);
    }

    #[test]
    fn a_task_reports_every_problem_at_once() {
        let today = day(2026, 12, 2);
        let ok = TaskInput { year: "2026".into(), title: "落实“三会一课”制度".into(), owner_member_id: 7, deadline: "2026-12-31".into(), ..Default::default() };
        let v = ok.validate(today).expect("valid");
        assert_eq!((v.year, v.deadline, v.done_on), (2026, Date(day(2026, 12, 31)), None));
        let bad = TaskInput { year: "2026".into(), title: " ".into(), owner_member_id: 0, deadline: "2027-01-05".into(), done_on: "2026-12-03".into(), note: String::new() };
        let fields: Vec<_> = bad.validate(today).expect_err("refused").iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(fields, [("title", "required"), ("owner_member_id", "required"), ("deadline", "outside_year"), ("done_on", "future")]);
        let far = TaskInput { year: "2028".into(), ..ok };
        assert_eq!(far.validate(today).expect_err("too far")[0].code, "invalid_year");
    }
}
