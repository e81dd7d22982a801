//! `import FILE.csv --strategy CODE [--update]`: a spreadsheet's rows
//! added to a strategy as items, or, as a quarterly return, applied to the
//! items they name. Every row is checked before anything is written; each
//! item is added or changed through the same path as `item add` and `item
//! update`, so its history records the row's note and the day it holds
//! from.

use super::item::{create, load_number, record};
use super::{Ctx, Outcome, not_found_strategy};
use crate::cli::ImportArgs;
use crate::domain::fields::FieldInput;
use crate::domain::model::{Change, Code, Item, ItemId, Progress, Tracked};
use crate::domain::text::counted;
use crate::domain::vocab::{Action, Status};
use crate::error::{Error, Result};
use crate::exchange::sheet::{Row, Sheet, known_columns};
use crate::output::views::field_label;
use crate::output::{Block, Cell, Doc, JsonOut, Table, View};
use crate::store::{Db, Location, Store};
use chrono::NaiveDate;
use serde_json::json;

/// One change an import makes, as (place, item, what): `line 4`, `#2`,
/// `progress 40 → 60`.
type Line = (String, String, String);

/// What one row does.
#[derive(Debug)]
enum Plan {
    Add(Item),
    Change { item: Item, changes: Vec<Change> },
    Same,
}

/// The rows' plans, each with the row.
struct Planned<'s> {
    rows: Vec<(&'s Row, Plan)>,
}

pub fn import(
    ctx: &Ctx,
    place: &Location,
    args: &ImportArgs,
    code: &Code,
    sheet: Sheet,
) -> Result<Outcome> {
    if sheet.rows.is_empty() && !sheet.problems.is_empty() {
        return Err(Error::bad_records(sheet.problems.clone())
            .with_hint(format!("Columns strat reads: {}.", known_columns())));
    }
    if !place.exists() {
        return Err(Error::not_found(format!(
            "no strat database at {place}\nCreate one, and the strategy, first: strat strategy add {code} …"
        )));
    }
    let day = ctx.effective(args.effective.effective, ctx.clock.today)?;
    let mut store = if args.dry_run {
        Store::open_for_reading(place)?
    } else {
        Store::open_existing(place, true)?
    };
    store.acting(ctx.doer("import"));
    let apply = |db: &Db| -> Result<(Vec<Line>, [usize; 3])> {
        if db.strategy(code)?.is_none() {
            return Err(not_found_strategy(db, code));
        }
        let planned = plan(db, ctx, code, &sheet, args.update, day)?;
        let said = (planned.lines(), planned.counts());
        if !args.dry_run {
            write(db, ctx, code, planned, day)?;
        }
        Ok(said)
    };
    // A dry run makes the same checks inside a transaction it rolls back.
    let (lines, [added, changed, unchanged]) = store.load(!args.dry_run, apply)?;
    let mut said = sheet.warnings.clone();
    let what = format!(
        "{} added, {} changed, {} unchanged",
        counted(added as i64, "item", "items"),
        counted(changed as i64, "item", "items"),
        unchanged
    );
    said.push(if args.dry_run {
        format!(
            "{} is valid: {what} (held from {day}). Nothing was changed.",
            args.file.display()
        )
    } else {
        format!("Imported {} into {code}: {what}.", args.file.display())
    });
    let outcome = Outcome::default().said(said.join("\n"));
    Ok(match args.dry_run {
        true => Outcome {
            view: Some(Box::new(Changes(lines))),
            ..outcome
        },
        false => outcome,
    })
}

/// Decides what each row does, refusing the sheet if any row is bad: every
/// bad cell is named, by row and column, before anything is written.
fn plan<'s>(
    db: &Db,
    ctx: &Ctx,
    code: &Code,
    sheet: &'s Sheet,
    update: bool,
    day: NaiveDate,
) -> Result<Planned<'s>> {
    let mut problems = sheet.problems.clone();
    let mut rows = Vec::new();
    let mut refs: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for row in &sheet.rows {
        if let Some(other) = &row.strategy
            && other != code
        {
            problems.push(format!(
                "{}, column {}: '{other}' is not --strategy {code}",
                row.place.at(),
                row.header("strategy")
            ));
            continue;
        }
        if let Some(r) = &row.reference
            && !refs.insert(r.as_str())
        {
            problems.push(format!(
                "{}, column {}: '{r}' appears twice in the file",
                row.place.at(),
                row.header("ref")
            ));
            continue;
        }
        let existing = matching(db, code, row, update)?;
        let before = match &existing {
            Some(item) => item.clone(),
            None => Item::blank(ItemId(0), code.clone(), ctx.clock.now),
        };
        let mut after = before.clone();
        problems.extend(row.problems.iter().cloned());
        if let Err(why) = apply(&mut after, row, day, existing.is_some()) {
            problems.extend(why);
            continue;
        }
        rows.push((
            row,
            match existing {
                None => Plan::Add(after),
                Some(item) => {
                    let changes = item.diff(&after);
                    if changes.is_empty() && row.note.is_none() {
                        Plan::Same
                    } else {
                        if item.status == Status::CarriedForward && !changes.is_empty() {
                            return Err(Error::conflict(format!(
                                "{}: item {} was carried forward to {}; update that item instead",
                                row.place.at(),
                                item.id,
                                item.carried_to
                                    .map_or("another strategy".into(), |i| i.to_string())
                            )));
                        }
                        Plan::Change {
                            item: after,
                            changes,
                        }
                    }
                }
            },
        ));
    }
    if !problems.is_empty() {
        return Err(Error::bad_records(problems));
    }
    Ok(Planned { rows })
}

/// The item a row names: by number, else by ref, within `code`. Without
/// `--update`, a row naming an item of the strategy is a conflict.
fn matching(db: &Db, code: &Code, row: &Row, update: bool) -> Result<Option<Item>> {
    let by_id = match row.id.filter(|_| update) {
        Some(id) => match db.item(id)? {
            Some(item) if &item.strategy == code => Some(item),
            Some(item) => {
                return Err(Error::conflict(format!(
                    "{}, column {}: item {id} belongs to {}, not {code}\nImport it with \
                     --strategy {}, or clear the cell to add the row as a new item.",
                    row.place.at(),
                    row.header("id"),
                    item.strategy,
                    item.strategy
                )));
            }
            None => None,
        },
        None => None,
    };
    if by_id.is_some() {
        return Ok(by_id);
    }
    let Some(reference) = &row.reference else {
        return Ok(None);
    };
    match db.item_with_ref(code, reference)? {
        Some(id) if update => Ok(Some(load_number(db, id)?)),
        Some(id) => Err(Error::conflict(format!(
            "{}, column {}: strategy {code} already has '{reference}' (item {id})\nImport with \
             --update to apply the file to the items it names.",
            row.place.at(),
            row.header("ref")
        ))),
        None => Ok(None),
    }
}

/// Sets the fields a row gives; `None` for an empty cell clears a field
/// (an empty status or progress leaves it as it is: a new item's is
/// planned, at 0%). A row completed with no completion date is completed,
/// at 100%, on the day the import holds from. Every bad cell is named.
fn apply(
    item: &mut Item,
    row: &Row,
    day: NaiveDate,
    existing: bool,
) -> std::result::Result<(), Vec<String>> {
    let at = |field: &str, why: &dyn std::fmt::Display| {
        let why = why.to_string();
        // The field table's messages may start with the field's name.
        let why = why.strip_prefix(&format!("{field}: ")).unwrap_or(&why);
        format!("{}, column {}: {why}", row.place.at(), row.header(field))
    };
    let mut problems = Vec::new();
    let was_completed = item.status == Status::Completed;
    for (field, value) in &row.cells {
        // Numbers, strategies and moments are the item's own; health is
        // computed; links are made by carry-forward.
        if matches!(
            field.name,
            "id" | "strategy" | "created_at" | "updated_at" | "carried_from" | "carried_to"
        ) {
            continue;
        }
        let Some(set) = field.set else { continue };
        if value.is_none() && matches!(field.name, "status" | "progress") {
            continue;
        }
        if value.is_none() && field.name == "title" {
            problems.push(at("title", &"is required"));
            continue;
        }
        if let Err(e) = set(item, value.as_deref().map(FieldInput::Text)) {
            problems.push(at(field.name, &e));
        }
    }
    if !existing && item.title.trim().is_empty() && row.value("title").is_none() {
        problems.push(at(
            "title",
            &"is required: the row names no item of the strategy, so it adds one",
        ));
    }
    if item.status == Status::CarriedForward && !existing {
        problems.push(at(
            "status",
            &"only strat carry-forward sets carried-forward",
        ));
    }
    if !problems.is_empty() || !row.problems.is_empty() {
        return Err(problems);
    }
    if item.status == Status::Completed && item.completed_on.is_none() {
        item.completed_on = Some(day);
        item.progress = Progress::DONE;
    }
    if item.status != Status::Completed && was_completed && row.value("completed_on").is_none() {
        item.completed_on = None;
    }
    item.check_consistent()
        .map_err(|e| vec![format!("{}: {e}", row.place.at())])
}

/// Writes the plan: new items with their creation, changed ones with one
/// change each holding from `day`.
fn write(db: &Db, ctx: &Ctx, code: &Code, planned: Planned, day: NaiveDate) -> Result<()> {
    if day < ctx.clock.today {
        super::item::check_strategy_held(db, code, day)?;
    }
    for (row, plan) in planned.rows {
        let place = |e: Error| match e.kind() {
            crate::error::Kind::Invalid | crate::error::Kind::Conflict => {
                Error::new(e.kind(), format!("{}: {}", row.place.at(), e))
            }
            _ => e,
        };
        match plan {
            Plan::Same => {}
            Plan::Add(item) => {
                create(db, ctx, item, day, row.note.clone(), Action::Created).map_err(place)?;
            }
            Plan::Change { item, .. } => {
                let current = load_number(db, item.id)?;
                // The row is applied to the item as it stood on `day`, so a
                // late return changes only what it gives.
                record(db, ctx, &current, day, row.note.clone(), |after| {
                    let before = after.clone();
                    apply(after, row, day, true).map_err(|p| Error::invalid(p.join("; ")))?;
                    let completed =
                        after.status == Status::Completed && before.status != Status::Completed;
                    Ok(match (completed, before.diff(after).is_empty()) {
                        (true, _) => Action::Completed,
                        (false, true) => Action::Noted,
                        (false, false) => Action::Updated,
                    })
                })
                .map_err(place)?;
            }
        }
    }
    Ok(())
}

impl Planned<'_> {
    /// How many rows add, change and leave an item as it is.
    fn counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for (_, plan) in &self.rows {
            counts[match plan {
                Plan::Add(_) => 0,
                Plan::Change { .. } => 1,
                Plan::Same => 2,
            }] += 1;
        }
        counts
    }

    /// Each change the rows make.
    fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        for (row, plan) in &self.rows {
            let place = row.place.at();
            match plan {
                Plan::Same => {}
                Plan::Add(item) => {
                    lines.push((place, "new".into(), format!("add \"{}\"", item.title)))
                }
                Plan::Change { item, changes } => {
                    for c in changes {
                        lines.push((
                            place.clone(),
                            item.id.to_string(),
                            format!(
                                "{} {} → {}",
                                field_label(&c.field),
                                c.from.as_deref().unwrap_or("—"),
                                c.to.as_deref().unwrap_or("—")
                            ),
                        ));
                    }
                    if let Some(note) = &row.note {
                        lines.push((place.clone(), item.id.to_string(), format!("note: {note}")));
                    }
                }
            }
        }
        lines
    }
}

/// What an import would do, for `--dry-run`.
struct Changes(Vec<Line>);

impl View for Changes {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let rows: Vec<_> = self
            .0
            .iter()
            .map(|(place, item, change)| json!({"row": place, "item": item, "change": change}))
            .collect();
        out.value(&rows)
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        doc.block(Block::Table(Table {
            headers: vec!["row", "item", "change"],
            rows: self
                .0
                .iter()
                .map(|(place, item, change)| {
                    vec![
                        Cell::from(place.as_str()),
                        Cell::from(item.as_str()),
                        Cell::Prose(change.clone()),
                    ]
                })
                .collect(),
        }))
    }
}
