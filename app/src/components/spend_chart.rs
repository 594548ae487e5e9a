//! The spend chart as inline SVG (no script, no library): stacked bars by day and model with
//! a legend, a title and a description for screen readers, and the exact figures in a
//! table next to it for those who cannot see the bars.

use super::format_usd;
use crate::chart::{layout, tick_label, HEIGHT, PALETTE, WIDTH};
use crate::types::DashboardActivity;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn SpendChart(data: DashboardActivity) -> impl IntoView {
    let c = layout(&data.spend, data.today, data.days);
    if c.bars.is_empty() {
        return Either::Left(view! {
            <p class="empty" data-testid="spend-empty">
                {format!("No spend between {} and {} (UTC).", c.first_day, c.last_day)}
            </p>
        });
    }
    let desc = format!(
        "Spend per day from {} to {} (UTC), stacked by model: {} in total. {}.",
        c.first_day,
        c.last_day,
        format_usd(c.total),
        c.legend.iter().map(|l| format!("{} {}", l.label, format_usd(l.total))).collect::<Vec<_>>().join(", ")
    );
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");
    let (left, right, base) = (c.plot_left, c.plot_right, c.baseline);
    Either::Right(view! {
        <figure class="spend-chart" data-testid="spend-chart">
            <svg
                viewBox=view_box
                role="img"
                aria-labelledby="spend-title spend-desc"
                preserveAspectRatio="xMidYMid meet"
                data-testid="spend-svg"
            >
                <title id="spend-title">"Spend by day and model, last 30 days"</title>
                <desc id="spend-desc">{desc}</desc>
                <g class="chart-grid">
                    {c.ticks.iter().map(|t| view! {
                        <line x1=left.to_string() x2=right.to_string() y1=t.y.clone() y2=t.y.clone()></line>
                        <text class="chart-tick" x=(left - 6).to_string() y=t.y.clone() text-anchor="end" dominant-baseline="middle">
                            {tick_label(t.amount)}
                        </text>
                    }).collect_view()}
                </g>
                <line class="chart-axis" x1=left.to_string() x2=right.to_string() y1=base.to_string() y2=base.to_string()></line>
                {c.bars.iter().map(|b| view! {
                    <g class="chart-bar" data-testid="spend-bar" data-date=b.date.clone() data-total=b.total.to_string()>
                        <title>{format!("{}: {}", b.date, format_usd(b.total))}</title>
                        {b.segments.iter().map(|s| view! {
                            <rect
                                x=b.x.clone()
                                y=s.y.clone()
                                width=b.width.clone()
                                height=s.height.clone()
                                fill=PALETTE[s.series.min(PALETTE.len() - 1)]
                                data-cost=s.cost.to_string()
                            ></rect>
                        }).collect_view()}
                    </g>
                }).collect_view()}
                {c.day_labels.iter().map(|(x, words)| view! {
                    <text class="chart-day" x=x.clone() y=(base + 16).to_string() text-anchor="middle">{words.clone()}</text>
                }).collect_view()}
            </svg>
            <figcaption>
                <ul class="chart-legend" data-testid="spend-legend">
                    {c.legend.iter().map(|l| view! {
                        <li>
                            <span class="swatch" style=format!("background:{}", l.color) aria-hidden="true"></span>
                            <span class="legend-label">{l.label.clone()}</span>
                            " "
                            <span class="legend-total">{format_usd(l.total)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </figcaption>
        </figure>
    })
}
