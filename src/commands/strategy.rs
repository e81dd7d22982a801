//! `strat strategy add|list|show|edit|remove`.

use super::{Ctx, Outcome, items_as_of, not_found_strategy, stale_line, strategies_as_of};
use crate::cli::{StrategyCommand, StrategyFields};
use crate::domain::dates::DateExpr;
use crate::domain::dates::Period;
use crate::domain::history::{present_with, state_on};
use crate::domain::model::{Change, Code, Strategy, StrategyEvent, Tracked};
use crate::domain::summary::Summary;
use crate::domain::text::counted;
use crate::domain::vocab::{Action, StrategyStatus};
use crate::error::{Error, Result};
use crate::output::views::{StrategyDetail, StrategyList};
use crate::store::{Db, Store};
use chrono::NaiveDate;

pub fn run(ctx: &Ctx, store: &mut Store, cmd: StrategyCommand) -> Result<Outcome> {
    match cmd {
        StrategyCommand::Add {
            code,
            fields,
            effective,
        } => add(ctx, store, code, fields, effective),
        StrategyCommand::List => Ok(Outcome::show(StrategyList(
            store.read(|db| db.strategies())?,
        ))),
        StrategyCommand::Show { code, view } => {
            let as_of = ctx.view(view)?;
            store.read(|db| {
                let code = std::slice::from_ref(&code);
                let strategy = strategies_as_of(db, code, as_of)?.remove(0);
                let items = items_as_of(db, code, as_of)?;
                let summary = Summary::of(
                    &items,
                    strategy.period,
                    as_of.day,
                    stale_line(as_of.day, None)?,
                );
                Ok(Outcome::show(StrategyDetail { strategy, summary }))
            })
        }
        StrategyCommand::Edit {
            code,
            fields,
            effective,
        } => edit(ctx, store, code, fields, effective.effective),
        StrategyCommand::Note {
            code,
            text,
            effective,
        } => note(ctx, store, code, text, effective.effective),
        StrategyCommand::Remove { code, force } => remove(ctx, store, code, force),
    }
}

fn add(
    ctx: &Ctx,
    store: &mut Store,
    code: Code,
    f: StrategyFields,
    effective: Option<DateExpr>,
) -> Result<Outcome> {
    let title = f
        .title
        .clone()
        .ok_or_else(|| Error::invalid("a strategy needs a title: add --title \"…\""))?;
    let period = match (f.period, f.starts, f.ends) {
        (Some(p), _, _) => p,
        (None, Some(s), Some(e)) => period(ctx.date("--starts", s)?, ctx.date("--ends", e)?)?,
        _ => {
            return Err(Error::invalid(
                "a strategy needs a period: give --period 2020-2023, or --starts and --ends",
            ));
        }
    };
    let mut strategy = Strategy {
        code,
        title,
        status: StrategyStatus::Draft,
        period,
        decision: None,
        adopted: None,
        lead: None,
        department: None,
        supersedes: None,
        description: None,
    };
    apply_details(ctx, &mut strategy, &f)?;
    // Part of the portfolio for its whole period, so that a report of a
    // day before it was entered shows it.
    let holds_from = ctx.effective(effective, strategy.period.starts().min(ctx.clock.today))?;
    store.write(|db| {
        if db.strategy(&strategy.code)?.is_some() {
            return Err(Error::conflict(format!(
                "a strategy with code '{}' already exists\nChoose another code, or change it with: strat strategy edit {}",
                strategy.code, strategy.code
            )));
        }
        check_supersedes(db, &strategy)?;
        db.insert_strategy(&strategy)?;
        db.insert_strategy_event(
            &event(ctx, &strategy.code, holds_from, Action::Created, strategy.creation_changes(), None),
            false,
        )?;
        Ok(())
    })?;
    let message = format!("Added strategy {} ({}).", strategy.code, strategy.title);
    Ok(Outcome::changed(detail_of_new(strategy, ctx), message))
}

/// A strategy event with who and when.
fn event(
    ctx: &Ctx,
    code: &Code,
    effective: NaiveDate,
    action: Action,
    changes: Vec<Change>,
    note: Option<String>,
) -> StrategyEvent {
    StrategyEvent {
        id: 0,
        strategy: code.clone(),
        at: ctx.clock.now,
        effective,
        by: ctx.by.clone(),
        action,
        changes,
        note,
    }
}

/// Records a change to strategy `code` that holds from `effective`: `edit`
/// turns the strategy as it stood that day into what it became, and the
/// present state takes each field from the change that holds latest.
/// Returns the present state and the changes recorded (none: nothing
/// recorded).
pub(super) fn change(
    db: &Db,
    ctx: &Ctx,
    code: &Code,
    day: NaiveDate,
    action: Action,
    note: Option<String>,
    edit: impl FnOnce(&mut Strategy) -> Result<()>,
) -> Result<(Strategy, Vec<Change>)> {
    db.strategy(code)?
        .ok_or_else(|| not_found_strategy(db, code))?;
    let history = db.strategy_history(Some(code), None)?;
    super::item::refuse_before_held(code, &history, day)?;
    let then = state_on::<Strategy>(&history, day)
        .map_err(super::damaged)?
        .ok_or_else(|| Error::bug(format!("strategy {code} has no state on {day}")))?;
    let mut after = then.clone();
    edit(&mut after)?;
    let changes = then.diff(&after);
    if changes.is_empty() && note.is_none() {
        return Ok((after, changes));
    }
    let new = event(ctx, code, day, action, changes.clone(), note);
    let present =
        present_with::<Strategy>(&history, &new).map_err(|e| Error::conflict(e.to_string()))?;
    db.update_strategy(&present)?;
    db.insert_strategy_event(&new, false)?;
    Ok((present, changes))
}

/// `strategy note CODE TEXT`: commentary on the strategy as a whole.
fn note(
    ctx: &Ctx,
    store: &mut Store,
    code: Code,
    text: String,
    effective: Option<DateExpr>,
) -> Result<Outcome> {
    if text.trim().is_empty() {
        return Err(Error::invalid("the note is empty; write some text"));
    }
    let (strategy, _) = store.write(|db| {
        let day = ctx.effective(effective, ctx.clock.today)?;
        change(
            db,
            ctx,
            &code,
            day,
            Action::Noted,
            Some(text.clone()),
            |_| Ok(()),
        )
    })?;
    let message = format!("Noted on strategy {}.", strategy.code);
    Ok(Outcome::default().said(message))
}

fn detail_of_new(strategy: Strategy, ctx: &Ctx) -> StrategyDetail {
    let summary = Summary::of(&[], strategy.period, ctx.clock.today, ctx.clock.today);
    StrategyDetail { strategy, summary }
}

fn period(starts: chrono::NaiveDate, ends: chrono::NaiveDate) -> Result<Period> {
    Period::new(starts, ends).map_err(|e| Error::invalid(e.0))
}

/// Sets the optional details given on the command line.
fn apply_details(ctx: &Ctx, s: &mut Strategy, f: &StrategyFields) -> Result<()> {
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|t| Some(t.clone()).filter(|t| !t.is_empty()))
    };
    if let Some(title) = &f.title {
        if title.trim().is_empty() {
            return Err(Error::invalid("the title cannot be empty"));
        }
        s.title = title.clone();
    }
    if let Some(status) = f.status {
        s.status = status;
    }
    if let Some(d) = text(&f.decision) {
        s.decision = d;
    }
    if let Some(d) = f.adopted {
        s.adopted = Some(ctx.date("--adopted", d)?);
    }
    if let Some(l) = text(&f.lead) {
        s.lead = l;
    }
    if let Some(d) = text(&f.department) {
        s.department = d;
    }
    if let Some(d) = text(&f.description) {
        s.description = d;
    }
    if let Some(code) = &f.supersedes {
        if *code == s.code {
            return Err(Error::invalid("a strategy cannot supersede itself"));
        }
        s.supersedes = Some(code.clone());
    }
    Ok(())
}

fn check_supersedes(db: &Db, s: &Strategy) -> Result<()> {
    match &s.supersedes {
        Some(code) if db.strategy(code)?.is_none() => Err(Error::not_found(format!(
            "--supersedes names '{code}', which is not a strategy\nSee the codes with: strat strategy list"
        ))),
        _ => Ok(()),
    }
}

fn edit(
    ctx: &Ctx,
    store: &mut Store,
    code: Code,
    f: StrategyFields,
    effective: Option<DateExpr>,
) -> Result<Outcome> {
    let nothing = f.title.is_none()
        && f.period.is_none()
        && f.starts.is_none()
        && f.ends.is_none()
        && f.status.is_none()
        && f.decision.is_none()
        && f.adopted.is_none()
        && f.lead.is_none()
        && f.department.is_none()
        && f.supersedes.is_none()
        && f.description.is_none();
    if nothing {
        return Err(Error::invalid(
            "nothing to change: give at least one of --title, --period, --starts, --ends, \
             --status, --decision, --adopted, --lead, --department, --supersedes, --description",
        ));
    }
    let starts = f.starts.map(|d| ctx.date("--starts", d)).transpose()?;
    let ends = f.ends.map(|d| ctx.date("--ends", d)).transpose()?;
    let detail = store.write(|db| {
        let day = ctx.effective(effective, ctx.clock.today)?;
        let (s, changes) = change(db, ctx, &code, day, Action::Updated, None, |s| {
            if let Some(p) = f.period {
                s.period = p;
            } else if starts.is_some() || ends.is_some() {
                s.period = period(
                    starts.unwrap_or(s.period.starts()),
                    ends.unwrap_or(s.period.ends()),
                )?;
            }
            apply_details(ctx, s, &f)?;
            check_supersedes(db, s)
        })?;
        if changes.is_empty() {
            return Err(Error::invalid(format!(
                "nothing changed: strategy {code} already has those details"
            )));
        }
        let items = db.items(Some(&code))?;
        let summary = Summary::of(
            &items,
            s.period,
            ctx.clock.today,
            stale_line(ctx.clock.today, None)?,
        );
        Ok(StrategyDetail {
            strategy: s,
            summary,
        })
    })?;
    let message = format!("Updated strategy {}.", detail.strategy.code);
    Ok(Outcome::changed(detail, message))
}

fn remove(ctx: &Ctx, store: &mut Store, code: Code, force: bool) -> Result<Outcome> {
    let items = store.write(|db| {
        let strategy = db
            .strategy(&code)?
            .ok_or_else(|| not_found_strategy(db, &code))?;
        let items = db.count_items(&code)?;
        if items > 0 && !force {
            return Err(Error::conflict(format!(
                "strategy {code} has {}\nRemove them first, or add --force to delete them and their history too.",
                counted(items, "item", "items")
            )));
        }
        let links = db.links_leaving(&code)?;
        if links > 0 {
            return Err(Error::conflict(format!(
                "{} of {code} linked by carry-forward to items of other strategies, \
                 whose history needs them\nRemove it only together with those strategies' items.",
                match links {
                    1 => "1 item is".to_string(),
                    n => format!("{n} items are"),
                }
            )));
        }
        super::undo::remove_strategy(db, ctx, &strategy)?;
        Ok(items)
    })?;
    Ok(Outcome::default().said(format!(
        "Removed strategy {code} and its {} (strat undo brings them back).",
        counted(items, "item", "items")
    )))
}
