//! The 党员花名册 (member roster) file layout: reading and writing xlsx and csv.
//!
//! This module only moves text between files and [`RosterRow`]s. It trims and normalises what
//! users typed but never judges it: checking ID numbers, statuses and dates is validation's job,
//! which can then report every problem of a file at once, each with its line number.

use std::fmt::Write as _;
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

/// Columns of the roster in order; the header row must carry these titles (order may differ on
/// import; extra columns are ignored).
pub const COLUMNS: [&str; 16] = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "公民身份号码",
    "出生日期",
    "学历",
    "手机号码",
    "工作单位",
    "职务",
    "人员类别",
    "党员状态",
    "入党时间",
    "转正时间",
    "党组织编码",
    "党组织名称",
];

const SEQ: usize = 0;
const ID_NUMBER: usize = 4;
/// Digit strings that Excel mangles when it takes them for numbers: an 18-digit ID becomes
/// 4.40524E+17, an organisation code loses its leading zeros.
const DIGIT_COLUMNS: [usize; 3] = [ID_NUMBER, 7, 14];
/// 姓名, 公民身份号码, 党员状态, 入党时间, 党组织编码.
const REQUIRED: [usize; 5] = [1, 4, 11, 12, 14];
/// 出生日期, 入党时间, 转正时间.
const DATE_COLUMNS: [usize; 3] = [5, 12, 13];

/// A header is looked for among this many non-empty rows, so that a title row such as
/// "XX机关党员花名册" above the header (common in hand-made sheets) does not defeat the import.
const HEADER_SEARCH_ROWS: usize = 10;
/// Header cells further right than this cannot be roster titles in any sane sheet; the bound
/// keeps a stray far-away cell from costing memory.
const MAX_HEADER_COLUMNS: usize = 1024;
/// Excel's own row limit, the header included.
const XLSX_MAX_ROWS: usize = 1_048_576;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Compound-file (OLE2) signature: legacy .xls, and also password-protected .xlsx.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// One member line of the roster. Required on import: 姓名, 公民身份号码, 党员状态, 入党时间,
/// 党组织编码 (the header must have those columns; empty cells are validation's business).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RosterRow {
    /// 1-based row number in the sheet/file as the user sees it (header is line 1), 0 when exporting.
    pub line: usize,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub id_number: String,
    pub birth_date: String,
    pub education: String,
    pub phone: String,
    pub work_unit: String,
    pub position: String,
    pub category: String,
    pub status: String,
    pub joined_on: String,
    pub full_on: String,
    pub org_code: String,
    pub org_name: String,
}

impl RosterRow {
    /// The field under `COLUMNS[col]`; 序号 has none because it is renumbered on export.
    fn field(&self, col: usize) -> &str {
        match col {
            1 => &self.name,
            2 => &self.gender,
            3 => &self.ethnicity,
            4 => &self.id_number,
            5 => &self.birth_date,
            6 => &self.education,
            7 => &self.phone,
            8 => &self.work_unit,
            9 => &self.position,
            10 => &self.category,
            11 => &self.status,
            12 => &self.joined_on,
            13 => &self.full_on,
            14 => &self.org_code,
            15 => &self.org_name,
            _ => "",
        }
    }

    fn field_mut(&mut self, col: usize) -> Option<&mut String> {
        Some(match col {
            1 => &mut self.name,
            2 => &mut self.gender,
            3 => &mut self.ethnicity,
            4 => &mut self.id_number,
            5 => &mut self.birth_date,
            6 => &mut self.education,
            7 => &mut self.phone,
            8 => &mut self.work_unit,
            9 => &mut self.position,
            10 => &mut self.category,
            11 => &mut self.status,
            12 => &mut self.joined_on,
            13 => &mut self.full_on,
            14 => &mut self.org_code,
            15 => &mut self.org_name,
            _ => return None,
        })
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
}

/// Reads the first visible worksheet of an xlsx workbook; the header is the first non-empty row
/// that carries roster titles.
pub fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Vec<RosterRow>, RosterFileError> {
    if bytes.starts_with(OLE_MAGIC) {
        return Err(RosterFileError::LegacyOrEncrypted);
    }
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsxError::Password => RosterFileError::LegacyOrEncrypted,
        e => RosterFileError::NotXlsx(e),
    })?;
    // The user thinks of the first tab they see; a hidden first sheet is usually a lookup list.
    let sheet = {
        let worksheets = || {
            workbook
                .sheets_metadata()
                .iter()
                .filter(|s| s.typ == SheetType::WorkSheet)
        };
        worksheets()
            .find(|s| s.visible == SheetVisible::Visible)
            .or_else(|| worksheets().next())
            .map(|s| s.name.clone())
            .ok_or(RosterFileError::NoWorksheet)?
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| match e {
            XlsxError::NotAWorksheet(_) => RosterFileError::NoWorksheet,
            e => RosterFileError::NotXlsx(e),
        })?;

    let mut sink = RowSink::new(max_rows, false);
    let mut current: Option<u32> = None;
    let mut scratch = String::new();
    // Cells arrive row by row in sheet order, so a row is complete when the next one starts;
    // streaming this way never holds the whole sheet in memory.
    while let Some(cell) = cells.next_cell().map_err(RosterFileError::NotXlsx)? {
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(done) = current {
                sink.end_row(done as usize + 1)?;
            }
            current = Some(row);
        }
        let col = col as usize;
        let Some(target) = sink.target(col) else {
            continue;
        };
        match value {
            DataRef::SharedString(s) => sink.put(target, col, s),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                sink.put(target, col, s)
            }
            DataRef::DateTime(dt) if dt.is_datetime() => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                scratch.clear();
                push_date(&mut scratch, u32::from(y), u32::from(m), u32::from(d));
                sink.put(target, col, &scratch);
            }
            DataRef::DateTime(dt) => {
                scratch.clear();
                push_number(&mut scratch, dt.as_f64());
                sink.put(target, col, &scratch);
            }
            DataRef::Float(f) => {
                scratch.clear();
                push_number(&mut scratch, *f);
                if DATE_COLUMNS.contains(&col_field(target)) && is_ambiguous_month(&scratch) {
                    sink.put_raw(target, &scratch);
                } else {
                    sink.put(target, col, &scratch);
                }
            }
            DataRef::Int(i) => {
                scratch.clear();
                let _ = write!(scratch, "{i}");
                sink.put(target, col, &scratch);
            }
            DataRef::Bool(b) => sink.put(target, col, if *b { "TRUE" } else { "FALSE" }),
            DataRef::Error(e) => {
                scratch.clear();
                let _ = write!(scratch, "{e}");
                sink.put(target, col, &scratch);
            }
            DataRef::Empty => {}
        }
    }
    if let Some(done) = current {
        sink.end_row(done as usize + 1)?;
    }
    sink.finish()
}

/// Reads a UTF-8 csv (a leading BOM is allowed); the header is the first row that carries
/// roster titles.
pub fn read_csv(bytes: &[u8], max_rows: usize) -> Result<Vec<RosterRow>, RosterFileError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    // Checked up front so a GBK file (what Chinese Excel writes for plain "CSV") gets the one
    // message that tells the user how to fix it, instead of a parse error on some line.
    if std::str::from_utf8(bytes).is_err() {
        return Err(RosterFileError::NotUtf8);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut sink = RowSink::new(max_rows, true);
    let mut lines = LineCounter::default();
    while reader
        .read_record(&mut record)
        .map_err(RosterFileError::Csv)?
    {
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = lines.line_at(bytes, start);
        for (col, value) in record.iter().enumerate() {
            if let Some(target) = sink.target(col) {
                sink.put(target, col, value);
            }
        }
        sink.end_row(line)?;
    }
    sink.finish()
}

/// Line numbers of csv records as a text editor or Excel shows them, blank lines included.
/// The csv crate's own line count is one short after a CRLF (the record starts before the LF is
/// consumed), and Excel writes CRLF, so lines are counted here from byte offsets instead.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    /// 1-based line of the record starting at byte `start`; offsets must not decrease.
    fn line_at(&mut self, bytes: &[u8], start: usize) -> usize {
        // A record never starts with a line break: what precedes it is the tail of the previous
        // terminator or blank lines, and both belong before this record's line.
        let mut start = start.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let from = self.offset.min(start);
        self.newlines += bytes[from..start].iter().filter(|&&b| b == b'\n').count();
        self.offset = start;
        self.newlines + 1
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

/// Writes the roster as an xlsx workbook: bold frozen header with a filter, 序号 1..n as numbers,
/// every other value as a text cell (the ID number never as a number), columns sized to content.
pub fn write_xlsx(rows: &[RosterRow], sheet_title: &str) -> Result<Vec<u8>, RosterFileError> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

    if rows.len() >= XLSX_MAX_ROWS {
        return Err(RosterFileError::TooManyRows {
            max: XLSX_MAX_ROWS - 1,
        });
    }
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(sheet_name(sheet_title))
        .map_err(RosterFileError::Write)?;

    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    // Every value is written as a string cell already; the "@" (text) format on the digit
    // columns also keeps them text when the user edits or adds a cell there later.
    let text = Format::new().set_num_format("@");

    for (col, title) in COLUMNS.iter().enumerate() {
        write(sheet.write_string_with_format(0, col as u16, *title, &header))?;
    }
    for col in DIGIT_COLUMNS {
        write(sheet.set_column_format(col as u16, &text))?;
    }
    let mut widths: [usize; 16] = COLUMNS.map(display_width);
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        write(sheet.write_number(r, SEQ as u16, (i + 1) as f64))?;
        for (col, width) in widths.iter_mut().enumerate().skip(1) {
            let value = row.field(col);
            if !value.is_empty() {
                if DIGIT_COLUMNS.contains(&col) {
                    write(sheet.write_string_with_format(r, col as u16, value, &text))?;
                } else {
                    write(sheet.write_string(r, col as u16, value))?;
                }
                *width = (*width).max(display_width(value));
            }
        }
    }
    for (col, width) in widths.iter().enumerate() {
        // Excel widths are in characters of the default font; a CJK character counts as two.
        let w = (*width).clamp(6, 50) + 2;
        write(sheet.set_column_width(col as u16, w as f64))?;
    }
    write(sheet.set_freeze_panes(1, 0))?;
    write(sheet.autofilter(0, 0, rows.len() as u32, (COLUMNS.len() - 1) as u16))?;
    workbook.save_to_buffer().map_err(RosterFileError::Write)
}

fn write<T>(result: Result<T, rust_xlsxwriter::XlsxError>) -> Result<(), RosterFileError> {
    result.map(|_| ()).map_err(RosterFileError::Write)
}

/// Writes the roster as csv: UTF-8 with BOM so Excel opens Chinese correctly, CRLF line ends,
/// 序号 1..n.
pub fn write_csv(rows: &[RosterRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(UTF8_BOM.len() + 128 + rows.len() * 160);
    out.extend_from_slice(UTF8_BOM);
    for (col, title) in COLUMNS.iter().enumerate() {
        if col > 0 {
            out.push(b',');
        }
        push_csv_field(&mut out, title, false);
    }
    out.extend_from_slice(b"\r\n");
    let mut seq = String::new();
    for (i, row) in rows.iter().enumerate() {
        seq.clear();
        let _ = write!(seq, "{}", i + 1);
        out.extend_from_slice(seq.as_bytes());
        for col in 1..COLUMNS.len() {
            out.push(b',');
            push_csv_field(&mut out, row.field(col), col == ID_NUMBER);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
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
        let missing: Vec<&'static str> = REQUIRED
            .iter()
            .filter(|&&c| !seen[c])
            .map(|&c| COLUMNS[c])
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

    fn put(&mut self, target: Target, col: usize, value: &str) {
        let mut value = clean(value);
        if value.is_empty() {
            return;
        }
        match target {
            Target::Header => {
                if self.titles.len() <= col {
                    self.titles.resize(col + 1, String::new());
                }
                self.titles[col].push_str(value);
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
                    return;
                };
                match DATE_COLUMNS
                    .contains(&f)
                    .then(|| parse_date(value))
                    .flatten()
                {
                    Some((y, m, d)) => push_date(field, y, m, d),
                    None => field.push_str(value),
                }
            }
        }
    }

    /// Stores a value as is, bypassing date normalisation.
    fn put_raw(&mut self, target: Target, value: &str) {
        if let Some(field) = self.row.field_mut(col_field(target)) {
            field.push_str(clean(value));
        }
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

/// Excel refuses sheet names longer than 31 characters or containing []:*?/\ ; a caller passing
/// an organisation's long name should still get a file.
fn sheet_name(title: &str) -> String {
    let name: String = clean(title)
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    let name = name.trim_matches('\'');
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        "党员花名册".to_owned()
    } else {
        name.to_owned()
    }
}

/// Approximate width in Excel character units: wide (CJK, full-width) characters count double.
fn display_width(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

fn push_csv_field(out: &mut Vec<u8>, value: &str, id_number: bool) {
    // Excel turns an 18-digit ID in a csv into 4.40524E+17 and loses its last digits for good
    // when the file is saved again; a leading tab makes it keep the cell as text. Readers trim it.
    if id_number
        && value.len() > 11
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'X' || b == b'x')
    {
        out.extend_from_slice(b"\"\t");
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
        return;
    }
    // A cell starting with = + - @ is run as a formula when the csv is opened in Excel (CSV
    // injection); the apostrophe makes it plain text and read_csv removes it again.
    let formula = value.starts_with(['=', '+', '-', '@']);
    let quote =
        formula || value.contains([',', '"', '\r', '\n']) || value.starts_with(char::is_whitespace);
    if quote {
        out.push(b'"');
    }
    if formula {
        out.push(b'\'');
    }
    for part in value.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
    if quote {
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn sample_rows() -> Vec<RosterRow> {
        vec![
            RosterRow {
                name: "张伟".into(),
                gender: "男".into(),
                ethnicity: "汉族".into(),
                id_number: "440524198001010013".into(),
                birth_date: "1980-01-01".into(),
                education: "大学本科".into(),
                phone: "13800138000".into(),
                work_unit: "市财政局".into(),
                position: "科长".into(),
                category: "在职".into(),
                status: "正式党员".into(),
                joined_on: "2001-07-01".into(),
                full_on: "2002-07-01".into(),
                org_code: "000001".into(),
                org_name: "市财政局机关第一党支部".into(),
                ..RosterRow::default()
            },
            RosterRow {
                name: "欧阳晓燕".into(),
                gender: "女".into(),
                ethnicity: "壮族".into(),
                id_number: "11010119900307002X".into(),
                birth_date: "1990-03-07".into(),
                education: "研究生".into(),
                phone: String::new(), // the empty optional cell
                work_unit: "市发展和改革委员会".into(),
                position: "主任科员".into(),
                category: "在职".into(),
                status: "预备党员".into(),
                joined_on: "2025-06-30".into(),
                full_on: String::new(),
                org_code: "000002".into(),
                org_name: "市发改委第二党支部".into(),
                ..RosterRow::default()
            },
            RosterRow {
                name: "李明".into(),
                gender: "男".into(),
                ethnicity: "回族".into(),
                id_number: "320102196512120031".into(),
                birth_date: "1965-12-12".into(),
                education: "大学专科".into(),
                phone: "18912345678".into(),
                work_unit: "市档案馆".into(),
                position: "四级调研员".into(),
                category: "离退休".into(),
                status: "正式党员".into(),
                joined_on: "1988-10-01".into(),
                full_on: "1989-10-01".into(),
                org_code: "000003".into(),
                org_name: "市档案馆离退休党支部".into(),
                ..RosterRow::default()
            },
        ]
    }

    fn with_lines(rows: Vec<RosterRow>, first: usize) -> Vec<RosterRow> {
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| RosterRow {
                line: first + i,
                ..r
            })
            .collect()
    }

    /// A workbook whose first sheet holds exactly the given cells (row, col, text).
    fn xlsx_of(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for &(r, c, v) in cells {
            ws.write_string(r, c, v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    fn csv_of(lines: &[&str]) -> Vec<u8> {
        lines.join("\r\n").into_bytes()
    }

    const REQUIRED_HEADER: &str = "姓名,公民身份号码,党员状态,入党时间,党组织编码";

    #[test]
    fn xlsx_round_trip() {
        let rows = sample_rows();
        let bytes = write_xlsx(&rows, "市财政局/党员花名册").unwrap();
        assert!(bytes.starts_with(ZIP_MAGIC));
        let back = read_xlsx(&bytes, 100).unwrap();
        assert_eq!(back, with_lines(rows.clone(), 2));
        assert_eq!(read_any(&bytes, 100).unwrap(), back);
    }

    #[test]
    fn xlsx_writes_ids_as_text_with_numbered_rows() {
        let bytes = write_xlsx(&sample_rows(), "花名册").unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        assert_eq!(wb.sheet_names(), vec!["花名册".to_string()]);
        let range = wb.worksheet_range("花名册").unwrap();
        assert_eq!(
            range.get((0, 4)),
            Some(&calamine::Data::String("公民身份号码".into()))
        );
        assert_eq!(
            range.get((1, 4)),
            Some(&calamine::Data::String("440524198001010013".into()))
        );
        assert_eq!(range.get((3, 0)), Some(&calamine::Data::Float(3.0)));
        let styles = wb.worksheet_style("花名册").unwrap();
        let id_format = styles
            .get((1, 4))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str());
        assert_eq!(id_format, Some("@"));
        let header_font = styles.get((0, 0)).and_then(|s| s.font.as_ref()).unwrap();
        assert!(header_font.is_bold());
    }

    #[test]
    fn xlsx_sheet_names_are_made_legal() {
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name("  "), "党员花名册");
        assert_eq!(sheet_name("History"), "党员花名册");
        assert_eq!(sheet_name(&"党".repeat(40)).chars().count(), 31);
        assert!(
            write_xlsx(
                &[],
                &"中共某某市某某局机关委员会第一党支部党员花名册".repeat(2)
            )
            .is_ok()
        );
    }

    #[test]
    fn csv_round_trip_with_bom_comma_and_quote() {
        let mut rows = sample_rows();
        rows[0].work_unit = "市财政局,国库科 \"集中支付\"中心".into();
        rows[2].position = "=HYPERLINK(\"http://x\")".into();
        rows[1].org_name = "第二\n党支部".into();
        let bytes = write_csv(&rows);
        assert!(bytes.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(
            text.contains("\"市财政局,国库科 \"\"集中支付\"\"中心\""),
            "{text}"
        );
        assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
        assert!(text.contains("\r\n1,张伟,"), "{text}");
        assert!(text.contains("\r\n2,欧阳晓燕,"), "{text}");
        let back = read_csv(&bytes, 100).unwrap();
        // The embedded line break moves the third record one text line down.
        let expected = vec![
            RosterRow {
                line: 2,
                ..rows[0].clone()
            },
            RosterRow {
                line: 3,
                ..rows[1].clone()
            },
            RosterRow {
                line: 5,
                ..rows[2].clone()
            },
        ];
        assert_eq!(back, expected);
        assert_eq!(read_any(&bytes, 100).unwrap(), back);
        // Without the BOM too.
        assert_eq!(read_csv(&bytes[3..], 100).unwrap(), back);
    }

    #[test]
    fn missing_required_column_is_named() {
        let err = read_csv(
            &csv_of(&[
                "姓名,党员状态,入党时间,党组织编码",
                "张伟,正式党员,2001-07-01,0001",
            ]),
            10,
        )
        .unwrap_err();
        assert!(matches!(err, RosterFileError::MissingColumns(ref c) if c == &["公民身份号码"]));
        assert_eq!(err.to_string(), "缺少必填列：公民身份号码");

        let bytes = xlsx_of(&[(0, 0, "姓名"), (0, 1, "党员状态"), (1, 0, "张伟")]);
        let err = read_xlsx(&bytes, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "缺少必填列：公民身份号码、入党时间、党组织编码"
        );

        // A sheet without a single roster title: the message still says what is needed.
        let err = read_csv(&csv_of(&["a,b", "1,2"]), 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "缺少必填列：姓名、公民身份号码、党员状态、入党时间、党组织编码"
        );
    }

    #[test]
    fn empty_input_and_duplicate_columns_are_reported() {
        assert!(matches!(read_csv(b"", 10), Err(RosterFileError::NoHeader)));
        assert!(matches!(
            read_csv(UTF8_BOM, 10),
            Err(RosterFileError::NoHeader)
        ));
        assert!(matches!(
            read_xlsx(&xlsx_of(&[]), 10),
            Err(RosterFileError::NoHeader)
        ));
        let err = read_csv(
            &csv_of(&["姓名,公民身份号码,党员状态,入党时间,党组织编码,姓名"]),
            10,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "表头中“姓名”列出现了不止一次，请删除多余的列"
        );
    }

    #[test]
    fn reordered_and_extra_columns_work() {
        let csv = csv_of(&[
            "党组织编码,备注, 姓  名 ,入党时间,公民身份号码*,党员状态,序号",
            "0001,无,张伟,2001.7.1,440524198001010013,正式党员,9",
        ]);
        let rows = read_csv(&csv, 10).unwrap();
        assert_eq!(
            rows,
            vec![RosterRow {
                line: 2,
                name: "张伟".into(),
                id_number: "440524198001010013".into(),
                status: "正式党员".into(),
                joined_on: "2001-07-01".into(),
                org_code: "0001".into(),
                ..RosterRow::default()
            }]
        );
        let xlsx = xlsx_of(&[
            (0, 3, "党组织编码"),
            (0, 2, "姓名"),
            (0, 1, "入党时间"),
            (0, 0, "公民身份号码"),
            (0, 4, "党员状态"),
            (1, 0, "440524198001010013"),
            (1, 1, "2001年7月"),
            (1, 2, "张伟"),
            (1, 3, "0001"),
            (1, 4, "正式党员"),
        ]);
        assert_eq!(read_xlsx(&xlsx, 10).unwrap(), rows);
    }

    #[test]
    fn empty_rows_are_skipped_but_counted() {
        let csv = csv_of(&[
            REQUIRED_HEADER,
            "张伟,440524198001010013,正式党员,2001-07-01,0001",
            ",,,,",
            "",
            " , ,　, ,",
            "李明,320102196512120031,正式党员,1988-10-01,0002",
            "",
        ]);
        let rows = read_csv(&csv, 10).unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.line, r.name.as_str()))
                .collect::<Vec<_>>(),
            [(2, "张伟"), (6, "李明")]
        );
        let lf = String::from_utf8(csv).unwrap().replace("\r\n", "\n");
        assert_eq!(read_csv(lf.as_bytes(), 10).unwrap(), rows);

        // A title row and a blank row above the header, a pre-numbered empty row, a gap.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "市财政局党员花名册").unwrap();
        for (c, t) in [
            "序号",
            "姓名",
            "公民身份号码",
            "党员状态",
            "入党时间",
            "党组织编码",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(2, c as u16, *t).unwrap();
        }
        ws.write_number(3, 0, 1).unwrap();
        ws.write_string(3, 1, "  张伟\u{3000}").unwrap();
        ws.write_string(3, 2, "440524198001010013").unwrap();
        ws.write_number(4, 0, 2).unwrap(); // numbered but otherwise empty
        ws.write_blank(5, 1, &Format::new().set_bold()).unwrap(); // formatted, no value
        ws.write_string(7, 1, "李明").unwrap();
        ws.write_string(7, 3, "正式党员").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let rows = read_xlsx(&bytes, 10).unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.line, r.name.as_str()))
                .collect::<Vec<_>>(),
            [(4, "张伟"), (8, "李明")]
        );
        assert_eq!(rows[1].status, "正式党员");
    }

    #[test]
    fn too_many_rows_is_refused() {
        let bytes = write_csv(&sample_rows());
        assert_eq!(read_csv(&bytes, 3).unwrap().len(), 3);
        let err = read_csv(&bytes, 2).unwrap_err();
        assert_eq!(err.to_string(), "数据超过 2 行的上限，请分批导入");
        let bytes = write_xlsx(&sample_rows(), "x").unwrap();
        assert!(matches!(
            read_xlsx(&bytes, 2),
            Err(RosterFileError::TooManyRows { max: 2 })
        ));
    }

    #[test]
    fn xlsx_number_and_date_cells() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, t) in [
            "姓名",
            "公民身份号码",
            "党员状态",
            "入党时间",
            "党组织编码",
            "出生日期",
            "转正时间",
            "手机号码",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *t).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let cn_date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        ws.write_string(1, 0, "张伟").unwrap();
        ws.write_number(1, 1, 440524198001010013.0).unwrap();
        ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2001, 7, 1).unwrap(), &date)
            .unwrap();
        ws.write_number(1, 4, 1).unwrap();
        ws.write_number(1, 5, 19800101).unwrap();
        ws.write_datetime_with_format(1, 6, ExcelDateTime::from_ymd(2002, 7, 1).unwrap(), &cn_date)
            .unwrap();
        ws.write_number(1, 7, 13800138000.0).unwrap();
        ws.write_string(2, 0, "李明").unwrap();
        ws.write_number(2, 3, 2001.07).unwrap();
        ws.write_number(2, 6, 2001.1).unwrap(); // typed as 2001.10 or 2001.1: unknowable
        ws.write_string(2, 5, "1965年12月12日").unwrap();
        let rows = read_xlsx(&wb.save_to_buffer().unwrap(), 10).unwrap();
        let id = &rows[0].id_number;
        assert!(id.contains('e') && id.starts_with("4.40524"), "{id}");
        assert_eq!(rows[0].joined_on, "2001-07-01");
        assert_eq!(rows[0].org_code, "1");
        assert_eq!(rows[0].birth_date, "1980-01-01");
        assert_eq!(rows[0].full_on, "2002-07-01");
        assert_eq!(rows[0].phone, "13800138000");
        assert_eq!(rows[1].joined_on, "2001-07-01");
        assert_eq!(rows[1].full_on, "2001.1");
        assert_eq!(rows[1].birth_date, "1965-12-12");
    }

    #[test]
    fn normalize_date_cases() {
        let ok = [
            ("2001-07-01", "2001-07-01"),
            ("2001.07.01", "2001-07-01"),
            ("2001/7/1", "2001-07-01"),
            ("2001年7月1日", "2001-07-01"),
            ("2001年07月01号", "2001-07-01"),
            ("2001-07", "2001-07-01"),
            ("2001.7", "2001-07-01"),
            ("2001年7月", "2001-07-01"),
            ("20010701", "2001-07-01"),
            ("200107", "2001-07-01"),
            (" 2001/7/1 0:00 ", "2001-07-01"),
            ("2001-07-01T00:00:00", "2001-07-01"),
            ("２００１年７月１日", "2001-07-01"),
            ("2000-02-29", "2000-02-29"),
        ];
        for (input, expected) in ok {
            assert_eq!(normalize_date(input).as_deref(), Some(expected), "{input}");
        }
        let bad = [
            "",
            "2001",
            "2001-13-01",
            "2001-02-30",
            "1900-02-29",
            "01.7.1",
            "2001-7-1-2",
            "7/1/2001",
            "2001年7月1日后",
            "二〇〇一年七月",
            "abc",
            "2001--",
            "-2001-07",
            "2001-071-01",
            "123456789",
            "4.40524188001010e17",
        ];
        for input in bad {
            assert_eq!(normalize_date(input), None, "{input}");
        }
    }

    #[test]
    fn unparsable_dates_are_kept_as_typed() {
        let csv = csv_of(&[
            REQUIRED_HEADER,
            "张伟,440524198001010013,正式党员, 2001年春 ,0001",
        ]);
        assert_eq!(read_csv(&csv, 10).unwrap()[0].joined_on, "2001年春");
    }

    #[test]
    fn gbk_csv_gets_the_encoding_error() {
        // "张" in GBK is D5 C5.
        let mut bytes = b"\xD0\xD5\xC3\xFB,".to_vec();
        bytes.extend_from_slice(b"\xD5\xC5\r\n");
        let err = read_csv(&bytes, 10).unwrap_err();
        assert!(matches!(err, RosterFileError::NotUtf8));
        assert_eq!(
            err.to_string(),
            "CSV 文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8”"
        );
        assert!(matches!(
            read_any(&bytes, 10),
            Err(RosterFileError::NotUtf8)
        ));
    }

    #[test]
    fn broken_and_legacy_files_are_told_apart() {
        assert!(matches!(
            read_any(b"PK\x03\x04garbage", 10),
            Err(RosterFileError::NotXlsx(_))
        ));
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 512]);
        assert!(matches!(
            read_any(&ole, 10),
            Err(RosterFileError::LegacyOrEncrypted)
        ));
    }

    #[test]
    fn csv_id_is_protected_from_excel_and_read_back_clean() {
        let bytes = write_csv(&sample_rows());
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains(",\"\t11010119900307002X\","), "{text}");
        assert_eq!(
            read_csv(&bytes, 10).unwrap()[1].id_number,
            "11010119900307002X"
        );
    }

    /// `cargo test --release -- --ignored --nocapture`: the 100,000-row import budget.
    #[test]
    #[ignore]
    fn hundred_thousand_rows_perf() {
        let base = sample_rows();
        let rows: Vec<RosterRow> = (0..100_000)
            .map(|i| {
                let mut r = base[i % 3].clone();
                r.name = format!("{}{}", r.name, i);
                r.id_number = format!("{:017}{}", 110101199001010000u64 + i as u64, 'X');
                r.phone = format!("139{:08}", i);
                r
            })
            .collect();
        let t = std::time::Instant::now();
        let xlsx = write_xlsx(&rows, "花名册").unwrap();
        eprintln!("write_xlsx: {:?}, {} bytes", t.elapsed(), xlsx.len());
        let t = std::time::Instant::now();
        let back = read_xlsx(&xlsx, 200_000).unwrap();
        let read_time = t.elapsed();
        eprintln!("read_xlsx: {read_time:?}");
        assert_eq!(back.len(), rows.len());
        assert_eq!(back[99_999].line, 100_001);
        assert_eq!(back[12_345].id_number, rows[12_345].id_number);
        let t = std::time::Instant::now();
        let csv = write_csv(&rows);
        let back = read_csv(&csv, 200_000).unwrap();
        eprintln!("csv write+read: {:?}", t.elapsed());
        assert_eq!(back.len(), rows.len());
        assert!(
            read_time.as_secs_f64() < 2.5,
            "read_xlsx took {read_time:?}"
        );
    }
}
