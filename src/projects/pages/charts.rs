//! Charts drawn on the server as SVG (readable without JavaScript), each with a text
//! alternative: the burndown of a sprint and the velocity of the last sprints.

use crate::projects::model::*;
use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 12.0;

fn scale(max: i64) -> impl Fn(f64) -> f64 {
    let max = max.max(1) as f64;
    move |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / max)
}

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A sprint's burndown: remaining points (solid), scope (stepped), and the ideal guideline
/// (dashed), from the start of the sprint to the end of each day.
#[component]
pub fn BurndownChart(chart: Burndown, name: String) -> impl IntoView {
    let n = chart.days.len().max(1);
    let max = chart
        .values
        .iter()
        .map(|d| d.scope.max(d.remaining))
        .chain([chart.committed])
        .max()
        .unwrap_or(1);
    let y = scale(max);
    let step = (W - LEFT - RIGHT) / n as f64;
    let x = |i: usize| LEFT + step * i as f64;
    let mut remaining = vec![(x(0), y(chart.committed as f64))];
    let mut scope = vec![(x(0), y(chart.committed as f64))];
    for (i, d) in chart.values.iter().enumerate() {
        let prev_y = scope.last().map(|p| p.1).unwrap_or(0.0);
        scope.push((x(i + 1), prev_y));
        scope.push((x(i + 1), y(d.scope as f64)));
        remaining.push((x(i + 1), y(d.remaining as f64)));
    }
    let ideal = [(x(0), y(chart.committed as f64)), (x(n), y(0.0))];
    let ticks: Vec<(f64, String)> = chart
        .days
        .iter()
        .enumerate()
        .map(|(i, d)| (x(i + 1), d.format("%d").to_string()))
        .collect();
    let grid: Vec<i64> = {
        let step = ((max as f64) / 4.0).ceil().max(1.0) as i64;
        (0..=max).step_by(step as usize).collect()
    };
    let title = format!("Burndown of {name}");
    let desc = format!(
        "Committed {} points. {}",
        chart.committed,
        chart
            .values
            .last()
            .map(|d| format!(
                "On {}: {} of {} points remaining.",
                d.date, d.remaining, d.scope
            ))
            .unwrap_or_else(|| "The sprint has not started.".into())
    );
    view! {
        <figure class="chart" data-testid="burndown">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-labelledby="burndown-title burndown-desc" class="burndown">
                <title id="burndown-title">{title}</title>
                <desc id="burndown-desc">{desc}</desc>
                {grid.into_iter().map(|v| view! {
                    <line x1=LEFT x2=W - RIGHT y1=y(v as f64) y2=y(v as f64) class="grid"/>
                    <text x=LEFT - 6.0 y=y(v as f64) + 4.0 class="axis" text-anchor="end">{v.to_string()}</text>
                }).collect_view()}
                {ticks.into_iter().map(|(tx, label)| view! {
                    <text x=tx y=H - 8.0 class="axis" text-anchor="middle">{label}</text>
                }).collect_view()}
                <polyline points=points(&ideal) class="ideal"/>
                <polyline points=points(&scope) class="scope" data-testid="scope-line"/>
                <polyline points=points(&remaining) class="remaining" data-testid="remaining-line"/>
            </svg>
            <figcaption class="legend">
                <span class="key remaining">"Remaining"</span>
                <span class="key scope">"Scope"</span>
                <span class="key ideal">"Ideal"</span>
            </figcaption>
        </figure>
    }
    .into_any()
}

/// The chart's numbers as a table (the text alternative).
#[component]
pub fn BurndownTable(chart: Burndown) -> impl IntoView {
    view! {
        <table class="table compact" data-testid="burndown-table">
            <caption>{format!("Committed at the start: {} points", chart.committed)}</caption>
            <thead><tr><th scope="col">"Day"</th><th scope="col">"Scope"</th><th scope="col">"Remaining"</th><th scope="col">"Ideal"</th></tr></thead>
            <tbody>
                {chart.values.iter().map(|d| view! {
                    <tr data-testid="burn-day">
                        <th scope="row">{d.date.to_string()}</th>
                        <td>{d.scope}</td>
                        <td>{d.remaining}</td>
                        <td>{format!("{:.1}", d.ideal)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Committed and completed points of the last completed sprints, with a table.
#[component]
pub fn VelocityChart(bars: Vec<VelocityBar>) -> impl IntoView {
    if bars.is_empty() {
        return view! { <p class="muted">"No completed sprint yet."</p> }.into_any();
    }
    let max = bars
        .iter()
        .map(|b| b.committed.max(b.completed))
        .max()
        .unwrap_or(1);
    let y = scale(max);
    let slot = (W - LEFT - RIGHT) / bars.len() as f64;
    let bw = (slot / 3.0).min(40.0);
    let base = y(0.0);
    let desc = bars
        .iter()
        .map(|b| {
            format!(
                "{}: {} committed, {} completed",
                b.name, b.committed, b.completed
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <figure class="chart" data-testid="velocity">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-labelledby="velocity-title velocity-desc" class="velocity">
                <title id="velocity-title">"Velocity: points committed and completed per sprint"</title>
                <desc id="velocity-desc">{desc}</desc>
                <line x1=LEFT x2=W - RIGHT y1=base y2=base class="grid"/>
                {bars.iter().enumerate().map(|(i, b)| {
                    let x0 = LEFT + slot * i as f64 + slot / 2.0 - bw;
                    view! {
                        <rect x=x0 y=y(b.committed as f64) width=bw height=base - y(b.committed as f64) class="committed"/>
                        <rect x=x0 + bw y=y(b.completed as f64) width=bw height=base - y(b.completed as f64) class="completed"/>
                        <text x=x0 + bw y=H - 8.0 class="axis" text-anchor="middle">{b.name.chars().take(14).collect::<String>()}</text>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="legend">
                <span class="key committed">"Committed"</span>
                <span class="key completed">"Completed"</span>
            </figcaption>
        </figure>
        <table class="table compact">
            <thead><tr><th scope="col">"Sprint"</th><th scope="col">"Committed"</th><th scope="col">"Completed"</th></tr></thead>
            <tbody>
                {bars.iter().map(|b| view! { <tr><th scope="row">{b.name.clone()}</th><td>{b.committed}</td><td>{b.completed}</td></tr> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
