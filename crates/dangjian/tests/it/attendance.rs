//! 出席计数: the attendance counts kept on write (`attendance_counts`) equal a direct count of
//! the records after the demo's bulk load and after each write through the API — a record,
//! a correction across a month and a year (by its day in China), of its attendance and of its
//! kinds, a deletion — and after a move the rule 出席率 still finds the organisation's records.

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::helpers::*;

/// The kinds compared: every record once (`*`), and the kinds the test writes.
const KINDS: [&str; 4] = ["*", "branch_general_meeting", "party_lecture", "theme_day"];

/// The periods around the turn of 2025 to 2026, each with its first and last day.
fn periods() -> Vec<(&'static str, NaiveDate, NaiveDate)> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("day");
    vec![
        ("2025-12", d(2025, 12, 1), d(2025, 12, 31)),
        ("2025Q4", d(2025, 10, 1), d(2025, 12, 31)),
        ("2025H2", d(2025, 7, 1), d(2025, 12, 31)),
        ("2025", d(2025, 1, 1), d(2025, 12, 31)),
        ("2026-01", d(2026, 1, 1), d(2026, 1, 31)),
        ("2026Q1", d(2026, 1, 1), d(2026, 3, 31)),
        ("2026H1", d(2026, 1, 1), d(2026, 6, 30)),
        ("2026", d(2026, 1, 1), d(2026, 12, 31)),
    ]
}

/// The first instant of a day in China.
fn cst(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp() - 8 * 3600
}

/// Records, present, leave and absent of `org`'s live records of `kind` in the period, as the
/// roll-up holds them and as counted from the records.
async fn both(app: &TestApp, org: i64, kind: &str, period: &str, first: NaiveDate, last: NaiveDate) -> ([i64; 4], [i64; 4]) {
    let mut kept = [0; 4];
    for (i, c) in ["meetings", "present", "leave", "absent"].iter().enumerate() {
        kept[i] = app.scalar(&format!("SELECT CAST(COALESCE(SUM({c}), 0) AS BIGINT) FROM attendance_counts WHERE org_id = {org} AND kind = '{kind}' AND period = '{period}'")).await;
    }
    let (from, until) = (cst(first), cst(last.succ_opt().expect("next")));
    let by_kind = if kind == "*" { String::new() } else { format!(" JOIN meeting_kinds k ON k.meeting_id = g.id AND k.kind = '{kind}'") };
    let base = format!("FROM meeting_attendance a JOIN meetings g ON g.id = a.meeting_id{by_kind} WHERE g.org_id = {org} AND g.deleted_at IS NULL AND g.starts_at >= {from} AND g.starts_at < {until}");
    let counted = [
        app.scalar(&format!("SELECT COUNT(DISTINCT g.id) {base}")).await,
        app.scalar(&format!("SELECT COUNT(*) {base} AND a.status = 'present'")).await,
        app.scalar(&format!("SELECT COUNT(*) {base} AND a.status = 'leave'")).await,
        app.scalar(&format!("SELECT COUNT(*) {base} AND a.status = 'absent'")).await,
    ];
    (kept, counted)
}

/// Every compared (kind, period) of `org` holds what its records count.
async fn matches(app: &TestApp, org: i64, after: &str) {
    for kind in KINDS {
        for (period, first, last) in periods() {
            let (kept, counted) = both(app, org, kind, period, first, last).await;
            assert_eq!(kept, counted, "{after}: {kind} {period}");
        }
    }
}

/// What the roll-up holds for `org`, `kind` and `period`: records and attendance lines.
async fn kept(app: &TestApp, org: i64, kind: &str, period: &str) -> [i64; 4] {
    let (first, last) = periods().into_iter().find(|p| p.0 == period).map(|p| (p.1, p.2)).expect("a compared period");
    both(app, org, kind, period, first, last).await.0
}

fn record(org: i64, kinds: &[&str], starts_at: &str, attendance: Value) -> Value {
    json!({
        "org_id": org,
        "kinds": kinds,
        "starts_at": starts_at,
        "topic": "学习党章",
        "lecturer": "支部书记",
        "lecture_title": "牢记初心使命",
        "place": "三楼会议室",
        "attendance": attendance,
    })
}

#[tokio::test]
async fn the_counts_kept_on_write_equal_the_records_after_every_write() {
    let (app, shuji) = demo_api("shuji1").await;
    let own = app.org_id(OWN_BRANCH).await;
    let m: Vec<i64> = {
        let sql = format!("SELECT id FROM members WHERE org_id = {own} AND status IN ('full', 'probationary') ORDER BY id");
        let mut out = Vec::new();
        for i in 0..4 {
            out.push(app.scalar(&format!("{sql} LIMIT 1 OFFSET {i}")).await);
        }
        out
    };
    // The demo's bulk load, every organisation: the year rows add up to the records.
    let all = |kind: &str| format!("SELECT COUNT(*) FROM meeting_attendance a JOIN meetings g ON g.id = a.meeting_id WHERE g.deleted_at IS NULL AND g.starts_at >= {} AND g.starts_at < {}{kind}", cst(periods()[3].1), cst(periods()[4].1));
    let lines = app.scalar(&all("")).await;
    assert!(lines > 0, "the demo has attendance in 2025");
    assert_eq!(app.scalar("SELECT CAST(SUM(present + leave + absent) AS BIGINT) FROM attendance_counts WHERE kind = '*' AND period = '2025'").await, lines);
    assert_eq!(app.scalar("SELECT CAST(SUM(present) AS BIGINT) FROM attendance_counts WHERE kind = '*' AND period = '2025'").await, app.scalar(&all(" AND a.status = 'present'")).await);
    matches(&app, own, "the demo").await;

    // A record late on New Year's Eve, of two kinds.
    let before = kept(&app, own, "party_lecture", "2025-12").await;
    let att = json!([
        {"member_id": m[0], "status": "present"},
        {"member_id": m[1], "status": "present"},
        {"member_id": m[2], "status": "leave", "reason": "出差"},
        {"member_id": m[3], "status": "absent"},
    ]);
    let body = record(own, &["branch_general_meeting", "party_lecture"], "2025-12-31T20:00:00+08:00", att);
    let id = shuji.post_json("/meetings", &body).await.assert_status(201).json()["id"].as_i64().expect("id");
    let after = kept(&app, own, "party_lecture", "2025-12").await;
    assert_eq!([after[0] - before[0], after[1] - before[1], after[2] - before[2], after[3] - before[3]], [1, 2, 1, 1]);
    matches(&app, own, "a record").await;

    // Corrected to the next morning in China (still 31 December in UTC), another kind in place
    // of the lecture, and its attendance changed.
    let att = json!([
        {"member_id": m[0], "status": "present"},
        {"member_id": m[1], "status": "absent"},
        {"member_id": m[2], "status": "absent"},
    ]);
    let mut body = record(own, &["branch_general_meeting", "theme_day"], "2026-01-01T07:00:00+08:00", att);
    body["version"] = json!(1);
    shuji.request("PUT", &format!("/meetings/{id}"), Some(&body)).await.assert_status(200);
    assert_eq!(kept(&app, own, "party_lecture", "2025-12").await, before, "the lecture left December");
    let jan = kept(&app, own, "theme_day", "2026-01").await;
    assert!(jan[0] >= 1 && jan[3] >= 2, "{jan:?}");
    matches(&app, own, "a correction").await;

    // Deleted: it leaves every count.
    let jan_all = kept(&app, own, "*", "2026").await;
    shuji.request("DELETE", &format!("/meetings/{id}"), Some(&json!({"reason": "重复登记"}))).await.assert_status(204);
    let now = kept(&app, own, "*", "2026").await;
    assert_eq!([jan_all[0] - now[0], jan_all[1] - now[1], jan_all[3] - now[3]], [1, 1, 2]);
    matches(&app, own, "a deletion").await;
}

#[tokio::test]
async fn after_a_move_the_rule_still_finds_the_records() {
    let (app, zuzhi) = demo_api("zuzhi").await;
    let own = app.org_id(OWN_BRANCH).await;
    let a02 = app.org_id("SZJGGW-A02").await;
    zuzhi.post_json(&format!("/orgs/{own}/move"), &json!({"parent_id": a02, "reason": "机构改革，调整隶属关系"})).await.assert_status(200);
    let path = app.scalar(&format!("SELECT COUNT(*) FROM attendance_counts c JOIN orgs o ON o.id = c.org_id WHERE c.org_id = {own} AND c.org_path = o.path")).await;
    assert!(path > 0, "the branch's counts are kept");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM attendance_counts c JOIN orgs o ON o.id = c.org_id WHERE c.org_id = {own} AND c.org_path <> o.path")).await, 0, "every row follows the branch");

    let scheme = json!({
        "org_id": a02, "name": "参会率考核", "scale": 100, "period_kind": "half",
        "indicators": [{"name": "组织生活", "points": "100", "children": [
            {"name": "参会率", "points": "60", "method": "computed", "rule": "attendance_rate"},
            {"name": "党课参会率", "points": "40", "method": "computed", "rule": "attendance_rate", "kind": "party_lecture"}
        ]}]
    });
    let scheme = zuzhi.post_json("/assessment-schemes", &scheme).await.assert_status(201).json()["id"].as_i64().expect("id");
    let id = zuzhi.post_json("/assessments", &json!({"scheme_id": scheme, "org_id": a02, "period": "2025H2"})).await.assert_status(201).json()["id"].as_i64().expect("id");
    let d = zuzhi.get_ok(&format!("/assessments/{id}/scores/{own}")).await;
    let line = |code: &str| d["lines"].as_array().expect("lines").iter().find(|l| l["code"] == code).cloned().unwrap_or_else(|| panic!("no line {code}: {d}"));
    let (first, last) = (NaiveDate::from_ymd_opt(2025, 7, 1).expect("day"), NaiveDate::from_ymd_opt(2025, 12, 31).expect("day"));
    for (code, kind) in [("1.1", "*"), ("1.2", "party_lecture")] {
        let (_, counted) = both(&app, own, kind, "2025H2", first, last).await;
        assert!(counted[0] > 0, "the demo has {kind} records in 2025H2");
        let l = line(code);
        assert_eq!(l["basis"]["done"], counted[1], "{l}");
        assert_eq!(l["basis"]["due"], counted[1] + counted[2] + counted[3], "{l}");
        assert_eq!(l["basis"]["attendance"]["meetings"], counted[0], "{l}");
    }
}
