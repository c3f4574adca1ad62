//! 花名册: import all-or-nothing or good rows only, with every bad line named; csv and xlsx;
//! export as an attachment with masked numbers.

use dangjian_store::roster::format::{read_csv, read_xlsx, write_csv, write_xlsx, RosterRow};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::helpers::*;

fn row(name: &str, id: &str, org: &str) -> RosterRow {
    RosterRow {
        name: name.into(),
        gender: String::new(),
        id_number: id.into(),
        status: "正式党员".into(),
        joined_on: "2010-07-01".into(),
        full_on: "2011.7".into(),
        org_code: org.into(),
        ..Default::default()
    }
}

/// Five rows; lines 3 (bad check character) and 5 (unknown organisation) are bad.
fn five_rows() -> Vec<RosterRow> {
    let bad_id = {
        let good = id_number("110105", "19810203", 201);
        let last = if good.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &good[..17])
    };
    vec![
        row("导入甲", &id_number("110105", "19810203", 101), OWN_BRANCH),
        row("导入乙", &bad_id, OWN_BRANCH),
        row("导入丙", &id_number("110105", "19820304", 102), OWN_BRANCH),
        row("导入丁", &id_number("110105", "19830405", 103), "NO-SUCH-ORG"),
        row("导入戊", &id_number("110105", "19840506", 104), &OWN_BRANCH.to_lowercase()),
    ]
}

async fn import(api: &Api, bytes: Vec<u8>, file_name: &str, mode: Option<&str>) -> Resp {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(file_name.to_string()));
    if let Some(m) = mode {
        form = form.text("mode", m.to_string());
    }
    api.send(api.client.post(api.url("/members/import")).multipart(form)).await
}

fn error_lines(report: &Value) -> Vec<u64> {
    report["errors"].as_array().expect("errors").iter().map(|e| e["line"].as_u64().expect("line")).collect()
}

fn messages(report: &Value, line: u64) -> String {
    let e = report["errors"].as_array().expect("errors").iter().find(|e| e["line"] == line).unwrap_or_else(|| panic!("no error for line {line}: {report}"));
    e["messages"].as_array().expect("messages").iter().map(|m| m.as_str().unwrap_or_default()).collect::<Vec<_>>().join("；")
}

#[tokio::test]
async fn import_names_every_bad_line_and_is_all_or_nothing_by_default() {
    let (app, api) = demo_api("zuzhi").await;
    let (root, own) = (app.org_id(ROOT).await, app.org_id(OWN_BRANCH).await);
    let (root0, own0) = (api.members_of(root).await, api.members_of(own).await);
    let xlsx = write_xlsx(&five_rows(), "党员花名册").expect("xlsx");

    let report = import(&api, xlsx.clone(), "roster.xlsx", None).await.assert_status(200).json();
    assert_eq!(report["committed"], false, "{report}");
    assert_eq!((report["imported"].as_u64(), report["total"].as_u64(), report["rejected"].as_u64()), (Some(0), Some(5), Some(2)));
    assert_eq!(error_lines(&report), [3, 5]);
    assert!(messages(&report, 3).contains("校验"), "{report}");
    assert!(messages(&report, 5).contains("NO-SUCH-ORG"), "{report}");
    assert_eq!(report["errors"][0]["name"], "导入乙");
    assert_eq!(api.members_of(root).await, root0, "nothing may be written");
    let explicit = import(&api, xlsx.clone(), "roster.xlsx", Some("all_or_nothing")).await.assert_status(200).json();
    assert_eq!(explicit["committed"], false);

    let report = import(&api, xlsx.clone(), "roster.xlsx", Some("good_only")).await.assert_status(200).json();
    assert_eq!((report["committed"].as_bool(), report["imported"].as_u64(), report["rejected"].as_u64()), (Some(true), Some(3), Some(2)), "{report}");
    assert_eq!(error_lines(&report), [3, 5]);
    assert_eq!(api.members_of(root).await, root0 + 3);
    assert_eq!(api.members_of(own).await, own0 + 3);
    let found = api.search(&json!({"q": id_number("110105", "19810203", 101)})).await;
    assert_eq!(found["items"][0]["name"], "导入甲");
    assert_eq!(found["items"][0]["full_on"], "2011-07-01", "month-only dates are the 1st");

    // The same file again: the good rows are now duplicates.
    let again = import(&api, xlsx.clone(), "roster.xlsx", Some("good_only")).await.assert_status(200).json();
    assert_eq!((again["imported"].as_u64(), error_lines(&again)), (Some(0), vec![2, 3, 4, 5, 6]), "{again}");
    for line in [2, 4, 6] {
        assert!(messages(&again, line).contains("已登记在册"), "{again}");
    }
    assert_eq!(api.members_of(root).await, root0 + 3);

    // A duplicate inside one file names the first line.
    let twice = write_csv(&[row("重复甲", &id_number("110105", "19900101", 301), OWN_BRANCH), row("重复乙", &id_number("110105", "19900101", 301), OWN_BRANCH)]);
    let r = import(&api, twice, "twice.csv", None).await.assert_status(200).json();
    assert_eq!(error_lines(&r), [3]);
    assert!(messages(&r, 3).contains("第2行"), "{r}");
}

#[tokio::test]
async fn csv_imports_and_only_importers_may_import() {
    let (app, api) = demo_api("zuzhi").await;
    let other = app.org_id(OTHER_BRANCH).await;
    let before = api.members_of(other).await;
    let rows = vec![row("甲乙", &id_number("350102", "19860101", 11), OTHER_BRANCH), row("丙丁", &id_number("350102", "19870101", 12), OTHER_BRANCH)];
    let csv = write_csv(&rows);
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let report = import(&api, csv.clone(), "roster.csv", None).await.assert_status(200).json();
    assert_eq!((report["committed"].as_bool(), report["imported"].as_u64(), error_lines(&report).len()), (Some(true), Some(2), 0), "{report}");
    assert_eq!(api.members_of(other).await, before + 2);
    // Not a roster at all, or no file.
    let r = import(&api, b"just some text".to_vec(), "x.csv", None).await.assert_status(422);
    assert_eq!(r.json()["errors"][0]["field"], "file");
    api.send(api.client.post(api.url("/members/import")).multipart(Form::new().text("mode", "good_only"))).await.assert_status(422);
    // A 书记 may not import (MemberImport is the 组织管理员's); a 党员 sees nothing.
    let csv2 = write_csv(&[row("戊己", &id_number("350102", "19880101", 13), OWN_BRANCH)]);
    import(&app.demo_login("shuji1").await, csv2.clone(), "r.csv", None).await.assert_status(403);
    import(&app.demo_login("admin").await, csv2.clone(), "r.csv", None).await.assert_status(403);
    assert!(matches!(import(&app.demo_login("dangyuan1").await, csv2, "r.csv", None).await.status, 403 | 404));
}

#[tokio::test]
async fn export_is_an_attachment_with_masked_numbers() {
    let (app, api) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = id_number("110105", "19850315", 123);
    api.post_json("/members", &member_body(own, "导出测试", &id, "13912345678")).await.assert_status(201);
    let expected = api.members_of(own).await as usize;

    let csv = api.get(&format!("/members/export?org={own}&format=csv")).await.assert_status(200);
    let disposition = csv.header("content-disposition").unwrap_or_default();
    assert!(disposition.starts_with("attachment") && disposition.contains(".csv"), "{disposition}");
    assert!(csv.header("content-type").unwrap_or_default().starts_with("text/csv"));
    assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let text = csv.text();
    assert!(text.lines().next().unwrap_or_default().contains("公民身份号码"));
    assert!(!text.contains(&id) && !text.contains("13912345678") && !contains_full_id(&text), "full number in an export");
    let rows = read_csv(&csv.body, 10_000).expect("exported csv reads back");
    assert_eq!(rows.len(), expected);
    let mine = rows.iter().find(|r| r.name == "导出测试").expect("the new member is exported");
    assert_eq!(mine.id_number, format!("{}********{}", &id[..6], &id[14..]));
    assert_eq!(mine.phone, "139****5678");
    assert!(rows.iter().all(|r| &r.id_number[6..14] == "********" && r.org_code == OWN_BRANCH));

    let xlsx = api.get(&format!("/members/export?org={own}")).await.assert_status(200);
    assert!(xlsx.header("content-disposition").unwrap_or_default().starts_with("attachment"));
    let rows = read_xlsx(&xlsx.body, 10_000).expect("exported xlsx reads back");
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| &r.id_number[6..14] == "********"));

    // With the reveal permission, and asked for, the numbers are whole: and that is audited.
    let full = api.get(&format!("/members/export?org={own}&format=csv&reveal=true")).await.assert_status(200);
    let rows = read_csv(&full.body, 10_000).expect("csv");
    assert!(rows.iter().any(|r| r.id_number == id));
    let log = app.demo_login("shenji").await.get_ok("/audit?action=member.export").await;
    let revealed: Vec<bool> = log["items"].as_array().expect("items").iter().map(|r| r["detail"].as_str().unwrap_or("").contains("\"revealed\":true")).collect();
    assert_eq!(revealed, [true, false, false], "{log}");
    // A revealed export fed back in finds every row already registered.
    let report = import(&api, full.body.clone(), "back.csv", Some("good_only")).await.assert_status(200).json();
    assert_eq!((report["imported"].as_u64(), report["rejected"].as_u64()), (Some(0), Some(expected as u64)), "{report}");
}

/// SECURITY.md: bulk export of personal data is rate-limited (30 an hour per account).
#[tokio::test]
async fn exports_are_rate_limited() {
    let (app, api) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    for i in 0..30 {
        let r = api.get(&format!("/members/export?org={own}&format=csv")).await;
        assert_eq!(r.status, 200, "export {i}: {r:?}");
    }
    let r = api.get(&format!("/members/export?org={own}&format=csv")).await.assert_status(429);
    assert_eq!(r.code(), "rate_limited");
    // Per account: another one may still export.
    app.demo_login("zuzhi").await.get(&format!("/members/export?org={own}&format=csv")).await.assert_status(200);
}

// Decompression bombs (SECURITY.md: archives bounded in decompressed size before they are
// parsed). Each is a real, valid xlsx of a few MB (well under the upload limit) whose one part
// inflates to 2 GB.

/// An entry of a hand-written zip, with the uncompressed size and CRC its headers declare.
struct ZipEntry {
    name: &'static str,
    method: u16,
    data: Vec<u8>,
    size: u32,
    crc: u32,
}

fn stored(name: &'static str, content: &str) -> ZipEntry {
    ZipEntry { name, method: 0, data: content.as_bytes().to_vec(), size: content.len() as u32, crc: crc32fast::hash(content.as_bytes()) }
}

/// `head`, then `chunk` `times` over, then `tail`, deflated in milliseconds: the chunk is
/// compressed once between full flushes (byte-aligned blocks that refer to nothing before them),
/// and those bytes are repeated; the CRC of the repeats is combined, not computed.
fn repeated(name: &'static str, head: &str, chunk: &str, times: u32, tail: &str) -> ZipEntry {
    use flate2::{Compress, Compression, FlushCompress, Status};
    fn deflate(c: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
        let (mut out, start) = (Vec::with_capacity(input.len() + 1024), c.total_in());
        loop {
            let status = c.compress_vec(&input[(c.total_in() - start) as usize..], &mut out, flush).expect("deflate");
            if status == Status::StreamEnd || (c.total_in() - start == input.len() as u64 && out.len() < out.capacity()) {
                return out;
            }
            out.reserve(1 << 16);
        }
    }
    let mut c = Compress::new(Compression::best(), false);
    let mut data = deflate(&mut c, head.as_bytes(), FlushCompress::Full);
    let block = deflate(&mut c, chunk.as_bytes(), FlushCompress::Full);
    for _ in 0..times {
        data.extend_from_slice(&block);
    }
    data.extend(deflate(&mut c, tail.as_bytes(), FlushCompress::Finish));
    let (mut crc, mut chunk_crc) = (crc32fast::Hasher::new(), crc32fast::Hasher::new());
    crc.update(head.as_bytes());
    chunk_crc.update(chunk.as_bytes());
    for _ in 0..times {
        crc.combine(&chunk_crc);
    }
    crc.update(tail.as_bytes());
    let size = head.len() as u64 + chunk.len() as u64 * u64::from(times) + tail.len() as u64;
    ZipEntry { name, method: 8, data, size: u32::try_from(size).expect("under 4 GiB"), crc: crc.finalize() }
}

/// Local headers, central directory, end record (no zip64: 2 GB fits in 32 bits).
fn zip_of(entries: &[ZipEntry]) -> Vec<u8> {
    let (mut out, mut dir) = (Vec::new(), Vec::new());
    for e in entries {
        let offset = out.len() as u32;
        out.extend(0x0403_4b50u32.to_le_bytes());
        dir.extend(0x0201_4b50u32.to_le_bytes());
        dir.extend(20u16.to_le_bytes());
        for h in [&mut out, &mut dir] {
            // version 2.0, no flags, method, time and date (1980-01-01), crc, sizes, name, no extra
            for v in [20u16, 0, e.method, 0, 0x21] {
                h.extend(v.to_le_bytes());
            }
            for v in [e.crc, e.data.len() as u32, e.size] {
                h.extend(v.to_le_bytes());
            }
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
        }
        // no comment, disk 0, no attributes, where the local header is
        for v in [0u16, 0, 0] {
            dir.extend(v.to_le_bytes());
        }
        dir.extend(0u32.to_le_bytes());
        dir.extend(offset.to_le_bytes());
        dir.extend(e.name.as_bytes());
        out.extend(e.name.as_bytes());
        out.extend(&e.data);
    }
    let dir_offset = out.len() as u32;
    out.extend(&dir);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, entries.len() as u16, entries.len() as u16] {
        out.extend(v.to_le_bytes());
    }
    out.extend((dir.len() as u32).to_le_bytes());
    out.extend(dir_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

const MIB: usize = 1 << 20;
const SHEET_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A roster workbook: the header titles in the shared strings, then `sst_filler_mib` MiB of
/// 1000-character strings; one member row in the sheet, then `sheet_filler_mib` MiB of blank rows
/// (a number in 序号 only). `lie` makes the headers of the filled part claim 1 KiB.
fn workbook(sst_filler_mib: u32, sheet_filler_mib: u32, lie: bool) -> Vec<u8> {
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let titles: String = ["序号", "姓名", "公民身份号码", "党员状态", "入党时间", "党组织编码"].iter().map(|t| format!("<si><t>{t}</t></si>")).collect();
    let string = format!("<si><t>{}</t></si>", "A".repeat(1000));
    let mut sst = repeated("xl/sharedStrings.xml", &format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}" uniqueCount="6">{titles}"#), &string.repeat(MIB / string.len()), sst_filler_mib, "</sst>");
    let col = |i: usize| char::from(b'A' + i as u8);
    let header: String = (0..6).map(|i| format!(r#"<c r="{}1" t="s"><v>{i}</v></c>"#, col(i))).collect();
    let member: String = ["1", "炸弹", &id_number("110105", "19800101", 501), "正式党员", "2005-07-01", OWN_BRANCH]
        .iter()
        .enumerate()
        .map(|(i, v)| format!(r#"<c r="{}2" t="inlineStr"><is><t>{v}</t></is></c>"#, col(i)))
        .collect();
    let blank = "<row><c><v>1</v></c></row>";
    let mut sheet = repeated(
        "xl/worksheets/sheet1.xml",
        &format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><sheetData><row r="1">{header}</row><row r="2">{member}</row>"#),
        &blank.repeat(MIB / blank.len()),
        sheet_filler_mib,
        "</sheetData></worksheet>",
    );
    if lie {
        for part in [&mut sst, &mut sheet] {
            if part.size > MIB as u32 {
                part.size = 1024;
            }
        }
    }
    zip_of(&[
        stored("_rels/.rels", &format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
        stored("xl/workbook.xml", &format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        stored(
            "xl/_rels/workbook.xml.rels",
            &format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#),
        ),
        sst,
        sheet,
    ])
}

/// Peak resident memory of this process so far, in MB; the server runs in it, and nextest gives
/// every test its own process.
fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).expect("VmHWM");
    kb / 1024
}

/// Posts the bomb to the API and checks the refusal: 422 naming the limit, without the memory
/// the bomb asks for, nothing written. Returns (seconds, MB of peak growth), printed for the
/// record (speed is measured by benchmarks, not asserted here).
async fn refused(app: &TestApp, api: &Api, bomb: Vec<u8>, limit: &str) -> (f64, u64) {
    let root = app.org_id(ROOT).await;
    let before = api.members_of(root).await;
    let peak = peak_rss_mb();
    let started = std::time::Instant::now();
    let r = import(api, bomb, "bomb.xlsx", None).await.assert_status(422);
    let seconds = started.elapsed().as_secs_f64();
    let growth = peak_rss_mb().saturating_sub(peak);
    let problem = r.json();
    assert_eq!(problem["code"], "file_too_large", "{problem}");
    assert_eq!((problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()), (Some("file"), Some("file_too_large")), "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains(limit), "{problem}");
    assert!(growth < 300, "peak memory grew by {growth} MB");
    assert_eq!(api.members_of(root).await, before, "nothing may be written");
    (seconds, growth)
}

#[tokio::test]
async fn shared_strings_bomb_is_refused_without_taking_memory() {
    let (app, api) = demo_api("zuzhi").await;
    // The control: the same workbook without the filler imports its one member.
    let report = import(&api, workbook(0, 0, false), "small.xlsx", None).await.assert_status(200).json();
    assert_eq!((report["committed"].as_bool(), report["imported"].as_u64()), (Some(true), Some(1)), "{report}");
    let bomb = workbook(2000, 0, false);
    assert!(bomb.len() < 5 * MIB, "{} bytes", bomb.len());
    // Refused by the size the headers declare, then, when they lie, by counting while inflating.
    let limit = "共享字符串部分解压后超过 64 MB";
    let declared = refused(&app, &api, bomb, limit).await;
    let counted = refused(&app, &api, workbook(2000, 0, true), limit).await;
    eprintln!("shared strings bomb: declared size {declared:?}, lying headers {counted:?} (seconds, MB)");
    // The server still answers, and still imports (the member is now on the roster).
    let again = import(&api, workbook(0, 0, false), "small.xlsx", Some("good_only")).await.assert_status(200).json();
    assert_eq!(again["errors"][0]["messages"][0], "该公民身份号码已登记在册，不能重复导入", "{again}");
}

#[tokio::test]
async fn sheet_bomb_is_refused_before_it_costs_cpu() {
    let (app, api) = demo_api("zuzhi").await;
    let limit = "工作表部分解压后超过 512 MB";
    let declared = refused(&app, &api, workbook(0, 2000, false), limit).await;
    let counted = refused(&app, &api, workbook(0, 2000, true), limit).await;
    eprintln!("sheet bomb: declared size {declared:?}, lying headers {counted:?} (seconds, MB)");
    // The page says the same, as a 422 page.
    let form = Form::new().text("_csrf", api.csrf.clone()).part("file", Part::bytes(workbook(0, 2000, true)).file_name("bomb.xlsx"));
    let page = Resp::from(api.client.post(app.url("/import")).multipart(form).send().await.expect("post /import")).await.assert_status(422);
    assert!(page.text().contains(limit), "{page:?}");
    api.get_ok("/members").await;
}
