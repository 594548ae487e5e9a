//! Money: exact decimal USD. Never floating point.
//!
//! In storage a [`Usd`] is an integer count of 10⁻¹⁰ USD ("units"), the ten decimals the API
//! shows (`"100.0000000000"`). Every per-token list price is exact at that scale.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Decimal places shown on the wire and kept in storage.
pub const SCALE: u32 = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a number, like 12.50")]
    NotANumber,
    #[error("amount must be greater than zero")]
    NotPositive,
    #[error("amount has more than 10 decimal places")]
    TooPrecise,
    #[error("amount is too large")]
    TooLarge,
}

/// The largest amount typed in (100 million USD): its units still fit an i64 with room to add.
const MAX_INPUT: i64 = 100_000_000;

impl Usd {
    pub const ZERO: Usd = Usd(Decimal::ZERO);

    pub fn new(d: Decimal) -> Self {
        Usd(d)
    }
    pub fn decimal(self) -> Decimal {
        self.0
    }
    /// From storage units (10⁻¹⁰ USD).
    pub fn from_units(units: i64) -> Self {
        Usd(Decimal::from_i128_with_scale(units as i128, SCALE))
    }
    /// To storage units, rounding half away from zero at the tenth decimal.
    pub fn to_units(self) -> Option<i64> {
        let mut d = self.0.round_dp_with_strategy(SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        d.rescale(SCALE);
        i64::try_from(d.mantissa()).ok()
    }
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }
    pub fn neg(self) -> Self {
        Usd(-self.0)
    }
    pub fn checked_add(self, o: Usd) -> Option<Usd> {
        self.0.checked_add(o.0).map(Usd)
    }

    /// Parse an amount typed by a person or sent by a script: a plain positive decimal with at
    /// most ten decimals and at most one billion.
    pub fn parse_positive(s: &str) -> Result<Usd, MoneyError> {
        let s = s.trim();
        // plain decimals only: no sign, exponent, spaces or separators
        let plain = s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') && s.bytes().filter(|b| *b == b'.').count() <= 1;
        if s.is_empty() || !plain || s.starts_with('.') || s.ends_with('.') {
            return Err(MoneyError::NotANumber);
        }
        let d = Decimal::from_str(s).map_err(|_| MoneyError::NotANumber)?;
        if d <= Decimal::ZERO {
            return Err(MoneyError::NotPositive);
        }
        if d.scale() > SCALE && d.normalize().scale() > SCALE {
            return Err(MoneyError::TooPrecise);
        }
        if d > Decimal::from(MAX_INPUT) {
            return Err(MoneyError::TooLarge);
        }
        Ok(Usd(d))
    }
}

impl Usd {
    /// [`Usd::parse_positive`] that also takes zero (a limit of zero: none, or off).
    pub fn parse_non_negative(s: &str) -> Result<Usd, MoneyError> {
        match Usd::parse_positive(s) {
            Err(MoneyError::NotPositive) if Decimal::from_str(s.trim()).is_ok_and(|d| d.is_zero()) => Ok(Usd::ZERO),
            other => other,
        }
    }
}

impl fmt::Display for Usd {
    /// Always ten decimals, as the seed renders money: `100.0000000000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0.round_dp_with_strategy(SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        d.rescale(SCALE);
        write!(f, "{d}")
    }
}

impl Usd {
    /// Short form for people: two decimals, or more when the amount is below a cent.
    pub fn display_short(self) -> String {
        let d = self.0.normalize();
        if d.scale() <= 2 || d.abs() >= Decimal::ONE {
            let mut r = self.0.round_dp(2);
            r.rescale(2);
            format!("${r}")
        } else {
            format!("${d}")
        }
    }
}

impl Serialize for Usd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Decimal::from_str(&s).map(Usd).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_ten_decimals_like_the_seed() {
        assert_eq!(Usd::from_units(1_000_000_000_000).to_string(), "100.0000000000");
        assert_eq!(Usd::from_units(-15).to_string(), "-0.0000000015");
        assert_eq!(Usd::ZERO.to_string(), "0.0000000000");
    }

    #[test]
    fn units_round_trip() {
        let u = Usd::parse_positive("1.08").expect("valid");
        assert_eq!(u.to_units(), Some(10_800_000_000));
        assert_eq!(Usd::from_units(10_800_000_000), u);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(Usd::parse_positive("-1"), Err(MoneyError::NotPositive));
        assert_eq!(Usd::parse_positive("0"), Err(MoneyError::NotPositive));
        assert_eq!(Usd::parse_positive("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Usd::parse_positive(""), Err(MoneyError::NotANumber));
        assert_eq!(Usd::parse_positive("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(Usd::parse_positive("0.00000000001"), Err(MoneyError::TooPrecise));
        assert_eq!(Usd::parse_positive("2000000000"), Err(MoneyError::TooLarge));
        assert!(Usd::parse_positive("0.1000000000000").is_ok());
    }

    #[test]
    fn short_display() {
        assert_eq!(Usd::parse_positive("12.5").expect("valid").display_short(), "$12.50");
        assert_eq!(Usd::parse_positive("0.0015").expect("valid").display_short(), "$0.0015");
    }
}
