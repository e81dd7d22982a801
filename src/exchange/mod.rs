//! The exchange formats: the JSON document `strat export` writes and
//! `strat import` reads back, and CSV files of items. Reading checks every
//! record with the domain's types ([`records`]) and hands it to the
//! [`load::Loader`], which writes it in the import's one transaction.

pub mod csv_reader;
pub mod json_reader;
pub mod load;
pub mod records;
pub mod sheet;
pub mod xlsx_reader;

use crate::domain::history::StreamJudge;
use crate::domain::model::{Event, Item, Strategy, StrategyEvent};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use json_reader::{Entry, Header, List, TOP_KEYS};
use load::Loader;
use records::{Fields, Pos};
use serde_json::Value;
use std::io::Read;

/// The document's `format` and `version`.
pub const FORMAT_NAME: &str = "strat";
pub const FORMAT_VERSION: i64 = 1;

/// One checked record of a document, or a problem found in one, in the
/// order they appear.
enum Parsed {
    Strategy(usize, Strategy),
    Item(usize, Item),
    Event(usize, Event),
    /// With whether it is a creation that does not say when it holds from.
    StrategyEvent(usize, StrategyEvent, bool),
    Problems(Vec<String>),
}

impl Parsed {
    /// Checks one entry of the document, on the reading thread.
    fn of(entry: Entry, now: DateTime<Utc>) -> Option<Parsed> {
        let mut problems = Vec::new();
        let parsed = match entry {
            Entry::UnknownKey(key) => {
                problems.push(format!(
                    "{key}: unknown field; known fields are {}",
                    TOP_KEYS.join(", ")
                ));
                None
            }
            Entry::Record(list, n, value) => {
                let pos = Pos::Json(list.key(), n);
                match list {
                    List::Strategies => {
                        records::strategy(value, pos, &mut problems).map(|s| Parsed::Strategy(n, s))
                    }
                    List::Items => Fields::open(value, pos, &mut problems)
                        .and_then(|f| records::item(f, now))
                        .map(|i| Parsed::Item(n, i)),
                    List::Events => {
                        records::event(value, pos, &mut problems).map(|e| Parsed::Event(n, e))
                    }
                    List::StrategyEvents => records::strategy_event(value, pos, &mut problems)
                        .map(|(e, undated)| Parsed::StrategyEvent(n, e, undated)),
                }
            }
        };
        match parsed {
            Some(p) if problems.is_empty() => Some(p),
            _ if problems.is_empty() => None,
            _ => Some(Parsed::Problems(problems)),
        }
    }

    fn load_into(self, loader: &mut Loader) {
        match self {
            Parsed::Strategy(n, s) => loader.strategy(n, s),
            Parsed::Item(n, i) => loader.item(Pos::Json(List::Items.key(), n), i),
            Parsed::Event(n, e) => loader.event(n, e),
            Parsed::StrategyEvent(n, e, undated) => loader.strategy_event(n, e, undated),
            Parsed::Problems(p) => loader.problems_mut().extend(p),
        }
    }
}

/// The records of a small document held in the database (what a removal
/// kept for undo), each read with the import's own checks.
#[derive(Debug, Default)]
pub struct Records {
    pub strategies: Vec<Strategy>,
    pub items: Vec<Item>,
    pub events: Vec<Event>,
    pub strategy_events: Vec<StrategyEvent>,
}

/// Reads a document of [`Records`]; any problem is damage to what was kept.
pub fn read_records(text: &str, now: DateTime<Utc>) -> Result<Records> {
    let mut records = Records::default();
    let mut problems = Vec::new();
    let damaged = |why: String| {
        Error::storage(format!(
            "what a removal kept for undo is damaged: {why}\nRun strat check for details."
        ))
    };
    let header = json_reader::read(text.as_bytes(), &mut |entry| match Parsed::of(entry, now) {
        Some(Parsed::Strategy(_, s)) => records.strategies.push(s),
        Some(Parsed::Item(_, i)) => records.items.push(i),
        Some(Parsed::Event(_, e)) => records.events.push(e),
        Some(Parsed::StrategyEvent(_, e, _)) => records.strategy_events.push(e),
        Some(Parsed::Problems(p)) => problems.extend(p),
        None => {}
    })
    .map_err(|e| damaged(e.to_string()))?;
    check_header(header).map_err(|e| damaged(e.message().to_string()))?;
    match problems.first() {
        Some(first) => Err(damaged(first.clone())),
        None => Ok(records),
    }
}

/// Records are handed over in batches, so the two threads meet rarely.
const BATCH: usize = 512;

/// Reads a whole export document into `loader`, or fails on the first
/// problem of the document itself (not JSON, wrong format or version).
/// One thread reads and checks records, and judges histories as they
/// stream past ([`StreamJudge`]), while this one writes them.
pub fn load_document(
    input: impl Read + Send,
    now: DateTime<Utc>,
    loader: &mut Loader,
) -> Result<()> {
    let read = std::thread::scope(|scope| {
        let (batches_tx, batches) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(8);
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let mut judge = StreamJudge::default();
            // A send fails only when the writing side has stopped, and then
            // nothing read is wanted any more.
            let read = json_reader::read(input, &mut |entry| {
                let parsed = Parsed::of(entry, now);
                match &parsed {
                    Some(Parsed::Item(_, item)) if item.id.0 > 0 => judge.item(item),
                    Some(Parsed::Event(_, event)) => judge.event(event),
                    _ => {}
                }
                batch.extend(parsed);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    let _ = batches_tx.send(full);
                }
            });
            let _ = batches_tx.send(batch);
            read.map(|header| (header, judge.finish()))
        });
        for batch in batches {
            for parsed in batch {
                parsed.load_into(loader);
            }
        }
        reader
            .join()
            .map_err(|_| Error::bug("the import's reading thread failed"))
    })?;
    let (header, vouched) = read.map_err(|e| {
        Error::invalid(format!(
            "the file is not a complete strat export: {e}\nImport a file written by strat export."
        ))
    })?;
    loader.vouched_for(vouched);
    check_header(header)
}

fn check_header(header: Header) -> Result<()> {
    let shown = |v: Option<Value>| v.map_or("missing".into(), |v| v.to_string());
    if header.format.as_ref().and_then(Value::as_str) != Some(FORMAT_NAME) {
        return Err(Error::invalid(format!(
            "the file's \"format\" is {}, not \"{FORMAT_NAME}\"\nImport a file written by strat export.",
            shown(header.format)
        )));
    }
    if header.version.as_ref().and_then(Value::as_i64) != Some(FORMAT_VERSION) {
        return Err(Error::invalid(format!(
            "the file's \"version\" is {}; this strat reads version {FORMAT_VERSION}",
            shown(header.version)
        )));
    }
    Ok(())
}
