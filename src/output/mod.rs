//! Rendering: a command hands over a [`View`]; this module prints it as a
//! terminal table, JSON, CSV or Markdown. Nothing here decides what to show.

mod fit;
pub mod html;
mod piped_table;
mod render;
pub mod shapes;
mod shown;
mod sink;
mod workbook;

pub use sink::Sink;
pub mod views;

pub use render::{Doc, Rows, Style, render};

/// A message as a terminal may show it: it may quote a file's or the
/// database's text, whose control characters are written visibly; on a
/// terminal `width` wide, its words wrap to it.
pub fn shown_message(text: &str, width: Option<u16>) -> String {
    let shown = shown::for_terminal(text, shown::Kind::Prose);
    match width {
        Some(w) => fit::wrap(&shown, w.into()).into_owned(),
        None => shown.into_owned(),
    }
}

/// A stored name or title as a terminal may show it in a message.
pub fn shown_label(text: &str) -> std::borrow::Cow<'_, str> {
    shown::for_terminal(text, shown::Kind::Label)
}

/// Where a command's data goes: stdout in the format asked for. A command
/// that reads while it prints hands it a view over what its transaction
/// reads; output never holds the database or opens a transaction.
pub struct Printer<'w> {
    format: Format,
    style: Style,
    out: &'w mut dyn Write,
    /// Columns tables left out to fit the window, said after the data.
    left_out: Vec<&'static str>,
    /// CSV starts with a byte-order mark (for Excel).
    bom: bool,
}

impl<'w> Printer<'w> {
    pub fn new(format: Format, style: Style, out: &'w mut dyn Write) -> Printer<'w> {
        Printer {
            format,
            style,
            out,
            left_out: Vec::new(),
            bom: false,
        }
    }

    /// CSV starts with a byte-order mark, as Excel wants to read UTF-8.
    pub fn with_bom(mut self, bom: bool) -> Self {
        self.bom = bom;
        self
    }

    /// Where the data goes, for what is written as it is (a shell's
    /// completion script, the manual page).
    pub fn raw(&mut self) -> &mut dyn Write {
        self.out
    }

    /// The format asked for.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Prints `view` in the format asked for.
    pub fn print(&mut self, view: &dyn View) -> Result<()> {
        self.print_as(view, self.format)
    }

    /// Prints `view` in `format`, whatever was asked (export is JSON).
    pub fn print_as(&mut self, view: &dyn View, format: Format) -> Result<()> {
        if format == Format::Csv && std::mem::take(&mut self.bom) {
            self.out.write_all("\u{feff}".as_bytes())?;
        }
        let left_out = render(view, format, self.style, self.out)?;
        for gone in left_out {
            if !self.left_out.contains(&gone) {
                self.left_out.push(gone);
            }
        }
        Ok(())
    }

    /// Writes out what is buffered, then says on stderr which columns a
    /// table left out to fit the window, and how to see them.
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush()?;
        if let (false, Some(width)) = (self.left_out.is_empty(), self.style.width) {
            let said = format!(
                "strat: to fit {width} columns, the table leaves out {}; a wider window or \
                 --format markdown shows them.",
                std::mem::take(&mut self.left_out).join(", ")
            );
            eprintln!("{}", fit::wrap(&said, width.into()));
        }
        Ok(())
    }
}

use crate::cli::Format;
use crate::domain::vocab::Health;
use crate::error::{Error, Result};
use serde::ser::{Error as _, Serialize, SerializeSeq, Serializer};
use std::cell::RefCell;
use std::io::Write;

/// One cell of a table, typed so each format can treat it rightly (colour
/// for health, a bar for progress, no formula escaping for numbers).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A name, title or value, on one line.
    Text(String),
    /// A note or description, whose line breaks are its own.
    Prose(String),
    Int(i64),
    Health(Health),
    /// A health with a mark beside it (the direction of travel).
    Marked(Health, &'static str),
    /// A progress percentage, drawn as a bar where there is room for one.
    Bar(u8),
    Empty,
}

impl Cell {
    pub fn opt(s: Option<impl ToString>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
    }

    /// A note or description, when there is one.
    pub fn prose(s: Option<impl ToString>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Prose(s.to_string()))
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
    Fields(Vec<(&'static str, Cell)>),
    Table(Table),
    Text(String),
}

/// What a command returns to be printed. Each document is written piece
/// by piece as it is made, so a long one is never held whole.
pub trait View {
    /// Writes the JSON document of the SPEC.
    fn write_json(&self, out: &mut JsonOut) -> Result<()>;
    /// Writes the document for people (table and Markdown formats).
    fn document(&self, doc: &mut Doc) -> Result<()>;
    /// Writes the one table CSV prints; by default the document's first
    /// (a CSV document drops every other piece).
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        self.document(doc)
    }
    /// Writes the self-contained HTML page (`report`, `outstanding`).
    fn html(&self, _out: &mut dyn Write) -> Result<()> {
        Err(Error::invalid(
            "--format html is for report and outstanding\nUse --format markdown for a document.",
        ))
    }
}

/// Draws `███████░░░ 70%`.
pub fn progress_bar(p: u8) -> String {
    let filled = (usize::from(p) + 5) / 10;
    format!("{}{} {p}%", "█".repeat(filled), "░".repeat(10 - filled))
}

/// Where a view writes its JSON document: indented for a person at a
/// terminal, compact for a program (half the bytes, twice the speed).
pub struct JsonOut<'a> {
    out: &'a mut dyn Write,
    pretty: bool,
}

impl<'a> JsonOut<'a> {
    pub fn new(out: &'a mut dyn Write, pretty: bool) -> JsonOut<'a> {
        JsonOut { out, pretty }
    }

    /// Writes `value` as the document.
    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        // A typed buffer in front of the `dyn` writer, so the many small
        // writes of the serialiser are plain copies.
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *self.out);
        let written = if self.pretty {
            serde_json::to_writer_pretty(&mut w, value)
        } else {
            serde_json::to_writer(&mut w, value)
        };
        written.map_err(|e| match e.io_error_kind() {
            Some(kind) => Error::from(std::io::Error::from(kind)),
            None => Error::bug(format!("JSON encoding failed: {e}")),
        })?;
        w.flush()?;
        Ok(())
    }
}

/// A JSON list whose elements are made while it is written, so a long
/// document never has to be held whole. The first error stops the list and
/// is kept, as it was, for [`Streamed::finish`].
pub struct Streamed<F> {
    next: RefCell<F>,
    error: RefCell<Option<Error>>,
}

impl<T: Serialize, F: FnMut() -> Result<Option<T>>> Streamed<F> {
    pub fn new(next: F) -> Streamed<F> {
        Streamed {
            next: RefCell::new(next),
            error: RefCell::new(None),
        }
    }

    /// The outcome of writing a document that holds this list: the list's
    /// own error comes first, since the writer's is only its echo.
    pub fn finish(self, written: Result<()>) -> Result<()> {
        match self.error.into_inner() {
            Some(e) => Err(e),
            None => written,
        }
    }
}

impl<T: Serialize, F: FnMut() -> Result<Option<T>>> Serialize for Streamed<F> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut next = self.next.borrow_mut();
        loop {
            match next() {
                Ok(Some(element)) => seq.serialize_element(&element)?,
                Ok(None) => return seq.end(),
                Err(e) => {
                    let message = e.to_string();
                    *self.error.borrow_mut() = Some(e);
                    return Err(S::Error::custom(message));
                }
            }
        }
    }
}
