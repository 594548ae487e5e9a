//! `GET /api/v1/videos/{job_id}/content`: 409 before completion, then 302 to a link the
//! gateway signed and serves itself (the stored copy, Range supported, no API key needed);
//! a tampered or stale link is refused; after `expires_at` 410, and the sweeper removes the
//! file. The same checks run with videos in a local folder (here) and in an S3 bucket
//! (`bucket.rs`).

use super::*;
use crate::both;

async fn get_plain(gw: &Gw, url: &str, range: Option<&str>) -> reqwest::Response {
    let mut req = gw.http.get(url);
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().await.unwrap()
}

/// The 302's Location.
async fn content_link(gw: &Gw, id: &str) -> String {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.get(format!("{}/api/v1/videos/{id}/content", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    r.headers()["location"].to_str().unwrap().to_string()
}

both!(content_redirects_to_a_signed_link_that_streams_the_stored_copy_with_range, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let id = streams_the_stored_copy(&gw).await;
    assert!(gw.app.state.video.files.local_path(&id).unwrap().is_file());
});

/// 409, then the 302 to a signed link serving the stored copy whole and in ranges; tampered,
/// stale and other jobs' links refused.
pub async fn streams_the_stored_copy(gw: &Gw) -> String {
    gw.up.set_video_polls(1000);
    let id = submit_ok(&gw, &body("a paper boat on a river")).await;
    // not done yet
    let r = get_as(&gw, &gw.key, &format!("/api/v1/videos/{id}/content")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (409, Some(409)), "{}", r.text);
    gw.up.set_video_polls(0);
    wait_done(&gw, &id).await;
    let link = content_link(&gw, &id).await;
    assert!(link.starts_with(&format!("{}/api/v1/videos/{id}/file?expires=", gw.app.url)), "{link}");
    assert!(!link.contains(&gw.key), "no API key in the link");
    // the stored copy, byte for byte what the upstream made
    let task = job(&gw, &id).await.upstream_task_id.unwrap();
    let original = gw.http.get(format!("{}/files/{task}.mp4", gw.up.url)).send().await.unwrap().bytes().await.unwrap();
    let r = get_plain(&gw, &link, None).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    let whole = r.bytes().await.unwrap();
    assert!(whole.len() > 1000 && whole == original, "{} bytes", whole.len());
    assert_eq!(&whole[4..8], b"ftyp");
    assert_eq!(job(&gw, &id).await.file_bytes, Some(whole.len() as i64));
    // a range of it
    let r = get_plain(&gw, &link, Some("bytes=100-199")).await;
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(r.headers()["content-range"], format!("bytes 100-199/{}", whole.len()));
    assert_eq!(r.bytes().await.unwrap(), whole.slice(100..200));
    let r = get_plain(&gw, &link, Some(&format!("bytes={}-", whole.len() - 10))).await;
    assert_eq!((r.status().as_u16(), r.bytes().await.unwrap()), (206, whole.slice(whole.len() - 10..)));
    // tampered and stale links
    let (base, sig) = link.split_once("&signature=").unwrap();
    let flipped = format!("{base}&signature={}{}", if sig.starts_with('0') { '1' } else { '0' }, &sig[1..]);
    let stale = {
        let h = &gw.app.state.hasher;
        format!("{}{}", gw.app.url, gateai::video::files::signed_path(h, &id, gateai::clock::now() - 5))
    };
    let other_job = link.replace(&id, "video_0123456789abcdef0123456789abcdef");
    for bad in [flipped, stale, format!("{base}&signature="), base.to_string()] {
        let r = reply(get_plain(&gw, &bad, None).await).await;
        assert_eq!((r.status, r.body["code"].as_i64()), (403, Some(403)), "{bad}: {}", r.text);
    }
    assert_eq!(get_plain(&gw, &other_job, None).await.status().as_u16(), 403);
    id
}

both!(expired_videos_answer_410_and_the_sweeper_removes_the_file, |b| async move {
    let gw = video_gateway(b, "100", short_lived).await;
    expires_and_is_swept(&gw).await;
});

/// Videos kept 2 s, swept every second.
pub fn short_lived(c: &mut Config) {
    c.video.retention_secs = 2;
    c.video.sweep_secs = 1;
}

/// After `expires_at` the content is 410 and the sweeper removes the stored copy; the job
/// and its bill stay. (`gw` made with [`short_lived`].)
pub async fn expires_and_is_swept(gw: &Gw) {
    let id = submit_ok(&gw, &body("a short-lived clip")).await;
    wait_done(&gw, &id).await;
    let files = &gw.app.state.video.files;
    assert!(files.exists(&id).await.unwrap());
    let link = content_link(&gw, &id).await;
    assert_eq!(get_plain(&gw, &link, None).await.status().as_u16(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while files.exists(&id).await.unwrap() || job(&gw, &id).await.file_present {
        assert!(tokio::time::Instant::now() < deadline, "the sweeper did not remove {id} from {}", files.describe());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = get_as(&gw, &gw.key, &format!("/api/v1/videos/{id}/content")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (410, Some(410)), "{}", r.text);
    let r = reply(get_plain(&gw, &link, None).await).await;
    assert!(r.status == 410 || r.status == 403, "{}", r.text);
    // the job and its bill stay
    let d = status(&gw, &id).await.body["data"].clone();
    assert_eq!((d["status"].as_str(), d["billing_status"].as_str()), (Some("completed"), Some("settled")));
    check_books(&gw, &[id]).await;
}
