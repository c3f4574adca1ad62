//! 函询（告） — seed 004's 党建工作函询（告）制度: the 市委组织部 or the 市直机关工委 inspects the
//! party work of a unit stationed locally (检查验收) and sends the result as a formal letter
//! (正式公文函件) to the 党组（党委） of the unit's superior department (上级业务主管部门), "实现
//! 业务主管部门党组（党委）指导与地方党委的领导有机结合". Here an inspection (检查) records who
//! inspected, when, what was checked, the findings (发现的问题) and the result; its letter is
//! numbered per issuing organisation and year (发文字号, e.g. 市直机关工委函〔2026〕3号); and the
//! rectification items (整改事项) it asks for are tracked one by one to their close (销号).
//! Seed-local (DOMAIN.md "Seed-local mechanisms").

use chrono::{Datelike, NaiveDate};

use crate::text::{parse_name, parse_optional_name, parse_required_text, parse_text, NOTE_MAX};
use crate::time::{self, Date};
use crate::{code_enum, Invalid};

code_enum! {
    /// 整改状态 — where a rectification item stands. Overdue (已逾期) is not a state: it is an
    /// open item on a day after its deadline, computed when read.
    ItemState {
        Open = "open" / "整改中",
        /// 已销号: closed by the inspected organisation with its evidence.
        Closed = "closed" / "已销号",
        /// 已确认: the inspecting side checked the evidence and accepts the close.
        Confirmed = "confirmed" / "已确认",
    }
}

code_enum! {
    /// 整改记录 — one step in an item's history.
    StepKind {
        Issued = "issued" / "下发",
        Progress = "progress" / "进展",
        Close = "close" / "销号",
        Reopen = "reopen" / "退回重改",
        Confirm = "confirm" / "确认销号",
    }
}

/// 检查人员: each name, and how many.
pub const INSPECTOR_MAX: usize = 20;
pub const INSPECTORS_MAX: usize = 20;
/// 检查内容, 检查结论.
pub const SUBJECT_MAX: usize = 500;
/// 主送 (上级主管部门党组（党委）的名称).
pub const ADDRESSEE_MAX: usize = 60;
/// 发文字号的代字, e.g. 市直机关工委函.
pub const PREFIX_MAX: usize = 20;
/// 整改事项 (what must be done).
pub const TASK_MAX: usize = 300;
/// 责任人 typed as text.
pub const OWNER_MAX: usize = 30;
/// A rectification item's evidence link.
pub const LINK_MAX: usize = 500;
/// Items one letter asks for.
pub const ITEMS_MAX: usize = 50;

/// The letter's number as it is printed: 市直机关工委函〔2026〕3号.
pub fn letter_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}〔{year}〕{seq}号")
}

/// Whether an item counts as rectified by its deadline: closed (or confirmed) on or before the
/// deadline day (函询整改按期完成, `RuleCode::RectificationsClosed`).
pub fn closed_on_time(state: ItemState, deadline: NaiveDate, closed_on: Option<NaiveDate>) -> bool {
    state != ItemState::Open && closed_on.is_some_and(|d| d <= deadline)
}

/// An open item whose deadline day has passed (the deadline day itself is still in time).
pub fn is_overdue(state: ItemState, deadline: NaiveDate, today: NaiveDate) -> bool {
    state == ItemState::Open && today > deadline
}

/// One rectification item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ItemInput {
    /// 整改事项: what must be done.
    pub task: String,
    /// 责任人: a member of the inspected organisation (the store checks it), or none.
    pub owner_member_id: Option<i64>,
    /// 责任人 as text (a post or a person not on the roster) when no member is named.
    pub owner: String,
    /// 整改时限, `YYYY-MM-DD`.
    pub deadline: String,
}

/// An inspection and its letter as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct InspectionInput {
    /// 检查人员: names separated by 、，, or line breaks.
    pub inspectors: String,
    /// 检查日期, `YYYY-MM-DD`.
    pub inspected_on: String,
    /// 检查内容.
    pub subject: String,
    /// 发现的问题.
    pub findings: String,
    /// 检查结论.
    pub result: String,
    /// 主送: the 党组（党委） of the inspected unit's superior department.
    pub addressee: String,
    /// 发文字号的代字, e.g. `市直机关工委函`.
    pub prefix: String,
    /// 发函日期, `YYYY-MM-DD`; empty: today. Its year numbers the letter.
    pub issued_on: String,
    /// 整改事项.
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidItem {
    pub task: String,
    pub owner_member_id: Option<i64>,
    pub owner: String,
    pub deadline: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInspection {
    pub inspectors: Vec<String>,
    pub inspected_on: Date,
    pub subject: String,
    pub findings: String,
    pub result: String,
    pub addressee: String,
    pub prefix: String,
    pub issued_on: Date,
    pub items: Vec<ValidItem>,
}

impl ValidInspection {
    pub fn year(&self) -> i32 {
        self.issued_on.0.year()
    }
}

fn push<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// A date not after today.
fn past_date(errors: &mut Vec<Invalid>, field: &'static str, label: &str, s: &str, today: NaiveDate) -> Option<NaiveDate> {
    match time::parse_date(field, label, s) {
        Ok(d) if d > today => {
            errors.push(Invalid::new(field, "future", format!("{label}不能晚于今天")));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

impl InspectionInput {
    /// Checks an inspection on `today`; every problem at once, an item's named by its number.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidInspection, Vec<Invalid>> {
        let mut errors = Vec::new();
        let names: Vec<&str> = self.inspectors.split(['、', '，', ',', '\n', ';', '；']).map(str::trim).filter(|s| !s.is_empty()).collect();
        let mut inspectors = Vec::new();
        if names.is_empty() {
            errors.push(Invalid::new("inspectors", "required", "请填写检查人员"));
        } else if names.len() > INSPECTORS_MAX {
            errors.push(Invalid::new("inspectors", "too_many", format!("检查人员不能超过{INSPECTORS_MAX}人")));
        } else {
            for n in names {
                if let Some(n) = push(&mut errors, parse_name("inspectors", "检查人员姓名", n, INSPECTOR_MAX)) {
                    inspectors.push(n);
                }
            }
        }
        let inspected_on = past_date(&mut errors, "inspected_on", "检查日期", &self.inspected_on, today);
        let subject = push(&mut errors, parse_required_text("subject", "检查内容", &self.subject, SUBJECT_MAX));
        let findings = push(&mut errors, parse_required_text("findings", "发现的问题", &self.findings, NOTE_MAX));
        let result = push(&mut errors, parse_required_text("result", "检查结论", &self.result, SUBJECT_MAX));
        let addressee = push(&mut errors, parse_name("addressee", "主送单位（上级主管部门党组（党委））", &self.addressee, ADDRESSEE_MAX));
        let prefix = match parse_name("prefix", "发文字号代字", &self.prefix, PREFIX_MAX) {
            // The year and the number are the system's: a typed 〔2026〕 or 3号 would print twice.
            Ok(p) if p.chars().any(|c| matches!(c, '〔' | '〕' | '[' | ']' | '(' | ')' | '（' | '）') || c.is_ascii_digit()) => {
                errors.push(Invalid::new("prefix", "invalid_prefix", "发文字号代字只填机关代字和“函”字（如“市直机关工委函”），年份和序号由系统编排"));
                None
            }
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let issued_on = if self.issued_on.trim().is_empty() { Some(today) } else { past_date(&mut errors, "issued_on", "发函日期", &self.issued_on, today) };
        if let (Some(i), Some(s)) = (inspected_on, issued_on)
            && s < i
        {
            errors.push(Invalid::new("issued_on", "before_inspection", "发函日期不能早于检查日期"));
        }
        if self.items.len() > ITEMS_MAX {
            errors.push(Invalid::new("items", "too_many", format!("整改事项不能超过{ITEMS_MAX}项")));
        }
        let mut items = Vec::new();
        for (i, it) in self.items.iter().enumerate() {
            let n = i + 1;
            let at = |e: Invalid| Invalid::new("items", e.code, format!("第{n}项整改事项：{}", e.message));
            let task = parse_name("items", "整改内容", &it.task, TASK_MAX).map_err(|e| errors.push(at(e))).ok();
            let owner = parse_optional_name("items", "责任人", &it.owner, OWNER_MAX).map_err(|e| errors.push(at(e))).ok();
            let member = it.owner_member_id.filter(|id| *id > 0);
            if member.is_none() && owner.as_deref().is_some_and(str::is_empty) {
                errors.push(Invalid::new("items", "owner_required", format!("第{n}项整改事项：请选择责任人或填写责任人")));
            }
            let deadline = match time::parse_date("items", "整改时限", &it.deadline) {
                Ok(d) if issued_on.is_some_and(|s| d < s) => {
                    errors.push(Invalid::new("items", "deadline_before_issue", format!("第{n}项整改事项：整改时限不能早于发函日期")));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(at(e));
                    None
                }
            };
            if let (Some(task), Some(owner), Some(deadline)) = (task, owner, deadline) {
                items.push(ValidItem { task, owner_member_id: member, owner, deadline: Date(deadline) });
            }
        }
        match (inspected_on, subject, findings, result, addressee, prefix, issued_on) {
            (Some(inspected_on), Some(subject), Some(findings), Some(result), Some(addressee), Some(prefix), Some(issued_on)) if errors.is_empty() => Ok(ValidInspection {
                inspectors,
                inspected_on: Date(inspected_on),
                subject,
                findings,
                result,
                addressee,
                prefix,
                issued_on: Date(issued_on),
                items,
            }),
            _ => Err(errors),
        }
    }
}

/// 整改进展 or 退回重改: a note that must say something.
pub fn parse_note(label: &str, note: &str) -> Result<String, Invalid> {
    parse_required_text("note", label, note, NOTE_MAX)
}

/// 销号 as typed: the day it was done and its evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CloseInput {
    /// 完成日期, `YYYY-MM-DD`; empty: today.
    pub closed_on: String,
    /// 整改情况及佐证材料 (what was done, what shows it).
    pub evidence: String,
    /// 佐证链接: a record of this system (`/meetings/12`) or an address (`https://…`).
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClose {
    pub closed_on: Date,
    pub evidence: String,
    pub link: String,
}

impl CloseInput {
    /// An item is closed with evidence: a text, a link, or both; never on a day to come.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidClose, Vec<Invalid>> {
        let mut errors = Vec::new();
        let closed_on = if self.closed_on.trim().is_empty() { Some(today) } else { past_date(&mut errors, "closed_on", "完成日期", &self.closed_on, today) };
        let evidence = push(&mut errors, parse_text("evidence", "整改情况及佐证材料", &self.evidence, NOTE_MAX));
        let link = self.link.trim();
        let link_ok = link.is_empty()
            || ((link.starts_with("https://") || link.starts_with("http://") || (link.starts_with('/') && !link.starts_with("//")))
                && link.chars().count() <= LINK_MAX
                && !link.chars().any(|c| c.is_whitespace() || c.is_control()));
        if !link_ok {
            errors.push(Invalid::new("link", "invalid_link", format!("佐证链接应为本系统的记录地址（以“/”开头，如 /meetings/12）或以 http:// 、https:// 开头的网址，不超过{LINK_MAX}个字符")));
        }
        if evidence.as_deref().is_some_and(str::is_empty) && link.is_empty() {
            errors.push(Invalid::new("evidence", "evidence_required", "销号须提供佐证：请填写整改情况及佐证材料，或给出佐证链接"));
        }
        match (closed_on, evidence) {
            (Some(d), Some(evidence)) if errors.is_empty() => Ok(ValidClose { closed_on: Date(d), evidence, link: link.to_string() }),
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

    fn ok_input() -> InspectionInput {
        InspectionInput {
            inspectors: "张三、李四，王五".into(),
            inspected_on: "2026-11-20".into(),
            subject: "2026年度党建工作检查验收".into(),
            findings: "“三会一课”记录不全".into(),
            result: "基本合格".into(),
            addressee: "中共某省某厅党组".into(),
            prefix: "市直机关工委函".into(),
            issued_on: "2026-11-25".into(),
            items: vec![
                ItemInput { task: "补齐会议记录".into(), owner_member_id: Some(7), owner: String::new(), deadline: "2026-12-31".into() },
                ItemInput { task: "健全党小组".into(), owner_member_id: None, owner: "支部组织委员".into(), deadline: "2027-01-31".into() },
            ],
        }
    }

    #[test]
    fn a_letter_number_reads_as_an_official_document_number() {
        assert_eq!(letter_number("市直机关工委函", 2026, 3), "市直机关工委函〔2026〕3号");
    }

    #[test]
    fn an_inspection_is_read_with_its_items() {
        let v = ok_input().validate(day(2026, 12, 2)).expect("valid");
        assert_eq!(v.inspectors, ["张三", "李四", "王五"]);
        assert_eq!((v.year(), v.items.len()), (2026, 2));
        assert_eq!(v.items[1].owner, "支部组织委员");
        let today = InspectionInput { issued_on: String::new(), ..ok_input() }.validate(day(2026, 12, 2)).expect("valid");
        assert_eq!(today.issued_on, Date(day(2026, 12, 2)));
    }

    #[test]
    fn an_inspection_reports_every_problem_at_once() {
        let bad = InspectionInput {
            inspectors: " ".into(),
            inspected_on: "2026-12-05".into(),
            subject: String::new(),
            findings: String::new(),
            result: String::new(),
            addressee: String::new(),
            prefix: "工委函〔2026〕".into(),
            issued_on: "2026-11-01".into(),
            items: vec![
                ItemInput { task: String::new(), owner_member_id: None, owner: String::new(), deadline: "2026-10-01".into() },
                ItemInput { task: "x".into(), owner_member_id: Some(3), owner: String::new(), deadline: "明天".into() },
            ],
        };
        let errors = bad.validate(day(2026, 12, 2)).expect_err("refused");
        let codes: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [
                ("inspectors", "required"),
                ("inspected_on", "future"),
                ("subject", "required"),
                ("findings", "required"),
                ("result", "required"),
                ("addressee", "required"),
                ("prefix", "invalid_prefix"),
                ("items", "required"),
                ("items", "owner_required"),
                ("items", "deadline_before_issue"),
                ("items", "invalid_date"),
            ]
        );
        assert!(errors[8].message.starts_with("第1项整改事项"), "{}", errors[8].message);
        assert!(errors[10].message.starts_with("第2项整改事项"), "{}", errors[10].message);
        let late = InspectionInput { issued_on: "2026-11-19".into(), ..ok_input() };
        assert_eq!(late.validate(day(2026, 12, 2)).expect_err("before")[0].code, "before_inspection");
    }

    #[test]
    fn an_item_is_rectified_on_time_only_when_closed_by_its_deadline() {
        let deadline = day(2026, 6, 30);
        assert!(closed_on_time(ItemState::Closed, deadline, Some(day(2026, 6, 30))));
        assert!(closed_on_time(ItemState::Confirmed, deadline, Some(day(2026, 6, 1))));
        assert!(!closed_on_time(ItemState::Closed, deadline, Some(day(2026, 7, 1))));
        assert!(!closed_on_time(ItemState::Open, deadline, None));
        assert!(!is_overdue(ItemState::Open, deadline, day(2026, 6, 30)));
        assert!(is_overdue(ItemState::Open, deadline, day(2026, 7, 1)));
        assert!(!is_overdue(ItemState::Closed, deadline, day(2026, 7, 1)));
    }

    #[test]
    fn a_close_needs_evidence_and_a_sound_link() {
        let today = day(2026, 12, 2);
        let v = CloseInput { closed_on: String::new(), evidence: String::new(), link: "/meetings/12".into() }.validate(today).expect("link only");
        assert_eq!((v.closed_on, v.link.as_str()), (Date(today), "/meetings/12"));
        assert!(CloseInput { evidence: "已补齐".into(), link: "https://example.org/a".into(), ..Default::default() }.validate(today).is_ok());
        let none = CloseInput::default().validate(today).expect_err("no evidence");
        assert_eq!(none[0].code, "evidence_required");
        let bad = CloseInput { closed_on: "2026-12-03".into(), evidence: "x".into(), link: "javascript:alert(1)".into() }.validate(today).expect_err("bad");
        let codes: Vec<_> = bad.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["future", "invalid_link"]);
        assert_eq!(CloseInput { link: "//evil.example".into(), ..Default::default() }.validate(today).expect_err("protocol-relative")[0].code, "invalid_link");
    }
}
