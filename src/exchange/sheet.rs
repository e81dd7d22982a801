//! Items from a spreadsheet, as a person or Excel saves it: a header row,
//! then an item a row. Headers are matched ignoring case, spaces, `_` and
//! `-`, with the names people give columns (`Due Date`, `Target`,
//! `Notes`); cells are read as people write them (`60%`, `31/03/2026`,
//! `In Progress`) and made into the text the field table reads. What each
//! row says is checked here, every problem named by the file's own line
//! (or row) and the column as its header spells it; the command decides
//! what to add or change.

use crate::domain::dates::parse_iso;
use crate::domain::fields::{ITEM_FIELDS, ItemField};
use crate::domain::model::{Code, ItemId};
use crate::domain::spelling::key;
use crate::domain::text::TextRule;
use chrono::NaiveDate;

/// The columns a sheet may name other than the fields: the row's note, and
/// what strat's own lists and reports add (computed, so read and ignored).
const NOTE_NAMES: [&str; 4] = ["note", "notes", "comment", "commentary"];
const COMPUTED: [&str; 12] = [
    "health",
    "days_overdue",
    "days overdue",
    "health_reason",
    "why",
    "direction",
    "last_update",
    "latest_note_on",
    "latest_note",
    "latest note",
    "days_since_update",
    "late",
];

/// Other names people give the fields' columns.
const ALIASES: [(&str, &str); 7] = [
    ("target", "due"),
    ("target date", "due"),
    ("due date", "due"),
    ("start date", "start"),
    ("completed", "completed_on"),
    ("completion date", "completed_on"),
    ("number", "id"),
];

/// What a header names.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Field(&'static ItemField),
    Note,
    /// Read and not used: computed, or an empty header over empty cells.
    Ignored,
    /// Not known: warned about once, and ignored.
    Unknown,
}

fn column_of(header: &str) -> Column {
    let k = key(header);
    if k.is_empty() {
        return Column::Ignored;
    }
    if NOTE_NAMES.iter().any(|n| key(n) == k) {
        return Column::Note;
    }
    if COMPUTED.iter().any(|n| key(n) == k) {
        return Column::Ignored;
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| key(alias) == k)
        .map(|(_, field)| *field);
    ITEM_FIELDS
        .iter()
        .filter(|f| f.csv)
        .find(|f| name.map_or(key(f.name) == k, |n| f.name == n))
        .map_or(Column::Unknown, Column::Field)
}

/// How a sheet writes its dates when they are not `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    /// `31/03/2026`, as a UK spreadsheet writes them.
    DayFirst,
    /// `03/31/2026`, with `--month-first`.
    MonthFirst,
}

/// One cell as read: text, or a date a workbook typed as one.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Text(String),
    Date(NaiveDate),
    Number(f64),
}

/// Where a row stands in its file: `line 7` of a CSV, `row 7` of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    Row(u64),
}

impl Place {
    pub fn at(self) -> String {
        match self {
            Place::Line(n) => format!("line {n}"),
            Place::Row(n) => format!("row {n}"),
        }
    }
}

/// What one row says of an item: the fields its cells give, as the field
/// table reads them (`None`: the cell is empty), and its note.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub place: Place,
    pub id: Option<ItemId>,
    pub reference: Option<String>,
    pub strategy: Option<Code>,
    pub cells: Vec<(&'static ItemField, Option<String>)>,
    pub note: Option<String>,
    /// The header of each field's column, for messages.
    pub headers: Vec<(&'static str, String)>,
    /// Its cells that were refused, each said with its line and column.
    pub problems: Vec<String>,
}

impl Row {
    /// The header a field's column has in the file.
    pub fn header<'a>(&'a self, field: &'a str) -> &'a str {
        self.headers
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field, |(_, h)| h.as_str())
    }

    /// The value the row gives a field, if it has the column.
    pub fn value(&self, field: &str) -> Option<Option<&str>> {
        self.cells
            .iter()
            .find(|(f, _)| f.name == field)
            .map(|(_, v)| v.as_deref())
    }
}

/// The rows of a sheet, and what was said of its header.
#[derive(Debug, Default)]
pub struct Sheet {
    pub rows: Vec<Row>,
    pub warnings: Vec<String>,
    pub problems: Vec<String>,
}

/// Reads a sheet given as its header and then its rows of cells, each
/// with its place. Empty rows are skipped.
pub fn read(
    header: &[String],
    rows: impl Iterator<Item = (Place, Vec<Raw>)>,
    order: DayOrder,
    header_place: Place,
    needs_title: bool,
) -> Sheet {
    let mut sheet = Sheet::default();
    let columns: Vec<Column> = header.iter().map(|h| column_of(h)).collect();
    let mut seen: Vec<&'static str> = Vec::new();
    let mut unknown = Vec::new();
    for (n, (h, c)) in header.iter().zip(&columns).enumerate() {
        match c {
            Column::Field(f) if seen.contains(&f.name) => sheet.problems.push(format!(
                "{}, column {}: '{h}' names the column '{}' a second time",
                header_place.at(),
                n + 1,
                f.name
            )),
            Column::Field(f) => seen.push(f.name),
            Column::Unknown => unknown.push(format!("'{}'", h.trim())),
            _ => {}
        }
    }
    if needs_title && !seen.contains(&"title") {
        sheet.problems.push(format!(
            "{}: no column gives the title (a 'title' column is required)",
            header_place.at()
        ));
    }
    if !unknown.is_empty() {
        sheet.warnings.push(format!(
            "strat: ignored the {} {}; strat reads {}.",
            if unknown.len() == 1 {
                "column"
            } else {
                "columns"
            },
            unknown.join(", "),
            known_columns()
        ));
    }
    if !sheet.problems.is_empty() {
        return sheet;
    }
    for (place, cells) in rows {
        if cells
            .iter()
            .all(|c| matches!(c, Raw::Text(t) if t.trim().is_empty()))
        {
            continue;
        }
        let mut row = Row {
            place,
            id: None,
            reference: None,
            strategy: None,
            cells: Vec::new(),
            note: None,
            headers: Vec::new(),
            problems: Vec::new(),
        };
        let mut problems = Vec::new();
        let mut bad = |header: &str, why: String| {
            problems.push(format!("{}, column {header}: {why}", place.at()));
        };
        for (n, cell) in cells.iter().enumerate() {
            let Some(column) = columns.get(n) else {
                if !matches!(cell, Raw::Text(t) if t.trim().is_empty()) {
                    bad(
                        &(n + 1).to_string(),
                        "a value beyond the last column of the header".into(),
                    );
                }
                continue;
            };
            let header = header[n].trim();
            match column {
                Column::Field(f) => match text_of(f, cell, order) {
                    Ok(value) => {
                        match f.name {
                            "id" => match value.as_deref().map(str::parse::<ItemId>) {
                                Some(Ok(id)) => row.id = Some(id),
                                Some(Err(e)) => bad(header, e.to_string()),
                                None => {}
                            },
                            "ref" => row.reference = value.clone(),
                            "strategy" => match value.as_deref().map(str::parse::<Code>) {
                                Some(Ok(code)) => row.strategy = Some(code),
                                Some(Err(e)) => bad(header, e.to_string()),
                                None => {}
                            },
                            _ => {}
                        }
                        row.headers.push((f.name, header.to_string()));
                        row.cells.push((f, value));
                    }
                    Err(why) => bad(header, why),
                },
                Column::Note => match cell_text(cell) {
                    t if t.trim().is_empty() => {}
                    t => match TextRule::Prose.check(&t) {
                        Ok(()) => row.note = Some(t.trim().to_string()),
                        Err(e) => bad(header, e.to_string()),
                    },
                },
                Column::Ignored | Column::Unknown => {}
            }
        }
        row.problems = problems;
        sheet.rows.push(row);
    }
    sheet
}

/// The columns a sheet may have, said once at the end of its problems.
pub fn known_columns() -> String {
    let fields: Vec<&str> = ITEM_FIELDS
        .iter()
        .filter(|f| f.csv && f.set.is_some() && !matches!(f.name, "created_at" | "updated_at"))
        .map(|f| f.name)
        .collect();
    format!(
        "{}, and note (or notes, comment); headers match ignoring case, spaces, _ and - \
         (Due Date is due), and target, start date are taken too",
        fields.join(", ")
    )
}

fn cell_text(cell: &Raw) -> String {
    match cell {
        Raw::Text(t) => t.clone(),
        Raw::Date(d) => d.to_string(),
        Raw::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Raw::Number(n) => n.to_string(),
    }
}

/// A cell as the text the field table reads, `None` for an empty cell.
fn text_of(field: &ItemField, cell: &Raw, order: DayOrder) -> Result<Option<String>, String> {
    let text = match cell {
        Raw::Date(d) if is_date(field) => return Ok(Some(d.to_string())),
        Raw::Date(d) => d.to_string(),
        Raw::Number(n) if field.name == "progress" && *n > 0.0 && *n <= 1.0 && n.fract() != 0.0 => {
            // A percentage cell holds its fraction: 0.6 is 60%.
            return Ok(Some(format!("{}", (n * 100.0).round() as i64)));
        }
        other => cell_text(other),
    };
    let text = unescape(text.trim());
    if text.is_empty() {
        return Ok(None);
    }
    if let Err(e) = field.rule().check(text) {
        return Err(e.to_string());
    }
    if field.name == "progress" {
        let number = text.strip_suffix('%').unwrap_or(text).trim();
        return Ok(Some(number.to_string()));
    }
    if is_date(field) {
        return day_of(text, order).map(|d| Some(d.to_string()));
    }
    Ok(Some(text.to_string()))
}

fn is_date(field: &ItemField) -> bool {
    matches!(field.name, "start" | "due" | "completed_on")
}

/// `YYYY-MM-DD`, or a day written with slashes in `order`.
fn day_of(text: &str, order: DayOrder) -> Result<NaiveDate, String> {
    if let Ok(d) = parse_iso(text) {
        return Ok(d);
    }
    let parts: Vec<&str> = text.split('/').map(str::trim).collect();
    let form = match order {
        DayOrder::DayFirst => "YYYY-MM-DD or DD/MM/YYYY",
        DayOrder::MonthFirst => "YYYY-MM-DD or MM/DD/YYYY (--month-first)",
    };
    let refused = || format!("'{text}' is not a date ({form})");
    let [a, b, y] = parts.as_slice() else {
        return Err(refused());
    };
    let number = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| !s.is_empty() && s.len() <= 4)
    };
    let (Some(a), Some(b), Some(y)) = (number(a), number(b), number(y)) else {
        return Err(refused());
    };
    if y < 1000 {
        return Err(format!("'{text}' has no four-digit year ({form})"));
    }
    let (day, month) = match order {
        DayOrder::DayFirst => (a, b),
        DayOrder::MonthFirst => (b, a),
    };
    NaiveDate::from_ymd_opt(y as i32, month, day)
        .ok_or_else(|| format!("'{text}' is not a day of the calendar ({form})"))
}

/// Takes off the `'` that strat's output puts before a cell a spreadsheet
/// would run as a formula.
fn unescape(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cells: &[&str]) -> Vec<Raw> {
        cells.iter().map(|c| Raw::Text(c.to_string())).collect()
    }

    fn sheet(header: &[&str], rows: &[&[&str]], order: DayOrder) -> Sheet {
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let rows = rows
            .iter()
            .enumerate()
            .map(|(n, r)| (Place::Line(n as u64 + 2), text(r)));
        read(&header, rows, order, Place::Line(1), true)
    }

    #[test]
    fn headers_are_matched_as_people_write_them() {
        for (header, meant) in [
            (
                "Due Date",
                Column::Field(crate::domain::fields::field("due").unwrap()),
            ),
            (
                "Target",
                Column::Field(crate::domain::fields::field("due").unwrap()),
            ),
            (
                "START-DATE",
                Column::Field(crate::domain::fields::field("start").unwrap()),
            ),
            (
                "Ref",
                Column::Field(crate::domain::fields::field("ref").unwrap()),
            ),
            (
                "completed_on",
                Column::Field(crate::domain::fields::field("completed_on").unwrap()),
            ),
            ("Notes", Column::Note),
            ("Commentary", Column::Note),
            ("", Column::Ignored),
            ("days_overdue", Column::Ignored),
            ("Colour", Column::Unknown),
        ] {
            assert_eq!(column_of(header), meant, "{header}");
        }
    }

    #[test]
    fn cells_are_read_as_a_uk_spreadsheet_writes_them() {
        let s = sheet(
            &[
                "Title", "Progress", "Due Date", "Status", "Notes", "", "Colour",
            ],
            &[
                &[
                    "Intune",
                    "60%",
                    "31/03/2026",
                    "In Progress",
                    "Q2 return",
                    "",
                    "red",
                ],
                &["", "", "", "", "", "", ""],
                &["SAN", "5", "1/4/2026", "done", "", "", ""],
            ],
            DayOrder::DayFirst,
        );
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert!(s.rows.iter().all(|r| r.problems.is_empty()), "{:?}", s.rows);
        assert_eq!(s.rows.len(), 2, "the blank row is skipped");
        let r = &s.rows[0];
        assert_eq!(r.value("progress"), Some(Some("60")));
        assert_eq!(r.value("due"), Some(Some("2026-03-31")));
        assert_eq!(r.value("status"), Some(Some("In Progress")));
        assert_eq!(r.note.as_deref(), Some("Q2 return"));
        assert_eq!(s.rows[1].place, Place::Line(4));
        assert_eq!(s.rows[1].value("due"), Some(Some("2026-04-01")));
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        assert!(s.warnings[0].contains("'Colour'"), "{:?}", s.warnings);
        let us = sheet(
            &["title", "due"],
            &[&["X", "03/31/2026"]],
            DayOrder::MonthFirst,
        );
        assert_eq!(us.rows[0].value("due"), Some(Some("2026-03-31")));
    }

    #[test]
    fn problems_name_the_line_and_the_header_as_spelled() {
        let s = sheet(
            &["Title", "Due Date"],
            &[&["X", "31/02/2026"], &["Y", "soon"], &["Z", "1/1/26"]],
            DayOrder::DayFirst,
        );
        let p: Vec<&String> = s.rows.iter().flat_map(|r| &r.problems).collect();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("line 2, column Due Date:"), "{p:?}");
        assert!(p[1].starts_with("line 3, column Due Date:"), "{p:?}");
        assert!(p[2].contains("four-digit year"), "{p:?}");
        let none = sheet(&["Owner"], &[&["X"]], DayOrder::DayFirst);
        assert!(none.problems[0].contains("title"), "{:?}", none.problems);
    }
}
