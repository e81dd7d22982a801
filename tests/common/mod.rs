//! Runs the real `strat` binary on a temporary database: a file, or, with
//! `STRAT_TEST_BACKEND=postgres`, a database of its own on a throwaway
//! PostgreSQL cluster (`postgres`).
#![allow(dead_code)]

pub mod postgres;

use assert_cmd::Command;
use rusqlite::{Connection, OpenFlags, types::ValueRef};
use std::path::PathBuf;
use tempfile::TempDir;

/// A temporary home with its own database, the clock pinned to `today`.
pub struct Env {
    pub dir: TempDir,
    /// The database file (on SQLite).
    pub db: PathBuf,
    pub today: String,
    /// The URL of the database on the test cluster (on PostgreSQL).
    pub pg: Option<String>,
}

/// True, saying so, when the suite runs on PostgreSQL and a test is of
/// what only SQLite does.
pub fn sqlite_only(what: &str) -> bool {
    if on_postgres() {
        eprintln!("not on PostgreSQL: {what}");
        return false;
    }
    true
}

/// True when the suite runs on PostgreSQL; else says that a test of team
/// mode was left to that run.
pub fn team_mode(what: &str) -> bool {
    if !on_postgres() {
        eprintln!("left to the run with STRAT_TEST_BACKEND=postgres: {what}");
        return false;
    }
    true
}

/// True when the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("STRAT_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// The tables of a strat database, parents first.
pub const TABLES: &[&str] = &[
    "strategy",
    "item",
    "command",
    "event",
    "strategy_event",
    "removed",
];

/// What a finished command printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Env {
    pub fn new() -> Env {
        Env::on("2021-12-31")
    }

    pub fn on(today: &str) -> Env {
        if on_postgres() {
            return Env::on_cluster(postgres::Cluster::get(), today);
        }
        Env::on_file(today)
    }

    /// An environment with a new database of its own on `cluster`.
    pub fn on_cluster(cluster: &postgres::Cluster, today: &str) -> Env {
        let mut env = Env::on_file(today);
        env.pg = Some(cluster.url(&cluster.database()));
        env
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// An environment whose database is a file whatever the backend under
    /// test: for what only a file has (its bytes, its permissions, its
    /// older schema versions, SQLite's own checks).
    pub fn on_file(today: &str) -> Env {
        let dir = TempDir::new().expect("temp dir");
        let db = dir.path().join("strat.db");
        Env {
            dir,
            db,
            today: today.to_string(),
            pg: None,
        }
    }

    /// `STRAT_DB` of this environment.
    pub fn location(&self) -> std::ffi::OsString {
        match &self.pg {
            Some(url) => url.into(),
            None => self.db.clone().into_os_string(),
        }
    }

    pub fn pg_client(&self) -> Option<::postgres::Client> {
        self.pg.as_ref().map(|url| {
            ::postgres::Client::connect(url, ::postgres::NoTls)
                .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
        })
    }

    /// A command with the test's database, clock and user; colour off, and
    /// HOME inside the temporary folder so nothing outside is touched.
    pub fn std_cmd(&self) -> std::process::Command {
        self.std_cmd_named(assert_cmd::cargo::cargo_bin!("strat"))
    }

    /// Another program, with the environment strat gets.
    pub fn std_cmd_named(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut c = std::process::Command::new(program);
        c.env("STRAT_DB", self.location())
            .env("STRAT_TODAY", &self.today)
            .env("STRAT_USER", "tester")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env_remove("COLUMNS")
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE");
        c
    }

    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_command(self.cmd(), args)
    }

    /// Runs `cmd`, one of [`Env::cmd`]'s with what a test changed of it,
    /// with `args`; checks that no password was printed.
    pub fn run_command(&self, mut cmd: Command, args: &[&str]) -> Run {
        let out = cmd.args(args).output().expect("run strat");
        for printed in [&out.stdout, &out.stderr] {
            assert!(
                !String::from_utf8_lossy(printed).contains(postgres::PASSWORD),
                "strat {args:?} printed the database password"
            );
        }
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        }
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "strat {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    /// Runs a read command with `--format json` and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: bad JSON {e}:\n{out}"))
    }

    /// Runs a command that must fail with `code`, leaving the database
    /// exactly as it was. Returns stderr, checked to be a short message
    /// and not a panic or debug dump.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let before = self.dump();
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "strat {args:?}: wrong exit code; stderr:\n{}",
            r.stderr
        );
        assert!(
            r.stdout.is_empty(),
            "strat {args:?} printed data on failure:\n{}",
            r.stdout
        );
        assert!(
            !r.stderr.trim().is_empty(),
            "strat {args:?} failed silently"
        );
        assert!(
            !r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"),
            "strat {args:?} panicked:\n{}",
            r.stderr
        );
        assert_eq!(before, self.dump(), "strat {args:?} changed the database");
        r.stderr
    }

    /// Every row of every table, the schema and the version, as text: two
    /// equal dumps mean the same database.
    pub fn dump(&self) -> String {
        if let Some(mut client) = self.pg_client() {
            return pg_dump(&mut client);
        }
        if !self.db.exists() {
            return "<no database>".into();
        }
        let conn = Connection::open_with_flags(&self.db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
        let mut out = String::new();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        out.push_str(&format!("user_version {version}\n"));
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
            .expect("schema");
        let tables: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("schema rows")
            .map(Result::unwrap)
            .collect();
        for (name, sql) in &tables {
            out.push_str(sql);
            out.push('\n');
            if !sql.starts_with("CREATE TABLE") {
                continue;
            }
            let mut rows = conn
                .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY rowid"))
                .expect("select");
            let n = rows.column_count();
            let mut q = rows.query([]).expect("rows");
            while let Some(row) = q.next().expect("row") {
                let cells: Vec<String> = (0..n)
                    .map(|i| match row.get_ref(i).expect("cell") {
                        ValueRef::Null => "NULL".into(),
                        ValueRef::Integer(v) => v.to_string(),
                        ValueRef::Real(v) => v.to_string(),
                        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
                        ValueRef::Blob(b) => format!("{b:?}"),
                    })
                    .collect();
                out.push_str(&format!("{name}: {}\n", cells.join(" | ")));
            }
        }
        out
    }

    /// A plain query on the database, for checks the CLI does not show.
    pub fn query_i64(&self, sql: &str) -> i64 {
        if let Some(mut client) = self.pg_client() {
            return client.query_one(sql, &[]).expect("query").get(0);
        }
        let conn = Connection::open_with_flags(&self.db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }

    /// Changes the database behind strat's back, as a damaged or hand-edited
    /// file would be.
    pub fn exec(&self, sql: &str) {
        if let Some(mut client) = self.pg_client() {
            return client.batch_execute(sql).expect("exec");
        }
        let conn = Connection::open(&self.db).expect("open db");
        conn.execute_batch(sql).expect("exec");
    }

    /// Adds a strategy with a title and a period of whole years.
    pub fn add_strategy(&self, code: &str, title: &str, period: &str) {
        self.ok(&[
            "strategy", "add", code, "--title", title, "--period", period,
        ]);
    }

    /// One statement behind strat's back, with text values bound.
    pub fn exec_bound(&self, sql: &str, values: &[&str]) {
        if let Some(mut client) = self.pg_client() {
            let values: Vec<&(dyn ::postgres::types::ToSql + Sync)> = values
                .iter()
                .map(|v| v as &(dyn ::postgres::types::ToSql + Sync))
                .collect();
            client
                .execute(&postgres::marks(sql), &values)
                .expect("exec");
            return;
        }
        let conn = Connection::open(&self.db).expect("open db");
        conn.execute(sql, rusqlite::params_from_iter(values))
            .expect("exec");
    }

    /// The last number `table`'s counter handed out (0 for none).
    pub fn counter(&self, table: &str) -> i64 {
        match self.pg {
            Some(_) => self.query_i64(&format!(
                "SELECT coalesce(pg_sequence_last_value('{table}_id_seq'), 0)"
            )),
            None => self.query_i64(&format!(
                "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)"
            )),
        }
    }

    /// The one text column of each row of a plain query.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        if let Some(mut client) = self.pg_client() {
            let rows = client.query(sql, &[]).expect("query");
            return rows.iter().map(|r| r.get(0)).collect();
        }
        let conn = Connection::open_with_flags(&self.db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
        let mut stmt = conn.prepare(sql).expect("query");
        stmt.query_map([], |r| r.get(0))
            .expect("rows")
            .map(Result::unwrap)
            .collect()
    }

    /// A text answer to a plain query.
    pub fn query_text(&self, sql: &str) -> String {
        if let Some(mut client) = self.pg_client() {
            return client.query_one(sql, &[]).expect("query").get(0);
        }
        let conn = Connection::open_with_flags(&self.db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }

    /// The Technology Strategy 2020-2023 with three items:
    /// #1 OneDrive (in progress, 60%, 2020-06-01 → 2022-03-31),
    /// #2 SAN (in progress, 40%, due 2021-06-30: overdue on 2021-12-31),
    /// #3 Defender (added as of 2021-01-04, completed 2021-05-28).
    pub fn with_tech_2020(self) -> Env {
        self.ok(&[
            "strategy",
            "add",
            "tech-2020",
            "--title",
            "Technology Strategy 2020-2023",
            "--period",
            "2020-2023",
            "--status",
            "interim",
            "--decision",
            "21/00097",
        ]);
        self.ok(&[
            "item",
            "add",
            "tech-2020",
            "Corporate OneDrive",
            "--ref",
            "T01",
            "--owner",
            "Workplace",
            "--theme",
            "Modern workplace",
            "--status",
            "in-progress",
            "--progress",
            "60",
            "--start",
            "2020-06-01",
            "--due",
            "2022-03-31",
        ]);
        self.ok(&[
            "item",
            "add",
            "tech-2020",
            "Replace the SAN",
            "--ref",
            "T02",
            "--owner",
            "Infrastructure",
            "--theme",
            "Infrastructure",
            "--status",
            "in-progress",
            "--progress",
            "40",
            "--due",
            "2021-06-30",
        ]);
        self.ok(&[
            "item",
            "add",
            "tech-2020",
            "Microsoft Defender",
            "--ref",
            "T08",
            "--owner",
            "Cyber",
            "--theme",
            "Cyber security",
            "--status",
            "in-progress",
            "--progress",
            "50",
            "--effective",
            "2021-01-04",
        ]);
        self.ok(&["item", "done", "3", "--on", "2021-05-28"]);
        self
    }
}

/// Every row of every strat table on PostgreSQL, with the schema's
/// version, as text. The counters that hand out numbers are left out: a
/// command rolled back may have drawn a number from one, and that number
/// is then skipped, never reused.
fn pg_dump(client: &mut ::postgres::Client) -> String {
    let there: bool = client
        .query_one("SELECT to_regclass('strat_schema') IS NOT NULL", &[])
        .expect("schema")
        .get(0);
    if !there {
        return "<no database>".into();
    }
    let mut out = String::new();
    let version: i64 = client
        .query_one("SELECT version FROM strat_schema", &[])
        .expect("version")
        .get(0);
    out.push_str(&format!("version {version}\n"));
    for table in TABLES {
        // Every column as text, so one reading serves every type.
        let rows = client
            .query(
                &format!("SELECT to_jsonb(t)::text FROM {table} t ORDER BY id"),
                &[],
            )
            .expect("rows");
        for row in rows {
            out.push_str(&format!("{table}: {}\n", row.get::<_, String>(0)));
        }
    }
    out
}

/// An export document with `strategies` strategies and `items` items, each
/// with a creation event and an update, for load and crash tests.
pub fn synthetic_export(strategies: usize, items: usize) -> String {
    use serde_json::json;
    let codes: Vec<String> = (0..strategies).map(|n| format!("s-{n}")).collect();
    let strategy_records: Vec<_> = codes
        .iter()
        .map(|c| {
            json!({"code": c, "title": format!("Strategy {c}"), "status": "adopted",
                   "starts": "2024-01-01", "ends": "2027-12-31"})
        })
        .collect();
    let mut item_records = Vec::with_capacity(items);
    let mut events = Vec::with_capacity(items * 2);
    for n in 0..items {
        let id = n + 1;
        let code = &codes[n % strategies];
        let title = format!("Item {id} of {code}");
        let due = format!("2026-{:02}-{:02}", 1 + n % 12, 1 + n % 28);
        item_records.push(json!({
            "id": id, "strategy": code, "title": title, "owner": format!("team {}", n % 17),
            "status": "in-progress", "progress": 40, "due": due,
            "created_at": "2024-02-01T09:00:00.000000Z", "updated_at": "2024-03-01T09:00:00.000000Z"
        }));
        events.push(
            json!({"id": 2 * n + 1, "item": id, "at": "2024-02-01T09:00:00.000000Z",
            "by": "load", "action": "created", "changes": [
                {"field": "title", "from": null, "to": title},
                {"field": "owner", "from": null, "to": format!("team {}", n % 17)},
                {"field": "status", "from": null, "to": "planned"},
                {"field": "progress", "from": null, "to": "0"},
                {"field": "due", "from": null, "to": due}], "note": null}),
        );
        events.push(
            json!({"id": 2 * n + 2, "item": id, "at": "2024-03-01T09:00:00.000000Z",
            "by": "load", "action": "updated", "changes": [
                {"field": "status", "from": "planned", "to": "in-progress"},
                {"field": "progress", "from": "0", "to": "40"}], "note": "started"}),
        );
    }
    json!({"format": "strat", "version": 1, "strategies": strategy_records,
           "items": item_records, "events": events})
    .to_string()
}
