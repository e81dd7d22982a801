//! One record of an import (a JSON object, or a CSV row made into one)
//! turned into a strategy, item or event with the domain's own types, or
//! into problems that name the record's place and field. Every value is
//! checked here, before anything is written: a record that would store
//! what `strat check` reports, or what the schema forbids, is refused.

use super::json_reader::{Loose, RawRecord};
use crate::domain::Invalid;
use crate::domain::dates::parse_iso;
use crate::domain::fields::{FieldInput, ITEM_FIELDS, JSON_KEYS, Kind, STRATEGY_FIELDS};
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, Tracked, local_day, parse_timestamp,
};
use crate::domain::text::TextRule;
use crate::domain::vocab::Action;
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Display;
use std::str::FromStr;

/// The highest record number an import takes: JSON's largest exact whole
/// number, far enough below SQLite's limit that new numbers always fit.
pub const MAX_NUMBER: i64 = (1 << 53) - 1;

/// Where a record stands in its document: `items[7]`. (A spreadsheet's
/// rows have places of their own, in [`super::sheet`].)
#[derive(Debug, Clone, Copy)]
pub enum Pos {
    Json(&'static str, usize),
}

impl Pos {
    /// `items[7]`.
    pub fn at(&self) -> String {
        let Pos::Json(list, n) = self;
        format!("{list}[{n}]")
    }

    /// `items[7].progress`.
    pub fn field(&self, key: &str) -> String {
        format!("{}.{key}", self.at())
    }
}

/// The keys of the document's records, as `strat export` writes them.
pub const STRATEGY_KEYS: &[&str] = Strategy::FIELDS;
/// Every field of the table of fields (`health` is computed, so it is
/// accepted and ignored).
pub const ITEM_KEYS: &[&str] = &JSON_KEYS;
pub const EVENT_KEYS: &[&str] = &[
    "id",
    "item",
    "at",
    "effective",
    "by",
    "action",
    "changes",
    "note",
];
pub const STRATEGY_EVENT_KEYS: &[&str] = &[
    "id",
    "strategy",
    "at",
    "effective",
    "by",
    "action",
    "changes",
    "note",
];

/// One record's fields, each taken out once and checked; what is left at
/// the end is an unknown field.
pub struct Fields<'p> {
    record: RawRecord,
    pos: Pos,
    problems: &'p mut Vec<String>,
    /// Problems there were before this record, to tell whether it is good.
    before: usize,
}

impl<'p> Fields<'p> {
    /// The fields of `record`, which must have been an object.
    pub fn open(record: RawRecord, pos: Pos, problems: &'p mut Vec<String>) -> Option<Fields<'p>> {
        if record.not_object {
            problems.push(format!("{}: expected an object", pos.at()));
            return None;
        }
        let before = problems.len();
        Some(Fields {
            record,
            pos,
            problems,
            before,
        })
    }

    fn bad(&mut self, key: &str, why: impl Display) {
        let field = self.pos.field(key);
        self.problems.push(format!("{field}: {why}"));
    }

    fn has_problem(&self, key: &str) -> bool {
        let prefix = format!("{}:", self.pos.field(key));
        self.problems[self.before..]
            .iter()
            .any(|p| p.starts_with(&prefix))
    }

    /// The value of `key`; `None` when it is missing or null.
    fn take(&mut self, key: &str) -> Option<Loose> {
        self.record.take(key)
    }

    /// A text value that follows `rule`; numbers are taken as their text
    /// (CSV cells are text).
    fn text(&mut self, key: &str, rule: TextRule) -> Option<String> {
        let text = match self.take(key)? {
            Loose::Text(s) => s,
            Loose::Int(n) => n.to_string(),
            other => {
                self.bad(key, format!("expected text, found {other}"));
                return None;
            }
        };
        match rule.check(&text) {
            Ok(()) => Some(text),
            Err(e) => {
                self.bad(key, e);
                None
            }
        }
    }

    /// One line of text, never blank when given.
    fn label(&mut self, key: &str) -> Option<String> {
        let text = self.text(key, TextRule::Label)?;
        if text.trim().is_empty() {
            self.bad(key, "is blank; leave it out or give a value");
            return None;
        }
        Some(text)
    }

    fn prose(&mut self, key: &str) -> Option<String> {
        self.text(key, TextRule::Prose)
    }

    fn required(&mut self, key: &str) -> Option<String> {
        let had = self.record.has(key);
        let v = self.label(key);
        if v.is_none() && !had {
            self.bad(key, "is required");
        }
        v
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

    /// A day, `YYYY-MM-DD`.
    fn day(&mut self, key: &str) -> Result<Option<NaiveDate>, ()> {
        match self.text(key, TextRule::Label) {
            None if self.has_problem(key) => Err(()),
            None => Ok(None),
            Some(s) => parse_iso(&s)
                .map(Some)
                .map_err(|why| self.bad(key, format!("'{s}' {why} (YYYY-MM-DD)"))),
        }
    }

    fn timestamp(&mut self, key: &str) -> Result<Option<DateTime<Utc>>, ()> {
        match self.text(key, TextRule::Label) {
            None if self.has_problem(key) => Err(()),
            None => Ok(None),
            Some(s) => parse_timestamp(&s).map(Some).map_err(|e| self.bad(key, e)),
        }
    }

    /// A whole number, written as a number or as text (`12`, `#12`).
    fn int(&mut self, key: &str) -> Result<Option<i64>, ()> {
        match self.take(key) {
            None => Ok(None),
            Some(Loose::Int(n)) => Ok(Some(n)),
            Some(Loose::Other(serde_json::Value::Number(n))) if n.is_u64() => {
                self.bad(key, format!("{n} is too large a number"));
                Err(())
            }
            Some(Loose::Text(s)) if s.trim().is_empty() => Ok(None),
            Some(Loose::Text(s)) => s
                .trim()
                .trim_start_matches('#')
                .parse()
                .map(Some)
                .map_err(|_| self.bad(key, format!("'{s}' is not a whole number"))),
            Some(other) => {
                self.bad(key, format!("expected a whole number, found {other}"));
                Err(())
            }
        }
    }

    /// The value of field `name`, of `kind`, checked for its kind: text
    /// of its rule (one line never blank), or a whole number (a record's
    /// number within [`MAX_NUMBER`]). `Err` when the problem is noted.
    fn input(&mut self, name: &str, kind: Kind) -> Result<Option<Input>, ()> {
        match kind {
            Kind::Number => {
                match self.int(name)? {
                    Some(n) if !(0..=MAX_NUMBER).contains(&n) && name != "progress" => {
                        self.bad(
                        name,
                        format!("{n} is not a record number (1 to {MAX_NUMBER}, so that new ones fit)"),
                    );
                        Err(())
                    }
                    n => Ok(n.map(Input::Int)),
                }
            }
            Kind::Text(TextRule::Prose) => Ok(self.prose(name).map(Input::Text)),
            Kind::Text(TextRule::Label) | Kind::Word => match self.label(name) {
                None if self.has_problem(name) => Err(()),
                text => Ok(text.map(Input::Text)),
            },
        }
    }

    /// Sets field `name` of `record` to `value` with `set`, noting why not
    /// when it cannot be; says whether it was.
    fn set<R>(
        &mut self,
        name: &str,
        set: fn(&mut R, Option<FieldInput>) -> Result<(), Invalid>,
        record: &mut R,
        value: Option<Input>,
    ) -> bool {
        match set(record, value.as_ref().map(Input::borrow)) {
            Ok(()) => true,
            Err(e) => {
                // The setter names its field; the place names it already.
                let e = e.to_string();
                let why = e.strip_prefix(&format!("{name}: ")).unwrap_or(&e);
                self.bad(name, why.to_string());
                false
            }
        }
    }

    /// A record number: 1 to [`MAX_NUMBER`].
    fn number(&mut self, key: &str) -> Result<Option<i64>, ()> {
        match self.int(key)? {
            Some(n) if !(1..=MAX_NUMBER).contains(&n) => {
                self.bad(
                    key,
                    format!("{n} is not a record number (1 to {MAX_NUMBER}, so that new ones fit)"),
                );
                Err(())
            }
            n => Ok(n),
        }
    }

    /// An event's changes: a list of `{field, from, to}` over `T`'s
    /// tracked fields, each value text (of the field's kind) or null.
    fn changes<T: Tracked>(&mut self) -> Option<Vec<Change>> {
        let read = match self.record.changes.take() {
            None => return Some(Vec::new()),
            Some(read) => read.and_then(|changes| {
                for (n, c) in changes.iter().enumerate() {
                    check_change::<T>(c).map_err(|why| format!("[{n}] {why}"))?;
                }
                Ok(changes)
            }),
        };
        read.map_err(|why| {
            self.bad(
                "changes",
                format!("expected a list of {{field, from, to}}: {why}"),
            )
        })
        .ok()
    }

    /// Names every field left; says whether the record had no problem, and
    /// hands back where further problems of the record go.
    fn finish(self, known: &[&str]) -> (bool, Pos, &'p mut Vec<String>) {
        let Fields {
            record,
            pos,
            problems,
            before,
        } = self;
        let left = record.values.iter().map(|(k, _)| *k);
        for key in record.unknown.iter().map(String::as_str).chain(left) {
            problems.push(format!(
                "{}: unknown field; known fields are {}",
                pos.field(key),
                known.join(", ")
            ));
        }
        (problems.len() == before, pos, problems)
    }
}

/// A field's value as read, owned, for [`FieldInput`].
#[derive(Debug, Clone)]
enum Input {
    Text(String),
    Int(i64),
}

impl Input {
    fn borrow(&self) -> FieldInput<'_> {
        match self {
            Input::Text(t) => FieldInput::Text(t),
            Input::Int(n) => FieldInput::Int(*n),
        }
    }
}

/// Checks one change of an event of a `T`: a tracked field, and values of
/// the kind of text the field holds.
fn check_change<T: Tracked>(c: &Change) -> Result<(), String> {
    if !T::FIELDS.contains(&c.field.as_str()) {
        return Err(format!("names '{}', which is not a tracked field", c.field));
    }
    let rule = T::rule(&c.field);
    for (key, value) in [("from", &c.from), ("to", &c.to)] {
        if let Some(v) = value {
            rule.check(v).map_err(|e| format!("has {key} that {e}"))?;
            if rule == TextRule::Label && v.trim().is_empty() {
                return Err(format!("has a blank {key}"));
            }
        }
    }
    Ok(())
}

/// A strategy of the document.
pub fn strategy(record: RawRecord, pos: Pos, problems: &mut Vec<String>) -> Option<Strategy> {
    let mut r = Fields::open(record, pos, problems)?;
    let mut strategy = Strategy::unread();
    let mut good = true;
    for f in STRATEGY_FIELDS {
        let Ok(input) = r.input(f.name, f.kind) else {
            good = false;
            continue;
        };
        let value = match (f.name, input) {
            ("code" | "title" | "starts" | "ends", None) => {
                r.bad(f.name, "is required");
                good = false;
                continue;
            }
            // A strategy is a draft until said otherwise.
            ("status", None) => continue,
            (_, given) => given,
        };
        good &= r.set(f.name, f.set, &mut strategy, value);
    }
    let (read_well, ..) = r.finish(STRATEGY_KEYS);
    (good && read_well).then_some(strategy)
}

/// An item of the document; `now` is when an item without `created_at` is
/// taken as created.
pub fn item(mut r: Fields, now: DateTime<Utc>) -> Option<Item> {
    let mut item = Item::unread();
    item.created_at = now;
    let mut given_updated = false;
    let mut good = true;
    for f in ITEM_FIELDS {
        let Some(set) = f.set else {
            // Computed (health): accepted and ignored.
            r.take(f.name);
            continue;
        };
        let Ok(input) = r.input(f.name, f.kind) else {
            good = false;
            continue;
        };
        let value = match (f.name, input) {
            ("strategy" | "title", None) => {
                r.bad(f.name, "is required");
                good = false;
                continue;
            }
            // An item the file does not number gets the next free one.
            ("id", None) => continue,
            // Taken as created as the import runs, and updated when created.
            ("created_at" | "status" | "progress", None) => continue,
            ("updated_at", None) => continue,
            // Derived from the history once it is loaded.
            ("last_update", _) => continue,
            ("updated_at", given) => {
                given_updated = true;
                given
            }
            (_, given) => given,
        };
        good &= r.set(f.name, set, &mut item, value);
    }
    if !given_updated {
        item.updated_at = item.created_at;
    }
    // Until the load derives it from the history.
    item.last_update = local_day(item.updated_at);
    let (read_well, pos, problems) = r.finish(ITEM_KEYS);
    if !(good && read_well) {
        return None;
    }
    let why = match item.check_consistent() {
        Err(e) => Some(("status", e.to_string())),
        Ok(()) if item.updated_at < item.created_at => {
            Some(("updated_at", "is before created_at".to_string()))
        }
        Ok(()) => None,
    };
    match why {
        Some((key, why)) => {
            problems.push(format!("{}: {why}", pos.field(key)));
            None
        }
        None => Some(item),
    }
}

/// The parts every event has, read from `r`: number, time, who, action,
/// changes (over `T`'s fields) and note, where `actions` are the actions
/// this kind of event may have.
struct EventParts {
    id: Option<i64>,
    at: DateTime<Utc>,
    /// `None` when the file does not say (a document of an older strat).
    effective: Option<NaiveDate>,
    by: String,
    action: Action,
    changes: Vec<Change>,
    note: Option<String>,
}

fn event_parts<T: Tracked>(r: &mut Fields, actions: &[Action]) -> Option<EventParts> {
    let id = r.number("id");
    let at = r.timestamp("at");
    if matches!(at, Ok(None)) {
        r.bad("at", "is required");
    }
    let effective = r.day("effective");
    let by = r.required("by");
    let action = r.required("action");
    let action: Option<Action> = r.parse("action", action);
    if let Some(a) = action
        && !actions.contains(&a)
    {
        r.bad("action", format!("'{a}' does not apply here"));
    }
    let changes = r.changes::<T>();
    let note = r.prose("note");
    Some(EventParts {
        id: id.ok()?,
        at: at.ok()??,
        effective: effective.ok()?,
        by: by?,
        action: action?,
        changes: changes?,
        note,
    })
}

/// An item's event. Its number is 0 when the file gives none.
pub fn event(record: RawRecord, pos: Pos, problems: &mut Vec<String>) -> Option<Event> {
    let mut r = Fields::open(record, pos, problems)?;
    let item = r.number("item");
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
        Action::Undone,
    ];
    let parts = event_parts::<Item>(&mut r, &actions);
    let (good, ..) = r.finish(EVENT_KEYS);
    let p = parts?;
    let event = Event {
        id: p.id.unwrap_or(0),
        item: ItemId(item.ok()??),
        at: p.at,
        effective: p.effective.unwrap_or_else(|| local_day(p.at)),
        by: p.by,
        action: p.action,
        changes: p.changes,
        note: p.note,
    };
    good.then_some(event)
}

/// A strategy's event, and whether it is a creation that does not say
/// when it holds from (which then holds, as a new strategy does, from the
/// earlier of the day it was recorded and the strategy's start). Its
/// number is 0 when the file gives none.
pub fn strategy_event(
    record: RawRecord,
    pos: Pos,
    problems: &mut Vec<String>,
) -> Option<(StrategyEvent, bool)> {
    let mut r = Fields::open(record, pos, problems)?;
    let code = r.required("strategy");
    let code: Option<Code> = r.parse("strategy", code);
    let actions = [
        Action::Created,
        Action::Updated,
        Action::Noted,
        Action::Undone,
    ];
    let parts = event_parts::<Strategy>(&mut r, &actions);
    let (good, ..) = r.finish(STRATEGY_EVENT_KEYS);
    let p = parts?;
    let undated_creation = p.effective.is_none() && p.action == Action::Created;
    let event = StrategyEvent {
        id: p.id.unwrap_or(0),
        strategy: code?,
        at: p.at,
        effective: p.effective.unwrap_or_else(|| local_day(p.at)),
        by: p.by,
        action: p.action,
        changes: p.changes,
        note: p.note,
    };
    good.then_some((event, undated_creation))
}
