//! The 花名册 as an xlsx workbook.

use super::*;

/// A roster row has about 20 columns. Allowing 64 cells per row that may be imported leaves room for
/// extra columns and for formatted empty cells (calamine reports those too), and still stops a
/// sheet of millions of cells in ignored columns or in blank rows, which `max_rows` does not
/// count.
const CELLS_PER_ROW: usize = 64;

/// Reads the first visible worksheet of an xlsx workbook; the header is the first non-empty row
/// that carries roster titles.
pub fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Vec<RosterRow>, RosterFileError> {
    if bytes.starts_with(OLE_MAGIC) {
        return Err(RosterFileError::LegacyOrEncrypted);
    }
    archive::check(bytes)?;
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
    let max_cells = max_rows.saturating_mul(CELLS_PER_ROW);
    let mut cell_count = 0usize;
    // Cells arrive row by row in sheet order, so a row is complete when the next one starts;
    // streaming this way never holds the whole sheet in memory.
    while let Some(cell) = cells.next_cell().map_err(RosterFileError::NotXlsx)? {
        cell_count += 1;
        if cell_count > max_cells {
            return Err(RosterFileError::TooLarge(Limit::Cells(max_cells)));
        }
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
                sink.put(target, col, &scratch)
            }
            DataRef::DateTime(dt) => {
                scratch.clear();
                push_number(&mut scratch, dt.as_f64());
                sink.put(target, col, &scratch)
            }
            DataRef::Float(f) => {
                scratch.clear();
                push_number(&mut scratch, *f);
                if is_date_column(col_field(target)) && is_ambiguous_month(&scratch) {
                    sink.put_raw(target, &scratch)
                } else {
                    sink.put(target, col, &scratch)
                }
            }
            DataRef::Int(i) => {
                scratch.clear();
                let _ = write!(scratch, "{i}");
                sink.put(target, col, &scratch)
            }
            DataRef::Bool(b) => sink.put(target, col, if *b { "TRUE" } else { "FALSE" }),
            DataRef::Error(e) => {
                scratch.clear();
                let _ = write!(scratch, "{e}");
                sink.put(target, col, &scratch)
            }
            DataRef::Empty => Ok(()),
        }?;
    }
    if let Some(done) = current {
        sink.end_row(done as usize + 1)?;
    }
    sink.finish()
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
    for col in (0..COLUMNS.len()).filter(|&c| is_digit_column(c)) {
        write(sheet.set_column_format(col as u16, &text))?;
    }
    let mut widths = COLUMNS.map(display_width);
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        write(sheet.write_number(r, SEQ as u16, (i + 1) as f64))?;
        for (col, width) in widths.iter_mut().enumerate().skip(1) {
            let value = row.field(col);
            if !value.is_empty() {
                if is_digit_column(col) {
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

/// Excel refuses sheet names longer than 31 characters or containing []:*?/\ ; a caller passing
/// an organisation's long name should still get a file.
pub(crate) fn sheet_name(title: &str) -> String {
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
pub(crate) fn display_width(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}
