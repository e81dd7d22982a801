//! Import's view of one JSON record before its fields are checked: each
//! value as it was written, read straight from the stream without building
//! a `serde_json::Value` tree (maps, hashing, a string per key) for it.
//! Whatever the shape, reading goes on: a record of the wrong shape is kept
//! as a problem for the record's checks to report, never a failed parse.

use crate::domain::model::Change;
use crate::domain::plain::{leading_changes, plain_text, stored_changes};
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Number, Value};
use std::fmt;
use std::marker::PhantomData;

/// One field's value as written.
#[derive(Debug, PartialEq)]
pub enum Raw {
    Null,
    Text(String),
    Number(Number),
    /// true, false, a list or an object: wrong for every field, kept for
    /// the message that says so.
    Other(Value),
}

impl fmt::Display for Raw {
    /// As JSON, the way the file has it.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Raw::Null => f.write_str("null"),
            Raw::Text(s) => f.write_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?),
            Raw::Number(n) => write!(f, "{n}"),
            Raw::Other(v) => write!(f, "{v}"),
        }
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Raw, E> {
        Ok(Raw::Other(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Raw, E> {
        Ok(Raw::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Raw, E> {
        Ok(Raw::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Raw, E> {
        Ok(Number::from_f64(n).map_or(Raw::Null, Raw::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Raw, E> {
        Ok(Raw::Text(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Raw, E> {
        Ok(Raw::Text(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Raw, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Raw::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raw, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Raw::Other)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

/// One record of a list: its known fields, the names of unknown ones, and
/// its `changes` list when the record kind has one.
#[derive(Debug, Default, PartialEq)]
pub struct RawRecord {
    /// Known field → value; a field written twice keeps its last value, as
    /// in any JSON reader.
    pub fields: Vec<(&'static str, Raw)>,
    pub unknown: Vec<String>,
    pub changes: Option<Result<ReadChanges, String>>,
    /// Set when the record is not an object at all.
    pub not_object: bool,
}

impl RawRecord {
    pub fn set(&mut self, key: &'static str, value: Raw) {
        self.fields.push((key, value));
    }

    /// Takes a field's value out: the last one, when it was written twice.
    pub fn take(&mut self, key: &str) -> Option<Raw> {
        let at = self.fields.iter().rposition(|(k, _)| *k == key)?;
        Some(self.fields.swap_remove(at).1)
    }

    pub fn not_object() -> RawRecord {
        RawRecord {
            not_object: true,
            ..RawRecord::default()
        }
    }
}

/// An event's changes as read, with their text when the file wrote them
/// exactly as the database stores them (as `strat export` does): that
/// text is then stored as it is.
#[derive(Debug, PartialEq)]
pub struct ReadChanges {
    pub list: Vec<Change>,
    pub stored: Option<String>,
}

/// Reads the text of a `changes` value: by hand when it is written as
/// stored, else by the JSON reader, which says what is wrong with it.
fn read_changes(text: &str) -> Result<ReadChanges, String> {
    if let Some(list) = stored_changes(text) {
        let stored = Some(text.to_owned());
        return Ok(ReadChanges { list, stored });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let list = ChangesSeed
        .deserialize(&mut de)
        .map_err(|e| e.to_string())??;
    Ok(ReadChanges { list, stored: None })
}

/// A record at the start of `text` written as `strat export` writes one:
/// no space, known keys, and values that are text with nothing escaped,
/// whole numbers, null, or changes as stored. Read by hand, it is the
/// record the JSON reader would make of it, with the length it takes up;
/// anything else is `None`, left to the JSON reader, which alone says what
/// is wrong.
pub fn plain_record(text: &str, known: &'static [&'static str]) -> Option<(RawRecord, usize)> {
    let mut record = RawRecord {
        fields: Vec::with_capacity(known.len()),
        ..RawRecord::default()
    };
    let mut rest = text.strip_prefix('{')?;
    if let Some(after) = rest.strip_prefix('}') {
        return Some((record, text.len() - after.len()));
    }
    // Records of a kind list their keys in one order: each key is looked
    // for first where the last one was found.
    let mut next = 0;
    loop {
        let (key, after) = plain_text(rest)?;
        let at = known[next..]
            .iter()
            .position(|k| *k == key)
            .map(|i| next + i)
            .or_else(|| known[..next].iter().position(|k| *k == key))?;
        next = at + 1;
        let key = known[at];
        let after = after.strip_prefix(':')?;
        rest = if key == "changes" {
            let (list, more) = leading_changes(after)?;
            let stored = Some(after[..after.len() - more.len()].to_owned());
            record.changes = Some(Ok(ReadChanges { list, stored }));
            more
        } else {
            let (value, more) = plain_value(after)?;
            record.set(key, value);
            more
        };
        rest = match rest.strip_prefix('}') {
            Some(after) => return Some((record, text.len() - after.len())),
            None => rest.strip_prefix(',')?,
        };
    }
}

/// A value at the start of `text` that [`plain_record`] reads by hand, and
/// what follows it.
fn plain_value(text: &str) -> Option<(Raw, &str)> {
    match text.as_bytes().first()? {
        b'"' => plain_text(text).map(|(t, after)| (Raw::Text(t.to_owned()), after)),
        b'n' => text.strip_prefix("null").map(|after| (Raw::Null, after)),
        _ => whole_number(text),
    }
}

/// A whole number as JSON writes one, which fits 64 bits. (A JSON reader
/// takes `-0` for a fraction: it is left to one.)
fn whole_number(text: &str) -> Option<(Raw, &str)> {
    let negative = text.starts_with('-');
    let digits = &text[usize::from(negative)..];
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || (digits.starts_with('0') && (len > 1 || negative)) {
        return None;
    }
    let (number, after) = text.split_at(usize::from(negative) + len);
    let number = if negative {
        Number::from(number.parse::<i64>().ok()?)
    } else {
        Number::from(number.parse::<u64>().ok()?)
    };
    Some((Raw::Number(number), after))
}

/// A kind of record: the fields it may have.
pub trait Kind {
    const KNOWN: &'static [&'static str];
}

/// A record of kind `K`, for reading with [`serde::Deserialize`].
pub struct Rec<K>(pub RawRecord, PhantomData<K>);

impl<K> Rec<K> {
    pub fn new(record: RawRecord) -> Rec<K> {
        Rec(record, PhantomData)
    }
}

impl<'de, K: Kind> Deserialize<'de> for Rec<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RecordSeed { known: K::KNOWN }
            .deserialize(d)
            .map(|r| Rec(r, PhantomData))
    }
}

/// Reads one record whose known fields are `known`; `changes`, when known,
/// is read as a list of changes.
struct RecordSeed {
    known: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = RawRecord;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawRecord, D::Error> {
        d.deserialize_any(self)
    }
}

/// A key of a record: one of the known names, or another.
enum Key {
    Known(&'static str),
    Unknown(String),
}

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

/// Reads a map's entries: each known key is handed to `known` with the map
/// to read its value from; other keys' values are skipped and their names
/// returned.
fn read_entries<'de, A: MapAccess<'de>>(
    map: &mut A,
    keys: &'static [&'static str],
    mut known: impl FnMut(&'static str, &mut A) -> Result<(), A::Error>,
) -> Result<Vec<String>, A::Error> {
    let mut unknown = Vec::new();
    while let Some(key) = map.next_key_seed(KeySeed(keys))? {
        match key {
            Key::Known(k) => known(k, map)?,
            Key::Unknown(k) => {
                map.next_value::<IgnoredAny>()?;
                unknown.push(k);
            }
        }
    }
    Ok(unknown)
}

/// The visits of every kind of value but those named, each read whole as
/// a [`Raw`] and handed to `$wrap`.
macro_rules! others_as_raw {
    ($wrap:expr; $($name:ident($($arg:ty)?)),*) => {
        $(fn $name<E: serde::de::Error>(self $(, v: $arg)?) -> Result<Self::Value, E> {
            RawVisitor.$name($(v as $arg)?).map($wrap)
        })*
    };
}

macro_rules! scalars_as_raw {
    ($wrap:expr) => {
        others_as_raw!($wrap; visit_unit(), visit_bool(bool), visit_i64(i64), visit_u64(u64),
            visit_f64(f64), visit_str(&str));
    };
}

impl<'de> Visitor<'de> for RecordSeed {
    type Value = RawRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    scalars_as_raw!(|_| RawRecord::not_object());

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawRecord, A::Error> {
        RawVisitor.visit_seq(seq).map(|_| RawRecord::not_object())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRecord, A::Error> {
        let mut record = RawRecord {
            fields: Vec::with_capacity(self.known.len()),
            ..RawRecord::default()
        };
        let unknown = read_entries(&mut map, self.known, |key, map| {
            match key {
                "changes" => {
                    let text: &RawValue = map.next_value()?;
                    record.changes = Some(read_changes(text.get()));
                }
                _ => record.set(key, map.next_value()?),
            }
            Ok(())
        })?;
        record.unknown = unknown;
        Ok(record)
    }
}

/// An event's `changes`: a list of `{field, from, to}`, or what is wrong
/// with it. `null` is an empty list.
struct ChangesSeed;

type Changes = Result<Vec<Change>, String>;

impl<'de> DeserializeSeed<'de> for ChangesSeed {
    type Value = Changes;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Changes, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChangesSeed {
    type Value = Changes;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of changes")
    }

    fn visit_unit<E>(self) -> Result<Changes, E> {
        Ok(Ok(Vec::new()))
    }

    others_as_raw!(|raw| Err(format!("found {raw}")); visit_bool(bool), visit_i64(i64),
        visit_u64(u64), visit_f64(f64), visit_str(&str));

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Changes, A::Error> {
        RawVisitor
            .visit_map(map)
            .map(|raw| Err(format!("found {raw}")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Changes, A::Error> {
        // Room for a created event's changes, the longest list.
        let mut changes = Ok(Vec::with_capacity(16));
        let mut n = 0;
        while let Some(change) = seq.next_element_seed(ChangeSeed)? {
            match (&mut changes, change) {
                (Ok(list), Ok(c)) => list.push(c),
                (Ok(_), Err(why)) => changes = Err(format!("[{n}] {why}")),
                (Err(_), _) => {}
            }
            n += 1;
        }
        Ok(changes)
    }
}

/// One `{field, from, to}`.
struct ChangeSeed;

const CHANGE_KEYS: &[&str] = &["field", "from", "to"];

impl<'de> DeserializeSeed<'de> for ChangeSeed {
    type Value = Result<Change, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChangeSeed {
    type Value = Result<Change, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a change")
    }

    scalars_as_raw!(|raw| Err(format!("is {raw}, not an object")));

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        RawVisitor
            .visit_seq(seq)
            .map(|raw| Err(format!("is {raw}, not an object")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let [mut field, mut from, mut to] = [None, None, None];
        let unknown = read_entries(&mut map, CHANGE_KEYS, |key, map| {
            let slot = match key {
                "field" => &mut field,
                "from" => &mut from,
                _ => &mut to,
            };
            *slot = Some(map.next_value()?);
            Ok(())
        })?;
        Ok(match unknown.first() {
            Some(k) => Err(format!("has an unknown key '{k}'")),
            None => change_of(field, from, to),
        })
    }
}

/// A change from the values of its three keys, or what is wrong with them.
fn change_of(field: Option<Raw>, from: Option<Raw>, to: Option<Raw>) -> Result<Change, String> {
    let text = |key: &str, value: Option<Raw>| match value {
        None | Some(Raw::Null) => Ok(None),
        Some(Raw::Text(s)) => Ok(Some(s)),
        Some(other) => Err(format!("has {key} {other}; expected text or null")),
    };
    Ok(Change {
        field: text("field", field)?.ok_or("has no field")?,
        from: text("from", from)?,
        to: text("to", to)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str, known: &'static [&'static str]) -> RawRecord {
        let mut de = serde_json::Deserializer::from_str(json);
        RecordSeed { known }.deserialize(&mut de).unwrap()
    }

    /// The record the JSON reader makes of the first value of `text`, and
    /// the length it takes up.
    fn read_by_serde(text: &str, known: &'static [&'static str]) -> Option<(RawRecord, usize)> {
        let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        values.next()?.ok()?;
        let len = values.byte_offset();
        Some((record(&text[..len], known), len))
    }

    const KNOWN: &[&str] = &["id", "item", "at", "by", "changes", "note"];

    fn plain_json_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "\"[a-zé 0-9]{0,6}\"",
            "\"[a-z\\\\\"\t]{0,4}\"",
            Just("null".to_string()),
            "-?[0-9]{1,21}",
            "-?0[0-9]?",
            "-?[0-9]{1,3}[.eE][0-9]",
            Just("true".to_string()),
            Just(r#"[{"field":"a","from":null,"to":"b"}]"#.to_string()),
            Just(r#"[{"field":"a","from":"\u0062","to":"b"}]"#.to_string()),
            Just("[]".to_string()),
            Just(r#"[ {"field":"a","from":null,"to":"b"}]"#.to_string()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Whatever record it reads by hand, the JSON reader reads the
        /// same, up to the same place.
        #[test]
        fn a_record_read_by_hand_is_the_one_a_json_reader_reads(
            entries in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["id", "item", "at", "by", "changes", "note", "zz"]),
                    proptest::sample::select(vec![":", ":", ":", " : "]),
                    plain_json_value(),
                ),
                0..6,
            ),
            separator in proptest::sample::select(vec![",", ",", ",", ", "]),
            after in proptest::sample::select(vec!["", ",{}", "]", " x"]),
        ) {
            let inner: Vec<String> = entries
                .iter()
                .map(|(key, colon, value)| format!("\"{key}\"{colon}{value}"))
                .collect();
            let text = format!("{{{}}}{after}", inner.join(separator));
            if let Some(by_hand) = plain_record(&text, KNOWN) {
                proptest::prop_assert_eq!(Some(by_hand), read_by_serde(&text, KNOWN), "{}", text);
            }
        }
    }

    #[test]
    fn an_exported_record_is_read_by_hand() {
        let line = r#"{"item":7,"at":"2021-01-12T10:40:03.000000Z","by":"Team 20","action":"updated","changes":[{"field":"progress","from":"0","to":"28"}],"note":null,"id":-3}"#;
        let known = &["id", "item", "at", "by", "action", "changes", "note"];
        let by_hand = plain_record(&format!("{line},{{}}"), known);
        assert!(by_hand.is_some(), "not read by hand");
        assert_eq!(by_hand, read_by_serde(line, known));
        for other in [
            r#"{"item":01}"#,
            r#"{"item":-0}"#,
            r#"{"item":1.5}"#,
            r#"{"item":18446744073709551616}"#,
            r#"{"item":true}"#,
            r#"{"by":"a\nb"}"#,
            r#"{"unknown":1}"#,
            r#"{"item":1,}"#,
            r#"{"item":1"#,
            r#"{"item" :1}"#,
        ] {
            assert_eq!(plain_record(other, known), None, "{other}");
        }
    }

    #[test]
    fn keeps_values_as_written() {
        let mut r = record(
            r#"{"a": "x", "b": 3, "c": null, "d": [1], "e": true, "zz": {"q": 1}, "a": "y"}"#,
            &["a", "b", "c", "d", "e"],
        );
        assert_eq!(r.take("a"), Some(Raw::Text("y".into())));
        assert_eq!(r.take("b"), Some(Raw::Number(3.into())));
        assert_eq!(r.take("c"), Some(Raw::Null));
        assert_eq!(r.take("d").unwrap().to_string(), "[1]");
        assert_eq!(r.take("e").unwrap().to_string(), "true");
        assert_eq!(r.unknown, vec!["zz".to_string()]);
        assert!(!r.not_object);
    }

    #[test]
    fn a_record_of_another_shape_is_read_to_its_end() {
        let known = &["a"];
        let mut de = serde_json::Deserializer::from_str(r#"[[1, {"a": 2}], "s", 4, {"a": 1}]"#);
        let list: Vec<bool> = de
            .deserialize_seq(ListOf(known))
            .expect("the list reads on past odd records");
        assert_eq!(list, vec![true, true, true, false]);
    }

    struct ListOf(&'static [&'static str]);
    impl<'de> Visitor<'de> for ListOf {
        type Value = Vec<bool>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<bool>, A::Error> {
            let mut out = Vec::new();
            while let Some(r) = seq.next_element_seed(RecordSeed { known: self.0 })? {
                out.push(r.not_object);
            }
            Ok(out)
        }
    }

    #[test]
    fn reads_changes_and_says_what_is_wrong_with_them() {
        let known = &["changes"];
        let read = |json: &str| record(json, known).changes.unwrap();
        let changes = |json: &str| read(json).map(|c| c.list);
        let title = vec![Change {
            field: "title".into(),
            from: None,
            to: Some("T".into()),
        }];
        assert_eq!(
            read(r#"{"changes": [{"field": "title", "from": null, "to": "T"}]}"#),
            Ok(ReadChanges {
                list: title.clone(),
                stored: None
            })
        );
        let stored = r#"[{"field":"title","from":null,"to":"T"}]"#;
        assert_eq!(
            read(&format!(r#"{{"changes": {stored}}}"#)),
            Ok(ReadChanges {
                list: title,
                stored: Some(stored.into())
            })
        );
        assert_eq!(changes(r#"{"changes": null}"#), Ok(vec![]));
        assert_eq!(changes(r#"{"changes": "x"}"#), Err(r#"found "x""#.into()));
        assert_eq!(
            changes(r#"{"changes": [{"field": "a"}, {"from": "x"}]}"#),
            Err("[1] has no field".into())
        );
        assert_eq!(
            changes(r#"{"changes": [{"field": "a", "to": 3}]}"#),
            Err("[0] has to 3; expected text or null".into())
        );
        assert_eq!(
            changes(r#"{"changes": [{"field": "a", "by": "x"}]}"#),
            Err("[0] has an unknown key 'by'".into())
        );
        assert_eq!(
            changes(r#"{"changes": [7]}"#),
            Err("[0] is 7, not an object".into())
        );
    }
}
