//! One connection to a PostgreSQL database: where it goes (shown without
//! its password), its prepared statements, rows read by cursor, and what
//! the server's failures mean for the person running strat.

use super::super::sql::{Cell, Value, bad_column};
use crate::error::{Error, Kind, Result};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use std::collections::HashMap;
use std::fmt;

/// Rows a cursor fetches at a time: enough that the round trips cost
/// little, few enough that a large document is never held whole.
pub(crate) const FETCHED: usize = 2_000;

/// How a connection is encrypted, as `sslmode` asks.
#[derive(Clone, Debug, PartialEq)]
enum Tls {
    /// `disable`.
    Off,
    /// `prefer` and `require`: encrypted, the certificate taken as it is.
    Unchecked,
    /// `verify-ca` (the certificate chains to `roots`) and `verify-full`
    /// (it also names the host).
    Verified {
        roots: std::path::PathBuf,
        name: bool,
    },
}

/// A PostgreSQL database named by a `postgres://` URL.
#[derive(Clone)]
pub struct Target {
    config: postgres::Config,
    tls: Tls,
    /// Host and port, as messages name them.
    host: String,
    dbname: String,
    user: String,
}

impl fmt::Display for Target {
    /// The database as a URL without its password, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postgres://{}@{}/{}", self.user, self.host, self.dbname)
    }
}

/// True for text that names a PostgreSQL database rather than a file.
pub fn is_url(given: &str) -> bool {
    given.starts_with("postgres://") || given.starts_with("postgresql://")
}

impl Target {
    /// Reads a `postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?…]` URL.
    /// What is missing is filled in as `psql` would: the login name for
    /// the user, the user for the database, `localhost` for the host.
    pub fn parse(url: &str) -> Result<Target> {
        let (url, verify, roots) = checked_tls(url)?;
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            // The parser's message names the option, never its value.
            let why =
                std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
            Error::invalid(format!(
                "the database URL given with --db or STRAT_DB cannot be read: {why}\n\
                 Write it as postgres://USER:PASSWORD@HOST:PORT/DBNAME."
            ))
        })?;
        if config.get_user().is_none() {
            let login = std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_else(|_| "postgres".into());
            config.user(&login);
        }
        let user = config.get_user().unwrap_or_default().to_string();
        if config.get_dbname().is_none() {
            config.dbname(&user);
        }
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.application_name("strat");
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        if config.get_password().is_none() {
            let db = config.get_dbname().unwrap_or_default();
            if let Some(password) = given_password(&host, port, db, &user) {
                config.password(password);
            }
        }
        let host = format!("{host}:{port}");
        let tls = match (verify, config.get_ssl_mode()) {
            (Some(name), _) => Tls::Verified {
                roots: roots_file(roots)?,
                name,
            },
            // With a root certificate, psql's `require` checks the chain.
            (None, postgres::config::SslMode::Require) if roots.is_some() => Tls::Verified {
                roots: roots_file(roots)?,
                name: false,
            },
            (None, postgres::config::SslMode::Disable) => Tls::Off,
            (None, _) => Tls::Unchecked,
        };
        Ok(Target {
            tls,
            dbname: config.get_dbname().unwrap_or_default().to_string(),
            user,
            host,
            config,
        })
    }

    /// The role strat logs in as: whose changes are recorded when neither
    /// `--by` nor `STRAT_USER` says.
    pub fn role(&self) -> &str {
        &self.user
    }

    /// "database D on H", as messages name it.
    pub fn named(&self) -> String {
        format!("the database {} on {}", self.dbname, self.host)
    }

    /// Connects, encrypted unless the URL says `sslmode=disable`.
    pub(super) fn connect(&self) -> Result<Session> {
        let client = match &self.tls {
            Tls::Off => self.config.connect(postgres::NoTls),
            Tls::Unchecked => self.config.connect(super::tls::unchecked()),
            Tls::Verified { roots, name } => {
                let connector = super::tls::verified(roots, *name).map_err(|why| {
                    Error::invalid(format!(
                        "cannot use {} as the root certificate for {}: {why}\n\
                         Give the server's root certificate (PEM) with sslrootcert=FILE.",
                        roots.display(),
                        self.named()
                    ))
                })?;
                self.config.connect(connector)
            }
        }
        .map_err(|e| self.fault(&e))?;
        Ok(Session {
            client,
            statements: HashMap::new(),
            target: self.clone(),
            cursors: 0,
        })
    }

    /// What a failure of the server or of the connection means, naming the
    /// host and the database, never the password.
    pub(super) fn fault(&self, e: &postgres::Error) -> Error {
        let named = self.named();
        let Some(db) = e.as_db_error() else {
            let why = std::error::Error::source(e).map_or_else(|| e.to_string(), |s| s.to_string());
            if e.is_closed() {
                return Error::storage(format!(
                    "the connection to {named} was lost: {why}\n\
                     Nothing of this command was saved; check the server and try again."
                ));
            }
            if refused_by_tls(e) {
                return Error::storage(format!(
                    "the server's certificate for {named} was not accepted: {why}\n\
                     Check sslrootcert, and that the URL's host is a name the certificate \
                     gives (sslmode=verify-full checks it)."
                ));
            }
            return Error::storage(format!(
                "cannot reach {named}: {why}\n\
                 Check that the server is running, and the host and port in --db or STRAT_DB."
            ));
        };
        let code = db.code().code();
        let message = db.message();
        match code {
            // Another writer changed what this command read: run it again.
            "40001" | "40P01" => Error::retryable(format!(
                "{named} was changed by others while this command ran, too often to go on\n\
                 Nothing was changed; try again."
            )),
            // A record another writer added or removed meanwhile; tables
            // another strat made since this transaction began.
            "23505" | "23503" | "42P07" => Error::retryable(format!(
                "a rule of the database refused the change: {message}"
            )),
            // An index entry must fit in a page: a ref or a name of
            // kilobytes does not.
            "54000" => Error::invalid(format!(
                "a value is too long for {named}: {message}\n\
                 Shorten it (a ref, or the name given with --by) and try again."
            )),
            _ if code.starts_with("23") || code.starts_with("22") => Error::new(
                Kind::Refused,
                format!("a rule of the database refused the change: {message}"),
            ),
            "28P01" | "28000" => Error::storage(format!(
                "{named} refused the login: {message}\n\
                 Check the user and password in --db or STRAT_DB (or in ~/.pgpass)."
            )),
            "3D000" => Error::storage(format!(
                "there is no database {} on {}: {message}\n\
                 Create it (createdb), or check the name in --db or STRAT_DB.",
                self.dbname, self.host
            )),
            "42501" => Error::storage(format!(
                "{named} does not let role {} do this: {message}\n\
                 Ask its owner to grant the role what the README's team set-up lists.",
                self.user
            )),
            "25006" => Error::storage(format!(
                "{named} is read-only: {message}\nPoint --db at the primary server."
            )),
            _ if code.starts_with("57") || code.starts_with("08") || code.starts_with("53") => {
                Error::storage(format!(
                    "{named} stopped this command: {message}\n\
                     Nothing of this command was saved; try again when the server is back."
                ))
            }
            _ => Error::bug(format!("a query failed on {named}: {code} {message}")),
        }
    }
}

/// The URL without what only strat reads of it: `sslmode=verify-ca` or
/// `verify-full` (the client library knows `require` at most, which it is
/// given instead), and `sslrootcert`. Returns whether the certificate must
/// name the host (for a `verify-*` mode) and the root certificate's file.
fn checked_tls(url: &str) -> Result<(String, Option<bool>, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), None, None));
    };
    let (mut verify, mut roots, mut kept) = (None, None, Vec::new());
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("sslmode", mode @ ("verify-full" | "verify-ca"))) => {
                verify = Some(mode == "verify-full");
                kept.push("sslmode=require");
            }
            Some(("sslrootcert", file)) => {
                let file = percent_encoding::percent_decode_str(file)
                    .decode_utf8()
                    .map_err(|_| {
                        Error::invalid("sslrootcert in the database URL is not UTF-8 once read")
                    })?;
                roots = Some(file.into_owned());
            }
            _ => kept.push(pair),
        }
    }
    let url = match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((url, verify, roots))
}

/// The root certificate a `verify-*` mode checks against: `sslrootcert`,
/// else `~/.postgresql/root.crt`, as psql looks for it.
fn roots_file(given: Option<String>) -> Result<std::path::PathBuf> {
    if let Some(file) = given {
        return Ok(file.into());
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    match home.map(|h| std::path::Path::new(&h).join(".postgresql/root.crt")) {
        Some(file) if file.exists() => Ok(file),
        _ => Err(Error::invalid(
            "sslmode=verify-ca and verify-full check the server's certificate against a root \
             certificate, and none was found\n\
             Give it with sslrootcert=FILE in the URL, or put it in ~/.postgresql/root.crt.",
        )),
    }
}

/// The password for a URL that gives none, as `psql` finds it:
/// `PGPASSWORD`, else the first line of the password file (`PGPASSFILE`,
/// else `~/.pgpass`) that matches, when only its owner may read it.
fn given_password(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    if let Some(p) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .filter(|f| !f.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // psql ignores a password file others may read; so does strat.
        if std::fs::metadata(&file).ok()?.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(file).ok()?;
    password_line(&text, [host, &port.to_string(), db, user])
}

/// The password of the first line of a password file whose host, port,
/// database and user match `wanted` (`*` matches any; `\:` and `\\`
/// stand for `:` and `\`).
fn password_line(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => field.extend(chars.next()),
                    ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                    _ => field.push(c),
                }
            }
            fields.push(field);
            let [h, p, d, u, password] = <[String; 5]>::try_from(fields).ok()?;
            let matches = [h, p, d, u]
                .iter()
                .zip(wanted)
                .all(|(f, w)| f == "*" || f == w);
            matches.then_some(password)
        })
}

/// True when encryption stopped the connection: a certificate refused,
/// or a handshake that failed.
fn refused_by_tls(e: &postgres::Error) -> bool {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let inner = c
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map_or(c, |inner| inner as &(dyn std::error::Error + 'static));
        if inner.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// An open connection, with the statements it has prepared.
pub struct Session {
    client: postgres::Client,
    /// Prepared statements by their SQLite-style text.
    statements: HashMap<String, postgres::Statement>,
    target: Target,
    cursors: u64,
}

/// `sql` with SQLite's `?N` marks written as PostgreSQL's `$N`, outside
/// quoted text.
pub fn text(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

fn bound<'v>(values: &'v [Value]) -> Vec<&'v (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Session {
    pub fn target(&self) -> &Target {
        &self.target
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let prepared = self
            .client
            .prepare(&text(sql))
            .map_err(|e| self.target.fault(&e))?;
        self.statements.insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }

    pub fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<postgres::Row>> {
        let statement = self.statement(sql)?;
        self.client
            .query(&statement, &bound(values))
            .map_err(|e| self.target.fault(&e))
    }

    pub fn execute(&mut self, sql: &str, values: &[Value]) -> Result<usize> {
        let statement = self.statement(sql)?;
        let n = self
            .client
            .execute(&statement, &bound(values))
            .map_err(|e| self.target.fault(&e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Runs an insert, returning the number of the row it stored.
    pub fn insert(&mut self, sql: &str, values: &[Value]) -> Result<i64> {
        let statement = self.statement(&format!("{sql} RETURNING id"))?;
        let row = self
            .client
            .query_one(&statement, &bound(values))
            .map_err(|e| self.target.fault(&e))?;
        row.try_get(0).map_err(|e| bad_column(0, e))
    }

    pub fn batch(&mut self, sql: &str) -> Result<()> {
        self.client
            .batch_execute(sql)
            .map_err(|e| self.target.fault(&e))
    }

    /// Opens a cursor on a query, inside the transaction; returns its name.
    pub fn declare(&mut self, sql: &str, values: &[Value]) -> Result<String> {
        self.cursors += 1;
        let name = format!("strat_rows_{}", self.cursors);
        self.execute(
            &format!("DECLARE {name} NO SCROLL CURSOR FOR {sql}"),
            values,
        )?;
        Ok(name)
    }

    /// The next rows of cursor `name`; fewer than [`FETCHED`] at its end.
    pub fn fetch(&mut self, name: &str) -> Result<Vec<postgres::Row>> {
        self.client
            .query(&format!("FETCH {FETCHED} FROM {name}"), &[])
            .map_err(|e| self.target.fault(&e))
    }
}

/// Column `idx` of a row, as the engine-neutral rows read it.
pub fn cell(row: &postgres::Row, idx: usize) -> Result<Cell<'_>> {
    let Some(column) = row.columns().get(idx) else {
        return Err(bad_column(idx, "is not in the row"));
    };
    let wrong = |e: postgres::Error| bad_column(idx, e);
    Ok(match *column.type_() {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(idx)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(idx)
            .map_err(wrong)?
            .map_or(Cell::Null, |n| Cell::Int(n.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(idx)
            .map_err(wrong)?
            .map_or(Cell::Null, |n| Cell::Int(n.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(idx)
            .map_err(wrong)?
            .map_or(Cell::Null, |b| Cell::Int(b.into())),
        _ => row
            .try_get::<_, Option<&str>>(idx)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Text),
    })
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ => Err(format!("the number {n} cannot be bound as {ty}").into()),
            },
            Value::Text(t) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    t.as_ref().to_sql(ty, out)
                }
                _ => Err(format!("a text cannot be bound as {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_rewritten_outside_quoted_text() {
        assert_eq!(
            text("SELECT '?1' FROM t WHERE a = ?1 AND b IN (?2, ?3)"),
            "SELECT '?1' FROM t WHERE a = $1 AND b IN ($2, $3)"
        );
    }

    #[test]
    fn a_password_file_is_read_as_psql_reads_it() {
        let file = "# a comment\n\
                    other:5432:strat:ann:nope\n\
                    db.example:5432:strat:ann:first\\:half\n\
                    *:*:*:ann:fallback\n";
        let want = |h| password_line(file, [h, "5432", "strat", "ann"]);
        assert_eq!(want("db.example").as_deref(), Some("first:half"));
        assert_eq!(want("elsewhere").as_deref(), Some("fallback"));
        assert_eq!(
            password_line(file, ["db.example", "5432", "strat", "bob"]),
            None
        );
    }

    #[test]
    fn a_target_is_shown_without_its_password() {
        let t =
            Target::parse("postgresql://ann:s3cret@db.example:6543/plans?sslmode=require").unwrap();
        assert_eq!(t.to_string(), "postgres://ann@db.example:6543/plans");
        assert_eq!(t.named(), "the database plans on db.example:6543");
        assert_eq!(t.role(), "ann");
        let e = Target::parse("postgres://ann:s3cret@h/db?sslmode=bogus")
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        assert!(e.contains("sslmode"), "{e}");
        let e = Target::parse("postgres://ann:s3cret@h/db?sslmode=verify-full")
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 2, "no root certificate: {e}");
        assert!(e.to_string().contains("sslrootcert"), "{e}");
    }

    #[test]
    fn verify_modes_and_their_root_are_read_by_strat() {
        let t = Target::parse(
            "postgres://ann@h/db?connect_timeout=3&sslmode=verify-full&sslrootcert=%2Ftmp%2Froot.crt",
        )
        .unwrap();
        assert_eq!(
            t.tls,
            Tls::Verified {
                roots: "/tmp/root.crt".into(),
                name: true
            }
        );
        assert_eq!(t.config.get_ssl_mode(), postgres::config::SslMode::Require);
        let t = Target::parse("postgres://ann@h/db?sslmode=verify-ca&sslrootcert=/r.pem").unwrap();
        assert!(matches!(t.tls, Tls::Verified { name: false, .. }));
        let t = Target::parse("postgres://ann@h/db?sslmode=disable").unwrap();
        assert_eq!(t.tls, Tls::Off);
        let t = Target::parse("postgres://ann@h/db").unwrap();
        assert_eq!(t.tls, Tls::Unchecked);
    }
}
