//! A sheet of an Excel workbook, read by calamine into a [`Sheet`]: the
//! first row with a cell is the header; each row below keeps its number
//! in the workbook, and a date cell is a date.

use super::sheet::{DayOrder, Place, Raw, Sheet, read};
use crate::error::{Error, Result};
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use std::io::Read;

/// Reads sheet `name` (else the one named `fallback`, else the first) of
/// the workbook in `input`.
pub fn read_xlsx(
    mut input: impl Read,
    name: Option<&str>,
    fallback: &str,
    order: DayOrder,
    needs_title: bool,
) -> Result<Sheet> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid(format!("the file cannot be read: {e}")))?;
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::invalid(format!(
            "the file is not an Excel workbook that can be read ({e})\n\
             Save it from Excel as .xlsx, or as CSV and import that."
        ))
    })?;
    let names = book.sheet_names();
    let chosen = match name {
        Some(n) => names
            .iter()
            .find(|s| s.as_str() == n)
            .cloned()
            .ok_or_else(|| {
                Error::not_found(format!(
                    "the workbook has no sheet '{n}'; its sheets are {}",
                    names.join(", ")
                ))
            })?,
        None => names
            .iter()
            .find(|s| s.as_str() == fallback)
            .or_else(|| names.first())
            .cloned()
            .ok_or_else(|| Error::invalid("the workbook has no sheet"))?,
    };
    let range = book
        .worksheet_range(&chosen)
        .map_err(|e| Error::invalid(format!("sheet '{chosen}' cannot be read: {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows().enumerate().map(|(n, cells)| {
        // Rows are numbered as the workbook shows them, from 1.
        let number = u64::from(first_row) + n as u64 + 1;
        (
            Place::Row(number),
            cells.iter().map(raw).collect::<Vec<Raw>>(),
        )
    });
    let Some((header_place, header)) = rows.next() else {
        return Err(Error::invalid(format!(
            "sheet '{chosen}' is empty: it has no header row"
        )));
    };
    let header: Vec<String> = header
        .iter()
        .map(|c| match c {
            Raw::Text(t) => t.clone(),
            Raw::Date(d) => d.to_string(),
            Raw::Number(n) => n.to_string(),
        })
        .collect();
    Ok(read(&header, rows, order, header_place, needs_title))
}

fn raw(cell: &Data) -> Raw {
    match cell {
        Data::Empty => Raw::Text(String::new()),
        Data::String(s) => Raw::Text(s.clone()),
        Data::Int(n) => Raw::Number(*n as f64),
        Data::Float(f) => Raw::Number(*f),
        Data::Bool(b) => Raw::Text(b.to_string()),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) => Raw::Date(t.date()),
            None => Raw::Text(d.as_f64().to_string()),
        },
        Data::DateTimeIso(s) => Raw::Text(s.get(..10).unwrap_or(s).to_string()),
        Data::DurationIso(s) => Raw::Text(s.clone()),
        Data::Error(e) => Raw::Text(format!("#{e:?}")),
    }
}
