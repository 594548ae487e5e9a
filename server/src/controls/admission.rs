//! Admission: before the upstream call a request reserves its worst case against every limit
//! that applies to it, all at once: the organization's balance, the key's budget, and each
//! guardrail on the key or the organization (budget, requests and tokens per minute). The
//! pipeline settles the hold to the real cost and tokens afterwards.
//!
//! Per-minute limits count fixed UTC minutes: a client may send up to twice the limit across
//! a minute boundary, never more than the limit inside one minute.
//!
//! The guarantee (README, "Budgets that hold"): spend can pass a limit only by what requests
//! already admitted cost beyond the worst case reserved for them (an input estimate off, an
//! upstream that ignores `max_tokens`), never because many requests came at once.

use super::counters::{Cap, Limit, Refusal};
use super::store::Counters;
use super::hold::{Hold, Unit};
use super::period::Period;
use super::policy::{OrgPolicy, Policies, Scope};
use crate::accounts::AuthedKey;
use crate::gateway::error::{GatewayError, RateLimit};
use crate::logs::Recorder;
use crate::storage::{Db, GuestOf};
use app::types::Usd;

/// What a limit is: how to seed its counter and how to name it when it refuses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Balance,
    /// The key's budget for the period starting at `start`.
    KeyBudget { start: i64 },
    /// A guardrail's budget for the period starting at `start`, for the key or the organization.
    GuardrailBudget { scope: Scope, start: i64 },
    /// A guardrail's requests or tokens in the minute ending at `until`.
    PerMinute { scope: Scope, tokens: bool, until: i64 },
    /// Requests on free models today (from `start`), by the key's user or by everyone.
    Free { everyone: bool, start: i64 },
    /// A guest's spending today, by its cookie id or by everyone at its address.
    GuestSpend { by_ip: bool, start: i64 },
    /// A guest's requests on free models today (its share of the per-user free limit).
    GuestFree { start: i64 },
}

impl Kind {
    fn unit(self) -> Unit {
        match self {
            Kind::PerMinute { tokens: true, .. } => Unit::Tokens,
            Kind::PerMinute { tokens: false, .. } | Kind::Free { .. } | Kind::GuestFree { .. } => Unit::Requests,
            _ => Unit::Cost,
        }
    }
}

/// What one request may take, at worst.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Demand {
    /// Money units: the dearest model at the whole output.
    pub cost: i64,
    /// Input estimate plus the output limit.
    pub tokens: i64,
    /// The model asked for is free: the free-model limits apply.
    pub free: bool,
}

/// Daily request limits on free models; 0 = none.
#[derive(Clone, Copy, Debug, Default)]
pub struct FreeLimits {
    pub per_user: i64,
    pub global: i64,
}

/// Daily spending limits of guests, in money units; 0 = none.
#[derive(Clone, Copy, Debug, Default)]
pub struct GuestLimits {
    pub per_guest: i64,
    pub per_ip: i64,
}

/// A visitor of the console playground who has not signed in: the id its cookie carries
/// and its address. Its requests go through the guest pool's key.
#[derive(Clone, Debug, PartialEq)]
pub struct Guest {
    pub id: String,
    pub ip: String,
}

#[derive(Default)]
pub struct Controls {
    pub counters: Counters,
    /// Guardrails and routing settings per organization.
    pub policies: Policies,
    pub free: FreeLimits,
    pub guests: GuestLimits,
}

pub fn balance_counter(org_id: &str) -> String {
    format!("balance:{org_id}")
}

fn key_budget_counter(key_id: &str, start: i64) -> String {
    format!("key-budget:{key_id}@{start}")
}

/// Whose share of a guardrail a counter holds: the key's, or the whole organization's.
fn guardrail_owner(scope: Scope, key: &AuthedKey) -> String {
    match scope {
        Scope::Key => format!("key:{}", key.id),
        Scope::Org => format!("org:{}", key.org_id),
    }
}

/// Every limit a request of `key` (for `guest`, if one) must fit under, with what each is.
fn limits(key: &AuthedKey, guest: Option<(&Guest, GuestLimits)>, policy: &OrgPolicy, free: FreeLimits, demand: Demand, now: i64) -> Vec<(Limit, Kind)> {
    let mut out = vec![(
        Limit { counter: balance_counter(&key.org_id), cap: Cap::Stored, until: i64::MAX, amount: demand.cost },
        Kind::Balance,
    )];
    if let Some(budget) = key.budget_units {
        let start = key.budget_period.start(now);
        out.push((
            Limit {
                counter: key_budget_counter(&key.id, start),
                cap: Cap::Fixed(budget),
                until: key.budget_period.next_reset(now).unwrap_or(i64::MAX),
                amount: demand.cost,
            },
            Kind::KeyBudget { start },
        ));
    }
    let day = Period::Daily;
    let (start, until) = (day.start(now), day.next_reset(now).unwrap_or(i64::MAX));
    if let Some((g, caps)) = guest {
        for (cap, by_ip, counter) in
            [(caps.per_guest, false, format!("guest:id:{}@{start}", g.id)), (caps.per_ip, true, format!("guest:ip:{}@{start}", g.ip))]
        {
            if cap > 0 {
                out.push((Limit { counter, cap: Cap::Fixed(cap), until, amount: demand.cost }, Kind::GuestSpend { by_ip, start }));
            }
        }
    }
    if demand.free {
        // a guest has its own share of the per-user limit (they all use the pool's key)
        let (mine, mine_kind) = match guest {
            Some((g, _)) => (format!("free:guest:{}@{start}", g.id), Kind::GuestFree { start }),
            None => (format!("free:user:{}@{start}", key.created_by), Kind::Free { everyone: false, start }),
        };
        for (cap, kind, counter) in
            [(free.per_user, mine_kind, mine), (free.global, Kind::Free { everyone: true, start }, format!("free:all@{start}"))]
        {
            if cap > 0 {
                out.push((Limit { counter, cap: Cap::Fixed(cap), until, amount: 1 }, kind));
            }
        }
    }
    let minute = now - now.rem_euclid(60);
    for (scope, g) in policy.for_key(&key.id) {
        let owner = guardrail_owner(scope, key);
        if let Some(cap) = g.limit_units {
            let start = g.reset.start(now);
            out.push((
                Limit {
                    counter: format!("guardrail-budget:{}:{owner}@{start}", g.id),
                    cap: Cap::Fixed(cap),
                    until: g.reset.next_reset(now).unwrap_or(i64::MAX),
                    amount: demand.cost,
                },
                Kind::GuardrailBudget { scope, start },
            ));
        }
        for (per_minute, tokens, amount, what) in
            [(g.requests_per_minute, false, 1, "rpm"), (g.tokens_per_minute, true, demand.tokens, "tpm")]
        {
            if let Some(cap) = per_minute {
                out.push((
                    Limit {
                        counter: format!("{what}:{}:{owner}@{minute}", g.id),
                        cap: Cap::Fixed(cap),
                        until: minute + 60,
                        amount,
                    },
                    Kind::PerMinute { scope, tokens, until: minute + 60 },
                ));
            }
        }
    }
    out
}

impl Controls {
    /// Reserves `demand` for a request of `key` under every limit that applies to it, or
    /// says which limit refuses it.
    pub async fn admit(
        &self,
        db: &Db,
        recorder: &Recorder,
        key: &AuthedKey,
        policy: &OrgPolicy,
        demand: Demand,
    ) -> Result<Hold, GatewayError> {
        self.admit_as(db, recorder, key, None, policy, demand).await
    }

    /// [`Controls::admit`] for a request made by `guest` (through the guest pool's key), which
    /// also reserves against the guest's daily limits.
    pub async fn admit_as(
        &self,
        db: &Db,
        recorder: &Recorder,
        key: &AuthedKey,
        guest: Option<&Guest>,
        policy: &OrgPolicy,
        demand: Demand,
    ) -> Result<Hold, GatewayError> {
        let now = crate::clock::now();
        let guest_limits = guest.map(|g| (g, self.guests));
        let (limits, kinds): (Vec<Limit>, Vec<Kind>) = limits(key, guest_limits, policy, self.free, demand, now).into_iter().unzip();
        let mut refreshed = false;
        let failed = |e: crate::storage::StoreError| {
            tracing::error!(error = %e, "spend lookup for admission failed");
            GatewayError::Internal
        };
        let shared_failed = |e: redis::RedisError| {
            tracing::error!(error = %e, "shared admission counters failed");
            GatewayError::Internal
        };
        for _ in 0..4 {
            match self.counters.reserve(&limits).await.map_err(shared_failed)? {
                Ok(()) => {
                    let entries = limits
                        .iter()
                        .zip(&kinds)
                        .map(|(l, k)| super::hold::Entry { counter: l.counter.clone(), unit: k.unit(), reserved: l.amount, balance: *k == Kind::Balance })
                        .collect();
                    return Ok(Hold::new(self.counters.clone(), entries));
                }
                Err(Refusal::Unseeded(missing)) => {
                    for i in missing {
                        let (counter, until) = (&limits[i].counter, limits[i].until);
                        match kinds[i] {
                            Kind::Balance => {
                                recorder.refresh_balance(&key.org_id).await;
                                refreshed = true;
                            }
                            Kind::KeyBudget { start } | Kind::GuardrailBudget { scope: Scope::Key, start } => {
                                let spent = db.key_spend_since(&key.id, start).await.map_err(failed)?;
                                self.counters.seed(counter, spent, until).await.map_err(shared_failed)?;
                            }
                            Kind::GuardrailBudget { scope: Scope::Org, start } => {
                                let spent = db.org_spend_since(&key.org_id, start).await.map_err(failed)?;
                                self.counters.seed(counter, spent, until).await.map_err(shared_failed)?;
                            }
                            Kind::PerMinute { .. } => self.counters.seed(counter, 0, until).await.map_err(shared_failed)?,
                            Kind::Free { everyone, start } => {
                                let user = (!everyone).then_some(key.created_by.as_str());
                                let used = db.free_requests_since(user, start).await.map_err(failed)?;
                                self.counters.seed(counter, used, until).await.map_err(shared_failed)?;
                            }
                            Kind::GuestSpend { by_ip, start } => {
                                let Some(g) = guest else { return Err(GatewayError::Internal) };
                                let of = if by_ip { GuestOf::Ip(&g.ip) } else { GuestOf::Id(&g.id) };
                                let spent = db.guest_usage_since(of, true, start).await.map_err(failed)?;
                                self.counters.seed(counter, spent, until).await.map_err(shared_failed)?;
                            }
                            Kind::GuestFree { start } => {
                                let Some(g) = guest else { return Err(GatewayError::Internal) };
                                let used = db.guest_usage_since(GuestOf::Id(&g.id), false, start).await.map_err(failed)?;
                                self.counters.seed(counter, used, until).await.map_err(shared_failed)?;
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
                        Kind::GuardrailBudget { scope: Scope::Key, .. } => GatewayError::GuardrailBudgetExceeded,
                        Kind::GuardrailBudget { scope: Scope::Org, .. } => GatewayError::OrgGuardrailBudgetExceeded,
                        Kind::Free { everyone: false, .. } | Kind::GuestFree { .. } => GatewayError::FreeModelDailyLimit,
                        Kind::GuestSpend { .. } => GatewayError::GuestDailyLimit,
                        Kind::Balance if guest.is_some() => GatewayError::GuestPoolEmpty,
                        Kind::Free { everyone: true, .. } => GatewayError::FreeModelGlobalLimit,
                        Kind::PerMinute { scope, tokens, until } => GatewayError::RateLimited(RateLimit {
                            org: scope == Scope::Org,
                            tokens,
                            limit: match limits[index].cap {
                                Cap::Fixed(c) => c,
                                Cap::Stored => 0,
                            },
                            remaining: available,
                            retry_after: (until - now).clamp(1, 60) as u64,
                        }),
                        Kind::Balance => {
                            let balance = self.counters.balance(&limits[index].counter).await.ok().flatten().map_or(0, |(cap, _)| cap);
                            if balance < 0 {
                                GatewayError::InDebt
                            } else {
                                GatewayError::PendingPayment(Usd::from_units(demand.cost.saturating_sub(available).max(1)))
                            }
                        }
                    });
                }
            }
        }
        tracing::error!(org = %key.org_id, "admission could not seed its counters");
        Err(GatewayError::Internal)
    }

    /// Moves the budget counters (the key's, its guardrails', a guest's daily spending) of a
    /// request of `key` (made by `guest`, if one) at `at` by `delta` money units settled after
    /// its hold was closed: a video job, whose estimate was charged at submit, settled or
    /// refunded when it ends. The balance counter is left alone (whoever booked the ledger
    /// entry sets it from the ledger).
    pub async fn adjust_spend(&self, key: &AuthedKey, guest: Option<&Guest>, policy: &OrgPolicy, at: i64, delta: i64) {
        let demand = Demand { cost: delta, ..Demand::default() };
        let moves: Vec<(String, i64)> = limits(key, guest.map(|g| (g, self.guests)), policy, self.free, demand, at)
            .into_iter()
            .filter(|(_, kind)| kind.unit() == Unit::Cost && *kind != Kind::Balance)
            .map(|(l, _)| (l.counter, delta))
            .collect();
        if let Err(e) = self.counters.adjust_each(moves).await {
            tracing::error!(error = %e, "could not move the budget counters of a late settlement");
        }
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
