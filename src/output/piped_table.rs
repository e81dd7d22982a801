//! The terminal table's drawing: the same box drawing comfy-table prints,
//! but cells are kept as one run of text while rows arrive, so a table of
//! 100,000 rows piped to a file costs about its own text, not ten times
//! that, and a table fitted to a window with a 16 MB cell (300 MB drawn)
//! takes a second where comfy-table took four.
//!
//! Columns are as wide as their widest line, measured as comfy-table
//! measures it, so the output is byte for byte comfy-table's (a property
//! test holds the two together); a fitted table's cells come wrapped.

use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// comfy-table keeps widths in a `u16`: a line wider than this would be
/// split by it, which this writer does not do; such a table is handed back.
const WIDEST: usize = u16::MAX as usize;

/// Cell texts are kept in blocks of this many bytes: a table grows a block
/// at a time, never copying what it holds into a buffer twice its size.
const BLOCK: usize = 1 << 20;

/// How a cell's text is drawn on a terminal that takes colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Bold,
    Red,
    Yellow,
    Green,
    Blue,
    Grey,
}

impl Paint {
    const ALL: [Paint; 7] = [
        Paint::Plain,
        Paint::Bold,
        Paint::Red,
        Paint::Yellow,
        Paint::Green,
        Paint::Blue,
        Paint::Grey,
    ];

    /// The escape sequence that starts it (none for plain text).
    fn start(self) -> &'static str {
        match self {
            Paint::Plain => "",
            Paint::Bold => "\u{1b}[1m",
            Paint::Red => "\u{1b}[31m",
            Paint::Yellow => "\u{1b}[33m",
            Paint::Green => "\u{1b}[32m",
            Paint::Blue => "\u{1b}[34m",
            Paint::Grey => "\u{1b}[90m",
        }
    }
}

/// The rows of a table collected for writing, cell texts back to back.
#[derive(Default)]
pub struct PipedTable {
    blocks: Vec<String>,
    /// For each cell, in order: its text's length, shifted left six bits;
    /// bits 2 to 5 hold its paint, bit 1 says its text starts a new block,
    /// bit 0 that it is aligned right.
    cells: Vec<u64>,
    /// For each row (the header first), where its cells end in `cells`.
    rows: Vec<usize>,
    /// The widest line of each column so far (at least 1, as comfy-table).
    widths: Vec<usize>,
}

impl PipedTable {
    pub fn new(headers: &[&str]) -> PipedTable {
        let mut grid = PipedTable::default();
        grid.row(headers.iter().map(|h| (*h, false)));
        grid
    }

    /// Adds a row of (text, aligned right) cells.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = (&'a str, bool)>) {
        self.painted_row(cells.into_iter().map(|(t, right)| (t, right, Paint::Plain)));
    }

    /// Adds a row of (text, aligned right, paint) cells.
    pub fn painted_row<'a>(&mut self, cells: impl IntoIterator<Item = (&'a str, bool, Paint)>) {
        for (column, (text, right, paint)) in cells.into_iter().enumerate() {
            let full = self
                .blocks
                .last()
                .is_none_or(|b| b.capacity() - b.len() < text.len());
            if full {
                self.blocks
                    .push(String::with_capacity(BLOCK.max(text.len())));
            }
            self.blocks.last_mut().expect("a block").push_str(text);
            self.cells.push(
                ((text.len() as u64) << 6)
                    | ((paint as u64) << 2)
                    | (u64::from(full) << 1)
                    | u64::from(right),
            );
            let wide = text.split('\n').map(|l| l.width()).max().unwrap_or(0);
            match self.widths.get_mut(column) {
                Some(w) => *w = (*w).max(wide),
                None => self.widths.push(wide.max(1)),
            }
        }
        self.rows.push(self.cells.len());
    }

    #[cfg(test)]
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// False when a line is too wide for comfy-table's widths.
    pub fn fits(&self) -> bool {
        self.widths.iter().all(|w| *w <= WIDEST)
    }

    /// The cells of each row, header first: (text, aligned right).
    pub fn rows(&self) -> impl Iterator<Item = Vec<(&str, bool)>> {
        self.painted_rows()
            .map(|row| row.into_iter().map(|(t, right, _)| (t, right)).collect())
    }

    /// The cells of each row, header first, with their paint.
    fn painted_rows(&self) -> impl Iterator<Item = Vec<(&str, bool, Paint)>> {
        let mut cell_start = 0;
        // The block being read (one before the first) and where in it.
        let (mut block, mut at) = (usize::MAX, 0);
        self.rows.iter().map(move |&end| {
            let row = self.cells[cell_start..end]
                .iter()
                .map(|&packed| {
                    if packed & 2 != 0 {
                        (block, at) = (block.wrapping_add(1), 0);
                    }
                    let len = (packed >> 6) as usize;
                    let text = &self.blocks[block][at..at + len];
                    at += len;
                    let paint = Paint::ALL[((packed >> 2) & 15) as usize];
                    (text, packed & 1 == 1, paint)
                })
                .collect();
            cell_start = end;
            row
        })
    }

    /// Writes the table, with no newline after its last line.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let padded: Vec<usize> = self.widths.iter().map(|w| w + 2).collect();
        let mut line = String::new();
        border(&mut line, &padded, ['┌', '─', '┬', '┐']);
        for (i, row) in self.painted_rows().enumerate() {
            // A missing cell is a blank line, as in comfy-table.
            let lines = row.iter().map(|(t, _, _)| t.split('\n').count());
            let height = if self.widths.is_empty() {
                0
            } else {
                lines.max().unwrap_or(1)
            };
            // Each cell's lines, taken in turn: a tall cell is read once.
            let mut lines: Vec<_> = row
                .iter()
                .map(|(t, r, p)| (t.split('\n'), *r, *p))
                .collect();
            for _ in 0..height {
                line.push('│');
                for (c, width) in self.widths.iter().enumerate() {
                    if c > 0 {
                        line.push('┆');
                    }
                    match lines
                        .get_mut(c)
                        .and_then(|(t, r, p)| Some((t.next()?, *r, *p)))
                    {
                        Some((text, right, paint)) => pad(&mut line, text, *width, right, paint),
                        None => line.extend(std::iter::repeat_n(' ', width + 2)),
                    }
                }
                line.push_str("│\n");
                if line.len() > 1 << 15 {
                    out.write_all(line.as_bytes())?;
                    line.clear();
                }
            }
            if i == 0 {
                border(&mut line, &padded, ['╞', '═', '╪', '╡']);
            }
            // Written in pieces, so the whole table is never text twice.
            if line.len() > 1 << 15 {
                out.write_all(line.as_bytes())?;
                line.clear();
            }
        }
        border(&mut line, &padded, ['└', '─', '┴', '┘']);
        line.pop();
        out.write_all(line.as_bytes())
    }
}

fn border(line: &mut String, widths: &[usize], [left, fill, junction, right]: [char; 4]) {
    line.push(left);
    for (i, width) in widths.iter().enumerate() {
        if i > 0 {
            line.push(junction);
        }
        line.extend(std::iter::repeat_n(fill, *width));
    }
    line.push(right);
    line.push('\n');
}

/// One space each side, and spaces to the column's width on the side the
/// cell is not aligned to; painted text is reset after it.
fn pad(line: &mut String, text: &str, width: usize, right: bool, paint: Paint) {
    let gap = width.saturating_sub(text.width());
    let (before, after) = if right { (gap, 0) } else { (0, gap) };
    line.extend(std::iter::repeat_n(' ', before + 1));
    if paint == Paint::Plain || text.is_empty() {
        line.push_str(text);
    } else {
        line.push_str(paint.start());
        line.push_str(text);
        line.push_str("\u{1b}[0m");
    }
    line.extend(std::iter::repeat_n(' ', after + 1));
}
