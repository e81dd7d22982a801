//! Storage, in a SQLite file (`file`) or a PostgreSQL database
//! (`postgres`), chosen when the database is opened: commands see one
//! [`Store`] and one [`Db`] whichever it is. Queries are written once
//! (`sql` binds them and reads their rows on either engine): each
//! record's columns (`rows`), the queries of each table (`strategies`,
//! `items`, `events`, `commands`), bulk loading (`load`) and the
//! database's own checks (`checks`). The SQLite schema and its upgrades
//! are `schema`. No SQL lives outside this module.

mod checks;
mod commands;
mod db;
mod events;
mod file;
mod items;
mod load;
mod postgres;
#[cfg(test)]
mod query_plans;
mod rows;
pub(crate) mod schema;
mod sql;
mod strategies;

pub use commands::{CommandRow, Kept};
pub use db::{Db, Doer};
pub use file::explain_disk_io;
pub(crate) use file::{BUSY_WAIT, create_if_missing};
pub use schema::LATEST_VERSION;
pub use sql::Cursor;

use crate::error::{Error, Result};
use file::FileStore;
use postgres::{PgStore, Target};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a portfolio is kept: a file, or a PostgreSQL database.
#[derive(Clone)]
pub enum Location {
    File(PathBuf),
    Postgres(Box<Target>),
}

impl Location {
    /// What `--db` or `STRAT_DB` gave: a `postgres://` or `postgresql://`
    /// URL, else the path of a file.
    pub fn parse(given: OsString) -> Result<Location> {
        match given.to_str() {
            Some(url) if postgres::is_url(url) => {
                Ok(Location::Postgres(Box::new(Target::parse(url)?)))
            }
            _ => Ok(Location::File(PathBuf::from(given))),
        }
    }

    /// True when there is a file there, or for a server (whose database
    /// is found, or not, on opening).
    pub fn exists(&self) -> bool {
        match self {
            Location::File(path) => path.exists(),
            Location::Postgres(_) => true,
        }
    }

    /// The file, when it is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }

    /// Who changes are recorded as when neither `--by` nor `STRAT_USER`
    /// says: the database role on a server, else nobody in particular
    /// (the login name is used).
    pub fn role(&self) -> Option<String> {
        match self {
            Location::File(_) => None,
            Location::Postgres(target) => Some(target.role().to_string()),
        }
    }
}

impl fmt::Display for Location {
    /// The file's path, or the database's URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(target) => write!(f, "{target}"),
        }
    }
}

enum Engine {
    File(FileStore),
    Pg(Box<PgStore>),
}

/// An open strat database.
pub struct Store {
    engine: Engine,
    location: Location,
    /// Who changes it, for the command their changes are recorded under.
    doer: Option<Doer>,
}

impl Store {
    fn on(engine: Engine, location: Location) -> Store {
        Store {
            engine,
            location,
            doer: None,
        }
    }

    /// Opens (creating if needed) the database for writing, brings its
    /// schema up to date, and refuses one written by a newer strat or one
    /// that is read-only. A server database without strat's tables is given
    /// them, as `strat init` does.
    pub fn open(location: &Location) -> Result<Store> {
        let engine = match location {
            Location::File(path) => Engine::File(FileStore::open(path)?),
            Location::Postgres(target) => Engine::Pg(Box::new(PgStore::open(target, true)?)),
        };
        Ok(Store::on(engine, location.clone()))
    }

    /// Opens the database for reading what is there. When no file exists
    /// yet (an import's dry run; every other read refuses a missing
    /// database first), an empty database in memory stands in, so nothing
    /// is left behind; so it does for a server database without strat's
    /// tables.
    pub fn open_for_reading(location: &Location) -> Result<Store> {
        let engine = match location {
            Location::File(path) => Engine::File(FileStore::open_for_reading(path)?),
            Location::Postgres(target) => match PgStore::open(target, false) {
                Err(e) if e.kind() == crate::error::Kind::NotFound => {
                    Engine::File(FileStore::empty(Path::new(":memory:"))?)
                }
                opened => Engine::Pg(Box::new(opened?)),
            },
        };
        Ok(Store::on(engine, location.clone()))
    }

    /// Opens a database that is there, refusing one not there (exit 3):
    /// for reading, or for changing when `writes`.
    pub fn open_existing(location: &Location, writes: bool) -> Result<Store> {
        let engine = match location {
            Location::File(path) if writes => Engine::File(FileStore::open(path)?),
            Location::File(path) => Engine::File(FileStore::open_for_reading(path)?),
            Location::Postgres(target) => Engine::Pg(Box::new(PgStore::open(target, false)?)),
        };
        Ok(Store::on(engine, location.clone()))
    }

    /// Creates the database, which does not exist yet, and runs `f` on
    /// it: a file is built under a temporary name and put in place only
    /// when `f` succeeded (see [`FileStore::create`]); a server database
    /// gets its schema, and `f` runs on it.
    pub fn create<T>(location: &Location, mut f: impl FnMut(&mut Store) -> Result<T>) -> Result<T> {
        match location {
            Location::File(path) => FileStore::create(path, f),
            Location::Postgres(_) => f(&mut Store::open(location)?),
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Copies the whole database to a new SQLite file: SQLite's online
    /// backup of a file; every table, row by row, from a server, in one
    /// snapshot of it.
    pub fn backup_to(&mut self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(Error::conflict(format!(
                "{} already exists; a backup never overwrites a file\nChoose a new name.",
                target.display()
            )));
        }
        match &mut self.engine {
            Engine::File(file) => file.backup_to(target),
            Engine::Pg(pg) => pg.read(|source| {
                let next = source.next_ids()?;
                let copy = Location::File(target.to_path_buf());
                Store::create(&copy, |store| {
                    let Engine::File(file) = &mut store.engine else {
                        unreachable!("a backup is a file")
                    };
                    file.load(None, true, |dest| copy_tables(source, dest))?;
                    file.keep_numbers(&next)
                })
            }),
        }
    }

    /// The engine's own checks: pages, indexes and links in a file, links
    /// on a server (which keeps its own pages). Each problem is one line.
    pub fn engine_checks(&mut self) -> Result<Vec<String>> {
        match &mut self.engine {
            Engine::File(file) => file.sqlite_checks(),
            Engine::Pg(pg) => pg.read(|db| db.broken_links()),
        }
    }

    /// Says so when opening upgraded the file, and where the backup went.
    pub fn upgrade_note(&self) -> Option<String> {
        match &self.engine {
            Engine::File(file) => file.upgrade_note(),
            Engine::Pg(_) => None,
        }
    }

    /// Runs `f` on one consistent snapshot of the database.
    pub fn read<T>(&mut self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        match &mut self.engine {
            Engine::File(file) => file.read(f),
            Engine::Pg(pg) => pg.read(f),
        }
    }

    /// Records the changes of later writes as `doer`'s command.
    pub fn acting(&mut self, doer: Doer) {
        self.doer = Some(doer);
    }

    /// Runs `f` in one write transaction, all or nothing. On a file no
    /// other process writes meanwhile; on a server, `f` runs again when
    /// another writer's changes stopped it, so it must not act outside the
    /// database.
    pub fn write<T>(&mut self, f: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        match &mut self.engine {
            Engine::File(file) => file.write(self.doer.as_ref(), f),
            Engine::Pg(pg) => pg.write(self.doer.as_ref(), true, false, f),
        }
    }

    /// Runs a bulk load `f` in one write transaction, committed when
    /// `commit` is true and otherwise rolled back (a dry run that meets
    /// every check the real run would). Links are checked once, over
    /// every link, before the end (see [`FileStore::load`]).
    pub fn load<T>(&mut self, commit: bool, f: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        match &mut self.engine {
            Engine::File(file) => file.load(self.doer.as_ref(), commit, f),
            Engine::Pg(pg) => pg.write(self.doer.as_ref(), commit, true, {
                let mut f = f;
                move |db| {
                    let out = f(db)?;
                    links_hold(db)?;
                    Ok(out)
                }
            }),
        }
    }
}

/// Refuses a load that left links to missing records.
fn links_hold(db: &Db) -> Result<()> {
    let broken = db.broken_links()?;
    if broken.is_empty() {
        return Ok(());
    }
    Err(Error::bug(format!(
        "a load left links to missing records, so it was rolled back: {}",
        broken.join("; ")
    )))
}

/// Copies every row of every table of `source` into `dest`, which is
/// empty, keeping each row's number.
fn copy_tables(source: &Db, dest: &Db) -> Result<()> {
    for table in schema::TABLES {
        let columns = schema::table_columns(table);
        let list = columns.join(", ");
        let marks: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
        let insert = format!("INSERT INTO {table} ({list}) VALUES ({})", marks.join(", "));
        let select = format!("SELECT {list} FROM {table} ORDER BY id");
        source.rows(&select, &[], |rows| {
            while let Some(row) = rows.next()? {
                let values = (0..columns.len())
                    .map(|i| row.cell(i).map(sql::Cell::value))
                    .collect::<Result<Vec<_>>>()?;
                dest.execute(&insert, &values)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}
