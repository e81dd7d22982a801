//! Rebuilding items from their events alone, for point-in-time views and
//! for checking that an imported history leads to the item it claims.

use super::model::{Code, Event, Item, Strategy, StrategyEvent, Tracked};
use super::vocab::Action;

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
    let mut items: Vec<Item> = Vec::new();
    for (code, event) in events {
        match items.last_mut() {
            Some(item) if item.id == event.item => item.apply(&event)?,
            _ => {
                if !matches!(event.action, Action::Created | Action::CarriedIn) {
                    return Err(format!(
                        "the history of item {} does not start with its creation",
                        event.item
                    ));
                }
                let mut item = Item::blank(event.item, code, event.at);
                item.apply(&event)?;
                items.push(item);
            }
        }
    }
    Ok(items)
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
