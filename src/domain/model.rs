//! Strategies, items and events: the records strat keeps, as typed values.

use super::Invalid;
use super::dates::{Period, parse_iso};
use super::fields;
use super::text::TextRule;
use super::vocab::{Action, Rag, Status, StrategyStatus};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use std::fmt;
use std::str::FromStr;

/// Percent complete, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Progress(u8);

impl Progress {
    pub const DONE: Progress = Progress(100);

    pub fn new(n: i64) -> Result<Self, Invalid> {
        u8::try_from(n)
            .ok()
            .filter(|n| *n <= 100)
            .map(Progress)
            .ok_or_else(|| {
                Invalid::new(format!(
                    "progress {n} is out of range; give a whole number from 0 to 100"
                ))
            })
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl FromStr for Progress {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let digits = s.trim().trim_end_matches('%');
        match digits.parse::<i64>() {
            Ok(n) => Progress::new(n),
            Err(_) => Err(Invalid::new(format!(
                "'{s}' is not a progress; give a whole number from 0 to 100"
            ))),
        }
    }
}

impl serde::Serialize for Progress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A strategy's short name: lower-case letters, digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

impl Code {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code an item rebuilt from its history has until its reader sets
    /// it: the strategy is not a tracked field.
    pub(crate) fn unknown() -> Code {
        Code("unknown".into())
    }
}

impl FromStr for Code {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(Code(s.to_string()))
        } else {
            Err(Invalid::new(format!(
                "'{s}' is not a strategy code; use lower-case letters, digits and '-', \
                 up to 40 characters, such as tech-2020"
            )))
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An item's number, written `12` or `#12`; never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub i64);

impl FromStr for ItemId {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s.trim().trim_start_matches('#').parse::<i64>() {
            Ok(n) if n > 0 => Ok(ItemId(n)),
            _ => Err(Invalid::new(format!(
                "'{s}' is not an item number; write it as 12 or #12"
            ))),
        }
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// How a person names an item: by its number (`12`, `#12`), or by its ref,
/// alone where it is unique in the portfolio (`T01`) or qualified by its
/// strategy (`tech-2020/T01`). A name that is all digits is a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKey {
    Number(ItemId),
    Ref {
        strategy: Option<Code>,
        reference: String,
    },
}

impl FromStr for ItemKey {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let t = s.trim();
        let digits = t.trim_start_matches('#');
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return t.parse().map(ItemKey::Number);
        }
        let bad = || {
            Invalid::new(format!(
                "'{s}' names no item; give its number (12 or #12) or its ref (T01, or \
                 tech-2020/T01)"
            ))
        };
        if t.is_empty() || t.starts_with('#') || TextRule::Label.check(t).is_err() {
            return Err(bad());
        }
        match t.split_once('/') {
            Some((code, reference)) if !reference.trim().is_empty() => Ok(ItemKey::Ref {
                strategy: Some(code.trim().parse().map_err(|_| bad())?),
                reference: reference.trim().to_string(),
            }),
            Some(_) => Err(bad()),
            None => Ok(ItemKey::Ref {
                strategy: None,
                reference: t.to_string(),
            }),
        }
    }
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemKey::Number(id) => id.fmt(f),
            ItemKey::Ref {
                strategy: Some(code),
                reference,
            } => write!(f, "{code}/{reference}"),
            ItemKey::Ref { reference, .. } => f.write_str(reference),
        }
    }
}

/// Timestamps are stored and shown in one fixed-width UTC form, with
/// microseconds (`2024-03-18T09:30:00.000000Z`), so that text order is
/// time order.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads any RFC 3339 timestamp and brings it to UTC; the moment must fall
/// within years 1 to 9999, which every stored form can hold.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, Invalid> {
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|_| {
            Invalid::new(format!(
                "'{s}' is not an RFC 3339 timestamp (2024-03-18T09:30:00Z)"
            ))
        })?
        .with_timezone(&Utc);
    if !(1..=9999).contains(&t.year()) {
        return Err(Invalid::new(format!(
            "'{s}' is outside years 1 to 9999 once brought to UTC"
        )));
    }
    Ok(t)
}

/// A strategy and its period.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    pub code: Code,
    pub title: String,
    pub status: StrategyStatus,
    pub period: Period,
    pub decision: Option<String>,
    pub adopted: Option<NaiveDate>,
    pub lead: Option<String>,
    pub department: Option<String>,
    pub supersedes: Option<Code>,
    pub description: Option<String>,
}

/// One activity item as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: ItemId,
    pub strategy: Code,
    pub reference: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub theme: Option<String>,
    pub owner: Option<String>,
    pub status: Status,
    pub progress: Progress,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub rag_override: Option<Rag>,
    pub rag_reason: Option<String>,
    pub carried_from: Option<ItemId>,
    pub carried_to: Option<ItemId>,
    pub created_at: DateTime<Utc>,
    /// When its latest change was recorded.
    pub updated_at: DateTime<Utc>,
    /// The day its latest change holds from: a return that has not come
    /// in shows as an item not updated for a long time. Kept by the
    /// history, not by the item's row.
    pub last_update: NaiveDate,
}

/// One field's move, as text (`None` is "no value").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The day a moment falls on where strat runs: the day a change recorded
/// then holds from unless it says otherwise, and the day `--as-of` ends.
pub fn local_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

/// One recorded change to an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub item: ItemId,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The day it holds from.
    pub effective: NaiveDate,
    pub by: String,
    pub action: Action,
    pub changes: Vec<Change>,
    pub note: Option<String>,
}

/// A note as a report shows it: its text and the day it holds from.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub text: String,
    pub on: NaiveDate,
}

/// One recorded change to a strategy's own details, or a note on it.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyEvent {
    pub id: i64,
    pub strategy: Code,
    pub at: DateTime<Utc>,
    pub effective: NaiveDate,
    pub by: String,
    pub action: Action,
    pub changes: Vec<Change>,
    pub note: Option<String>,
}

/// A record whose changes are kept as events: each tracked field reads and
/// writes as text, so a diff is a list of [`Change`]s and replaying the
/// changes from the first event on rebuilds the record.
pub trait Tracked {
    /// The tracked fields, in the order changes are listed.
    const FIELDS: &'static [&'static str];

    /// A tracked field as the text events record.
    fn field(&self, name: &str) -> Option<String>;

    /// The text a tracked field may hold: free text for descriptions and
    /// reasons, one line for everything else.
    fn rule(name: &str) -> TextRule {
        match name {
            "description" | "rag_reason" => TextRule::Prose,
            _ => TextRule::Label,
        }
    }

    /// Sets a tracked field from event text; refuses unknown fields and
    /// values that do not parse, so a bad history is caught, not guessed at.
    fn set_field(&mut self, name: &str, value: Option<&str>) -> Result<(), Invalid>;

    /// Checks that each change starts from the value the record has, so a
    /// history whose "from" values were altered is caught, not replayed.
    fn check_from(&self, changes: &[Change]) -> Result<(), Invalid> {
        for c in changes {
            let now = self.field(&c.field);
            if now != c.from {
                return Err(Invalid::new(format!(
                    "{} changes from {} but was {}",
                    c.field,
                    c.from.as_deref().unwrap_or("nothing"),
                    now.as_deref().unwrap_or("nothing")
                )));
            }
        }
        Ok(())
    }

    /// Applies one event's changes in order. A value must be recorded as
    /// strat writes it (`completed`, not `Done`, which only input takes).
    fn apply_changes(&mut self, changes: &[Change]) -> Result<(), Invalid> {
        for c in changes {
            self.set_field(&c.field, c.to.as_deref())?;
            if let Some(to) = &c.to
                && let Some(held) = self.field(&c.field)
                && held != *to
            {
                return Err(Invalid::new(format!(
                    "{} is recorded as '{to}', which strat writes as '{held}'",
                    c.field
                )));
            }
        }
        Ok(())
    }

    /// The changes that take `self` to `after`, in field order.
    fn diff(&self, after: &Self) -> Vec<Change> {
        Self::FIELDS
            .iter()
            .filter_map(|f| {
                let (from, to) = (self.field(f), after.field(f));
                (from != to).then(|| Change {
                    field: f.to_string(),
                    from,
                    to,
                })
            })
            .collect()
    }

    /// The first event's changes: every field that has a value.
    fn creation_changes(&self) -> Vec<Change> {
        Self::FIELDS
            .iter()
            .filter_map(|f| {
                self.field(f).map(|to| Change {
                    field: f.to_string(),
                    from: None,
                    to: Some(to),
                })
            })
            .collect()
    }
}

fn date(s: &str) -> Result<NaiveDate, Invalid> {
    parse_iso(s).map_err(|why| Invalid::new(format!("'{s}' {why} (YYYY-MM-DD)")))
}

impl Item {
    /// An item whose every field is still to be read (from a row of the
    /// database): its number, strategy and times are placeholders.
    pub(crate) fn unread() -> Item {
        Item::blank(ItemId(0), Code(String::new()), DateTime::UNIX_EPOCH)
    }

    /// An item before its `created` event is applied: nothing set yet.
    pub fn blank(id: ItemId, strategy: Code, at: DateTime<Utc>) -> Item {
        Item {
            id,
            strategy,
            reference: None,
            title: String::new(),
            description: None,
            theme: None,
            owner: None,
            status: Status::Planned,
            progress: Progress::default(),
            start: None,
            due: None,
            completed_on: None,
            rag_override: None,
            rag_reason: None,
            carried_from: None,
            carried_to: None,
            created_at: at,
            updated_at: at,
            last_update: local_day(at),
        }
    }

    /// Applies an event's changes (each field set to its new value); the
    /// item's times follow its history. Events are applied in the order
    /// they hold, which need not be the order they were recorded in.
    pub fn apply(&mut self, event: &Event) -> Result<(), Invalid> {
        let creates = matches!(event.action, Action::Created | Action::CarriedIn);
        self.apply_changes(&event.changes)?;
        if creates {
            self.created_at = event.at;
            self.updated_at = event.at;
            self.last_update = event.effective;
        }
        self.updated_at = self.updated_at.max(event.at);
        self.last_update = self.last_update.max(event.effective);
        Ok(())
    }

    /// The rules every stored item obeys (the database CHECKs repeat them).
    pub fn check_consistent(&self) -> Result<(), Invalid> {
        if self.title.trim().is_empty() {
            return Err("an item needs a title".into());
        }
        match (self.status, self.completed_on) {
            (Status::Completed, None) => {
                return Err("a completed item needs a completion date".into());
            }
            (s, Some(_)) if s != Status::Completed => {
                return Err(Invalid::new(format!(
                    "a {s} item cannot have a completion date"
                )));
            }
            _ => {}
        }
        if self.status == Status::Completed && self.progress != Progress::DONE {
            return Err("a completed item has progress 100".into());
        }
        if self.status == Status::CarriedForward && self.carried_to.is_none() {
            return Err("a carried-forward item needs the item it was carried to".into());
        }
        if let (Some(s), Some(d)) = (self.start, self.due)
            && d < s
        {
            return Err(Invalid::new(format!(
                "the target date {d} is before the start {s}"
            )));
        }
        if self.rag_reason.is_some() && self.rag_override.is_none() {
            return Err("a RAG reason without a RAG override".into());
        }
        Ok(())
    }
}

impl Tracked for Item {
    const FIELDS: &'static [&'static str] = &fields::TRACKED;

    fn field(&self, name: &str) -> Option<String> {
        let f = fields::field(name).filter(|f| f.tracked)?;
        // No tracked field is computed for a day.
        (f.get)(self, NaiveDate::MIN).text()
    }

    fn set_field(&mut self, name: &str, value: Option<&str>) -> Result<(), Invalid> {
        match fields::field(name)
            .filter(|f| f.tracked)
            .and_then(|f| f.set)
        {
            Some(set) => set(self, value.map(fields::FieldInput::Text)),
            None => Err(Invalid::new(format!(
                "'{name}' is not a field events can change"
            ))),
        }
    }

    fn rule(name: &str) -> TextRule {
        fields::field(name).map_or(TextRule::Label, fields::ItemField::rule)
    }
}

impl Strategy {
    /// A strategy whose every field is still to be read (from a row of the
    /// database).
    pub(crate) fn unread() -> Strategy {
        Strategy::blank(Code(String::new()))
    }

    /// A strategy before its `created` event is applied.
    pub fn blank(code: Code) -> Strategy {
        let day = NaiveDate::MIN;
        Strategy {
            code,
            title: String::new(),
            status: StrategyStatus::Draft,
            period: Period::new(day, day).expect("a one-day period is valid"),
            decision: None,
            adopted: None,
            lead: None,
            department: None,
            supersedes: None,
            description: None,
        }
    }
}

impl Tracked for Strategy {
    const FIELDS: &'static [&'static str] = &fields::STRATEGY_NAMES;

    fn field(&self, name: &str) -> Option<String> {
        fields::strategy_field(name).and_then(|f| (f.get)(self).text())
    }

    fn set_field(&mut self, name: &str, value: Option<&str>) -> Result<(), Invalid> {
        match fields::strategy_field(name) {
            Some(f) => (f.set)(self, value.map(fields::FieldInput::Text)),
            None => Err(Invalid::new(format!(
                "'{name}' is not a field strategy events can change"
            ))),
        }
    }

    fn rule(name: &str) -> TextRule {
        fields::strategy_field(name).map_or(TextRule::Label, |f| f.kind.rule())
    }

    /// A period moves as a whole: both ends are set, then checked.
    fn apply_changes(&mut self, changes: &[Change]) -> Result<(), Invalid> {
        let mut starts = self.period.starts();
        let mut ends = self.period.ends();
        for c in changes {
            match c.field.as_str() {
                "starts" => {
                    starts = date(c.to.as_deref().ok_or("starts: a strategy always has one")?)?
                }
                "ends" => ends = date(c.to.as_deref().ok_or("ends: a strategy always has one")?)?,
                _ => self.set_field(&c.field, c.to.as_deref())?,
            }
        }
        self.period = Period::new(starts, ends).map_err(|e| e.0)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        let mut i = Item::blank(ItemId(4), "tech-2020".parse().unwrap(), Utc::now());
        i.title = "Corporate OneDrive".into();
        i.status = Status::InProgress;
        i.progress = Progress::new(40).unwrap();
        i.due = NaiveDate::from_ymd_opt(2022, 3, 31);
        i
    }

    #[test]
    fn timestamps_are_read_as_rfc_3339_and_written_in_the_stored_form() {
        for (text, stored) in [
            ("2024-03-18T09:30:00Z", "2024-03-18T09:30:00.000000Z"),
            ("2024-03-18T10:30:00+01:00", "2024-03-18T09:30:00.000000Z"),
            ("0001-01-01T00:00:00.000001Z", "0001-01-01T00:00:00.000001Z"),
            ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
            ("2016-12-31T23:59:60.5Z", "2016-12-31T23:59:60.500000Z"),
        ] {
            assert_eq!(format_timestamp(parse_timestamp(text).unwrap()), stored);
        }
        for bad in [
            "2023-02-29T00:00:00.000000Z",
            "2024-03-18T24:00:00.000000Z",
            "2024-03-18 09:30:00",
            "0000-01-01T00:30:00+01:00",
            "0001-01-01T00:30:00+01:00",
            "yesterday",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn progress_is_bounded() {
        assert_eq!("70".parse::<Progress>().unwrap().get(), 70);
        assert_eq!("70%".parse::<Progress>().unwrap().get(), 70);
        assert!("150".parse::<Progress>().is_err());
        assert!("-1".parse::<Progress>().is_err());
        assert!("lots".parse::<Progress>().is_err());
    }

    #[test]
    fn codes_and_numbers() {
        assert!("tech-2020".parse::<Code>().is_ok());
        for bad in ["Tech", "tech_2020", "", "-x", "a b"] {
            assert!(bad.parse::<Code>().is_err(), "{bad}");
        }
        assert_eq!("#12".parse::<ItemId>().unwrap(), ItemId(12));
        assert_eq!("12".parse::<ItemId>().unwrap(), ItemId(12));
        assert!("0".parse::<ItemId>().is_err());
        assert!("twelve".parse::<ItemId>().is_err());
    }

    #[test]
    fn replaying_creation_and_diffs_rebuilds_the_item() {
        let original = item();
        let mut later = original.clone();
        later.progress = Progress::new(80).unwrap();
        later.owner = Some("Infrastructure".into());
        later.due = None;

        let event = |action, changes| Event {
            id: 0,
            item: original.id,
            at: original.created_at,
            effective: local_day(original.created_at),
            by: "t".into(),
            action,
            changes,
            note: None,
        };
        let mut rebuilt = Item::blank(original.id, original.strategy.clone(), original.created_at);
        rebuilt
            .apply(&event(Action::Created, original.creation_changes()))
            .unwrap();
        assert_eq!(rebuilt, original);
        let diff = original.diff(&later);
        assert_eq!(
            diff.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
            ["owner", "progress", "due"]
        );
        rebuilt.apply(&event(Action::Updated, diff)).unwrap();
        assert_eq!(rebuilt, later);
    }

    #[test]
    fn items_are_named_by_number_or_by_ref() {
        let key = |s: &str| s.parse::<ItemKey>();
        assert_eq!(key("12"), Ok(ItemKey::Number(ItemId(12))));
        assert_eq!(key("#12"), Ok(ItemKey::Number(ItemId(12))));
        assert_eq!(
            key("T01"),
            Ok(ItemKey::Ref {
                strategy: None,
                reference: "T01".into()
            })
        );
        assert_eq!(
            key("tech-2020/T01").unwrap().to_string(),
            "tech-2020/T01".to_string()
        );
        for bad in [
            "",
            "#",
            "0",
            "#T01",
            "Tech 2020/T01",
            "tech-2020/",
            "x\u{1b}[2J",
        ] {
            assert!(key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_history_values_are_refused() {
        let mut i = item();
        assert!(i.set_field("progress", Some("150")).is_err());
        let done = Change {
            field: "status".into(),
            from: None,
            to: Some("done".into()),
        };
        assert!(
            i.apply_changes(&[done]).is_err(),
            "input words are not history's"
        );
        assert!(i.set_field("due", Some("2021-02-30")).is_err());
        assert!(i.set_field("colour", Some("x")).is_err());
        assert!(i.set_field("title", None).is_err());
    }

    #[test]
    fn consistency_rules() {
        let mut i = item();
        assert!(i.check_consistent().is_ok());
        i.status = Status::Completed;
        assert!(i.check_consistent().is_err());
        i.completed_on = NaiveDate::from_ymd_opt(2022, 1, 1);
        assert!(i.check_consistent().is_err()); // progress not 100
        i.progress = Progress::DONE;
        assert!(i.check_consistent().is_ok());
        i.start = NaiveDate::from_ymd_opt(2023, 1, 1);
        assert!(i.check_consistent().is_err()); // due before start
    }
}
