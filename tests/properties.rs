//! Properties over generated inputs: whatever valid commands run, the
//! database passes `check`; export → import → export is the identity.

mod common;
use common::Env;
use proptest::prelude::*;
use serde_json::{Value, json};

/// One command, named by what it does; item numbers are picked from the
/// items that exist when it runs.
#[derive(Debug, Clone)]
enum Op {
    Add {
        second: bool,
        title: String,
        status: &'static str,
        progress: u8,
        due_days: i64,
    },
    Progress {
        pick: usize,
        progress: u8,
    },
    Done {
        pick: usize,
        days_ago: i64,
    },
    Note {
        pick: usize,
        text: String,
    },
    Pin {
        pick: usize,
        colour: &'static str,
    },
    Unpin {
        pick: usize,
    },
    Cancel {
        pick: usize,
    },
    Carry {
        pick: usize,
    },
    Remove {
        pick: usize,
    },
    Retitle {
        second: bool,
        title: String,
    },
}

fn text() -> impl Strategy<Value = String> {
    // Words with the characters that break naive quoting, and non-ASCII.
    proptest::string::string_regex("[A-Za-z0-9 ,\"'=+@|é€-]{1,24}")
        .unwrap()
        .prop_filter("not blank", |s| !s.trim().is_empty() && !s.starts_with('-'))
}

fn op() -> impl Strategy<Value = Op> {
    let status = prop::sample::select(vec!["planned", "in-progress", "on-hold", "cancelled"]);
    let colour = prop::sample::select(vec!["red", "amber", "green"]);
    prop_oneof![
        3 => (any::<bool>(), text(), status, 0u8..=100, -400i64..800).prop_map(
            |(second, title, status, progress, due_days)| Op::Add { second, title, status, progress, due_days }
        ),
        1 => (any::<usize>(), 0u8..=100).prop_map(|(pick, progress)| Op::Progress { pick, progress }),
        1 => (any::<usize>(), 0i64..30).prop_map(|(pick, days_ago)| Op::Done { pick, days_ago }),
        1 => (any::<usize>(), text()).prop_map(|(pick, text)| Op::Note { pick, text }),
        1 => (any::<usize>(), colour).prop_map(|(pick, colour)| Op::Pin { pick, colour }),
        1 => any::<usize>().prop_map(|pick| Op::Unpin { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Carry { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Remove { pick }),
        1 => (any::<bool>(), text()).prop_map(|(second, title)| Op::Retitle { second, title }),
    ]
}

fn ids(env: &Env) -> Vec<String> {
    env.json(&["item", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].to_string())
        .collect()
}

fn run_op(env: &Env, op: &Op) -> i32 {
    let ids = ids(env);
    let pick = |n: usize| {
        ids.get(n % ids.len().max(1))
            .cloned()
            .unwrap_or_else(|| "1".into())
    };
    let code = |second: bool| if second { "b-2" } else { "a-1" };
    let args: Vec<String> = match op {
        Op::Add {
            second,
            title,
            status,
            progress,
            due_days,
        } => vec![
            "item".into(),
            "add".into(),
            code(*second).into(),
            title.clone(),
            "--status".into(),
            status.to_string(),
            "--progress".into(),
            progress.to_string(),
            format!("--due={due_days:+}d"),
        ],
        Op::Progress { pick: p, progress } => {
            vec![
                "item".into(),
                "update".into(),
                pick(*p),
                "--progress".into(),
                progress.to_string(),
            ]
        }
        Op::Done { pick: p, days_ago } => {
            vec![
                "item".into(),
                "done".into(),
                pick(*p),
                format!("--on=-{days_ago}d"),
            ]
        }
        Op::Note { pick: p, text } => vec!["item".into(), "note".into(), pick(*p), text.clone()],
        Op::Pin { pick: p, colour } => vec![
            "item".into(),
            "update".into(),
            pick(*p),
            "--rag".into(),
            colour.to_string(),
            "--reason".into(),
            "because".into(),
        ],
        Op::Unpin { pick: p } => vec![
            "item".into(),
            "update".into(),
            pick(*p),
            "--rag".into(),
            "auto".into(),
        ],
        Op::Cancel { pick: p } => {
            vec![
                "item".into(),
                "update".into(),
                pick(*p),
                "--status".into(),
                "cancelled".into(),
            ]
        }
        Op::Carry { pick: p } => {
            vec![
                "carry-forward".into(),
                "a-1".into(),
                "b-2".into(),
                "--item".into(),
                pick(*p),
            ]
        }
        Op::Remove { pick: p } => vec!["item".into(), "remove".into(), pick(*p), "--yes".into()],
        Op::Retitle { second, title } => {
            vec![
                "strategy".into(),
                "edit".into(),
                code(*second).into(),
                "--title".into(),
                title.clone(),
            ]
        }
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = env.dump();
    let r = env.run(&args);
    assert!(
        [0, 2, 3, 4].contains(&r.code),
        "{args:?} exited {}: {}",
        r.code,
        r.stderr
    );
    if r.code != 0 {
        assert_eq!(
            before,
            env.dump(),
            "{args:?} failed but changed the database"
        );
    }
    r.code
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_commands_leaves_a_database_that_passes_check(ops in prop::collection::vec(op(), 1..14)) {
        let env = Env::on("2024-06-30");
        env.ok(&["strategy", "add", "a-1", "--title", "First", "--period", "2020-2023"]);
        env.ok(&["strategy", "add", "b-2", "--title", "Second", "--period", "2024-2027"]);
        for op in &ops {
            run_op(&env, op);
        }
        let r = env.run(&["--format", "json", "check"]);
        prop_assert_eq!(r.code, 0, "check failed after {:?}:\n{}{}", ops, r.stdout, r.stderr);
        // and every past day can still be rebuilt
        env.ok(&["report", "--as-of", "2024-06-29"]);
    }
}

fn item_doc() -> impl Strategy<Value = Value> {
    let status = prop::sample::select(vec![
        "planned",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
    ]);
    (
        text(),
        status,
        0u8..=100,
        prop::option::of(text()),
        prop::option::of(0i64..2000),
        prop::option::of(text()),
    )
        .prop_map(|(title, status, progress, owner, due, note)| {
            let due = due.map(|d| {
                (chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(d))
                    .to_string()
            });
            let (progress, completed_on) = if status == "completed" {
                (100, Some("2023-05-01"))
            } else {
                (progress, None)
            };
            json!({
                "title": title, "status": status, "progress": progress, "owner": owner,
                "due": due, "completed_on": completed_on, "description": note,
                "created_at": "2021-03-04T05:06:07.000008Z"
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn export_import_export_is_the_identity(
        titles in prop::collection::vec(text(), 1..4),
        items in prop::collection::vec(item_doc(), 0..12),
    ) {
        let strategies: Vec<Value> = titles
            .iter()
            .enumerate()
            .map(|(n, t)| json!({"code": format!("s-{n}"), "title": t, "status": "adopted",
                                 "starts": "2020-01-01", "ends": "2027-12-31"}))
            .collect();
        let items: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(|(n, mut i)| {
                i["id"] = json!(n + 1);
                i["strategy"] = json!(format!("s-{}", n % titles.len()));
                i
            })
            .collect();
        let doc = json!({"format": "strat", "version": 1, "strategies": strategies, "items": items});
        let first = Env::on("2024-06-30");
        let file = first.dir.path().join("in.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        first.ok(&["import", file.to_str().unwrap()]);
        let exported = first.ok(&["export"]);

        let second = Env::on("2024-06-30");
        let file = second.dir.path().join("again.json");
        std::fs::write(&file, &exported).unwrap();
        second.ok(&["import", file.to_str().unwrap()]);
        prop_assert_eq!(second.ok(&["export"]), exported);
    }
}

/// A portfolio with a history of every kind (updates, notes, a pinned
/// health, completion, carry-forward), exported once for the run.
fn rich_export() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let env = Env::on("2024-06-30");
        for args in [
            &[
                "strategy",
                "add",
                "a-1",
                "--title",
                "First",
                "--period",
                "2020-2023",
            ][..],
            &[
                "strategy",
                "add",
                "b-2",
                "--title",
                "Second",
                "--period",
                "2024-2027",
                "--supersedes",
                "a-1",
            ],
            &[
                "item",
                "add",
                "a-1",
                "Replace the SAN",
                "--ref",
                "T01",
                "--due",
                "2023-03-31",
                "--owner",
                "Infra",
            ],
            &[
                "item",
                "add",
                "a-1",
                "Teams telephony",
                "--start",
                "2021-01-01",
                "--due",
                "2024-12-31",
            ],
            &[
                "item",
                "add",
                "b-2",
                "Intune",
                "--theme",
                "Devices",
                "--description",
                "All\nlaptops",
            ],
            &[
                "item",
                "update",
                "1",
                "--progress",
                "60",
                "--status",
                "in-progress",
                "--note",
                "started",
            ],
            &[
                "item",
                "update",
                "2",
                "--rag",
                "amber",
                "--reason",
                "supplier late",
            ],
            &["item", "done", "3", "--note", "done"],
            &["carry-forward", "a-1", "b-2", "--item", "1"],
        ] {
            env.ok(args);
        }
        env.json(&["export"])
    })
}

/// A place in a document that holds a value: list, record, key, and for
/// an event's changes, which change and which of its keys.
type Place = (String, usize, String, Option<(usize, String)>);

/// Every place in `doc` that holds a value.
fn places(doc: &Value) -> Vec<Place> {
    let mut out = Vec::new();
    for list in ["strategies", "items", "events", "strategy_events"] {
        for (n, record) in doc[list].as_array().unwrap().iter().enumerate() {
            for (key, value) in record.as_object().unwrap() {
                out.push((list.to_string(), n, key.clone(), None));
                for (c, change) in value.as_array().into_iter().flatten().enumerate() {
                    for k in ["field", "from", "to"] {
                        if change.get(k).is_some() {
                            out.push((list.to_string(), n, key.clone(), Some((c, k.to_string()))));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Values a file edited by hand, or by someone hostile, might hold.
fn corruption() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!(null),
        json!(""),
        json!("   "),
        json!("\u{0}x"),
        json!("x\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}"),
        json!("line\nbreak"),
        json!("0000-01-01T00:30:00+01:00"),
        json!("9999-12-31T23:59:59Z"),
        json!("2021-02-30"),
        json!("0000-06-01"),
        json!("completed"),
        json!("carried-forward"),
        json!("red"),
        json!("b-2"),
        json!("Bad Code"),
        json!(0),
        json!(-1),
        json!(1),
        json!(3),
        json!(101),
        json!(1.5),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(true),
        json!([]),
        json!({}),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// One value of an export changed to anything: the import is refused,
    /// writing nothing, or what it stored works with every command.
    #[test]
    fn a_corrupted_export_is_refused_whole_or_works_everywhere(
        pick in any::<prop::sample::Index>(),
        value in corruption(),
    ) {
        let mut doc = rich_export().clone();
        let all = places(&doc);
        let (list, n, key, change) = pick.get(&all).clone();
        let target = &mut doc[&list][n][&key];
        match &change {
            None => *target = value.clone(),
            Some((c, k)) => target[*c][k] = value.clone(),
        }
        let env = Env::on("2024-06-30");
        let file = env.dir.path().join("corrupt.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let r = env.run(&["import", file.to_str().unwrap()]);
        let place = format!("{list}[{n}].{key} {change:?} = {value}");
        prop_assert!(
            !r.stderr.contains("panicked") && r.code != 1,
            "{}: exit {}\n{}", place, r.code, r.stderr
        );
        if r.code != 0 {
            prop_assert!([2, 3].contains(&r.code), "{}: exit {}\n{}", place, r.code, r.stderr);
            prop_assert_eq!(env.dump(), "<no database>", "{}: a refused import wrote", place);
            return Ok(());
        }
        for args in [
            &["check"][..],
            &["export"],
            &["report"],
            &["report", "--as-of", "2022-12-31"],
            &["report", "--as-of", "2024-06-30"],
            &["outstanding", "--as-of", "2021-06-30"],
        ] {
            let r = env.run(args);
            prop_assert_eq!(r.code, 0, "{}: {:?} after import\n{}", place, args, r.stderr);
        }
        let ids: Vec<String> = env.json(&["item", "list"]).as_array().unwrap().iter()
            .map(|i| i["id"].to_string())
            .collect();
        for id in &ids {
            for args in [&["item", "history", id.as_str()][..], &["item", "show", id]] {
                let r = env.run(args);
                prop_assert_eq!(r.code, 0, "{}: {:?}\n{}", place, args, r.stderr);
            }
        }
    }
}

/// One change of an item, holding from `day` days after 2024-01-01:
/// progress `n` or owner `On` (each value used once, so no change ever
/// repeats the value its field already had).
#[derive(Debug, Clone)]
struct Backdated {
    day: i64,
    owner: bool,
}

fn holding_day(offset: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(offset))
        .to_string()
}

/// An item added as of 2024-01-01, then `changes` recorded in the order
/// given (the k-th sets progress k + 1 or owner Ok).
fn item_with(changes: &[(usize, &Backdated)]) -> Env {
    let env = Env::on("2024-12-31");
    env.ok(&[
        "strategy",
        "add",
        "d-1",
        "--title",
        "D",
        "--period",
        "2024-2027",
    ]);
    env.ok(&["item", "add", "d-1", "Intune", "--effective", "2024-01-01"]);
    for (k, c) in changes {
        let value = if c.owner {
            format!("O{k}")
        } else {
            (k + 1).to_string()
        };
        let flag = if c.owner { "--owner" } else { "--progress" };
        env.ok(&[
            "item",
            "update",
            "1",
            flag,
            &value,
            "--effective",
            &holding_day(c.day),
        ]);
    }
    env
}

fn fields_as_of(env: &Env, day: Option<&str>) -> (Value, Value) {
    let mut args = vec!["item", "show", "1"];
    if let Some(d) = day {
        args.extend(["--as-of", d]);
    }
    let item = env.json(&args);
    (item["progress"].clone(), item["owner"].clone())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Changes recorded in any order, each holding from its own day, give
    /// every past day (and today) the state that applying them in the
    /// order they hold gives.
    #[test]
    fn changes_recorded_in_any_order_give_the_state_of_their_holding_order(
        changes in prop::collection::vec(
            (0i64..300, any::<bool>()).prop_map(|(day, owner)| Backdated { day, owner }),
            1..7,
        )
    ) {
        let recorded: Vec<(usize, &Backdated)> = changes.iter().enumerate().collect();
        let mut holding = recorded.clone();
        holding.sort_by_key(|(_, c)| c.day);
        let (late, in_order) = (item_with(&recorded), item_with(&holding));
        let mut days: Vec<i64> = changes.iter().flat_map(|c| [c.day - 1, c.day]).collect();
        days.sort();
        days.dedup();
        for day in days.iter().filter(|d| **d >= 0) {
            let day = holding_day(*day);
            prop_assert_eq!(
                fields_as_of(&late, Some(&day)),
                fields_as_of(&in_order, Some(&day)),
                "as of {} after {:?}", day, changes
            );
        }
        prop_assert_eq!(fields_as_of(&late, None), fields_as_of(&in_order, None));
        prop_assert_eq!(&late.json(&["check"])["ok"], &Value::Bool(true));
    }
}

/// Text an older database may hold: words, and any control character or
/// mark that reorders text, C1 controls included (after a word, since a
/// title that is blank is damage).
fn stored_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[A-Za-z ]{1,6}",
            prop::char::range('\u{0}', '\u{1f}').prop_map(String::from),
            prop::char::range('\u{7f}', '\u{9f}').prop_map(String::from),
            Just("\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}".to_string()),
            Just("\u{202e}".to_string()),
            Just("=cmd|".to_string()),
        ],
        1..8,
    )
    .prop_map(|parts| format!("Text {}", parts.concat()))
}

/// The raw control characters in `text` that `allowed` does not let by.
fn raw_controls(text: &str, allowed: &[char]) -> Vec<char> {
    text.chars()
        .filter(|c| {
            (c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
                && !allowed.contains(c)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever an older database holds in its names and notes, no format
    /// for people or spreadsheets writes a control character raw: only the
    /// line breaks of tables and CSV, and the tabs of CSV prose.
    #[test]
    fn stored_control_characters_never_reach_the_output_raw(
        title in stored_text(),
        owner in stored_text(),
        note in stored_text(),
        description in stored_text(),
    ) {
        // Planted behind strat's back in a file: PostgreSQL's text cannot
        // hold every character planted (NUL), and what is shown does not
        // depend on where it was kept.
        let env = Env::on_file("2021-12-31").with_tech_2020();
        env.ok(&["item", "note", "2", "placeholder"]);
        env.exec_bound(
            "UPDATE item SET title = ?1, owner = ?2, theme = ?2, description = ?3 WHERE id = 2",
            &[&title, &owner, &description],
        );
        env.exec_bound("UPDATE event SET note = ?1 WHERE note = 'placeholder'", &[&note]);
        env.exec_bound("UPDATE strategy SET lead = ?1, decision = ?1", &[&owner]);
        for format in ["table", "markdown", "csv"] {
            let allowed: &[char] = if format == "csv" { &['\n', '\r', '\t'] } else { &['\n'] };
            for args in [
                &["item", "list"][..],
                &["outstanding"],
                &["report"],
                &["report", "tech-2020", "--compare", "2021-06-30"],
                &["item", "show", "2"],
                &["item", "history", "2"],
                &["strategy", "show", "tech-2020"],
                &["strategy", "list"],
            ] {
                for columns in [None, Some("80")] {
                    let mut cmd = env.cmd();
                    if let Some(c) = columns {
                        cmd.env("COLUMNS", c);
                    }
                    let out = cmd.args(["--format", format]).args(args).output().unwrap();
                    prop_assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
                    let text = String::from_utf8(out.stdout).unwrap();
                    let raw = raw_controls(&text, allowed);
                    prop_assert!(raw.is_empty(), "{format} {args:?}: {raw:?} in\n{text}");
                }
            }
        }
    }
}
