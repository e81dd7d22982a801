//! Writing checked records into the database inside the one transaction of
//! an import, as they are read: an import of any size holds little more
//! than the numbers it has seen. Records may come in any order (a
//! document's keys may); what needs the whole file (that every record
//! named is in it, that histories replay, that carry links pair up) is
//! checked at the end, on what was written. Any problem rolls it all back.

use super::records::{MAX_NUMBER, Pos};
use crate::domain::carry::{Carry, carry_problems};
use crate::domain::history::{Fault, item_fault, strategy_fault};
use crate::domain::model::{
    Code, Event, Item, ItemId, Strategy, StrategyEvent, Tracked, local_day,
};
use crate::domain::vocab::Action;
use crate::domain::{FastMap, FastSet, NumberMap, NumberSet};
use crate::error::{Error, Kind, Result};
use crate::store::Db;
use chrono::{DateTime, Utc};

/// The fields whose changes name other items, which a load checks and
/// renumbers.
const LINK_FIELDS: [&str; 2] = ["carried_from", "carried_to"];

/// How records were counted, for the closing message.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub strategies: usize,
    pub items: usize,
    pub events: usize,
}

/// A strategy the load has met, in the file or named by one of its records.
struct Known {
    /// Its number in the database, chosen when first met.
    id: i64,
    /// Its record is (or must be) in the file, not the database.
    of_file: bool,
    /// Its record has been read.
    defined: bool,
    /// The first record that named it, for the message if it never comes.
    named_by: String,
    /// The file holds it too, which is a conflict already reported.
    clashed: bool,
    /// When its first item was created: a strategy without history is
    /// taken as created then.
    first_item: Option<DateTime<Utc>>,
}

/// Numbers of one kind of record: the file's moved past those of the
/// database, and those already used by this load.
struct Numbering {
    offset: i64,
    used: NumberSet,
    /// The numbers the file gave, to tell "given twice" from "taken".
    given: NumberSet,
}

impl Numbering {
    fn new(offset: i64) -> Numbering {
        Numbering {
            offset,
            used: NumberSet::default(),
            given: NumberSet::default(),
        }
    }

    /// The number record `what` will be stored under for the file's
    /// number `n` (0: none), or the problem with it.
    fn take(&mut self, n: i64, what: Pos, kind: &str) -> Result<Option<i64>, String> {
        if n == 0 {
            return Ok(None);
        }
        let stored = n + self.offset;
        if stored > MAX_NUMBER {
            return Err(format!(
                "{}: {n} leaves no room for the numbers of this database \
                 (up to {MAX_NUMBER}); leave the numbers out to have new ones given",
                what.field("id")
            ));
        }
        if !self.given.insert(n) {
            return Err(format!("{}: {n} appears twice", what.field("id")));
        }
        if !self.used.insert(stored) {
            return Err(format!(
                "{}: its number is taken by an {kind} of the file without one; \
                 number every {kind} or none",
                what.at()
            ));
        }
        Ok(Some(stored))
    }

    /// Notes the number SQLite gave a record the file did not number.
    fn given_by_sqlite(&mut self, stored: i64) {
        self.used.insert(stored);
    }
}

pub struct Loader<'a> {
    db: &'a Db<'a>,
    by: String,
    now: DateTime<Utc>,
    /// Into an empty database the file's numbers are kept; otherwise they
    /// move past every number already handed out.
    items: Numbering,
    events: Numbering,
    strategy_events: Numbering,
    /// The first item number this load can hand out.
    first_item: i64,
    next_strategy: i64,
    /// A problem that stops the load at once (a conflict, a storage fault).
    fatal: Option<Error>,
    problems: Vec<String>,
    strategies: FastMap<Code, Known>,
    refs: FastSet<(Code, String)>,
    /// The file's item numbers, with each item's place.
    item_places: NumberMap<Pos>,
    links: Vec<(Pos, &'static str, i64)>,
    event_items: Vec<(usize, i64)>,
    history_links: Vec<(usize, &'static str, i64)>,
    supersedes: Vec<Strategy>,
    /// Strategy creations (by stored number) that do not say when they hold from.
    undated_creations: Vec<i64>,
    /// The file's items whose histories the reader vouched for as they
    /// came (see [`StreamJudge`]); only the others are read back.
    vouched: NumberSet,
    /// Indexes dropped for a load into an empty database, built at the end.
    suspended_indexes: Vec<String>,
    counts: Counts,
}

impl<'a> Loader<'a> {
    /// A loader for an export document. (Spreadsheets of items are added
    /// by the commands, row by row: see `commands::sheets`.)
    pub fn new(db: &'a Db<'a>, by: &str, now: DateTime<Utc>) -> Result<Loader<'a>> {
        let keep = db.is_empty()?;
        let next = db.next_ids()?;
        let offset = |next: i64| if keep { 0 } else { next - 1 };
        // Into an empty database, records come in no order of the
        // secondary indexes (events as they happened, one item's far
        // apart): each index is built once at the end instead.
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
            by: by.to_string(),
            now,
            items: Numbering::new(offset(next.item)),
            events: Numbering::new(offset(next.event)),
            strategy_events: Numbering::new(offset(next.strategy_event)),
            first_item: next.item,
            next_strategy: next.strategy,
            fatal: None,
            problems: Vec::new(),
            strategies: FastMap::default(),
            refs: FastSet::default(),
            item_places: NumberMap::default(),
            links: Vec::new(),
            event_items: Vec::new(),
            history_links: Vec::new(),
            supersedes: Vec::new(),
            undated_creations: Vec::new(),
            vouched: NumberSet::default(),
            suspended_indexes,
            counts: Counts::default(),
        })
    }

    /// A problem found while reading; records go on being checked, but
    /// nothing more is written once there is one.
    pub fn problem(&mut self, p: String) {
        self.problems.push(p);
    }

    /// Where the records of the file put their problems.
    pub fn problems_mut(&mut self) -> &mut Vec<String> {
        &mut self.problems
    }

    fn writing(&self) -> bool {
        self.fatal.is_none() && self.problems.is_empty()
    }

    /// Runs a write of the record at `at`, keeping the first hard error
    /// for the end. A value the schema refuses is a problem of the record.
    fn attempt<T>(
        &mut self,
        at: impl FnOnce() -> String,
        f: impl FnOnce(&Db) -> Result<T>,
    ) -> Option<T> {
        if !self.writing() {
            return None;
        }
        match f(self.db) {
            Ok(v) => Some(v),
            Err(e) if e.kind() == Kind::Refused => {
                self.problems.push(format!("{}: {}", at(), e.message()));
                None
            }
            Err(e) => {
                self.fatal = Some(e);
                None
            }
        }
    }

    /// The strategy `code`, as the database or the file has it, met by the
    /// record at `named_by`; `None` after a storage fault.
    fn strategy_of(
        &mut self,
        code: &Code,
        named_by: impl FnOnce() -> String,
    ) -> Option<&mut Known> {
        if !self.strategies.contains_key(code) {
            let stored = match self.db.strategy_id(code) {
                Ok(id) => id,
                Err(e) => {
                    self.fatal.get_or_insert(e);
                    return None;
                }
            };
            let known = match stored {
                Some(id) => Known {
                    id,
                    of_file: false,
                    defined: true,
                    named_by: named_by(),
                    clashed: false,
                    first_item: None,
                },
                None => {
                    self.next_strategy += 1;
                    Known {
                        id: self.next_strategy - 1,
                        of_file: true,
                        defined: false,
                        named_by: named_by(),
                        clashed: false,
                        first_item: None,
                    }
                }
            };
            self.strategies.insert(code.clone(), known);
        }
        self.strategies.get_mut(code)
    }

    pub fn strategy(&mut self, n: usize, s: Strategy) {
        self.counts.strategies += 1;
        let at = Pos::Json("strategies", n);
        let Some(known) = self.strategy_of(&s.code, || at.at()) else {
            return;
        };
        if !known.of_file {
            known.clashed = true;
            self.fatal.get_or_insert(Error::conflict(format!(
                "strategy '{}' already exists in the database; nothing was imported\n\
                 Remove it first, or import into another database.",
                s.code
            )));
            return;
        }
        if known.defined {
            self.problems
                .push(format!("{}: strategy '{}' appears twice", at.at(), s.code));
            return;
        }
        known.defined = true;
        let id = known.id;
        let stored = Strategy {
            supersedes: None,
            ..s.clone()
        };
        self.attempt(|| at.at(), |db| db.load_strategy(id, &stored));
        if s.supersedes.is_some() {
            self.supersedes.push(s);
        }
    }

    /// Loads the item at `at`.
    pub fn item(&mut self, at: Pos, mut item: Item) {
        self.counts.items += 1;
        let created = item.created_at;
        let Some(known) = self.strategy_of(&item.strategy, || at.at()) else {
            return;
        };
        if known.of_file {
            known.first_item = Some(known.first_item.map_or(created, |t| t.min(created)));
        }
        let (strategy, of_file) = (known.id, known.of_file);
        if let Some(r) = &item.reference {
            if !self.refs.insert((item.strategy.clone(), r.clone())) {
                self.problems.push(format!(
                    "{}: '{r}' appears twice in strategy {}",
                    at.field("ref"),
                    item.strategy
                ));
            } else if !of_file {
                match self.db.ref_taken(&item.strategy, r, None) {
                    Ok(false) => {}
                    Ok(true) => {
                        self.fatal.get_or_insert(Error::conflict(format!(
                            "{}: strategy {} already has an item with ref '{r}'",
                            at.field("ref"),
                            item.strategy
                        )));
                    }
                    Err(e) => {
                        self.fatal.get_or_insert(e);
                    }
                }
            }
        }
        let file_number = item.id.0;
        let number = match self.items.take(file_number, at, "item") {
            Ok(n) => n,
            Err(p) => {
                self.problems.push(p);
                return;
            }
        };
        if number.is_some() {
            self.item_places.insert(file_number, at);
            for (key, link) in [
                ("carried_from", item.carried_from),
                ("carried_to", item.carried_to),
            ] {
                if let Some(l) = link {
                    self.links.push((at, key, l.0));
                }
            }
        } else if item.carried_from.is_some() || item.carried_to.is_some() {
            self.problems.push(format!(
                "{}: an item without a number cannot be linked by carry-forward",
                at.at()
            ));
            return;
        }
        let offset = self.items.offset;
        let moved = |l: Option<ItemId>| l.map(|l| ItemId(l.0 + offset));
        item.carried_from = moved(item.carried_from);
        item.carried_to = moved(item.carried_to);
        if let Some(stored) = self.attempt(|| at.at(), |db| db.load_item(strategy, &item, number)) {
            self.items.given_by_sqlite(stored.0);
        }
    }

    /// Loads event `n` of the document.
    pub fn event(&mut self, n: usize, mut e: Event) {
        self.counts.events += 1;
        let at = Pos::Json("events", n);
        self.event_items.push((n, e.item.0));
        let offset = self.items.offset;
        for c in e.changes.iter_mut() {
            let Some(key) = LINK_FIELDS.iter().find(|f| **f == c.field).copied() else {
                continue;
            };
            for value in [&mut c.from, &mut c.to] {
                match value.as_deref().map(str::parse::<i64>) {
                    None => {}
                    Some(Ok(id)) if (1..=MAX_NUMBER).contains(&id) => {
                        self.history_links.push((n, key, id));
                        *value = Some((id + offset).to_string());
                    }
                    Some(_) => self.problems.push(format!(
                        "{}: {key} is not an item number",
                        at.field("changes")
                    )),
                }
            }
        }
        e.item = ItemId(e.item.0 + offset);
        let number = match self.events.take(e.id, at, "event") {
            Ok(number) => number,
            Err(p) => {
                self.problems.push(p);
                return;
            }
        };
        if let Some(stored) = self.attempt(|| at.at(), |db| db.load_event(&e, number)) {
            self.events.given_by_sqlite(stored);
        }
    }

    /// Loads strategy event `n` of the document; an `undated` creation
    /// holds from the earlier of its day and the strategy's start.
    pub fn strategy_event(&mut self, n: usize, e: StrategyEvent, undated: bool) {
        let at = Pos::Json("strategy_events", n);
        let Some(known) = self.strategy_of(&e.strategy, || at.at()) else {
            return;
        };
        if known.clashed {
            return;
        }
        if !known.of_file {
            self.problems.push(format!(
                "{}: '{}' is not a strategy of the file",
                at.field("strategy"),
                e.strategy
            ));
            return;
        }
        let strategy = known.id;
        let number = match self.strategy_events.take(e.id, at, "strategy event") {
            Ok(number) => number,
            Err(p) => {
                self.problems.push(p);
                return;
            }
        };
        if let Some(stored) = self.attempt(
            || at.at(),
            |db| db.load_strategy_event(strategy, &e, number),
        ) {
            self.strategy_events.given_by_sqlite(stored);
            if undated {
                self.undated_creations.push(stored);
            }
        }
    }

    fn item_place(&self, id: ItemId) -> String {
        match self.item_places.get(&(id.0 - self.items.offset)) {
            Some(at) => at.at(),
            None => format!("item {}", ItemId(id.0 - self.items.offset)),
        }
    }

    /// The checks that need the whole file, on what was written; then the
    /// histories of records that came without one.
    pub fn finish(mut self) -> Result<Counts> {
        // Bad values come first: they are what the file's author must fix.
        if !self.problems.is_empty() {
            return Err(Error::bad_records(self.problems));
        }
        if let Some(e) = self.fatal.take() {
            return Err(e);
        }
        let mut missing: Vec<(&String, &Code)> = self
            .strategies
            .iter()
            .filter(|(_, k)| k.of_file && !k.defined)
            .map(|(code, k)| (&k.named_by, code))
            .collect();
        missing.sort();
        if let Some((named_by, code)) = missing.first() {
            return Err(Error::not_found(format!(
                "{named_by}: strategy '{code}' is neither in the database nor in the file"
            )));
        }
        let mut problems = Vec::new();
        let mut with_history = NumberSet::default();
        for (n, id) in &self.event_items {
            if self.item_places.contains_key(id) {
                with_history.insert(*id);
            } else {
                problems.push(format!("events[{n}].item: item {id} is not in the file"));
            }
        }
        for (at, key, id) in &self.links {
            if !self.item_places.contains_key(id) {
                problems.push(format!(
                    "{}: item {id} is not in the file; export both strategies of a \
                     carry-forward together",
                    at.field(key)
                ));
            }
        }
        for (n, key, id) in &self.history_links {
            if !self.item_places.contains_key(id) {
                problems.push(format!(
                    "events[{n}].changes: {key} names item {id}, which is not in the file"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::bad_records(problems));
        }
        self.db.restore_indexes(&self.suspended_indexes)?;
        for s in std::mem::take(&mut self.supersedes) {
            let sup = s.supersedes.clone().expect("kept for its supersedes");
            if !self.strategies.contains_key(&sup) && self.db.strategy_id(&sup)?.is_none() {
                return Err(Error::not_found(format!(
                    "strategy '{}' supersedes '{sup}', which is neither in the file nor in the database",
                    s.code
                )));
            }
            self.db.update_strategy(&s)?;
        }
        for &event in &self.undated_creations {
            self.db.hold_creation_from_start(event)?;
        }
        self.create_missing_histories(with_history.len())?;
        self.db.derive_last_updates(self.first_item)?;
        self.judge_histories(with_history)?;
        Ok(self.counts)
    }

    /// Items without history are taken as created, as they are, at
    /// `created_at`; strategies (only this load's can be without) as
    /// created with their first item, or now.
    fn create_missing_histories(&self, items_with_history: usize) -> Result<()> {
        if items_with_history < self.counts.items {
            for item in self.db.items_without_history(self.first_item)? {
                let event = Event {
                    id: 0,
                    item: item.id,
                    at: item.created_at,
                    effective: local_day(item.created_at),
                    by: self.by.clone(),
                    action: Action::Created,
                    changes: item.creation_changes(),
                    note: None,
                };
                self.db.insert_event(&event, false)?;
            }
        }
        for s in self.db.strategies_without_history()? {
            let first_item = self.strategies.get(&s.code).and_then(|k| k.first_item);
            let at = first_item.unwrap_or(self.now).min(self.now);
            let event = StrategyEvent {
                id: 0,
                strategy: s.code.clone(),
                at,
                effective: local_day(at).min(s.period.starts()),
                by: self.by.clone(),
                action: Action::Created,
                changes: s.creation_changes(),
                note: None,
            };
            self.db.insert_strategy_event(&event, false)?;
        }
        Ok(())
    }

    /// The items (by their numbers in the file) whose histories were
    /// judged sound while the file was read.
    pub fn vouched_for(&mut self, items: NumberSet) {
        self.vouched = items;
    }

    /// Every history the load wrote must replay to its record (those not
    /// vouched for are read back and replayed), and every carry link
    /// between its items must pair up, as `strat check` asks.
    /// `with_history` are the file's items that came with events.
    fn judge_histories(&mut self, with_history: NumberSet) -> Result<()> {
        let mut doubtful: Vec<i64> = with_history.difference(&self.vouched).copied().collect();
        doubtful.sort_unstable();
        let mut problems = Vec::new();
        for n in doubtful {
            let id = ItemId(n + self.items.offset);
            let item = self.db.item(id)?.expect("written above");
            let problem = match item_fault(&item, self.db.events_of(id)?) {
                Some(Fault::Broken(e)) => format!("its events do not replay: {e}"),
                Some(Fault::Differs(fields)) => format!(
                    "its events lead to other values than the item has ({})",
                    fields.join(", ")
                ),
                Some(Fault::Missing) | None => continue,
            };
            problems.push(format!("{}: {problem}", self.item_place(id)));
        }
        let carries: Vec<Carry> = self.db.carries(self.first_item)?;
        for (id, problem) in carry_problems(&carries) {
            problems.push(format!("{}: {problem}", self.item_place(id)));
        }
        let mut codes: Vec<&Code> = self
            .strategies
            .iter()
            .filter(|(_, k)| k.of_file)
            .map(|(c, _)| c)
            .collect();
        codes.sort();
        for code in codes {
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
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::bad_records(problems))
        }
    }
}
