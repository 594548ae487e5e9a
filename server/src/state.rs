//! Everything a request handler may need, built once at start.

use crate::accounts::throttle::LoginThrottle;
use crate::accounts::tokens::Hasher;
use crate::accounts::ApiKeys;
use crate::config::Config;
use crate::storage::Db;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub inner: Arc<Inner>,
}

pub struct Inner {
    pub config: Config,
    pub db: Db,
    pub hasher: Hasher,
    pub keys: ApiKeys,
    pub throttle: LoginThrottle,
    pub oauth: crate::accounts::oauth::OAuth,
    /// Swapped whole when an administrator changes it (`catalog::live`).
    pub catalog: Arc<crate::catalog::LiveCatalog>,
    pub providers: crate::providers::Providers,
    /// Budgets, guardrails, rate and free-model limits and the balance, reserved per request.
    pub controls: crate::controls::Controls,
    pub recorder: crate::logs::Recorder,
    /// The video worker's wake-up, concurrency slots and file storage.
    pub video: crate::video::VideoRuntime,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl AppState {
    /// Opens the database (migrating it) and builds the state.
    pub async fn build(config: Config) -> anyhow::Result<AppState> {
        let db = crate::storage::connect(&config.database_url()).await?;
        db.migrate().await?;
        Self::with_db(config, db).await
    }

    pub async fn with_db(config: Config, db: Db) -> anyhow::Result<AppState> {
        let hasher = Hasher::new(config.load_secret()?);
        let keys = ApiKeys::new(db.clone(), hasher.clone());
        let throttle = LoginThrottle::new(
            config.login_max_failures_per_account,
            config.login_max_failures_per_ip,
            Duration::from_secs(u64::from(config.login_window_minutes) * 60),
        );
        let oauth = crate::accounts::oauth::OAuth::new(&config)?;
        // administrators' changes are read from the database when the server starts (http::start)
        let catalog = Arc::new(crate::catalog::LiveCatalog::new(&config.models)?);
        let providers = crate::providers::Providers::from_config(&config)?;
        let controls = crate::controls::Controls {
            free: crate::controls::FreeLimits {
                per_user: config.gateway.free_requests_per_user_daily,
                global: config.gateway.free_requests_global_daily,
            },
            guests: crate::controls::GuestLimits {
                per_guest: config.gateway.guest_daily_usd.to_units().unwrap_or(0),
                per_ip: config.gateway.guest_daily_usd_per_ip.to_units().unwrap_or(0),
            },
            counters: match &config.redis_url {
                Some(url) => {
                    let shared = crate::controls::shared::RedisCounters::connect(url, &config.redis_prefix)
                        .await
                        .map_err(|e| anyhow::anyhow!("cannot reach Redis for shared admission counters: {e}"))?;
                    tracing::info!("admission counters are shared through Redis");
                    let shared = std::sync::Arc::new(shared);
                    shared.keep_beating();
                    crate::controls::Counters::Shared(shared)
                }
                None => crate::controls::Counters::default(),
            },
            ..Default::default()
        };
        let recorder = crate::logs::Recorder::start(db.clone(), controls.counters.clone(), config.gateway.log_queue, config.gateway.log_writer)?;
        let video = crate::video::VideoRuntime::new(&config.video, &config.data_dir)?;
        Ok(AppState {
            inner: Arc::new(Inner { config, db, hasher, keys, throttle, oauth, catalog, providers, controls, recorder, video }),
        })
    }
}
