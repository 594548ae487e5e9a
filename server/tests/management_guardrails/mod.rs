//! The management API for guardrails (`/api/v1/guardrails`, their key and organization
//! assignments) and routing settings (`/api/v1/settings/routing`) over HTTP, on both
//! databases: OpenRouter's shapes, management-key authentication, organization scoping, input
//! checks and audit entries, and each change proven by the very next completion through the
//! upstream double.
//!
//! `routes`: each route's shapes, scoping and refusals; `effects`: what each change does to
//! the next completion.
#![allow(clippy::unwrap_used)]

mod effects;
mod routes;

use crate::gateway::harness::{gateway, reply, Gw, Reply};
use gateai::accounts::api_keys::KeyOptions;
use serde_json::{json, Value};

const MODEL: &str = "openai/gpt-5-mini";

/// A funded organization with an ordinary key (`gw.key`, id `key_id`) and a management key.
struct Mgmt {
    gw: Gw,
    admin: String,
    admin_id: String,
    key_id: String,
}

async fn setup(b: crate::common::Backend) -> Mgmt {
    let gw = gateway(b).await;
    let ordinary = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].clone();
    let (row, admin) = gw
        .app
        .state
        .keys
        .create_with(&gw.org, &ordinary.created_by, "admin", KeyOptions { management: true, ..Default::default() })
        .await
        .unwrap();
    Mgmt { gw, admin, admin_id: row.id, key_id: ordinary.id }
}

impl Mgmt {
    async fn call(&self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.gw.http.request(method, format!("{}{path}", self.gw.app.url));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.unwrap()).await
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, Some(&self.admin), body).await
    }

    /// Creates a guardrail; its id.
    async fn create(&self, body: Value) -> String {
        let r = self.admin("POST", "/api/v1/guardrails", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["data"]["id"].as_str().unwrap().to_string()
    }

    /// Assigns the guardrail to the ordinary key.
    async fn assign(&self, id: &str) {
        let r = self.admin("POST", &format!("/api/v1/guardrails/{id}/assignments/keys"), Some(json!({"key_hashes": [self.key_id]}))).await;
        assert_eq!((r.status, &r.body), (200, &json!({"assigned_count": 1})), "{}", r.text);
    }

    /// A completion with the ordinary key.
    async fn chat(&self, model: &str) -> Reply {
        self.gw.openai(json!({"model": model, "max_tokens": 20, "messages": [{"role": "user", "content": "hello"}]})).await
    }

    /// Audit actions, oldest first; each made by the management key.
    async fn actions(&self) -> Vec<String> {
        let entries = self.gw.app.db.audit_entries(&self.gw.org, 0, 1000).await.unwrap();
        for e in &entries {
            assert_eq!(e.actor_key_id.as_deref(), Some(self.admin_id.as_str()), "{e:?}");
        }
        entries.into_iter().rev().map(|e| e.action).collect()
    }
}

fn refused(r: &Reply, status: u16, message: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["error"]["message"], message, "{}", r.text);
}
