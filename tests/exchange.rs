//! Export and import: exact round trips, renumbering, and refusal of bad
//! files with every bad record named and nothing written.

mod common;
use common::Env;
use serde_json::{Value, json};

fn write(env: &Env, name: &str, doc: &Value) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs `args`, which must fail with exit 2 naming every one of
/// `expected` ([`Env::fails`] checks the database is left as it was).
/// Refused with exit 2, naming each of `expected`; returns stderr.
fn refused_naming(env: &Env, args: &[&str], expected: &[&str]) -> String {
    let err = env.fails(args, 2);
    for e in expected {
        assert!(err.contains(e), "missing {e}:\n{err}");
    }
    err
}

fn busy() -> Env {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "strategy",
        "add",
        "digital-2024",
        "--title",
        "Digital Strategy 2024-2027",
        "--period",
        "2024-2027",
        "--supersedes",
        "tech-2020",
    ]);
    env.ok(&[
        "item",
        "update",
        "1",
        "--rag",
        "red",
        "--reason",
        "licence, \"delayed\"\nagain",
    ]);
    env.ok(&["item", "note", "2", "=cmd|' /C calc'!A0"]);
    env
}

#[test]
fn export_then_import_into_an_empty_database_is_identity() {
    let env = busy();
    let exported = env.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(doc["format"], "strat");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["strategies"].as_array().unwrap().len(), 2);
    assert_eq!(doc["items"].as_array().unwrap().len(), 3);
    let file = write(&env, "export.json", &doc);

    let other = Env::new();
    other.ok(&["import", &file]);
    assert_eq!(other.ok(&["export"]), exported);
    // the history came along and still rebuilds past states
    assert_eq!(
        other.json(&["item", "history", "1"]),
        env.json(&["item", "history", "1"])
    );
}

#[test]
fn export_ignores_format_and_can_be_limited_to_strategies() {
    let env = busy();
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "Intune",
        "--note",
        "rolled out",
    ]);
    env.ok(&["item", "update", "1", "--progress", "65"]);
    let doc: Value =
        serde_json::from_str(&env.ok(&["--format", "csv", "export", "tech-2020"])).unwrap();
    let ids = |list: &str, key: &str| -> Vec<Value> {
        doc[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].clone())
            .collect()
    };
    assert_eq!(ids("strategies", "code"), [json!("tech-2020")]);
    assert_eq!(ids("items", "id"), [json!(1), json!(2), json!(3)]);
    // Only the listed items' events, in number order, the last one too.
    let events = ids("events", "item");
    assert!(
        events
            .iter()
            .all(|i| [1, 2, 3].contains(&i.as_i64().unwrap())),
        "{events:?}"
    );
    let numbers: Vec<i64> = ids("events", "id")
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert!(numbers.is_sorted() && numbers.len() > 3, "{numbers:?}");
    assert_eq!(
        doc["events"].as_array().unwrap().last().unwrap()["changes"][0]["to"],
        "65"
    );
    assert!(
        ids("strategy_events", "strategy")
            .iter()
            .all(|c| c == "tech-2020")
    );
    // All of it: the other strategy, its item and that item's events too.
    let all: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    assert_eq!(
        all["events"].as_array().unwrap().len(),
        doc["events"].as_array().unwrap().len() + 1
    );
    env.fails(&["export", "nope"], 3);
}

#[test]
fn import_into_a_database_with_data_renumbers_and_keeps_links() {
    let src = busy();
    src.ok(&["carry-forward", "tech-2020", "digital-2024", "--item", "2"]);
    let doc: Value = serde_json::from_str(&src.ok(&["export"])).unwrap();
    let mut renamed = doc.clone();
    for s in renamed["strategies"].as_array_mut().unwrap() {
        let code = format!("{}-copy", s["code"].as_str().unwrap());
        s["code"] = json!(code);
        if let Some(sup) = s["supersedes"].as_str() {
            s["supersedes"] = json!(format!("{sup}-copy"));
        }
    }
    for i in renamed["items"].as_array_mut().unwrap() {
        let code = format!("{}-copy", i["strategy"].as_str().unwrap());
        i["strategy"] = json!(code);
    }
    for e in renamed["strategy_events"].as_array_mut().unwrap() {
        let code = format!("{}-copy", e["strategy"].as_str().unwrap());
        e["strategy"] = json!(code);
        for c in e["changes"].as_array_mut().unwrap() {
            if c["field"] == "code" || c["field"] == "supersedes" {
                for end in ["from", "to"] {
                    if let Some(v) = c[end].as_str() {
                        c[end] = json!(format!("{v}-copy"));
                    }
                }
            }
        }
    }
    let file = write(&src, "copy.json", &renamed);
    src.ok(&["import", &file]);
    let items = src.json(&["item", "list", "tech-2020-copy", "digital-2024-copy"]);
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 4);
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [5, 6, 7, 8]);
    let carried = items
        .iter()
        .find(|i| i["status"] == "carried-forward")
        .unwrap();
    let copy = items
        .iter()
        .find(|i| i["carried_from"] == carried["id"])
        .unwrap();
    assert_eq!(carried["carried_to"], copy["id"]);
    assert_eq!(copy["strategy"], "digital-2024-copy");
    // the events moved with their items, links in the history too
    let history = src.json(&["item", "history", &carried["id"].to_string()]);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "carried-forward");
    assert_eq!(last["changes"][1]["to"], copy["id"].to_string());
    let show = src.json(&[
        "strategy",
        "show",
        "tech-2020-copy",
        "--as-of",
        "2021-12-31",
    ]);
    assert_eq!(show["summary"]["items"], 3);
}

#[test]
fn an_item_without_events_is_created_as_it_stands() {
    let env = Env::new();
    let doc = json!({
        "format": "strat", "version": 1,
        "strategies": [{"code": "s", "title": "S", "status": "adopted", "starts": "2021-01-01", "ends": "2021-12-31"}],
        "items": [{"id": 7, "strategy": "s", "title": "Thing", "status": "in-progress", "progress": 30,
                   "health": "red", "created_at": "2021-03-01T10:00:00Z"}],
    });
    let file = write(&env, "one.json", &doc);
    env.ok(&["import", &file]);
    let item = env.json(&["item", "show", "7"]);
    assert_eq!(item["progress"], 30);
    assert_eq!(item["events"][0]["action"], "created");
    assert_eq!(item["events"][0]["at"], "2021-03-01T10:00:00.000000Z");
    assert_eq!(
        env.json(&["item", "list", "--as-of", "2021-02-28"]),
        json!([])
    );
    assert_eq!(
        env.json(&["item", "list", "--as-of", "2021-03-01"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_strategy_without_history_is_created_with_its_first_item() {
    let env = Env::new();
    let strategy = |code: &str| json!({"code": code, "title": "S", "status": "adopted", "starts": "2021-01-01", "ends": "2021-12-31"});
    let item = |id: i64, code: &str, at: &str| {
        json!({"id": id, "strategy": code, "title": "Thing", "status": "planned", "progress": 0,
               "created_at": at})
    };
    let doc = json!({
        "format": "strat", "version": 1,
        "strategies": [strategy("s"), strategy("t"), strategy("empty")],
        "items": [item(1, "s", "2021-05-01T10:00:00Z"), item(2, "t", "2021-02-01T10:00:00Z"),
                  item(3, "s", "2021-03-01T09:00:00Z"), item(4, "t", "2021-04-01T10:00:00Z")],
    });
    let file = write(&env, "three.json", &doc);
    env.ok(&["import", &file]);
    let events = env.json(&["export"])["strategy_events"].clone();
    let created: Vec<(&str, &str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap();
            (field("strategy"), field("action"), field("at"))
        })
        .collect();
    assert_eq!(created.len(), 3, "{events}");
    assert_eq!(created[0], ("s", "created", "2021-03-01T09:00:00.000000Z"));
    assert_eq!(created[1], ("t", "created", "2021-02-01T10:00:00.000000Z"));
    // No items: created as the import ran, after every item above.
    assert_eq!(created[2].0, "empty");
    assert!(created[2].2 > "2021-05-01", "{events}");
}

#[test]
fn bad_records_are_all_named_and_nothing_is_written() {
    let env = busy();
    let doc = json!({
        "format": "strat", "version": 1,
        "strategies": [
            {"code": "new-1", "title": "New", "starts": "2024-01-01", "ends": "2023-01-01"},
            {"code": "Bad Code", "title": "", "starts": "2024-02-30", "ends": "2025-01-01", "colour": "red"}
        ],
        "items": [
            {"id": 1, "strategy": "new-1", "title": "Fine"},
            {"id": 2, "strategy": "new-1", "title": "Bad", "progress": 150, "status": "finished", "due": "31/12/2021"},
            {"id": 3, "strategy": "new-1", "title": "Done?", "status": "completed", "progress": 100}
        ],
        "events": [{"item": 1, "at": "yesterday", "by": "x", "action": "exploded"}]
    });
    let file = write(&env, "bad.json", &doc);
    refused_naming(
        &env,
        &["import", &file],
        &[
            "strategies[0].ends",
            "strategies[1].code",
            "strategies[1].title",
            "strategies[1].starts",
            "strategies[1].colour: unknown field",
            "items[1].progress",
            "items[1].status",
            "items[1].due",
            "items[2].status: a completed item needs a completion date",
            "events[0].at",
            "events[0].action",
            "nothing was imported",
        ],
    );
}

#[test]
fn file_level_problems() {
    let env = busy();
    let path = env.dir.path().join("trunc.json");
    std::fs::write(
        &path,
        "{\"format\": \"strat\", \"version\": 1, \"items\": [",
    )
    .unwrap();
    let err = env.fails(&["import", path.to_str().unwrap()], 2);
    assert!(
        err.contains("not a complete strat export") && err.contains("EOF"),
        "{err}"
    );

    let err = env.fails(
        &[
            "import",
            &write(&env, "v.json", &json!({"format": "strat", "version": 2})),
        ],
        2,
    );
    assert!(err.contains("version"), "{err}");
    let err = env.fails(
        &[
            "import",
            &write(&env, "f.json", &json!({"format": "other", "version": 1})),
        ],
        2,
    );
    assert!(err.contains("format"), "{err}");
    let err = env.fails(&["import", "/no/such/file.json"], 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn an_existing_strategy_code_is_a_conflict() {
    let env = busy();
    let doc: Value = serde_json::from_str(&env.ok(&["export", "tech-2020"])).unwrap();
    let file = write(&env, "again.json", &doc);
    let err = env.fails(&["import", &file], 4);
    assert!(err.contains("'tech-2020' already exists"), "{err}");
    env.fails(&["import", &file, "--dry-run"], 4);
}

#[test]
fn history_that_does_not_lead_to_the_item_is_refused() {
    let env = busy();
    let mut doc: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    doc["items"][0]["progress"] = json!(99);
    let other = Env::new();
    let err = other.fails(&["import", &write(&env, "tampered.json", &doc)], 2);
    assert!(
        err.contains("items[0]: its events lead to other values"),
        "{err}"
    );
}

#[test]
fn links_must_stay_inside_the_file() {
    let env = busy();
    env.ok(&["carry-forward", "tech-2020", "digital-2024", "--item", "2"]);
    let doc: Value = serde_json::from_str(&env.ok(&["export", "tech-2020"])).unwrap();
    let other = Env::new();
    let err = other.fails(&["import", &write(&env, "half.json", &doc)], 2);
    assert!(
        err.contains("carried_to") && err.contains("not in the file"),
        "{err}"
    );
}

#[test]
fn dry_run_checks_and_changes_nothing() {
    let env = busy();
    let doc: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    let other = Env::new();
    other.ok(&["init"]);
    let before = other.dump();
    let r = other.run(&["import", &write(&env, "x.json", &doc), "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("would import 2 strategies, 3 items"),
        "{}",
        r.stderr
    );
    assert_eq!(before, other.dump());
}

#[test]
fn demo_loads_only_into_an_empty_database() {
    let env = busy();
    let err = env.fails(&["demo"], 4);
    assert!(err.contains("empty"), "{err}");
    let fresh = Env::on("2026-11-23");
    let out = fresh.ok(&["demo"]);
    assert!(
        out.contains("Kent County Council Technology Strategy 2020-2023"),
        "{out}"
    );
    assert!(out.contains("Implement Corporate OneDrive to replace personal drives"));
    let items = fresh.json(&["item", "list", "tech-2020"]);
    assert_eq!(items.as_array().unwrap().len(), 12);
}

#[test]
fn demo_without_a_database_uses_its_own_file_and_can_run_twice() {
    let env = Env::on("2026-11-23");
    for _ in 0..2 {
        let out = env
            .cmd()
            .env_remove("STRAT_DB")
            .arg("demo")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("demo.db"), "{err}");
    }
    assert!(env.dir.path().join("data/strat/demo.db").exists());
    assert!(!env.dir.path().join("data/strat/strat.db").exists());
}

fn write_text(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn csv_import_adds_items_to_a_strategy() {
    let env = busy();
    let file = write_text(
        &env,
        "plan.csv",
        "\u{feff}title,ref,owner,status,progress,start,due,description,completed_on\n\
         Intune rollout,T10,\"Workplace, mobile\",in-progress,35,2020-10-01,2021-06-30,\"Said \"\"done\"\"\nsoon\",\n\
         Managed Desktop,T09,,completed,100,,,,2021-10-29\n\
         '=not a formula,,,,,,,,\n",
    );
    let r = env.run(&["import", &file, "--strategy", "tech-2020"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("3 items"), "{}", r.stderr);
    let items = env.json(&["item", "list", "--search", "intune"]);
    let intune = &items[0];
    assert_eq!(intune["id"], 4);
    assert_eq!(intune["owner"], "Workplace, mobile");
    assert_eq!(intune["description"], "Said \"done\"\nsoon");
    assert_eq!(intune["due"], "2021-06-30");
    let md = env.json(&["item", "show", "5"]);
    assert_eq!(md["status"], "completed");
    assert_eq!(md["events"][0]["action"], "created");
    assert_eq!(env.json(&["item", "show", "6"])["title"], "=not a formula");
}

#[test]
fn csv_export_of_item_list_imports_back() {
    let env = busy();
    env.ok(&[
        "item",
        "update",
        "1",
        "--title",
        "=SUM(A1), \"quoted\"",
        "--description",
        "line one\nline two",
    ]);
    let csv = env.ok(&["--format", "csv", "item", "list", "tech-2020"]);
    // the spreadsheet sees text, not a formula, and a note's line break
    // stays inside its quoted cell
    assert!(csv.contains("\"'=SUM(A1), \"\"quoted\"\"\""), "{csv}");
    assert!(csv.contains("\"line one\nline two\""), "{csv}");
    let other = Env::new();
    other.ok(&[
        "strategy",
        "add",
        "copy",
        "--title",
        "Copy",
        "--period",
        "2020-2023",
    ]);
    let file = write_text(&other, "items.csv", &csv.replace("tech-2020", "copy"));
    other.ok(&["import", &file, "--strategy", "copy"]);
    let titles: Vec<String> = other
        .json(&["item", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles[0], "=SUM(A1), \"quoted\"");
    assert_eq!(titles.len(), 3);
}

#[test]
fn csv_bad_rows_are_named_by_line_and_column() {
    let env = busy();
    let file = write_text(
        &env,
        "bad.csv",
        "title,progress,due,status\nGood,10,2022-01-01,planned\nBad,150,2021-02-30,finished\n,5,,\n",
    );
    refused_naming(
        &env,
        &["import", &file, "--strategy", "tech-2020"],
        &[
            "line 3, column progress",
            "line 3, column due",
            "line 3, column status",
            "line 4, column title: is required",
        ],
    );
    // An unknown column is named once, and ignored.
    let file = write_text(&env, "cols.csv", "title,colour\nX,red\nY,blue\n");
    let r = env.run(&["import", &file, "--strategy", "tech-2020"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.matches("'colour'").count(), 1, "{}", r.stderr);
    let file = write_text(&env, "ragged.csv", "title,owner\nX,a,b\n");
    let err = env.fails(&["import", &file, "--strategy", "tech-2020"], 2);
    assert!(err.contains("line 2"), "{err}");
    let ok = write_text(&env, "ok.csv", "title,ref\nX,T01\n");
    env.fails(&["import", &ok, "--strategy", "nope"], 3);
    env.fails(&["import", &ok, "--strategy", "tech-2020"], 4); // T01 is taken
    let err = env.fails(&["import", &ok], 2);
    assert!(err.contains("--strategy"), "{err}");
}

#[test]
fn history_links_must_name_items_of_the_file() {
    let env = busy();
    env.ok(&["carry-forward", "tech-2020", "digital-2024", "--item", "2"]);
    let mut doc: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    let events = doc["events"].as_array_mut().unwrap();
    let carried = events
        .iter_mut()
        .find(|e| e["action"] == "carried-forward")
        .unwrap();
    carried["changes"][1]["from"] = json!("77");
    let other = Env::new();
    let err = other.fails(&["import", &write(&env, "links.json", &doc)], 2);
    assert!(
        err.contains("carried_to names item 77, which is not in the file"),
        "{err}"
    );
}

#[test]
fn history_that_does_not_follow_on_is_refused() {
    let env = busy();
    let mut doc: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    // item 1's pinned health says it changed from "green", but it had none
    let events = doc["events"].as_array_mut().unwrap();
    let pin = events
        .iter_mut()
        .find(|e| e["item"] == 1 && e["action"] == "updated")
        .unwrap();
    pin["changes"][0]["from"] = json!("green");
    let other = Env::new();
    let err = other.fails(&["import", &write(&env, "from.json", &doc)], 2);
    assert!(
        err.contains("rag_override changes from green but was nothing"),
        "{err}"
    );
}

#[test]
fn import_into_a_new_database_creates_it_only_when_it_succeeds() {
    let source = busy();
    let doc: Value = serde_json::from_str(&source.ok(&["export"])).unwrap();
    let fresh = Env::new();
    let listing = |env: &Env| {
        let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    // A file whose last item's history does not replay: refused at the end,
    // after everything before it was written into the temporary file.
    let mut bad = doc.clone();
    bad["events"].as_array_mut().unwrap().push(json!({
        "item": 1, "at": "2021-12-30T10:00:00Z", "by": "x", "action": "updated",
        "changes": [{"field": "title", "from": "Not the title", "to": "Other"}]
    }));
    let bad_file = write(&fresh, "bad.json", &bad);
    let err = fresh.fails(&["import", &bad_file], 2);
    assert!(err.contains("items[0]: its events do not replay"), "{err}");
    assert_eq!(listing(&fresh), ["bad.json"], "nothing is left behind");

    let good_file = write(&fresh, "good.json", &doc);
    fresh.ok(&["import", &good_file]);
    if !fresh.is_postgres() {
        assert_eq!(listing(&fresh), ["bad.json", "good.json", "strat.db"]);
    }
    assert_eq!(fresh.ok(&["export"]), source.ok(&["export"]));
    assert_eq!(fresh.ok(&["check"]).trim(), "No problems found.");
}

#[test]
fn histories_are_judged_as_stored_whatever_their_order_in_the_file() {
    let source = busy();
    let export = source.ok(&["export"]);
    let doc: Value = serde_json::from_str(&export).unwrap();

    // Reversed, and with the first event moved to the end: each history
    // is still whole once stored by time, so the import is the same.
    for (name, reorder) in [
        (
            "reversed",
            (|e: &mut Vec<Value>| e.reverse()) as fn(&mut Vec<Value>),
        ),
        ("rotated", |e: &mut Vec<Value>| e.rotate_left(1)),
    ] {
        let mut shuffled = doc.clone();
        reorder(shuffled["events"].as_array_mut().unwrap());
        let env = Env::new();
        env.ok(&["import", &write(&env, &format!("{name}.json"), &shuffled)]);
        assert_eq!(env.ok(&["export"]), export, "{name}");
    }

    // An item whose fields are not where its history leads is refused,
    // named with the field, and nothing is written.
    let mut edited = doc.clone();
    edited["items"][0]["title"] = json!("Edited after export");
    let env = Env::new();
    let err = env.fails(&["import", &write(&env, "edited.json", &edited)], 2);
    assert!(
        err.contains("items[0]: its events lead to other values than the item has (title)"),
        "{err}"
    );
    assert!(!env.db.exists());
}

#[test]
fn an_import_into_an_empty_database_leaves_every_index_in_place() {
    if !common::sqlite_only("indexes set aside for a load are SQLite's") {
        return;
    }
    let source = busy();
    let file = write(&source, "export.json", &source.json(&["export"]));
    let indexes = |env: &Env| {
        env.query_text(
            "SELECT group_concat(name || ': ' || sql, char(10)) FROM (SELECT name, sql \
             FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)",
        )
    };
    let expected = indexes(&source);
    assert!(expected.contains("event_by_item"), "{expected}");

    // No file yet (built aside and linked into place), and an empty file.
    let fresh = Env::new();
    fresh.ok(&["import", &file]);
    assert_eq!(indexes(&fresh), expected);
    let empty = Env::new();
    empty.ok(&["init"]);
    empty.ok(&["import", &file]);
    assert_eq!(indexes(&empty), expected);
    assert_eq!(empty.ok(&["export"]), source.ok(&["export"]));

    // A load that fails is rolled back with its indexes as they were.
    let refused = Env::new();
    refused.ok(&["init"]);
    let mut doc = source.json(&["export"]);
    doc["items"][0]["title"] = json!("Edited after export");
    let bad = write(&refused, "bad.json", &doc);
    refused.fails(&["import", &bad], 2);
    assert_eq!(indexes(&refused), expected);
}

#[test]
fn records_of_the_wrong_shape_are_named_and_reading_goes_on() {
    let env = busy();
    let doc = json!({
        "format": "strat", "version": 1,
        "strategies": [{"code": "new-1", "title": "New", "starts": "2024-01-01", "ends": "2025-12-31"}],
        "items": [
            7,
            {"id": 2, "strategy": "new-1", "title": ["a", "list"], "progress": 1.5},
            {"id": 3, "strategy": "new-1", "title": "Fine", "owner": {"name": "x"}}
        ],
        "events": [
            {"item": 3, "at": "2024-01-02T00:00:00Z", "by": "x", "action": "created", "changes": "none"},
            {"item": 3, "at": "2024-01-03T00:00:00Z", "by": "x", "action": "updated",
             "changes": [{"field": "title", "from": "Fine", "to": 5}]},
            [1, 2]
        ]
    });
    let file = write(&env, "shapes.json", &doc);
    refused_naming(
        &env,
        &["import", &file],
        &[
            "items[0]: expected an object",
            r#"items[1].title: expected text, found ["a","list"]"#,
            "items[1].progress: expected a whole number, found 1.5",
            r#"items[2].owner: expected text, found {"name":"x"}"#,
            r#"events[0].changes: expected a list of {field, from, to}: found "none""#,
            "events[1].changes: expected a list of {field, from, to}: [0] has to 5; expected text or null",
            "events[2]: expected an object",
        ],
    );
}

#[test]
fn a_broken_file_is_placed_by_line_and_column_as_any_json_reader_would() {
    let env = busy();
    let text = serde_json::to_string_pretty(&env.json(&["export"])).unwrap();
    let broken = text.replacen("\"progress\": ", "\"progress\": +", 2);
    let cut = text[..text.len() * 2 / 3].to_string();
    for (name, bad) in [("broken.json", broken), ("cut.json", cut)] {
        let whole_file = serde_json::from_str::<Value>(&bad).unwrap_err().to_string();
        let err = env.fails(&["import", &write_text(&env, name, &bad)], 2);
        assert!(
            err.contains(&format!("not a complete strat export: {whole_file}")),
            "{name}: expected {whole_file:?} in\n{err}"
        );
    }
}

#[test]
fn numbers_given_twice_or_taken_are_refused() {
    let env = busy();
    let doc = env.json(&["export"]);

    let fresh = Env::new();
    let refused = |name: &str, doc: &Value, message: &str| {
        let file = write(&fresh, name, doc);
        refused_naming(&fresh, &["import", &file], &[message]);
    };
    let mut twice = doc.clone();
    twice["events"][2]["id"] = twice["events"][0]["id"].clone();
    refused("twice.json", &twice, "events[2].id: 1 appears twice");
    let mut twice = doc.clone();
    twice["strategy_events"][1]["id"] = twice["strategy_events"][0]["id"].clone();
    refused(
        "twice.json",
        &twice,
        "strategy_events[1].id: 1 appears twice",
    );

    // The first event gets the next free number, 1, which the second names.
    let mut taken = doc.clone();
    taken["events"][0].as_object_mut().unwrap().remove("id");
    taken["events"][1]["id"] = json!(1);
    refused("taken.json", &taken, "number every event or none");

    // Items alike: the first gets number 1, which the second names.
    let items = json!({
        "format": "strat", "version": 1,
        "strategies": [{"code": "s-1", "title": "S", "starts": "2024-01-01", "ends": "2025-12-31"}],
        "items": [{"strategy": "s-1", "title": "A"}, {"id": 1, "strategy": "s-1", "title": "B"}]
    });
    refused(
        "items.json",
        &items,
        "items[1]: its number is taken by an item of the file without one",
    );
    assert_eq!(fresh.dump(), "<no database>");
}

#[test]
fn a_larger_file_comes_back_as_it_went_in() {
    // Events are written in groups and the file is read in pieces of
    // 64 KiB: 701 items make 1,402 events (not a whole number of groups)
    // in a file of several pieces.
    let env = Env::new();
    let text = common::synthetic_export(3, 701);
    assert!(text.len() > 4 * 65_536, "{}", text.len());
    env.ok(&["import", &write_text(&env, "many.json", &text)]);
    let sent: Value = serde_json::from_str(&text).unwrap();
    let back = env.json(&["export"]);
    assert_eq!(back["events"].as_array().unwrap().len(), 1_402);
    for (a, b) in sent["events"]
        .as_array()
        .unwrap()
        .iter()
        .zip(back["events"].as_array().unwrap())
    {
        for key in ["id", "item", "at", "by", "action", "changes", "note"] {
            assert_eq!(a[key], b[key], "{key} of {a}");
        }
    }
    for (a, b) in sent["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(back["items"].as_array().unwrap())
    {
        for (key, value) in a.as_object().unwrap() {
            assert_eq!(value, &b[key], "{key} of {a}");
        }
    }
    assert_eq!(env.ok(&["check"]).trim(), "No problems found.");
}

/// Gives the records of a list other numbers than one after another:
/// none for those in `without` (they get the next ones), numbers moved up
/// past a gap from `gap_from` on, and the numbers of `swapped` and the
/// record after it exchanged.
fn renumber(
    records: &mut [Value],
    without: std::ops::Range<usize>,
    gap_from: usize,
    swapped: usize,
) {
    for r in &mut records[without] {
        r.as_object_mut().unwrap().remove("id");
    }
    for r in &mut records[gap_from..] {
        r["id"] = json!(r["id"].as_i64().unwrap() + 1_000);
    }
    let (a, b) = (
        records[swapped]["id"].clone(),
        records[swapped + 1]["id"].clone(),
    );
    records[swapped]["id"] = b;
    records[swapped + 1]["id"] = a;
}

/// Imports `doc` into an empty database and into one with data, and
/// checks that each record of `list` keeps the number the file gives it
/// (or, without one, the next), moved up in the second past the numbers in
/// use. `key(record, item_offset)` names a record alike in the file and in
/// the export, whose item numbers are moved up by `item_offset`.
fn keeps_numbers(doc: &Value, list: &str, table: &str, key: fn(&Value, i64) -> String) {
    let given: std::collections::BTreeMap<String, i64> = doc[list]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, r)| (key(r, 0), r["id"].as_i64().unwrap_or(n as i64 + 1)))
        .collect();
    let seq = |env: &Env, table: &str| env.counter(table);
    let busy = busy();
    let offsets = (seq(&busy, table), seq(&busy, "item"));
    for (env, (offset, item_offset)) in [(Env::new(), (0, 0)), (busy, offsets)] {
        env.ok(&["import", &write(&env, "numbers.json", doc)]);
        let back = env.json(&["export", "s-0", "s-1"]);
        let kept: std::collections::BTreeMap<String, i64> = back[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (key(r, item_offset), r["id"].as_i64().unwrap() - offset))
            .collect();
        assert_eq!(kept, given, "moved up by {offset}");
        assert_eq!(env.ok(&["check"]).trim(), "No problems found.");
    }
}

#[test]
fn event_numbers_are_kept_whether_they_run_on_leave_gaps_or_are_missing() {
    // Events are written in groups of 32; a group whose numbers run on from
    // the last is numbered by SQLite, any other with the file's numbers.
    let mut doc: Value = serde_json::from_str(&common::synthetic_export(2, 100)).unwrap();
    renumber(doc["events"].as_array_mut().unwrap(), 40..50, 100, 150);
    keeps_numbers(&doc, "events", "event", |e, item_offset| {
        format!("{} {}", e["item"].as_i64().unwrap() - item_offset, e["at"])
    });
}

#[test]
fn item_numbers_are_kept_whether_they_run_on_leave_gaps_or_are_missing() {
    // Items whose numbers run on from the last are written in groups of 16
    // numbered by SQLite; any other at once with the file's number.
    let mut doc: Value = serde_json::from_str(&common::synthetic_export(2, 60)).unwrap();
    doc["events"] = json!([]);
    renumber(doc["items"].as_array_mut().unwrap(), 5..9, 20, 40);
    keeps_numbers(&doc, "items", "item", |i, _| i["title"].to_string());
}

#[test]
fn how_a_file_is_laid_out_does_not_change_what_is_stored() {
    // strat's own export writes changes as the database stores them, and
    // they are stored as they are; laid out otherwise, they are read and
    // written anew. Both must store the same.
    let env = busy();
    let exported = env.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let compact = Env::new();
    compact.ok(&["import", &write_text(&compact, "compact.json", &exported)]);
    let pretty = Env::new();
    pretty.ok(&["import", &write(&pretty, "pretty.json", &doc)]);
    // Each import is a command of its own moment.
    for env in [&compact, &pretty] {
        env.exec("UPDATE command SET at = '2021-12-31T12:00:00.000000Z'");
    }
    assert_eq!(compact.dump(), pretty.dump());
    let changes = "SELECT changes FROM event ORDER BY id";
    assert_eq!(compact.texts(changes), env.texts(changes));
}

/// An export of `busy()` with one change made by `edit`, into a fresh
/// database: refused with exit 2 naming `expected`, nothing written.
fn edited_export_is_refused(edit: impl FnOnce(&mut Value), expected: &[&str]) -> String {
    let env = busy();
    let mut doc = env.json(&["export"]);
    edit(&mut doc);
    let fresh = Env::new();
    let file = write(&fresh, "edited.json", &doc);
    let err = refused_naming(&fresh, &["import", &file], expected);
    assert_eq!(fresh.dump(), "<no database>");
    err
}

#[test]
fn a_time_outside_years_1_to_9999_is_refused() {
    edited_export_is_refused(
        |doc| doc["events"][0]["at"] = json!("0000-01-01T00:30:00+01:00"),
        &["events[0].at", "outside years 1 to 9999"],
    );
    edited_export_is_refused(
        |doc| doc["items"][0]["created_at"] = json!("+10000-01-01T00:00:00Z"),
        &["items[0].created_at"],
    );
    edited_export_is_refused(
        |doc| doc["items"][0]["due"] = json!("0000-06-01"),
        &["items[0].due", "year 0"],
    );
}

#[test]
fn control_characters_and_blank_names_are_refused() {
    edited_export_is_refused(
        |doc| doc["items"][0]["title"] = json!("\u{0}Corporate OneDrive"),
        &["items[0].title", "\\x00"],
    );
    edited_export_is_refused(
        |doc| doc["items"][1]["owner"] = json!("x\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}"),
        &["items[1].owner", "\\x1b"],
    );
    edited_export_is_refused(
        |doc| doc["items"][0]["ref"] = json!("   "),
        &["items[0].ref", "blank"],
    );
    edited_export_is_refused(
        |doc| doc["events"][0]["by"] = json!("tester\u{1b}[2J"),
        &["events[0].by", "\\x1b"],
    );
    edited_export_is_refused(
        |doc| doc["events"][0]["changes"][0]["to"] = json!("T\u{7}"),
        &["events[0].changes", "\\x07"],
    );
    // a note may hold line breaks and tabs, nothing else
    edited_export_is_refused(
        |doc| doc["strategies"][0]["description"] = json!("one\n\ttwo\u{8}"),
        &["strategies[0].description", "\\x08"],
    );
    // A bad value quoted back is shown, not obeyed.
    let stderr = edited_export_is_refused(
        |doc| doc["items"][0]["x\u{1b}[2J\u{1b}]52;c;eA==\u{7}"] = json!(1),
        &["unknown field", "\\x1b[2J"],
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
}

#[test]
fn numbers_that_leave_no_room_for_new_ones_are_refused() {
    edited_export_is_refused(
        |doc| {
            let last = doc["items"].as_array().unwrap().len() - 1;
            doc["items"][last]["id"] = json!(i64::MAX);
        },
        &["items[", ".id", "9223372036854775807"],
    );
    edited_export_is_refused(
        |doc| doc["events"][3]["id"] = json!(9_007_199_254_740_992_i64),
        &["events[3].id"],
    );
    // the highest number allowed still leaves room
    let env = Env::new();
    let doc = json!({
        "format": "strat", "version": 1,
        "strategies": [{"code": "s-1", "title": "S", "starts": "2024-01-01", "ends": "2025-12-31"}],
        "items": [{"id": 9_007_199_254_740_991_i64, "strategy": "s-1", "title": "Last"}]
    });
    env.ok(&["import", &write(&env, "high.json", &doc)]);
    env.ok(&["item", "add", "s-1", "After"]);
}

#[test]
fn carry_links_that_go_round_in_a_circle_are_refused() {
    let env = Env::new();
    let doc = json!({
        "format": "strat", "version": 1,
        "strategies": [{"code": "s-1", "title": "S", "starts": "2024-01-01", "ends": "2025-12-31"}],
        "items": [
            {"id": 1, "strategy": "s-1", "title": "A", "status": "carried-forward",
             "carried_from": 2, "carried_to": 2},
            {"id": 2, "strategy": "s-1", "title": "B", "status": "carried-forward",
             "carried_from": 1, "carried_to": 1}
        ]
    });
    refused_naming(
        &env,
        &["import", &write(&env, "circle.json", &doc)],
        &["items[0]", "go round in a circle (#1 → #2 → #1)"],
    );
    assert_eq!(env.dump(), "<no database>");
    let one_sided = json!({
        "format": "strat", "version": 1,
        "strategies": [{"code": "s-1", "title": "S", "starts": "2024-01-01", "ends": "2025-12-31"}],
        "items": [
            {"id": 1, "strategy": "s-1", "title": "A", "status": "carried-forward", "carried_to": 2},
            {"id": 2, "strategy": "s-1", "title": "B"}
        ]
    });
    refused_naming(
        &env,
        &["import", &write(&env, "one-sided.json", &one_sided)],
        &["items[0]", "does not name it as its origin"],
    );
}

#[test]
fn check_reports_a_circle_of_two_carry_links() {
    let env = busy();
    env.ok(&["carry-forward", "tech-2020", "digital-2024", "--item", "2"]);
    let carried = env.query_i64("SELECT carried_to FROM item WHERE id = 2");
    // as a file edited by hand could hold: each names the other both ways
    env.exec(&format!(
        "UPDATE item SET carried_from = {carried} WHERE id = 2; \
         UPDATE item SET carried_to = 2, status = 'carried-forward' WHERE id = {carried};"
    ));
    let r = env.run(&["check"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stdout
            .contains(&format!("go round in a circle (#2 → #{carried} → #2)")),
        "{}",
        r.stdout
    );
}

#[test]
fn the_document_s_keys_may_come_in_any_order() {
    let env = busy();
    let doc = env.json(&["export"]);
    // as `jq -S` writes it: every object's keys sorted, events first
    let sorted: Value = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
    fn sort_keys(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for k in keys {
                    out.insert(k.clone(), sort_keys(&m[k]));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sort_keys).collect()),
            other => other.clone(),
        }
    }
    let sorted = sort_keys(&sorted);
    let text = serde_json::to_string_pretty(&sorted).unwrap();
    assert!(
        text.find("\"events\"") < text.find("\"strategies\""),
        "events come first"
    );
    let fresh = Env::new();
    fresh.ok(&["import", &write_text(&fresh, "sorted.json", &text)]);
    assert_eq!(fresh.json(&["export"]), doc);
}

#[test]
fn export_import_export_is_the_identity_whatever_order_strategies_were_added_in() {
    let env = Env::new();
    // Added latest first, and edited in turn, so their histories interleave.
    for args in [
        &[
            "strategy",
            "add",
            "digital-2024",
            "--title",
            "Digital",
            "--period",
            "2024-2027",
        ][..],
        &[
            "strategy",
            "add",
            "tech-2020",
            "--title",
            "Technology",
            "--period",
            "2020-2023",
        ],
        &["strategy", "edit", "digital-2024", "--lead", "CIO"],
        &["strategy", "edit", "tech-2020", "--status", "adopted"],
        &["strategy", "edit", "digital-2024", "--status", "adopted"],
        &["item", "add", "digital-2024", "Intune"],
        &["item", "add", "tech-2020", "OneDrive"],
    ] {
        env.ok(args);
    }
    let first = env.ok(&["export"]);
    let again = Env::new();
    again.ok(&["import", &write_text(&again, "p.json", &first)]);
    assert_eq!(again.ok(&["export"]), first);
}
