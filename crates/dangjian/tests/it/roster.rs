//! 花名册: import all-or-nothing or good rows only, with every bad line named; csv and xlsx;
//! export as an attachment with masked numbers.

use dangjian_store::roster::format::testing::{shared_strings, sheet, workbook_of, ZipPart, MIB};
use dangjian_store::roster::format::{read_csv, read_xlsx, write_csv, write_xlsx, RosterRow};
use dangjian_domain::member::MemberInput;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::helpers::*;

fn row(name: &str, id: &str, org: &str) -> RosterRow {
    RosterRow {
        member: MemberInput {
            name: name.into(),
            gender: String::new(),
            id_number: id.into(),
            status: "正式党员".into(),
            joined_on: "2010-07-01".into(),
            full_on: "2011.7".into(),
            ..Default::default()
        },
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
    let mine = rows.iter().find(|r| r.member.name == "导出测试").expect("the new member is exported");
    assert_eq!(mine.member.id_number, format!("{}********{}", &id[..6], &id[14..]));
    assert_eq!(mine.member.phone, "139****5678");
    assert!(rows.iter().all(|r| &r.member.id_number[6..14] == "********" && r.org_code == OWN_BRANCH));

    let xlsx = api.get(&format!("/members/export?org={own}")).await.assert_status(200);
    assert!(xlsx.header("content-disposition").unwrap_or_default().starts_with("attachment"));
    let rows = read_xlsx(&xlsx.body, 10_000).expect("exported xlsx reads back");
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| &r.member.id_number[6..14] == "********"));

    // With the reveal permission, and asked for, the numbers are whole: and that is audited.
    let full = api.get(&format!("/members/export?org={own}&format=csv&reveal=true")).await.assert_status(200);
    let rows = read_csv(&full.body, 10_000).expect("csv");
    assert!(rows.iter().any(|r| r.member.id_number == id));
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

/// A roster workbook: the header titles in the shared strings, then `sst_filler_mib` MiB of
/// 1000-character strings; one member row in the sheet, then `sheet_filler_mib` MiB of blank rows
/// (a number in 序号 only). `lie` makes the headers of the filled part claim 1 KiB.
fn workbook(sst_filler_mib: usize, sheet_filler_mib: usize, lie: bool) -> Vec<u8> {
    let filled = |p: ZipPart| if lie && p.size > MIB as u32 { p.lying() } else { p };
    let sst = shared_strings("6", &format!("<si><t>{}</t></si>", "A".repeat(1000)), sst_filler_mib);
    let id = id_number("110105", "19800101", 501);
    let sheet = sheet(&["1", "炸弹", &id, "正式党员", "2005-07-01", OWN_BRANCH], "<row><c><v>1</v></c></row>", sheet_filler_mib);
    workbook_of(filled(sst), None, filled(sheet))
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

/// A roster file with a 籍贯 column imports it; the export carries it back; a bad 籍贯 is named
/// on its line.
#[tokio::test]
async fn native_place_is_imported_and_exported() {
    let (app, api) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let (a, b, c) = (id_number("110105", "19810203", 401), id_number("110105", "19820304", 403), id_number("110105", "19830405", 405));
    let csv = format!(
        "姓名,公民身份号码,籍贯,党员状态,入党时间,党组织编码\r\n籍贯导入甲,{a},四川省成都市,正式党员,2010-07-01,{OWN_BRANCH}\r\n籍贯导入乙,{b},,正式党员,2010-07-01,{OWN_BRANCH}\r\n籍贯导入丙,{c},{},正式党员,2010-07-01,{OWN_BRANCH}\r\n",
        "很".repeat(31)
    );
    let report = import(&api, csv.into_bytes(), "r.csv", Some("good_only")).await.assert_status(200).json();
    assert_eq!((report["imported"].as_u64(), error_lines(&report)), (Some(2), vec![4]), "{report}");
    assert!(messages(&report, 4).contains("籍贯不能超过30个字"), "{report}");
    assert_eq!(api.search(&json!({"q": a})).await["items"][0]["native_place"], "四川省成都市");
    assert_eq!(api.search(&json!({"q": b})).await["items"][0]["native_place"], "");

    let csv = api.get(&format!("/members/export?org={own}&format=csv")).await.assert_status(200);
    assert!(csv.text().lines().next().unwrap_or_default().contains("籍贯"), "header: {}", csv.text().lines().next().unwrap_or_default());
    let rows = read_csv(&csv.body, 10_000).expect("csv");
    assert_eq!(rows.iter().find(|r| r.member.name == "籍贯导入甲").expect("exported").member.native_place, "四川省成都市");
    let xlsx = api.get(&format!("/members/export?org={own}")).await.assert_status(200);
    let rows = read_xlsx(&xlsx.body, 10_000).expect("xlsx");
    assert_eq!(rows.iter().find(|r| r.member.name == "籍贯导入甲").expect("exported").member.native_place, "四川省成都市");
    assert!(rows.iter().filter(|r| r.member.name != "籍贯导入乙").all(|r| !r.member.native_place.is_empty()), "demo members have one");
}
