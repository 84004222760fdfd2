//! A real Prometheus server on 127.0.0.1 for the tests: it scrapes the bot's `/metrics` and
//! answers PromQL queries, as an operator's would.
//!
//! The `prometheus` binary is taken from `PATH` (Debian's package `prometheus`), else from
//! `target/test-servers/prometheus`, else unpacked there from Debian's package with
//! `apt-get download` and `dpkg-deb -x` (no root needed; the first time takes a few seconds
//! and needs the package archive, which `.ci/run` also installs from).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("no prometheus on PATH, and unpacking Debian's package failed: {0}")]
    NotInstalled(String),
    #[error("prometheus did not become ready within {0:?}; its log:\n{1}")]
    NotReady(Duration, String),
    #[error("querying prometheus: {0}")]
    Query(String),
}

fn io(what: &str) -> impl FnOnce(std::io::Error) -> PrometheusError + '_ {
    move |source| PrometheusError::Io {
        what: what.to_owned(),
        source,
    }
}

/// How long Prometheus may take to start.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running Prometheus, stopped when dropped.
pub struct Prometheus {
    child: Child,
    address: SocketAddr,
    dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts Prometheus scraping `target` (host:port, `/metrics`) every `every`.
    pub async fn start(target: SocketAddr, every: Duration) -> Result<Prometheus, PrometheusError> {
        let binary = binary()?;
        let dir = tempfile::tempdir().map_err(io("a folder for prometheus"))?;
        let seconds = every.as_secs().max(1);
        let config = format!(
            "global:\n  scrape_interval: {seconds}s\n  scrape_timeout: {seconds}s\n\
             scrape_configs:\n  - job_name: eftertanke\n    static_configs:\n      \
             - targets: ['{target}']\n"
        );
        let config_file = dir.path().join("prometheus.yml");
        std::fs::write(&config_file, config).map_err(io("prometheus.yml"))?;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
        let log = std::fs::File::create(dir.path().join("prometheus.log"))
            .map_err(io("prometheus.log"))?;
        let child = Command::new(&binary)
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address={address}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(io("starting prometheus"))?;
        let prometheus = Prometheus {
            child,
            address,
            dir,
        };
        prometheus.wait_until_ready().await?;
        Ok(prometheus)
    }

    async fn wait_until_ready(&self) -> Result<(), PrometheusError> {
        let began = Instant::now();
        let url = format!("http://{}/-/ready", self.address);
        let client = reqwest::Client::new();
        while began.elapsed() < READY_WITHIN {
            if let Ok(answer) = client.get(&url).send().await {
                if answer.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(PrometheusError::NotReady(READY_WITHIN, self.log()))
    }

    /// Prometheus's own log.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// The value of the instant query `promql`, if it has a sample.
    pub async fn query(&self, promql: &str) -> Result<Option<f64>, PrometheusError> {
        let url = format!("http://{}/api/v1/query", self.address);
        let answer = reqwest::Client::new()
            .get(url)
            .query(&[("query", promql)])
            .send()
            .await
            .map_err(|err| PrometheusError::Query(err.to_string()))?
            .text()
            .await
            .map_err(|err| PrometheusError::Query(err.to_string()))?;
        let json: serde_json::Value =
            serde_json::from_str(&answer).map_err(|err| PrometheusError::Query(err.to_string()))?;
        if json["status"] != "success" {
            return Err(PrometheusError::Query(answer));
        }
        Ok(json["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|value| value.parse().ok()))
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `prometheus` binary: on PATH, or unpacked once under the target folder.
fn binary() -> Result<PathBuf, PrometheusError> {
    if Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
    {
        return Ok(PathBuf::from("prometheus"));
    }
    let unpacked = unpack_folder();
    let binary = unpacked.join("usr/bin/prometheus");
    if binary.exists() {
        return Ok(binary);
    }
    unpack(&unpacked).map_err(PrometheusError::NotInstalled)?;
    Ok(binary)
}

/// `target/test-servers/prometheus`, beside the test binaries.
fn unpack_folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("test-servers/prometheus")
}

/// Downloads Debian's package (refreshing the package lists once if it is not found) and
/// unpacks it into `into`; parallel tests may race here, which leaves the same files.
fn unpack(into: &Path) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|err| err.to_string())?;
    let download = || {
        Command::new("apt-get")
            .args(["download", "prometheus"])
            .current_dir(work.path())
            .output()
    };
    let mut output = download().map_err(|err| format!("apt-get: {err}"))?;
    if !output.status.success() {
        let _ = Command::new("apt-get").arg("update").output();
        output = download().map_err(|err| format!("apt-get: {err}"))?;
    }
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let deb = std::fs::read_dir(work.path())
        .map_err(|err| err.to_string())?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .ok_or("apt-get download left no .deb")?;
    std::fs::create_dir_all(into).map_err(|err| err.to_string())?;
    let unpacked = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(into)
        .status()
        .map_err(|err| format!("dpkg-deb: {err}"))?;
    if !unpacked.success() {
        return Err(format!("dpkg-deb -x {} failed", deb.display()));
    }
    Ok(())
}

fn free_port() -> Result<u16, PrometheusError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(io("a free port"))
}
