//! The four formats.

use super::piped_table::PipedTable;
use super::{Block, Cell, JsonOut, Table, View, progress_bar};
use crate::cli::Format;
use crate::domain::vocab::Health;
use crate::error::{Error, Result};
use comfy_table::{Attribute, Color, ColumnConstraint, ContentArrangement, Width, presets};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};

/// How the terminal table looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Fit to the terminal's width (only when printing to one).
    pub terminal: bool,
    /// Colour health cells (terminal only, and never under `NO_COLOR`).
    pub colour: bool,
    /// The width tables fit, from `COLUMNS` when it is set (then also when
    /// not printing to a terminal); else the terminal's own.
    pub width: Option<u16>,
}

impl Style {
    /// What stdout can take.
    pub fn detect() -> Style {
        let terminal = std::io::stdout().is_terminal();
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|w| *w > 0);
        Style {
            terminal,
            colour: terminal && !no_colour,
            width,
        }
    }
}

/// Writes `view` to `out` in `format`.
pub fn render(view: &dyn View, format: Format, style: Style, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Json => {
            view.write_json(&mut JsonOut::new(out, style.terminal))?;
            out.write_all(b"\n")?;
            Ok(())
        }
        Format::Csv => view.csv(&mut Doc::new(out, Kind::Csv)),
        Format::Markdown => view.document(&mut Doc::new(out, Kind::Markdown)),
        Format::Table => view.document(&mut Doc::new(out, Kind::Text(style))),
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Text(Style),
    Markdown,
    /// Only the first table, as CSV; nothing for a document without one
    /// (every view's CSV has a table, if only its header).
    Csv,
}

/// Where a view writes its document for people: pieces in order, each in
/// the format asked for, as it comes.
pub struct Doc<'w> {
    out: &'w mut dyn Write,
    kind: Kind,
    pieces: usize,
    tables: usize,
}

impl<'w> Doc<'w> {
    fn new(out: &'w mut dyn Write, kind: Kind) -> Doc<'w> {
        Doc {
            out,
            kind,
            pieces: 0,
            tables: 0,
        }
    }

    /// A blank line between pieces.
    fn next_piece(&mut self) -> Result<()> {
        if self.pieces > 0 {
            self.out.write_all(b"\n")?;
        }
        self.pieces += 1;
        Ok(())
    }

    /// Writes a piece (a table held whole included); CSV keeps tables only.
    pub fn block(&mut self, block: Block) -> Result<()> {
        if let Block::Table(t) = block {
            let mut rows = self.table(t.headers)?;
            for row in t.rows {
                rows.row(row)?;
            }
            return rows.finish();
        }
        match self.kind {
            Kind::Csv => Ok(()),
            Kind::Markdown => {
                self.next_piece()?;
                markdown_block(self.out, &block)
            }
            Kind::Text(_) => {
                self.next_piece()?;
                text_block(self.out, &block)
            }
        }
    }

    /// Writes pieces in order.
    pub fn blocks(&mut self, blocks: impl IntoIterator<Item = Block>) -> Result<()> {
        blocks.into_iter().try_for_each(|b| self.block(b))
    }

    /// Starts a table whose rows are written as they are made.
    pub fn table(&mut self, headers: Vec<&'static str>) -> Result<Rows<'_>> {
        self.tables += 1;
        if matches!(self.kind, Kind::Csv) && self.tables > 1 {
            return Ok(Rows { how: How::Skip });
        }
        if !matches!(self.kind, Kind::Csv) {
            self.next_piece()?;
        }
        // Through the reference to the writer, so the rows' borrow may be
        // shorter than the document's.
        let out: &mut dyn Write = &mut self.out;
        let how = match self.kind {
            Kind::Csv => {
                let mut w = csv::WriterBuilder::new().from_writer(out);
                w.write_record(&headers).map_err(csv_bug)?;
                How::Csv(Box::new(w))
            }
            Kind::Markdown => {
                let rule = vec![" --- "; headers.len()].join("|");
                writeln!(out, "| {} |\n|{rule}|", headers.join(" | "))?;
                How::Markdown(out)
            }
            Kind::Text(style) if style.terminal || style.width.is_some() => How::Fitted(
                Table {
                    headers,
                    rows: Vec::new(),
                },
                style,
                out,
            ),
            Kind::Text(_) => How::PipedTable(PipedTable::new(&headers), out),
        };
        Ok(Rows { how })
    }
}

enum How<'d> {
    Skip,
    Csv(Box<csv::Writer<&'d mut dyn Write>>),
    Markdown(&'d mut dyn Write),
    /// Fitted to a terminal's window: every row is needed to size the
    /// columns and wrap words, so the table is held and drawn whole.
    Fitted(Table, Style, &'d mut dyn Write),
    PipedTable(PipedTable, &'d mut dyn Write),
}

/// The rows of a table being written; [`Rows::finish`] ends it.
pub struct Rows<'d> {
    how: How<'d>,
}

impl Rows<'_> {
    pub fn row(&mut self, cells: Vec<Cell>) -> Result<()> {
        match &mut self.how {
            How::Skip => {}
            How::Csv(w) => w
                .write_record(cells.iter().map(|c| csv_text(c).into_owned()))
                .map_err(csv_bug)?,
            How::Markdown(out) => {
                let cells: Vec<String> = cells.iter().map(|c| md_escape(&plain_cow(c))).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
            }
            How::Fitted(t, _, _) => t.rows.push(cells),
            How::PipedTable(g, _) => {
                let texts: Vec<(Cow<str>, bool)> = cells
                    .iter()
                    .map(|c| (plain_cow(c), matches!(c, Cell::Int(_))))
                    .collect();
                g.row(texts.iter().map(|(t, right)| (t.as_ref(), *right)));
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        match self.how {
            How::Skip | How::Markdown(_) => {}
            How::Csv(mut w) => w.flush()?,
            How::Fitted(t, style, out) => {
                out.write_all(terminal_table(&t, style).as_bytes())?;
                out.write_all(b"\n")?;
            }
            How::PipedTable(g, out) => {
                if g.fits() {
                    g.write(out)?;
                } else {
                    out.write_all(piped_table_by_comfy(&g).as_bytes())?;
                }
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}

fn csv_bug(e: csv::Error) -> Error {
    Error::bug(format!("CSV encoding failed: {e}"))
}

/// A cell as CSV text: formulas defused, bars as their number.
fn csv_text(c: &Cell) -> Cow<'_, str> {
    match c {
        Cell::Text(s) => spreadsheet_safe(s),
        Cell::Bar(p) => Cow::Owned(p.to_string()),
        other => plain_cow(other),
    }
}

fn plain_cow(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Text(s) => Cow::Borrowed(s),
        Cell::Int(n) => Cow::Owned(n.to_string()),
        Cell::Health(h) => Cow::Borrowed(h.as_str()),
        Cell::Marked(h, mark) => Cow::Owned(format!("{h} {mark}")),
        Cell::Bar(p) => Cow::Owned(progress_bar(*p)),
        Cell::Empty => Cow::Borrowed(""),
    }
}

fn text_block(out: &mut dyn Write, block: &Block) -> Result<()> {
    match block {
        Block::Title(h) => writeln!(out, "{h}\n{}", "═".repeat(h.chars().count().min(100)))?,
        Block::Heading(h) => writeln!(out, "{h}\n{}", "─".repeat(h.chars().count().min(100)))?,
        Block::Fields(fields) => {
            let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in fields {
                writeln!(out, "{:<width$}  {v}", format!("{k}:"), width = width + 1)?;
            }
        }
        Block::Text(s) => writeln!(out, "{s}")?,
        Block::Table(_) => unreachable!("tables are written as rows"),
    }
    Ok(())
}

fn markdown_block(out: &mut dyn Write, block: &Block) -> Result<()> {
    match block {
        Block::Title(h) => writeln!(out, "# {}", md_escape(h))?,
        Block::Heading(h) => writeln!(out, "## {}", md_escape(h))?,
        Block::Fields(fields) => {
            for (k, v) in fields {
                writeln!(out, "- **{k}:** {}", md_escape(v))?;
            }
        }
        Block::Text(s) => writeln!(out, "{}", md_escape(s))?,
        Block::Table(_) => unreachable!("tables are written as rows"),
    }
    Ok(())
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

/// A comfy-table in the project's look.
fn comfy(style: Style) -> comfy_table::Table {
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
    if let Some(width) = style.width {
        table.set_width(width);
    }
    table
}

fn bold_header(table: &mut comfy_table::Table, headers: &[&str]) {
    table.set_header(
        headers
            .iter()
            .map(|h| comfy_table::Cell::new(h).add_attribute(Attribute::Bold)),
    );
}

fn terminal_table(t: &Table, style: Style) -> String {
    let mut table = comfy(style);
    bold_header(&mut table, &t.headers);
    if let Some(width) = table.width() {
        table.set_constraints(column_constraints(t, width));
    }
    for row in &t.rows {
        table.add_row(row.iter().map(|c| {
            let cell = comfy_table::Cell::new(plain_cow(c));
            match c {
                Cell::Health(h) | Cell::Marked(h, _) if style.colour => cell.fg(health_colour(*h)),
                Cell::Int(_) => cell.set_alignment(comfy_table::CellAlignment::Right),
                _ => cell,
            }
        }));
    }
    table.to_string()
}

/// A grid's rows drawn by comfy-table, for lines too wide for [`PipedTable`].
fn piped_table_by_comfy(grid: &PipedTable) -> String {
    let mut table = comfy(Style::default());
    let mut rows = grid.rows();
    let headers: Vec<&str> = rows
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    bold_header(&mut table, &headers);
    for row in rows {
        table.add_row(row.into_iter().map(|(text, right)| {
            let cell = comfy_table::Cell::new(text);
            if right {
                cell.set_alignment(comfy_table::CellAlignment::Right)
            } else {
                cell
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
            .map(|cell| plain_cow(cell).chars().count())
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

/// A text cell a spreadsheet would run as a formula gets a leading `'`.
pub fn spreadsheet_safe(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `blocks` as a document of `kind`.
    fn written(kind: Kind, blocks: Vec<Block>) -> String {
        let mut out = Vec::new();
        let mut doc = Doc::new(&mut out, kind);
        doc.blocks(blocks).unwrap();
        String::from_utf8(out).unwrap()
    }

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
            written(Kind::Csv, vec![Block::Table(t)]),
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
                width: None,
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
        assert_eq!(
            written(Kind::Markdown, vec![Block::Table(t)]),
            "| a |\n| --- |\n| x\\|y |\n"
        );
    }

    /// The first row is the header, which is never aligned right.
    fn piped_table_of(rows: &[Vec<(String, bool)>]) -> PipedTable {
        let mut grid = PipedTable::default();
        for (n, row) in rows.iter().enumerate() {
            grid.row(row.iter().map(|(t, right)| (t.as_str(), *right && n > 0)));
        }
        grid
    }

    fn drawn(grid: &PipedTable) -> String {
        let mut out = Vec::new();
        grid.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    proptest::proptest! {
        /// Tables not fitted to a window are drawn as comfy-table draws
        /// them, whatever the cells hold: wide and zero-width characters,
        /// lines, blanks, rows shorter or longer than the header.
        #[test]
        fn piped_tables_are_drawn_as_comfy_table_draws_them(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    ("(|[a-z ]{1,12}|[█░漢é\u{301}\t-]{1,6}|[a-z]{1,5}\n[a-z ]{0,8}|\n)", proptest::bool::ANY),
                    0..6,
                ),
                1..8,
            )
        ) {
            let grid = piped_table_of(&rows);
            proptest::prop_assert!(grid.fits());
            proptest::prop_assert_eq!(drawn(&grid), piped_table_by_comfy(&grid));
        }
    }

    #[test]
    fn a_table_that_matches_comfy_table_is_written_as_rows_come() {
        let t = Table {
            headers: vec!["id", "title", "progress"],
            rows: vec![
                vec![Cell::Int(7), Cell::from("Replace the SAN"), Cell::Bar(40)],
                vec![Cell::Int(12), Cell::from("Teams\ntelephony"), Cell::Empty],
            ],
        };
        let expected = terminal_table(&t, Style::default()) + "\n";
        assert_eq!(
            written(Kind::Text(Style::default()), vec![Block::Table(t)]),
            expected
        );
    }

    /// A table larger than a block of text spans several, and reads back
    /// whole: cells that would cross a block's end start the next one.
    #[test]
    fn piped_tables_span_blocks_of_text() {
        let mut rows = vec![vec![("n".to_string(), false), ("text".to_string(), false)]];
        for n in 0..12_000 {
            let text = format!("{n} ").repeat(1 + n % 50);
            rows.push(vec![(n.to_string(), true), (text, false)]);
        }
        let grid = piped_table_of(&rows);
        assert!(grid.block_count() > 1, "{} block", grid.block_count());
        let back: Vec<Vec<(&str, bool)>> = grid.rows().collect();
        assert_eq!(back.len(), rows.len());
        for (got, want) in back.iter().zip(&rows) {
            let want: Vec<(&str, bool)> = want.iter().map(|(t, r)| (t.as_str(), *r)).collect();
            assert_eq!(got, &want);
        }
        assert_eq!(drawn(&grid), piped_table_by_comfy(&grid));
    }

    /// comfy-table splits a line wider than a `u16`; such a table is
    /// drawn by comfy-table itself.
    #[test]
    fn lines_too_wide_for_a_piped_table_go_to_comfy_table() {
        let long = "word ".repeat(14_000);
        let t = Table {
            headers: vec!["note"],
            rows: vec![vec![Cell::from(long.trim_end())]],
        };
        let expected = terminal_table(&t, Style::default()) + "\n";
        let mut grid = PipedTable::new(&["note"]);
        grid.row([(long.trim_end(), false)]);
        assert!(!grid.fits());
        assert_eq!(
            written(Kind::Text(Style::default()), vec![Block::Table(t)]),
            expected
        );
    }
}
