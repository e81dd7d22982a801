//! The pieces of a self-contained HTML page: its head with the one style
//! sheet (screen and A4 print), and charts drawn as inline SVG. Markup is
//! built with maud, which escapes every value it is given; nothing here
//! formats HTML by hand. Colour is never the only sign of a health: its
//! word, a count or a shape is always beside it.

use crate::domain::vocab::Health;
use chrono::NaiveDate;
use maud::{Markup, PreEscaped, html};

/// The style sheet, inline so that the page stands alone.
const STYLE: &str = r#"
body { font-family: system-ui, "Segoe UI", Arial, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 2px solid #444; }
.when { color: #444; margin-top: 0; }
dl.headline { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; }
dl.headline dt { font-weight: 600; }
dl.headline dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
td.date { white-space: nowrap; }
.h-red { background: #f4c7c3; } .h-amber { background: #fce8b2; } .h-green { background: #b7e1cd; }
.h-complete { background: #c9daf8; } .h-closed { background: #d9d9d9; }
figure { margin: 1rem 0; }
figcaption { font-size: 0.85rem; color: #333; }
svg { max-width: 100%; height: auto; }
svg text { font-family: system-ui, Arial, sans-serif; }
.key { font-size: 0.85rem; color: #333; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  section.strategy { break-before: page; }
  table, figure, svg { max-width: 100%; }
  tr, figure { break-inside: avoid; }
  h2 { margin-top: 0; }
}
"#;

/// Writes a page whose body is written by `body`, piece by piece (a
/// report of 100,000 items is never held whole). The tags around the body
/// hold no value, so they are written as they are.
pub fn page(
    out: &mut dyn std::io::Write,
    title: &str,
    body: impl FnOnce(&mut dyn std::io::Write) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let head = html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    };
    out.write_all(b"<!DOCTYPE html>\n<html lang=\"en\">\n")?;
    out.write_all(head.into_string().as_bytes())?;
    out.write_all(b"\n<body>\n")?;
    body(out)?;
    out.write_all(b"\n</body>\n</html>\n")?;
    Ok(())
}

/// The fill of a health, as its class and SVG colour.
pub fn health_class(h: Health) -> &'static str {
    match h {
        Health::Red => "h-red",
        Health::Amber => "h-amber",
        Health::Green => "h-green",
        Health::Complete => "h-complete",
        Health::Closed => "h-closed",
    }
}

fn health_fill(h: Health) -> &'static str {
    match h {
        Health::Red => "#d93025",
        Health::Amber => "#f2a600",
        Health::Green => "#188038",
        Health::Complete => "#1a73e8",
        Health::Closed => "#80868b",
    }
}

/// A bar of the strategy's items by health, each part labelled with its
/// count and word.
pub fn rag_bar(counts: &[(Health, usize)]) -> Markup {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let width = 600.0;
    let words: Vec<String> = counts.iter().map(|(h, n)| format!("{n} {h}")).collect();
    // Each part's place along the bar.
    let mut x = 0.0;
    let parts: Vec<(Health, usize, f64, f64)> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(h, n)| {
            let w = width * *n as f64 / total.max(1) as f64;
            x += w;
            (*h, *n, x - w, w)
        })
        .collect();
    html! {
        figure.rag {
            svg role="img" width=(width) height="40" viewBox=(format!("0 0 {width} 40")) xmlns="http://www.w3.org/2000/svg" {
                title { "Items by health: " (words.join(", ")) }
                @for (h, n, x, w) in &parts {
                    rect x=(format!("{x:.1}")) y="0" width=(format!("{w:.1}")) height="28" fill=(health_fill(*h)) {}
                    @if *w > 40.0 {
                        text x=(format!("{:.1}", x + 4.0)) y="19" fill="#fff" font-size="12" { (n) " " (h.as_str()) }
                    }
                }
            }
            figcaption { "Items by health: " (words.join(", ")) "." }
        }
    }
}

/// One item on a timeline.
pub struct Span {
    pub label: String,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub done: Option<NaiveDate>,
    pub health: Health,
    pub overdue: bool,
}

/// Each item as a bar from its start to its target within the strategy's
/// period, a diamond where it was completed, a line at the report's day;
/// an overdue item's bar is outlined and marked "overdue".
pub fn timeline(spans: &[Span], starts: NaiveDate, ends: NaiveDate, day: NaiveDate) -> Markup {
    let (left, width, row) = (180.0, 560.0, 18.0);
    let days = (ends - starts).num_days().max(1) as f64;
    let at = |d: NaiveDate| {
        let f = (d - starts).num_days() as f64 / days;
        left + width * f.clamp(0.0, 1.0)
    };
    let height = 30.0 + row * spans.len() as f64;
    let today = at(day);
    let overdue = spans.iter().filter(|s| s.overdue).count();
    html! {
        figure.timeline {
            svg role="img" width=(left + width + 20.0) height=(height) viewBox=(format!("0 0 {} {height}", left + width + 20.0)) xmlns="http://www.w3.org/2000/svg" {
                title { "Timeline of " (spans.len()) " items from " (starts) " to " (ends) "; " (overdue) " overdue on " (day) }
                text x=(left) y="12" font-size="11" { (starts) }
                text x=(left + width) y="12" font-size="11" text-anchor="end" { (ends) }
                @for (n, s) in spans.iter().enumerate() {
                    @let y = 20.0 + row * n as f64;
                    @let label: String = match s.label.chars().count() {
                        n if n > 30 => s.label.chars().take(29).chain(['…']).collect(),
                        _ => s.label.clone(),
                    };
                    text x="0" y=(format!("{:.1}", y + 11.0)) font-size="10" { (label) }
                    @if let Some(due) = s.due {
                        @let from = at(s.start.unwrap_or(starts));
                        @let to = at(due).max(from + 2.0);
                        rect x=(format!("{from:.1}")) y=(format!("{y:.1}")) width=(format!("{:.1}", to - from)) height="12" fill=(health_fill(s.health)) fill-opacity="0.75" stroke=(if s.overdue { "#000" } else { "none" }) stroke-width="1.5" {}
                        @if s.overdue {
                            text x=(format!("{:.1}", to + 3.0)) y=(format!("{:.1}", y + 10.0)) font-size="9" { "overdue" }
                        }
                    } @else {
                        text x=(left) y=(format!("{:.1}", y + 10.0)) font-size="9" fill="#555" { "no target" }
                    }
                    @if let Some(done) = s.done {
                        @let x = at(done);
                        polygon points=(format!("{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", x, y - 1.0, x + 6.0, y + 6.0, x, y + 13.0, x - 6.0, y + 6.0)) fill="#1a1a1a" {}
                    }
                }
                line x1=(format!("{today:.1}")) x2=(format!("{today:.1}")) y1="14" y2=(height) stroke="#000" stroke-dasharray="4 2" {}
                @if today > left + width - 70.0 {
                    text x=(format!("{:.1}", today - 3.0)) y="26" font-size="10" text-anchor="end" { (day) }
                } @else {
                    text x=(format!("{:.1}", today + 3.0)) y="26" font-size="10" { (day) }
                }
            }
            figcaption { "Timeline: each item from its start (or the period's) to its target; ◆ where it was completed; the dashed line is " (day) "; " (overdue) " overdue, outlined." }
        }
    }
}

/// Items completed over the period, counted as the history has them: a
/// step at each day something was completed, up to the report's day.
pub fn burn_up(
    completions: &[NaiveDate],
    total: usize,
    starts: NaiveDate,
    ends: NaiveDate,
    day: NaiveDate,
) -> Markup {
    let (left, width, height) = (40.0, 560.0, 140.0);
    let days = (ends - starts).num_days().max(1) as f64;
    let x = |d: NaiveDate| left + width * ((d - starts).num_days() as f64 / days).clamp(0.0, 1.0);
    let y = |n: usize| 10.0 + height * (1.0 - n as f64 / total.max(1) as f64);
    let mut sorted = completions.to_vec();
    sorted.sort();
    let mut path = format!("M{:.1},{:.1}", x(starts), y(0));
    for (n, d) in sorted.iter().enumerate() {
        path.push_str(&format!(" H{:.1} V{:.1}", x(*d), y(n + 1)));
    }
    path.push_str(&format!(" H{:.1}", x(day.min(ends))));
    html! {
        figure.burnup {
            svg role="img" width=(left + width + 20.0) height=(height + 30.0) viewBox=(format!("0 0 {} {}", left + width + 20.0, height + 30.0)) xmlns="http://www.w3.org/2000/svg" {
                title { (sorted.len()) " of " (total) " items completed by " (day) }
                line x1=(left) x2=(left + width) y1=(y(0)) y2=(y(0)) stroke="#999" {}
                line x1=(left) x2=(left + width) y1=(y(total)) y2=(y(total)) stroke="#999" stroke-dasharray="3 3" {}
                text x="0" y=(y(total) + 4.0) font-size="10" { (total) }
                text x="0" y=(y(0) + 4.0) font-size="10" { "0" }
                path d=(path) fill="none" stroke="#1a73e8" stroke-width="2" {}
                @for (n, d) in sorted.iter().enumerate() {
                    circle.point cx=(format!("{:.1}", x(*d))) cy=(format!("{:.1}", y(n + 1))) r="3" fill="#1a73e8" data-day=(d) {}
                }
                text x=(left) y=(height + 26.0) font-size="10" { (starts) }
                text x=(left + width) y=(height + 26.0) font-size="10" text-anchor="end" { (ends) }
            }
            figcaption { "Completed over the period: " (sorted.len()) " of " (total) " items by " (day) ", a step each day something was completed." }
        }
    }
}
