//! One configuration for the server and the CLI: defaults, then an optional TOML file
//! (`--config`), then environment variables. Every setting is listed in the README.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://…` (default: a file in the data folder) or `postgres://…`.
    pub database_url: Option<String>,
    /// Optional; used by scale-out features. With it, admission counters (budgets, balance,
    /// guardrails, rate and free-model limits) are shared by every process using it.
    pub redis_url: Option<String>,
    /// Put before every Redis key, so several deployments can share one Redis.
    pub redis_prefix: String,
    /// Listen address, `127.0.0.1:8080` by default.
    pub addr: String,
    /// The URL people and clients reach the server at (links, cookies' Secure flag).
    pub public_url: Option<String>,
    /// Folder for the SQLite file, the generated secret and (later) video files.
    pub data_dir: PathBuf,
    /// Where the built console lives (`target/site` after `cargo leptos build`).
    pub site_root: PathBuf,
    /// Server secret for keyed hashes of API keys, codes and tokens. When unset, one is
    /// generated into `<data_dir>/secret` at first start. Replicas must share it.
    pub secret: Option<String>,
    /// First admin, created at start when the database has no user.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// HMAC-SHA256 secret of the payment provider's webhook; the webhook is off without it.
    pub payment_webhook_secret: Option<String>,
    /// Session lifetime without activity, in hours.
    pub session_hours: i64,
    /// Failed sign-ins allowed per account and per IP address in `login_window_minutes`.
    pub login_max_failures_per_account: u32,
    pub login_max_failures_per_ip: u32,
    pub login_window_minutes: u32,
    pub oauth: OAuthConfig,
    /// Upstream providers by id (`[providers.openai]`); the environment variables of the
    /// README's provider table fill the built-in ones. A provider without a key is off.
    pub providers: std::collections::BTreeMap<String, ProviderConfig>,
    /// Catalog entries (`[[models]]`): same id as a shipped model overrides its fields,
    /// a new id adds a model (e.g. of a custom provider).
    pub models: Vec<toml::Value>,
    pub gateway: GatewayConfig,
    /// Video generation: worker, polling, retention (`[video]`, `GATEAI_VIDEO_*`).
    pub video: crate::video::VideoConfig,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProviderConfig {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    /// `openai` (chat completions), `anthropic` (messages) or `ark` (video tasks);
    /// built-in providers know theirs, custom ones default to `openai`.
    pub protocol: Option<String>,
    pub label: Option<String>,
}

/// Never prints the key.
impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("base_url", &self.base_url)
            .field("protocol", &self.protocol)
            .finish()
    }
}

/// Limits and timeouts of the chat gateway.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Largest request body accepted (413 past it).
    pub max_body_bytes: usize,
    pub connect_timeout_ms: u64,
    /// Until the upstream's response headers arrive.
    pub first_byte_timeout_secs: u64,
    /// Between two chunks of a streamed answer.
    pub idle_timeout_secs: u64,
    /// Retries of one model on connect errors, 429 and 5xx, before the next model.
    pub retries: u32,
    pub retry_base_ms: u64,
    /// Keep-alive interval of streams while the upstream is silent.
    pub keepalive_secs: u64,
    /// max_tokens sent to Anthropic-protocol models when an OpenAI client sets none.
    pub default_max_tokens: u64,
    /// Request-log rows waiting to be written; past it the oldest wait (never dropped).
    pub log_queue: usize,
    /// How the request-log writer's threads are scheduled against request threads. `idle`
    /// lets a request thread take the CPU from the writer at once, but starves the writer on
    /// a CPU that is never idle (measured on one busy CPU: p99 100 ms as the queue filled);
    /// `auto`, the default, is idle raised back to normal while the writer is behind (it
    /// needs CAP_SYS_NICE, and runs as `normal` without it). Measured in session 17 (README):
    /// the gateway's p99 at concurrency 1 halves and matches the bare proxy's, p50 +20 µs.
    pub log_writer: crate::logs::WriterScheduling,
    /// Requests a day on free models (catalog price zero) per user; 0 = no limit.
    pub free_requests_per_user_daily: i64,
    /// Requests a day on free models for everyone together; 0 = no limit.
    pub free_requests_global_daily: i64,
    /// What one guest (a visitor of the console playground who has not signed in) may spend
    /// a day, billed to the guest pool; zero turns guests away.
    pub guest_daily_usd: app::types::Usd,
    /// What all guests at one address may spend together a day; zero = no address limit.
    pub guest_daily_usd_per_ip: app::types::Usd,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            max_body_bytes: 32 * 1024 * 1024,
            connect_timeout_ms: 10_000,
            first_byte_timeout_secs: 600,
            idle_timeout_secs: 300,
            retries: 2,
            retry_base_ms: 250,
            keepalive_secs: 15,
            default_max_tokens: 4096,
            log_queue: 10_000,
            log_writer: crate::logs::WriterScheduling::Auto,
            free_requests_per_user_daily: 200,
            free_requests_global_daily: 20_000,
            guest_daily_usd: app::types::Usd::new(rust_decimal::Decimal::new(5, 2)),
            guest_daily_usd_per_ip: app::types::Usd::new(rust_decimal::Decimal::new(25, 2)),
        }
    }
}

/// The built-in providers: id, protocol, key variable, base-URL variable, default base URL.
pub const BUILTIN_PROVIDERS: &[(&str, &str, &str, &str, &str)] = &[
    ("openai", "openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1"),
    ("anthropic", "anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
    ("google", "openai", "GEMINI_API_KEY", "GEMINI_BASE_URL", "https://generativelanguage.googleapis.com/v1beta/openai"),
    ("deepseek", "openai", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL", "https://api.deepseek.com/v1"),
    ("x-ai", "openai", "XAI_API_KEY", "XAI_BASE_URL", "https://api.x.ai/v1"),
    ("moonshotai", "openai", "MOONSHOT_API_KEY", "MOONSHOT_BASE_URL", "https://api.moonshot.ai/v1"),
    ("z-ai", "openai", "ZAI_API_KEY", "ZAI_BASE_URL", "https://api.z.ai/api/paas/v4"),
    ("minimax", "openai", "MINIMAX_API_KEY", "MINIMAX_BASE_URL", "https://api.minimax.io/v1"),
    ("bytedance", "ark", "ARK_API_KEY", "ARK_BASE_URL", "https://ark.ap-southeast.bytepluses.com/api/v3"),
];

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OAuthConfig {
    pub github: Option<OAuthProvider>,
    pub google: Option<OAuthProvider>,
    /// Any OIDC-style provider, by id (`[oauth.custom.myidp]`).
    pub custom: std::collections::BTreeMap<String, OAuthProvider>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthProvider {
    pub client_id: String,
    pub client_secret: String,
    /// Defaults exist for github and google; required for custom providers.
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    /// Shown on the button.
    pub label: Option<String>,
    pub scopes: Option<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            redis_url: None,
            redis_prefix: "gateai:".into(),
            addr: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("data"),
            site_root: PathBuf::from("target/site"),
            secret: None,
            admin_email: None,
            admin_password: None,
            payment_webhook_secret: None,
            session_hours: 24 * 7,
            login_max_failures_per_account: 10,
            login_max_failures_per_ip: 50,
            login_window_minutes: 15,
            oauth: OAuthConfig::default(),
            providers: Default::default(),
            models: Vec::new(),
            gateway: GatewayConfig::default(),
            video: crate::video::VideoConfig::default(),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_parse<T: std::str::FromStr>(name: &str, into: &mut T) -> anyhow::Result<()> {
    if let Some(v) = env(name) {
        *into = v.parse().map_err(|_| anyhow::anyhow!("{name} has an invalid value: {v}"))?;
    }
    Ok(())
}

impl Config {
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut c: Config = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", p.display()))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("DATABASE_URL") { c.database_url = Some(v); }
        if let Some(v) = env("REDIS_URL") { c.redis_url = Some(v); }
        if let Some(v) = env("GATEAI_REDIS_PREFIX") { c.redis_prefix = v; }
        if let Some(v) = env("GATEAI_ADDR") { c.addr = v; }
        if let Some(v) = env("GATEAI_PUBLIC_URL") { c.public_url = Some(v); }
        if let Some(v) = env("GATEAI_DATA_DIR") { c.data_dir = v.into(); }
        if let Some(v) = env("GATEAI_SITE_ROOT").or_else(|| env("LEPTOS_SITE_ROOT")) { c.site_root = v.into(); }
        if let Some(v) = env("GATEAI_SECRET") { c.secret = Some(v); }
        if let Some(v) = env("GATEAI_ADMIN_EMAIL") { c.admin_email = Some(v); }
        if let Some(v) = env("GATEAI_ADMIN_PASSWORD") { c.admin_password = Some(v); }
        if let Some(v) = env("GATEAI_PAYMENT_WEBHOOK_SECRET") { c.payment_webhook_secret = Some(v); }
        env_parse("GATEAI_SESSION_HOURS", &mut c.session_hours)?;
        env_parse("GATEAI_LOGIN_MAX_FAILURES_PER_ACCOUNT", &mut c.login_max_failures_per_account)?;
        env_parse("GATEAI_LOGIN_MAX_FAILURES_PER_IP", &mut c.login_max_failures_per_ip)?;
        env_parse("GATEAI_LOGIN_WINDOW_MINUTES", &mut c.login_window_minutes)?;
        for (id, var) in [("github", "GITHUB"), ("google", "GOOGLE")] {
            if let (Some(client_id), Some(client_secret)) =
                (env(&format!("GATEAI_OAUTH_{var}_CLIENT_ID")), env(&format!("GATEAI_OAUTH_{var}_CLIENT_SECRET")))
            {
                let p = OAuthProvider {
                    client_id,
                    client_secret,
                    auth_url: env(&format!("GATEAI_OAUTH_{var}_AUTH_URL")),
                    token_url: env(&format!("GATEAI_OAUTH_{var}_TOKEN_URL")),
                    userinfo_url: env(&format!("GATEAI_OAUTH_{var}_USERINFO_URL")),
                    label: None,
                    scopes: None,
                };
                if id == "github" { c.oauth.github = Some(p) } else { c.oauth.google = Some(p) }
            }
        }
        // One OIDC-style provider from the environment; more in the TOML file.
        if let (Some(client_id), Some(client_secret), Some(auth_url), Some(token_url), Some(userinfo_url)) = (
            env("GATEAI_OAUTH_OIDC_CLIENT_ID"),
            env("GATEAI_OAUTH_OIDC_CLIENT_SECRET"),
            env("GATEAI_OAUTH_OIDC_AUTH_URL"),
            env("GATEAI_OAUTH_OIDC_TOKEN_URL"),
            env("GATEAI_OAUTH_OIDC_USERINFO_URL"),
        ) {
            c.oauth.custom.insert(
                "oidc".into(),
                OAuthProvider {
                    client_id,
                    client_secret,
                    auth_url: Some(auth_url),
                    token_url: Some(token_url),
                    userinfo_url: Some(userinfo_url),
                    label: env("GATEAI_OAUTH_OIDC_LABEL"),
                    scopes: None,
                },
            );
        }
        for (id, _, key_var, url_var, _) in BUILTIN_PROVIDERS {
            let entry = c.providers.entry((*id).to_string()).or_default();
            if let Some(v) = env(key_var) { entry.api_key = Some(v); }
            if let Some(v) = env(url_var) { entry.base_url = Some(v); }
        }
        env_parse("GATEAI_MAX_BODY_BYTES", &mut c.gateway.max_body_bytes)?;
        env_parse("GATEAI_CONNECT_TIMEOUT_MS", &mut c.gateway.connect_timeout_ms)?;
        env_parse("GATEAI_FIRST_BYTE_TIMEOUT_SECS", &mut c.gateway.first_byte_timeout_secs)?;
        env_parse("GATEAI_IDLE_TIMEOUT_SECS", &mut c.gateway.idle_timeout_secs)?;
        env_parse("GATEAI_UPSTREAM_RETRIES", &mut c.gateway.retries)?;
        env_parse("GATEAI_RETRY_BASE_MS", &mut c.gateway.retry_base_ms)?;
        env_parse("GATEAI_KEEPALIVE_SECS", &mut c.gateway.keepalive_secs)?;
        env_parse("GATEAI_FREE_REQUESTS_PER_USER_DAILY", &mut c.gateway.free_requests_per_user_daily)?;
        env_parse("GATEAI_FREE_REQUESTS_GLOBAL_DAILY", &mut c.gateway.free_requests_global_daily)?;
        env_parse("GATEAI_DEFAULT_MAX_TOKENS", &mut c.gateway.default_max_tokens)?;
        for (name, into) in [
            ("GATEAI_GUEST_DAILY_USD", &mut c.gateway.guest_daily_usd),
            ("GATEAI_GUEST_DAILY_USD_PER_IP", &mut c.gateway.guest_daily_usd_per_ip),
        ] {
            if let Some(v) = env(name) {
                *into = app::types::Usd::parse_non_negative(&v).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            }
        }
        env_parse("GATEAI_LOG_QUEUE", &mut c.gateway.log_queue)?;
        env_parse("GATEAI_LOG_WRITER", &mut c.gateway.log_writer)?;
        c.video.apply_env()?;
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.video.validate()?;
        if self.gateway.guest_daily_usd.is_negative() || self.gateway.guest_daily_usd_per_ip.is_negative() {
            anyhow::bail!("guest_daily_usd and guest_daily_usd_per_ip must not be negative");
        }
        if self.session_hours <= 0 {
            anyhow::bail!("session_hours must be positive");
        }
        for (id, p) in &self.oauth.custom {
            if p.auth_url.is_none() || p.token_url.is_none() || p.userinfo_url.is_none() {
                anyhow::bail!("oauth provider {id} needs auth_url, token_url and userinfo_url");
            }
        }
        for (id, p) in &self.providers {
            if let Some(proto) = &p.protocol {
                if !matches!(proto.as_str(), "openai" | "anthropic" | "ark") {
                    anyhow::bail!("provider {id}: protocol must be openai, anthropic or ark");
                }
            }
            if let Some(u) = &p.base_url {
                let parsed = url::Url::parse(u).map_err(|e| anyhow::anyhow!("provider {id}: base_url is not a URL: {e}"))?;
                if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
                    anyhow::bail!("provider {id}: base_url must be an http(s) URL with a host");
                }
            }
        }
        if self.gateway.max_body_bytes < 1024 {
            anyhow::bail!("gateway.max_body_bytes must be at least 1024");
        }
        if let Some(u) = &self.public_url {
            url::Url::parse(u).map_err(|e| anyhow::anyhow!("GATEAI_PUBLIC_URL is not a URL: {e}"))?;
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("gateai.db").display()))
    }

    /// Base URL for links shown to people, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_string()
    }

    pub fn https(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    /// The server secret: configured, or generated once into the data folder.
    pub fn load_secret(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(s) = &self.secret {
            if s.len() < 32 {
                anyhow::bail!("GATEAI_SECRET must be at least 32 characters");
            }
            return Ok(s.as_bytes().to_vec());
        }
        let path = self.data_dir.join("secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let s = existing.trim();
            if s.len() >= 32 {
                return Ok(s.as_bytes().to_vec());
            }
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let fresh = crate::accounts::tokens::random_hex(32);
        write_private(&path, &fresh)?;
        // Another process may have raced us: whatever is on disk now wins.
        let s = std::fs::read_to_string(&path)?;
        Ok(s.trim().as_bytes().to_vec())
    }
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(content.as_bytes())?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_base_url_must_be_http_with_a_host() {
        for (url, ok) in [("https://api.example.com/v1", true), ("http://127.0.0.1:9", true), ("ftp://example.com", false), ("unix:/run/x.sock", false), ("not a url", false)] {
            let mut c = Config::default();
            c.providers.entry("custom".into()).or_default().base_url = Some(url.into());
            assert_eq!(c.validate().is_ok(), ok, "{url}");
        }
    }
}
