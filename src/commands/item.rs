//! `strat item add|list|show|update|done|note|history|remove`.

use super::listing::{Order, print_items};
use super::{Ctx, Outcome, not_found_strategy};
use crate::cli::{ItemAddArgs, ItemCommand, ItemFields, ItemListArgs, ItemUpdateArgs, ViewArgs};
use crate::domain::dates::DateExpr;
use crate::domain::health::days_overdue;
use crate::domain::history::{present_with, state_on};
use crate::domain::model::ItemKey;
use crate::domain::model::{Code, Event, Item, ItemId, Progress, StrategyEvent, Tracked};
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
        ItemCommand::Show { id, view } => show(ctx, &mut store, id, view),
        ItemCommand::Update(args) => update(ctx, &mut store, args),
        ItemCommand::Done {
            ids,
            on,
            note,
            effective,
        } => done(ctx, &mut store, &ids, on, note, effective.effective),
        ItemCommand::Note {
            id,
            text,
            effective,
        } => {
            let note = non_empty_note(Some(text))?;
            let day = ctx.effective(effective.effective, ctx.clock.today)?;
            let made = store.write(|db| {
                let item = load(db, &id)?;
                record(db, ctx, &item, day, note.clone(), |_| Ok(Action::Noted))
            })?;
            let message = format!("Noted on {}.", made.item.id);
            Ok(changed(ctx, made.item, message))
        }
        ItemCommand::History { id } => store.read(|db| {
            let item = load(db, &id)?;
            Ok(Outcome::show(EventList(db.events_of(item.id)?)))
        }),
        ItemCommand::Remove { id, yes } => remove(ctx, &mut store, &id, yes),
    }
}

pub fn not_found_item(id: ItemId) -> Error {
    Error::not_found(format!("no item {id}\nFind items with: strat item list"))
}

/// The item numbered `id`, or "not found".
pub fn load_number(db: &Db, id: ItemId) -> Result<Item> {
    db.item(id)?.ok_or_else(|| not_found_item(id))
}

/// The item a person named, by number or by ref; a ref that several
/// strategies use must say which.
pub fn load(db: &Db, key: &ItemKey) -> Result<Item> {
    let (strategy, reference) = match key {
        ItemKey::Number(id) => return load_number(db, *id),
        ItemKey::Ref {
            strategy,
            reference,
        } => (strategy.as_ref(), reference),
    };
    if let Some(code) = strategy
        && db.strategy(code)?.is_none()
    {
        return Err(not_found_strategy(db, code));
    }
    // A ref written as stored is found by the index of refs.
    if let Some(code) = strategy
        && let Some(id) = db.item_with_ref(code, reference)?
    {
        return load_number(db, id);
    }
    match db.items_with_ref(strategy, reference)?.as_slice() {
        [] => Err(Error::not_found(format!(
            "no item with ref '{reference}'{}\nFind items with: strat item list",
            strategy.map(|c| format!(" in {c}")).unwrap_or_default()
        ))),
        [(id, _)] => load_number(db, *id),
        several => Err(Error::invalid(format!(
            "the ref '{reference}' names {} items: {}\nName one as STRATEGY/REF, such as \
             {}/{reference}, or by its number.",
            several.len(),
            several
                .iter()
                .map(|(id, code)| format!("{id} in {code}"))
                .collect::<Vec<_>>()
                .join(", "),
            several[0].1
        ))),
    }
}

/// The items named, each once, in the order first named.
fn load_all(db: &Db, keys: &[ItemKey]) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = Vec::with_capacity(keys.len());
    for key in keys {
        let item = load(db, key)?;
        if !items.iter().any(|i| i.id == item.id) {
            items.push(item);
        }
    }
    Ok(items)
}

/// `#13`, `#13 and #14`, `#13, #14 and #15`.
fn numbers(items: &[&Item]) -> String {
    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
    match ids.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn non_empty_note(note: Option<String>) -> Result<Option<String>> {
    match note {
        Some(n) if n.trim().is_empty() => Err(Error::invalid(
            "the note is empty; write some text, or leave --note out",
        )),
        other => Ok(other),
    }
}

/// What a recorded change did.
pub struct Made {
    /// The item's present state.
    pub item: Item,
    /// False when there was nothing to record (no change, no note).
    pub recorded: bool,
    /// Fields this change set that a change holding from a later day
    /// still overrides in the present state.
    pub overridden: Vec<String>,
}

/// Records a change to `current` that holds from `day`: `edit` turns the
/// item as it stood at the end of that day into what it became, and names
/// the action. The one way an existing item changes.
///
/// The present state takes each field from the change that holds from the
/// latest day, so a late return fills its quarter without undoing what was
/// reported since; every state from `day` on must keep the item's rules.
/// Nothing is recorded when the edit changes nothing and there is no note.
pub fn record(
    db: &Db,
    ctx: &Ctx,
    current: &Item,
    day: NaiveDate,
    note: Option<String>,
    edit: impl FnOnce(&mut Item) -> Result<Action>,
) -> Result<Made> {
    let mut event = Event {
        id: 0,
        item: current.id,
        at: ctx.clock.now.max(current.updated_at),
        effective: day,
        by: ctx.by.clone(),
        action: Action::Updated,
        changes: Vec::new(),
        note,
    };
    // A change that holds from the day of the latest one or later starts
    // from the present state, and is the present state; one that holds
    // from earlier is placed in the history.
    let history = if day < current.last_update {
        let events = db.events_of(current.id)?;
        check_existed(current, &events, day)?;
        Some(events)
    } else {
        None
    };
    let before = match &history {
        None => current.clone(),
        Some(events) => {
            let mut then = state_on::<Item>(events, day)
                .map_err(super::damaged)?
                .ok_or_else(|| Error::bug(format!("item {} has no state on {day}", current.id)))?;
            then.strategy = current.strategy.clone();
            then
        }
    };
    let mut after = before.clone();
    event.action = edit(&mut after)?;
    event.changes = before.diff(&after);
    if event.changes.is_empty() && event.note.is_none() {
        return Ok(Made {
            item: current.clone(),
            recorded: false,
            overridden: Vec::new(),
        });
    }
    let present = match &history {
        None => {
            after.check_consistent()?;
            after.updated_at = event.at;
            after.last_update = day;
            after
        }
        Some(events) => {
            let mut present = present_with::<Item>(events, &event).map_err(|e| {
                Error::conflict(format!(
                    "{e}\nA change that holds from a later day sets that; give --effective \
                     on or after it, or change that day's value too."
                ))
            })?;
            present.strategy = current.strategy.clone();
            present
        }
    };
    let overridden = event
        .changes
        .iter()
        .filter(|c| present.field(&c.field) != c.to)
        .map(|c| c.field.clone())
        .collect();
    db.update_item(&present)?;
    db.insert_event(&event, false)?;
    Ok(Made {
        item: present,
        recorded: true,
        overridden,
    })
}

/// Refuses a change that would hold from before the item existed.
fn check_existed(item: &Item, events: &[Event], day: NaiveDate) -> Result<()> {
    let born = events
        .iter()
        .filter(|e| matches!(e.action, Action::Created | Action::CarriedIn))
        .map(|e| e.effective)
        .min();
    match born {
        Some(born) if day < born => Err(Error::invalid(format!(
            "the change would hold from {day}, before item {} existed (it holds from {born})\n\
             Give --effective on or after {born}, or add the item again with an earlier --effective.",
            item.id
        ))),
        _ => Ok(()),
    }
}

/// What a confirmation adds when a change holding from a later day still
/// decides a field this change set.
fn still_set_later(made: &Made) -> String {
    if made.overridden.is_empty() {
        return String::new();
    }
    format!(
        " A change holding from a later day still sets {}; see strat item history {}.",
        made.overridden.join(", "),
        made.item.id.0
    )
}

/// Stores a new item and its first event (`created`, or `carried-in`),
/// which lists every initial value so the item can be rebuilt from history
/// alone.
pub fn create(
    db: &Db,
    ctx: &Ctx,
    mut item: Item,
    day: NaiveDate,
    note: Option<String>,
    action: Action,
) -> Result<Item> {
    item.created_at = ctx.clock.now;
    item.updated_at = ctx.clock.now;
    item.last_update = day;
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
        effective: day,
        by: ctx.by.clone(),
        action,
        changes: item.creation_changes(),
        note,
    };
    db.insert_event(&event, false)?;
    Ok(item)
}

/// Refuses an item that would hold from before its strategy did.
pub fn check_strategy_held(db: &Db, code: &Code, day: NaiveDate) -> Result<()> {
    refuse_before_held(code, &db.strategy_history(Some(code), None)?, day)
}

/// Refuses a change that would hold from before strategy `code` held, by
/// its history in holding order (its creation first).
pub fn refuse_before_held(code: &Code, history: &[StrategyEvent], day: NaiveDate) -> Result<()> {
    match history.first().map(|e| e.effective) {
        Some(born) if day < born => Err(Error::invalid(format!(
            "--effective {day} is before strategy {code} held (from {born})\n\
             Give a day on or after {born}."
        ))),
        _ => Ok(()),
    }
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
/// completes the item on `day`, the day the change holds from; any other
/// status clears a completion date. Returns true when this completed the
/// item.
fn apply_fields(ctx: &Ctx, item: &mut Item, f: &ItemFields, day: NaiveDate) -> Result<bool> {
    if f.status == Some(Status::CarriedForward) {
        return Err(carried_status_refused());
    }
    if let Some(r) = &f.reference {
        item.reference = text(Some(r.clone()));
    }
    if let Some(t) = &f.theme {
        item.theme = text(Some(t.clone()));
    }
    if let Some(o) = &f.owner {
        item.owner = text(Some(o.clone()));
    }
    if let Some(d) = &f.description {
        item.description = text(Some(d.clone()));
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
        complete(item, day, ctx.clock.today)?;
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

/// The items a command changed: one as `item show` prints it, several as
/// `item list` does.
fn changed_items(ctx: &Ctx, mut items: Vec<Item>, message: String) -> Outcome {
    if items.len() == 1 {
        return changed(ctx, items.remove(0), message);
    }
    Outcome::changed(
        crate::output::views::ItemList {
            items: Box::new(items),
            on: ctx.clock.today,
            outstanding: false,
            notes: Default::default(),
        },
        message,
    )
}

fn add(ctx: &Ctx, store: &mut Store, a: ItemAddArgs) -> Result<Outcome> {
    let day = ctx.effective(a.effective.effective, ctx.clock.today)?;
    let mut item = Item::blank(ItemId(0), a.strategy.clone(), ctx.clock.now);
    item.title = text(Some(a.title)).ok_or_else(|| Error::invalid("the title cannot be empty"))?;
    apply_fields(ctx, &mut item, &a.fields, day)?;
    let note = non_empty_note(a.note)?;
    let item = store.write(|db| {
        if db.strategy(&a.strategy)?.is_none() {
            return Err(not_found_strategy(db, &a.strategy));
        }
        if day < ctx.clock.today {
            check_strategy_held(db, &a.strategy, day)?;
        }
        create(db, ctx, item.clone(), day, note.clone(), Action::Created)
    })?;
    let message = format!("Added {} to {}: {}", item.id, item.strategy, item.title);
    Ok(changed(ctx, item, message))
}

fn list(ctx: &Ctx, mut store: Store, a: ItemListArgs, out: &mut Printer) -> Result<Outcome> {
    let as_of = ctx.view(a.view)?;
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

fn show(ctx: &Ctx, store: &mut Store, key: ItemKey, view: ViewArgs) -> Result<Outcome> {
    let as_of = ctx.view(view)?;
    store.read(|db| {
        let current = load(db, &key)?;
        let id = current.id;
        let mut events = db.events_of(id)?;
        let item = match as_of.seen {
            None => current,
            Some(seen) => {
                events.retain(|e| seen.takes(e));
                let mut then = state_on::<Item>(&events, seen.day)
                    .map_err(super::damaged)?
                    .ok_or_else(|| {
                        Error::not_found(format!(
                            "item {id} did not exist yet at the end of {}",
                            as_of.day
                        ))
                    })?;
                then.strategy = current.strategy;
                then
            }
        };
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
    if let Some(RagSetting::Pin(rag)) = a.rag
        && a.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(Error::invalid(format!(
            "--rag {rag} pins the health, and needs the reason why\n\
             Add --reason \"…\" (it is shown beside the health), or use --rag auto."
        )));
    }
    let day = ctx.effective(a.effective.effective, ctx.clock.today)?;
    let made = store.write(|db| {
        let mut made = Vec::new();
        for current in load_all(db, &a.ids)? {
            if current.status == Status::CarriedForward && changes_asked {
                return Err(Error::conflict(format!(
                    "item {} was carried forward to {}; update that item instead (notes are still welcome here)",
                    current.id,
                    current
                        .carried_to
                        .map_or("another strategy".into(), |i| i.to_string())
                )));
            }
            made.push(record(db, ctx, &current, day, note.clone(), |after| {
                let before = after.clone();
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
                let completed = apply_fields(ctx, after, &f, day)?;
                if let Some(r) = &after.reference
                    && before.reference.as_ref() != Some(r)
                    && db.ref_taken(&after.strategy, r, Some(after.id))?
                {
                    return Err(ref_conflict(after, r));
                }
                Ok(if completed {
                    Action::Completed
                } else if before.diff(after).is_empty() {
                    Action::Noted
                } else {
                    Action::Updated
                })
            })?);
        }
        Ok(made)
    })?;
    let (done, same): (Vec<&Made>, Vec<&Made>) = made.iter().partition(|m| m.recorded);
    let items = |of: &[&Made]| numbers(&of.iter().map(|m| &m.item).collect::<Vec<_>>());
    let message = if done.is_empty() {
        match same.as_slice() {
            [one] => format!(
                "Nothing changed: item {} already has those values.",
                one.item.id
            ),
            _ => format!(
                "Nothing changed: items {} already have those values.",
                items(&same)
            ),
        }
    } else {
        let holding = if day != ctx.clock.today {
            format!(", holding from {day}")
        } else {
            String::new()
        };
        let unchanged = if same.is_empty() {
            String::new()
        } else {
            format!(" ({} already had those values)", items(&same))
        };
        let later: String = done.iter().map(|m| still_set_later(m)).collect();
        format!("Updated {}{holding}{unchanged}.{later}", items(&done))
    };
    Ok(changed_items(
        ctx,
        made.into_iter().map(|m| m.item).collect(),
        message,
    ))
}

fn done(
    ctx: &Ctx,
    store: &mut Store,
    keys: &[ItemKey],
    on: Option<DateExpr>,
    note: Option<String>,
    effective: Option<DateExpr>,
) -> Result<Outcome> {
    let on = on
        .map(|d| ctx.date("--on", d))
        .transpose()?
        .unwrap_or(ctx.clock.today);
    if on > ctx.clock.today {
        return Err(Error::invalid(format!(
            "the completion date {on} is in the future; give a date up to today"
        )));
    }
    // A completion holds from the day it happened.
    let day = ctx.effective(effective, on)?;
    if on > day {
        return Err(Error::invalid(format!(
            "the completion date {on} is after --effective {day}, the day the change holds \
             from\nLeave --effective out, or give a day on or after {on}."
        )));
    }
    let note = non_empty_note(note)?;
    let made = store.write(|db| {
        let mut made = Vec::new();
        for current in load_all(db, keys)? {
            let id = current.id;
            if !current.status.is_outstanding() {
                let when = current
                    .completed_on
                    .map(|d| format!(" on {d}"))
                    .unwrap_or_default();
                return Err(Error::conflict(format!(
                    "item {id} is already {}{when}; only outstanding items can be completed",
                    current.status
                )));
            }
            made.push(record(db, ctx, &current, day, note.clone(), |after| {
                if !after.status.is_outstanding() {
                    return Err(Error::conflict(format!(
                        "item {id} was already {} on {day}; only outstanding items can be \
                         completed",
                        after.status
                    )));
                }
                complete(after, on, ctx.clock.today)?;
                Ok(Action::Completed)
            })?);
        }
        Ok(made)
    })?;
    let later: String = made.iter().map(still_set_later).collect();
    let message = format!(
        "Completed {} on {on}.{later}",
        numbers(&made.iter().map(|m| &m.item).collect::<Vec<_>>()),
    );
    Ok(changed_items(
        ctx,
        made.into_iter().map(|m| m.item).collect(),
        message,
    ))
}

/// Asks on the terminal whether to go on; false unless the answer is yes.
fn confirmed(question: &str) -> Result<bool> {
    use std::io::{BufRead, Write};
    let mut err = std::io::stderr();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// The item named, if it may be removed: one linked by carry-forward may
/// not, since the other side's history needs it.
fn removable(db: &Db, key: &ItemKey) -> Result<Item> {
    let item = load(db, key)?;
    if let Some(other) = item.carried_from.or(item.carried_to) {
        return Err(Error::conflict(format!(
            "item {} is linked by carry-forward to {other}, whose history needs it; \
             it cannot be removed\nTo stop tracking it, set --status cancelled.",
            item.id
        )));
    }
    Ok(item)
}

fn remove(ctx: &Ctx, store: &mut Store, key: &ItemKey, yes: bool) -> Result<Outcome> {
    use std::io::IsTerminal;
    if !yes {
        let (item, events) = store.read(|db| {
            let item = removable(db, key)?;
            let events = db.events_of(item.id)?.len();
            Ok((item, events))
        })?;
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::invalid(format!(
                "item remove deletes item {} and its history; it asks first, and cannot ask \
                 here\nAdd --yes to remove it without asking.",
                item.id
            )));
        }
        let question = format!(
            "Remove item {} \"{}\" of {}, and its history of {}?",
            item.id,
            crate::output::shown_label(&item.title),
            item.strategy,
            crate::domain::text::counted(events as i64, "change", "changes")
        );
        if !confirmed(&question)? {
            return Ok(
                Outcome::default().said(format!("Kept item {}; nothing was removed.", item.id))
            );
        }
    }
    let id = store.write(|db| {
        let item = removable(db, key)?;
        super::undo::remove_item(db, ctx, &item)?;
        Ok(item.id)
    })?;
    Ok(Outcome::default().said(format!(
        "Removed item {id} and its history (strat undo brings it back)."
    )))
}
