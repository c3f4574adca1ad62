//! The 党员花名册 (member roster) file layout: reading and writing xlsx and csv.
//!
//! This module only moves text between files and [`RosterRow`]s. It trims and normalises what
//! users typed but never judges it: checking ID numbers, statuses and dates is validation's job,
//! which can then report every problem of a file at once, each with its line number.

use std::fmt::{self, Write as _};
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};
use dangjian_domain::member::{Field, Kind, MemberInput, FIELDS};

const WIDTH: usize = FIELDS.len() + 3;
const ORG_CODE: usize = WIDTH - 2;
const ORG_NAME: usize = WIDTH - 1;
const SEQ: usize = 0;

/// Columns of the roster in order: 序号, the member's fields as the domain declares them, and
/// the organisation. The header row must carry these titles (order may differ on import; extra
/// columns are ignored).
pub const COLUMNS: [&str; WIDTH] = {
    let mut out = [""; WIDTH];
    out[SEQ] = "序号";
    let mut i = 0;
    while i < FIELDS.len() {
        out[i + 1] = FIELDS[i].label;
        i += 1;
    }
    out[ORG_CODE] = "党组织编码";
    out[ORG_NAME] = "党组织名称";
    out
};

/// The member field under `COLUMNS[col]`, if that column holds one.
fn member_field(col: usize) -> Option<&'static Field> {
    col.checked_sub(1).and_then(|i| FIELDS.get(i))
}

/// Digit strings that Excel mangles when it takes them for numbers: an 18-digit ID becomes
/// 4.40524E+17, an organisation code loses its leading zeros.
fn is_digit_column(col: usize) -> bool {
    col == ORG_CODE || member_field(col).is_some_and(Field::is_digits)
}

fn is_id_column(col: usize) -> bool {
    member_field(col).is_some_and(|f| f.kind == Kind::IdNumber)
}

/// Columns a roster file must have: the member's required ones and the organisation code.
fn is_required(col: usize) -> bool {
    col == ORG_CODE || member_field(col).is_some_and(|f| f.roster_required)
}

fn is_date_column(col: usize) -> bool {
    member_field(col).is_some_and(Field::is_date)
}

/// A header is looked for among this many non-empty rows, so that a title row such as
/// "XX机关党员花名册" above the header (common in hand-made sheets) does not defeat the import.
const HEADER_SEARCH_ROWS: usize = 10;
/// Header cells further right than this cannot be roster titles in any sane sheet; the bound
/// keeps a stray far-away cell from costing memory.
const MAX_HEADER_COLUMNS: usize = 1024;
/// Excel's own row limit, the header included.
const XLSX_MAX_ROWS: usize = 1_048_576;
/// Text kept from the cells of one file. A real roster has about 200 bytes per member (40 MB
/// for 200,000); the bound matters for xlsx, where one shared string can fill any number of
/// cells, so that a small file could otherwise be copied out into gigabytes of fields.
const MAX_TEXT: usize = 128 << 20;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Compound-file (OLE2) signature: legacy .xls, and also password-protected .xlsx.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
mod archive;
mod csv_file;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
mod xlsx_file;

pub use csv_file::{read_csv, write_csv};
pub use xlsx_file::{read_xlsx, write_xlsx};
pub(crate) use xlsx_file::{display_width, sheet_name};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// One member line of the roster: the member's fields and the organisation. Required on
/// import: the columns [`is_required`] names (the header must have them; empty cells are
/// validation's business).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterRow {
    /// 1-based row number in the sheet/file as the user sees it (header is line 1), 0 when exporting.
    pub line: usize,
    pub member: MemberInput,
    pub org_code: String,
    pub org_name: String,
}

impl RosterRow {
    /// The field under `COLUMNS[col]`; 序号 has none because it is renumbered on export.
    fn field(&self, col: usize) -> &str {
        match col {
            ORG_CODE => &self.org_code,
            ORG_NAME => &self.org_name,
            _ => member_field(col).map_or("", |f| f.value(&self.member)),
        }
    }

    fn field_mut(&mut self, col: usize) -> Option<&mut String> {
        match col {
            ORG_CODE => Some(&mut self.org_code),
            ORG_NAME => Some(&mut self.org_name),
            _ => member_field(col).map(|f| f.value_mut(&mut self.member)),
        }
    }

    /// 序号 is ignored: templates often come pre-numbered far below the last member, and those
    /// rows are empty to the user.
    fn is_blank(&self) -> bool {
        (1..COLUMNS.len()).all(|c| self.field(c).is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RosterFileError {
    #[error("文件不是有效的 Excel（.xlsx）工作簿，或文件已损坏")]
    NotXlsx(#[source] XlsxError),
    #[error(
        "文件是旧版 Excel（.xls）格式或设置了打开密码，请在 Excel 中取消密码并另存为 .xlsx 后再导入"
    )]
    LegacyOrEncrypted,
    #[error("工作簿中没有工作表")]
    NoWorksheet,
    #[error("文件中没有数据：找不到表头行")]
    NoHeader,
    #[error("缺少必填列：{}", .0.join("、"))]
    MissingColumns(Vec<&'static str>),
    #[error("表头中“{0}”列出现了不止一次，请删除多余的列")]
    DuplicateColumn(&'static str),
    #[error("CSV 文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8”")]
    NotUtf8,
    #[error("CSV 文件格式有误，无法读取")]
    Csv(#[source] csv::Error),
    #[error("数据超过 {max} 行的上限，请分批导入")]
    TooManyRows { max: usize },
    #[error("生成 Excel 文件失败")]
    Write(#[source] rust_xlsxwriter::XlsxError),
    #[error("文件超过导入上限：{0}。请删除多余的工作表、图片和格式后重新保存，或分批导入")]
    TooLarge(Limit),
}

/// A bound an xlsx file must stay within before and while it is read; sizes are in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// One part of the archive, decompressed.
    Part(Part, u64),
    /// All parts of the archive together, decompressed.
    Total(u64),
    /// Parts in the archive.
    Entries(usize),
    SharedStrings(u64),
    /// Memory the cell formats take once read.
    Styles(u64),
    Cells(usize),
    /// Text kept from the cells.
    Text(usize),
}

/// A kind of part of an xlsx archive, as far as the limits are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    SharedStrings,
    Styles,
    Workbook,
    Relationships,
    /// Worksheets, and anything else that is not kept in memory while reading.
    Sheet,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |bytes: u64| bytes >> 20;
        match *self {
            Limit::Part(part, max) => write!(f, "{part}解压后超过 {} MB", mb(max)),
            Limit::Total(max) => write!(f, "全部内容解压后超过 {} MB", mb(max)),
            Limit::Entries(max) => write!(f, "压缩包内的文件超过 {max} 个"),
            Limit::SharedStrings(max) => write!(f, "共享字符串超过 {max} 条"),
            Limit::Styles(max) => write!(f, "单元格格式读入后超过 {} MB", mb(max)),
            Limit::Cells(max) => write!(f, "工作表的单元格超过 {max} 个"),
            Limit::Text(max) => write!(f, "单元格文字合计超过 {} MB", mb(max as u64)),
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::SharedStrings => "共享字符串部分",
            Part::Styles => "样式部分",
            Part::Workbook => "工作簿部分",
            Part::Relationships => "关系部分",
            Part::Sheet => "工作表部分",
        })
    }
}

/// Sniffs by content: xlsx starts with "PK\x03\x04" (zip); anything else is treated as csv.
/// File names and MIME types from the browser are not trusted for this.
pub fn read_any(bytes: &[u8], max_rows: usize) -> Result<Vec<RosterRow>, RosterFileError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC) {
        read_xlsx(bytes, max_rows)
    } else {
        read_csv(bytes, max_rows)
    }
}

/// Normalises the date spellings found in rosters to `YYYY-MM-DD`: `2001-07-01`, `2001.07.01`,
/// `2001/7/1`, `2001年7月1日`, `20010701`, a trailing time (`2001/7/1 0:00`), and month-only
/// forms `2001-07`, `2001.7`, `2001年7月`, `200107` (→ the 1st of the month, as party records
/// often give only the month). Full-width digits are accepted. `None` when it is not a real date.
pub fn normalize_date(s: &str) -> Option<String> {
    let (y, m, d) = parse_date(s)?;
    let mut out = String::with_capacity(10);
    push_date(&mut out, y, m, d);
    Some(out)
}

fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let s = clean(s);
    // (value, number of digits) of up to three digit groups.
    let mut groups = [(0u32, 0u32); 3];
    let mut count = 0;
    let mut in_group = false;
    let mut closed = false; // after 日: nothing but a time may follow
    for ch in s.chars() {
        let digit = match ch {
            '0'..='9' => Some(ch as u32 - '0' as u32),
            '０'..='９' => Some(ch as u32 - '０' as u32),
            _ => None,
        };
        if let Some(digit) = digit {
            if closed {
                return None;
            }
            if !in_group {
                if count == groups.len() {
                    return None;
                }
                count += 1;
                in_group = true;
            }
            let g = &mut groups[count - 1];
            if g.1 == 8 {
                return None;
            }
            *g = (g.0 * 10 + digit, g.1 + 1);
            continue;
        }
        in_group = false;
        match ch {
            '-' | '/' | '.' | '年' | '月' | '－' | '／' | '．' | '\\' if count > 0 && !closed =>
                {}
            '日' | '号' if count == 3 && !closed => closed = true,
            // A time part, as in "2001/7/1 0:00" or ISO "2001-07-01T00:00:00": the date is done.
            c if (c.is_whitespace() || c == 'T') && count > 0 => break,
            _ => return None,
        }
    }
    let (y, m, d) = match (count, groups) {
        (1, [(v, 8), ..]) => (v / 10_000, v / 100 % 100, v % 100),
        (1, [(v, 6), ..]) => (v / 100, v % 100, 1),
        (2, [(y, 4), (m, 1..=2), _]) => (y, m, 1),
        (3, [(y, 4), (m, 1..=2), (d, 1..=2)]) => (y, m, d),
        _ => return None,
    };
    if y < 1000 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?;
    Some((y, m, d))
}

fn push_date(out: &mut String, y: u32, m: u32, d: u32) {
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// A number cell as text. Integers below 2^53 (phone numbers typed as numbers, 20010701) come out
/// exactly. Above that a float has already lost digits, so it is written in exponent form: an
/// 18-digit ID stored as a number must never come out as 18 plausible digits that might even pass
/// the checksum; "4.40524188001010e17" is refused by validation for sure.
fn push_number(out: &mut String, n: f64) {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    let _ = if n.is_finite() && n.abs() >= EXACT_LIMIT {
        write!(out, "{n:e}")
    } else if n.fract() == 0.0 && n.is_finite() {
        write!(out, "{}", n as i64)
    } else {
        write!(out, "{n}")
    };
}

/// Typing "2001.10" into Excel stores the number 2001.1, the same as typing "2001.1": such a cell
/// cannot be read as a month, so it is passed on unchanged for validation to question.
fn is_ambiguous_month(number_text: &str) -> bool {
    number_text
        .split_once('.')
        .is_some_and(|(int, frac)| int.len() == 4 && frac.len() == 1)
}

/// Trims ordinary and full-width spaces, and the zero-width characters that copy-paste from
/// web pages and Word leaves behind.
fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}'))
}

/// The roster column a header title names, tolerating what people do to titles: "姓  名"
/// padded with spaces, "姓名*" marked as required.
fn column_of_title(title: &str) -> Option<usize> {
    let key: String = clean(title)
        .trim_end_matches(['*', '＊'])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    COLUMNS.iter().position(|&c| c == key)
}

/// Column positions in the file → roster column (index into [`COLUMNS`]).
struct Layout(Vec<Option<u8>>);

impl Layout {
    fn from_titles(titles: &[String]) -> Result<Layout, RosterFileError> {
        let mut map = vec![None; titles.len()];
        let mut seen = [false; COLUMNS.len()];
        for (pos, title) in titles.iter().enumerate() {
            if let Some(col) = column_of_title(title) {
                if seen[col] {
                    return Err(RosterFileError::DuplicateColumn(COLUMNS[col]));
                }
                seen[col] = true;
                map[pos] = Some(col as u8);
            }
        }
        let missing: Vec<&'static str> = (0..COLUMNS.len())
            .filter(|&c| is_required(c) && !seen[c])
            .map(|c| COLUMNS[c])
            .collect();
        if missing.is_empty() {
            Ok(Layout(map))
        } else {
            Err(RosterFileError::MissingColumns(missing))
        }
    }
}

/// Where a cell goes while the rows are read: into the header being assembled, or into a field.
#[derive(Clone, Copy)]
enum Target {
    Header,
    Field(u8),
}

fn col_field(target: Target) -> usize {
    match target {
        Target::Field(f) => usize::from(f),
        Target::Header => usize::MAX,
    }
}

/// Turns a stream of (row, column, text) into roster rows; shared by the xlsx and csv readers so
/// both treat headers, blank rows, trimming and dates the same way.
struct RowSink {
    max_rows: usize,
    /// csv only: undo the apostrophe [`write_csv`] puts before a leading = + - @.
    unescape_formula: bool,
    layout: Option<Layout>,
    /// Cells of the header candidate being read, by column.
    titles: Vec<String>,
    header_rows_seen: usize,
    /// The candidate with the most known titles, to name what is missing if no header is found.
    best_titles: Option<(usize, Vec<String>)>,
    row: RosterRow,
    rows: Vec<RosterRow>,
    /// Bytes of text kept so far, titles included.
    text: usize,
}

impl RowSink {
    fn new(max_rows: usize, unescape_formula: bool) -> RowSink {
        RowSink {
            max_rows,
            unescape_formula,
            layout: None,
            titles: Vec::new(),
            header_rows_seen: 0,
            best_titles: None,
            row: RosterRow::default(),
            rows: Vec::new(),
            text: 0,
        }
    }

    fn target(&self, col: usize) -> Option<Target> {
        match &self.layout {
            None => (col < MAX_HEADER_COLUMNS).then_some(Target::Header),
            Some(layout) => match layout.0.get(col).copied().flatten() {
                Some(f) if usize::from(f) != SEQ => Some(Target::Field(f)),
                _ => None,
            },
        }
    }

    fn put(&mut self, target: Target, col: usize, value: &str) -> Result<(), RosterFileError> {
        let mut value = clean(value);
        if value.is_empty() {
            return Ok(());
        }
        self.keep(value.len())?;
        match target {
            Target::Header => {
                if self.titles.len() <= col {
                    self.titles.resize(col + 1, String::new());
                }
                self.titles[col].push_str(value);
                Ok(())
            }
            Target::Field(f) => {
                let f = usize::from(f);
                if self.unescape_formula
                    && let Some(rest) = value.strip_prefix('\'')
                    && rest.starts_with(['=', '+', '-', '@'])
                {
                    value = rest;
                }
                let Some(field) = self.row.field_mut(f) else {
                    return Ok(());
                };
                match is_date_column(f)
                    .then(|| parse_date(value))
                    .flatten()
                {
                    Some((y, m, d)) => push_date(field, y, m, d),
                    None => field.push_str(value),
                }
                Ok(())
            }
        }
    }

    /// Stores a value as is, bypassing date normalisation.
    fn put_raw(&mut self, target: Target, value: &str) -> Result<(), RosterFileError> {
        let value = clean(value);
        self.keep(value.len())?;
        if let Some(field) = self.row.field_mut(col_field(target)) {
            field.push_str(value);
        }
        Ok(())
    }

    fn keep(&mut self, len: usize) -> Result<(), RosterFileError> {
        self.text += len;
        if self.text > MAX_TEXT {
            return Err(RosterFileError::TooLarge(Limit::Text(MAX_TEXT)));
        }
        Ok(())
    }

    fn end_row(&mut self, line: usize) -> Result<(), RosterFileError> {
        if self.layout.is_none() {
            return self.end_header_candidate();
        }
        if self.row.is_blank() {
            self.row = RosterRow::default();
            return Ok(());
        }
        if self.rows.len() >= self.max_rows {
            return Err(RosterFileError::TooManyRows { max: self.max_rows });
        }
        let mut row = std::mem::take(&mut self.row);
        row.line = line;
        self.rows.push(row);
        Ok(())
    }

    fn end_header_candidate(&mut self) -> Result<(), RosterFileError> {
        let titles = std::mem::take(&mut self.titles);
        if titles.iter().all(|t| t.is_empty()) {
            return Ok(());
        }
        let known = titles
            .iter()
            .filter(|t| column_of_title(t).is_some())
            .count();
        // Two known titles tell a header from a title row or a note above it.
        if known >= 2 {
            self.layout = Some(Layout::from_titles(&titles)?);
            return Ok(());
        }
        if self.best_titles.as_ref().is_none_or(|(k, _)| known > *k) {
            self.best_titles = Some((known, titles));
        }
        self.header_rows_seen += 1;
        if self.header_rows_seen >= HEADER_SEARCH_ROWS {
            return Err(self.no_header());
        }
        Ok(())
    }

    fn no_header(&mut self) -> RosterFileError {
        match self.best_titles.take() {
            None => RosterFileError::NoHeader,
            Some((_, titles)) => match Layout::from_titles(&titles) {
                Err(e) => e,
                Ok(_) => RosterFileError::NoHeader,
            },
        }
    }

    fn finish(mut self) -> Result<Vec<RosterRow>, RosterFileError> {
        if self.layout.is_none() {
            return Err(self.no_header());
        }
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests;
