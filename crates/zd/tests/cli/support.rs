//! Shared helpers: an in-process simulator and a runner of the real binary.
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

use zdkit_sim::{SimConfig, SimState};

/// A simulator serving on 127.0.0.1:PORT until dropped.
pub struct Sim {
    pub url: String,
    _rt: tokio::runtime::Runtime,
}

impl Sim {
    /// 120 tickets, none archived (the CLI tests count whole lists; archiving is the
    /// simulator's own tests' business).
    pub fn start() -> Sim {
        let mut config = SimConfig::with_tickets(120);
        config.quirks.archive_after_days = 0;
        Sim::with(config)
    }

    pub fn with(config: SimConfig) -> Sim {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        rt.spawn(zdkit_sim::serve(listener, SimState::new(config)));
        Sim {
            url: format!("http://127.0.0.1:{port}"),
            _rt: rt,
        }
    }
}

/// The outcome of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The binary under test: `ZD_BIN` when set (to run this suite against another build,
/// e.g. the code before a fix, as docs/design/hardening.md does), else this crate's `zd`.
pub fn zd_bin() -> PathBuf {
    std::env::var_os("ZD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_zd")))
}

/// How long one run may take before it is killed and counted as a hang (exit -1): a
/// guard against endless loops and waits, never a performance check.
pub const HANG: std::time::Duration = std::time::Duration::from_secs(120);

/// Run `zd` with exactly these environment variables (nothing inherited, no HOME).
pub fn zd(env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::new(zd_bin());
    cmd.env_clear().env("ZD_TIME_SCALE", "1000").timeout(HANG);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Environment for the admin's API token.
pub fn admin(sim: &Sim) -> Vec<(&'static str, String)> {
    vec![
        ("ZENDESK_BASE_URL", sim.url.clone()),
        ("ZENDESK_EMAIL", "admin@example.com".into()),
        ("ZENDESK_API_TOKEN", "zd-sim-token".into()),
    ]
}

pub fn run(env: &[(&'static str, String)], args: &[&str]) -> Run {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    zd(&env, args)
}

/// Replace or add one variable.
pub fn set(
    mut env: Vec<(&'static str, String)>,
    k: &'static str,
    v: &str,
) -> Vec<(&'static str, String)> {
    env.retain(|(key, _)| *key != k);
    env.push((k, v.to_owned()));
    env
}

pub fn unset(mut env: Vec<(&'static str, String)>, k: &'static str) -> Vec<(&'static str, String)> {
    env.retain(|(key, _)| *key != k);
    env
}

/// `zd sim ARGS` run as a process with `env`, killed when dropped (pass or fail). Its
/// stdout stays open in `out` after the first line (a closed pipe would kill the
/// simulator on its next line).
pub struct ZdSim {
    child: Child,
    /// The simulator's stdout after its first line.
    pub out: BufReader<ChildStdout>,
    /// Its address, from the first line `listening on URL`.
    pub url: String,
}

impl ZdSim {
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> ZdSim {
        let mut cmd = Command::new(zd_bin());
        cmd.arg("sim").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn zd sim");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line must be `listening on URL`, got {first:?}"))
            .to_owned();
        ZdSim { child, out, url }
    }
}

impl Drop for ZdSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET url` as the simulator's admin (API token): the body.
pub async fn admin_get(url: &str) -> String {
    reqwest::Client::new()
        .get(url)
        .basic_auth("admin@example.com/token", Some("zd-sim-token"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
