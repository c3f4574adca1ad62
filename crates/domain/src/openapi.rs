//! OpenAPI schemas (feature `openapi`): a code enum is a string with its canonical codes, a
//! [`Date`](crate::time::Date) a string in `date` format — what serde writes for them.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// The schema of a string taking one of `codes` (described by their Chinese labels).
pub fn code_schema(codes: &[(&'static str, &'static str)]) -> RefOr<Schema> {
    let described = codes.iter().map(|(c, l)| format!("{c}（{l}）")).collect::<Vec<_>>().join("，");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes.iter().map(|(c, _)| *c)))
        .description(Some(described))
        .into()
}

impl utoipa::PartialSchema for crate::time::Date {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).into()
    }
}

impl utoipa::ToSchema for crate::time::Date {}

#[macro_export]
#[doc(hidden)]
macro_rules! openapi_code_schema {
    ($name:ident) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::code_schema(&$name::ALL.iter().map(|v| (v.code(), v.label())).collect::<Vec<_>>())
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}
