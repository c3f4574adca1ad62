use super::xlsx_file::sheet_name;
use super::*;
use dangjian_domain::member::MemberInput;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn sample_rows() -> Vec<RosterRow> {
    vec![
        RosterRow {
            member: MemberInput {
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
                ..MemberInput::default()
            },
            org_code: "000001".into(),
            org_name: "市财政局机关第一党支部".into(),
            ..RosterRow::default()
        },
        RosterRow {
            member: MemberInput {
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
                ..MemberInput::default()
            },
            org_code: "000002".into(),
            org_name: "市发改委第二党支部".into(),
            ..RosterRow::default()
        },
        RosterRow {
            member: MemberInput {
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
                ..MemberInput::default()
            },
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
    let id = COLUMNS.iter().position(|c| *c == "公民身份号码").unwrap();
    assert_eq!(
        range.get((0, id)),
        Some(&calamine::Data::String("公民身份号码".into()))
    );
    assert_eq!(
        range.get((1, id)),
        Some(&calamine::Data::String("440524198001010013".into()))
    );
    assert_eq!(range.get((3, 0)), Some(&calamine::Data::Float(3.0)));
    let styles = wb.worksheet_style("花名册").unwrap();
    let id_format = styles
        .get((1, id as u32))
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
    rows[0].member.work_unit = "市财政局,国库科 \"集中支付\"中心".into();
    rows[2].member.position = "=HYPERLINK(\"http://x\")".into();
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
            member: MemberInput {
                name: "张伟".into(),
                id_number: "440524198001010013".into(),
                status: "正式党员".into(),
                joined_on: "2001-07-01".into(),
                ..MemberInput::default()
            },
            line: 2,
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
            .map(|r| (r.line, r.member.name.as_str()))
            .collect::<Vec<_>>(),
        [(2, "张伟"), (6, "李明")]
    );
    let lf = String::from_utf8(csv).unwrap().replace("\r\n", "\n");
    assert_eq!(read_csv(lf.as_bytes(), 10).unwrap(), rows);

    // A title row and a blank row above the header, a pre-numbered empty row, a gap.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "市财政局党员花名册").unwrap();
    for (c, t) in super::testing::MINIMAL_HEADER.iter().enumerate()
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
            .map(|r| (r.line, r.member.name.as_str()))
            .collect::<Vec<_>>(),
        [(4, "张伟"), (8, "李明")]
    );
    assert_eq!(rows[1].member.status, "正式党员");
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
    let id = &rows[0].member.id_number;
    assert!(id.contains('e') && id.starts_with("4.40524"), "{id}");
    assert_eq!(rows[0].member.joined_on, "2001-07-01");
    assert_eq!(rows[0].org_code, "1");
    assert_eq!(rows[0].member.birth_date, "1980-01-01");
    assert_eq!(rows[0].member.full_on, "2002-07-01");
    assert_eq!(rows[0].member.phone, "13800138000");
    assert_eq!(rows[1].member.joined_on, "2001-07-01");
    assert_eq!(rows[1].member.full_on, "2001.1");
    assert_eq!(rows[1].member.birth_date, "1965-12-12");
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
    assert_eq!(read_csv(&csv, 10).unwrap()[0].member.joined_on, "2001年春");
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
        read_csv(&bytes, 10).unwrap()[1].member.id_number,
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
            r.member.name = format!("{}{}", r.member.name, i);
            r.member.id_number = format!("{:017}{}", 110101199001010000u64 + i as u64, 'X');
            r.member.phone = format!("139{:08}", i);
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
    assert_eq!(back[12_345].member.id_number, rows[12_345].member.id_number);
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

use super::testing::*;

fn long_strings(filler_mib: usize) -> ZipPart {
    shared_strings(
        "6",
        &format!("<si><t>{}</t></si>", "A".repeat(1000)),
        filler_mib,
    )
}

/// Rows with nothing but a number in 序号: blank to the roster.
const BLANK_ROW: &str = "<row><c><v>1</v></c></row>";

fn sheet(row: &str, filler_mib: usize) -> ZipPart {
    super::testing::sheet(&["1", "张伟", "440524198001010013", "正式党员", "2001-07-01", "000001"], row, filler_mib)
}

fn too_large(bytes: &[u8]) -> Limit {
    match read_xlsx(bytes, 100) {
        Err(RosterFileError::TooLarge(limit)) => limit,
        other => panic!("not refused as too large: {other:?}"),
    }
}

#[test]
fn hand_made_workbook_is_read() {
    let rows = read_xlsx(&workbook_of(long_strings(0), None, sheet(BLANK_ROW, 0)), 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].member.name.as_str(), rows[0].org_code.as_str()),
        ("张伟", "000001")
    );
    // Parts of a real roster's size, larger than the workbook may be, are measured and let
    // through: a worksheet is not mistaken for the workbook.
    assert!(archive::check(&workbook_of(long_strings(40), None, sheet(BLANK_ROW, 40))).is_ok());
}

#[test]
fn shared_strings_bomb_is_refused_by_its_declared_and_its_real_size() {
    let bomb = workbook_of(long_strings(65), None, sheet(BLANK_ROW, 0));
    assert!(bomb.len() < MIB, "{} bytes", bomb.len());
    let limit = too_large(&bomb);
    assert_eq!(limit, Limit::Part(Part::SharedStrings, 64 << 20));
    assert_eq!(
        RosterFileError::TooLarge(limit).to_string(),
        "文件超过导入上限：共享字符串部分解压后超过 64 MB。请删除多余的工作表、图片和格式后重新保存，或分批导入"
    );
    let lying = workbook_of(long_strings(65).lying(), None, sheet(BLANK_ROW, 0));
    assert_eq!(too_large(&lying), limit);
    assert!(matches!(
        read_any(&lying, 100),
        Err(RosterFileError::TooLarge(_))
    ));
}

#[test]
fn sheet_bomb_is_refused_while_inflating() {
    let lying = workbook_of(long_strings(0), None, sheet(BLANK_ROW, 513).lying());
    assert_eq!(too_large(&lying), Limit::Part(Part::Sheet, 512 << 20));
    // Each part under its limit, all of them together over theirs.
    let mut parts = vec![long_strings(0)];
    for i in 0..2 {
        let mut part = sheet(BLANK_ROW, 400).lying();
        part.name = format!("xl/worksheets/sheet{}.xml", i + 1);
        parts.push(part);
    }
    assert_eq!(too_large(&zip_of(&parts)), Limit::Total(768 << 20));
}

#[test]
fn counts_calamine_would_trust_are_refused() {
    // calamine reserves room for the declared number of strings: without the check this file
    // of a few hundred bytes aborts the process ("memory allocation of 24000000000000 bytes
    // failed").
    let declared = workbook_of(
        shared_strings("1000000000000", "<si/>", 0),
        None,
        sheet(BLANK_ROW, 0),
    );
    assert_eq!(too_large(&declared), Limit::SharedStrings(4_000_000));
    // Four million of them would take seconds to build and scan here.
    let many = format!(r#"<sst uniqueCount="3">{}</sst>"#, "<si/>".repeat(11));
    assert!(matches!(
        archive::check_shared_strings(many.as_bytes(), 10),
        Err(RosterFileError::TooLarge(Limit::SharedStrings(10)))
    ));
    assert!(archive::check_shared_strings(many.as_bytes(), 11).is_ok());
}

#[test]
fn styles_that_calamine_would_copy_into_every_format_are_refused() {
    // A 100 KB font name and 5,000 cell formats using it: 250 KB of XML, 500 MB once read.
    let styles = format!(
        r#"<styleSheet xmlns="{SPREADSHEET_NS}"><fonts count="1"><font><name val="{}"/></font></fonts><cellXfs count="5000">{}</cellXfs></styleSheet>"#,
        "A".repeat(100_000),
        r#"<xf numFmtId="0" fontId="0"/>"#.repeat(5_000)
    );
    let bytes = workbook_of(
        long_strings(0),
        Some(ZipPart::stored("xl/styles.xml", &styles)),
        sheet(BLANK_ROW, 0),
    );
    assert_eq!(too_large(&bytes), Limit::Styles(64 << 20));
}

#[test]
fn archive_with_too_many_parts_or_unknown_compression_is_refused() {
    let parts: Vec<ZipPart> = (0..10_001)
        .map(|i| ZipPart::stored(&format!("x/{i}"), ""))
        .collect();
    assert_eq!(too_large(&zip_of(&parts)), Limit::Entries(10_000));
    let mut strange = long_strings(0);
    strange.method = 12; // bzip2
    assert!(matches!(
        read_xlsx(&workbook_of(strange, None, sheet(BLANK_ROW, 0)), 10),
        Err(RosterFileError::NotXlsx(_))
    ));
}

#[test]
fn cells_and_text_are_bounded_while_reading() {
    let header = [
        (0, 1, "姓名"),
        (0, 4, "公民身份号码"),
        (0, 11, "党员状态"),
        (0, 12, "入党时间"),
        (0, 14, "党组织编码"),
    ];
    // Rows with nothing but a number in 序号 are blank, so only the cell count stops them.
    let mut cells = header.to_vec();
    cells.extend((1..200).map(|r| (r, 0, "1")));
    assert_eq!(
        read_xlsx(&xlsx_of(&cells), 2).unwrap_err().to_string(),
        "文件超过导入上限：工作表的单元格超过 128 个。请删除多余的工作表、图片和格式后重新保存，或分批导入"
    );
    assert!(read_xlsx(&xlsx_of(&cells), 4).unwrap().is_empty());
    // One shared string of 30,000 bytes in every row: a file of kilobytes, gigabytes of fields.
    let long = format!("<si><t>{}</t></si>", "甲".repeat(10_000));
    let bytes = workbook_of(
        shared_strings("40", &long, 1),
        None,
        sheet(r#"<row><c/><c t="s"><v>6</v></c></row>"#, 1),
    );
    assert!(bytes.len() < MIB / 4, "{} bytes", bytes.len());
    assert!(matches!(
        read_xlsx(&bytes, 10_000),
        Err(RosterFileError::TooLarge(Limit::Text(MAX_TEXT)))
    ));
}
