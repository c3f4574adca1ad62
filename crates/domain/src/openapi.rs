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

impl utoipa::PartialSchema for crate::period::Period {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[0-9]{4}([HhQq][0-9]|-[0-9]{2}|-[Ww][0-9]{2})?$"))
            .description(Some("期间：2026（年）、2026H1（半年）、2026Q3（季度）、2026-07（月）或 2026-W31（ISO 周）"))
            .examples(["2026Q3"])
            .into()
    }
}

impl utoipa::ToSchema for crate::period::Period {}

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
