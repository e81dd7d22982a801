//! The four formats.

use super::{Block, Cell, JsonOut, Table, View, progress_bar};
use crate::cli::Format;
use crate::domain::vocab::Health;
use crate::error::{Error, Result};
use comfy_table::{Attribute, Color, ColumnConstraint, ContentArrangement, Width, presets};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

/// How the terminal table looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Fit to the terminal's width (only when printing to one).
    pub terminal: bool,
    /// Colour health cells (terminal only, and never under `NO_COLOR`).
    pub colour: bool,
}

impl Style {
    /// What stdout can take.
    pub fn detect() -> Style {
        let terminal = std::io::stdout().is_terminal();
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            terminal,
            colour: terminal && !no_colour,
        }
    }
}

/// Writes `view` to `out` in `format`.
pub fn render(view: &dyn View, format: Format, style: Style, out: &mut dyn Write) -> Result<()> {
    let text = match format {
        Format::Json => {
            view.write_json(&mut JsonOut::new(out, style.terminal))?;
            "\n".to_string()
        }
        Format::Csv => csv(&view.csv()?)?,
        Format::Markdown => markdown(&view.blocks()?),
        Format::Table => text(&view.blocks()?, style),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

fn plain(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Health(h) => h.to_string(),
        Cell::Bar(p) => progress_bar(*p),
        Cell::Empty => String::new(),
    }
}

fn text(blocks: &[Block], style: Style) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match block {
            Block::Title(h) => {
                let _ = writeln!(out, "{h}\n{}", "═".repeat(h.chars().count().min(100)));
            }
            Block::Heading(h) => {
                let _ = writeln!(out, "{h}\n{}", "─".repeat(h.chars().count().min(100)));
            }
            Block::Fields(fields) => {
                let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                for (k, v) in fields {
                    let _ = writeln!(out, "{:<width$}  {v}", format!("{k}:"), width = width + 1);
                }
            }
            Block::Table(t) => {
                out.push_str(&terminal_table(t, style));
                out.push('\n');
            }
            Block::Text(s) => {
                out.push_str(s);
                out.push('\n');
            }
        }
    }
    out
}

fn health_colour(h: Health) -> Color {
    match h {
        Health::Red => Color::Red,
        Health::Amber => Color::Yellow,
        Health::Green => Color::Green,
        Health::Complete => Color::Blue,
        Health::Closed => Color::DarkGrey,
    }
}

fn terminal_table(t: &Table, style: Style) -> String {
    let mut table = comfy_table::Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if style.terminal {
        if style.colour {
            table.enforce_styling();
        }
    } else {
        table.force_no_tty();
    }
    table.set_header(
        t.headers
            .iter()
            .map(|h| comfy_table::Cell::new(h).add_attribute(Attribute::Bold)),
    );
    if let Some(width) = table.width() {
        table.set_constraints(column_constraints(t, width));
    }
    for row in &t.rows {
        table.add_row(row.iter().map(|c| {
            let cell = comfy_table::Cell::new(plain(c));
            match c {
                Cell::Health(h) if style.colour => cell.fg(health_colour(*h)),
                Cell::Int(_) => cell.set_alignment(comfy_table::CellAlignment::Right),
                _ => cell,
            }
        }));
    }
    table.to_string()
}

/// The narrowest a wrapping column may get before it is hidden instead.
const MIN_WRAP: usize = 14;

/// Only columns of words wrap; numbers, dates, statuses and bars keep their
/// width. When even that cannot fit the terminal, word columns are hidden
/// from the right, keeping the first (the title).
fn column_constraints(t: &Table, width: u16) -> Vec<ColumnConstraint> {
    let cols = t.headers.len();
    let widest = |c: usize| {
        t.rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|cell| plain(cell).chars().count())
            .chain([t.headers[c].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let wraps: Vec<bool> = (0..cols)
        .map(|c| {
            t.rows
                .iter()
                .any(|r| matches!(r.get(c), Some(Cell::Text(s)) if s.contains(' ')))
        })
        .collect();
    let mut shown = vec![true; cols];
    let needed = |shown: &[bool]| -> usize {
        (0..cols)
            .filter(|c| shown[*c])
            .map(|c| {
                3 + if wraps[c] {
                    MIN_WRAP.min(widest(c))
                } else {
                    widest(c)
                }
            })
            .sum::<usize>()
            + 1
    };
    let mut droppable: Vec<usize> = (0..cols).filter(|c| wraps[*c]).skip(1).collect();
    while needed(&shown) > usize::from(width) {
        let Some(c) = droppable.pop() else { break };
        shown[c] = false;
    }
    (0..cols)
        .map(|c| match (shown[c], wraps[c]) {
            (false, _) => ColumnConstraint::Hidden,
            (true, true) => ColumnConstraint::LowerBoundary(Width::Fixed(MIN_WRAP as u16)),
            (true, false) => ColumnConstraint::ContentWidth,
        })
        .collect()
}

fn md_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match block {
            Block::Title(h) => {
                let _ = writeln!(out, "# {}", md_escape(h));
            }
            Block::Heading(h) => {
                let _ = writeln!(out, "## {}", md_escape(h));
            }
            Block::Fields(fields) => {
                for (k, v) in fields {
                    let _ = writeln!(out, "- **{k}:** {}", md_escape(v));
                }
            }
            Block::Table(t) => {
                let _ = writeln!(out, "| {} |", t.headers.join(" | "));
                let _ = writeln!(
                    out,
                    "|{}|",
                    t.headers
                        .iter()
                        .map(|_| " --- ")
                        .collect::<Vec<_>>()
                        .join("|")
                );
                for row in &t.rows {
                    let cells: Vec<String> = row.iter().map(|c| md_escape(&plain(c))).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
            }
            Block::Text(s) => {
                let _ = writeln!(out, "{}", md_escape(s));
            }
        }
    }
    out
}

/// A text cell a spreadsheet would run as a formula gets a leading `'`.
pub fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn csv(t: &Table) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| Error::Bug(format!("CSV encoding failed: {e}"));
    w.write_record(&t.headers).map_err(bad)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => spreadsheet_safe(s),
            Cell::Bar(p) => p.to_string(),
            other => plain(other),
        }))
        .map_err(bad)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Bug(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Bug(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_defused() {
        assert_eq!(spreadsheet_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(spreadsheet_safe("+44 3000"), "'+44 3000");
        assert_eq!(spreadsheet_safe("-x"), "'-x");
        assert_eq!(spreadsheet_safe("@cmd"), "'@cmd");
        assert_eq!(spreadsheet_safe("SAN"), "SAN");
    }

    #[test]
    fn csv_quotes_and_keeps_numbers_plain() {
        let t = Table {
            headers: vec!["title", "progress", "overdue"],
            rows: vec![vec![
                Cell::Text("a, \"b\"\nc".into()),
                Cell::Bar(70),
                Cell::Int(-3),
            ]],
        };
        assert_eq!(
            csv(&t).unwrap(),
            "title,progress,overdue\n\"a, \"\"b\"\"\nc\",70,-3\n"
        );
    }

    #[test]
    fn health_is_coloured_only_when_asked() {
        let t = Table {
            headers: vec!["health"],
            rows: vec![vec![Cell::Health(Health::Red)]],
        };
        let plain = terminal_table(&t, Style::default());
        assert!(!plain.contains('\u{1b}'), "{plain}");
        let coloured = terminal_table(
            &t,
            Style {
                terminal: true,
                colour: true,
            },
        );
        assert!(coloured.contains("\u{1b}["), "{coloured}");
    }

    #[test]
    fn narrow_terminals_hide_word_columns_from_the_right() {
        let t = Table {
            headers: vec!["id", "title", "owner", "note"],
            rows: vec![vec![
                Cell::Int(1),
                Cell::from("A long title of words"),
                Cell::from("Digital workplace team"),
                Cell::from("Waiting on the supplier"),
            ]],
        };
        let hidden = |w| {
            column_constraints(&t, w)
                .iter()
                .map(|c| matches!(c, ColumnConstraint::Hidden))
                .collect::<Vec<_>>()
        };

        assert_eq!(hidden(200), [false; 4]);
        assert_eq!(hidden(45), [false, false, false, true]);
        assert_eq!(hidden(35), [false, false, true, true]);
        assert_eq!(hidden(10), [false, false, true, true], "the title stays");
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let t = Table {
            headers: vec!["a"],
            rows: vec![vec![Cell::Text("x|y".into())]],
        };
        assert_eq!(markdown(&[Block::Table(t)]), "| a |\n| --- |\n| x\\|y |\n");
    }
}
