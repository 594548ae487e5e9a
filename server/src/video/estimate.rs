//! What a video job will cost, before it runs. The formula lives in `app::video::estimate`
//! (the console's video playground shows the same figure before a job is sent): frames =
//! duration × the model's fps, video tokens = width × height × frames / 1024 (rounded down),
//! priced at the catalog's USD per million video tokens. The job is settled later on the
//! tokens the upstream reports.

use crate::catalog::Prices;
pub use app::video::estimate::{all_sizes, dimensions, job_tokens, size_of, tokens, ADAPTIVE, RATIOS, RESOLUTIONS};

/// Money units of `tokens` video tokens (at the output price, the catalog's video price);
/// None when the figure does not fit.
pub fn cost(prices: &Prices, tokens: i64) -> Option<i64> {
    app::video::estimate::cost_units(prices.output, tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::pricing::cost_units;
    use crate::translate::usage::Usage;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn cost_is_tokens_at_the_price_per_million_as_billing_prices_output() {
        let p = Decimal::from_str("7.7").unwrap_or_default();
        let prices = Prices { input: p, output: p, cached_input: p, cache_write: p };
        // 108 000 × 7.7 / 1e6 = 0.8316 USD
        assert_eq!(cost(&prices, 108_000), Some(8_316_000_000));
        assert_eq!(cost(&prices, 0), Some(0));
        for (price, n) in [("7.7", 108_900_i64), ("0.00005", 1), ("3.3333333", 729_000)] {
            let p = Decimal::from_str(price).unwrap_or_default();
            let prices = Prices { input: p, output: p, cached_input: p, cache_write: p };
            let billed = cost_units(&prices, &Usage { output: u64::try_from(n).unwrap_or(0), ..Usage::default() });
            assert_eq!(cost(&prices, n), billed, "the estimate and chat billing round alike ({price} × {n})");
        }
    }
}
