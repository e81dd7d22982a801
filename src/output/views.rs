//! The values read commands return, and how each is laid out as a document
//! and as JSON. Rendering to a format is the output module's job.

use super::{Block, Cell, Doc, JsonOut, Streamed, Table, View};
use crate::domain::health::{days_overdue, days_since_update, health, health_reason, is_late};
use crate::domain::model::{Change, Event, Item, ItemId, Note, Strategy};
use crate::domain::summary::Summary;
use crate::error::Result;
use crate::output::shapes::{
    EventJson, ItemColumn, ItemJson, StrategyJson, item_columns, to_value,
};
use chrono::{DateTime, Local, NaiveDate, Utc};
use std::cell::RefCell;
use std::collections::HashMap;

/// The period as people write it.
pub fn period_text(s: &Strategy) -> String {
    format!("{} to {}", s.period.starts(), s.period.ends())
}

pub struct StrategyList(pub Vec<Strategy>);

impl View for StrategyList {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        out.value(&self.0.iter().map(StrategyJson::from).collect::<Vec<_>>())
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let rows = self
            .0
            .iter()
            .map(|s| {
                vec![
                    Cell::from(s.code.as_str()),
                    Cell::from(s.title.as_str()),
                    Cell::from(s.status.as_str()),
                    Cell::from(period_text(s)),
                    Cell::opt(s.decision.as_ref()),
                ]
            })
            .collect();
        doc.block(Block::Table(Table {
            headers: vec!["code", "title", "status", "period", "decision"],
            rows,
        }))
    }
}

/// The headline lines of a strategy, shared by `strategy show` and `report`.
pub fn headline(s: &Strategy, summary: &Summary) -> Vec<(&'static str, Cell)> {
    let h = &summary.health;
    let mut fields = vec![
        ("Code", s.code.to_string()),
        ("Status", s.status.to_string()),
        ("Decision", s.decision.clone().unwrap_or_else(|| "—".into())),
        ("Period", period_text(s)),
        (
            "Period elapsed",
            format!("{}%", summary.period_elapsed_percent),
        ),
        (
            "Items complete",
            format!(
                "{} of {} ({}%)",
                summary.completed,
                summary.items - summary.cancelled,
                summary.percent_complete
            ),
        ),
        ("Average progress", format!("{}%", summary.average_progress)),
        ("Outstanding", summary.outstanding.to_string()),
        ("Overdue", summary.overdue.to_string()),
        (
            "Health",
            format!(
                "{} red, {} amber, {} green, {} complete, {} closed",
                h.red, h.amber, h.green, h.complete, h.closed
            ),
        ),
    ];
    if summary.cancelled > 0 || summary.carried_forward > 0 {
        fields.push((
            "Closed",
            format!(
                "{} cancelled, {} carried forward",
                summary.cancelled, summary.carried_forward
            ),
        ));
    }
    fields
        .into_iter()
        .map(|(k, v)| (k, Cell::Text(v)))
        .collect()
}

pub struct StrategyDetail {
    pub strategy: Strategy,
    pub summary: Summary,
}

impl View for StrategyDetail {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let mut v = to_value(&StrategyJson::from(&self.strategy));
        v["summary"] = to_value(&self.summary);
        out.value(&v)
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let s = &self.strategy;
        let mut fields = headline(s, &self.summary);
        let extra = [
            ("Adopted", Cell::opt(s.adopted)),
            ("Lead", Cell::opt(s.lead.as_ref())),
            ("Department", Cell::opt(s.department.as_ref())),
            ("Supersedes", Cell::opt(s.supersedes.as_ref())),
            ("Description", Cell::prose(s.description.as_ref())),
        ];
        fields.extend(extra.into_iter().filter(|(_, v)| *v != Cell::Empty));
        doc.blocks([Block::Heading(s.title.clone()), Block::Fields(fields)])
    }

    /// One row with the JSON's keys, the summary's among them (its health
    /// counts by their own names), as `item show` gives one row.
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        let s = &self.strategy;
        let m = &self.summary;
        let count = |n: usize| Cell::Int(n as i64);
        let percent = |n: u8| Cell::Int(n.into());
        let cells = [
            ("code", Cell::from(s.code.as_str())),
            ("title", Cell::from(s.title.as_str())),
            ("status", Cell::from(s.status.as_str())),
            ("starts", Cell::from(s.period.starts().to_string())),
            ("ends", Cell::from(s.period.ends().to_string())),
            ("decision", Cell::opt(s.decision.as_ref())),
            ("adopted", Cell::opt(s.adopted)),
            ("lead", Cell::opt(s.lead.as_ref())),
            ("department", Cell::opt(s.department.as_ref())),
            ("supersedes", Cell::opt(s.supersedes.as_ref())),
            ("description", Cell::opt(s.description.as_ref())),
            ("items", count(m.items)),
            ("completed", count(m.completed)),
            ("outstanding", count(m.outstanding)),
            ("overdue", count(m.overdue)),
            ("cancelled", count(m.cancelled)),
            ("carried_forward", count(m.carried_forward)),
            ("percent_complete", percent(m.percent_complete)),
            ("average_progress", percent(m.average_progress)),
            ("period_elapsed_percent", percent(m.period_elapsed_percent)),
            ("red", count(m.health.red)),
            ("amber", count(m.health.amber)),
            ("green", count(m.health.green)),
            ("complete", count(m.health.complete)),
            ("closed", count(m.health.closed)),
        ];
        let (headers, row): (Vec<_>, Vec<_>) = cells.into_iter().unzip();
        let mut rows = doc.table(headers)?;
        rows.row(row)?;
        rows.finish()
    }
}

/// Items handed over one at a time, so a list is written as it is read.
pub trait Items {
    /// Calls `f` with a function that gives the next item, `None` after
    /// the last.
    fn read(&self, f: &mut dyn FnMut(&mut NextItem) -> Result<()>) -> Result<()>;
}

pub type NextItem<'a> = dyn FnMut() -> Result<Option<Item>> + 'a;

/// Items already in hand.
impl Items for Vec<Item> {
    fn read(&self, f: &mut dyn FnMut(&mut NextItem) -> Result<()>) -> Result<()> {
        let mut items = self.iter().cloned();
        f(&mut || Ok(items.next()))
    }
}

/// A list of items with their health on one day; `outstanding` adds days
/// overdue, as the SPEC's `outstanding` output does.
pub struct ItemList<'a> {
    pub items: Box<dyn Items + 'a>,
    pub on: NaiveDate,
    pub outstanding: bool,
    /// The latest note of each item, for JSON (each taken as its item is
    /// written).
    pub notes: RefCell<HashMap<ItemId, Note>>,
}

/// An item of an [`ItemList`] as JSON, with its days overdue when the
/// list is of outstanding work.
#[derive(serde::Serialize)]
struct ListedItem<'a> {
    #[serde(flatten)]
    item: ItemJson<'a>,
    health_reason: Option<String>,
    late: bool,
    latest_note: Option<&'a str>,
    latest_note_on: Option<NaiveDate>,
    days_since_update: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_overdue: Option<i64>,
}

/// Owns the item it shows, for a list made while it is written.
struct Listed {
    item: Item,
    note: Option<Note>,
    on: NaiveDate,
    outstanding: bool,
}

impl serde::Serialize for Listed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (i, on) = (&self.item, self.on);
        ListedItem {
            item: ItemJson::new(i, on),
            health_reason: health_reason(i, on),
            late: is_late(i, on),
            latest_note: self.note.as_ref().map(|n| n.text.as_str()),
            latest_note_on: self.note.as_ref().map(|n| n.on),
            days_since_update: days_since_update(i, on),
            days_overdue: self.outstanding.then(|| days_overdue(i, on)),
        }
        .serialize(s)
    }
}

impl ItemList<'_> {
    /// Writes a table of the items in `columns`, with `overdue` last for
    /// outstanding work.
    fn table(&self, doc: &mut Doc, columns: &[ItemColumn], overdue: ItemColumn) -> Result<()> {
        let mut columns = columns.to_vec();
        if self.outstanding {
            columns.push(overdue);
        }
        let headers: Vec<&'static str> = columns.iter().map(ItemColumn::name).collect();
        let on = self.on;
        // The table starts once reading has: a read that fails at once
        // prints nothing.
        self.items.read(&mut |next| {
            let mut rows = doc.table(headers.clone())?;
            while let Some(i) = next()? {
                rows.row(columns.iter().map(|c| c.cell(&i, on)).collect())?;
            }
            rows.finish()
        })
    }
}

impl View for ItemList<'_> {
    /// Written item by item: a tree of JSON values for the list took
    /// several times the memory of the items themselves.
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let (on, outstanding) = (self.on, self.outstanding);
        self.items.read(&mut |next| {
            let list = Streamed::new(|| {
                Ok(next()?.map(|item| Listed {
                    note: self.notes.borrow_mut().remove(&item.id),
                    item,
                    on,
                    outstanding,
                }))
            });
            let written = out.value(&list);
            list.finish(written)
        })
    }

    /// The columns people read most, from every item's columns.
    fn document(&self, doc: &mut Doc) -> Result<()> {
        const SHOWN: [&str; 9] = [
            "id", "strategy", "ref", "title", "owner", "status", "progress", "due", "health",
        ];
        let shown: Vec<ItemColumn> = item_columns()
            .filter(|c| SHOWN.contains(&c.name()))
            .collect();
        self.table(doc, &shown, ItemColumn::Made("days overdue", overdue_cell))
    }

    /// A page of the items (outstanding work), red first as listed.
    fn html(&self, out: &mut dyn std::io::Write) -> Result<()> {
        use maud::html;
        let on = self.on;
        let title = if self.outstanding {
            format!("Outstanding work, {on}")
        } else {
            format!("Items, {on}")
        };
        super::html::page(out, &title, |out| {
            out.write_all(html! { h1 { (title) } }.into_string().as_bytes())?;
            self.items.read(&mut |next| {
                // Rows are written as they are read; the tags around
                // them hold no value.
                out.write_all(b"<table class=\"items\">")?;
                let head = html! {
                    thead { tr {
                        th scope="col" { "#" } th scope="col" { "Strategy" } th scope="col" { "Ref" }
                        th scope="col" { "Title" } th scope="col" { "Owner" } th scope="col" { "Status" }
                        th scope="col" { "Progress" } th scope="col" { "Target" } th scope="col" { "Days overdue" }
                        th scope="col" { "Health" } th scope="col" { "Why" }
                    } }
                };
                out.write_all(head.into_string().as_bytes())?;
                out.write_all(b"<tbody>")?;
                while let Some(i) = next()? {
                    let h = health(&i, on);
                    let row = html! {
                        tr {
                            th scope="row" { (i.id.0) }
                            td { (i.strategy.as_str()) }
                            td { (i.reference.as_deref().unwrap_or("")) }
                            td { (i.title) }
                            td { (i.owner.as_deref().unwrap_or("")) }
                            td { (i.status.as_str()) }
                            td.num { (i.progress.get()) "%" }
                            td.date { @if let Some(d) = i.due { (d) } }
                            td.num { @match days_overdue(&i, on) { 0 => {}, n => (n) } }
                            td class=(super::html::health_class(h)) { (h.as_str()) }
                            td { (health_reason(&i, on).unwrap_or_default()) }
                        }
                    };
                    out.write_all(row.into_string().as_bytes())?;
                }
                out.write_all(b"</tbody></table>")?;
                Ok(())
            })?;
            out.write_all(
                html! { p.key { "Health is written in its cell as well as coloured; why says what makes an item red or amber." } }
                    .into_string()
                    .as_bytes(),
            )?;
            Ok(())
        })
    }

    /// Every field of each item, for spreadsheets and `import FILE.csv`.
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        let every: Vec<ItemColumn> = item_columns().collect();
        self.table(
            doc,
            &every,
            ItemColumn::Made("days_overdue", |i, on| Cell::Int(days_overdue(i, on))),
        )
    }
}

/// Days overdue, blank when not overdue.
pub fn overdue_cell(i: &Item, on: NaiveDate) -> Cell {
    match days_overdue(i, on) {
        0 => Cell::Empty,
        n => Cell::Int(n),
    }
}

/// A field's name as people read it in a history.
pub fn field_label(name: &str) -> String {
    match name {
        "rag_override" => "health set by hand".to_string(),
        "rag_reason" => "reason for the health".to_string(),
        "ref" => "ref".to_string(),
        other => other.replace('_', " "),
    }
}

/// A moment as people read it: the local day and time, to the minute.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `field a → b`, a line each, for tables.
pub fn changes_text(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| {
            format!(
                "{} {} → {}",
                field_label(&c.field),
                c.from.as_deref().unwrap_or("—"),
                c.to.as_deref().unwrap_or("—")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn events_table(events: &[Event]) -> Table {
    Table {
        headers: vec!["recorded", "holds from", "by", "action", "changes", "note"],
        rows: events
            .iter()
            .map(|e| {
                vec![
                    Cell::from(local_time(e.at)),
                    Cell::from(e.effective.to_string()),
                    Cell::from(e.by.as_str()),
                    Cell::from(e.action.as_str()),
                    Cell::Prose(changes_text(&e.changes)),
                    Cell::prose(e.note.as_ref()),
                ]
            })
            .collect(),
    }
}

pub struct EventList(pub Vec<Event>);

impl View for EventList {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        out.value(&self.0.iter().map(EventJson::from).collect::<Vec<_>>())
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        doc.block(Block::Table(events_table(&self.0)))
    }
}

pub struct ItemDetail {
    pub item: Item,
    pub on: NaiveDate,
    pub events: Vec<Event>,
}

impl View for ItemDetail {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let mut v = to_value(&ItemJson::new(&self.item, self.on));
        v["events"] = to_value(&self.events.iter().map(EventJson::from).collect::<Vec<_>>());
        out.value(&v)
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let i = &self.item;
        let health = match (i.rag_override, &i.rag_reason) {
            (Some(_), Some(reason)) => {
                format!("{} (set by hand: {reason})", health(i, self.on))
            }
            (Some(_), None) => format!("{} (set by hand)", health(i, self.on)),
            _ => health(i, self.on).to_string(),
        };
        let overdue = match days_overdue(i, self.on) {
            0 => None,
            n => Some(crate::domain::text::counted(n, "day", "days")),
        };
        let fields = [
            ("Strategy", Cell::from(i.strategy.as_str())),
            ("Ref", Cell::opt(i.reference.as_ref())),
            ("Status", Cell::from(i.status.as_str())),
            ("Progress", Cell::Bar(i.progress.get())),
            ("Health", Cell::Prose(health)),
            ("Start", Cell::opt(i.start)),
            ("Target", Cell::opt(i.due)),
            ("Overdue", Cell::opt(overdue)),
            ("Completed", Cell::opt(i.completed_on)),
            ("Owner", Cell::opt(i.owner.as_ref())),
            ("Theme", Cell::opt(i.theme.as_ref())),
            ("Description", Cell::prose(i.description.as_ref())),
            ("Carried from", Cell::opt(i.carried_from)),
            ("Carried to", Cell::opt(i.carried_to)),
            ("Created", Cell::from(local_time(i.created_at))),
            ("Updated", Cell::from(local_time(i.updated_at))),
            (
                "Last update holds from",
                Cell::from(i.last_update.to_string()),
            ),
        ];
        doc.blocks([
            Block::Heading(format!("{} {}", i.id, i.title)),
            Block::Fields(
                fields
                    .into_iter()
                    .filter(|(_, v)| *v != Cell::Empty)
                    .collect(),
            ),
            Block::Table(events_table(&self.events)),
        ])
    }

    /// The item as one row, like `item list`; its history is `item history`.
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        ItemList {
            items: Box::new(vec![self.item.clone()]),
            on: self.on,
            outstanding: false,
            notes: RefCell::default(),
        }
        .csv(doc)
    }
}
