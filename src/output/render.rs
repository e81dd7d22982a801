//! The four formats.

use super::fit::{Layout, Measure, hanging, layout, wrap};
use super::piped_table::{Paint, PipedTable};
use super::shown::{Kind as TextKind, for_csv, for_markdown, for_terminal};
use super::{Block, Cell, JsonOut, Table, View, progress_bar};
use crate::cli::Format;
use crate::domain::vocab::Health;
use crate::error::{Error, Result};
use comfy_table::{Attribute, ContentArrangement, presets};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};

/// How the terminal table looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Printing to a terminal (JSON is indented for a person there).
    pub terminal: bool,
    /// Colour health cells and embolden headers: on a terminal only, and
    /// never under `NO_COLOR` or `TERM=dumb`; without it, no escape
    /// sequence at all is written.
    pub colour: bool,
    /// The width tables and text are fitted to: `COLUMNS` when it is set
    /// (then also when not printing to a terminal), else the terminal's
    /// own; none when piped, where tables are as wide as their text.
    pub width: Option<u16>,
}

impl Style {
    /// What stdout can take.
    pub fn detect() -> Style {
        let terminal = std::io::stdout().is_terminal();
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|w| *w > 0)
            .or_else(|| terminal.then(window_width));
        Style {
            terminal,
            colour: terminal && !set("NO_COLOR") && !dumb,
            width,
        }
    }
}

/// The terminal window's width, as comfy-table finds it (80 when it
/// cannot say).
fn window_width() -> u16 {
    comfy_table::Table::new()
        .width()
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

/// Writes `view` to `out` in `format`, and returns the headers of the
/// columns that were left out of tables to fit the window.
pub fn render(
    view: &dyn View,
    format: Format,
    style: Style,
    out: &mut dyn Write,
) -> Result<Vec<&'static str>> {
    let mut doc = match format {
        Format::Json => {
            view.write_json(&mut JsonOut::new(out, style.terminal))?;
            out.write_all(b"\n")?;
            return Ok(Vec::new());
        }
        Format::Html => {
            view.html(out)?;
            return Ok(Vec::new());
        }
        Format::Csv => Doc::new(out, Kind::Csv),
        Format::Xlsx => Doc::new(out, Kind::Sheet),
        Format::Markdown => Doc::new(out, Kind::Markdown),
        Format::Table => Doc::new(out, Kind::Text(style)),
    };
    match format {
        Format::Csv | Format::Xlsx => view.csv(&mut doc)?,
        _ => view.document(&mut doc)?,
    }
    Ok(doc.left_out)
}

#[derive(Clone, Copy)]
enum Kind {
    Text(Style),
    Markdown,
    /// Only the first table, as CSV; nothing for a document without one
    /// (every view's CSV has a table, if only its header).
    Csv,
    /// The same table, as a workbook.
    Sheet,
}

/// Where a view writes its document for people: pieces in order, each in
/// the format asked for, as it comes.
pub struct Doc<'w> {
    out: &'w mut dyn Write,
    kind: Kind,
    pieces: usize,
    tables: usize,
    /// The columns left out of a table to fit the window, each once.
    left_out: Vec<&'static str>,
}

impl<'w> Doc<'w> {
    fn new(out: &'w mut dyn Write, kind: Kind) -> Doc<'w> {
        Doc {
            out,
            kind,
            pieces: 0,
            tables: 0,
            left_out: Vec::new(),
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
            Kind::Csv | Kind::Sheet => Ok(()),
            Kind::Markdown => {
                self.next_piece()?;
                markdown_block(self.out, &block)
            }
            Kind::Text(style) => {
                self.next_piece()?;
                text_block(self.out, &block, style.width.map(usize::from))
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
        if matches!(self.kind, Kind::Csv | Kind::Sheet) && self.tables > 1 {
            return Ok(Rows { how: How::Skip });
        }
        if !matches!(self.kind, Kind::Csv | Kind::Sheet) {
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
            Kind::Sheet => How::Sheet(
                Table {
                    headers,
                    rows: Vec::new(),
                },
                out,
            ),
            Kind::Markdown => {
                let rule = vec![" --- "; headers.len()].join("|");
                writeln!(out, "| {} |\n|{rule}|", headers.join(" | "))?;
                How::Markdown(out)
            }
            Kind::Text(style) => match style.width {
                Some(width) => How::Fitted {
                    table: Table {
                        headers,
                        rows: Vec::new(),
                    },
                    style,
                    width: width.into(),
                    out,
                    left_out: &mut self.left_out,
                },
                None => How::PipedTable(PipedTable::new(&headers), out),
            },
        };
        Ok(Rows { how })
    }
}

enum How<'d> {
    Skip,
    /// A workbook is made of the whole table.
    Sheet(Table, &'d mut dyn Write),
    Csv(Box<csv::Writer<&'d mut dyn Write>>),
    Markdown(&'d mut dyn Write),
    /// Fitted to a window: every row is needed to size the columns and
    /// wrap words, so the table is held and drawn whole.
    Fitted {
        table: Table,
        style: Style,
        width: usize,
        out: &'d mut dyn Write,
        left_out: &'d mut Vec<&'static str>,
    },
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
                let cells: Vec<String> = cells.iter().map(markdown_text).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
            }
            How::Fitted { table, .. } | How::Sheet(table, _) => table.rows.push(cells),
            How::PipedTable(g, _) => {
                let texts: Vec<(Cow<str>, bool)> = cells
                    .iter()
                    .map(|c| (terminal_text(c, true), matches!(c, Cell::Int(_))))
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
            How::Sheet(table, out) => out.write_all(&super::workbook::workbook(&table)?)?,
            How::Fitted {
                table,
                style,
                width,
                out,
                left_out,
            } => {
                let (drawn, layout) = fitted_table(&table, style, width);
                out.write_all(drawn.as_bytes())?;
                out.write_all(b"\n")?;
                for gone in layout.left_out {
                    if !left_out.contains(&gone) {
                        left_out.push(gone);
                    }
                }
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

/// A cell as CSV text: control characters visible, formulas defused,
/// bars as their number.
fn csv_text(c: &Cell) -> Cow<'_, str> {
    match c {
        Cell::Text(s) => for_csv(s, TextKind::Label),
        Cell::Prose(s) => for_csv(s, TextKind::Prose),
        Cell::Bar(p) => Cow::Owned(p.to_string()),
        other => terminal_text(other, true),
    }
}

/// A cell as a terminal shows it, progress as a bar or as its number.
fn terminal_text(cell: &Cell, bars: bool) -> Cow<'_, str> {
    match cell {
        Cell::Text(s) => for_terminal(s, TextKind::Label),
        Cell::Prose(s) => for_terminal(s, TextKind::Prose),
        Cell::Int(n) => Cow::Owned(n.to_string()),
        Cell::Health(h) => Cow::Borrowed(h.as_str()),
        Cell::Marked(h, mark) => Cow::Owned(format!("{h} {mark}")),
        Cell::Bar(p) if bars => Cow::Owned(progress_bar(*p)),
        Cell::Bar(p) => Cow::Owned(format!("{p}%")),
        Cell::Empty => Cow::Borrowed(""),
    }
}

fn markdown_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => for_markdown(s, TextKind::Label),
        Cell::Prose(s) => for_markdown(s, TextKind::Prose),
        other => for_markdown(&terminal_text(other, true), TextKind::Label),
    }
}

/// A block of text for people, its lines wrapped to `width` when given.
fn text_block(out: &mut dyn Write, block: &Block, width: Option<usize>) -> Result<()> {
    let wrapped = |s: &str| match width {
        Some(w) => wrap(s, w).into_owned(),
        None => s.to_string(),
    };
    let rule = |s: &str, c: &str| {
        let widest = s.split('\n').map(unicode_width::UnicodeWidthStr::width);
        c.repeat(widest.max().unwrap_or(0).min(width.unwrap_or(100)))
    };
    match block {
        Block::Title(h) | Block::Heading(h) => {
            let h = wrapped(&for_terminal(h, TextKind::Label));
            let line = if matches!(block, Block::Title(_)) {
                "═"
            } else {
                "─"
            };
            writeln!(out, "{h}\n{}", rule(&h, line))?;
        }
        Block::Fields(fields) => {
            let label = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 3;
            for (k, v) in fields {
                let v = terminal_text(v, true);
                let v = match width {
                    Some(w) => hanging(&v, label, w),
                    None => v.replace('\n', &format!("\n{}", " ".repeat(label))),
                };
                writeln!(out, "{:<width$}{v}", format!("{k}:"), width = label)?;
            }
        }
        Block::Text(s) => writeln!(out, "{}", wrapped(&for_terminal(s, TextKind::Prose)))?,
        Block::Table(_) => unreachable!("tables are written as rows"),
    }
    Ok(())
}

fn markdown_block(out: &mut dyn Write, block: &Block) -> Result<()> {
    match block {
        Block::Title(h) => writeln!(out, "# {}", for_markdown(h, TextKind::Label))?,
        Block::Heading(h) => writeln!(out, "## {}", for_markdown(h, TextKind::Label))?,
        Block::Fields(fields) => {
            for (k, v) in fields {
                writeln!(out, "- **{k}:** {}", markdown_text(v))?;
            }
        }
        Block::Text(s) => writeln!(out, "{}", for_markdown(s, TextKind::Prose))?,
        Block::Table(_) => unreachable!("tables are written as rows"),
    }
    Ok(())
}

fn health_paint(h: Health) -> Paint {
    match h {
        Health::Red => Paint::Red,
        Health::Amber => Paint::Yellow,
        Health::Green => Paint::Green,
        Health::Complete => Paint::Blue,
        Health::Closed => Paint::Grey,
    }
}

/// A comfy-table in the project's look, unstyled.
fn comfy() -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.force_no_tty();
    table
}

fn bold_header(table: &mut comfy_table::Table, headers: impl IntoIterator<Item = String>) {
    table.set_header(
        headers
            .into_iter()
            .map(|h| comfy_table::Cell::new(h).add_attribute(Attribute::Bold)),
    );
}

/// A table fitted to `width`: laid out by [`layout`], each cell wrapped
/// to its column, and drawn by comfy-table as it is.
fn fitted_table(t: &Table, style: Style, width: usize) -> (String, Layout) {
    let cols = t.headers.len();
    let texts: Vec<Vec<Cow<str>>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| terminal_text(c, true)).collect())
        .collect();
    let mut with_bars = vec![Measure::default(); cols];
    let mut as_numbers = vec![Measure::default(); cols];
    for (c, h) in t.headers.iter().enumerate() {
        with_bars[c] = Measure::header(h);
        as_numbers[c] = Measure::header(h);
    }
    for (row, cells) in t.rows.iter().zip(&texts) {
        for (c, (cell, text)) in row.iter().zip(cells).enumerate().take(cols) {
            match cell {
                Cell::Text(_) | Cell::Prose(_) => {
                    with_bars[c].take(text);
                    as_numbers[c].take(text);
                }
                Cell::Bar(_) => {
                    with_bars[c].take_whole(text);
                    as_numbers[c].take_whole(&terminal_text(cell, false));
                }
                _ => {
                    with_bars[c].take_whole(text);
                    as_numbers[c].take_whole(text);
                }
            }
        }
    }
    let layout = layout(&t.headers, &with_bars, &as_numbers, width);
    let paint = |p: Paint| if style.colour { p } else { Paint::Plain };
    let headers: Vec<Cow<str>> = layout
        .shown
        .iter()
        .map(|(c, w)| wrap(t.headers[*c], *w))
        .collect();
    let mut grid = PipedTable::default();
    grid.painted_row(
        headers
            .iter()
            .map(|h| (h.as_ref(), false, paint(Paint::Bold))),
    );
    for (row, cells) in t.rows.iter().zip(&texts) {
        let drawn: Vec<(Cow<str>, bool, Paint)> = layout
            .shown
            .iter()
            .map(|(c, w)| {
                let (cell, text) = match row.get(*c) {
                    Some(cell @ Cell::Bar(_)) if !layout.bars => (cell, terminal_text(cell, false)),
                    Some(cell) => (cell, Cow::Borrowed(cells[*c].as_ref())),
                    None => (&Cell::Empty, Cow::Borrowed("")),
                };
                let text = match wrap(&text, *w) {
                    Cow::Borrowed(_) => text,
                    Cow::Owned(wrapped) => Cow::Owned(wrapped),
                };
                match cell {
                    Cell::Health(h) | Cell::Marked(h, _) => (text, false, paint(health_paint(*h))),
                    Cell::Int(_) => (text, true, Paint::Plain),
                    _ => (text, false, Paint::Plain),
                }
            })
            .collect();
        grid.painted_row(drawn.iter().map(|(t, r, p)| (t.as_ref(), *r, *p)));
    }
    let mut out = Vec::new();
    grid.write(&mut out).expect("writing to memory");
    (String::from_utf8(out).expect("tables are text"), layout)
}

/// A grid's rows drawn by comfy-table, for lines too wide for [`PipedTable`].
fn piped_table_by_comfy(grid: &PipedTable) -> String {
    let mut table = comfy();
    let mut rows = grid.rows();
    let headers = rows.next().unwrap_or_default();
    bold_header(&mut table, headers.into_iter().map(|(h, _)| h.to_string()));
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

    /// The table as comfy-table draws it unfitted, the look a piped table
    /// must match.
    fn drawn_by_comfy(t: &Table) -> String {
        let mut grid = PipedTable::new(&t.headers);
        let rows: Vec<Vec<(Cow<str>, bool)>> = t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| (terminal_text(c, true), matches!(c, Cell::Int(_))))
                    .collect()
            })
            .collect();
        for r in &rows {
            grid.row(r.iter().map(|(t, right)| (t.as_ref(), *right)));
        }
        piped_table_by_comfy(&grid)
    }

    fn fitted(width: u16) -> Kind {
        Kind::Text(Style {
            width: Some(width),
            ..Style::default()
        })
    }

    #[test]
    fn csv_quotes_and_keeps_numbers_plain() {
        let t = Table {
            headers: vec!["title", "progress", "overdue"],
            rows: vec![vec![
                Cell::Prose("a, \"b\"\nc".into()),
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
        let terminal = Style {
            terminal: true,
            colour: false,
            width: Some(80),
        };
        let (plain, _) = fitted_table(&t, terminal, 80);
        assert!(!plain.contains('\u{1b}'), "{plain}");
        let coloured = Style {
            colour: true,
            ..terminal
        };
        let (coloured, _) = fitted_table(&t, coloured, 80);
        assert!(coloured.contains("\u{1b}["), "{coloured}");
    }

    #[test]
    fn fitted_tables_keep_to_the_width_and_say_what_they_left_out() {
        let t = Table {
            headers: vec!["id", "title", "owner", "progress", "latest note"],
            rows: vec![vec![
                Cell::Int(1),
                Cell::from("Corporate OneDrive replacing personal drives"),
                Cell::from("Digital workplace team"),
                Cell::Bar(70),
                Cell::Prose("Waiting on the supplier\nsince March".into()),
            ]],
        };
        for width in [200, 80, 60, 40, 30] {
            let mut out = Vec::new();
            let mut doc = Doc::new(&mut out, fitted(width));
            doc.block(Block::Table(t.clone())).unwrap();
            let left_out = doc.left_out.clone();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(line.chars().count() <= width.into(), "{width}: {line}");
            }
            for word in ["Corporate", "OneDrive", "replacing", "personal", "drives"] {
                assert!(text.contains(word), "{width}: a word broke\n{text}");
            }
            let shown = |h: &str| text.lines().nth(1).unwrap().contains(h);
            for gone in &left_out {
                assert!(!shown(gone), "{width}: {gone}\n{text}");
            }
            match width {
                200 | 80 => assert!(left_out.is_empty() && text.contains("███████░░░ 70%")),
                60 => assert!(left_out.is_empty() && text.contains(" 70% ")),
                40 => assert_eq!(left_out, ["owner"], "{text}"),
                30 => assert!(shown("title") && shown("id"), "{text}"),
                _ => {}
            }
        }
    }

    #[test]
    fn documents_wrap_to_the_window() {
        let text = written(
            fitted(30),
            vec![Block::Fields(vec![(
                "Note",
                Cell::Prose("Waiting on the national framework refresh".into()),
            )])],
        );
        assert_eq!(
            text,
            "Note:  Waiting on the national\n       framework refresh\n"
        );
    }

    #[test]
    fn stored_control_characters_are_shown_in_every_format() {
        let hostile = "x\u{1b}]52;c;ZWNobw==\u{7}\u{1b}[2J";
        let t = Table {
            headers: vec!["title", "note"],
            rows: vec![vec![Cell::from(hostile), Cell::Prose(hostile.into())]],
        };
        let blocks = || {
            vec![
                Block::Title(hostile.into()),
                Block::Fields(vec![("Lead", Cell::from(hostile))]),
                Block::Text(hostile.into()),
                Block::Table(t.clone()),
            ]
        };
        for kind in [
            Kind::Csv,
            Kind::Markdown,
            Kind::Text(Style::default()),
            fitted(80),
        ] {
            let text = written(kind, blocks());
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{text}"
            );
            assert!(text.contains("\\x1b"), "{text}");
        }
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
        let expected = drawn_by_comfy(&t) + "\n";
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
        let expected = drawn_by_comfy(&t) + "\n";
        let mut grid = PipedTable::new(&["note"]);
        grid.row([(long.trim_end(), false)]);
        assert!(!grid.fits());
        assert_eq!(
            written(Kind::Text(Style::default()), vec![Block::Table(t)]),
            expected
        );
    }
}
