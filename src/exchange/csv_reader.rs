//! A CSV file of items, as a program or Excel writes it (a byte-order
//! mark, CRLF line ends, quoted cells, short or long rows), read into a
//! [`Sheet`]: the header, then each row with its own line number.

use super::sheet::{DayOrder, Place, Raw, Sheet, read};
use crate::error::{Error, Result};
use std::io::Read;

/// Reads a CSV file; without `needs_title` (a return that updates items)
/// the header need not name a title column.
pub fn read_csv(mut input: impl Read, order: DayOrder, needs_title: bool) -> Result<Sheet> {
    // Held whole to count its lines: the csv crate's own count is a line
    // short after a CRLF, and a return is small.
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid(format!("the file cannot be read: {e}")))?;
    let mut lines = LineCount::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        None => return Err(Error::invalid("the file is empty: it has no header row")),
        Some(Err(e)) => {
            return Err(Error::invalid(format!(
                "the header row cannot be read: {e}"
            )));
        }
        Some(Ok(h)) => h
            .iter()
            .enumerate()
            .map(|(n, cell)| match n {
                0 => cell.trim_start_matches('\u{feff}').to_string(),
                _ => cell.to_string(),
            })
            .collect(),
    };
    let mut broken = Vec::new();
    let rows: Vec<(Place, Vec<Raw>)> = records
        .filter_map(|record| match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| lines.at(p.byte()));
                Some((
                    Place::Line(line),
                    r.iter().map(|c| Raw::Text(c.to_string())).collect(),
                ))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                broken.push(format!("line {line}: {e}"));
                None
            }
        })
        .collect();
    let mut sheet = read(
        &header,
        rows.into_iter(),
        order,
        Place::Line(1),
        needs_title,
    );
    sheet.problems.extend(broken);
    Ok(sheet)
}

/// The line a byte of the file is on, for bytes asked in order.
struct LineCount<'b> {
    bytes: &'b [u8],
    at: usize,
    line: u64,
}

impl<'b> LineCount<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        LineCount {
            bytes,
            at: 0,
            line: 1,
        }
    }

    fn at(&mut self, byte: u64) -> u64 {
        let mut to = (byte as usize).min(self.bytes.len());
        // After a CR, a record is said to start at the LF that ends its
        // line end.
        if self.bytes.get(to) == Some(&b'\n') {
            to += 1;
        }
        if to > self.at {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.at..to]).count() as u64;
            self.at = to;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excel_file_keeps_its_own_line_numbers() {
        let file = "\u{feff}Ref,Title,Progress,Due Date,,\r\n\
                    D01,\"Online account, phase 1\",60%,31/03/2026,,\r\n\
                    ,,,,,\r\n\
                    D02,\"Two\r\nlines\",150,2026-02-30,,\r\n\
                    D03,Bad date,5,32/01/2026,,\r\n";
        let sheet = read_csv(file.as_bytes(), DayOrder::DayFirst, true).unwrap();
        assert_eq!(sheet.rows.len(), 3, "{:?}", sheet.rows);
        assert_eq!(sheet.rows[0].place, Place::Line(2));
        assert_eq!(
            sheet.rows[0].value("title"),
            Some(Some("Online account, phase 1"))
        );
        assert_eq!(sheet.rows[1].place, Place::Line(4));
        assert_eq!(
            sheet.rows[2].place,
            Place::Line(6),
            "a quoted line break is a line"
        );
        // A title is one line; the rest are bad days.
        let p: Vec<&String> = sheet.rows.iter().flat_map(|r| &r.problems).collect();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("line 4, column Title"), "{p:?}");
        assert!(p[1].starts_with("line 4, column Due Date"), "{p:?}");
        assert!(p[2].starts_with("line 6, column Due Date"), "{p:?}");
        assert!(
            sheet.warnings.is_empty(),
            "empty columns are not named: {:?}",
            sheet.warnings
        );
    }
}
