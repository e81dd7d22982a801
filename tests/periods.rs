//! Reporting periods: changes that hold from a day other than the one they
//! were recorded on, the report as it could be printed on a past day,
//! direction of travel and missing returns.

mod common;
use common::Env;
use serde_json::Value;

/// Digital Strategy 2024-2027, entered on 2024-04-02 with three items
/// holding from 1 April 2024: #1 Intune (start 2024-04-01, due
/// 2025-03-31, 10%), #2 Defender (due 2024-09-30), #3 PSN compliance (due
/// 2025-06-30).
fn digital() -> Env {
    let mut env = Env::on("2024-04-02");
    env.ok(&[
        "strategy",
        "add",
        "digital-2024",
        "--title",
        "Digital Strategy 2024-2027",
        "--period",
        "2024-2027",
        "--status",
        "adopted",
    ]);
    let add = |title: &str, extra: &[&str]| {
        let mut args = vec![
            "item",
            "add",
            "digital-2024",
            title,
            "--effective",
            "2024-04-01",
        ];
        args.extend_from_slice(extra);
        env.ok(&args);
    };
    add(
        "Intune rollout",
        &[
            "--start",
            "2024-04-01",
            "--due",
            "2025-03-31",
            "--status",
            "in-progress",
            "--progress",
            "10",
        ],
    );
    add("Defender", &["--due", "2024-09-30"]);
    add("PSN compliance", &["--due", "2025-06-30"]);
    env.today = "2024-10-15".into();
    env
}

/// Item `id` of the first strategy of a JSON report (null when absent).
fn report_item(report: &Value, id: i64) -> Value {
    report["strategies"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

fn progress_of(report: &Value, id: i64) -> Value {
    report_item(report, id)["progress"].clone()
}

#[test]
fn a_quarter_entered_late_shows_in_its_quarter_but_not_as_known_before_the_entry() {
    let mut env = digital();
    env.today = "2024-10-12".into();
    env.ok(&[
        "item",
        "update",
        "1",
        "--progress",
        "60",
        "--effective",
        "FY2024-Q2",
        "--note",
        "Q2 return",
    ]);
    let q2 = env.json(&["report", "digital-2024", "--as-of", "FY2024-Q2"]);
    assert_eq!(progress_of(&q2, 1), 60);
    // The paper as it could be printed on 10 October: the return was not in.
    let printed = env.json(&[
        "report",
        "digital-2024",
        "--as-of",
        "FY2024-Q2",
        "--known-on",
        "2024-10-10",
    ]);
    assert_eq!(progress_of(&printed, 1), 10);
    // --known-on alone is also the day of the view.
    let alone = env.json(&["report", "digital-2024", "--known-on", "2024-10-12"]);
    assert_eq!(alone["as_of"], "2024-10-12");
    assert_eq!(progress_of(&alone, 1), 60);
    // The day before the quarter's end it did not hold yet.
    let before = env.json(&["report", "digital-2024", "--as-of", "2024-09-29"]);
    assert_eq!(progress_of(&before, 1), 10);
    // The history shows both dates; the note is dated by its quarter.
    let history = env.json(&["item", "history", "1"]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["effective"], "2024-09-30");
    assert!(last["at"].as_str().unwrap().starts_with("2024-10-12"));
    let listed = env.json(&["item", "list", "--as-of", "FY2024-Q2"]);
    assert_eq!(listed[0]["latest_note"], "Q2 return");
    assert_eq!(listed[0]["latest_note_on"], "2024-09-30");
    assert_eq!(listed[0]["last_update"], "2024-09-30");
    assert_eq!(env.json(&["check"])["ok"], true);
}

#[test]
fn a_backdated_change_leaves_a_field_changed_later_as_it_is() {
    let mut env = digital();
    env.today = "2024-10-12".into();
    env.ok(&["item", "update", "1", "--progress", "70"]);
    env.today = "2024-10-15".into();
    let r = env.run(&[
        "item",
        "update",
        "1",
        "--progress",
        "60",
        "--owner",
        "Infrastructure",
        "--effective",
        "FY2024-Q2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("holding from 2024-09-30") && r.stderr.contains("still sets progress"),
        "{}",
        r.stderr
    );
    // Today: progress from the later day, the owner from the late return.
    let now = env.json(&["item", "show", "1"]);
    assert_eq!(now["progress"], 70);
    assert_eq!(now["owner"], "Infrastructure");
    let q2 = env.json(&["report", "digital-2024", "--as-of", "FY2024-Q2"]);
    assert_eq!(progress_of(&q2, 1), 60);
    let listed = env.json(&["item", "list"]);
    assert_eq!(listed[0]["progress"], 70);
    assert_eq!(env.json(&["check"])["ok"], true);
    // The change records what it displaced on its own day.
    let history = env.json(&["item", "history", "1"]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["changes"][0]["field"], "owner");
    assert_eq!(last["changes"][1]["from"], "10");
    assert_eq!(last["changes"][1]["to"], "60");
}

#[test]
fn a_backdated_completion_before_a_later_progress_is_refused() {
    let mut env = digital();
    env.today = "2024-10-12".into();
    env.ok(&["item", "update", "1", "--progress", "70"]);
    // Completed on 30 September, but 70% was reported from 12 October:
    // the item would be completed with progress 70.
    let err = env.fails(&["item", "done", "1", "--on", "2024-09-30"], 4);
    assert!(
        err.contains("from 2024-10-12 on") && err.contains("progress 100"),
        "{err}"
    );
}

#[test]
fn bad_days_are_refused_and_change_nothing() {
    let env = digital();
    let err = env.fails(
        &[
            "item",
            "update",
            "1",
            "--progress",
            "20",
            "--effective",
            "tomorrow",
        ],
        2,
    );
    assert!(
        err.contains("--effective 2024-10-16 is after today"),
        "{err}"
    );
    let err = env.fails(
        &[
            "item",
            "update",
            "1",
            "--progress",
            "20",
            "--effective",
            "2024-03-31",
        ],
        2,
    );
    assert!(
        err.contains("2024-03-31") && err.contains("existed (it holds from 2024-04-01)"),
        "{err}"
    );
    let err = env.fails(
        &[
            "item",
            "add",
            "digital-2024",
            "Early",
            "--effective",
            "2023-12-31",
        ],
        2,
    );
    assert!(
        err.contains("before strategy digital-2024 held (from 2024-01-01)"),
        "{err}"
    );
    env.fails(&["item", "note", "1", "x", "--effective", "soon"], 2);
    env.fails(
        &[
            "strategy",
            "note",
            "digital-2024",
            "x",
            "--effective",
            "2023-01-01",
        ],
        2,
    );
    env.fails(&["strategy", "note", "nope", "x"], 3);
    let err = env.fails(&["report", "--compare", "2024-10-15"], 2);
    assert!(err.contains("--compare 2024-10-15 is not before"), "{err}");
    env.fails(
        &["report", "--as-of", "2024-06-30", "--compare", "2024-07-01"],
        2,
    );
    env.fails(&["report", "--health", "purple"], 2);
    env.fails(&["outstanding", "--stale", "often"], 2);
    env.fails(&["report", "--known-on", "2024-02-30"], 2);
    env.fails(
        &["carry-forward", "digital-2024", "x", "--effective", "+1d"],
        2,
    );
}

#[test]
fn stale_means_more_than_the_threshold_since_the_last_update() {
    let mut env = digital();
    // Last updates: #1 on 2024-07-02 (exactly 90 days before 2024-09-30),
    // #2 on 2024-07-01 (91 days), #3 never since 2024-04-01.
    env.ok(&[
        "item",
        "update",
        "1",
        "--progress",
        "30",
        "--effective",
        "2024-07-02",
    ]);
    env.ok(&["item", "note", "2", "Chased", "--effective", "2024-07-01"]);
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
    assert_eq!(ids(&["--stale", "90d", "--as-of", "2024-09-30"]), [2, 3]);
    assert_eq!(ids(&["--stale", "91d", "--as-of", "2024-09-30"]), [3]);
    assert_eq!(
        ids(&["--stale", "1q", "--as-of", "2024-06-30"]),
        Vec::<i64>::new()
    );
    let report = env.json(&["report", "digital-2024", "--as-of", "2024-09-30"]);
    assert_eq!(report["strategies"][0]["summary"]["stale"], 2);
    let item = report_item(&report, 1);
    assert_eq!(item["last_update"], "2024-07-02");
    assert_eq!(item["days_since_update"], 90);
    let report = env.json(&[
        "report",
        "digital-2024",
        "--as-of",
        "2024-09-30",
        "--stale",
        "2w",
    ]);
    assert_eq!(report["strategies"][0]["summary"]["stale"], 3);
    env.today = "2024-10-15".into();
}

/// The portfolio of the committee paper: Q1 and Q2 returns entered after
/// each quarter, a pinned red, a strategy note, an item closed and one new.
fn two_quarters() -> Env {
    let mut env = digital();
    env.today = "2024-07-10".into();
    env.ok(&[
        "item",
        "update",
        "1",
        "--progress",
        "30",
        "--effective",
        "FY2024-Q1",
        "--note",
        "Q1 return",
    ]);
    env.ok(&[
        "item",
        "update",
        "2",
        "--status",
        "in-progress",
        "--progress",
        "40",
        "--effective",
        "FY2024-Q1",
    ]);
    env.today = "2024-10-12".into();
    env.ok(&[
        "item",
        "update",
        "1",
        "--progress",
        "60",
        "--effective",
        "FY2024-Q2",
        "--note",
        "Q2 return, late",
    ]);
    env.ok(&[
        "item",
        "update",
        "2",
        "--rag",
        "red",
        "--reason",
        "Licences not bought",
        "--effective",
        "FY2024-Q2",
    ]);
    env.ok(&[
        "item",
        "update",
        "3",
        "--status",
        "cancelled",
        "--effective",
        "FY2024-Q2",
    ]);
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "Ransomware protection",
        "--effective",
        "2024-08-01",
    ]);
    env.ok(&[
        "strategy",
        "note",
        "digital-2024",
        "Intune ahead of plan; licences for Defender awaited",
        "--effective",
        "FY2024-Q2",
    ]);
    env
}

#[test]
fn compare_gives_each_item_its_direction_and_the_strategy_its_summary_then() {
    let env = two_quarters();
    let report = env.json(&["report", "--as-of", "FY2024-Q2", "--compare", "FY2024-Q1"]);
    assert_eq!(report["compared_with"], "2024-06-30");
    let s = &report["strategies"][0];
    assert_eq!(
        s["directions"],
        serde_json::json!({"better": 1, "same": 0, "worse": 1, "new": 1, "closed": 1})
    );
    assert_eq!(s["previous_summary"]["items"], 3);
    assert_eq!(s["summary"]["items"], 4);
    assert_eq!(
        s["note"]["text"],
        "Intune ahead of plan; licences for Defender awaited"
    );
    assert_eq!(s["note"]["on"], "2024-09-30");
    assert_eq!(s["note"]["by"], "tester");
    let item = |id: i64| report_item(&report, id);
    assert_eq!(item(1)["direction"], "better");
    assert_eq!(
        item(1)["previous"],
        serde_json::json!({"status": "in-progress", "progress": 30, "health": "green"})
    );
    assert_eq!(item(2)["direction"], "worse");
    assert_eq!(item(2)["health_reason"], "set by hand: Licences not bought");
    assert_eq!(item(3)["direction"], "closed");
    assert_eq!(item(4)["direction"], "new");
    assert_eq!(item(4)["previous"], Value::Null);
    // Without --compare there is no direction at all.
    let plain = env.json(&["report", "--as-of", "FY2024-Q2"]);
    assert!(
        plain["strategies"][0]["items"][0]
            .get("direction")
            .is_none()
    );
    // Before the strategy note, there is none.
    let q1 = env.json(&["report", "--as-of", "FY2024-Q1"]);
    assert_eq!(q1["strategies"][0]["note"], Value::Null);
}

#[test]
fn the_committee_paper_with_a_comparison_at_80_and_200_columns() {
    let env = two_quarters();
    let args = ["report", "--as-of", "FY2024-Q2", "--compare", "FY2024-Q1"];
    let markdown = env.ok(&[&["--format", "markdown"][..], &args[..]].concat());
    insta::assert_snapshot!("committee_paper_markdown", markdown);
    for width in ["80", "200"] {
        let out = env.cmd().env("COLUMNS", width).args(args).output().unwrap();
        assert!(out.status.success());
        let table = String::from_utf8(out.stdout).unwrap();
        let said = String::from_utf8(out.stderr).unwrap();
        let widest = table.lines().map(|l| l.chars().count()).max().unwrap();
        if width == "80" {
            assert!(widest <= 80, "{widest}\n{table}");
            assert!(
                said.contains("leaves out") && said.contains("stale"),
                "{said}"
            );
            assert!(said.contains("--format markdown"), "{said}");
        } else {
            assert!(said.is_empty(), "{said}");
        }
        insta::assert_snapshot!(format!("committee_paper_table_{width}"), table);
    }
}

#[test]
fn check_finds_a_last_update_that_is_not_the_historys() {
    let env = digital();
    env.exec("UPDATE item SET last_update = '2024-05-01' WHERE id = 2");
    let r = env.run(&["--format", "json", "check"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(r.stdout.contains("last_update"), "{}", r.stdout);
}
