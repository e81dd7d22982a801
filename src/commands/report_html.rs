//! The report as a committee pack: one section per strategy with its
//! headline, a RAG breakdown, a timeline of its items against the period,
//! the completions over the period, and the items table, from the same
//! parts the JSON report is written from.

use super::report::{ReportItem, StrategyReport, arrow, note_text, why};
use crate::domain::summary::Summary;
use crate::domain::vocab::Health;
use crate::output::html::{Span, burn_up, health_class, rag_bar, timeline};
use crate::output::views::period_text;
use chrono::NaiveDate;
use maud::{Markup, html};

/// The title and the days a report shows.
pub fn opening(title: &str, day: NaiveDate, compare: Option<NaiveDate>) -> Markup {
    html! {
        header {
            h1 { (title) }
            p.when {
                "As things stood at the end of " (day) "."
                @if let Some(then) = compare { " Direction of travel since the end of " (then) "." }
            }
        }
    }
}

/// The overview of every strategy, as the table's.
pub fn overview(rows: &[(String, String, String, Summary)]) -> Markup {
    html! {
        section.overview {
            h2 { "Overview" }
            table {
                thead { tr {
                    th scope="col" { "Code" } th scope="col" { "Strategy" } th scope="col" { "Status" }
                    th scope="col" { "Period elapsed" } th scope="col" { "Complete" }
                    th scope="col" { "Outstanding" } th scope="col" { "Overdue" } th scope="col" { "Stale" }
                    th scope="col" { "Red" } th scope="col" { "Amber" } th scope="col" { "Green" }
                } }
                tbody {
                    @for (code, title, status, s) in rows {
                        tr {
                            th scope="row" { (code) } td { (title) } td { (status) }
                            td.num { (s.period_elapsed_percent) "%" }
                            td.num { (s.completed) " of " (s.items - s.cancelled) " (" (s.percent_complete) "%)" }
                            td.num { (s.outstanding) } td.num { (s.overdue) } td.num { (s.stale) }
                            td.num.h-red { (s.health.red) } td.num.h-amber { (s.health.amber) } td.num.h-green { (s.health.green) }
                        }
                    }
                }
            }
        }
    }
}

/// One strategy's section.
pub fn section(r: &StrategyReport, day: NaiveDate) -> Markup {
    let s = &r.strategy;
    let m = &r.summary;
    let counts: Vec<(Health, usize)> = Health::ALL
        .iter()
        .map(|h| {
            let n = match h {
                Health::Red => m.health.red,
                Health::Amber => m.health.amber,
                Health::Green => m.health.green,
                Health::Complete => m.health.complete,
                Health::Closed => m.health.closed,
            };
            (*h, n)
        })
        .collect();
    let spans: Vec<Span> = r
        .items
        .iter()
        .map(|l| Span {
            // The ref (or number) first, so a cut title is still known.
            label: format!(
                "{} {}",
                l.item
                    .reference
                    .clone()
                    .unwrap_or_else(|| l.item.id.to_string()),
                l.item.title
            ),
            start: l.item.start,
            due: l.item.due,
            done: l.item.completed_on,
            health: l.health,
            overdue: l.days_overdue > 0,
        })
        .collect();
    let completions: Vec<NaiveDate> = r.items.iter().filter_map(|l| l.item.completed_on).collect();
    let counted = r
        .items
        .iter()
        .filter(|l| l.item.status != crate::domain::vocab::Status::Cancelled)
        .count();
    let compared = r.items.iter().any(|l| l.travel.is_some());
    html! {
        section.strategy id=(s.code.as_str()) {
            h2 { (s.title) " (" (s.code.as_str()) ")" }
            dl.headline {
                dt { "Status" } dd { (s.status.as_str()) }
                dt { "Decision" } dd { (s.decision.as_deref().unwrap_or("—")) }
                dt { "Period" } dd { (period_text(s)) " (" (m.period_elapsed_percent) "% elapsed)" }
                dt { "Items complete" } dd { (m.completed) " of " (m.items - m.cancelled) " (" (m.percent_complete) "%)" }
                dt { "Average progress" } dd { (m.average_progress) "%" }
                dt { "Outstanding" } dd { (m.outstanding) ", of which " (m.overdue) " overdue and " (m.stale) " stale" }
                @if let Some(note) = &r.note {
                    dt { "Note" } dd { (note.effective) " (" (note.by) "): " (note.note.as_deref().unwrap_or_default()) }
                }
            }
            @if r.items.is_empty() {
                p { "No items." }
            } @else {
                (rag_bar(&counts))
                (timeline(&spans, s.period.starts(), s.period.ends(), day))
                (burn_up(&completions, counted, s.period.starts(), s.period.ends(), day))
                (items_table(&r.items, day, compared))
            }
        }
    }
}

fn items_table(items: &[ReportItem], day: NaiveDate, compared: bool) -> Markup {
    html! {
        table.items {
            caption { "Items, red first" }
            thead { tr {
                th scope="col" { "#" } th scope="col" { "Ref" } th scope="col" { "Title" } th scope="col" { "Owner" }
                th scope="col" { "Status" } th scope="col" { "Progress" } th scope="col" { "Target" }
                th scope="col" { "Health" } th scope="col" { "Why" } th scope="col" { "Latest note" }
            } }
            tbody {
                @for l in items {
                    tr {
                        th scope="row" { (l.item.id.0) }
                        td { (l.item.reference.as_deref().unwrap_or("")) }
                        td { (l.item.title) }
                        td { (l.item.owner.as_deref().unwrap_or("")) }
                        td { (l.item.status.as_str()) }
                        td.num { (l.item.progress.get()) "%" }
                        td.date { @if let Some(d) = l.item.due { (d) } }
                        td class=(health_class(l.health)) {
                            (l.health.as_str())
                            @if let (true, Some((_, d))) = (compared, l.travel) { " " (arrow(d)) " " span.direction { "(" (d.as_str()) ")" } }
                        }
                        td { (why(l, day).unwrap_or_default()) }
                        td { @if let Some(n) = &l.latest_note { (note_text(n)) } }
                    }
                }
            }
        }
    }
}

/// What every colour and symbol of the page means.
pub fn key(compare: Option<NaiveDate>) -> Markup {
    html! {
        section.key {
            h2 { "Key" }
            p {
                "Health: red (overdue, or set by hand), amber (on hold, more than 25 points behind plan, or set by hand), green, complete, closed (cancelled or carried forward); each is written in its cell as well as coloured. "
                "Timeline: a bar from each item's start (or the period's) to its target, ◆ where it was completed, outlined and marked where overdue; the dashed line is the day reported. "
                "Completed over the period: the number of items completed by each day, as the history holds them. "
                "Why: what makes an item red or amber, or when it was completed. A latest note starts with the day it holds from."
                @if let Some(then) = compare {
                    " Beside the health, the direction since " (then) ": ↑ better, → the same, ↓ worse (by health, then progress), + new since, × closed since."
                }
            }
        }
    }
}
