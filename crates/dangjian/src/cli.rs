//! 命令行 — the command line, with help in Chinese and English.

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dangjian_domain::crypto::random_token;
use dangjian_domain::policy::Role;
use dangjian_store::account::{self, NewAccount};
use dangjian_store::sample::{self, DEMO_ACCOUNTS, DEMO_PASSWORD};
use dangjian_store::{audit, backup, org, roster, Ctx, Store};

use crate::config::Config;
use crate::startup::{open_store, App};
use dangjian_store::fsutil::create_private;

#[derive(Parser, Debug)]
#[command(name = "dangjian", version, about = "机关党建工作平台 — party-building platform for government agencies", long_about = None)]
pub struct Cli {
    /// 数据库：SQLite 文件路径或 postgres:// 地址 / database: SQLite file or postgres:// URL
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// 配置文件（TOML）/ configuration file (TOML)
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// 数据密钥文件 / data key file
    #[arg(long, global = true)]
    pub key_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 启动网站 / serve the web site and API
    Serve {
        /// 载入演示数据（仅首次）/ load the demo installation (once)
        #[arg(long)]
        demo: bool,
        /// 监听地址 / address to listen on
        #[arg(long)]
        bind: Option<String>,
    },
    /// 升级数据库结构 / apply database migrations
    Migrate,
    /// 载入演示数据 / load the demo installation
    Demo,
    /// 生成指定规模的测试数据 / generate synthetic data at a named scale
    Gen {
        /// 党员人数 / number of members
        #[arg(long, default_value_t = 10_000)]
        members: usize,
        /// 组织个数 / number of organisations
        #[arg(long, default_value_t = 500)]
        orgs: usize,
        /// 随机种子 / random seed
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 同时生成最近若干年的组织生活记录 / also generate this many years of meetings
        #[arg(long, default_value_t = 0)]
        years: u32,
    },
    /// 备份全部数据到文件 / back up every table to a file
    Backup {
        /// 备份文件 / backup file
        file: PathBuf,
    },
    /// 从备份文件恢复到空数据库 / restore a backup into an empty database
    Restore {
        /// 备份文件 / backup file
        file: PathBuf,
    },
    /// 导入党员花名册（xlsx/csv）/ import a member roster (xlsx/csv)
    Import {
        /// 花名册文件 / roster file
        file: PathBuf,
        /// 只导入正确的行 / import only the good rows
        #[arg(long)]
        good_only: bool,
    },
    /// 导出党员花名册 / export a member roster
    Export {
        /// 党组织编码 / organisation code
        #[arg(long)]
        org: String,
        /// 输出文件（.xlsx 或 .csv）/ output file (.xlsx or .csv)
        file: PathBuf,
    },
    /// 账号管理 / accounts
    #[command(subcommand)]
    User(UserCommand),
    /// 审计日志 / audit log
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 新建账号 / create an account
    Create {
        /// 用户名 / username
        username: String,
        /// 角色：system_admin security_admin audit_admin org_admin secretary member / role
        #[arg(long)]
        role: Option<String>,
        /// 授权范围的党组织编码（默认最上级组织）/ organisation code of the role's scope (default: the top organisation)
        #[arg(long)]
        org: Option<String>,
        /// 关联的党员编号（数据库 id）/ id of the member the account belongs to
        #[arg(long)]
        member_id: Option<i64>,
        /// 初始密码（不填则随机生成并显示）/ initial password (random and printed when absent)
        #[arg(long)]
        password: Option<String>,
    },
    /// 重设密码（下次登录须修改）/ set a new password (must be changed at next login)
    Passwd {
        /// 用户名 / username
        username: String,
        /// 新密码（不填则随机生成并显示）/ new password (random and printed when absent)
        #[arg(long)]
        password: Option<String>,
    },
    /// 清除动态口令（手机丢失时），下次登录须重新开启 / remove the second factor (lost phone)
    Reset2fa {
        /// 用户名 / username
        username: String,
    },
    /// 锁定或解锁账号 / lock or unlock an account
    Lock {
        /// 用户名 / username
        username: String,
        /// 解锁 / unlock instead
        #[arg(long)]
        unlock: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// 校验审计日志链、链头和最近的检查点 / verify the audit log chain, its head and the latest checkpoint
    Verify,
    /// 校验自上个检查点以来的记录并写新的检查点（serve 每分钟自动写） / verify the rows since the last checkpoint and write a new one (serve does this every minute)
    Checkpoint,
    /// 重新签名被改写的审计链头，恢复写入（先用 verify 核查；此操作本身记入日志） / re-sign a forged chain head so that writes resume (investigate with verify first; recorded in the log)
    Reseal,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("DANGJIAN_LOG").unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

fn random_password() -> String {
    // Upper, lower, digit and symbol, so it passes any configured composition rule.
    format!("Dj#{}a9", random_token(6))
}

async fn run(cli: Cli) -> Result<(), String> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(d) = cli.database {
        cfg.database = d;
    }
    if let Some(k) = cli.key_file {
        cfg.key_file = k;
    }
    let cli_ctx = Ctx::cli("cli");
    match cli.command {
        Command::Serve { demo, bind } => {
            if let Some(b) = bind {
                cfg.bind = b;
            }
            if demo {
                // Demo accounts sign in with the printed password alone.
                cfg.auth.require_second_factor_for_admins = false;
            }
            let app = App::build(&cfg).await?;
            if demo {
                let s = sample::demo(&app.store, &cfg.auth).await.map_err(|e| e.to_string())?;
                print_demo(&s);
            } else {
                bootstrap(&app.store, &cfg).await?;
            }
            println!("dangjian 已启动 / listening: http://{}", app.addr);
            app.run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Migrate => {
            open_store(&cfg).await?;
            println!("数据库结构已是最新 / migrations applied");
            Ok(())
        }
        Command::Demo => {
            let store = open_store(&cfg).await?;
            let s = sample::demo(&store, &cfg.auth).await.map_err(|e| e.to_string())?;
            print_demo(&s);
            Ok(())
        }
        Command::Gen { members, orgs, seed, years } => {
            let store = open_store(&cfg).await?;
            let s = sample::generate(&store, members, orgs, years, seed).await.map_err(|e| e.to_string())?;
            println!(
                "已生成 / generated: {} 个组织 orgs, {} 名党员 members, {} 次会议 meetings, {} 条出席记录 attendance rows, 根组织编码 root code {} (id {}), 用时 {:.1} s",
                s.orgs, s.members, s.meetings, s.attendance, s.root_code, s.root_id, s.seconds
            );
            Ok(())
        }
        Command::Backup { file } => {
            let store = open_store(&cfg).await?;
            let f = create_private(&file).map_err(|e| format!("无法创建 {}：{e}", file.display()))?;
            let mut out = BufWriter::new(f);
            let counts = backup::backup(&store, &mut out).await.map_err(|e| e.to_string())?;
            // Reported as done only once it is on disk.
            out.into_inner().map_err(|e| e.to_string())?.sync_all().map_err(|e| format!("无法写入 {}：{e}", file.display()))?;
            let rows: u64 = counts.iter().map(|c| c.1).sum();
            println!("已备份 {} 张表、{rows} 行到 {} / backed up", counts.len(), file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let store = open_store(&cfg).await?;
            let f = std::fs::File::open(&file).map_err(|e| format!("无法打开 {}：{e}", file.display()))?;
            let counts = backup::restore(&store, &mut BufReader::new(f)).await.map_err(|e| format!("{e}；恢复未进行，数据库未作改动"))?;
            // The restored log is the log now: checkpoints of the database it replaced would
            // report it as truncated.
            audit::checkpoint::reset(&store).await.map_err(|e| e.to_string())?;
            let rows: u64 = counts.iter().map(|c| c.1).sum();
            println!("已恢复 {rows} 行 / restored");
            Ok(())
        }
        Command::Import { file, good_only } => {
            let store = open_store(&cfg).await?;
            let bytes = std::fs::read(&file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
            let mode = if good_only { roster::ImportMode::GoodOnly } else { roster::ImportMode::AllOrNothing };
            let r = roster::import(&store, &cli_ctx, &bytes, mode).await.map_err(|e| e.to_string())?;
            for e in &r.errors {
                eprintln!("第{}行 {}：{}", e.line, e.name, e.messages.join("；"));
            }
            println!("共 {} 行，导入 {} 行，有误 {} 行{}", r.total, r.imported, r.rejected, if r.committed { "" } else { "；因存在错误未写入任何数据" });
            if r.committed { Ok(()) } else { Err("导入未完成 / import rejected".into()) }
        }
        Command::Export { org: code, file } => {
            let store = open_store(&cfg).await?;
            let o = org_by_code(&store, &code).await?;
            let format = if file.extension().is_some_and(|e| e == "csv") { roster::ExportFormat::Csv } else { roster::ExportFormat::Xlsx };
            let (bytes, _) = roster::export(&store, &cli_ctx, o.id, format, false).await.map_err(|e| e.to_string())?;
            std::fs::write(&file, bytes).map_err(|e| format!("无法写入 {}：{e}", file.display()))?;
            println!("已导出到 {} / exported", file.display());
            Ok(())
        }
        Command::User(cmd) => user(cmd, &cfg).await,
        Command::Audit(AuditCommand::Verify) => {
            let store = open_store(&cfg).await?;
            let r = audit::verify(&store).await.map_err(|e| e.to_string())?;
            if r.ok() {
                println!("{}", r.describe());
                Ok(())
            } else {
                Err(r.describe())
            }
        }
        Command::Audit(AuditCommand::Reseal) => {
            let store = open_store(&cfg).await?;
            audit::reseal(&store, &cli_ctx).await.map_err(|e| e.to_string())?;
            println!("审计链头已重新签名，写入恢复 / audit head resealed");
            Ok(())
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let store = open_store(&cfg).await?;
            match audit::checkpoint::write(&store).await.map_err(|e| e.to_string())? {
                Some(cp) => {
                    println!("已写检查点：第 {} 条，{} / checkpoint written at row {}", cp.last_id, cfg.checkpoint_file().display(), cp.last_id);
                    Ok(())
                }
                None => Err("未配置审计检查点文件 / no checkpoint file configured".into()),
            }
        }
    }
}

async fn org_by_code(store: &Store, code: &str) -> Result<org::Org, String> {
    let code = dangjian_domain::org::parse_code(code).map_err(|e| e.to_string())?;
    dangjian_store::org::find_by_code(store, &code).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("党组织编码 {code} 不存在"))
}

async fn user(cmd: UserCommand, cfg: &Config) -> Result<(), String> {
    let store = open_store(cfg).await?;
    let ctx = Ctx::cli("cli");
    match cmd {
        UserCommand::Create { username, role, org: code, member_id, password } => {
            let generated = password.is_none();
            let password = password.unwrap_or_else(random_password);
            // Role and scope are resolved before the account exists, so a mistake writes nothing.
            let grant = match role {
                Some(role) => {
                    let role = Role::parse(&role).ok_or_else(|| format!("角色 {role} 无法识别，应为 system_admin、security_admin、audit_admin、org_admin、secretary 或 member"))?;
                    let o = match code {
                        Some(c) => org_by_code(&store, &c).await?,
                        None => org::roots(&store, &ctx).await.map_err(|e| e.to_string())?.into_iter().next().ok_or("还没有任何党组织，请先载入或创建组织")?,
                    };
                    Some((role, o))
                }
                None => None,
            };
            let a = account::create(&store, &cfg.auth, &ctx, &NewAccount { username: username.clone(), password: password.clone(), member_id, no_forced_change: false })
                .await
                .map_err(|e| e.to_string())?;
            if let Some((role, o)) = grant {
                account::grant(&store, &ctx, a.id, role.code(), o.id).await.map_err(|e| e.to_string())?;
            }
            println!("已创建账号 {username}（首次登录须修改密码）/ account created");
            if generated {
                println!("初始密码 / initial password: {password}");
            }
            Ok(())
        }
        UserCommand::Passwd { username, password } => {
            let a = account::find_by_username(&store, &username).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {username} 不存在"))?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(random_password);
            account::reset_password(&store, &cfg.auth, &ctx, a.id, &password, true).await.map_err(|e| e.to_string())?;
            println!("已重设 {username} 的密码（下次登录须修改）/ password reset");
            if generated {
                println!("新密码 / new password: {password}");
            }
            Ok(())
        }
        UserCommand::Reset2fa { username } => {
            let a = account::find_by_username(&store, &username).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {username} 不存在"))?;
            account::totp_reset(&store, &ctx, a.id).await.map_err(|e| e.to_string())?;
            println!("已清除 {username} 的动态口令，下次登录须重新开启 / second factor removed");
            Ok(())
        }
        UserCommand::Lock { username, unlock } => {
            let a = account::find_by_username(&store, &username).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {username} 不存在"))?;
            account::set_locked(&store, &ctx, a.id, !unlock).await.map_err(|e| e.to_string())?;
            println!("{}账号 {username}", if unlock { "已解锁" } else { "已锁定" });
            Ok(())
        }
    }
}

fn print_demo(s: &sample::DemoSummary) {
    println!(
        "演示数据{}：{} 个组织，{} 名党员 / demo data {}",
        if s.created { "已载入" } else { "已存在，未重复载入" },
        s.orgs,
        s.members,
        if s.created { "loaded" } else { "already present" }
    );
    println!("演示账号（密码均为 {DEMO_PASSWORD}）/ demo accounts (password {DEMO_PASSWORD}):");
    for (u, role, scope) in DEMO_ACCOUNTS {
        println!("  {u:<10} {}（{scope}）", role.label());
    }
    println!("  书记与党员所在支部 / their branch: {}", s.branch_name);
}

/// A fresh installation gets a top organisation and the three separated administrators, each with
/// a random password shown once and changed at first login.
async fn bootstrap(store: &Store, cfg: &Config) -> Result<(), String> {
    if account::count(store).await.map_err(|e| e.to_string())? > 0 {
        return Ok(());
    }
    let ctx = Ctx::cli("bootstrap");
    let root = match org::roots(store, &ctx).await.map_err(|e| e.to_string())?.into_iter().next() {
        Some(r) => r,
        None => {
            org::create(store, &ctx, &org::OrgInput { kind: "working_committee".into(), name: "机关工委（请修改名称）".into(), code: "ROOT".into(), ..Default::default() })
                .await
                .map_err(|e| e.to_string())?
                .0
        }
    };
    println!("首次启动：已创建三员账号，请妥善保存初始密码，首次登录须修改 / first start: initial administrator accounts");
    for (name, role) in [("admin", Role::SystemAdmin), ("secadmin", Role::SecurityAdmin), ("auditadmin", Role::AuditAdmin)] {
        let password = random_password();
        let a = account::create(store, &cfg.auth, &ctx, &NewAccount { username: name.into(), password: password.clone(), member_id: None, no_forced_change: false })
            .await
            .map_err(|e| e.to_string())?;
        account::grant(store, &ctx, a.id, role.code(), root.id).await.map_err(|e| e.to_string())?;
        println!("  {name:<10} {}  初始密码 / password: {password}", role.label());
    }
    Ok(())
}
