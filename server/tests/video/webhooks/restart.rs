//! At least once across a crash: the real `gateai` binary is killed with SIGKILL while the
//! receiver holds its POST open; the attempt was never logged, and a new process on the same
//! database sends the delivery again (same delivery id, same body) once the lease runs out.

use super::super::restart::{admin, env_of, serve, SECRET};
use super::*;
use crate::both;
use crate::common::test_db;
use testkit::upstream::UpstreamDouble;

const EMAIL: &str = "webhook-restart@example.com";

both!(a_server_killed_mid_delivery_delivers_after_its_restart, |b| async move {
    let up = UpstreamDouble::start().await;
    let rx = Receiver::start().await;
    rx.hang(true);
    let tdb = test_db(b).await;
    let data = tempfile::tempdir().unwrap();
    let mut env = env_of(&tdb, data.path(), &up);
    for (k, v) in [
        ("GATEAI_ALLOW_PRIVATE_WEBHOOKS", "true"),
        ("GATEAI_ALLOW_HTTP_WEBHOOKS", "true"),
        ("GATEAI_WEBHOOK_TIMEOUT_SECS", "1"),
        ("GATEAI_WEBHOOK_BACKOFF_BASE_MS", "100"),
    ] {
        env.push((k.to_string(), v.to_string()));
    }
    admin(&env, &["admin", "create-user", "--email", EMAIL, "--password", "correct horse battery"]);
    let key = admin(&env, &["admin", "create-key", "--email", EMAIL]);
    admin(&env, &["admin", "credit", "--email", EMAIL, "--amount", "100"]);
    let log = data.path().join("gateai.log");

    let mut first = serve(&env, &log).await;
    let http = reqwest::Client::new();
    let r = http.post(format!("{}/api/v1/videos", first.url)).bearer_auth(&key).json(&body_with_hook("crash", &rx.url("/hook"))).send();
    let r = reply(r.await.unwrap()).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["data"]["job_id"].as_str().unwrap().to_string();
    // the receiver holds the first POST open: the server dies in the middle of the attempt
    rx.wait_for(1).await;
    first.kill();
    let d = tdb.db.webhook_delivery_of_job(&id).await.unwrap().unwrap();
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 0), "the cut attempt was never recorded");

    rx.hang(false);
    let mut second = serve(&env, &log).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let d = loop {
        let d = tdb.db.webhook_delivery_of_job(&id).await.unwrap().unwrap();
        if d.status == "delivered" {
            break d;
        }
        assert!(tokio::time::Instant::now() < deadline, "not delivered after the restart: {d:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    second.kill();
    assert_eq!((d.attempts, d.last_status_code), (1, Some(200)));
    // at least once: the same delivery twice, both signed with the organization's secret
    let seen = rx.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let user = tdb.db.user_by_email(EMAIL).await.unwrap().unwrap();
    let org = tdb.db.personal_org(&user.id).await.unwrap().unwrap();
    let sealed = tdb.db.webhook_secret(&org.id).await.unwrap().unwrap().sealed;
    let hasher = gateai::accounts::tokens::Hasher::new(SECRET.as_bytes().to_vec());
    let secret = gateai::video::webhooks::secret::open(&hasher, &org.id, &sealed).unwrap();
    // the same job status each time; only the links differ (each process has its own address
    // here, with no GATEAI_PUBLIC_URL)
    let without_links = |c: &Captured| {
        let mut v = c.json();
        for link in ["status_url", "download_url"] {
            v["data"].as_object_mut().unwrap().remove(link);
        }
        v
    };
    for c in &seen {
        assert_signed(c, &secret, &d.id);
        assert_eq!(without_links(c), without_links(&seen[0]));
        assert_eq!(c.json()["data"]["job_id"], id.as_str());
        assert_eq!(c.json()["data"]["status"], "completed");
    }
});
