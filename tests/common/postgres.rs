//! A throwaway PostgreSQL cluster for the tests of one test binary: made
//! on first use in a temporary folder, listening on 127.0.0.1 only, on a
//! free port, with a password; stopped and removed when the binary ends.
//! Each test gets a database of its own in it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The password of role `guarded`.
pub const PASSWORD: &str = "throwaway-Pa55word";

pub struct Cluster {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The newest PostgreSQL installed under /usr/lib/postgresql.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed under /usr/lib/postgresql (.ci/run installs it)")
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL with initdb").1
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

/// True when this process runs as root, whom initdb refuses.
fn is_root() -> bool {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() == 0 }
}

/// A command of the cluster's, run as the `postgres` user when the tests
/// run as root.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn ran(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

extern "C" fn stop_at_exit() {
    if let Some(cluster) = CLUSTER.get() {
        cluster.remove();
    }
}

impl Cluster {
    /// The cluster of this test binary, started on first use.
    pub fn get() -> &'static Cluster {
        CLUSTER.get_or_init(|| {
            let cluster = Cluster::start();
            // SAFETY: registers a plain function, run once as the process exits.
            unsafe { libc::atexit(stop_at_exit) };
            cluster
        })
    }

    /// Starts a cluster of its own, stopped and removed when dropped (the
    /// binary's shared one, [`Cluster::get`], lives until the binary ends).
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("strat-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let data = dir.join("data");
        // A certificate of its own, for encrypted connections.
        let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        std::fs::write(dir.join("server.crt"), made.cert.pem()).unwrap();
        std::fs::write(dir.join("server.key"), made.signing_key.serialize_pem()).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.join("server.key"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        if is_root() {
            ran(
                {
                    let mut c = Command::new("chown");
                    c.args(["-R", "postgres"]).arg(&dir);
                    c
                },
                "chown",
            );
        }
        let mut init = as_owner(&bin.join("initdb"));
        init.arg("-D")
            .arg(&data)
            .args(["-U", "strat", "--auth=trust", "-E", "UTF8"])
            .args(["--locale=C.UTF-8", "--no-sync"]);
        ran(init, "initdb");
        // Role `guarded` must give its password, role `sealed` must come
        // encrypted; the tests' own role is trusted, so that each command
        // does not spend its time on password hashing in a debug build.
        std::fs::write(
            data.join("pg_hba.conf"),
            "host all guarded 127.0.0.1/32 scram-sha-256\n\
             hostssl all sealed 127.0.0.1/32 trust\n\
             host all sealed 127.0.0.1/32 reject\n\
             host all all 127.0.0.1/32 trust\n\
             local all all trust\n",
        )
        .unwrap();
        let cluster = Cluster {
            port: free_port(),
            dir,
            bin,
        };
        cluster.run();
        cluster
            .client("postgres")
            .batch_execute(&format!(
                "CREATE ROLE guarded LOGIN SUPERUSER PASSWORD '{PASSWORD}'; \
                 CREATE ROLE sealed LOGIN SUPERUSER"
            ))
            .expect("make the guarded role");
        cluster
    }

    /// Starts the server on the cluster's folder and port.
    pub fn run(&self) {
        let mut start = as_owner(&self.bin.join("pg_ctl"));
        start
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("log"))
            .arg("-o")
            .arg(format!(
                "-p {} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c full_page_writes=off -c max_connections=300 \
                 -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
                self.port,
                dir = self.dir.display()
            ))
            .args(["-w", "start"]);
        ran(start, "pg_ctl start");
    }

    /// Stops the server at once (a crash, as far as clients can tell).
    pub fn stop(&self) {
        let mut c = as_owner(&self.bin.join("pg_ctl"));
        c.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = c.output();
    }

    fn remove(&self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// A URL of database `name` as the superuser. It carries the
    /// password (which the server does not ask this role for), so that
    /// every test can check it is never printed.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://strat:{PASSWORD}@127.0.0.1:{}/{name}", self.port)
    }

    /// A URL of database `name` on `host` as role `sealed`, which must
    /// connect encrypted, with the parameters `query`.
    pub fn sealed_url(&self, host: &str, name: &str, query: &str) -> String {
        format!("postgres://sealed@{host}:{}/{name}?{query}", self.port)
    }

    /// The server's certificate, which is its own root; it names
    /// `localhost` only.
    pub fn root_certificate(&self) -> PathBuf {
        self.dir.join("server.crt")
    }

    /// A URL of database `name` as role `guarded`, which must give its
    /// password, with `password` given.
    pub fn guarded_url(&self, name: &str, password: &str) -> String {
        format!(
            "postgres://guarded:{password}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    pub fn client(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(name), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to {name}: {e}"))
    }

    /// A new empty database; returns its name.
    pub fn database(&self) -> String {
        let n = DATABASES.fetch_add(1, Ordering::SeqCst);
        let name = format!("test_{}_{n}", std::process::id());
        self.client("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        name
    }
}

/// `sql` with SQLite's `?N` marks written as PostgreSQL's `$N`.
pub fn marks(sql: &str) -> String {
    sql.replace('?', "$")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.remove();
    }
}
