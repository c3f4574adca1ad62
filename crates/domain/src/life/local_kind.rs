//! 自定义会议类别 — a kind of organisational life an installation adds to DOMAIN.md's canonical
//! ones (issue 10: "Meeting kinds (canonical codes in DOMAIN.md) and kinds an installation
//! adds"): seed 001's 法制讲座, 机关论坛 and 道德讲堂, a 廉政教育 or a 政治生日. A record may count
//! as canonical kinds and added ones at once; the canonical codes stay closed, so no added kind
//! can pass itself off as one of them.

use crate::life::MeetingKind;
use crate::org::OrgKind;
use crate::text::parse_name;
use crate::Invalid;

const NAME_MAX: usize = 20;
const CODE_MAX: usize = 40;

/// An added kind as a form or an API body gives it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LocalKindInput {
    /// Lower-case letters, digits and `_`, starting with a letter, e.g. `integrity_education`.
    pub code: String,
    /// 名称, e.g. 廉政教育.
    pub name: String,
    /// The organisation kinds that may hold it (codes or labels), e.g. `["branch"]`.
    pub held_by: Vec<String>,
}

/// An added kind that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLocalKind {
    pub code: String,
    pub name: String,
    pub held_by: Vec<OrgKind>,
}

impl LocalKindInput {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<ValidLocalKind, Vec<Invalid>> {
        let mut errors = Vec::new();
        let code = self.code.trim().to_string();
        let well_formed = (3..=CODE_MAX).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            errors.push(Invalid::new("code", "invalid_code", format!("类别代码应为3—{CODE_MAX}位小写字母、数字或下划线，以字母开头，如 integrity_education")));
        } else if MeetingKind::ALL.iter().any(|k| k.code() == code) {
            errors.push(Invalid::new("code", "canonical_code", format!("类别代码“{code}”是规定的会议类别，不能再添加")));
        }
        let name = match parse_name("name", "类别名称", &self.name, NAME_MAX) {
            Ok(n) if MeetingKind::ALL.iter().any(|k| k.label() == n) => {
                errors.push(Invalid::new("name", "canonical_name", format!("“{n}”是规定的会议类别，不能再添加")));
                n
            }
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let mut held_by = Vec::new();
        for k in self.held_by.iter().filter(|k| !k.trim().is_empty()) {
            match OrgKind::parse(k) {
                Some(kind) if !held_by.contains(&kind) => held_by.push(kind),
                Some(_) => {}
                None => errors.push(Invalid::new("held_by", "invalid_org_kind", format!("组织类别“{}”无法识别", k.trim().chars().take(40).collect::<String>()))),
            }
        }
        if held_by.is_empty() && !errors.iter().any(|e| e.field == "held_by") {
            errors.push(Invalid::new("held_by", "required", "请至少选择一类开展该活动的组织"));
        }
        if errors.is_empty() {
            Ok(ValidLocalKind { code, name, held_by })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(code: &str, name: &str, held_by: &[&str]) -> LocalKindInput {
        LocalKindInput { code: code.into(), name: name.into(), held_by: held_by.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn an_added_kind_names_the_organisations_that_hold_it() {
        let v = input(" integrity_education ", "廉政教育", &["branch", "联合党支部", "branch"]).validate().expect("valid");
        assert_eq!((v.code.as_str(), v.name.as_str()), ("integrity_education", "廉政教育"));
        assert_eq!(v.held_by, [OrgKind::Branch, OrgKind::JointBranch]);
    }

    #[test]
    fn every_problem_comes_back_at_once() {
        let errs = input("Law-Lecture", "", &["nonsense"]).validate().expect_err("invalid");
        let fields: Vec<_> = errs.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(fields, [("code", "invalid_code"), ("name", "required"), ("held_by", "invalid_org_kind")]);
        let errs = input("ab", "法制讲座", &[]).validate().expect_err("invalid");
        assert_eq!(errs.iter().map(|e| e.field).collect::<Vec<_>>(), ["code", "held_by"]);
    }

    #[test]
    fn a_canonical_kind_cannot_be_added_again() {
        let errs = input("party_lecture", "党课", &["branch"]).validate().expect_err("canonical");
        assert_eq!(errs.iter().map(|e| e.code).collect::<Vec<_>>(), ["canonical_code", "canonical_name"]);
    }
}
