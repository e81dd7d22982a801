//! Rebuilding items from their events alone, for point-in-time views and
//! for checking that an imported history leads to the item it claims.

use super::model::{Code, Event, Item, Strategy, StrategyEvent, Tracked};
use super::vocab::Action;

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
