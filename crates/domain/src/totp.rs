//! 动态口令 — time-based one-time passwords (RFC 6238, HMAC-SHA1, 30 s, 6 digits), the second
//! factor administrators use (SECURITY.md "Identity"; 等保 level 3 asks for two factors).
//! SHA-1 because every authenticator app speaks it; inside HMAC it is not the weak point.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A fresh 160-bit secret.
pub fn generate_secret() -> Vec<u8> {
    let mut s = vec![0u8; 20];
    getrandom::fill(&mut s).expect("the operating system's random source works");
    s
}

/// RFC 4648 base32 without padding, as authenticator apps expect it.
pub fn base32(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn from_base32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// The code for one time step.
pub fn code_at(secret: &[u8], step: i64) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[h.len() - 1] & 0x0f) as usize;
    let bin = (u32::from(h[off] & 0x7f) << 24) | (u32::from(h[off + 1]) << 16) | (u32::from(h[off + 2]) << 8) | u32::from(h[off + 3]);
    format!("{:0width$}", bin % 10u32.pow(DIGITS), width = DIGITS as usize)
}

/// The step a code matches, allowing one step of clock drift either way; steps at or before
/// `last_used` are refused so a code cannot be replayed.
pub fn verify(secret: &[u8], code: &str, now_unix: i64, last_used: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = now_unix.div_euclid(STEP_SECONDS);
    (now - 1..=now + 1).find(|&step| last_used.is_none_or(|l| step > l) && constant_eq(code_at(secret, step).as_bytes(), code.as_bytes()))
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI an authenticator app imports.
pub fn uri(secret: &[u8], username: &str) -> String {
    let enc = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    format!("otpauth://totp/dangjian:{}?secret={}&issuer=dangjian&digits=6&period=30", enc(username), base32(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_sha1_vectors_truncated_to_six_digits() {
        // RFC 6238 appendix B gives 8 digits; the last 6 are the 6-digit codes.
        for (t, expect) in [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")] {
            assert_eq!(code_at(RFC_SECRET, t / STEP_SECONDS), expect, "t = {t}");
        }
    }

    #[test]
    fn verify_allows_drift_and_refuses_replay() {
        let now = 1_234_567_890;
        let code = code_at(RFC_SECRET, now / STEP_SECONDS - 1);
        let step = verify(RFC_SECRET, &code, now, None).expect("one step of drift is accepted");
        assert_eq!(verify(RFC_SECRET, &code, now, Some(step)), None);
        assert_eq!(verify(RFC_SECRET, "12345", now, None), None);
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, now / STEP_SECONDS - 3), now, None), None);
    }

    #[test]
    fn base32_round_trip() {
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let s = generate_secret();
        assert_eq!(from_base32(&base32(&s)).unwrap(), s);
        assert!(uri(&s, "admin").starts_with("otpauth://totp/dangjian:admin?secret="));
    }
}
