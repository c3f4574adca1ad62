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
use sea_orm::FromQueryResult;

use crate::dialect::{all, exec, insert_id};
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
            exec(&self.store.db, "INSERT INTO job_leases (name, lease_until, done_period) VALUES ($1, 0, -1) ON CONFLICT (name) DO NOTHING", vec![j.name.into()]).await?;
        }
        Ok(())
    }

    /// Runs every job whose period is due and whose lease this node gets. Returns the names run.
    pub async fn tick(&self) -> Result<Vec<&'static str>> {
        let mut ran = Vec::new();
        for j in &self.jobs {
            let now = time::now_unix();
            let period = now.div_euclid(j.period_secs.max(1));
            let taken = exec(&self.store.db,
                "UPDATE job_leases SET holder = $1, lease_until = $2, last_started_at = $3 WHERE name = $4 AND done_period < $5 AND (holder IS NULL OR lease_until < $3)",
                vec![self.holder.clone().into(), (now + j.lease_secs).into(), now.into(), j.name.into(), period.into()]).await?;
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
            exec(&txn, "UPDATE job_leases SET holder = NULL, lease_until = 0, done_period = $1, last_finished_at = $2, last_outcome = $3, last_detail = $4 WHERE name = $5 AND holder = $6",
                vec![period.into(), finished.into(), outcome.into(), detail.clone().into(), j.name.into(), self.holder.clone().into()]).await?;
            insert_id(&txn, "INSERT INTO job_runs (name, holder, period, started_at, finished_at, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                vec![j.name.into(), self.holder.clone().into(), period.into(), now.into(), finished.into(), outcome.into(), detail.into()]).await?;
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

/// A job as the 系统管理员 sees it.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct JobState {
    pub name: String,
    pub holder: Option<String>,
    pub lease_until: i64,
    pub last_started_at: Option<i64>,
    pub last_finished_at: Option<i64>,
    pub last_outcome: Option<String>,
    pub last_detail: Option<String>,
}

#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct JobRun {
    pub id: i64,
    pub name: String,
    pub holder: String,
    pub period: i64,
    pub started_at: i64,
    pub finished_at: i64,
    pub outcome: String,
    pub detail: String,
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
    let jobs = all::<JobState, _>(&store.db, "SELECT name, holder, lease_until, last_started_at, last_finished_at, last_outcome, last_detail FROM job_leases ORDER BY name", vec![]).await?;
    let runs = all::<JobRun, _>(&store.db, "SELECT id, name, holder, period, started_at, finished_at, outcome, detail FROM job_runs ORDER BY id DESC LIMIT 50", vec![]).await?;
    Ok(JobsView { jobs, runs })
}
