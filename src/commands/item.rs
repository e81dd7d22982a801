//! `strat item add|list|show|update|done|note|history|remove`.

use super::listing::{Order, print_items};
use super::{Ctx, Outcome, not_found_strategy};
use crate::cli::{ItemAddArgs, ItemCommand, ItemFields, ItemListArgs, ItemUpdateArgs};
use crate::domain::dates::DateExpr;
use crate::domain::health::days_overdue;
use crate::domain::history::rebuild;
use crate::domain::model::{Event, Item, ItemId, Progress, Tracked};
use crate::domain::vocab::{Action, RagSetting, Status};
use crate::error::{Error, Result};
use crate::output::Printer;
use crate::output::views::{EventList, ItemDetail};
use crate::store::{Db, Store};
use chrono::NaiveDate;

pub fn run(ctx: &Ctx, mut store: Store, cmd: ItemCommand, out: &mut Printer) -> Result<Outcome> {
    match cmd {
        ItemCommand::Add(args) => add(ctx, &mut store, args),
        ItemCommand::List(args) => list(ctx, store, args, out),
        ItemCommand::Show { id, as_of } => show(ctx, &mut store, id, as_of),
        ItemCommand::Update(args) => update(ctx, &mut store, args),
        ItemCommand::Done { id, on, note } => done(ctx, &mut store, id, on, note),
        ItemCommand::Note { id, text } => {
            let note = non_empty_note(Some(text))?;
            let item = store.write(|db| {
                let item = load(db, id)?;
                record(db, ctx, &item, item.clone(), Action::Noted, note)
            })?;
            let message = format!("Noted on {}.", item.id);
            Ok(changed(ctx, item, message))
        }
        ItemCommand::History { id } => store.read(|db| {
            load(db, id)?;
            Ok(Outcome::show(EventList(db.events_of(id)?)))
        }),
        ItemCommand::Remove { id } => remove(&mut store, id),
    }
}

pub fn not_found_item(id: ItemId) -> Error {
    Error::not_found(format!("no item {id}\nFind items with: strat item list"))
}

/// The item, or "not found".
pub fn load(db: &Db, id: ItemId) -> Result<Item> {
    db.item(id)?.ok_or_else(|| not_found_item(id))
}

fn non_empty_note(note: Option<String>) -> Result<Option<String>> {
    match note {
        Some(n) if n.trim().is_empty() => Err(Error::invalid(
            "the note is empty; write some text, or leave --note out",
        )),
        other => Ok(other),
    }
}

/// Writes `after` over `before` and records the event that explains the
/// difference. The one way an existing item changes.
pub fn record(
    db: &Db,
    ctx: &Ctx,
    before: &Item,
    mut after: Item,
    action: Action,
    note: Option<String>,
) -> Result<Item> {
    after.updated_at = ctx.clock.now.max(before.updated_at);
    after.check_consistent()?;
    let event = Event {
        id: 0,
        item: after.id,
        at: after.updated_at,
        by: ctx.by.clone(),
        action,
        changes: before.diff(&after),
        note,
    };
    db.update_item(&after)?;
    db.insert_event(&event, false)?;
    Ok(after)
}

/// Stores a new item and its first event (`created`, or `carried-in`),
/// which lists every initial value so the item can be rebuilt from history
/// alone.
pub fn create(
    db: &Db,
    ctx: &Ctx,
    mut item: Item,
    note: Option<String>,
    action: Action,
) -> Result<Item> {
    item.created_at = ctx.clock.now;
    item.updated_at = ctx.clock.now;
    item.check_consistent()?;
    if let Some(r) = &item.reference
        && db.ref_taken(&item.strategy, r, None)?
    {
        return Err(ref_conflict(&item, r));
    }
    item.id = db.insert_item(&item, false)?;
    let event = Event {
        id: 0,
        item: item.id,
        at: item.created_at,
        by: ctx.by.clone(),
        action,
        changes: item.creation_changes(),
        note,
    };
    db.insert_event(&event, false)?;
    Ok(item)
}

fn ref_conflict(item: &Item, r: &str) -> Error {
    Error::conflict(format!(
        "strategy {} already has an item with ref '{r}'\nChoose another --ref.",
        item.strategy
    ))
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Completion: the date, progress 100, and a hand-set health let go,
/// since a delivered item's health is `complete`.
fn complete(item: &mut Item, on: NaiveDate, today: NaiveDate) -> Result<()> {
    if on > today {
        return Err(Error::invalid(format!(
            "the completion date {on} is in the future; give a date up to today"
        )));
    }
    if let Some(start) = item.start
        && on < start
    {
        return Err(Error::invalid(format!(
            "the completion date {on} is before the item started ({start}); check --on"
        )));
    }
    item.status = Status::Completed;
    item.completed_on = Some(on);
    item.progress = Progress::DONE;
    item.rag_override = None;
    item.rag_reason = None;
    Ok(())
}

fn check_dates(start: Option<NaiveDate>, due: Option<NaiveDate>) -> Result<()> {
    match (start, due) {
        (Some(s), Some(d)) if d < s => Err(Error::invalid(format!(
            "the target date {d} is before the start {s}; give a --due on or after --start"
        ))),
        _ => Ok(()),
    }
}

fn carried_status_refused() -> Error {
    Error::conflict(
        "only strat carry-forward sets the status carried-forward\n\
         Run: strat carry-forward FROM TO --item ID",
    )
}

/// Applies the field flags of `add` and `update` to an item, with the
/// status rules: only carry-forward sets `carried-forward`; `completed`
/// completes the item today; any other status clears a completion date.
/// Returns true when this completed the item.
fn apply_fields(ctx: &Ctx, item: &mut Item, f: ItemFields) -> Result<bool> {
    if f.status == Some(Status::CarriedForward) {
        return Err(carried_status_refused());
    }
    if let Some(r) = f.reference {
        item.reference = text(Some(r));
    }
    if let Some(t) = f.theme {
        item.theme = text(Some(t));
    }
    if let Some(o) = f.owner {
        item.owner = text(Some(o));
    }
    if let Some(d) = f.description {
        item.description = text(Some(d));
    }
    if let Some(d) = f.start {
        item.start = Some(ctx.date("--start", d)?);
    }
    if let Some(d) = f.due {
        item.due = Some(ctx.date("--due", d)?);
    }
    check_dates(item.start, item.due)?;
    if let Some(p) = f.progress {
        item.progress = p;
    }
    let completes = f.status == Some(Status::Completed) && item.status != Status::Completed;
    if completes {
        if f.progress.is_some_and(|p| p != Progress::DONE) {
            return Err(Error::invalid(
                "a completed item has progress 100; leave --progress out",
            ));
        }
        complete(item, ctx.clock.today, ctx.clock.today)?;
    } else if let Some(s) = f.status.filter(|s| *s != Status::Completed) {
        item.status = s;
        item.completed_on = None;
    }
    if item.status == Status::Completed && item.progress != Progress::DONE {
        return Err(Error::invalid(
            "a completed item has progress 100; reopen it with --status in-progress first",
        ));
    }
    Ok(completes)
}

/// The changed item for `--format json`, with the confirmation message.
fn changed(ctx: &Ctx, item: Item, message: String) -> Outcome {
    Outcome::changed(
        ItemDetail {
            item,
            on: ctx.clock.today,
            events: Vec::new(),
        },
        message,
    )
}

fn add(ctx: &Ctx, store: &mut Store, a: ItemAddArgs) -> Result<Outcome> {
    let mut item = Item::blank(ItemId(0), a.strategy.clone(), ctx.clock.now);
    item.title = text(Some(a.title)).ok_or_else(|| Error::invalid("the title cannot be empty"))?;
    apply_fields(ctx, &mut item, a.fields)?;
    let note = non_empty_note(a.note)?;
    let item = store.write(|db| {
        if db.strategy(&a.strategy)?.is_none() {
            return Err(not_found_strategy(&a.strategy));
        }
        create(db, ctx, item, note, Action::Created)
    })?;
    let message = format!("Added {} to {}: {}", item.id, item.strategy, item.title);
    Ok(changed(ctx, item, message))
}

fn list(ctx: &Ctx, mut store: Store, a: ItemListArgs, out: &mut Printer) -> Result<Outcome> {
    let as_of = ctx.as_of(a.as_of)?;
    let due_before = a
        .due_before
        .map(|d| ctx.date("--due-before", d))
        .transpose()?;
    let search = a.search.map(|s| s.to_lowercase());
    let contains = |field: &Option<String>, needle: &str| {
        field
            .as_deref()
            .is_some_and(|f| f.to_lowercase().contains(needle))
    };
    let day = as_of.day;
    let (status, picks, overdue) = (a.status, a.picks.picks(), a.overdue);
    let keep = move |i: &Item| {
        (status.is_empty() || status.contains(&i.status))
            && picks.keeps(i, day)
            && (!overdue || days_overdue(i, day) > 0)
            && due_before.is_none_or(|d| i.due.is_some_and(|due| due < d))
            && search.as_ref().is_none_or(|s| {
                i.title.to_lowercase().contains(s.as_str())
                    || contains(&i.description, s)
                    || contains(&i.reference, s)
            })
    };
    print_items(&mut store, a.strategies, as_of, Order::Number, keep, out)?;
    Ok(Outcome::default())
}

fn show(ctx: &Ctx, store: &mut Store, id: ItemId, as_of: Option<DateExpr>) -> Result<Outcome> {
    let as_of = ctx.as_of(as_of)?;
    store.read(|db| {
        let current = load(db, id)?;
        let events = db.events_of(id)?;
        let item = match as_of.cutoff {
            None => current,
            Some(cutoff) => {
                let past: Vec<_> = events
                    .iter()
                    .filter(|e| e.at < cutoff)
                    .map(|e| (current.strategy.clone(), e.clone()))
                    .collect();
                rebuild(past)
                    .map_err(super::damaged)?
                    .pop()
                    .ok_or_else(|| {
                        Error::not_found(format!(
                            "item {id} did not exist yet at the end of {}",
                            as_of.day
                        ))
                    })?
            }
        };
        let events = events
            .into_iter()
            .filter(|e| as_of.cutoff.is_none_or(|c| e.at < c))
            .collect();
        Ok(Outcome::show(ItemDetail {
            item,
            on: as_of.day,
            events,
        }))
    })
}

fn update(ctx: &Ctx, store: &mut Store, a: ItemUpdateArgs) -> Result<Outcome> {
    let title = match a.title {
        Some(t) => Some(text(Some(t)).ok_or_else(|| Error::invalid("the title cannot be empty"))?),
        None => None,
    };
    let note = non_empty_note(a.note)?;
    let f = a.fields;
    let changes_asked = title.is_some()
        || a.rag.is_some()
        || f.reference.is_some()
        || f.theme.is_some()
        || f.owner.is_some()
        || f.status.is_some()
        || f.progress.is_some()
        || f.start.is_some()
        || f.due.is_some()
        || f.description.is_some();
    if !changes_asked && note.is_none() {
        return Err(Error::invalid(
            "nothing to change: give a field to change (--status, --progress, --due, …) or --note",
        ));
    }
    let item = store.write(|db| {
        let before = load(db, a.id)?;
        if before.status == Status::CarriedForward && changes_asked {
            return Err(Error::conflict(format!(
                "item {} was carried forward to {}; update that item instead (notes are still welcome here)",
                before.id,
                before
                    .carried_to
                    .map_or("another strategy".into(), |i| i.to_string())
            )));
        }
        let mut after = before.clone();
        if let Some(t) = &title {
            after.title = t.clone();
        }
        match a.rag {
            Some(RagSetting::Pin(r)) => {
                after.rag_override = Some(r);
                after.rag_reason = text(a.reason.clone());
            }
            Some(RagSetting::Auto) => {
                after.rag_override = None;
                after.rag_reason = None;
            }
            None => {}
        }
        let completed = apply_fields(ctx, &mut after, f)?;
        if let Some(r) = &after.reference
            && before.reference.as_ref() != Some(r)
            && db.ref_taken(&after.strategy, r, Some(after.id))?
        {
            return Err(ref_conflict(&after, r));
        }
        let action = if completed {
            Action::Completed
        } else if before.diff(&after).is_empty() {
            if note.is_none() {
                return Err(Error::invalid(format!(
                    "nothing changed: item {} already has those values",
                    before.id
                )));
            }
            Action::Noted
        } else {
            Action::Updated
        };
        record(db, ctx, &before, after, action, note.clone())
    })?;
    let message = format!("Updated {}.", item.id);
    Ok(changed(ctx, item, message))
}

fn done(
    ctx: &Ctx,
    store: &mut Store,
    id: ItemId,
    on: Option<DateExpr>,
    note: Option<String>,
) -> Result<Outcome> {
    let on = on
        .map(|d| ctx.date("--on", d))
        .transpose()?
        .unwrap_or(ctx.clock.today);
    let note = non_empty_note(note)?;
    let item = store.write(|db| {
        let before = load(db, id)?;
        if !before.status.is_outstanding() {
            let when = before
                .completed_on
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            return Err(Error::conflict(format!(
                "item {id} is already {}{when}; only outstanding items can be completed",
                before.status
            )));
        }
        let mut after = before.clone();
        complete(&mut after, on, ctx.clock.today)?;
        record(db, ctx, &before, after, Action::Completed, note)
    })?;
    let message = format!("Completed {} on {on}.", item.id);
    Ok(changed(ctx, item, message))
}

fn remove(store: &mut Store, id: ItemId) -> Result<Outcome> {
    store.write(|db| {
        let item = load(db, id)?;
        if let Some(other) = item.carried_from.or(item.carried_to) {
            return Err(Error::conflict(format!(
                "item {id} is linked by carry-forward to {other}, whose history needs it; \
                 it cannot be removed\nTo stop tracking it, set --status cancelled."
            )));
        }
        db.delete_item(id)
    })?;
    Ok(Outcome::default().said(format!("Removed item {id} and its history.")))
}
