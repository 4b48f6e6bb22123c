//! The real engines of the scale-out profile, each a child process on loopback in a scratch folder: a
//! PostgreSQL primary and its streaming replica (`initdb`, `pg_basebackup -R`, `pg_ctl`), PgBouncer in front of
//! the primary, and HAProxy in front of the `motcua serve` processes. PostgreSQL and PgBouncer refuse to run as
//! root; when this process is root they run as the `postgres` user (`runuser`, PgBouncer's `-u`), as a
//! province's packages would.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) use crate::chaos::free_port;

/// Where the programs are.
#[derive(Debug, Clone)]
pub struct Programs {
    /// The folder of `initdb`, `pg_ctl` and `pg_basebackup`.
    pub pg_bindir: PathBuf,
    pub pgbouncer: PathBuf,
    pub haproxy: PathBuf,
}

impl Programs {
    /// From `$MOTCUA_PG_BINDIR` (else the newest `/usr/lib/postgresql/*/bin`) and `PATH` (else `/usr/sbin`).
    pub fn find() -> Result<Programs, String> {
        let pg_bindir = match std::env::var_os("MOTCUA_PG_BINDIR") {
            Some(dir) => PathBuf::from(dir),
            None => {
                let mut dirs: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
                    .map_err(|e| format!("no PostgreSQL server binaries (/usr/lib/postgresql: {e})"))?
                    .filter_map(|v| v.ok().map(|v| v.path().join("bin")))
                    .filter(|bin| bin.join("initdb").exists())
                    .collect();
                dirs.sort();
                dirs.pop().ok_or("no PostgreSQL server binaries under /usr/lib/postgresql")?
            }
        };
        Ok(Programs { pg_bindir, pgbouncer: program("pgbouncer")?, haproxy: program("haproxy")? })
    }
}

fn program(name: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("`{name}` not found (Debian package {name})"))
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `program` run as the `postgres` user when this process is root, else as this user.
fn as_database_user(program: &Path) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs a command to its end; its output becomes the error when it fails.
fn run(mut command: Command, what: &str) -> Result<(), String> {
    let output = command.stdin(Stdio::null()).output().map_err(|e| format!("{what}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Waits until something accepts connections on `port`.
fn wait_for_port(port: u16, within: Duration, what: &str) -> Result<(), String> {
    let until = Instant::now() + within;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() >= until {
            return Err(format!("{what} does not listen on 127.0.0.1:{port} after {} s", within.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// A folder the database user may write: made here, open to all (it lives in this run's scratch folder only).
fn shared_folder(path: &Path) -> Result<(), String> {
    fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o777)).map_err(|e| format!("{}: {e}", path.display()))
}

/// One PostgreSQL server (primary or replica), stopped when dropped.
pub struct Postgres {
    pg_ctl: PathBuf,
    data: PathBuf,
    pub port: u16,
}

impl Postgres {
    /// A new cluster, trust authentication on loopback, its log beside its data, started.
    pub fn primary(programs: &Programs, folder: &Path) -> Result<Postgres, String> {
        shared_folder(folder)?;
        let data = folder.join("primary");
        let mut initdb = as_database_user(&programs.pg_bindir.join("initdb"));
        initdb.args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale", "-D"]).arg(&data);
        run(initdb, "initdb")?;
        let server = Postgres { pg_ctl: programs.pg_bindir.join("pg_ctl"), data, port: free_port()? };
        server.start(folder)?;
        Ok(server)
    }

    /// A streaming replica of `primary` (`pg_basebackup -R`: the standby settings written for it), started.
    pub fn replica_of(primary: &Postgres, programs: &Programs, folder: &Path) -> Result<Postgres, String> {
        let data = folder.join("replica");
        let mut backup = as_database_user(&programs.pg_bindir.join("pg_basebackup"));
        backup
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string(), "-U", "postgres", "-R", "-X", "stream"])
            .args(["-c", "fast", "--no-sync", "-D"])
            .arg(&data);
        run(backup, "pg_basebackup")?;
        let server = Postgres { pg_ctl: primary.pg_ctl.clone(), data, port: free_port()? };
        server.start(folder)?;
        Ok(server)
    }

    fn start(&self, folder: &Path) -> Result<(), String> {
        // No durability needed for a profile run; the replica follows the primary's log all the same.
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c hot_standby=on",
            self.port,
            folder.display()
        );
        let mut pg_ctl = as_database_user(&self.pg_ctl);
        pg_ctl.args(["-w", "-t", "60", "-D"]).arg(&self.data).args(["-o", &options, "-l"]);
        pg_ctl.arg(self.data.with_extension("log")).arg("start");
        run(pg_ctl, "pg_ctl start")
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    fn stop(&self) {
        let mut pg_ctl = as_database_user(&self.pg_ctl);
        pg_ctl.args(["-m", "immediate", "-D"]).arg(&self.data).arg("stop");
        let _ = pg_ctl.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A child process killed when dropped.
pub struct Daemon {
    child: Child,
    pub port: u16,
}

impl Drop for Daemon {
    /// SIGTERM (a clean stop), then SIGKILL if it has not ended within 5 s.
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).stderr(Stdio::null()).status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(mut command: Command, log: &Path, what: &str) -> Result<Child, String> {
    let out = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    command.stdin(Stdio::null()).stdout(out).stderr(err).spawn().map_err(|e| format!("{what}: {e}"))
}

/// PgBouncer in front of `database` on `primary`, in session mode (the connections keep their prepared
/// statements), capping the primary's connections whatever the number of `serve` and `worker` processes.
pub fn pgbouncer(programs: &Programs, primary: &Postgres, database: &str, folder: &Path) -> Result<Daemon, String> {
    let port = free_port()?;
    let users = folder.join("pgbouncer-users.txt");
    fs::write(&users, "\"postgres\" \"\"\n").map_err(|e| e.to_string())?;
    let config = folder.join("pgbouncer.ini");
    let text = format!(
        "[databases]\n{database} = host=127.0.0.1 port={} dbname={database}\n\n[pgbouncer]\nlisten_addr = \
         127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\nauth_type = trust\nauth_file = {}\npool_mode = \
         session\nmax_client_conn = 500\ndefault_pool_size = 100\nlogfile = {}\n",
        primary.port,
        users.display(),
        folder.join("pgbouncer.log").display()
    );
    fs::write(&config, text).map_err(|e| e.to_string())?;
    for file in [&users, &config] {
        fs::set_permissions(file, fs::Permissions::from_mode(0o644)).map_err(|e| e.to_string())?;
    }
    // Its own switch of user rather than `runuser`, so that the child here is PgBouncer itself.
    let mut command = Command::new(&programs.pgbouncer);
    if running_as_root() {
        command.args(["-u", "postgres"]);
    }
    command.arg(&config);
    let child = spawn(command, &folder.join("pgbouncer.out"), "pgbouncer")?;
    let daemon = Daemon { child, port };
    wait_for_port(port, Duration::from_secs(20), "pgbouncer")?;
    Ok(daemon)
}

/// HAProxy balancing HTTP over `backends` (loopback ports), each checked on `/readyz` every half second: a
/// killed `serve` leaves the rotation within a second; a request whose connection fails is sent to another.
pub fn haproxy(programs: &Programs, backends: &[u16], folder: &Path) -> Result<Daemon, String> {
    let port = free_port()?;
    let servers: String = backends
        .iter()
        .enumerate()
        .map(|(n, backend)| format!("  server serve{n} 127.0.0.1:{backend} check\n"))
        .collect();
    let text = format!(
        "global\n  maxconn 2000\n\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 120s\n  \
         timeout server 120s\n  retries 3\n  option redispatch\n  option forwardfor\n\nfrontend motcua\n  bind \
         127.0.0.1:{port}\n  default_backend serve\n\nbackend serve\n  balance roundrobin\n  option httpchk GET \
         /readyz\n  default-server inter 500ms fall 2 rise 2\n{servers}"
    );
    let config = folder.join("haproxy.cfg");
    fs::write(&config, text).map_err(|e| e.to_string())?;
    let mut command = Command::new(&programs.haproxy);
    command.arg("-db").arg("-f").arg(&config);
    let child = spawn(command, &folder.join("haproxy.log"), "haproxy")?;
    let daemon = Daemon { child, port };
    wait_for_port(port, Duration::from_secs(20), "haproxy")?;
    Ok(daemon)
}
