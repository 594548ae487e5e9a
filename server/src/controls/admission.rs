//! Admission: before the upstream call a request reserves its worst-case cost against every
//! limit that applies to it (the organization's balance, the key's budget), all at once; the
//! pipeline settles the hold to the real cost afterwards.
//!
//! The guarantee (README, "Budgets that hold"): spend can pass a limit only by what requests
//! already admitted cost beyond the worst case reserved for them (an input estimate off, an
//! upstream that ignores `max_tokens`), never because many requests came at once.

use super::counters::{Cap, Limit, LocalCounters, Refusal};
use super::hold::Hold;
use super::period::Period;
use crate::accounts::AuthedKey;
use crate::gateway::error::GatewayError;
use crate::logs::Recorder;
use crate::storage::Db;
use app::types::Usd;
use std::sync::Arc;

/// What a limit is: how to seed its counter and how to name it when it refuses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Balance,
    /// The key's budget for the period starting at `start`.
    KeyBudget { start: i64 },
}

#[derive(Default)]
pub struct Controls {
    pub counters: Arc<LocalCounters>,
}

pub fn balance_counter(org_id: &str) -> String {
    format!("balance:{org_id}")
}

fn key_budget_counter(key_id: &str, start: i64) -> String {
    format!("key-budget:{key_id}@{start}")
}

impl Controls {
    fn limits(key: &AuthedKey, now: i64) -> (Vec<Limit>, Vec<Kind>) {
        let mut limits = vec![Limit { counter: balance_counter(&key.org_id), cap: Cap::Stored, until: i64::MAX }];
        let mut kinds = vec![Kind::Balance];
        if let Some(budget) = key.budget_units {
            let start = key.budget_period.start(now);
            limits.push(Limit {
                counter: key_budget_counter(&key.id, start),
                cap: Cap::Fixed(budget),
                until: key.budget_period.next_reset(now).unwrap_or(i64::MAX),
            });
            kinds.push(Kind::KeyBudget { start });
        }
        (limits, kinds)
    }

    /// Reserves `worst` (units) for a request of `key`, or says which limit refuses it.
    pub async fn admit(&self, db: &Db, recorder: &Recorder, key: &AuthedKey, worst: i64) -> Result<Hold, GatewayError> {
        let (limits, kinds) = Self::limits(key, crate::clock::now());
        let mut refreshed = false;
        for _ in 0..4 {
            match self.counters.reserve(&limits, worst) {
                Ok(()) => {
                    let names = limits.iter().map(|l| l.counter.clone()).collect();
                    return Ok(Hold::new(self.counters.clone(), names, worst));
                }
                Err(Refusal::Unseeded(missing)) => {
                    for i in missing {
                        match kinds[i] {
                            Kind::Balance => {
                                recorder.refresh_balance(&key.org_id).await;
                                refreshed = true;
                            }
                            Kind::KeyBudget { start } => {
                                let spent = db.key_spend_since(&key.id, start).await.map_err(|e| {
                                    tracing::error!(error = %e, "key spend lookup failed");
                                    GatewayError::Internal
                                })?;
                                self.counters.seed(&limits[i].counter, spent, limits[i].until);
                            }
                        }
                    }
                }
                // a refused balance is confirmed against the ledger once (a top-up since)
                Err(Refusal::Full { index, .. }) if kinds[index] == Kind::Balance && !refreshed => {
                    recorder.refresh_balance(&key.org_id).await;
                    refreshed = true;
                }
                Err(Refusal::Full { index, available }) => {
                    return Err(match kinds[index] {
                        Kind::KeyBudget { .. } => GatewayError::KeyBudgetExceeded,
                        Kind::Balance => {
                            let balance = self.counters.balance(&limits[index].counter).map_or(0, |(cap, _)| cap);
                            if balance < 0 {
                                GatewayError::InDebt
                            } else {
                                GatewayError::PendingPayment(Usd::from_units(worst.saturating_sub(available).max(1)))
                            }
                        }
                    });
                }
            }
        }
        tracing::error!(org = %key.org_id, "admission could not seed its counters");
        Err(GatewayError::Internal)
    }

    /// Forgets, every hour, the counters of periods that have ended.
    pub fn sweep_hourly(&self) {
        let counters = self.counters.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every.tick().await;
                counters.sweep(crate::clock::now());
            }
        });
    }
}

/// A key's budget period as stored (`daily`…, or null for never).
pub fn stored_period(s: Option<&str>) -> Period {
    s.and_then(Period::parse).unwrap_or(Period::Never)
}
