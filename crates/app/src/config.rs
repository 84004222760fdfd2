//! The configuration file: who administers, when the scheduler sends, how groups behave.
//! Every field has a default, so an empty file (or none) is a working configuration.
//!
//! ```toml
//! time_zone = "Europe/Copenhagen"
//! administrators = ["telegram:12345"]   # may create groups
//! facilitators = ["console:mette"]      # may create groups too
//!
//! [groups]
//! invite_days = 30          # new invite codes work this long, 1 to 365 days (default 30)
//! citizen_floor = 3         # no citizen figures in a digest below this many citizens
//!
//! [follow_up]
//! window = "09:00-20:00"    # follow-ups and late messages only in these hours
//! retry_days = 3            # a second offer this many days after the first
//!
//! [digest]
//! weekday = "monday"
//! time = "08:00"
//!
//! [telegram]                # `eftertanke run` starts Telegram when this section is present
//! api_url = "https://api.telegram.org"   # or a self-hosted Bot API server
//! # token: from the environment variable TELEGRAM_BOT_TOKEN (or `token = "..."` here)
//!
//! [matrix]                  # `eftertanke run` starts Matrix when this section is present
//! homeserver = "https://matrix.example.org"
//! user = "@eftertanke:example.org"
//! allowed_servers = ["example.org"]   # invites from these servers (default: the bot's own)
//! language = "da"           # for people new to the bot (default: da)
//! # MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN, and MATRIX_STORE_PASSPHRASE: from the environment
//! ```
//!
//! `eftertanke.example.toml` at the top of the repository has every key, with its default.

use std::path::{Path, PathBuf};

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;

use eftertanke_core::engine::Settings;
use eftertanke_core::i18n::Lang;
use eftertanke_core::records::PersonId;
use eftertanke_core::schedule::Schedule;
use eftertanke_core::schedule::{DigestSchedule, Window};
use eftertanke_store::secret::{self, SecretError};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {problem}")]
    Invalid { file: PathBuf, problem: String },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct File {
    time_zone: Option<String>,
    administrators: Vec<String>,
    facilitators: Vec<String>,
    data: Option<PathBuf>,
    key_file: Option<PathBuf>,
    groups: Groups,
    follow_up: FollowUp,
    digest: Digest,
    privacy: Privacy,
    telegram: Option<Telegram>,
    matrix: Option<Matrix>,
    metrics: Option<Metrics>,
    log_format: Option<LogFormat>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Metrics {
    listen: std::net::SocketAddr,
}

/// How log lines are written: for people reading a terminal or the journal, or one JSON
/// object a line for log shippers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Privacy {
    retention_months: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Telegram {
    #[serde(default = "telegram_api")]
    api_url: String,
    token: Option<String>,
    /// Off only for tests and benchmarks against a local emulator.
    #[serde(default = "yes")]
    throttle: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Matrix {
    homeserver: String,
    user: String,
    #[serde(default)]
    allowed_servers: Vec<String>,
    language: Option<String>,
}

fn telegram_api() -> String {
    "https://api.telegram.org".into()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Groups {
    invite_days: Option<u32>,
    citizen_floor: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FollowUp {
    window: Option<String>,
    retry_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Digest {
    weekday: Option<String>,
    time: Option<String>,
}

/// The configuration as the program uses it.
#[derive(Clone, Debug)]
pub struct Config {
    pub settings: Settings,
    pub schedule: Schedule,
    /// Where the data lives, if the file says.
    pub data: Option<PathBuf>,
    /// The file holding the master key, if the file says (the environment comes first).
    pub key_file: Option<PathBuf>,
    pub telegram: Option<TelegramConfig>,
    pub matrix: Option<MatrixConfig>,
    /// Where `/healthz` and `/metrics` are served, if the file says (`[metrics] listen`).
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// The log format the file asks for (`--log-format` comes first).
    pub log_format: Option<LogFormat>,
}

/// The Matrix channel's settings. Secrets (password or access token, and the passphrase of
/// matrix-sdk's store) come from the environment only, when the channel starts.
#[derive(Clone, Debug)]
pub struct MatrixConfig {
    pub homeserver: String,
    /// `@name:server`.
    pub user: String,
    /// Invites are taken from these servers only; never empty.
    pub allowed_servers: Vec<String>,
    pub lang: Lang,
}

/// The Telegram channel's settings. The token is read from the environment (or the file)
/// only when the channel starts; `Debug` leaves it out.
#[derive(Clone)]
pub struct TelegramConfig {
    pub api_url: String,
    pub token_in_file: Option<String>,
    pub throttle: bool,
}

impl std::fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("api_url", &self.api_url)
            .field(
                "token_in_file",
                &self.token_in_file.as_ref().map(|_| "(hidden)"),
            )
            .field("throttle", &self.throttle)
            .finish()
    }
}

impl TelegramConfig {
    /// The bot token: the credential `telegram-token` or `TELEGRAM_BOT_TOKEN`, else the
    /// file's `token`.
    pub fn token(&self) -> Result<Option<String>, SecretError> {
        Ok(secret::TELEGRAM_TOKEN
            .value()?
            .or_else(|| self.token_in_file.clone()))
    }
}

impl Config {
    /// Reads `path`, or gives the defaults with `default_administrator` (the terminal's own
    /// user) when there is no file.
    pub fn load(
        path: Option<&Path>,
        default_administrator: Option<PersonId>,
    ) -> Result<Config, ConfigError> {
        let Some(path) = path else {
            let mut config = Config::parse("", Path::new("(defaults)"))?;
            config.settings.creators.extend(default_administrator);
            return Ok(config);
        };
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError::Invalid {
            file: path.to_owned(),
            problem: err.to_string(),
        })?;
        Config::parse(&text, path)
    }

    /// Reads configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let invalid = |problem: String| ConfigError::Invalid {
            file: file.to_owned(),
            problem,
        };
        let raw: File = toml::from_str(text).map_err(|err| invalid(toml_problem(text, &err)))?;
        let mut settings = Settings::standard().map_err(|err| invalid(err.to_string()))?;
        if let Some(name) = &raw.time_zone {
            settings.time_zone = TimeZone::get(name)
                .map_err(|_| invalid(format!("time_zone: unknown time zone `{name}`")))?;
        }
        for (field, people) in [
            ("administrators", &raw.administrators),
            ("facilitators", &raw.facilitators),
        ] {
            for person in people {
                let Some((platform, id)) = person.split_once(':') else {
                    return Err(invalid(format!(
                        "{field}: `{person}` is not \"platform:id\", like \"telegram:12345\""
                    )));
                };
                settings.creators.push(PersonId::new(platform, id));
            }
        }
        if let Some(days) = raw.groups.invite_days {
            if !(1..=365).contains(&days) {
                return Err(invalid("groups.invite_days: from 1 to 365".into()));
            }
            settings.invite_days = Some(days);
        }
        if let Some(floor) = raw.groups.citizen_floor {
            // Below 3, one citizen's answers could be worked out from a digest.
            if floor < 3 {
                return Err(invalid("groups.citizen_floor: at least 3".into()));
            }
            settings.citizen_floor = floor;
        }
        if let Some(days) = raw.follow_up.retry_days {
            if !(1..=60).contains(&days) {
                return Err(invalid("follow_up.retry_days: from 1 to 60".into()));
            }
            settings.retry_days = days;
        }
        if let Some(months) = raw.privacy.retention_months {
            if !(1..=120).contains(&months) {
                return Err(invalid("privacy.retention_months: from 1 to 120".into()));
            }
            settings.retention_months = months;
        }
        let mut schedule = Schedule::default();
        if let Some(window) = &raw.follow_up.window {
            schedule.window = parse_window(window).ok_or_else(|| {
                invalid(format!(
                    "follow_up.window: `{window}` is not like \"09:00-20:00\""
                ))
            })?;
        }
        schedule.digest = DigestSchedule {
            weekday: match &raw.digest.weekday {
                Some(day) => parse_weekday(day)
                    .ok_or_else(|| invalid(format!("digest.weekday: `{day}` is not a weekday")))?,
                None => schedule.digest.weekday,
            },
            time: match &raw.digest.time {
                Some(time) => parse_time(time).ok_or_else(|| {
                    invalid(format!("digest.time: `{time}` is not like \"08:00\""))
                })?,
                None => schedule.digest.time,
            },
        };
        let telegram = match raw.telegram {
            Some(t) => {
                if !(t.api_url.starts_with("http://") || t.api_url.starts_with("https://")) {
                    return Err(invalid(format!(
                        "telegram.api_url: `{}` is not an http(s) URL",
                        t.api_url
                    )));
                }
                Some(TelegramConfig {
                    // teloxide appends "/bot…" as a path segment: a trailing slash would
                    // double it under a path.
                    api_url: t.api_url.trim_end_matches('/').to_owned(),
                    token_in_file: t.token,
                    throttle: t.throttle,
                })
            }
            None => None,
        };
        let matrix = match raw.matrix {
            Some(m) => Some(matrix_config(m).map_err(invalid)?),
            None => None,
        };
        Ok(Config {
            settings,
            schedule,
            data: raw.data,
            key_file: raw.key_file,
            telegram,
            matrix,
            metrics_listen: raw.metrics.map(|metrics| metrics.listen),
            log_format: raw.log_format,
        })
    }
}

/// Checks the [matrix] section; a problem names its field.
fn matrix_config(m: Matrix) -> Result<MatrixConfig, String> {
    if !(m.homeserver.starts_with("http://") || m.homeserver.starts_with("https://")) {
        return Err(format!(
            "matrix.homeserver: `{}` is not an http(s) URL",
            m.homeserver
        ));
    }
    let server = m
        .user
        .strip_prefix('@')
        .and_then(|user| user.split_once(':'))
        .filter(|(local, server)| !local.is_empty() && !server.is_empty())
        .map(|(_, server)| server.to_owned())
        .ok_or_else(|| {
            format!(
                "matrix.user: `{}` is not a full Matrix id, like \"@eftertanke:example.org\"",
                m.user
            )
        })?;
    let allowed_servers = if m.allowed_servers.is_empty() {
        vec![server]
    } else {
        m.allowed_servers
    };
    let lang = match m.language.as_deref() {
        None => Lang::Da,
        Some(code) => Lang::parse(code)
            .ok_or_else(|| format!("matrix.language: `{code}` is not \"da\" or \"en\""))?,
    };
    Ok(MatrixConfig {
        homeserver: m.homeserver.trim_end_matches('/').to_owned(),
        user: m.user,
        allowed_servers,
        lang,
    })
}

fn parse_time(text: &str) -> Option<Time> {
    let (hour, minute) = text.trim().split_once(':')?;
    Time::new(hour.parse().ok()?, minute.parse().ok()?, 0, 0).ok()
}

fn parse_window(text: &str) -> Option<Window> {
    let (start, end) = text.split_once('-')?;
    Some(Window {
        start: parse_time(start)?,
        end: parse_time(end)?,
    })
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    Some(match text.trim().to_lowercase().as_str() {
        "monday" | "mandag" => Weekday::Monday,
        "tuesday" | "tirsdag" => Weekday::Tuesday,
        "wednesday" | "onsdag" => Weekday::Wednesday,
        "thursday" | "torsdag" => Weekday::Thursday,
        "friday" | "fredag" => Weekday::Friday,
        "saturday" | "lørdag" => Weekday::Saturday,
        "sunday" | "søndag" => Weekday::Sunday,
        _ => return None,
    })
}

/// A TOML error with its line and column but without the quoted line, which could hold a
/// token.
fn toml_problem(text: &str, err: &toml::de::Error) -> String {
    let Some(before) = err.span().and_then(|span| text.get(..span.start)) else {
        return err.message().to_owned();
    };
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
    format!("line {line}, column {column}: {}", err.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example file holds every key: loaded as it is, it changes no default; with its
    /// commented-out sections taken in, it still loads.
    #[test]
    fn the_example_file_has_every_key_and_loads() {
        let example = include_str!("../../../eftertanke.example.toml");
        let loaded = Config::parse(example, Path::new("eftertanke.example.toml")).unwrap();
        let defaults = Config::parse("", Path::new("(defaults)")).unwrap();
        assert_eq!(
            format!("{:?}", loaded.settings),
            format!("{:?}", defaults.settings)
        );
        assert_eq!(
            format!("{:?}", loaded.schedule),
            format!("{:?}", defaults.schedule)
        );
        assert!(loaded.telegram.is_none() && loaded.matrix.is_none());
        let uncommented: String = example
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let all = Config::parse(&uncommented, Path::new("uncommented")).unwrap();
        assert!(all.telegram.is_some() && all.matrix.is_some() && all.metrics_listen.is_some());
        assert!(all.key_file.is_some() && all.log_format.is_some());
        for key in [
            "time_zone",
            "administrators",
            "facilitators",
            "data",
            "key_file",
            "log_format",
            "invite_days",
            "citizen_floor",
            "window",
            "retry_days",
            "weekday",
            "time",
            "retention_months",
            "api_url",
            "token",
            "throttle",
            "homeserver",
            "user",
            "allowed_servers",
            "language",
            "listen",
        ] {
            assert!(example.contains(&format!("{key} = ")), "{key}");
        }
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = Config::parse("", Path::new("e.toml")).unwrap();
        assert_eq!(config.schedule, Schedule::default());
        assert_eq!(config.settings.retry_days, 3);
        assert_eq!(config.settings.citizen_floor, 3);
        assert!(config.settings.creators.is_empty());
        assert!(config.telegram.is_none());
    }

    #[test]
    fn a_toml_error_gives_its_place_but_not_the_line() {
        let text = "[telegram]\ntoken = 123456:SECRET-token\n";
        let err = Config::parse(text, Path::new("e.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("e.toml") && err.contains("line 2"), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn the_matrix_section_names_its_mistakes() {
        let text = "[matrix]\nhomeserver = \"http://127.0.0.1:8008/\"\nuser = \"@bot:localhost\"\n";
        let matrix = Config::parse(text, Path::new("m.toml"))
            .unwrap()
            .matrix
            .unwrap();
        assert_eq!(matrix.homeserver, "http://127.0.0.1:8008");
        assert_eq!(matrix.allowed_servers, vec!["localhost".to_owned()]);
        assert_eq!(matrix.lang, Lang::Da);
        for (bad, field) in [
            ("homeserver = \"x\"\nuser = \"@b:s\"", "matrix.homeserver"),
            ("homeserver = \"http://h\"\nuser = \"bot\"", "matrix.user"),
            (
                "homeserver = \"http://h\"\nuser = \"@b:s\"\nlanguage = \"fr\"",
                "matrix.language",
            ),
            (
                "homeserver = \"http://h\"\nuser = \"@b:s\"\npassword = \"p\"",
                "password",
            ),
        ] {
            let err = Config::parse(&format!("[matrix]\n{bad}"), Path::new("m.toml")).unwrap_err();
            assert!(err.to_string().contains(field), "{err}");
        }
    }

    #[test]
    fn the_telegram_section_starts_telegram() {
        let text =
            "data = \"d\"\n[telegram]\napi_url = \"http://127.0.0.1:9/\"\nthrottle = false\n";
        let config = Config::parse(text, Path::new("e.toml")).unwrap();
        let telegram = config.telegram.unwrap();
        assert_eq!(telegram.api_url, "http://127.0.0.1:9");
        assert!(!format!("{telegram:?}").contains("token\": Some(\""));
        assert!(!telegram.throttle);
        assert_eq!(config.data, Some(PathBuf::from("d")));
        let bad = Config::parse("[telegram]\napi_url = \"ftp://x\"", Path::new("b.toml"));
        assert!(bad.unwrap_err().to_string().contains("telegram.api_url"));
    }

    #[test]
    fn every_field_is_read() {
        let text = r#"
            time_zone = "Europe/Copenhagen"
            administrators = ["telegram:1"]
            facilitators = ["console:mette"]
            [groups]
            invite_days = 14
            citizen_floor = 5
            [follow_up]
            window = "10:00-18:30"
            retry_days = 2
            [digest]
            weekday = "fredag"
            time = "14:00"
        "#;
        let config = Config::parse(text, Path::new("e.toml")).unwrap();
        assert_eq!(config.settings.creators.len(), 2);
        assert_eq!(config.settings.invite_days, Some(14));
        assert_eq!(config.settings.citizen_floor, 5);
        assert_eq!(config.settings.retry_days, 2);
        assert_eq!(config.schedule.window.end, Time::constant(18, 30, 0, 0));
        assert_eq!(config.schedule.digest.weekday, Weekday::Friday);
    }

    #[test]
    fn mistakes_name_the_file_and_the_field() {
        for (text, expected) in [
            ("administrators = [\"anna\"]", "administrators"),
            ("[digest]\ntime = \"25:00\"", "digest.time"),
            ("[digest]\nweekday = \"someday\"", "digest.weekday"),
            ("[follow_up]\nwindow = \"9-20\"", "follow_up.window"),
            ("[follow_up]\nretry_days = 0", "retry_days"),
            ("[groups]\ninvite_days = 0", "invite_days"),
            ("[groups]\ncitizen_floor = 2", "citizen_floor"),
            ("time_zone = \"Mars/Olympus\"", "time_zone"),
            ("adminstrators = []", "adminstrators"),
        ] {
            let err = Config::parse(text, Path::new("bad.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("bad.toml: ") && err.contains(expected),
                "{err}"
            );
        }
    }
}
