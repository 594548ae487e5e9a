//! A small OAuth 2 / OIDC-style provider for tests: authorize (auto-consents as the identity
//! the test chose), token (checks client credentials, redirect URI and the PKCE S256
//! verifier), userinfo (bearer token). It records what it saw so tests can check it.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Identity {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
}

#[derive(Default)]
struct Inner {
    identity: Option<Identity>,
    /// code → (PKCE challenge, redirect_uri, identity)
    codes: HashMap<String, (String, String, Identity)>,
    tokens: HashMap<String, Identity>,
    /// What the token endpoint was asked, and its answer status.
    pub token_requests: Vec<(HashMap<String, String>, u16)>,
}

#[derive(Clone)]
pub struct OAuthDouble {
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    inner: Arc<Mutex<Inner>>,
}

impl OAuthDouble {
    pub async fn start() -> OAuthDouble {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let d = OAuthDouble {
            url: format!("http://{addr}"),
            client_id: "test-client".into(),
            client_secret: "test-client-secret".into(),
            inner,
        };
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            // GitHub's shapes: numeric id at /user, verified addresses at /user/emails
            .route("/user", get(github_user))
            .route("/user/emails", get(github_emails))
            .with_state(d.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        d
    }

    /// The person who will "consent" at the next authorize.
    pub fn sign_in_as(&self, sub: &str, email: &str, verified: bool) {
        self.lock().identity = Some(Identity { sub: sub.into(), email: email.into(), email_verified: verified });
    }

    pub fn token_requests(&self) -> Vec<(HashMap<String, String>, u16)> {
        self.lock().token_requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Deserialize)]
struct AuthorizeParams {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

async fn authorize(State(d): State<OAuthDouble>, Query(p): Query<AuthorizeParams>) -> Response {
    if p.response_type != "code" || p.client_id != d.client_id {
        return (StatusCode::BAD_REQUEST, "bad authorize request").into_response();
    }
    let (Some(challenge), Some("S256")) = (p.code_challenge, p.code_challenge_method.as_deref()) else {
        return (StatusCode::BAD_REQUEST, "PKCE S256 required").into_response();
    };
    let mut g = d.lock();
    let Some(identity) = g.identity.clone() else {
        return Redirect::to(&format!("{}?error=access_denied&state={}", p.redirect_uri, p.state)).into_response();
    };
    let code = format!("code-{}", rand::random::<u64>());
    g.codes.insert(code.clone(), (challenge, p.redirect_uri.clone(), identity));
    let sep = if p.redirect_uri.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{}{sep}code={code}&state={}", p.redirect_uri, urlenc(&p.state))).into_response()
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn token(State(d): State<OAuthDouble>, headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Response {
    let answer = |d: &OAuthDouble, form: &HashMap<String, String>, status: StatusCode, body: serde_json::Value| {
        d.lock().token_requests.push((form.clone(), status.as_u16()));
        (status, Json(body)).into_response()
    };
    // client authentication: HTTP Basic (what the oauth2 crate sends) or form fields
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let (id, secret) = match basic {
        Some(pair) => {
            let (a, b) = pair.split_once(':').unwrap_or((pair.as_str(), ""));
            (decode(a), decode(b))
        }
        None => (form.get("client_id").cloned().unwrap_or_default(), form.get("client_secret").cloned().unwrap_or_default()),
    };
    if id != d.client_id || secret != d.client_secret {
        return answer(&d, &form, StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}));
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some((challenge, redirect, identity)) = d.lock().codes.remove(&code) else {
        return answer(&d, &form, StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}));
    };
    if form.get("redirect_uri") != Some(&redirect) {
        return answer(&d, &form, StatusCode::BAD_REQUEST, json!({"error": "invalid_grant", "error_description": "redirect_uri mismatch"}));
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if computed != challenge {
        return answer(&d, &form, StatusCode::BAD_REQUEST, json!({"error": "invalid_grant", "error_description": "PKCE verification failed"}));
    }
    let access = format!("at-{}", rand::random::<u64>());
    d.lock().tokens.insert(access.clone(), identity);
    answer(&d, &form, StatusCode::OK, json!({"access_token": access, "token_type": "bearer", "expires_in": 3600}))
}

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

async fn userinfo(State(d): State<OAuthDouble>, headers: HeaderMap) -> Response {
    match bearer_identity(&d, &headers) {
        Some(i) => Json(json!({"sub": i.sub, "email": i.email, "email_verified": i.email_verified})).into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_token"}))).into_response(),
    }
}

fn bearer_identity(d: &OAuthDouble, headers: &HeaderMap) -> Option<Identity> {
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| {
        v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))
    })?;
    d.lock().tokens.get(token).cloned()
}

async fn github_user(State(d): State<OAuthDouble>, headers: HeaderMap) -> Response {
    match bearer_identity(&d, &headers) {
        Some(i) => {
            let id: u64 = i.sub.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 1_000_000_000;
            Json(json!({"id": id, "login": i.sub, "email": null})).into_response()
        }
        None => (StatusCode::UNAUTHORIZED, Json(json!({"message": "Bad credentials"}))).into_response(),
    }
}

async fn github_emails(State(d): State<OAuthDouble>, headers: HeaderMap) -> Response {
    match bearer_identity(&d, &headers) {
        Some(i) => Json(json!([
            {"email": "noreply@users.example", "primary": false, "verified": true, "visibility": null},
            {"email": i.email, "primary": true, "verified": i.email_verified, "visibility": "private"}
        ]))
        .into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({"message": "Bad credentials"}))).into_response(),
    }
}
