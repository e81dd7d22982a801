//! The database's own checks: foreign keys, found whole or through the
//! links' indexes.

use super::Db;
use super::sql::Conn;
use crate::error::Result;

/// Every link of the schema, in both engines: `(table, column, the table
/// it names, the column it names there)`. A test holds it to SQLite's own
/// list of the foreign keys of `schema.sql`.
pub(super) const LINKS: &[(&str, &str, &str, &str)] = &[
    ("strategy", "supersedes", "strategy", "id"),
    ("item", "strategy_id", "strategy", "id"),
    ("item", "carried_from", "item", "id"),
    ("item", "carried_to", "item", "id"),
    ("command", "undone_by", "command", "id"),
    ("event", "item_id", "item", "id"),
    ("event", "command", "command", "id"),
    ("strategy_event", "strategy_id", "strategy", "id"),
    ("strategy_event", "command", "command", "id"),
    ("removed", "command", "command", "id"),
];

/// The rows of `child` whose `from` names no row of `parent` by `to`.
fn missing_parents_sql(child: &str, from: &str, parent: &str, to: &str) -> String {
    format!(
        "SELECT c.id FROM {child} c WHERE c.{from} IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM {parent} p WHERE p.{to} = c.{from})"
    )
}

impl Db<'_> {
    /// SQLite's foreign key check, one line per row pointing nowhere.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let Conn::Lite(conn) = self.conn else {
            return self.broken_links();
        };
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "foreign key: {} row {} points to a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?
                    .map_or("?".into(), |n| n.to_string()),
                r.get::<_, String>(2)?
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The rows [`Db::foreign_key_problems`] finds, each link looked for
    /// through an index on it where there is one: SQLite's own check reads
    /// each table in its order, and so looks up the items of events listed
    /// by time at random, five times slower.
    pub fn broken_links(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for (child, from, parent, to) in LINKS {
            let sql = missing_parents_sql(child, from, parent, to);
            self.each_row(&sql, &[], |r| {
                problems.push(format!(
                    "foreign key: {child} row {} points to a missing {parent}",
                    r.get::<i64>(0)?
                ));
                Ok(())
            })?;
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// The plan SQLite chooses for `sql`.
    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Links to missing records are found as SQLite's own check finds
    /// them, and events' items are looked up in item order, from their
    /// index, not in the order of the event table.
    #[test]
    fn broken_links_are_those_sqlite_finds() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::prepare(&mut conn, std::path::Path::new(":memory:"), true).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO strategy (id, code, title, status, starts, ends)
                 VALUES (1, 's-1', 'S', 'draft', '2024-01-01', '2025-12-31');
             INSERT INTO item (id, strategy_id, title, status, progress, carried_from,
                 created_at, updated_at, last_update)
                 VALUES (1, 1, 'A', 'planned', 0, NULL, 't', 't', '2024-01-01'),
                        (2, 9, 'B', 'planned', 0, 77, 't', 't', '2024-01-01');
             INSERT INTO event (id, item_id, at, effective, by, action, changes)
                 VALUES (1, 1, '2024-01-01T09:00:00.000000Z', '2024-01-01', 'x', 'created', '[]'),
                        (2, 5, '2024-01-01T09:00:00.000000Z', '2024-01-01', 'x', 'created', '[]');",
        )
        .unwrap();
        let mut links: Vec<(String, String, String, String)> = conn
            .prepare(
                "SELECT t.name, f.\"from\", f.\"table\", f.\"to\" FROM sqlite_schema t \
                 JOIN pragma_foreign_key_list(t.name) f WHERE t.type = 'table'",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut ours: Vec<(String, String, String, String)> = LINKS
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        links.sort();
        ours.sort();
        assert_eq!(ours, links, "LINKS is the schema's list of foreign keys");
        let db = Db::new(&conn);
        let mut ours = db.broken_links().unwrap();
        let mut sqlite = db.foreign_key_problems().unwrap();
        ours.sort();
        sqlite.sort();
        assert_eq!(ours.len(), 3, "{ours:?}");
        assert_eq!(ours, sqlite);
        let steps = plan(
            &conn,
            &missing_parents_sql("event", "item_id", "item", "id"),
        );
        assert!(
            steps[0].contains("COVERING INDEX event_by_item"),
            "{steps:?}"
        );
    }
}
