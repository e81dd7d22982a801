//! Items: one at a time, a strategy's, every one as it is read, and in
//! order of their targets.

use super::Db;
use super::db::scope;
use super::rows::*;
use super::sql::Cursor;
use super::sql::Value;
use crate::domain::carry::Carry;
use crate::domain::model::{Code, Item, ItemId};
use crate::domain::vocab::Status;
use crate::error::{Error, Result};

/// The update of every field of an item, bound by [`bind_item`]: the
/// item is found by its number, and must still have its strategy and its
/// creation time, which never change.
fn update_item_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let columns: Vec<&str> = bound_columns().split(", ").collect();
        let place = |column: &str| columns.iter().position(|c| *c == column).expect("a column") + 2;
        let set: Vec<String> = columns
            .iter()
            .filter(|c| **c != "created_at")
            .map(|c| format!("{c} = ?{}", place(c)))
            .collect();
        format!(
            "UPDATE item SET {} WHERE id = ?{} \
         AND strategy_id = (SELECT id FROM strategy WHERE code = ?1) AND created_at = ?{}",
            set.join(", "),
            columns.len() + 2,
            place("created_at")
        )
    })
}

/// Unordered: one strategy's items come by status from its index, and
/// sorting them by number here would copy every row through a sorter.
pub(super) fn items_sql(code: Option<&Code>) -> String {
    let item_columns = item_columns();
    format!(
        "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id \
         WHERE {}",
        scope(code)
    )
}

/// Items in one of `statuses` statuses (bound first), of `codes`
/// strategies (bound next; all when none), soonest due first, undated
/// last, then by number.
pub(super) fn items_by_due_sql(codes: usize, statuses: usize) -> String {
    let marks = |from: usize, n: usize| {
        let marks: Vec<String> = (from..from + n).map(|k| format!("?{k}")).collect();
        marks.join(", ")
    };
    let of = if codes == 0 {
        String::new()
    } else {
        format!("AND s.code IN ({}) ", marks(statuses + 1, codes))
    };
    let item_columns = item_columns();
    format!(
        "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id \
         WHERE i.status IN ({}) {of}ORDER BY i.due IS NULL, i.due, i.id",
        marks(1, statuses)
    )
}

/// How many items [`Db::each_held_by_due`] stores with one statement.
const HELD_AT_ONCE: usize = 100;

impl Db<'_> {
    pub fn item(&self, id: ItemId) -> Result<Option<Item>> {
        let item_columns = item_columns();
        let sql = format!(
            "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE i.id = ?1"
        );
        self.query_opt(&sql, &[id.0.into()], item_row)
    }

    /// The items of one strategy, or of all when `code` is `None`, by number.
    pub fn items(&self, code: Option<&Code>) -> Result<Vec<Item>> {
        let sql = items_sql(code);
        let mut items = self.query(&sql, &[code.map(Code::as_str).into()], item_row)?;
        items.sort_by_cached_key(|i| i.id);
        Ok(items)
    }

    /// True when another item of the strategy already uses `reference`.
    pub fn ref_taken(&self, code: &Code, reference: &str, except: Option<ItemId>) -> Result<bool> {
        self.query_value(
            "SELECT EXISTS (SELECT 1 FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE s.code = ?1 AND i.ref = ?2 AND i.id IS DISTINCT FROM ?3)",
            &[
                code.as_str().into(),
                reference.into(),
                except.map(|i| i.0).into(),
            ],
        )
    }

    /// The item of strategy `code` whose ref is exactly `reference` (by the
    /// index of refs, for a sheet's rows).
    pub fn item_with_ref(&self, code: &Code, reference: &str) -> Result<Option<ItemId>> {
        self.query_opt(
            "SELECT i.id FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE s.code = ?1 AND i.ref = ?2",
            &[code.as_str().into(), reference.into()],
            |r| Ok(ItemId(r.get(0)?)),
        )
    }

    /// The items whose ref is `reference` (ignoring case), of strategy
    /// `code` or of any, with their strategy's code, by number.
    pub fn items_with_ref(
        &self,
        code: Option<&Code>,
        reference: &str,
    ) -> Result<Vec<(ItemId, Code)>> {
        self.query(
            "SELECT i.id, s.code FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE lower(i.ref) = lower(?2) AND (CAST(?1 AS TEXT) IS NULL OR s.code = ?1) \
             ORDER BY i.id",
            &[code.map(Code::as_str).into(), reference.into()],
            |r| Ok((ItemId(r.get(0)?), super::rows::parsed(r, 1)?)),
        )
    }

    /// Stores a new item, under its own number when `keep_id` (import into
    /// an empty database), else under the next free one, which is returned.
    pub fn insert_item(&self, item: &Item, keep_id: bool) -> Result<ItemId> {
        let sql = insert_item_sql("(SELECT id FROM strategy WHERE code = ?1)", keep_id);
        let values = item_values(
            item.strategy.as_str().into(),
            item,
            keep_id.then_some(item.id.0),
        );
        self.insert_as(&sql, &values, keep_id).map(ItemId)
    }

    /// Writes every field of an item that already exists. Its number,
    /// strategy and creation time never change.
    pub fn update_item(&self, item: &Item) -> Result<()> {
        let values = item_values(item.strategy.as_str().into(), item, Some(item.id.0));
        let n = self.execute(update_item_sql(), &values)?;
        // The row read inside this transaction is not the row there: only a
        // damaged table or index can do that.
        if n != 1 {
            return Err(Error::storage(format!(
                "item {} is not stored as it was read; the database is damaged\n\
                 Run strat check to see what, or restore it from a backup.",
                item.id
            )));
        }
        Ok(())
    }

    /// Removes an item and its events.
    pub fn delete_item(&self, id: ItemId) -> Result<()> {
        self.execute("DELETE FROM item WHERE id = ?1", &[id.0.into()])?;
        Ok(())
    }

    /// Sets the day of the latest change of every item numbered `from` or
    /// more from its history (after a load).
    pub fn derive_last_updates(&self, from: i64) -> Result<()> {
        self.execute(
            "UPDATE item SET last_update = coalesce(\
             (SELECT max(e.effective) FROM event e WHERE e.item_id = item.id), last_update) \
             WHERE id >= ?1",
            &[from.into()],
        )?;
        Ok(())
    }

    /// Items numbered `from` or more that have no history yet.
    pub fn items_without_history(&self, from: i64) -> Result<Vec<Item>> {
        let item_columns = item_columns();
        let sql = format!(
            "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE i.id >= ?1 AND NOT EXISTS (SELECT 1 FROM event e WHERE e.item_id = i.id) \
             ORDER BY i.id"
        );
        self.query(&sql, &[from.into()], item_row)
    }

    /// Every item, by number, read as `f` goes (see [`Cursor`]).
    pub fn each_item<R>(&self, f: impl FnOnce(&mut Cursor<Item>) -> Result<R>) -> Result<R> {
        let item_columns = item_columns();
        let sql = format!(
            "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             ORDER BY i.id"
        );
        self.cursor(&sql, &[], item_row, f)
    }

    /// Every item of the strategies `codes` (all when empty) in
    /// `statuses`, soonest due first, those without a due date last, then
    /// by number; read as `f` goes.
    pub fn each_item_by_due<R>(
        &self,
        codes: &[Code],
        statuses: &[Status],
        f: impl FnOnce(&mut Cursor<Item>) -> Result<R>,
    ) -> Result<R> {
        let sql = items_by_due_sql(codes.len(), statuses.len());
        let values: Vec<Value> = statuses
            .iter()
            .map(|s| s.as_str())
            .chain(codes.iter().map(Code::as_str))
            .map(Value::from)
            .collect();
        self.cursor(&sql, &values, item_row, f)
    }

    /// The items `fill` hands over, read back as [`Db::each_item_by_due`]
    /// orders them, as `f` goes. They are held in a temporary table, which
    /// the database keeps on disk beside a cache of a few pages: a list
    /// sorted after it is rebuilt (a past day's) need not hold its items in
    /// memory. The table is created and dropped in the caller's
    /// transaction, so a failure anywhere leaves nothing behind.
    pub fn each_held_by_due<R>(
        &self,
        fill: impl FnOnce(&mut dyn FnMut(&Item) -> Result<()>) -> Result<()>,
        f: impl FnOnce(&mut Cursor<Item>) -> Result<R>,
    ) -> Result<R> {
        // The columns in the order item_values binds them, typed as the
        // item table's.
        let columns = bound_columns();
        let item_columns: Vec<String> = columns.split(", ").map(|c| format!("i.{c}")).collect();
        self.batch(&format!(
            "CREATE TEMP TABLE held_item AS SELECT s.code AS strategy, {}, i.id \
             FROM item i JOIN strategy s ON s.id = i.strategy_id LIMIT 0",
            item_columns.join(", ")
        ))?;
        // Rows go in a hundred at a time: on a server, one at a time would
        // cost a round trip each (100,000 items took 6 s against 1.5 s).
        let per_row = columns.split(", ").count() + 2;
        let insert = |rows: usize| {
            let rows: Vec<String> = (0..rows)
                .map(|r| {
                    let marks: Vec<String> = (1..=per_row)
                        .map(|n| format!("?{}", r * per_row + n))
                        .collect();
                    format!("({})", marks.join(", "))
                })
                .collect();
            format!("INSERT INTO held_item VALUES {}", rows.join(", "))
        };
        let full = insert(HELD_AT_ONCE);
        let write = |held: &mut Vec<Item>| -> Result<()> {
            if held.is_empty() {
                return Ok(());
            }
            let values: Vec<Value> = held
                .iter()
                .flat_map(|i| item_values(i.strategy.as_str().into(), i, Some(i.id.0)))
                .collect();
            match held.len() {
                HELD_AT_ONCE => self.execute(&full, &values)?,
                n => self.execute(&insert(n), &values)?,
            };
            held.clear();
            Ok(())
        };
        let mut held = Vec::with_capacity(HELD_AT_ONCE);
        fill(&mut |item| {
            held.push(item.clone());
            match held.len() {
                HELD_AT_ONCE => write(&mut held),
                _ => Ok(()),
            }
        })?;
        write(&mut held)?;
        let out = self.cursor(
            &format!("SELECT id, strategy, {columns} FROM held_item ORDER BY due IS NULL, due, id"),
            &[],
            item_row,
            f,
        )?;
        self.batch("DROP TABLE held_item")?;
        Ok(out)
    }

    /// The carry-forward links of every item numbered `from` or more that
    /// has one, by number, read through the links' indexes.
    pub fn carries(&self, from: i64) -> Result<Vec<Carry>> {
        self.query(
            "SELECT id, carried_from, carried_to FROM item \
             WHERE id >= ?1 AND (carried_from IS NOT NULL OR carried_to IS NOT NULL) ORDER BY id",
            &[from.into()],
            |r| {
                Ok(Carry {
                    id: ItemId(r.get(0)?),
                    carried_from: r.get::<Option<i64>>(1)?.map(ItemId),
                    carried_to: r.get::<Option<i64>>(2)?.map(ItemId),
                })
            },
        )
    }
}
