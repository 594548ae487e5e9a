//! `GET /api/v1/videos/{job_id}`: every field of the seed's table, the statuses a job goes
//! through, `download_url` only once completed, and 404 for another key's job and for ids
//! that cannot be ours (path tricks, SQL).

use super::*;
use crate::both;

both!(status_has_every_seed_field_and_a_download_url_only_when_completed, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    gw.up.set_video_polls(4);
    let id = submit_ok(&gw, &serde_json::json!({"model": MODEL, "prompt": "fog over hills", "resolution": "480p", "aspect_ratio": "9:16", "duration": 10, "seed": 7})).await;
    let mut seen = std::collections::BTreeSet::new();
    let done = loop {
        let r = status(&gw, &id).await;
        assert_eq!((r.status, r.body["code"].as_i64(), r.body["msg"].as_str()), (200, Some(200), Some("")));
        let d = r.body["data"].clone();
        let s = d["status"].as_str().unwrap().to_string();
        seen.insert(s.clone());
        if s == "completed" {
            break d;
        }
        assert!(d.get("download_url").is_none(), "{d}");
        assert_eq!(d["billing_status"], "pre_deducted");
        assert_eq!(d["billed_cost"], d["estimated_cost"], "the estimate is what the job holds until it settles");
        assert!(d["completed_at"].is_null() && d["expires_at"].is_null());
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(seen.contains("in_progress"), "{seen:?}");
    for field in [
        "job_id", "status", "model", "status_url", "download_url", "duration", "resolution", "aspect_ratio", "generate_audio",
        "estimated_cost", "billed_cost", "billing_status", "expires_at", "created_at", "completed_at",
    ] {
        assert!(done.get(field).is_some_and(|v| !v.is_null()), "{field} missing: {done}");
    }
    assert_eq!(done["job_id"], id.as_str());
    assert_eq!(done["status_url"], format!("{}/api/v1/videos/{id}", gw.app.url));
    assert_eq!(done["download_url"], format!("{}/api/v1/videos/{id}/content", gw.app.url));
    assert_eq!((done["duration"].as_i64(), done["resolution"].as_str(), done["aspect_ratio"].as_str()), (Some(10), Some("480p"), Some("9:16")));
    assert_eq!((done["generate_audio"].as_bool(), done["size"].as_str(), done["seed"].as_i64()), (Some(true), Some("480x864"), Some(7)));
    assert_eq!(done["billing_status"], "settled");
    // 480 × 864 × 240 / 1024 = 97 200 tokens estimated
    assert_eq!(done["estimated_cost"], "0.7484400000");
    for t in ["expires_at", "created_at", "completed_at"] {
        assert!(done[t].as_str().unwrap().ends_with('Z'), "{t}: ISO 8601 UTC");
    }
    check_books(&gw, &[id]).await;
});

both!(another_keys_job_and_impossible_ids_are_not_found, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let id = submit_ok(&gw, &body("mine")).await;
    let user = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].created_by.clone();
    let (_, other_key) = gw.app.state.keys.create(&gw.org, &user, "other", None, None, false).await.unwrap();
    for path in [format!("/api/v1/videos/{id}"), format!("/api/v1/videos/{id}/content")] {
        let r = get_as(&gw, &other_key, &path).await;
        assert_eq!((r.status, r.body["code"].as_i64(), r.body["msg"].as_str()), (404, Some(404), Some("video job not found")), "{path}");
    }
    for bad in [
        "video_00000000000000000000000000000000",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "video_..%2F..%2Fsecret",
        "1'%20OR%20'1'%3D'1",
        "video_1%27%3B%20DROP%20TABLE%20video_jobs%3B--",
        &id.to_uppercase(),
    ] {
        for suffix in ["", "/content"] {
            let r = get_as(&gw, &gw.key, &format!("/api/v1/videos/{bad}{suffix}")).await;
            assert_eq!((r.status, r.body["code"].as_i64()), (404, Some(404)), "{bad}{suffix}: {}", r.text);
        }
    }
    let r = get_as(&gw, "sk-or-v1-bad", &format!("/api/v1/videos/{id}")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (401, Some(401)));
    wait_done(&gw, &id).await;
    // the table is still there and the job still ours
    assert_eq!(status(&gw, &id).await.status, 200);
});
