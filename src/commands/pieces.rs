//! A JSON document read from a stream in pieces: the members of its outer
//! object one by one, and the elements of a list one by one. Only a buffer
//! of the input is held, and each value is parsed where it lies in it by
//! serde_json's in-memory reader, several times faster than its reader of
//! streams, which takes one byte at a time. Positions in messages are
//! lines and columns of the whole file, as any JSON reader gives them.

use serde::de::DeserializeOwned;
use std::io::Read;

/// What is wrong with the document's JSON, and where.
#[derive(Debug, PartialEq)]
pub struct Syntax(pub String);

type Result<T> = std::result::Result<T, Syntax>;

const READ_SIZE: usize = 1 << 16;

/// How much [`Pieces::value_by_hand`] wants to have read ahead: more than
/// most records take.
const TOP_UP: usize = 1 << 13;

pub struct Pieces<R> {
    input: R,
    /// What has been read and found to be UTF-8, once, so that values are
    /// parsed from text (a string's bytes need no checking again).
    text: String,
    /// Bytes read after `text`: a character cut by the read, or bytes that
    /// are not UTF-8 at all.
    pending: Vec<u8>,
    /// The next byte not yet taken, in `text`.
    at: usize,
    eof: bool,
    /// Line (from 1) of `text[at]`, and the index in `text` where that
    /// line starts, which may be negative once the line's start is let go.
    line: usize,
    line_start: isize,
    /// Nothing has been read yet: a byte order mark may come first.
    first: bool,
}

impl<R: Read> Pieces<R> {
    pub fn new(input: R) -> Pieces<R> {
        Pieces {
            input,
            text: String::with_capacity(READ_SIZE * 2),
            pending: Vec::with_capacity(READ_SIZE),
            at: 0,
            eof: false,
            line: 1,
            line_start: 0,
            first: true,
        }
    }

    /// Reads more of the input after what `text` holds, first letting go
    /// of what was taken. False at the end of the input; an error where
    /// the input is not UTF-8.
    fn fill(&mut self) -> Result<bool> {
        if self.at > 0 {
            self.text.drain(..self.at);
            self.line_start -= self.at as isize;
            self.at = 0;
        }
        loop {
            let checked = match std::str::from_utf8(&self.pending) {
                Ok(all) => all.len(),
                Err(e) if e.error_len().is_none() && !self.eof => e.valid_up_to(),
                Err(e) if e.valid_up_to() == 0 => {
                    return Err(self.error_at(self.text.len(), "invalid unicode code point"));
                }
                Err(e) => e.valid_up_to(),
            };
            if checked > 0 {
                let valid = std::str::from_utf8(&self.pending[..checked]).expect("checked above");
                // Some editors begin a UTF-8 file with a byte order mark.
                let valid = if std::mem::take(&mut self.first) {
                    valid.strip_prefix('\u{feff}').unwrap_or(valid)
                } else {
                    valid
                };
                self.text.push_str(valid);
                self.pending.drain(..checked);
                return Ok(true);
            }
            if self.eof {
                return Ok(false);
            }
            // At least doubling: a value larger than the buffer is parsed
            // again only a logarithmic number of times. Read through
            // `take`, the buffer's new part is not zeroed first.
            let want = READ_SIZE.max(self.text.len()) as u64;
            let read = (&mut self.input)
                .take(want)
                .read_to_end(&mut self.pending)
                .map_err(|e| Syntax(format!("the file cannot be read: {e}")))?;
            self.eof = read == 0;
        }
    }

    /// Takes `n` bytes, keeping count of lines.
    fn take(&mut self, n: usize) {
        let taken = &self.text.as_bytes()[self.at..self.at + n];
        for i in memchr::memchr_iter(b'\n', taken) {
            self.line += 1;
            self.line_start = (self.at + i + 1) as isize;
        }
        self.at += n;
    }

    /// Column (from 1) of the byte `offset` bytes after the next one.
    fn column(&self, offset: usize) -> usize {
        (self.at as isize + offset as isize - self.line_start) as usize + 1
    }

    /// A problem at the next byte.
    fn error(&self, what: impl std::fmt::Display) -> Syntax {
        self.error_at(self.at, what)
    }

    /// A problem at `text[offset]`, at or after the next byte.
    fn error_at(&self, offset: usize, what: impl std::fmt::Display) -> Syntax {
        let before = &self.text.as_bytes()[self.at..offset];
        let lines = memchr::memchr_iter(b'\n', before).count();
        let column = match memchr::memrchr(b'\n', before) {
            Some(i) => offset - (self.at + i + 1) + 1,
            None => self.column(offset - self.at),
        };
        Syntax(format!(
            "{what} at line {} column {column}",
            self.line + lines
        ))
    }

    /// The next byte that is not white space, without taking it; `None`
    /// at the end of the input.
    pub fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            while let Some(&b) = self.text.as_bytes().get(self.at) {
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(Some(b));
                }
                self.take(1);
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Takes the next byte, which must be `b`.
    pub fn expect(&mut self, b: u8, what: &str) -> Result<()> {
        match self.peek()? {
            Some(next) if next == b => {
                self.take(1);
                Ok(())
            }
            Some(_) => Err(self.error(format!("expected {what}"))),
            None => Err(self.error(format!("EOF while looking for {what}"))),
        }
    }

    /// Takes the next byte when it is `b`.
    pub fn next_is(&mut self, b: u8) -> Result<bool> {
        let is = self.peek()? == Some(b);
        if is {
            self.take(1);
        }
        Ok(is)
    }

    /// The whole input has been read: only white space is left.
    pub fn end(&mut self) -> Result<()> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    /// As [`Pieces::value`], trying `by_hand` first on what the buffer
    /// holds: it gives the value and the bytes it takes up, or `None` to
    /// leave the value to the JSON reader (one it does not read, or one
    /// the buffer's end cuts short).
    pub fn value_by_hand<T: DeserializeOwned>(
        &mut self,
        by_hand: impl FnOnce(&str) -> Option<(T, usize)>,
    ) -> Result<T> {
        // Topped up first, so that a value is seldom cut by the buffer's
        // end: the JSON reader it would go to costs many times more.
        if self.text.len() - self.at < TOP_UP && !self.eof {
            self.fill()?;
        }
        if self.peek()?.is_some()
            && let Some((value, len)) = by_hand(&self.text[self.at..])
        {
            self.take(len);
            return Ok(value);
        }
        self.value()
    }

    /// Parses the next value and takes it. The value is parsed where it
    /// lies in the buffer; one that runs past what has been read so far
    /// is parsed again once more is read.
    pub fn value<T: DeserializeOwned>(&mut self) -> Result<T> {
        if self.peek()?.is_none() {
            return Err(self.error("EOF while parsing a value"));
        }
        loop {
            let rest = &self.text[self.at..];
            let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
            let parsed = values.next();
            let (len, whole) = (values.byte_offset(), rest.len());
            match parsed {
                // A value that ends with the buffer (a number) may go on.
                Some(Ok(_)) if len == whole && self.fill()? => {}
                Some(Ok(v)) => {
                    self.take(len);
                    return Ok(v);
                }
                Some(Err(e)) if e.is_eof() && self.fill()? => {}
                Some(Err(e)) => return Err(self.inner_error(&e)),
                None => return Err(self.error("EOF while parsing a value")),
            }
        }
    }

    /// A serde_json error inside the next value, placed in the file.
    fn inner_error(&self, e: &serde_json::Error) -> Syntax {
        let text = e.to_string();
        let what = text.rsplit_once(" at line ").map_or(&*text, |(w, _)| w);
        let (line, column) = if e.line() <= 1 {
            (self.line, self.column(e.column().saturating_sub(1)))
        } else {
            (self.line + e.line() - 1, e.column())
        };
        Syntax(format!("{what} at line {line} column {column}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Reads `[v, v, …]` value by value through a reader that hands over
    /// `step` bytes at a time, so values cross the reads.
    fn list(text: &str, step: usize) -> Result<Vec<Value>> {
        list_of_bytes(text.as_bytes(), step)
    }

    fn list_of_bytes(bytes: &[u8], step: usize) -> Result<Vec<Value>> {
        let mut p = Pieces::new(Trickle(bytes, step));
        p.expect(b'[', "a list")?;
        let mut out = Vec::new();
        if p.next_is(b']')? {
            return Ok(out);
        }
        loop {
            out.push(p.value::<Value>()?);
            if p.next_is(b']')? {
                break;
            }
            p.expect(b',', "',' or ']'")?;
        }
        p.end()?;
        Ok(out)
    }

    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn finds_each_value_whatever_the_reads() {
        let text = r#" [ {"a": "x]}\"\\", "b": [1, {"c": null}]}, "s\"", 12.5e3, true, null,
            [[], {}], "\u00e9", "é€𝄞" ]  "#;
        let expected: Vec<Value> = serde_json::from_str(text).unwrap();
        for step in [1, 2, 3, 7, 64, 1 << 20] {
            assert_eq!(list(text, step), Ok(expected.clone()), "step {step}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_passed_over() {
        for step in [1, 2, 64] {
            assert_eq!(
                list("\u{feff}[1, 2]", step),
                Ok(vec![Value::from(1), Value::from(2)])
            );
        }
        assert!(list("[\u{feff}1]", 64).is_err(), "only at the start");
    }

    #[test]
    fn places_problems_in_the_file() {
        let err = |text: &str| list(text, 3).unwrap_err().0;
        assert_eq!(
            err("[1,\n  {\"a\": 1,}]"),
            "trailing comma at line 2 column 11"
        );
        assert_eq!(
            err("[1,\n  {\"a\":\n tru}]"),
            "expected ident at line 3 column 5"
        );
        assert_eq!(
            err("[1, 2"),
            "EOF while looking for ',' or ']' at line 1 column 6"
        );
        assert_eq!(
            err("[1, \"ab"),
            "EOF while parsing a string at line 1 column 7"
        );
        assert_eq!(
            err("[{\"a\": [1, 2}]"),
            "expected `,` or `]` at line 1 column 13"
        );
        assert_eq!(err("[1] x"), "trailing characters at line 1 column 5");
        // Inside a value, the same words and place as a whole-file parse.
        for text in [
            "[1,\n  {\"a\": 1,}]",
            "[2,\n {\"a\":\n tru}]",
            "[{\"a\": [1, 2}]",
        ] {
            let whole = serde_json::from_str::<Vec<Value>>(text).unwrap_err();
            assert_eq!(err(text), whole.to_string());
        }
        assert_eq!(err("[1 2]"), "expected ',' or ']' at line 1 column 4");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_placed_too() {
        for bytes in [&b"[1,\n \"ab\xffc\"]"[..], b"[1,\n \"ab\xe2\x82\"]"] {
            let whole = serde_json::from_slice::<Vec<Value>>(bytes).unwrap_err();
            for step in [1, 2, 5, 64] {
                assert_eq!(
                    list_of_bytes(bytes, step).unwrap_err().0,
                    whole.to_string(),
                    "{bytes:?} by {step}"
                );
            }
        }
        // A character cut by the end of the file.
        assert_eq!(
            list_of_bytes(b"[\"ab\xe2\x82", 1).unwrap_err().0,
            "invalid unicode code point at line 1 column 5"
        );
    }

    /// A reader by hand of flat objects, which gives up on one the buffer
    /// cuts short, as the real one does; `taken` counts what it read.
    fn flat_object(text: &str, taken: &mut usize) -> Option<(Value, usize)> {
        let end = text.find('}')? + 1;
        *taken += 1;
        Some((serde_json::from_str(&text[..end]).ok()?, end))
    }

    #[test]
    fn values_read_by_hand_are_seldom_cut_by_a_read() {
        let records: Vec<String> = (0..12_000)
            .map(|n| format!(r#"{{"id":{n},"title":"item {n}"}}"#))
            .collect();
        let text = format!("[{}]", records.join(","));
        assert!(text.len() > 4 * READ_SIZE);
        for step in [1_000, READ_SIZE] {
            let mut p = Pieces::new(Trickle(text.as_bytes(), step));
            p.expect(b'[', "a list").unwrap();
            let (mut by_hand, mut read) = (0, Vec::new());
            loop {
                read.push(p.value_by_hand(|t| flat_object(t, &mut by_hand)).unwrap());
                if p.next_is(b']').unwrap() {
                    break;
                }
                p.expect(b',', "',' or ']'").unwrap();
            }
            p.end().unwrap();
            assert_eq!(read, serde_json::from_str::<Vec<Value>>(&text).unwrap());
            // Every one, though thousands of reads ended inside records.
            assert_eq!(by_hand, records.len(), "reads of {step}");
        }
        // What the hand reader leaves goes to the JSON reader.
        let mut p = Pieces::new(Trickle(br#"{"a": [1]}"#, 3));
        let v: Value = p.value_by_hand(|_| None::<(Value, usize)>).unwrap();
        assert_eq!(v, serde_json::json!({"a": [1]}));
    }
}
