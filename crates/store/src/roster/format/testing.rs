//! Decompression bombs built in memory, for the tests of the store and of the application: the
//! zip container is written by hand so that its headers can declare any size, and the repeated
//! content is deflated once. Compiled for tests only (`test-support` feature).

/// One part of a hand-made zip, with the size and CRC its headers declare.
pub struct ZipPart {
    pub name: String,
    pub method: u16,
    pub data: Vec<u8>,
    pub size: u32,
    pub crc: u32,
}

pub const DEFLATED: u16 = 8;

impl ZipPart {
    pub fn stored(name: &str, content: &str) -> ZipPart {
        ZipPart {
            name: name.into(),
            method: 0,
            data: content.as_bytes().to_vec(),
            size: content.len() as u32,
            crc: crc32fast::hash(content.as_bytes()),
        }
    }

    /// `head`, `chunk` repeated `times`, then `tail`, deflated in a few milliseconds whatever
    /// the size: the chunk is compressed once between full flushes, so its blocks refer to
    /// nothing before them and can simply be repeated.
    pub fn repeated(name: &str, head: &str, chunk: &str, times: usize, tail: &str) -> ZipPart {
        use flate2::{Compress, Compression, FlushCompress};
        let mut c = Compress::new(Compression::best(), false);
        let mut data = deflate(&mut c, head.as_bytes(), FlushCompress::Full);
        let block = deflate(&mut c, chunk.as_bytes(), FlushCompress::Full);
        for _ in 0..times {
            data.extend_from_slice(&block);
        }
        data.extend(deflate(&mut c, tail.as_bytes(), FlushCompress::Finish));
        let mut crc = crc32fast::Hasher::new();
        crc.update(head.as_bytes());
        let mut chunk_crc = crc32fast::Hasher::new();
        chunk_crc.update(chunk.as_bytes());
        for _ in 0..times {
            crc.combine(&chunk_crc);
        }
        crc.update(tail.as_bytes());
        let size = head.len() as u64 + chunk.len() as u64 * times as u64 + tail.len() as u64;
        ZipPart {
            name: name.into(),
            method: DEFLATED,
            data,
            size: u32::try_from(size).expect("a zip without zip64 holds under 4 GiB"),
            crc: crc.finalize(),
        }
    }

    /// The headers claim a small size, as a bomb made to slip past a check of them would.
    pub fn lying(self) -> ZipPart {
        ZipPart { size: 1024, ..self }
    }
}

fn deflate(c: &mut flate2::Compress, input: &[u8], flush: flate2::FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + 1024);
    let start = c.total_in();
    loop {
        let done = (c.total_in() - start) as usize;
        let status = c.compress_vec(&input[done..], &mut out, flush).unwrap();
        let all_in = c.total_in() - start == input.len() as u64;
        if status == flate2::Status::StreamEnd || (all_in && out.len() < out.capacity()) {
            return out;
        }
        out.reserve(1 << 16);
    }
}

/// Local headers, central directory and end record, without zip64.
pub fn zip_of(parts: &[ZipPart]) -> Vec<u8> {
    fn le16(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn le32(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let (mut out, mut directory) = (Vec::new(), Vec::new());
    for p in parts {
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        le32(&mut directory, 0x0201_4b50);
        le16(&mut directory, 20); // made by
        for h in [&mut out, &mut directory] {
            le16(h, 20); // version needed
            le16(h, 0); // flags
            le16(h, p.method);
            le16(h, 0); // time
            le16(h, 0x21); // date: 1980-01-01
            le32(h, p.crc);
            le32(h, p.data.len() as u32);
            le32(h, p.size);
            le16(h, p.name.len() as u16);
            le16(h, 0); // extra field
        }
        le16(&mut directory, 0); // comment
        le16(&mut directory, 0); // disk
        le16(&mut directory, 0); // internal attributes
        le32(&mut directory, 0); // external attributes
        le32(&mut directory, offset);
        directory.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(&p.data);
    }
    let directory_offset = out.len() as u32;
    out.extend_from_slice(&directory);
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, parts.len() as u16);
    le16(&mut out, parts.len() as u16);
    le32(&mut out, directory.len() as u32);
    le32(&mut out, directory_offset);
    le16(&mut out, 0);
    out
}

pub const MIB: usize = 1 << 20;
pub const SPREADSHEET_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub const RELATIONSHIP_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A roster workbook with the given shared strings, styles and sheet parts: its header comes
/// from the shared strings, its one member row is written into the sheet.
pub fn workbook_of(shared_strings: ZipPart, styles: Option<ZipPart>, sheet: ZipPart) -> Vec<u8> {
    let package = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut parts = vec![
        ZipPart::stored(
            "_rels/.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" Type="{RELATIONSHIP_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        ZipPart::stored(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SPREADSHEET_NS}" xmlns:r="{RELATIONSHIP_NS}"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        ZipPart::stored(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" Type="{RELATIONSHIP_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{RELATIONSHIP_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
            ),
        ),
        shared_strings,
        sheet,
    ];
    parts.extend(styles);
    zip_of(&parts)
}

/// 序号 and the five required titles: the smallest header a roster can have.
pub const MINIMAL_HEADER: [&str; 6] = ["序号", "姓名", "公民身份号码", "党员状态", "入党时间", "党组织编码"];

/// The titles of `MINIMAL_HEADER`, then `filler_mib` MiB of `chunk`.
pub fn shared_strings(unique_count: &str, chunk: &str, filler_mib: usize) -> ZipPart {
    let titles: String = MINIMAL_HEADER.iter().map(|t| format!("<si><t>{t}</t></si>")).collect();
    ZipPart::repeated(
        "xl/sharedStrings.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SPREADSHEET_NS}" uniqueCount="{unique_count}">{titles}"#
        ),
        &chunk.repeat(MIB / chunk.len()),
        filler_mib,
        "</sst>",
    )
}


/// A sheet: the header row (the shared strings' six titles), one member row of six cells, then
/// `filler_mib` MiB of `row`.
pub fn sheet(member: &[&str; 6], row: &str, filler_mib: usize) -> ZipPart {
    let column = |i: usize| char::from(b'A' + i as u8);
    let header: String = (0..6).map(|i| format!(r#"<c r="{}1" t="s"><v>{i}</v></c>"#, column(i))).collect();
    let member: String = member.iter().enumerate().map(|(i, v)| format!(r#"<c r="{}2" t="inlineStr"><is><t>{v}</t></is></c>"#, column(i))).collect();
    ZipPart::repeated(
        "xl/worksheets/sheet1.xml",
        &format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SPREADSHEET_NS}"><sheetData><row r="1">{header}</row><row r="2">{member}</row>"#),
        &row.repeat(MIB / row.len()),
        filler_mib,
        "</sheetData></worksheet>",
    )
}
