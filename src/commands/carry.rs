//! `strat carry-forward FROM TO`: unfinished work moves into the next
//! strategy, linked both ways, with an event on each side.

use super::item::{check_strategy_held, create, load, record};
use super::{Ctx, Outcome, not_found_strategy};
use crate::cli::CarryArgs;
use crate::domain::model::{Code, Item, ItemId, ItemKey};
use crate::domain::vocab::{Action, Status};
use crate::error::{Error, Result};
use crate::output::shapes::to_value;
use crate::output::{Block, Cell, Doc, JsonOut, Table, View};
use crate::store::{Db, Store};
use chrono::NaiveDate;
use serde_json::json;

/// What moved (or would move) where.
pub struct Moves {
    pub from: Code,
    pub to: Code,
    pub dry_run: bool,
    pub moves: Vec<Move>,
}

/// One item carried (or to be carried).
pub struct Move {
    pub original: Item,
    /// The number of its copy (`None` in a dry run).
    pub copy: Option<ItemId>,
    /// The copy's target.
    pub due: Option<NaiveDate>,
    /// The copy's target lies before the new strategy starts, so it is
    /// overdue there from its first day: said, so nobody is surprised.
    pub before_start: bool,
}

/// What a table says of a carried item whose target is before the start.
const BEFORE_START: &str = "target before this strategy's start";

impl View for Moves {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let moves: Vec<_> = self
            .moves
            .iter()
            .map(|m| {
                json!({
                    "from_item": m.original.id.0,
                    "to_item": m.copy.map(|n| n.0),
                    "title": m.original.title,
                    "status": m.original.status,
                    "progress": m.original.progress.get(),
                    "due": m.due,
                    "target_before_start": m.before_start,
                })
            })
            .collect();
        out.value(&json!({
            "from": self.from.as_str(),
            "to": self.to.as_str(),
            "dry_run": self.dry_run,
            "items": to_value(&moves),
        }))
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let verb = if self.dry_run {
            "Would carry"
        } else {
            "Carried"
        };
        let mut blocks = vec![Block::Text(format!(
            "{verb} {} outstanding item{} from {} to {}{}",
            self.moves.len(),
            if self.moves.len() == 1 { "" } else { "s" },
            self.from,
            self.to,
            if self.dry_run {
                " (dry run: nothing was changed)"
            } else {
                ""
            }
        ))];
        if !self.moves.is_empty() {
            blocks.push(Block::Table(self.table()));
        }
        doc.blocks(blocks)
    }

    /// The moves alone; none moved is a header without rows.
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        doc.block(Block::Table(self.table()))
    }
}

impl Moves {
    fn table(&self) -> Table {
        Table {
            headers: vec!["from", "to", "title", "status", "progress", "due", "note"],
            rows: self
                .moves
                .iter()
                .map(|m| {
                    vec![
                        Cell::from(format!("{} {}", self.from, m.original.id)),
                        m.copy.map_or(Cell::from("—"), |n| {
                            Cell::from(format!("{} {n}", self.to))
                        }),
                        Cell::from(m.original.title.as_str()),
                        Cell::from(m.original.status.as_str()),
                        Cell::Bar(m.original.progress.get()),
                        Cell::opt(m.due),
                        if m.before_start {
                            Cell::from(BEFORE_START)
                        } else {
                            Cell::Empty
                        },
                    ]
                })
                .collect(),
        }
    }
}

pub fn run(ctx: &Ctx, store: &mut Store, args: CarryArgs) -> Result<Outcome> {
    if args.from == args.to {
        return Err(Error::invalid(format!(
            "FROM and TO are both '{}'; carry items into a different strategy",
            args.from
        )));
    }
    let due = args.due.map(|d| ctx.date("--due", d)).transpose()?;
    let day = ctx.effective(args.effective.effective, ctx.clock.today)?;
    let plan = |db: &Db| -> Result<(Vec<Item>, NaiveDate)> {
        db.strategy(&args.from)?
            .ok_or_else(|| not_found_strategy(db, &args.from))?;
        let to = db
            .strategy(&args.to)?
            .ok_or_else(|| not_found_strategy(db, &args.to))?;
        if day < ctx.clock.today {
            check_strategy_held(db, &args.to, day)?;
        }
        let items = select(db, &args)?;
        for item in &items {
            // Carried from a day before one of its changes, the item would
            // be closed while that change still held it open.
            if item.last_update > day {
                return Err(Error::invalid(format!(
                    "item {} has a change holding from {}, after --effective {day}\n\
                     Carry it forward from {} or later.",
                    item.id, item.last_update, item.last_update
                )));
            }
            if let Some(r) = &item.reference
                && db.ref_taken(&args.to, r, None)?
            {
                return Err(Error::conflict(format!(
                    "item {} has ref '{r}', which {} already uses; change one of the refs first",
                    item.id, args.to
                )));
            }
            if let (Some(d), Some(s)) = (due, item.start)
                && d < s
            {
                return Err(Error::invalid(format!(
                    "--due {d} is before item {}'s start, {s}; give a later target",
                    item.id
                )));
            }
        }
        Ok((items, to.period.starts()))
    };
    let moved = |original: Item, copy: Option<ItemId>, starts: NaiveDate| {
        let due = due.or(original.due);
        Move {
            before_start: due.is_some_and(|d| d < starts),
            original,
            copy,
            due,
        }
    };
    let moves: Vec<Move> = if args.dry_run {
        let (items, starts) = store.read(plan)?;
        items.into_iter().map(|i| moved(i, None, starts)).collect()
    } else {
        store.write(|db| {
            let (items, starts) = plan(db)?;
            items
                .into_iter()
                .map(|i| {
                    let copy = carry(db, ctx, &args.to, &i, due, day)?;
                    Ok(moved(i, Some(copy), starts))
                })
                .collect::<Result<Vec<_>>>()
        })?
    };
    let made = (!args.dry_run).then(|| {
        let moved: Vec<String> = moves
            .iter()
            .filter_map(|m| m.copy.map(|to| format!("{} → {to}", m.original.id)))
            .collect();
        format!(
            "Carried {} item{} from {} to {}: {}.",
            moved.len(),
            if moved.len() == 1 { "" } else { "s" },
            args.from,
            args.to,
            moved.join(", ")
        )
    });
    let mut out = Outcome::show(Moves {
        from: args.from,
        to: args.to,
        dry_run: args.dry_run,
        moves,
    });
    out.made = made;
    Ok(out)
}

/// The items to move: the named ones (each must be outstanding in FROM),
/// or every outstanding item of FROM.
fn select(db: &Db, args: &CarryArgs) -> Result<Vec<Item>> {
    if args.items.is_empty() {
        let mut items = db.items(Some(&args.from))?;
        items.retain(|i| i.status.is_outstanding());
        return Ok(items);
    }
    // A ref alone names an item of FROM.
    let mut named = args
        .items
        .iter()
        .map(|key| match key {
            ItemKey::Ref {
                strategy: None,
                reference,
            } => ItemKey::Ref {
                strategy: Some(args.from.clone()),
                reference: reference.clone(),
            },
            other => other.clone(),
        })
        .map(|key| load(db, &key))
        .collect::<Result<Vec<Item>>>()?;
    named.sort_by_key(|i| i.id);
    named.dedup_by_key(|i| i.id);
    named
        .into_iter()
        .map(|item| {
            let id = item.id;
            if item.strategy != args.from {
                return Err(Error::invalid(format!(
                    "item {id} belongs to {}, not {}",
                    item.strategy, args.from
                )));
            }
            match (item.status, item.carried_to) {
                (Status::CarriedForward, Some(to)) => Err(Error::conflict(format!(
                    "item {id} was already carried forward to {to}; an item is carried once"
                ))),
                (s, _) if !s.is_outstanding() => Err(Error::conflict(format!(
                    "item {id} is {s}, not outstanding; only outstanding items are carried"
                ))),
                _ => Ok(item),
            }
        })
        .collect()
}

/// Copies one item into `to` (with the target `due` when given), then
/// closes the original with a link to it; returns the copy's number.
fn carry(
    db: &Db,
    ctx: &Ctx,
    to: &Code,
    original: &Item,
    due: Option<NaiveDate>,
    day: NaiveDate,
) -> Result<ItemId> {
    let mut copy = Item::blank(ItemId(0), to.clone(), ctx.clock.now);
    copy.reference = original.reference.clone();
    copy.title = original.title.clone();
    copy.description = original.description.clone();
    copy.theme = original.theme.clone();
    copy.owner = original.owner.clone();
    copy.status = original.status;
    copy.progress = original.progress;
    copy.start = original.start;
    copy.due = due.or(original.due);
    copy.carried_from = Some(original.id);
    let note = format!("carried in from {} {}", original.strategy, original.id);
    let copy = create(db, ctx, copy, day, Some(note), Action::CarriedIn)?;
    let note = format!("carried forward to {to} {}", copy.id);
    record(db, ctx, original, day, Some(note), |closed| {
        closed.status = Status::CarriedForward;
        closed.carried_to = Some(copy.id);
        // A closed item's health is `closed`; a colour pinned earlier would hide that.
        closed.rag_override = None;
        closed.rag_reason = None;
        Ok(Action::CarriedForward)
    })?;
    Ok(copy.id)
}
