//! Concurrent writers, crashes in the middle of an import, backups and
//! `check`: the database keeps every change or none, and says when not.

mod common;
use common::{Env, synthetic_export};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn eight_writers_at_once_lose_nothing() {
    let env = Env::new().with_tech_2020();
    let before = env.query_i64("SELECT count(*) FROM event");
    const WRITERS: usize = 8;
    const CHANGES: usize = 40;
    thread::scope(|s| {
        for w in 0..WRITERS {
            let env = &env;
            s.spawn(move || {
                for n in 0..CHANGES {
                    let id = (1 + (w + n) % 2).to_string(); // items 1 and 2 stay outstanding
                    let note = format!("writer {w} change {n}");
                    let progress = ((w * CHANGES + n) % 101).to_string();
                    let args: Vec<&str> = match n % 3 {
                        0 => vec!["item", "note", &id, &note],
                        1 => vec![
                            "item",
                            "update",
                            &id,
                            "--progress",
                            &progress,
                            "--note",
                            &note,
                        ],
                        _ => vec!["item", "add", "tech-2020", &note, "--note", &note],
                    };
                    let r = env.run(&args);
                    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
                }
            });
        }
    });
    // An update to the progress an item already has is refused as "nothing
    // changed"; the writers above never repeat a value on purpose, but two
    // writers may, so count the notes: every change carries one.
    let notes = env.query_i64("SELECT count(*) FROM event WHERE note LIKE 'writer % change %'");
    assert_eq!(notes as usize, WRITERS * CHANGES);
    let after = env.query_i64("SELECT count(*) FROM event");
    assert_eq!(after - before, (WRITERS * CHANGES) as i64);
    for w in 0..WRITERS {
        for n in 0..CHANGES {
            let sql = format!("SELECT count(*) FROM event WHERE note = 'writer {w} change {n}'");
            assert_eq!(env.query_i64(&sql), 1, "writer {w} change {n}");
        }
    }
    assert_eq!(env.json(&["check"])["ok"], true);
}

fn items_in(env: &Env) -> i64 {
    env.query_i64("SELECT count(*) FROM item")
}

#[test]
fn a_killed_import_leaves_all_or_nothing() {
    const ITEMS: usize = 20_000;
    let env = Env::on_file("2021-12-31");
    let file = env.dir.path().join("big.json");
    std::fs::write(&file, synthetic_export(40, ITEMS)).unwrap();
    let file = file.to_str().unwrap().to_string();
    let wal = env.dir.path().join("strat.db-wal");
    env.ok(&["init"]);

    // Kill once while the file is still being read, then at growing
    // amounts of work written to the log, that is in the middle of the
    // one transaction that writes everything.
    let points: [(&str, u64); 5] = [
        ("time", 20),
        ("wal", 1),
        ("wal", 4),
        ("wal", 8),
        ("wal", 16),
    ];
    let mut killed_mid_write = 0;
    for (kind, amount) in points {
        let mut child = env
            .std_cmd()
            .args(["import", &file])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let due = match kind {
                "time" => started.elapsed() >= Duration::from_millis(amount),
                _ => std::fs::metadata(&wal).is_ok_and(|m| m.len() >= amount << 20),
            };
            if due {
                child.kill().unwrap(); // SIGKILL
                if kind == "wal" {
                    killed_mid_write += 1;
                }
                break;
            }
            thread::sleep(Duration::from_millis(2));
        }
        child.wait().unwrap();
        assert_eq!(
            env.query_text("PRAGMA integrity_check"),
            "ok",
            "after kill at {kind} {amount}"
        );
        let n = items_in(&env);
        assert!(
            n == 0 || n == ITEMS as i64,
            "after kill at {kind} {amount}: {n} items"
        );
        if n == ITEMS as i64 {
            break; // it finished before the kill; nothing more to interrupt
        }
        assert_eq!(env.query_i64("SELECT count(*) FROM event"), 0);
    }
    assert!(
        killed_mid_write > 0,
        "no kill landed while the import was writing"
    );
    // Whatever happened, the import can be run again and then it is all there.
    if items_in(&env) == 0 {
        env.ok(&["import", &file]);
    }
    assert_eq!(items_in(&env), ITEMS as i64);
    assert_eq!(env.json(&["check"])["ok"], true);
}

#[test]
fn backup_is_a_consistent_copy_even_while_others_write() {
    let env = Env::new().with_tech_2020();
    let target = env.dir.path().join("copy.db");
    thread::scope(|s| {
        let writer = s.spawn(|| {
            for n in 0..30 {
                let note = format!("during backup {n}");
                assert_eq!(env.run(&["item", "note", "1", &note]).code, 0);
            }
        });
        thread::sleep(Duration::from_millis(50));
        env.ok(&["backup", target.to_str().unwrap()]);
        writer.join().unwrap();
    });
    let copy = Env {
        db: target.clone(),
        ..Env::on_file("2021-12-31")
    };
    assert_eq!(copy.json(&["check"])["ok"], true);
    let notes = copy.query_i64("SELECT count(*) FROM event WHERE note LIKE 'during backup %'");
    assert!((0..=30).contains(&notes));
    assert_eq!(copy.json(&["item", "list"]).as_array().unwrap().len(), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // never over an existing file
    let before = std::fs::read(&target).unwrap();
    let r = env.run(&["backup", target.to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("already exists"));
    assert_eq!(std::fs::read(&target).unwrap(), before);
}

#[test]
fn check_reports_each_broken_rule() {
    let env = Env::on_file("2021-12-31").with_tech_2020();
    env.ok(&[
        "strategy",
        "add",
        "next",
        "--title",
        "Next",
        "--period",
        "2024-2027",
    ]);
    env.ok(&["carry-forward", "tech-2020", "next", "--item", "2"]);
    let clean = env.json(&["check"]);
    assert_eq!(clean, serde_json::json!({"ok": true, "problems": []}));

    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(
        "UPDATE item SET progress = 99 WHERE id = 1;
         UPDATE item SET carried_from = NULL WHERE id = 4;
         UPDATE item SET carried_from = 1 WHERE id = 3;
         DELETE FROM event WHERE item_id = 3;
         UPDATE event SET changes = replace(changes, '\"from\":\"in-progress\"', '\"from\":\"planned\"')
           WHERE item_id = 2 AND action = 'carried-forward';",
    )
    .unwrap();
    drop(conn);
    let r = env.run(&["--format", "json", "check"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let has = |text: &str| problems.iter().any(|p| p.contains(text));
    assert!(
        has("item #1: its history leads to other values (progress)"),
        "{problems:?}"
    );
    assert!(
        has("item #2: carried to #4, which does not name it"),
        "{problems:?}"
    );
    assert!(
        has("item #3: carried from #1, which does not name it as carried to it"),
        "{problems:?}"
    );
    assert!(has("item #3: has no history"), "{problems:?}");
    assert!(
        has("status changes from planned but was in-progress"),
        "{problems:?}"
    );
    // Each item's own fields and links in item order, then histories.
    let at = |text: &str| problems.iter().position(|p| p.contains(text)).unwrap();
    assert!(at("item #2: carried to") < at("item #3: carried from"));
    assert!(at("item #3: carried from") < at("item #1: its history"));
    assert!(at("item #1: its history") < at("item #3: has no history"));
    assert!(r.stderr.contains("problems"), "{}", r.stderr);
}

#[test]
fn check_finds_rows_the_schema_refuses() {
    let env = Env::on_file("2021-12-31").with_tech_2020();
    // As if a bug had written past the CHECKs (imports do not evaluate
    // them row by row).
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE event SET changes = 'not json' WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let r = env.run(&["--format", "json", "check"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        report["problems"],
        serde_json::json!(["integrity: CHECK constraint failed in event"])
    );
}

#[test]
fn eight_processes_creating_one_new_database_all_succeed() {
    for round in 0..5 {
        let env = Env::on_file("2021-12-31");
        thread::scope(|s| {
            for w in 0..8 {
                let env = &env;
                s.spawn(move || {
                    let code = format!("s-{w}");
                    let args = [
                        "strategy",
                        "add",
                        &code,
                        "--title",
                        "S",
                        "--period",
                        "2024-2027",
                    ];
                    let r = env.run(&args);
                    assert_eq!(r.code, 0, "round {round}, {args:?}: {}", r.stderr);
                });
            }
        });
        assert_eq!(env.query_i64("SELECT count(*) FROM strategy"), 8);
        assert_eq!(env.json(&["check"])["ok"], true);
        let left: Vec<String> = std::fs::read_dir(env.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.contains(".new-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn what_a_killed_creation_left_is_removed_by_the_next() {
    let env = Env::on_file("2021-12-31");
    // As an import killed into a new path leaves it: a process that is gone.
    let gone = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        child.id()
    };
    let leftover = env.dir.path().join(format!(".strat.db.new-{gone}"));
    for suffix in ["", "-wal"] {
        std::fs::write(format!("{}{suffix}", leftover.display()), "half a database").unwrap();
    }
    // One of a process still running is left alone.
    let running = env
        .dir
        .path()
        .join(format!(".strat.db.new-{}", std::process::id()));
    std::fs::write(&running, "in the making").unwrap();
    let file = env.dir.path().join("p.json");
    std::fs::write(&file, synthetic_export(2, 5)).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    assert!(!leftover.exists());
    assert!(
        !env.dir
            .path()
            .join(format!(".strat.db.new-{gone}-wal"))
            .exists()
    );
    assert!(running.exists());
}

#[test]
fn an_import_from_a_pipe_reads_it_once() {
    let env = Env::new();
    let file = env.dir.path().join("p.json");
    std::fs::write(&file, synthetic_export(2, 5)).unwrap();
    let fifo = env.dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = env
        .std_cmd()
        .args(["import", fifo.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The writer's end: opened once, written, closed.
    std::fs::write(&fifo, std::fs::read(&file).unwrap()).unwrap();
    let started = Instant::now();
    let out = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("the import waited for a second read of the pipe");
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert!(out.success());
    assert_eq!(items_in(&env), 5);
}

#[test]
fn a_backup_through_a_link_to_nothing_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new().with_tech_2020();
    let link = env.dir.path().join("latest.db");
    let target = env.dir.path().join("copies/2026-12-01.db");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("copies/2026-12-01.db", &link).unwrap();
    env.ok(&["backup", link.to_str().unwrap()]);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // and a backup never overwrites what a link points to
    let err = env.fails(&["backup", link.to_str().unwrap()], 4);
    assert!(err.contains("already exists"), "{err}");
}

/// Runs `script` with `$DIR` a small filesystem, in a mount namespace of
/// its own, holding a copy of the test's database as `$DIR/s.db` and then
/// filled to the last byte; `$STRAT` is the binary. `None` where this
/// machine cannot make such a filesystem.
fn on_a_full_disk(env: &Env, script: &str) -> Option<String> {
    let full = env.dir.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("strat");
    let setup = format!(
        "mount -t tmpfs -o size=512k tmpfs {dir} || exit 97; \
         cp {db} {dir}/s.db; dd if=/dev/zero of={dir}/filler bs=1k 2>/dev/null; \
         DIR={dir}; STRAT={bin}; {script}",
        dir = full.display(),
        db = env.db.display(),
        bin = bin.display()
    );
    let out = env
        .std_cmd_named("unshare")
        .args(["-m", "sh", "-c", &setup])
        .output();
    match out {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        _ => {
            eprintln!("skipped: this machine cannot mount a small filesystem to fill");
            None
        }
    }
}

#[test]
fn a_full_disk_is_said_to_be_full_and_changes_nothing() {
    let env = Env::on_file("2021-12-31").with_tech_2020();
    env.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    let script = format!(
        "for args in 'item note 1 hello' 'item list' 'check' 'export'; do \
           $STRAT --db $DIR/s.db $args >/dev/null 2>{err}; \
           echo \"$args|$?|$(head -1 {err})\"; done; \
         $STRAT --db $DIR/new.db strategy add a-1 --title A --period 2020-2023 2>/dev/null; \
         echo \"add|$?|$(ls -a $DIR | tr '\\n' ' ')\"; \
         cmp -s {db} $DIR/s.db && echo same; true",
        err = env.dir.path().join("err").display(),
        db = env.db.display(),
    );
    let Some(out) = on_a_full_disk(&env, &script) else {
        return;
    };
    let runs: Vec<Vec<&str>> = out
        .lines()
        .filter(|l| l.contains('|'))
        .map(|l| l.split('|').collect())
        .collect();
    assert_eq!(runs.len(), 5, "{out}");
    for run in &runs {
        assert_eq!(run[1], "5", "{run:?}");
        if run[0] == "add" {
            assert!(
                !run[2].contains("new.db"),
                "a failed add left a file: {run:?}"
            );
        } else {
            assert!(run[2].contains("the disk is full"), "{run:?}");
        }
    }
    assert!(
        out.lines().any(|l| l == "same"),
        "the database changed:\n{out}"
    );
}
