//! Team mode: what only a PostgreSQL database has. Writers changing the
//! same item at once, who is recorded, a server that is down, refuses the
//! login, knows no such database, holds a newer schema, or goes away in
//! the middle of a command; encryption; the same document from either
//! backend; a backup of a server database into a file. Each test runs on
//! a throwaway cluster of `common::postgres`, in the run of the suite on
//! PostgreSQL (`STRAT_TEST_BACKEND=postgres`): a plain `cargo test` needs
//! no server.

mod common;
use common::postgres::{Cluster, PASSWORD};
use common::{Env, synthetic_export};
use serde_json::Value;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

const TODAY: &str = "2021-12-31";

/// A database of its own on the binary's shared cluster.
fn team() -> Env {
    Env::on_cluster(Cluster::get(), TODAY)
}

/// The same command with `STRAT_DB` pointed at `url`.
fn run_at(env: &Env, url: &str, args: &[&str]) -> common::Run {
    let mut cmd = env.cmd();
    cmd.env("STRAT_DB", url);
    env.run_command(cmd, args)
}

/// The database name of an environment on a cluster.
fn name_of(env: &Env) -> String {
    let url = env.pg.as_ref().expect("a server database");
    url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn writers_changing_one_item_at_once_never_undo_each_other() {
    if !common::team_mode("writers changing one item at once never undo each other") {
        return;
    }
    let env = team().with_tech_2020();
    const WRITERS: usize = 8;
    const CHANGES: usize = 40;
    thread::scope(|s| {
        for w in 0..WRITERS {
            let env = &env;
            s.spawn(move || {
                for n in 0..CHANGES {
                    // Half change who owns item 1, half how far along it
                    // is: each reads the item and writes it back whole.
                    let note = format!("writer {w} change {n}");
                    let owner = format!("team {w}.{n}");
                    let progress = ((w * CHANGES + n) % 99 + 1).to_string();
                    let (flag, value) = if w % 2 == 0 {
                        ("--owner", owner.as_str())
                    } else {
                        ("--progress", progress.as_str())
                    };
                    let args = ["item", "update", "1", flag, value, "--note", &note];
                    let r = env.run(&args);
                    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
                }
            });
        }
    });
    let notes = env.query_i64("SELECT count(*) FROM event WHERE note LIKE 'writer % change %'");
    assert_eq!(notes as usize, WRITERS * CHANGES, "every change is kept");
    // The item holds the last value each field was given: no write put
    // back a value it had read before another writer changed it.
    let last = |field: &str| -> String {
        env.query_text(&format!(
            "SELECT c->>'to' FROM event e, json_array_elements(e.changes::json) c \
             WHERE e.item_id = 1 AND c->>'field' = '{field}' ORDER BY e.id DESC LIMIT 1"
        ))
    };
    let item = env.json(&["item", "show", "1"]);
    assert_eq!(item["owner"], Value::from(last("owner")));
    assert_eq!(item["progress"].to_string(), last("progress"));
    // And every history still replays to the item as stored.
    assert_eq!(env.json(&["check"])["ok"], true);
}

#[test]
fn many_first_runs_at_once_make_the_schema_once() {
    if !common::team_mode("many first runs at once make the schema once") {
        return;
    }
    let env = team();
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let r = env.run(&["init"]);
                assert_eq!(r.code, 0, "{}", r.stderr);
            });
        }
    });
    assert_eq!(env.query_i64("SELECT count(*) FROM strat_schema"), 1);
    assert_eq!(env.query_i64("SELECT version FROM strat_schema"), 7);
}

#[test]
fn changes_are_recorded_as_the_database_role_unless_told_otherwise() {
    if !common::team_mode("changes are recorded as the database role unless told otherwise") {
        return;
    }
    let env = team().with_tech_2020();
    let by_of_last = || env.query_text("SELECT by FROM event ORDER BY id DESC LIMIT 1");
    let out = env
        .cmd()
        .env_remove("STRAT_USER")
        .args(["item", "note", "1", "as the role"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let role = env.query_text("SELECT current_user::text");
    assert_eq!(role, "strat");
    assert_eq!(by_of_last(), role);
    env.ok(&["item", "note", "1", "as the user"]);
    assert_eq!(by_of_last(), "tester", "STRAT_USER comes before the role");
    env.ok(&["--by", "Ann", "item", "note", "1", "as Ann"]);
    assert_eq!(by_of_last(), "Ann", "--by comes first");
}

#[test]
fn a_server_that_is_down_is_named_and_nothing_changes() {
    if !common::team_mode("a server that is down is named and nothing changes") {
        return;
    }
    let cluster = Cluster::start();
    let env = Env::on_cluster(&cluster, TODAY).with_tech_2020();
    let before = env.dump();
    cluster.stop();
    let host = format!("127.0.0.1:{}", cluster.port);
    for args in [
        &["item", "list"][..],
        &["item", "update", "1", "--progress", "70"],
        &["init"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 5, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(&host), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(&name_of(&env)), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    cluster.run();
    assert_eq!(env.dump(), before);
}

#[test]
fn a_refused_login_never_shows_the_password() {
    if !common::team_mode("a refused login never shows the password") {
        return;
    }
    let env = team().with_tech_2020();
    let before = env.dump();
    let cluster = Cluster::get();
    let wrong = "Wrong-Secret-42";
    let url = cluster.guarded_url(&name_of(&env), wrong);
    for args in [
        &["item", "list"][..],
        &["item", "note", "1", "x"],
        &["init"],
    ] {
        let r = run_at(&env, &url, args);
        assert_eq!(r.code, 5, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("refused the login"), "{}", r.stderr);
        assert!(r.stderr.contains(&name_of(&env)), "{}", r.stderr);
        assert!(r.stderr.contains("127.0.0.1"), "{}", r.stderr);
        assert!(
            !r.stderr.contains(wrong),
            "the password was shown: {}",
            r.stderr
        );
        assert!(!r.stderr.contains(PASSWORD), "{}", r.stderr);
    }
    assert_eq!(env.dump(), before);
    // With the right one, the same role gets in.
    let r = run_at(
        &env,
        &cluster.guarded_url(&name_of(&env), PASSWORD),
        &["item", "list"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(PASSWORD));
}

#[test]
fn a_password_can_come_from_the_password_file() {
    if !common::team_mode("a password can come from the password file") {
        return;
    }
    let env = team().with_tech_2020();
    let cluster = Cluster::get();
    let url = format!(
        "postgres://guarded@127.0.0.1:{}/{}",
        cluster.port,
        name_of(&env)
    );
    let pgpass = env.dir.path().join(".pgpass");
    std::fs::write(&pgpass, format!("127.0.0.1:*:*:guarded:{PASSWORD}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let r = run_at(&env, &url, &["item", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A file others may read is not used, as psql does not use it.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = run_at(&env, &url, &["item", "list"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    // PGPASSWORD is taken too.
    let out = env
        .cmd()
        .env("STRAT_DB", &url)
        .env("PGPASSWORD", PASSWORD)
        .args(["item", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn an_unknown_database_is_named() {
    if !common::team_mode("an unknown database is named") {
        return;
    }
    let env = team();
    let url = Cluster::get().url("no_such_portfolio");
    for args in [&["item", "list"][..], &["init"]] {
        let r = run_at(&env, &url, args);
        assert_eq!(r.code, 5, "{}", r.stderr);
        assert!(r.stderr.contains("no_such_portfolio"), "{}", r.stderr);
        assert!(r.stderr.contains("createdb"), "{}", r.stderr);
    }
}

#[test]
fn a_database_without_strat_tables_is_not_found_and_left_alone() {
    if !common::team_mode("a database without strat tables is not found and left alone") {
        return;
    }
    let env = team();
    let err = env.fails(&["item", "list"], 3);
    assert!(
        err.contains("no strat database at postgres://strat@127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("strat init"), "{err}");
    // A write that fails leaves no tables behind either.
    env.fails(
        &[
            "strategy",
            "add",
            "b-2",
            "--title",
            "B",
            "--period",
            "2024-2027",
            "--supersedes",
            "a-1",
        ],
        3,
    );
    assert_eq!(env.dump(), "<no database>");
}

#[test]
fn check_finds_what_the_rules_of_the_schema_cannot() {
    if !common::team_mode("check finds what the rules of the schema cannot") {
        return;
    }
    let env = team().with_tech_2020();
    assert_eq!(env.json(&["check"])["ok"], true);
    // A title changed behind strat's back: allowed by every CHECK, but the
    // history no longer leads to it.
    env.exec("UPDATE item SET title = 'Edited by hand' WHERE id = 2");
    let r = env.run(&["check"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stdout.contains("item #2"), "{}", r.stdout);
    assert!(r.stderr.contains("has 1 problem"), "{}", r.stderr);
    // The server's own rules refuse what a file's damage could hold.
    let mut client = env.pg_client().unwrap();
    let refused = client.batch_execute("UPDATE item SET progress = 101 WHERE id = 1");
    assert!(refused.is_err());
    let refused = client.batch_execute("UPDATE event SET changes = 'not json' WHERE id = 1");
    assert!(refused.is_err());
    let refused = client.batch_execute("UPDATE item SET due = '2021-02-30' WHERE id = 1");
    assert!(refused.is_err());
    let refused = client.batch_execute(
        "INSERT INTO event (item_id, at, effective, by, action, changes) \
         VALUES (99, '2021-01-01T00:00:00.000000Z', '2021-01-01', 'x', 'noted', '[]')",
    );
    assert!(refused.is_err(), "a link to no item is refused");
}

#[test]
fn a_ref_too_long_for_the_index_is_bad_input() {
    if !common::team_mode("a ref too long for the index is bad input") {
        return;
    }
    let env = team().with_tech_2020();
    // Letters that do not repeat, which PostgreSQL cannot compress to fit.
    let mut seed: u64 = 7;
    let long: String = (0..10_000)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(b'a' + (seed >> 59) as u8 % 26)
        })
        .collect();
    let err = env.fails(&["item", "add", "tech-2020", "Long ref", "--ref", &long], 2);
    assert!(err.contains("too long"), "{err}");
    assert!(err.contains("Shorten it"), "{err}");
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    if !common::team_mode("a newer schema is refused untouched") {
        return;
    }
    let env = team().with_tech_2020();
    env.exec("UPDATE strat_schema SET version = 99");
    let before = env.dump();
    for args in [&["item", "list"][..], &["item", "note", "1", "x"]] {
        let r = env.run(args);
        assert_eq!(r.code, 5, "{}", r.stderr);
        assert!(r.stderr.contains("newer strat"), "{}", r.stderr);
        assert!(r.stderr.contains(&name_of(&env)), "{}", r.stderr);
    }
    assert_eq!(env.dump(), before);
}

/// Starts an import of a large file, waits until it is writing inside its
/// transaction, then does `interrupt`; returns what strat said.
fn interrupted_import(
    env: &Env,
    file: &str,
    interrupt: impl FnOnce(&mut std::process::Child),
) -> common::Run {
    let mut child = env
        .std_cmd()
        .args(["import", file])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut watch = env.pg_client().unwrap();
    let started = Instant::now();
    loop {
        let writing: i64 = watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strat' \
                 AND backend_xid IS NOT NULL",
                &[],
            )
            .unwrap()
            .get(0);
        if writing > 0 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was interrupted"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never started writing"
        );
        thread::sleep(Duration::from_millis(5));
    }
    // Well inside the transaction.
    thread::sleep(Duration::from_millis(200));
    interrupt(&mut child);
    let out = child.wait_with_output().unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn a_connection_lost_mid_command_writes_nothing() {
    if !common::team_mode("a connection lost mid command writes nothing") {
        return;
    }
    let cluster = Cluster::start();
    let env = Env::on_cluster(&cluster, TODAY);
    env.ok(&["init"]);
    let file = env.dir.path().join("big.json");
    std::fs::write(&file, synthetic_export(40, 20_000)).unwrap();
    let file = file.to_str().unwrap();
    let host = format!("127.0.0.1:{}", cluster.port);

    // The server ends strat's session (as an administrator would).
    let r = interrupted_import(&env, file, |_| {
        env.pg_client()
            .unwrap()
            .batch_execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = 'strat'",
            )
            .unwrap();
    });
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains(&host) && r.stderr.contains(&name_of(&env)),
        "{}",
        r.stderr
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM item"), 0);

    // The server stops.
    let r = interrupted_import(&env, file, |_| cluster.stop());
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains(&host), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    cluster.run();
    assert_eq!(env.query_i64("SELECT count(*) FROM item"), 0);
    assert_eq!(env.query_i64("SELECT count(*) FROM event"), 0);

    // strat itself is killed.
    let r = interrupted_import(&env, file, |child| child.kill().unwrap());
    assert_ne!(r.code, 0);
    // The server notices the closed connection and rolls it back.
    let mut client = env.pg_client().unwrap();
    let started = Instant::now();
    while client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strat'",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(started.elapsed() < Duration::from_secs(30));
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM item"), 0);

    // And the import then goes through whole.
    env.ok(&["import", file]);
    assert_eq!(env.query_i64("SELECT count(*) FROM item"), 20_000);
    assert_eq!(env.json(&["check"])["ok"], true);
}

#[test]
fn sslmode_require_connects_encrypted() {
    if !common::team_mode("sslmode require connects encrypted") {
        return;
    }
    let env = team();
    let cluster = Cluster::get();
    let name = name_of(&env);
    let at = |query: &str| cluster.sealed_url("127.0.0.1", &name, query);
    // The role may only come encrypted (the cluster's pg_hba.conf lets it
    // in over TLS alone), so getting in at all is the proof.
    let r = run_at(&env, &at("sslmode=require"), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_at(&env, &at("sslmode=prefer"), &["item", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Without encryption, the server refuses it.
    let r = run_at(&env, &at("sslmode=disable"), &["item", "list"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains(&name), "{}", r.stderr);
}

#[test]
fn verify_modes_check_the_certificate_and_the_host() {
    if !common::team_mode("verify modes check the certificate and the host") {
        return;
    }
    let env = team();
    let cluster = Cluster::get();
    let name = name_of(&env);
    let root = cluster.root_certificate();
    let root = root.to_str().unwrap();
    let list = ["item", "list"];
    env.ok(&["init"]);
    // The certificate names localhost: verify-full takes it there.
    let full = format!("sslmode=verify-full&sslrootcert={root}");
    let r = run_at(&env, &cluster.sealed_url("localhost", &name, &full), &list);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // At 127.0.0.1 it names another host: verify-full refuses, verify-ca
    // (which checks the chain alone) and require with a root take it.
    let r = run_at(&env, &cluster.sealed_url("127.0.0.1", &name, &full), &list);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("127.0.0.1"), "{}", r.stderr);
    assert!(r.stderr.contains("certificate"), "{}", r.stderr);
    for query in [
        format!("sslmode=verify-ca&sslrootcert={root}"),
        format!("sslmode=require&sslrootcert={root}"),
    ] {
        let r = run_at(&env, &cluster.sealed_url("127.0.0.1", &name, &query), &list);
        assert_eq!(r.code, 0, "{query}: {}", r.stderr);
    }
    // Another root: the certificate does not chain to it.
    let other = env.dir.path().join("other.crt");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(&other, made.cert.pem()).unwrap();
    let query = format!("sslmode=verify-full&sslrootcert={}", other.display());
    let r = run_at(&env, &cluster.sealed_url("localhost", &name, &query), &list);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("was not accepted"), "{}", r.stderr);
    // No root at all, or one that is not a certificate: bad input.
    let r = run_at(
        &env,
        &cluster.sealed_url("localhost", &name, "sslmode=verify-full"),
        &list,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("sslrootcert"), "{}", r.stderr);
    let query = "sslmode=verify-full&sslrootcert=/nonexistent/root.crt";
    let r = run_at(&env, &cluster.sealed_url("localhost", &name, query), &list);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/root.crt"), "{}", r.stderr);
}

/// The example portfolio, with changes of its own: a removal (whose number
/// is never handed out again) and an undone note.
fn portfolio(env: &Env) {
    env.ok(&["import", "examples/kent-portfolio.json"]);
    env.ok(&[
        "item",
        "update",
        "2",
        "--progress",
        "95",
        "--note",
        "nearly there",
    ]);
    let last: i64 = env.query_i64("SELECT max(id) FROM item");
    env.ok(&["item", "remove", &last.to_string(), "--yes"]);
    env.ok(&["item", "note", "1", "taken back"]);
    env.ok(&["undo"]);
}

#[test]
fn an_export_gives_the_same_document_from_either_backend() {
    if !common::team_mode("an export gives the same document from either backend") {
        return;
    }
    let file = Env::on_file(TODAY);
    portfolio(&file);
    let from_file = file.ok(&["export"]);

    let server = team();
    let path = server.dir.path().join("export.json");
    std::fs::write(&path, &from_file).unwrap();
    server.ok(&["import", path.to_str().unwrap()]);
    let from_server = server.ok(&["export"]);
    assert_eq!(from_server, from_file);

    let back = Env::on_file(TODAY);
    let path = back.dir.path().join("export.json");
    std::fs::write(&path, &from_server).unwrap();
    back.ok(&["import", path.to_str().unwrap()]);
    assert_eq!(back.ok(&["export"]), from_file);
    // And what people read is the same from both.
    for args in [
        &["report"][..],
        &["outstanding"],
        &["item", "list"],
        &["report", "--as-of", "2021-06-30"],
    ] {
        assert_eq!(server.ok(args), file.ok(args), "{args:?}");
    }
}

#[test]
fn a_backup_of_a_server_database_is_a_strat_file_with_everything() {
    if !common::team_mode("a backup of a server database is a strat file with everything") {
        return;
    }
    let server = team();
    portfolio(&server);
    let target = server.dir.path().join("copy.db");
    let said = server.run(&["backup", target.to_str().unwrap()]);
    assert_eq!(said.code, 0, "{}", said.stderr);
    assert!(!said.stderr.contains(PASSWORD), "{}", said.stderr);
    assert!(
        said.stderr.contains("postgres://strat@127.0.0.1:"),
        "{}",
        said.stderr
    );
    let copy = Env {
        db: target.clone(),
        ..Env::on_file(TODAY)
    };
    assert_eq!(copy.json(&["check"])["ok"], true);
    assert_eq!(copy.ok(&["export"]), server.ok(&["export"]));
    // Every table, the commands and what removals kept included.
    for table in common::TABLES {
        let count = format!("SELECT count(*) FROM {table}");
        assert_eq!(copy.query_i64(&count), server.query_i64(&count), "{table}");
    }
    assert_eq!(
        copy.ok(&["item", "history", "2"]),
        server.ok(&["item", "history", "2"])
    );
    // Numbers go on from where the server's did: the removed item's is
    // not handed out again by either.
    let add = [
        "item",
        "add",
        "tech-2020",
        "After the backup",
        "--format",
        "json",
    ];
    let next_copy: Value = serde_json::from_str(&copy.ok(&add)).unwrap();
    let next_server: Value = serde_json::from_str(&server.ok(&add)).unwrap();
    assert_eq!(next_copy["id"], next_server["id"]);
    // Never over a file that is there.
    let before = std::fs::read(&target).unwrap();
    let r = server.run(&["backup", target.to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(std::fs::read(&target).unwrap(), before);
}

/// The ```sql blocks of the README's section on team mode, in order.
fn readme_sql() -> Vec<String> {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme.find("**Team mode").expect("the README's team mode");
    let end = start + readme[start..].find("**Importing.**").unwrap();
    let mut blocks = Vec::new();
    let mut rest = &readme[start..end];
    while let Some(open) = rest.find("```sql\n") {
        let body = &rest[open + 7..];
        let close = body.find("```").unwrap();
        blocks.push(body[..close].to_string());
        rest = &body[close + 3..];
    }
    blocks
}

#[test]
fn the_readme_set_up_lets_the_team_in_and_no_further() {
    if !common::team_mode("the readme set up lets the team in and no further") {
        return;
    }
    let cluster = Cluster::start();
    let blocks = readme_sql();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    // One statement at a time, as psql runs them (CREATE DATABASE cannot
    // share a transaction).
    let mut superuser = cluster.client("postgres");
    for statement in blocks[0].split(';').filter(|s| !s.trim().is_empty()) {
        superuser.batch_execute(statement).unwrap();
    }
    let env = Env::on_file(TODAY);
    let as_role = |role: &str, args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.env(
            "STRAT_DB",
            format!("postgres://{role}@127.0.0.1:{}/strat", cluster.port),
        )
        .env_remove("STRAT_USER");
        env.run_command(cmd, args)
    };
    let ok = |role: &str, args: &[&str]| {
        let r = as_role(role, args);
        assert_eq!(r.code, 0, "{role} {args:?}: {}", r.stderr);
        r.stdout
    };
    ok("strat_owner", &["init"]);
    let owner = format!("postgres://strat_owner@127.0.0.1:{}/strat", cluster.port);
    let mut client = postgres::Client::connect(&owner, postgres::NoTls).unwrap();
    client.batch_execute(&blocks[1]).unwrap();
    ok("ann", &["import", "examples/kent-portfolio.json"]);
    ok("ann", &["item", "update", "1", "--progress", "90"]);
    ok("bob", &["item", "note", "2", "Bob was here"]);
    ok("ann", &["undo"]);
    ok("bob", &["outstanding", "--as-of", "2022-06-30"]);
    let copy = env.dir.path().join("copy.db");
    ok("bob", &["backup", copy.to_str().unwrap()]);
    let by: Vec<String> = client
        .query("SELECT by FROM command ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(by, ["ann", "ann", "bob", "ann"], "each role is named");
    // A role that may only read: it reads, backs up, and changes nothing.
    superuser.batch_execute("CREATE ROLE viewer LOGIN").unwrap();
    client
        .batch_execute(
            "GRANT CONNECT, TEMPORARY ON DATABASE strat TO viewer; \
             GRANT USAGE ON SCHEMA public TO viewer; \
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO viewer; \
             GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO viewer;",
        )
        .unwrap();
    ok("viewer", &["report", "--as-of", "2021-12-31"]);
    ok("viewer", &["outstanding", "--as-of", "2022-06-30"]);
    ok(
        "viewer",
        &["backup", env.dir.path().join("viewer.db").to_str().unwrap()],
    );
    let r = as_role("viewer", &["item", "note", "1", "not allowed"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("does not let role viewer"),
        "{}",
        r.stderr
    );
}
