//! Bounds on what an xlsx archive expands to, checked before calamine reads any of it.
//!
//! A few megabytes of zip can inflate to gigabytes (a decompression bomb). calamine streams the
//! worksheet, but keeps the workbook, its relationships, the shared strings and the styles in
//! memory, and trusts counts the file declares. So every part is inflated here once, through a
//! counter into a fixed buffer and thrown away: a refused file has cost no memory. The sizes the
//! zip headers declare are checked as well, but only to refuse early, since they can lie.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use calamine::XlsxError;
use flate2::read::DeflateDecoder;
use quick_xml::events::{BytesStart, Event};
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

use super::{Limit, Part, RosterFileError};

const MIB: u64 = 1 << 20;

/// A real workbook has a dozen parts, a few hundred with many sheets, drawings and charts; zip
/// reads the whole directory into memory before any part can be looked at.
const MAX_ENTRIES: usize = 10_000;
/// Worksheets and whatever else calamine streams without keeping. Excel writes a 200,000-row
/// roster as about 130 MB of sheet XML; writers that put the text into the sheet instead of
/// the shared strings reach about 300 MB. It also bounds the one piece of text calamine holds
/// at a time while streaming.
const MAX_SHEET_PART: u64 = 512 * MIB;
/// A 200,000-row roster has about 20 MB of shared strings: names, ID and phone numbers are
/// unique, the rest repeats.
const MAX_SHARED_STRINGS_PART: u64 = 64 * MIB;
/// calamine keeps one `String` per shared string, however short: 4,000,000 are more than
/// 200,000 rows of 16 columns, even from a writer that does not share repeated text.
const MAX_SHARED_STRINGS: u64 = 4_000_000;
/// The workbook, the relationships and the styles: kilobytes, a few MB in a file bloated by
/// thousands of copied cell formats.
const MAX_METADATA_PART: u64 = 16 * MIB;
/// calamine copies the font name and the number format code into every cell format (`xf`)
/// that uses them, so the styles can take far more memory than their size. Excel allows
/// 64,000 cell formats, about 25 MB by this measure.
const MAX_STYLES_MEMORY: u64 = 64 * MIB;
/// All parts together, which bounds the CPU spent inflating: a 200,000-row roster is well
/// under 400 MB.
const MAX_TOTAL: u64 = 768 * MIB;

/// Each entry of the zip directory starts with this signature, so the number of its
/// occurrences bounds the entries zip can find, whatever the end record claims.
const CENTRAL_HEADER_MAGIC: &[u8] = b"PK\x01\x02";

/// Refuses an archive that would expand beyond the limits above; what calamine reports for a
/// file that is no zip at all is reported here the same way.
pub(super) fn check(bytes: &[u8]) -> Result<(), RosterFileError> {
    let entries = bytes
        .windows(CENTRAL_HEADER_MAGIC.len())
        .filter(|w| *w == CENTRAL_HEADER_MAGIC)
        .count();
    if entries > MAX_ENTRIES {
        return Err(too_large(Limit::Entries(MAX_ENTRIES)));
    }
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let mut names = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(zip_error)?;
        names.push(normalize(&entry.name().map_err(zip_error)?));
    }

    // The relationships first: they name the workbook part, which has to be told from the
    // worksheets because calamine keeps it in memory.
    let mut workbooks = vec!["workbook.xml".to_owned()];
    let mut total = 0u64;
    for (index, name) in names.iter().enumerate() {
        if name.ends_with(".rels") {
            total += measure(&mut zip, index, Part::Relationships, MAX_METADATA_PART)?;
            scan_relationships(open(&mut zip, index, MAX_METADATA_PART)?, &mut workbooks);
        }
    }
    for (index, name) in names.iter().enumerate() {
        let part = match name {
            n if n.ends_with(".rels") => continue,
            n if n.ends_with("sharedstrings.xml") => Part::SharedStrings,
            n if n.ends_with("styles.xml") => Part::Styles,
            n if workbooks.iter().any(|w| n.ends_with(w.as_str())) => Part::Workbook,
            _ => Part::Sheet,
        };
        let limit = match part {
            Part::SharedStrings => MAX_SHARED_STRINGS_PART,
            Part::Sheet => MAX_SHEET_PART,
            Part::Styles | Part::Workbook | Part::Relationships => MAX_METADATA_PART,
        };
        total += measure(&mut zip, index, part, limit)?;
        if total > MAX_TOTAL {
            return Err(too_large(Limit::Total(MAX_TOTAL)));
        }
        match part {
            Part::SharedStrings => {
                check_shared_strings(open(&mut zip, index, limit)?, MAX_SHARED_STRINGS)?
            }
            Part::Styles => check_styles(open(&mut zip, index, limit)?)?,
            _ => {}
        }
    }
    Ok(())
}

fn too_large(limit: Limit) -> RosterFileError {
    RosterFileError::TooLarge(limit)
}

fn zip_error(e: ZipError) -> RosterFileError {
    RosterFileError::NotXlsx(XlsxError::Zip(e))
}

/// calamine looks parts up by lower-cased name with `/` for `\`.
fn normalize(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// The part's content, inflated by this code rather than by zip, which would stop at the
/// declared size and so hide how large the part really is; one byte more than `limit` is
/// enough to know it is too large.
fn open<'a>(
    zip: &'a mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    limit: u64,
) -> Result<BufReader<impl Read + 'a>, RosterFileError> {
    let entry = zip.by_index_raw(index).map_err(zip_error)?;
    let content: Box<dyn Read + 'a> = match entry.compression() {
        CompressionMethod::Stored => Box::new(entry),
        CompressionMethod::Deflated => Box::new(DeflateDecoder::new(entry)),
        // Excel writes nothing else; a part that cannot be measured is not read.
        _ => {
            return Err(zip_error(ZipError::UnsupportedArchive(
                "compression method",
            )));
        }
    };
    Ok(BufReader::new(content.take(limit + 1)))
}

/// The part's real size, refused past `limit` as soon as it is known.
fn measure(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    part: Part,
    limit: u64,
) -> Result<u64, RosterFileError> {
    let declared = zip.by_index_raw(index).map_err(zip_error)?.size();
    let size = if declared > limit {
        declared
    } else {
        io::copy(&mut open(zip, index, limit)?, &mut io::sink())
            .map_err(|e| RosterFileError::NotXlsx(XlsxError::Io(e)))?
    };
    if size > limit {
        return Err(too_large(Limit::Part(part, limit)));
    }
    Ok(size)
}

/// Calls `f` on every start tag, read as calamine reads (the same parser and settings), so
/// that what is counted here is what calamine will see. It stops at the first XML error,
/// where calamine stops too.
fn each_start_tag(
    xml: impl BufRead,
    mut f: impl FnMut(&BytesStart<'_>) -> Result<(), RosterFileError>,
) -> Result<(), RosterFileError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(tag) | Event::Empty(tag)) => f(&tag)?,
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// calamine reserves room for as many strings as `uniqueCount` declares (a made-up count makes
/// the allocation fail, which aborts the whole server) and keeps one `String` per `si`.
pub(super) fn check_shared_strings(xml: impl BufRead, max: u64) -> Result<(), RosterFileError> {
    let mut strings = 0u64;
    each_start_tag(xml, |tag| {
        let name = tag.local_name();
        if name.as_ref() == "si" {
            strings += 1;
        }
        let declared_too_many = name.as_ref() == "sst"
            && attribute_values(tag, "uniqueCount").any(|v| leading_number(v) > max);
        if declared_too_many || strings > max {
            Err(too_large(Limit::SharedStrings(max)))
        } else {
            Ok(())
        }
    })
}

/// Each cell format costs calamine a `Style` plus copies of a font name and a format code, none
/// longer than the longest `name` or `numFmt` tag.
fn check_styles(xml: impl BufRead) -> Result<(), RosterFileError> {
    let (mut formats, mut longest) = (0u64, 0u64);
    each_start_tag(xml, |tag| {
        match tag.local_name().as_ref() {
            "xf" => formats += 1,
            "name" | "numFmt" => longest = longest.max(tag.len() as u64),
            _ => {}
        }
        Ok(())
    })?;
    let per_format = std::mem::size_of::<calamine::Style>() as u64 + 2 * longest;
    if formats.saturating_mul(per_format) > MAX_STYLES_MEMORY {
        return Err(too_large(Limit::Styles(MAX_STYLES_MEMORY)));
    }
    Ok(())
}

/// Adds the file name of every workbook the relationships point to (`officeDocument`).
fn scan_relationships(xml: impl BufRead, workbooks: &mut Vec<String>) {
    let _ = each_start_tag(xml, |tag| {
        if attribute_values(tag, "Type").any(|t| t.ends_with("/relationships/officeDocument")) {
            for target in attribute_values(tag, "Target") {
                let Ok(target) = quick_xml::escape::unescape(target) else {
                    continue;
                };
                let target = normalize(&target);
                let file = target.rsplit('/').next().unwrap_or_default();
                if !file.is_empty() && !workbooks.iter().any(|w| w == file) {
                    workbooks.push(file.to_owned());
                }
            }
        }
        Ok(())
    });
}

/// Values of `key="…"` in a tag, found in its raw text rather than by parsing attributes, so
/// that no malformed neighbour can hide one from this check while calamine still finds it.
/// Occurrences inside other values only add candidates.
fn attribute_values<'a>(tag: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    tag.match_indices(key).filter_map(move |(at, _)| {
        let rest = tag[at + key.len()..].trim_ascii_start();
        let rest = rest.strip_prefix('=')?.trim_ascii_start();
        let quote = rest.chars().next().filter(|&q| q == '"' || q == '\'')?;
        let value = &rest[1..];
        Some(value.split(quote).next().unwrap_or(value))
    })
}

/// The number a value starts with (any leading zeros and a plus sign allowed, as calamine's
/// parser allows zeros), saturating rather than wrapping.
fn leading_number(value: &str) -> u64 {
    value
        .trim_start_matches('+')
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
}
