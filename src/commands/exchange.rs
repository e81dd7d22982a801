//! `strat export` and `strat import`: the JSON document of the SPEC, and
//! CSV of items. Import reads a file in pieces, checking each record as it
//! comes and handing it to the loader, which writes it at once in the one
//! transaction of the whole import.

use super::loader::{Counts, LINK_FIELDS, Loader};
use super::pieces::{Pieces, Syntax};
use super::raw::{Kind, Raw, RawRecord, ReadChanges, Rec, plain_record};
use super::{Ctx, Outcome, require_strategies};
use crate::cli::{ExportArgs, ImportArgs};
use crate::domain::NumberSet;
use crate::domain::dates::{Period, parse_iso};
use crate::domain::history::StreamCheck;
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Progress, Strategy, StrategyEvent, Tracked, read_timestamp,
};
use crate::domain::vocab::{Action, Status, StrategyStatus};
use crate::error::{Error, Result};
use crate::output::shapes::{
    EventJson, ITEM_CSV_COLUMNS, ItemJson, StrategyEventJson, StrategyJson,
};
use crate::output::{Block, Doc, JsonOut, Streamed, View};
use crate::store::{Db, EventText, Store};
use chrono::NaiveDate;
use serde::Serialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use std::cell::RefCell;
use std::fmt::Display;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

pub const FORMAT_NAME: &str = "strat";
pub const FORMAT_VERSION: i64 = 1;

/// `strat export`: checks the named strategies now, so a wrong code fails
/// before anything is printed; the document is read while it is written
/// (see [`LiveExport`]).
pub fn export(ctx: &Ctx, mut store: Store, args: ExportArgs) -> Result<Outcome> {
    store.read(|db| require_strategies(db, &args.strategies))?;
    Ok(Outcome {
        view: Some(Box::new(LiveExport {
            store: RefCell::new(store),
            codes: args.strategies,
            on: ctx.clock.today,
        })),
        always_json: true,
        ..Outcome::default()
    })
}

/// The export document of the strategies `codes` (all when empty), with
/// health computed for `on`. It is read in one read transaction while it
/// is written, items and events a row at a time: built whole, the document
/// of 100,000 items took 2.5 GB.
pub struct LiveExport {
    store: RefCell<Store>,
    codes: Vec<Code>,
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

impl LiveExport {
    fn kept(&self, code: &Code) -> bool {
        self.codes.is_empty() || self.codes.contains(code)
    }
}

impl View for LiveExport {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        self.store.borrow_mut().read(|db| {
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
        })
    }

    /// The document as the JSON format prints it (`export` prints JSON
    /// whatever `--format` says).
    fn document(&self, doc: &mut Doc) -> Result<()> {
        let mut text = Vec::new();
        self.write_json(&mut JsonOut::new(&mut text, true))?;
        let text = String::from_utf8(text)
            .map_err(|e| Error::Bug(format!("the export is not UTF-8: {e}")))?;
        doc.block(Block::Text(text))
    }
}

/// Loads a JSON export or a CSV of items in one transaction, checking each
/// record as it is read; any problem rolls everything back. `--dry-run`
/// does the same and always rolls back.
pub fn import(ctx: &Ctx, db_path: &Path, args: ImportArgs) -> Result<Outcome> {
    let is_csv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    match (&args.strategy, is_csv) {
        (None, true) => {
            return Err(Error::Invalid(
                "a CSV file holds items only: name their strategy with --strategy CODE".into(),
            ));
        }
        (Some(_), false) => {
            return Err(Error::Invalid(
                "--strategy is for CSV files; a JSON export names its strategies itself".into(),
            ));
        }
        _ => {}
    }
    let open = || {
        std::fs::File::open(&args.file)
            .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", args.file.display())))
    };
    open()?; // before any database is touched
    let load = |db: &Db| -> Result<Counts> {
        let file = open()?;
        match &args.strategy {
            Some(code) => {
                let mut loader = Loader::for_csv(db, ctx)?;
                load_csv(file, code, ctx, &mut loader)?;
                loader.finish()
            }
            None => {
                let mut loader = Loader::for_document(db, ctx)?;
                load_document(file, ctx, &mut loader)?;
                loader.finish()
            }
        }
    };
    let counts = if args.dry_run {
        Store::open_for_reading(db_path)?.load(false, load)?
    } else if db_path.exists() {
        Store::open(db_path)?.load(true, load)?
    } else {
        load_into_new(db_path, load)?
    };
    let what = format!(
        "{} strategies, {} items, {} events",
        counts.strategies, counts.items, counts.events
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

/// Imports into a database that does not exist yet by building it under a
/// temporary name beside it and linking it into place only when the load
/// succeeded: a failed import leaves no file behind, and a database another
/// process created meanwhile is never replaced.
fn load_into_new(db_path: &Path, load: impl Fn(&Db) -> Result<Counts>) -> Result<Counts> {
    let name = db_path
        .file_name()
        .map_or("strat.db".into(), |n| n.to_string_lossy().into_owned());
    let temp = db_path.with_file_name(format!(".{name}.import-{}", std::process::id()));
    let remove_temp = || {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = temp.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    };
    remove_temp();
    let loaded = Store::open_scratch(&temp).and_then(|mut store| {
        let counts = store.load(true, &load)?;
        store.seal()?;
        Ok(counts)
    });
    let counts = match loaded {
        Ok(counts) => counts,
        Err(e) => {
            remove_temp();
            return Err(e);
        }
    };
    // The store is closed here, so the file stands alone without its WAL.
    let linked = std::fs::hard_link(&temp, db_path);
    remove_temp();
    match linked {
        Ok(()) => Ok(counts),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Store::open(db_path)?.load(true, load)
        }
        Err(e) => Err(Error::Storage(format!(
            "cannot create the database {}: {e}\nChoose another place with --db or STRAT_DB.",
            db_path.display()
        ))),
    }
}

/// Where a record stands in its file: `items[7]` in JSON, `line 7` in CSV.
/// Written out only for a message, so a good record costs nothing here.
#[derive(Clone, Copy)]
pub enum Pos {
    Json(&'static str, usize),
    Csv(u64),
}

impl Pos {
    /// `items[7]` or `line 7`.
    fn at(&self) -> String {
        match self {
            Pos::Json(list, n) => format!("{list}[{n}]"),
            Pos::Csv(line) => format!("line {line}"),
        }
    }

    /// `items[7].progress` or `line 7, column progress`.
    fn field(&self, key: &str) -> String {
        match self {
            Pos::Json(..) => format!("{}.{key}", self.at()),
            Pos::Csv(..) => format!("{}, column {key}", self.at()),
        }
    }
}

/// Reads one record's fields, noting every problem with its position.
struct Record<'a> {
    raw: RawRecord,
    pos: Pos,
    problems: &'a mut Vec<String>,
}

impl<'a> Record<'a> {
    fn open(
        raw: RawRecord,
        pos: Pos,
        known: &[&str],
        problems: &'a mut Vec<String>,
    ) -> Option<Record<'a>> {
        if raw.not_object {
            problems.push(format!("{}: expected an object", pos.at()));
            return None;
        }
        for key in &raw.unknown {
            problems.push(format!(
                "{}: unknown field; known fields are {}",
                pos.field(key),
                known.join(", ")
            ));
        }
        Some(Record { raw, pos, problems })
    }

    fn bad(&mut self, key: &str, why: impl Display) {
        let field = self.pos.field(key);
        self.problems.push(format!("{field}: {why}"));
    }

    /// A text value; numbers are taken as their text (CSV cells are text).
    /// Each field is read once: this takes it out of the record.
    fn text(&mut self, key: &str) -> Option<String> {
        match self.raw.take(key) {
            None | Some(Raw::Null) => None,
            Some(Raw::Text(s)) => Some(s),
            Some(Raw::Number(n)) => Some(n.to_string()),
            Some(other) => {
                self.bad(key, format!("expected text, found {other}"));
                None
            }
        }
    }

    fn required(&mut self, key: &str) -> Option<String> {
        let v = self.text(key).filter(|s| !s.trim().is_empty());
        if v.is_none() && !self.problems_for(key) {
            self.bad(key, "is required");
        }
        v
    }

    fn problems_for(&self, key: &str) -> bool {
        let prefix = format!("{}:", self.pos.field(key));
        self.problems.iter().any(|p| p.starts_with(&prefix))
    }

    fn parse<T: FromStr>(&mut self, key: &str, value: Option<String>) -> Option<T>
    where
        T::Err: Display,
    {
        match value?.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.bad(key, e);
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Result<Option<chrono::NaiveDate>, ()> {
        match self.text(key) {
            None => Ok(None),
            Some(s) => parse_iso(&s).map(Some).map_err(|why| {
                self.bad(key, format!("'{s}' {why} (YYYY-MM-DD)"));
            }),
        }
    }

    fn int(&mut self, key: &str) -> Result<Option<i64>, ()> {
        match self.raw.take(key) {
            None | Some(Raw::Null) => Ok(None),
            Some(Raw::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(Raw::Text(s)) if s.trim().is_empty() => Ok(None),
            Some(Raw::Text(s)) => {
                s.trim()
                    .trim_start_matches('#')
                    .parse()
                    .map(Some)
                    .map_err(|_| {
                        self.bad(key, format!("'{s}' is not a whole number"));
                    })
            }
            Some(other) => {
                self.bad(key, format!("expected a whole number, found {other}"));
                Err(())
            }
        }
    }

    fn timestamp(&mut self, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        self.timestamp_kept(key).map(|(t, _)| t)
    }

    /// As [`Record::timestamp`], with the text when it is in the stored
    /// form (see [`read_timestamp`]).
    fn timestamp_kept(
        &mut self,
        key: &str,
    ) -> Option<(chrono::DateTime<chrono::Utc>, Option<String>)> {
        let s = self.text(key)?;
        match read_timestamp(s) {
            Ok(read) => Some(read),
            Err(e) => {
                self.bad(key, e);
                None
            }
        }
    }
}

/// The item keys import reads; `health` is computed, so accepted and ignored.
const ITEM_KEYS: &[&str] = &[
    "id",
    "strategy",
    "ref",
    "title",
    "description",
    "theme",
    "owner",
    "status",
    "progress",
    "start",
    "due",
    "completed_on",
    "health",
    "rag_override",
    "rag_reason",
    "carried_from",
    "carried_to",
    "created_at",
    "updated_at",
];

const TOP_KEYS: &[&str] = &[
    "format",
    "version",
    "strategies",
    "items",
    "events",
    "strategy_events",
];

const EVENT_KEYS: &[&str] = &["id", "item", "at", "by", "action", "changes", "note"];

fn parse_strategy(v: RawRecord, pos: Pos, problems: &mut Vec<String>) -> Option<Strategy> {
    let before = problems.len();
    let mut r = Record::open(v, pos, Strategy::FIELDS, problems)?;
    let code = r.required("code");
    let code: Option<Code> = r.parse("code", code);
    let title = r.required("title");
    let status = r.text("status").unwrap_or_else(|| "draft".into());
    let status: Option<StrategyStatus> = r.parse("status", Some(status));
    let starts = r.date("starts");
    let ends = r.date("ends");
    let period = match (starts, ends) {
        (Ok(Some(s)), Ok(Some(e))) => match Period::new(s, e) {
            Ok(p) => Some(p),
            Err(e) => {
                r.bad("ends", e);
                None
            }
        },
        (Ok(None), _) => {
            r.bad("starts", "is required");
            None
        }
        (_, Ok(None)) => {
            r.bad("ends", "is required");
            None
        }
        _ => None,
    };
    let adopted = r.date("adopted");
    let supersedes = r.text("supersedes");
    let supersedes: Option<Code> = r.parse("supersedes", supersedes.clone());
    let s = Strategy {
        code: code?,
        title: title?,
        status: status?,
        period: period?,
        decision: r.text("decision"),
        adopted: adopted.ok()?,
        lead: r.text("lead"),
        department: r.text("department"),
        supersedes,
        description: r.text("description"),
    };
    (problems.len() == before).then_some(s)
}

/// Reads one item record. `default_strategy` fills a missing `strategy`
/// (CSV import names it once on the command line).
pub fn parse_item(
    v: RawRecord,
    pos: Pos,
    known: &[&str],
    default_strategy: Option<&Code>,
    ctx: &Ctx,
    problems: &mut Vec<String>,
) -> Option<Item> {
    let before = problems.len();
    let mut r = Record::open(v, pos, known, problems)?;
    let id = r.int("id");
    let strategy = match (r.text("strategy"), default_strategy) {
        (Some(s), _) => r.parse::<Code>("strategy", Some(s)),
        (None, Some(c)) => Some(c.clone()),
        (None, None) => r.required("strategy").and(None),
    };
    let title = r.required("title");
    let status = r.text("status").unwrap_or_else(|| "planned".into());
    let status: Option<Status> = r.parse("status", Some(status));
    let progress = r.int("progress");
    let progress = match progress {
        Ok(p) => match Progress::new(p.unwrap_or(0)) {
            Ok(p) => Some(p),
            Err(e) => {
                r.bad("progress", e);
                None
            }
        },
        Err(()) => None,
    };
    let start = r.date("start");
    let due = r.date("due");
    let completed_on = r.date("completed_on");
    let rag = r.text("rag_override");
    let rag_override = r.parse("rag_override", rag.clone());
    let carried_from = r.int("carried_from");
    let carried_to = r.int("carried_to");
    let created_at = r.timestamp("created_at").unwrap_or(ctx.clock.now);
    let updated_at = r.timestamp("updated_at").unwrap_or(created_at);
    let id = match id {
        Ok(Some(n)) if n > 0 => Some(ItemId(n)),
        Ok(Some(n)) => {
            r.bad("id", format!("{n} is not an item number (1 or more)"));
            None
        }
        Ok(None) => Some(ItemId(0)),
        Err(()) => None,
    };
    let link = |v: Result<Option<i64>, ()>| v.map(|o| o.map(ItemId));
    let item = Item {
        id: id?,
        strategy: strategy?,
        reference: r.text("ref"),
        title: title?,
        description: r.text("description"),
        theme: r.text("theme"),
        owner: r.text("owner"),
        status: status?,
        progress: progress?,
        start: start.ok()?,
        due: due.ok()?,
        completed_on: completed_on.ok()?,
        rag_override: if rag.is_some() {
            Some(rag_override?)
        } else {
            None
        },
        rag_reason: r.text("rag_reason"),
        carried_from: link(carried_from).ok()?,
        carried_to: link(carried_to).ok()?,
        created_at,
        updated_at,
    };
    if let Err(e) = item.check_consistent() {
        r.bad("status", e);
    }
    if item.updated_at < item.created_at {
        r.bad("updated_at", "is before created_at");
    }
    (problems.len() == before).then_some(item)
}

/// The parts every event has: number, time, who, action, changes, note;
/// and the text of the time and of the changes when the file wrote them as
/// stored.
struct EventParts {
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
    stored_at: Option<String>,
    by: String,
    action: Action,
    changes: Vec<Change>,
    note: Option<String>,
    stored_changes: Option<String>,
}

/// Reads an event's common parts; `actions` and `fields` are what this
/// kind of event may hold.
fn event_parts(r: &mut Record, actions: &[Action], fields: &[&str]) -> Option<EventParts> {
    let id = r.int("id");
    let at = r.timestamp_kept("at");
    if at.is_none() && !r.problems_for("at") {
        r.bad("at", "is required");
    }
    let by = r.required("by");
    let action = r.required("action");
    let action: Option<Action> = r.parse("action", action);
    if let Some(a) = action
        && !actions.contains(&a)
    {
        r.bad("action", format!("'{a}' does not apply here"));
    }
    let changes = match r.raw.changes.take() {
        None => Some(ReadChanges {
            list: Vec::new(),
            stored: None,
        }),
        Some(read) => match read {
            Ok(read) => {
                let unknown: Vec<&str> = read
                    .list
                    .iter()
                    .map(|c| c.field.as_str())
                    .filter(|f| !fields.contains(f))
                    .collect();
                if unknown.is_empty() {
                    Some(read)
                } else {
                    r.bad("changes", format!("unknown fields {}", unknown.join(", ")));
                    None
                }
            }
            Err(why) => {
                r.bad(
                    "changes",
                    format!("expected a list of {{field, from, to}}: {why}"),
                );
                None
            }
        },
    };
    let changes = changes?;
    let (at, stored_at) = at?;
    Some(EventParts {
        id: id.ok()?.unwrap_or(0),
        at,
        stored_at,
        by: by?,
        action: action?,
        changes: changes.list,
        note: r.text("note"),
        stored_changes: changes.stored,
    })
}

/// An event, with its text as it will be stored.
fn parse_event(v: RawRecord, pos: Pos, problems: &mut Vec<String>) -> Option<(Event, EventText)> {
    let before = problems.len();
    let mut r = Record::open(v, pos, EVENT_KEYS, problems)?;
    let item = r.int("item");
    if matches!(item, Ok(None)) {
        r.bad("item", "is required");
    }
    let actions = [
        Action::Created,
        Action::Updated,
        Action::Completed,
        Action::Noted,
        Action::CarriedForward,
        Action::CarriedIn,
    ];
    let p = event_parts(&mut r, &actions, Item::FIELDS);
    let item = ItemId(item.ok()??);
    let p = p?;
    let event = Event {
        id: p.id,
        item,
        at: p.at,
        by: p.by,
        action: p.action,
        changes: p.changes,
        note: p.note,
    };
    let text = EventText::with_stored(&event, p.stored_at, p.stored_changes);
    (problems.len() == before).then_some((event, text))
}

const STRATEGY_EVENT_KEYS: &[&str] = &["id", "strategy", "at", "by", "action", "changes", "note"];

fn parse_strategy_event(
    v: RawRecord,
    pos: Pos,
    problems: &mut Vec<String>,
) -> Option<StrategyEvent> {
    let before = problems.len();
    let mut r = Record::open(v, pos, STRATEGY_EVENT_KEYS, problems)?;
    let code = r.required("strategy");
    let code: Option<Code> = r.parse("strategy", code);
    let p = event_parts(
        &mut r,
        &[Action::Created, Action::Updated],
        Strategy::FIELDS,
    )?;
    let event = StrategyEvent {
        id: p.id,
        strategy: code?,
        at: p.at,
        by: p.by,
        action: p.action,
        changes: p.changes,
        note: p.note,
    };
    (problems.len() == before).then_some(event)
}

/// The document's own header, read along the way.
#[derive(Default)]
struct Header {
    format: Option<Value>,
    version: Option<Value>,
}

/// One checked record of a document, or a problem found in one, in the
/// order they appear.
enum Parsed {
    Strategy(Strategy),
    Item(usize, Item),
    Event(usize, Event, EventText),
    StrategyEvent(usize, StrategyEvent),
    Problem(String),
}

impl Parsed {
    fn load_into(self, loader: &mut Loader) {
        match self {
            Parsed::Strategy(s) => loader.strategy(s),
            Parsed::Item(n, i) => loader.item(n, i),
            Parsed::Event(n, e, text) => loader.event(n, e, text),
            Parsed::StrategyEvent(n, e) => loader.strategy_event(n, e),
            Parsed::Problem(p) => loader.problem(p),
        }
    }
}

/// Records are handed over in batches, so the two threads meet rarely.
const BATCH: usize = 512;

/// Hands a full batch over and gives back an empty one to fill next, or
/// `None` once nobody takes them any more.
type Handover<'s> = &'s mut dyn FnMut(Vec<Parsed>) -> Option<Vec<Parsed>>;

/// Where parsed records go, a batch at a time.
struct Batches<'s> {
    batch: Vec<Parsed>,
    send: Handover<'s>,
    open: bool,
}

impl Batches<'_> {
    fn push(&mut self, r: Parsed) {
        self.batch.push(r);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.open && !self.batch.is_empty() {
            let full = std::mem::take(&mut self.batch);
            match (self.send)(full) {
                Some(next) => self.batch = next,
                None => self.open = false,
            }
        }
        self.batch.clear();
    }
}

/// Reads the document's outer object: its header, and each list record by
/// record, checking each record as it comes and handing it on.
fn read_document<R: Read>(
    doc: &mut Pieces<R>,
    ctx: &Ctx,
    header: &mut Header,
    out: &mut Batches,
    check: &mut StreamCheck,
) -> std::result::Result<(), Syntax> {
    doc.expect(b'{', "a strat export document (a JSON object)")?;
    if !doc.next_is(b'}')? {
        loop {
            let key: String = doc.value()?;
            doc.expect(b':', "':'")?;
            match key.as_str() {
                "format" => header.format = Some(doc.value()?),
                "version" => header.version = Some(doc.value()?),
                StrategyRecord::NAME => read_list::<StrategyRecord, R>(doc, ctx, out, check)?,
                ItemRecord::NAME => read_list::<ItemRecord, R>(doc, ctx, out, check)?,
                EventRecord::NAME => read_list::<EventRecord, R>(doc, ctx, out, check)?,
                StrategyEventRecord::NAME => {
                    read_list::<StrategyEventRecord, R>(doc, ctx, out, check)?
                }
                _ => {
                    out.push(Parsed::Problem(format!(
                        "{key}: unknown field; known fields are {}",
                        TOP_KEYS.join(", ")
                    )));
                    doc.value::<IgnoredAny>()?;
                }
            }
            if doc.next_is(b'}')? {
                break;
            }
            doc.expect(b',', "',' or '}'")?;
        }
    }
    doc.end()
}

/// The next record of kind `K`: read by hand when written as `strat
/// export` writes records, by the JSON reader otherwise.
fn next_record<K: Kind, R: Read>(doc: &mut Pieces<R>) -> std::result::Result<RawRecord, Syntax> {
    doc.value_by_hand(|text| plain_record(text, K::KNOWN).map(|(r, len)| (Rec::new(r), len)))
        .map(|r: Rec<K>| r.0)
}

/// The kinds of record of the document's lists, by the fields they have.
struct StrategyRecord;
struct ItemRecord;
struct EventRecord;
struct StrategyEventRecord;

impl Kind for StrategyRecord {
    const KNOWN: &'static [&'static str] = Strategy::FIELDS;
}
impl Kind for ItemRecord {
    const KNOWN: &'static [&'static str] = ITEM_KEYS;
}
impl Kind for EventRecord {
    const KNOWN: &'static [&'static str] = EVENT_KEYS;
}
impl Kind for StrategyEventRecord {
    const KNOWN: &'static [&'static str] = STRATEGY_EVENT_KEYS;
}

/// A list of the document: its name, and how each of its records is
/// checked (and handed to the history check) before it is loaded.
trait List: Kind {
    const NAME: &'static str;

    /// A record of the list, or `None` when the problems it was read
    /// with say what is wrong with it.
    fn parse(v: RawRecord, r: Reading) -> Option<Parsed>;
}

/// What reading a record takes besides the record: its place in its list,
/// the command's context, where problems go, and the history check.
struct Reading<'r> {
    n: usize,
    ctx: &'r Ctx,
    problems: &'r mut Vec<String>,
    check: &'r mut StreamCheck,
}

impl List for StrategyRecord {
    const NAME: &'static str = "strategies";

    fn parse(v: RawRecord, r: Reading) -> Option<Parsed> {
        parse_strategy(v, Pos::Json(Self::NAME, r.n), r.problems).map(Parsed::Strategy)
    }
}

impl List for ItemRecord {
    const NAME: &'static str = "items";

    fn parse(v: RawRecord, r: Reading) -> Option<Parsed> {
        let pos = Pos::Json(Self::NAME, r.n);
        let item = parse_item(v, pos, ITEM_KEYS, None, r.ctx, r.problems)?;
        r.check.item(&item);
        Some(Parsed::Item(r.n, item))
    }
}

impl List for EventRecord {
    const NAME: &'static str = "events";

    fn parse(v: RawRecord, r: Reading) -> Option<Parsed> {
        let (mut e, text) = parse_event(v, Pos::Json(Self::NAME, r.n), r.problems)?;
        r.check.event(&e);
        // Once written out, the changes are let go of here, on the thread
        // that made them, unless the loader needs them (to check and
        // renumber links between items): freeing them on the writing
        // thread cost it a twentieth of its work.
        if !e
            .changes
            .iter()
            .any(|c| LINK_FIELDS.contains(&c.field.as_str()))
        {
            e.changes = Vec::new();
        }
        Some(Parsed::Event(r.n, e, text))
    }
}

impl List for StrategyEventRecord {
    const NAME: &'static str = "strategy_events";

    fn parse(v: RawRecord, r: Reading) -> Option<Parsed> {
        let e = parse_strategy_event(v, Pos::Json(Self::NAME, r.n), r.problems)?;
        Some(Parsed::StrategyEvent(r.n, e))
    }
}

/// One of the document's lists (or null); each record is checked as it
/// arrives and handed on.
fn read_list<K: List, R: Read>(
    doc: &mut Pieces<R>,
    ctx: &Ctx,
    out: &mut Batches,
    check: &mut StreamCheck,
) -> std::result::Result<(), Syntax> {
    if doc.peek()? == Some(b'n') {
        return doc.value::<()>();
    }
    doc.expect(b'[', &format!("a list of {}", K::NAME))?;
    if doc.next_is(b']')? {
        return Ok(());
    }
    let mut problems = Vec::new();
    for n in 0.. {
        let v = next_record::<K, R>(doc)?;
        let reading = Reading {
            n,
            ctx,
            problems: &mut problems,
            check,
        };
        let record = K::parse(v, reading);
        for p in problems.drain(..) {
            out.push(Parsed::Problem(p));
        }
        if let Some(r) = record {
            out.push(r);
        }
        if doc.next_is(b']')? {
            break;
        }
        doc.expect(b',', "',' or ']'")?;
    }
    Ok(())
}

/// Reads a whole export document into `loader`, or fails on the first
/// problem of the document itself (not JSON, wrong format or version).
/// One thread parses and checks records while this one writes them.
pub fn load_document(
    input: impl std::io::Read + Send,
    ctx: &Ctx,
    loader: &mut Loader,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (records_tx, records) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(8);
        // Emptied batches go back to be filled again: a batch grown anew
        // each time was copied over and over as it grew, and freed on the
        // thread that had not made it.
        let (spent_tx, spent) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(8);
        let parser = scope.spawn(move || {
            let mut send = |batch| {
                records_tx.send(batch).ok()?;
                Some(
                    spent
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(BATCH)),
                )
            };
            parse_document(input, ctx, &mut send)
        });
        for mut batch in records {
            for record in batch.drain(..) {
                record.load_into(loader);
            }
            let _ = spent_tx.try_send(batch);
        }
        let vouched = parser
            .join()
            .map_err(|_| Error::Bug("the import's parsing thread failed".into()))??;
        loader.vouched_for(vouched);
        Ok(())
    })
}

/// Returns the items whose histories were checked along the way.
fn parse_document(input: impl Read, ctx: &Ctx, send: Handover) -> Result<NumberSet> {
    let mut header = Header::default();
    let mut check = StreamCheck::default();
    let mut out = Batches {
        batch: Vec::with_capacity(BATCH),
        send,
        open: true,
    };
    let parsed = read_document(
        &mut Pieces::new(input),
        ctx,
        &mut header,
        &mut out,
        &mut check,
    );
    out.flush();
    parsed.map_err(|Syntax(e)| {
        Error::Invalid(format!(
            "the file is not a complete strat export: {e}\nImport a file written by strat export."
        ))
    })?;
    if header.format.as_ref().and_then(Value::as_str) != Some(FORMAT_NAME) {
        return Err(Error::Invalid(format!(
            "the file's \"format\" is {}, not \"{FORMAT_NAME}\"; import a file written by strat export",
            header.format.map_or("missing".into(), |v| v.to_string())
        )));
    }
    if header.version.as_ref().and_then(Value::as_i64) != Some(FORMAT_VERSION) {
        return Err(Error::Invalid(format!(
            "the file's \"version\" is {}; this strat reads version {FORMAT_VERSION}",
            header.version.map_or("missing".into(), |v| v.to_string())
        )));
    }
    Ok(check.finish())
}

/// Reads a CSV of items for strategy `code` into `loader`: a header row,
/// then one item a line. Empty cells are no value; a `'` that strat's CSV
/// output put before `=`, `+`, `-` or `@` is taken off again.
pub fn load_csv(
    input: impl std::io::Read,
    code: &Code,
    ctx: &Ctx,
    loader: &mut Loader,
) -> Result<()> {
    let mut reader = csv::Reader::from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut problems = Vec::new();
    for (n, h) in headers.iter().enumerate() {
        if !ITEM_CSV_COLUMNS.contains(&h.as_str()) {
            problems.push(format!(
                "line 1, column {}: unknown column '{h}'; known columns are {}",
                n + 1,
                ITEM_CSV_COLUMNS.join(", ")
            ));
        } else if headers[..n].contains(h) {
            problems.push(format!("line 1, column {}: '{h}' appears twice", n + 1));
        }
    }
    if !headers.iter().any(|h| h == "title") {
        problems.push("line 1: a 'title' column is required".into());
    }
    if !problems.is_empty() {
        return Err(Error::BadRecords(problems));
    }
    // Every header is one of the known columns, checked above.
    let columns: Vec<&'static str> = headers
        .iter()
        .filter_map(|h| ITEM_CSV_COLUMNS.iter().find(|c| *c == h).copied())
        .collect();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                loader.problem(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let mut fields = RawRecord::default();
        for (column, v) in columns.iter().zip(record.iter()) {
            if !v.trim().is_empty() {
                fields.set(column, Raw::Text(unescape_cell(v).to_string()));
            }
        }
        let problems = loader.problems_mut();
        let item = parse_item(
            fields,
            Pos::Csv(line),
            ITEM_CSV_COLUMNS,
            Some(code),
            ctx,
            problems,
        );
        if let Some(item) = item {
            if &item.strategy != code {
                problems.push(format!(
                    "line {line}, column strategy: '{}' is not --strategy {code}",
                    item.strategy
                ));
            }
            loader.item(line as usize, item);
        }
    }
    Ok(())
}

/// Takes off the `'` that makes a formula-like cell safe in a spreadsheet.
fn unescape_cell(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => v,
    }
}
