//! A real Synapse homeserver for the Matrix tests and benchmark, on 127.0.0.1 and a free port,
//! with its own sqlite database in a temporary folder, and killed when dropped.
//!
//! Synapse comes from PyPI. It is installed once into a virtual environment shared by every
//! test, benchmark and run: `target/synapse-venv` in the repository, or
//! `$EFTERTANKE_SYNAPSE_VENV`.
//! The first install takes about 20 s and needs `python3` (3.10 or newer) and the network.
//!
//! The server is configured for tests: only the client API, no federation, no open
//! registration (users are made with the shared secret), cheap password hashing and rate
//! limits raised so a test can create rooms and send messages as fast as it likes (or, for
//! the rate-limit test, a message limit of its choosing).

use std::fs::{self, File};
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use eftertanke_core::keyed::hex;
use matrix_sdk::ruma::serde::{base64::Standard, Base64};
use serde_json::json;

/// The Synapse release the tests run against (a prebuilt wheel for CPython 3.10 and newer).
const SYNAPSE: &str = "matrix-synapse==1.163.*";
/// How long Synapse may take to answer after it was started (1.2 s on a quiet machine, 2 s
/// on a busy one).
const READY_WITHIN: Duration = Duration::from_secs(60);
/// How long to wait for another process installing Synapse before giving up.
const INSTALL_WITHIN: Duration = Duration::from_secs(15 * 60);

/// Why a test server could not be had; the message holds the server's output where it helps.
#[derive(Debug, thiserror::Error)]
#[error("Synapse: {0}")]
pub struct SynapseError(String);

fn fail<E: std::fmt::Display>(context: &str) -> impl FnOnce(E) -> SynapseError + '_ {
    move |err| SynapseError(format!("{context}: {err}"))
}

/// How many messages a second each user may send (Synapse's `rc_message`).
#[derive(Clone, Copy, Debug)]
pub struct MessageLimit {
    pub per_second: f64,
    pub burst: u32,
}

/// Runs Synapse, and ends it if the test process dies without dropping [`Synapse`] (a test
/// run stopped with Ctrl-C): Synapse watches its parent and exits when it is gone.
const LAUNCH: &str = "\
import os, sys, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
threading.Thread(target=watch, daemon=True).start()
sys.argv[0] = 'synapse_homeserver'
from synapse.app.homeserver import main
main()
";

/// Registers a user through the shared-secret admin API (`URL SECRET NAME PASSWORD`) and
/// prints the user id. Synapse's own `register_new_matrix_user` does the same in 0.7 s, most
/// of it importing libraries this needs none of (0.1 s).
const REGISTER: &str = "\
import hashlib, hmac, json, sys, urllib.error, urllib.request
url, secret, name, password = sys.argv[1:]
endpoint = url + '/_synapse/admin/v1/register'
try:
    with urllib.request.urlopen(endpoint) as response:
        nonce = json.load(response)['nonce']
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    mac.update(b'\\0'.join([nonce.encode(), name.encode(), password.encode(), b'notadmin']))
    body = {'nonce': nonce, 'username': name, 'password': password, 'admin': False,
            'mac': mac.hexdigest()}
    request = urllib.request.Request(endpoint, json.dumps(body).encode(),
                                     {'Content-Type': 'application/json'})
    with urllib.request.urlopen(request) as response:
        print(json.load(response)['user_id'])
except urllib.error.HTTPError as error:
    sys.exit(f'{error.code}: {error.read().decode()}')
";

/// A Synapse homeserver on 127.0.0.1, stopped (killed) and its folder deleted on drop.
pub struct Synapse {
    /// The client API's base address, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server name in user ids, `@name:SERVER_NAME`.
    pub server_name: String,
    /// Holds the configuration, database, media and logs.
    dir: PathBuf,
    child: Child,
    venv: PathBuf,
    port: u16,
    shared_secret: String,
}

impl Synapse {
    /// Installs Synapse into the shared venv the first time, writes a fresh configuration,
    /// starts the server and waits until it answers `/_matrix/client/versions`. Rate limits
    /// are raised, but for messages when `messages` is given.
    pub fn start(messages: Option<MessageLimit>) -> Result<Synapse, SynapseError> {
        let venv = venv()?;
        let mut attempt = 1;
        loop {
            let mut synapse = Synapse::launch(&venv, messages)?;
            match synapse.wait_ready() {
                Ok(()) => return Ok(synapse),
                // Someone else took the free port between our look and Synapse's bind.
                Err(_) if attempt < 3 && synapse.log().contains("Address already in use") => {
                    attempt += 1;
                }
                Err(why) => return Err(SynapseError(format!("{why}\n{}", synapse.log()))),
            }
        }
    }

    /// Registers a user (not an administrator) with a password through the shared-secret
    /// admin API, and returns the full user id, `@name:server`.
    pub fn register(&self, name: &str, password: &str) -> Result<String, SynapseError> {
        let output = Command::new(self.venv.join("bin/python"))
            .args([
                "-c",
                REGISTER,
                &self.url,
                &self.shared_secret,
                name,
                password,
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(fail("running python"))?;
        if !output.status.success() {
            return Err(SynapseError(format!(
                "registering {name} failed: {}\n{}",
                String::from_utf8_lossy(&output.stderr),
                self.log()
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// What the server printed and logged (warnings and worse), for failure messages.
    #[must_use]
    pub fn log(&self) -> String {
        let read = |name: &str| fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!(
            "--- Synapse output:\n{}--- Synapse log:\n{}",
            read("synapse.out"),
            read("homeserver.log")
        )
    }

    /// Writes a configuration for a free port into a new folder and starts Synapse on it,
    /// without waiting for it.
    fn launch(venv: &Path, messages: Option<MessageLimit>) -> Result<Synapse, SynapseError> {
        let random = random_bytes::<56>()?;
        let dir = std::env::temp_dir().join(format!("synapse-{}", hex(&random[48..])));
        fs::create_dir_all(&dir).map_err(fail("making its folder"))?;
        let port = free_port()?;
        let url = format!("http://127.0.0.1:{port}");
        let server_name = "localhost".to_owned();
        let shared_secret = hex(&random[32..48]);
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let write = |name: &str, text: String| fs::write(dir.join(name), text).map_err(fail(name));

        // The key Synapse signs its events with; written here rather than with
        // `--generate-keys`, which costs a second Python start (1.3 s).
        write(
            "signing.key",
            format!(
                "ed25519 a_test {}\n",
                Base64::<Standard, _>::new(&random[..32]).encode()
            ),
        )?;

        // Synapse reads YAML, and JSON is YAML: no quoting of paths to get wrong.
        let log_config = json!({
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": path("homeserver.log"),
                }
            },
            "root": { "level": "WARNING", "handlers": ["file"] },
            "disable_existing_loggers": false,
        });
        write("log.yaml", log_config.to_string())?;

        let fast = json!({ "per_second": 1000, "burst_count": 1000 });
        let message_limit = messages.map_or(
            fast.clone(),
            |limit| json!({ "per_second": limit.per_second, "burst_count": limit.burst }),
        );
        let config = json!({
            "server_name": server_name,
            "public_baseurl": format!("{url}/"),
            "pid_file": path("homeserver.pid"),
            "listeners": [{
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": false,
                "x_forwarded": false,
                "resources": [{ "names": ["client"], "compress": false }],
            }],
            "database": { "name": "sqlite3", "args": { "database": path("homeserver.db") } },
            "log_config": path("log.yaml"),
            "media_store_path": path("media"),
            "signing_key_path": path("signing.key"),
            "registration_shared_secret": shared_secret,
            "enable_registration": false,
            "report_stats": false,
            "federation_domain_whitelist": [],
            "trusted_key_servers": [],
            "suppress_key_server_warning": true,
            // The default, 12, makes every registration and login spend 0.25 s hashing.
            "bcrypt_rounds": 4,
            "rc_message": message_limit,
            "rc_registration": fast,
            "rc_registration_token_validity": fast,
            "rc_login": { "address": fast, "account": fast, "failed_attempts": fast },
            "rc_admin_redaction": fast,
            "rc_joins": { "local": fast, "remote": fast },
            "rc_joins_per_room": fast,
            "rc_3pid_validation": fast,
            "rc_invites": { "per_room": fast, "per_user": fast, "per_issuer": fast },
            "rc_third_party_invite": fast,
            "rc_room_creation": fast,
            "rc_presence": { "per_user": fast },
            "rc_delayed_event_mgmt": fast,
            "rc_reports": fast,
            "rc_user_directory": fast,
            "rc_profile": fast,
            "rc_media_create": fast,
            "rc_key_requests": fast,
        });
        write("homeserver.yaml", config.to_string())?;

        let out = File::create(dir.join("synapse.out")).map_err(fail("synapse.out"))?;
        let err = out.try_clone().map_err(fail("synapse.out"))?;
        let child = Command::new(venv.join("bin/python"))
            .arg("-c")
            .arg(LAUNCH)
            .args(["-c", &path("homeserver.yaml")])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(fail("starting Synapse"))?;
        Ok(Synapse {
            url,
            server_name,
            dir,
            child,
            venv: venv.to_owned(),
            port,
            shared_secret,
        })
    }

    /// Waits until the server answers, or says why it never will.
    fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if answers(self.port, "/_matrix/client/versions") {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("Synapse on port {} exited: {status}", self.port));
            }
            if started.elapsed() > READY_WITHIN {
                return Err(format!(
                    "Synapse on port {} did not answer within {READY_WITHIN:?}",
                    self.port
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        // Killed, not stopped: its database is thrown away with the folder anyway.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The shared venv with Synapse installed, installing it first if it is missing.
///
/// Parallel tests (threads, or processes) install once: whoever creates the `.installing`
/// lock file installs, the others wait for the `.installed` marker. The marker names the
/// release, so changing [`SYNAPSE`] reinstalls.
fn venv() -> Result<PathBuf, SynapseError> {
    let venv = std::env::var_os("EFTERTANKE_SYNAPSE_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/synapse-venv"),
        PathBuf::from,
    );
    let marker = venv.join(".installed");
    let lock = venv.with_extension("installing");
    let installed = || fs::read_to_string(&marker).is_ok_and(|release| release == SYNAPSE);
    let waiting = Instant::now();
    loop {
        if installed() {
            return Ok(venv);
        }
        if let Some(parent) = lock.parent() {
            fs::create_dir_all(parent).map_err(fail("making the venv's folder"))?;
        }
        match File::create_new(&lock) {
            Ok(mut file) => {
                let _unlock = RemoveOnDrop(lock.clone());
                write!(file, "{}", std::process::id()).map_err(fail("the install lock"))?;
                // Someone may have finished between our look and our lock.
                if !installed() {
                    install(&venv)?;
                    fs::write(&marker, SYNAPSE).map_err(fail("the install marker"))?;
                }
                return Ok(venv);
            }
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                if abandoned(&lock) {
                    let _ = fs::remove_file(&lock);
                    continue;
                }
                if waiting.elapsed() > INSTALL_WITHIN {
                    return Err(SynapseError(format!(
                        "waited {INSTALL_WITHIN:?} for another process to install Synapse; \
                         remove {} if none is",
                        lock.display()
                    )));
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(error) => return Err(fail("the install lock")(error)),
        }
    }
}

/// Makes a fresh venv and installs Synapse into it.
fn install(venv: &Path) -> Result<(), SynapseError> {
    eprintln!("installing {SYNAPSE} into {} (once)", venv.display());
    let started = Instant::now();
    // `--clear` empties what an interrupted install left behind.
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        // Wheels only: without one for this Python, pip would build Synapse's Rust
        // extension from source for many minutes, or fail late for want of a toolchain.
        "--only-binary=:all:",
        SYNAPSE,
    ]))?;
    eprintln!("installed Synapse in {:.1?}", started.elapsed());
    Ok(())
}

fn run(command: &mut Command) -> Result<(), SynapseError> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| SynapseError(format!("cannot run {command:?}: {error}")))?;
    if output.status.success() {
        return Ok(());
    }
    Err(SynapseError(format!(
        "{command:?} failed ({}); installing Synapse needs python3 3.10 or newer with venv, \
         and PyPI:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    )))
}

/// True when the install lock was left by a process that is gone: the lock holds its pid,
/// which is looked up in `/proc` where there is one, and otherwise judged by the lock's age.
fn abandoned(lock: &Path) -> bool {
    let age = fs::metadata(lock)
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .unwrap_or_default();
    let pid = fs::read_to_string(lock)
        .ok()
        .and_then(|text| text.parse::<u32>().ok());
    match pid {
        Some(pid) if Path::new("/proc/self").exists() => {
            !Path::new(&format!("/proc/{pid}")).exists()
        }
        // No pid yet: its holder is writing it, unless that was long ago.
        None => age > Duration::from_secs(30),
        Some(_) => age > INSTALL_WITHIN,
    }
}

/// Removes a file when dropped, also when the install fails.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// A port nobody listens on now (the operating system's choice).
fn free_port() -> Result<u16, SynapseError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(fail("finding a free port"))
}

/// True when `GET path` on 127.0.0.1:`port` answers 200.
fn answers(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut response = String::new();
    if stream.write_all(request.as_bytes()).is_err()
        || stream.read_to_string(&mut response).is_err()
    {
        return false;
    }
    response
        .lines()
        .next()
        .and_then(|status| status.split(' ').nth(1))
        == Some("200")
}

fn random_bytes<const N: usize>() -> Result<[u8; N], SynapseError> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).map_err(fail("random bytes"))?;
    Ok(bytes)
}
