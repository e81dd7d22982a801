//! A strat database in one SQLite file: opening it safely, making a new
//! one whole or not at all, its transactions, online backup and SQLite's
//! own checks.

use super::db::{Db, Doer};
use super::schema;
use super::sql::Conn;
use super::{Engine, Location, Store};
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior, config::DbConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a command waits for another strat process to finish writing.
pub(crate) const BUSY_WAIT: Duration = Duration::from_secs(30);

/// An open strat database file.
pub struct FileStore {
    conn: Connection,
    path: PathBuf,
    upgraded: Option<(i64, PathBuf)>,
    /// Set for a scratch load; stops when the store is dropped.
    _flusher: Option<Flusher>,
}

impl FileStore {
    /// Opens (creating if needed) the database at `path` for writing,
    /// brings its schema up to date, and refuses one written by a newer
    /// strat or one that is read-only.
    pub fn open(path: &Path) -> Result<FileStore> {
        create_if_missing(path)?;
        if is_read_only(path) {
            return Err(Error::storage(format!(
                "the database {} is read-only
Make it writable (chmod u+w), or work on a copy.",
                path.display()
            )));
        }
        FileStore::connect(path, true)
    }

    /// Opens the database at `path` for reading what is there; a read-only
    /// file is opened read-only. When no file exists yet (an import's dry
    /// run; every other read refuses a missing database first), an empty
    /// in-memory database stands in, so nothing is left behind.
    pub fn open_for_reading(path: &Path) -> Result<FileStore> {
        if path.exists() {
            return FileStore::connect(path, !is_read_only(path));
        }
        FileStore::empty(path)
    }

    /// An empty database in memory, standing in for one not there yet.
    pub fn empty(path: &Path) -> Result<FileStore> {
        let mut conn = Connection::open_in_memory()?;
        schema::prepare(&mut conn, path, true)?;
        Ok(FileStore {
            conn,
            path: path.to_path_buf(),
            upgraded: None,
            _flusher: None,
        })
    }

    fn connect(path: &Path, writable: bool) -> Result<FileStore> {
        let access = if writable {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        };
        let conn = Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| {
                Error::storage(format!(
                    "cannot open the database {}: {e}
Check the path and its permissions.",
                    path.display()
                ))
            })?;
        conn.busy_timeout(BUSY_WAIT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // One plan per statement: without this, SQLite plans a cached
        // statement again whenever a bound value changes (its build keeps
        // index statistics), which costs more than the queries here.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        let mut conn = conn;
        let prepared = schema::prepare(&mut conn, path, writable)?;
        Ok(FileStore {
            conn,
            path: path.to_path_buf(),
            upgraded: prepared.upgraded,
            _flusher: None,
        })
    }

    /// Copies the database to a new file (which [`Store::backup_to`] has
    /// found not there) with SQLite's online backup, which reads one
    /// consistent snapshot while other processes go on writing.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        create_if_missing(target)?;
        let copy = || -> rusqlite::Result<()> {
            let mut dst = Connection::open(target)?;
            rusqlite::backup::Backup::new(&self.conn, &mut dst)?.step(-1)?;
            // The copy stands alone: one file, no WAL beside it.
            dst.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
            Ok(())
        };
        copy().map_err(|e| {
            let _ = std::fs::remove_file(target);
            Error::storage(format!(
                "the backup to {} failed: {e}\nNothing was written; check the space and permissions there.",
                target.display()
            ))
        })
    }

    /// SQLite's own checks: pages and indexes, then foreign keys. Each
    /// problem is one line.
    pub fn sqlite_checks(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(format!("integrity: {row}"));
            }
        }
        problems.extend(Db::new(&self.conn).foreign_key_problems()?);
        problems.extend(schema::index_faults(&self.conn)?);
        Ok(problems)
    }

    /// Says so when opening upgraded the file, and where the backup went.
    pub fn upgrade_note(&self) -> Option<String> {
        self.upgraded.as_ref().map(|(from, backup)| {
            format!(
                "Upgraded {} from schema version {from} to {}; the old file is kept as {}.",
                self.path.display(),
                schema::LATEST_VERSION,
                backup.display()
            )
        })
    }

    /// Runs `f` on one consistent snapshot of the database.
    pub fn read<T>(&mut self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Db::new(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in one write transaction, taken before the first read so a
    /// read-modify-write cannot interleave with another process. Any error
    /// rolls everything back.
    pub fn write<T>(&mut self, doer: Option<&Doer>, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Db::on(Conn::Lite(&tx), doer))?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs a bulk load `f` in one write transaction, committed when
    /// `commit` is true and otherwise rolled back (a dry run that meets every
    /// check the real run would). Every CHECK of the schema holds row by
    /// row. Foreign keys are checked once, over every link, before the end
    /// rather than at each row: the records of one file may name each other
    /// in any order, the loader checks every reference as it reads it (and
    /// names the record that is wrong), and SQLite's lookups row by row
    /// cost a third of a large import.
    pub fn load<T>(
        &mut self,
        doer: Option<&Doer>,
        commit: bool,
        f: impl FnOnce(&Db) -> Result<T>,
    ) -> Result<T> {
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let out = self.load_then_check(doer, commit, f);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        out
    }

    fn load_then_check<T>(
        &mut self,
        doer: Option<&Doer>,
        commit: bool,
        f: impl FnOnce(&Db) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let db = Db::on(Conn::Lite(&tx), doer);
        let out = f(&db)?;
        super::links_hold(&db)?;
        if commit {
            tx.commit()?;
        }
        Ok(out)
    }

    /// Gives the database the last numbers `source` handed out, so the
    /// copy never hands one out again either.
    pub fn keep_numbers(&self, next: &super::load::NextIds) -> Result<()> {
        for (table, next) in [
            ("item", next.item),
            ("event", next.event),
            ("strategy_event", next.strategy_event),
        ] {
            self.conn.execute(
                "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1 AND seq < ?2",
                rusqlite::params![table, next - 1],
            )?;
            self.conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
                rusqlite::params![table, next - 1],
            )?;
        }
        Ok(())
    }

    /// Creates the database at `path`, which does not exist yet, and runs
    /// `f` on it: the file is built under a temporary name beside it and
    /// linked into place only when `f` succeeded, so a failed command leaves
    /// no file behind, and no other process ever sees a file half made. If
    /// another process made the database meanwhile, `f` runs again on that
    /// one. Leftovers of creations whose process is gone are removed first.
    pub fn create<T>(path: &Path, mut f: impl FnMut(&mut Store) -> Result<T>) -> Result<T> {
        let location = Location::File(path.to_path_buf());
        let name = path
            .file_name()
            .map_or("strat.db".into(), |n| n.to_string_lossy().into_owned());
        if let Some(dir) = make_folder_of(path)? {
            remove_leftovers(dir, &name);
        }
        let temp = path.with_file_name(format!(".{name}{NEW_MARK}{}", std::process::id()));
        let remove_temp = || {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = temp.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        };
        remove_temp();
        let built = FileStore::open_scratch(&temp).and_then(|scratch| {
            let mut store = Store::on(Engine::File(scratch), location.clone());
            let out = f(&mut store)?;
            match store.engine {
                Engine::File(scratch) => scratch.seal()?,
                Engine::Pg(_) => unreachable!("a scratch store is a file"),
            }
            Ok(out)
        });
        let out = match built {
            Ok(out) => out,
            Err(e) => {
                remove_temp();
                return Err(e);
            }
        };
        // The store is closed, so the file stands alone without its WAL.
        let linked = std::fs::hard_link(&temp, path);
        remove_temp();
        match linked {
            Ok(()) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    // The new name is on disk only once its folder is.
                    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
                }
                Ok(out)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                f(&mut Store::open(&location)?)
            }
            Err(e) => Err(cannot_create(path, &e)),
        }
    }

    /// Opens a new database file that nothing else uses yet, for one bulk
    /// load: its rollback journal is kept in memory and nothing is synced
    /// until [`Store::seal`], since a failed load throws the file away.
    fn open_scratch(path: &Path) -> Result<FileStore> {
        let mut store = FileStore::open(path)?;
        store.conn.pragma_update(None, "journal_mode", "MEMORY")?;
        store.conn.pragma_update(None, "synchronous", "OFF")?;
        store._flusher = Flusher::start(path);
        Ok(store)
    }

    /// Ends a scratch load: back to WAL, closed, and the file synced to disk.
    fn seal(self) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        schema::ensure_wal(&self.conn)?;
        let path = self.path.clone();
        self.conn.close().map_err(|(_, e)| Error::from(e))?;
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::storage(format!("cannot sync {}: {e}", path.display())))
    }
}

/// Pushes the pages a scratch load has written so far out to disk every
/// little while, on a thread of its own that mostly waits for the disk: the
/// sync that seals the file then finds little left to write. The syncs
/// promise nothing; only the seal's does.
struct Flusher {
    _stop: std::sync::mpsc::Sender<()>,
}

impl Flusher {
    const EVERY: Duration = Duration::from_millis(200);

    fn start(path: &Path) -> Option<Flusher> {
        let file = std::fs::File::open(path).ok()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("flusher".into())
            .spawn(move || {
                // Ends when the sender is dropped with the store.
                while stopped.recv_timeout(Flusher::EVERY)
                    == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                {
                    let _ = file.sync_data();
                }
            })
            .ok()?;
        Some(Flusher { _stop: stop })
    }
}

/// Makes the folder `path` is to be made in, with those above it; returns
/// it, or `None` for a bare file name (the current folder).
fn make_folder_of(path: &Path) -> Result<Option<&Path>> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::storage(format!(
            "cannot create the folder {} for the database: {e}\n\
             Choose another place with --db or STRAT_DB.",
            dir.display()
        ))
    })?;
    Ok(Some(dir))
}

/// Where a symbolic link that points to nothing yet would have the file
/// made (SQLite follows the link, and would make it with the umask's
/// permissions); any other path as it is.
fn dangling_link_target(path: &Path) -> PathBuf {
    let mut at = path.to_path_buf();
    // A bound, for links that point at each other.
    for _ in 0..40 {
        let Ok(next) = std::fs::read_link(&at) else {
            break;
        };
        at = match at.parent() {
            Some(dir) if next.is_relative() => dir.join(next),
            _ => next,
        };
    }
    at
}

/// `e`, or, when it is SQLite failing to read or write beside `path` and the
/// disk there has no room left, a full disk said as one.
pub fn explain_disk_io(e: Error, path: &Path) -> Error {
    if !e.is_disk_io() {
        return e;
    }
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    // SQLite does not say why a write failed; a page-sized write beside the
    // database does.
    let probe = dir.join(format!(".strat-space-{}", std::process::id()));
    let full = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, &[0; 4096])?;
            f.sync_all()
        })
        .is_err_and(|e| e.kind() == std::io::ErrorKind::StorageFull);
    let _ = std::fs::remove_file(&probe);
    if full {
        Error::storage("the disk is full; nothing was changed\nFree some space and try again.")
    } else {
        e
    }
}

/// What the temporary name of a database being made carries, before the
/// number of the process making it.
const NEW_MARK: &str = ".new-";

/// Removes what a creation of `.NAME.new-PID…` left behind when process
/// PID is gone (killed partway). Where processes cannot be looked up (no
/// `/proc`), nothing is removed.
fn remove_leftovers(dir: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let prefix = format!(".{name}{NEW_MARK}");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let pid: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !pid.is_empty() && !proc.join(&pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn cannot_create(path: &Path, e: &std::io::Error) -> Error {
    Error::storage(format!(
        "cannot create the database {}: {e}\nChoose another place with --db or STRAT_DB.",
        path.display()
    ))
}

/// True when the file's permissions forbid writing (checked from the mode
/// bits, so it holds even for a user who could override them).
fn is_read_only(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}

/// Creates the parent folders and an empty file readable by its owner only,
/// so SQLite (which would use the umask) never creates it.
pub(crate) fn create_if_missing(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let path = &dangling_link_target(path);
    make_folder_of(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process created it first: fine, it is the same database.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::storage(format!(
            "cannot create the database {}: {e}\nChoose another place with --db or STRAT_DB.",
            path.display()
        ))),
    }
}
