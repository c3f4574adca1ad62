//! 账号 — accounts, roles on organisation scopes, sessions and login (SECURITY.md "Identity").

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use dangjian_domain::crypto::{random_token, sm3_hex};
use dangjian_domain::password::PasswordPolicy;
use dangjian_domain::policy::{Action, Actor, Grant, Role, Target};
use dangjian_domain::time;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, Value};
use serde_json::json;

use crate::query::{self, col, record};
use crate::{audit, org, page_bounds, Ctx, Page, Result, Store, StoreError};

/// Identity rules an installation may tighten (SECURITY.md defaults).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    pub password: PasswordPolicy,
    pub lockout_threshold: i64,
    pub lockout_window_secs: i64,
    pub lockout_secs: i64,
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
    /// 三员 must enrol a second factor (TOTP) before they can do anything else.
    pub require_second_factor_for_admins: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            password: PasswordPolicy::default(),
            lockout_threshold: 5,
            lockout_window_secs: 15 * 60,
            lockout_secs: 15 * 60,
            idle_timeout_secs: 30 * 60,
            absolute_timeout_secs: 12 * 3600,
            require_second_factor_for_admins: true,
        }
    }
}

/// The one message for every failed login, so nobody learns which accounts exist or are locked.
pub const LOGIN_FAILED: &str = "用户名或密码错误，或账号已被锁定";

pub fn hash_password(password: &str) -> Result<String> {
    let h: argon2::password_hash::phc::PasswordHash =
        Argon2::default().hash_password(password.as_bytes()).map_err(|e| StoreError::Auth(format!("密码处理失败：{e}")))?;
    Ok(h.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

record! {
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct Account from "accounts" as "a" {
        pub id: i64,
        pub username: String,
        pub member_id: Option<i64>,
        #[serde(skip)]
        pub password_hash: String,
        pub must_change: bool,
        pub password_changed_at: i64,
        pub locked: bool,
        pub locked_until: Option<i64>,
        #[serde(skip)]
        pub failed_count: i64,
        #[serde(skip)]
        pub failed_since: Option<i64>,
        pub created_at: i64,
        pub last_login_at: Option<i64>,
        #[serde(skip)]
        pub totp_enc: Option<String>,
        #[serde(skip)]
        pub totp_last_step: Option<i64>,
    }
}

impl Account {
    pub fn second_factor(&self) -> bool {
        self.totp_enc.is_some()
    }
}

async fn load<C: ConnectionTrait>(c: &C, id: i64) -> Result<Account> {
    query::fetch_one(c, Account::select().and_where(col("a", "id").eq(id))).await?.ok_or(StoreError::NotFound)
}

pub async fn find_by_username(store: &Store, username: &str) -> Result<Option<Account>> {
    Ok(query::fetch_one(&store.db, Account::select().and_where(col("a", "username_lc").eq(username.trim().to_lowercase()))).await?)
}

/// Runs `UPDATE accounts SET … WHERE id = id`.
async fn update_account<C: ConnectionTrait>(c: &C, id: i64, pairs: Vec<(&'static str, Value)>) -> Result<()> {
    query::execute(c, query::update("accounts", pairs).and_where(Expr::col("id").eq(id))).await?;
    Ok(())
}

/// Ends every session of the account but `keep`.
async fn end_sessions<C: ConnectionTrait>(c: &C, account_id: i64, keep: Option<&str>) -> Result<()> {
    let mut stmt = query::delete("sessions");
    stmt.and_where(Expr::col("account_id").eq(account_id));
    if let Some(keep) = keep {
        stmt.and_where(Expr::col("id").ne(keep));
    }
    query::execute(c, &stmt).await?;
    Ok(())
}

fn count_rows(table: &'static str) -> SelectStatement {
    Query::select().expr(Expr::col(Asterisk).count()).from(Alias::new(table)).to_owned()
}

record! {
    /// A role grant with the organisation it applies to.
    #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
    pub struct RoleGrant from "role_grants" as "g" {
        pub id: i64,
        pub account_id: i64,
        pub role: Role,
        pub org_id: i64,
        pub org_name: String = o.name,
        #[serde(skip)]
        pub org_path: String = o.path,
    }
}

/// Grants joined with the organisations they apply to.
fn grants() -> SelectStatement {
    RoleGrant::select().join_as(JoinType::InnerJoin, Alias::new("orgs"), Alias::new("o"), col("o", "id").equals(("g", "org_id"))).to_owned()
}

async fn grants_of<C: ConnectionTrait>(c: &C, account_id: i64) -> Result<Vec<RoleGrant>> {
    Ok(query::fetch(c, grants().and_where(col("g", "account_id").eq(account_id)).order_by(("g", "id"), sea_orm::sea_query::Order::Asc)).await?)
}

async fn actor_for<C: ConnectionTrait>(c: &C, a: &Account) -> Result<Actor> {
    let grants = grants_of(c, a.id).await?.into_iter().map(|g| Grant { role: g.role, org_id: g.org_id, org_path: g.org_path }).collect();
    Ok(Actor { account_id: a.id, username: a.username.clone(), member_id: a.member_id, grants, system: false })
}

/// What a successful login hands back.
#[derive(Debug, Clone)]
pub struct LoginOk {
    pub token: String,
    pub csrf: String,
    pub account_id: i64,
    pub must_change: bool,
}

fn anonymous(username: &str, ip: &str) -> Ctx {
    Ctx { actor: Actor { account_id: 0, username: username.chars().take(64).collect(), member_id: None, grants: vec![], system: false }, ip: ip.to_string() }
}

/// Checks the password and, for accounts that enrolled one, the one-time code. Every failure
/// answers the same message and counts towards the lockout.
pub async fn login(store: &Store, settings: &AuthSettings, username: &str, password: &str, otp: &str, ip: &str) -> Result<LoginOk> {
    let now = time::now_unix();
    let Some(a) = find_by_username(store, username).await? else {
        // Spend the same time as a real check, so timing does not reveal unknown names.
        let _ = verify_password(password, DUMMY_HASH);
        audit::record_alone(store, &anonymous(username, ip), "login", &format!("user:{}", username.trim().to_lowercase()), "unknown_user", serde_json::Value::Null).await?;
        return Err(StoreError::Auth(LOGIN_FAILED.into()));
    };
    let ctx = Ctx { actor: Actor { account_id: a.id, username: a.username.clone(), member_id: a.member_id, grants: vec![], system: false }, ip: ip.to_string() };
    if a.locked || a.locked_until.is_some_and(|t| t > now) {
        let _ = verify_password(password, DUMMY_HASH);
        audit::record_alone(store, &ctx, "login", &format!("account:{}", a.id), "locked", serde_json::Value::Null).await?;
        return Err(StoreError::Auth(LOGIN_FAILED.into()));
    }
    let password_ok = verify_password(password, &a.password_hash);
    let otp_step = match (&a.totp_enc, password_ok) {
        (Some(enc), true) => {
            let secret = store.crypto.decrypt_field(enc).ok().and_then(|b| dangjian_domain::totp::from_base32(&b));
            secret.and_then(|sec| dangjian_domain::totp::verify(&sec, otp, now, a.totp_last_step))
        }
        _ => None,
    };
    if !password_ok || (a.second_factor() && otp_step.is_none()) {
        let in_window = a.failed_since.is_some_and(|s| now - s <= settings.lockout_window_secs);
        let count = if in_window { a.failed_count + 1 } else { 1 };
        let since = if in_window { a.failed_since.unwrap_or(now) } else { now };
        let txn = store.write().await?;
        if count >= settings.lockout_threshold {
            update_account(&txn, a.id, vec![("failed_count", 0i64.into()), ("failed_since", Value::BigInt(None)), ("locked_until", (now + settings.lockout_secs).into())]).await?;
            audit::record(&txn, store.crypto.as_ref(), &ctx, "login", &format!("account:{}", a.id), "locked_out", json!({"failures": count})).await?;
        } else {
            update_account(&txn, a.id, vec![("failed_count", count.into()), ("failed_since", since.into())]).await?;
            let outcome = if password_ok { "bad_otp" } else { "bad_password" };
            audit::record(&txn, store.crypto.as_ref(), &ctx, "login", &format!("account:{}", a.id), outcome, json!({"failures": count})).await?;
        }
        txn.commit().await?;
        return Err(StoreError::Auth(LOGIN_FAILED.into()));
    }
    let token = random_token(32);
    let csrf = random_token(16);
    let must_change = a.must_change || settings.password.is_expired(a.password_changed_at, now);
    let txn = store.write().await?;
    let mut cleared = vec![("failed_count", 0i64.into()), ("failed_since", Value::BigInt(None)), ("locked_until", Value::BigInt(None)), ("last_login_at", now.into())];
    // The step just used, so that the same code cannot sign in twice; kept as it was without one.
    if let Some(step) = otp_step {
        cleared.push(("totp_last_step", step.into()));
    }
    update_account(&txn, a.id, cleared).await?;
    let row = query::insert("sessions", vec![
        ("id", sm3_hex(token.as_bytes()).into()),
        ("account_id", a.id.into()),
        ("csrf", csrf.clone().into()),
        ("created_at", now.into()),
        ("last_seen_at", now.into()),
        ("ip", ip.to_string().into()),
    ]);
    query::execute(&txn, &row).await?;
    audit::record(&txn, store.crypto.as_ref(), &ctx, "login", &format!("account:{}", a.id), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(LoginOk { token, csrf, account_id: a.id, must_change })
}

/// An Argon2id hash of a random string, to verify against when the account does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jq3hxJKmC7fU5n2n8cVn0k2wz4fQ2S4oPO6xmmXb2q8";

/// A live session: who, the CSRF token of forms, and whether the password must change first.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
    pub must_change: bool,
    /// An administrator who has not enrolled the required second factor yet.
    pub must_enrol_second_factor: bool,
    pub session_id: String,
}

record! {
    struct SessionRow from "sessions" as "s" {
        id: String,
        account_id: i64,
        csrf: String,
        created_at: i64,
        last_seen_at: i64,
    }
}

async fn delete_session<C: ConnectionTrait>(c: &C, id: &str) -> Result<()> {
    query::execute(c, query::delete("sessions").and_where(Expr::col("id").eq(id))).await?;
    Ok(())
}

/// Resolves a session token; expired sessions (idle or absolute) are deleted and yield None.
pub async fn session(store: &Store, settings: &AuthSettings, token: &str) -> Result<Option<Session>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let now = time::now_unix();
    let id = sm3_hex(token.as_bytes());
    let Some(s) = query::fetch_one::<SessionRow, _>(&store.db, SessionRow::select().and_where(col("s", "id").eq(id.as_str()))).await? else {
        return Ok(None);
    };
    if now - s.last_seen_at > settings.idle_timeout_secs || now - s.created_at > settings.absolute_timeout_secs {
        delete_session(&store.db, &id).await?;
        return Ok(None);
    }
    let a = load(&store.db, s.account_id).await?;
    if a.locked {
        return Ok(None);
    }
    // Touch at most once a minute: a read should not cost a write every time.
    if now - s.last_seen_at >= 60 {
        query::execute(&store.db, query::update("sessions", vec![("last_seen_at", now.into())]).and_where(Expr::col("id").eq(s.id.as_str()))).await?;
    }
    let must_change = a.must_change || settings.password.is_expired(a.password_changed_at, now);
    let actor = actor_for(&store.db, &a).await?;
    let must_enrol_second_factor = settings.require_second_factor_for_admins && !a.second_factor() && actor.grants.iter().any(|g| g.role.is_separated_admin());
    Ok(Some(Session { actor, csrf: s.csrf, must_change, must_enrol_second_factor, session_id: s.id }))
}

pub async fn logout(store: &Store, ctx: &Ctx, session_id: &str) -> Result<()> {
    let txn = store.write().await?;
    delete_session(&txn, session_id).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "logout", &format!("account:{}", ctx.actor.account_id), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes one's own password; other sessions of the account end.
pub async fn change_password(store: &Store, settings: &AuthSettings, ctx: &Ctx, session_id: &str, old: &str, new: &str) -> Result<()> {
    let a = load(&store.db, ctx.actor.account_id).await?;
    if !verify_password(old, &a.password_hash) {
        return Err(StoreError::invalid("old_password", "wrong_password", "原密码不正确"));
    }
    if old == new {
        return Err(StoreError::invalid("new_password", "same_password", "新密码不能与原密码相同"));
    }
    settings.password.check(new, &a.username).map_err(|m| StoreError::invalid("new_password", "weak_password", m))?;
    let hash = hash_password(new)?;
    let txn = store.write().await?;
    update_account(&txn, a.id, vec![("password_hash", hash.into()), ("must_change", false.into()), ("password_changed_at", time::now_unix().into())]).await?;
    end_sessions(&txn, a.id, Some(session_id)).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "account.password", &format!("account:{}", a.id), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub member_id: Option<i64>,
    /// Off only for demo data: a created account changes its password at first login.
    pub no_forced_change: bool,
}

fn check_username(s: &str) -> Result<String> {
    let s = s.trim();
    if s.len() < 2 || s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(StoreError::invalid("username", "invalid_username", "用户名应为2—32位字母、数字、点、下划线或短横线"));
    }
    Ok(s.to_string())
}

const PERSON_BOUND_CODE: &str = "person_bound";
const PERSON_BOUND: &str = "该党员已关联了另一个账号：一人只能有一个账号";

/// The unique index on `accounts.member_id` caught a second account for one person (two
/// creations racing past the check above).
fn is_second_account_for_person(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) if m.contains("member"))
}

/// Whether the account holds one of the 三员 roles.
async fn is_separated_admin<C: ConnectionTrait>(c: &C, account_id: i64) -> Result<bool> {
    Ok(grants_of(c, account_id).await?.iter().any(|g| g.role.is_separated_admin()))
}

/// SECURITY.md "Access": none of the 三员 can take over another, so the credentials and the lock
/// of a 三员 account change only at the command line (the operator), never through the web.
async fn guard_separated_admin(store: &Store, ctx: &Ctx, id: i64) -> Result<()> {
    if !ctx.actor.system && is_separated_admin(&store.db, id).await? {
        return Err(StoreError::conflict(
            "separated_admin_credentials",
            "三员（系统、安全、审计管理员）账号的密码、动态口令和锁定只能由运维人员在服务器命令行办理（dangjian user passwd / reset2fa / lock）",
        ));
    }
    Ok(())
}

/// Creates an account (系统管理员, or the operator at the command line).
pub async fn create(store: &Store, settings: &AuthSettings, ctx: &Ctx, new: &NewAccount) -> Result<Account> {
    store.authorize(ctx, Action::AccountManage, Target::system(), "accounts").await?;
    let username = check_username(&new.username)?;
    settings.password.check(&new.password, &username).map_err(|m| StoreError::invalid("password", "weak_password", m))?;
    if let Some(mid) = new.member_id {
        if query::scalar(&store.db, count_rows("members").and_where(Expr::col("id").eq(mid))).await? == 0 {
            return Err(StoreError::invalid("member_id", "no_member", "关联的党员不存在"));
        }
        // SECURITY.md "Access": a person is bound to at most one account; a second one would let
        // whoever created it read that person's record as them.
        if query::scalar(&store.db, count_rows("accounts").and_where(Expr::col("member_id").eq(mid))).await? > 0 {
            return Err(StoreError::conflict(PERSON_BOUND_CODE, PERSON_BOUND));
        }
    }
    let hash = hash_password(&new.password)?;
    let now = time::now_unix();
    let txn = store.write().await?;
    let row = query::insert("accounts", vec![
        ("username", username.clone().into()),
        ("username_lc", username.to_lowercase().into()),
        ("member_id", new.member_id.into()),
        ("password_hash", hash.into()),
        ("must_change", (!new.no_forced_change).into()),
        ("password_changed_at", now.into()),
        ("locked", false.into()),
        ("failed_count", 0i64.into()),
        ("created_at", now.into()),
    ]);
    let id = query::insert_id(&txn, row)
        .await
        .map_err(|e| if is_second_account_for_person(&e) { StoreError::conflict(PERSON_BOUND_CODE, PERSON_BOUND) } else { StoreError::from_db(e, &format!("用户名 {username} 已存在（不区分大小写）")) })?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "account.create", &format!("account:{id}"), "ok", json!({"username": username, "member_id": new.member_id})).await?;
    let a = load(&txn, id).await?;
    txn.commit().await?;
    Ok(a)
}

/// Locks or unlocks an account; locking also ends its sessions.
pub async fn set_locked(store: &Store, ctx: &Ctx, id: i64, locked: bool) -> Result<()> {
    store.authorize(ctx, Action::AccountManage, Target::system(), &format!("account:{id}")).await?;
    load(&store.db, id).await?;
    if id == ctx.actor.account_id && locked {
        return Err(StoreError::conflict("self_lock", "不能锁定自己的账号"));
    }
    guard_separated_admin(store, ctx, id).await?;
    let txn = store.write().await?;
    update_account(&txn, id, vec![("locked", locked.into()), ("locked_until", Value::BigInt(None)), ("failed_count", 0i64.into()), ("failed_since", Value::BigInt(None))]).await?;
    if locked {
        end_sessions(&txn, id, None).await?;
    }
    audit::record(&txn, store.crypto.as_ref(), ctx, if locked { "account.lock" } else { "account.unlock" }, &format!("account:{id}"), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password for someone else; they must change it at their next login.
pub async fn reset_password(store: &Store, settings: &AuthSettings, ctx: &Ctx, id: i64, password: &str, force_change: bool) -> Result<()> {
    store.authorize(ctx, Action::AccountManage, Target::system(), &format!("account:{id}")).await?;
    let a = load(&store.db, id).await?;
    guard_separated_admin(store, ctx, id).await?;
    settings.password.check(password, &a.username).map_err(|m| StoreError::invalid("password", "weak_password", m))?;
    let hash = hash_password(password)?;
    let txn = store.write().await?;
    update_account(&txn, id, vec![
        ("password_hash", hash.into()),
        ("must_change", force_change.into()),
        ("password_changed_at", time::now_unix().into()),
        ("locked_until", Value::BigInt(None)),
        ("failed_count", 0i64.into()),
    ])
    .await?;
    end_sessions(&txn, id, None).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "account.reset_password", &format!("account:{id}"), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(())
}

/// An account with its roles, for the management page and `/me`. The person's name appears
/// only on one's own `/me`: the accounts page belongs to the 三员, who see no member names
/// (SECURITY.md "Access"); they see the member number instead.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    pub person_name: Option<String>,
    pub member_no: Option<String>,
    pub roles: Vec<RoleGrant>,
    /// Locked by too many failed logins, until `locked_until`.
    pub locked_out: bool,
}

record! {
    struct PersonRow from "members" as "m" {
        name: String,
        member_no: Option<String>,
    }
}

async fn view(store: &Store, a: Account, with_name: bool) -> Result<AccountView> {
    let person = match a.member_id {
        Some(mid) => query::fetch_one::<PersonRow, _>(&store.db, PersonRow::select().and_where(col("m", "id").eq(mid))).await?,
        None => None,
    };
    let roles = grants_of(&store.db, a.id).await?;
    let locked_out = !a.locked && a.locked_until.is_some_and(|t| t > time::now_unix());
    let (person_name, member_no) = match person {
        Some(p) => (with_name.then_some(p.name), p.member_no),
        None => (None, None),
    };
    Ok(AccountView { account: a, person_name, member_no, roles, locked_out })
}

pub async fn me(store: &Store, ctx: &Ctx) -> Result<AccountView> {
    let a = load(&store.db, ctx.actor.account_id).await?;
    view(store, a, true).await
}

/// Accounts for the 系统管理员 and 安全管理员.
pub async fn list(store: &Store, ctx: &Ctx, page: Option<u64>, per_page: Option<u64>) -> Result<Page<AccountView>> {
    if ctx.actor.decide(Action::AccountManage, Target::system()) != dangjian_domain::policy::Decision::Allow {
        store.authorize(ctx, Action::RoleManage, Target::system(), "accounts").await?;
    }
    let (page, per_page) = page_bounds(page, per_page)?;
    let total = query::scalar(&store.db, &count_rows("accounts")).await?;
    let mut stmt = Account::select();
    stmt.order_by(("a", "id"), sea_orm::sea_query::Order::Asc);
    query::paginate(&mut stmt, page, per_page);
    let rows = query::fetch::<Account, _>(&store.db, &stmt).await?;
    let mut items = Vec::with_capacity(rows.len());
    for a in rows {
        items.push(view(store, a, false).await?);
    }
    Ok(Page { items, total: total as u64, page, per_page })
}

pub async fn get_view(store: &Store, ctx: &Ctx, id: i64) -> Result<AccountView> {
    if ctx.actor.decide(Action::AccountManage, Target::system()) != dangjian_domain::policy::Decision::Allow {
        store.authorize(ctx, Action::RoleManage, Target::system(), &format!("account:{id}")).await?;
    }
    let a = load(&store.db, id).await?;
    view(store, a, false).await
}

/// Grants a role on an organisation (安全管理员). 三员 stay separate: no account holds two of them.
pub async fn grant(store: &Store, ctx: &Ctx, account_id: i64, role: &str, org_id: i64) -> Result<RoleGrant> {
    let role = Role::parse(role).ok_or_else(|| StoreError::invalid("role", "invalid_role", "角色无法识别"))?;
    let o = org::load(&store.db, org_id).await.map_err(|_| StoreError::invalid("org_id", "no_org", "授权范围的组织不存在"))?;
    store.authorize(ctx, Action::RoleManage, Target::org(&o.path), &format!("account:{account_id}")).await?;
    if account_id == ctx.actor.account_id {
        return Err(StoreError::conflict("self_grant", "不能给自己授权"));
    }
    let a = load(&store.db, account_id).await?;
    let existing = grants_of(&store.db, account_id).await?;
    let separated = |g: &RoleGrant| g.role.is_separated_admin();
    if role.is_separated_admin() && existing.iter().any(|g| separated(g) && g.role != role) {
        return Err(StoreError::conflict("separation_of_duties", "系统管理员、安全管理员、审计管理员三员分立，一个账号只能担任其中一种"));
    }
    // 三员 hold no business role, ever: with one, the 安全管理员 could hand the 系统管理员 the
    // personal data the separation keeps from them.
    if role.is_separated_admin() && existing.iter().any(|g| !separated(g)) {
        return Err(StoreError::conflict("separation_of_duties", "该账号已有业务角色，不能再担任三员（系统、安全、审计管理员）"));
    }
    if !role.is_separated_admin() && existing.iter().any(separated) {
        return Err(StoreError::conflict("separation_of_duties", "三员（系统、安全、审计管理员）账号不能担任业务角色"));
    }
    if role == Role::Member && a.member_id.is_none() {
        return Err(StoreError::invalid("role", "no_person", "该账号未关联党员，不能授予党员角色"));
    }
    let txn = store.write().await?;
    let row = query::insert("role_grants", vec![
        ("account_id", account_id.into()),
        ("role", role.into()),
        ("org_id", org_id.into()),
        ("granted_by", (ctx.actor.account_id != 0).then_some(ctx.actor.account_id).into()),
        ("at", time::now_unix().into()),
    ]);
    let id = query::insert_id(&txn, row)
        .await
        .map_err(|e| StoreError::from_db(e, "该账号在该组织已有此角色"))?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "role.grant", &format!("account:{account_id}"), "ok", json!({"role": role.code(), "org_id": org_id})).await?;
    txn.commit().await?;
    grants_of(&store.db, account_id).await?.into_iter().find(|g| g.id == id).ok_or(StoreError::NotFound)
}

pub async fn revoke(store: &Store, ctx: &Ctx, grant_id: i64) -> Result<()> {
    let g = query::fetch_one::<RoleGrant, _>(&store.db, grants().and_where(col("g", "id").eq(grant_id)))
        .await?
        .ok_or(StoreError::NotFound)?;
    store.authorize(ctx, Action::RoleManage, Target::org(&g.org_path), &format!("grant:{grant_id}")).await?;
    let txn = store.write().await?;
    query::execute(&txn, query::delete("role_grants").and_where(Expr::col("id").eq(grant_id))).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "role.revoke", &format!("account:{}", g.account_id), "ok", json!({"role": g.role.code(), "org_id": g.org_id})).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn count(store: &Store) -> Result<i64> {
    Ok(query::scalar(&store.db, &count_rows("accounts")).await?)
}

/// A second factor being set up: the secret to type or import into an authenticator app.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Starts enrolling a TOTP second factor for oneself; it takes effect once a code confirms it.
pub async fn totp_start(store: &Store, ctx: &Ctx) -> Result<TotpSetup> {
    let a = load(&store.db, ctx.actor.account_id).await?;
    let secret = dangjian_domain::totp::generate_secret();
    let b32 = dangjian_domain::totp::base32(&secret);
    update_account(&store.db, a.id, vec![("totp_pending_enc", store.crypto.encrypt_field(&b32).into())]).await?;
    Ok(TotpSetup { otpauth_uri: dangjian_domain::totp::uri(&secret, &a.username), secret: b32 })
}

record! {
    struct Pending from "accounts" as "a" {
        totp_pending_enc: Option<String>,
    }
}

pub async fn totp_confirm(store: &Store, ctx: &Ctx, code: &str) -> Result<()> {
    let id = ctx.actor.account_id;
    let p = query::fetch_one::<Pending, _>(&store.db, Pending::select().and_where(col("a", "id").eq(id))).await?.ok_or(StoreError::NotFound)?;
    let enc = p.totp_pending_enc.ok_or_else(|| StoreError::invalid("code", "not_started", "请先生成动态口令密钥"))?;
    let b32 = store.crypto.decrypt_field(&enc).map_err(|e| StoreError::invalid("code", "undecryptable", e.to_string()))?;
    let secret = dangjian_domain::totp::from_base32(&b32).ok_or_else(|| StoreError::invalid("code", "bad_secret", "密钥无效，请重新生成"))?;
    let step = dangjian_domain::totp::verify(&secret, code, time::now_unix(), None)
        .ok_or_else(|| StoreError::invalid("code", "bad_code", "动态口令不正确，请核对手机时间后重试"))?;
    let txn = store.write().await?;
    let confirm = query::update("accounts", vec![("totp_pending_enc", Value::String(None)), ("totp_last_step", step.into())])
        .value("totp_enc", Expr::col("totp_pending_enc"))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    query::execute(&txn, &confirm).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "account.totp_enrol", &format!("account:{id}"), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes an account's second factor (the operator, when a phone is lost); it must enrol again.
pub async fn totp_reset(store: &Store, ctx: &Ctx, id: i64) -> Result<()> {
    store.authorize(ctx, Action::AccountManage, Target::system(), &format!("account:{id}")).await?;
    load(&store.db, id).await?;
    guard_separated_admin(store, ctx, id).await?;
    let txn = store.write().await?;
    update_account(&txn, id, vec![("totp_enc", Value::String(None)), ("totp_pending_enc", Value::String(None)), ("totp_last_step", Value::BigInt(None))]).await?;
    end_sessions(&txn, id, None).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "account.totp_reset", &format!("account:{id}"), "ok", serde_json::Value::Null).await?;
    txn.commit().await?;
    Ok(())
}
