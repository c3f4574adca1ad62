//! 商用密码 at rest: field encryption, blind index and audit MAC (SECURITY.md, Data and Audit).
//!
//! Everything goes through [`CryptoProvider`] so that production can swap the pure-Rust
//! [`SoftCrypto`] for a certified cipher machine (密码机) without touching callers.
//! The stored formats (CTR-128 big-endian counter, HMAC-SM3 truncated to its left 16
//! bytes, lower-case hex) are standard constructions so a cipher machine can reproduce them.

use cipher::{InnerIvInit, KeyInit, StreamCipher};
use hmac::{Hmac, Mac};
use sm3::{Digest, Sm3};
use sm4::Sm4;
use std::fmt;

type HmacSm3 = Hmac<Sm3>;
type Sm4Ctr = ctr::Ctr128BE<Sm4>;

const IV_LEN: usize = 16;
const TAG_LEN: usize = 16;
const MASTER_KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("十六进制编码无效：第{position}个字符不是十六进制数字")]
    InvalidHex { position: usize },
    #[error("十六进制编码无效：长度应为偶数，实际为{found}个字符")]
    OddHexLength { found: usize },
    #[error("密文长度不足：至少应为{min}字节，实际为{found}字节")]
    CiphertextTooShort { min: usize, found: usize },
    #[error("密文完整性校验失败：数据被篡改或密钥不匹配")]
    MacMismatch,
    #[error("解密结果不是有效的UTF-8文本")]
    InvalidUtf8,
    #[error("主密钥长度错误：应为64个十六进制字符（32字节），实际为{found}个字符")]
    MasterKeyLength { found: usize },
    /// For callers that read the key from a file: this module does no I/O itself.
    #[error("密钥文件无效：{0}")]
    KeyFile(String),
}

/// The one seam for cryptography: pure Rust here, a certified cipher machine in production.
pub trait CryptoProvider: Send + Sync + std::fmt::Debug {
    /// SM4-CTR with a fresh random 16-byte IV, then HMAC-SM3 over iv||ciphertext
    /// (encrypt-then-MAC, tag truncated to 16 bytes); returns lower-case hex of iv||ct||tag.
    fn encrypt_field(&self, plaintext: &str) -> String;
    fn decrypt_field(&self, stored: &str) -> Result<String, CryptoError>;
    /// Keyed blind index for equality lookup: hex of HMAC-SM3(bidx key, kind || 0x00 || value);
    /// kind is e.g. "id_number", "phone". Callers pass the normalised value
    /// (`IdNumber::as_str`, `Phone::as_str`) so that equal numbers index equally.
    fn blind_index(&self, kind: &str, value: &str) -> String;
    /// Hex HMAC-SM3 with the audit key, for chaining audit rows.
    fn audit_mac(&self, data: &[u8]) -> String;
    /// The MAC in a backup's trailer: [`audit_mac`](Self::audit_mac) over a label, a NUL and
    /// the SM3 digest of every byte before the trailer. A backup is too large for one
    /// `audit_mac` call, and MACing its digest needs no new operation of a cipher machine. The
    /// label keeps it apart from audit rows, whose input starts with a hex MAC or 0x1f.
    fn backup_mac(&self, file_sm3: &[u8; 32]) -> String {
        let mut input = Vec::with_capacity(BACKUP_MAC_LABEL.len() + 1 + file_sm3.len());
        input.extend_from_slice(BACKUP_MAC_LABEL);
        input.push(0);
        input.extend_from_slice(file_sm3);
        self.audit_mac(&input)
    }
}

const BACKUP_MAC_LABEL: &[u8] = b"dangjian-backup v2";

/// SM3 over data that arrives in pieces (a backup file as it is written or read).
#[derive(Clone, Default)]
pub struct Sm3Hasher(Sm3);

impl Sm3Hasher {
    pub fn new() -> Sm3Hasher {
        Sm3Hasher::default()
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// 软件密码模块 — the pure-Rust provider for development, CI and small deployments.
///
/// Subkeys are derived once here and kept as ready-to-use cipher and MAC states: the
/// SM4 key schedule and the HMAC inner/outer pads are then not recomputed per field,
/// which matters during imports of tens of thousands of rows.
#[derive(Clone)]
pub struct SoftCrypto {
    field_enc: Sm4,
    field_mac: HmacSm3,
    blind_index: HmacSm3,
    audit: HmacSm3,
}

impl fmt::Debug for SoftCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SoftCrypto { keys: <redacted> }")
    }
}

impl SoftCrypto {
    pub fn from_master_key(master: &[u8; MASTER_KEY_LEN]) -> SoftCrypto {
        let enc_key = derive_subkey(master, b"field-enc");
        // SM4 takes a 128-bit key; the left half of the HMAC output is as good as any.
        let sm4_key: [u8; 16] = enc_key[..16].try_into().expect("SM3 output is 32 bytes");
        SoftCrypto {
            field_enc: Sm4::new(&sm4_key.into()),
            field_mac: keyed_hmac(&derive_subkey(master, b"field-mac")),
            blind_index: keyed_hmac(&derive_subkey(master, b"blind-index")),
            audit: keyed_hmac(&derive_subkey(master, b"audit")),
        }
    }

    /// # Panics
    /// If the operating system has no usable random source: nothing safe can be done then.
    pub fn generate_master_key() -> [u8; MASTER_KEY_LEN] {
        let mut key = [0u8; MASTER_KEY_LEN];
        fill_random(&mut key);
        key
    }

    pub fn master_key_to_hex(k: &[u8; MASTER_KEY_LEN]) -> String {
        hex_encode(k)
    }

    /// Trims whitespace, so a key file ending in a newline still loads.
    pub fn master_key_from_hex(s: &str) -> Result<[u8; MASTER_KEY_LEN], CryptoError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != MASTER_KEY_LEN * 2 {
            return Err(CryptoError::MasterKeyLength { found });
        }
        let bytes = hex_decode(s)?;
        Ok(bytes
            .try_into()
            .expect("64 hex characters decode to 32 bytes"))
    }

    fn ctr(&self, iv: &[u8; IV_LEN]) -> Sm4Ctr {
        Sm4Ctr::from_core(ctr::CtrCore::inner_iv_init(
            self.field_enc.clone(),
            &(*iv).into(),
        ))
    }

    fn field_tag(&self, iv_and_ct: &[u8]) -> HmacSm3 {
        let mut mac = self.field_mac.clone();
        mac.update(iv_and_ct);
        mac
    }
}

impl CryptoProvider for SoftCrypto {
    /// # Panics
    /// If the operating system has no usable random source (see [`random_token`]).
    fn encrypt_field(&self, plaintext: &str) -> String {
        let mut iv = [0u8; IV_LEN];
        fill_random(&mut iv);
        let mut buf = Vec::with_capacity(IV_LEN + plaintext.len() + TAG_LEN);
        buf.extend_from_slice(&iv);
        buf.extend_from_slice(plaintext.as_bytes());
        self.ctr(&iv).apply_keystream(&mut buf[IV_LEN..]);
        let tag = self.field_tag(&buf).finalize().into_bytes();
        buf.extend_from_slice(&tag[..TAG_LEN]);
        hex_encode(&buf)
    }

    fn decrypt_field(&self, stored: &str) -> Result<String, CryptoError> {
        let mut buf = hex_decode(stored.trim())?;
        let min = IV_LEN + TAG_LEN;
        if buf.len() < min {
            return Err(CryptoError::CiphertextTooShort {
                min,
                found: buf.len(),
            });
        }
        let body_len = buf.len() - TAG_LEN;
        // Verified before decrypting, and in constant time, so a forged ciphertext
        // reveals nothing about the keystream or the tag.
        self.field_tag(&buf[..body_len])
            .verify_truncated_left(&buf[body_len..])
            .map_err(|_| CryptoError::MacMismatch)?;
        buf.truncate(body_len);
        let iv: [u8; IV_LEN] = buf[..IV_LEN].try_into().expect("length checked above");
        self.ctr(&iv).apply_keystream(&mut buf[IV_LEN..]);
        buf.drain(..IV_LEN);
        String::from_utf8(buf).map_err(|_| CryptoError::InvalidUtf8)
    }

    fn blind_index(&self, kind: &str, value: &str) -> String {
        let mut mac = self.blind_index.clone();
        // The separator keeps ("ab", "c") and ("a", "bc") apart; kinds never contain NUL.
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex_encode(&mac.finalize().into_bytes())
    }

    fn audit_mac(&self, data: &[u8]) -> String {
        let mut mac = self.audit.clone();
        mac.update(data);
        hex_encode(&mac.finalize().into_bytes())
    }
}

fn derive_subkey(master: &[u8; MASTER_KEY_LEN], label: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(master);
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn keyed_hmac(key: &[u8; 32]) -> HmacSm3 {
    <HmacSm3 as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("操作系统随机数源不可用");
}

/// Lower-case hex of SM3(data).
pub fn sm3_hex(data: &[u8]) -> String {
    hex_encode(&Sm3::digest(data))
}

/// Random URL-safe token (for session ids, CSRF tokens): `bytes` random bytes, lower-case hex.
///
/// # Panics
/// If the operating system has no usable random source: handing out a predictable session
/// id would be worse than failing the request.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    hex_encode(&buf)
}

fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Accepts either case, since keys may be pasted from tools that print upper-case hex.
fn hex_decode(s: &str) -> Result<Vec<u8>, CryptoError> {
    // Checked per character first, so a non-ASCII character is reported where it is
    // rather than as an odd byte length.
    if let Some((i, _)) = s.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(CryptoError::InvalidHex {
            position: s[..i].chars().count() + 1,
        });
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(CryptoError::OddHexLength { found: b.len() });
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10, // only A-F remain after the check above
    };
    Ok(b.chunks_exact(2)
        .map(|pair| nibble(pair[0]) << 4 | nibble(pair[1]))
        .collect())
}

/// Raw SM4 block encryption, kept for the standard test vector.
#[cfg(test)]
fn sm4_encrypt_block(key: &[u8; 16], block: &[u8; 16]) -> [u8; 16] {
    use cipher::BlockCipherEncrypt;
    let mut b = (*block).into();
    Sm4::new(&(*key).into()).encrypt_block(&mut b);
    b.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex_decode(s).unwrap()
    }

    fn crypto(seed: u8) -> SoftCrypto {
        SoftCrypto::from_master_key(&[seed; 32])
    }

    #[test]
    fn sm3_standard_vector() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn sm4_standard_vector() {
        let k: [u8; 16] = unhex("0123456789abcdeffedcba9876543210")
            .try_into()
            .unwrap();
        assert_eq!(
            hex_encode(&sm4_encrypt_block(&k, &k)),
            "681edf34d206965e86b3e94f536e4246"
        );
    }

    /// HMAC written out from RFC 2104 over plain SM3, so the `hmac` crate is checked
    /// against the definition a cipher machine implements.
    fn reference_hmac_sm3(key: &[u8], msg: &[u8]) -> Vec<u8> {
        assert!(key.len() <= 64);
        let mut k = [0u8; 64];
        k[..key.len()].copy_from_slice(key);
        let inner: Vec<u8> = k
            .iter()
            .map(|b| b ^ 0x36)
            .chain(msg.iter().copied())
            .collect();
        let inner_hash = Sm3::digest(&inner);
        let outer: Vec<u8> = k
            .iter()
            .map(|b| b ^ 0x5c)
            .chain(inner_hash.iter().copied())
            .collect();
        Sm3::digest(&outer).to_vec()
    }

    #[test]
    fn constructions_match_their_definitions() {
        let master = [7u8; 32];
        let c = SoftCrypto::from_master_key(&master);
        let sub = |label: &[u8]| reference_hmac_sm3(&master, label);

        assert_eq!(derive_subkey(&master, b"audit").to_vec(), sub(b"audit"));
        assert_eq!(
            c.audit_mac(b"row"),
            hex_encode(&reference_hmac_sm3(&sub(b"audit"), b"row"))
        );
        assert_eq!(
            c.blind_index("phone", "13800138000"),
            hex_encode(&reference_hmac_sm3(
                &sub(b"blind-index"),
                b"phone\x0013800138000"
            ))
        );

        // Decrypt by hand: CTR with a 128-bit big-endian counter starting at the IV.
        let pt = "公民身份号码与手机号码需加密存储，长度超过一个分组";
        let raw = unhex(&c.encrypt_field(pt));
        let (iv, rest) = raw.split_at(IV_LEN);
        let (ct, tag) = rest.split_at(rest.len() - TAG_LEN);
        assert_eq!(
            tag,
            &reference_hmac_sm3(&sub(b"field-mac"), &raw[..raw.len() - TAG_LEN])[..16]
        );
        let key: [u8; 16] = sub(b"field-enc")[..16].try_into().unwrap();
        let counter0 = u128::from_be_bytes(iv.try_into().unwrap());
        let mut out = Vec::new();
        for (i, chunk) in ct.chunks(16).enumerate() {
            let ks = sm4_encrypt_block(&key, &counter0.wrapping_add(i as u128).to_be_bytes());
            out.extend(chunk.iter().zip(ks).map(|(a, b)| a ^ b));
        }
        assert_eq!(String::from_utf8(out).unwrap(), pt);
    }

    /// Pinned outputs: if derivation or encoding ever changes, every stored blind index
    /// and audit chain in existing databases stops matching, so this must fail loudly.
    /// The values were cross-checked with `openssl dgst -sm3 -mac HMAC`.
    #[test]
    fn derivation_is_stable() {
        let c = crypto(0);
        assert_eq!(
            c.blind_index("id_number", "440524188001010014"),
            PINNED_BIDX
        );
        assert_eq!(c.audit_mac(b""), PINNED_AUDIT);
    }
    const PINNED_BIDX: &str = "f5670897ba98360731ecfc9fb99a0c8e36ce93f59dfeeb7bd45b5500a22edef1";
    const PINNED_AUDIT: &str = "d8b94688430c1bd30a8f4d05ef355a77246f74f81f5bd2b7adeac7b283b1db63";

    #[test]
    fn round_trip() {
        let c = crypto(1);
        for s in [
            "",
            "a",
            "440524188001010014",
            "13800138000",
            "张三 — 党员",
            &"长".repeat(1000),
        ] {
            let stored = c.encrypt_field(s);
            assert!(
                stored
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            );
            assert_eq!(stored.len(), 2 * (IV_LEN + s.len() + TAG_LEN));
            assert_eq!(c.decrypt_field(&stored).unwrap(), s);
            assert_eq!(
                c.decrypt_field(&format!(" {}\n", stored.to_uppercase()))
                    .unwrap(),
                s
            );
        }
    }

    #[test]
    fn encryption_is_randomised() {
        let c = crypto(1);
        let a = c.encrypt_field("440524188001010014");
        let b = c.encrypt_field("440524188001010014");
        assert_ne!(a, b);
        assert_eq!(c.decrypt_field(&a).unwrap(), c.decrypt_field(&b).unwrap());
    }

    #[test]
    fn tampering_is_refused() {
        let c = crypto(1);
        let raw = unhex(&c.encrypt_field("13800138000"));
        for i in 0..raw.len() {
            let mut t = raw.clone();
            t[i] ^= 0x01;
            assert!(
                matches!(
                    c.decrypt_field(&hex_encode(&t)),
                    Err(CryptoError::MacMismatch)
                ),
                "byte {i}"
            );
        }
        // Truncation and appending are tampering too.
        let stored = hex_encode(&raw);
        assert!(matches!(
            c.decrypt_field(&stored[..stored.len() - 2]),
            Err(CryptoError::MacMismatch)
        ));
        assert!(matches!(
            c.decrypt_field(&format!("{stored}00")),
            Err(CryptoError::MacMismatch)
        ));
        // Another key cannot read it.
        assert!(matches!(
            crypto(2).decrypt_field(&stored),
            Err(CryptoError::MacMismatch)
        ));
    }

    #[test]
    fn malformed_input_is_refused() {
        let c = crypto(1);
        let err = c.decrypt_field("00112233").unwrap_err();
        assert!(matches!(
            err,
            CryptoError::CiphertextTooShort { min: 32, found: 4 }
        ));
        assert_eq!(err.to_string(), "密文长度不足：至少应为32字节，实际为4字节");
        assert!(matches!(
            c.decrypt_field("abc"),
            Err(CryptoError::OddHexLength { found: 3 })
        ));
        let err = c.decrypt_field("00zz").unwrap_err();
        assert!(matches!(err, CryptoError::InvalidHex { position: 3 }));
        assert_eq!(
            err.to_string(),
            "十六进制编码无效：第3个字符不是十六进制数字"
        );
        assert!(matches!(
            c.decrypt_field("0密"),
            Err(CryptoError::InvalidHex { position: 2 })
        ));
        assert!(matches!(
            c.decrypt_field(""),
            Err(CryptoError::CiphertextTooShort { .. })
        ));
    }

    #[test]
    fn blind_index_is_deterministic_and_separated() {
        let c = crypto(1);
        let a = c.blind_index("id_number", "440524188001010014");
        assert_eq!(a, c.blind_index("id_number", "440524188001010014"));
        assert_eq!(a, c.clone().blind_index("id_number", "440524188001010014"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, c.blind_index("phone", "440524188001010014"));
        assert_ne!(a, c.blind_index("id_number", "11010519491231002X"));
        assert_ne!(a, crypto(2).blind_index("id_number", "440524188001010014"));
        // The separator stops kind and value from running into each other.
        assert_ne!(c.blind_index("ab", "c"), c.blind_index("a", "bc"));
        // Subkeys are separated: the blind index is not the audit MAC of the same bytes.
        assert_ne!(a, c.audit_mac(b"id_number\x00440524188001010014"));
    }

    #[test]
    fn sm3_in_pieces_equals_sm3_at_once() {
        let data = "备份文件逐行写入".repeat(100);
        let mut h = Sm3Hasher::new();
        for piece in data.as_bytes().chunks(7) {
            h.update(piece);
        }
        assert_eq!(hex_encode(&h.finish()), sm3_hex(data.as_bytes()));
        assert_eq!(hex_encode(&Sm3Hasher::new().finish()), sm3_hex(b""));
    }

    #[test]
    fn backup_mac_is_a_labelled_audit_mac() {
        let c = crypto(1);
        let digest: [u8; 32] = Sm3::digest(b"file").into();
        let mut input = b"dangjian-backup v2\x00".to_vec();
        input.extend_from_slice(&digest);
        assert_eq!(c.backup_mac(&digest), c.audit_mac(&input));
        assert_ne!(c.backup_mac(&digest), c.audit_mac(&digest));
        assert_ne!(c.backup_mac(&digest), crypto(2).backup_mac(&digest));
    }

    #[test]
    fn audit_mac_depends_on_data_and_key() {
        let c = crypto(1);
        assert_eq!(c.audit_mac(b"row 1"), c.audit_mac(b"row 1"));
        assert_ne!(c.audit_mac(b"row 1"), c.audit_mac(b"row 2"));
        assert_ne!(c.audit_mac(b"row 1"), crypto(2).audit_mac(b"row 1"));
    }

    #[test]
    fn master_key_hex_round_trip() {
        let k = SoftCrypto::generate_master_key();
        assert_ne!(k, SoftCrypto::generate_master_key());
        let h = SoftCrypto::master_key_to_hex(&k);
        assert_eq!(h.len(), 64);
        assert_eq!(SoftCrypto::master_key_from_hex(&h).unwrap(), k);
        assert_eq!(
            SoftCrypto::master_key_from_hex(&format!("  {}\n", h.to_uppercase())).unwrap(),
            k
        );

        let err = SoftCrypto::master_key_from_hex(&h[..62]).unwrap_err();
        assert!(matches!(err, CryptoError::MasterKeyLength { found: 62 }));
        assert_eq!(
            err.to_string(),
            "主密钥长度错误：应为64个十六进制字符（32字节），实际为62个字符"
        );
        let bad = format!("g{}", &h[1..]);
        assert!(matches!(
            SoftCrypto::master_key_from_hex(&bad),
            Err(CryptoError::InvalidHex { position: 1 })
        ));
    }

    #[test]
    fn debug_hides_keys() {
        let c = SoftCrypto::from_master_key(&[0xab; 32]);
        let d = format!("{c:?}");
        assert_eq!(d, "SoftCrypto { keys: <redacted> }");
        let p: &dyn CryptoProvider = &c;
        assert!(!format!("{p:?}").contains("ab"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let t = random_token(32);
        assert_eq!(t.len(), 64);
        assert!(t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert_ne!(t, random_token(32));
        assert_eq!(random_token(0), "");
    }

    #[test]
    fn provider_is_object_safe_and_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SoftCrypto>();
        let p: std::sync::Arc<dyn CryptoProvider> = std::sync::Arc::new(crypto(3));
        let s = p.encrypt_field("x");
        assert_eq!(p.decrypt_field(&s).unwrap(), "x");
    }
}
