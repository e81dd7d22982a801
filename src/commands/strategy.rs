//! `strat strategy add|list|show|edit|remove`.

use super::{Ctx, Outcome, items_as_of, not_found_strategy, strategies_as_of};
use crate::cli::{StrategyCommand, StrategyFields};
use crate::domain::dates::Period;
use crate::domain::model::{Change, Code, Strategy, StrategyEvent, Tracked};
use crate::domain::summary::Summary;
use crate::domain::vocab::{Action, StrategyStatus};
use crate::error::{Error, Result};
use crate::output::views::{StrategyDetail, StrategyList};
use crate::store::{Db, Store};

pub fn run(ctx: &Ctx, store: &mut Store, cmd: StrategyCommand) -> Result<Outcome> {
    match cmd {
        StrategyCommand::Add { code, fields } => add(ctx, store, code, fields),
        StrategyCommand::List => Ok(Outcome::show(StrategyList(
            store.read(|db| db.strategies())?,
        ))),
        StrategyCommand::Show { code, as_of } => {
            let as_of = ctx.as_of(as_of)?;
            store.read(|db| {
                let code = std::slice::from_ref(&code);
                let strategy = strategies_as_of(db, code, as_of)?.remove(0);
                let items = items_as_of(db, code, as_of)?;
                let summary = Summary::of(&items, strategy.period, as_of.day);
                Ok(Outcome::show(StrategyDetail { strategy, summary }))
            })
        }
        StrategyCommand::Edit { code, fields } => edit(ctx, store, code, fields),
        StrategyCommand::Remove { code, force } => remove(store, code, force),
    }
}

fn add(ctx: &Ctx, store: &mut Store, code: Code, f: StrategyFields) -> Result<Outcome> {
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
    store.write(|db| {
        if db.strategy(&strategy.code)?.is_some() {
            return Err(Error::conflict(format!(
                "a strategy with code '{}' already exists\nChoose another code, or change it with: strat strategy edit {}",
                strategy.code, strategy.code
            )));
        }
        check_supersedes(db, &strategy)?;
        db.insert_strategy(&strategy)?;
        record(db, ctx, &strategy, Action::Created, strategy.creation_changes())
    })?;
    let message = format!("Added strategy {} ({}).", strategy.code, strategy.title);
    Ok(Outcome::changed(detail_of_new(strategy, ctx), message))
}

/// Appends a strategy event with who and when.
fn record(db: &Db, ctx: &Ctx, s: &Strategy, action: Action, changes: Vec<Change>) -> Result<()> {
    db.insert_strategy_event(
        &StrategyEvent {
            id: 0,
            strategy: s.code.clone(),
            at: ctx.clock.now,
            by: ctx.by.clone(),
            action,
            changes,
            note: None,
        },
        false,
    )?;
    Ok(())
}

fn detail_of_new(strategy: Strategy, ctx: &Ctx) -> StrategyDetail {
    let summary = Summary::of(&[], strategy.period, ctx.clock.today);
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

fn edit(ctx: &Ctx, store: &mut Store, code: Code, f: StrategyFields) -> Result<Outcome> {
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
        let before = db
            .strategy(&code)?
            .ok_or_else(|| not_found_strategy(&code))?;
        let mut s = before.clone();
        if let Some(p) = f.period {
            s.period = p;
        } else if starts.is_some() || ends.is_some() {
            s.period = period(
                starts.unwrap_or(s.period.starts()),
                ends.unwrap_or(s.period.ends()),
            )?;
        }
        apply_details(ctx, &mut s, &f)?;
        check_supersedes(db, &s)?;
        let changes = before.diff(&s);
        if changes.is_empty() {
            return Err(Error::invalid(format!(
                "nothing changed: strategy {code} already has those details"
            )));
        }
        db.update_strategy(&s)?;
        record(db, ctx, &s, Action::Updated, changes)?;
        let items = db.items(Some(&code))?;
        let summary = Summary::of(&items, s.period, ctx.clock.today);
        Ok(StrategyDetail {
            strategy: s,
            summary,
        })
    })?;
    let message = format!("Updated strategy {}.", detail.strategy.code);
    Ok(Outcome::changed(detail, message))
}

fn remove(store: &mut Store, code: Code, force: bool) -> Result<Outcome> {
    let items = store.write(|db| {
        db.strategy(&code)?.ok_or_else(|| not_found_strategy(&code))?;
        let items = db.count_items(&code)?;
        if items > 0 && !force {
            return Err(Error::conflict(format!(
                "strategy {code} has {items} items\nRemove them first, or add --force to delete them and their history too."
            )));
        }
        let links = db.links_leaving(&code)?;
        if links > 0 {
            return Err(Error::conflict(format!(
                "{links} items of {code} are linked by carry-forward to items of other strategies, \
                 whose history needs them\nRemove it only together with those strategies' items."
            )));
        }
        db.delete_strategy(&code)?;
        Ok(items)
    })?;
    Ok(Outcome::default().said(format!("Removed strategy {code} and its {items} items.")))
}
