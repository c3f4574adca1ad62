//! 定时任务 — jobs that run once per period whatever the number of `serve` nodes sharing the
//! database. Each job has a lease row: a node runs a period's job only after taking the lease
//! with one conditional UPDATE (the period not done yet, and nobody holding an unexpired lease),
//! which both backends decide atomically; a crashed holder's lease expires and another node
//! runs the period. Every run and failure is recorded, for the 系统管理员 to see.

use std::future::Future;
use std::pin::Pin;

use dangjian_domain::crypto::random_token;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order};

use crate::query::{self, record};
use crate::{Ctx, Result, Store};

/// What a job's run hands back: a line for the record.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<String>> + Send>>;

/// A job known to the scheduler.
#[derive(Clone)]
pub struct Job {
    /// Stable name, the lease row's key.
    pub name: &'static str,
    /// 中文名称, for the page.
    pub label: &'static str,
    /// Runs once per period of this many seconds, aligned to the Unix epoch (so an hourly job
    /// runs in every clock hour, whichever node is up).
    pub period_secs: i64,
    /// A lease outlives a run by at most this long; a run that takes longer may be repeated by
    /// another node, so it must stay below the lease.
    pub lease_secs: i64,
    pub run: fn(Store) -> JobFuture,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("period_secs", &self.period_secs).finish()
    }
}

/// The jobs of the application. An area with periodic work adds its job here.
pub fn registry() -> Vec<Job> {
    vec![Job {
        name: "close_temporary_branches",
        label: "到期临时党支部自动撤销",
        period_secs: 3600,
        lease_secs: 600,
        run: |store| {
            Box::pin(async move {
                let n = crate::org::close_expired_temporary(&store).await?;
                Ok(format!("撤销 {n} 个到期的临时党支部"))
            })
        },
    },
    Job {
        name: "notice_remind",
        label: "组织生活提醒（即将到期与已逾期）",
        // Daily at 08:00 CST (periods align to the Unix epoch); a repeated run writes nothing twice.
        period_secs: 86_400,
        lease_secs: 3600,
        run: |store| {
            Box::pin(async move {
                let s = crate::notice::remind(&store, time::today_cst()).await?;
                Ok(format!("写入 {} 条提醒、{} 条待发送投递", s.notifications, s.deliveries))
            })
        },
    },
    Job {
        name: "notice_deliver",
        label: "提醒的邮件与短信发送",
        // A run longer than its lease is harmless: each delivery is claimed on its own.
        period_secs: 60,
        lease_secs: 50,
        run: |store| {
            Box::pin(async move {
                let s = crate::notice::deliver(&store, time::now_unix()).await?;
                Ok(format!("发送 {} 条，失败待重试 {} 条，放弃 {} 条", s.sent, s.failed, s.gave_up))
            })
        },
    }]
}

/// One node's scheduler: its own holder name and the jobs it runs.
pub struct Scheduler {
    store: Store,
    holder: String,
    jobs: Vec<Job>,
}

impl Scheduler {
    pub fn new(store: Store, jobs: Vec<Job>) -> Scheduler {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
        Scheduler { store, holder: format!("{host}-{}-{}", std::process::id(), random_token(4)), jobs }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Makes sure every job has its lease row.
    pub async fn register(&self) -> Result<()> {
        for j in &self.jobs {
            let row = query::insert("job_leases", vec![("name", j.name.into()), ("lease_until", 0i64.into()), ("done_period", (-1i64).into())])
                .on_conflict(OnConflict::column("name").do_nothing().to_owned())
                .to_owned();
            query::execute(&self.store.db, &row).await?;
        }
        Ok(())
    }

    /// Runs every job whose period is due and whose lease this node gets. Returns the names run.
    pub async fn tick(&self) -> Result<Vec<&'static str>> {
        let mut ran = Vec::new();
        for j in &self.jobs {
            let now = time::now_unix();
            let period = now.div_euclid(std::cmp::max(j.period_secs, 1));
            let take = query::update("job_leases", vec![("holder", self.holder.clone().into()), ("lease_until", (now + j.lease_secs).into()), ("last_started_at", now.into())])
                .and_where(Expr::col("name").eq(j.name))
                .and_where(Expr::col("done_period").lt(period))
                .and_where(Expr::col("holder").is_null().or(Expr::col("lease_until").lt(now)))
                .to_owned();
            let taken = query::execute(&self.store.db, &take).await?;
            if taken != 1 {
                continue;
            }
            let result = (j.run)(self.store.clone()).await;
            let (outcome, detail) = match &result {
                Ok(d) => ("ok", d.clone()),
                Err(e) => {
                    tracing::warn!(job = j.name, error = %e, "job failed");
                    ("failed", e.to_string())
                }
            };
            let finished = time::now_unix();
            // A failed run counts as the period's run too: it is retried next period rather
            // than in a tight loop, and the failure stays on the page until then.
            let txn = self.store.write().await?;
            let release = query::update("job_leases", vec![
                ("holder", sea_orm::Value::String(None)),
                ("lease_until", 0i64.into()),
                ("done_period", period.into()),
                ("last_finished_at", finished.into()),
                ("last_outcome", outcome.into()),
                ("last_detail", detail.clone().into()),
            ])
            .and_where(Expr::col("name").eq(j.name))
            .and_where(Expr::col("holder").eq(self.holder.as_str()))
            .to_owned();
            query::execute(&txn, &release).await?;
            let run = query::insert("job_runs", vec![
                ("name", j.name.into()),
                ("holder", self.holder.clone().into()),
                ("period", period.into()),
                ("started_at", now.into()),
                ("finished_at", finished.into()),
                ("outcome", outcome.into()),
                ("detail", detail.into()),
            ]);
            query::execute(&txn, &run).await?;
            txn.commit().await?;
            ran.push(j.name);
        }
        Ok(ran)
    }

    /// Ticks every `every` until the task is dropped.
    pub async fn run(self, every: std::time::Duration) {
        if let Err(e) = self.register().await {
            tracing::error!(error = %e, "scheduler: cannot register jobs");
        }
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "scheduler");
            }
        }
    }
}

record! {
    /// A job as the 系统管理员 sees it.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct JobState from "job_leases" as "l" {
        pub name: String,
        pub holder: Option<String>,
        pub lease_until: i64,
        pub last_started_at: Option<i64>,
        pub last_finished_at: Option<i64>,
        pub last_outcome: Option<String>,
        pub last_detail: Option<String>,
    }
}

record! {
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct JobRun from "job_runs" as "r" {
        pub id: i64,
        pub name: String,
        pub holder: String,
        pub period: i64,
        pub started_at: i64,
        pub finished_at: i64,
        pub outcome: String,
        pub detail: String,
    }
}

/// The jobs with their lease state and latest runs, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct JobsView {
    pub jobs: Vec<JobState>,
    pub runs: Vec<JobRun>,
}

impl JobsView {
    pub fn label(&self, name: &str) -> &'static str {
        registry().iter().find(|j| j.name == name).map(|j| j.label).unwrap_or("")
    }
}

pub async fn view(store: &Store, ctx: &Ctx) -> Result<JobsView> {
    store.authorize(ctx, Action::JobRead, Target::system(), "jobs").await?;
    let jobs = query::fetch(&store.db, JobState::select().order_by(("l", "name"), Order::Asc)).await?;
    let runs = query::fetch(&store.db, JobRun::select().order_by(("r", "id"), Order::Desc).limit(50)).await?;
    Ok(JobsView { jobs, runs })
}
