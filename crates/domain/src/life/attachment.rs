//! 附件 — files attached to a meeting record: photos, scanned sign-in sheets. Always optional: a
//! meeting counts without any (DOMAIN.md "What is never built": no forced uploads of work
//! photos). What is accepted is decided by the content, not by the name: the first bytes must be
//! an image or a PDF, and the name's extension and the declared type must agree with them
//! (SECURITY.md "Web hygiene": uploads checked by size and sniffed type).

use crate::text::parse_name;
use crate::{code_enum, Invalid};

/// Largest attachment, in bytes: a phone photo or a scanned sign-in sheet of a few pages fits;
/// video does not belong here.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Longest file name kept, in characters; a longer one is shortened, keeping its extension.
pub const NAME_MAX: usize = 100;

code_enum! {
    /// 附件类型 — the media types accepted, as sniffed from the content. The code is the type
    /// the file is served with.
    MediaType {
        Jpeg = "image/jpeg" / "JPEG图片",
        Png = "image/png" / "PNG图片",
        Gif = "image/gif" / "GIF图片",
        Webp = "image/webp" / "WebP图片",
        Pdf = "application/pdf" / "PDF文件",
    }
}

/// What the refusal messages list as accepted.
const ACCEPTED: &str = "只接受 JPEG、PNG、GIF、WebP 图片和 PDF 文件";

impl MediaType {
    /// The type the content is, from its magic bytes; `None` for anything else (HTML, scripts,
    /// executables, office documents).
    pub fn sniff(b: &[u8]) -> Option<MediaType> {
        if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
            Some(MediaType::Gif)
        } else if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
            Some(MediaType::Webp)
        } else if b.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else {
            None
        }
    }

    /// Extensions a file of this type may carry (lower case, without the dot).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Jpeg => &["jpg", "jpeg", "jpe"],
            MediaType::Png => &["png"],
            MediaType::Gif => &["gif"],
            MediaType::Webp => &["webp"],
            MediaType::Pdf => &["pdf"],
        }
    }

    fn of_extension(ext: &str) -> Option<MediaType> {
        let ext = ext.to_ascii_lowercase();
        MediaType::ALL.iter().copied().find(|t| t.extensions().contains(&ext.as_str()))
    }

    /// A declared `Content-Type` (parameters ignored), with the aliases browsers send.
    fn of_declared(declared: &str) -> Option<MediaType> {
        let t = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match t.as_str() {
            "image/jpg" | "image/pjpeg" => Some(MediaType::Jpeg),
            _ => MediaType::ALL.iter().copied().find(|m| m.code() == t),
        }
    }

    pub fn is_image(self) -> bool {
        self != MediaType::Pdf
    }
}

/// An upload as it arrived: the name the browser gave, the `Content-Type` it declared (empty
/// or `application/octet-stream` when it declared nothing useful), and the bytes — at most
/// one more than [`MAX_BYTES`] when the sender stopped reading there.
#[derive(Debug, Clone, Copy)]
pub struct AttachmentInput<'a> {
    pub file_name: &'a str,
    pub declared_type: &'a str,
    pub bytes: &'a [u8],
}

/// An upload that passed: its cleaned name, its sniffed type and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAttachment {
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
}

/// The name without any directory a browser or an old client put before it (`C:\fakepath\`,
/// `../../`), shortened to [`NAME_MAX`] characters keeping the extension. Control, format and
/// direction-override characters are refused by `parse_name`, not removed: a name like
/// `photo\u{202E}gnp.exe` is a disguise, and the person should see it refused.
pub fn clean_file_name(raw: &str) -> Result<String, Invalid> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let last = last.trim().trim_start_matches('.');
    let chars: Vec<char> = last.chars().collect();
    let shortened: String = if chars.len() > NAME_MAX {
        let ext: String = match last.rfind('.') {
            Some(i) if last[i..].chars().count() <= 10 => last[i..].to_string(),
            _ => String::new(),
        };
        let keep = NAME_MAX - ext.chars().count();
        chars.iter().take(keep).collect::<String>() + &ext
    } else {
        last.to_string()
    };
    parse_name("file_name", "文件名", &shortened, NAME_MAX)
}

fn extension(name: &str) -> Option<&str> {
    name.rfind('.').map(|i| &name[i + 1..]).filter(|e| !e.is_empty())
}

impl AttachmentInput<'_> {
    /// The upload's every problem at once: its size, its name, and whether its content, its
    /// extension and its declared type are one accepted type.
    pub fn validate(&self) -> Result<ValidAttachment, Vec<Invalid>> {
        let mut errors = Vec::new();
        if self.bytes.is_empty() {
            errors.push(Invalid::new("file", "empty_file", "文件为空，请重新选择"));
        }
        if self.bytes.len() > MAX_BYTES {
            errors.push(Invalid::new("file", "too_large", format!("文件过大：附件不能超过{} MB", MAX_BYTES / (1024 * 1024))));
        }
        let name = clean_file_name(self.file_name).map_err(|e| errors.push(e)).ok();
        let sniffed = MediaType::sniff(self.bytes);
        let ext = name.as_deref().and_then(extension);
        let by_ext = ext.and_then(MediaType::of_extension);
        if !self.bytes.is_empty() {
            match (ext, by_ext, sniffed) {
                (None, _, _) if name.is_some() => errors.push(Invalid::new("file_name", "no_extension", format!("文件名缺少扩展名（如 .jpg、.png、.pdf）：{ACCEPTED}"))),
                (Some(e), None, _) => errors.push(Invalid::new("file", "unsupported_type", format!("不支持“.{}”类型的文件：{ACCEPTED}", e.chars().take(10).collect::<String>()))),
                (Some(e), Some(t), None) => errors.push(Invalid::new("file", "type_mismatch", format!("文件内容与扩展名不符：扩展名为“.{e}”，内容却不是{}（{ACCEPTED}）", t.label()))),
                (Some(e), Some(t), Some(s)) if t != s => errors.push(Invalid::new("file", "type_mismatch", format!("文件内容与扩展名不符：扩展名为“.{e}”，内容却是{}", s.label()))),
                _ => {}
            }
        }
        let declared = self.declared_type.split(';').next().unwrap_or("").trim();
        if !declared.is_empty() && !declared.eq_ignore_ascii_case("application/octet-stream") {
            match (MediaType::of_declared(declared), sniffed) {
                (Some(d), Some(s)) if d != s => errors.push(Invalid::new("file", "type_mismatch", format!("文件内容与声明的类型不符：声明为{}，内容却是{}", d.label(), s.label()))),
                (None, _) if sniffed.is_some() => errors.push(Invalid::new("file", "type_mismatch", format!("文件内容与声明的类型“{}”不符", declared.chars().take(40).collect::<String>()))),
                _ => {}
            }
        }
        match (name, sniffed) {
            (Some(file_name), Some(media_type)) if errors.is_empty() => Ok(ValidAttachment { file_name, media_type, size: self.bytes.len() as i64 }),
            _ => {
                if errors.is_empty() {
                    errors.push(Invalid::new("file", "unsupported_type", format!("无法识别文件类型：{ACCEPTED}")));
                }
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    fn check(name: &str, declared: &str, bytes: &[u8]) -> Result<ValidAttachment, Vec<Invalid>> {
        AttachmentInput { file_name: name, declared_type: declared, bytes }.validate()
    }

    fn codes(r: Result<ValidAttachment, Vec<Invalid>>) -> Vec<&'static str> {
        r.expect_err("refused").iter().map(|e| e.code).collect()
    }

    #[test]
    fn each_type_is_known_by_its_first_bytes() {
        assert_eq!(MediaType::sniff(JPEG), Some(MediaType::Jpeg));
        assert_eq!(MediaType::sniff(PNG), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(b"GIF89a\x01\0"), Some(MediaType::Gif));
        assert_eq!(MediaType::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(MediaType::sniff(PDF), Some(MediaType::Pdf));
        for other in [&b"<html><script>alert(1)</script>"[..], b"MZ\x90\0\x03", b"PK\x03\x04", b"RIFF\0\0\0\0WAVE", b"#!/bin/sh\n", b""] {
            assert_eq!(MediaType::sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_photo_and_a_scan_pass_with_their_names() {
        let v = check("签到表.pdf", "application/pdf", PDF).expect("pdf");
        assert_eq!((v.file_name.as_str(), v.media_type, v.size), ("签到表.pdf", MediaType::Pdf, PDF.len() as i64));
        assert_eq!(check("IMG_0001.JPG", "image/jpg", JPEG).expect("jpeg").media_type, MediaType::Jpeg);
        assert_eq!(check("会场.png", "", PNG).expect("undeclared").media_type, MediaType::Png);
        assert_eq!(check("会场.png", "application/octet-stream", PNG).expect("octet-stream").media_type, MediaType::Png);
    }

    #[test]
    fn a_disguised_file_is_refused_naming_the_problem() {
        let e = check("photo.png", "image/png", b"<html><script>alert(1)</script></html>").expect_err("html as png");
        assert_eq!(e[0].field, "file");
        assert_eq!(e[0].code, "type_mismatch");
        assert!(e[0].message.contains("文件内容与扩展名不符"), "{}", e[0].message);
        assert_eq!(codes(check("setup.png", "", b"MZ\x90\0\x03\0\0\0")), vec!["type_mismatch"]);
        // A real PDF under a picture's name, and a picture declared as something else.
        let e = check("会场.jpg", "", PDF).expect_err("pdf as jpg");
        assert!(e[0].message.contains("PDF文件"), "{}", e[0].message);
        let e = check("会场.png", "application/pdf", PNG).expect_err("declared pdf");
        assert!(e[0].message.contains("声明"), "{}", e[0].message);
        assert_eq!(codes(check("会场.png", "text/html", PNG)), vec!["type_mismatch"]);
        assert_eq!(codes(check("tool.exe", "", b"MZ\x90\0")), vec!["unsupported_type"]);
        assert_eq!(codes(check("会场", "", PNG)), vec!["no_extension"]);
    }

    #[test]
    fn size_is_limited_and_every_problem_is_reported_at_once() {
        let mut big = PNG.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(codes(check("大图.png", "", &big)), vec!["too_large"]);
        let mut exact = PNG.to_vec();
        exact.resize(MAX_BYTES, 0);
        assert!(check("大图.png", "", &exact).is_ok(), "the limit itself is allowed");
        assert_eq!(codes(check("a.png", "", b"")), vec!["empty_file"]);
        let mut big_html = b"<html>".to_vec();
        big_html.resize(MAX_BYTES + 1, b' ');
        let e = check("a\u{202E}gnp.png", "", &big_html).expect_err("all wrong");
        let fields: Vec<(&str, &str)> = e.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(fields, vec![("file", "too_large"), ("file_name", "invalid_chars")]);
    }

    #[test]
    fn names_lose_their_directories_and_are_shortened_keeping_the_extension() {
        assert_eq!(clean_file_name(r"C:\fakepath\签到表.pdf").unwrap(), "签到表.pdf");
        assert_eq!(clean_file_name("../../etc/passwd.png").unwrap(), "passwd.png");
        assert_eq!(clean_file_name("  .hidden.png ").unwrap(), "hidden.png");
        let long = format!("{}.jpeg", "会".repeat(200));
        let c = clean_file_name(&long).unwrap();
        assert_eq!(c.chars().count(), NAME_MAX);
        assert!(c.ends_with(".jpeg"));
        for bad in ["a\u{0}.png", "a\nb.png", "x\u{202E}gnp.exe", "a\u{200B}.png"] {
            assert_eq!(clean_file_name(bad).unwrap_err().code, "invalid_chars", "{bad:?}");
        }
        assert_eq!(clean_file_name("dir/").unwrap_err().code, "required");
    }
}
