//! 附件: meeting attachments through HTTP — photos and scans up and down with their bytes and
//! headers, disguised and oversized files refused naming the field, 404 outside the scope,
//! removal audited, meetings counted the same with or without them, and backup/restore.

use dangjian_domain::life::attachment::MAX_BYTES;
use dangjian_store::backup;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::helpers::*;

/// A PNG as far as its first bytes go, with a body that differs by `seed`.
fn png(seed: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend((0..2000u32).map(|i| (i as u8).wrapping_mul(seed)));
    b
}

pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

pub(crate) fn form(name: &str, mime: &str, bytes: Vec<u8>) -> Form {
    let part = Part::bytes(bytes).file_name(name.to_string());
    let part = if mime.is_empty() { part } else { part.mime_str(mime).expect("mime") };
    Form::new().part("file", part)
}

async fn upload(api: &Api, meeting: i64, name: &str, mime: &str, bytes: Vec<u8>) -> Resp {
    api.send(api.client.post(api.url(&format!("/meetings/{meeting}/attachments"))).multipart(form(name, mime, bytes))).await
}

/// A meeting of `org` recorded by `api`.
async fn meeting(api: &Api, org: i64) -> i64 {
    let body = json!({"org_id": org, "kinds": ["theme_day"], "starts_at": "2026-06-10T09:30:00+08:00", "topic": "附件测试主题党日"});
    api.post_json("/meetings", &body).await.assert_status(201).json()["id"].as_i64().expect("id")
}

fn fields(r: &Resp) -> Vec<(String, String)> {
    r.json()["errors"].as_array().map(|a| a.iter().map(|e| (e["field"].as_str().unwrap_or_default().to_string(), e["code"].as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default()
}

/// Every file under the attachments directory, temporary and staging ones included.
fn stored_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

fn attachments_dir(app: &TestApp) -> std::path::PathBuf {
    app.store.attachments_dir.as_deref().expect("the test app has an attachments directory").clone()
}

#[tokio::test]
async fn a_photo_and_a_scan_go_up_and_come_back_with_their_bytes_and_headers() {
    let (app, shuji) = demo_api("shuji1").await;
    let demo_files = stored_files(&attachments_dir(&app)).len();
    let id = meeting(&shuji, app.org_id(OWN_BRANCH).await).await;
    let a = upload(&shuji, id, "会场照片.png", "image/png", png(3)).await.assert_status(201).json();
    assert_eq!((a["file_name"].as_str(), a["media_type"].as_str(), a["size"].as_i64()), (Some("会场照片.png"), Some("image/png"), Some(png(3).len() as i64)));
    assert_eq!(a["sm3"], dangjian_domain::crypto::sm3_hex(&png(3)));
    let p = upload(&shuji, id, r"C:\fakepath\签到表.pdf", "application/pdf", pdf()).await.assert_status(201).json();
    assert_eq!(p["file_name"], "签到表.pdf", "directories are dropped from the name");
    let list = shuji.get_ok(&format!("/meetings/{id}/attachments")).await;
    let ids: Vec<i64> = list.as_array().expect("list").iter().map(|x| x["id"].as_i64().expect("id")).collect();
    assert_eq!(ids, vec![a["id"].as_i64().unwrap(), p["id"].as_i64().unwrap()], "in the order they were added");
    assert_eq!(list[0]["uploader"], "shuji1");

    for (att, bytes, mime, encoded) in [(&a, png(3), "image/png", "%E4%BC%9A%E5%9C%BA%E7%85%A7%E7%89%87.png"), (&p, pdf(), "application/pdf", "%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf")] {
        let r = shuji.get(&format!("/attachments/{}", att["id"])).await.assert_status(200);
        assert_eq!(r.body, bytes, "same bytes back");
        assert_eq!(r.header("content-type").as_deref(), Some(mime));
        let cd = r.header("content-disposition").expect("content-disposition");
        assert!(cd.starts_with("attachment;") && cd.contains(&format!("filename*=UTF-8''{encoded}")), "{cd}");
        assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
        assert!(r.header("cache-control").unwrap_or_default().contains("no-store"));
    }
    // Audited, and stored under the data folder by content address.
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'attachment.add' AND object = 'attachment:{}'", a["id"])).await, 1);
    let sm3 = a["sm3"].as_str().unwrap();
    let path = attachments_dir(&app).join(&sm3[..2]).join(&sm3[2..]);
    assert_eq!(std::fs::read(&path).expect("stored file"), png(3));
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777, 0o600);
    // The same content again is a second attachment but one file.
    upload(&shuji, id, "再传一次.png", "", png(3)).await.assert_status(201);
    assert_eq!(stored_files(&attachments_dir(&app)).len(), demo_files + 2, "deduplicated by content");
    // A member of the branch sees the meeting, so the files too.
    let dangyuan = app.demo_login("dangyuan1").await;
    assert_eq!(dangyuan.get(&format!("/attachments/{}", a["id"])).await.assert_status(200).body, png(3));
}

#[tokio::test]
async fn a_file_of_a_disguised_type_is_refused_naming_the_field() {
    let (app, shuji) = demo_api("shuji1").await;
    let before = (app.scalar("SELECT COUNT(*) FROM meeting_attachments").await, stored_files(&attachments_dir(&app)));
    let id = meeting(&shuji, app.org_id(OWN_BRANCH).await).await;
    let cases: Vec<(&str, &str, Vec<u8>, &str, &str)> = vec![
        ("photo.png", "image/png", b"<html><script>alert(document.cookie)</script></html>".to_vec(), "file", "文件内容与扩展名不符"),
        ("photo.png", "image/png", b"#!/bin/sh\nrm -rf /\n".to_vec(), "file", "文件内容与扩展名不符"),
        ("photo.png", "", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(), "file", "文件内容与扩展名不符"),
        ("setup.exe", "application/octet-stream", b"MZ\x90\0\x03\0\0\0".to_vec(), "file", "不支持"),
        ("签到表.jpg", "image/jpeg", pdf(), "file", "内容却是PDF文件"),
        ("会场.png", "application/pdf", png(1), "file", "声明"),
        ("照片\u{202E}gnp.exe.png", "", png(1), "file_name", "不可见字符"),
        ("会场", "", png(1), "file_name", "扩展名"),
        ("空.png", "", Vec::new(), "file", "文件为空"),
    ];
    for (name, mime, bytes, field, says) in cases {
        let r = upload(&shuji, id, name, mime, bytes).await;
        assert_eq!(r.status, 422, "{name}: {r:?}");
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        assert!(fields(&r).iter().any(|(f, _)| f == field), "{name}: {field} named in {r:?}");
        assert!(r.text().contains(says), "{name}: {says} in {r:?}");
    }
    // A request without a file part names the field too.
    let r = shuji.send(shuji.client.post(shuji.url(&format!("/meetings/{id}/attachments"))).multipart(Form::new().text("note", "x"))).await.assert_status(422);
    assert_eq!(fields(&r), vec![("file".to_string(), "no_file".to_string())]);
    let after = (app.scalar("SELECT COUNT(*) FROM meeting_attachments").await, stored_files(&attachments_dir(&app)));
    assert_eq!(after, before, "nothing written, no file kept");
}

#[tokio::test]
async fn a_file_too_large_is_refused() {
    let (app, shuji) = demo_api("shuji1").await;
    let id = meeting(&shuji, app.org_id(OWN_BRANCH).await).await;
    let mut just_over = png(1);
    just_over.resize(MAX_BYTES + 1, 7);
    let r = upload(&shuji, id, "大图.png", "image/png", just_over).await.assert_status(422);
    assert_eq!(fields(&r), vec![("file".to_string(), "too_large".to_string())]);
    assert!(r.text().contains("不能超过10 MB"), "{r:?}");
    // Far beyond: the body is cut off where the upload limit is.
    let mut far_over = png(1);
    far_over.resize(MAX_BYTES + 2 * 1024 * 1024, 7);
    let r = upload(&shuji, id, "更大.png", "image/png", far_over).await.assert_status(413);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(fields(&r), vec![("file".to_string(), "too_large".to_string())]);
    let mut at_limit = png(1);
    at_limit.resize(MAX_BYTES, 7);
    upload(&shuji, id, "正好.png", "image/png", at_limit).await.assert_status(201);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM meeting_attachments WHERE meeting_id = {id}")).await, 1);
}

#[tokio::test]
async fn outside_the_scope_the_file_and_the_list_are_404() {
    let (app, shuji) = demo_api("shuji1").await;
    let zuzhi = app.demo_login("zuzhi").await;
    let dangyuan = app.demo_login("dangyuan1").await;
    let theirs = meeting(&zuzhi, app.org_id(OTHER_BRANCH).await).await;
    let file = upload(&zuzhi, theirs, "签到表.pdf", "application/pdf", pdf()).await.assert_status(201).json()["id"].as_i64().unwrap();
    let mine = meeting(&shuji, app.org_id(OWN_BRANCH).await).await;
    let my_file = upload(&shuji, mine, "会场.png", "image/png", png(2)).await.assert_status(201).json()["id"].as_i64().unwrap();

    // The secretary and a member of another branch: 404 for the file, the list, uploads, removal.
    for (who, api) in [("shuji1", &shuji), ("dangyuan1", &dangyuan)] {
        for r in [
            api.get(&format!("/attachments/{file}")).await,
            api.get(&format!("/meetings/{theirs}/attachments")).await,
            upload(api, theirs, "x.png", "image/png", png(1)).await,
            api.delete(&format!("/attachments/{file}")).await,
        ] {
            assert_eq!(r.status, 404, "{who}: {r:?}");
            assert!(!r.text().contains("签到表"), "{who}: nothing about the file is told");
        }
        // The page link answers the same.
        let page = Resp::from(api.client.get(app.url(&format!("/attachments/{file}"))).bearer_auth(&api.token).send().await.expect("page")).await;
        assert_eq!(page.status, 404, "{who}: {page:?}");
    }
    // A member of the own branch reads but does not write.
    dangyuan.get(&format!("/meetings/{mine}/attachments")).await.assert_status(200);
    dangyuan.delete(&format!("/attachments/{my_file}")).await.assert_status(403);
    upload(&dangyuan, mine, "x.png", "image/png", png(1)).await.assert_status(403);
    // 三员 see no meetings, so no files either.
    for user in ["admin", "anquan", "shenji"] {
        let a = app.demo_login(user).await;
        let r = a.get(&format!("/attachments/{my_file}")).await;
        assert!(matches!(r.status, 403 | 404), "{user}: {r:?}");
    }
    // A file of a deleted meeting is gone with it.
    zuzhi.request("DELETE", &format!("/meetings/{theirs}"), Some(&json!({"reason": "测试"}))).await.assert_status(204);
    zuzhi.get(&format!("/attachments/{file}")).await.assert_status(404);
}

#[tokio::test]
async fn removing_an_attachment_takes_it_off_and_is_audited() {
    let (app, shuji) = demo_api("shuji1").await;
    let id = meeting(&shuji, app.org_id(OWN_BRANCH).await).await;
    let a = upload(&shuji, id, "拍错了.png", "image/png", png(5)).await.assert_status(201).json()["id"].as_i64().unwrap();
    shuji.request("DELETE", &format!("/attachments/{a}"), Some(&json!({"reason": "照片拍错"}))).await.assert_status(204);
    shuji.get(&format!("/attachments/{a}")).await.assert_status(404);
    assert_eq!(shuji.get_ok(&format!("/meetings/{id}/attachments")).await, json!([]));
    shuji.delete(&format!("/attachments/{a}")).await.assert_status(404);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'attachment.delete' AND object = 'attachment:{a}' AND detail LIKE '%照片拍错%'")).await, 1);
    // The row is kept with its reason, as evidence.
    assert_eq!(app.text(&format!("SELECT delete_reason FROM meeting_attachments WHERE id = {a}")).await, "照片拍错");
    // Without a reason is allowed too.
    let b = upload(&shuji, id, "另一张.png", "", png(6)).await.assert_status(201).json()["id"].as_i64().unwrap();
    shuji.delete(&format!("/attachments/{b}")).await.assert_status(204);
}

#[tokio::test]
async fn a_meeting_counts_the_same_with_or_without_attachments() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let id = meeting(&shuji, own).await;
    let count = |api: Api| async move { api.get_ok(&format!("/meetings?org={own}&subtree=false&kind=theme_day&from=2026-06-10&to=2026-06-10")).await["total"].as_i64().unwrap() };
    let before: Value = shuji.get_ok(&format!("/meetings/{id}")).await;
    let n = count(shuji.clone()).await;
    assert_eq!(n, 1, "it counts without any attachment");
    let a = upload(&shuji, id, "会场.png", "image/png", png(4)).await.assert_status(201).json()["id"].as_i64().unwrap();
    assert_eq!(count(shuji.clone()).await, n);
    assert_eq!(shuji.get_ok(&format!("/meetings/{id}")).await, before, "the record is unchanged: attaching is no correction");
    shuji.delete(&format!("/attachments/{a}")).await.assert_status(204);
    assert_eq!(count(shuji.clone()).await, n);
    assert_eq!(shuji.get_ok(&format!("/meetings/{id}")).await, before);
}

#[tokio::test]
async fn the_meeting_page_lists_uploads_and_removes_attachments() {
    let (app, shuji) = demo_api("shuji1").await;
    let id = meeting(&shuji, app.org_id(OWN_BRANCH).await).await;
    let show = Resp::from(shuji.client.get(app.url(&format!("/meetings/{id}"))).send().await.expect("page")).await.assert_status(200).text();
    assert!(show.contains("暂无附件") && show.contains(r#"enctype="multipart/form-data""#) && show.contains("会议记录是否计数与附件无关"), "{show}");
    let post = |f: Form| shuji.client.post(app.url(&format!("/meetings/{id}/attachments"))).multipart(f).send();
    // Without the CSRF token: refused, nothing written.
    let r = Resp::from(post(form("会场.png", "image/png", png(8))).await.expect("post")).await;
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM meeting_attachments WHERE meeting_id = {id}")).await, 0);
    // A disguised file comes back with the message beside the field.
    let r = Resp::from(post(Form::new().text("_csrf", shuji.csrf.clone()).part("file", Part::bytes(b"<html>".to_vec()).file_name("x.png"))).await.expect("post")).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text().contains("文件内容与扩展名不符"));
    let r = Resp::from(post(Form::new().text("_csrf", shuji.csrf.clone()).part("file", Part::bytes(png(8)).file_name("会场.png"))).await.expect("post")).await;
    assert_eq!(r.status, 303, "{r:?}");
    let to = r.header("location").expect("location");
    assert!(to.starts_with(&format!("/meetings/{id}?done=attached")), "{to}");
    let show = Resp::from(shuji.client.get(app.url(&to)).send().await.expect("page")).await.assert_status(200).text();
    let a = app.scalar("SELECT MAX(id) FROM meeting_attachments").await;
    assert!(show.contains("附件已上传") && show.contains(&format!(r#"href="/attachments/{a}""#)) && show.contains("会场.png"), "{show}");
    let file = Resp::from(shuji.client.get(app.url(&format!("/attachments/{a}"))).send().await.expect("download")).await.assert_status(200);
    assert_eq!(file.body, png(8));
    assert!(file.header("content-disposition").unwrap_or_default().starts_with("attachment;"));
    let r = Resp::from(shuji.client.post(app.url(&format!("/attachments/{a}/delete"))).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("_csrf", &shuji.csrf)])).send().await.expect("delete")).await;
    assert_eq!(r.status, 303, "{r:?}");
    assert!(Resp::from(shuji.client.get(app.url(&format!("/meetings/{id}"))).send().await.expect("page")).await.text().contains("暂无附件"));
    // A member sees the list but no upload form.
    let dangyuan = app.demo_login("dangyuan1").await;
    let show = Resp::from(dangyuan.client.get(app.url(&format!("/meetings/{id}"))).send().await.expect("page")).await.assert_status(200).text();
    assert!(show.contains("附件") && !show.contains(r#"enctype="multipart/form-data""#));
}

#[tokio::test]
async fn a_backup_carries_the_attachments_into_a_clean_instance() {
    let (source, shuji) = demo_api("shuji1").await;
    let id = meeting(&shuji, source.org_id(OWN_BRANCH).await).await;
    let a = upload(&shuji, id, "会场.png", "image/png", png(9)).await.assert_status(201).json()["id"].as_i64().unwrap();
    let removed = upload(&shuji, id, "签到表.pdf", "application/pdf", pdf()).await.assert_status(201).json()["id"].as_i64().unwrap();
    shuji.delete(&format!("/attachments/{removed}")).await.assert_status(204);
    let mut dump = Vec::new();
    backup::backup(&source.store, &mut dump).await.expect("backup");
    let text = String::from_utf8(dump.clone()).expect("utf-8");
    let trailer: Value = serde_json::from_str(text.lines().last().unwrap()).expect("trailer");
    let files = stored_files(&attachments_dir(&source)).len();
    assert_eq!(files, 4, "the demo's two photos and ours");
    assert_eq!(trailer["trailer"]["files"], files, "removed attachments are kept, so backed up");

    // Damaged attachment content is refused as a whole, and no file is left behind.
    let damaged = {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let i = lines.iter().position(|l| l.starts_with(r#"{"data":"#)).expect("a file line");
        let mut v: Value = serde_json::from_str(&lines[i]).unwrap();
        let data = v["data"].as_str().unwrap().to_string();
        v["data"] = json!(format!("{}{}", if data.starts_with('A') { "B" } else { "A" }, &data[1..]));
        lines[i] = v.to_string();
        lines.join("\n") + "\n"
    };
    let target = spawn_app().await;
    assert!(backup::restore(&target.store, &mut damaged.as_bytes()).await.is_err());
    assert!(stored_files(&attachments_dir(&target)).is_empty(), "a refused restore writes no file");
    assert_eq!(target.scalar("SELECT COUNT(*) FROM meeting_attachments").await, 0);

    backup::restore(&target.store, &mut &dump[..]).await.expect("restore");
    assert_ne!(attachments_dir(&target), attachments_dir(&source));
    assert_eq!(stored_files(&attachments_dir(&target)).len(), files, "every file, and no staging directory left");
    let api = target.demo_login("shuji1").await;
    let r = api.get(&format!("/attachments/{a}")).await.assert_status(200);
    assert_eq!(r.body, png(9), "same bytes after restore");
    assert_eq!(r.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(api.get_ok(&format!("/meetings/{id}/attachments")).await.as_array().unwrap().len(), 1);
    // New uploads after the restore get new ids.
    upload(&api, id, "恢复后.png", "", png(10)).await.assert_status(201);
}

#[tokio::test]
async fn the_demo_shows_photos_on_two_meetings_only() {
    let (app, shuji) = demo_api("shuji1").await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM meeting_attachments").await, 2);
    assert!(app.scalar("SELECT COUNT(*) FROM meetings").await > 1000, "the others count without any");
    let own = app.org_id(OWN_BRANCH).await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM meeting_attachments f JOIN meetings g ON g.id = f.meeting_id WHERE g.org_id = {own}")).await, 2, "shown to shuji1");
    let a = app.scalar("SELECT MIN(id) FROM meeting_attachments").await;
    let r = shuji.get(&format!("/attachments/{a}")).await.assert_status(200);
    assert_eq!(r.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(dangjian_domain::life::attachment::MediaType::sniff(&r.body), Some(dangjian_domain::life::attachment::MediaType::Png));
}
