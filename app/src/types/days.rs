//! UTC calendar days as numbers of days since 1970-01-01, so that the server and the browser
//! turn them into the same text (hydration) without a date library in the wasm bundle.

/// Day number of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// A strict `YYYY-MM-DD` date (as an `<input type=date>` sends it) to its day number.
pub fn parse_day(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit()));
    let year: i64 = digits(0..4)?.parse().ok()?;
    let month: u32 = digits(5..7)?.parse().ok()?;
    let day: u32 = digits(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let n = days_from_civil(year, month, day);
    // 31 February and the like do not survive the round trip
    (civil_from_days(n) == (year, month, day)).then_some(n)
}

/// `2026-11-25`.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `Nov 25`, for chart axes.
pub fn short_day(day: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (_, m, d) = civil_from_days(day);
    format!("{} {d}", MONTHS[(m as usize).saturating_sub(1).min(11)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 11, 25), 20_782);
        assert_eq!(civil_from_days(20_782), (2026, 11, 25));
        for n in [-1000, -1, 0, 59, 60, 11_016, 20_000, 40_000] {
            let (y, m, d) = civil_from_days(n);
            assert_eq!(days_from_civil(y, m, d), n);
        }
        assert_eq!(format_day(20_782), "2026-11-25");
        assert_eq!(short_day(20_782), "Nov 25");
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(parse_day("2026-11-25"), Some(20_782));
        assert_eq!(parse_day(" 2024-02-29 "), Some(days_from_civil(2024, 2, 29)));
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "26-11-25", "2026/11/25", "", "abcd-ef-gh", "2026-11-25T00"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}
