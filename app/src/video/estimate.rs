//! What a video job will cost, before it runs: output size from the resolution and aspect
//! ratio (or the exact `size`), frames = duration × the model's fps, and
//! video tokens = width × height × frames / 1024 (rounded down), priced at the catalog's USD
//! per million video tokens, rounded once (half away from zero) to the ledger's 10⁻¹⁰ USD.
//! The job is settled later on the tokens the upstream reports.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

pub const RESOLUTIONS: [&str; 3] = ["480p", "720p", "1080p"];
/// The ratios with a size of their own; `adaptive` (the upstream picks) is estimated as 16:9.
pub const RATIOS: [&str; 6] = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"];
pub const ADAPTIVE: &str = "adaptive";

/// Seedance's output sizes (width × height) per resolution, in the order of [`RATIOS`].
const SIZES: [[(u32, u32); 6]; 3] = [
    [(864, 480), (736, 544), (640, 640), (544, 736), (480, 864), (960, 416)],
    [(1280, 720), (1112, 834), (960, 960), (834, 1112), (720, 1280), (1470, 630)],
    [(1920, 1080), (1664, 1248), (1440, 1440), (1248, 1664), (1080, 1920), (2206, 946)],
];

/// Ledger units per USD-per-million-tokens per token: 10¹⁰ / 10⁶.
const UNITS_PER_PRICE_TOKEN: i64 = 10_000;

/// Width and height of a resolution and ratio (`adaptive` as 16:9); None for unknown values.
pub fn dimensions(resolution: &str, ratio: &str) -> Option<(u32, u32)> {
    let r = RESOLUTIONS.iter().position(|x| *x == resolution)?;
    let a = if ratio == ADAPTIVE { 0 } else { RATIOS.iter().position(|x| *x == ratio)? };
    Some(SIZES[r][a])
}

/// The resolution and ratio whose size is exactly `width` × `height`.
pub fn size_of(width: u32, height: u32) -> Option<(&'static str, &'static str)> {
    for (r, row) in SIZES.iter().enumerate() {
        if let Some(a) = row.iter().position(|s| *s == (width, height)) {
            return Some((RESOLUTIONS[r], RATIOS[a]));
        }
    }
    None
}

/// Every size a job may ask for, as `WxH` (for error messages and the form's suggestions).
pub fn all_sizes() -> Vec<String> {
    SIZES.iter().flatten().map(|(w, h)| format!("{w}x{h}")).collect()
}

/// Video tokens of `frames` frames of `width` × `height`.
pub fn tokens(width: u32, height: u32, frames: u64) -> i64 {
    let t = u128::from(width) * u128::from(height) * u128::from(frames) / 1024;
    i64::try_from(t).unwrap_or(i64::MAX)
}

/// Video tokens of a job of `duration` seconds at `fps` frames a second.
pub fn job_tokens(width: u32, height: u32, duration: i64, fps: u32) -> i64 {
    tokens(width, height, duration.unsigned_abs().saturating_mul(u64::from(fps)))
}

/// Money units of `tokens` video tokens at `price` USD per million; None when the figure
/// does not fit.
pub fn cost_units(price: Decimal, tokens: i64) -> Option<i64> {
    let units = Decimal::from(tokens).checked_mul(price)?.checked_mul(Decimal::from(UNITS_PER_PRICE_TOKEN))?;
    units.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn tokens_follow_width_height_frames_over_1024() {
        // 720p 16:9, 5 s at 24 fps = 120 frames
        let (w, h) = dimensions("720p", "16:9").unwrap_or_default();
        assert_eq!((w, h), (1280, 720));
        assert_eq!(tokens(w, h, 5 * 24), 108_000);
        assert_eq!(job_tokens(w, h, 5, 24), 108_000);
        // PROTOCOLS §5.4: the upstream's 121 frames make 108 900
        assert_eq!(tokens(w, h, 121), 108_900);
        assert_eq!(dimensions("1080p", "adaptive"), Some((1920, 1080)));
        assert_eq!(dimensions("4k", "16:9"), None);
        assert_eq!(size_of(834, 1112), Some(("720p", "3:4")));
        assert_eq!(size_of(1000, 1000), None);
        assert_eq!(all_sizes().len(), 18);
    }

    #[test]
    fn cost_is_tokens_at_the_price_per_million_rounded_once() {
        let p = Decimal::from_str("7.7").unwrap_or_default();
        // 108 000 × 7.7 / 1e6 = 0.8316 USD
        assert_eq!(cost_units(p, 108_000), Some(8_316_000_000));
        assert_eq!(cost_units(p, 0), Some(0));
        let tiny = Decimal::from_str("0.00005").unwrap_or_default();
        assert_eq!(cost_units(tiny, 1), Some(1), "0.5 units round away from zero");
        assert_eq!(cost_units(Decimal::MAX, i64::MAX), None);
    }
}
