//! `POST /api/v1/videos` as the seed documents it: the 202 and every field of its answer, and
//! each refusal (400 naming the field, 401, 402 with the estimate and the balance, 404 for an
//! unknown model) in the `{"code","msg","data"}` envelope, with nothing charged or queued.

use super::*;
use crate::both;
use serde_json::json;

// The seed's own example body. Its webhook_url names example.com: here that name resolves to
// the loopback address, allowed for this test, so the delivery stays on this machine
// (webhooks are tested in `webhooks/`).
both!(submit_answers_202_with_every_field_of_the_seed, |b| async move {
    let gw = video_gateway(b, "100", |c| c.video.webhooks.allow_private = true).await;
    gw.app.state.video.webhooks.set_resolver(std::sync::Arc::new(super::webhooks::Loopback));
    let seed_example = json!({
        "model": "bytedance/seedance-2.0",
        "prompt": "A golden retriever running on a sunny beach, cinematic camera movement",
        "duration": 6, "resolution": "720p", "aspect_ratio": "16:9", "generate_audio": false, "seed": -1,
        "metadata": {"source": "playground"},
        "webhook_url": "https://example.com/webhooks/gateai-video"
    });
    let r = submit(&gw, &seed_example).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!((r.body["code"].as_i64(), r.body["msg"].as_str()), (Some(200), Some("")));
    let d = &r.body["data"];
    let id = d["job_id"].as_str().unwrap();
    assert!(id.starts_with("video_") && id.len() == 38, "{id}");
    // 6 s × 24 fps = 144 frames; 1280 × 720 × 144 / 1024 = 129 600 tokens × 7.7 USD/M
    assert_eq!(129_600 * UNITS_PER_TOKEN, 9_979_200_000);
    assert_eq!(d["status"], "pending");
    assert_eq!(d["model"], MODEL);
    assert_eq!(d["status_url"], format!("{}/api/v1/videos/{id}", gw.app.url));
    assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(d["current_balance"], "100.0000000000");
    assert_eq!(d["estimated_cost"], "0.9979200000");
    assert_eq!(d["pre_deduct_amount"], "0.9979200000");
    assert_eq!(d["balance_after_estimate"], "99.0020800000");
    assert_eq!(d["currency"], "USD");
    assert!(d["billing_notice"].as_str().is_some_and(|m| m.contains("refunded")));
    // one ledger entry: the pre-deduction, pointing at the job
    let all = ledger(&gw).await;
    let (pre, settle) = entries_of(&all, id);
    assert_eq!((pre.len(), settle.len()), (1, 0));
    assert_eq!(pre[0].amount_units, -9_979_200_000);
    assert_eq!(gw.balance_units().await, 1_000_000_000_000 - 9_979_200_000);
    // the request log carries the job (budgets, activity)
    let logs = gw.logs().await;
    let row = logs.iter().find(|l| l.id == id).unwrap();
    assert_eq!((row.protocol.as_str(), row.cost_units), ("video", 9_979_200_000));
    let j = job(&gw, id).await;
    assert_eq!((j.width, j.height, j.duration, j.generate_audio, j.estimated_tokens), (1280, 720, 6, false, 129_600));
    assert_eq!(j.metadata.as_deref(), Some(r#"{"source":"playground"}"#));
    let done = wait_done(&gw, id).await;
    assert_eq!(done["status"], "completed");
});

fn with(extra: Value) -> Value {
    let mut b = body("a cat on a skateboard");
    for (k, v) in extra.as_object().unwrap() {
        b[k.as_str()] = v.clone();
    }
    b
}

both!(every_invalid_field_is_refused_by_name_and_nothing_is_charged_or_queued, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let before = ledger(&gw).await.len();
    let cases = [
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": null}), "prompt"),
        (json!({"prompt": ["a"]}), "prompt"),
        (json!({"duration": 3}), "duration"),
        (json!({"duration": 16}), "duration"),
        (json!({"duration": 6.5}), "duration"),
        (json!({"duration": "6"}), "duration"),
        (json!({"resolution": "2160p"}), "resolution"),
        (json!({"aspect_ratio": "2:1"}), "aspect_ratio"),
        (json!({"generate_audio": 1}), "generate_audio"),
        (json!({"seed": -2}), "seed"),
        (json!({"seed": 4_294_967_296_i64}), "seed"),
        (json!({"seed": "42"}), "seed"),
        (json!({"size": "1280×720"}), "size"),
        (json!({"size": "1280x"}), "size"),
        (json!({"size": "999x999"}), "size"),
        (json!({"size": "1280x720", "resolution": "480p"}), "size"),
        (json!({"metadata": "source=x"}), "metadata"),
        (json!({"metadata": {"blob": "x".repeat(5000)}}), "metadata"),
        (json!({"webhook_url": "ftp://example.com/x"}), "webhook_url"),
        (json!({"webhook_url": "http://example.com/x"}), "webhook_url"),
        (json!({"model": 42}), "model"),
        (json!({"model": "openai/gpt-5-mini"}), "model"),
    ];
    for (extra, field) in cases {
        let r = submit(&gw, &with(extra.clone())).await;
        assert_eq!(r.status, 400, "{extra} → {}", r.text);
        assert_eq!(r.body["code"], 400, "{}", r.text);
        assert_eq!(r.body["data"]["field"], field, "{extra} → {}", r.text);
        assert!(r.body["msg"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // the seed's messages where it has one
    let r = submit(&gw, &json!({"prompt": "x"})).await;
    assert_eq!((r.status, r.body["msg"].as_str()), (400, Some("model field is required")));
    let r = submit(&gw, &json!({"model": "acme/video-9", "prompt": "x"})).await;
    assert_eq!((r.status, r.body["code"].as_i64(), r.body["msg"].as_str()), (404, Some(404), Some("no model config found for: acme/video-9")));
    let r = submit(&gw, &with(json!({"model": "openai/gpt-5-mini"}))).await;
    assert!(r.body["msg"].as_str().unwrap().contains("is a chat model"), "{}", r.text);
    let raw = gw.http.post(format!("{}/api/v1/videos", gw.app.url)).bearer_auth(&gw.key).header("content-type", "application/json").body("{\"model\":").send().await.unwrap();
    let r = reply(raw).await;
    assert_eq!((r.status, r.body["code"].as_i64(), r.body["msg"].as_str()), (400, Some(400), Some("invalid JSON body")));
    let r = submit_as(&gw, &gw.key, &body("x"), Some("")).await;
    assert_eq!((r.status, r.body["data"]["field"].as_str()), (400, Some("Idempotency-Key")));
    // 401 in the same envelope
    for key in ["sk-or-v1-nope", ""] {
        let r = submit_as(&gw, key, &body("x"), None).await;
        assert_eq!((r.status, r.body["code"].as_i64(), r.body["msg"].as_str()), (401, Some(401), Some("invalid api key")), "{}", r.text);
    }
    let r = reply(gw.http.post(format!("{}/api/v1/videos", gw.app.url)).json(&body("x")).send().await.unwrap()).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (401, Some(401)));
    // nothing charged, logged or sent upstream
    assert_eq!(ledger(&gw).await.len(), before);
    assert!(gw.logs().await.iter().all(|l| l.protocol != "video"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gw.up.video_tasks_created(), 0);
});

both!(a_balance_below_the_estimate_gets_402_with_estimate_and_balance, |b| async move {
    let gw = video_gateway(b, "0.5", |_| {}).await;
    let r = submit(&gw, &body("a lighthouse at dusk")).await;
    assert_eq!(r.status, 402, "{}", r.text);
    assert_eq!(r.body["code"], 402);
    assert!(r.body["msg"].as_str().unwrap().starts_with("Pending payment "), "{}", r.text);
    assert_eq!(r.body["data"]["estimated_cost"], "0.8316000000");
    assert_eq!(r.body["data"]["current_balance"], "0.5000000000");
    assert_eq!(r.body["data"]["currency"], "USD");
    assert_eq!(ledger(&gw).await.len(), 1, "only the grant");
    assert_eq!(gw.up.video_tasks_created(), 0);
});
