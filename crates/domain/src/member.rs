//! 党员 — the person and the party facet: statuses, categories and the checks on a roster entry.

use chrono::{Datelike, NaiveDate};

pub use crate::idcard::{Gender, IdNumber, Phone};
use crate::text::{parse_name, parse_optional_name};
use crate::{code_enum, time, Invalid};

code_enum! {
    /// 党员状态 — member status (DOMAIN.md canonical codes), pipeline stages and leaving.
    Status {
        Applicant = "applicant" / "入党申请人",
        Activist = "activist" / "入党积极分子",
        Candidate = "candidate" / "发展对象",
        Probationary = "probationary" / "预备党员",
        Full = "full" / "正式党员",
        TransferredOut = "transferred_out" / "转出",
        Deceased = "deceased" / "去世",
        Expelled = "expelled" / "开除党籍",
        Removed = "removed" / "除名",
        Withdrawn = "withdrawn" / "退党",
        Suspended = "suspended" / "停止党籍",
    }
}

code_enum! {
    /// 人员类别 — category of a member, which decides dues rates and reporting.
    Category {
        Employed = "employed" / "在职",
        Retired = "retired" / "离退休",
        Mobile = "mobile" / "流动",
        Other = "other" / "其他",
    }
}

impl Status {
    /// Members counted on the roster: 正式党员 and 预备党员.
    pub fn is_member(self) -> bool {
        matches!(self, Status::Full | Status::Probationary)
    }
}

/// A roster entry as typed by a person or read from a 花名册 row: all text, nothing trusted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub id_number: String,
    pub birth_date: String,
    pub education: String,
    pub phone: String,
    pub work_unit: String,
    pub position: String,
    pub category: String,
    pub status: String,
    pub joined_on: String,
    pub full_on: String,
}

/// A roster entry that passed every check.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub id_number: IdNumber,
    pub birth_date: NaiveDate,
    pub education: String,
    pub phone: Option<Phone>,
    pub work_unit: String,
    pub position: String,
    pub category: Category,
    pub status: Status,
    pub joined_on: Option<NaiveDate>,
    pub full_on: Option<NaiveDate>,
}

fn optional_date(field: &'static str, label: &str, s: &str) -> Result<Option<NaiveDate>, Invalid> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    time::parse_date(field, label, s).map(Some)
}

fn years_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

impl MemberInput {
    /// Checks every field and reports all problems at once, so a form or an import report can
    /// show them together.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidMember, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut push = |r: Result<(), Invalid>| {
            if let Err(e) = r {
                errors.push(e)
            }
        };

        let name = parse_name("name", "姓名", &self.name, 30);
        let id = IdNumber::parse(&self.id_number, today)
            .map_err(|e| Invalid::new("id_number", "invalid_id_number", e.to_string()));
        let phone = if self.phone.trim().is_empty() {
            Ok(None)
        } else {
            Phone::parse(&self.phone).map(Some).map_err(|e| Invalid::new("phone", "invalid_phone", e.to_string()))
        };
        let status = Status::parse(&self.status)
            .ok_or_else(|| Invalid::new("status", "invalid_status", format!("党员状态“{}”无法识别，应为正式党员或预备党员等", self.status.trim())));
        let category = if self.category.trim().is_empty() {
            Ok(Category::Employed)
        } else {
            Category::parse(&self.category).ok_or_else(|| {
                Invalid::new("category", "invalid_category", format!("人员类别“{}”无法识别，应为在职、离退休、流动或其他", self.category.trim()))
            })
        };
        let joined_on = optional_date("joined_on", "入党时间", &self.joined_on);
        let full_on = optional_date("full_on", "转正时间", &self.full_on);
        let ethnicity = parse_optional_name("ethnicity", "民族", &self.ethnicity, 20);
        let education = parse_optional_name("education", "学历", &self.education, 20);
        let work_unit = parse_optional_name("work_unit", "工作单位", &self.work_unit, 60);
        let position = parse_optional_name("position", "职务", &self.position, 40);

        if let Ok(id) = &id {
            if !self.birth_date.trim().is_empty() {
                push(time::parse_date("birth_date", "出生日期", &self.birth_date).and_then(|d| {
                    if d == id.birth_date() {
                        Ok(())
                    } else {
                        Err(Invalid::new("birth_date", "birth_date_mismatch", format!(
                            "出生日期{}与公民身份号码中的{}不一致", time::format_date(d), time::format_date(id.birth_date())
                        )))
                    }
                }));
            }
            if !self.gender.trim().is_empty() {
                match Gender::from_code(self.gender.trim()) {
                    Some(g) if g == id.gender() => {}
                    Some(_) => push(Err(Invalid::new("gender", "gender_mismatch", format!(
                        "性别与公民身份号码不一致（号码显示为{}）", id.gender().label()
                    )))),
                    None => push(Err(Invalid::new("gender", "invalid_gender", "性别应为“男”或“女”"))),
                }
            }
        }

        if let (Ok(status), Ok(joined), Ok(full)) = (&status, &joined_on, &full_on) {
            if status.is_member() && joined.is_none() {
                push(Err(Invalid::new("joined_on", "required", "党员须填写入党时间")));
            }
            if let Some(j) = joined {
                if *j > today {
                    push(Err(Invalid::new("joined_on", "in_future", "入党时间不能晚于今天")));
                }
                // 党章 art. 1: admission from the age of 18.
                if let Ok(id) = &id {
                    if years_between(id.birth_date(), *j) < 18 {
                        push(Err(Invalid::new("joined_on", "under_age", "入党时未满18周岁（党章第一条）")));
                    }
                }
            }
            match (status, full) {
                (Status::Probationary, Some(_)) => {
                    push(Err(Invalid::new("full_on", "probationary_has_full_date", "预备党员不应填写转正时间")))
                }
                (_, Some(f)) => {
                    if *f > today {
                        push(Err(Invalid::new("full_on", "in_future", "转正时间不能晚于今天")));
                    }
                    if let Some(j) = joined {
                        if f < j {
                            push(Err(Invalid::new("full_on", "before_joining", "转正时间早于入党时间")));
                        }
                    }
                }
                _ => {}
            }
        }

        let mut all: Vec<Invalid> = [
            name.as_ref().err(),
            id.as_ref().err(),
            phone.as_ref().err(),
            status.as_ref().err(),
            category.as_ref().err(),
            joined_on.as_ref().err(),
            full_on.as_ref().err(),
            ethnicity.as_ref().err(),
            education.as_ref().err(),
            work_unit.as_ref().err(),
            position.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        all.extend(errors);
        if !all.is_empty() {
            return Err(all);
        }
        let id = id.expect("checked above");
        Ok(ValidMember {
            name: name.expect("checked above"),
            gender: id.gender(),
            ethnicity: ethnicity.expect("checked above"),
            birth_date: id.birth_date(),
            id_number: id,
            education: education.expect("checked above"),
            phone: phone.expect("checked above"),
            work_unit: work_unit.expect("checked above"),
            position: position.expect("checked above"),
            category: category.expect("checked above"),
            status: status.expect("checked above"),
            joined_on: joined_on.expect("checked above"),
            full_on: full_on.expect("checked above"),
        })
    }
}

/// 党员编号 — member number, unique in the installation; generated when not given.
pub fn parse_member_no(s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    if s.is_empty() || s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Invalid::new("member_no", "invalid_member_no", "党员编号应为1—32位字母、数字或短横线"));
    }
    Ok(s.to_string())
}

/// Whether a search text is an ID number (by its shape, checksum or not) or a mobile number.
/// Such a text must not travel in a URL, where browser history and proxy logs keep it
/// (SECURITY.md "Web hygiene": no personal data in query strings).
pub fn is_personal_number(s: &str) -> bool {
    let t = s.trim();
    let b = t.as_bytes();
    let id_shape = (b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x'))
        || (b.len() == 15 && b.iter().all(u8::is_ascii_digit));
    id_shape || Phone::parse(t).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_numbers_are_recognised_for_keeping_them_out_of_urls() {
        for yes in ["11010519491231002X", "110105194912310021", "110105491231002", "13812345678", "+86 138 1234 5678"] {
            assert!(is_personal_number(yes), "{yes}");
        }
        for no in ["王伟", "DY-2021-001", "1381234", "12345"] {
            assert!(!is_personal_number(no), "{no}");
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input() -> MemberInput {
        MemberInput {
            name: "王建国".into(),
            gender: "女".into(),
            id_number: "11010519491231002X".into(),
            status: "正式党员".into(),
            joined_on: "1975-07-01".into(),
            full_on: "1976-07-01".into(),
            phone: "13800138000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_entry_passes_and_derives_birth_and_gender() {
        let v = input().validate(today()).unwrap();
        assert_eq!(v.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(v.gender, Gender::Female);
        assert_eq!(v.category, Category::Employed);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut m = input();
        m.gender = "男".into();
        m.joined_on = "1960-01-01".into();
        m.status = "预备党员".into();
        let errs = m.validate(today()).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert!(fields.contains(&"gender_mismatch"), "{errs:?}");
        assert!(fields.contains(&"under_age"), "{errs:?}");
        assert!(fields.contains(&"probationary_has_full_date"), "{errs:?}");
    }

    #[test]
    fn bad_id_and_status_are_both_named() {
        let mut m = input();
        m.id_number = "110105194912310021".into();
        m.status = "群众".into();
        let errs = m.validate(today()).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "id_number" && e.message.contains("校验")), "{errs:?}");
        assert!(errs.iter().any(|e| e.field == "status"), "{errs:?}");
    }
}
