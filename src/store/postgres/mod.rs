//! Everything PostgreSQL: the connection (`session`), encryption (`tls`),
//! the schema and its version, and transactions that lose nothing when
//! several people write at once.
//!
//! Writes run SERIALIZABLE: when two commands read and change the same
//! records at once, PostgreSQL stops one, and it runs again from the
//! start on what the other committed. So a change is made on top of every
//! change committed before it, and none is overwritten unseen.

mod session;
mod tls;

pub(super) use session::{FETCHED, Session, cell};
pub use session::{Target, is_url};

use super::db::{Db, Doer};
use super::sql::Conn;
use crate::error::{Error, Result};
use std::cell::RefCell;
use std::time::Duration;

/// The schema a database without strat's tables is given.
const SCHEMA: &str = include_str!("../../../schema.postgres.sql");

/// How many times a write stopped by another writer runs again.
const ATTEMPTS: u32 = 40;

/// The key of the advisory lock that lets one `strat` make the schema
/// while any other waits for it.
const SCHEMA_LOCK: i64 = 0x5354_5241_5400_0007;

/// The first number `table` has not handed out.
pub(super) fn next_number_sql(table: &str) -> String {
    format!(
        "SELECT greatest(coalesce(pg_sequence_last_value('{table}_id_seq'), 0), \
         coalesce((SELECT max(id) FROM {table}), 0)) + 1"
    )
}

/// Moves each counter past the numbers stored by hand (an import into an
/// empty database, a record brought back by undo), so it never hands one
/// out again.
pub(super) fn settle_numbers(session: &mut Session) -> Result<()> {
    // Every table's rows are numbered from a counter of its own.
    for table in super::schema::TABLES {
        session.batch(&format!(
            "SELECT setval('{table}_id_seq', m) FROM (SELECT max(id) AS m FROM {table}) x \
             WHERE m > coalesce(pg_sequence_last_value('{table}_id_seq'), 0)"
        ))?;
    }
    Ok(())
}

/// An open strat database on a PostgreSQL server.
pub struct PgStore {
    session: RefCell<Session>,
    /// Its tables are still to be made, by the first write, inside its
    /// transaction: a write that fails leaves the database as it was.
    unmade: std::cell::Cell<bool>,
}

impl PgStore {
    /// Connects to `target`, and checks its schema; `create` makes it
    /// where there is none yet.
    pub fn open(target: &Target, create: bool) -> Result<PgStore> {
        let store = PgStore {
            session: RefCell::new(target.connect()?),
            unmade: std::cell::Cell::new(false),
        };
        store.prepare(create)?;
        Ok(store)
    }

    /// The schema version recorded, `None` without strat's tables.
    fn version(&self) -> Result<Option<i64>> {
        let mut session = self.session.borrow_mut();
        let present = session.query("SELECT to_regclass('strat_schema') IS NOT NULL", &[])?;
        let present: bool = present
            .first()
            .and_then(|r| r.try_get(0).ok())
            .unwrap_or(false);
        if !present {
            return Ok(None);
        }
        let rows = session.query("SELECT max(version) FROM strat_schema", &[])?;
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<_, Option<i64>>(0).ok())
            .flatten())
    }

    /// Refuses a schema newer than this strat's. Where there is none yet,
    /// refuses the database (exit 3), or, when `create`, leaves the
    /// schema to be made inside the first write's transaction.
    fn prepare(&self, create: bool) -> Result<()> {
        let target = self.session.borrow().target().clone();
        let named = target.named();
        let version = match self.version()? {
            Some(v) => v,
            None if !create => {
                return Err(Error::not_found(format!(
                    "no strat database at {target} (it has no strat tables)\nCreate one with: \
                     strat init (or strat import FILE), or point --db or STRAT_DB at yours."
                )));
            }
            None => {
                self.unmade.set(true);
                return Ok(());
            }
        };
        if version > super::LATEST_VERSION {
            return Err(Error::storage(format!(
                "{named} was written by a newer strat (schema version {version}; this one \
                 knows up to {})\nInstall the newer strat to use it; nothing was changed.",
                super::LATEST_VERSION
            )));
        }
        if version < super::LATEST_VERSION {
            // Version 7 is the first on PostgreSQL: there is no older one
            // to upgrade from yet. Upgrades to come run here, in one
            // transaction, as the schema was made.
            return Err(Error::storage(format!(
                "{named} records strat schema version {version}, which no strat wrote there\n\
                 Restore it from a backup, or point --db at the right database."
            )));
        }
        Ok(())
    }

    /// Makes the schema, inside the transaction begun, unless another
    /// strat made it meanwhile.
    fn make_schema(&self) -> Result<()> {
        let mut session = self.session.borrow_mut();
        session.batch(&format!("SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))?;
        let there = session.query("SELECT to_regclass('strat_schema') IS NOT NULL", &[])?;
        if there.first().and_then(|r| r.try_get(0).ok()) == Some(true) {
            return Ok(());
        }
        session.batch(SCHEMA)?;
        session.execute(
            "INSERT INTO strat_schema (version) VALUES (?1)",
            &[super::LATEST_VERSION.into()],
        )?;
        Ok(())
    }

    /// Runs `f` in one transaction begun by `begin`, committed when
    /// `commit` and rolled back otherwise (and on any error).
    fn transaction<T>(
        &self,
        begin: &str,
        doer: Option<&Doer>,
        commit: bool,
        f: &mut dyn FnMut(&Db) -> Result<T>,
    ) -> Result<T> {
        self.session.borrow_mut().batch(begin)?;
        let out = (|| {
            if self.unmade.get() {
                self.make_schema()?;
            }
            let db = Db::on(Conn::Pg(&self.session), doer);
            let out = f(&db)?;
            db.settle_numbers()?;
            Ok(out)
        })();
        let end = match &out {
            Ok(_) if commit => "COMMIT",
            _ => "ROLLBACK",
        };
        match (out, self.session.borrow_mut().batch(end)) {
            (Ok(out), Ok(())) => {
                if end == "COMMIT" {
                    self.unmade.set(false);
                }
                Ok(out)
            }
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e),
        }
    }

    /// Runs `f` on one consistent snapshot of the database.
    pub fn read<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        self.transaction(
            "BEGIN ISOLATION LEVEL REPEATABLE READ",
            None,
            true,
            &mut |db| (f.take().expect("a read runs once"))(db),
        )
    }

    /// Runs `f` in one serializable transaction, again from the start
    /// when another writer's changes stopped it.
    pub fn write<T>(
        &self,
        doer: Option<&Doer>,
        commit: bool,
        deferred: bool,
        mut f: impl FnMut(&Db) -> Result<T>,
    ) -> Result<T> {
        let begin = if deferred {
            "BEGIN ISOLATION LEVEL SERIALIZABLE; SET CONSTRAINTS ALL DEFERRED"
        } else {
            "BEGIN ISOLATION LEVEL SERIALIZABLE"
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.transaction(begin, doer, commit, &mut f) {
                Err(e) if e.is_retryable() && attempt < ATTEMPTS => pause(attempt),
                out => return out,
            }
        }
    }
}

/// A wait before running a stopped write again, longer each time and
/// different for each process, so writers that met once part.
fn pause(attempt: u32) {
    let spread = u64::from(std::process::id() % 7 + 1);
    let millis = u64::from(attempt.min(10)) * 3 * spread;
    std::thread::sleep(Duration::from_millis(millis));
}
