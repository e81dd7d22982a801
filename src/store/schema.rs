//! The schema version in `PRAGMA user_version`, new databases, upgrades of
//! older ones (with a backup first), and refusal of newer ones.

use super::Db;
use crate::domain::model::{StrategyEvent, Tracked, local_day, parse_timestamp};
use crate::domain::vocab::Action;
use crate::error::{Error, Kind, Result};
use chrono::Utc;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use std::path::{Path, PathBuf};

/// The whole current schema, applied to a new database and rebuilt to by
/// an upgrade.
const SCHEMA: &str = include_str!("../../schema.sql");

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = 7;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// What opening did to the file, for the user to hear about.
pub struct Prepared {
    /// `(old version, backup path)` when the file was upgraded.
    pub upgraded: Option<(i64, PathBuf)>,
}

/// Checks the file is a strat database it may use, sets the journal mode,
/// and creates or upgrades the schema.
pub fn prepare(conn: &mut Connection, path: &Path, writable: bool) -> Result<Prepared> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                Error::storage(format!(
                    "{} is not a strat database (it is not SQLite, or it is damaged)\n\
                     Point --db at the right file, or restore it from a backup.",
                    path.display()
                ))
            }
            // A full disk, a lock held too long, a file that cannot be read.
            _ => Error::from(e),
        })?;
    if version < 0 {
        return Err(Error::storage(format!(
            "{} is damaged: its schema version, {version}, is not one strat writes\n\
             Restore it from a backup, or point --db at the right file.",
            path.display()
        )));
    }
    if version > LATEST_VERSION {
        return Err(Error::storage(format!(
            "{} was written by a newer strat (schema version {version}; this one knows up to \
             {LATEST_VERSION})\nInstall the newer strat to use it; the file was not changed.",
            path.display()
        )));
    }
    if version == LATEST_VERSION {
        if let Some(fault) = table_fault(conn)? {
            return Err(Error::storage(format!(
                "{} is damaged: {fault}\n\
                 Restore it from a backup, or point --db at the right file.",
                path.display()
            )));
        }
        if writable {
            ensure_wal(conn)?;
        }
        return Ok(Prepared { upgraded: None });
    }
    if !writable {
        return Err(Error::storage(format!(
            "{} needs an upgrade (schema version {version} to {LATEST_VERSION}) but is read-only\n\
             Make it writable and run strat again; it will be upgraded, with a backup first.",
            path.display()
        )));
    }
    ensure_wal(conn)?;
    // An upgrade builds tables anew: with foreign keys on, dropping the old
    // one would take its children's rows with it. (This can only be set
    // outside a transaction; the upgrade checks every link itself.)
    let keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let upgraded = upgrade(conn, path);
    conn.pragma_update(None, "foreign_keys", keys)?;
    upgraded
}

/// Creates the schema in an empty file, or upgrades an older one, in one
/// transaction.
fn upgrade(conn: &mut Connection, path: &Path) -> Result<Prepared> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have done the work while this one waited.
    let version = user_version(&tx)?;
    let mut prepared = Prepared { upgraded: None };
    if version == 0 {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(Error::storage(format!(
                "{} is an SQLite database of another program, not strat's\n\
                 Point --db at a strat database or a new file.",
                path.display()
            )));
        }
        tx.execute_batch(SCHEMA)?;
    } else if version < LATEST_VERSION {
        let copy = backup_before_upgrade(path, version)?;
        if let Err(e) = tables_built_anew(&tx, version) {
            // Nothing was changed, so the copy is not needed.
            let _ = std::fs::remove_file(&copy);
            return Err(e);
        }
        prepared.upgraded = Some((version, copy));
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()?;
    Ok(prepared)
}

/// Copies the database, as it stands inside the upgrade's transaction, to
/// `FILE.vN-backup` (or `FILE.vN-backup.2`, … if that exists).
fn backup_before_upgrade(path: &Path, version: i64) -> Result<PathBuf> {
    let base = format!("{}.v{version}-backup", path.display());
    let target = (1..)
        .map(|n| {
            PathBuf::from(if n == 1 {
                base.clone()
            } else {
                format!("{base}.{n}")
            })
        })
        .find(|p| !p.exists())
        .expect("an unused name");
    super::create_if_missing(&target)?;
    let fail = |e: rusqlite::Error| {
        Error::storage(format!(
            "cannot write the backup {} before upgrading: {e}\nFree some space and try again; nothing was changed.",
            target.display()
        ))
    };
    // Read through a second connection: this one holds the write lock, so
    // the snapshot it sees is exactly what the upgrade will start from.
    let source =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(fail)?;
    source.busy_timeout(super::BUSY_WAIT).map_err(fail)?;
    let mut copy = Connection::open(&target).map_err(fail)?;
    let done = rusqlite::backup::Backup::new(&source, &mut copy)
        .and_then(|b| b.step(-1))
        .map_err(fail)?;
    if done != rusqlite::backup::StepResult::Done {
        return Err(Error::storage(format!(
            "the backup {} before upgrading could not be completed ({done:?}); nothing was changed\nTry again in a moment.",
            target.display()
        )));
    }
    // The copy stands alone: one file, no WAL beside it.
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(fail)?;
    Ok(target)
}

/// A database older than version 2 has no history of its strategies: each
/// starts with a `created` event holding its details as they are, recorded
/// with its first item's creation (or now) and holding, as a new strategy
/// does, from the earlier of that day and its start.
fn strategy_history(tx: &Transaction) -> Result<()> {
    let db = Db::new(tx);
    let now = Utc::now();
    let mut first = tx.prepare(
        "SELECT min(e.at) FROM event e JOIN item i ON i.id = e.item_id \
         JOIN strategy s ON s.id = i.strategy_id WHERE s.code = ?1",
    )?;
    for strategy in db.strategies()? {
        let at = first
            .query_row([strategy.code.as_str()], |r| r.get::<_, Option<String>>(0))?
            .map(|t| parse_timestamp(&t).map_err(|e| Error::storage(e.to_string())))
            .transpose()?
            .unwrap_or(now);
        db.insert_strategy_event(
            &StrategyEvent {
                id: 0,
                strategy: strategy.code.clone(),
                at,
                effective: local_day(at).min(strategy.period.starts()),
                by: "strat upgrade".into(),
                action: Action::Created,
                changes: strategy.creation_changes(),
                note: Some("history starts at the upgrade to schema version 2".into()),
            },
            false,
        )?;
    }
    Ok(())
}

/// What is wrong with the file's tables, if anything: one missing, or
/// defined otherwise than `schema.sql` defines it (a damaged definition
/// could refuse every change, or let any through).
fn table_fault(conn: &Connection) -> Result<Option<String>> {
    let mut stmt =
        conn.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1")?;
    for &table in TABLES {
        let stored: Option<String> = stmt.query_row([table], |r| r.get(0)).optional()?;
        match stored {
            None => return Ok(Some(format!("its table {table} is missing"))),
            Some(sql) if sql != create_table(table) => {
                return Ok(Some(format!(
                    "its table {table} is not defined as strat defines it"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(None)
}

/// The indexes of `schema.sql` that the file does not have as defined
/// there: commands still work without them, more slowly, so `check` says.
pub fn index_faults(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1")?;
    let mut faults = Vec::new();
    for table in TABLES {
        for index in indexes_of(table) {
            let name = index
                .split_whitespace()
                .nth(2)
                .expect("CREATE INDEX name ON …");
            let stored: Option<String> = stmt.query_row([name], |r| r.get(0)).optional()?;
            if stored.as_deref() != Some(index) {
                faults.push(format!(
                    "schema: index {name} is missing or defined otherwise"
                ));
            }
        }
    }
    Ok(faults)
}

/// The tables, in an order that copies each after those it names.
pub(super) const TABLES: &[&str] = &[
    "strategy",
    "item",
    "command",
    "event",
    "strategy_event",
    "removed",
];

/// The version that brought each table an older file may not have.
const INTRODUCED: &[(&str, i64)] = &[("strategy_event", 2), ("command", 7), ("removed", 7)];

/// The tables as earlier versions defined them, so an older file's tables
/// are known for what they are before they are rebuilt: version 7 changed
/// the history's tables (each change's command, undone changes), version 6
/// the rest (an item's last update, each change's day, notes on
/// strategies). Versions before 4 differ from those of 4 and 5 only in
/// writing their lists of words with IN.
const OLDER: &[(&str, &str)] = &[
    // Versions 4 and 5.
    (
        "item",
        "CREATE TABLE item (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    strategy_id  INTEGER NOT NULL REFERENCES strategy(id) ON DELETE CASCADE,
    ref          TEXT CHECK (ref IS NULL OR length(trim(ref)) > 0),
    title        TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description  TEXT,
    theme        TEXT,
    owner        TEXT,
    status       TEXT NOT NULL
                 CHECK (status = 'planned' OR status = 'in-progress' OR status = 'on-hold'
                        OR status = 'completed' OR status = 'cancelled'
                        OR status = 'carried-forward'),
    progress     INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    start        TEXT CHECK (start IS date(start)),
    due          TEXT CHECK (due IS date(due)),
    completed_on TEXT CHECK (completed_on IS date(completed_on)),
    rag_override TEXT CHECK (rag_override = 'red' OR rag_override = 'amber'
                             OR rag_override = 'green'),
    rag_reason   TEXT CHECK (rag_reason IS NULL OR rag_override IS NOT NULL),
    carried_from INTEGER REFERENCES item(id),
    carried_to   INTEGER REFERENCES item(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL CHECK (updated_at >= created_at),
    UNIQUE (strategy_id, ref),
    CHECK (start IS NULL OR due IS NULL OR due >= start),
    CHECK ((status = 'completed') = (completed_on IS NOT NULL)),
    CHECK (status <> 'completed' OR progress = 100),
    CHECK (status <> 'carried-forward' OR carried_to IS NOT NULL)
) STRICT",
    ),
    (
        "event",
        "CREATE TABLE event (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
    at      TEXT NOT NULL
            CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    by      TEXT NOT NULL,
    action  TEXT NOT NULL
            CHECK (action = 'created' OR action = 'updated' OR action = 'completed'
                   OR action = 'noted' OR action = 'carried-forward'
                   OR action = 'carried-in'),
    changes TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array'),
    note    TEXT
) STRICT",
    ),
    (
        "strategy_event",
        "CREATE TABLE strategy_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    strategy_id INTEGER NOT NULL REFERENCES strategy(id) ON DELETE CASCADE,
    at          TEXT NOT NULL
                CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    by          TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action = 'created' OR action = 'updated'),
    changes     TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array'),
    note        TEXT
) STRICT",
    ),
    // Version 6.
    (
        "event",
        "CREATE TABLE event (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
    at      TEXT NOT NULL
            CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    effective TEXT NOT NULL CHECK (effective IS date(effective)),
    by      TEXT NOT NULL,
    action  TEXT NOT NULL
            CHECK (action = 'created' OR action = 'updated' OR action = 'completed'
                   OR action = 'noted' OR action = 'carried-forward'
                   OR action = 'carried-in'),
    changes TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array'),
    note    TEXT
) STRICT",
    ),
    (
        "strategy_event",
        "CREATE TABLE strategy_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    strategy_id INTEGER NOT NULL REFERENCES strategy(id) ON DELETE CASCADE,
    at          TEXT NOT NULL
                CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    effective   TEXT NOT NULL CHECK (effective IS date(effective)),
    by          TEXT NOT NULL,
    action      TEXT NOT NULL
                CHECK (action = 'created' OR action = 'updated' OR action = 'noted'),
    changes     TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array'),
    note        TEXT
) STRICT",
    ),
];

/// How a column new since a table's older definition is filled from the
/// old row: a change holds from the day it was recorded (local time, as
/// `--as-of` days are), and a strategy from the earlier of that day and
/// its start, as a new strategy does.
const FILLS: &[(&str, &str, &str)] = &[
    // Items are rebuilt before events: the old events' days.
    (
        "item",
        "last_update",
        "coalesce((SELECT max(date(e.at, 'localtime')) FROM event e \
         WHERE e.item_id = item_before_upgrade.id), date(created_at, 'localtime'))",
    ),
    ("event", "effective", "date(at, 'localtime')"),
    // Changes recorded before version 7 belong to no command undo can name.
    ("event", "command", "NULL"),
    ("strategy_event", "command", "NULL"),
    (
        "strategy_event",
        "effective",
        "CASE WHEN action = 'created' \
         THEN min(date(at, 'localtime'), (SELECT starts FROM strategy WHERE strategy.id = strategy_id)) \
         ELSE date(at, 'localtime') END",
    ),
];

/// The upgrade: every table is built anew from `schema.sql` and its rows
/// copied in (each row checked against every CHECK on the way in), so the
/// stored definitions are those CREATE TABLE wrote. Each table is first
/// proven to be one that an earlier strat defined, so nothing else can be
/// lost. Foreign keys are off for the rebuild (a dropped table would
/// otherwise take its children with it) and checked whole at the end.
fn tables_built_anew(tx: &Transaction, version: i64) -> Result<()> {
    let not_upgraded = |why: String| {
        Error::storage(format!(
            "{why}, so the database was not upgraded to schema version {LATEST_VERSION}\n\
             Restore it from a backup, or export it with the strat that wrote it and import it \
             into a new file."
        ))
    };
    let mut missing = Vec::new();
    for &table in TABLES {
        let stored: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .optional()?;
        let Some(stored) = stored else {
            if INTRODUCED.iter().any(|(t, v)| *t == table && version < *v) {
                missing.push(table);
                continue;
            }
            return Err(not_upgraded(format!("table {table} is missing")));
        };
        let stored = squeeze(&in_lists_as_ors(&stored));
        let known = std::iter::once(create_table(table)).chain(
            OLDER
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, sql)| *sql),
        );
        if !known.map(squeeze).any(|k| k == stored) {
            return Err(not_upgraded(format!(
                "table {table} is not defined as strat defines it"
            )));
        }
    }
    // Renaming a table leaves the links of other tables naming it as they
    // are: they name the table built anew.
    tx.pragma_update(None, "legacy_alter_table", true)?;
    for &table in TABLES {
        let built = if missing.contains(&table) {
            create(tx, table)
        } else {
            rebuild(tx, table)
        };
        built.map_err(|e| match e.kind() {
            Kind::Refused => not_upgraded(format!(
                "table {table} holds a row that strat's rules forbid ({})",
                e.message()
            )),
            _ => e,
        })?;
    }
    tx.pragma_update(None, "legacy_alter_table", false)?;
    let broken = Db::new(tx).foreign_key_problems()?;
    if let Some(first) = broken.first() {
        return Err(Error::storage(format!(
            "the database holds links to missing records ({first}), so it was not upgraded\n\
             Restore it from a backup, or run strat check with the strat that wrote it."
        )));
    }
    if missing.contains(&"strategy_event") {
        strategy_history(tx)?;
    }
    Ok(())
}

/// Creates `table` and its indexes as `schema.sql` defines them.
fn create(tx: &Transaction, table: &str) -> Result<()> {
    tx.execute_batch(create_table(table))?;
    for index in indexes_of(table) {
        tx.execute_batch(index)?;
    }
    Ok(())
}

/// The names of a table's columns, in order.
fn columns_of(tx: &Transaction, table: &str) -> Result<Vec<String>> {
    let mut stmt = tx.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let names = stmt.query_map([table], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// Builds `table` anew under its own name, with its rows, its indexes and
/// the highest number it has handed out.
fn rebuild(tx: &Transaction, table: &str) -> Result<()> {
    let old = format!("{table}_before_upgrade");
    let seq: Option<i64> = tx
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .optional()?;
    // Names cannot be bound parameters; these are strat's own.
    tx.execute_batch(&format!("ALTER TABLE {table} RENAME TO {old}"))?;
    let had = columns_of(tx, &old)?;
    tx.execute_batch(create_table(table))?;
    let columns = columns_of(tx, table)?;
    let values = columns
        .iter()
        .map(|c| {
            if had.contains(c) {
                return Ok(c.clone());
            }
            FILLS
                .iter()
                .find(|(t, name, _)| *t == table && name == c)
                .map(|(_, _, fill)| format!("({fill})"))
                .ok_or_else(|| Error::bug(format!("no way to fill the new column {table}.{c}")))
        })
        .collect::<Result<Vec<String>>>()?;
    // A copy with no WHERE would move the rows' bytes unchecked (SQLite's
    // transfer of whole records between tables alike).
    tx.execute_batch(&format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {old} WHERE true; DROP TABLE {old};",
        columns.join(", "),
        values.join(", ")
    ))?;
    for index in indexes_of(table) {
        tx.execute_batch(index)?;
    }
    if let Some(seq) = seq {
        tx.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
            params![table, seq],
        )?;
        tx.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
            params![table, seq],
        )?;
    }
    Ok(())
}

/// The `CREATE INDEX` statements of `schema.sql` for `table`.
fn indexes_of(table: &str) -> Vec<&'static str> {
    let on = format!(" ON {table}(");
    SCHEMA
        .split(';')
        .map(str::trim)
        .filter_map(|statement| {
            let start = statement.find("CREATE INDEX")?;
            let index = &statement[start..];
            index.contains(&on).then_some(index)
        })
        .collect()
}

/// The `CREATE TABLE` statement for `table` in `schema.sql`, as SQLite
/// stores it (without the closing semicolon).
fn create_table(table: &str) -> &'static str {
    let head = format!("CREATE TABLE {table} (");
    let start = SCHEMA.find(&head).expect("every table is in schema.sql");
    let len = SCHEMA[start..]
        .find(") STRICT;")
        .expect("every table is STRICT")
        + ") STRICT".len();
    &SCHEMA[start..start + len]
}

/// The columns of `table`, in the order `schema.sql` defines them: each
/// column's line is indented once and starts with its name; constraints
/// of the whole table start with a keyword in capitals.
pub(super) fn table_columns(table: &str) -> Vec<&'static str> {
    create_table(table)
        .lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_whitespace().next())
        .collect()
}

/// `x IN ('a', 'b')` written as `x = 'a' OR x = 'b'`.
fn in_lists_as_ors(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() * 2);
    let mut rest = sql;
    while let Some(at) = rest.find(" IN (") {
        let (head, tail) = rest.split_at(at);
        let column_start = head
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let column = &head[column_start..];
        let list = &tail[" IN (".len()..];
        let Some(end) = list.find(')') else {
            break;
        };
        let ors: Vec<String> = list[..end]
            .split(',')
            .map(|word| format!("{column} = {}", word.trim()))
            .collect();
        out.push_str(&head[..column_start]);
        out.push_str(&ors.join(" OR "));
        rest = &list[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text with every run of white space made one space.
fn squeeze(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// WAL lets readers go on while one process writes.
pub(crate) fn ensure_wal(conn: &Connection) -> Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_new_since_version_5_has_a_fill() {
        for (table, before) in OLDER {
            let now = create_table(table);
            assert_ne!(squeeze(now), squeeze(before), "{table}");
            assert!(FILLS.iter().any(|(t, _, _)| t == table), "{table}");
        }
        // A fill names the old table as the rebuild renames it.
        for (table, _, fill) in FILLS {
            if fill.contains("_before_") {
                assert!(fill.contains(&format!("{table}_before_upgrade")), "{fill}");
            }
        }
    }

    #[test]
    fn in_lists_become_ors_and_nothing_else_changes() {
        assert_eq!(
            in_lists_as_ors("a TEXT CHECK (a IN ('x', 'y',\n 'z')), b INTEGER"),
            "a TEXT CHECK (a = 'x' OR a = 'y' OR a = 'z'), b INTEGER"
        );
        assert_eq!(in_lists_as_ors("no lists here"), "no lists here");
        assert!(create_table("event").starts_with("CREATE TABLE event ("));
        assert!(create_table("event").ends_with(") STRICT"));
        for table in TABLES {
            assert!(!create_table(table).contains(" IN ("), "{table}");
        }
        assert_eq!(indexes_of("item").len(), 4);
        assert_eq!(indexes_of("event").len(), 3);
        assert_eq!(indexes_of("strategy_event").len(), 2);
        assert_eq!(indexes_of("command").len(), 1);
        assert_eq!(indexes_of("removed").len(), 1);
        assert!(indexes_of("strategy").is_empty());
        assert!(
            indexes_of("event")
                .iter()
                .all(|i| i.starts_with("CREATE INDEX") && !i.contains(';')),
            "{:?}",
            indexes_of("event")
        );
    }
}
