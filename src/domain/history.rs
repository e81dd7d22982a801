//! Rebuilding items from their events alone, for point-in-time views and
//! for checking that an imported history leads to the item it claims.

use super::model::{Code, Event, Item, Strategy, StrategyEvent, Tracked};
use super::vocab::Action;
use super::{NumberMap, NumberSet};
use chrono::{DateTime, Utc};
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

/// What is wrong with a record's history, if anything.
#[derive(Debug, PartialEq)]
pub enum Fault {
    /// No event at all.
    Missing,
    /// The events cannot be replayed (the message says why).
    Broken(String),
    /// Replayed, they lead to other values in these fields.
    Differs(Vec<String>),
}

impl Fault {
    fn of<T: Tracked>(record: &T, replayed: Result<Option<T>, String>) -> Option<Fault> {
        match replayed {
            Err(e) => Some(Fault::Broken(e)),
            Ok(None) => Some(Fault::Missing),
            Ok(Some(then)) => {
                let diff = then.diff(record);
                (!diff.is_empty())
                    .then(|| Fault::Differs(diff.into_iter().map(|c| c.field).collect()))
            }
        }
    }
}

/// Checks that `events` (one item's, oldest first) replay to `item`.
pub fn item_fault(item: &Item, events: Vec<Event>) -> Option<Fault> {
    let replay = events.into_iter().map(|e| (item.strategy.clone(), e));
    Fault::of(item, rebuild(replay).map(|r| r.into_iter().next()))
}

/// Checks that `events` (one strategy's, oldest first) replay to `strategy`.
pub fn strategy_fault(strategy: &Strategy, events: Vec<StrategyEvent>) -> Option<Fault> {
    Fault::of(
        strategy,
        rebuild_strategies(events).map(|r| r.into_iter().next()),
    )
}

/// Replays events grouped by item (each group oldest first, starting with
/// its `created` or `carried-in` event) into the items as they stood after the last one.
pub fn rebuild(events: impl IntoIterator<Item = (Code, Event)>) -> Result<Vec<Item>, String> {
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
    pub fn push(&mut self, code: Code, event: &Event) -> Result<Option<Item>, String> {
        match &mut self.current {
            Some(item) if item.id == event.item => {
                item.apply(event)?;
                Ok(None)
            }
            _ => Ok(self.current.replace(first_state(code, event)?)),
        }
    }

    pub fn finish(&mut self) -> Option<Item> {
        self.current.take()
    }
}

/// An item as its first event makes it, which must create it.
fn first_state(code: Code, event: &Event) -> Result<Item, String> {
    if !matches!(event.action, Action::Created | Action::CarriedIn) {
        return Err(format!(
            "the history of item {} does not start with its creation",
            event.item
        ));
    }
    let mut item = Item::blank(event.item, code, event.at);
    item.apply(event)?;
    Ok(item)
}

/// Checks item histories while a file is read. Each item's history is
/// replayed as its events arrive, oldest first (as `strat export` lists
/// them, one item's events between other items'), and compared at the end
/// with a fingerprint of its item's fields; only the histories this cannot
/// vouch for need reading back from the database for the full check,
/// which alone can say what is wrong.
pub struct StreamCheck {
    keys: RandomState,
    /// Item number → what its history must lead to; `None` for a number
    /// seen twice.
    items: NumberMap<Option<Expected>>,
    /// The histories under way, by item. A history is judged as soon as
    /// it reaches its item's last update, so that only these are held.
    open: NumberMap<Replaying>,
    /// Items whose histories were judged; an event for one of them after
    /// that leaves it to the full check.
    judged: NumberSet,
    vouched: NumberSet,
}

/// What an item's history must lead to: its strategy, the fingerprint of
/// its fields, and the time of its last update.
struct Expected {
    code: Code,
    print: u64,
    updated_at: DateTime<Utc>,
}

/// The bytes `Hash` implementations write, kept in order: the same
/// unambiguous encoding a hasher would have been given piece by piece.
struct Gathered(Vec<u8>);

impl Hasher for Gathered {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        unreachable!("only gathers bytes for another hasher")
    }
}

/// A history being replayed: the order key of its last event, and the
/// state so far (`None` once it cannot be vouched for). The state is boxed:
/// some ten thousand histories are under way at once in a 100,000-item
/// export, and the map that holds them moves its entries as it grows.
struct Replaying {
    last: (DateTime<Utc>, i64),
    state: Option<Box<Item>>,
}

impl Default for StreamCheck {
    fn default() -> Self {
        StreamCheck {
            keys: RandomState::new(),
            items: NumberMap::default(),
            open: NumberMap::default(),
            judged: NumberSet::default(),
            vouched: NumberSet::default(),
        }
    }
}

impl StreamCheck {
    /// The tracked fields of an item (those of `Item::FIELDS`), hashed with
    /// keys of this process's own, so no file can be made to collide on
    /// purpose. Typed values hash as their text would compare: each type
    /// has one way of writing a value.
    fn fingerprint(&self, item: &Item) -> u64 {
        // Named in full, so a new field cannot be left out unnoticed.
        let Item {
            id: _,
            strategy: _,
            reference,
            title,
            description,
            theme,
            owner,
            status,
            progress,
            start,
            due,
            completed_on,
            rag_override,
            rag_reason,
            carried_from,
            carried_to,
            created_at: _,
            updated_at: _,
        } = item;
        // SipHash pays for every write it is given, and the fields make
        // dozens of small ones: they are gathered first and hashed once.
        let mut bytes = Gathered(Vec::with_capacity(256));
        (reference, title, description, theme, owner, rag_reason).hash(&mut bytes);
        (status, progress, start, due, completed_on, rag_override).hash(&mut bytes);
        (carried_from, carried_to).hash(&mut bytes);
        self.keys.hash_one(bytes.0)
    }

    pub fn item(&mut self, item: &Item) {
        let expected = Expected {
            code: item.strategy.clone(),
            print: self.fingerprint(item),
            updated_at: item.updated_at,
        };
        self.items
            .entry(item.id.0)
            .and_modify(|seen| *seen = None)
            .or_insert(Some(expected));
    }

    pub fn event(&mut self, event: &Event) {
        let id = event.item.0;
        let key = (event.at, event.id);
        let expected = match self.items.get(&id) {
            Some(Some(e)) => Some(e),
            _ => None,
        };
        if let Some(r) = self.open.get_mut(&id) {
            // Stored histories are ordered by time, then number: a history
            // in another order is left to the full check.
            let in_order =
                key.0 > r.last.0 || (key.0 == r.last.0 && r.last.1 > 0 && key.1 > r.last.1);
            r.last = key;
            if !in_order {
                r.state = None;
            }
            if let Some(state) = r.state.as_mut()
                && state.apply(event).is_err()
            {
                r.state = None;
            }
        } else if self.judged.contains(&id) {
            self.vouched.remove(&id);
            return;
        } else {
            let state =
                expected.and_then(|e| first_state(e.code.clone(), event).ok().map(Box::new));
            self.open.insert(id, Replaying { last: key, state });
        }
        if expected.is_some_and(|e| e.updated_at == event.at) {
            self.judge(id);
        }
    }

    /// Vouches for an item whose history replayed to it, and lets its
    /// replay go.
    fn judge(&mut self, id: i64) {
        let Some(r) = self.open.remove(&id) else {
            return;
        };
        self.judged.insert(id);
        let print = r.state.as_ref().map(|state| self.fingerprint(state));
        if matches!((print, self.items.get(&id)), (Some(p), Some(Some(e))) if p == e.print) {
            self.vouched.insert(id);
        }
    }

    /// The numbers of the items whose histories replayed to them.
    pub fn finish(mut self) -> NumberSet {
        let under_way: Vec<i64> = self.open.keys().copied().collect();
        for id in under_way {
            self.judge(id);
        }
        self.vouched
    }
}

/// Replays strategy events grouped by strategy (each group oldest first,
/// starting with its `created` event) into the strategies as they stood.
pub fn rebuild_strategies(
    events: impl IntoIterator<Item = StrategyEvent>,
) -> Result<Vec<Strategy>, String> {
    let mut strategies: Vec<Strategy> = Vec::new();
    for event in events {
        match strategies.last_mut() {
            Some(s) if s.code == event.strategy => {
                s.check_from(&event.changes).map_err(|e| {
                    format!("event {} of strategy {}: {e}", event.id, event.strategy)
                })?;
                s.apply_changes(&event.changes)?
            }
            _ => {
                if event.action != Action::Created {
                    return Err(format!(
                        "the history of strategy {} does not start with its creation",
                        event.strategy
                    ));
                }
                let mut s = Strategy::blank(event.strategy.clone());
                s.apply_changes(&event.changes)?;
                strategies.push(s);
            }
        }
    }
    Ok(strategies)
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

    fn vouched(items: &[Item], events: &[Event]) -> Vec<i64> {
        let mut check = StreamCheck::default();
        items.iter().for_each(|i| check.item(i));
        events.iter().for_each(|e| check.event(e));
        let mut out: Vec<i64> = check.finish().into_iter().collect();
        out.sort();
        out
    }

    #[test]
    fn whole_histories_in_order_are_vouched_for() {
        let events = [history(1, 1), history(2, 3)].concat();
        assert_eq!(vouched(&[item(1, "B"), item(2, "B")], &events), [1, 2]);
    }

    #[test]
    fn histories_leading_elsewhere_are_not() {
        let events = [history(1, 1), history(2, 3)].concat();
        assert_eq!(vouched(&[item(1, "B"), item(2, "C")], &events), [1]);
    }

    #[test]
    fn histories_between_other_items_events_are_vouched_for() {
        // As strat export lists events: by number, which is by time.
        let (a, b) = (history(1, 1), history(2, 3));
        let apart = [a[0].clone(), b[0].clone(), b[1].clone(), a[1].clone()];
        assert_eq!(vouched(&[item(1, "B"), item(2, "B")], &apart), [1, 2]);
        assert_eq!(vouched(&[item(1, "B"), item(2, "C")], &apart), [1]);
    }

    #[test]
    fn out_of_order_late_or_unknown_histories_are_left_to_the_full_check() {
        let (a, b) = (history(1, 1), history(2, 3));
        // An event after the item's last update, once its history was judged.
        let mut late = a[1].clone();
        late.id = 9;
        late.at += chrono::Duration::minutes(5);
        late.changes.clear();
        let after = [a[0].clone(), a[1].clone(), b[0].clone(), late];
        assert_eq!(vouched(&[item(1, "B"), item(2, "A")], &after), [2]);
        let backwards = [a[1].clone(), a[0].clone()];
        assert!(vouched(&[item(1, "B")], &backwards).is_empty());
        assert!(vouched(&[], &a).is_empty());
        // two items under one number: neither can be vouched for
        assert!(vouched(&[item(1, "B"), item(1, "B")], &a).is_empty());
    }

    #[test]
    fn a_change_to_any_tracked_field_changes_the_fingerprint() {
        let check = StreamCheck::default();
        let base = item(1, "B");
        let print = check.fingerprint(&base);
        for field in Item::FIELDS {
            let mut other = base.clone();
            let value = match *field {
                "status" => "on-hold",
                "progress" => "42",
                "start" | "due" | "completed_on" => "2024-02-29",
                "rag_override" => "amber",
                "carried_from" | "carried_to" => "9",
                _ => "x",
            };
            other.set_field(field, Some(value)).unwrap();
            assert_ne!(base.field(field), other.field(field), "{field}");
            assert_ne!(check.fingerprint(&other), print, "{field}");
        }
        // Times and numbers are not tracked fields.
        let mut later = base.clone();
        later.updated_at += chrono::Duration::days(1);
        assert_eq!(check.fingerprint(&later), print);
    }
}
