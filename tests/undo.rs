//! `strat undo`: each kind of command taken back, and the refusals.

mod common;

use common::Env;
use serde_json::Value;

fn item(env: &Env, id: &str) -> Value {
    let mut v = env.json(&["item", "show", id]);
    v.as_object_mut().unwrap().remove("events");
    v
}

/// The item as it stands, without the moments that a new change moves.
fn fields(env: &Env, id: &str) -> Value {
    let mut v = item(env, id);
    let o = v.as_object_mut().unwrap();
    o.remove("updated_at");
    o.remove("last_update");
    v
}

#[test]
fn an_update_is_set_back_with_a_change_that_says_so() {
    let env = Env::new().with_tech_2020();
    let before = fields(&env, "2");
    env.ok(&[
        "item",
        "update",
        "2",
        "--progress",
        "75",
        "--owner",
        "New team",
        "--note",
        "Q3",
    ]);
    let out = env.run(&["undo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("Took back your item update of"),
        "{}",
        out.stderr
    );
    assert_eq!(fields(&env, "2"), before);
    let history = env.json(&["item", "history", "2"]);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "undone");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .starts_with("Takes back item update")
    );
    // The note it added is no longer the latest.
    let list = env.json(&["item", "list"]);
    assert_eq!(list[1]["latest_note"], Value::Null, "{}", list[1]);
    // Undo again takes back the command before: item done on #3.
    env.ok(&["undo"]);
    assert_eq!(env.json(&["item", "show", "3"])["status"], "in-progress");
}

#[test]
fn a_dry_run_shows_what_would_be_restored_and_changes_nothing() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "update", "1", "2", "--progress", "75"]);
    let before = env.dump();
    let out = env.run(&["undo", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("progress 75 → 60"), "{}", out.stdout);
    assert!(out.stdout.contains("progress 75 → 40"), "{}", out.stdout);
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    assert_eq!(env.dump(), before);
    let plan = env.json(&["undo", "--dry-run"]);
    assert_eq!(plan["command"]["name"], "item update");
    assert_eq!(plan["steps"].as_array().unwrap().len(), 2, "{plan}");
}

#[test]
fn a_removed_item_comes_back_with_its_history() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "note", "3", "Licences bought"]);
    let kept = env.json(&["item", "show", "3"]);
    env.ok(&["item", "remove", "3", "--yes"]);
    env.fails(&["item", "show", "3"], 3);
    env.ok(&["undo"]);
    let back = env.json(&["item", "show", "3"]);
    let events = back["events"].as_array().unwrap();
    assert_eq!(
        &events[..events.len() - 1],
        kept["events"].as_array().unwrap().as_slice()
    );
    assert_eq!(events.last().unwrap()["action"], "undone");
    for key in [
        "title",
        "ref",
        "status",
        "completed_on",
        "progress",
        "created_at",
    ] {
        assert_eq!(back[key], kept[key], "{key}");
    }
    assert_eq!(
        env.json(&["item", "list"])[2]["latest_note"],
        "Licences bought"
    );
    env.ok(&["check"]);
    // Its note still belongs to the command that wrote it: undo goes on
    // to take that back.
    env.ok(&["undo"]);
    assert_eq!(env.json(&["item", "list"])[2]["latest_note"], Value::Null);
    env.ok(&["check"]);
}

#[test]
fn an_added_item_is_removed_again_and_a_new_strategy_too() {
    let env = Env::new();
    env.add_strategy("tech-2020", "Tech", "2020-2023");
    env.ok(&["item", "add", "tech-2020", "Replace the SAN"]);
    env.ok(&["undo"]);
    env.fails(&["item", "show", "1"], 3);
    env.ok(&["undo"]);
    env.fails(&["strategy", "show", "tech-2020"], 3);
    let err = env.fails(&["undo"], 3);
    assert!(err.contains("nothing of yours to undo"), "{err}");
    // Numbers are never handed out twice.
    env.add_strategy("tech-2020", "Tech", "2020-2023");
    env.ok(&["item", "add", "tech-2020", "Again"]);
    assert_eq!(env.json(&["item", "list"])[0]["id"], 2);
}

#[test]
fn a_change_by_someone_since_is_never_overwritten() {
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "update", "2", "--progress", "75"]);
    env.ok(&[
        "--by",
        "colleague",
        "item",
        "update",
        "2",
        "--progress",
        "80",
    ]);
    let before = env.dump();
    let err = env.fails(&["undo"], 4);
    assert!(
        err.contains("item #2's progress was changed since"),
        "{err}"
    );
    assert!(err.contains("colleague"), "{err}");
    assert_eq!(env.dump(), before);
    // A change to another field does not stand in the way.
    let env = Env::new().with_tech_2020();
    env.ok(&["item", "update", "2", "--progress", "75"]);
    env.ok(&[
        "--by",
        "colleague",
        "item",
        "update",
        "2",
        "--owner",
        "Storage team",
    ]);
    env.ok(&["undo"]);
    let now = env.json(&["item", "show", "2"]);
    assert_eq!(
        (now["progress"].as_i64(), now["owner"].as_str()),
        (Some(40), Some("Storage team"))
    );
    // Each person undoes their own commands.
    let err = env.fails(&["--by", "stranger", "undo"], 3);
    assert!(err.contains("stranger"), "{err}");
}

#[test]
fn an_import_is_taken_back_whole() {
    let source = Env::new().with_tech_2020();
    let file = source.dir.path().join("tech.json");
    std::fs::write(&file, source.ok(&["export"])).unwrap();
    let env = Env::new();
    env.add_strategy("other", "Other", "2024-2027");
    let before = env.json(&["export"]);
    env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(env.json(&["item", "list"]).as_array().unwrap().len(), 3);
    let out = env.run(&["undo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(env.json(&["export"]), before);
    env.ok(&["check"]);
}

#[test]
fn a_carry_forward_is_taken_back() {
    let env = Env::new().with_tech_2020();
    env.add_strategy("digital-2024", "Digital", "2024-2027");
    let summary =
        |env: &Env| env.json(&["report", "tech-2020"])["strategies"][0]["summary"].clone();
    let before = summary(&env);
    env.ok(&["carry-forward", "tech-2020", "digital-2024"]);
    assert_eq!(
        env.json(&["item", "show", "1"])["status"],
        "carried-forward"
    );
    env.ok(&["undo"]);
    for id in ["1", "2"] {
        let i = env.json(&["item", "show", id]);
        assert_eq!(
            (i["status"].as_str(), &i["carried_to"]),
            (Some("in-progress"), &Value::Null)
        );
    }
    assert_eq!(
        env.json(&["item", "list", "digital-2024"]),
        serde_json::json!([])
    );
    assert_eq!(summary(&env), before);
    env.ok(&["check"]);
}

#[test]
fn a_removed_strategy_comes_back_with_its_items() {
    let env = Env::new().with_tech_2020();
    env.ok(&["strategy", "note", "tech-2020", "Refreshed at committee"]);
    let before = env.json(&["export"]);
    env.ok(&["strategy", "remove", "tech-2020", "--force"]);
    env.fails(&["strategy", "show", "tech-2020"], 3);
    env.ok(&["undo"]);
    let after = env.json(&["export"]);
    assert_eq!(after["strategies"], before["strategies"]);
    assert_eq!(after["strategy_events"], before["strategy_events"]);
    let items = after["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for (a, b) in items.iter().zip(before["items"].as_array().unwrap()) {
        assert_eq!(
            (&a["id"], &a["title"], &a["status"]),
            (&b["id"], &b["title"], &b["status"])
        );
    }
    env.ok(&["check"]);
}

#[test]
fn a_withdrawn_note_still_shows_as_known_before_the_undo() {
    let env = Env::on("2021-12-30").with_tech_2020();
    env.ok(&["item", "note", "2", "Supplier chosen"]);
    let env = Env {
        today: "2021-12-31".into(),
        ..env
    };
    env.ok(&["undo"]);
    let now = env.json(&["item", "list"]);
    assert_eq!(now[1]["latest_note"], Value::Null);
    // strat undo ran on the 31st; as known on the 30th, the note stood.
    let then = env.json(&["item", "list", "--known-on", "2021-12-30"]);
    assert_eq!(then[1]["latest_note"], "Supplier chosen");
}

#[test]
fn a_strategy_edit_is_set_back() {
    let env = Env::new().with_tech_2020();
    env.ok(&[
        "strategy",
        "edit",
        "tech-2020",
        "--status",
        "adopted",
        "--lead",
        "Cabinet Member",
    ]);
    env.ok(&["undo"]);
    let s = env.json(&["strategy", "show", "tech-2020"]);
    assert_eq!(
        (s["status"].as_str(), &s["lead"]),
        (Some("interim"), &Value::Null)
    );
    env.ok(&["check"]);
    // A note on the strategy is withdrawn: the one before is the latest again.
    let note =
        |env: &Env| env.json(&["report", "tech-2020"])["strategies"][0]["note"]["text"].clone();
    env.ok(&["strategy", "note", "tech-2020", "Refreshed at committee"]);
    env.ok(&["strategy", "note", "tech-2020", "Typo"]);
    assert_eq!(note(&env), "Typo");
    env.ok(&["undo"]);
    assert_eq!(note(&env), "Refreshed at committee");
}
