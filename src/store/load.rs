//! Bulk loading, for `strat import`: numbers handed out so far, records
//! written under the numbers the loader chose, and the settings of one
//! large write transaction.

use super::Db;
use super::rows::{
    event_values, insert_event_sql, insert_item_sql, insert_strategy_sql, item_values,
    strategy_values,
};
use super::sql::{Conn, Value};
use crate::domain::model::{Code, Event, Item, ItemId, Strategy, StrategyEvent};
use crate::error::Result;

/// The first numbers not yet handed out, see [`Db::next_ids`].
pub struct NextIds {
    pub strategy: i64,
    pub item: i64,
    pub event: i64,
    pub strategy_event: i64,
}

impl Db<'_> {
    /// The number of the strategy `code`, when it exists.
    pub fn strategy_id(&self, code: &Code) -> Result<Option<i64>> {
        self.query_opt(
            "SELECT id FROM strategy WHERE code = ?1",
            &[code.as_str().into()],
            |r| r.get(0),
        )
    }

    /// Stores a strategy under number `id`; what it supersedes is set
    /// once every strategy of the load is in.
    pub fn load_strategy(&self, id: i64, s: &Strategy) -> Result<()> {
        let mut values = strategy_values(s);
        values.push(Value::Int(id));
        self.insert_as(insert_strategy_sql(true), &values, true)?;
        Ok(())
    }

    /// Stores an item of strategy number `strategy`, under `number` or,
    /// when `None`, the next one the database hands out; returns its number.
    pub fn load_item(&self, strategy: i64, item: &Item, number: Option<i64>) -> Result<ItemId> {
        let sql = insert_item_sql("?1", number.is_some());
        let values = item_values(Value::Int(strategy), item, number);
        self.insert_as(&sql, &values, number.is_some()).map(ItemId)
    }

    /// Stores an event under `number` or the next free one; returns it.
    pub fn load_event(&self, event: &Event, number: Option<i64>) -> Result<i64> {
        let values = event_values(event, number, self.command()?);
        self.insert_as(
            insert_event_sql(number.is_some()),
            &values,
            number.is_some(),
        )
    }

    /// Stores an event of strategy number `strategy`; returns its number.
    pub fn load_strategy_event(
        &self,
        strategy: i64,
        event: &StrategyEvent,
        number: Option<i64>,
    ) -> Result<i64> {
        let command = self.command()?;
        self.put_strategy_event("?1", Value::Int(strategy), event, number, command)
    }

    /// The first numbers not yet handed out for items, item events and
    /// strategy events, so an import can number its records before writing.
    pub fn next_ids(&self) -> Result<NextIds> {
        let next = |table: &str| -> Result<i64> {
            let sql = match self.conn {
                Conn::Lite(_) => format!(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
                     coalesce((SELECT max(id) FROM {table}), 0)) + 1"
                ),
                Conn::Pg(_) => super::postgres::next_number_sql(table),
            };
            self.query_value(&sql, &[])
        };
        Ok(NextIds {
            strategy: self.query_value("SELECT coalesce(max(id), 0) + 1 FROM strategy", &[])?,
            item: next("item")?,
            event: next("event")?,
            strategy_event: next("strategy_event")?,
        })
    }

    /// Gives this connection a larger page cache for a bulk load that keeps
    /// its indexes up to date, so their pages stay in memory instead of
    /// being written out and read back. A load into an empty database, which
    /// builds its out-of-order indexes at the end, writes everything else in
    /// order and needs little more than the usual.
    pub fn bulk_cache(&self, indexes_kept: bool) -> Result<()> {
        let Conn::Lite(conn) = self.conn else {
            return Ok(());
        };
        let kib = if indexes_kept { 32_000 } else { 8_000 };
        conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// Drops the secondary indexes of `table` for a bulk load into an empty
    /// database and returns their definitions for [`Db::restore_indexes`]:
    /// SQLite builds an index from all its rows at once in about a third of
    /// the time it takes to keep it up to date row by row when rows come in
    /// another order than the index's. Indexes that enforce a UNIQUE
    /// constraint stay.
    /// (PostgreSQL keeps its indexes as they are.)
    pub fn suspend_indexes(&self, table: &str) -> Result<Vec<String>> {
        let Conn::Lite(conn) = self.conn else {
            return Ok(Vec::new());
        };
        let indexes: Vec<(String, String)> = conn
            .prepare(
                "SELECT s.name, s.sql FROM sqlite_schema s \
                 JOIN pragma_index_list(?1) i ON i.name = s.name \
                 WHERE i.origin = 'c' ORDER BY s.rowid",
            )?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            // A name cannot be a bound parameter; these come from the schema.
            let quoted = name.replace('"', "\"\"");
            conn.execute_batch(&format!("DROP INDEX \"{quoted}\""))?;
        }
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    /// Builds again the indexes [`Db::suspend_indexes`] dropped, at the end
    /// of a load, when no other thread of this process has work left: SQLite
    /// is let sort the entries in pieces on a thread of its own while this
    /// one goes on reading the table. (The pieces' size follows the page
    /// cache's; pieces of 2 MB kept both threads busiest.)
    pub fn restore_indexes(&self, definitions: &[String]) -> Result<()> {
        let Conn::Lite(conn) = self.conn else {
            return Ok(());
        };
        if definitions.is_empty() {
            return Ok(());
        }
        let cache: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        conn.pragma_update(None, "threads", 1)?;
        conn.pragma_update(None, "cache_size", -2_000)?;
        let built = definitions
            .iter()
            .try_for_each(|sql| conn.execute_batch(sql));
        conn.pragma_update(None, "threads", 0)?;
        conn.pragma_update(None, "cache_size", cache)?;
        Ok(built?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// Indexes set aside for a load come back as they were, with what
    /// they index, and the connection's settings are left as found.
    #[test]
    fn suspended_indexes_come_back_whole() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::prepare(&mut conn, std::path::Path::new(":memory:"), true).unwrap();
        let schema = |conn: &Connection| -> Vec<(String, Option<String>)> {
            conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let before = schema(&conn);
        conn.pragma_update(None, "cache_size", -5_000).unwrap();
        let db = Db::new(&conn);
        let mut set_aside = db.suspend_indexes("item").unwrap();
        set_aside.extend(db.suspend_indexes("event").unwrap());
        let left = schema(&conn);
        assert!(
            left.iter()
                .all(|(name, _)| !name.starts_with("item_by") && !name.starts_with("event_"))
        );
        assert!(
            left.iter()
                .any(|(name, _)| name == "sqlite_autoindex_item_1")
        );
        conn.execute_batch(
            "INSERT INTO strategy (id, code, title, status, starts, ends)
                 VALUES (1, 's-1', 'S', 'draft', '2024-01-01', '2025-12-31');
             INSERT INTO item (id, strategy_id, title, status, progress, created_at, updated_at, last_update)
                 VALUES (1, 1, 'A', 'planned', 0, 't', 't', '2024-01-01');
             INSERT INTO event (id, item_id, at, effective, by, action, changes, note)
                 VALUES (1, 1, '2024-01-01T09:00:00.000000Z', '2024-01-01', 'x', 'noted', '[]', 'n');",
        )
        .unwrap();
        db.restore_indexes(&set_aside).unwrap();
        assert_eq!(schema(&conn), before);
        let noted: i64 = conn
            .query_row(
                "SELECT count(*) FROM event INDEXED BY event_notes WHERE note IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(noted, 1);
        let setting =
            |name: &str| -> i64 { conn.pragma_query_value(None, name, |r| r.get(0)).unwrap() };
        assert_eq!((setting("cache_size"), setting("threads")), (-5_000, 0));
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
    }
}
