//! Items from a CSV file: a header row naming the columns, then an item a
//! line. Each row is made into the record a JSON document would hold and
//! checked as one.

use super::json_reader::{Loose, RawRecord};
use super::load::Loader;
use super::records::{self, Fields, Pos};
use crate::domain::fields::CSV_COLUMNS as ITEM_CSV_COLUMNS;
use crate::domain::model::Code;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::io::Read;

/// Reads the items of strategy `code` into `loader`. Empty cells are no
/// value; a `'` that strat's CSV output put before `=`, `+`, `-` or `@`
/// is taken off again.
pub fn load_csv(
    input: impl Read,
    code: &Code,
    now: DateTime<Utc>,
    loader: &mut Loader,
) -> Result<()> {
    let mut reader = csv::Reader::from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid(format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut problems = Vec::new();
    for (n, h) in headers.iter().enumerate() {
        if !ITEM_CSV_COLUMNS.contains(&h.as_str()) {
            problems.push(format!(
                "line 1, column {}: unknown column '{h}'; known columns are {}",
                n + 1,
                ITEM_CSV_COLUMNS.join(", ")
            ));
        } else if headers[..n].contains(h) {
            problems.push(format!("line 1, column {}: '{h}' appears twice", n + 1));
        }
    }
    if !headers.iter().any(|h| h == "title") {
        problems.push("line 1: a 'title' column is required".into());
    }
    if !problems.is_empty() {
        return Err(Error::bad_records(problems));
    }
    // Every header is one of the known columns, checked above.
    let columns: Vec<&'static str> = headers
        .iter()
        .filter_map(|h| ITEM_CSV_COLUMNS.iter().find(|c| *c == h).copied())
        .collect();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                loader.problem(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cells = RawRecord {
            values: columns
                .iter()
                .zip(record.iter())
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(c, v)| (*c, Loose::Text(unescape_cell(v).to_string())))
                .collect(),
            ..RawRecord::default()
        };
        let pos = Pos::Csv(line);
        let item = Fields::open(cells, pos, loader.problems_mut())
            .and_then(|fields| records::item(fields, &ITEM_CSV_COLUMNS, Some(code), now));
        let Some(item) = item else {
            continue;
        };
        if &item.strategy != code {
            loader.problem(format!(
                "{}: '{}' is not --strategy {code}",
                pos.field("strategy"),
                item.strategy
            ));
            continue;
        }
        loader.item(pos, item);
    }
    Ok(())
}

/// Takes off the `'` that makes a formula-like cell safe in a spreadsheet.
fn unescape_cell(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => v,
    }
}
