//! `strat backup` and `strat check`.

use super::Outcome;
use crate::domain::history::{Fault, item_fault, strategy_fault};
use crate::domain::model::{Item, ItemId};
use crate::error::{Error, Result};
use crate::output::{Block, Cell, Doc, JsonOut, Table, View};
use crate::store::{Db, Store};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

pub fn backup(store: &mut Store, target: &Path) -> Result<Outcome> {
    store.backup_to(target)?;
    Ok(Outcome::default().said(format!(
        "Backed up {} to {}.",
        store.path().display(),
        target.display()
    )))
}

/// What `check` found.
pub struct CheckReport {
    pub problems: Vec<String>,
}

impl View for CheckReport {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        out.value(&json!({ "ok": self.problems.is_empty(), "problems": self.problems }))
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        if self.problems.is_empty() {
            return doc.block(Block::Text("No problems found.".into()));
        }
        doc.block(Block::Table(Table {
            headers: vec!["problem"],
            rows: self
                .problems
                .iter()
                .map(|p| vec![Cell::from(p.as_str())])
                .collect(),
        }))
    }
}

pub fn check(store: &mut Store) -> Result<Outcome> {
    let mut problems = store.sqlite_checks()?;
    // Rules can only be read from a database whose pages are sound.
    if problems.is_empty() {
        problems.extend(store.read(rule_problems)?);
    }
    let failure = (!problems.is_empty()).then(|| {
        Error::Storage(format!(
            "{} has {} problem{}, listed above\nRestore it from a backup, or repair the records named.",
            store.path().display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ))
    });
    let mut out = Outcome::show(CheckReport { problems });
    out.failure = failure;
    Ok(out)
}

/// strat's own rules, beyond what the schema's CHECKs can say.
fn rule_problems(db: &Db) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let items = db.items(None)?;
    let by_id: HashMap<ItemId, &Item> = items.iter().map(|i| (i.id, i)).collect();
    for item in &items {
        if let Err(e) = item.check_consistent() {
            problems.push(format!("item {}: {e}", item.id));
        }
        if let Some(to) = item.carried_to {
            match by_id.get(&to) {
                Some(other) if other.carried_from == Some(item.id) => {}
                _ => problems.push(format!(
                    "item {}: carried to {to}, which does not name it as its origin",
                    item.id
                )),
            }
        }
        if let Some(from) = item.carried_from {
            match by_id.get(&from) {
                Some(other) if other.carried_to == Some(item.id) => {}
                _ => problems.push(format!(
                    "item {}: carried from {from}, which does not name it as carried to it",
                    item.id
                )),
            }
        }
    }
    // One item's history at a time, so checking holds no more than that.
    db.each_history(
        1,
        |_| true,
        |item, events| match item_fault(&item, events) {
            Some(Fault::Missing) => problems.push(format!("item {}: has no history", item.id)),
            Some(Fault::Broken(e)) => problems.push(format!("item {}: {e}", item.id)),
            Some(Fault::Differs(fields)) => problems.push(format!(
                "item {}: its history leads to other values ({})",
                item.id,
                fields.join(", ")
            )),
            None => {}
        },
    )?;
    for strategy in db.strategies()? {
        let history = db.strategy_history(Some(&strategy.code), None)?;
        let code = &strategy.code;
        match strategy_fault(&strategy, history) {
            Some(Fault::Missing) => problems.push(format!("strategy {code}: has no history")),
            Some(Fault::Broken(e)) => problems.push(format!("strategy {code}: {e}")),
            Some(Fault::Differs(_)) => problems.push(format!(
                "strategy {code}: its history leads to other values"
            )),
            None => {}
        }
    }
    Ok(problems)
}
