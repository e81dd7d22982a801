//! The schema version in `PRAGMA user_version`, new databases, upgrades of
//! older ones, and refusal of newer ones.

use crate::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// The whole current schema, applied to a new database.
const SCHEMA: &str = include_str!("../../schema.sql");

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = 1;

/// Upgrade steps: `(version reached, SQL)`, in order. A database at version
/// `v` runs every step above `v`, all in one transaction. Empty while the
/// first schema is the only one.
const UPGRADES: &[(i64, &str)] = &[];

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Checks the file is a strat database it may use, sets the journal mode, and
/// creates or upgrades the schema.
pub fn prepare(conn: &mut Connection, path: &Path) -> Result<()> {
    let version = user_version(conn).map_err(|e| match e {
        Error::Storage(_) | Error::Bug(_) => Error::Storage(format!(
            "{} is not a strat database (it is not SQLite, or it is damaged)\n\
             Point --db at the right file, or restore it from a backup.",
            path.display()
        )),
        other => other,
    })?;
    if version > LATEST_VERSION {
        return Err(Error::Storage(format!(
            "{} was written by a newer strat (schema version {version}; this one knows up to \
             {LATEST_VERSION})\nInstall the newer strat to use it; the file was not changed.",
            path.display()
        )));
    }
    if version == LATEST_VERSION {
        // The journal mode is stored in the file; set it only once.
        return ensure_wal(conn);
    }
    ensure_wal(conn)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have done the work while this one waited.
    let version = user_version(&tx)?;
    if version == 0 {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(Error::Storage(format!(
                "{} is an SQLite database of another program, not strat's\n\
                 Point --db at a strat database or a new file.",
                path.display()
            )));
        }
        tx.execute_batch(SCHEMA)?;
    } else {
        for (_, sql) in UPGRADES.iter().filter(|(v, _)| *v > version) {
            tx.execute_batch(sql)?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// WAL lets readers go on while one process writes.
fn ensure_wal(conn: &Connection) -> Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    }
    Ok(())
}
