//! OAuth sign-in end to end against the provider test double: state, PKCE, linking by
//! verified email, refusal of unverified email.

use crate::common::*;
use gateai::config::OAuthProvider;
use testkit::oauth::OAuthDouble;

async fn app_with_idp() -> (TestApp, OAuthDouble) {
    let idp = OAuthDouble::start().await;
    let app = spawn_with(Backend::Sqlite, |c| {
        c.oauth.github = Some(OAuthProvider {
            client_id: idp.client_id.clone(),
            client_secret: idp.client_secret.clone(),
            auth_url: Some(format!("{}/authorize", idp.url)),
            token_url: Some(format!("{}/token", idp.url)),
            userinfo_url: Some(format!("{}/user", idp.url)),
            label: None,
            scopes: None,
        });
        c.oauth.custom.insert(
            "oidc".into(),
            OAuthProvider {
                client_id: idp.client_id.clone(),
                client_secret: idp.client_secret.clone(),
                auth_url: Some(format!("{}/authorize", idp.url)),
                token_url: Some(format!("{}/token", idp.url)),
                userinfo_url: Some(format!("{}/userinfo", idp.url)),
                label: Some("Test IdP".into()),
                scopes: None,
            },
        );
    })
    .await;
    (app, idp)
}

fn location(a: &reqwest::Response) -> String {
    a.headers().get("location").unwrap().to_str().unwrap().to_string()
}

/// Browser-like walk: start → provider → callback. Returns the final redirect target.
async fn walk(app: &TestApp, c: &Client, tamper_state: bool) -> String {
    walk_with(app, c, "oidc", tamper_state).await
}

async fn walk_with(app: &TestApp, c: &Client, provider: &str, tamper_state: bool) -> String {
    let start = c.http.get(format!("{}/auth/oauth/{provider}/start", app.url)).send().await.unwrap();
    assert_eq!(start.status(), 303, "start redirects to the provider");
    let to_idp = location(&start);
    assert!(to_idp.contains("code_challenge_method=S256"), "{to_idp}");
    let back = c.http.get(&to_idp).send().await.unwrap();
    let mut callback = location(&back);
    assert!(callback.starts_with(&app.url), "{callback}");
    if tamper_state {
        let i = callback.find("state=").unwrap();
        callback = format!("{}state=forged", &callback[..i]);
    }
    let done = c.http.get(&callback).send().await.unwrap();
    location(&done)
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_sign_in_creates_then_finds_the_user() {
    let (app, idp) = app_with_idp().await;
    idp.sign_in_as("sub-1", "Grace@Example.com", true);
    let c = app.client();
    assert_eq!(walk(&app, &c, false).await, "/");
    let v = c.viewer().await;
    assert_eq!(v["email"], "grace@example.com");
    // PKCE: the provider checked the verifier against the challenge
    let reqs = idp.token_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].1, 200);
    assert!(reqs[0].0.contains_key("code_verifier"));
    // same identity again: same user
    let c2 = app.client();
    assert_eq!(walk(&app, &c2, false).await, "/");
    assert_eq!(c2.viewer().await["user_id"], v["user_id"]);
    assert_eq!(app.db.user_count().await.unwrap(), 1);
    let labels: Vec<String> = app.state.oauth.list().into_iter().map(|p| p.label).collect();
    assert_eq!(labels, ["GitHub", "Test IdP"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_links_to_an_existing_account_by_verified_email() {
    let (app, idp) = app_with_idp().await;
    let (_, v) = app.user("ada@example.com").await;
    idp.sign_in_as("sub-ada", "ada@example.com", true);
    let c = app.client();
    assert_eq!(walk(&app, &c, false).await, "/");
    assert_eq!(c.viewer().await["user_id"], v["user_id"], "linked, not duplicated");
    assert_eq!(app.db.oauth_user("oidc", "sub-ada").await.unwrap().unwrap(), v["user_id"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_refuses_unverified_email_and_forged_state() {
    let (app, idp) = app_with_idp().await;
    let (_, victim) = app.user("ada@example.com").await;
    idp.sign_in_as("sub-evil", "ada@example.com", false);
    let c = app.client();
    let to = walk(&app, &c, false).await;
    assert!(to.starts_with("/sign-in?error="), "{to}");
    assert!(to.contains("verified"), "{to}");
    assert_eq!(c.call("get_viewer", &[]).await.body, serde_json::Value::Null);
    assert!(app.db.oauth_user("oidc", "sub-evil").await.unwrap().is_none());
    let _ = victim;

    idp.sign_in_as("sub-2", "bob@example.com", true);
    let c2 = app.client();
    let to = walk(&app, &c2, true).await;
    assert!(to.starts_with("/sign-in?error="), "{to}");
    assert!(app.db.user_by_email("bob@example.com").await.unwrap().is_none(), "no account from a forged state");
    assert!(idp.token_requests().iter().all(|r| !r.0.contains_key("code") || r.1 == 200), "forged state never reached the token endpoint");
    // callback without a started flow
    let bare = app.client().http.get(format!("{}/auth/oauth/oidc/callback?code=x&state=y", app.url)).send().await.unwrap();
    assert!(location(&bare).starts_with("/sign-in?error="));
    let unknown = app.client().http.get(format!("{}/auth/oauth/nope/start", app.url)).send().await.unwrap();
    assert!(location(&unknown).starts_with("/sign-in?error="));
}

#[tokio::test(flavor = "multi_thread")]
async fn github_sign_in_uses_the_verified_primary_address() {
    let (app, idp) = app_with_idp().await;
    idp.sign_in_as("octocat", "octo@example.com", true);
    let c = app.client();
    assert_eq!(walk_with(&app, &c, "github", false).await, "/");
    assert_eq!(c.viewer().await["email"], "octo@example.com");
    // an unverified primary address is not enough (the verified noreply one is not used to link)
    let (_, victim) = app.user("victim@example.com").await;
    idp.sign_in_as("mallory", "victim@example.com", false);
    let c2 = app.client();
    let to = walk_with(&app, &c2, "github", false).await;
    if to == "/" {
        assert_ne!(c2.viewer().await["user_id"], victim["user_id"], "never signed in as the victim");
    }
}
