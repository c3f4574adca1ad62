//! `spawn_app()`: one server per test on its own database (a temporary SQLite file, or a fresh
//! PostgreSQL database when `DANGJIAN_TEST_PG` names a maintenance URL), and small HTTP clients.
//! Nothing is shared between tests, so they run in parallel.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dangjian::config::Config;
use dangjian::startup::App;
use dangjian_store::account::AuthSettings;
use dangjian_store::{ConnectionTrait, Ctx, Store};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};


/// A fixed data key: tests that restore a backup into a second app need the same key.
pub const DATA_KEY: &str = "00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef";
pub const DEMO_PASSWORD: &str = dangjian_store::sample::DEMO_PASSWORD;
/// Demo organisation codes used throughout: "own" is the branch of shuji1 and dangyuan1.
pub const ROOT: &str = "SZJGGW";
pub const OWN_BRANCH: &str = "SZJGGW-A01-B1";
pub const OTHER_BRANCH: &str = "SZJGGW-A02-B1";

/// A database that exists for one test and is removed when the guard drops.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn pg_admin_url() -> Option<String> {
    std::env::var("DANGJIAN_TEST_PG").ok().filter(|s| !s.trim().is_empty())
}

/// `postgres://u@h:p/db?x` with `db` replaced by `name`.
fn with_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[after_scheme..].find('/').map(|i| after_scheme + i).unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..host_end])
}

impl TestDb {
    /// SQLite, or PostgreSQL when `DANGJIAN_TEST_PG` is set.
    pub async fn new() -> TestDb {
        match pg_admin_url() {
            Some(_) => TestDb::postgres().await,
            None => TestDb::sqlite(),
        }
    }

    /// A temporary SQLite file, whatever the environment says.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("dangjian-test-{}", dangjian_domain::crypto::random_token(6)));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TestDb { url: dir.join("t.db").display().to_string(), cleanup: Cleanup::Sqlite(dir) }
    }

    async fn postgres() -> TestDb {
        let tag = dangjian_domain::crypto::random_token(6);
        match pg_admin_url() {
            Some(admin_url) => {
                let name = format!("t_{tag}");
                let admin = dangjian_store::db::connect(&admin_url, 1).await.expect("DANGJIAN_TEST_PG: cannot connect");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("CREATE DATABASE");
                let _ = admin.close().await;
                TestDb { url: with_db_name(&admin_url, &name), cleanup: Cleanup::Postgres { admin_url, name } }
            }
            None => panic!("DANGJIAN_TEST_PG is not set"),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }

    /// A directory for files next to the database (CLI tests write backups and rosters there).
    pub fn scratch_dir(&self) -> PathBuf {
        scratch_for(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("dangjian-test-{name}")));
                // Drop cannot await, and the test's runtime may be single-threaded and busy:
                // a thread with its own small runtime does the DROP and is waited for.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let done = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async move {
                        if let Ok(admin) = dangjian_store::db::connect(&admin_url, 1).await {
                            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                            let _ = admin.close().await;
                        }
                    });
                });
                let _ = done.join();
            }
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:port`
    pub base: String,
    pub store: Store,
    pub _guard: TestDb,
}

/// The scratch directory of a test database: the SQLite file's directory, or one named after the
/// PostgreSQL database. The CLI runs there, so its default `./data/…` files land beside the
/// in-process app's.
pub fn scratch_for(url: &str) -> PathBuf {
    let d = if url.starts_with("postgres") {
        let name = url.split('?').next().unwrap_or(url).rsplit('/').next().unwrap_or("pg");
        std::env::temp_dir().join(format!("dangjian-test-{name}"))
    } else {
        std::path::Path::new(url).parent().map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
    };
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

pub fn test_config(database: &str) -> Config {
    let mut cfg = Config { bind: "127.0.0.1:0".into(), database: database.into(), data_key: Some(DATA_KEY.into()), max_connections: 4, ..Config::default() };
    cfg.audit_checkpoint_file = Some(scratch_for(database).join("data").join("audit-checkpoint.json"));
    // Where the binary, run in the scratch directory, keeps them too (`./data/attachments`).
    cfg.attachments_dir = Some(scratch_for(database).join("data").join("attachments"));
    // Like demo mode: the separated administrators sign in with a password alone. The TOTP tests
    // switch this back on.
    cfg.auth.require_second_factor_for_admins = false;
    cfg
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, after `tweak` has adjusted the configuration (timeouts, cookies).
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(TestDb::new().await, tweak).await
}

pub async fn spawn_app_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
    // `DANGJIAN_TEST_LOG=warn` (an env filter) shows the server's log, e.g. the database error
    // behind a 500.
    if let Ok(filter) = std::env::var("DANGJIAN_TEST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_test_writer().try_init();
    }
    let mut cfg = test_config(&db.url);
    // As `serve --demo` does: the demo 三员 sign in with their password alone. The second
    // factor has its own tests, which switch it back on.
    cfg.auth.require_second_factor_for_admins = false;
    tweak(&mut cfg);
    let app = App::build(&cfg).await.expect("App::build");
    let (addr, store) = (app.addr, app.store.clone());
    tokio::spawn(app.run(std::future::pending()));
    TestApp { addr, base: format!("http://{addr}"), store, _guard: db }
}

/// A server on its own database with the demo data loaded: most tests start here.
pub async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    app.demo().await;
    app
}

/// A demo server and `user` (a demo account) signed in through the API.
pub async fn demo_api(user: &str) -> (TestApp, Api) {
    let app = demo_app().await;
    let api = app.demo_login(user).await;
    (app, api)
}

/// A client as a browser would be: cookies kept, redirects not followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn api_url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub fn client(&self) -> reqwest::Client {
        client()
    }

    pub async fn demo(&self) -> dangjian_store::sample::DemoSummary {
        dangjian_store::sample::demo(&self.store, &AuthSettings::default()).await.expect("demo data")
    }

    /// `POST /api/v1/login` with a fresh client; the answer as it came.
    pub async fn try_login(&self, user: &str, pass: &str) -> Resp {
        let c = self.client();
        Resp::from(c.post(self.api_url("/login")).json(&json!({"username": user, "password": pass})).send().await.expect("login request")).await
    }

    /// Logs in and returns a bearer client; panics unless the login succeeds.
    pub async fn login(&self, user: &str, pass: &str) -> Api {
        let c = self.client();
        let r = Resp::from(c.post(self.api_url("/login")).json(&json!({"username": user, "password": pass})).send().await.expect("login request")).await;
        let j = r.assert_status(200).json();
        Api {
            client: c,
            base: self.api_url(""),
            token: j["token"].as_str().expect("token").to_string(),
            csrf: j["csrf_token"].as_str().expect("csrf_token").to_string(),
        }
    }

    pub async fn demo_login(&self, user: &str) -> Api {
        self.login(user, DEMO_PASSWORD).await
    }

    /// `shuji2`, secretary of [`OTHER_BRANCH`] (the demo has one secretary account only).
    pub async fn other_secretary(&self) -> Api {
        let new = dangjian_store::account::NewAccount { username: "shuji2".into(), password: DEMO_PASSWORD.into(), member_id: None, no_forced_change: true };
        let acc = dangjian_store::account::create(&self.store, &Default::default(), &cli_ctx(), &new).await.expect("account");
        dangjian_store::account::grant(&self.store, &cli_ctx(), acc.id, "secretary", self.org_id(OTHER_BRANCH).await).await.expect("grant");
        self.demo_login("shuji2").await
    }

    pub async fn org_id(&self, code: &str) -> i64 {
        dangjian_store::org::find_by_code(&self.store, code).await.expect("org lookup").unwrap_or_else(|| panic!("no org {code}")).id
    }

    pub async fn account_id(&self, username: &str) -> i64 {
        dangjian_store::account::find_by_username(&self.store, username).await.expect("account lookup").unwrap_or_else(|| panic!("no account {username}")).id
    }

    pub async fn member_id_of(&self, username: &str) -> i64 {
        dangjian_store::account::find_by_username(&self.store, username).await.expect("lookup").and_then(|a| a.member_id).expect("account has a member")
    }

    /// Ids of the members registered directly in the organisation with `code`, ascending.
    pub async fn member_ids(&self, code: &str) -> Vec<i64> {
        let oid = self.org_id(code).await;
        let sql = dangjian_store::dialect::stmt(self.store.backend(), "SELECT id FROM members WHERE org_id = $1 ORDER BY id", vec![oid.into()]);
        self.store.db.query_all_raw(sql).await.expect("member ids").iter().map(|r| r.try_get_by_index::<i64>(0).expect("id")).collect()
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        dangjian_store::dialect::scalar_i64(&self.store.db, sql, vec![]).await.expect(sql)
    }

    /// The first column of the first row, as text.
    pub async fn text(&self, sql: &str) -> String {
        let rows = self.store.db.query_all_raw(dangjian_store::dialect::stmt(self.store.backend(), sql, vec![])).await.expect(sql);
        rows.first().unwrap_or_else(|| panic!("no row: {sql}")).try_get_by_index::<String>(0).expect("text")
    }

    pub async fn exec(&self, sql: &str) -> u64 {
        dangjian_store::dialect::exec(&self.store.db, sql, vec![]).await.expect(sql)
    }
}

/// Runs the binary on `db` in a scratch directory, with only the configuration we give it.
pub fn run(db: &TestDb, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dangjian"));
    cmd.arg("--database").arg(&db.url).args(args);
    isolate(&mut cmd, &db.scratch_dir());
    cmd.output().expect("run dangjian")
}

pub fn isolate(cmd: &mut Command, dir: &Path) {
    for (k, _) in std::env::vars() {
        if k.starts_with("DANGJIAN_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("DANGJIAN_DATA_KEY", DATA_KEY).env("DANGJIAN_LOG", "warn").current_dir(dir);
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, stdout(&o), String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

#[track_caller]
pub fn fails(o: Output) -> String {
    assert!(!o.status.success(), "expected a failure, got success: {}", stdout(&o));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The store of `db` as the binary opens it, to look at what a command left behind.
pub async fn open(db: &TestDb) -> Store {
    dangjian::startup::open_store(&test_config(&db.url)).await.expect("open store")
}

/// A second application node on the same database as `app` (several `serve` behind a proxy):
/// its own connections and its own organisation-tree snapshot.
pub async fn second_node(app: &TestApp) -> Store {
    dangjian::startup::open_store(&test_config(&app._guard.url)).await.expect("open a second node")
}

/// The operator at the command line, for setting up data without HTTP.
pub fn cli_ctx() -> Ctx {
    Ctx::cli("test")
}

/// An answer read to the end, so assertions can print it.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.text();
        let shown: String = text.chars().take(600).collect();
        write!(f, "{} {shown}", self.status)
    }
}

impl Resp {
    pub async fn from(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().await.expect("response body").to_vec();
        Resp { status, headers, body }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    #[track_caller]
    pub fn assert_status(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status: {self:?}");
        self
    }

    /// The machine code of a problem answer.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
}

/// A logged-in API caller using `Authorization: Bearer`.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    /// `http://127.0.0.1:port/api/v1`
    pub base: String,
    pub token: String,
    pub csrf: String,
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        Resp::from(rb.bearer_auth(&self.token).send().await.expect("request")).await
    }

    pub async fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.client.request(m, self.url(path));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        self.send(rb).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request("GET", path, None).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.request("POST", path, Some(body)).await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Resp {
        self.request("PATCH", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.request("DELETE", path, None).await
    }

    /// `GET` that must answer 200, as JSON.
    pub async fn get_ok(&self, path: &str) -> Value {
        self.get(path).await.assert_status(200).json()
    }

    /// `POST /members/search` (how ID and phone numbers are searched) that must answer 200.
    pub async fn search(&self, body: &Value) -> Value {
        self.post_json("/members/search", body).await.assert_status(200).json()
    }

    /// Subtree member count of an organisation.
    pub async fn members_of(&self, org_id: i64) -> i64 {
        self.get_ok(&format!("/orgs/{org_id}/stats")).await["members"].as_i64().expect("members")
    }
}

/// A valid ID number for a birth date `yyyymmdd` and a 3-digit sequence (odd = male).
pub fn id_number(region: &str, yyyymmdd: &str, seq: u16) -> String {
    let first17 = format!("{region}{yyyymmdd}{seq:03}");
    let c = dangjian_domain::idcard::check_char(&first17);
    format!("{first17}{c}")
}

/// True when the text holds something shaped like a full 18-character ID number. Only for
/// texts without hex (API answers, exports): ciphertexts in hex contain such runs by chance.
pub fn contains_full_id(text: &str) -> bool {
    let b = text.as_bytes();
    let is_id_char = |i: usize| b[i].is_ascii_digit() || (b[i] == b'X');
    (0..b.len().saturating_sub(17)).any(|s| {
        (s == 0 || !b[s - 1].is_ascii_digit())
            && (s..s + 17).all(|i| b[i].is_ascii_digit())
            && is_id_char(s + 17)
            && (s + 18 >= b.len() || !b[s + 18].is_ascii_digit())
    })
}

/// Body of a new member in `org_id`: a full member who joined at 25.
pub fn member_body(org_id: i64, name: &str, id: &str, phone: &str) -> Value {
    let year: i32 = id[6..10].parse().expect("year");
    json!({
        "org_id": org_id,
        "name": name,
        "id_number": id,
        "phone": phone,
        "status": "full",
        "joined_on": format!("{}-07-01", year + 25),
        "full_on": format!("{}-07-01", year + 26),
    })
}

/// Percent-encoding for query strings and form bodies (reqwest's `form` feature is off).
pub fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// An `application/x-www-form-urlencoded` body.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&")
}
