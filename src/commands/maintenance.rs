//! `strat backup` and `strat check`.

use super::Outcome;
use crate::domain::carry::carry_problems;
use crate::domain::history::{Fault, item_fault, strategy_fault};
use crate::error::{Error, Result};
use crate::output::{Block, Cell, Doc, JsonOut, Table, View};
use crate::store::{Db, Store};
use serde_json::json;
use std::path::Path;

pub fn backup(store: &mut Store, target: &Path) -> Result<Outcome> {
    store.backup_to(target)?;
    Ok(Outcome::default().said(format!(
        "Backed up {} to {}.",
        store.location(),
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
        doc.block(Block::Table(self.table()))
    }

    /// The problems alone; none found is a header without rows.
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        doc.block(Block::Table(self.table()))
    }
}

impl CheckReport {
    fn table(&self) -> Table {
        Table {
            headers: vec!["problem"],
            rows: self
                .problems
                .iter()
                .map(|p| vec![Cell::from(p.as_str())])
                .collect(),
        }
    }
}

pub fn check(store: &mut Store) -> Result<Outcome> {
    let mut problems = store.engine_checks()?;
    // Rules can only be read from a database whose pages are sound.
    if problems.is_empty() {
        problems.extend(store.read(rule_problems)?);
    }
    let failure = (!problems.is_empty()).then(|| {
        Error::storage(format!(
            "{} has {} problem{}, listed above\nRestore it from a backup, or repair the records named.",
            store.location(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ))
    });
    let mut out = Outcome::show(CheckReport { problems });
    out.failure = failure;
    Ok(out)
}

/// strat's own rules, beyond what the schema's CHECKs can say: each
/// item's own fields, then its carry links, in item order; then each
/// item's history; then each strategy's.
fn rule_problems(db: &Db) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut links = carry_problems(&db.carries(1)?).into_iter().peekable();
    let mut history_problems = Vec::new();
    // One item and its history at a time, so checking holds no more than
    // that and the problems found.
    db.each_history(
        1,
        |_| true,
        |item, events| {
            if let Err(e) = item.check_consistent() {
                problems.push(format!("item {}: {e}", item.id));
            }
            while let Some((id, problem)) = links.next_if(|(id, _)| *id <= item.id) {
                problems.push(format!("item {id}: {problem}"));
            }
            let id = item.id;
            match item_fault(&item, events) {
                Some(Fault::Missing) => history_problems.push(format!("item {id}: has no history")),
                Some(Fault::Broken(e)) => history_problems.push(format!("item {id}: {e}")),
                Some(Fault::Differs(fields)) => history_problems.push(format!(
                    "item {id}: its history leads to other values ({})",
                    fields.join(", ")
                )),
                None => {}
            }
        },
    )?;
    problems.append(&mut history_problems);
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
