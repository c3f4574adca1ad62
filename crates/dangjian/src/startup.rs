//! Building the application: key, database, migrations, router, listener.

use std::net::SocketAddr;
use std::sync::Arc;

use dangjian_domain::crypto::SoftCrypto;
use dangjian_store::Store;
use dangjian_web::{AppState, RateLimiter, WebSettings};
use tokio::net::TcpListener;

use crate::config::Config;

/// Loads the data key, creating it (readable by the owner only) on first start.
pub fn load_key(cfg: &Config) -> Result<SoftCrypto, String> {
    if let Some(hex) = &cfg.data_key {
        let k = SoftCrypto::master_key_from_hex(hex).map_err(|e| format!("DANGJIAN_DATA_KEY 无效：{e}"))?;
        return Ok(SoftCrypto::from_master_key(&k));
    }
    let path = &cfg.key_file;
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("无法读取密钥文件 {}：{e}", path.display()))?;
        let k = SoftCrypto::master_key_from_hex(&text).map_err(|e| format!("密钥文件 {} 无效：{e}", path.display()))?;
        return Ok(SoftCrypto::from_master_key(&k));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
    }
    let k = SoftCrypto::generate_master_key();
    write_private(path, &SoftCrypto::master_key_to_hex(&k))?;
    tracing::warn!(path = %path.display(), "created a new data key: back it up, the data cannot be read without it");
    Ok(SoftCrypto::from_master_key(&k))
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(|e| format!("无法创建密钥文件 {}：{e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("无法创建密钥文件 {}：{e}", path.display()))
}

/// Opens (and migrates) the database named by the configuration.
pub async fn open_store(cfg: &Config) -> Result<Store, String> {
    let crypto = load_key(cfg)?;
    if cfg.is_sqlite() {
        let file = cfg.database.trim_start_matches("sqlite://").split('?').next().unwrap_or("");
        if let Some(dir) = std::path::Path::new(file).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("无法创建数据目录 {}：{e}", dir.display()))?;
        }
    }
    let store = Store::open(&cfg.database, Arc::new(crypto), cfg.max_connections).await.map_err(|e| format!("无法打开数据库：{e}"))?;
    Ok(store.with_checkpoint_file(cfg.checkpoint_file()).with_refusal_window(cfg.audit_refusal_window_secs))
}

pub struct App {
    pub addr: SocketAddr,
    pub store: Store,
    listener: TcpListener,
    router: axum::Router,
    checkpoint_every: std::time::Duration,
    scheduler_every: std::time::Duration,
}

impl App {
    /// Connects, migrates and binds (port 0 picks a free port, as the tests do).
    pub async fn build(cfg: &Config) -> Result<App, String> {
        let store = open_store(cfg).await?;
        let listener = TcpListener::bind(&cfg.bind).await.map_err(|e| format!("无法监听 {}：{e}", cfg.bind))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let state = AppState {
            store: store.clone(),
            settings: Arc::new(WebSettings { auth: cfg.auth.clone(), secure_cookies: cfg.secure_cookies, ..WebSettings::default() }),
            limiter: Arc::new(RateLimiter::default()),
        };
        let checkpoint_every = std::time::Duration::from_secs(cfg.audit_checkpoint_secs.max(1));
        let scheduler_every = std::time::Duration::from_secs(cfg.scheduler_tick_secs.max(1));
        Ok(App { addr, store, listener, router: dangjian_web::router(state), checkpoint_every, scheduler_every })
    }

    /// Serves until the future `shutdown` completes; runs the shared scheduler (jobs leased
    /// across nodes) and this node's audit upkeep alongside.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), String> {
        let scheduler = tokio::spawn(dangjian_store::job::Scheduler::new(self.store.clone(), dangjian_store::job::registry()).run(self.scheduler_every));
        let (store, every) = (self.store.clone(), self.checkpoint_every);
        let audit_task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                audit_upkeep(&store).await;
            }
        });
        let r = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| e.to_string());
        scheduler.abort();
        audit_task.abort();
        audit_upkeep(&self.store).await;
        r
    }
}

/// Writes the counts of repeated refusals, then a checkpoint of the chain. A refused
/// checkpoint (the chain was cut or changed) is logged as an error by the store and retried
/// at the next tick; the old checkpoint stays as evidence.
async fn audit_upkeep(store: &Store) {
    if let Err(e) = dangjian_store::audit::refusal::flush(store).await {
        tracing::warn!(error = %e, "audit refusal counts");
    }
    if let Err(e) = dangjian_store::audit::checkpoint::write(store).await {
        tracing::warn!(error = %e, "audit checkpoint");
    }
}
