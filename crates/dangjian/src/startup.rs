//! Building the application: key, database, migrations, router, listener.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use dangjian_domain::crypto::SoftCrypto;
use dangjian_store::fsutil::{self, create_private_dir, private_file};
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
        create_private_dir(dir).map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
    }
    let k = SoftCrypto::generate_master_key();
    write_private(path, &SoftCrypto::master_key_to_hex(&k))?;
    tracing::warn!(path = %path.display(), "created a new data key: back it up, the data cannot be read without it");
    Ok(SoftCrypto::from_master_key(&k))
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    fsutil::write_private(path, text.as_bytes()).map_err(|e| format!("无法创建密钥文件 {}：{e}", path.display()))
}

/// The file behind an SQLite URL or path; none for an in-memory database.
fn sqlite_file(database: &str) -> Option<&Path> {
    let rest = database.strip_prefix("sqlite://").or_else(|| database.strip_prefix("sqlite:")).unwrap_or(database);
    let file = rest.split('?').next().unwrap_or("");
    (!file.is_empty() && file != ":memory:").then(|| Path::new(file))
}

/// SQLite would create the database with the umask's permissions (0644 as a rule) and gives its
/// -wal and -shm files those of the database, so the database is created here first, as 0600.
/// An existing database keeps its mode (an operator may have chosen it), with a warning.
fn create_sqlite_file(file: &Path) -> Result<(), String> {
    match private_file().create_new(true).open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(file).map_err(|e| format!("无法读取数据库文件 {}：{e}", file.display()))?.permissions().mode();
                if mode & 0o077 != 0 {
                    tracing::warn!(path = %file.display(), mode = format!("{:o}", mode & 0o777), "the database file is readable by others: chmod 600 it (and its -wal and -shm files)");
                }
            }
            Ok(())
        }
        Err(e) => Err(format!("无法创建数据库文件 {}：{e}", file.display())),
    }
}

/// Opens (and migrates) the database named by the configuration.
pub async fn open_store(cfg: &Config) -> Result<Store, String> {
    let notifier = dangjian_store::notice::Notifier::new(&cfg.notice).map_err(|e| format!("配置有误：{e}"))?;
    let crypto = load_key(cfg)?;
    if let Some(file) = cfg.is_sqlite().then(|| sqlite_file(&cfg.database)).flatten() {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| format!("无法创建数据目录 {}：{e}", dir.display()))?;
        }
        create_sqlite_file(file)?;
    }
    let store = Store::open(&cfg.database, Arc::new(crypto), cfg.max_connections).await.map_err(|e| format!("无法打开数据库：{e}"))?;
    Ok(store.with_checkpoint_file(cfg.checkpoint_file()).with_attachments_dir(cfg.attachments_dir()).with_refusal_window(cfg.audit_refusal_window_secs).with_notifier(notifier).with_life_grace(cfg.life_grace))
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
            settings: Arc::new(WebSettings { auth: cfg.auth.clone(), secure_cookies: cfg.secure_cookies, life_ranking: cfg.life_ranking, ..WebSettings::default() }),
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
        let warm = self.store.clone();
        let warming = tokio::spawn(async move {
            if let Err(e) = dangjian_store::life::compliance::warm(&warm).await {
                tracing::warn!(error = %e, "organisational-life counts not loaded at start");
            }
        });
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
        warming.abort();
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
