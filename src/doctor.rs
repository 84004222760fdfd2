//! `eftertanke doctor`: checks what a start needs (the configuration, the time zone, the data
//! folder, the master key, each channel's login) and says how to fix what is wrong, changing
//! nothing. Safe while the bot runs.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::store::{self, default_key_file, find_master_key, Vault};

/// One check's result.
struct Finding {
    what: String,
    /// How to fix it; `None` when all is well.
    fix: Option<String>,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Finding {
        Finding {
            what: what.into(),
            fix: None,
        }
    }

    fn problem(what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            what: what.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Runs every check and prints each; true when all are well.
pub async fn doctor(config_path: &Path, data: Option<PathBuf>) -> bool {
    let mut findings = Vec::new();
    let config = match Config::load(Some(config_path), None) {
        Ok(config) => {
            findings.push(Finding::ok(format!(
                "configuration {}",
                config_path.display()
            )));
            Some(config)
        }
        Err(err) => {
            findings.push(Finding::problem(
                format!("configuration: {err}"),
                "correct the key named (every key, with its default: eftertanke.example.toml)",
            ));
            None
        }
    };
    if let Some(config) = &config {
        findings.push(time_zone(config));
        let data = data
            .or(config.data.clone())
            .unwrap_or_else(|| PathBuf::from("eftertanke-data"));
        findings.extend(data_folder(&data));
        findings.extend(master_key(&data, config));
        findings.extend(channels(config).await);
    }
    let mut healthy = true;
    for finding in &findings {
        match &finding.fix {
            None => println!("ok       {}", finding.what),
            Some(fix) => {
                healthy = false;
                println!("problem  {}\n         fix: {fix}", finding.what);
            }
        }
    }
    let problems = findings.iter().filter(|f| f.fix.is_some()).count();
    println!(
        "{}",
        match problems {
            0 => "all well".to_owned(),
            n => format!("{n} problem(s)"),
        }
    );
    healthy
}

fn time_zone(config: &Config) -> Finding {
    let tz = &config.settings.time_zone;
    let now = jiff::Timestamp::now().to_zoned(tz.clone());
    Finding::ok(format!(
        "time zone {}: it is {} there, week {}; follow-ups, reminders and the digest keep it",
        tz.iana_name().unwrap_or("(fixed offset)"),
        now.strftime("%Y-%m-%d %H:%M %:z"),
        store::iso_week(now.timestamp(), tz)
    ))
}

fn data_folder(data: &Path) -> Vec<Finding> {
    let shown = data.display();
    if !data.exists() {
        return vec![Finding::problem(
            format!("data folder {shown} does not exist"),
            format!(
                "make it: mkdir -m 700 {shown} (or let systemd's StateDirectory= make it), then \
                 give it a master key (eftertanke key new FILE)"
            ),
        )];
    }
    let mut findings = Vec::new();
    match store::refuse_if_shared(data, "data folder") {
        Ok(()) => findings.push(Finding::ok(format!(
            "data folder {shown}: only its owner can open it"
        ))),
        Err(err) => findings.push(Finding::problem(
            err.to_string(),
            format!("chmod 700 {shown}"),
        )),
    }
    let probe = data.join(".doctor-probe");
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            findings.push(Finding::ok(format!("data folder {shown}: writable")));
        }
        Err(err) => findings.push(Finding::problem(
            format!("data folder {shown}: not writable ({err})"),
            "run eftertanke as the folder's owner, or give the folder to that user",
        )),
    }
    if std::os::unix::net::UnixStream::connect(data.join(crate::app::control::SOCKET)).is_ok() {
        findings.push(Finding::ok(format!(
            "data folder {shown}: a running eftertanke serves it"
        )));
    }
    findings
}

fn master_key(data: &Path, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    let master = match find_master_key(data, config.key_file.as_deref(), false) {
        Ok(master) => master,
        Err(err) => {
            let fix = match err {
                store::VaultError::MissingKey(_) => {
                    "make one with `eftertanke key new FILE` and give it as the credential \
                     `master-key` (LoadCredential=), or name it in key_file"
                }
                _ => "as the message says (nothing was changed)",
            };
            findings.push(Finding::problem(format!("master key: {err}"), fix));
            return findings;
        }
    };
    let origin = match store::secret::MASTER_KEY.value() {
        Ok(Some(_)) => "from the credential or EFTERTANKE_MASTER_KEY".to_owned(),
        _ => {
            let file = config
                .key_file
                .clone()
                .unwrap_or_else(|| default_key_file(data));
            format!("from {} (readable by its owner only)", file.display())
        }
    };
    findings.push(Finding::ok(format!("master key {origin}")));
    if Vault::exists(data) {
        match Vault::check_key(data, &master) {
            Ok(()) => findings.push(Finding::ok(
                "master key: it opens the data folder's keyring",
            )),
            Err(err) => findings.push(Finding::problem(
                format!("master key: {err}"),
                "give the key this folder was made with (or restore the folder from a backup \
                 made under this key)",
            )),
        }
    }
    findings
}

#[cfg_attr(
    not(any(feature = "telegram", feature = "matrix")),
    allow(clippy::unused_async)
)]
async fn channels(config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    if config.telegram.is_none() && config.matrix.is_none() {
        findings.push(Finding::problem(
            "no channel: the configuration has neither [telegram] nor [matrix]",
            "add one (see eftertanke.example.toml); `eftertanke run` needs at least one",
        ));
    }
    #[cfg(feature = "telegram")]
    if let Some(telegram) = &config.telegram {
        findings.push(match telegram.token() {
            Ok(Some(token)) => {
                match crate::channels::telegram::check_token(&telegram.api_url, &token).await {
                    Ok(name) => Finding::ok(format!(
                        "Telegram at {}: the token is the bot @{name}",
                        telegram.api_url
                    )),
                    Err(err) => Finding::problem(
                        format!("Telegram at {}: {err}", telegram.api_url),
                        "check the token with @BotFather, and that this machine reaches the \
                         API (a proxy, a firewall)",
                    ),
                }
            }
            Ok(None) => Finding::problem(
                "Telegram: no token",
                "give the credential `telegram-token` (LoadCredential=) or set TELEGRAM_BOT_TOKEN",
            ),
            Err(err) => {
                Finding::problem(format!("Telegram: {err}"), "make the credential readable")
            }
        });
    }
    #[cfg(feature = "matrix")]
    if let Some(matrix) = &config.matrix {
        findings.extend(matrix_login(matrix).await);
    }
    findings
}

#[cfg(feature = "matrix")]
async fn matrix_login(matrix: &crate::config::MatrixConfig) -> Vec<Finding> {
    use store::secret;
    let mut findings = Vec::new();
    let secret = |name: &secret::Secret| name.value().ok().flatten();
    let (password, token) = (
        secret(&secret::MATRIX_PASSWORD),
        secret(&secret::MATRIX_ACCESS_TOKEN),
    );
    if secret(&secret::MATRIX_STORE_PASSPHRASE).is_none() {
        findings.push(Finding::problem(
            "Matrix: no store passphrase",
            "give the credential `matrix-store-passphrase` or set MATRIX_STORE_PASSPHRASE (the \
             one the store was made with)",
        ));
    }
    let at = &matrix.homeserver;
    if password.is_none() && token.is_none() {
        findings.push(Finding::ok(format!(
            "Matrix at {at}: no password or token given; a saved session is needed (the \
             start says so if there is none)"
        )));
        return findings;
    }
    let checked = crate::channels::matrix::check_login(
        at,
        &matrix.user,
        password.as_deref(),
        token.as_deref(),
    )
    .await;
    findings.push(match checked {
        Ok(user) => Finding::ok(format!(
            "Matrix at {at}: the homeserver takes the login of {user}"
        )),
        Err(err) => Finding::problem(
            format!("Matrix at {at}: {err}"),
            "check matrix.user, the password or token, and that this machine reaches the \
             homeserver",
        ),
    });
    findings
}
