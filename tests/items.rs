//! Strategies and items: happy paths, history, and every kind of bad input.

mod common;
use common::Env;
use serde_json::json;
use std::path::Path;

#[test]
fn init_creates_an_owner_only_database_and_is_harmless_twice() {
    let env = Env::on_file("2021-12-31");
    let r = env.run(&["init"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("Database ready"), "{}", r.stderr);
    assert!(env.db.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env.db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = env.dump();
    env.ok(&["init"]);
    assert_eq!(before, env.dump());
    assert_eq!(
        env.query_i64("PRAGMA user_version"),
        strat::store::LATEST_VERSION
    );
}

#[test]
fn missing_parent_folders_are_created() {
    let env = Env::new();
    let deep = env.dir.path().join("a/b/c/strat.db");
    env.ok(&["--db", deep.to_str().unwrap(), "init"]);
    assert!(deep.exists());
}

#[test]
fn strategy_add_list_show_edit() {
    let env = Env::new();
    env.ok(&[
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
        "--adopted",
        "2021-11-29",
        "--lead",
        "Rebecca Spore",
        "--department",
        "Strategic & Corporate Services",
    ]);
    env.ok(&[
        "strategy",
        "add",
        "digital-2024",
        "--title",
        "Digital Strategy 2024-2027",
        "--starts",
        "2024-01-01",
        "--ends",
        "FY2027-Q3",
        "--supersedes",
        "tech-2020",
    ]);
    let list = env.json(&["strategy", "list"]);
    assert_eq!(
        list[0],
        json!({
            "code": "tech-2020", "title": "Technology Strategy 2020-2023", "status": "interim",
            "starts": "2020-01-01", "ends": "2023-12-31", "decision": "21/00097",
            "adopted": "2021-11-29", "lead": "Rebecca Spore",
            "department": "Strategic & Corporate Services", "supersedes": null, "description": null
        })
    );
    assert_eq!(list[1]["ends"], "2027-12-31");
    assert_eq!(list[1]["status"], "draft");
    assert_eq!(list[1]["supersedes"], "tech-2020");

    env.ok(&[
        "strategy",
        "edit",
        "digital-2024",
        "--status",
        "adopted",
        "--decision",
        "23/00120",
    ]);
    let shown = env.json(&["strategy", "show", "digital-2024"]);
    assert_eq!(shown["status"], "adopted");
    assert_eq!(shown["decision"], "23/00120");
    assert_eq!(shown["summary"]["items"], 0);

    let table = env.ok(&["strategy", "list"]);
    assert!(table.contains("tech-2020") && table.contains("Digital Strategy 2024-2027"));
}

#[test]
fn strategy_bad_input_is_refused_and_changes_nothing() {
    let env = Env::new().with_tech_2020();
    let err = env.fails(
        &[
            "strategy",
            "add",
            "tech-2020",
            "--title",
            "Again",
            "--period",
            "2020-2023",
        ],
        4,
    );
    assert!(err.contains("already exists"), "{err}");
    let err = env.fails(
        &[
            "strategy",
            "add",
            "x-1",
            "--title",
            "X",
            "--period",
            "2023-2020",
        ],
        2,
    );
    assert!(err.contains("before it starts"), "{err}");
    let err = env.fails(
        &[
            "strategy",
            "add",
            "x-1",
            "--title",
            "X",
            "--starts",
            "2024-01-01",
            "--ends",
            "2023-01-01",
        ],
        2,
    );
    assert!(err.contains("before it starts"), "{err}");
    let err = env.fails(
        &[
            "strategy",
            "add",
            "Bad_Code",
            "--title",
            "X",
            "--period",
            "2020-2021",
        ],
        2,
    );
    assert!(err.contains("lower-case"), "{err}");
    let err = env.fails(&["strategy", "add", "x-1", "--period", "2020-2021"], 2);
    assert!(err.contains("--title"), "{err}");
    let err = env.fails(&["strategy", "add", "x-1", "--title", "X"], 2);
    assert!(err.contains("period"), "{err}");
    let err = env.fails(
        &[
            "strategy",
            "add",
            "x-1",
            "--title",
            "X",
            "--period",
            "2020-2021",
            "--status",
            "live",
        ],
        2,
    );
    assert!(err.contains("live") && err.contains("adopted"), "{err}");
    let err = env.fails(
        &[
            "strategy",
            "add",
            "x-1",
            "--title",
            "X",
            "--period",
            "2020-2021",
            "--supersedes",
            "nope",
        ],
        3,
    );
    assert!(err.contains("nope"), "{err}");
    let err = env.fails(&["strategy", "show", "nope"], 3);
    assert!(err.contains("no strategy with code 'nope'"), "{err}");
    env.fails(&["strategy", "edit", "nope", "--title", "X"], 3);
    let err = env.fails(&["strategy", "edit", "tech-2020"], 2);
    assert!(err.contains("nothing to change"), "{err}");
    env.fails(
        &["strategy", "edit", "tech-2020", "--ends", "2019-12-31"],
        2,
    );
    env.fails(&["strategy", "list", "--colour"], 2);
}

#[test]
fn strategy_remove_needs_force_when_it_has_items() {
    let env = Env::new().with_tech_2020();
    let err = env.fails(&["strategy", "remove", "tech-2020"], 4);
    assert!(err.contains("--force"), "{err}");
    env.fails(&["strategy", "remove", "nope"], 3);
    env.ok(&["strategy", "remove", "tech-2020", "--force"]);
    assert_eq!(env.query_i64("SELECT count(*) FROM item"), 0);
    assert_eq!(env.query_i64("SELECT count(*) FROM event"), 0);
    assert_eq!(env.json(&["strategy", "list"]), json!([]));
}

#[test]
fn item_add_records_every_initial_value() {
    let env = Env::new().with_tech_2020();
    let item = env.json(&["item", "show", "#1"]);
    assert_eq!(item["id"], 1);
    assert_eq!(item["strategy"], "tech-2020");
    assert_eq!(item["ref"], "T01");
    assert_eq!(item["status"], "in-progress");
    assert_eq!(item["progress"], 60);
    assert_eq!(item["start"], "2020-06-01");
    assert_eq!(item["due"], "2022-03-31");
    assert_eq!(item["health"], "amber"); // 84% of the way to target at 60%
    assert!(
        item["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2021-12-31T")
    );
    let events = item["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "created");
    assert_eq!(events[0]["by"], "tester");
    let fields: Vec<&str> = events[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "ref", "title", "theme", "owner", "status", "progress", "start", "due"
        ]
    );
    assert!(
        events[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["from"].is_null())
    );
}

#[test]
fn item_numbers_are_never_reused() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "add", "tech-2020", "Temporary"]);
    env.ok(&["item", "remove", "4", "--yes"]);
    env.fails(&["item", "show", "4"], 3);
    env.ok(&["item", "add", "tech-2020", "Next"]);
    let ids: Vec<i64> = env
        .json(&["item", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 5]);
}

#[test]
fn item_update_records_who_what_and_the_note() {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "--by",
        "Dave",
        "item",
        "update",
        "1",
        "--progress",
        "75",
        "--owner",
        "Digital workplace",
        "--note",
        "Personal drives closed",
    ]);
    let history = env.json(&["item", "history", "1"]);
    let last = &history.as_array().unwrap()[1];
    assert_eq!(last["action"], "updated");
    assert_eq!(last["by"], "Dave");
    assert_eq!(last["note"], "Personal drives closed");
    assert_eq!(
        last["changes"],
        json!([
            {"field": "owner", "from": "Workplace", "to": "Digital workplace"},
            {"field": "progress", "from": "60", "to": "75"}
        ])
    );
    let table = env.ok(&["item", "history", "1"]);
    assert!(table.contains("progress 60 → 75"), "{table}");
    assert!(table.contains("Dave"));
}

#[test]
fn item_done_sets_date_and_progress_and_lets_go_of_a_pinned_health() {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "item",
        "update",
        "2",
        "--rag",
        "amber",
        "--reason",
        "supplier delay",
    ]);
    assert_eq!(env.json(&["item", "show", "2"])["health"], "amber");
    assert_eq!(
        env.json(&["item", "show", "2"])["rag_reason"],
        "supplier delay"
    );
    env.ok(&[
        "item",
        "done",
        "2",
        "--on",
        "yesterday",
        "--note",
        "SAN live",
        // The item was added today; its completion is recorded from today.
        "--effective",
        "today",
    ]);
    let item = env.json(&["item", "show", "2"]);
    assert_eq!(item["status"], "completed");
    assert_eq!(item["completed_on"], "2021-12-30");
    assert_eq!(
        item["events"].as_array().unwrap().last().unwrap()["effective"],
        "2021-12-31"
    );
    assert_eq!(item["progress"], 100);
    assert_eq!(item["health"], "complete");
    assert_eq!(item["rag_override"], serde_json::Value::Null);
    let events = item["events"].as_array().unwrap();
    assert_eq!(events.last().unwrap()["action"], "completed");
    assert_eq!(events.last().unwrap()["note"], "SAN live");
}

#[test]
fn health_override_and_auto() {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "item",
        "update",
        "1",
        "--rag",
        "green",
        "--reason",
        "agreed re-plan",
    ]);
    assert_eq!(env.json(&["item", "show", "1"])["health"], "green");
    env.ok(&["item", "update", "1", "--rag", "auto"]);
    let item = env.json(&["item", "show", "1"]);
    assert_eq!(item["health"], "amber");
    assert_eq!(item["rag_override"], serde_json::Value::Null);
    let err = env.fails(&["item", "update", "1", "--rag", "red"], 2);
    assert!(err.contains("--reason"), "{err}");
    env.fails(
        &["item", "update", "1", "--rag", "purple", "--reason", "x"],
        2,
    );
}

#[test]
fn notes_go_into_the_history() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "note", "1", "Board asked for a revised plan"]);
    let history = env.json(&["item", "history", "1"]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "noted");
    assert_eq!(last["changes"], json!([]));
    assert_eq!(last["note"], "Board asked for a revised plan");
    env.fails(&["item", "note", "1", "  "], 2);
    env.fails(&["item", "note", "99", "x"], 3);
}

#[test]
fn item_list_filters() {
    let env = Env::new().with_tech_2020();
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["item", "list"];
        all.extend_from_slice(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&[]), [1, 2, 3]);
    assert_eq!(ids(&["tech-2020"]), [1, 2, 3]);
    assert_eq!(ids(&["--status", "completed"]), [3]);
    assert_eq!(
        ids(&["--status", "completed", "--status", "in-progress"]),
        [1, 2, 3]
    );
    assert_eq!(ids(&["--owner", "cyber"]), [3]);
    assert_eq!(ids(&["--theme", "Infrastructure"]), [2]);
    assert_eq!(ids(&["--overdue"]), [2]);
    assert_eq!(ids(&["--due-before", "2022-01-01"]), [2]);
    assert_eq!(ids(&["--search", "onedrive"]), [1]);
    env.fails(&["item", "list", "nope"], 3);
    let err = env.fails(&["item", "list", "--status", "complted"], 2);
    assert!(err.contains("did you mean"), "{err}");
    // People's words for a status are taken, and mean the SPEC's.
    assert_eq!(
        env.json(&["item", "list", "--status", "done"]),
        env.json(&["item", "list", "--status", "completed"])
    );
    assert_eq!(
        env.json(&["item", "list", "--status", "In Progress,ON_HOLD"]),
        env.json(&[
            "item",
            "list",
            "--status",
            "in-progress",
            "--status",
            "on-hold"
        ])
    );
    env.fails(&["item", "list", "--due-before", "soon"], 2);
}

#[test]
fn every_date_form_is_accepted() {
    let env = Env::on("2024-02-10").with_tech_2020();
    for (form, want) in [
        ("2024-02-29", "2024-02-29"),
        ("today", "2024-02-10"),
        ("tomorrow", "2024-02-11"),
        ("+2w", "2024-02-24"),
        ("+1m", "2024-03-10"),
        ("+1y", "2025-02-10"),
        ("2024-Q3", "2024-09-30"),
        ("FY2024-Q4", "2025-03-31"),
        ("eom", "2024-02-29"),
        ("eoq", "2024-03-31"),
        ("eoy", "2024-12-31"),
    ] {
        env.ok(&["item", "update", "2", "--due", form]);
        assert_eq!(env.json(&["item", "show", "2"])["due"], want, "{form}");
    }
}

#[test]
fn item_bad_input_is_refused_and_changes_nothing() {
    let env = Env::new().with_tech_2020();
    let err = env.fails(&["item", "update", "1", "--due", "2021-02-30"], 2);
    assert!(
        err.contains("--due") && err.contains("2021-02-30") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    let err = env.fails(&["item", "update", "1", "--due", "31/12/2021"], 2);
    assert!(err.contains("accepted forms"), "{err}");
    env.fails(&["item", "update", "1", "--due", "soon"], 2);
    let err = env.fails(&["item", "update", "1", "--progress", "150"], 2);
    assert!(err.contains("0 to 100"), "{err}");
    let err = env.fails(&["item", "update", "1", "--status", "finished"], 2);
    assert!(err.contains("in-progress"), "{err}");
    let err = env.fails(&["item", "update", "1", "--status", "carried-forward"], 4);
    assert!(err.contains("carry-forward"), "{err}");
    let err = env.fails(&["item", "update", "1", "--due", "2020-01-01"], 2);
    assert!(err.contains("before the start"), "{err}");
    env.fails(&["item", "update", "99", "--progress", "5"], 3);
    env.fails(&["item", "update", "abc", "--progress", "5"], 3);
    env.fails(&["item", "update", "#abc", "--progress", "5"], 2);
    let err = env.fails(&["item", "update", "1"], 2);
    assert!(err.contains("nothing to change"), "{err}");
    // Re-applying a quarter's figures changes nothing, and is no error.
    let before = env.dump();
    let r = env.run(&["item", "update", "1", "--progress", "60"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Nothing changed: item #1"),
        "{}",
        r.stderr
    );
    assert_eq!(env.dump(), before);
    env.fails(&["item", "update", "1", "--frobnicate"], 2);
    env.fails(&["item", "update", "1", "--title", " "], 2);
    env.fails(&["item", "add", "nope", "Title"], 3);
    let err = env.fails(&["item", "add", "tech-2020", "Again", "--ref", "T01"], 4);
    assert!(err.contains("T01"), "{err}");
    env.fails(&["item", "update", "2", "--ref", "T01"], 4);
    env.fails(&["item", "add", "tech-2020", "X", "--progress", "-1"], 2);
    env.fails(
        &[
            "item",
            "add",
            "tech-2020",
            "X",
            "--status",
            "completed",
            "--progress",
            "50",
        ],
        2,
    );
    env.fails(
        &[
            "item",
            "add",
            "tech-2020",
            "X",
            "--start",
            "2021-05-01",
            "--due",
            "2021-04-01",
        ],
        2,
    );
    env.fails(&["item", "show", "99"], 3);
    env.fails(&["item", "history", "99"], 3);
    env.fails(&["item", "remove", "99"], 3);
}

#[test]
fn done_refusals() {
    let env = Env::new().with_tech_2020();
    let err = env.fails(&["item", "done", "3"], 4);
    assert!(err.contains("already completed on 2021-05-28"), "{err}");
    let err = env.fails(&["item", "done", "1", "--on", "2020-05-31"], 2);
    assert!(
        err.contains(
            "would hold from 2020-05-31, before item #1 existed (it holds from 2021-12-31)"
        ),
        "{err}"
    );
    let err = env.fails(
        &[
            "item",
            "done",
            "1",
            "--on",
            "2020-05-31",
            "--effective",
            "today",
        ],
        2,
    );
    assert!(err.contains("before the item started"), "{err}");
    let err = env.fails(
        &[
            "item",
            "done",
            "1",
            "--on",
            "2021-12-31",
            "--effective",
            "2021-12-30",
        ],
        2,
    );
    assert!(err.contains("after --effective 2021-12-30"), "{err}");
    let err = env.fails(&["item", "done", "1", "--on", "tomorrow"], 2);
    assert!(err.contains("future"), "{err}");
    env.fails(&["item", "done", "1", "--on", "2021-02-30"], 2);
    env.fails(&["item", "done", "99"], 3);
    env.ok(&["item", "update", "2", "--status", "cancelled"]);
    env.fails(&["item", "done", "2"], 4);
}

#[test]
fn reopening_a_completed_item_clears_its_completion_date() {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "item",
        "update",
        "3",
        "--status",
        "in-progress",
        "--progress",
        "90",
    ]);
    let item = env.json(&["item", "show", "3"]);
    assert_eq!(item["completed_on"], serde_json::Value::Null);
    assert_eq!(item["progress"], 90);
    env.ok(&["item", "update", "3", "--status", "completed"]);
    let item = env.json(&["item", "show", "3"]);
    assert_eq!(item["completed_on"], "2021-12-31");
    assert_eq!(item["progress"], 100);
}

#[test]
fn bad_strat_today_is_a_usage_error() {
    let env = Env::new();
    let r = env
        .cmd()
        .env("STRAT_TODAY", "2021-02-30")
        .args(["item", "list"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8(r.stderr).unwrap();
    assert!(err.contains("STRAT_TODAY"), "{err}");
}

#[test]
fn output_formats_for_item_list() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "update", "1", "--title", "=HYPERLINK(\"x\")"]);
    let csv = env.ok(&["--format", "csv", "item", "list"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,strategy,ref,title,description,theme,owner,status,progress,start,due,completed_on,\
         health,rag_override,rag_reason,created_at,updated_at"
    );
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    let md = env.ok(&["--format", "markdown", "item", "list"]);
    assert!(md.starts_with("| id | strategy |"), "{md}");
    let table = env.ok(&["item", "list"]);
    assert!(table.contains("██████░░░░ 60%"), "{table}");
    assert!(!table.contains('\u{1b}'), "colour when piped");
}

#[test]
fn write_commands_print_data_only_for_programs() {
    let env = Env::new().with_tech_2020();
    let r = env.run(&["item", "add", "tech-2020", "Intune"]);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("Added #4 to tech-2020"), "{}", r.stderr);
    let v = env.json(&["item", "add", "tech-2020", "Managed Desktop"]);
    assert_eq!(v["id"], 5);
}

#[test]
fn a_missing_database_is_not_found_and_nothing_is_created() {
    let env = Env::new();
    let backup = env.dir.path().join("copy.db");
    let backup = backup.to_str().unwrap();
    for args in [
        &["item", "list"][..],
        &["report"],
        &["item", "show", "1"],
        &["export"],
        &["check"],
        &["backup", backup],
        &["item", "add", "tech-2020", "X"],
        &["item", "note", "1", "x"],
        &["carry-forward", "a-1", "b-2"],
        &["strategy", "remove", "a-1"],
    ] {
        let err = env.fails(args, 3);
        assert!(err.contains("no strat database at"), "{args:?}: {err}");
        assert!(err.contains("strat init"), "{args:?}: {err}");
        assert!(!env.db.exists(), "{args:?} made the database");
        assert!(!Path::new(backup).exists(), "{args:?} made the backup");
    }
    // a write that fails on a new path leaves no file either
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
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(!env.db.exists(), "{left:?}");
    assert!(
        !left
            .iter()
            .any(|f| f.to_string_lossy().contains("strat.db")),
        "{left:?}"
    );
    // and one that works creates the database whole
    env.add_strategy("a-1", "A", "2020-2023");
    assert_eq!(env.json(&["check"])["ok"], true);
}

#[test]
fn an_empty_strat_db_counts_as_unset_and_memory_is_refused() {
    let env = Env::new();
    let r = env
        .cmd()
        .env("STRAT_DB", "")
        .args(["init"])
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(env.dir.path().join("data/strat/strat.db").exists());
    let err = env.fails(&["--db", ":memory:", "init"], 2);
    assert!(err.contains(":memory:"), "{err}");
}

/// `strategy edit` prints the strategy as `strategy show` does for
/// programs, and nothing on stdout for people.
#[test]
fn strategy_edit_prints_the_edited_strategy_for_programs() {
    let env = Env::new().with_tech_2020();
    let edited = env.json(&["strategy", "edit", "tech-2020", "--lead", "A. Lead"]);
    assert_eq!(edited["lead"], "A. Lead");
    assert_eq!(edited, env.json(&["strategy", "show", "tech-2020"]));
    assert!(edited["summary"]["items"].as_i64().unwrap() > 0, "{edited}");
    let quiet = env.run(&["strategy", "edit", "tech-2020", "--lead", "B. Lead"]);
    assert_eq!((quiet.code, quiet.stdout.as_str()), (0, ""));
    assert!(
        quiet.stderr.contains("Updated strategy tech-2020."),
        "{}",
        quiet.stderr
    );
}

/// `item note` prints the noted item for programs, as the other item
/// changes do.
#[test]
fn item_note_prints_the_item_for_programs() {
    let env = Env::new().with_tech_2020();
    let noted = env.json(&["item", "note", "1", "Waiting on the supplier"]);
    let shown = env.json(&["item", "show", "1"]);
    assert_eq!(noted["id"], 1);
    assert_eq!(noted["updated_at"], shown["updated_at"]);
    assert_eq!(noted["status"], shown["status"]);
    let quiet = env.run(&["item", "note", "1", "Still waiting"]);
    assert_eq!((quiet.code, quiet.stdout.as_str()), (0, ""));
}

#[test]
fn control_characters_in_names_and_notes_are_refused() {
    let env = Env::new().with_tech_2020();
    for args in [
        &[
            "item",
            "add",
            "tech-2020",
            "x\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
        ][..],
        &["item", "update", "1", "--owner", "a\u{1b}[2Jb"],
        &["item", "update", "1", "--note", "bell\u{7}"],
        &["item", "note", "1", "\u{1}"],
        &["--by", "me\u{1b}[31m", "item", "note", "1", "fine"],
        &["strategy", "edit", "tech-2020", "--lead", "a\tb"],
    ] {
        let err = env.fails(args, 2);
        assert!(err.contains("control character"), "{args:?}: {err}");
    }
    // a note may hold line breaks and tabs
    env.ok(&["item", "note", "1", "first line\n\tsecond line"]);
}

#[test]
fn a_change_whose_output_cannot_be_written_still_says_it_was_made() {
    let env = Env::new().with_tech_2020();
    let full = || std::fs::File::create("/dev/full").unwrap();
    let out = env
        .std_cmd()
        .args(["--format", "json", "item", "add", "tech-2020", "Intune"])
        .stdout(full())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let id = env.query_i64("SELECT max(id) FROM item");
    assert!(err.contains(&format!("#{id}")), "{err}");
    assert!(err.contains("the change was made"), "{err}");
    assert_eq!(
        env.query_text(&format!("SELECT title FROM item WHERE id = {id}")),
        "Intune"
    );
    // carry-forward prints its table: the same holds
    env.add_strategy("digital-2024", "D", "2024-2027");
    let out = env
        .std_cmd()
        .args(["carry-forward", "tech-2020", "digital-2024", "--item", "2"])
        .stdout(full())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("Carried 1 item from tech-2020 to digital-2024: #2 → #"),
        "{err}"
    );
    // a read whose output cannot be written is a failure
    let out = env
        .std_cmd()
        .args(["item", "list"])
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn dates_outside_years_1_to_9999_are_refused_naming_the_flag() {
    let env = Env::new().with_tech_2020();
    for (args, flag) in [
        (&["item", "update", "1", "--due", "+99999y"][..], "--due"),
        (&["item", "update", "1", "--due", "FY9999-Q4"], "--due"),
        (&["item", "update", "1", "--start", "0000-06-01"], "--start"),
        (
            &["item", "add", "tech-2020", "X", "--due=-999999w"],
            "--due",
        ),
        (&["outstanding", "--due-within", "99999y"], "--due-within"),
        (&["report", "--as-of", "+8000y"], "--as-of"),
    ] {
        let err = env.fails(args, 2);
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(
            err.lines().filter(|l| !l.trim().is_empty()).count() <= 2,
            "{err}"
        );
    }
    env.ok(&["item", "update", "1", "--due", "9999-12-31"]);
}

#[test]
fn a_note_alone_is_recorded_and_said_to_be() {
    let env = Env::new().with_tech_2020();
    let before = env.query_i64("SELECT count(*) FROM event WHERE item_id = 1");
    let r = env.run(&["item", "update", "1", "--note", "Checked with the owner"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.trim(), "Updated #1.");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM event WHERE item_id = 1"),
        before + 1
    );
}

#[test]
fn items_are_named_by_ref_alone_or_with_their_strategy() {
    let env = Env::new().with_tech_2020();
    let by_number = env.json(&["item", "show", "2"]);
    assert_eq!(env.json(&["item", "show", "T02"]), by_number);
    assert_eq!(
        env.json(&["item", "show", "t02"]),
        by_number,
        "refs ignore case"
    );
    assert_eq!(env.json(&["item", "show", "tech-2020/T02"]), by_number);
    env.ok(&["item", "update", "T02", "--progress", "45"]);
    assert_eq!(env.json(&["item", "show", "2"])["progress"], 45);

    // A ref two strategies use must say which.
    env.add_strategy("digital-2024", "Digital", "2024-2027");
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "Online account",
        "--ref",
        "T02",
    ]);
    let before = env.dump();
    let err = env.fails(&["item", "update", "T02", "--progress", "50"], 2);
    assert!(
        err.contains("#2 in tech-2020") && err.contains("#4 in digital-2024"),
        "{err}"
    );
    assert!(err.contains("tech-2020/T02"), "{err}");
    assert_eq!(env.dump(), before);
    env.ok(&["item", "update", "digital-2024/T02", "--progress", "50"]);
    assert_eq!(env.json(&["item", "show", "4"])["progress"], 50);

    let err = env.fails(&["item", "show", "T99"], 3);
    assert!(err.contains("no item with ref 'T99'"), "{err}");
    let err = env.fails(&["item", "show", "digitl-2024/T02"], 3);
    assert!(err.contains("did you mean digital-2024?"), "{err}");
    // Carried items may be named by their ref in FROM.
    let plan = env.json(&[
        "carry-forward",
        "tech-2020",
        "digital-2024",
        "--item",
        "T01",
        "--dry-run",
    ]);
    assert!(plan.to_string().contains("Corporate OneDrive"), "{plan}");
}

#[test]
fn several_items_change_in_one_transaction_or_not_at_all() {
    let env = Env::new().with_tech_2020();
    let out = env.run(&["item", "update", "1", "T02", "--owner", "Digital workplace"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("Updated #1 and #2."), "{}", out.stderr);
    for id in ["1", "2"] {
        assert_eq!(
            env.json(&["item", "show", id])["owner"],
            "Digital workplace"
        );
    }
    let events = env.query_i64("SELECT count(*) FROM event");
    // One bad item (#3 is completed) and nothing changes, #1 included.
    let before = env.dump();
    let err = env.fails(&["item", "done", "1", "3"], 4);
    assert!(err.contains("#3"), "{err}");
    assert_eq!(env.dump(), before);
    let err = env.fails(&["item", "update", "1", "99", "--progress", "70"], 3);
    assert!(err.contains("#99"), "{err}");
    assert_eq!(env.dump(), before);
    // The same item named twice is changed once.
    env.ok(&["item", "update", "2", "T02", "#2", "--progress", "80"]);
    assert_eq!(env.query_i64("SELECT count(*) FROM event"), events + 1);
    // JSON of several changed items is a list.
    let list = env.json(&["item", "done", "1", "2"]);
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(list[1]["status"], "completed");
}

#[test]
fn a_repeated_update_is_not_an_error_and_a_pin_needs_its_reason() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "update", "1", "2", "--owner", "Infrastructure"]);
    let events = env.query_i64("SELECT count(*) FROM event");
    let again = env.run(&["item", "update", "1", "2", "--owner", "Infrastructure"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("Nothing changed: items #1 and #2 already have those values."),
        "{}",
        again.stderr
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM event"), events);

    let before = env.dump();
    for args in [
        &["item", "update", "1", "--rag", "red"][..],
        &["item", "update", "1", "--rag", "Red", "--reason", ""],
        &["item", "update", "1", "--rag", "amber", "--reason", "   "],
    ] {
        let err = env.fails(args, 2);
        assert!(err.contains("--reason"), "{args:?}: {err}");
    }
    assert_eq!(env.dump(), before);
    env.ok(&[
        "item",
        "update",
        "1",
        "--rag",
        "Amber",
        "--reason",
        "Supplier late",
    ]);
    assert_eq!(env.json(&["item", "show", "1"])["health"], "amber");
    env.ok(&["item", "update", "1", "--rag", "AUTO"]);
}

#[test]
fn everyday_input_forms_are_taken() {
    let env = Env::new().with_tech_2020();
    // A relative date is a flag's value as it is.
    env.ok(&["item", "update", "2", "--due", "-10d"]);
    assert_eq!(env.json(&["item", "show", "2"])["due"], "2021-12-21");
    env.ok(&["report", "--as-of", "-1w"]);
    env.ok(&["outstanding", "--stale", "1q"]);
    env.ok(&["outstanding", "--due-within", "1y"]);
    // People's words for a status.
    env.ok(&["item", "update", "1", "--status", "On Hold"]);
    assert_eq!(env.json(&["item", "show", "1"])["status"], "on-hold");
    env.ok(&["item", "update", "1", "--status", "In Progress"]);
    assert_eq!(env.json(&["item", "show", "1"])["status"], "in-progress");
    let err = env.fails(&["item", "update", "1", "--status", "in progres"], 2);
    assert!(err.contains("did you mean in-progress?"), "{err}");
    // A strategy that is not there, and the one meant.
    let err = env.fails(&["report", "tech"], 3);
    assert!(err.contains("did you mean tech-2020?"), "{err}");
    // `#12` unquoted reaches strat as nothing at all.
    let err = env.fails(&["item", "update"], 2);
    assert!(err.contains("quoted ('#12')"), "{err}");
    let err = env.fails(&["item", "show"], 2);
    assert!(err.contains("quoted ('#12')"), "{err}");
}
