//! Reports, outstanding work, point-in-time views and carry-forward.

mod common;
use common::Env;
use serde_json::{Value, json};

/// A fixed portfolio on 2021-12-31 (see `Env::with_tech_2020`) plus a
/// cancelled item, an on-hold one and a planned one without dates.
fn portfolio() -> Env {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "item",
        "add",
        "tech-2020",
        "Skype to Teams",
        "--owner",
        "Workplace",
        "--status",
        "on-hold",
        "--progress",
        "20",
        "--due",
        "2022-06-30",
    ]);
    env.ok(&[
        "item",
        "add",
        "tech-2020",
        "Robotics pilot",
        "--status",
        "cancelled",
        "--progress",
        "10",
    ]);
    env.ok(&[
        "item",
        "add",
        "tech-2020",
        "Video conferencing",
        "--owner",
        "Workplace",
        "--due",
        "2022-01-20",
    ]);
    env.ok(&[
        "item",
        "add",
        "tech-2020",
        "Data platform",
        "--theme",
        "Data",
    ]);
    env
}

#[test]
fn summary_numbers_follow_the_spec() {
    let env = portfolio();
    let report = env.json(&["report", "tech-2020"]);
    assert_eq!(report["as_of"], "2021-12-31");
    let s = &report["strategies"][0];
    assert_eq!(s["strategy"]["code"], "tech-2020");
    // 7 items: #1 amber, #2 red (overdue 184 days), #3 complete, #4 on-hold
    // amber, #5 cancelled, #6 and #7 planned green.
    assert_eq!(
        s["summary"],
        json!({
            "items": 7, "completed": 1, "outstanding": 5, "overdue": 1, "stale": 0, "cancelled": 1,
            "carried_forward": 0,
            "percent_complete": 17,      // 1 of 6
            "average_progress": 37,      // (60+40+100+20+0+0)/6 = 36.67
            "period_elapsed_percent": 50, // 731 of 1461 days
            "health": {"red": 1, "amber": 2, "green": 2, "complete": 1, "closed": 1}
        })
    );
    let items = s["items"].as_array().unwrap();
    let order: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(
        order,
        [2, 1, 4, 6, 7, 3, 5],
        "red first, then amber, green, complete, closed"
    );
    assert_eq!(items[0]["days_overdue"], 184);
    assert_eq!(items[0]["health"], "red");
}

#[test]
fn strategy_show_carries_the_same_summary() {
    let env = portfolio();
    let report = env.json(&["report", "tech-2020"]);
    let show = env.json(&["strategy", "show", "tech-2020"]);
    assert_eq!(show["summary"], report["strategies"][0]["summary"]);
}

#[test]
fn outstanding_lists_soonest_first_with_days_overdue() {
    let env = portfolio();
    let out = env.json(&["outstanding"]);
    let rows: Vec<(i64, i64)> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().unwrap(),
                i["days_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    // due 2021-06-30, 2022-01-20, 2022-03-31, 2022-06-30, then no date
    assert_eq!(rows, [(2, 184), (6, 0), (1, 0), (4, 0), (7, 0)]);
    // Days overdue come last, after the fields an item list has; an item
    // list has no such field.
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let listed = env.json(&["item", "list"]);
    let mut expected = keys(&listed[0]);
    assert!(!expected.contains(&"days_overdue".to_string()));
    expected.push("days_overdue".into());
    assert_eq!(keys(&out[0]), expected);
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["outstanding"];
        all.extend_from_slice(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&["--overdue"]), [2]);
    assert_eq!(ids(&["--owner", "workplace"]), [6, 1, 4]);
    assert_eq!(ids(&["--theme", "Data"]), [7]);
    assert_eq!(ids(&["--due-within", "30d"]), [2, 6]); // overdue included
    assert_eq!(ids(&["--due-within", "3m"]), [2, 6, 1]);
    assert_eq!(ids(&["tech-2020", "--due-within", "1w"]), [2]);
    env.fails(&["outstanding", "nope"], 3);
    env.fails(&["outstanding", "--due-within", "soon"], 2);
    env.fails(&["outstanding", "--due-within", "1x"], 2);
}

/// Runs the same changes day by day, taking the report on each day; later,
/// `--as-of` each of those days must give the very same report.
#[test]
fn as_of_a_past_day_equals_the_report_taken_that_day() {
    let env = Env::on("2021-01-04");
    let steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "2021-01-04",
            vec![
                "strategy",
                "add",
                "tech-2020",
                "--title",
                "Tech",
                "--period",
                "2020-2023",
            ],
        ),
        (
            "2021-01-04",
            vec![
                "item",
                "add",
                "tech-2020",
                "OneDrive",
                "--start",
                "2020-06-01",
                "--due",
                "2021-12-31",
                "--progress",
                "10",
                "--status",
                "in-progress",
            ],
        ),
        (
            "2021-01-04",
            vec!["item", "add", "tech-2020", "SAN", "--due", "2021-06-30"],
        ),
        (
            "2021-03-31",
            vec![
                "item",
                "update",
                "1",
                "--progress",
                "35",
                "--note",
                "pilot done",
            ],
        ),
        (
            "2021-04-01",
            vec![
                "item",
                "update",
                "2",
                "--status",
                "in-progress",
                "--rag",
                "amber",
                "--reason",
                "outage",
            ],
        ),
        (
            "2021-05-15",
            vec![
                "item",
                "add",
                "tech-2020",
                "Defender",
                "--due",
                "2021-05-31",
            ],
        ),
        (
            "2021-07-20",
            vec![
                "item",
                "update",
                "2",
                "--rag",
                "auto",
                "--due",
                "2022-03-31",
            ],
        ),
        (
            "2021-09-30",
            vec!["item", "done", "3", "--on", "2021-09-29"],
        ),
        (
            "2021-10-01",
            vec!["item", "note", "1", "personal drives closing"],
        ),
        (
            "2021-12-31",
            vec!["item", "update", "1", "--status", "on-hold"],
        ),
    ];
    let mut taken: Vec<(String, Value, Value, Value)> = Vec::new();
    for (day, args) in &steps {
        let r = env
            .cmd()
            .env("STRAT_TODAY", day)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let json_on = |args: &[&str]| -> Value {
            let out = env
                .cmd()
                .env("STRAT_TODAY", day)
                .args(["--format", "json"])
                .args(args)
                .output()
                .unwrap();
            serde_json::from_slice(&out.stdout).unwrap()
        };
        // A report "taken that day" is the one taken after the day's last change.
        taken.retain(|(d, ..)| d != day);
        taken.push((
            day.to_string(),
            json_on(&["report"]),
            json_on(&["outstanding"]),
            json_on(&["item", "list"]),
        ));
    }
    let later = Env::on("2026-11-23");
    let json_later = |args: &[&str]| -> Value {
        let out = later
            .cmd()
            .env("STRAT_DB", env.location())
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    for (day, report, outstanding, list) in &taken {
        assert_eq!(
            &json_later(&["report", "--as-of", day]),
            report,
            "report as of {day}"
        );
        assert_eq!(
            &json_later(&["outstanding", "--as-of", day]),
            outstanding,
            "outstanding as of {day}"
        );
        assert_eq!(
            &json_later(&["item", "list", "--as-of", day]),
            list,
            "item list as of {day}"
        );
    }
    // Before anything existed there is nothing, and `item show` says so.
    assert_eq!(
        json_later(&["item", "list", "--as-of", "2020-12-31"]),
        json!([])
    );
    let r = later
        .cmd()
        .env("STRAT_DB", env.location())
        .args(["item", "show", "3", "--as-of", "2021-05-14"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(3));
    let shown = json_later(&["item", "show", "2", "--as-of", "2021-05-01"]);
    assert_eq!(shown["rag_override"], "amber");
    assert_eq!(shown["health"], "amber");
    assert_eq!(shown["events"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_as_of_is_refused() {
    let env = portfolio();
    let err = env.fails(&["report", "--as-of", "2021-02-30"], 2);
    assert!(err.contains("--as-of"), "{err}");
    env.fails(&["report", "--as-of", "last week"], 2);
    env.fails(&["report", "nope"], 3);
    env.fails(&["item", "list", "--as-of", "soon"], 2);
}

fn two_strategies() -> Env {
    let env = portfolio();
    env.ok(&[
        "strategy",
        "add",
        "digital-2024",
        "--title",
        "Digital Strategy 2024-2027",
        "--period",
        "2024-2027",
    ]);
    env.ok(&["item", "add", "digital-2024", "Front door", "--ref", "D01"]);
    env
}

#[test]
fn carry_forward_moves_outstanding_items_linked_both_ways() {
    let env = two_strategies();
    let before = env.json(&["item", "show", "2"]);
    let out = env.json(&["carry-forward", "tech-2020", "digital-2024"]);
    let moves = out["items"].as_array().unwrap();
    let pairs: Vec<(i64, i64)> = moves
        .iter()
        .map(|m| {
            (
                m["from_item"].as_i64().unwrap(),
                m["to_item"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pairs, [(1, 9), (2, 10), (4, 11), (6, 12), (7, 13)]);

    let orig = env.json(&["item", "show", "2"]);
    assert_eq!(orig["status"], "carried-forward");
    assert_eq!(orig["carried_to"], 10);
    assert_eq!(orig["health"], "closed");
    let ev = orig["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ev["action"], "carried-forward");
    assert_eq!(ev["note"], "carried forward to digital-2024 #10");

    let copy = env.json(&["item", "show", "10"]);
    assert_eq!(copy["strategy"], "digital-2024");
    assert_eq!(copy["carried_from"], 2);
    for key in [
        "title", "owner", "theme", "status", "progress", "start", "due", "ref",
    ] {
        assert_eq!(copy[key], before[key], "{key}");
    }
    assert_eq!(copy["events"][0]["action"], "carried-in");

    let report = env.json(&["report", "tech-2020"]);
    assert_eq!(report["strategies"][0]["summary"]["carried_forward"], 5);
    assert_eq!(report["strategies"][0]["summary"]["outstanding"], 0);
    let table = env.ok(&["report"]);
    assert!(table.contains("carried to digital-2024 #10"), "{table}");
    assert!(table.contains("from tech-2020 #2"), "{table}");

    // never twice: nothing is left to carry, and a named item is refused
    let again = env.json(&["carry-forward", "tech-2020", "digital-2024"]);
    assert_eq!(again["items"], json!([]));
    let err = env.fails(
        &["carry-forward", "tech-2020", "digital-2024", "--item", "2"],
        4,
    );
    assert!(err.contains("already carried forward to #10"), "{err}");
    let err = env.fails(&["item", "update", "2", "--progress", "50"], 4);
    assert!(err.contains("#10"), "{err}");
    env.fails(&["item", "remove", "2"], 4);
    env.fails(&["item", "remove", "10"], 4);
    env.fails(&["strategy", "remove", "digital-2024", "--force"], 4);
}

#[test]
fn carry_forward_of_named_items_and_dry_run() {
    let env = two_strategies();
    let before = env.dump();
    let r = env.run(&["carry-forward", "tech-2020", "digital-2024", "--dry-run"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("Would carry 5 outstanding items"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("nothing was changed"));
    assert_eq!(before, env.dump(), "dry run changed the database");

    let out = env.json(&[
        "carry-forward",
        "tech-2020",
        "digital-2024",
        "--item",
        "#6",
        "--item",
        "1",
    ]);
    assert_eq!(out["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        env.json(&["outstanding", "tech-2020"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn carry_forward_refusals() {
    let env = two_strategies();
    let err = env.fails(&["carry-forward", "tech-2020", "tech-2020"], 2);
    assert!(err.contains("different strategy"), "{err}");
    env.fails(&["carry-forward", "nope", "digital-2024"], 3);
    env.fails(&["carry-forward", "tech-2020", "nope"], 3);
    let err = env.fails(
        &["carry-forward", "tech-2020", "digital-2024", "--item", "3"],
        4,
    );
    assert!(err.contains("completed, not outstanding"), "{err}");
    env.fails(
        &["carry-forward", "tech-2020", "digital-2024", "--item", "5"],
        4,
    );
    env.fails(
        &["carry-forward", "tech-2020", "digital-2024", "--item", "8"],
        2,
    );
    env.fails(
        &["carry-forward", "tech-2020", "digital-2024", "--item", "99"],
        3,
    );
    // one bad item stops the whole move
    env.fails(
        &[
            "carry-forward",
            "tech-2020",
            "digital-2024",
            "--item",
            "1",
            "--item",
            "3",
        ],
        4,
    );
    // a ref the target already uses
    env.ok(&["item", "update", "8", "--ref", "T01"]);
    let err = env.fails(&["carry-forward", "tech-2020", "digital-2024"], 4);
    assert!(err.contains("T01"), "{err}");
}

#[test]
fn report_table_and_markdown_snapshots() {
    let env = two_strategies();
    env.ok(&["item", "note", "2", "Supplier | delayed"]);
    insta::assert_snapshot!("report_table", env.ok(&["report"]));
    insta::assert_snapshot!(
        "report_markdown",
        env.ok(&["--format", "markdown", "report", "tech-2020"])
    );
    insta::assert_snapshot!("report_csv", env.ok(&["--format", "csv", "report"]));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let env = Env::on("2026-11-23");
    let file = env.dir.path().join("many.json");
    std::fs::write(&file, common::synthetic_export(5, 2000)).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    let mut child = env
        .std_cmd()
        .args(["--format", "json", "report"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then closed
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn json_for_programs_is_one_compact_line_and_streams_every_strategy() {
    let env = two_strategies();
    let r = env.run(&["--format", "json", "report"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "compact when not a terminal");
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let codes: Vec<&str> = report["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["strategy"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["tech-2020", "digital-2024"]);
    // The report of everything says of each strategy what its own report says.
    for (n, code) in codes.iter().enumerate() {
        let one = env.json(&["report", code]);
        assert_eq!(one["strategies"][0], report["strategies"][n], "{code}");
    }
}

#[test]
fn a_report_of_a_missing_strategy_prints_nothing() {
    let env = two_strategies();
    let before = env.dump();
    for format in ["json", "table", "csv", "markdown"] {
        for command in [
            &["report", "tech-2020", "nope"][..],
            &["item", "list", "tech-2020", "nope"],
            &["outstanding", "tech-2020", "nope", "--as-of", "2021-06-30"],
        ] {
            let r = env.run(&[&["--format", format][..], command].concat());
            assert_eq!(r.code, 3, "{format} {command:?}: {}", r.stderr);
            assert_eq!(r.stdout, "", "{format} {command:?}");
            assert!(
                r.stderr.contains("no strategy with code 'nope'"),
                "{}",
                r.stderr
            );
        }
    }
    assert_eq!(before, env.dump());
}

/// Lists are read in several ways: a row at a time, rebuilt from the
/// history for a past day, one named strategy at a time, sorted by SQLite
/// or after reading. Each way gives the same items in the same order.
#[test]
fn lists_agree_however_they_are_read() {
    let today = "2026-11-23";
    let env = Env::on(today);
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kent-portfolio.json");
    env.ok(&["import", example]);
    env.ok(&["item", "add", "digital-2024", "Undated work"]);
    env.ok(&["item", "add", "tech-2020", "Undated too"]);
    let ids = |list: &Value| -> Vec<i64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };

    // Item lists: by number; named strategies in the order named.
    let all = env.json(&["item", "list"]);
    let numbers = ids(&all);
    assert_eq!(numbers, (1..=numbers.len() as i64).collect::<Vec<_>>());
    assert_eq!(env.json(&["item", "list", "--as-of", today]), all);
    let of = |code: &str| -> Vec<i64> {
        all.as_array()
            .unwrap()
            .iter()
            .filter(|i| i["strategy"] == code)
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let named = ["item", "list", "digital-2024", "tech-2020"];
    assert_eq!(
        ids(&env.json(&named)),
        [of("digital-2024"), of("tech-2020")].concat()
    );
    assert_eq!(
        env.json(&[&named[..], &["--as-of", today]].concat()),
        env.json(&named)
    );

    // Outstanding work: soonest due first, undated last, then by number,
    // across every strategy listed.
    let mut expected: Vec<(bool, String, i64)> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| ["planned", "in-progress", "on-hold"].contains(&i["status"].as_str().unwrap()))
        .map(|i| {
            let due = i["due"].as_str().unwrap_or_default().to_string();
            (due.is_empty(), due, i["id"].as_i64().unwrap())
        })
        .collect();
    expected.sort();
    let expected: Vec<i64> = expected.into_iter().map(|(_, _, id)| id).collect();
    assert!(expected.len() >= 4, "{expected:?}");
    let outstanding = env.json(&["outstanding"]);
    assert_eq!(ids(&outstanding), expected);
    assert_eq!(env.json(&["outstanding", "--as-of", today]), outstanding);
    let named = ["outstanding", "tech-2020", "digital-2024", "tech-2016"];
    assert_eq!(env.json(&named), outstanding);
    assert_eq!(
        env.json(&[&named[..], &["--as-of", today]].concat()),
        outstanding
    );
}

#[test]
fn a_strategy_named_twice_is_shown_once() {
    let env = Env::on("2026-11-23");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kent-portfolio.json");
    env.ok(&["import", example]);
    for command in [
        &["item", "list"][..],
        &["item", "list", "--as-of", "2025-06-30"],
        &["outstanding"],
        &["outstanding", "--as-of", "2025-06-30"],
        &["report"],
        &["report", "--as-of", "2025-06-30"],
    ] {
        let once = env.json(&[command, &["digital-2024", "tech-2020"]].concat());
        let twice = env.json(&[command, &["digital-2024", "tech-2020", "digital-2024"]].concat());
        assert_eq!(twice, once, "{command:?}");
        let shown = once.get("strategies").unwrap_or(&once);
        assert!(shown.as_array().unwrap().len() >= 2, "{command:?}: {once}");
    }
}

/// CSV is always a table: a strategy is one row under the JSON's keys,
/// and nothing to list is a header alone.
#[test]
fn csv_is_always_a_table() {
    let env = Env::on("2026-11-23");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kent-portfolio.json");
    env.ok(&["import", example]);
    let read = |args: &[&str]| -> (Vec<String>, Vec<Vec<String>>) {
        let text = env.ok(&[&["--format", "csv"][..], args].concat());
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (headers, rows)
    };
    for args in [
        &["strategy", "show", "tech-2020"][..],
        &["strategy", "show", "tech-2020", "--as-of", "2022-01-01"],
    ] {
        let (headers, rows) = read(args);
        let json = env.json(args);
        assert_eq!(rows.len(), 1, "{args:?}");
        assert!(headers.len() > 20, "{headers:?}");
        for (key, cell) in headers.iter().zip(&rows[0]) {
            let value = [
                &json[key],
                &json["summary"][key],
                &json["summary"]["health"][key],
            ]
            .into_iter()
            .find(|v| !v.is_null());
            let expected = match value {
                None => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            assert_eq!(cell, &expected, "{args:?}: {key}");
        }
    }
    assert_eq!(env.ok(&["--format", "csv", "check"]), "problem\n");
    let dry_run = [
        "--format",
        "csv",
        "carry-forward",
        "tech-2016",
        "digital-2024",
    ];
    let nothing = env.ok(&[&dry_run[..], &["--dry-run"]].concat());
    assert_eq!(nothing, "from,to,title,status,progress,due,note\n");
}

#[test]
fn carry_forward_with_new_targets_or_a_warning_about_old_ones() {
    let env = two_strategies();
    // Without --due, a carried target before digital-2024 starts is said.
    let plan = env.json(&["carry-forward", "tech-2020", "digital-2024", "--dry-run"]);
    let early: Vec<bool> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target_before_start"].as_bool().unwrap())
        .collect();
    assert!(early.iter().any(|e| *e), "{plan}");
    let table = env.ok(&["carry-forward", "tech-2020", "digital-2024", "--dry-run"]);
    assert!(
        table.contains("target before this strategy's start"),
        "{table}"
    );
    // A target before an item's start is refused, changing nothing.
    let err = env.fails(
        &[
            "carry-forward",
            "tech-2020",
            "digital-2024",
            "--due",
            "2019-01-01",
        ],
        2,
    );
    assert!(err.contains("--due 2019-01-01 is before item"), "{err}");
    let err = env.fails(
        &[
            "carry-forward",
            "tech-2020",
            "digital-2024",
            "--due",
            "soon",
        ],
        2,
    );
    assert!(err.contains("--due"), "{err}");
    // With --due, every copy gets the new target; the originals keep theirs.
    let before: Vec<serde_json::Value> = env
        .json(&["outstanding", "tech-2020"])
        .as_array()
        .unwrap()
        .clone();
    let out = env.json(&[
        "carry-forward",
        "tech-2020",
        "digital-2024",
        "--due",
        "2025-03-31",
    ]);
    for m in out["items"].as_array().unwrap() {
        assert_eq!(m["due"], "2025-03-31", "{m}");
        assert_eq!(m["target_before_start"], false, "{m}");
        let copy = env.json(&["item", "show", &m["to_item"].to_string()]);
        assert_eq!(copy["due"], "2025-03-31");
        let original = env.json(&["item", "show", &m["from_item"].to_string()]);
        let was = before.iter().find(|i| i["id"] == m["from_item"]).unwrap();
        assert_eq!(original["due"], was["due"]);
    }
}

#[test]
fn an_exceptions_report_lists_the_items_picked_and_counts_them_all() {
    let env = portfolio();
    let whole = env.json(&["report", "tech-2020"]);
    let picked = env.json(&["report", "tech-2020", "--health", "red,amber"]);
    let (whole, picked) = (&whole["strategies"][0], &picked["strategies"][0]);
    assert_eq!(
        picked["summary"], whole["summary"],
        "the summary counts every item"
    );
    let healths: Vec<&str> = picked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["health"].as_str().unwrap())
        .collect();
    assert!(!healths.is_empty(), "{picked}");
    assert!(
        healths.iter().all(|h| *h == "red" || *h == "amber"),
        "{healths:?}"
    );
    let red_and_amber = whole["summary"]["health"]["red"].as_u64().unwrap()
        + whole["summary"]["health"]["amber"].as_u64().unwrap();
    assert_eq!(healths.len() as u64, red_and_amber);
    // owners and themes likewise, repeated or as a comma list
    let owned = env.json(&["report", "tech-2020", "--owner", "workplace"]);
    for i in owned["strategies"][0]["items"].as_array().unwrap() {
        assert_eq!(i["owner"], "Workplace", "{i}");
    }
    let table = env.ok(&["report", "tech-2020", "--health", "red"]);
    assert!(!table.contains("Robotics pilot"), "{table}");
}

#[test]
fn lists_pick_by_health_and_by_any_of_several_values() {
    let env = portfolio();
    let ids = |args: &[&str]| -> Vec<i64> {
        env.json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let all = env.json(&["item", "list"]);
    let with = |pick: &dyn Fn(&serde_json::Value) -> bool| -> Vec<i64> {
        all.as_array()
            .unwrap()
            .iter()
            .filter(|i| pick(i))
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&["item", "list", "--health", "red,closed"]),
        with(&|i| i["health"] == "red" || i["health"] == "closed")
    );
    assert_eq!(
        ids(&[
            "item",
            "list",
            "--status",
            "on-hold",
            "--status",
            "cancelled"
        ]),
        ids(&["item", "list", "--status", "on-hold,cancelled"])
    );
    assert_eq!(
        ids(&["outstanding", "--health", "amber"]),
        with(&|i| i["health"] == "amber")
    );
    // an unknown health is refused, naming the flag
    let err = env.fails(&["report", "--health", "purple"], 2);
    assert!(err.contains("--health") && err.contains("purple"), "{err}");
    env.fails(&["item", "list", "--health", "red,blue"], 2);
}

#[test]
fn items_say_why_their_health_is_what_it_is_and_whether_they_are_late() {
    let env = portfolio();
    let report = env.json(&["report", "tech-2020"]);
    let items = report["strategies"][0]["items"].as_array().unwrap();
    for i in items {
        let reason = &i["health_reason"];
        match i["health"].as_str().unwrap() {
            "red" if i["rag_override"].is_null() => {
                assert!(reason.as_str().unwrap().starts_with("overdue by "), "{i}");
                assert_eq!(i["late"], true, "{i}");
            }
            "red" | "amber" => assert!(reason.is_string(), "{i}"),
            _ => assert!(reason.is_null(), "{i}"),
        }
    }
    let held = items.iter().find(|i| i["status"] == "on-hold").unwrap();
    if held["health"] == "amber" {
        assert_eq!(held["health_reason"], "on hold");
    }
    // lists carry them too; outstanding work keeps days overdue last
    let outstanding = env.json(&["outstanding"]);
    let first = outstanding[0].as_object().unwrap();
    assert!(first.contains_key("health_reason") && first.contains_key("late"));
    assert_eq!(
        first.keys().next_back().map(String::as_str),
        Some("days_overdue")
    );
    let listed = env.json(&["item", "list"]);
    assert!(listed[0].as_object().unwrap().contains_key("health_reason"));
}

#[test]
fn a_past_days_outstanding_list_of_hundreds_holds_every_item_in_order() {
    // Held a hundred at a time on the way to being sorted: 250 items
    // cross two full batches and a part one.
    let env = Env::on("2026-11-23");
    let file = env.dir.path().join("many.json");
    std::fs::write(&file, common::synthetic_export(3, 250)).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    let now = env.json(&["outstanding"]);
    assert_eq!(now.as_array().unwrap().len(), 250);
    assert_eq!(env.json(&["outstanding", "--as-of", "2026-11-23"]), now);
}
