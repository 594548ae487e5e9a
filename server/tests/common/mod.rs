//! Test harness: a real server on port 0 with a fresh database (a temporary SQLite file, or
//! a fresh PostgreSQL database created on TEST_DATABASE_URL's server).
#![allow(dead_code, clippy::unwrap_used)]

use gateai::storage::Db;
use gateai::{AppState, Config};
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database and what must live as long as it.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())
}

/// Runs the body against the backend; on PostgreSQL without TEST_DATABASE_URL it says so and
/// returns (scripts/test.sh always sets it; CI=true makes it a failure).
pub fn skip_postgres(backend: Backend) -> bool {
    if backend == Backend::Postgres && postgres_url().is_none() {
        assert!(std::env::var("CI").is_err(), "TEST_DATABASE_URL must be set in CI");
        eprintln!("SKIPPED: TEST_DATABASE_URL is not set (run scripts/test.sh)");
        return true;
    }
    false
}

pub async fn test_db(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            let db = gateai::storage::connect(&url).await.unwrap();
            db.migrate().await.unwrap();
            TestDb { db, url, _dir: Some(dir) }
        }
        Backend::Postgres => {
            let admin = postgres_url().expect("TEST_DATABASE_URL");
            let name = format!("gateai_t_{}", uuid::Uuid::new_v4().simple());
            {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
            }
            let url = match admin.rfind('/') {
                Some(i) => format!("{}/{name}", &admin[..i]),
                None => panic!("TEST_DATABASE_URL has no database name"),
            };
            let db = gateai::storage::connect(&url).await.unwrap();
            db.migrate().await.unwrap();
            TestDb { db, url, _dir: None }
        }
    }
}

pub fn test_config(data_dir: &std::path::Path) -> Config {
    let mut c = Config { addr: "127.0.0.1:0".into(), ..Config::default() };
    c.data_dir = data_dir.to_path_buf();
    c.secret = Some("test-secret-test-secret-test-secret-0123".into());
    c.payment_webhook_secret = Some("whsec-test".into());
    c.login_max_failures_per_account = 5;
    c.login_max_failures_per_ip = 20;
    c
}

pub struct TestApp {
    pub running: gateai::http::Running,
    pub url: String,
    pub db: Db,
    pub state: AppState,
    _db: TestDb,
    _data: tempfile::TempDir,
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Server logs in test output when TEST_LOG is set (a tracing filter, e.g. `gateai=debug`).
fn test_log() {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_test_writer().try_init();
    }
}

pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    test_log();
    let tdb = test_db(backend).await;
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    config.database_url = Some(tdb.url.clone());
    tweak(&mut config);
    let (state, running) = start_on_a_free_port(config, &tdb.db).await;
    let url = running.url();
    TestApp { url, db: tdb.db.clone(), state, running, _db: tdb, _data: data }
}

/// A second server on the database of `first` (its own state, caches and counters, as a second
/// process would have), configured by `tweak`.
pub async fn spawn_sharing(first: &TestApp, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let url = first._db.url.clone();
    let db = gateai::storage::connect(&url).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    config.database_url = Some(url.clone());
    tweak(&mut config);
    let (state, running) = start_on_a_free_port(config, &db).await;
    let url2 = running.url();
    TestApp { url: url2, db: db.clone(), state, running, _db: TestDb { db, url, _dir: None }, _data: data }
}

/// Starts the server on a port known before it starts (links it makes, such as the OAuth
/// redirect URI, point at it). The port is free when picked, but another test may take it
/// before the server binds it: then another port is picked.
async fn start_on_a_free_port(config: Config, db: &gateai::storage::Db) -> (AppState, gateai::http::Running) {
    let mut attempt = 0;
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut config = config.clone();
        config.addr = format!("127.0.0.1:{port}");
        let state = AppState::with_db(config, db.clone()).await.unwrap();
        match gateai::http::start(state.clone()).await {
            Ok(running) => return (state, running),
            Err(e) if attempt < 5 && e.to_string().contains("in use") => attempt += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
}

pub fn redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL").ok().filter(|s| !s.is_empty())
}

/// How long a test's HTTP call may take: a page or call that never finishes fails its test
/// instead of hanging the run.
pub const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// A browser-like client: keeps cookies, sends our Origin on writes.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The console error's message, whatever its variant.
    pub fn message(&self) -> String {
        fn find(v: &Value) -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(m) => m.get("message").and_then(find).or_else(|| m.values().find_map(find)),
                _ => None,
            }
        }
        find(&self.body).unwrap_or_else(|| self.text.clone())
    }
}

impl TestApp {
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(CALL_TIMEOUT)
                .build()
                .unwrap(),
            base: self.url.clone(),
        }
    }

    /// Signs up a new person and returns their client and viewer.
    pub async fn user(&self, email: &str) -> (Client, Value) {
        let c = self.client();
        let a = c.call("sign_up", &[("email", email), ("password", "correct horse battery")]).await;
        assert!(a.status < 400, "sign up failed: {a:?}");
        let v = c.viewer().await;
        (c, v)
    }
}

impl Client {
    /// Calls a console server function (form-encoded, as the browser does).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> Answer {
        let r = self
            .http
            .post(format!("{}/console/api/{name}", self.base))
            .header("origin", self.base.clone())
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        Self::answer(r).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        Self::answer(r).await
    }

    pub async fn answer(r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    pub async fn viewer(&self) -> Value {
        let a = self.call("get_viewer", &[]).await;
        assert_eq!(a.status, 200, "{a:?}");
        a.body
    }

    pub async fn csrf(&self) -> String {
        self.viewer().await["csrf"].as_str().unwrap().to_string()
    }
}

pub type Shared<T> = Arc<T>;

/// Declares one test per backend: `both!(name, |backend| async move { ... })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                ($body)($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if $crate::common::skip_postgres($crate::common::Backend::Postgres) {
                    return;
                }
                ($body)($crate::common::Backend::Postgres).await
            }
        }
    };
}
