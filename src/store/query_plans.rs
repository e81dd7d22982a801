//! The plans SQLite makes for the queries one-strategy commands run.

use super::events::{history_sql, notes_sql};
use super::items::{items_by_due_sql, items_sql};
use super::rows::{EVENT_COLUMNS, item_columns};
use crate::domain::model::Code;
use rusqlite::{Connection, params_from_iter};

/// The plan SQLite chooses for `sql`, one step a line; the first
/// parameters of `values` are bound.
fn plan(conn: &Connection, sql: &str, values: &[&str]) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let n = stmt.parameter_count();
    stmt.query_map(params_from_iter(&values[..n]), |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Asserts that the plan `steps` of query `name` finds the strategy by
/// its code and its items by their strategy, without scanning a table.
fn one_strategy_plan(name: &str, steps: &[String]) {
    let text = steps.join("\n");
    assert!(
        !steps.iter().any(|s| s.starts_with("SCAN")),
        "{name} scans:\n{text}"
    );
    assert!(
        text.contains("USING INDEX sqlite_autoindex_strategy_1")
            || text.contains("USING COVERING INDEX sqlite_autoindex_strategy_1"),
        "{name}: strategy not found by code:\n{text}"
    );
    assert!(
        text.contains("item_by_strategy") || text.contains("sqlite_autoindex_item_1"),
        "{name}: items not found by strategy:\n{text}"
    );
}

/// The queries one-strategy commands run must reach rows through an
/// index, never by reading a whole table: their cost follows the
/// strategy, not the database.
#[test]
fn one_strategy_queries_use_indexes() {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::store::schema::prepare(&mut conn, std::path::Path::new(":memory:"), true).unwrap();
    let code: Code = "tech-2020".parse().unwrap();
    let one = Some(&code);
    let cases = [
        ("items", items_sql(one)),
        ("history", history_sql(one)),
        ("latest notes", notes_sql(one)),
    ];
    for (name, sql) in cases {
        let steps = plan(&conn, &sql, &["tech-2020", "2024-12-31", "~"]);
        one_strategy_plan(name, &steps);
    }
    // Outstanding work binds its statuses before the code.
    let sql = items_by_due_sql(1, 3);
    let steps = plan(
        &conn,
        &sql,
        &["planned", "in-progress", "on-hold", "tech-2020"],
    );
    one_strategy_plan("outstanding", &steps);
    let item_columns = item_columns();
    for (name, sql) in [
        (
            "item by number",
            format!(
                "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id WHERE i.id = ?1"
            ),
        ),
        (
            "events of an item",
            format!("SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id = ?1 ORDER BY e.at, e.id"),
        ),
        (
            "history of an item as it holds",
            format!(
                "SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id >= ?1 \
                 ORDER BY e.item_id, e.effective, e.at, e.id"
            ),
        ),
    ] {
        let steps = plan(&conn, &sql, &["1"]);
        assert!(
            !steps.iter().any(|s| s.starts_with("SCAN")),
            "{name} scans:\n{}",
            steps.join("\n")
        );
    }
    // Notes come from the small index of noted events, for one strategy
    // and for all (where reading that index whole is the point).
    for scope in [one, None] {
        let text = plan(&conn, &notes_sql(scope), &["tech-2020", "2024-12-31", "~"]).join("\n");
        assert!(
            text.contains("USING COVERING INDEX event_notes"),
            "notes not read from their index:\n{text}"
        );
    }
}
