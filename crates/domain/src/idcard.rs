//! 公民身份号码 and 手机号码: validation on input and masking for display (SECURITY.md, Data).
//!
//! Both value types keep the normalised plain text; whoever stores them encrypts it
//! (see `crate::crypto`). Their `Debug` output is masked, so a stray `{:?}` in a log
//! line cannot leak a full number.

use chrono::{Datelike, NaiveDate};
use std::fmt;

crate::code_enum! {
    /// 性别 — gender as encoded by the 17th character of the ID number.
    Gender {
        Male = "male" / "男",
        Female = "female" / "女",
    }
}

impl Gender {
    /// Like `parse`, also taking the codes in any case, because roster spreadsheets vary.
    pub fn from_code(s: &str) -> Option<Gender> {
        Gender::parse(s).or_else(|| Gender::ALL.iter().copied().find(|g| g.code().eq_ignore_ascii_case(s.trim())))
    }
}

const ID_LEN: usize = 18;
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// 公民身份号码 — the 18-character resident ID number (GB 11643-1999).
///
/// Only `parse` builds one, so every value has a real birth date and a correct check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Trims whitespace, accepts lower-case x, stores upper-case.
    ///
    /// `today` is passed in rather than read from the clock so that the rule stays a pure
    /// function and tests are deterministic.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        // Counted in characters, not bytes, so a stray full-width character reports a
        // length the user can recognise.
        let found = s.chars().count();
        if found != ID_LEN {
            return Err(IdNumberError::WrongLength { found });
        }
        let mut normalised = String::with_capacity(ID_LEN);
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == ID_LEN - 1 && (c == 'X' || c == 'x'));
            if !ok {
                return Err(IdNumberError::IllegalCharacter {
                    position: i + 1,
                    found: c,
                });
            }
            normalised.push(c.to_ascii_uppercase());
        }

        // The date is checked before the check character: a mistyped date digit then gets
        // the more specific message instead of a misleading "check character should be …".
        let birth = birth_date_of(&normalised).ok_or(IdNumberError::InvalidBirthDate)?;
        if birth > today {
            return Err(IdNumberError::BirthDateInFuture);
        }

        let expected = check_char(&normalised[..17]);
        let found = char::from(normalised.as_bytes()[17]);
        if found != expected {
            return Err(IdNumberError::WrongCheckChar { expected, found });
        }
        Ok(IdNumber(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("IdNumber::parse only admits valid birth dates")
    }

    /// 17th character odd = male (GB 11643-1999 顺序码).
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// First 6 + "********" + last 4, e.g. `440524********0014`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

/// Characters 7–14 are YYYYMMDD; `s` must already be 18 ASCII characters.
fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let year: i32 = s.get(6..10)?.parse().ok()?;
    let month: u32 = s.get(10..12)?.parse().ok()?;
    let day: u32 = s.get(12..14)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    // Year 0000 parses as a proleptic date but no living person was born then.
    (date.year() >= 1).then_some(date)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("公民身份号码不能为空")]
    Empty,
    #[error("公民身份号码应为18位，实际为{found}位")]
    WrongLength { found: usize },
    /// `position` counts from 1, as a person reading the number would.
    #[error("公民身份号码第{position}位“{found}”无效：只能是数字，最后一位可以是X")]
    IllegalCharacter { position: usize, found: char },
    #[error("公民身份号码中的出生日期无效")]
    InvalidBirthDate,
    #[error("出生日期晚于今天")]
    BirthDateInFuture,
    #[error("公民身份号码校验位错误，应为{expected}")]
    WrongCheckChar { expected: char, found: char },
}

/// Check character for the first 17 digits (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
/// sum mod 11 -> "10X98765432").
///
/// # Panics
/// If `first17` is not exactly 17 ASCII digits: callers validate first, so anything else
/// is a programming error.
pub fn check_char(first17: &str) -> char {
    let bytes = first17.as_bytes();
    assert!(
        bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit),
        "check_char needs exactly 17 ASCII digits"
    );
    let sum: u32 = bytes
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    ID_CHECK_CHARS[(sum % 11) as usize]
}

/// 手机号码 — a mainland mobile number, normalised to 11 digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// `^1[3-9]\d{9}$` after removing spaces and dashes and an optional +86 / 0086 / 86 prefix.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
            .collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = if let Some(rest) = compact.strip_prefix("+86") {
            rest
        } else if let Some(rest) = compact.strip_prefix("0086") {
            rest
        } else if compact.len() == 13 && compact.starts_with("86") {
            // A bare 86 is only a country code when 11 digits follow: mobile numbers
            // themselves start with 1, so there is no ambiguity.
            &compact[2..]
        } else {
            compact.as_str()
        };
        let b = digits.as_bytes();
        let valid = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !valid {
            return Err(PhoneError::InvalidFormat);
        }
        Ok(Phone(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 3 + "****" + last 4, e.g. `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("手机号码不能为空")]
    Empty,
    #[error("手机号码格式不正确：应为以1开头的11位数字")]
    InvalidFormat,
}

/// Below this many hidden characters the "keep both ends" mask would reveal nearly the
/// whole value, so short leftovers are masked completely.
const MIN_HIDDEN: usize = 4;

/// Masks an already-stored plain ID number for display when it could not be parsed
/// (never panics): keeps the first 6 and last 4 characters, or masks everything when the
/// value is too short for that to hide anything meaningful.
pub fn mask_id_str(s: &str) -> String {
    mask_ends(s.trim(), 6, 4)
}

/// Masks an already-stored plain phone number for display when it could not be parsed
/// (never panics): keeps the first 3 and last 4 characters, or masks everything when the
/// value is too short for that to hide anything meaningful.
pub fn mask_phone_str(s: &str) -> String {
    // A stored "+86 138-0013-8000" should look the same as the normalised number.
    match Phone::parse(s) {
        Ok(p) => p.masked(),
        Err(_) => mask_ends(s.trim(), 3, 4),
    }
}

fn mask_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < head + tail + MIN_HIDDEN {
        return "*".repeat(n);
    }
    let mut out = String::with_capacity(s.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(s, today())
    }

    /// Builds a valid number from a 17-digit prefix, for tests that need a specific date.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17))
    }

    #[test]
    fn security_md_vectors_are_valid() {
        let a = parse("440524188001010014").unwrap();
        assert_eq!(a.as_str(), "440524188001010014");
        assert_eq!(a.gender(), Gender::Male);
        assert_eq!(a.birth_date(), NaiveDate::from_ymd_opt(1880, 1, 1).unwrap());

        let b = parse("11010519491231002X").unwrap();
        assert_eq!(b.gender(), Gender::Female);
        assert_eq!(
            b.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
    }

    #[test]
    fn lower_case_x_and_whitespace_are_normalised() {
        let id = parse("  11010519491231002x\t").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id, parse("11010519491231002X").unwrap());
    }

    #[test]
    fn changed_digit_names_expected_check_char() {
        // Change the sequence code, not the date, so the checksum is what fails.
        let err = parse("440524188001010024").unwrap_err();
        let expected = check_char("44052418800101002");
        assert_eq!(
            err,
            IdNumberError::WrongCheckChar {
                expected,
                found: '4'
            }
        );
        assert_eq!(
            err.to_string(),
            format!("公民身份号码校验位错误，应为{expected}")
        );

        let err = parse("440524188001010015").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::WrongCheckChar {
                expected: '4',
                found: '5'
            }
        );
        assert_eq!(err.to_string(), "公民身份号码校验位错误，应为4");
    }

    #[test]
    fn wrong_length_says_what_was_found() {
        let err = parse("44052418800101001").unwrap_err();
        assert_eq!(err, IdNumberError::WrongLength { found: 17 });
        assert_eq!(err.to_string(), "公民身份号码应为18位，实际为17位");
        assert_eq!(
            parse("4405241880010100140").unwrap_err(),
            IdNumberError::WrongLength { found: 19 }
        );
        // Full-width characters count as one each.
        assert_eq!(
            parse("４４0524188001010014").unwrap_err(),
            IdNumberError::IllegalCharacter {
                position: 1,
                found: '４'
            }
        );
    }

    #[test]
    fn empty_is_its_own_error() {
        assert_eq!(parse("").unwrap_err(), IdNumberError::Empty);
        assert_eq!(parse("   ").unwrap_err(), IdNumberError::Empty);
        assert_eq!(IdNumberError::Empty.to_string(), "公民身份号码不能为空");
    }

    #[test]
    fn letters_are_refused() {
        let err = parse("44052418800101A014").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::IllegalCharacter {
                position: 15,
                found: 'A'
            }
        );
        assert!(err.to_string().contains("第15位"));
        // X is only allowed as the check character.
        assert!(matches!(
            parse("X40524188001010014"),
            Err(IdNumberError::IllegalCharacter {
                position: 1,
                found: 'X'
            })
        ));
        assert!(matches!(
            parse("44052418800101001Y"),
            Err(IdNumberError::IllegalCharacter {
                position: 18,
                found: 'Y'
            })
        ));
    }

    #[test]
    fn impossible_birth_date_is_refused() {
        let err = parse(&with_check("11010519990230001")).unwrap_err();
        assert_eq!(err, IdNumberError::InvalidBirthDate);
        assert_eq!(err.to_string(), "公民身份号码中的出生日期无效");
        assert_eq!(
            parse(&with_check("11010519991301001")).unwrap_err(),
            IdNumberError::InvalidBirthDate
        );
        assert_eq!(
            parse(&with_check("11010500000101001")).unwrap_err(),
            IdNumberError::InvalidBirthDate
        );
        // 2000 is a leap year, 1900 is not.
        assert!(parse(&with_check("11010520000229001")).is_ok());
        assert_eq!(
            parse(&with_check("11010519000229001")).unwrap_err(),
            IdNumberError::InvalidBirthDate
        );
    }

    #[test]
    fn future_birth_date_is_refused() {
        let err = parse(&with_check("11010520250701001")).unwrap_err();
        assert_eq!(err, IdNumberError::BirthDateInFuture);
        assert_eq!(err.to_string(), "出生日期晚于今天");
        // Born today is fine.
        assert!(parse(&with_check("11010520250630001")).is_ok());
    }

    #[test]
    fn masks() {
        assert_eq!(
            parse("440524188001010014").unwrap().masked(),
            "440524********0014"
        );
        assert_eq!(
            parse("11010519491231002x").unwrap().masked(),
            "110105********002X"
        );
        assert_eq!(mask_id_str("440524188001010014"), "440524********0014");
        assert_eq!(mask_id_str(" 44052418800101001 "), "440524*******1001");
        assert_eq!(mask_id_str("123456789"), "*********");
        assert_eq!(mask_id_str(""), "");
        assert_eq!(mask_id_str("张三李四王五赵六钱七孙八"), "************");
        assert_eq!(
            mask_id_str("张三李四王五赵六钱七孙八周吴"),
            "张三李四王五****孙八周吴"
        );

        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(mask_phone_str("13812345678"), "138****5678");
        assert_eq!(mask_phone_str("+86 138-1234-5678"), "138****5678");
        assert_eq!(mask_phone_str("12345678901"), "123****8901");
        assert_eq!(mask_phone_str("010-1234"), "********");
        assert_eq!(mask_phone_str("电话"), "**");
    }

    #[test]
    fn debug_output_is_masked() {
        let id = parse("440524188001010014").unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(\"440524********0014\")");
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(format!("{p:?}"), "Phone(\"138****5678\")");
    }

    #[test]
    #[should_panic(expected = "17 ASCII digits")]
    fn check_char_panics_on_bad_input() {
        check_char("4405241880010100");
    }

    #[test]
    fn gender_codes() {
        for g in [Gender::Male, Gender::Female] {
            assert_eq!(Gender::from_code(g.code()), Some(g));
            assert_eq!(Gender::from_code(g.label()), Some(g));
        }
        assert_eq!(Gender::from_code(" 女 "), Some(Gender::Female));
        assert_eq!(Gender::from_code("x"), None);
        assert_eq!(Gender::Male.label(), "男");
        // serde and code() must agree: stored JSON uses the code.
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};
        for g in [Gender::Male, Gender::Female] {
            let de: StrDeserializer<'_, Error> = g.code().into_deserializer();
            assert_eq!(Gender::deserialize(de).unwrap(), g);
        }
    }

    #[test]
    fn phone_accepts_prefixes_spaces_and_dashes() {
        assert_eq!(
            Phone::parse("+86 138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            Phone::parse("008613800138000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            Phone::parse("8613800138000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            Phone::parse(" 139 0000 0000 ").unwrap().as_str(),
            "13900000000"
        );
        assert_eq!(Phone::parse("19912345678").unwrap().as_str(), "19912345678");
    }

    #[test]
    fn phone_refuses_bad_numbers() {
        let err = Phone::parse("12345678901").unwrap_err();
        assert_eq!(err, PhoneError::InvalidFormat);
        assert_eq!(err.to_string(), "手机号码格式不正确：应为以1开头的11位数字");
        for bad in [
            "1380013800",
            "138001380001",
            "23800138000",
            "1380013800a",
            "+8712345678901",
            "+86+8613800138000",
            "８６13800138000",
            "010-12345678",
        ] {
            assert_eq!(Phone::parse(bad), Err(PhoneError::InvalidFormat), "{bad}");
        }
        assert_eq!(Phone::parse(" - ").unwrap_err(), PhoneError::Empty);
        assert_eq!(PhoneError::Empty.to_string(), "手机号码不能为空");
    }

    /// 17 digits whose date part (characters 7–14) is a real date not after `today()`.
    fn valid_first17() -> impl Strategy<Value = String> {
        (
            0u32..1_000_000,
            1900i32..=2025,
            1u32..=12,
            1u32..=31,
            0u32..1000,
        )
            .prop_map(|(region, year, month, day, seq)| {
                let mut date = NaiveDate::from_ymd_opt(year, month, day)
                    .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, month, 28).unwrap());
                if date > today() {
                    date = today();
                }
                format!("{region:06}{}{seq:03}", date.format("%Y%m%d"))
            })
    }

    proptest! {
        #[test]
        fn appended_check_char_parses(first17 in valid_first17()) {
            let s = with_check(&first17);
            let id = parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert_eq!(mask_id_str(&s), id.masked());
        }

        #[test]
        fn any_single_digit_change_is_detected(
            first17 in valid_first17(),
            pos in 0usize..18,
            digit in 0u8..10,
        ) {
            let mut bytes = with_check(&first17).into_bytes();
            let replacement = b'0' + digit;
            prop_assume!(bytes[pos] != replacement);
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(parse(&changed).is_err(), "{} was accepted", changed);
        }

        #[test]
        fn masking_never_panics(s in "\\PC{0,30}") {
            let _ = mask_id_str(&s);
            let _ = mask_phone_str(&s);
            let _ = IdNumber::parse(&s, today());
            let _ = Phone::parse(&s);
        }
    }
}
