//! Admission before the upstream call: the organization's balance must cover at least the
//! request's input. Balances are cached for two seconds so that the hot path needs no
//! database round trip; a cached balance only ever admits — a refusal is always confirmed
//! against the database first, so a top-up takes effect on the next request.

use crate::gateway::error::GatewayError;
use crate::storage::Db;
use app::types::Usd;
use std::time::Duration;

pub struct Balances {
    cache: moka::sync::Cache<String, i64>,
}

impl Default for Balances {
    fn default() -> Self {
        Balances { cache: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(Duration::from_secs(2)).build() }
    }
}

impl Balances {
    /// `floor_units`: what the request costs at least (its input at the model's price);
    /// zero for free models, which need no balance but are still refused in debt.
    pub async fn admit(&self, db: &Db, org_id: &str, floor_units: i64) -> Result<(), GatewayError> {
        if let Some(b) = self.cache.get(org_id) {
            if admits(b, floor_units) {
                return Ok(());
            }
        }
        let org = db.org(org_id).await.map_err(|e| {
            tracing::error!(error = %e, "balance lookup failed");
            GatewayError::Internal
        })?;
        let balance = org.map(|o| o.balance_units).unwrap_or(0);
        self.cache.insert(org_id.to_string(), balance);
        if admits(balance, floor_units) {
            return Ok(());
        }
        if balance < 0 {
            return Err(GatewayError::InDebt);
        }
        Err(GatewayError::PendingPayment(Usd::from_units(floor_units.saturating_sub(balance).max(1))))
    }

    /// After a settlement: the balance the ledger now holds.
    pub fn set(&self, org_id: &str, balance_units: i64) {
        self.cache.insert(org_id.to_string(), balance_units);
    }

    pub fn forget(&self, org_id: &str) {
        self.cache.invalidate(org_id);
    }
}

fn admits(balance: i64, floor: i64) -> bool {
    if floor == 0 { balance >= 0 } else { balance > 0 && balance >= floor }
}
