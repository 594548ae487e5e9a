//! OAuth sign-in: GitHub, Google and any OIDC-style provider, through the `oauth2` crate.
//!
//! `/auth/oauth/{id}/start` keeps a random state and a PKCE verifier in the session and sends
//! the browser to the provider; `/auth/oauth/{id}/callback` checks the state (once), swaps the
//! code for a token with the verifier, reads the user's identity and verified email, then:
//! a known identity signs its user in; otherwise a verified email links to the account with
//! that email (or creates one). An unverified email is refused.

use super::{login, users};
use crate::clock;
use crate::config::{Config, OAuthProvider};
use crate::storage::Db;
use app::types::OAuthProviderInfo;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use tower_sessions::Session;

const STATE: &str = "oauth_state";
const VERIFIER: &str = "oauth_verifier";
const PROVIDER: &str = "oauth_provider";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    GitHub,
    Oidc,
}

struct Provider {
    id: String,
    label: String,
    kind: Kind,
    config: OAuthProvider,
    auth_url: String,
    token_url: String,
    userinfo_url: String,
    scopes: Vec<String>,
}

pub struct OAuth {
    providers: Vec<Provider>,
    public_url: String,
    http: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("unknown sign-in provider")]
    UnknownProvider,
    #[error("the sign-in attempt expired or was tampered with; please try again")]
    BadState,
    #[error("the provider refused the sign-in: {0}")]
    Provider(String),
    #[error("your account at the provider has no verified email address")]
    NoVerifiedEmail,
    #[error("something went wrong on our side; please try again")]
    Internal,
}

impl OAuth {
    pub fn new(config: &Config) -> anyhow::Result<OAuth> {
        let mut providers = Vec::new();
        if let Some(p) = &config.oauth.github {
            providers.push(Provider {
                id: "github".into(),
                label: p.label.clone().unwrap_or_else(|| "GitHub".into()),
                kind: Kind::GitHub,
                auth_url: p.auth_url.clone().unwrap_or_else(|| "https://github.com/login/oauth/authorize".into()),
                token_url: p.token_url.clone().unwrap_or_else(|| "https://github.com/login/oauth/access_token".into()),
                userinfo_url: p.userinfo_url.clone().unwrap_or_else(|| "https://api.github.com/user".into()),
                scopes: p.scopes.clone().unwrap_or_else(|| vec!["read:user".into(), "user:email".into()]),
                config: p.clone(),
            });
        }
        if let Some(p) = &config.oauth.google {
            providers.push(Provider {
                id: "google".into(),
                label: p.label.clone().unwrap_or_else(|| "Google".into()),
                kind: Kind::Oidc,
                auth_url: p.auth_url.clone().unwrap_or_else(|| "https://accounts.google.com/o/oauth2/v2/auth".into()),
                token_url: p.token_url.clone().unwrap_or_else(|| "https://oauth2.googleapis.com/token".into()),
                userinfo_url: p.userinfo_url.clone().unwrap_or_else(|| "https://openidconnect.googleapis.com/v1/userinfo".into()),
                scopes: p.scopes.clone().unwrap_or_else(|| vec!["openid".into(), "email".into(), "profile".into()]),
                config: p.clone(),
            });
        }
        for (id, p) in &config.oauth.custom {
            providers.push(Provider {
                id: id.clone(),
                label: p.label.clone().unwrap_or_else(|| id.clone()),
                kind: Kind::Oidc,
                auth_url: p.auth_url.clone().unwrap_or_default(),
                token_url: p.token_url.clone().unwrap_or_default(),
                userinfo_url: p.userinfo_url.clone().unwrap_or_default(),
                scopes: p.scopes.clone().unwrap_or_else(|| vec!["openid".into(), "email".into()]),
                config: p.clone(),
            });
        }
        for p in &providers {
            for u in [&p.auth_url, &p.token_url, &p.userinfo_url] {
                url::Url::parse(u).map_err(|e| anyhow::anyhow!("oauth provider {}: bad URL {u}: {e}", p.id))?;
            }
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .user_agent("gateai")
            .build()?;
        Ok(OAuth { providers, public_url: config.public_url(), http })
    }

    pub fn list(&self) -> Vec<OAuthProviderInfo> {
        self.providers.iter().map(|p| OAuthProviderInfo { id: p.id.clone(), label: p.label.clone() }).collect()
    }

    fn provider(&self, id: &str) -> Result<&Provider, OAuthError> {
        self.providers.iter().find(|p| p.id == id).ok_or(OAuthError::UnknownProvider)
    }

    fn redirect_url(&self, id: &str) -> String {
        format!("{}/auth/oauth/{id}/callback", self.public_url)
    }

    /// The provider's authorization URL; remembers state and PKCE verifier in the session.
    pub async fn start(&self, session: &Session, id: &str) -> Result<String, OAuthError> {
        let p = self.provider(id)?;
        let client = BasicClient::new(ClientId::new(p.config.client_id.clone()))
            .set_client_secret(ClientSecret::new(p.config.client_secret.clone()))
            .set_auth_uri(AuthUrl::new(p.auth_url.clone()).map_err(|_| OAuthError::Internal)?)
            .set_redirect_uri(RedirectUrl::new(self.redirect_url(id)).map_err(|_| OAuthError::Internal)?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge);
        for s in &p.scopes {
            req = req.add_scope(Scope::new(s.clone()));
        }
        let (url, state) = req.url();
        let store = async {
            session.insert(STATE, state.secret().clone()).await?;
            session.insert(VERIFIER, verifier.secret().clone()).await?;
            session.insert(PROVIDER, id.to_string()).await
        };
        store.await.map_err(|e| {
            tracing::error!(error = %e, "oauth: session write failed");
            OAuthError::Internal
        })?;
        Ok(url.to_string())
    }

    /// Completes the sign-in; returns the signed-in user's id.
    pub async fn callback(&self, db: &Db, session: &Session, id: &str, code: &str, state: &str) -> Result<String, OAuthError> {
        let p = self.provider(id)?;
        let take = async {
            let s: Option<String> = session.remove(STATE).await?;
            let v: Option<String> = session.remove(VERIFIER).await?;
            let pr: Option<String> = session.remove(PROVIDER).await?;
            Ok::<_, tower_sessions::session::Error>((s, v, pr))
        };
        let (expected, verifier, provider) = take.await.map_err(|_| OAuthError::Internal)?;
        let (Some(expected), Some(verifier)) = (expected, verifier) else { return Err(OAuthError::BadState) };
        if provider.as_deref() != Some(id) || !super::tokens::same(&expected, state) {
            return Err(OAuthError::BadState);
        }
        let client = BasicClient::new(ClientId::new(p.config.client_id.clone()))
            .set_client_secret(ClientSecret::new(p.config.client_secret.clone()))
            .set_token_uri(TokenUrl::new(p.token_url.clone()).map_err(|_| OAuthError::Internal)?)
            .set_redirect_uri(RedirectUrl::new(self.redirect_url(id)).map_err(|_| OAuthError::Internal)?);
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OAuthError::Provider(short(&e.to_string())))?;
        let access = token.access_token().secret().clone();
        let identity = self.identity(p, &access).await?;
        let user_id = link_or_create(db, id, identity).await?;
        login::start_session(session, &user_id).await.map_err(|_| OAuthError::Internal)?;
        Ok(user_id)
    }

    async fn identity(&self, p: &Provider, access: &str) -> Result<Identity, OAuthError> {
        let get = |url: String| {
            let http = self.http.clone();
            let access = access.to_string();
            async move {
                let r = http
                    .get(url)
                    .bearer_auth(access)
                    .header("accept", "application/json")
                    .send()
                    .await
                    .map_err(|e| OAuthError::Provider(short(&e.to_string())))?;
                if !r.status().is_success() {
                    return Err(OAuthError::Provider(format!("user info answered {}", r.status())));
                }
                r.json::<serde_json::Value>().await.map_err(|e| OAuthError::Provider(short(&e.to_string())))
            }
        };
        let info = get(p.userinfo_url.clone()).await?;
        match p.kind {
            Kind::Oidc => {
                let u: OidcUser = serde_json::from_value(info).map_err(|e| OAuthError::Provider(short(&e.to_string())))?;
                Ok(Identity { subject: u.sub, email: u.email, verified: u.email_verified.unwrap_or(false) })
            }
            Kind::GitHub => {
                let subject = info.get("id").map(|v| v.to_string().trim_matches('"').to_string()).ok_or_else(|| OAuthError::Provider("no user id".into()))?;
                // Only a verified primary address from /user/emails counts.
                let emails_url = p.userinfo_url.trim_end_matches('/').to_string() + "/emails";
                let emails: Vec<GitHubEmail> = serde_json::from_value(get(emails_url).await?).unwrap_or_default();
                let best = emails.iter().find(|e| e.primary && e.verified).or_else(|| emails.iter().find(|e| e.verified));
                Ok(Identity { subject, email: best.map(|e| e.email.clone()), verified: best.is_some() })
            }
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(200).collect()
}

struct Identity {
    subject: String,
    email: Option<String>,
    verified: bool,
}

#[derive(Deserialize)]
struct OidcUser {
    sub: String,
    email: Option<String>,
    email_verified: Option<bool>,
}

#[derive(Deserialize)]
struct GitHubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

async fn link_or_create(db: &Db, provider: &str, id: Identity) -> Result<String, OAuthError> {
    let internal = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "oauth: storage failed");
        OAuthError::Internal
    };
    if let Some(uid) = db.oauth_user(provider, &id.subject).await.map_err(|e| internal(&e))? {
        return Ok(uid);
    }
    let (Some(email), true) = (id.email, id.verified) else { return Err(OAuthError::NoVerifiedEmail) };
    let email = super::passwords::parse_email(&email).map_err(|_| OAuthError::NoVerifiedEmail)?;
    let user = match db.user_by_email(&email).await.map_err(|e| internal(&e))? {
        Some(u) => u,
        None => match users::create_user(db, &email, None, false).await {
            Ok(u) => u,
            // created by a parallel callback: use it
            Err(users::NewUserError::Taken) => db.user_by_email(&email).await.map_err(|e| internal(&e))?.ok_or(OAuthError::Internal)?,
            Err(e) => return Err(internal(&e)),
        },
    };
    db.link_oauth(provider, &id.subject, &user.id, &email, clock::now()).await.map_err(|e| internal(&e))?;
    Ok(user.id)
}
