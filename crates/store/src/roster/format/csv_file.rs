//! The 花名册 as UTF-8 csv, the way Excel writes and reads it.

use super::*;

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
                sink.put(target, col, value)?;
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
            push_csv_field(&mut out, row.field(col), is_id_column(col));
        }
        out.extend_from_slice(b"\r\n");
    }
    out
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
