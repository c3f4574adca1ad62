//! The demo's 定期汇报 and 责任清单: this quarter's 党建工作汇报 of the 工委, due yesterday, with
//! the reports of one 机关党委's branches in every state — accepted in time, one returned with
//! comments, one submitted late and awaiting review — and the 责任清单 of a few branches. The
//! demo secretary's branch has not reported yet, so its home page links to the report.

use chrono::{Datelike, Days, NaiveDate};
use dangjian_domain::duty::report::{reports_upward, ScheduleInput, Section};
use dangjian_domain::life::attachment::AttachmentInput;
use dangjian_domain::duty::responsibility::TaskInput;
use dangjian_domain::life::meeting::cst_day_start;
use dangjian_domain::member::Status;
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::{Period, PeriodKind};
use dangjian_domain::time;
use sea_orm::sea_query::{ExprTrait, Order};

use crate::duty::{report, responsibility};
use crate::org::Org;
use crate::query::{self, col, record};
use crate::{Ctx, Result, Store};

const SECTIONS: [&str; 3] = ["工作开展情况", "存在问题", "下步打算"];

const TEXTS: [[&str; 3]; 3] = [
    [
        "本季度支部认真落实“三会一课”制度，围绕中心工作开展主题党日活动，组织党员集中学习党的创新理论；结合业务工作开展调查研究，党员在窗口服务中亮身份、作表率。",
        "部分党员理论学习的系统性不够，学用结合还需加强；支部活动形式较为单一。",
        "下季度按期召开组织生活会和民主评议党员，开展谈心谈话全覆盖，结合年度工作总结做好述职准备。",
    ],
    [
        "支部坚持每月召开支委会研究党建和业务工作，按期开展主题党日；组织党员参加志愿服务，联系群众办实事。",
        "个别党员参加组织生活不够经常，党小组活动开展不够均衡。",
        "加强对流动党员的联系和管理，督促党小组按月开展活动，推动党建与业务深度融合。",
    ],
    [
        "本季度支部围绕机关作风建设开展专题学习讨论，支部书记讲授专题党课，党员撰写心得体会；规范党费收缴和组织关系转接。",
        "支部委员分工履职还不够到位，发展党员工作进度偏慢。",
        "完善支委分工，落实发展党员工作计划，按季度向机关党委报告党建工作情况。",
    ],
];

record! {
    struct Roster from "members" as "m" { id: i64 }
}

fn day_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

pub(crate) async fn demo(store: &Store, root: &Org) -> Result<()> {
    let ctx = Ctx::cli("demo");
    let today = time::today_cst();
    let due_on = day_before(today, 1);
    let quarter = Period::containing(PeriodKind::Quarter, due_on).expect("every day is in a quarter");
    let q = ["一", "二", "三", "四"][(quarter.index() as usize).clamp(1, 4) - 1];
    let schedule = report::create_schedule(store, &ctx, root.id, &ScheduleInput {
        title: format!("{}年第{q}季度党建工作汇报", quarter.year()),
        period: quarter.to_string(),
        deadline: time::format_date(due_on),
        sections: SECTIONS.iter().map(|s| s.to_string()).collect(),
        attachments_required: false,
        scope_org_id: None,
        note: "按《党建工作定期汇报制度》，各党支部向所在机关党委（党总支）报告，机关党委汇总后向工委报告。汇报数据取自系统记录，无需另行统计。".into(),
    })
    .await?;
    let tree = store.tree().await?;
    // The branches of the second 机关党委 (the first holds the demo secretary's branch).
    let committees: Vec<i64> = tree.children(root.id).filter(|n| n.kind == OrgKind::AgencyCommittee).map(|n| n.id).collect();
    let Some(second) = committees.get(1).and_then(|id| tree.get(*id)) else { return Ok(()) };
    let branches: Vec<i64> = tree.subtree(&second.path).iter().filter(|n| n.active && n.kind == OrgKind::Branch && reports_upward(n.kind)).map(|n| n.id).collect();
    let in_time = cst_day_start(day_before(due_on, 3)) + 10 * 3600;
    let reviewed = cst_day_start(day_before(due_on, 1)) + 15 * 3600;
    for (i, b) in branches.iter().enumerate() {
        let opened = cst_day_start(day_before(due_on, 8)) + 9 * 3600;
        let r = report::open_at(store, &ctx, schedule.id, *b, opened).await?;
        let words = TEXTS[i % TEXTS.len()];
        let sections: Vec<Section> = SECTIONS.iter().zip(words).map(|(t, w)| Section { title: t.to_string(), text: w.to_string() }).collect();
        report::save(store, &ctx, r.id, &sections).await?;
        match i {
            // Submitted a day late, awaiting review.
            0 => {
                report::submit_at(store, &ctx, r.id, time::now_unix()).await?;
            }
            // Returned: a figure and the words disagree.
            1 => {
                report::submit_at(store, &ctx, r.id, in_time).await?;
                report::review_at(store, &ctx, r.id, "return", "“工作开展情况”称按期召开支委会，但组织生活记录显示本季度尚有支委会未开，请核实后更正重报。", reviewed).await?;
            }
            // The last one has not reported yet.
            i if i + 1 == branches.len() && i > 2 => {}
            _ => {
                // The first accepted one came with its signed ledger page scanned.
                if i == 2 {
                    let scan = super::life::demo_photo(7);
                    let input = AttachmentInput { file_name: "党建工作台账（盖章扫描件）.png", declared_type: "image/png", bytes: &scan };
                    report::attachment::add(store, &ctx, r.id, &input).await?;
                }
                report::submit_at(store, &ctx, r.id, in_time).await?;
                report::review_at(store, &ctx, r.id, "accept", "", reviewed).await?;
            }
        }
    }
    // 责任清单 of the demo secretary's branch and two others.
    let year = today.year();
    let first_of_year = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
    let listed: Vec<i64> = ["SZJGGW-A01-B1", "SZJGGW-A02-B1", "SZJGGW-A03-B1"].iter().filter_map(|c| tree.subtree(&root.path).iter().find(|n| n.code == *c).map(|n| n.id)).collect();
    for b in listed {
        let stmt = Roster::select()
            .and_where(col("m", "org_id").eq(b))
            .and_where(col("m", "status").is_in([Status::Full, Status::Probationary]))
            .order_by(("m", "id"), Order::Asc)
            .limit(4)
            .to_owned();
        let owners: Vec<i64> = query::fetch::<Roster, _>(&store.db, &stmt).await?.into_iter().map(|m| m.id).collect();
        if owners.len() < 3 {
            continue;
        }
        let past = day_before(today, 20).max(first_of_year);
        let tasks = [
            ("落实“三会一课”制度，按期召开支部党员大会、支委会，上好党课", owners[0], year_end, None, "书记牵头，组织委员具体落实"),
            ("开展“一支部一品牌”创建，形成支部工作特色", owners[1], past, None, ""),
            ("完成年度党费收缴和党员信息核对", owners[2], past, Some(day_before(past, 5).max(first_of_year)), "已全部核对"),
            ("组织开展年度组织生活会和民主评议党员", owners[1], year_end, None, "一般在第四季度召开"),
        ];
        for (title, owner, deadline, done, note) in tasks {
            let input = TaskInput {
                year: year.to_string(),
                title: title.into(),
                owner_member_id: owner,
                deadline: time::format_date(deadline),
                done_on: done.map(time::format_date).unwrap_or_default(),
                note: note.into(),
            };
            responsibility::add_task(store, &ctx, b, &input).await?;
        }
    }
    Ok(())
}
