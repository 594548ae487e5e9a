//! The dashboard's spend chart as geometry: stacked bars, one per UTC day, one colour per
//! model (the biggest spenders; the rest together as "Other"). Pure, so the server and the
//! browser draw the same SVG, and tested here. Computed in exact decimals and printed with
//! one decimal, so both sides print the same numbers.

use crate::types::days::{format_day, short_day};
use crate::types::{SpendPoint, Usd};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 220;
/// Room for the y-axis labels on the left and the day labels at the bottom.
const LEFT: u32 = 76;
const TOP: u32 = 10;
const BOTTOM: u32 = 24;
const RIGHT: u32 = 8;

/// Colours of the series, readable on white; the last is "Other".
pub const PALETTE: [&str; 8] = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#be185d", "#6b7280"];

#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub series: usize,
    pub y: String,
    pub height: String,
    pub cost: Usd,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DayBar {
    /// `2026-11-25`.
    pub date: String,
    pub x: String,
    pub width: String,
    pub total: Usd,
    pub segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub label: String,
    pub color: &'static str,
    pub total: Usd,
}

/// A horizontal grid line with its amount.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub y: String,
    pub amount: Usd,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpendChart {
    pub bars: Vec<DayBar>,
    pub legend: Vec<LegendItem>,
    pub ticks: Vec<Tick>,
    /// (x, words) of the day labels under the axis.
    pub day_labels: Vec<(String, String)>,
    pub total: Usd,
    pub first_day: String,
    pub last_day: String,
    /// Where the plot starts and ends (for the axis line).
    pub plot_left: u32,
    pub plot_right: u32,
    pub baseline: u32,
}

/// An axis amount, short: `$12.50`, `$0.50`, or two significant digits below a cent
/// (`$0.00011`).
pub fn tick_label(amount: Usd) -> String {
    let d = amount.decimal();
    if d.is_zero() {
        return "$0".into();
    }
    if d >= Decimal::new(1, 2) {
        let mut r = d.round_dp(2);
        r.rescale(2);
        return format!("${r}");
    }
    format!("${}", d.round_sf(2).unwrap_or(d).normalize())
}

fn px(d: Decimal) -> String {
    let mut r = d.round_dp(1);
    r.rescale(1);
    r.to_string()
}

/// Lays out `days` days ending with `today` (day numbers). Points outside the window are
/// left out; at most 7 models get their own colour.
pub fn layout(points: &[SpendPoint], today: i64, days: u32) -> SpendChart {
    let days = days.max(1);
    let first = today - i64::from(days) + 1;
    // days in the window with a cost (free models and failed requests draw nothing)
    let inside: Vec<&SpendPoint> =
        points.iter().filter(|p| p.day >= first && p.day <= today && p.cost.is_positive()).collect();

    // Series: models by total spend, biggest first (ties by name); past 7, "Other".
    let mut by_model: BTreeMap<&str, Decimal> = BTreeMap::new();
    for p in &inside {
        *by_model.entry(p.model.as_str()).or_default() += p.cost.decimal();
    }
    let mut ranked: Vec<(&str, Decimal)> = by_model.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let own = if ranked.len() > PALETTE.len() { PALETTE.len() - 1 } else { ranked.len() };
    let series_of = |model: &str| ranked.iter().position(|(m, _)| *m == model).map_or(own, |i| i.min(own));
    let mut legend: Vec<LegendItem> = ranked
        .iter()
        .take(own)
        .enumerate()
        .map(|(i, (m, t))| LegendItem { label: m.to_string(), color: PALETTE[i], total: Usd::new(*t) })
        .collect();
    if ranked.len() > own {
        let rest: Decimal = ranked[own..].iter().map(|(_, t)| *t).sum();
        legend.push(LegendItem { label: "Other".into(), color: PALETTE[PALETTE.len() - 1], total: Usd::new(rest) });
    }

    // Per day and series.
    let mut cells: BTreeMap<(i64, usize), Decimal> = BTreeMap::new();
    for p in &inside {
        *cells.entry((p.day, series_of(&p.model))).or_default() += p.cost.decimal();
    }
    let day_total = |d: i64| -> Decimal { cells.range((d, 0)..=(d, usize::MAX)).map(|(_, c)| *c).sum() };
    let max = (first..=today).map(day_total).max().unwrap_or_default();

    let plot_w = Decimal::from(WIDTH - LEFT - RIGHT);
    let plot_h = Decimal::from(HEIGHT - TOP - BOTTOM);
    let slot = plot_w / Decimal::from(days);
    let bar_w = slot * Decimal::new(7, 1);
    let baseline = Decimal::from(HEIGHT - BOTTOM);
    let scale = |c: Decimal| if max.is_zero() { Decimal::ZERO } else { c / max * plot_h };

    let mut bars = Vec::new();
    let mut day_labels = Vec::new();
    for (i, d) in (first..=today).enumerate() {
        let x = Decimal::from(LEFT) + slot * Decimal::from(i as u32) + (slot - bar_w) / Decimal::from(2);
        // a label every week, counted back from today, so today always has one
        if (today - d) % 7 == 0 {
            day_labels.push((px(x + bar_w / Decimal::from(2)), short_day(d)));
        }
        let total = day_total(d);
        if total.is_zero() {
            continue;
        }
        let mut y = baseline;
        let mut segments = Vec::new();
        for ((_, series), cost) in cells.range((d, 0)..=(d, usize::MAX)) {
            let h = scale(*cost);
            y -= h;
            segments.push(Segment { series: *series, y: px(y), height: px(h), cost: Usd::new(*cost) });
        }
        bars.push(DayBar { date: format_day(d), x: px(x), width: px(bar_w), total: Usd::new(total), segments });
    }
    let ticks = if max.is_zero() {
        vec![]
    } else {
        [Decimal::ZERO, Decimal::new(5, 1), Decimal::ONE]
            .iter()
            .map(|f| Tick { y: px(baseline - plot_h * f), amount: Usd::new(max * f) })
            .collect()
    };
    SpendChart {
        bars,
        legend,
        ticks,
        day_labels,
        total: Usd::new(inside.iter().map(|p| p.cost.decimal()).sum()),
        first_day: format_day(first),
        last_day: format_day(today),
        plot_left: LEFT,
        plot_right: WIDTH - RIGHT,
        baseline: HEIGHT - BOTTOM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_amounts_are_short() {
        let t = |s: &str| tick_label(Usd::parse_positive(s).expect("amount"));
        assert_eq!(t("12.5"), "$12.50");
        assert_eq!(t("0.50"), "$0.50");
        assert_eq!(t("0.0001125"), "$0.00011");
        assert_eq!(tick_label(Usd::ZERO), "$0");
    }

    fn p(day: i64, model: &str, cost: &str) -> SpendPoint {
        SpendPoint { day, model: model.into(), cost: Usd::parse_positive(cost).expect("amount"), requests: 1 }
    }

    #[test]
    fn stacks_models_per_day_scaled_to_the_busiest_day() {
        let today = 20_782;
        let c = layout(&[p(today, "a", "2"), p(today, "b", "1"), p(today - 1, "a", "1.5"), p(today - 40, "a", "9")], today, 30);
        assert_eq!(c.bars.len(), 2, "one bar per day with spend; old days left out");
        let last = &c.bars[1];
        assert_eq!(last.date, "2026-11-25");
        assert_eq!(last.total.to_string(), "3.0000000000");
        // the busiest day fills the plot: 186 px high, from y=10 to the baseline at 196
        assert_eq!(last.segments.iter().map(|s| s.height.as_str()).collect::<Vec<_>>(), vec!["124.0", "62.0"]);
        assert_eq!(last.segments[1].y, "10.0");
        assert_eq!(c.bars[0].segments[0].height, "93.0");
        assert_eq!(c.legend.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(c.total.to_string(), "4.5000000000");
        assert_eq!(c.ticks.last().map(|t| t.amount.to_string()), Some("3.0000000000".into()));
        assert_eq!(c.first_day, "2026-10-27");
        assert_eq!(c.day_labels.last().map(|l| l.1.as_str()), Some("Nov 25"));
    }

    #[test]
    fn more_than_seven_models_share_other_and_no_spend_draws_nothing() {
        let today = 100;
        let pts: Vec<SpendPoint> = (0..9).map(|i| p(today, &format!("m{i}"), &format!("{}", i + 1))).collect();
        let c = layout(&pts, today, 30);
        assert_eq!(c.legend.len(), 8);
        assert_eq!(c.legend[0].label, "m8");
        assert_eq!(c.legend[7].label, "Other");
        assert_eq!(c.legend[7].total.to_string(), "3.0000000000", "m0 + m1");
        assert_eq!(c.bars[0].segments.len(), 8);
        let free = layout(&[p(today, "free", "0.0000000001"), SpendPoint { cost: Usd::ZERO, ..p(today, "zero", "1") }], today, 30);
        assert_eq!(free.legend.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(), vec!["free"], "no series without spend");
        let empty = layout(&[], today, 30);
        assert!(empty.bars.is_empty() && empty.ticks.is_empty() && empty.legend.is_empty());
    }
}
