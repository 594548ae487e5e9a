//! The admin catalog: only administrators read or change it; a change is validated, saved,
//! and used by the very next request (and by another replica once it looks); a disabled
//! model answers like an unknown one. The providers' view never shows a key.

use super::*;
use crate::both;
use crate::common::Answer;
use crate::gateway::harness::{gateway, units};
use serde_json::json;
use testkit::upstream::UPSTREAM_KEY;

const MODEL: &str = "openai/gpt-5-mini";

/// The catalog form of MODEL with some fields replaced.
async fn save(c: &Client, changes: &[(&str, &str)]) -> Answer {
    let csrf = c.csrf().await;
    let mut form: Vec<(&str, String)> = vec![
        ("csrf", csrf),
        ("id", MODEL.into()),
        ("price_input", "0.25".into()),
        ("price_output", "2".into()),
        ("price_cached_input", "0.025".into()),
        ("price_cache_write", String::new()),
        ("price_video", String::new()),
        ("context", "400000".into()),
        ("max_output", "128000".into()),
        ("description", "OpenAI lightweight".into()),
        ("status", "enabled".into()),
    ];
    for (k, v) in changes {
        if let Some(slot) = form.iter_mut().find(|(n, _)| n == k) {
            slot.1 = v.to_string();
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.call("admin_update_model", &pairs).await
}

async fn ask(gw: &Gw) -> crate::gateway::harness::Reply {
    gw.openai(json!({"model": MODEL, "max_tokens": 32, "messages": [{"role": "user", "content": "what does it cost"}]})).await
}

both!(an_admin_price_change_applies_to_the_next_request, |b| async move {
    let gw = gateway(b).await;
    let admin = admin(&gw).await;
    assert_eq!(ask(&gw).await.status, 200);

    let a = save(&admin, &[("price_input", "10"), ("price_output", "20.5")]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["model"]["price_input"], "10");
    assert_eq!(a.body["change"]["fields"], json!(["price_input", "price_output"]));
    let r = ask(&gw).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let logs = gw.logs().await;
    let last = logs.iter().find(|l| l.id == r.headers["x-request-id"].to_str().unwrap()).unwrap();
    assert_eq!(last.cached_tokens, 0);
    assert_eq!(last.cost_units, units(last.input_tokens, 100_000) + units(last.output_tokens, 205_000), "charged at the new price");
    let first = logs.iter().find(|l| l.id != last.id).unwrap();
    assert_eq!(first.cost_units, units(first.input_tokens, 2_500) + units(first.output_tokens, 20_000), "the earlier one at the old price");

    // the marketplace shows it, and another replica (or a restart) reads the same
    let listed = gw.app.client().call("list_models", &[]).await;
    let m = listed.body.as_array().unwrap().iter().find(|m| m["id"] == MODEL).unwrap().clone();
    assert_eq!(m["price_output"], "20.5");
    let other = gateai::catalog::LiveCatalog::new(&[]).unwrap();
    assert!(other.refresh(&gw.app.db).await.unwrap(), "a change to pick up");
    assert!(!other.refresh(&gw.app.db).await.unwrap(), "nothing new the second time");
    assert_eq!(other.current().get(MODEL).unwrap().price_input.map(|p| p.to_string()), Some("10".into()));

    // back to the shipped values: nothing stored any more
    let csrf = admin.csrf().await;
    let reset = admin.call("admin_reset_model", &[("csrf", &csrf), ("id", MODEL)]).await;
    assert_eq!(reset.status, 200, "{reset:?}");
    assert!(reset.body["change"].is_null());
    assert!(gw.app.db.catalog_overrides().await.unwrap().is_empty());
    assert_eq!(gw.app.state.catalog.current().get(MODEL).unwrap().price_input.map(|p| p.to_string()), Some("0.25".into()));
});

both!(a_disabled_model_answers_as_unknown_and_is_not_listed, |b| async move {
    let gw = gateway(b).await;
    let admin = admin(&gw).await;
    let a = save(&admin, &[("status", "disabled")]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["enabled"], false);
    let r = ask(&gw).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["message"], format!("no model config found for: {MODEL}"));
    let models = reply_json(&gw, "/openai/v1/models").await;
    assert!(!models.to_string().contains(MODEL));
    let listed = gw.app.client().call("list_models", &[]).await;
    assert!(!listed.text.contains(MODEL));
    assert_eq!(gw.app.client().call("model_page", &[("id", MODEL)]).await.status, 404);
    // administrators still see it, to turn it back on
    let all = admin.call("admin_catalog", &[]).await;
    let row = all.body.as_array().unwrap().iter().find(|e| e["model"]["id"] == MODEL).unwrap().clone();
    assert_eq!(row["enabled"], false);
    assert_eq!(save(&admin, &[]).await.status, 200);
    assert_eq!(ask(&gw).await.status, 200);
    assert!(gw.app.db.catalog_overrides().await.unwrap().is_empty(), "as shipped again: no row");
});

async fn reply_json(gw: &Gw, path: &str) -> serde_json::Value {
    let r = gw.http.get(format!("{}{path}", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap();
    r.json().await.unwrap()
}

both!(bad_catalog_values_are_explained_by_field_and_not_saved, |b| async move {
    let gw = gateway(b).await;
    let admin = admin(&gw).await;
    for (k, v) in [("price_input", "-1"), ("price_output", "ten"), ("context", "lots"), ("status", "maybe")] {
        let a = save(&admin, &[(k, v)]).await;
        assert_eq!(a.status, 400, "{k}={v}: {a:?}");
        assert_eq!(field(&a.body), Some(k));
    }
    let csrf = admin.csrf().await;
    let unknown = admin.call("admin_reset_model", &[("csrf", &csrf), ("id", "no/such-model")]).await;
    assert_eq!(unknown.status, 404);
    let stale = admin.call("admin_reset_model", &[("csrf", "stale"), ("id", MODEL)]).await;
    assert_eq!(stale.status, 403);
    assert!(gw.app.db.catalog_overrides().await.unwrap().is_empty());
});

both!(only_instance_admins_read_or_change_the_catalog_and_providers, |b| async move {
    let gw = gateway(b).await;
    let person = owner(&gw).await;
    for name in ["admin_catalog", "admin_providers"] {
        assert_eq!(person.call(name, &[]).await.status, 403, "{name}");
    }
    assert_eq!(person.call("admin_catalog_model", &[("id", MODEL)]).await.status, 403);
    let a = save(&person, &[("price_input", "0")]).await;
    assert_eq!(a.status, 403, "{a:?}");
    let csrf = person.csrf().await;
    assert_eq!(person.call("admin_reset_model", &[("csrf", &csrf), ("id", MODEL)]).await.status, 403);
    assert!(gw.app.db.catalog_overrides().await.unwrap().is_empty());
    let visitor = gw.app.client();
    assert_eq!(visitor.call("admin_catalog", &[]).await.status, 401);
    assert_eq!(person.get("/admin/catalog").await.status, 200, "the page renders, with the error in words");
});

both!(providers_show_health_of_the_last_hour_and_never_a_key, |b| async move {
    let gw = gateway(b).await;
    assert_eq!(ask(&gw).await.status, 200);
    gw.up.push(testkit::upstream::Reply::Error { status: 400, message: "bad".into(), retry_after: None });
    assert_eq!(ask(&gw).await.status, 502);
    gw.settled().await;
    let admin = admin(&gw).await;
    let a = admin.call("admin_providers", &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(!a.text.contains(UPSTREAM_KEY), "never the key");
    let list = a.body.as_array().unwrap();
    let openai = list.iter().find(|p| p["id"] == "openai").unwrap();
    assert_eq!(openai["on"], true);
    assert_eq!(openai["base_url"], gw.up.openai_base().trim_end_matches('/'));
    assert_eq!((openai["requests_1h"].as_u64(), openai["errors_1h"].as_u64()), (Some(2), Some(1)));
    let xai = list.iter().find(|p| p["id"] == "x-ai").unwrap();
    assert_eq!((xai["on"].as_bool(), xai["requests_1h"].as_u64()), (Some(false), Some(0)));
    assert_eq!(xai["base_url"], "https://api.x.ai/v1");
});
