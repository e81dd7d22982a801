//! The `xlsx` format: the table a view writes as CSV, as an Excel
//! workbook, written by rust_xlsxwriter. An overview sheet counts each
//! strategy's rows by health, then each strategy has a sheet of its own
//! rows; dates are date cells, numbers number cells, a health is its word
//! in a cell filled with its colour; each sheet's header row is frozen,
//! with filters, and its columns sized to their contents. Text is always
//! written as text (never a formula), with control characters shown.

use super::shown::{Kind, for_sheet};
use super::{Cell, Table};
use crate::domain::dates::parse_iso;
use crate::domain::vocab::Health;
use crate::error::{Error, Result};
use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// The columns whose text is a day.
const DAYS: [&str; 6] = [
    "start",
    "due",
    "completed_on",
    "last_update",
    "latest_note_on",
    "starts",
];

pub fn workbook(table: &Table) -> Result<Vec<u8>> {
    build(table).map_err(|e| Error::bug(format!("the workbook could not be written: {e}")))
}

fn build(table: &Table) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let strategy = table.headers.iter().position(|h| *h == "strategy");
    let health = table.headers.iter().position(|h| *h == "health");
    // The rows of each strategy, in the order first met.
    let mut groups: Vec<(String, Vec<&Vec<Cell>>)> = Vec::new();
    for row in &table.rows {
        let code = match strategy.and_then(|c| row.get(c)) {
            Some(Cell::Text(code)) => code.clone(),
            _ => "items".to_string(),
        };
        match groups.iter_mut().find(|(c, _)| *c == code) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((code, vec![row])),
        }
    }
    let styles = Styles::new();
    let overview = book.add_worksheet();
    overview.set_name("Overview")?;
    let mut headers = vec!["strategy", "rows"];
    headers.extend(Health::ALL.iter().map(|h| h.as_str()));
    write_header(overview, &headers, &styles)?;
    for (n, (code, rows)) in groups.iter().enumerate() {
        let r = n as u32 + 1;
        overview.write_string(r, 0, for_sheet(code, Kind::Label))?;
        overview.write_number(r, 1, rows.len() as f64)?;
        for (c, h) in Health::ALL.iter().enumerate() {
            let count = rows
                .iter()
                .filter(|row| matches!(health.and_then(|i| row.get(i)), Some(Cell::Health(x) | Cell::Marked(x, _)) if x == h))
                .count();
            overview.write_number(r, c as u16 + 2, count as f64)?;
        }
    }
    finish(overview, groups.len() as u32, headers.len() as u16)?;
    let mut names: Vec<String> = vec!["overview".into()];
    for (code, rows) in &groups {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(code, &mut names))?;
        write_header(sheet, &table.headers, &styles)?;
        for (n, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                write_cell(
                    sheet,
                    n as u32 + 1,
                    c as u16,
                    table.headers.get(c).copied(),
                    cell,
                    &styles,
                )?;
            }
        }
        finish(sheet, rows.len() as u32, table.headers.len() as u16)?;
    }
    book.save_to_buffer()
}

/// A sheet name Excel takes: at most 31 characters, none of `[]:*?/\`,
/// and unique ignoring case.
fn sheet_name(code: &str, taken: &mut Vec<String>) -> String {
    let clean: String = code
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c) && !c.is_control())
        .take(31)
        .collect();
    let mut name = if clean.is_empty() {
        "items".to_string()
    } else {
        clean
    };
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        let suffix = format!(" {n}");
        name = format!(
            "{}{suffix}",
            name.chars().take(31 - suffix.len()).collect::<String>()
        );
        n += 1;
    }
    taken.push(name.to_lowercase());
    name
}

struct Styles {
    header: Format,
    day: Format,
    health: Vec<(Health, Format)>,
}

impl Styles {
    fn new() -> Styles {
        let fill = |h: Health| match h {
            Health::Red => 0xF4C7C3,
            Health::Amber => 0xFCE8B2,
            Health::Green => 0xB7E1CD,
            Health::Complete => 0xC9DAF8,
            Health::Closed => 0xD9D9D9,
        };
        Styles {
            header: Format::new().set_bold(),
            day: Format::new().set_num_format("yyyy-mm-dd"),
            health: Health::ALL
                .iter()
                .map(|h| (*h, Format::new().set_background_color(Color::RGB(fill(*h)))))
                .collect(),
        }
    }

    fn health(&self, h: Health) -> &Format {
        &self
            .health
            .iter()
            .find(|(x, _)| *x == h)
            .expect("every health has a fill")
            .1
    }
}

fn write_header(
    sheet: &mut Worksheet,
    headers: &[&str],
    styles: &Styles,
) -> std::result::Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &styles.header)?;
    }
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    header: Option<&str>,
    cell: &Cell,
    styles: &Styles,
) -> std::result::Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Int(n) => {
            sheet.write_number(row, col, *n as f64)?;
        }
        Cell::Bar(p) => {
            sheet.write_number(row, col, f64::from(*p))?;
        }
        Cell::Health(h) => {
            sheet.write_string_with_format(row, col, h.as_str(), styles.health(*h))?;
        }
        Cell::Marked(h, mark) => {
            sheet.write_string_with_format(row, col, format!("{h} {mark}"), styles.health(*h))?;
        }
        Cell::Text(s) => match parse_iso(s)
            .ok()
            .filter(|_| header.is_some_and(|h| DAYS.contains(&h)))
        {
            Some(d) => {
                match ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8) {
                    Ok(day) => {
                        sheet.write_datetime_with_format(row, col, &day, &styles.day)?;
                    }
                    // Excel's dates start in 1900: an earlier day stays text.
                    Err(_) => {
                        sheet.write_string(row, col, s.as_str())?;
                    }
                }
            }
            None => {
                sheet.write_string(row, col, for_sheet(s, Kind::Label))?;
            }
        },
        Cell::Prose(s) => {
            sheet.write_string(row, col, for_sheet(s, Kind::Prose))?;
        }
    }
    Ok(())
}

/// Freezes the header row, puts filters on it and sizes the columns; it
/// prints across A4 landscape, one page wide, the header on every page.
fn finish(sheet: &mut Worksheet, rows: u32, cols: u16) -> std::result::Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    if cols > 0 {
        sheet.autofilter(0, 0, rows, cols - 1)?;
    }
    sheet.autofit();
    Ok(())
}
