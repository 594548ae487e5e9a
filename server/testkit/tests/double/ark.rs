//! count_tokens, models, and Ark video tasks.

use crate::*;
use serde_json::{json, Value};
use testkit::upstream::{UpstreamDouble, UPSTREAM_KEY};

#[tokio::test]
async fn count_tokens_and_models() {
    let d = UpstreamDouble::start().await;
    let body = json!({"model": "c", "system": "sys", "messages": user("count me"), "tools": [{"name": "t", "input_schema": {"type": "object"}}]});
    let r = client()
        .post(format!("{}/v1/messages/count_tokens?beta=true", d.anthropic_base()))
        .header("x-api-key", UPSTREAM_KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"input_tokens": estimate(&[&body["messages"], &body["system"], &body["tools"]])}));
    let v: Value = client().get(format!("{}/models", d.openai_base())).bearer_auth(UPSTREAM_KEY).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"][0]["object"], "model");
    let v: Value = client()
        .get(format!("{}/v1/models", d.anthropic_base()))
        .header("x-api-key", UPSTREAM_KEY)
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["type"], "model");
    assert_eq!(v["has_more"], false);
    assert!(v["first_id"].is_string());
    assert!(d.chat_requests().is_empty());
}

#[tokio::test]
async fn ark_tasks_progress_and_serve_the_video() {
    let d = UpstreamDouble::start().await;
    let c = client();
    let create = |text: &str| {
        c.post(format!("{}/contents/generations/tasks", d.ark_base())).bearer_auth(UPSTREAM_KEY).json(&json!({
            "model": "doubao-seedance-2-0-260128", "content": [{"type": "text", "text": text}],
            "resolution": "1080p", "ratio": "9:16", "duration": 10, "seed": 42, "generate_audio": true}))
    };
    let id = create("a cat").send().await.unwrap().json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("cgt-") && id.ends_with("-1"), "{id}");
    let poll = |id: String| c.get(format!("{}/contents/generations/tasks/{id}", d.ark_base())).bearer_auth(UPSTREAM_KEY).send();
    let statuses = [poll(id.clone()).await.unwrap().json::<Value>().await.unwrap(), poll(id.clone()).await.unwrap().json::<Value>().await.unwrap()];
    assert_eq!((statuses[0]["status"].as_str(), statuses[1]["status"].as_str()), (Some("queued"), Some("running")));
    let done: Value = poll(id.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(done["status"], "succeeded");
    let tokens = 1080 * 1920 * 241 / 1024;
    assert_eq!(done["usage"], json!({"completion_tokens": tokens, "total_tokens": tokens}));
    assert_eq!((done["seed"].as_i64(), done["framespersecond"].as_i64(), done["duration"].as_i64()), (Some(42), Some(24), Some(10)));
    assert_eq!((done["resolution"].as_str(), done["ratio"].as_str()), (Some("1080p"), Some("9:16")));
    assert!(done["created_at"].is_u64() && done["updated_at"].is_u64());
    let url = done["content"]["video_url"].as_str().unwrap();
    assert_eq!(url, format!("{}/files/{id}.mp4", d.url));
    let video = c.get(url).send().await.unwrap();
    assert_eq!(video.headers()["content-type"], "video/mp4");
    let bytes = video.bytes().await.unwrap();
    assert_eq!(&bytes[4..8], b"ftyp");

    d.set_video_polls(0);
    let id = create("[[videofail]]").send().await.unwrap().json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let failed: Value = poll(id).await.unwrap().json().await.unwrap();
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"]["code"].is_string() && failed["error"]["message"].is_string());
    assert_eq!(d.video_tasks_created(), 2);
    assert_eq!(poll("cgt-nope".into()).await.unwrap().status(), 404);
}

#[tokio::test]
async fn ark_tasks_cancel_only_while_queued() {
    let d = UpstreamDouble::start().await;
    let c = client();
    let tasks = format!("{}/contents/generations/tasks", d.ark_base());
    let create = || async {
        let v: Value = c
            .post(&tasks)
            .bearer_auth(UPSTREAM_KEY)
            .json(&json!({"model": "m", "content": [{"type": "text", "text": "x"}]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        format!("{tasks}/{}", v["id"].as_str().unwrap())
    };
    let status = |url: String| {
        let req = c.get(url).bearer_auth(UPSTREAM_KEY);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap()["status"].clone() }
    };
    let delete = |url: String| {
        let req = c.delete(url).bearer_auth(UPSTREAM_KEY);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    // queued (never read, or read once as queued): cancelled
    let queued = create().await;
    assert_eq!(delete(queued.clone()).await, 200);
    assert_eq!(status(queued.clone()).await, "cancelled");
    // running: refused, it goes on
    let running = create().await;
    status(running.clone()).await;
    assert_eq!(status(running.clone()).await, "running");
    assert_eq!(delete(running.clone()).await, 409);
    assert_eq!(status(running.clone()).await, "succeeded");
    // finished: its record is deleted
    assert_eq!(delete(running.clone()).await, 200);
    assert_eq!(c.get(&running).bearer_auth(UPSTREAM_KEY).send().await.unwrap().status(), 404);
    assert_eq!(delete(running).await, 404);
    assert_eq!(c.delete(&queued).send().await.unwrap().status(), 401);
}
