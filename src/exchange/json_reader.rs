//! Streams the lists of a `strat export` document from a reader with
//! serde: the document's keys may come in any order, and each record of a
//! list is handed on as soon as it is read, so a file of any size is never
//! held whole.

use super::records::{EVENT_KEYS, ITEM_KEYS, STRATEGY_EVENT_KEYS, STRATEGY_KEYS};
use crate::domain::model::Change;
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::Read;

/// The lists of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Strategies,
    Items,
    Events,
    StrategyEvents,
}

impl List {
    pub const ALL: [List; 4] = [
        List::Strategies,
        List::Items,
        List::Events,
        List::StrategyEvents,
    ];

    /// The list's key in the document.
    pub fn key(self) -> &'static str {
        match self {
            List::Strategies => "strategies",
            List::Items => "items",
            List::Events => "events",
            List::StrategyEvents => "strategy_events",
        }
    }

    /// The fields a record of the list has.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            List::Strategies => STRATEGY_KEYS,
            List::Items => ITEM_KEYS,
            List::Events => EVENT_KEYS,
            List::StrategyEvents => STRATEGY_EVENT_KEYS,
        }
    }
}

/// A field's value as written, before its type is checked. Null is no
/// value at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose {
    Text(String),
    Int(i64),
    /// A fraction, a number too large, true, false, a list or an object:
    /// wrong for every field but `changes`, kept for the message.
    Other(Value),
}

impl fmt::Display for Loose {
    /// As JSON, the way the file has it.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Loose::Text(s) => Value::from(s.as_str()).fmt(f),
            Loose::Int(n) => n.fmt(f),
            Loose::Other(v) => v.fmt(f),
        }
    }
}

/// One record of a list: its known fields' values, the names of unknown
/// ones, and its changes when the record has them; or, for a record that
/// is not an object at all, nothing.
#[derive(Debug, Default, PartialEq)]
pub struct RawRecord {
    /// Each field once: a field written twice keeps its last value, as in
    /// any JSON reader (see [`RawRecord::put`]).
    pub values: Vec<(&'static str, Loose)>,
    pub unknown: Vec<String>,
    pub changes: Option<Result<Vec<Change>, String>>,
    pub not_object: bool,
}

impl RawRecord {
    /// Takes a field's value out; `None` when missing or null.
    pub fn take(&mut self, key: &str) -> Option<Loose> {
        let at = self.values.iter().position(|(k, _)| *k == key)?;
        Some(self.values.swap_remove(at).1)
    }

    /// Gives a field its value, in place of any it had (a key written twice
    /// keeps its last value); `None` (null) takes the value away.
    pub fn put(&mut self, key: &'static str, value: Option<Loose>) {
        let at = self.values.iter().position(|(k, _)| *k == key);
        match (at, value) {
            (Some(at), Some(value)) => self.values[at].1 = value,
            (Some(at), None) => {
                self.values.swap_remove(at);
            }
            (None, Some(value)) => self.values.push((key, value)),
            (None, None) => {}
        }
    }

    /// True when the record holds a value for `key`.
    pub fn has(&self, key: &str) -> bool {
        self.values.iter().any(|(k, _)| *k == key)
    }
}

/// What the reader meets, in the order of the file.
pub enum Entry {
    /// Record `n` of a list, as written.
    Record(List, usize, RawRecord),
    /// A key the document does not have.
    UnknownKey(String),
}

/// The document's own header, read wherever it stands.
#[derive(Debug, Default)]
pub struct Header {
    pub format: Option<Value>,
    pub version: Option<Value>,
}

/// The keys of the document's outer object.
pub const TOP_KEYS: &[&str] = &[
    "format",
    "version",
    "strategies",
    "items",
    "events",
    "strategy_events",
];

/// Reads the whole document from `input`, handing each entry to `sink`
/// as it comes; fails on the first thing that is not JSON, or a document
/// of another shape, as serde_json words it (with line and column).
pub fn read(input: impl Read, sink: &mut dyn FnMut(Entry)) -> Result<Header, serde_json::Error> {
    let mut header = Header::default();
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, input));
    Document {
        header: &mut header,
        sink,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(header)
}

struct Document<'s> {
    header: &'s mut Header,
    sink: &'s mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a strat export document (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => self.header.format = Some(map.next_value()?),
                "version" => self.header.version = Some(map.next_value()?),
                _ => match List::ALL.into_iter().find(|l| l.key() == key) {
                    Some(list) => map.next_value_seed(ListOf {
                        list,
                        sink: &mut *self.sink,
                    })?,
                    None => {
                        (self.sink)(Entry::UnknownKey(key));
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }
        Ok(())
    }
}

/// One list of the document (or null), record by record.
struct ListOf<'s> {
    list: List,
    sink: &'s mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for ListOf<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ListOf<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of {}", self.list.key())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        let known = self.list.fields();
        while let Some(record) = seq.next_element_seed(RecordSeed(known))? {
            (self.sink)(Entry::Record(self.list, n, record));
            n += 1;
        }
        Ok(())
    }
}

/// The visits of a scalar where a visitor wants a list or an object: each
/// hands the value, as JSON, to `$wrong`, which says what the visit gives.
macro_rules! scalars_are_wrong {
    ($wrong:expr) => {
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(($wrong)(Value::from(v)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(($wrong)(Value::from(v)))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(($wrong)(Value::from(v)))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(($wrong)(Value::from(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(($wrong)(Value::from(v)))
        }
    };
}

/// One record, whose known fields are these: whatever its shape, it is
/// read whole, so that reading goes on and the record's problems can be
/// named with the others.
struct RecordSeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = RawRecord;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawRecord, D::Error> {
        d.deserialize_any(self)
    }
}

/// What a record that is not an object is read as.
fn not_object(_: Value) -> RawRecord {
    RawRecord {
        not_object: true,
        ..RawRecord::default()
    }
}

impl<'de> Visitor<'de> for RecordSeed {
    type Value = RawRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    scalars_are_wrong!(not_object);

    fn visit_unit<E>(self) -> Result<RawRecord, E> {
        Ok(not_object(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawRecord, A::Error> {
        IgnoredAny::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(not_object(Value::Null))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRecord, A::Error> {
        let mut record = RawRecord {
            values: Vec::with_capacity(self.0.len()),
            ..RawRecord::default()
        };
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Key::Known("changes") => record.changes = Some(map.next_value_seed(ChangesSeed)?),
                Key::Known(k) => record.put(k, map.next_value::<Option<Loose>>()?),
                Key::Unknown(k) => {
                    map.next_value::<IgnoredAny>()?;
                    record.unknown.push(k);
                }
            }
        }
        Ok(record)
    }
}

/// A key of a record: one of the known names, or another.
enum Key {
    Known(&'static str),
    Unknown(String),
}

/// Reads a key against the known names, without making a string of it.
struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, s: &str) -> Result<Key, E> {
        Ok(match self.0.iter().find(|k| **k == s) {
            Some(k) => Key::Known(k),
            None => Key::Unknown(s.to_owned()),
        })
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Loose, E> {
        Ok(Loose::Other(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Loose, E> {
        Ok(Loose::Int(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Loose, E> {
        Ok(i64::try_from(n).map_or(Loose::Other(Value::from(n)), Loose::Int))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Loose, E> {
        Ok(Loose::Other(Value::from(n)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Loose, E> {
        Ok(Loose::Text(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Loose, E> {
        Ok(Loose::Text(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Loose, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Loose::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Loose, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Loose::Other)
    }
}

/// An event's `changes`: a list of `{field, from, to}` with text or null
/// values (null for none), or what is wrong with it; read whole either way.
struct ChangesSeed;

impl<'de> DeserializeSeed<'de> for ChangesSeed {
    type Value = Result<Vec<Change>, String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ChangesSeed)
    }
}

impl<'de> Visitor<'de> for ChangesSeed {
    type Value = Result<Vec<Change>, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of changes")
    }
    scalars_are_wrong!(|v: Value| Err(format!("found {v}")));

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Vec::new()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(MapAccessDeserializer::new(map))?;
        Ok(Err(format!("found {v}")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut changes = Vec::new();
        let mut wrong = None;
        let mut n = 0;
        while let Some(change) = seq.next_element_seed(ChangeSeed)? {
            match change {
                Ok(c) => changes.push(c),
                Err(why) => {
                    wrong.get_or_insert(format!("[{n}] {why}"));
                }
            }
            n += 1;
        }
        Ok(match wrong {
            None => Ok(changes),
            Some(why) => Err(why),
        })
    }
}

/// One `{field, from, to}`, or what is wrong with it.
struct ChangeSeed;

impl<'de> DeserializeSeed<'de> for ChangeSeed {
    type Value = Result<Change, String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ChangeSeed)
    }
}

const CHANGE_KEYS: &[&str] = &["field", "from", "to"];

impl<'de> Visitor<'de> for ChangeSeed {
    type Value = Result<Change, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a change")
    }
    scalars_are_wrong!(|v: Value| Err(format!("is {v}; expected an object")));

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Err("is null; expected an object".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(Err(format!("is {v}; expected an object")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut field, mut from, mut to) = (None, None, None);
        let mut wrong = None;
        while let Some(key) = map.next_key_seed(KeySeed(CHANGE_KEYS))? {
            let key = match key {
                Key::Known(k) => k,
                Key::Unknown(k) => {
                    map.next_value::<IgnoredAny>()?;
                    wrong.get_or_insert(format!("has '{k}', which a change does not have"));
                    continue;
                }
            };
            let value = match map.next_value::<Option<Loose>>()? {
                None => None,
                Some(Loose::Text(s)) => Some(s),
                Some(other) => {
                    wrong.get_or_insert(format!("has {key} {other}; expected text or null"));
                    continue;
                }
            };
            match key {
                "field" => field = value,
                "from" => from = value,
                _ => to = value,
            }
        }
        Ok(match (wrong, field) {
            (Some(why), _) => Err(why),
            (None, None) => Err("has no field name".into()),
            (None, Some(field)) => Ok(Change { field, from, to }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Result<(Header, Vec<String>), String> {
        let mut seen = Vec::new();
        let header = read(text.as_bytes(), &mut |e| {
            seen.push(match e {
                Entry::Record(list, n, r) if r.not_object => {
                    format!("{}[{n}] is not an object", list.key())
                }
                Entry::Record(list, n, r) => {
                    let values: Vec<String> =
                        r.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!(
                        "{}[{n}] {} ?{}",
                        list.key(),
                        values.join(" "),
                        r.unknown.join(",")
                    )
                }
                Entry::UnknownKey(k) => format!("?{k}"),
            })
        })
        .map_err(|e| e.to_string())?;
        Ok((header, seen))
    }

    #[test]
    fn keys_are_read_in_any_order_and_records_as_they_come() {
        let (header, seen) = entries(
            r#"{"events": [{"id": 1, "by": null, "note": "n", "mood": 3}], "colour": {"a": [1]},
                "items": null, "strategies": [1, {"code": "x", "title": [2.5]}],
                "version": 1, "format": "strat"}"#,
        )
        .unwrap();
        assert_eq!(header.format, Some(Value::from("strat")));
        assert_eq!(header.version, Some(Value::from(1)));
        assert_eq!(
            seen,
            [
                r#"events[0] id=1 note="n" ?mood"#,
                "?colour",
                "strategies[0] is not an object",
                r#"strategies[1] code="x" title=[2.5] ?"#
            ]
        );
    }

    #[test]
    fn changes_are_read_whole_and_their_problems_kept() {
        let changes = |text: &str| {
            let mut de = serde_json::Deserializer::from_str(text);
            ChangesSeed.deserialize(&mut de).unwrap()
        };
        assert_eq!(
            changes(r#"[{"field": "title", "from": null, "to": "T"}]"#),
            Ok(vec![Change {
                field: "title".into(),
                from: None,
                to: Some("T".into())
            }])
        );
        assert_eq!(changes("null"), Ok(vec![]));
        assert_eq!(changes(r#""none""#), Err(r#"found "none""#.into()));
        assert_eq!(
            changes(r#"[{"field": "a", "to": 5}, 7]"#),
            Err("[0] has to 5; expected text or null".into())
        );
        assert_eq!(
            changes(r#"[{"field": "a"}, 7]"#),
            Err("[1] is 7; expected an object".into())
        );
        assert_eq!(
            changes(r#"[{"from": "a", "by": "x"}]"#),
            Err("[0] has 'by', which a change does not have".into())
        );
    }

    #[test]
    fn a_document_of_another_shape_is_refused_with_its_place() {
        for (text, said) in [
            ("[1, 2]", "expected a strat export document"),
            (r#"{"items": 7}"#, "expected a list of items"),
            (r#"{"items": [}"#, "line 1 column 12"),
            (r#"{"items": []} x"#, "trailing characters"),
            (r#"{"items": [{"#, "EOF"),
        ] {
            let err = entries(text).unwrap_err();
            assert!(err.contains(said), "{text}: {err}");
        }
    }
}
