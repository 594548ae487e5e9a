//! The management API (`/api/v1/keys`) over HTTP, on both databases: OpenRouter's shapes,
//! management-key authentication, organization scoping, input checks, audit entries, and
//! changes that hold from the very next completion.
#![allow(clippy::unwrap_used)]

use crate::both;
use crate::gateway::harness::{gateway, reply, Gw, Reply};
use gateai::accounts::api_keys::KeyOptions;
use serde_json::{json, Value};

/// A funded organization with an ordinary key (`gw.key`) and a management key.
struct Mgmt {
    gw: Gw,
    admin: String,
    admin_id: String,
}

async fn setup(b: crate::common::Backend) -> Mgmt {
    let gw = gateway(b).await;
    let user = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].created_by.clone();
    let (row, admin) = gw
        .app
        .state
        .keys
        .create_with(&gw.org, &user, "admin", KeyOptions { management: true, ..Default::default() })
        .await
        .unwrap();
    Mgmt { gw, admin, admin_id: row.id }
}

impl Mgmt {
    async fn call(&self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> Reply {
        self.raw(method, path, key, body.map(|b| b.to_string())).await
    }

    async fn raw(&self, method: &str, path: &str, key: Option<&str>, body: Option<String>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.gw.http.request(method, format!("{}{path}", self.gw.app.url));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        reply(req.send().await.unwrap()).await
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, Some(&self.admin), body).await
    }

    async fn chat(&self, key: &str) -> Reply {
        let body = json!({"model": "openai/gpt-5-mini", "messages": [{"role": "user", "content": "hello"}]});
        reply(
            self.gw.http.post(format!("{}/openai/v1/chat/completions", self.gw.app.url)).bearer_auth(key).json(&body).send().await.unwrap(),
        )
        .await
    }

    async fn audit(&self) -> Vec<gateai::storage::AuditRow> {
        self.gw.app.db.audit_entries(&self.gw.org, 0, 1000).await.unwrap()
    }
}

fn hashes(list: &Reply) -> Vec<String> {
    list.body["data"].as_array().unwrap().iter().map(|k| k["hash"].as_str().unwrap().to_string()).collect()
}

both!(keys_round_trip_in_openrouter_shapes, |b| async move {
    let m = setup(b).await;
    let made = m
        .admin(
            "POST",
            "/api/v1/keys",
            Some(json!({"name": "ci runner", "limit": 12.5, "limit_reset": "monthly", "expires_at": "2099-12-31T23:59:59Z"})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.body["key"].as_str().unwrap().to_string();
    assert!(gateai::accounts::api_keys::looks_like_key(&secret), "{secret}");
    let d = &made.body["data"];
    let hash = d["hash"].as_str().unwrap().to_string();
    assert_eq!(d["name"], "ci runner");
    assert!(d["label"].as_str().unwrap().starts_with("sk-or-v1-") && d["label"].as_str().unwrap().contains('…'));
    assert_eq!(d["disabled"], false);
    assert_eq!(d["limit_reset"], "monthly");
    assert_eq!(d["expires_at"], "2099-12-31T23:59:59Z");
    assert_eq!(d["is_management_key"], false);
    assert!(d["created_at"].is_string() && d["updated_at"].is_string());
    // money as exact JSON numbers, like OpenRouter
    for (field, want) in [("limit", "12.5"), ("limit_remaining", "12.5"), ("usage", "0"), ("usage_daily", "0"), ("usage_weekly", "0"), ("usage_monthly", "0"), ("byok_usage", "0")] {
        assert!(made.text.contains(&format!("\"{field}\":{want}")), "{field} in {}", made.text);
    }
    // the stored keyed hash and the secret never appear in data
    let row = m.gw.app.db.key_by_id(&m.gw.org, &hash).await.unwrap().unwrap();
    assert!(!made.text.contains(&row.key_hash));
    assert!(!d.to_string().contains(&secret));

    // the list: newest first, the management key too, each once
    let list = m.admin("GET", "/api/v1/keys", None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let hs = hashes(&list);
    assert_eq!(hs[0], hash, "newest first");
    assert_eq!(hs.len(), 3, "the new key, the admin key, the test key: {hs:?}");
    let admin = list.body["data"].as_array().unwrap().iter().find(|k| k["hash"] == m.admin_id.as_str()).unwrap();
    assert_eq!(admin["is_management_key"], true);
    assert_eq!(admin["limit"], Value::Null);
    assert_eq!(admin["limit_remaining"], Value::Null);
    assert_eq!(admin["limit_reset"], Value::Null);
    let slash = m.admin("GET", "/api/v1/keys/", None).await;
    assert_eq!(hashes(&slash), hs, "the collection answers with a trailing slash too");
    let put = m.admin("PUT", "/api/v1/keys", None).await;
    assert_eq!((put.status, &put.body["error"]["message"]), (405, &json!("method not allowed")), "{}", put.text);
    let page2 = m.admin("GET", "/api/v1/keys?offset=1", None).await;
    assert_eq!(hashes(&page2), hs[1..].to_vec());
    assert!(hashes(&m.admin("GET", "/api/v1/keys?offset=100", None).await).is_empty());

    let one = m.admin("GET", &format!("/api/v1/keys/{hash}"), None).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["data"], made.body["data"]);

    // change name, limit and reset; null clears the reset
    let changed = m
        .admin("PATCH", &format!("/api/v1/keys/{hash}"), Some(json!({"name": "ci", "limit": 5, "limit_reset": null})))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["data"]["name"], "ci");
    assert_eq!(changed.body["data"]["limit"], json!(5));
    assert_eq!(changed.body["data"]["limit_reset"], Value::Null);
    assert!(changed.text.contains("\"limit\":5,"), "{}", changed.text);
    let again = m.admin("GET", &format!("/api/v1/keys/{hash}"), None).await;
    assert_eq!(again.body["data"]["limit"], json!(5));
    assert_eq!(again.body["data"]["name"], "ci");

    // disabled keys leave the default list (OpenRouter's include_disabled)
    let off = m.admin("PATCH", &format!("/api/v1/keys/{hash}"), Some(json!({"disabled": true}))).await;
    assert_eq!((off.status, &off.body["data"]["disabled"]), (200, &json!(true)), "{}", off.text);
    assert!(!hashes(&m.admin("GET", "/api/v1/keys", None).await).contains(&hash));
    assert!(hashes(&m.admin("GET", "/api/v1/keys?include_disabled=true", None).await).contains(&hash));

    // delete: gone from every list, 404 afterwards
    let del = m.admin("DELETE", &format!("/api/v1/keys/{hash}"), None).await;
    assert_eq!(del.status, 200, "{}", del.text);
    assert_eq!(del.body, json!({"deleted": true}));
    assert!(!hashes(&m.admin("GET", "/api/v1/keys?include_disabled=true", None).await).contains(&hash));
    for method in ["GET", "PATCH", "DELETE"] {
        let gone = m.admin(method, &format!("/api/v1/keys/{hash}"), Some(json!({"name": "x"}))).await;
        assert_eq!(gone.status, 404, "{method}: {}", gone.text);
        assert_eq!(gone.body["error"]["type"], "invalid_request_error");
    }

    // every change audited, by the management key, without secrets
    let audit = m.audit().await;
    let actions: Vec<&str> = audit.iter().rev().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["key.create", "key.update", "key.update", "key.delete"]);
    for a in &audit {
        assert_eq!(a.actor_key_id.as_deref(), Some(m.admin_id.as_str()));
        assert_eq!(a.target, hash);
        assert!(!a.detail.contains(&secret) && !a.detail.contains(&row.key_hash), "{}", a.detail);
    }
    assert!(audit[2].detail.contains("limit 12.5 USD → limit 5 USD"), "{}", audit[2].detail);
});

both!(ordinary_and_unknown_keys_are_refused, |b| async move {
    let m = setup(b).await;
    let target = m.admin_id.clone();
    let routes = [
        ("GET", "/api/v1/keys".to_string()),
        ("POST", "/api/v1/keys".to_string()),
        ("GET", format!("/api/v1/keys/{target}")),
        ("PATCH", format!("/api/v1/keys/{target}")),
        ("DELETE", format!("/api/v1/keys/{target}")),
    ];
    for (method, path) in &routes {
        let body = Some(json!({"name": "sneaky", "disabled": true}));
        let plain = m.call(method, path, Some(&m.gw.key), body.clone()).await;
        assert_eq!(plain.status, 403, "{method} {path}: {}", plain.text);
        assert!(plain.body["error"]["message"].as_str().unwrap().contains("needs a management key"), "{}", plain.text);
        assert_eq!(plain.body["error"]["type"], "permission_error");
        let unknown = format!("sk-or-v1-{}", "0".repeat(64));
        for key in [None, Some("sk-or-v1-nope"), Some(unknown.as_str())] {
            let r = m.call(method, path, key, body.clone()).await;
            assert_eq!(r.status, 401, "{method} {path} {key:?}: {}", r.text);
            assert_eq!(r.body["error"]["message"], "invalid api key");
            assert_eq!(r.body["error"]["type"], "authentication_error");
        }
    }
    // nothing happened, and the management key still cannot call completions
    assert!(m.audit().await.is_empty());
    assert_eq!(m.gw.app.db.keys_of_org(&m.gw.org).await.unwrap().len(), 2);
    assert_eq!(m.chat(&m.admin).await.status, 403);
});

both!(another_organizations_keys_are_not_found, |b| async move {
    let m = setup(b).await;
    let (_, v) = m.gw.app.user("other@example.com").await;
    let other_org = v["org"]["id"].as_str().unwrap();
    let uid = v["user_id"].as_str().unwrap();
    let (theirs, their_secret) = m.gw.app.state.keys.create(other_org, uid, "theirs", None, None, false).await.unwrap();
    for method in ["GET", "PATCH", "DELETE"] {
        let r = m.admin(method, &format!("/api/v1/keys/{}", theirs.id), Some(json!({"disabled": true}))).await;
        assert_eq!(r.status, 404, "{method}: {}", r.text);
        assert_eq!(r.body["error"]["message"], "no such key in this organization");
    }
    assert!(!hashes(&m.admin("GET", "/api/v1/keys?include_disabled=true", None).await).contains(&theirs.id));
    let still = m.gw.app.db.key_by_id(other_org, &theirs.id).await.unwrap().unwrap();
    assert_eq!(still.status, "active");
    assert!(m.gw.app.state.keys.authenticate(&their_secret).await.is_ok());
    assert!(m.audit().await.is_empty());
});

both!(bad_input_is_refused_and_changes_nothing, |b| async move {
    let m = setup(b).await;
    let keys_before = m.gw.app.db.keys_of_org(&m.gw.org).await.unwrap().len();
    let creates: Vec<(String, &str, &str)> = vec![
        ("{not json".into(), "", "invalid JSON body"),
        ("[1,2]".into(), "", "invalid JSON body"),
        (json!({}).to_string(), "name", "name is required"),
        (json!({"name": "   "}).to_string(), "name", "must not be empty"),
        (json!({"name": 7}).to_string(), "name", "must be a string"),
        (json!({"name": "x".repeat(81)}).to_string(), "name", "at most 80"),
        (json!({"name": "a", "limit": -1}).to_string(), "limit", "must not be negative"),
        (json!({"name": "a", "limit": 2e9}).to_string(), "limit", "too large"),
        (json!({"name": "a", "limit": 1e300}).to_string(), "limit", "too large"),
        (json!({"name": "a", "limit": "lots"}).to_string(), "limit", "must be a number"),
        (json!({"name": "a", "limit": 0.00000000001}).to_string(), "limit", "10 decimal places"),
        (json!({"name": "a", "limit_reset": "hourly"}).to_string(), "limit_reset", "daily"),
        (json!({"name": "a", "expires_at": "next week"}).to_string(), "expires_at", "RFC 3339"),
        (json!({"name": "a", "expires_at": "2099-01-01T00:00:00+02:00"}).to_string(), "expires_at", "UTC"),
        (json!({"name": "a", "expires_at": "2001-01-01T00:00:00Z"}).to_string(), "expires_at", "future"),
    ];
    for (body, param, words) in &creates {
        let r = m.raw("POST", "/api/v1/keys", Some(&m.admin), Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        let msg = r.body["error"]["message"].as_str().unwrap();
        assert!(msg.contains(words), "{body}: {msg}");
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
        if !param.is_empty() {
            assert_eq!(r.body["error"]["param"], *param, "{body}");
        }
    }
    assert_eq!(m.gw.app.db.keys_of_org(&m.gw.org).await.unwrap().len(), keys_before);

    let made = m.admin("POST", "/api/v1/keys", Some(json!({"name": "steady", "limit": 3}))).await;
    let hash = made.body["data"]["hash"].as_str().unwrap().to_string();
    let path = format!("/api/v1/keys/{hash}");
    let patches = [
        "{oops".to_string(),
        json!({"disabled": "yes"}).to_string(),
        json!({"limit": -0.5}).to_string(),
        json!({"name": ""}).to_string(),
        json!({"limit_reset": "fortnightly"}).to_string(),
        json!({"name": "fine", "limit": 1e12}).to_string(),
    ];
    for body in &patches {
        let r = m.raw("PATCH", &path, Some(&m.admin), Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
    }
    let now = m.admin("GET", &path, None).await;
    assert_eq!(now.body["data"], made.body["data"], "nothing changed");
    for q in ["offset=-1", "offset=many", "include_disabled=perhaps"] {
        assert_eq!(m.admin("GET", &format!("/api/v1/keys?{q}"), None).await.status, 400, "{q}");
    }
    let actions: Vec<String> = m.audit().await.into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["key.create"], "only the one real change is audited");
});

both!(changes_hold_from_the_next_completion, |b| async move {
    let m = setup(b).await;
    let made = m.admin("POST", "/api/v1/keys", Some(json!({"name": "app", "limit": 10}))).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.body["key"].as_str().unwrap().to_string();
    let path = format!("/api/v1/keys/{}", made.body["data"]["hash"].as_str().unwrap());

    let ok = m.chat(&secret).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // what it spent shows in the key's usage, today, this week and this month
    m.gw.settled().await;
    let seen = m.admin("GET", &path, None).await;
    let d = &seen.body["data"];
    let usage = d["usage"].as_f64().unwrap();
    assert!(usage > 0.0, "{}", seen.text);
    for f in ["usage_daily", "usage_weekly", "usage_monthly"] {
        assert_eq!(d[f].as_f64(), Some(usage), "{f}: {}", seen.text);
    }
    assert!((d["limit_remaining"].as_f64().unwrap() - (10.0 - usage)).abs() < 1e-9, "{}", seen.text);

    let off = m.admin("PATCH", &path, Some(json!({"disabled": true}))).await;
    assert_eq!(off.status, 200, "{}", off.text);
    let refused = m.chat(&secret).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["error"]["message"], "invalid api key");

    let on = m.admin("PATCH", &path, Some(json!({"disabled": false}))).await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(m.chat(&secret).await.status, 200);

    let del = m.admin("DELETE", &path, None).await;
    assert_eq!(del.status, 200, "{}", del.text);
    let gone = m.chat(&secret).await;
    assert_eq!(gone.status, 401, "{}", gone.text);
    assert_eq!(gone.body["error"]["message"], "invalid api key");
    // the ordinary key of the organization is untouched
    assert_eq!(m.chat(&m.gw.key).await.status, 200);
});
