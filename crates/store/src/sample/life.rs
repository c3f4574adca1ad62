//! 演示组织生活 — a year and a half of meetings with attendance for the demo tree, so every
//! page of the area shows something on first start: most branches hold their monthly 支委会 and
//! 主题党日 and their quarterly 党员大会 with a 党课; a few hold them late or miss some; in each
//! branch a member or two is absent often. Written in bulk (explicit ids, multi-row inserts).
//! The first branch's (SZJGGW-A01-B1's) two latest 主题党日 have a photo attached (drawn here, not shipped), the
//! rest none: a meeting counts either way.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use dangjian_domain::life::attachment::AttachmentInput;
use dangjian_domain::life::meeting::{cst_day_start, format_starts_at};
use dangjian_domain::life::{AttendanceInput, AttendanceStatus, MeetingKind, MeetingNotes};
use dangjian_domain::member::Status;
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::Value;
use serde_json::json;

use super::names::Rng;
use crate::life::counts::{self, kind_row};
use crate::org::{Node, Org};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store};

record! {
    struct Person from "members" as "m" { id: i64, org_id: i64, group_id: Option<i64>, name: String, status: Status }
}

const TOPICS: &[&str] = &[
    "学习贯彻党的二十届四中全会精神",
    "深入学习《中国共产党章程》",
    "学习《中国共产党支部工作条例（试行）》",
    "落实全面从严治党主体责任",
    "锲而不舍落实中央八项规定精神",
    "围绕中心工作开展岗位建功",
    "学习《党和国家机关基层组织工作条例》",
    "重温入党誓词，坚定理想信念",
    "学习身边先进典型事迹",
    "开展警示教育，筑牢廉洁防线",
];
const LECTURES: &[&str] = &["牢记初心使命，争做合格党员", "以党的政治建设为统领", "发扬斗争精神，增强斗争本领", "弘扬伟大建党精神", "在服务群众中践行宗旨"];
const PLACES: &[&str] = &["机关三楼会议室", "党员活动室", "本单位第二会议室", "市党史教育基地"];
const LEAVE_REASONS: &[&str] = &["出差", "外出培训", "病假", "下乡调研", "公务外出"];

/// A member or two drifting towards the 6-month line (党章 art. 9), by id: in every branch of 7
/// or more one member stopped coming four months ago; in every third branch another, seven
/// months ago. Returns member id → months since they last came.
fn drifting(by_org: &HashMap<i64, Vec<&Person>>, nodes: &[Node]) -> HashMap<i64, u32> {
    let mut out = HashMap::new();
    for o in nodes.iter().filter(|o| o.kind.is_branch()) {
        let roster = by_org.get(&o.id).map(Vec::as_slice).unwrap_or_default();
        if roster.len() >= 7 {
            let at = roster.len() * 2 / 3;
            out.insert(roster[at].id, 4);
            if o.id % 3 == 0 {
                out.insert(roster[at + 1].id, 7);
            }
        }
    }
    out
}

struct Planned {
    org: Node,
    kinds: Vec<MeetingKind>,
    day: NaiveDate,
    topic: String,
    lecture: bool,
    guests: serde_json::Value,
    /// 补开: the period a late record makes up.
    makes_up: Option<Period>,
}

/// Plans the meetings of `o` from `start` to `today`. `weak` organisations skip or delay some.
fn plan(o: &Node, start: NaiveDate, today: NaiveDate, weak: bool, has_committee: bool, rng: &mut Rng, out: &mut Vec<Planned>) {
    let mut month = start;
    let mut m = 0usize;
    while month <= today {
        let day = |d: u32| NaiveDate::from_ymd_opt(month.year(), month.month(), d).expect("valid day");
        let topic = |rng: &mut Rng| TOPICS[rng.below(TOPICS.len() as u64) as usize].to_string();
        let mut add = |kinds: Vec<MeetingKind>, d: NaiveDate, topic: String, lecture: bool, guests: serde_json::Value, makes_up: Option<Period>| {
            if d < today {
                out.push(Planned { org: o.clone(), kinds, day: d, topic, lecture, guests, makes_up });
            }
        };
        let q_month = (month.month() - 1) % 3;
        match o.kind {
            k if k.is_branch() => {
                if has_committee && !(weak && rng.chance(25)) {
                    add(vec![MeetingKind::BranchCommitteeMeeting], day(3 + (o.id % 4) as u32), format!("研究{}月份支部工作", month.month()), false, json!([]), None);
                }
                let skipped = (weak && rng.chance(30)) || rng.chance(5);
                if !skipped {
                    add(vec![MeetingKind::ThemeDay], day(10 + (o.id % 10) as u32), format!("主题党日：{}", topic(rng)), false, json!([]), None);
                }
                // The quarter's 党员大会 with its 党课, in the quarter's second month; a weak
                // branch sometimes holds the lecture late, in the next quarter's first week.
                if q_month == 1 {
                    let late = weak && rng.chance(40);
                    let missing = weak && !late && rng.chance(30);
                    if late {
                        add(vec![MeetingKind::BranchGeneralMeeting], day(20), topic(rng), false, json!([]), None);
                        if let Some(next) = month.checked_add_months(Months::new(2)) {
                            add(vec![MeetingKind::PartyLecture], next + chrono::Days::new(3), "补上季度党课".into(), true, json!([]), Period::containing(PeriodKind::Quarter, month));
                        }
                    } else if missing {
                        add(vec![MeetingKind::BranchGeneralMeeting], day(20), topic(rng), false, json!([]), None);
                    } else {
                        add(vec![MeetingKind::BranchGeneralMeeting, MeetingKind::PartyLecture], day(20), topic(rng), true, json!([]), None);
                    }
                }
                // 谈心谈话 once a year (支部条例 art. 19), the secretary with two members; a
                // weak branch now and then forgets it.
                if month.month() == 6 && !(weak && rng.chance(50)) {
                    add(vec![MeetingKind::HeartToHeartTalk], day(12), "谈心谈话：交流思想和工作情况".into(), false, json!([]), None);
                }
                // 组织生活会 with 民主评议党员, generally in the fourth quarter (支部条例 art. 17–18).
                if month.month() == 12 {
                    add(vec![MeetingKind::OrgLifeMeeting, MeetingKind::MemberAppraisal], day(18), format!("{}年度组织生活会和民主评议党员", month.year()), false, json!([]), None);
                }
            }
            OrgKind::Group if !rng.chance(15) => {
                add(vec![MeetingKind::GroupMeeting], day(25), format!("党小组学习：{}", topic(rng)), false, json!([]), None);
            }
            OrgKind::LeadingGroup | OrgKind::AgencyCommittee => {
                // 中心组学习 every other month, with a 工委 officer sitting in (seed 001).
                if month.month().is_multiple_of(2) {
                    add(vec![MeetingKind::CentralGroupStudy], day(15), format!("中心组集体学习：{}", topic(rng)), false, json!([{"name": "王建国", "unit": "市直机关工委组织部"}]), None);
                }
                if month.month() == 12 {
                    add(vec![MeetingKind::DemocraticLifeMeeting], day(26), format!("{}年度民主生活会", month.year()), false, json!([{"name": "李红", "unit": "市直机关工委"}]), None);
                }
            }
            _ => {}
        }
        m += 1;
        month = start.checked_add_months(Months::new(m as u32)).expect("in range");
    }
}

/// The members each organisation's meetings list: its own roster, and for a 党小组 the members
/// placed in it.
async fn rosters(store: &Store, tenant: i64) -> Result<Vec<Person>> {
    let stmt = Person::select().and_where(col("m", "tenant_id").eq(tenant)).order_by((Alias::new("m"), Alias::new("id")), sea_orm::sea_query::Order::Asc).to_owned();
    Ok(query::fetch(&store.db, &stmt).await?)
}

fn by_org(people: &[Person]) -> HashMap<i64, Vec<&Person>> {
    let mut by_org: HashMap<i64, Vec<&Person>> = HashMap::new();
    for p in people.iter().filter(|p| p.status.is_member()) {
        by_org.entry(p.org_id).or_default().push(p);
        if let Some(g) = p.group_id {
            by_org.entry(g).or_default().push(p);
        }
    }
    by_org
}

/// What a batch wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub meetings: usize,
    pub attendance: usize,
}

/// Plans and writes the meetings of `nodes` (the `first`-th onwards of their tree: every fifth is
/// a weak one) from `start` to `today` in one transaction, with the counts and participation
/// dates of those organisations and members. Returns the planned records with their ids.
#[allow(clippy::too_many_arguments)]
async fn write_batch(
    store: &Store,
    nodes: &[Node],
    first: usize,
    by_org: &HashMap<i64, Vec<&Person>>,
    drift: &HashMap<i64, u32>,
    start: NaiveDate,
    today: NaiveDate,
    rng: &mut Rng,
) -> Result<(Written, Vec<(i64, Planned)>)> {
    let mut planned = Vec::new();
    for (i, o) in nodes.iter().enumerate() {
        let roster = by_org.get(&o.id).map(Vec::len).unwrap_or(0);
        plan(o, start, today, (first + i) % 5 == 4, roster >= 7, rng, &mut planned);
    }
    planned.sort_by_key(|p| (p.day, p.org.id));
    let base = query::scalar(&store.db, &Query::select().expr(Expr::col(Alias::new("id")).max()).from(Alias::new("meetings")).to_owned()).await? + 1;
    let now = time::now_unix();
    let (mut meetings, mut kinds, mut attendance, mut versions) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut members: Vec<i64> = Vec::new();
    for (n, p) in planned.iter().enumerate() {
        let id = base + n as i64;
        let tenant = p.org.tenant_id.unwrap_or(p.org.id);
        let starts_at = cst_day_start(p.day) + 15 * 3600;
        let roster = by_org.get(&p.org.id).cloned().unwrap_or_default();
        let host = roster.first().map(|m| m.name.clone()).unwrap_or_default();
        let recorder = roster.get(2).map(|m| m.name.clone()).unwrap_or_default();
        let (lecturer, lecture_title) = if p.lecture { (host.clone(), LECTURES[n % LECTURES.len()].to_string()) } else { (String::new(), String::new()) };
        // Three meetings were corrected once: the place was entered wrongly.
        let corrected = n % 700 == 5;
        let place = PLACES[(p.org.id as usize + n) % PLACES.len()].to_string();
        let notes = MeetingNotes {
            place: place.clone(),
            host: host.clone(),
            recorder,
            lecturer,
            lecture_title,
            topic: p.topic.clone(),
            agenda: "一、学习有关文件；二、交流讨论；三、部署下阶段工作".into(),
            ..Default::default()
        };
        let mut row: Vec<(&'static str, Value)> = vec![
            ("id", id.into()),
            ("tenant_id", tenant.into()),
            ("org_id", p.org.id.into()),
            ("org_path", p.org.path.clone().into()),
            ("starts_at", starts_at.into()),
            ("makes_up", p.makes_up.map(|m| m.to_string()).into()),
            ("guests", p.guests.to_string().into()),
            ("version", (if corrected { 2i64 } else { 1i64 }).into()),
            ("created_by", 0i64.into()),
            ("created_at", now.into()),
            ("updated_by", 0i64.into()),
            ("updated_at", now.into()),
        ];
        row.extend(MeetingNotes::FIELDS.iter().map(|f| (f.code, (f.get)(&notes).clone().into())));
        meetings.push(row);
        for k in &p.kinds {
            kinds.push(kind_row(id, tenant, &p.org, *k, starts_at, p.makes_up));
        }
        let mut listed = Vec::new();
        let talk = MeetingKind::lists_participants_only(&p.kinds);
        for (j, m) in roster.iter().enumerate().take(if talk { 3 } else { usize::MAX }) {
            // The 21st member of each roster drifts away: absent two meetings in three.
            let (status, reason) = if talk {
                (AttendanceStatus::Present, "")
            } else if drift.get(&m.id).is_some_and(|months| today.checked_sub_months(Months::new(*months)).is_some_and(|d| p.day > d)) || (j == 20 && rng.chance(67)) {
                (AttendanceStatus::Absent, "")
            } else if rng.chance(6) {
                (AttendanceStatus::Leave, LEAVE_REASONS[rng.below(LEAVE_REASONS.len() as u64) as usize])
            } else if rng.chance(2) {
                (AttendanceStatus::Absent, "")
            } else {
                (AttendanceStatus::Present, "")
            };
            members.push(m.id);
            attendance.push(vec![("meeting_id", id.into()), ("tenant_id", tenant.into()), ("member_id", m.id.into()), ("status", status.into()), ("reason", reason.to_string().into())]);
            listed.push(json!({"member_id": m.id, "status": status, "reason": reason}));
        }
        if corrected {
            let before = json!({"kinds": p.kinds, "starts_at": format_starts_at(starts_at), "place": "（误填）", "host": host, "topic": p.topic, "attendance": listed});
            versions.push(vec![
                ("meeting_id", id.into()),
                ("tenant_id", tenant.into()),
                ("version", 1i64.into()),
                ("author_id", 0i64.into()),
                ("at", now.into()),
                ("record", before.to_string().into()),
            ]);
        }
    }
    let written = Written { meetings: planned.len(), attendance: attendance.len() };
    let txn = store.write().await?;
    query::insert_chunked(&txn, "meetings", meetings).await?;
    query::insert_chunked(&txn, "meeting_kinds", kinds).await?;
    query::insert_chunked(&txn, "meeting_attendance", attendance).await?;
    query::insert_chunked(&txn, "meeting_versions", versions).await?;
    let orgs: Vec<i64> = nodes.iter().map(|n| n.id).collect();
    counts::rebuild_orgs(&txn, &orgs).await?;
    crate::life::attendance_counts::rebuild_orgs(&txn, &orgs).await?;
    members.sort_unstable();
    members.dedup();
    for chunk in members.chunks(5_000) {
        crate::life::participation::recompute(&txn, chunk).await?;
    }
    crate::dialect::reset_sequence(&txn, "meetings").await?;
    txn.commit().await?;
    Ok((written, planned.into_iter().enumerate().map(|(n, p)| (base + n as i64, p)).collect()))
}

/// Writes the demo's meetings; called once from `sample::demo` after the members exist.
pub(crate) async fn demo(store: &Store, root: &Org) -> Result<()> {
    let today = time::today_cst();
    let start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).and_then(|d| d.checked_sub_months(Months::new(18))).expect("in range");
    let tree = store.tree().await?;
    let nodes: Vec<Node> = tree.subtree(&root.path).iter().filter(|n| n.active).cloned().collect();
    let people = rosters(store, root.id).await?;
    let by_org = by_org(&people);
    let drift = drifting(&by_org, &nodes);
    let mut rng = Rng::new(1921);
    let (written, planned) = write_batch(store, &nodes, 0, &by_org, &drift, start, today, &mut rng).await?;
    let ctx = Ctx::cli("demo");
    let txn = store.write().await?;
    audit::record(&txn, store.crypto.as_ref(), &ctx, "demo.life", &format!("org:{}", root.id), "ok", json!({"meetings": written.meetings, "attendance": written.attendance})).await?;
    txn.commit().await?;
    // The demo secretary's branch, so that the first look at a meeting page can show them.
    let first_branch = nodes.iter().find(|n| n.code == "SZJGGW-A01-B1").map(|n| n.id);
    let photographed = planned.iter().rev().filter(|(_, p)| Some(p.org.id) == first_branch && p.kinds.contains(&MeetingKind::ThemeDay)).take(2);
    for (i, (id, _)) in photographed.enumerate() {
        let photo = demo_photo(i as u32);
        let input = AttachmentInput { file_name: "活动照片.png", declared_type: "image/png", bytes: &photo };
        crate::life::attachment::add(store, &ctx, *id, &input).await?;
    }
    added_kind(store, &ctx, root, &nodes, &by_org, &drift, today).await
}

/// 自定义会议类别: the demo installation added a 廉政教育, and the first branches of the first
/// 机关党委 held one last month (recorded as a secretary records, through the store).
async fn added_kind(store: &Store, ctx: &Ctx, root: &Org, nodes: &[Node], by_org: &HashMap<i64, Vec<&Person>>, drift: &HashMap<i64, u32>, today: NaiveDate) -> Result<()> {
    let input = dangjian_domain::life::local_kind::LocalKindInput { code: "integrity_education".into(), name: "廉政教育".into(), held_by: vec!["branch".into(), "joint_branch".into()] };
    let kind = crate::life::local_kind::add(store, ctx, root.id, &input).await?;
    let day = today.checked_sub_months(Months::new(1)).unwrap_or(today);
    for (i, o) in nodes.iter().filter(|n| n.kind == OrgKind::Branch && n.code.starts_with("SZJGGW-A01-")).take(3).enumerate() {
        let meeting = crate::life::MeetingInput {
            org_id: o.id,
            local_kinds: vec![kind.code.clone()],
            starts_at: format!("{}T15:00:00+08:00", day.with_day(10 + i as u32).unwrap_or(day)),
            topic: "廉政教育：观看警示教育片并交流".into(),
            place: PLACES[i % PLACES.len()].into(),
            // Those drifting away stayed away from this one too.
            attendance: by_org
                .get(&o.id)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|m| AttendanceInput { member_id: m.id, status: if drift.contains_key(&m.id) { "absent" } else { "present" }.into(), reason: String::new() })
                .collect(),
            ..Default::default()
        };
        crate::life::create(store, ctx, &meeting).await?;
    }
    Ok(())
}

/// `gen --years N`: the same life for a generated tenant over the last `years` years, written
/// in batches of organisations so memory stays flat at city scale.
pub(crate) async fn generate(store: &Store, root_id: i64, root_path: &str, years: u32, seed: u64) -> Result<Written> {
    let today = time::today_cst();
    let start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).and_then(|d| d.checked_sub_months(Months::new(12 * years))).expect("in range");
    let tree = store.tree().await?;
    let nodes: Vec<Node> = tree.subtree(root_path).iter().filter(|n| n.active).cloned().collect();
    let mut rng = Rng::new(seed ^ 1921);
    let mut total = Written::default();
    const BATCH: usize = 200;
    for (b, chunk) in nodes.chunks(BATCH).enumerate() {
        let ids: Vec<i64> = chunk.iter().map(|n| n.id).collect();
        let stmt = Person::select().and_where(col("m", "tenant_id").eq(root_id)).and_where(col("m", "org_id").is_in(ids)).to_owned();
        let people: Vec<Person> = query::fetch(&store.db, &stmt).await?;
        let by_org = by_org(&people);
        let drift = drifting(&by_org, chunk);
        let (w, _) = write_batch(store, chunk, b * BATCH, &by_org, &drift, start, today, &mut rng).await?;
        total.meetings += w.meetings;
        total.attendance += w.attendance;
        tracing::info!(meetings = total.meetings, attendance = total.attendance, "generated life");
    }
    Ok(total)
}

/// A small PNG standing in for a photo of the meeting: a red banner over a pale wall, its shade
/// varied by `seed` (0 to 4 give different pictures).
pub(super) fn demo_photo(seed: u32) -> Vec<u8> {
    use std::io::Write;
    let (w, h) = (160u32, 90u32);
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            let banner = (12..30).contains(&y) && (16..144).contains(&x);
            let px: [u8; 3] = if banner { [200, 16 + (seed % 5) as u8 * 8, 24] } else { [236 - (y / 6) as u8, 226 - (x / 12) as u8, 210] };
            raw.extend_from_slice(&px);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("in memory");
    let idat = z.finish().expect("in memory");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    // 8 bits per channel, RGB, deflate, no filter method beyond the standard, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", &ihdr[..]), (b"IDAT", &idat[..]), (b"IEND", &[][..])] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::demo_photo;

    /// Every chunk's CRC holds and the image data inflates to the rows IHDR promises.
    #[test]
    fn the_demo_photo_is_a_well_formed_png() {
        let png = demo_photo(3);
        assert_eq!(dangjian_domain::life::attachment::MediaType::sniff(&png), Some(dangjian_domain::life::attachment::MediaType::Png));
        let mut at = 8;
        let mut chunks = Vec::new();
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let (kind, data) = (&png[at + 4..at + 8], &png[at + 8..at + 8 + len]);
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32fast::hash(&png[at + 4..at + 8 + len]), "CRC of {}", String::from_utf8_lossy(kind));
            chunks.push((kind.to_vec(), data.to_vec()));
            at += 12 + len;
        }
        let names: Vec<&[u8]> = chunks.iter().map(|c| &c.0[..]).collect();
        assert_eq!(names, vec![&b"IHDR"[..], b"IDAT", b"IEND"]);
        let (w, h) = (u32::from_be_bytes(chunks[0].1[0..4].try_into().unwrap()), u32::from_be_bytes(chunks[0].1[4..8].try_into().unwrap()));
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&chunks[1].1[..]).read_to_end(&mut raw).expect("inflates");
        assert_eq!(raw.len() as u32, (w * 3 + 1) * h);
    }
}
