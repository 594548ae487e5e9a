//! Videos kept in an S3-compatible bucket instead of the local folder: a real S3 API server
//! (moto's, started by `scripts/test.sh` as `TEST_S3_URL`), a new bucket per test. The
//! same checks as with the folder (`content.rs`): the stored copy streamed whole and in
//! ranges through the gateway's signed links, 410 and removal once expired; nothing is
//! written to the local folder.

use super::content::{expires_and_is_swept, short_lived, streams_the_stored_copy};
use super::*;
use crate::common::Backend;

fn s3_url() -> Option<String> {
    let url = std::env::var("TEST_S3_URL").ok().filter(|s| !s.is_empty());
    if url.is_none() {
        assert!(std::env::var("CI").is_err(), "TEST_S3_URL must be set in CI");
        eprintln!("SKIPPED: TEST_S3_URL is not set (run scripts/test.sh)");
    }
    url
}

/// A new empty bucket on the test server; returns its `s3://` URL with a key prefix.
async fn new_bucket(endpoint: &str) -> String {
    let name = format!("gateai-test-{}", uuid::Uuid::new_v4().simple());
    // moto's server makes buckets without signatures (a real S3 would need them)
    let r = reqwest::Client::new().put(format!("{endpoint}/{name}")).send().await.unwrap();
    assert!(r.status().is_success(), "creating bucket {name}: {}", r.status());
    format!("s3://{name}/videos")
}

fn in_bucket(c: &mut Config, endpoint: &str, store: &str) {
    c.video.store = Some(store.to_string());
    c.video.s3.endpoint = Some(endpoint.to_string());
    c.video.s3.region = Some("us-east-1".into());
    c.video.s3.access_key_id = Some("test-key".into());
    c.video.s3.secret_access_key = Some("test-secret".into());
    c.video.s3.allow_http = true;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bucket_store_serves_the_copy_whole_and_in_ranges() {
    let Some(endpoint) = s3_url() else { return };
    let store = new_bucket(&endpoint).await;
    let gw = video_gateway(Backend::Sqlite, "100", |c| in_bucket(c, &endpoint, &store)).await;
    assert!(gw.app.state.video.files.describe().starts_with("s3://gateai-test-"));
    let id = streams_the_stored_copy(&gw).await;
    assert!(gw.app.state.video.files.exists(&id).await.unwrap());
    assert_eq!(gw.app.state.video.files.local_path(&id), None);
    let folder = gw.app.state.config.data_dir.join("videos");
    assert!(!folder.join(format!("{id}.mp4")).exists(), "nothing in the local folder");
    // a range past the end
    let link = {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = client.get(format!("{}/api/v1/videos/{id}/content", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap();
        r.headers()["location"].to_str().unwrap().to_string()
    };
    let size = job(&gw, &id).await.file_bytes.unwrap();
    let r = gw.http.get(&link).header("range", format!("bytes={size}-")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 416);
    assert_eq!(r.headers()["content-range"], format!("bytes */{size}"));
    let r = gw.http.get(&link).header("range", "bytes=-16").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(r.headers()["content-range"], format!("bytes {}-{}/{size}", size - 16, size - 1));
    assert_eq!(r.bytes().await.unwrap().len(), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bucket_store_expires_and_sweeps() {
    let Some(endpoint) = s3_url() else { return };
    let store = new_bucket(&endpoint).await;
    let gw = video_gateway(Backend::Sqlite, "100", |c| {
        in_bucket(c, &endpoint, &store);
        short_lived(c);
    })
    .await;
    expires_and_is_swept(&gw).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_bucket_keeps_the_job_waiting_with_only_its_pre_deduction() {
    let Some(_) = s3_url() else { return };
    // a store that refuses connections: the copy is retried later, the job stays in progress
    // (until the bucket is back or its deadline), neither completed without a file nor settled
    let dead = format!("http://127.0.0.1:{}", std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port());
    let gw = video_gateway(Backend::Sqlite, "100", |c| in_bucket(c, &dead, "s3://nowhere/videos")).await;
    let id = submit_ok(&gw, &body("a clip with nowhere to go")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let j = job(&gw, &id).await;
    assert_eq!(j.status, "running", "still waiting for the copy");
    assert!(!j.file_present);
    assert!(j.attempts >= 1, "the copy was tried");
    // the pre-deduction only: not settled, not refunded, not charged twice
    let all = gw.app.db.entries(&gw.org, 0, 1000).await.unwrap();
    let (pre, settle) = entries_of(&all, &id);
    assert_eq!((pre.len(), settle.len()), (1, 0));
    assert_eq!(pre[0].amount_units, -j.estimated_units);
    let t = gw.app.db.totals(&gw.org).await.unwrap();
    assert_eq!(t.sum_units, t.balance_units, "the ledger sums to the balance");
}
