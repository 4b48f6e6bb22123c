//! The drill's `motcua serve` and `motcua worker`: started as a person would start them, killed with SIGKILL
//! (`Child::kill` on Unix), started again. Their output goes to a log file each, kept across restarts.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Which process, and for `serve` where it listens.
#[derive(Debug, Clone)]
pub enum Role {
    Serve { base: String, address: String },
    Worker,
}

pub struct Process {
    role: Role,
    binary: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl Process {
    pub fn new(role: Role, binary: &Path, env: &[(String, String)], scratch: &Path) -> Process {
        let name = match role {
            Role::Serve { .. } => "serve",
            Role::Worker => "worker",
        };
        Process {
            role,
            binary: binary.to_path_buf(),
            env: env.to_vec(),
            log: scratch.join(format!("{name}.log")),
            child: None,
        }
    }

    /// The same process logging to `name`.log in its scratch folder (several of one role side by side).
    pub fn logging_to(mut self, name: &str) -> Process {
        self.log = self.log.with_file_name(format!("{name}.log"));
        self
    }

    pub fn name(&self) -> &'static str {
        match self.role {
            Role::Serve { .. } => "serve",
            Role::Worker => "worker",
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        let errors = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(&self.binary);
        match &self.role {
            Role::Serve { address, .. } => command.args([
                "serve",
                "--demo",
                "--no-simulators",
                "--no-worker",
                "--http-workers",
                "2",
                "--bind",
                address,
            ]),
            Role::Worker => command.arg("worker"),
        };
        let child = command
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(errors)
            .spawn()
            .map_err(|e| format!("{} {}: {e}", self.binary.display(), self.name()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Whether the process runs (a child that exited is reaped).
    fn running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => match child.try_wait() {
                Ok(None) => true,
                _ => {
                    self.child = None;
                    false
                }
            },
            None => false,
        }
    }

    /// Starts the process and waits until it is ready: `serve` answers `/readyz`, a worker is still running a
    /// second later. A process that exits early (the database locked at start, the blob store read-only) is
    /// started again until `within` has passed.
    pub async fn start(&mut self, within: Duration) -> Result<(), String> {
        let until = tokio::time::Instant::now() + within;
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
        loop {
            if !self.running() {
                self.spawn()?;
            }
            let ready = match &self.role {
                Role::Serve { base, .. } => {
                    http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
                }
                Role::Worker => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    self.running()
                }
            };
            if ready && self.running() {
                return Ok(());
            }
            if tokio::time::Instant::now() >= until {
                return Err(format!(
                    "{} did not start within {} s (see {})",
                    self.name(),
                    within.as_secs(),
                    self.log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Why the process is not running though it was started and never killed: its exit status and the last
    /// line of its log. `None` while it runs (or before its first start).
    pub fn exited_on_its_own(&mut self) -> Option<String> {
        let status = self.child.as_mut()?.try_wait().ok()??;
        self.child = None;
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let last = log.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().to_string();
        Some(format!("{status}: {last}"))
    }

    /// SIGKILL, then reaps the child. Answers whether it was running.
    pub fn kill(&mut self) -> bool {
        let running = self.running();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        running
    }

    pub async fn ensure_running(&mut self, within: Duration) -> Result<(), String> {
        if self.running() { Ok(()) } else { self.start(within).await }
    }

    pub fn stop(&mut self) {
        self.kill();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
