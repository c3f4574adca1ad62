//! The demo's 函询（告）: the 工委 inspected the demo secretary's branch forty days ago and wrote
//! to the 党组（党委） of its unit's superior department; of the three rectification items the
//! letter asks for, one is closed with its evidence, one is still open within its deadline, and
//! one is past its deadline — so the letter page, the list's counts and the secretary's home page
//! show each on first start. Issued through the store's own functions, as the 工委's officer
//! would, so its number is the one the numbering gives.

use chrono::{Days, NaiveDate};
use dangjian_domain::duty::inspection::{CloseInput, InspectionInput, ItemInput};
use dangjian_domain::time;

use crate::duty::inspection;
use crate::org::Org;
use crate::{Ctx, Result, Store};

fn ago(today: NaiveDate, days: u64) -> String {
    time::format_date(today.checked_sub_days(Days::new(days)).unwrap_or(today))
}

fn ahead(today: NaiveDate, days: u64) -> String {
    time::format_date(today.checked_add_days(Days::new(days)).unwrap_or(today))
}

pub(crate) async fn demo(store: &Store, root: &Org, branch: &Org) -> Result<()> {
    let ctx = Ctx::cli("demo");
    let today = time::today_cst();
    let input = InspectionInput {
        inspectors: "王建国、李红梅、赵志强".into(),
        inspected_on: ago(today, 45),
        subject: "按照党建工作函询（告）制度，对支部落实“三会一课”、发展党员、党费收缴和党建工作责任制情况进行检查验收".into(),
        findings: "1. 2个月的支部委员会会议记录不完整，缺少议题和决定事项；\n2. 党费收缴台账未按月登记；\n3. 党小组活动开展不均衡，个别党小组连续两个月未开展活动。".into(),
        result: "该支部党建工作基本达到要求，检查结论为“基本合格”，需对发现的问题限期整改。".into(),
        addressee: "中共某省委办公厅机关委员会".into(),
        prefix: "市直机关工委函".into(),
        issued_on: ago(today, 40),
        items: vec![
            ItemInput { task: "补齐支部委员会会议记录，明确议题和决定事项".into(), owner_member_id: None, owner: "支部书记".into(), deadline: ago(today, 25) },
            ItemInput { task: "建立按月登记的党费收缴台账".into(), owner_member_id: None, owner: "支部组织委员".into(), deadline: ago(today, 10) },
            ItemInput { task: "督促各党小组按月开展活动并做好记录".into(), owner_member_id: None, owner: "各党小组组长".into(), deadline: ahead(today, 30) },
        ],
    };
    let letter = inspection::issue(store, &ctx, root.id, branch.id, &input).await?;
    if let Some(first) = letter.items.first() {
        let evidence = CloseInput {
            closed_on: ago(today, 28),
            evidence: "已补齐近两个月支部委员会会议记录，逐次载明议题、参加人员和决定事项，经支部书记审核签字。".into(),
            link: format!("/meetings?org={}", branch.id),
        };
        inspection::close(store, &ctx, first.row.id, &evidence).await?;
    }
    if let Some(third) = letter.items.get(2) {
        inspection::progress(store, &ctx, third.row.id, "已召开支委会部署，第一党小组本月已开展活动，第二党小组活动安排在下周。").await?;
    }
    Ok(())
}
