//! Jobs survive a crash: the real `gateai` binary is killed with SIGKILL while jobs are
//! queued, being submitted (the upstream made the task but its answer never arrived) and in
//! progress; a new process on the same database finishes every job, no job is submitted
//! upstream twice, and none is charged twice.

use super::*;
use crate::both;
use crate::common::{test_db, TestDb};
use std::process::{Child, Command, Stdio};
use testkit::upstream::{UpstreamDouble, UPSTREAM_KEY};

pub(super) const SECRET: &str = "restart-test-secret-restart-test-secret-0123";
const EMAIL: &str = "video-restart@example.com";

/// The environment of every `gateai` process of the test: one database, one data folder.
pub(super) fn env_of(db: &TestDb, data: &std::path::Path, up: &UpstreamDouble) -> Vec<(String, String)> {
    [
        ("DATABASE_URL", db.url.clone()),
        ("GATEAI_DATA_DIR", data.display().to_string()),
        ("GATEAI_SECRET", SECRET.into()),
        ("ARK_API_KEY", UPSTREAM_KEY.into()),
        ("ARK_BASE_URL", up.ark_base()),
        ("GATEAI_VIDEO_POLL_MS", "50".into()),
        ("GATEAI_VIDEO_MAX_POLL_MS", "200".into()),
        ("GATEAI_VIDEO_LEASE_SECS", "2".into()),
        ("GATEAI_VIDEO_CONCURRENCY", "2".into()),
        ("GATEAI_DB_POOL", "4".into()),
        ("GATEAI_LOG", "warn".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub(super) fn command(env: &[(String, String)], args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gateai"));
    c.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// An operator command; its stdout.
pub(super) fn admin(env: &[(String, String)], args: &[&str]) -> String {
    let out = command(env, args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A `gateai serve` process, killed with SIGKILL when dropped (a failing test leaves none).
pub(super) struct Server {
    child: Child,
    pub(super) url: String,
}

impl Server {
    /// SIGKILL: no graceful shutdown, nothing flushed.
    pub(super) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `gateai serve` on a free port, once it answers.
pub(super) async fn serve(env: &[(String, String)], log: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let child = command(env, &["serve"]).env("GATEAI_ADDR", &addr).stdout(Stdio::null()).stderr(Stdio::from(log)).spawn();
    let server = Server { child: child.unwrap(), url: format!("http://{addr}") };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/healthz", server.url)).await {
            if r.status().is_success() {
                return server;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "gateai serve did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both!(killed_with_sigkill_mid_job_every_job_finishes_once, |b| async move {
    let up = UpstreamDouble::start().await;
    up.set_video_polls(6);
    // the upstream makes each task at once but answers its create 800 ms later
    up.set_video_create_delay(Duration::from_millis(800));
    let tdb = test_db(b).await;
    let data = tempfile::tempdir().unwrap();
    let env = env_of(&tdb, data.path(), &up);
    admin(&env, &["admin", "create-user", "--email", EMAIL, "--password", "correct horse battery"]);
    let key = admin(&env, &["admin", "create-key", "--email", EMAIL]);
    admin(&env, &["admin", "credit", "--email", EMAIL, "--amount", "100"]);
    let log = data.path().join("gateai.log");

    let mut first = serve(&env, &log).await;
    let url = first.url.clone();
    let http = reqwest::Client::new();
    let mut ids = vec![];
    for i in 0..6 {
        let r = http.post(format!("{url}/api/v1/videos")).bearer_auth(&key).json(&body(&format!("crash test {i}"))).send().await.unwrap();
        let r = reply(r).await;
        assert_eq!(r.status, 202, "{}", r.text);
        ids.push(r.body["data"]["job_id"].as_str().unwrap().to_string());
    }
    // two jobs at a time: once the third task exists upstream, the first two are running and
    // the next two wait for their creates' answers
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while up.video_tasks_created() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the worker did not submit");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill();
    let mut states = std::collections::BTreeMap::<String, usize>::new();
    for id in &ids {
        *states.entry(tdb.db.video_job(id).await.unwrap().unwrap().status).or_default() += 1;
    }
    assert!(states.contains_key("submitting"), "a create was in flight: {states:?}");
    assert!(states.contains_key("queued"), "jobs were waiting: {states:?}");
    assert!(states.get("completed").copied().unwrap_or(0) < 6, "{states:?}");

    up.set_video_create_delay(Duration::ZERO);
    let mut second = serve(&env, &log).await;
    let url = second.url.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for id in &ids {
        loop {
            let r = reply(http.get(format!("{url}/api/v1/videos/{id}")).bearer_auth(&key).send().await.unwrap()).await;
            assert_eq!(r.status, 200, "{}", r.text);
            if r.body["data"]["status"] == "completed" {
                break;
            }
            assert_ne!(r.body["data"]["status"], "failed", "{}", r.text);
            assert!(tokio::time::Instant::now() < deadline, "{id} did not finish after the restart: {}", r.text);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    second.kill();
    // one upstream task per job, though the creates in flight were sent again
    assert_eq!(up.video_tasks_created(), 6);
    let creates = up.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/contents/generations/tasks")).count();
    assert!(creates > 6, "the interrupted creates were sent again ({creates})");
    // each job billed once
    let user = tdb.db.user_by_email(EMAIL).await.unwrap().unwrap();
    let org = tdb.db.personal_org(&user.id).await.unwrap().unwrap();
    let billed = check_books_of(&tdb.db, &org.id, &ids).await;
    assert_eq!(billed, 6 * DOUBLE_TOKENS * UNITS_PER_TOKEN);
    assert_eq!(tdb.db.totals(&org.id).await.unwrap().balance_units, 1_000_000_000_000 - billed);
});
