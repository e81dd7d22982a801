//! The one table of an item's fields. JSON, CSV, the terminal table, SQL
//! binding and reading, the history and import all read it: adding a
//! field means a line here, its column in `schema.sql`, and the rules that
//! use it.

use super::Invalid;
use super::dates::Period;
use super::dates::parse_iso;
use super::health::health;
use super::model::{Code, Item, ItemId, Progress, Strategy, format_timestamp};
use super::text::TextRule;
use super::vocab::{Health, Rag, StrategyStatus};
use chrono::{DateTime, NaiveDate, Utc};

/// A field's value as an item has it: typed, so each format writes it
/// rightly (a number as a number, a date as `YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    None,
    Int(i64),
    Text(&'a str),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    /// A word of one of the vocabularies (a status, a RAG colour).
    Word(&'static str),
    Progress(Progress),
    Health(Health),
}

impl FieldValue<'_> {
    /// The value as the history records it (and CSV and SQL hold it).
    pub fn text(self) -> Option<String> {
        Some(match self {
            FieldValue::None => return None,
            FieldValue::Int(n) => n.to_string(),
            FieldValue::Text(t) => t.to_string(),
            FieldValue::Date(d) => d.to_string(),
            FieldValue::Time(t) => format_timestamp(t),
            FieldValue::Word(w) => w.to_string(),
            FieldValue::Progress(p) => p.to_string(),
            FieldValue::Health(h) => h.as_str().to_string(),
        })
    }
}

impl serde::Serialize for FieldValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::None => s.serialize_none(),
            FieldValue::Int(n) => s.serialize_i64(*n),
            FieldValue::Text(t) => s.serialize_str(t),
            FieldValue::Progress(p) => s.serialize_u8(p.get()),
            FieldValue::Date(d) => s.collect_str(d),
            FieldValue::Time(t) => s.serialize_str(&format_timestamp(*t)),
            FieldValue::Word(w) => s.serialize_str(w),
            FieldValue::Health(h) => s.serialize_str(h.as_str()),
        }
    }
}

/// A value to set a field from: text (a history, a CSV cell, a JSON
/// string, a text column) or a whole number (a JSON number, an integer
/// column).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldInput<'a> {
    Text(&'a str),
    Int(i64),
}

impl FieldInput<'_> {
    fn text(self) -> String {
        match self {
            FieldInput::Text(t) => t.to_string(),
            FieldInput::Int(n) => n.to_string(),
        }
    }

    fn parse<T: std::str::FromStr>(self) -> Result<T, Invalid>
    where
        T::Err: std::fmt::Display,
    {
        match self {
            FieldInput::Text(t) => t.parse().map_err(|e: T::Err| Invalid::new(e.to_string())),
            FieldInput::Int(n) => n
                .to_string()
                .parse()
                .map_err(|e: T::Err| Invalid::new(e.to_string())),
        }
    }

    fn int(self) -> Result<i64, Invalid> {
        match self {
            FieldInput::Int(n) => Ok(n),
            FieldInput::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| Invalid::new(format!("'{t}' is not a whole number"))),
        }
    }

    fn date(self) -> Result<NaiveDate, Invalid> {
        let text = self.text();
        parse_iso(&text).map_err(|why| Invalid::new(format!("'{text}' {why} (YYYY-MM-DD)")))
    }
}

/// How a field is kept: the text it may hold, and whether it is a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text of this rule.
    Text(TextRule),
    /// A word of a vocabulary, a date or a time: text of a fixed form.
    Word,
    /// A whole number (an SQL INTEGER).
    Number,
}

/// Reads a field of an item; `on` is the day health is computed for.
type Get = for<'a> fn(&'a Item, NaiveDate) -> FieldValue<'a>;
/// Sets a field of an item from an input value (`None`: no value).
type Set = fn(&mut Item, Option<FieldInput>) -> Result<(), Invalid>;

/// One field of an item.
pub struct ItemField {
    /// Its name: the JSON key, the CSV header, the history's field name
    /// and the SQL column (the item table's, or, for `strategy`, the code
    /// of the strategy it belongs to).
    pub name: &'static str,
    pub kind: Kind,
    /// Kept in the item table; `health` is computed instead.
    pub stored: bool,
    /// Changes to it are recorded, field by field, in the history.
    pub tracked: bool,
    /// Written to CSV and read back from it (links between items stay in
    /// the export document).
    pub csv: bool,
    pub get: Get,
    /// How it is set; `None` for what is never read back (`health`).
    pub set: Option<Set>,
}

/// Fields are one per name.
impl PartialEq for ItemField {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for ItemField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "field {}", self.name)
    }
}

fn text(v: &Option<String>) -> FieldValue<'_> {
    v.as_deref().map_or(FieldValue::None, FieldValue::Text)
}

fn date(d: Option<NaiveDate>) -> FieldValue<'static> {
    d.map_or(FieldValue::None, FieldValue::Date)
}

fn link(l: Option<ItemId>) -> FieldValue<'static> {
    l.map_or(FieldValue::None, |l| FieldValue::Int(l.0))
}

fn owned(v: Option<FieldInput>) -> Option<String> {
    v.map(FieldInput::text)
}

fn required<'v, T>(
    name: &str,
    v: Option<FieldInput<'v>>,
    read: impl Fn(FieldInput<'v>) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    read(v.ok_or_else(|| Invalid::new(format!("{name}: an item always has one")))?)
        .map_err(|e| Invalid::new(format!("{name}: {e}")))
}

fn optional<'v, T>(
    name: &str,
    v: Option<FieldInput<'v>>,
    read: impl Fn(FieldInput<'v>) -> Result<T, Invalid>,
) -> Result<Option<T>, Invalid> {
    v.map(read)
        .transpose()
        .map_err(|e| Invalid::new(format!("{name}: {e}")))
}

fn item_number(v: FieldInput) -> Result<ItemId, Invalid> {
    let n = v.int()?;
    (n > 0)
        .then_some(ItemId(n))
        .ok_or_else(|| Invalid::new(format!("{n} is not an item number")))
}

/// Every field of an item, in the order JSON and CSV write them.
pub const ITEM_FIELDS: &[ItemField] = &[
    ItemField {
        name: "id",
        kind: Kind::Number,
        stored: true,
        tracked: false,
        csv: true,
        get: |i, _| FieldValue::Int(i.id.0),
        set: Some(|i, v| {
            i.id = required("id", v, item_number)?;
            Ok(())
        }),
    },
    ItemField {
        name: "strategy",
        kind: Kind::Word,
        stored: true,
        tracked: false,
        csv: true,
        get: |i, _| FieldValue::Text(i.strategy.as_str()),
        set: Some(|i, v| {
            i.strategy = required("strategy", v, FieldInput::parse::<Code>)?;
            Ok(())
        }),
    },
    ItemField {
        name: "ref",
        kind: Kind::Text(TextRule::Label),
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| text(&i.reference),
        set: Some(|i, v| {
            i.reference = owned(v);
            Ok(())
        }),
    },
    ItemField {
        name: "title",
        kind: Kind::Text(TextRule::Label),
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| FieldValue::Text(&i.title),
        set: Some(|i, v| {
            i.title = owned(v)
                .filter(|t| !t.trim().is_empty())
                .ok_or("title: an item needs a title")?;
            Ok(())
        }),
    },
    ItemField {
        name: "description",
        kind: Kind::Text(TextRule::Prose),
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| text(&i.description),
        set: Some(|i, v| {
            i.description = owned(v);
            Ok(())
        }),
    },
    ItemField {
        name: "theme",
        kind: Kind::Text(TextRule::Label),
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| text(&i.theme),
        set: Some(|i, v| {
            i.theme = owned(v);
            Ok(())
        }),
    },
    ItemField {
        name: "owner",
        kind: Kind::Text(TextRule::Label),
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| text(&i.owner),
        set: Some(|i, v| {
            i.owner = owned(v);
            Ok(())
        }),
    },
    ItemField {
        name: "status",
        kind: Kind::Word,
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| FieldValue::Word(i.status.as_str()),
        set: Some(|i, v| {
            i.status = required("status", v, FieldInput::parse)?;
            Ok(())
        }),
    },
    ItemField {
        name: "progress",
        kind: Kind::Number,
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| FieldValue::Progress(i.progress),
        set: Some(|i, v| {
            i.progress = required("progress", v, |v| match v {
                FieldInput::Int(n) => Progress::new(n),
                FieldInput::Text(t) => t.parse(),
            })?;
            Ok(())
        }),
    },
    ItemField {
        name: "start",
        kind: Kind::Word,
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| date(i.start),
        set: Some(|i, v| {
            i.start = optional("start", v, FieldInput::date)?;
            Ok(())
        }),
    },
    ItemField {
        name: "due",
        kind: Kind::Word,
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| date(i.due),
        set: Some(|i, v| {
            i.due = optional("due", v, FieldInput::date)?;
            Ok(())
        }),
    },
    ItemField {
        name: "completed_on",
        kind: Kind::Word,
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| date(i.completed_on),
        set: Some(|i, v| {
            i.completed_on = optional("completed_on", v, FieldInput::date)?;
            Ok(())
        }),
    },
    ItemField {
        name: "health",
        kind: Kind::Word,
        stored: false,
        tracked: false,
        csv: true,
        get: |i, on| FieldValue::Health(health(i, on)),
        set: None,
    },
    ItemField {
        name: "rag_override",
        kind: Kind::Word,
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| {
            i.rag_override
                .map_or(FieldValue::None, |r| FieldValue::Word(r.as_str()))
        },
        set: Some(|i, v| {
            i.rag_override = optional("rag_override", v, FieldInput::parse::<Rag>)?;
            Ok(())
        }),
    },
    ItemField {
        name: "rag_reason",
        kind: Kind::Text(TextRule::Prose),
        stored: true,
        tracked: true,
        csv: true,
        get: |i, _| text(&i.rag_reason),
        set: Some(|i, v| {
            i.rag_reason = owned(v);
            Ok(())
        }),
    },
    ItemField {
        name: "carried_from",
        kind: Kind::Number,
        stored: true,
        tracked: true,
        csv: false,
        get: |i, _| link(i.carried_from),
        set: Some(|i, v| {
            i.carried_from = optional("carried_from", v, item_number)?;
            Ok(())
        }),
    },
    ItemField {
        name: "carried_to",
        kind: Kind::Number,
        stored: true,
        tracked: true,
        csv: false,
        get: |i, _| link(i.carried_to),
        set: Some(|i, v| {
            i.carried_to = optional("carried_to", v, item_number)?;
            Ok(())
        }),
    },
    ItemField {
        name: "created_at",
        kind: Kind::Word,
        stored: true,
        tracked: false,
        csv: true,
        get: |i, _| FieldValue::Time(i.created_at),
        set: Some(|i, v| {
            i.created_at = required("created_at", v, time)?;
            Ok(())
        }),
    },
    ItemField {
        name: "updated_at",
        kind: Kind::Word,
        stored: true,
        tracked: false,
        csv: true,
        get: |i, _| FieldValue::Time(i.updated_at),
        set: Some(|i, v| {
            i.updated_at = required("updated_at", v, time)?;
            Ok(())
        }),
    },
    // Kept with the item, not computed on each read: lists and reports of
    // the whole portfolio would otherwise seek every item's history.
    ItemField {
        name: "last_update",
        kind: Kind::Word,
        stored: true,
        tracked: false,
        csv: false,
        get: |i, _| FieldValue::Date(i.last_update),
        set: Some(|i, v| {
            i.last_update = required("last_update", v, FieldInput::date)?;
            Ok(())
        }),
    },
];

fn time(v: FieldInput) -> Result<DateTime<Utc>, Invalid> {
    super::model::parse_timestamp(&v.text())
}

/// Which of the fields a list names.
#[derive(Clone, Copy)]
enum Which {
    Tracked,
    All,
}

const fn picks(which: Which, f: &ItemField) -> bool {
    match which {
        Which::Tracked => f.tracked,
        Which::All => true,
    }
}

/// How many fields `which` picks.
const fn count(which: Which) -> usize {
    let (mut n, mut at) = (0, 0);
    while n < ITEM_FIELDS.len() {
        if picks(which, &ITEM_FIELDS[n]) {
            at += 1;
        }
        n += 1;
    }
    at
}

/// The names of the fields `which` picks, in table order.
const fn names<const N: usize>(which: Which) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut n, mut at) = (0, 0);
    while n < ITEM_FIELDS.len() {
        if picks(which, &ITEM_FIELDS[n]) {
            out[at] = ITEM_FIELDS[n].name;
            at += 1;
        }
        n += 1;
    }
    out
}

/// The fields the history tracks, in the order an event lists changes.
pub const TRACKED: [&str; count(Which::Tracked)] = names(Which::Tracked);
/// The keys of an item in JSON, which an import reads back.
pub const JSON_KEYS: [&str; count(Which::All)] = names(Which::All);

/// The field named `name`.
pub fn field(name: &str) -> Option<&'static ItemField> {
    ITEM_FIELDS.iter().find(|f| f.name == name)
}

impl Kind {
    /// The text a field of this kind may hold.
    pub fn rule(self) -> TextRule {
        match self {
            Kind::Text(rule) => rule,
            Kind::Word | Kind::Number => TextRule::Label,
        }
    }
}

impl ItemField {
    /// The text this field may hold.
    pub fn rule(&self) -> TextRule {
        self.kind.rule()
    }
}

/// Reads a field of a strategy.
type GetStrategy = for<'a> fn(&'a Strategy) -> FieldValue<'a>;
/// Sets a field of a strategy from an input value (`None`: no value).
type SetStrategy = fn(&mut Strategy, Option<FieldInput>) -> Result<(), Invalid>;

/// One field of a strategy: each is stored (under its name; `supersedes`
/// as the number of the strategy whose code it holds) and tracked.
pub struct StrategyField {
    pub name: &'static str,
    pub kind: Kind,
    pub get: GetStrategy,
    pub set: SetStrategy,
}

fn required_strategy<'v, T>(
    name: &str,
    v: Option<FieldInput<'v>>,
    read: impl Fn(FieldInput<'v>) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    read(v.ok_or_else(|| Invalid::new(format!("{name}: a strategy always has one")))?)
        .map_err(|e| Invalid::new(format!("{name}: {e}")))
}

/// Every field of a strategy, in the order JSON writes them and events
/// list changes. The period is one value of two fields: `starts` moves
/// the end along when it would pass it, and `ends` is checked against
/// `starts`, so reading them in this order refuses only a period that
/// ends before it starts (an event that moves both sets them together).
pub const STRATEGY_FIELDS: &[StrategyField] = &[
    StrategyField {
        name: "code",
        kind: Kind::Word,
        get: |s| FieldValue::Text(s.code.as_str()),
        set: |s, v| {
            s.code = required_strategy("code", v, FieldInput::parse)?;
            Ok(())
        },
    },
    StrategyField {
        name: "title",
        kind: Kind::Text(TextRule::Label),
        get: |s| FieldValue::Text(&s.title),
        set: |s, v| {
            s.title = owned(v)
                .filter(|t| !t.trim().is_empty())
                .ok_or("title: a strategy needs a title")?;
            Ok(())
        },
    },
    StrategyField {
        name: "status",
        kind: Kind::Word,
        get: |s| FieldValue::Word(s.status.as_str()),
        set: |s, v| {
            s.status = required_strategy("status", v, FieldInput::parse::<StrategyStatus>)?;
            Ok(())
        },
    },
    StrategyField {
        name: "starts",
        kind: Kind::Word,
        get: |s| FieldValue::Date(s.period.starts()),
        set: |s, v| {
            let starts = required_strategy("starts", v, FieldInput::date)?;
            s.period = Period::new(starts, s.period.ends().max(starts)).map_err(|e| e.0)?;
            Ok(())
        },
    },
    StrategyField {
        name: "ends",
        kind: Kind::Word,
        get: |s| FieldValue::Date(s.period.ends()),
        set: |s, v| {
            let ends = required_strategy("ends", v, FieldInput::date)?;
            s.period = Period::new(s.period.starts(), ends).map_err(|e| e.0)?;
            Ok(())
        },
    },
    StrategyField {
        name: "decision",
        kind: Kind::Text(TextRule::Label),
        get: |s| text(&s.decision),
        set: |s, v| {
            s.decision = owned(v);
            Ok(())
        },
    },
    StrategyField {
        name: "adopted",
        kind: Kind::Word,
        get: |s| date(s.adopted),
        set: |s, v| {
            s.adopted = optional("adopted", v, FieldInput::date)?;
            Ok(())
        },
    },
    StrategyField {
        name: "lead",
        kind: Kind::Text(TextRule::Label),
        get: |s| text(&s.lead),
        set: |s, v| {
            s.lead = owned(v);
            Ok(())
        },
    },
    StrategyField {
        name: "department",
        kind: Kind::Text(TextRule::Label),
        get: |s| text(&s.department),
        set: |s, v| {
            s.department = owned(v);
            Ok(())
        },
    },
    StrategyField {
        name: "supersedes",
        kind: Kind::Word,
        get: |s| {
            s.supersedes
                .as_ref()
                .map_or(FieldValue::None, |c| FieldValue::Text(c.as_str()))
        },
        set: |s, v| {
            s.supersedes = optional("supersedes", v, FieldInput::parse::<Code>)?;
            Ok(())
        },
    },
    StrategyField {
        name: "description",
        kind: Kind::Text(TextRule::Prose),
        get: |s| text(&s.description),
        set: |s, v| {
            s.description = owned(v);
            Ok(())
        },
    },
];

/// The names of [`STRATEGY_FIELDS`], in order.
pub const STRATEGY_NAMES: [&str; STRATEGY_FIELDS.len()] = {
    let mut out = [""; STRATEGY_FIELDS.len()];
    let mut n = 0;
    while n < out.len() {
        out[n] = STRATEGY_FIELDS[n].name;
        n += 1;
    }
    out
};

/// The strategy field named `name`.
pub fn strategy_field(name: &str) -> Option<&'static StrategyField> {
    STRATEGY_FIELDS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        let at = DateTime::from_timestamp(1_700_000_000, 123_456_000).unwrap();
        let mut i = Item::blank(ItemId(4), "tech-2020".parse().unwrap(), at);
        i.title = "Corporate OneDrive".into();
        i.progress = Progress::new(40).unwrap();
        i.due = NaiveDate::from_ymd_opt(2022, 3, 31);
        i.carried_to = Some(ItemId(9));
        i
    }

    #[test]
    fn every_field_set_from_its_own_text_gives_it_back() {
        let on = NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
        let original = item();
        let mut copy = Item::blank(ItemId(1), "other".parse().unwrap(), Utc::now());
        for f in ITEM_FIELDS {
            let Some(set) = f.set else { continue };
            let text = (f.get)(&original, on).text();
            set(&mut copy, text.as_deref().map(FieldInput::Text)).unwrap();
        }
        assert_eq!(copy, original);
    }

    #[test]
    fn the_lists_follow_the_table() {
        assert_eq!(TRACKED[0], "ref");
        assert!(!TRACKED.contains(&"health") && !TRACKED.contains(&"id"));
        let csv: Vec<&str> = ITEM_FIELDS
            .iter()
            .filter(|f| f.csv)
            .map(|f| f.name)
            .collect();
        assert!(csv.contains(&"health") && !csv.contains(&"carried_to"));
        assert_eq!(JSON_KEYS.len(), ITEM_FIELDS.len());
        assert_eq!(field("progress").map(|f| f.kind), Some(Kind::Number));
        assert_eq!(
            field("description").map(ItemField::rule),
            Some(TextRule::Prose)
        );
    }

    #[test]
    fn numbers_come_as_numbers_or_text() {
        let mut i = item();
        let progress = field("progress").unwrap().set.unwrap();
        progress(&mut i, Some(FieldInput::Int(70))).unwrap();
        progress(&mut i, Some(FieldInput::Text("75%"))).unwrap();
        assert_eq!(i.progress.get(), 75);
        assert!(progress(&mut i, Some(FieldInput::Int(150))).is_err());
        assert!(progress(&mut i, None).is_err());
        let to = field("carried_to").unwrap().set.unwrap();
        assert!(to(&mut i, Some(FieldInput::Text("0"))).is_err());
        to(&mut i, None).unwrap();
        assert_eq!(i.carried_to, None);
    }

    #[test]
    fn a_strategy_read_field_by_field_in_table_order_is_the_same_strategy() {
        let mut original = Strategy::blank("digital-2024".parse().unwrap());
        original.title = "Digital Strategy 2024-2027".into();
        original.period = Period::new(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        )
        .unwrap();
        original.supersedes = Some("tech-2020".parse().unwrap());
        original.decision = Some("23/00120".into());
        let mut copy = Strategy::blank("x".parse().unwrap());
        for f in STRATEGY_FIELDS {
            let text = (f.get)(&original).text();
            (f.set)(&mut copy, text.as_deref().map(FieldInput::Text)).unwrap();
        }
        assert_eq!(copy, original);
        // a period that ends before it starts is refused, read in order
        let ends = strategy_field("ends").unwrap().set;
        assert!(ends(&mut copy, Some(FieldInput::Text("2023-12-31"))).is_err());
        assert_eq!(STRATEGY_NAMES[0], "code");
    }
}
