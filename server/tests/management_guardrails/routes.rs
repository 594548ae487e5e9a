//! The guardrail routes themselves: OpenRouter's shapes, paging, partial changes, deletion,
//! management-key authentication, another organization's guardrail (404) and bad input
//! (400 naming the field, nothing changed), each change audited.
#![allow(clippy::unwrap_used)]

use super::{refused, setup};
use crate::both;
use crate::gateway::harness::reply;
use serde_json::{json, Value};

both!(guardrails_round_trip_in_openrouter_shapes, |b| async move {
    let m = setup(b).await;
    let made = m
        .admin(
            "POST",
            "/api/v1/guardrails",
            Some(json!({
                "name": "  ci  ", "description": "for the runners", "limit_usd": 12.5, "reset_interval": "monthly",
                "allowed_models": ["openai/gpt-5-mini", "Anthropic/*"], "allowed_providers": ["openai", "anthropic"],
                "requests_per_minute": 60, "tokens_per_minute": 100000, "enforce_zdr": false
            })),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let d = &made.body["data"];
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["name"], "ci");
    assert_eq!(d["description"], "for the runners");
    assert!(made.text.contains("\"limit_usd\":12.5,"), "an exact number: {}", made.text);
    assert_eq!(d["reset_interval"], "monthly");
    assert_eq!(d["allowed_models"], json!(["openai/gpt-5-mini", "anthropic/*"]), "canonical forms");
    assert_eq!(d["allowed_providers"], json!(["openai", "anthropic"]));
    assert_eq!((d["requests_per_minute"].as_i64(), d["tokens_per_minute"].as_i64()), (Some(60), Some(100_000)));
    assert_eq!(d["assigned_to_organization"], false);
    assert_eq!(d["key_hashes"], json!([]));
    assert!(d["created_at"].as_str().unwrap().ends_with('Z') && d["updated_at"].is_string(), "{d}");

    let one = m.admin("GET", &format!("/api/v1/guardrails/{id}"), None).await;
    assert_eq!((one.status, &one.body["data"]), (200, d), "{}", one.text);

    // a second one; the list is oldest first with the total, paged by offset and limit
    let plain = m.create(json!({"name": "plain"})).await;
    let p = m.admin("GET", &format!("/api/v1/guardrails/{plain}"), None).await;
    for f in ["description", "limit_usd", "reset_interval", "allowed_models", "allowed_providers", "requests_per_minute", "tokens_per_minute"] {
        assert_eq!(p.body["data"][f], Value::Null, "{f}: {}", p.text);
    }
    let list = m.admin("GET", "/api/v1/guardrails", None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total_count"], 2);
    let ids: Vec<&str> = list.body["data"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str(), plain.as_str()]);
    let page = m.admin("GET", "/api/v1/guardrails?offset=1&limit=1", None).await;
    assert_eq!((page.body["data"].as_array().unwrap().len(), &page.body["total_count"]), (1, &json!(2)));
    assert_eq!(page.body["data"][0]["id"], plain.as_str());

    // a change touches only the fields sent; null clears
    let path = format!("/api/v1/guardrails/{id}");
    let changed = m
        .admin("PATCH", &path, Some(json!({"limit_usd": "3", "allowed_models": null, "requests_per_minute": null, "description": null})))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let c = &changed.body["data"];
    assert_eq!((&c["limit_usd"], &c["allowed_models"], &c["requests_per_minute"], &c["description"]), (&json!(3), &Value::Null, &Value::Null, &Value::Null));
    assert_eq!((&c["name"], &c["reset_interval"], &c["tokens_per_minute"]), (&json!("ci"), &json!("monthly"), &json!(100_000)));
    assert_eq!(m.admin("GET", &path, None).await.body["data"], *c);
    let same = m.admin("PATCH", &path, Some(json!({"unknown_field": 1}))).await;
    assert_eq!((same.status, &same.body["data"]), (200, c), "an empty change changes nothing: {}", same.text);

    let del = m.admin("DELETE", &path, None).await;
    assert_eq!((del.status, &del.body), (200, &json!({"deleted": true})), "{}", del.text);
    for method in ["GET", "PATCH", "DELETE"] {
        refused(&m.admin(method, &path, Some(json!({"name": "x"}))).await, 404, "no such guardrail in this organization");
    }
    assert_eq!(m.admin("GET", "/api/v1/guardrails", None).await.body["total_count"], 1);
    assert_eq!(m.actions().await, ["guardrail.create", "guardrail.create", "guardrail.update", "guardrail.delete"]);
});

both!(ordinary_keys_are_refused_and_nothing_changes, |b| async move {
    let m = setup(b).await;
    let id = m.create(json!({"name": "guard", "limit_usd": 1})).await;
    let g = |p: &str| format!("/api/v1/guardrails/{id}{p}");
    let routes = [
        ("GET", "/api/v1/guardrails".to_string()),
        ("POST", "/api/v1/guardrails".to_string()),
        ("GET", g("")),
        ("PATCH", g("")),
        ("DELETE", g("")),
        ("GET", g("/assignments/keys")),
        ("POST", g("/assignments/keys")),
        ("POST", g("/assignments/keys/remove")),
        ("PUT", g("/assignments/organization")),
        ("DELETE", g("/assignments/organization")),
        ("GET", "/api/v1/settings/routing".to_string()),
        ("PATCH", "/api/v1/settings/routing".to_string()),
    ];
    let body = json!({"name": "sneaky", "limit_usd": 0, "key_hashes": [m.key_id], "auto_routing": false});
    for (method, path) in &routes {
        let plain = m.call(method, path, Some(&m.gw.key), Some(body.clone())).await;
        assert_eq!((plain.status, &plain.body["error"]["type"]), (403, &json!("permission_error")), "{method} {path}: {}", plain.text);
        assert!(plain.body["error"]["message"].as_str().unwrap().contains("needs a management key"), "{}", plain.text);
        let none = m.call(method, path, None, Some(body.clone())).await;
        refused(&none, 401, "invalid api key");
    }
    assert_eq!(m.admin("GET", "/api/v1/guardrails", None).await.body["total_count"], 1);
    let guard = m.admin("GET", &g(""), None).await.body["data"].clone();
    assert_eq!((&guard["name"], &guard["limit_usd"], &guard["key_hashes"], &guard["assigned_to_organization"]), (&json!("guard"), &json!(1), &json!([]), &json!(false)));
    assert_eq!(m.admin("GET", "/api/v1/settings/routing", None).await.body["data"]["auto_routing"], true);
    assert_eq!(m.actions().await, ["guardrail.create"]);
});

both!(another_organizations_guardrail_is_not_found, |b| async move {
    let m = setup(b).await;
    let (_, v) = m.gw.app.user("other@example.com").await;
    let other_org = v["org"]["id"].as_str().unwrap().to_string();
    let uid = v["user_id"].as_str().unwrap();
    let (their_key, _) = m.gw.app.state.keys.create(&other_org, uid, "theirs", None, None, false).await.unwrap();
    let theirs = gateai::controls::changes::Changes {
        db: &m.gw.app.db,
        policies: &m.gw.app.state.controls.policies,
        catalog: m.gw.app.state.catalog.current(),
        org_id: &other_org,
        actor: gateai::controls::changes::Actor::User(uid.to_string()),
    };
    let their = theirs.create(gateai::controls::changes::GuardrailFields { name: Some("theirs".into()), ..Default::default() }).await.unwrap();
    let g = |p: &str| format!("/api/v1/guardrails/{}{p}", their.id);
    for (method, path) in [
        ("GET", g("")),
        ("PATCH", g("")),
        ("DELETE", g("")),
        ("GET", g("/assignments/keys")),
        ("POST", g("/assignments/keys")),
        ("POST", g("/assignments/keys/remove")),
        ("PUT", g("/assignments/organization")),
        ("DELETE", g("/assignments/organization")),
    ] {
        let r = m.admin(method, &path, Some(json!({"name": "mine now", "key_hashes": [m.key_id]}))).await;
        refused(&r, 404, "no such guardrail in this organization");
    }
    assert_eq!(m.admin("GET", "/api/v1/guardrails", None).await.body["total_count"], 0);
    // nor can their key be put under my guardrail
    let mine = m.create(json!({"name": "mine"})).await;
    let r = m.admin("POST", &format!("/api/v1/guardrails/{mine}/assignments/keys"), Some(json!({"key_hashes": [their_key.id]}))).await;
    assert_eq!((r.status, &r.body["error"]["param"]), (400, &json!("key_hashes")), "{}", r.text);
    assert_eq!(theirs.get(&their.id).await.unwrap(), their, "theirs unchanged");
    assert_eq!(m.admin("GET", &format!("/api/v1/guardrails/{mine}"), None).await.body["data"]["key_hashes"], json!([]));
    assert_eq!(m.actions().await, ["guardrail.create"]);
});

both!(bad_input_is_refused_and_changes_nothing, |b| async move {
    let m = setup(b).await;
    let bad = [
        (json!({"name": "x", "allowed_models": ["openai/gpt-nonexistent"]}), "allowed_models"),
        (json!({"name": "x", "allowed_models": ["nobody/*"]}), "allowed_models"),
        (json!({"name": "x", "allowed_models": "openai/*"}), "allowed_models"),
        (json!({"name": "x", "allowed_providers": ["nobody"]}), "allowed_providers"),
        (json!({"name": "x", "limit_usd": -1}), "limit_usd"),
        (json!({"name": "x", "limit_usd": 1e12}), "limit_usd"),
        (json!({"name": "x", "limit_usd": "lots"}), "limit_usd"),
        (json!({"name": "x", "requests_per_minute": 0}), "requests_per_minute"),
        (json!({"name": "x", "requests_per_minute": 2.5}), "requests_per_minute"),
        (json!({"name": "x", "tokens_per_minute": -5}), "tokens_per_minute"),
        (json!({"name": "x", "reset_interval": "hourly"}), "reset_interval"),
        (json!({"name": 7}), "name"),
        (json!({"name": "   "}), "name"),
    ];
    for (body, param) in &bad {
        let r = m.admin("POST", "/api/v1/guardrails", Some(body.clone())).await;
        assert_eq!((r.status, &r.body["error"]["param"]), (400, &json!(param)), "{body}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
    refused(&m.admin("POST", "/api/v1/guardrails", Some(json!({"limit_usd": 5}))).await, 400, "name is required: give the guardrail a name");
    assert_eq!(m.admin("GET", "/api/v1/guardrails", None).await.body, json!({"data": [], "total_count": 0}));

    let id = m.create(json!({"name": "steady", "limit_usd": 2, "allowed_models": ["openai/*"], "requests_per_minute": 10})).await;
    let path = format!("/api/v1/guardrails/{id}");
    let before = m.admin("GET", &path, None).await.body;
    for (body, param) in &bad {
        let r = m.admin("PATCH", &path, Some(body.clone())).await;
        assert_eq!((r.status, &r.body["error"]["param"]), (400, &json!(param)), "{body}: {}", r.text);
    }
    let raw = m.gw.http.patch(format!("{}{path}", m.gw.app.url)).bearer_auth(&m.admin).header("content-type", "application/json");
    assert_eq!(reply(raw.body("{oops").send().await.unwrap()).await.status, 400);
    for body in [json!({}), json!({"key_hashes": []}), json!({"key_hashes": "abc"}), json!({"key_hashes": ["no-such-key"]})] {
        let r = m.admin("POST", &format!("{path}/assignments/keys"), Some(body.clone())).await;
        assert_eq!((r.status, &r.body["error"]["param"]), (400, &json!("key_hashes")), "{body}: {}", r.text);
    }
    for q in ["offset=-1", "limit=0", "limit=1000", "offset=many"] {
        assert_eq!(m.admin("GET", &format!("/api/v1/guardrails?{q}"), None).await.status, 400, "{q}");
    }
    assert_eq!(m.admin("GET", &path, None).await.body, before, "nothing changed");
    assert_eq!(m.actions().await, ["guardrail.create"]);
});
