//! The database's own checks: foreign keys, found whole or through the
//! links' indexes.

use super::Db;
use crate::error::Result;

/// One column of a foreign key, as `pragma_foreign_key_list` gives it.
struct LinkColumn {
    child: String,
    link: i64,
    parent: String,
    from: String,
    to: Option<String>,
}

/// The rows of `child` whose `from` names no row of `parent` by `to`.
fn missing_parents_sql(child: &str, from: &str, parent: &str, to: &str) -> String {
    // Names cannot be bound parameters; these come from the schema.
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    format!(
        "SELECT c.rowid FROM {child} c WHERE c.{from} IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM {parent} p WHERE p.{to} = c.{from})",
        child = quote(child),
        parent = quote(parent),
        from = quote(from),
        to = quote(to),
    )
}

impl Db<'_> {
    /// SQLite's foreign key check, one line per row pointing nowhere.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
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
        let links: Vec<LinkColumn> = self
            .conn
            .prepare(
                "SELECT t.name, f.id, f.\"table\", f.\"from\", f.\"to\" FROM sqlite_schema t \
                 JOIN pragma_foreign_key_list(t.name) f WHERE t.type = 'table' \
                 ORDER BY t.name, f.id, f.seq",
            )?
            .query_map([], |r| {
                Ok(LinkColumn {
                    child: r.get(0)?,
                    link: r.get(1)?,
                    parent: r.get(2)?,
                    from: r.get(3)?,
                    to: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let simple = links.iter().all(|l| {
            l.to.is_some()
                && links
                    .iter()
                    .filter(|o| o.child == l.child && o.link == l.link)
                    .count()
                    == 1
        });
        if !simple {
            return self.foreign_key_problems();
        }
        let mut problems = Vec::new();
        for l in &links {
            let to = l.to.as_deref().expect("checked above");
            let mut stmt = self
                .conn
                .prepare(&missing_parents_sql(&l.child, &l.from, &l.parent, to))?;
            for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
                problems.push(format!(
                    "foreign key: {} row {} points to a missing {}",
                    l.child, row?, l.parent
                ));
            }
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
