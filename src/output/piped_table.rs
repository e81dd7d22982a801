//! The terminal table when it is not fitted to a window (piped to a file,
//! a pager or another program): the same box drawing comfy-table prints
//! there, but cells are kept as one run of text while rows arrive, so a
//! table of 100,000 rows costs about its own text, not ten times that.
//!
//! Columns are as wide as their widest line, measured as comfy-table
//! measures it, so the output is byte for byte comfy-table's (a property
//! test holds the two together).

use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// comfy-table keeps widths in a `u16`: a line wider than this would be
/// split by it, which this writer does not do; such a table is handed back.
const WIDEST: usize = u16::MAX as usize;

/// Cell texts are kept in blocks of this many bytes: a table grows a block
/// at a time, never copying what it holds into a buffer twice its size.
const BLOCK: usize = 1 << 20;

/// The rows of a table collected for writing, cell texts back to back.
#[derive(Default)]
pub struct PipedTable {
    blocks: Vec<String>,
    /// For each cell, in order: its text's length, shifted left two bits;
    /// bit 1 says its text starts a new block, bit 0 that it is aligned
    /// right.
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
        for (column, (text, right)) in cells.into_iter().enumerate() {
            let full = self
                .blocks
                .last()
                .is_none_or(|b| b.capacity() - b.len() < text.len());
            if full {
                self.blocks
                    .push(String::with_capacity(BLOCK.max(text.len())));
            }
            self.blocks.last_mut().expect("a block").push_str(text);
            self.cells
                .push(((text.len() as u64) << 2) | (u64::from(full) << 1) | u64::from(right));
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
                    let len = (packed >> 2) as usize;
                    let text = &self.blocks[block][at..at + len];
                    at += len;
                    (text, packed & 1 == 1)
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
        for (i, row) in self.rows().enumerate() {
            // A missing cell is a blank line, as in comfy-table.
            let lines = row.iter().map(|(t, _)| t.split('\n').count());
            let height = if self.widths.is_empty() {
                0
            } else {
                lines.max().unwrap_or(1)
            };
            for n in 0..height {
                line.push('│');
                for (c, width) in self.widths.iter().enumerate() {
                    if c > 0 {
                        line.push('┆');
                    }
                    match row
                        .get(c)
                        .and_then(|(t, r)| Some((t.split('\n').nth(n)?, *r)))
                    {
                        Some((text, right)) => pad(&mut line, text, *width, right),
                        None => line.extend(std::iter::repeat_n(' ', width + 2)),
                    }
                }
                line.push_str("│\n");
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
/// cell is not aligned to.
fn pad(line: &mut String, text: &str, width: usize, right: bool) {
    let gap = width.saturating_sub(text.width());
    let (before, after) = if right { (gap, 0) } else { (0, gap) };
    line.extend(std::iter::repeat_n(' ', before + 1));
    line.push_str(text);
    line.extend(std::iter::repeat_n(' ', after + 1));
}
