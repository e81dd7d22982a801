//! Loading records into the database inside one transaction, as they are
//! read: each record is checked and written at once, so an import of any
//! size holds little more than the numbers it has seen. Checks that need
//! the whole file (links, histories) run at the end, on what was written;
//! any problem rolls the whole load back.

use super::Ctx;
use crate::domain::history::{Fault, item_fault, strategy_fault};
use crate::domain::model::{Code, Event, Item, ItemId, Strategy, StrategyEvent, Tracked};
use crate::domain::vocab::Action;
use crate::domain::{FastMap, FastSet, NumberMap, NumberSet};
use crate::error::{Error, Result};
use crate::store::{Db, EventText, Inserts};
use chrono::{DateTime, Utc};

/// The fields whose changes name other items, which a load checks and
/// renumbers.
pub const LINK_FIELDS: [&str; 2] = ["carried_from", "carried_to"];

/// How records were counted, for the closing message.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub strategies: usize,
    pub items: usize,
    pub events: usize,
}

pub struct Loader<'a> {
    db: &'a Db<'a>,
    inserts: Inserts<'a>,
    ctx: &'a Ctx,
    /// Into an empty database numbers are kept; otherwise they are moved up
    /// by these offsets, past every number already handed out.
    item_offset: i64,
    event_offset: i64,
    strategy_event_offset: i64,
    /// The first item number this load can hand out.
    first_item: i64,
    /// Items carry their file numbers (JSON) or get new ones (CSV).
    numbered: bool,
    /// How an item's position is named in messages (`items[3]`, `line 4`).
    item_label: fn(usize) -> String,
    /// A problem that stops the load at once (a conflict, a missing strategy).
    fatal: Option<Error>,
    problems: Vec<String>,
    /// File number → position, for the items of this load.
    items: NumberMap<usize>,
    /// The strategies of this load, with when their first item was created.
    new_strategies: FastMap<Code, Option<DateTime<Utc>>>,
    known_strategies: FastSet<Code>,
    refs: FastSet<(Code, String)>,
    links: Vec<(usize, &'static str, i64)>,
    event_items: Vec<(usize, i64)>,
    history_links: Vec<(usize, &'static str, i64)>,
    supersedes: Vec<Strategy>,
    /// Items (file numbers) whose histories were checked while reading.
    vouched: NumberSet,
    /// The file's event numbers, to name one given twice.
    event_ids: NumberSet,
    strategy_event_ids: NumberSet,
    /// Indexes dropped for a load into an empty database, built at the end.
    suspended_indexes: Vec<String>,
    pub counts: Counts,
}

/// A write refused because a number the file gives was already handed out
/// to a record of the file without one: said as `message`.
fn number_taken(e: Error, message: impl FnOnce() -> String) -> Error {
    match e {
        Error::Bug(msg) if msg.contains("UNIQUE") || msg.contains("PRIMARY") => {
            Error::Invalid(message())
        }
        other => other,
    }
}

/// Notes the number the file gives record `n` of `list`, naming one given
/// twice.
fn once(seen: &mut NumberSet, id: i64, problems: &mut Vec<String>, list: &str, n: usize) {
    if !seen.insert(id) {
        problems.push(format!("{list}[{n}].id: {id} appears twice"));
    }
}

/// [`number_taken`] for events, which are written in groups.
fn event_number_taken(e: Error) -> Error {
    number_taken(e, || {
        "an event's number is taken by an event of the file without one; \
         number every event or none"
            .into()
    })
}

fn json_label(n: usize) -> String {
    format!("items[{n}]")
}

fn csv_label(line: usize) -> String {
    format!("line {line}")
}

impl<'a> Loader<'a> {
    /// A loader for an export document (numbered items, events).
    pub fn for_document(db: &'a Db<'a>, ctx: &'a Ctx) -> Result<Loader<'a>> {
        Loader::new(db, ctx, true, json_label)
    }

    /// A loader for a CSV of items (new numbers, no events).
    pub fn for_csv(db: &'a Db<'a>, ctx: &'a Ctx) -> Result<Loader<'a>> {
        Loader::new(db, ctx, false, csv_label)
    }

    fn new(
        db: &'a Db<'a>,
        ctx: &'a Ctx,
        numbered: bool,
        item_label: fn(usize) -> String,
    ) -> Result<Loader<'a>> {
        let keep = db.is_empty()?;
        let next = db.next_ids()?;
        db.defer_foreign_keys()?;
        let offset = |next: i64| if keep { 0 } else { next - 1 };
        // Records come by number: items in no order of their indexes, and
        // events as they happened, one item's far apart.
        let suspended_indexes = if keep {
            let mut indexes = db.suspend_indexes("item")?;
            indexes.extend(db.suspend_indexes("event")?);
            indexes
        } else {
            Vec::new()
        };
        db.bulk_cache(suspended_indexes.is_empty())?;
        Ok(Loader {
            db,
            inserts: db.inserts(&next)?,
            ctx,
            item_offset: offset(next.item),
            event_offset: offset(next.event),
            strategy_event_offset: offset(next.strategy_event),
            first_item: next.item,
            numbered,
            item_label,
            fatal: None,
            problems: Vec::new(),
            items: NumberMap::default(),
            new_strategies: FastMap::default(),
            known_strategies: FastSet::default(),
            refs: FastSet::default(),
            links: Vec::new(),
            event_items: Vec::new(),
            history_links: Vec::new(),
            supersedes: Vec::new(),
            vouched: NumberSet::default(),
            event_ids: NumberSet::default(),
            strategy_event_ids: NumberSet::default(),
            suspended_indexes,
            counts: Counts::default(),
        })
    }

    /// Problems found while reading; records go on being checked, but
    /// nothing more is written once there is one.
    pub fn problem(&mut self, p: String) {
        self.problems.push(p);
    }

    pub fn problems_mut(&mut self) -> &mut Vec<String> {
        &mut self.problems
    }

    fn writing(&self) -> bool {
        self.fatal.is_none() && self.problems.is_empty()
    }

    /// Runs a write, keeping the first hard error for the end.
    fn attempt(&mut self, f: impl FnOnce(&Db, &mut Inserts) -> Result<()>) {
        if self.writing()
            && let Err(e) = f(self.db, &mut self.inserts)
        {
            self.fatal = Some(e);
        }
    }

    pub fn strategy(&mut self, s: Strategy) {
        self.counts.strategies += 1;
        if self.new_strategies.insert(s.code.clone(), None).is_some() {
            self.problems
                .push(format!("strategy '{}' appears twice", s.code));
            return;
        }
        let code = s.code.clone();
        self.attempt(|db, _| {
            if db.strategy(&code)?.is_some() {
                return Err(Error::Conflict(format!(
                    "strategy '{code}' already exists in the database; nothing was imported\n\
                     Remove it first, or import into another database."
                )));
            }
            db.insert_strategy(&Strategy {
                supersedes: None,
                ..s.clone()
            })
        });
        if s.supersedes.is_some() {
            self.supersedes.push(s);
        }
    }

    /// True when `code` names a strategy of this load or of the database.
    fn strategy_known(&mut self, code: &Code) -> Result<bool> {
        if self.new_strategies.contains_key(code) || self.known_strategies.contains(code) {
            return Ok(true);
        }
        let exists = self.db.strategy(code)?.is_some();
        if exists {
            self.known_strategies.insert(code.clone());
        }
        Ok(exists)
    }

    pub fn item(&mut self, n: usize, mut item: Item) {
        self.counts.items += 1;
        // Written out only for a message: most items never need it.
        let item_label = self.item_label;
        let label = || item_label(n);
        match self.strategy_known(&item.strategy) {
            Ok(true) => {}
            Ok(false) => {
                if self.fatal.is_none() {
                    self.fatal = Some(Error::NotFound(format!(
                        "{}: strategy '{}' is neither in the database nor earlier in the file",
                        label(),
                        item.strategy
                    )));
                }
                return;
            }
            Err(e) => {
                self.fatal.get_or_insert(e);
                return;
            }
        }
        if let Some(r) = &item.reference {
            if !self.refs.insert((item.strategy.clone(), r.clone())) {
                self.problems.push(format!(
                    "{}.ref: '{r}' appears twice in strategy {}",
                    label(),
                    item.strategy
                ));
            } else if !self.new_strategies.contains_key(&item.strategy) {
                let taken = self.db.ref_taken(&item.strategy, r, None);
                match taken {
                    Ok(true) => {
                        self.fatal.get_or_insert(Error::Conflict(format!(
                            "{}.ref: strategy {} already has an item with ref '{r}'",
                            label(),
                            item.strategy
                        )));
                    }
                    Ok(false) => {}
                    Err(e) => {
                        self.fatal.get_or_insert(e);
                    }
                }
            }
        }
        if let Some(first) = self.new_strategies.get_mut(&item.strategy) {
            *first = Some(first.map_or(item.created_at, |t| t.min(item.created_at)));
        }
        let numbered = self.numbered && item.id.0 > 0;
        if numbered {
            if self.items.insert(item.id.0, n).is_some() {
                self.problems
                    .push(format!("{}.id: {} appears twice", label(), item.id.0));
            }
            for (key, link) in [
                ("carried_from", item.carried_from),
                ("carried_to", item.carried_to),
            ] {
                if let Some(l) = link {
                    self.links.push((n, key, l.0));
                }
            }
            let offset = self.item_offset;
            item.id = ItemId(item.id.0 + offset);
            item.carried_from = item.carried_from.map(|l| ItemId(l.0 + offset));
            item.carried_to = item.carried_to.map(|l| ItemId(l.0 + offset));
        } else if item.carried_from.is_some() || item.carried_to.is_some() {
            self.problems.push(format!(
                "{}: an item without a number cannot be linked by carry-forward",
                label()
            ));
        }
        self.attempt(|_, inserts| {
            inserts.item(item, numbered).map_err(|e| {
                number_taken(e, || {
                    format!(
                        "{}: its number is taken by an item of the file without one; \
                         number every item or none",
                        label()
                    )
                })
            })
        });
    }

    /// Loads event `n`; `text` is [`EventText::of`] it as the file gave it,
    /// and its changes need only be there when they touch [`LINK_FIELDS`].
    pub fn event(&mut self, n: usize, mut e: Event, mut text: EventText) {
        self.counts.events += 1;
        self.event_items.push((n, e.item.0));
        let mut renumbered = false;
        for c in e.changes.iter_mut() {
            let Some(key) = LINK_FIELDS.iter().find(|f| **f == c.field).copied() else {
                continue;
            };
            for value in [&mut c.from, &mut c.to] {
                match value.as_deref().map(str::parse::<i64>) {
                    None => {}
                    Some(Ok(id)) => {
                        self.history_links.push((n, key, id));
                        *value = Some((id + self.item_offset).to_string());
                        renumbered |= self.item_offset != 0;
                    }
                    Some(Err(_)) => self
                        .problems
                        .push(format!("events[{n}].changes: {key} is not an item number")),
                }
            }
        }
        if renumbered {
            text = EventText::of(&e);
        }
        e.item = ItemId(e.item.0 + self.item_offset);
        let keep_id = e.id > 0;
        if keep_id {
            once(&mut self.event_ids, e.id, &mut self.problems, "events", n);
            e.id += self.event_offset;
        }
        self.attempt(|_, inserts| inserts.event(e, text, keep_id).map_err(event_number_taken));
    }

    pub fn strategy_event(&mut self, n: usize, mut e: StrategyEvent) {
        if !self.new_strategies.contains_key(&e.strategy) {
            self.problems.push(format!(
                "strategy_events[{n}].strategy: '{}' is not a strategy of the file",
                e.strategy
            ));
            return;
        }
        let keep_id = e.id > 0;
        if keep_id {
            let ids = &mut self.strategy_event_ids;
            once(ids, e.id, &mut self.problems, "strategy_events", n);
            e.id += self.strategy_event_offset;
        }
        self.attempt(|db, _| {
            db.insert_strategy_event(&e, keep_id)
                .map(|_| ())
                .map_err(event_number_taken)
        });
    }

    /// Items (file numbers) whose histories the reader already replayed
    /// to them; the end of the load checks only the others.
    pub fn vouched_for(&mut self, items: NumberSet) {
        self.vouched = items;
    }

    fn item_position(&self, id: ItemId) -> String {
        match self.items.get(&(id.0 - self.item_offset)) {
            Some(n) => (self.item_label)(*n),
            None => format!("item {id}"),
        }
    }

    /// The checks that need the whole file, on what was written; then the
    /// histories of records that came without one.
    pub fn finish(mut self) -> Result<Counts> {
        self.attempt(|_, inserts| inserts.flush().map_err(event_number_taken));
        // Bad values come first: they are what the file's author must fix.
        if !self.problems.is_empty() {
            return Err(Error::BadRecords(self.problems));
        }
        if let Some(e) = self.fatal.take() {
            return Err(e);
        }
        let mut with_history =
            NumberSet::with_capacity_and_hasher(self.items.len(), Default::default());
        for (n, id) in &self.event_items {
            if self.items.contains_key(id) {
                with_history.insert(*id);
            } else {
                self.problems
                    .push(format!("events[{n}].item: item {id} is not in the file"));
            }
        }
        for (n, key, id) in &self.links {
            if !self.items.contains_key(id) {
                self.problems.push(format!(
                    "{}.{key}: item {id} is not in the file; export both strategies of a \
                     carry-forward together",
                    (self.item_label)(*n)
                ));
            }
        }
        for (n, key, id) in &self.history_links {
            if !self.items.contains_key(id) {
                self.problems.push(format!(
                    "events[{n}].changes: {key} names item {id}, which is not in the file"
                ));
            }
        }
        if !self.problems.is_empty() {
            return Err(Error::BadRecords(self.problems));
        }
        self.db.restore_indexes(&self.suspended_indexes)?;
        for s in std::mem::take(&mut self.supersedes) {
            let sup = s.supersedes.clone().expect("kept for its supersedes");
            if !self.strategy_known(&sup)? {
                return Err(Error::NotFound(format!(
                    "strategy '{}' supersedes '{sup}', which is neither in the file nor in the database",
                    s.code
                )));
            }
            self.db.update_strategy(&s)?;
        }
        // Items without history are taken as created, as they are, at
        // created_at; the database is asked which only when some may be.
        let all_have_history = with_history.len() == self.counts.items;
        let without_history = if all_have_history {
            Vec::new()
        } else {
            self.db.items_without_history(self.first_item)?
        };
        for item in without_history {
            self.db.insert_event(
                &Event {
                    id: 0,
                    item: item.id,
                    at: item.created_at,
                    by: self.ctx.by.clone(),
                    action: Action::Created,
                    changes: item.creation_changes(),
                    note: None,
                },
                false,
            )?;
        }
        // Strategies without history, which only this load's can be (every
        // other got its created event when added, or upgraded): created when
        // their first item was, or now.
        for s in self.db.strategies_without_history()? {
            let now = self.ctx.clock.now;
            let first_item = self.new_strategies.get(&s.code).copied().flatten();
            self.db.insert_strategy_event(
                &StrategyEvent {
                    id: 0,
                    strategy: s.code.clone(),
                    at: first_item.unwrap_or(now).min(now),
                    by: self.ctx.by.clone(),
                    action: Action::Created,
                    changes: s.creation_changes(),
                    note: None,
                },
                false,
            )?;
        }
        // Histories the reader could not vouch for are replayed from the
        // database; items that came without one were just given theirs.
        let unchecked: NumberSet = self
            .event_items
            .iter()
            .filter(|(_, id)| !self.vouched.contains(id))
            .map(|(_, id)| id + self.item_offset)
            .collect();
        let mut problems = Vec::new();
        if !unchecked.is_empty() {
            let wanted = |id| unchecked.contains(&id);
            self.db
                .each_history(self.first_item, wanted, |item, events| {
                    let problem = match item_fault(&item, events) {
                        Some(Fault::Broken(e)) => format!("its events do not replay: {e}"),
                        Some(Fault::Differs(fields)) => format!(
                            "its events lead to other values than the item has ({})",
                            fields.join(", ")
                        ),
                        // Every item was given a created event above.
                        Some(Fault::Missing) | None => return,
                    };
                    problems.push(format!("{}: {problem}", self.item_position(item.id)));
                })?;
        }
        for code in self.new_strategies.keys() {
            let strategy = self.db.strategy(code)?.expect("written above");
            let history = self.db.strategy_history(Some(code), None)?;
            match strategy_fault(&strategy, history) {
                Some(Fault::Broken(e)) => {
                    problems.push(format!("strategy {code}: its events do not replay: {e}"))
                }
                Some(Fault::Differs(_)) => problems.push(format!(
                    "strategy {code}: its events lead to other values than the strategy has"
                )),
                Some(Fault::Missing) | None => {}
            }
        }
        if !problems.is_empty() {
            problems.sort();
            return Err(Error::BadRecords(problems));
        }
        Ok(self.counts)
    }
}
