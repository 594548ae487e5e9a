//! Upstream providers: who they are (from the configuration), one HTTP client pool each, and
//! how one call to them is made (`client.rs`). What is sent is decided by the pipeline.

mod client;

pub use client::{UpstreamFailure, UpstreamResponse};

use crate::config::{Config, BUILTIN_PROVIDERS};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderProtocol {
    /// OpenAI chat completions (`{base}/chat/completions`).
    OpenAi,
    /// Anthropic messages (`{base}/v1/messages`).
    Anthropic,
    /// BytePlus ModelArk video tasks.
    Ark,
}

impl ProviderProtocol {
    fn parse(s: &str) -> Option<ProviderProtocol> {
        match s {
            "openai" => Some(ProviderProtocol::OpenAi),
            "anthropic" => Some(ProviderProtocol::Anthropic),
            "ark" => Some(ProviderProtocol::Ark),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderProtocol::OpenAi => "openai",
            ProviderProtocol::Anthropic => "anthropic",
            ProviderProtocol::Ark => "ark",
        }
    }
}

pub struct Provider {
    pub id: String,
    pub label: String,
    pub protocol: ProviderProtocol,
    /// Without a trailing slash.
    pub base_url: String,
    /// `base_url` parsed once at start, so a call only appends its path (no parse of the
    /// host on every request).
    base: reqwest::Url,
    api_key: String,
    http: reqwest::Client,
    first_byte_timeout: Duration,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the key
        f.debug_struct("Provider").field("id", &self.id).field("base_url", &self.base_url).finish()
    }
}

/// The providers that are on (their key is set), by id.
#[derive(Clone, Debug, Default)]
pub struct Providers {
    by_id: BTreeMap<String, Arc<Provider>>,
}

impl Providers {
    pub fn from_config(config: &Config) -> anyhow::Result<Providers> {
        let g = &config.gateway;
        let mut by_id = BTreeMap::new();
        for (id, p) in &config.providers {
            let Some(key) = p.api_key.clone().filter(|k| !k.trim().is_empty()) else { continue };
            let builtin = BUILTIN_PROVIDERS.iter().find(|b| b.0 == id);
            let protocol = match (&p.protocol, builtin) {
                (Some(s), _) => ProviderProtocol::parse(s),
                (None, Some(b)) => ProviderProtocol::parse(b.1),
                (None, None) => Some(ProviderProtocol::OpenAi),
            }
            .ok_or_else(|| anyhow::anyhow!("provider {id}: unknown protocol"))?;
            let base_url = match (&p.base_url, builtin) {
                (Some(u), _) => u.clone(),
                (None, Some(b)) => b.4.to_string(),
                (None, None) => anyhow::bail!("provider {id} needs a base_url"),
            };
            let base_url = base_url.trim_end_matches('/').to_string();
            // the configuration's validation has checked it (http or https, with a host)
            let base = reqwest::Url::parse(&base_url).map_err(|e| anyhow::anyhow!("provider {id}: base_url is not a URL: {e}"))?;
            let http = reqwest::Client::builder()
                .connect_timeout(Duration::from_millis(g.connect_timeout_ms))
                .pool_idle_timeout(Duration::from_secs(90))
                .tcp_nodelay(true)
                .user_agent(concat!("gateai/", env!("CARGO_PKG_VERSION")))
                .build()?;
            by_id.insert(
                id.clone(),
                Arc::new(Provider {
                    id: id.clone(),
                    label: p.label.clone().unwrap_or_else(|| id.clone()),
                    protocol,
                    base_url,
                    base,
                    api_key: key,
                    http,
                    first_byte_timeout: Duration::from_secs(g.first_byte_timeout_secs),
                }),
            );
        }
        Ok(Providers { by_id })
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Provider>> {
        self.by_id.get(id)
    }

    pub fn is_on(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<Provider>> {
        self.by_id.values()
    }
}
