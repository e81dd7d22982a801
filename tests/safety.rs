//! Data safety: upgrades, and files strat must refuse without touching.
//! These are a file's own dangers, so they run on a file whatever the
//! backend under test; a server database's are in `team.rs`.

mod common;
use common::Env;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::path::Path;

const FIXTURE_V1: &str = "tests/fixtures/schema-v1.db";
/// The version 1 fixture upgraded by strat 0.1's schema version 4, which
/// rewrote the stored table definitions in place.
const FIXTURE_V4: &str = "tests/fixtures/schema-v4.db";
/// A portfolio written by strat at schema version 5, before changes had
/// the day they hold from: two strategies added on 2024-04-02, items
/// updated, completed and noted over 2024, one carried forward.
const FIXTURE_V5: &str = "tests/fixtures/schema-v5.db";
/// A portfolio written at schema version 6, before commands were kept:
/// a late quarterly return, a strategy note, an item removed.
const FIXTURE_V6: &str = "tests/fixtures/schema-v6.db";

/// The columns of strategy events before version 6.
const STRATEGY_EVENTS_BEFORE_V6: &str =
    "SELECT id, strategy_id, at, by, action, changes, note FROM strategy_event ORDER BY id";

/// The rows the queries return, as text.
fn rows(path: &Path, queries: &[&str]) -> String {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut out = String::new();
    for t in queries {
        let mut stmt = conn.prepare(t).unwrap();
        let n = stmt.column_count();
        let mut q = stmt.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect();
            out.push_str(&format!("{t}: {}\n", cells.join(" | ")));
        }
    }
    out
}

fn version(path: &Path) -> i64 {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// Every record a version 1 database holds.
const V1_TABLES: &[&str] = &[
    "SELECT * FROM strategy ORDER BY id",
    "SELECT id, strategy_id, ref, title, description, theme, owner, status, progress, start, \
     due, completed_on, rag_override, rag_reason, carried_from, carried_to, created_at, \
     updated_at FROM item ORDER BY id",
    "SELECT id, item_id, at, by, action, changes, note FROM event ORDER BY id",
    "SELECT * FROM sqlite_sequence WHERE name IN ('item', 'event') ORDER BY name",
];

/// Every table and index as SQLite stores its definition.
const SCHEMA_SQL: &str = "SELECT type, name, sql FROM sqlite_schema ORDER BY type, name";

/// Every table and index of a database strat has just made.
fn schema_of_a_new_database() -> String {
    let fresh = Env::on_file("2021-12-31");
    fresh.ok(&[
        "strategy",
        "add",
        "a-1",
        "--title",
        "A",
        "--period",
        "2020-2023",
    ]);
    rows(&fresh.db, &[SCHEMA_SQL])
}

/// Compares two dumps without printing megabytes when they differ.
fn same(a: &str, b: &str, what: &str) {
    if a != b {
        let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
        panic!(
            "{what}: dumps differ (first differing line {line:?}; {} vs {} lines)",
            a.lines().count(),
            b.lines().count()
        );
    }
}

#[test]
fn a_version_1_database_is_upgraded_with_a_backup_and_keeps_every_record() {
    let env = Env::on_file("2026-11-23");
    std::fs::copy(FIXTURE_V1, &env.db).unwrap();
    let original = rows(&env.db, V1_TABLES);
    assert_eq!(version(&env.db), 1);

    let r = env.run(&["item", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Upgraded") && r.stderr.contains("v1-backup"),
        "{}",
        r.stderr
    );

    assert_eq!(version(&env.db), strat::store::LATEST_VERSION);
    same(
        &rows(&env.db, V1_TABLES),
        &original,
        "upgrade changed the data",
    );
    let backup = env.dir.path().join("strat.db.v1-backup");
    assert_eq!(version(&backup), 1);
    same(&rows(&backup, V1_TABLES), &original, "the backup differs");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM strategy_event WHERE action = 'created'"),
        3
    );
    assert_eq!(env.query_text("PRAGMA integrity_check"), "ok");
    assert_eq!(
        rows(&env.db, &[SCHEMA_SQL]),
        schema_of_a_new_database(),
        "an upgraded database is defined as a new one is"
    );

    // the upgraded file works as any other, history and all
    let report = env.json(&["report", "tech-2020", "--as-of", "2021-12-31"]);
    assert_eq!(report["strategies"][0]["summary"]["completed"], 7);
    env.ok(&["item", "note", "4", "after the upgrade"]);
    // a second run does not upgrade or back up again
    let r = env.run(&["item", "list"]);
    assert!(!r.stderr.contains("Upgraded"), "{}", r.stderr);
    assert!(!env.dir.path().join("strat.db.v1-backup.2").exists());
}

/// Upgrades a copy of `fixture` (at schema `version`, with strategy
/// histories) by running a command, and checks it kept every record, wrote
/// its backup and is defined as a new database is. Hands back the upgraded
/// copy, the queries of its records and what they gave before.
fn upgraded_keeping_every_record(
    fixture: &str,
    version_was: i64,
) -> (Env, Vec<&'static str>, String) {
    let env = Env::on_file("2026-11-23");
    std::fs::copy(fixture, &env.db).unwrap();
    let tables = [V1_TABLES, &[STRATEGY_EVENTS_BEFORE_V6]].concat();
    let original = rows(&env.db, &tables);
    assert_eq!(version(&env.db), version_was);
    let r = env.run(&["item", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("v{version_was}-backup")),
        "{}",
        r.stderr
    );
    assert_eq!(version(&env.db), strat::store::LATEST_VERSION);
    same(
        &rows(&env.db, &tables),
        &original,
        "upgrade changed the data",
    );
    assert_eq!(
        rows(&env.db, &[SCHEMA_SQL]),
        schema_of_a_new_database(),
        "the tables are defined as CREATE TABLE defines them in a new database"
    );
    (env, tables, original)
}

#[test]
fn a_version_4_database_gets_tables_built_anew_and_keeps_every_record() {
    let (env, tables, original) = upgraded_keeping_every_record(FIXTURE_V4, 4);
    assert_eq!(env.query_text("PRAGMA integrity_check"), "ok");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
    let backup = env.dir.path().join("strat.db.v4-backup");
    same(&rows(&backup, &tables), &original, "the backup differs");
    // numbers are still never handed out twice
    let added = env.json(&["item", "add", "tech-2020", "After"]);
    let highest: i64 = Connection::open_with_flags(&backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'item'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(added["id"].as_i64(), Some(highest + 1));
}

#[test]
fn a_version_5_database_gains_the_day_each_change_holds_from() {
    let (env, _, _) = upgraded_keeping_every_record(FIXTURE_V5, 5);
    // Each change holds from the day it was recorded; each strategy from
    // the earlier of that day and its start.
    assert_eq!(
        env.query_i64("SELECT count(*) FROM event WHERE effective IS NOT date(at, 'localtime')"),
        0
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM item WHERE last_update IS NOT \
             (SELECT max(effective) FROM event WHERE item_id = item.id)"
        ),
        0
    );
    assert_eq!(
        env.query_text(
            "SELECT group_concat(effective, ' ') FROM (SELECT effective FROM strategy_event ORDER BY id)"
        ),
        "2020-01-01 2024-01-01"
    );
    assert_eq!(env.json(&["check"])["ok"], true);
    // A report of a day before the strategy was entered now has it.
    let report = env.json(&["report", "tech-2020", "--as-of", "2024-06-30"]);
    assert_eq!(report["strategies"][0]["summary"]["items"], 2);
    let report = env.json(&["report", "tech-2020", "--as-of", "2023-12-31"]);
    assert_eq!(report["strategies"][0]["summary"]["items"], 0);
    let events = env.json(&["item", "history", "1"]);
    assert_eq!(events[0]["effective"], "2024-04-03");
}

#[test]
fn a_version_6_database_gains_commands_and_keeps_every_record() {
    let v6_tables = [
        "SELECT * FROM item ORDER BY id",
        "SELECT id, item_id, at, effective, by, action, changes, note FROM event ORDER BY id",
        "SELECT id, strategy_id, at, effective, by, action, changes, note FROM strategy_event \
         ORDER BY id",
        "SELECT * FROM sqlite_sequence ORDER BY name",
    ];
    let before = rows(Path::new(FIXTURE_V6), &v6_tables);
    let (env, _, _) = upgraded_keeping_every_record(FIXTURE_V6, 6);
    same(
        &rows(&env.db, &v6_tables),
        &before,
        "upgrade changed the data",
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM command"), 0);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM event WHERE command IS NOT NULL"),
        0
    );
    assert_eq!(env.json(&["check"])["ok"], true);
    // What was recorded before the upgrade belongs to no command to undo.
    env.fails(&["--by", "officer", "undo"], 3);
    env.ok(&["item", "update", "D01", "--progress", "70"]);
    env.ok(&["undo"]);
    assert_eq!(env.json(&["item", "show", "1"])["progress"], 60);
    let report = env.json(&["report", "digital-2024", "--as-of", "FY2024-Q2"]);
    assert_eq!(
        report["strategies"][0]["items"][0]["latest_note"],
        "Q2 return, late"
    );
}

#[test]
fn a_row_the_rules_forbid_stops_the_upgrade_and_leaves_the_file_as_it_was() {
    let env = Env::on_file("2026-11-23");
    std::fs::copy(FIXTURE_V4, &env.db).unwrap();
    {
        // as an import with the schema's CHECKs switched off could store
        let conn = Connection::open(&env.db).unwrap();
        conn.pragma_update(None, "ignore_check_constraints", true)
            .unwrap();
        conn.execute("UPDATE item SET ref = '   ' WHERE id = 1", [])
            .unwrap();
    }
    refused(
        &env,
        &["item", "list"],
        "holds a row that strat's rules forbid",
    );
    assert_eq!(version(&env.db), 4);
    assert!(!env.dir.path().join("strat.db.v4-backup").exists());
}

#[test]
fn a_table_defined_otherwise_is_not_upgraded_and_not_touched() {
    let env = Env::on_file("2026-11-23");
    std::fs::copy(FIXTURE_V1, &env.db).unwrap();
    {
        // as if another tool had loosened a CHECK by hand
        let conn = Connection::open(&env.db).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA schema_version", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "writable_schema", true).unwrap();
        conn.execute(
            "UPDATE sqlite_schema SET sql = replace(sql, 'length(trim(title)) > 0', \
             'length(title) > 0') WHERE name = 'item'",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "schema_version", v + 1).unwrap();
    }
    let before = std::fs::read(&env.db).unwrap();
    let r = env.run(&["item", "list"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("table item is not defined as strat defines it"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), before);
    assert_eq!(version(&env.db), 1);
    assert!(!env.dir.path().join("strat.db.v1-backup").exists());
}

#[test]
fn a_read_only_version_1_database_is_not_upgraded() {
    let env = Env::on_file("2026-11-23");
    std::fs::copy(FIXTURE_V1, &env.db).unwrap();
    set_read_only(&env.db);
    let before = std::fs::read(&env.db).unwrap();
    let r = env.run(&["item", "list"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("needs an upgrade") && r.stderr.contains("read-only"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), before);
}

fn set_read_only(path: &Path) {
    let mut p = std::fs::metadata(path).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(path, p).unwrap();
}

/// Runs `args` on the file and checks exit 5, a message naming what is
/// wrong, and the file's bytes unchanged.
fn refused(env: &Env, args: &[&str], expect: &str) {
    let before = std::fs::read(&env.db).unwrap();
    let r = env.run(args);
    assert_eq!(r.code, 5, "{args:?}: {}", r.stderr);
    assert!(r.stderr.contains(expect), "{args:?}: {}", r.stderr);
    assert!(r.stderr.lines().count() <= 3, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
    assert_eq!(
        std::fs::read(&env.db).unwrap(),
        before,
        "{args:?} changed the file"
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let env = Env::on_file("2021-12-31");
    std::fs::write(&env.db, "Item,Status\nOneDrive,done\n").unwrap();
    refused(&env, &["item", "list"], "not a strat database");
    refused(&env, &["item", "add", "x", "y"], "not a strat database");
}

#[test]
fn a_truncated_database_is_refused_untouched() {
    let env = Env::on_file("2026-11-23");
    let whole = Env::on_file("2026-11-23");
    whole.ok(&["demo"]);
    let bytes = std::fs::read(&whole.db).unwrap();
    assert!(bytes.len() > 16384);
    std::fs::write(&env.db, &bytes[..8192]).unwrap();
    refused(&env, &["report"], "damaged");
    refused(
        &env,
        &["item", "update", "2", "--progress", "95"],
        "damaged",
    );
}

#[test]
fn a_database_from_a_newer_strat_is_refused_untouched() {
    let env = Env::on_file("2021-12-31");
    env.ok(&["init"]);
    Connection::open(&env.db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    refused(&env, &["item", "list"], "newer strat");
    refused(&env, &["init"], "schema version 99");
}

#[test]
fn a_read_only_database_can_be_read_but_not_changed() {
    let env = Env::on_file("2021-12-31").with_tech_2020();
    // Lists sorted after they are read hold their items in a temporary
    // table, which a read-only database must allow too.
    let sorted = [
        &["outstanding", "--as-of", "2026-01-01"][..],
        &["outstanding", "tech-2020"],
    ];
    let before: Vec<Value> = sorted.iter().map(|args| env.json(args)).collect();
    assert!(
        before
            .iter()
            .all(|list| !list.as_array().unwrap().is_empty())
    );
    set_read_only(&env.db);
    refused(
        &env,
        &["item", "update", "1", "--progress", "70"],
        "read-only",
    );
    refused(&env, &["init"], "read-only");
    let items = env.json(&["item", "list"]);
    assert_eq!(items.as_array().unwrap().len(), 3);
    for (args, before) in sorted.iter().zip(&before) {
        assert_eq!(&env.json(args), before, "{args:?}");
    }
}

#[test]
fn a_folder_that_cannot_be_made_is_a_storage_error() {
    let env = Env::on_file("2021-12-31");
    let blocker = env.dir.path().join("afile");
    std::fs::write(&blocker, "").unwrap();
    let db = blocker.join("sub/strat.db");
    let r = env.run(&["--db", db.to_str().unwrap(), "init"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot create the folder"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&blocker).unwrap(), b"");
}

/// A history that cannot be replayed is found while a past day's list is
/// being written: the command fails with a storage error naming it, in
/// every format, and the file is untouched.
#[test]
fn a_damaged_history_stops_a_past_days_list() {
    let env = Env::on_file("2021-12-31").with_tech_2020();
    Connection::open(&env.db)
        .unwrap()
        .execute(
            "DELETE FROM event WHERE item_id = 3 AND action = 'created'",
            [],
        )
        .unwrap();
    for format in ["table", "json", "csv", "markdown"] {
        for args in [
            &["item", "list", "--as-of", "2021-12-31"][..],
            &["item", "list", "tech-2020", "--as-of", "2021-12-31"],
            &["outstanding", "--as-of", "2021-12-31"],
            &["report", "--as-of", "2021-12-31"],
        ] {
            let args = [&["--format", format][..], args].concat();
            refused(&env, &args, "history is damaged");
        }
    }
}

/// A damaged file: any command fails with exit 5 and a message of one or
/// two lines, never a bug's exit 1 or a dump of what it found. (Where the
/// damage missed what the command reads, it works; where it changed a value
/// into another that looks sound, such as an item's number, the command
/// answers for the value it finds: not found, or a conflict.)
fn damaged_or_fine(env: &Env, args: &[&str], what: &str) {
    let r = env.run(args);
    assert!(
        [0, 3, 4, 5].contains(&r.code),
        "{what}: {args:?} exit {}\n{}",
        r.code,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
    if r.code != 0 {
        assert!(
            r.stderr.trim().lines().count() <= 2,
            "{what}: {args:?}\n{}",
            r.stderr
        );
    }
}

const DAMAGE_CHECKS: &[&[&str]] = &[
    &["item", "list"],
    &["report", "--as-of", "2022-06-30"],
    &["item", "history", "4"],
    &["export"],
    &["check"],
    &["item", "update", "4", "--progress", "5"],
];

#[test]
fn a_flipped_bit_anywhere_is_storage_damage_for_every_command() {
    let whole = Env::on_file("2026-11-23");
    whole.ok(&["demo"]);
    whole.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    let bytes = std::fs::read(&whole.db).unwrap();
    // Every page, at a few places in it: headers, pointers, records, text.
    let places: Vec<usize> = (0..bytes.len() / 4096)
        .flat_map(|page| [3, 9, 700, 2100, 3900].map(|at| page * 4096 + at))
        .filter(|at| *at >= 100)
        .collect();
    assert!(places.len() > 50, "{}", places.len());
    for (n, at) in places.into_iter().enumerate() {
        let env = Env::on_file("2026-11-23");
        let mut damaged = bytes.clone();
        damaged[at] ^= 1 << (n % 8);
        std::fs::write(&env.db, &damaged).unwrap();
        for args in DAMAGE_CHECKS {
            damaged_or_fine(&env, args, &format!("bit {} of byte {at}", n % 8));
        }
    }
}

#[test]
fn a_dropped_table_or_a_bad_schema_version_is_storage_damage() {
    for (sql, said) in [
        ("DROP TABLE event", "its table event is missing"),
        ("PRAGMA user_version = -3", "schema version, -3"),
        (
            "PRAGMA writable_schema = 1; \
             UPDATE sqlite_schema SET sql = replace(sql, '[0-9]', '[0%9]') WHERE name = 'event'",
            "its table event is not defined as strat defines it",
        ),
    ] {
        let env = Env::on_file("2026-11-23");
        env.ok(&["demo"]);
        env.exec(sql);
        for args in DAMAGE_CHECKS {
            let err = env.fails(args, 5);
            assert!(err.contains(said), "{sql}: {args:?}\n{err}");
            assert!(err.trim().lines().count() <= 2, "{err}");
        }
    }
    // A dropped index slows commands down; check names it.
    let env = Env::on_file("2026-11-23");
    env.ok(&["demo"]);
    env.exec("DROP INDEX event_by_item");
    env.ok(&["item", "history", "4"]);
    let r = env.run(&["check"]);
    assert_eq!(r.code, 5);
    assert!(r.stdout.contains("index event_by_item"), "{}", r.stdout);
}
