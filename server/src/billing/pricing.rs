//! What a request costs: tokens × the catalog's price per million, exact in decimal, rounded
//! once (half away from zero) to the ledger's unit of 10⁻¹⁰ USD.

use crate::catalog::Prices;
use crate::translate::usage::Usage;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Ledger units per USD-per-million-tokens per token: 10¹⁰ / 10⁶.
const UNITS_PER_PRICE_TOKEN: i64 = 10_000;

/// Cost in ledger units; None only if the figure does not fit (billing configuration error).
pub fn cost_units(prices: &Prices, usage: &Usage) -> Option<i64> {
    let part = |tokens: u64, price: Decimal| -> Option<Decimal> {
        Decimal::from(tokens).checked_mul(price)?.checked_mul(Decimal::from(UNITS_PER_PRICE_TOKEN))
    };
    let total = part(usage.input, prices.input)?
        .checked_add(part(usage.cache_read, prices.cached_input)?)?
        .checked_add(part(usage.cache_write, prices.cache_write)?)?
        .checked_add(part(usage.output, prices.output)?)?;
    total.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64()
}

/// Cost of `tokens` input tokens alone (admission's floor).
pub fn input_cost_units(prices: &Prices, tokens: u64) -> i64 {
    cost_units(prices, &Usage { input: tokens, ..Usage::default() }).unwrap_or(i64::MAX)
}

/// The most a request can cost: its input estimate at the dearest input price (a prompt may
/// all be written to a cache) plus `max_output` tokens. Admission reserves this.
pub fn worst_case_units(prices: &Prices, input_tokens: u64, max_output: u64) -> i64 {
    let dearest = prices.input.max(prices.cache_write).max(prices.cached_input);
    let p = Prices { input: dearest, ..*prices };
    cost_units(&p, &Usage { input: input_tokens, output: max_output, ..Usage::default() }).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn prices(i: &str, o: &str, c: &str, w: &str) -> Prices {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        Prices { input: d(i), output: d(o), cached_input: d(c), cache_write: d(w) }
    }

    #[test]
    fn cost_is_tokens_times_price_per_million_exactly() {
        // 1000 in × $3/M + 500 out × $15/M = 0.003 + 0.0075 = 0.0105 USD
        let p = prices("3", "15", "0.3", "3.75");
        let u = Usage { input: 1000, output: 500, ..Usage::default() };
        assert_eq!(cost_units(&p, &u), Some(105_000_000));
        // cache reads and writes at their own prices
        let u = Usage { input: 10, cache_read: 2000, cache_write: 100, output: 1, reasoning: 0 };
        // 10×3 + 2000×0.3 + 100×3.75 + 1×15 = 30 + 600 + 375 + 15 = 1020 USD-per-M·tokens
        assert_eq!(cost_units(&p, &u), Some(1020 * 10_000));
    }

    #[test]
    fn worst_case_takes_the_dearest_input_price_and_the_whole_output() {
        let p = prices("3", "15", "0.3", "3.75");
        // 1000 × 3.75 + 4096 × 15 = 3750 + 61440 USD-per-M·tokens
        assert_eq!(worst_case_units(&p, 1000, 4096), (3750 + 61_440) * 10_000);
        assert_eq!(worst_case_units(&prices("0", "0", "0", "0"), 1000, 4096), 0);
    }

    #[test]
    fn tiny_prices_stay_exact_and_round_once() {
        let p = prices("0.028", "0.42", "0.0028", "0.028");
        assert_eq!(cost_units(&p, &Usage { input: 1, ..Usage::default() }), Some(280));
        let p = prices("0.00000001", "0", "0", "0");
        // 3 × 1e-8 × 1e4 = 0.0003 units → 0
        assert_eq!(cost_units(&p, &Usage { input: 3, ..Usage::default() }), Some(0));
        let p = prices("0.00005", "0", "0", "0");
        assert_eq!(cost_units(&p, &Usage { input: 1, ..Usage::default() }), Some(1)); // 0.5 → 1
    }
}
