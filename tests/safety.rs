//! Data safety: upgrades, and files strat must refuse without touching.

mod common;
use common::Env;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::path::Path;

const FIXTURE_V1: &str = "tests/fixtures/schema-v1.db";
/// The version 1 fixture upgraded by strat 0.1's schema version 4, which
/// rewrote the stored table definitions in place.
const FIXTURE_V4: &str = "tests/fixtures/schema-v4.db";

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
    "SELECT * FROM item ORDER BY id",
    "SELECT * FROM event ORDER BY id",
    "SELECT * FROM sqlite_sequence WHERE name IN ('item', 'event') ORDER BY name",
];

/// Every table and index as SQLite stores its definition.
const SCHEMA_SQL: &str = "SELECT type, name, sql FROM sqlite_schema ORDER BY type, name";

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
    let env = Env::on("2026-11-23");
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
    let fresh = Env::new();
    fresh.ok(&[
        "strategy",
        "add",
        "a-1",
        "--title",
        "A",
        "--period",
        "2020-2023",
    ]);
    assert_eq!(
        rows(&env.db, &[SCHEMA_SQL]),
        rows(&fresh.db, &[SCHEMA_SQL]),
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

#[test]
fn a_version_4_database_gets_tables_built_anew_and_keeps_every_record() {
    let env = Env::on("2026-11-23");
    std::fs::copy(FIXTURE_V4, &env.db).unwrap();
    let tables = [V1_TABLES, &["SELECT * FROM strategy_event ORDER BY id"]].concat();
    let original = rows(&env.db, &tables);
    assert_eq!(version(&env.db), 4);
    let r = env.run(&["item", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("v4-backup"), "{}", r.stderr);
    assert_eq!(version(&env.db), strat::store::LATEST_VERSION);
    same(
        &rows(&env.db, &tables),
        &original,
        "upgrade changed the data",
    );
    let fresh = Env::new();
    fresh.ok(&[
        "strategy",
        "add",
        "a-1",
        "--title",
        "A",
        "--period",
        "2020-2023",
    ]);
    assert_eq!(
        rows(&env.db, &[SCHEMA_SQL]),
        rows(&fresh.db, &[SCHEMA_SQL]),
        "the tables are defined as CREATE TABLE defines them in a new database"
    );
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
fn a_row_the_rules_forbid_stops_the_upgrade_and_leaves_the_file_as_it_was() {
    let env = Env::on("2026-11-23");
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
    let env = Env::on("2026-11-23");
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
    let env = Env::on("2026-11-23");
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
    let env = Env::new();
    std::fs::write(&env.db, "Item,Status\nOneDrive,done\n").unwrap();
    refused(&env, &["item", "list"], "not a strat database");
    refused(&env, &["item", "add", "x", "y"], "not a strat database");
}

#[test]
fn a_truncated_database_is_refused_untouched() {
    let env = Env::on("2026-11-23");
    let whole = Env::on("2026-11-23");
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
    let env = Env::new();
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
    let env = Env::new().with_tech_2020();
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
    let env = Env::new();
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
    let env = Env::new().with_tech_2020();
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
