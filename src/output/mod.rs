//! Rendering: a command hands over a [`View`]; this module prints it as a
//! terminal table, JSON, CSV or Markdown. Nothing here decides what to show.

mod render;
pub mod shapes;

pub use render::{Style, render};

use crate::domain::vocab::Health;

/// One cell of a table, typed so each format can treat it rightly (colour
/// for health, a bar for progress, no formula escaping for numbers).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Health(Health),
    /// A progress percentage, drawn as a bar where there is room for one.
    Bar(u8),
    Empty,
}

impl Cell {
    pub fn opt(s: Option<impl ToString>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// Rows under a header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A piece of a human-readable document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's title (a report's first line).
    Title(String),
    Heading(String),
    /// Label and value pairs, one a line.
    Fields(Vec<(&'static str, String)>),
    Table(Table),
    Text(String),
}

/// What a command returns to be printed.
pub trait View {
    /// The JSON document of the SPEC.
    fn json(&self) -> serde_json::Value;
    /// Writes the JSON document; views with large documents serialise
    /// straight to the writer instead of building [`Self::json`] first.
    fn write_json(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        serde_json::to_writer_pretty(out, &self.json())
    }
    /// The document for people (table and Markdown formats).
    fn blocks(&self) -> Vec<Block>;
    /// The one table CSV prints; by default the document's first table.
    fn csv(&self) -> Table {
        self.blocks()
            .into_iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .unwrap_or_default()
    }
}

/// Draws `███████░░░ 70%`.
pub fn progress_bar(p: u8) -> String {
    let filled = (usize::from(p) + 5) / 10;
    format!("{}{} {p}%", "█".repeat(filled), "░".repeat(10 - filled))
}
