//! Rebuilding items from their events alone, for point-in-time views and
//! for checking that an imported history leads to the item it claims.

use super::Invalid;
use super::model::{Code, Event, Item, Strategy, StrategyEvent, Tracked};
use super::vocab::Action;
use super::{NumberMap, NumberSet};
use chrono::{DateTime, Utc};
use std::hash::{BuildHasher, RandomState};

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

impl Fault {
    fn of<T: Tracked>(record: &T, replayed: Result<Option<T>, Invalid>) -> Option<Fault> {
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
            _ => Ok(self.current.replace(first_state(code, event)?)),
        }
    }

    pub fn finish(&mut self) -> Option<Item> {
        self.current.take()
    }
}

/// An item as its first event makes it, which must create it.
fn first_state(code: Code, event: &Event) -> Result<Item, Invalid> {
    if !matches!(event.action, Action::Created | Action::CarriedIn) {
        return Err(Invalid::new(format!(
            "the history of item {} does not start with its creation",
            event.item
        )));
    }
    let mut item = Item::blank(event.item, code, event.at);
    item.apply(event)?;
    Ok(item)
}

/// Judges item histories while an import streams past, so that the
/// import need not read every history back to replay it. Items and events
/// may come in any order; an item is vouched for when its events, replayed
/// in the order they came, reach the item's last update with the values
/// the item has. Anything else (events out of time order, a history that
/// does not replay or leads elsewhere) is left for the full check, which
/// says what is wrong.
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
            Some(mut state) if event.at >= state.updated_at => state.apply(event).map(|()| state),
            Some(_) => Err("out of order".into()),
            None => first_state(PLACEHOLDER.parse().expect("a code"), event).map(Box::new),
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

/// The code a history replayed before its item is seen is filed under:
/// the strategy is not a tracked field, so it takes no part in judging.
const PLACEHOLDER: &str = "unknown";

/// Replays strategy events grouped by strategy (each group oldest first,
/// starting with its `created` event) into the strategies as they stood.
pub fn rebuild_strategies(
    events: impl IntoIterator<Item = StrategyEvent>,
) -> Result<Vec<Strategy>, Invalid> {
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
                    return Err(Invalid::new(format!(
                        "the history of strategy {} does not start with its creation",
                        event.strategy
                    )));
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

    #[test]
    fn a_history_is_judged_against_the_item_it_claims() {
        let events = history(1, 1);
        assert_eq!(item_fault(&item(1, "B"), events.clone()), None);
        assert_eq!(
            item_fault(&item(1, "C"), events.clone()),
            Some(Fault::Differs(vec!["title".into()]))
        );
        assert_eq!(item_fault(&item(1, "B"), Vec::new()), Some(Fault::Missing));
        let backwards = vec![events[1].clone(), events[0].clone()];
        assert!(matches!(
            item_fault(&item(1, "B"), backwards),
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
