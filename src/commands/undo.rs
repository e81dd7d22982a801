//! `strat undo`: takes back the most recent command of the person running
//! it. What it changed is set back by new `undone` changes (so the history
//! keeps both), what it added is removed again, and what it removed comes
//! back whole with its history, which removals keep for this.

use super::item::{load_number, record};
use super::{Ctx, Outcome};
use crate::domain::model::{Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, Tracked};
use crate::domain::vocab::Action;
use crate::error::{Error, Result};
use crate::exchange::{FORMAT_NAME, FORMAT_VERSION, Records, read_records};
use crate::output::shapes::{EventJson, ItemJson, StrategyEventJson, StrategyJson};
use crate::output::views::{field_label, local_time};
use crate::output::{Block, Cell, Doc, JsonOut, Table, View};
use crate::store::{CommandRow, Db, Kept, Store};
use chrono::NaiveDate;
use serde_json::{Value, json};

pub fn run(ctx: &Ctx, store: &mut Store, dry_run: bool) -> Result<Outcome> {
    if dry_run {
        let plan = store.read(|db| plan(db, ctx))?;
        let message = format!(
            "strat undo would take back your {}; nothing was changed.",
            plan.what()
        );
        return Ok(Outcome {
            view: Some(Box::new(plan)),
            message: Some(message),
            ..Outcome::default()
        });
    }
    let plan = store.write(|db| {
        let plan = plan(db, ctx)?;
        apply(db, ctx, &plan)?;
        Ok(plan)
    })?;
    let message = format!("Took back your {}.", plan.what());
    Ok(Outcome::changed(plan, message))
}

/// Removes an item, keeping it and its history for undo.
pub fn remove_item(db: &Db, ctx: &Ctx, item: &Item) -> Result<()> {
    let events = db.events_of(item.id)?;
    let record = document(
        &[],
        std::slice::from_ref(item),
        &events,
        &[],
        ctx.clock.today,
    );
    let commands = json!({ "events": db.commands_of_events(item.id)?, "strategy_events": [] });
    db.keep_removed(&Kept {
        kind: "item".into(),
        name: item.id.0.to_string(),
        record: record.to_string(),
        commands: commands.to_string(),
    })?;
    db.delete_item(item.id)
}

/// Removes a strategy and its items, keeping them and their histories for
/// undo.
pub fn remove_strategy(db: &Db, ctx: &Ctx, strategy: &Strategy) -> Result<()> {
    let code = &strategy.code;
    let events = db.strategy_history(Some(code), None)?;
    let record = document(
        std::slice::from_ref(strategy),
        &[],
        &[],
        &events,
        ctx.clock.today,
    );
    let commands =
        json!({ "events": [], "strategy_events": db.commands_of_strategy_events(code)? });
    db.keep_removed(&Kept {
        kind: "strategy".into(),
        name: code.to_string(),
        record: record.to_string(),
        commands: commands.to_string(),
    })?;
    for item in db.items(Some(code))? {
        remove_item(db, ctx, &item)?;
    }
    db.delete_strategy(code)
}

/// An export document of these records.
fn document(
    strategies: &[Strategy],
    items: &[Item],
    events: &[Event],
    strategy_events: &[StrategyEvent],
    on: NaiveDate,
) -> Value {
    json!({
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "strategies": strategies.iter().map(StrategyJson::from).collect::<Vec<_>>(),
        "items": items.iter().map(|i| ItemJson::new(i, on)).collect::<Vec<_>>(),
        "events": events.iter().map(EventJson::from).collect::<Vec<_>>(),
        "strategy_events": strategy_events.iter().map(StrategyEventJson::from).collect::<Vec<_>>(),
    })
}

/// What taking a command back does, step by step, in the order done.
struct Plan {
    command: CommandRow,
    steps: Vec<Step>,
}

enum Step {
    /// A strategy or an item the command removed, brought back.
    BringBack(Kept),
    /// Fields of an item set back to their values before the command (as
    /// from → to), from the day its change held; notes it added are
    /// withdrawn.
    Restore {
        item: ItemId,
        day: NaiveDate,
        changes: Vec<Change>,
        notes: usize,
    },
    /// The same for a strategy's own details.
    RestoreStrategy {
        code: Code,
        day: NaiveDate,
        changes: Vec<Change>,
        notes: usize,
    },
    /// An item the command added, removed again.
    RemoveAgain(ItemId),
    /// A strategy the command added, removed again.
    RemoveStrategyAgain(Code),
}

impl Plan {
    /// `item update of 2026-12-01 10:15`.
    fn what(&self) -> String {
        format!("{} of {}", self.command.name, local_time(self.command.at))
    }

    /// Each step as (what it is about, what it does), a line each.
    fn lines(&self) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        let notes = |n: usize| crate::domain::text::counted(n as i64, "note", "notes");
        for step in &self.steps {
            match step {
                Step::BringBack(kept) => lines.push((
                    kept_name(kept),
                    "brought back, with its history".to_string(),
                )),
                Step::Restore {
                    item,
                    changes,
                    notes: n,
                    ..
                } => {
                    for c in changes {
                        lines.push((format!("item {item}"), change_line(c)));
                    }
                    if *n > 0 {
                        lines.push((format!("item {item}"), format!("{} withdrawn", notes(*n))));
                    }
                }
                Step::RestoreStrategy {
                    code,
                    changes,
                    notes: n,
                    ..
                } => {
                    for c in changes {
                        lines.push((format!("strategy {code}"), change_line(c)));
                    }
                    if *n > 0 {
                        lines.push((
                            format!("strategy {code}"),
                            format!("{} withdrawn", notes(*n)),
                        ));
                    }
                }
                Step::RemoveAgain(id) => {
                    lines.push((format!("item {id}"), "added by it: removed again".into()))
                }
                Step::RemoveStrategyAgain(code) => lines.push((
                    format!("strategy {code}"),
                    "added by it: removed again".into(),
                )),
            }
        }
        lines
    }
}

fn kept_name(kept: &Kept) -> String {
    match kept.kind.as_str() {
        "item" => format!("item #{}", kept.name),
        kind => format!("{kind} {}", kept.name),
    }
}

/// `progress 60 → 45`.
fn change_line(c: &Change) -> String {
    format!(
        "{} {} → {}",
        field_label(&c.field),
        c.from.as_deref().unwrap_or("—"),
        c.to.as_deref().unwrap_or("—")
    )
}

impl View for Plan {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let steps: Vec<Value> = self
            .lines()
            .into_iter()
            .map(|(what, change)| json!({ "record": what, "change": change }))
            .collect();
        out.value(&json!({
            "command": {
                "name": self.command.name,
                "at": crate::domain::model::format_timestamp(self.command.at),
                "by": self.command.by,
            },
            "steps": steps,
        }))
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let rows = self
            .lines()
            .into_iter()
            .map(|(what, change)| vec![Cell::from(what), Cell::Prose(change)])
            .collect();
        doc.block(Block::Table(Table {
            headers: vec!["record", "change"],
            rows,
        }))
    }
}

/// The steps that take back the person's latest command, or why it cannot
/// be taken back.
fn plan(db: &Db, ctx: &Ctx) -> Result<Plan> {
    let command = db.last_command_of(&ctx.by)?.ok_or_else(|| {
        Error::not_found(format!(
            "nothing of yours to undo: no command by {} has changed the database, or each \
             was taken back already\nSee who changed what with: strat item history ID",
            ctx.by
        ))
    })?;
    let mut steps = Vec::new();
    let removed = db.removed_by(command.id)?;
    // Strategies come back before the items that belong to them.
    let (strategies, items): (Vec<Kept>, Vec<Kept>) =
        removed.into_iter().partition(|k| k.kind == "strategy");
    steps.extend(strategies.into_iter().map(Step::BringBack));
    steps.extend(items.into_iter().map(Step::BringBack));

    let mut again = Vec::new();
    for (id, events) in by_record(db.events_of_command(command.id)?, |e| e.item) {
        let later = db.item_changes_after(id, command.id)?;
        let Some(current) = db.item(id)? else {
            return Err(Error::conflict(format!(
                "item {id}, which your {} changed, was removed since; undo cannot set it back",
                command.name
            )));
        };
        if events.iter().any(|e| e.action.creates()) {
            if let Some(e) = later.first() {
                return Err(changed_since(
                    &format!("item {id}"),
                    None,
                    e.by.as_str(),
                    e.at,
                    &command,
                ));
            }
            again.push(Step::RemoveAgain(id));
            continue;
        }
        let (day, changes, notes) =
            set_back(&events, &later, &current, &format!("item {id}"), &command)?;
        steps.push(Step::Restore {
            item: id,
            day,
            changes,
            notes,
        });
    }
    let mut strategies_again = Vec::new();
    for (code, events) in by_record(db.strategy_events_of_command(command.id)?, |e| {
        e.strategy.clone()
    }) {
        let later = db.strategy_changes_after(&code, command.id)?;
        let what = format!("strategy {code}");
        let current = db
            .strategy(&code)?
            .ok_or_else(|| Error::bug(format!("{what} has events but no row")))?;
        if events.iter().any(|e| e.action.creates()) {
            if let Some(e) = later.first() {
                return Err(changed_since(&what, None, e.by.as_str(), e.at, &command));
            }
            let added: Vec<ItemId> = again
                .iter()
                .filter_map(|s| match s {
                    Step::RemoveAgain(id) => Some(*id),
                    _ => None,
                })
                .collect();
            if let Some(other) = db
                .items(Some(&code))?
                .iter()
                .find(|i| !added.contains(&i.id))
            {
                return Err(Error::conflict(format!(
                    "{what}, added by your {}, has had item {} added since; undo cannot remove it\n\
                     Remove or move that item first.",
                    command.name, other.id
                )));
            }
            strategies_again.push(Step::RemoveStrategyAgain(code));
            continue;
        }
        let (day, changes, notes) = set_back(&events, &later, &current, &what, &command)?;
        steps.push(Step::RestoreStrategy {
            code,
            day,
            changes,
            notes,
        });
    }
    // Items after the links to them are set back (carry-forward), and
    // strategies after their items.
    steps.extend(again);
    steps.extend(strategies_again);
    Ok(Plan { command, steps })
}

/// Events grouped by the record they change, in the order first changed.
fn by_record<E, K: PartialEq>(events: Vec<E>, key: impl Fn(&E) -> K) -> Vec<(K, Vec<E>)> {
    let mut groups: Vec<(K, Vec<E>)> = Vec::new();
    for e in events {
        let k = key(&e);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, list)) => list.push(e),
            None => groups.push((k, vec![e])),
        }
    }
    groups
}

/// The changes that set a record's fields back to their values before the
/// command (present → before), the day the command's first change held
/// from, and how many notes it added; refused when a later command changed
/// one of those fields.
fn set_back<R: Tracked, E: Changed>(
    events: &[E],
    later: &[E],
    current: &R,
    what: &str,
    command: &CommandRow,
) -> Result<(NaiveDate, Vec<Change>, usize)> {
    let mut before: Vec<(&str, Option<&str>)> = Vec::new();
    for c in events.iter().flat_map(|e| e.changes()) {
        if !before.iter().any(|(f, _)| *f == c.field) {
            before.push((&c.field, c.from.as_deref()));
        }
    }
    for (field, _) in &before {
        if let Some(e) = later
            .iter()
            .find(|e| e.changes().iter().any(|c| c.field == *field))
        {
            return Err(changed_since(what, Some(field), e.by(), e.at(), command));
        }
    }
    let changes = before
        .into_iter()
        .filter_map(|(field, was)| {
            let now = current.field(field);
            (now.as_deref() != was).then(|| Change {
                field: field.to_string(),
                from: now,
                to: was.map(str::to_string),
            })
        })
        .collect();
    let day = events
        .iter()
        .map(|e| e.effective())
        .min()
        .expect("a record the command changed has its events");
    let notes = events.iter().filter(|e| e.has_note()).count();
    Ok((day, changes, notes))
}

fn changed_since(
    what: &str,
    field: Option<&str>,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
    command: &CommandRow,
) -> Error {
    let part = field.map_or(String::new(), |f| format!("'s {}", field_label(f)));
    let by = if by == command.by { "you" } else { by };
    Error::conflict(format!(
        "{what}{part} was changed since your {} (by {by}, {}); undo would overwrite that, \
         so nothing was changed\nSet it back by hand if you still want to: see its history.",
        command.name,
        local_time(at)
    ))
}

/// What set-back needs of an item's or a strategy's event.
trait Changed {
    fn changes(&self) -> &[Change];
    fn by(&self) -> &str;
    fn at(&self) -> chrono::DateTime<chrono::Utc>;
    fn effective(&self) -> NaiveDate;
    fn has_note(&self) -> bool;
}

macro_rules! changed {
    ($t:ty) => {
        impl Changed for $t {
            fn changes(&self) -> &[Change] {
                &self.changes
            }
            fn by(&self) -> &str {
                &self.by
            }
            fn at(&self) -> chrono::DateTime<chrono::Utc> {
                self.at
            }
            fn effective(&self) -> NaiveDate {
                self.effective
            }
            fn has_note(&self) -> bool {
                self.note.is_some()
            }
        }
    };
}
changed!(Event);
changed!(StrategyEvent);

/// Carries out the plan in one transaction, then marks the command taken
/// back by this one.
fn apply(db: &Db, ctx: &Ctx, plan: &Plan) -> Result<()> {
    let note = || Some(format!("Takes back {} by {}", plan.what(), plan.command.by));
    for step in &plan.steps {
        match step {
            Step::BringBack(kept) => bring_back(db, ctx, kept, note())?,
            Step::Restore {
                item, day, changes, ..
            } => {
                let current = load_number(db, *item)?;
                record(db, ctx, &current, *day, note(), |after| {
                    set_all(after, changes)?;
                    Ok(Action::Undone)
                })?;
            }
            Step::RestoreStrategy {
                code, day, changes, ..
            } => {
                super::strategy::change(db, ctx, code, *day, Action::Undone, note(), |s| {
                    set_all(s, changes)
                })?;
            }
            Step::RemoveAgain(id) => db.delete_item(*id)?,
            Step::RemoveStrategyAgain(code) => db.delete_strategy(code)?,
        }
    }
    let undo = db
        .command()?
        .ok_or_else(|| Error::bug("an undo runs as a command"))?;
    db.mark_undone(plan.command.id, undo)
}

fn set_all<R: Tracked>(record: &mut R, changes: &[Change]) -> Result<()> {
    for c in changes {
        record
            .set_field(&c.field, c.to.as_deref())
            .map_err(|e| Error::bug(format!("undo cannot set {}: {e}", c.field)))?;
    }
    Ok(())
}

/// Puts back what a removal kept: records under their own numbers, each
/// event under the command that first recorded it; an item also gets an
/// `undone` change saying so.
fn bring_back(db: &Db, ctx: &Ctx, kept: &Kept, note: Option<String>) -> Result<()> {
    let Records {
        strategies,
        items,
        events,
        strategy_events,
    } = read_records(&kept.record, ctx.clock.now)?;
    let commands: Value = serde_json::from_str(&kept.commands)
        .map_err(|e| Error::storage(format!("what a removal kept for undo is damaged: {e}")))?;
    let command_of = |list: &str, id: i64| {
        commands[list].as_array().and_then(|pairs| {
            pairs
                .iter()
                .find(|p| p[0].as_i64() == Some(id))
                .and_then(|p| p[1].as_i64())
        })
    };
    for s in &strategies {
        if db.strategy(&s.code)?.is_some() {
            return Err(Error::conflict(format!(
                "strategy {} was added again since it was removed; undo cannot bring the old one \
                 back\nRemove or rename the new one first.",
                s.code
            )));
        }
        db.insert_strategy(s)?;
    }
    for e in &strategy_events {
        db.restore_strategy_event(e, command_of("strategy_events", e.id))?;
    }
    for item in &items {
        if db.strategy(&item.strategy)?.is_none() {
            return Err(Error::conflict(format!(
                "item {}'s strategy {} was removed since; undo cannot bring the item back",
                item.id, item.strategy
            )));
        }
        if let Some(r) = &item.reference
            && db.ref_taken(&item.strategy, r, None)?
        {
            return Err(Error::conflict(format!(
                "the ref '{r}' of item {} was given to another item of {} since; undo cannot \
                 bring it back\nChange that item's ref first.",
                item.id, item.strategy
            )));
        }
        let mut item = item.clone();
        if let Some(last) = events
            .iter()
            .filter(|e| e.item == item.id)
            .map(|e| e.effective)
            .max()
        {
            item.last_update = last;
        }
        db.insert_item(&item, true)?;
    }
    for e in &events {
        db.restore_event(e, command_of("events", e.id))?;
    }
    for item in &items {
        let back = load_number(db, item.id)?;
        record(
            db,
            ctx,
            &back,
            ctx.clock.today.max(back.last_update),
            note.clone(),
            |_| Ok(Action::Undone),
        )?;
    }
    Ok(())
}
