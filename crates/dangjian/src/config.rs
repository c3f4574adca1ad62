//! Typed configuration: defaults, then an optional TOML file, then environment variables, then
//! command-line flags. Built once at startup and validated there; nothing global.

use std::path::{Path, PathBuf};

use dangjian_store::account::AuthSettings;
use dangjian_store::notice::NoticeSettings;

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `./data/dangjian.db` (SQLite file) or `postgres://user@host/db`.
    pub database: String,
    pub bind: String,
    /// File holding the data key (hex). Kept outside the database: a dump alone reveals nothing.
    pub key_file: PathBuf,
    /// The key itself, hex, instead of a file (for containers and tests).
    #[serde(skip)]
    pub data_key: Option<String>,
    pub secure_cookies: bool,
    pub max_connections: u32,
    pub auth: AuthSettings,
    /// Where the audit chain's checkpoints are kept outside the database; by default next to the
    /// key file (SECURITY.md "Audit").
    pub audit_checkpoint_file: Option<PathBuf>,
    /// Where meeting attachments are kept; by default `attachments/` next to the key file, in the
    /// data folder. Several application nodes must share it (docs/decisions.md).
    pub attachments_dir: Option<PathBuf>,
    /// Seconds between checkpoints written by `serve`.
    pub audit_checkpoint_secs: u64,
    /// Repeated refusals of one account for one reason are written once per window of this
    /// many seconds, with their count.
    pub audit_refusal_window_secs: u64,
    /// Seconds between the scheduler's looks at which jobs are due.
    pub scheduler_tick_secs: u64,
    /// 月评比: the monthly ranking of organisations (issue 10: an installation can turn it off).
    pub life_ranking: bool,
    /// 新建组织的起算方式: what an organisation created during a period owes for it,
    /// `next_full_period` (default, DOMAIN.md) or `pro_rata`.
    pub life_grace: dangjian_domain::life::obligation::Grace,
    /// 提醒: `[notice]` with `days_ahead`, and `[notice.smtp]` / `[notice.sms]` when configured.
    pub notice: NoticeSettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "./data/dangjian.db".into(),
            bind: "127.0.0.1:8080".into(),
            key_file: PathBuf::from("./data/dangjian.key"),
            data_key: None,
            secure_cookies: false,
            max_connections: 16,
            auth: AuthSettings::default(),
            audit_checkpoint_file: None,
            attachments_dir: None,
            audit_checkpoint_secs: 60,
            audit_refusal_window_secs: 60,
            scheduler_tick_secs: 30,
            life_ranking: true,
            life_grace: Default::default(),
            notice: NoticeSettings::default(),
        }
    }
}

impl Config {
    /// Reads `file` if given, or `./dangjian.toml` if it exists, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut cfg = match file.map(PathBuf::from).or_else(|| Some(PathBuf::from("dangjian.toml")).filter(|p| p.exists())) {
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|e| format!("无法读取配置文件 {}：{e}", p.display()))?;
                toml::from_str(&text).map_err(|e| format!("配置文件 {} 有误：{e}", p.display()))?
            }
            None => Config::default(),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(v) = env("DANGJIAN_DATABASE") {
            cfg.database = v;
        }
        if let Some(v) = env("DANGJIAN_BIND") {
            cfg.bind = v;
        }
        if let Some(v) = env("DANGJIAN_KEY_FILE") {
            cfg.key_file = v.into();
        }
        if let Some(v) = env("DANGJIAN_DATA_KEY") {
            cfg.data_key = Some(v);
        }
        if let Some(v) = env("DANGJIAN_AUDIT_CHECKPOINT_FILE") {
            cfg.audit_checkpoint_file = Some(v.into());
        }
        if let Some(v) = env("DANGJIAN_ATTACHMENTS_DIR") {
            cfg.attachments_dir = Some(v.into());
        }
        if let Some(v) = env("DANGJIAN_SECURE_COOKIES") {
            cfg.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        Ok(cfg)
    }

    pub fn checkpoint_file(&self) -> PathBuf {
        self.audit_checkpoint_file.clone().unwrap_or_else(|| self.key_file.with_file_name("audit-checkpoint.json"))
    }

    pub fn attachments_dir(&self) -> PathBuf {
        self.attachments_dir.clone().unwrap_or_else(|| self.key_file.with_file_name("attachments"))
    }

    pub fn is_sqlite(&self) -> bool {
        !self.database.starts_with("postgres")
    }
}
