//! The shared scheduler: each job once per period across nodes, expired leases taken over,
//! runs and failures visible to the 系统管理员.

use std::time::Duration;

use dangjian_store::job::{Job, Scheduler};
use dangjian_store::{dialect, ConnectionTrait, StoreError};

use crate::helpers::*;

fn slow_job() -> Job {
    Job {
        name: "test_slow",
        label: "测试任务",
        period_secs: 1,
        lease_secs: 5,
        // Slow enough that the other node tries while this one still holds the lease.
        run: |_| Box::pin(async { tokio::time::sleep(Duration::from_millis(150)).await; Ok("完成".into()) }),
    }
}

fn failing_job() -> Job {
    Job { name: "test_failing", label: "失败的测试任务", period_secs: 3600, lease_secs: 60, run: |_| Box::pin(async { Err(StoreError::conflict("boom", "测试失败")) }) }
}

async fn runs_per_period(app: &TestApp, name: &str) -> Vec<(i64, i64)> {
    let sql = dialect::stmt(app.store.backend(), "SELECT period, COUNT(*) FROM job_runs WHERE name = $1 GROUP BY period ORDER BY period", vec![name.into()]);
    app.store.db.query_all_raw(sql).await.expect("runs").iter().map(|r| (r.try_get_by_index::<i64>(0).expect("period"), r.try_get_by_index::<i64>(1).expect("count"))).collect()
}

#[tokio::test]
async fn two_nodes_run_each_job_once_per_period() {
    let app = spawn_app().await;
    // A second node: its own connection pool on the same database.
    let other = dangjian::startup::open_store(&test_config(&app._guard.url)).await.expect("second node");
    let (a, b) = (Scheduler::new(app.store.clone(), vec![slow_job()]), Scheduler::new(other, vec![slow_job()]));
    assert_ne!(a.holder(), b.holder());
    a.register().await.expect("register");
    b.register().await.expect("register again is harmless");
    let until = std::time::Instant::now() + Duration::from_millis(3500);
    let node = |s: Scheduler| async move {
        let mut ran = 0;
        while std::time::Instant::now() < until {
            ran += s.tick().await.expect("tick").len();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        ran
    };
    let (ra, rb) = tokio::join!(tokio::spawn(node(a)), tokio::spawn(node(b)));
    let per_period = runs_per_period(&app, "test_slow").await;
    assert!(per_period.len() >= 3, "{per_period:?}");
    assert!(per_period.iter().all(|(_, n)| *n == 1), "a period ran twice: {per_period:?}");
    assert_eq!(ra.expect("node a") + rb.expect("node b"), per_period.len());
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_failures_are_shown() {
    let app = demo_app().await;
    let s = Scheduler::new(app.store.clone(), vec![failing_job()]);
    s.register().await.expect("register");
    // Another node took the lease and is still within it: nothing runs here.
    let now = dangjian_domain::time::now_unix();
    app.exec(&format!("UPDATE job_leases SET holder = 'crashed-node', lease_until = {} WHERE name = 'test_failing'", now + 600)).await;
    assert!(s.tick().await.expect("tick").is_empty());
    // It crashed: once its lease has expired this node runs the period.
    app.exec(&format!("UPDATE job_leases SET lease_until = {} WHERE name = 'test_failing'", now - 1)).await;
    assert_eq!(s.tick().await.expect("tick"), vec!["test_failing"]);
    // A failure counts as the period's run: no retry in a loop.
    assert!(s.tick().await.expect("tick").is_empty());

    let admin = app.demo_login("admin").await;
    let view = admin.get_ok("/jobs").await;
    let job = view["jobs"].as_array().expect("jobs").iter().find(|j| j["name"] == "test_failing").expect("job row").clone();
    assert_eq!((job["last_outcome"].clone(), job["holder"].clone()), (serde_json::json!("failed"), serde_json::Value::Null), "{job}");
    assert!(job["last_detail"].as_str().is_some_and(|d| d.contains("测试失败")));
    assert!(view["runs"].as_array().expect("runs").iter().any(|r| r["name"] == "test_failing" && r["outcome"] == "failed"));
    let page = admin.client.get(app.url("/jobs")).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.expect("html").contains("失败"));
    for who in ["anquan", "shenji", "zuzhi"] {
        app.demo_login(who).await.get("/jobs").await.assert_status(403);
    }
}

#[tokio::test]
async fn serve_registers_and_runs_the_application_jobs() {
    let app = spawn_app_with(|c| c.scheduler_tick_secs = 1).await;
    let mut seen = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        seen = app.scalar("SELECT COUNT(*) FROM job_runs WHERE name = 'close_temporary_branches' AND outcome = 'ok'").await;
        if seen > 0 {
            break;
        }
    }
    assert_eq!(seen, 1, "the hourly job ran once at start");
}
