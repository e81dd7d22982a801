//! The items `item list` and `outstanding` show, read from the database
//! while they are written: a list of the whole portfolio holds one item at
//! a time, or one strategy's items, not all of them.

use super::{AsOf, damaged, items_of, named_once, require_strategies};
use crate::cli::Format;
use crate::domain::history::Replay;
use crate::domain::model::{Code, Item};
use crate::domain::vocab::Status;
use crate::error::Result;
use crate::output::Printer;
use crate::output::views::ItemList;
use crate::output::views::{Items, NextItem};
use crate::store::{Cursor, Db, Store};
use std::cell::RefCell;
use std::collections::HashMap;

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Strategy by strategy as named, each by number; all by number.
    Number,
    /// Soonest due first, those without a due date last, then by number.
    Due,
}

/// Which items a list shows: of which strategies, as of when, picked by
/// `keep`, in which order.
pub struct LiveItems<'a> {
    /// The command's read transaction.
    db: &'a Db<'a>,
    codes: &'a [Code],
    as_of: AsOf,
    order: Order,
    keep: Box<dyn Fn(&Item) -> bool + 'a>,
}

impl<'a> LiveItems<'a> {
    /// `codes` are named once each (see [`super::named_once`]).
    pub fn new(
        db: &'a Db<'a>,
        codes: &'a [Code],
        as_of: AsOf,
        order: Order,
        keep: impl Fn(&Item) -> bool + 'a,
    ) -> LiveItems<'a> {
        LiveItems {
            db,
            codes,
            as_of,
            order,
            keep: Box::new(keep),
        }
    }

    fn read_in(&self, db: &Db, f: &mut dyn FnMut(&mut NextItem) -> Result<()>) -> Result<()> {
        let keep = &*self.keep;
        match self.order {
            Order::Number => each_kept(db, self.codes, self.as_of, keep, f),
            // SQLite sorts the items as they are now; a past day's are
            // rebuilt and held in a temporary table for SQLite to sort.
            Order::Due if self.as_of.seen.is_none() => {
                let outstanding: Vec<Status> = Status::ALL
                    .iter()
                    .copied()
                    .filter(|s| s.is_outstanding())
                    .collect();
                db.each_item_by_due(self.codes, &outstanding, |rows| {
                    f(&mut || next_kept(rows, keep))
                })
            }
            Order::Due => db.each_held_by_due(
                |hold| {
                    each_kept(db, self.codes, self.as_of, keep, &mut |next| {
                        while let Some(item) = next()? {
                            hold(&item)?;
                        }
                        Ok(())
                    })
                },
                |rows| f(&mut || rows.fetch()),
            ),
        }
    }
}

impl Items for LiveItems<'_> {
    /// A strategy named that does not exist fails the read before `f` is
    /// called, so before anything is printed.
    fn read(&self, f: &mut dyn FnMut(&mut NextItem) -> Result<()>) -> Result<()> {
        require_strategies(self.db, self.codes)?;
        self.read_in(self.db, f)
    }
}

/// Prints the items of the strategies `codes` (all when none is named),
/// as they stand or stood at `as_of`, that `keep` picks, in `order`, in one
/// read transaction while they are read; outstanding work (by due date)
/// with its days overdue.
pub fn print_items(
    store: &mut Store,
    codes: Vec<Code>,
    as_of: AsOf,
    order: Order,
    keep: impl Fn(&Item) -> bool,
    out: &mut Printer,
) -> Result<()> {
    let codes = named_once(codes);
    store.read(|db| {
        // Only JSON shows each item's latest note.
        let mut notes = HashMap::new();
        if out.format() == Format::Json {
            if codes.is_empty() {
                notes = db.latest_notes(None, as_of.seen)?;
            }
            for code in &codes {
                notes.extend(db.latest_notes(Some(code), as_of.seen)?);
            }
        }
        out.print(&ItemList {
            items: Box::new(LiveItems::new(db, &codes, as_of, order, keep)),
            on: as_of.day,
            outstanding: order == Order::Due,
            notes: RefCell::new(notes),
        })
    })
}

/// Hands `f` the kept items of the named strategies (all when none is
/// named) in [`Order::Number`], as they stand or stood at `as_of`.
fn each_kept(
    db: &Db,
    codes: &[Code],
    as_of: AsOf,
    keep: &dyn Fn(&Item) -> bool,
    f: &mut dyn FnMut(&mut NextItem) -> Result<()>,
) -> Result<()> {
    if !codes.is_empty() {
        // One strategy's items at a time.
        let mut codes = codes.iter();
        let mut items = Vec::new().into_iter();
        return f(&mut || loop {
            if let Some(item) = items.find(|i| keep(i)) {
                return Ok(Some(item));
            }
            match codes.next() {
                Some(code) => items = items_of(db, Some(code), as_of)?.into_iter(),
                None => return Ok(None),
            }
        });
    }
    match as_of.seen {
        None => db.each_item(|rows| f(&mut || next_kept(rows, keep))),
        Some(seen) => db.each_history_event(seen, |events| {
            let mut replay = Replay::default();
            f(&mut || loop {
                let Some((code, event)) = events.fetch()? else {
                    return Ok(replay.finish().filter(|i| keep(i)));
                };
                match replay.push(code, &event).map_err(damaged)? {
                    Some(item) if keep(&item) => return Ok(Some(item)),
                    _ => {}
                }
            })
        }),
    }
}

fn next_kept(rows: &mut Cursor<Item>, keep: &dyn Fn(&Item) -> bool) -> Result<Option<Item>> {
    while let Some(item) = rows.fetch()? {
        if keep(&item) {
            return Ok(Some(item));
        }
    }
    Ok(None)
}
