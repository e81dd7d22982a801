//! `strat export` and `strat import`: the JSON document of the SPEC, and
//! CSV of items (the formats themselves are in [`crate::exchange`]).

use super::{Ctx, Outcome, require_strategies};
use crate::cli::{ExportArgs, Format, ImportArgs};
use crate::domain::NumberSet;
use crate::domain::model::{Code, Event, Item, Strategy, StrategyEvent};
use crate::domain::text::counted;
use crate::error::{Error, Result};
use crate::exchange::csv_reader::read_csv;
use crate::exchange::load::{Counts, Loader};
use crate::exchange::sheet::DayOrder;
use crate::exchange::xlsx_reader::read_xlsx;
use crate::exchange::{FORMAT_NAME, FORMAT_VERSION, load_document};
use crate::output::shapes::{EventJson, ItemJson, StrategyEventJson, StrategyJson};
use crate::output::{Doc, JsonOut, Printer, Streamed, View};
use crate::store::{Db, Location, Store};
use chrono::NaiveDate;
use serde::Serialize;
use std::cell::RefCell;

/// `strat export`: in one read transaction, checks the named strategies,
/// so a wrong code fails before anything is printed, then prints the
/// document as it reads it (see [`LiveExport`]); always as JSON.
pub fn export(ctx: &Ctx, mut store: Store, args: ExportArgs, out: &mut Printer) -> Result<Outcome> {
    let codes = &args.strategies;
    store.read(|db| {
        require_strategies(db, codes)?;
        let export = LiveExport {
            db,
            codes,
            on: ctx.clock.today,
        };
        out.print_as(&export, Format::Json)
    })?;
    Ok(Outcome::default())
}

/// The export document of the strategies `codes` (all when empty), with
/// health computed for `on`. It is read in one read transaction while it
/// is written, items and events a row at a time: built whole, the document
/// of 100,000 items took 2.5 GB.
pub struct LiveExport<'a> {
    /// The command's read transaction.
    db: &'a Db<'a>,
    codes: &'a [Code],
    on: NaiveDate,
}

/// The document's outer object, its lists written as they are read.
#[derive(Serialize)]
struct ExportJson<'a, I: Serialize, E: Serialize, S: Serialize> {
    format: &'static str,
    version: i64,
    strategies: Vec<StrategyJson<'a>>,
    items: &'a I,
    events: &'a E,
    strategy_events: &'a S,
}

/// An item as the document lists it, with its health on a day.
struct ItemOn(Item, NaiveDate);

impl Serialize for ItemOn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        ItemJson::new(&self.0, self.1).serialize(s)
    }
}

/// An event or strategy event as the document lists it, owned: each is
/// read, written and let go.
struct Owned<T>(T);

impl Serialize for Owned<Event> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        EventJson::from(&self.0).serialize(s)
    }
}

impl Serialize for Owned<StrategyEvent> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        StrategyEventJson::from(&self.0).serialize(s)
    }
}

impl LiveExport<'_> {
    fn kept(&self, code: &Code) -> bool {
        self.codes.is_empty() || self.codes.contains(code)
    }
}

impl View for LiveExport<'_> {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let db = self.db;
        {
            let strategies: Vec<Strategy> = db
                .strategies()?
                .into_iter()
                .filter(|s| self.kept(&s.code))
                .collect();
            // The items listed, so that their events, and only theirs,
            // are listed after them.
            let listed = RefCell::new(NumberSet::default());
            db.each_item(|items| {
                db.each_event(|events| {
                    db.each_strategy_event(|strategy_events| {
                        let items = Streamed::new(|| {
                            while let Some(i) = items.fetch()? {
                                if self.kept(&i.strategy) {
                                    listed.borrow_mut().insert(i.id.0);
                                    return Ok(Some(ItemOn(i, self.on)));
                                }
                            }
                            Ok(None)
                        });
                        let events = Streamed::new(|| {
                            while let Some(e) = events.fetch()? {
                                if listed.borrow().contains(&e.item.0) {
                                    return Ok(Some(Owned(e)));
                                }
                            }
                            Ok(None)
                        });
                        let strategy_events = Streamed::new(|| {
                            while let Some(e) = strategy_events.fetch()? {
                                if self.kept(&e.strategy) {
                                    return Ok(Some(Owned(e)));
                                }
                            }
                            Ok(None)
                        });
                        let written = out.value(&ExportJson {
                            format: FORMAT_NAME,
                            version: FORMAT_VERSION,
                            strategies: strategies.iter().map(StrategyJson::from).collect(),
                            items: &items,
                            events: &events,
                            strategy_events: &strategy_events,
                        });
                        // A list that failed stopped the document: the
                        // lists after it were never read.
                        strategy_events.finish(events.finish(items.finish(written)))
                    })
                })
            })
        }
    }

    /// Never asked for: `export` prints JSON whatever `--format` says.
    fn document(&self, _: &mut Doc) -> Result<()> {
        Err(Error::bug("the export document is written as JSON only"))
    }
}

/// Loads a JSON export or a CSV of items in one transaction, checking each
/// record as it is read; any problem rolls everything back. `--dry-run`
/// does the same and always rolls back.
pub fn import(ctx: &Ctx, place: &Location, args: ImportArgs) -> Result<Outcome> {
    let extension = args
        .file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    let sheet_kind = match extension.as_deref() {
        Some("csv") => Some(false),
        Some("xlsx" | "xlsm" | "xls" | "ods") => Some(true),
        _ => None,
    };
    match (&args.strategy, sheet_kind) {
        (None, Some(_)) => {
            return Err(Error::invalid(
                "a spreadsheet holds items only: name their strategy with --strategy CODE",
            ));
        }
        (Some(_), None) => {
            return Err(Error::invalid(
                "--strategy is for spreadsheets (.csv, .xlsx); a JSON export names its \
                 strategies itself",
            ));
        }
        _ => {}
    }
    if args.sheet.is_some() && sheet_kind != Some(true) {
        return Err(Error::invalid("--sheet is for workbooks (.xlsx)"));
    }
    let open = || {
        std::fs::File::open(&args.file)
            .map_err(|e| Error::invalid(format!("cannot read {}: {e}", args.file.display())))
    };
    if let Some(code) = &args.strategy {
        let order = match args.month_first {
            true => DayOrder::MonthFirst,
            false => DayOrder::DayFirst,
        };
        let sheet = match sheet_kind {
            Some(true) => read_xlsx(
                open()?,
                args.sheet.as_deref(),
                code.as_str(),
                order,
                !args.update,
            )?,
            _ => read_csv(open()?, order, !args.update)?,
        };
        return super::sheets::import(ctx, place, &args, code, sheet);
    }
    if args.effective.effective.is_some() {
        return Err(Error::invalid(
            "--effective is for spreadsheets; an export's changes carry their own days",
        ));
    }
    // Opened once, before any database is touched: a pipe or a process
    // substitution (`<(…)`) can be read only once.
    let opened = std::cell::RefCell::new(Some(open()?));
    let now = ctx.clock.now;
    let load = |db: &Db| -> Result<Counts> {
        let file = match opened.borrow_mut().take() {
            Some(file) => file,
            // Read again only when another process made the database while
            // this import ran, and only from a file that can be.
            None if args.file.is_file() => open()?,
            None => {
                return Err(Error::conflict(format!(
                    "another strat process changed {place} while this import read {}, \
                     which cannot be read twice; nothing was imported\nRun the import again.",
                    args.file.display()
                )));
            }
        };
        let mut loader = Loader::new(db, &ctx.by, now)?;
        load_document(file, now, &mut loader)?;
        loader.finish()
    };
    let counts = if args.dry_run {
        Store::open_for_reading(place)?.load(false, load)?
    } else if place.exists() {
        let mut store = Store::open(place)?;
        store.acting(ctx.doer("import"));
        store.load(true, load)?
    } else {
        Store::create(place, |store| {
            store.acting(ctx.doer("import"));
            store.load(true, load)
        })?
    };
    let what = format!(
        "{}, {}, {}",
        counted(counts.strategies as i64, "strategy", "strategies"),
        counted(counts.items as i64, "item", "items"),
        counted(counts.events as i64, "event", "events")
    );
    let message = if args.dry_run {
        format!(
            "{} is valid: it would import {what}. Nothing was changed.",
            args.file.display()
        )
    } else {
        format!("Imported {what} from {}.", args.file.display())
    };
    Ok(Outcome::default().said(message))
}
