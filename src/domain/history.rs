//! Histories: every change has the moment it was recorded (`at`) and the
//! day it holds from (`effective`). A record's state at the end of a day is
//! its changes that hold from that day or earlier applied in the order they
//! hold (the order recorded within a day), each setting the fields it
//! names, so a change entered late never hides one that holds from a later
//! day. Views of the past, the present state after a backdated change, and
//! the checks of a stored or imported history all come from here.

use super::Invalid;
use super::model::{Change, Code, Event, Item, Strategy, StrategyEvent, Tracked};
use super::vocab::Action;
use super::{NumberMap, NumberSet};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// Which recorded changes a view of the past takes: those that hold from
/// `day` or earlier and, when `known` is given, were recorded before it
/// (`--known-on`: the report as it could be printed then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub day: NaiveDate,
    pub known: Option<DateTime<Utc>>,
}

impl Seen {
    pub fn takes<E: Recorded>(&self, e: &E) -> bool {
        e.effective() <= self.day && self.known.is_none_or(|k| e.at() < k)
    }
}

/// What a change of either kind of record has: its number, when it was
/// recorded, the day it holds from, and what it changes.
pub trait Recorded: Clone {
    fn number(&self) -> i64;
    fn at(&self) -> DateTime<Utc>;
    fn effective(&self) -> NaiveDate;
    fn changes(&self) -> &[Change];
    /// The record's first event.
    fn creates(&self) -> bool;

    /// The order changes hold in: by day, then as recorded.
    fn holding_key(&self) -> (NaiveDate, DateTime<Utc>, i64) {
        (self.effective(), self.at(), self.number())
    }

    /// The order changes were recorded in.
    fn recorded_key(&self) -> (DateTime<Utc>, i64) {
        (self.at(), self.number())
    }
}

impl Recorded for Event {
    fn number(&self) -> i64 {
        self.id
    }
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    fn effective(&self) -> NaiveDate {
        self.effective
    }
    fn changes(&self) -> &[Change] {
        &self.changes
    }
    fn creates(&self) -> bool {
        matches!(self.action, Action::Created | Action::CarriedIn)
    }
}

impl Recorded for StrategyEvent {
    fn number(&self) -> i64 {
        self.id
    }
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    fn effective(&self) -> NaiveDate {
        self.effective
    }
    fn changes(&self) -> &[Change] {
        &self.changes
    }
    fn creates(&self) -> bool {
        self.action == Action::Created
    }
}

/// A record rebuilt from its history.
pub trait Kept: Tracked + Clone {
    type Event: Recorded;

    /// The record as its first event makes it.
    fn first(event: &Self::Event) -> Result<Self, Invalid>;

    /// Applies a later change.
    fn then(&mut self, event: &Self::Event) -> Result<(), Invalid>;

    /// The rules every state of the record obeys.
    fn consistent(&self) -> Result<(), Invalid>;

    /// How the record is named in messages.
    fn name(&self) -> String;
}

impl Kept for Item {
    type Event = Event;

    /// The strategy is not a tracked field: whoever reads the history sets it.
    fn first(event: &Event) -> Result<Item, Invalid> {
        if !event.creates() {
            return Err(Invalid::new(format!(
                "the history of item {} does not start with its creation",
                event.item
            )));
        }
        let mut item = Item::blank(event.item, Code::unknown(), event.at);
        item.apply(event)?;
        Ok(item)
    }

    fn then(&mut self, event: &Event) -> Result<(), Invalid> {
        self.apply(event)
    }

    fn consistent(&self) -> Result<(), Invalid> {
        self.check_consistent()
    }

    fn name(&self) -> String {
        format!("item {}", self.id)
    }
}

impl Kept for Strategy {
    type Event = StrategyEvent;

    fn first(event: &StrategyEvent) -> Result<Strategy, Invalid> {
        if !event.creates() {
            return Err(Invalid::new(format!(
                "the history of strategy {} does not start with its creation",
                event.strategy
            )));
        }
        let mut s = Strategy::blank(event.strategy.clone());
        s.apply_changes(&event.changes)?;
        Ok(s)
    }

    fn then(&mut self, event: &StrategyEvent) -> Result<(), Invalid> {
        self.apply_changes(&event.changes)
    }

    /// A strategy's one rule, a period that ends after it starts, is
    /// checked as each change is applied.
    fn consistent(&self) -> Result<(), Invalid> {
        Ok(())
    }

    fn name(&self) -> String {
        format!("strategy {}", self.code)
    }
}

/// The record as it stood at the end of `day`, from its history (in any
/// order); `None` when it did not exist yet.
pub fn state_on<T: Kept>(events: &[T::Event], day: NaiveDate) -> Result<Option<T>, Invalid> {
    let mut held: Vec<&T::Event> = events.iter().filter(|e| e.effective() <= day).collect();
    held.sort_by_key(|e| e.holding_key());
    let mut held = held.into_iter();
    let Some(first) = held.next() else {
        return Ok(None);
    };
    let mut state = T::first(first)?;
    for e in held {
        state.then(e)?;
    }
    Ok(Some(state))
}

/// The record's present state once `new` is added to its history (in any
/// order): each field's value of the change that holds from the latest day.
/// Every state the record takes from `new`'s day on must obey its rules, so
/// a backdated change cannot leave an impossible state behind it (a
/// completion backdated before a later progress of 70).
pub fn present_with<T: Kept>(events: &[T::Event], new: &T::Event) -> Result<T, Invalid> {
    let mut all: Vec<&T::Event> = events.iter().chain([new]).collect();
    all.sort_by_key(|e| e.holding_key());
    let from = new.effective();
    let mut all = all.into_iter().peekable();
    let first = all.next().expect("the new event is there");
    let mut state = T::first(first)?;
    while let Some(e) = all.next() {
        state.then(e)?;
        let day_ends = all
            .peek()
            .is_none_or(|next| next.effective() > e.effective());
        if day_ends && e.effective() >= from {
            state.consistent().map_err(|why| {
                Invalid::new(format!(
                    "from {} on, {} would be inconsistent: {why}",
                    e.effective(),
                    state.name()
                ))
            })?;
        }
    }
    Ok(state)
}

/// Checks that each change, taken in the order recorded, starts from the
/// value its field had on the day it holds from, as known when it was
/// recorded: a history whose "from" values were altered is caught, not
/// replayed. (With no backdated change this is each change starting where
/// the one recorded before it left the field.)
fn check_froms<E: Recorded>(recorded: &[&E]) -> Result<(), Invalid> {
    // Each field's values so far, in the order they hold.
    let mut lines: HashMap<&str, Vec<(NaiveDate, Option<&str>)>> = HashMap::new();
    for e in recorded {
        let day = e.effective();
        for c in e.changes() {
            let line = lines.entry(c.field.as_str()).or_default();
            let at = line.partition_point(|(d, _)| *d <= day);
            let was = at.checked_sub(1).and_then(|i| line[i].1);
            if !e.creates() && was != c.from.as_deref() {
                return Err(Invalid::new(format!(
                    "event {}: {} changes from {} but was {} on {day}",
                    e.number(),
                    c.field,
                    c.from.as_deref().unwrap_or("nothing"),
                    was.unwrap_or("nothing")
                )));
            }
            line.insert(at, (day, c.to.as_deref()));
        }
    }
    Ok(())
}

/// What is wrong with a record's history, if anything.
#[derive(Debug, PartialEq)]
pub enum Fault {
    /// No event at all.
    Missing,
    /// The events cannot be replayed (the message says why).
    Broken(Invalid),
    /// Replayed, they lead to other values in these fields.
    Differs(Vec<String>),
}

/// Checks a history (in any order) against the record it claims: one
/// creation, recorded first and holding first; no change holding from a
/// day after it was recorded; each change's "from" values as they were;
/// every day's state within the rules; and the present state the record's.
fn fault<T: Kept>(record: &T, mut events: Vec<T::Event>) -> Option<Fault> {
    events.sort_by_key(|e| e.recorded_key());
    let Some(first) = events.first() else {
        return Some(Fault::Missing);
    };
    let broken = |why: String| Some(Fault::Broken(Invalid::new(why)));
    if !first.creates() {
        return broken(format!(
            "the history of {} does not start with its creation",
            record.name()
        ));
    }
    let born = first.effective();
    for e in &events[1..] {
        if e.creates() {
            return broken(format!(
                "event {} creates {} again",
                e.number(),
                record.name()
            ));
        }
        if e.effective() < born {
            return broken(format!(
                "event {} holds from {}, before {} existed (from {born})",
                e.number(),
                e.effective(),
                record.name()
            ));
        }
    }
    if let Some(e) = events
        .iter()
        .find(|e| e.effective() > e.at().date_naive().succ_opt().unwrap_or(NaiveDate::MAX))
    {
        return broken(format!(
            "event {} holds from {}, after the day it was recorded ({})",
            e.number(),
            e.effective(),
            e.at().date_naive()
        ));
    }
    let recorded: Vec<&T::Event> = events.iter().collect();
    if let Err(e) = check_froms(&recorded) {
        return Some(Fault::Broken(Invalid::new(format!(
            "{}: {e}",
            record.name()
        ))));
    }
    let (last, rest) = events.split_last().expect("at least the creation");
    let then = match present_with::<T>(rest, last) {
        Ok(then) => then,
        Err(e) => return Some(Fault::Broken(e)),
    };
    let diff = then.diff(record);
    (!diff.is_empty()).then(|| Fault::Differs(diff.into_iter().map(|c| c.field).collect()))
}

/// Checks that `events` (one item's, in any order) lead to `item`, its
/// last update included.
pub fn item_fault(item: &Item, events: Vec<Event>) -> Option<Fault> {
    let last = events.iter().map(|e| e.effective).max();
    match fault(item, events) {
        None if last.is_some_and(|d| d != item.last_update) => {
            Some(Fault::Differs(vec!["last_update".into()]))
        }
        fault => fault,
    }
}

/// Checks that `events` (one strategy's, in any order) lead to `strategy`.
pub fn strategy_fault(strategy: &Strategy, events: Vec<StrategyEvent>) -> Option<Fault> {
    fault(strategy, events)
}

/// Replays events grouped by item, each group in the order its changes
/// hold (as the store reads them), into the items as they stood after the
/// last one.
pub fn rebuild(events: impl IntoIterator<Item = (Code, Event)>) -> Result<Vec<Item>, Invalid> {
    let mut replay = Replay::default();
    let mut items = Vec::new();
    for (code, event) in events {
        items.extend(replay.push(code, &event)?);
    }
    items.extend(replay.finish());
    Ok(items)
}

/// [`rebuild`] one item at a time, for histories read as they are shown:
/// an item is handed back when the first event of the next shows it is
/// whole, and the last by [`Replay::finish`].
#[derive(Default)]
pub struct Replay {
    current: Option<Item>,
}

impl Replay {
    pub fn push(&mut self, code: Code, event: &Event) -> Result<Option<Item>, Invalid> {
        match &mut self.current {
            Some(item) if item.id == event.item => {
                item.apply(event)?;
                Ok(None)
            }
            _ => {
                let mut item = Item::first(event)?;
                item.strategy = code;
                Ok(self.current.replace(item))
            }
        }
    }

    pub fn finish(&mut self) -> Option<Item> {
        self.current.take()
    }
}

/// Replays strategy events grouped by strategy, each group in the order
/// its changes hold, into the strategies as they stood.
pub fn rebuild_strategies(
    events: impl IntoIterator<Item = StrategyEvent>,
) -> Result<Vec<Strategy>, Invalid> {
    let mut strategies: Vec<Strategy> = Vec::new();
    for event in events {
        match strategies.last_mut() {
            Some(s) if s.code == event.strategy => s.then(&event)?,
            _ => strategies.push(Strategy::first(&event)?),
        }
    }
    Ok(strategies)
}

/// Judges item histories while an import streams past, so that the
/// import need not read every history back to replay it. Items and events
/// may come in any order; an item is vouched for when its events, replayed
/// in the order they came, reach the item's last update with the values
/// the item has. Anything else (events out of time order, a change
/// recorded after one that holds from a later day, a history that does not
/// replay or leads elsewhere) is left for the full check, which says what
/// is wrong.
///
/// The items are remembered by a keyed hash of their tracked fields, not
/// whole: an export lists every item before any event.
pub struct StreamJudge {
    keys: RandomState,
    /// Item number → (hash of its tracked fields, its last update).
    expected: NumberMap<(u64, DateTime<Utc>)>,
    /// Histories under way, replayed so far.
    open: NumberMap<Box<Item>>,
    vouched: NumberSet,
    /// Items left for the full check.
    doubtful: NumberSet,
}

impl Default for StreamJudge {
    fn default() -> Self {
        StreamJudge {
            keys: RandomState::new(),
            expected: NumberMap::default(),
            open: NumberMap::default(),
            vouched: NumberSet::default(),
            doubtful: NumberSet::default(),
        }
    }
}

impl StreamJudge {
    fn fingerprint(&self, item: &Item) -> u64 {
        let fields: Vec<Option<String>> = Item::FIELDS.iter().map(|f| item.field(f)).collect();
        self.keys.hash_one(fields)
    }

    /// Compares a history replayed to its end with the item's hash.
    fn judge(&mut self, id: i64, state: &Item, print: u64) {
        if self.fingerprint(state) == print {
            self.vouched.insert(id);
        } else {
            self.doubtful.insert(id);
        }
    }

    /// An item of the file.
    pub fn item(&mut self, item: &Item) {
        let id = item.id.0;
        if self.doubtful.contains(&id) {
            return;
        }
        let print = self.fingerprint(item);
        match self.open.remove(&id) {
            Some(state) if state.updated_at == item.updated_at => self.judge(id, &state, print),
            Some(state) => {
                self.open.insert(id, state);
                self.expected.insert(id, (print, item.updated_at));
            }
            None => {
                self.expected.insert(id, (print, item.updated_at));
            }
        }
    }

    /// An event of the file.
    pub fn event(&mut self, event: &Event) {
        let id = event.item.0;
        if self.doubtful.contains(&id) {
            return;
        }
        if self.vouched.remove(&id) {
            // An event after the one the item was judged at.
            self.doubtful.insert(id);
            return;
        }
        let replayed = match self.open.remove(&id) {
            // Changes recorded in the order they hold: each starts where
            // the one before left its fields.
            Some(mut state)
                if event.at >= state.updated_at && event.effective >= state.last_update =>
            {
                state
                    .check_from(&event.changes)
                    .and_then(|()| state.apply(event))
                    .map(|()| state)
            }
            Some(_) => Err("out of order".into()),
            None => Item::first(event).map(Box::new),
        };
        let state = match replayed {
            Ok(state) => state,
            Err(_) => {
                self.doubtful.insert(id);
                return;
            }
        };
        match self.expected.get(&id).copied() {
            Some((print, last)) if last == state.updated_at => {
                self.expected.remove(&id);
                self.judge(id, &state, print);
            }
            _ => {
                self.open.insert(id, state);
            }
        }
    }

    /// The items vouched for, once every record has been seen.
    pub fn finish(mut self) -> NumberSet {
        let open: Vec<(i64, Box<Item>)> = self.open.drain().collect();
        for (id, state) in open {
            if let Some((print, _)) = self.expected.get(&id).copied() {
                self.judge(id, &state, print);
            }
        }
        self.vouched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Change, ItemId};

    fn event(
        item: i64,
        id: i64,
        minute: u32,
        action: Action,
        changes: &[(&str, Option<&str>, Option<&str>)],
    ) -> Event {
        Event {
            id,
            item: ItemId(item),
            at: chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
                .unwrap()
                .and_hms_opt(9, minute, 0)
                .unwrap()
                .and_utc(),
            effective: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            by: "t".into(),
            action,
            changes: changes
                .iter()
                .map(|(f, from, to)| Change {
                    field: f.to_string(),
                    from: from.map(str::to_string),
                    to: to.map(str::to_string),
                })
                .collect(),
            note: None,
        }
    }

    /// Item `id`: created titled "A", then retitled "B".
    fn history(id: i64, first: i64) -> Vec<Event> {
        vec![
            event(
                id,
                first,
                0,
                Action::Created,
                &[
                    ("title", None, Some("A")),
                    ("status", None, Some("planned")),
                    ("progress", None, Some("0")),
                ],
            ),
            event(
                id,
                first + 1,
                1,
                Action::Updated,
                &[("title", Some("A"), Some("B"))],
            ),
        ]
    }

    fn item(id: i64, title: &str) -> Item {
        let events = history(id, 1);
        let mut item = rebuild(events.into_iter().map(|e| ("s-1".parse().unwrap(), e)))
            .unwrap()
            .remove(0);
        item.title = title.into();
        item
    }

    #[test]
    fn a_history_is_judged_against_the_item_it_claims() {
        let events = history(1, 1);
        assert_eq!(item_fault(&item(1, "B"), events.clone()), None);
        assert_eq!(
            item_fault(&item(1, "C"), events.clone()),
            Some(Fault::Differs(vec!["title".into()]))
        );
        assert_eq!(item_fault(&item(1, "B"), Vec::new()), Some(Fault::Missing));
        // The order they come in does not matter; the order recorded does.
        let backwards = vec![events[1].clone(), events[0].clone()];
        assert_eq!(item_fault(&item(1, "B"), backwards.clone()), None);
        let mut early = backwards;
        early[0].at = early[1].at - chrono::Duration::minutes(1);
        assert!(matches!(
            item_fault(&item(1, "B"), early),
            Some(Fault::Broken(_))
        ));
    }

    fn vouched(items: &[Item], events: &[Event]) -> Vec<i64> {
        let mut judge = StreamJudge::default();
        items.iter().for_each(|i| judge.item(i));
        events.iter().for_each(|e| judge.event(e));
        let mut out: Vec<i64> = judge.finish().into_iter().collect();
        out.sort();
        out
    }

    #[test]
    fn histories_that_lead_to_their_items_are_vouched_for_in_any_order() {
        let (a, b) = (history(1, 1), history(2, 3));
        let items = [item(1, "B"), item(2, "B")];
        // As strat export lists them: items, then events by time.
        let apart = [a[0].clone(), b[0].clone(), b[1].clone(), a[1].clone()];
        assert_eq!(vouched(&items, &apart), [1, 2]);
        // Events before their items.
        let mut judge = StreamJudge::default();
        apart.iter().for_each(|e| judge.event(e));
        items.iter().for_each(|i| judge.item(i));
        let mut out: Vec<i64> = judge.finish().into_iter().collect();
        out.sort();
        assert_eq!(out, [1, 2]);
    }

    #[test]
    fn anything_else_is_left_for_the_full_check() {
        let (a, b) = (history(1, 1), history(2, 3));
        let events = [a.clone(), b.clone()].concat();
        // leads to another title
        assert_eq!(vouched(&[item(1, "B"), item(2, "C")], &events), [1]);
        // out of time order
        assert!(vouched(&[item(1, "B")], &[a[1].clone(), a[0].clone()]).is_empty());
        // an event after the one the item was judged at
        let mut late = a[1].clone();
        late.id = 9;
        late.changes.clear();
        assert!(vouched(&[item(1, "B")], &[a[0].clone(), a[1].clone(), late]).is_empty());
        // events of no item, an item of no events
        assert!(vouched(&[], &a).is_empty());
        assert!(vouched(&[item(1, "B")], &[]).is_empty());
    }
}
