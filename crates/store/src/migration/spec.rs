//! The shape of a table as the application sees it today: what backup/restore walk and what
//! the migration test compares with each backend's catalogue. Each area declares its own tables
//! (`migration/<area>/mod.rs`); the migrations that built them stay as they were written.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Id,
    Int,
    Text,
    /// Text ordered byte by byte, whatever the server's collation: materialised paths, and
    /// names searched by prefix range.
    Path,
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    /// Referenced table, for a foreign key to its `id`.
    pub references: Option<&'static str>,
}

pub struct TableSpec {
    pub name: &'static str,
    pub cols: &'static [Col],
    /// Tables without an `id` column name their key columns here.
    pub primary_key: &'static [&'static str],
    /// Grows with the members (DESIGN.md "Every large table carries its tenant"): must have a
    /// `tenant_id`, the distribution key when one PostgreSQL no longer suffices.
    pub large: bool,
}

pub const fn c(name: &'static str, kind: Kind) -> Col {
    Col { name, kind, nullable: false, references: None }
}
pub const fn n(name: &'static str, kind: Kind) -> Col {
    Col { name, kind, nullable: true, references: None }
}
pub const fn fk(name: &'static str, table: &'static str, nullable: bool) -> Col {
    Col { name, kind: Kind::Int, nullable, references: Some(table) }
}
pub const ID: Col = c("id", Kind::Id);

/// Orders tables so that each comes after the tables its foreign keys reference (areas list
/// their own tables; posts, for one, reference both organisations and members).
pub fn in_key_order(areas: &[&'static [TableSpec]]) -> Vec<&'static TableSpec> {
    let mut pending: Vec<&'static TableSpec> = areas.iter().flat_map(|a| a.iter()).collect();
    let mut out: Vec<&'static TableSpec> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|t| t.cols.iter().filter_map(|c| c.references).all(|r| r == t.name || out.iter().any(|o| o.name == r)))
            .expect("the table specs reference a table no area declares, or reference each other in a cycle");
        out.push(pending.remove(ready));
    }
    out
}
