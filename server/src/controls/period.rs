//! Budget periods, all in UTC: a daily budget resets at 00:00 UTC, a weekly one on Monday
//! 00:00 UTC, a monthly one on the 1st at 00:00 UTC; `never` does not reset.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Daily,
    Weekly,
    Monthly,
    Never,
}

impl Period {
    /// `daily` | `weekly` | `monthly` | `never` (or empty / `null`, meaning never).
    pub fn parse(s: &str) -> Option<Period> {
        match s.trim().to_ascii_lowercase().as_str() {
            "daily" | "day" => Some(Period::Daily),
            "weekly" | "week" => Some(Period::Weekly),
            "monthly" | "month" => Some(Period::Monthly),
            "never" | "" | "null" | "none" => Some(Period::Never),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
            Period::Monthly => "monthly",
            Period::Never => "never",
        }
    }

    /// OpenRouter's `limit_reset`: the period name, or null for never.
    pub fn as_reset(self) -> Option<&'static str> {
        (self != Period::Never).then(|| self.as_str())
    }

    /// Unix seconds at which the period holding `now` began (0 for `never`).
    pub fn start(self, now: i64) -> i64 {
        let Some(day) = day_of(now) else { return 0 };
        let start = match self {
            Period::Never => return 0,
            Period::Daily => day,
            Period::Weekly => day - Duration::days(i64::from(day.weekday().number_days_from_monday())),
            Period::Monthly => day.replace_day(1).unwrap_or(day),
        };
        midnight(start)
    }

    /// Unix seconds of the next reset after `now` (None for `never`).
    pub fn next_reset(self, now: i64) -> Option<i64> {
        let day = day_of(now)?;
        let next = match self {
            Period::Never => return None,
            Period::Daily => day.next_day()?,
            Period::Weekly => day + Duration::days(7 - i64::from(day.weekday().number_days_from_monday())),
            Period::Monthly => {
                let (y, m) = if day.month() == Month::December { (day.year() + 1, Month::January) } else { (day.year(), day.month().next()) };
                Date::from_calendar_date(y, m, 1).ok()?
            }
        };
        Some(midnight(next))
    }
}

fn day_of(ts: i64) -> Option<Date> {
    OffsetDateTime::from_unix_timestamp(ts).ok().map(|t| t.date())
}

fn midnight(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp()
}


#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ts(t: OffsetDateTime) -> i64 {
        t.unix_timestamp()
    }

    #[test]
    fn parse_names() {
        assert_eq!(Period::parse("Daily"), Some(Period::Daily));
        assert_eq!(Period::parse("weekly"), Some(Period::Weekly));
        assert_eq!(Period::parse("monthly"), Some(Period::Monthly));
        assert_eq!(Period::parse(""), Some(Period::Never));
        assert_eq!(Period::parse("hourly"), None);
    }

    #[test]
    fn daily_starts_at_utc_midnight() {
        let now = ts(datetime!(2026-11-26 03:45:10 UTC));
        assert_eq!(Period::Daily.start(now), ts(datetime!(2026-11-26 00:00 UTC)));
        assert_eq!(Period::Daily.next_reset(now), Some(ts(datetime!(2026-11-27 00:00 UTC))));
        // the first second of a day belongs to it
        let midnight = ts(datetime!(2026-11-27 00:00 UTC));
        assert_eq!(Period::Daily.start(midnight), midnight);
    }

    #[test]
    fn weekly_starts_on_monday() {
        // 2026-11-26 is a Thursday; the Monday before is the 23rd
        let now = ts(datetime!(2026-11-26 12:00 UTC));
        assert_eq!(Period::Weekly.start(now), ts(datetime!(2026-11-23 00:00 UTC)));
        assert_eq!(Period::Weekly.next_reset(now), Some(ts(datetime!(2026-11-30 00:00 UTC))));
        let monday = ts(datetime!(2026-11-30 00:00 UTC));
        assert_eq!(Period::Weekly.start(monday), monday);
        let sunday_night = ts(datetime!(2026-11-29 23:59:59 UTC));
        assert_eq!(Period::Weekly.start(sunday_night), ts(datetime!(2026-11-23 00:00 UTC)));
    }

    #[test]
    fn monthly_starts_on_the_first_and_rolls_over_the_year() {
        let now = ts(datetime!(2026-12-31 23:59:59 UTC));
        assert_eq!(Period::Monthly.start(now), ts(datetime!(2026-12-01 00:00 UTC)));
        assert_eq!(Period::Monthly.next_reset(now), Some(ts(datetime!(2027-01-01 00:00 UTC))));
        let feb = ts(datetime!(2028-02-29 10:00 UTC));
        assert_eq!(Period::Monthly.next_reset(feb), Some(ts(datetime!(2028-03-01 00:00 UTC))));
    }

    #[test]
    fn never_has_one_period() {
        assert_eq!(Period::Never.start(1_800_000_000), 0);
        assert_eq!(Period::Never.next_reset(1_800_000_000), None);
        assert_eq!(Period::Never.as_reset(), None);
    }
}
