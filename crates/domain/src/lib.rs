//! dangjian-domain: the types and rules of party-building work. No I/O, no async:
//! every rule here is a pure function that cites its source (see shared DOMAIN.md).

pub mod crypto;
pub mod duty;
pub mod idcard;
pub mod life;
pub mod member;
pub mod notice;
pub mod org;
pub mod password;
pub mod period;
pub mod policy;
#[cfg(feature = "sql")]
pub mod sql;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod text;
pub mod time;
pub mod totp;

/// A rule violated by input, with a stable machine code and a Chinese message naming the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Invalid { field, code, message: message.into() }
    }
}

/// Declares a closed set of codes with their Chinese labels: the canonical codes of DOMAIN.md.
#[macro_export]
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// Accepts the code or the Chinese label, so roster files may use either.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.label() == s)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("未知的取值：{s}")))
            }
        }
        $crate::sql_text_column!($name);
        $crate::openapi_code_schema!($name);
    };
}

/// With feature `sql`, the column traits of a code enum; without it, nothing.
#[cfg(not(feature = "sql"))]
#[macro_export]
#[doc(hidden)]
macro_rules! sql_text_column {
    ($name:ident) => {};
}

/// With feature `openapi`, the schema of a code enum; without it, nothing.
#[cfg(not(feature = "openapi"))]
#[macro_export]
#[doc(hidden)]
macro_rules! openapi_code_schema {
    ($name:ident) => {};
}
