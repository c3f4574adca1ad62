//! 党员 — the person and the party facet: statuses, categories and the checks on a roster entry.

use chrono::{Datelike, NaiveDate};

pub use crate::idcard::{Gender, IdNumber, Phone};
use crate::text::{parse_name, parse_optional_name};
use crate::time::Date;
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

code_enum! {
    /// 档案记录类别 — what an entry of a member's history records.
    EventKind {
        Create = "create" / "建立档案",
        Joined = "joined" / "入党",
        Full = "full" / "转正",
        Transfer = "transfer" / "组织关系转接",
        Status = "status" / "状态变更",
        /// 民主评议: a published grade, or what the branch decided after it.
        Appraisal = "appraisal" / "民主评议",
    }
}

impl Status {
    /// Members counted on the roster: 正式党员 and 预备党员.
    pub fn is_member(self) -> bool {
        matches!(self, Status::Full | Status::Probationary)
    }
}

/// How a member field is read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Optional one-line text of at most `max` characters (`text::parse_optional_name`), kept as
    /// typed in a column of its own name: the fields that need no rule of their own.
    Text { max: usize },
    /// 姓名: required, at most `max` characters.
    Name { max: usize },
    /// 公民身份号码: encrypted, blind-indexed and masked when stored.
    IdNumber,
    /// 手机号码: like the ID number, and optional.
    Phone,
    /// 性别: follows the ID number; stated only to be checked against it.
    Gender,
    /// 出生日期: like the gender.
    BirthDate,
    Date,
    /// A code enum (status, category): code or Chinese label.
    Code,
}

/// One field of a roster entry: its code (input key, form name, column of a plain field), its
/// Chinese label (form label, roster header, error messages) and how it is checked.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub code: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// A roster file must have this column (its cells may still be empty: validation judges them).
    pub roster_required: bool,
    get: fn(&MemberInput) -> &str,
    get_mut: fn(&mut MemberInput) -> &mut String,
    change_mut: fn(&mut MemberChange) -> &mut Option<String>,
}

impl Field {
    pub fn value<'a>(&self, input: &'a MemberInput) -> &'a str {
        (self.get)(input)
    }

    pub fn value_mut<'a>(&self, input: &'a mut MemberInput) -> &'a mut String {
        (self.get_mut)(input)
    }

    /// Digit strings a spreadsheet must keep as text (Excel would mangle them as numbers).
    pub fn is_digits(&self) -> bool {
        matches!(self.kind, Kind::IdNumber | Kind::Phone)
    }

    pub fn is_date(&self) -> bool {
        matches!(self.kind, Kind::Date | Kind::BirthDate)
    }

    /// Longest text the field takes, for a form's `maxlength`.
    pub fn max_chars(&self) -> Option<usize> {
        match self.kind {
            Kind::Text { max } | Kind::Name { max } => Some(max),
            _ => None,
        }
    }
}

/// One plain text field of [`Details`].
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub code: &'static str,
    pub label: &'static str,
    pub max: usize,
    get: fn(&Details) -> &str,
}

impl TextField {
    pub fn value<'a>(&self, d: &'a Details) -> &'a str {
        (self.get)(d)
    }
}

/// Declares the fields of a roster entry once, in roster order: the raw input, the table of
/// fields the roster and the forms walk, the partial change, and the plain text fields
/// (`Text`) as [`Details`], one column each. The other kinds have their rule in `validate`.
macro_rules! member_fields {
    ($( $field:ident : $label:literal => $kind:ident $({ max: $max:expr })? $(, $req:ident)? ; )*) => {
        /// A roster entry as typed by a person or read from a 花名册 row: all text, nothing trusted.
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(default)]
        pub struct MemberInput { $( pub $field: String, )* }

        /// A partial change of a roster entry: a field left out keeps its stored value.
        #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(default)]
        pub struct MemberChange { $( pub $field: Option<String>, )* }

        impl MemberChange {
            /// Writes the fields this change states over `input`.
            pub fn apply(&self, input: &mut MemberInput) {
                $( if let Some(v) = &self.$field { input.$field.clone_from(v); } )*
            }
        }

        /// Every field of a roster entry, in roster order.
        pub const FIELDS: &[Field] = &[ $( Field {
            code: stringify!($field),
            label: $label,
            kind: Kind::$kind $({ max: $max })?,
            roster_required: member_fields!(@required $($req)?),
            get: |i| &i.$field,
            get_mut: |i| &mut i.$field,
            change_mut: |c| &mut c.$field,
        } ),* ];

        member_fields!(@text [] $( $field $label $kind $($max)? ; )*);
    };
    (@required) => { false };
    (@required required) => { true };
    (@text [$( ($f:ident $l:literal $m:expr) )*]) => {
        /// The plain text fields of a member (民族, 籍贯, 学历, …), checked: a column each, read
        /// and written by walking [`Details::FIELDS`].
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "sql", derive(sea_orm::FromQueryResult))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct Details { $( pub $f: String, )* }

        impl Details {
            pub const FIELDS: &'static [TextField] = &[ $( TextField { code: stringify!($f), label: $l, max: $m, get: |d| &d.$f } ),* ];
            /// The columns, named as the fields.
            pub const COLUMNS: &'static [&'static str] = &[ $( stringify!($f) ),* ];

            fn parse(input: &MemberInput) -> (Details, Vec<Invalid>) {
                let mut errors = Vec::new();
                let mut check = |code: &'static str, label: &str, s: &str, max: usize| {
                    parse_optional_name(code, label, s, max).unwrap_or_else(|e| {
                        errors.push(e);
                        String::new()
                    })
                };
                let d = Details { $( $f: check(stringify!($f), $l, &input.$f, $m), )* };
                (d, errors)
            }

            /// Copies these fields into an input (a form filled from the stored record).
            pub fn fill(&self, input: &mut MemberInput) {
                $( input.$f.clone_from(&self.$f); )*
            }
        }
    };
    (@text [$($acc:tt)*] $f:ident $l:literal Text $m:expr ; $($rest:tt)*) => {
        member_fields!(@text [$($acc)* ($f $l $m)] $($rest)*);
    };
    (@text [$($acc:tt)*] $f:ident $l:literal $k:ident $($m:expr)? ; $($rest:tt)*) => {
        member_fields!(@text [$($acc)*] $($rest)*);
    };
}

const NAME_MAX: usize = 30;

member_fields! {
    name: "姓名" => Name { max: NAME_MAX }, required;
    gender: "性别" => Gender;
    ethnicity: "民族" => Text { max: 20 };
    native_place: "籍贯" => Text { max: 30 };
    id_number: "公民身份号码" => IdNumber, required;
    birth_date: "出生日期" => BirthDate;
    education: "学历" => Text { max: 20 };
    phone: "手机号码" => Phone;
    work_unit: "工作单位" => Text { max: 60 };
    position: "职务" => Text { max: 40 };
    category: "人员类别" => Code;
    status: "党员状态" => Code, required;
    joined_on: "入党时间" => Date, required;
    full_on: "转正时间" => Date;
}

impl MemberInput {
    /// The value of the field `code` ("" for an unknown code), for templates walking [`FIELDS`].
    pub fn get(&self, code: &str) -> &str {
        FIELDS.iter().find(|f| f.code == code).map_or("", |f| f.value(self))
    }
}

impl MemberChange {
    /// The change an edit form makes: every field as typed, except that blank numbers keep the
    /// stored ones (a page never shows them), and gender and birth date follow the ID number.
    pub fn from_form(form: &MemberInput) -> MemberChange {
        let mut change = MemberChange::default();
        for f in FIELDS {
            let value = f.value(form);
            let keep = match f.kind {
                Kind::IdNumber | Kind::Phone => value.trim().is_empty(),
                Kind::Gender | Kind::BirthDate => true,
                _ => false,
            };
            *(f.change_mut)(&mut change) = (!keep).then(|| value.to_string());
        }
        change
    }
}

impl Details {
    /// The value of the field `code` ("" for an unknown code), for templates walking the fields.
    pub fn get(&self, code: &str) -> &str {
        Details::FIELDS.iter().find(|f| f.code == code).map_or("", |f| f.value(self))
    }
}

/// A roster entry that passed every check.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub name: String,
    pub gender: Gender,
    pub id_number: IdNumber,
    pub birth_date: Date,
    pub phone: Option<Phone>,
    pub category: Category,
    pub status: Status,
    pub joined_on: Option<Date>,
    pub full_on: Option<Date>,
    pub details: Details,
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

        let name = parse_name("name", "姓名", &self.name, NAME_MAX);
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
        let (details, details_errors) = Details::parse(self);

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
                if let Ok(id) = &id
                    && years_between(id.birth_date(), *j) < 18
                {
                    push(Err(Invalid::new("joined_on", "under_age", "入党时未满18周岁（党章第一条）")));
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
                    if let Some(j) = joined
                        && f < j
                    {
                        push(Err(Invalid::new("full_on", "before_joining", "转正时间早于入党时间")));
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
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        all.extend(details_errors);
        all.extend(errors);
        if !all.is_empty() {
            return Err(all);
        }
        let id = id.expect("checked above");
        Ok(ValidMember {
            name: name.expect("checked above"),
            gender: id.gender(),
            birth_date: Date(id.birth_date()),
            id_number: id,
            phone: phone.expect("checked above"),
            category: category.expect("checked above"),
            status: status.expect("checked above"),
            joined_on: joined_on.expect("checked above").map(Date),
            full_on: full_on.expect("checked above").map(Date),
            details,
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
        assert_eq!(*v.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
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

    #[test]
    fn native_place_is_an_optional_name_of_at_most_30_characters() {
        let mut m = input();
        m.native_place = " 浙江省杭州市 ".into();
        assert_eq!(m.validate(today()).unwrap().details.native_place, "浙江省杭州市");
        m.native_place = String::new();
        assert_eq!(m.validate(today()).unwrap().details.native_place, "");

        m.native_place = "籍".repeat(31);
        let errs = m.validate(today()).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "native_place" && e.code == "too_long" && e.message == "籍贯不能超过30个字"), "{errs:?}");
        m.native_place = "浙江\u{200B}杭州".into();
        let errs = m.validate(today()).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "native_place" && e.code == "invalid_chars" && e.message.starts_with("籍贯")), "{errs:?}");
    }

    #[test]
    fn the_field_table_walks_every_input_field_in_roster_order() {
        let mut m = MemberInput::default();
        for (i, f) in FIELDS.iter().enumerate() {
            *f.value_mut(&mut m) = format!("v{i}");
        }
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(m.get(f.code), format!("v{i}"), "{}", f.code);
        }
        let labels: Vec<_> = FIELDS.iter().map(|f| f.label).collect();
        assert_eq!(labels[..4], ["姓名", "性别", "民族", "籍贯"]);
        let required: Vec<_> = FIELDS.iter().filter(|f| f.roster_required).map(|f| f.code).collect();
        assert_eq!(required, ["name", "id_number", "status", "joined_on"]);
        let plain: Vec<_> = Details::FIELDS.iter().map(|f| (f.code, f.max)).collect();
        assert_eq!(plain, [("ethnicity", 20), ("native_place", 30), ("education", 20), ("work_unit", 60), ("position", 40)]);
        assert_eq!(Details::COLUMNS, plain.iter().map(|p| p.0).collect::<Vec<_>>());
    }

    #[test]
    fn a_change_overwrites_only_what_it_states() {
        let mut m = input();
        let change = MemberChange { native_place: Some("广东省深圳市".into()), ..Default::default() };
        change.apply(&mut m);
        assert_eq!((m.native_place.as_str(), m.name.as_str()), ("广东省深圳市", "王建国"));
        let mut d = Details::default();
        d.native_place = "湖南省长沙市".into();
        d.fill(&mut m);
        assert_eq!(m.native_place, "湖南省长沙市");
    }

    #[test]
    fn a_form_keeps_blank_numbers_and_lets_gender_and_birth_follow_the_id() {
        let mut form = input();
        form.phone = " ".into();
        form.gender = "男".into();
        form.native_place = "江苏省南京市".into();
        let c = MemberChange::from_form(&form);
        assert_eq!((c.phone, c.gender, c.birth_date), (None, None, None));
        assert_eq!(c.id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(c.native_place.as_deref(), Some("江苏省南京市"));
        assert_eq!(c.education.as_deref(), Some(""));
    }

    #[test]
    fn event_kinds_keep_their_stored_codes() {
        let codes: Vec<_> = EventKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["create", "joined", "full", "transfer", "status", "appraisal"]);
    }
}
