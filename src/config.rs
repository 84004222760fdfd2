//! The configuration file: who administers, when the scheduler sends, how groups behave.
//! Every field has a default, so an empty file (or none) is a working configuration.
//!
//! ```toml
//! time_zone = "Europe/Copenhagen"
//! administrators = ["telegram:12345"]   # may create groups
//! facilitators = ["console:mette"]      # may create groups too
//!
//! [groups]
//! invite_days = 30          # new invite codes work this long (default: until replaced)
//! citizen_floor = 3         # no citizen figures in a digest below this many citizens
//!
//! [follow_up]
//! window = "09:00-20:00"    # follow-ups and late messages only in these hours
//! retry_days = 3            # a second offer this many days after the first
//!
//! [digest]
//! weekday = "monday"
//! time = "08:00"
//! ```

use std::path::{Path, PathBuf};

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::engine::Settings;
use crate::records::PersonId;
use crate::schedule::{DigestSchedule, Window};
use crate::scheduler::Schedule;

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
    groups: Groups,
    follow_up: FollowUp,
    digest: Digest,
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
        let raw: File = toml::from_str(text).map_err(|err| invalid(err.to_string()))?;
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
        Ok(Config { settings, schedule })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = Config::parse("", Path::new("e.toml")).unwrap();
        assert_eq!(config.schedule, Schedule::default());
        assert_eq!(config.settings.retry_days, 3);
        assert_eq!(config.settings.citizen_floor, 3);
        assert!(config.settings.creators.is_empty());
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
