//! Where admission's counters live: in this process (one gateway, the default), or in Redis
//! when several gateway processes share one database (`REDIS_URL`), so that a limit holds
//! across all of them.

use super::counters::{Limit, LocalCounters, Refusal};
use super::shared::RedisCounters;
use std::sync::Arc;

#[derive(Clone)]
pub enum Counters {
    Local(Arc<LocalCounters>),
    Shared(Arc<RedisCounters>),
}

impl Default for Counters {
    fn default() -> Self {
        Counters::Local(Arc::default())
    }
}

pub type CounterResult<T> = Result<T, redis::RedisError>;

impl Counters {
    pub async fn reserve(&self, limits: &[Limit]) -> CounterResult<Result<(), Refusal>> {
        match self {
            Counters::Local(c) => Ok(c.reserve(limits)),
            Counters::Shared(c) => c.reserve(limits).await,
        }
    }

    pub async fn seed(&self, counter: &str, used: i64, until: i64) -> CounterResult<()> {
        match self {
            Counters::Local(c) => {
                c.seed(counter, used, until);
                Ok(())
            }
            Counters::Shared(c) => c.seed(counter, used, until).await,
        }
    }

    pub async fn set_balance(&self, counter: &str, balance: i64, version: i64, written: i64) -> CounterResult<()> {
        match self {
            Counters::Local(c) => {
                c.set_balance(counter, balance, version, written);
                Ok(())
            }
            Counters::Shared(c) => c.set_balance(counter, balance, version, written).await,
        }
    }

    /// Moves counters by spend that is final (no share of this process's to give back).
    pub async fn adjust_each(&self, moves: Vec<(String, i64)>) -> CounterResult<()> {
        match self {
            Counters::Local(c) => {
                c.adjust_each(moves.iter().map(|(n, d)| (n.as_str(), *d)));
                Ok(())
            }
            Counters::Shared(c) => c.adjust_each(&moves.into_iter().map(|(n, d)| (n, d, 0)).collect::<Vec<_>>()).await,
        }
    }

    /// A balance counter stops carrying `units` of charges this process settled: they are
    /// written to the ledger (or given up).
    pub async fn forget_written(&self, counter: String, units: i64) -> CounterResult<()> {
        match self {
            Counters::Local(c) => {
                c.adjust_each([(counter.as_str(), -units)]);
                Ok(())
            }
            Counters::Shared(c) => c.adjust_each(&[(counter, -units, -units)]).await,
        }
    }

    /// Moves counters without waiting (settling and releasing holds, from any context): at
    /// once here, in a task for Redis. Each move: counter, what `used` moves by, and what
    /// this process's share of it (in Redis, see `shared`) moves by.
    pub fn adjust_detached<'a>(&self, moves: impl IntoIterator<Item = (&'a str, i64, i64)>) {
        match self {
            Counters::Local(c) => c.adjust_each(moves.into_iter().map(|(n, used, _)| (n, used))),
            Counters::Shared(c) => {
                let moves: Vec<(String, i64, i64)> = moves.into_iter().map(|(n, u, h)| (n.to_string(), u, h)).collect();
                let c = c.clone();
                let Ok(rt) = tokio::runtime::Handle::try_current() else {
                    tracing::error!("no runtime to release a shared reservation on");
                    return;
                };
                rt.spawn(async move {
                    if let Err(e) = c.adjust_each(&moves).await {
                        tracing::error!(error = %e, "could not settle a shared reservation");
                    }
                });
            }
        }
    }

    /// The cap a balance counter holds, and what it uses.
    pub async fn balance(&self, counter: &str) -> CounterResult<Option<(i64, i64)>> {
        match self {
            Counters::Local(c) => Ok(c.balance(counter)),
            Counters::Shared(c) => c.balance(counter).await,
        }
    }

    /// Forgets ended periods (Redis expires them by itself).
    pub fn sweep(&self, now: i64) {
        if let Counters::Local(c) = self {
            c.sweep(now);
        }
    }
}
