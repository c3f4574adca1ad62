//! 文本规范 — what typed text may contain (SECURITY.md "Web hygiene"): NFC, trimmed, no control,
//! format or bidirectional-override characters in names and codes, a length limit on every
//! free-text field.
//!
//! A name made only of invisible characters looks empty on every page and in every export but
//! is not; a U+202E override makes "张三" and a reversed string look alike. Both are refused
//! at the door, so no page, report or spreadsheet downstream has to guard against them.

use unicode_normalization::UnicodeNormalization;

use crate::Invalid;

/// Longest free text kept for a note, a reason or a remark (characters). A page of text; a
/// longer document belongs in an attachment.
pub const NOTE_MAX: usize = 2000;

/// Unicode general category Cf (format), as of Unicode 15: zero-width characters, direction
/// marks and overrides, invisible operators, tags. None belongs in a name; they are how
/// look-alike and invisible strings are made.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Letters that render as nothing (Hangul fillers, the braille blank): a name of them only is
/// as empty as a name of spaces.
fn is_blank_letter(c: char) -> bool {
    matches!(c as u32, 0x115F | 0x1160 | 0x3164 | 0xFFA0 | 0x2800)
}

/// Private-use and unassigned-looking code points carry no meaning another system can read.
fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

fn normalize(s: &str) -> String {
    let t = s.trim();
    if t.is_ascii() {
        return t.to_string();
    }
    t.nfc().collect::<String>().trim().to_string()
}

/// A one-line name (a person's, an organisation's, a unit's): required, NFC, trimmed, at most
/// `max_chars` characters, no control, format, private-use or blank characters, and at least one
/// character that shows.
pub fn parse_name(field: &'static str, label: &str, s: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(Invalid::new(field, "required", format!("{label}不能为空")));
    }
    if s.chars().count() > max_chars {
        return Err(Invalid::new(field, "too_long", format!("{label}不能超过{max_chars}个字")));
    }
    if s.chars().any(|c| c.is_control() || is_format(c) || is_private_use(c)) {
        return Err(Invalid::new(field, "invalid_chars", format!("{label}含有不可见字符或控制字符（如零宽字符、文字方向控制符），请删除后重新输入")));
    }
    if !s.chars().any(|c| !c.is_whitespace() && !is_blank_letter(c)) {
        return Err(Invalid::new(field, "required", format!("{label}不能为空")));
    }
    Ok(s)
}

/// An optional one-line text under the same rules as a name; empty is allowed.
pub fn parse_optional_name(field: &'static str, label: &str, s: &str, max_chars: usize) -> Result<String, Invalid> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    parse_name(field, label, s, max_chars)
}

/// Free text (a note, a reason, minutes): may be empty and span lines; NFC, trimmed, at most
/// `max_chars` characters; tabs and line breaks allowed, other control characters and the
/// direction overrides (U+202A–U+202E, U+2066–U+2069) refused. Zero-width joiners stay
/// allowed here: emoji and some scripts need them in running text.
pub fn parse_text(field: &'static str, label: &str, s: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = normalize(s);
    if s.chars().count() > max_chars {
        return Err(Invalid::new(field, "too_long", format!("{label}不能超过{max_chars}个字")));
    }
    let bidi_override = |c: char| matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069);
    if s.chars().any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || bidi_override(c)) {
        return Err(Invalid::new(field, "invalid_chars", format!("{label}含有控制字符或文字方向控制符，请删除后重新输入")));
    }
    Ok(s)
}

/// Free text that must not be empty.
pub fn parse_required_text(field: &'static str, label: &str, s: &str, max_chars: usize) -> Result<String, Invalid> {
    let t = parse_text(field, label, s, max_chars)?;
    if t.is_empty() {
        return Err(Invalid::new(field, "required", format!("请填写{label}")));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_trimmed() {
        // "e" + combining acute becomes the precomposed é.
        assert_eq!(parse_name("name", "姓名", "  Jose\u{301} ", 30).unwrap(), "Jos\u{e9}");
        assert_eq!(parse_name("name", "姓名", "\u{3000}张三\u{3000}", 30).unwrap(), "张三");
    }

    #[test]
    fn invisible_and_override_names_are_refused() {
        for bad in ["\u{200B}\u{200B}", "\u{3164}\u{3164}", "\u{2800}", "\u{FEFF}"] {
            let e = parse_name("name", "姓名", bad, 30).unwrap_err();
            assert!(e.code == "required" || e.code == "invalid_chars", "{bad:?} → {e:?}");
        }
        for bad in ["张\u{202E}三", "张\u{200D}三", "a\u{7}b", "\u{E000}王"] {
            assert_eq!(parse_name("name", "姓名", bad, 30).unwrap_err().code, "invalid_chars", "{bad:?}");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(parse_name("name", "姓名", &"张".repeat(30), 30).is_ok());
        assert_eq!(parse_name("name", "姓名", &"张".repeat(31), 30).unwrap_err().code, "too_long");
        assert_eq!(parse_text("note", "备注", &"x".repeat(NOTE_MAX + 1), NOTE_MAX).unwrap_err().code, "too_long");
    }

    #[test]
    fn free_text_keeps_lines_but_not_overrides() {
        assert_eq!(parse_text("note", "备注", " 第一行\n第二行\t完 ", 100).unwrap(), "第一行\n第二行\t完");
        assert_eq!(parse_text("note", "备注", "", 100).unwrap(), "");
        assert_eq!(parse_text("note", "备注", "abc\u{202E}def", 100).unwrap_err().code, "invalid_chars");
        assert_eq!(parse_text("note", "备注", "a\u{0}b", 100).unwrap_err().code, "invalid_chars");
        assert_eq!(parse_required_text("reason", "原因", "  ", 100).unwrap_err().code, "required");
    }
}
